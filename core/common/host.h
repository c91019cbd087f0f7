/*
 * host.h — the core's implementation of bx_host: parameter values, results
 * collected from a plugin, messages.  The runner uses it for check(),
 * expand() and describe(); the worker for the whole run.
 */
#ifndef BENCHAAS_HOST_H
#define BENCHAAS_HOST_H

#include <cjson/cJSON.h>

#include "benchaas/plugin.h"
#include "collector.h"
#include "paramval.h"
#include "util.h"

/* The values of a plugin's parameters, indexed like its table. */
typedef struct pset {
    const bx_plugin *desc;
    size_t n;
    bxp_value *vals;
    int *set;
} pset;

void pset_init(pset *ps, const bx_plugin *desc);   /* defaults applied */
void pset_copy(pset *dst, const pset *src);
void pset_free(pset *ps);
/* Set from text: unknown names (with did-you-mean), types, ranges, choices.
 * `where` ("run.cfg:7", "-p") prefixes nothing; the caller formats. */
int pset_set(pset *ps, const char *name, const char *text, char *err, size_t errlen);
/* {"name": {"value": "...", "type": "size"}, ...} for the result document. */
cJSON *pset_to_typed_json(const pset *ps);

typedef struct hostctx {
    bx_ctx ctx; /* ctx.host = the core's table, ctx.host_data = this */
    const bx_plugin *desc;
    pset *params; /* borrowed */
    int rank, nranks, threads;
    int node_ranks;     /* ranks sharing a node (bx_node_ranks); 0: nranks */
    unsigned reps, cur_rep;
    int warmup;
    int collect;        /* 1 when this rank's results are kept (rank 0) */
    bxp_collector col;  /* metrics, samples, meta, warnings, computed values */
    char error[4096];
    int min_log_level;    /* messages below this level are not printed */
    const char *log_prefix;
    /* describe(): where bx_print goes */
    FILE *print_out;
    /* expand(): the points added, each a NULL-terminated strvec of "k=v" */
    strvec *expanded;
    size_t nexpanded;
    /* collectives, set by the worker when MPI is up */
    int (*barrier_fn)(void);
    int (*allreduce_fn)(double *values, int count, int op);
} hostctx;

const bx_host *core_host(void);
void hostctx_init(hostctx *h, const bx_plugin *desc, pset *params);
void hostctx_free(hostctx *h);
/* Fill metrics that have samples but no value with the best sample. */
void hostctx_fill_best(hostctx *h);
/* rc, or BX_EINTERNAL with h->error set when the plugin misused a parameter
 * getter (an ABI 1.2 plugin: undeclared name, wrong type). */
int hostctx_misuse(hostctx *h, int rc);
/* The result document's "params": the typed values, and those the plugin
 * computed, each marked "computed": true. */
cJSON *hostctx_params_json(hostctx *h);
/* "metrics" and "samples" objects of the result document. */
void hostctx_results_json(const hostctx *h, cJSON *doc);

#endif
