/*
 * scheduler.h — the scheduler of `benchaas serve`.
 *
 * One thread ticks every half second (at once when woken): it recovers nothing (that is
 * sched_recover's job, before the server starts), submits the jobs of
 * schedules that are due, and starts the next queued points, `slots` at a
 * time, round-robin across the users that have queued points (oldest job
 * first within a user).  Each point runs in its own thread through
 * run_point(), the pipeline of `benchaas run`, with its own database
 * connection.  A job is done when every point is stored ok, failed when
 * one is not, cancelled when cancelled.
 *
 * Restart safety: a point's run uuid is stored (state running) before its
 * spec is written and its worker started.  sched_recover() stores such a
 * point from its result document when the worker finished, as
 * `interrupted` from its spec when it did not, or queues it again when it
 * never started; so every point is stored exactly once.
 */
#ifndef BENCHAAS_SCHEDULER_H
#define BENCHAAS_SCHEDULER_H

#include <stdint.h>

#include "jobs.h"

typedef struct sched sched;

typedef struct sched_config {
    const char *db;
    store *root;            /* the process's first connection (store_open_again) */
    int slots;              /* points at a time (default 1) */
    const char *launcher;   /* "local" or "slurm" (submitted through the library) */
    const char *webhook;    /* URL or NULL */
    int confirm;            /* 1: a regression queues one confirmation run before it alerts */
    job_quotas quotas;
} sched_config;

/* Points left running by a previous server: stored or queued again (see above). */
int sched_recover(store *st, const char *db, char *err, size_t errlen);

sched *sched_start(const sched_config *cfg, char *err, size_t errlen);
/* Stop: running points are interrupted and stored, the threads joined. */
void sched_stop(sched *s);

/* Stop the running points of job `id` (after job_cancel). */
void sched_cancel_job(sched *s, int64_t id);

/* Look at the queue now rather than at the next tick (a job was submitted). */
void sched_wake(sched *s);

/* For /healthz and /metrics: the last tick (wall seconds) and the points running (with
 * --launcher slurm: the points handed to Slurm and not yet collected). */
double sched_last_tick(sched *s);
int sched_running(sched *s);

#endif
