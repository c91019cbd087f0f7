/*
 * stats.h — statistics for comparing results (compare, check, report).
 *
 * Percentiles use linear interpolation between order statistics, as the
 * SDK's bx_percentile does, so a median here is the median a plugin's
 * author sees.
 */
#ifndef BENCHAAS_STATS_H
#define BENCHAAS_STATS_H

#include <stddef.h>

/* Sort v[0..n) ascending (NaNs are not expected: filter them out first). */
void stats_sort(double *v, size_t n);

/* Percentile p in [0,100] of an ascending array; NAN when n == 0. */
double stats_pct_sorted(const double *s, size_t n, double p);

/*
 * Percentile p of v[0..n) in any order, the same value stats_pct_sorted gives
 * of the sorted array, in linear time (quickselect): v is reordered.
 */
double stats_pct_select(double *v, size_t n, double p);

/*
 * Median absolute deviation of an ascending array around its median, not
 * scaled (multiply by 1.4826 for a standard-deviation-like spread of normal
 * data).  NAN when n == 0.
 */
double stats_mad_sorted(const double *s, size_t n);

/*
 * The Mann–Whitney U (Wilcoxon rank-sum) test of "a and b come from the
 * same distribution" against "one tends to be larger", two-sided.
 * Returns the p-value (NAN if na or nb is 0) and, when min_p is not NULL,
 * the smallest p-value these sample sizes can give at all (with 3 values
 * against 3 it is 0.1: no difference can be shown at the 5 % level).
 * Exact (the permutation distribution of the rank sum, ties as mid-ranks)
 * when na + nb <= 40, otherwise the normal approximation with tie and
 * continuity corrections.
 */
double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *min_p);

#endif
