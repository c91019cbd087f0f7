/*
 * tradeoff.h — "how many cores should I ask for?" (tradeoff.c): for a
 * sweep of one configuration over resource requests (ranks x threads), the
 * run time, the queue wait and their sum per request (median and spread
 * over the runs), and the speedup and parallel efficiency of the run time
 * against the smallest request.  `benchaas query --tradeoff` prints it, the
 * report draws it.
 */
#ifndef BENCHAAS_TRADEOFF_H
#define BENCHAAS_TRADEOFF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze.h"
#include "query.h"
#include "store.h"

typedef struct tradeoff_req {
    int64_t ranks, threads, cores; /* cores = ranks x threads */
    dvec run, wait, total;         /* per run: wall_time, queue_wait (0 without), their sum */
    size_t waits;                  /* runs that had a queue_wait (Slurm) */
    double run_med, run_spread;    /* median, and the spread: p75 - p25 */
    double wait_med, wait_spread;
    double total_med, total_spread;
    double speedup;                /* smallest request's median run time / this one's */
    double efficiency;             /* speedup / (cores / smallest request's cores) */
} tradeoff_req;

typedef struct tradeoff_cfg {
    char *plugin, *params; /* params: the typed JSON object text */
    char *label;           /* the parameters as text ("" for none) */
    tradeoff_req *reqs;    /* by cores, then ranks */
    size_t nreq;
} tradeoff_cfg;

typedef struct tradeoff_result {
    tradeoff_cfg *c; /* only configurations run with two requests or more */
    size_t n;
} tradeoff_result;

/* The ok runs of f (all statuses given are read; wall_time is needed). 0, or BX_E* + err. */
int tradeoff_analyze(store *s, const qfilter *f, tradeoff_result *out, char *err, size_t errlen);
void tradeoff_free(tradeoff_result *r);

/* Renderers: table, csv, json (0, or BX_ENOMEM), and the report's section. */
int tradeoff_render(const tradeoff_result *r, const char *format, FILE *out);
void tradeoff_write_html(const tradeoff_result *r, FILE *out);

#endif
