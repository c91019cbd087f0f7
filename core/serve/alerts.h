/*
 * alerts.h — what the service does with a regression a scheduled check finds
 * (alerts.c): one confirmation run of the point first (a setting), then an
 * alert with its severity; people acknowledge an alert or accept its new
 * level as the normal (who, when, why; check's history of the configuration
 * then starts at the new level).
 */
#ifndef BENCHAAS_ALERTS_H
#define BENCHAAS_ALERTS_H

#include <sqlite3.h>
#include <stdint.h>

#include "http.h"
#include "jobs.h"
#include "util.h"

typedef struct alerts_ctx {
    store *st;                /* the scheduler slot's connection */
    const char *launcher;     /* for the confirmation job */
    const job_quotas *quotas;
    int webhook;              /* a webhook is set: new alerts are 'pending' for it */
    int confirm;              /* 1: a regression queues one confirmation run before it alerts */
} alerts_ctx;

/* The run job `job` confirms (a confirmation job), or 0 when it is not one. */
int64_t alerts_confirms(sqlite3 *db, int64_t job);

/*
 * After `benchaas check --format json` of scheduled job `job` (schedule sid)
 * exited rc with the document json (NULL when unreadable): a regression
 * queues a confirmation job (c->confirm, job not one itself) or becomes an
 * alert; a confirmation that finds none says so in the log.
 */
void alerts_after_check(const alerts_ctx *c, int64_t job, int64_t sid, int rc, const char *json);

/* One alert as the dashboard lists it. */
typedef struct alert_row {
    int64_t id, job_id;        /* job_id 0: none */
    char *created_at, *message, *severity, *state;
    char *acted_by, *reason;   /* "" when nobody acted */
    char *run_link, *compare_link; /* its payload's links (paths of this site or ""), as given */
} alert_row;

/* The newest limit alerts, newest first: 0 and *out (alert_rows_free), or BX_EIO. */
int alerts_recent(store *st, int limit, alert_row **out, size_t *n, char *err, size_t errlen);
void alert_rows_free(alert_row *v, size_t n);

/* GET /api/v1/alerts; POST /api/v1/alerts/{id}/acknowledge and /accept {"reason"}. */
int alerts_api_list(http_req *r, http_resp *o);
int alerts_api_acknowledge(http_req *r, http_resp *o);
int alerts_api_accept(http_req *r, http_resp *o);

#endif
