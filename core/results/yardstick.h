/*
 * yardstick.h — what a headline figure is measured against, so a person can tell
 * whether it is good: "20.7 GFLOP/s — 54 % of this node's peak of 38.4".
 *
 * A rate in GFLOP/s is held to the node's theoretical peak: physical cores x highest
 * clock x double-precision operations per cycle of its widest vector unit (from the
 * run's provenance, see core/worker/provenance.c), or the peak the site set.  Any other
 * figure is held to the typical value of the same plugin, metric and configuration on
 * hosts of the same class (CPU model and core count) of this database: the median of
 * their ok runs without a caveat, with how many runs it is of.
 */
#ifndef BENCHAAS_YARDSTICK_H
#define BENCHAAS_YARDSTICK_H

#include <stddef.h>

#include "store.h"

typedef enum yard_kind {
    YARD_NONE = 0,    /* nothing to measure against (the "how" says why) */
    YARD_PEAK = 1,    /* the node's theoretical peak */
    YARD_TYPICAL = 2, /* the median of the same host class */
} yard_kind;

typedef struct yardstick {
    yard_kind kind;
    double reference; /* the peak or the median, in the metric's unit */
    double fraction;  /* value / reference */
    int runs;         /* YARD_TYPICAL: how many runs the median is of (this one included) */
    char how[400];    /* how the reference was derived, in words */
} yardstick;

/*
 * The yardstick of run `run_id`'s metric `metric` (value, unit as stored);
 * site_peak_gflops > 0: the site's peak replaces the derived one.  0 and *out (kind
 * YARD_NONE when there is none), or BX_EIO.
 */
int yardstick_of_run(store *st, long long run_id, const char *metric, double site_peak_gflops,
                     yardstick *out);

#endif
