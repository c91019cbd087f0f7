/*
 * aggregate.h — `benchaas query --group-by ... --stat ...`: statistics of
 * the matching runs' metric values per group (aggregate.c).
 */
#ifndef BENCHAAS_AGGREGATE_H
#define BENCHAAS_AGGREGATE_H

#include <stdio.h>

#include "query.h"
#include "store.h"

/* One --group-by field, resolved against the database (qgroup_resolve). */
typedef struct qfield {
    char *label;      /* the column name in the output (owned) */
    int kind;         /* QF_RUN, QF_PARAM, QF_PROV, QF_TAG */
    const char *expr; /* QF_RUN: SQL expression over runs r / hosts h */
    const char *key;  /* QF_PARAM / QF_PROV: the name or key (borrowed from the options) */
    int integer;      /* QF_RUN: the value is a whole number (typed as one in JSON) */
} qfield;

enum { QF_RUN, QF_PARAM, QF_PROV, QF_TAG };

/* The statistics options.  Zero-initialise; qgroup_free() at the end. */
typedef struct qgroup {
    qlist fields;     /* --group-by tokens */
    qlist stats;      /* --stat tokens (validated by qgroup_option) */
    int over_samples; /* --over samples */
    int given;        /* --group-by or --stat was given */
    qfield *f;        /* resolved fields */
    size_t nf;
} qgroup;

/*
 * Apply --group-by, --stat or --over (name) with its value; the strings are
 * kept alive by filt.  0, or 2 after printing a usage error (also for an
 * option that is none of these).
 */
int qgroup_option(qgroup *g, qfilter *filt, const char *name, const char *val);

/* Was --group-by or --stat given? */
int qgroup_active(const qgroup *g);

/*
 * Resolve the --group-by names: run fields first, then parameters, then
 * provenance keys (param:NAME and prov:KEY say which).  0, or 2 after
 * printing which name is unknown.
 */
int qgroup_resolve(qgroup *g, store *s, const qfilter *filt);

/*
 * Print one row per group and metric with the statistics, in `format`
 * (table, csv, json, jsonl) on out.  0 or BX_E* (message printed).
 */
int query_grouped(store *s, const qfilter *filt, const qgroup *g, const char *format, FILE *out);

void qgroup_free(qgroup *g);

#endif
