/*
 * api.h — the JSON API of `benchaas serve` (docs/api.md): its route table
 * and the application state its handlers share.
 */
#ifndef BENCHAAS_API_H
#define BENCHAAS_API_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "jobs.h"
#include "scheduler.h"

/* What the handlers find behind http_app(r). */
typedef struct serve_app {
    const char *launcher;  /* "local" or "slurm" */
    job_quotas quotas;
    sched *sched;          /* NULL while not started */
    int64_t session_s;     /* lifetime of sign-in sessions */
    int max_schedules;     /* schedules per user (quotas.schedules; 0: 20) */
    double peak_gflops;    /* a node's peak set by the site (serve.peak_gflops; 0: derived) */
} serve_app;

/* The routes of /api/v1, /healthz and /metrics (static table). */
const http_route *api_route_table(size_t *n);

#endif
