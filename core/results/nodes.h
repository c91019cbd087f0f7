/*
 * nodes.h — every node against its fleet: `benchaas check --across-nodes`
 * and the report's "Nodes" section (nodes.c).
 *
 * The same configuration (plugin, parameters, ranks, threads) run on many
 * nodes: each node's value (the median of its selected ok runs) is held to
 * the fleet's median, with a band of K times the scaled MAD of the nodes'
 * values (1.4826 x median absolute deviation), at least FLOOR of the median.
 * A node beyond the band on the worse side is an outlier.  Fewer than
 * MIN_NODES nodes is too small a fleet to judge: reported, never an outlier.
 *
 * nodes_analyze() computes; the renderers (table, JSON, JUnit, HTML) only
 * print what it found.
 */
#ifndef BENCHAAS_NODES_H
#define BENCHAAS_NODES_H

#include <stddef.h>
#include <stdio.h>

#include "analyze.h"
#include "query.h"
#include "store.h"

typedef struct nodes_opts {
    double k;         /* band: K x scaled MAD (3) */
    double floor;     /* and at least this fraction of the median (0.05) */
    size_t min_nodes; /* smaller fleets are not judged (4) */
} nodes_opts;

enum { NODE_OK, NODE_SLOW, NODE_FAST, NODE_UNJUDGED };

/* One node's value of one configuration and metric. */
typedef struct nodes_row {
    const aentry *e;  /* the node's entry (e->host is the node) */
    double value;     /* median of the node's runs */
    double dev;       /* (value - median) / |median| x 100 */
    double z;         /* (value - median) / scaled MAD; NAN when the MAD is 0 */
    int verdict;      /* NODE_* */
} nodes_row;

/* One configuration and metric across the fleet. */
typedef struct nodes_group {
    const aentry *e;      /* its first node's entry: plugin, params, metric, unit, better */
    char *label;          /* the parameters that tell configurations apart ("" if none) */
    nodes_row *rows;      /* one per node, worst first */
    size_t nrows;
    double median, smad;  /* fleet median, scaled MAD */
    double lo, hi;        /* the band; beyond it on the worse side: an outlier */
    int judged;           /* 0: fewer than min_nodes nodes */
} nodes_group;

typedef struct nodes_result {
    aset a;
    nodes_group *g;
    size_t ng;
    size_t nodes;    /* distinct nodes */
    size_t outliers; /* rows NODE_SLOW */
    nodes_opts o;
} nodes_result;

/*
 * The fleet statistics of the ok runs of filter f (all of them: the caller
 * narrows it, e.g. to the newest run per configuration and host).  Metrics
 * with a direction only, unless f names --metric.  0, or BX_E* (message printed).
 */
int nodes_analyze(store *s, const qfilter *f, const nodes_opts *o, nodes_result *out);
void nodes_free(nodes_result *r);

/* Renderers. */
int nodes_print_table(const nodes_result *r, FILE *out);
void nodes_print_json(const nodes_result *r, FILE *out);
void nodes_write_junit(const nodes_result *r, const char *db, FILE *out);
/* The report's section (nothing when no configuration ran on two nodes or more). */
void nodes_write_html(const nodes_result *r, FILE *out);

/*
 * What --drain and --resume do to a node in the batch system, given by the front-end
 * (the CLI passes Slurm's, runner/slurm.h), so this layer never calls the runner.  Each
 * returns 0, or a negative code with a message in err.
 */
typedef struct nodes_actions {
    /* *drained: 1 when a drain is set (by anyone); reason: its text ("" when none) */
    int (*state)(const char *node, int *drained, char *reason, size_t rlen, char *err,
                 size_t errlen);
    int (*drain)(const char *node, const char *reason, char *err, size_t errlen);
    int (*resume)(const char *node, char *err, size_t errlen);
} nodes_actions;

/* The prefix of every drain reason BenchaaS writes; --resume undoes only those. */
#define NODES_DRAIN_PREFIX "benchaas: "

/*
 * --drain: every outlier node gets a drain whose reason says what was measured
 * ("benchaas: hpl gflops -26 % vs fleet median"), unless someone else's drain is on it
 * (left alone, said so).  --resume: every node judged in some fleet and an outlier in
 * none whose drain BenchaaS set is returned to service; another's drain never is.
 * Each action is printed on out.  0, or 1 when an action failed (message on stderr).
 */
int nodes_act(const nodes_result *r, const nodes_actions *a, int drain, int resume, FILE *out);

#endif
