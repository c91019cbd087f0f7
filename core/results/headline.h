/*
 * headline.h — which metrics people see by default.
 *
 * `query` (its table), `check` and `compare` show a run's headline metrics
 * unless --metric names others or --all-metrics asks for every one.  The
 * headline metrics are those the plugin marks BX_METRIC_HEADLINE (ABI 1.2;
 * "headline": true in the result document, metrics.headline = 1 in the
 * store): HPL's gflops, STREAM's triad, IOR's write and read bandwidth.  A
 * plugin that marks none, and runs stored before (headline NULL), have the
 * first metric as their headline.
 */
#ifndef BENCHAAS_HEADLINE_H
#define BENCHAAS_HEADLINE_H

#include "query.h"

/* An SQL expression over the metrics table's columns: 1 for a headline metric. */
#define HEADLINE_SQL "coalesce(headline, seq = 0)"

/* A LEFT JOIN of run r's headline metric (the first of HEADLINE_SQL's, by seq) as m
 * (m.name, m.value, m.unit), for a query over runs r. */
#define HEADLINE_JOIN                                                                          \
    " LEFT JOIN metrics m ON m.run_id = r.id AND m.name = (SELECT x.name FROM metrics x WHERE " \
    "x.run_id = r.id ORDER BY " HEADLINE_SQL " DESC, x.seq LIMIT 1) "

/* Only the headline metrics for f: neither --metric nor --all-metrics given. */
static inline int headline_only(const qfilter *f) { return f->metrics.n == 0 && !f->all_metrics; }

/* Is entry e's metric a headline one? (aentry.headline, read with HEADLINE_SQL) */
#define headline_entry(e) ((e)->headline)

#endif
