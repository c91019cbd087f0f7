/*
 * page_sched.h — the schedules page of `benchaas serve` (docs/serve.md, "Pages"): every
 * schedule, and for a member a form that makes one from jobs it ran (a suite) and a button
 * that removes its own.  Through the API's routes (/api/v1/schedules), in process.
 */
#ifndef BENCHAAS_PAGE_SCHED_H
#define BENCHAAS_PAGE_SCHED_H

#include "http.h"

/* GET /schedules[?job=ID...]: the schedules; the form with those jobs chosen. */
int page_schedules(http_req *r, http_resp *o);
/* POST /schedules (fields job (repeated), at, every, now): a new schedule. */
int page_schedule_add(http_req *r, http_resp *o);
/* POST /schedules/{id}/remove. */
int page_schedule_remove(http_req *r, http_resp *o);

#endif
