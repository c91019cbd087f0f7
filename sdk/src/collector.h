/*
 * collector.h — what a host collects from a plugin: metric values, samples
 * per repetition, metadata, warnings, computed parameter values and misuse
 * of the parameter getters.  One implementation for the runner's host
 * (core/common/host.c) and the mock host (mock.c), so both judge a plugin alike.
 * Private to the SDK library and the core (not installed).
 *
 * Every function may be called from several threads at once (the plugin's
 * [any thread] host calls end here); a mutex guards the state.  Reading the
 * results (series, meta, warnings) is for after the plugin's calls are done.
 */
#ifndef BENCHAAS_COLLECTOR_H
#define BENCHAAS_COLLECTOR_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "benchaas/plugin.h"
#include "paramval.h"

typedef struct bxp_sample {
    unsigned rep, idx; /* repetition (1..), position within it */
    double value;
} bxp_sample;

typedef struct bxp_series {
    const bx_metric_def *def;
    int has_value;
    double value;
    bxp_sample *samples;
    size_t n, cap;
    unsigned last_rep, next_idx;
} bxp_series;

/* bxp_collector_param() getter kinds */
enum { BXP_GET_ISSET, BXP_GET_INT, BXP_GET_DOUBLE, BXP_GET_STRING };

typedef struct bxp_collector {
    pthread_mutex_t lock;
    const bx_plugin *desc;  /* in this SDK's layout (bxp_normalize) */
    int strict;             /* getter misuse fails the run (ABI 1.2 plugins) */
    bxp_series *series;     /* one per declared metric, in table order */
    size_t nseries;
    char **meta_key, **meta_val;
    size_t nmeta;
    char **warnings;
    size_t nwarnings;
    size_t max_warnings;    /* more are dropped (default 100) */
    size_t nparams;
    bxp_value *computed;    /* by index in the parameter table */
    int *computed_set;
    char failure[1024];     /* the first getter misuse, or "" */
} bxp_collector;

/* 0, or BX_ENOMEM. desc must outlive the collector. */
int bxp_collector_init(bxp_collector *c, const bx_plugin *desc);
void bxp_collector_free(bxp_collector *c);

/* The metric's series, or NULL when it is not declared. */
bxp_series *bxp_collector_series(bxp_collector *c, const char *name);

/* A metric's final value / one more sample in repetition `rep`.  BX_EINVAL
 * and "plugin P reported undeclared metric 'M'" in err when not declared. */
int bxp_collector_metric(bxp_collector *c, const char *name, double value, char *err,
                         size_t errlen);
int bxp_collector_sample(bxp_collector *c, const char *name, unsigned rep, double value,
                         char *err, size_t errlen);
/* A key is required; a NULL value is stored as "".  Setting a key again replaces it. */
int bxp_collector_meta(bxp_collector *c, const char *key, const char *value);
int bxp_collector_warning(bxp_collector *c, const char *msg);

/* Samples but no value: the best sample (by direction; the last when NONE). */
void bxp_collector_fill_best(bxp_collector *c);

/*
 * The index of `name` in the parameter table for a getter of kind `get`, or
 * -1 when the name is not declared or the getter does not suit its type.
 * Then, for a strict (ABI 1.2) plugin, the first such misuse is kept in
 * c->failure ("plugin stream: bx_param_int(\"sise\"): no such parameter ...");
 * an older plugin is answered as before (the index for a wrong type; -1
 * and a line on stderr for an undeclared name).
 */
int bxp_collector_param(bxp_collector *c, const char *name, int get);

/* The first getter misuse into buf (returns 1), or 0 when there was none. */
int bxp_collector_failed(bxp_collector *c, char *buf, size_t len);

/*
 * bx_host.param_computed: `already_set` says whether the user or a default
 * set the parameter.  0, or BX_EINVAL and the reason in err.
 */
int bxp_collector_computed(bxp_collector *c, const char *name, const char *text,
                           int already_set, char *err, size_t errlen);
/* The computed value of parameter i, or NULL. */
const bxp_value *bxp_collector_computed_value(bxp_collector *c, size_t i);

#endif
