/*
 * benchaas/mock.h — a mock host, so a plugin's unit tests run without the
 * runner (as collectd's plugin_mock.c).
 *
 *     bx_mock *m = bx_mock_new(benchaas_plugin_entry(NULL));
 *     bx_mock_set(m, "array_size", "100000");
 *     int rc = bx_mock_run(m);           // check, init, warm-up, runs, report, fini
 *     double v; bx_mock_metric(m, "triad", &v);
 *     bx_mock_free(m);
 *
 * Parameters are parsed from text and checked against the plugin's table
 * exactly as the runner does (type, range, choices, unknown names).  The
 * descriptor itself is checked as the runner's loader checks it (all but
 * the file name): a plugin the runner would refuse fails bx_mock_check,
 * bx_mock_init and bx_mock_run with BX_EINVAL, the reason in bx_mock_error.
 * The
 * mock has one rank unless bx_mock_set_world() says otherwise; its
 * collectives are identity operations, so a multi-rank plugin test under
 * mpirun calls MPI itself and uses the mock only for parameters and results.
 */
#ifndef BENCHAAS_MOCK_H
#define BENCHAAS_MOCK_H

#include "benchaas/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bx_mock bx_mock;

/* plugin: a descriptor, usually benchaas_plugin_entry(NULL). Owned by caller. */
bx_mock *bx_mock_new(const bx_plugin *plugin);
void bx_mock_free(bx_mock *m);

/* Set a parameter from text; BX_EINVAL (message in bx_mock_error) when invalid. */
int bx_mock_set(bx_mock *m, const char *name, const char *value);
void bx_mock_set_world(bx_mock *m, int rank, int nranks);
/* Ranks that share a node (bx_node_ranks); by default all of set_world's nranks. */
void bx_mock_set_node_ranks(bx_mock *m, int node_ranks);
void bx_mock_set_threads(bx_mock *m, int threads);
void bx_mock_set_repetitions(bx_mock *m, unsigned reps);
/* 1: print the plugin's log lines on stderr (default 0: keep them quiet). */
void bx_mock_set_verbose(bx_mock *m, int verbose);

/* Only the plugin's check(). */
int bx_mock_check(bx_mock *m);
/* check, init, warm-up (unless BX_NO_WARMUP), repetitions, report, fini. */
int bx_mock_run(bx_mock *m);
/* The phases one by one, for tests that poke at the state in between. */
int bx_mock_init(bx_mock *m, void **state);
int bx_mock_run_rep(bx_mock *m, void *state, unsigned rep);
int bx_mock_report(bx_mock *m, void *state);
void bx_mock_fini(bx_mock *m, void *state);

/* Results.  0 and *out set when the metric has a value, BX_EINVAL otherwise. */
int bx_mock_metric(bx_mock *m, const char *name, double *out);
/* Samples of a metric from the timed repetitions; *n set to their count. */
const double *bx_mock_samples(bx_mock *m, const char *name, size_t *n);
const char *bx_mock_meta(bx_mock *m, const char *key); /* NULL if unset */
/* The last error message the plugin gave (bx_error), or "". */
const char *bx_mock_error(bx_mock *m);
/* How many warnings the plugin logged; the text of the last one. */
int bx_mock_warnings(bx_mock *m, const char **last);
/* Output of describe() collected by bx_mock_describe(). */
const char *bx_mock_describe(bx_mock *m);

#ifdef __cplusplus
}
#endif
#endif /* BENCHAAS_MOCK_H */
