/*
 * changepoint.h — level shifts in an ordered series of results (check).
 *
 * The method (docs/results.md, "How check finds a regression"): a rank
 * scan with a permutation test.  The series (oldest first, the newest run
 * last) is replaced by its ranks; for every candidate start s of a new level
 * the standardised Mann–Whitney statistic of x[s..n) against x[0..s) is
 * computed, and the largest one in the worse (or better) direction is held
 * to its permutation distribution: the same maximum over the same starts
 * for random orderings of the same ranks.  Starts within the newest
 * `recent` runs are scanned first (a new level is what a nightly check
 * must see early); the whole series second (a level that began earlier and
 * has not been accepted).  The p-value needs no model of the noise
 * (Gaussian, heavy-tailed and bimodal noise give the same false-alarm
 * rate), and ranks make one wild run count as one run.
 *
 * The shift is the Hodges–Lehmann estimate (the median of the differences
 * new - old), with the distribution-free (Moses) 95 % confidence interval.
 * A regression is a shift that is significant (p < alpha), for the worse,
 * at least min_segment runs long and at least min_change of the old level.
 * The newest run far from its level without a shift is an outlier.
 *
 * Pure functions: no store, no I/O; the permutations use a fixed seed, so
 * the same series always gets the same verdict.
 */
#ifndef BENCHAAS_CHANGEPOINT_H
#define BENCHAAS_CHANGEPOINT_H

#include <stddef.h>

typedef struct cp_opts {
    double alpha;      /* significance of each scan (0.002) */
    double min_change; /* the floor: |shift| / |old level| a regression reaches (0.02) */
    int min_segment;   /* runs a new level needs (3): fewer are outliers, not a level */
    int min_before;    /* runs the old level needs (5) */
    int recent;        /* the newest starts scanned first (10) */
    int permutations;  /* at most this many random orderings per scan (9999) */
    double outlier_k;  /* the newest run beyond k scaled MADs of its level is an outlier (5) */
    int dir;           /* +1 higher is better, -1 lower is better, 0 either change is worse */
} cp_opts;

typedef struct cp_result {
    int shift;            /* 1: a significant level shift that the newest run is part of */
    size_t start;         /* the first index of the new level (when shift) */
    double p;             /* the permutation p-value of the scan that found it */
    double before, after; /* medians of the old level and the new */
    double delta, lo, hi; /* Hodges–Lehmann shift after - before, its 95 % interval */
    double change, change_lo, change_hi; /* the same, % of |before| */
    int worse;            /* the shift is in the worse direction */
    int regression;       /* shift && worse && |change| >= min_change */
    int outlier;          /* no shift, but the newest run is far from its level */
    double spread;        /* the old level's 1.4826 MAD / |median|, a fraction */
    double detectable;    /* the smallest change (fraction) a 5-run level would show */
} cp_result;

/* The defaults above. */
void cp_defaults(cp_opts *o);

/*
 * Analyse x[0..n) (oldest first).  0 and *r; BX_EINVAL when n is shorter
 * than min_before + min_segment (r->shift = 0 then, nothing judged);
 * BX_ENOMEM.  x is not modified.
 */
int cp_analyze(const double *x, size_t n, const cp_opts *o, cp_result *r);

/*
 * Today's rule for one value against its history (before the change-point
 * method, still used for a checked run's band): the median of hist (sorted
 * ascending) and a half-width of k scaled MADs, at least floor of the median.
 */
void cp_band(const double *sorted, size_t n, double k, double floor, double *median, double *band);

#endif
