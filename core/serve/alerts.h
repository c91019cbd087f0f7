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

/* The service job a run belongs to (runs.job), or 0. */
int64_t alerts_job_of_run(sqlite3 *db, int64_t run);

/* An alert's severity by the size of the change (%): "minor" under 5, "major" under 10,
   "critical" beyond (and when there is no size). */
const char *alerts_severity(double change_pct);

/*
 * A confirmation held to the judgement of the run it confirms (the flagged run):
 * the levels, band and floor that judgement found, and the confirmation's value.
 */
typedef struct alerts_confirm {
    double old_level;  /* the history's level: the change point's old level, or the median */
    double new_level;  /* the change point's new level, or the flagged run's value */
    double lo, hi;     /* the band around the history's median */
    double floor_pct;  /* the least shift that fails, % of the old level (0: the band decided) */
    int worse;         /* -1: lower values are worse, +1: higher ones */
    double value;      /* the confirmation run's value */
    int64_t run;       /* the confirmation run */
} alerts_confirm;

/* 1 when confirmation c holds: its value beyond the band on the worse side, beyond the floor,
   and nearer the new level than the old. */
int alerts_holds(const alerts_confirm *c);

/*
 * Fill *c from orig, check's document of the flagged run `orig` judged again against
 * the runs before it (what the scheduled check saw), and conf, the document of the
 * confirmation job: its value of the regressed metric, configuration and plugin.
 * 1 when it holds, 0 when not, -1 when there is nothing to hold it to (no regression of
 * run orig in orig, or no such value in conf).  Neither the confirmation's own verdict
 * nor its history counts.
 */
int alerts_judge_confirmation(const cJSON *orig_doc, int64_t orig, const cJSON *conf_doc,
                              alerts_confirm *c);

/*
 * After `benchaas check --format json` of scheduled job `job` (schedule sid)
 * exited rc with the document json (NULL when unreadable): a regression
 * queues a confirmation job (c->confirm, job not one itself) or becomes an
 * alert.  A confirmation job's: orig_json is the document of the run it
 * confirms, judged again (alerts_judge_confirmation); a regression that holds
 * becomes an alert with that run's change, first run and times, one that does
 * not is said in the log.
 */
void alerts_after_check(const alerts_ctx *c, int64_t job, int64_t sid, int rc, const char *json,
                        const char *orig_json);

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
