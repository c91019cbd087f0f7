/*
 * page_compare.h — /compare for people (docs/serve.md, "Pages").
 */
#ifndef BENCHAAS_PAGE_COMPARE_H
#define BENCHAAS_PAGE_COMPARE_H

#include "http.h"

/* GET /compare[?a=A&b=B]: A and B a run id, job:N (the service's job) or a selector. */
int page_compare(http_req *r, http_resp *o);
/* GET /report[?plugin=&status=&tag=&host=&since=&until=]: the library's report
 * (report_render_html), as `benchaas report --html` writes it, with the filters on top. */
int page_report(http_req *r, http_resp *o);

#endif
