/*
 * page_compare.h — /compare for people (docs/serve.md, "Pages").
 */
#ifndef BENCHAAS_PAGE_COMPARE_H
#define BENCHAAS_PAGE_COMPARE_H

#include "http.h"

/* GET /compare[?a=A&b=B]: A and B a run id, job:N (the service's job) or a selector. */
int page_compare(http_req *r, http_resp *o);

#endif
