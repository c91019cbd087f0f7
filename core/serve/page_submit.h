/*
 * page_submit.h — the submission forms of `benchaas serve` (docs/serve.md, "Pages"):
 * one field per declared parameter of the plugin, `a,b,c` a sweep.
 */
#ifndef BENCHAAS_PAGE_SUBMIT_H
#define BENCHAAS_PAGE_SUBMIT_H

#include "http.h"

/* GET /submit: the plugins; GET and POST /submit/{plugin}. */
int page_submit_list(http_req *r, http_resp *o);
int page_submit(http_req *r, http_resp *o);
int page_submit_post(http_req *r, http_resp *o);

#endif
