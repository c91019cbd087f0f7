/*
 * page_jobs.h — the jobs pages of `benchaas serve` (docs/serve.md, "Pages"), and the
 * table of jobs the dashboard shows too.
 */
#ifndef BENCHAAS_PAGE_JOBS_H
#define BENCHAAS_PAGE_JOBS_H

#include <stdio.h>

#include "http.h"
#include "store.h"

/* The jobs of the list job_list() (jobs.h) gives, in state (NULL: any) of user (NULL:
 * anyone), at most limit, newest or oldest first, as a table: how many there were (0
 * also when the database could not say: nothing is written then). */
int page_jobs_table(FILE *f, store *st, const char *state, const char *user, int newest,
                    int limit);

/* GET /jobs[?state=&user=], GET /jobs/{id}; POST /jobs/{id}/cancel (its owner or an
 * admin: page_own_job is the route's ownership check). */
int page_jobs(http_req *r, http_resp *o);
int page_job(http_req *r, http_resp *o);
int page_own_job(http_req *r, char *owner, size_t len, http_resp *o);
int page_job_cancel(http_req *r, http_resp *o);

#endif
