/*
 * headline.h — which metrics people see by default.
 *
 * `query` (its table), `check` and `compare` show a run's headline metrics
 * unless --metric names others or --all-metrics asks for every one.  A
 * metric is a headline one when it is the first its plugin declares (the
 * first in the result document, seq 0 in the store): HPL's gflops, STREAM's
 * first kernel, IOR's bandwidth.
 */
#ifndef BENCHAAS_HEADLINE_H
#define BENCHAAS_HEADLINE_H

#include "query.h"

/* An SQL expression over the metrics table's columns: 1 for a headline metric. */
#define HEADLINE_SQL "(seq = 0)"

/* Only the headline metrics for f: neither --metric nor --all-metrics given. */
static inline int headline_only(const qfilter *f) { return f->metrics.n == 0 && !f->all_metrics; }

/* A metric at position seq of its run is a headline one. */
static inline int headline_seq(int seq) { return seq == 0; }

#endif
