/*
 * benchaas/mock.h — a mock host, so a plugin's unit tests run without the
 * runner (as collectd's plugin_mock.c).
 *
 *     bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
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
 *
 * As the runner's worker (ABI 1.2 plugins), a parameter getter called with
 * an undeclared name or on a parameter of the wrong type fails the phase
 * with BX_EINTERNAL, the parameter and the plugin named in bx_mock_error.
 * The host calls are as thread-safe as the worker's (see plugin.h).
 *
 * Ranks: bx_mock_run_ranks() runs N simulated ranks, one thread each, with
 * real barrier/allreduce among them (rank 0's results are kept).  Otherwise
 * the mock has one rank; bx_mock_set_world() makes it pretend to be rank r
 * of n, and its collectives are identity operations unless
 * bx_mock_set_collectives() puts in your own (a fake peer, or MPI when the
 * test runs under mpirun).
 */
#ifndef BENCHAAS_MOCK_H
#define BENCHAAS_MOCK_H

#include <stdarg.h>

#include "benchaas/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bx_mock bx_mock;

/* The entry function the plugin under test defines with BX_PLUGIN_DEFINE. */
BX_EXPORT const bx_plugin *benchaas_plugin_entry(const bx_host *host);

/* The mock's host table, for the entry function (it is never NULL). */
const bx_host *bx_mock_host(void);

/* plugin: a descriptor, usually benchaas_plugin_entry(bx_mock_host()). Owned by caller. */
bx_mock *bx_mock_new(const bx_plugin *plugin);
void bx_mock_free(bx_mock *m);

/* Set a parameter from text; BX_EINVAL (message in bx_mock_error) when invalid. */
int bx_mock_set(bx_mock *m, const char *name, const char *value);
/*
 * Set parameters from "name=value" strings, the const char * arguments of ap up
 * to a NULL (a test's own variadic helper passes its va_list).  Stops at the
 * first one refused: its code (BX_EINVAL also for a string without '='), and
 * bx_mock_error names the string.  0 when all were set.
 */
int bx_mock_vset(bx_mock *m, va_list ap);
void bx_mock_set_world(bx_mock *m, int rank, int nranks);
/* Ranks that share a node (bx_node_ranks); by default all of set_world's nranks. */
void bx_mock_set_node_ranks(bx_mock *m, int node_ranks);
void bx_mock_set_threads(bx_mock *m, int threads);
void bx_mock_set_repetitions(bx_mock *m, unsigned reps);
/* 1: print the plugin's log lines on stderr (default 0: keep them quiet). */
void bx_mock_set_verbose(bx_mock *m, int verbose);
/* The single-rank mock's barrier and allreduce (NULL: identity); `user` is
 * passed back.  Not used by bx_mock_run_ranks. */
void bx_mock_set_collectives(bx_mock *m, int (*barrier)(void *user),
                             int (*allreduce)(void *user, double *values, int count, int op),
                             void *user);

/* Only the plugin's check(). */
int bx_mock_check(bx_mock *m);
/* check, init, warm-up (unless BX_NO_WARMUP), repetitions, report, fini. */
int bx_mock_run(bx_mock *m);
/* The same on nranks simulated ranks (threads), each with its own state; the
 * ranks agree on every phase's result as the worker's do.  The worst code. */
int bx_mock_run_ranks(bx_mock *m, int nranks);
/* The plugin's expand() (0 when it has none); the points it added: */
int bx_mock_expand(bx_mock *m);
size_t bx_mock_points(bx_mock *m);
/* Point i as its NULL-terminated "name=value" strings, or NULL. */
const char *const *bx_mock_point(bx_mock *m, size_t i);
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
/* The meta keys, in the order first set: i < bx_mock_meta_count(). */
size_t bx_mock_meta_count(bx_mock *m);
const char *bx_mock_meta_key(bx_mock *m, size_t i);
/* The value the plugin recorded with bx_param_computed(), or NULL. */
const char *bx_mock_computed(bx_mock *m, const char *name);
/* 1 when the metric is a headline (marked, or the first when none is). */
int bx_mock_is_headline(bx_mock *m, const char *metric);
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
