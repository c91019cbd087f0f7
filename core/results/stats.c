/*
 * stats.c — percentiles, MAD, the Mann–Whitney U test, Hodges–Lehmann.
 *
 * The rank test is exact for small samples (what benchmarks have: 3 to 20
 * repetitions): the null distribution of the rank sum is counted over all
 * C(N, na) ways to choose a's ranks, by dynamic programming over the ranks,
 * with ties given their mid-rank (doubled, so sums stay integers).  Counts
 * are doubles: C(40, 20) = 1.4e11 is exact in a double.
 */
#include "stats.h"

#include "benchaas/sdk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void swap_d(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Order v[lo], v[mid], v[hi] and return the middle value (the pivot). */
static double median_of_three(double *v, size_t lo, size_t hi)
{
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo])
        swap_d(&v[mid], &v[lo]);
    if (v[hi] < v[lo])
        swap_d(&v[hi], &v[lo]);
    if (v[hi] < v[mid])
        swap_d(&v[hi], &v[mid]);
    return v[mid];
}

/* Hoare partition of v[lo..hi] around the median of three: v[lo..j] <= pivot <= v[j+1..hi]. */
static size_t partition(double *v, size_t lo, size_t hi)
{
    double pivot = median_of_three(v, lo, hi);
    size_t i = lo - 1, j = hi + 1;
    for (;;) {
        do
            i++;
        while (v[i] < pivot);
        do
            j--;
        while (v[j] > pivot);
        if (i >= j)
            return j;
        swap_d(&v[i], &v[j]);
    }
}

static void insertion_sort(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Quicksort with the comparison inlined (history arrays have 10^5 values); qsort when a
   partition degenerates (many equal values or a crafted order), so never quadratic. */
static void sort_range(double *v, size_t n, int depth)
{
    while (n > 24) {
        if (depth-- == 0) {
            qsort(v, n, sizeof *v, cmp_double);
            return;
        }
        size_t j = partition(v, 0, n - 1);
        /* the smaller side by recursion, the larger by the loop */
        if (j + 1 < n - j - 1) {
            sort_range(v, j + 1, depth);
            v += j + 1;
            n -= j + 1;
        } else {
            sort_range(v + j + 1, n - j - 1, depth);
            n = j + 1;
        }
    }
    insertion_sort(v, n);
}

void stats_sort(double *v, size_t n)
{
    if (n > 1)
        sort_range(v, n, 64);
}

/* v[k] becomes the k-th smallest, with nothing larger before it and nothing smaller after. */
static void select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    int depth = 64;
    while (hi - lo > 24) {
        if (depth-- == 0) {
            stats_sort(v + lo, hi - lo + 1);
            return;
        }
        size_t j = partition(v, lo, hi);
        if (k <= j)
            hi = j;
        else
            lo = j + 1;
    }
    insertion_sort(v + lo, hi - lo + 1);
}

double stats_pct_select(double *v, size_t n, double p)
{
    if (n == 0)
        return NAN;
    if (p <= 0 || p >= 100 || n == 1) {
        double m = v[0];
        for (size_t i = 1; i < n; i++)
            if (p <= 0 ? v[i] < m : v[i] > m)
                m = v[i];
        return m;
    }
    /* the two order statistics bx_percentile_sorted interpolates between */
    double pos = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)pos;
    if (lo + 1 >= n)
        lo = n - 1;
    select_kth(v, n, lo);
    double a = v[lo], b = a;
    if (lo + 1 < n) {
        b = v[lo + 1];
        for (size_t i = lo + 2; i < n; i++)
            if (v[i] < b)
                b = v[i];
    }
    double frac = pos - (double)lo;
    if (lo + 1 >= n)
        return a;
    return a + frac * (b - a);
}

/* The SDK's interpolation, so a median here is the median a plugin's author sees. */
double stats_pct_sorted(const double *s, size_t n, double p) { return bx_percentile_sorted(s, n, p); }

double stats_mad_sorted(const double *s, size_t n)
{
    if (n == 0)
        return NAN;
    double med = stats_pct_sorted(s, n, 50);
    double *d = malloc(n * sizeof *d);
    if (!d)
        return NAN;
    for (size_t i = 0; i < n; i++)
        d[i] = fabs(s[i] - med);
    stats_sort(d, n);
    double mad = stats_pct_sorted(d, n, 50);
    free(d);
    return mad;
}

/* One value with the sample it came from, for ranking. */
typedef struct tagged {
    double v;
    int from_a;
} tagged;

