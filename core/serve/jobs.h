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

/* The job object of docs/api.md ("Objects"), or NULL when there is no such job. */
cJSON *job_json(store *st, int64_t id);
/* The owner of job id into owner; 0, or BX_EINVAL when there is none. */
int job_owner(store *st, int64_t id, char *owner, size_t len);
/* Cancel: 0 (cancelled now), 1 (already over: nothing changed), BX_EINVAL none. */
int job_cancel(store *st, int64_t id, char *err, size_t errlen);

#endif
