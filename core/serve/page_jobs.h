/*
 * page_jobs.h — the jobs pages of `benchaas serve` (docs/serve.md, "Pages"), and the
 * table of jobs the dashboard shows too.
 */
#ifndef BENCHAAS_PAGE_JOBS_H
#define BENCHAAS_PAGE_JOBS_H

#include <stdio.h>

#include "http.h"
#include "store.h"

/* The columns page_jobs_table() reads: id, user, plugin, name, state, npoints, points
 * done, created_at; a WHERE clause follows. */
#define JOB_COLS                                                                               \
    "SELECT j.id, j.user, j.plugin, j.name, j.state, j.npoints, (SELECT count(*) FROM "        \
    "job_points p WHERE p.job_id = j.id AND p.state = 'done'), j.created_at FROM jobs j "

/* The headline metric of run r (headline.h: the one its plugin marked when it ran, else
 * its first) joined as m: name, value, unit. */
#define HEADLINE_JOIN                                                                          \
    " LEFT JOIN metrics m ON m.run_id = r.id AND m.name = (SELECT x.name FROM metrics x WHERE " \
    "x.run_id = r.id ORDER BY " HEADLINE_SQL " DESC, x.seq LIMIT 1) "

/* A table of the jobs sql (JOB_COLS ...; ?1 a1 and ?2 a2 when not NULL) selects: how
 * many rows it had (0 also when the query failed: nothing is written then). */
int page_jobs_table(FILE *f, store *st, const char *sql, const char *a1, const char *a2);

/* GET /jobs[?state=&user=], GET /jobs/{id}; POST /jobs/{id}/cancel (its owner or an
 * admin: page_own_job is the route's ownership check). */
int page_jobs(http_req *r, http_resp *o);
int page_job(http_req *r, http_resp *o);
int page_own_job(http_req *r, char *owner, size_t len, http_resp *o);
int page_job_cancel(http_req *r, http_resp *o);

#endif