static int cmp_tagged(const void *a, const void *b)
{
    double x = ((const tagged *)a)->v, y = ((const tagged *)b)->v;
    return x < y ? -1 : x > y;
}

/* Standard normal upper tail, P(Z > z). */
static double normal_sf(double z) { return 0.5 * erfc(z / sqrt(2.0)); }

#define EXACT_MAX 40

/*
 * Exact two-sided p-value of the rank sum `obs2` (doubled) of na values
 * among the doubled ranks r2[0..N), and the smallest possible p-value.
 */
static double exact_p(const int *r2, size_t N, size_t na, long obs2, double *min_p)
{
    long total = 0;
    for (size_t i = 0; i < N; i++)
        total += r2[i];
    long maxsum = total;
    /* ways[k][s]: subsets of k of the ranks seen so far with doubled sum s */
    size_t width = (size_t)maxsum + 1;
    double *ways = calloc((na + 1) * width, sizeof *ways);
    if (!ways)
        return NAN;
    ways[0] = 1;
    for (size_t i = 0; i < N; i++) {
        size_t kmax = i + 1 < na ? i + 1 : na;
        for (size_t k = kmax; k >= 1; k--) {
            double *row = ways + k * width, *prev = ways + (k - 1) * width;
            for (long s = maxsum; s >= r2[i]; s--)
                row[s] += prev[s - r2[i]];
        }
    }
    double all = 0, extreme = 0;
    double mean2 = (double)total * (double)na / (double)N;
    double dev = fabs((double)obs2 - mean2) - 1e-9;
    double maxdev = 0;
    double *row = ways + na * width;
    for (long s = 0; s <= maxsum; s++) {
        if (row[s] == 0)
            continue;
        all += row[s];
        double d = fabs((double)s - mean2);
        if (d >= dev)
            extreme += row[s];
        if (d > maxdev)
            maxdev = d;
    }
    if (min_p) {
        double most = 0;
        for (long s = 0; s <= maxsum; s++)
            if (row[s] != 0 && fabs((double)s - mean2) >= maxdev - 1e-9)
                most += row[s];
        *min_p = all > 0 ? most / all : NAN;
    }
    free(ways);
    return all > 0 ? extreme / all : NAN;
}

double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *min_p)
{
    if (min_p)
        *min_p = NAN;
    if (na == 0 || nb == 0)
        return NAN;
    size_t N = na + nb;
    tagged *t = malloc(N * sizeof *t);
    int *r2 = malloc(N * sizeof *r2);
    if (!t || !r2) {
        free(t);
        free(r2);
        return NAN;
    }
    for (size_t i = 0; i < na; i++)
        t[i] = (tagged){a[i], 1};
    for (size_t j = 0; j < nb; j++)
        t[na + j] = (tagged){b[j], 0};
    qsort(t, N, sizeof *t, cmp_tagged);
    /* doubled mid-ranks: a run of ties at 1-based ranks i+1..j gets (i+1+j) */
    long sum_a2 = 0;
    double tie_term = 0; /* sum of (t^3 - t) over tie groups */
    for (size_t i = 0; i < N;) {
        size_t j = i + 1;
        while (j < N && t[j].v == t[i].v)
            j++;
        int mid2 = (int)(i + 1 + j);
        double tsz = (double)(j - i);
        tie_term += tsz * tsz * tsz - tsz;
        for (size_t k = i; k < j; k++) {
            r2[k] = mid2;
            if (t[k].from_a)
                sum_a2 += mid2;
        }
        i = j;
    }
    double p;
    if (N <= EXACT_MAX) {
        p = exact_p(r2, N, na, sum_a2, min_p);
    } else {
        double n1 = (double)na, n2 = (double)nb, n = (double)N;
        double u = (double)sum_a2 / 2.0 - n1 * (n1 + 1) / 2.0;
        double mu = n1 * n2 / 2.0;
        double var = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
        if (var <= 0) {
            p = 1.0; /* every value equal */
        } else {
            double z = (fabs(u - mu) - 0.5) / sqrt(var);
            p = z <= 0 ? 1.0 : 2.0 * normal_sf(z);
        }
        if (min_p) {
            double z = (mu - 0.5) / sqrt(n1 * n2 * (n + 1) / 12.0);
            *min_p = 2.0 * normal_sf(z);
        }
    }
    free(t);
    free(r2);
    return p > 1.0 ? 1.0 : p;
}
