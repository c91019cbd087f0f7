/*
 * jobs.h — jobs of the service: an experiment in JSON, validated by the
 * configuration file code, stored with its points, run by the scheduler.
 *
 * An experiment in JSON is written out as the equivalent libconfig text
 * (one setting per line) and read back by config_load_text() and
 * plan_build(), the code `benchaas run CONFIG` uses: what a configuration
 * file may not hold, a job may not either, with the same messages.  The
 * message's line tells which JSON field it is about ("params.NB").
 */
#ifndef BENCHAAS_JOBS_H
#define BENCHAAS_JOBS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "plan.h"
#include "store.h"

/* Limits per user and job (settings `quotas`). */
typedef struct job_quotas {
    long queued_jobs; /* queued or running jobs per user */
    long points;      /* points per job */
    long ranks;       /* ranks per point */
} job_quotas;

/*
 * Validate experiment `exp` into *cfg and *pl (both to be freed with
 * config_free/plan_free also on error).  launcher: the service's
 * ("local" or "slurm").  0, or BX_EINVAL with the message (without the
 * "job:LINE: " prefix) in err and *field naming the JSON field (static
 * string or "params.NAME" in fieldbuf).
 */
int job_plan(const cJSON *exp, const char *launcher, config *cfg, plan *pl, char *err,
             size_t errlen, char *field, size_t fieldlen);
/* The same, the plugin's code working in folder dir (a job's scratch folder;
 * NULL: a fresh empty one).  Under the service's policy (policy.h) the
 * values naming paths and hosts are checked first and the plugin's code
 * runs in a confined child (apart.h); without one, here. */
int job_plan_in(const cJSON *exp, const char *launcher, const char *dir, config *cfg, plan *pl,
                char *err, size_t errlen, char *field, size_t fieldlen);
/* How many points exp's lists make, counted before anything is expanded. */
long job_count_points(const cJSON *exp);

/* A copy of experiment exp tagged job_tag(job), so that the runs Slurm brings back
 * for job `job` can be found (cJSON_Delete it; NULL when out of memory). */
cJSON *job_tagged_experiment(const cJSON *exp, int64_t job);
void job_tag(int64_t job, char *buf, size_t len);

/*
 * Submit a job for `user`: validate, check the quotas, store the job and
 * its points (state queued).  0 and *id; otherwise the HTTP status (400
 * invalid with *fields, 429 over a quota) and the message in err.
 */

int job_submit(store *st, const char *user, const cJSON *exp, const char *launcher,
               const job_quotas *q, int64_t schedule_id, int64_t *id, cJSON **fields, char *err,
               size_t errlen);

/* ---- what the pages list (the page families render these; they hold no SQL) ---- */

/* One job as a list shows it. */
typedef struct job_row {
    int64_t id;
    char *user, *plugin, *name, *state, *created_at;
    int npoints, done; /* points, and points done */
} job_row;

/*
 * The jobs in state (NULL: any) of user (NULL: anyone), at most limit, newest first
 * (newest 1) or oldest first: 0 and *out (job_rows_free), or BX_EIO with the message.
 */
int job_list(store *st, const char *state, const char *user, int newest, int limit,
             job_row **out, size_t *n, char *err, size_t errlen);
void job_rows_free(job_row *v, size_t n);
/* How many jobs are in state; -1 when the database cannot say. */
int job_count(store *st, const char *state);
/* How many points of job are done; 0 when none (or no such job). */
int job_points_done(store *st, int64_t job);

/* One point of a job as its page shows it. */
typedef struct job_point_row {
    int idx;
    char *label, *state;
    int64_t run_id;     /* 0: no run yet */
    char *run_status;   /* "" without a run */
    char *metric, *unit;/* its run's headline metric (headline.h), "" when none */
    int has_value;
    double value;
    char *error;        /* the run's error, NULL when none */
    char *nodes;        /* the node(s) it ran on (provenance), else its host, else "" */
} job_point_row;

/* Job `job`'s points by index: 0 and *out (job_point_rows_free), or BX_EIO with the
 * message. */
int job_point_rows(store *st, int64_t job, job_point_row **out, size_t *n, char *err,
                   size_t errlen);
void job_point_rows_free(job_point_row *v, size_t n);

/* The runs of job `job` that ended ok (the first 1000 by id) as a selector "run:ID,ID...",
 * malloc'd; NULL when it has none. */
char *job_ok_runs_selector(store *st, int64_t job);

/* The oldest queued job: 1 and its id and submission time (>= 32 bytes), 0 when none. */
int job_oldest_queued(store *st, int64_t *id, char *created_at, size_t len);

/* The job object of docs/api.md ("Objects"), or NULL when there is no such job. */
cJSON *job_json(store *st, int64_t id);
/* The owner of job id into owner; 0, or BX_EINVAL when there is none. */
int job_owner(store *st, int64_t id, char *owner, size_t len);
/* Cancel: 0 (cancelled now), 1 (already over: nothing changed), BX_EINVAL none. */
int job_cancel(store *st, int64_t id, char *err, size_t errlen);

#endif
