/*
 * page_runs.h — one run's page of `benchaas serve` (docs/serve.md, "Pages").
 */
#ifndef BENCHAAS_PAGE_RUNS_H
#define BENCHAAS_PAGE_RUNS_H

#include "http.h"

/* GET /runs/{id}: parameters, metrics, samples chart, resource timeline, provenance,
 * error. */
int page_run(http_req *r, http_resp *o);

#endif
