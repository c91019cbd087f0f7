/*
 * analyze.h — what compare, check and report share: run selectors
 * ("tag:nightly", "2026-01-01..2026-02-01", "17,18"), the values of the
 * selected runs per configuration and metric, and readable labels of
 * configurations.
 *
 * A configuration is what makes two runs comparable: the plugin, every
 * parameter (the typed params JSON), the ranks and the threads, and, when
 * asked for, the host.
 */
#ifndef BENCHAAS_ANALYZE_H
#define BENCHAAS_ANALYZE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "store.h"

/*
 * Add the conditions of selector `sel` to *f (a filter already holding the
 * common options).  A selector is one or more terms joined by '+':
 *   17 or 17,18        run ids            run:17,18
 *   tag:T              tagged T           host:H, job:J, plugin:P
 *   FROM..TO           started in the window (either side may be empty;
 *                      times as --since/--until take them)
 *   since:T, until:T   one bound          NAME=VALUE, param:NAME=VALUE
 *   prov:KEY=VALUE     provenance
 * 0, or 2 after printing what is wrong (prefixed with f->cmd).
 */
int analyze_selector(qfilter *f, const char *sel);
/* The help text of the selector syntax, for the commands' --help. */
extern const char analyze_selector_help[];

/* A growable array of doubles. */
typedef struct dvec {
    double *v;
    size_t n, cap;
} dvec;
int dvec_push(dvec *d, double x); /* 0, or -1 out of memory */

/* One configuration and metric, with the values of the runs selected. */
typedef struct aentry {
    char *key;                  /* the configuration key and metric: the hash key */
    char *cfgkey;               /* the configuration key alone */
    char *plugin, *params;      /* params: the typed JSON object text */
    char *host;                 /* per-host sets only, else NULL */
    char *host_class;           /* the hosts' CPU model (the first seen), or NULL */
    int64_t ranks, threads;     /* -1 when unknown */
    char *metric, *unit, *better;
    int seq;                    /* the metric's position in its run */
    int headline;               /* a headline metric (headline.h) in its first run */
    dvec samples;               /* every repetition (a run's value if it has no samples) */
    dvec values;                /* each run's value */
    dvec times;                 /* each run's start (epoch s), parallel to values */
    dvec ids;                   /* each run's id, parallel to times (ASET_TIMES) */
    size_t nruns;
    int64_t first_run, last_run; /* smallest and largest run id */
    char *first_started;        /* the earliest start time (stored text), or NULL */
    int64_t host_id;            /* the first run's host id (0: none) */
    int64_t cur_run;            /* (loading) the run whose rows are being read */
} aentry;

typedef struct aset {
    aentry **e; /* in first-seen order */
    size_t n, cap;
    aentry **slots; /* hash table */
    size_t nslots;
    size_t nruns; /* runs selected (with or without metrics) */
} aset;

/* Load options. */
enum {
    ASET_PER_HOST = 1, /* the host is part of the configuration */
    ASET_SAMPLES = 2,  /* also read every repetition (samples) */
    ASET_TIMES = 4,    /* also keep each run's start time and id */
    ASET_PER_CLASS = 8, /* the host class (CPU model) is part of the configuration */
    ASET_DIRECTIONAL = 16, /* only metrics whose better is higher or lower */
    ASET_SERIES = 32       /* with PER_HOST and DIRECTIONAL: may read the values metric by
                            * metric in time order (index metrics_find), not run by run */
};

/*
 * The runs of filter f, grouped by configuration and metric.  Metrics in
 * f->metrics only, when given.  0, or BX_E* after printing the reason.
 */
int aset_load(store *s, const qfilter *f, int flags, aset *out);

/*
 * fn(mine) on this thread and, when other is not NULL, fn(other) on a second
 * thread at the same time; returns when both are done.  *threaded is 1 when
 * the second thread ran (the two then share work under *mu, initialised here
 * and destroyed before the return), 0 when fn(mine) ran alone.
 */
void analyze_run_pair(void *(*fn)(void *), void *mine, void *other, pthread_mutex_t *mu,
                      int *threaded);
void aset_free(aset *a);
aentry *aset_find(const aset *a, const char *key);

/*
 * Short labels of configurations: per plugin, only the parameters (and
 * ranks/threads) that differ among entries[0..n) — "NB=192", or "N=4000
 * NB=192 ranks=2".  labels[i] is malloc'd ("" when nothing differs);
 * free with analyze_labels_free.  NULL when out of memory.
 */
char **analyze_config_labels(aentry *const *entries, size_t n);
void analyze_labels_free(char **labels, size_t n);

/* The text of a params JSON object as "a=1 b=x" (malloc'd; "" for {}). */
char *analyze_params_text(const char *params_json);

/* better: "higher", "lower" or other. +1 when `change` (b - a) is an improvement, -1 worse, 0 none. */
int analyze_direction(const char *better, double change);

#endif
