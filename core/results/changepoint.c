/*
 * changepoint.c — the rank scan with a permutation test (changepoint.h).
 *
 * Why a rank scan and not a penalised least-squares fit or E-divisive means:
 * the decision a nightly check must take is "has the level the newest runs
 * sit on moved away from the level before?", and it must take it with a
 * known false-alarm rate whatever the noise of the benchmark looks like.
 * Ranks make the test free of the noise's shape (a heavy tail or two modes
 * change nothing), a permutation of the ranks gives the exact null
 * distribution of the scan's maximum (the multiplicity of trying every
 * start is paid for exactly, not by a Bonferroni guess), and restricting the
 * first scan to the newest starts keeps its power where a check needs it:
 * three runs of a new level are enough for a 10 % step.
 */
#include "changepoint.h"

#include "benchaas/sdk.h"
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAD_SCALE 1.4826
#define CP_SEED 0x6a09e667f3bcc909ull /* fixed: the same series, the same verdict */

void cp_defaults(cp_opts *o)
{
    o->alpha = 0.002;
    o->min_change = 0.02;
    o->min_segment = 3;
    o->min_before = 5;
    o->recent = 10;
    o->permutations = 9999;
    o->outlier_k = 5.0;
    o->dir = 1;
}

void cp_band(const double *sorted, size_t n, double k, double floor, double *median, double *band)
{
    *median = stats_pct_sorted(sorted, n, 50);
    *band = k * MAD_SCALE * stats_mad_sorted(sorted, n);
    if (*band < floor * fabs(*median))
        *band = floor * fabs(*median);
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct idx_val {
    double v;
    size_t i;
} idx_val;

static int cmp_idx_val(const void *a, const void *b)
{
    double x = ((const idx_val *)a)->v, y = ((const idx_val *)b)->v;
    return x < y ? -1 : x > y;
}

/* The ranks of x[0..n) (1-based, ties share their mid-rank) into r; 0 or BX_ENOMEM. */
static int ranks_of(const double *x, size_t n, double *r)
{
    idx_val *t = malloc(n * sizeof *t);
    if (!t)
        return BX_ENOMEM;
    for (size_t i = 0; i < n; i++)
        t[i] = (idx_val){x[i], i};
    qsort(t, n, sizeof *t, cmp_idx_val);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && t[j].v == t[i].v)
            j++;
        double mid = (double)(i + 1 + j) / 2.0; /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++)
            r[t[k].i] = mid;
        i = j;
    }
    free(t);
    return 0;
}

/*
 * The exact null distribution of the rank sum of k runs drawn from ranks
 * r[0..n), for k <= K: lo[k][s] = P(S <= s), hi[k][s] = P(S >= s), S in
 * doubled ranks (mid-ranks of ties are halves).  Counted by dynamic
 * programming over the runs, as stats_mann_whitney counts its own.
 */
typedef struct rtail {
    size_t K, smax;
    double *lo, *hi;
} rtail;

static int tails_build(const double *r, size_t n, size_t K, rtail *t)
{
    t->K = K;
    t->smax = 2 * K * n;
    size_t w = t->smax + 1;
    double *cnt = calloc((K + 1) * w, sizeof *cnt);
    t->lo = malloc((K + 1) * w * sizeof *t->lo);
    t->hi = malloc((K + 1) * w * sizeof *t->hi);
    if (!cnt || !t->lo || !t->hi) {
        free(cnt);
        return BX_ENOMEM;
    }
    cnt[0] = 1;
    for (size_t i = 0; i < n; i++) {
        size_t v = (size_t)(2 * r[i] + 0.5);
        for (size_t k = (i + 1 < K ? i + 1 : K); k >= 1; k--)
            for (size_t s = t->smax; s >= v; s--)
                cnt[k * w + s] += cnt[(k - 1) * w + s - v];
    }
    for (size_t k = 0; k <= K; k++) {
        double total = 0, acc = 0;
        for (size_t s = 0; s < w; s++)
            total += cnt[k * w + s];
        for (size_t s = 0; s < w; s++) {
            t->lo[k * w + s] = (acc += cnt[k * w + s]) / total;
            t->hi[k * w + s] = (total - acc + cnt[k * w + s]) / total;
        }
    }
    free(cnt);
    return 0;
}

/*
 * One scan: the newest k in [kmin, kmax] against the rest, in direction d
 * (+1 the new level higher, -1 lower).  With tails (short new levels) the
 * statistic is the smallest exact one-sided p-value over k, so a run of
 * three is held to its own distribution, not a normal approximation of it;
 * without (long ones) the largest standardised rank sum.
 */
typedef struct scan {
    size_t kmin, kmax;
    int d;
    const rtail *tails;
    double stat; /* the statistic (larger is more extreme) */
    size_t k;    /* where it is */
    double p;    /* its permutation p-value */
} scan;

static double scan_max(const double *w, size_t n, const scan *sc, const double *inv_sd,
                       size_t *where)
{
    double sum = 0, best = -INFINITY;
    size_t isum = 0, width = sc->tails ? sc->tails->smax + 1 : 0;
    for (size_t k = 1; k <= sc->kmax; k++) {
        sum += w[n - k];
        isum += (size_t)(2 * w[n - k] + 0.5);
        if (k < sc->kmin)
            continue;
        double z;
        if (sc->tails)
            z = -(sc->d < 0 ? sc->tails->lo : sc->tails->hi)[k * width + isum];
        else
            z = sc->d * (sum - (double)k * (double)(n + 1) / 2.0) * inv_sd[k];
        if (z > best) {
            best = z;
            if (where)
                *where = k;
        }
    }
    return best;
}

/*
 * Run scan sc on ranks r[0..n): its statistic, place and p-value.  The
 * permutations shuffle only the newest kmax places (a partial Fisher–Yates
 * shuffle is a uniform draw of them), and stop once the p-value is sure to
 * exceed alpha.  0 or BX_ENOMEM.
 */
static int scan_run(const double *r, size_t n, scan *sc, double alpha, int permutations)
{
    double *w = malloc(n * sizeof *w), *inv_sd = calloc(sc->kmax + 1, sizeof *inv_sd);
    if (!w || !inv_sd) {
        free(w);
        free(inv_sd);
        return BX_ENOMEM;
    }
    for (size_t k = 1; k <= sc->kmax; k++)
        inv_sd[k] = 1.0 / sqrt((double)k * (double)(n - k) * (double)(n + 1) / 12.0);
    sc->stat = scan_max(r, n, sc, inv_sd, &sc->k);
    memcpy(w, r, n * sizeof *w);
    uint64_t seed = CP_SEED;
    double limit = alpha * (permutations + 1.0);
    long hits = 0, b;
    for (b = 0; b < permutations; b++) {
        for (size_t k = 1; k <= sc->kmax; k++) {
            size_t pos = n - k, j = (size_t)(splitmix(&seed) % (pos + 1));
            double t = w[pos];
            w[pos] = w[j];
            w[j] = t;
        }
        if (scan_max(w, n, sc, inv_sd, NULL) >= sc->stat - 1e-12 && ++hits > limit) {
            b++;
            break;
        }
    }
    sc->p = (hits + 1.0) / (b + 1.0);
    free(w);
    free(inv_sd);
    return 0;
}

/* The z with P(Z > z) = p for a standard normal Z (bisection; p in (0, 0.5]). */
static double z_upper(double p)
{
    double lo = 0, hi = 10;
    for (int i = 0; i < 60; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(mid / 1.4142135623730951) > p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* The median and the scaled MAD of x[0..n) (copied); 0 or BX_ENOMEM. */
static int level_of(const double *x, size_t n, double *median, double *smad)
{
    double *s = malloc(n * sizeof *s);
    if (!s)
        return BX_ENOMEM;
    memcpy(s, x, n * sizeof *s);
    stats_sort(s, n);
    *median = stats_pct_sorted(s, n, 50);
    *smad = MAD_SCALE * stats_mad_sorted(s, n);
    free(s);
    return 0;
}

/*
 * The shift from a[0..na) to b[0..nb): Hodges–Lehmann estimate and the
 * Moses 95 % interval (order statistics of the pairwise differences at the
 * rank-sum test's critical count).  0 or BX_ENOMEM.
 */
static int shift_of(const double *a, size_t na, const double *b, size_t nb, double *est,
                    double *lo, double *hi)
{
    size_t n = na * nb, k = 0;
    double *d = malloc(n * sizeof *d);
    if (!d)
        return BX_ENOMEM;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            d[k++] = b[j] - a[i];
    stats_sort(d, n);
    *est = stats_pct_sorted(d, n, 50);
    double c = floor((double)n / 2.0 -
                     1.959964 * sqrt((double)na * (double)nb * (double)(na + nb + 1) / 12.0));
    size_t ci = c > 0 ? (size_t)c : 0;
    *lo = d[ci];
    *hi = d[n - 1 - ci];
    free(d);
    return 0;
}

/* Scan the ranks in the worse direction, then the better one (both when dir is 0). */
static int find_shift(const double *r, size_t n, const cp_opts *o, scan *found)
{
    size_t most = n - (size_t)o->min_before, recent = (size_t)o->recent, seg = (size_t)o->min_segment;
    if (recent > most)
        recent = most;
    size_t ranges[2][2] = {{seg, recent}, {recent + 1 > seg ? recent + 1 : seg, most}};
    int dirs[2] = {o->dir > 0 ? -1 : 1, o->dir > 0 ? 1 : -1};
    double alpha = o->dir == 0 ? o->alpha / 2 : o->alpha;
    rtail tails = {0};
    int rc = ranges[0][0] <= ranges[0][1] ? tails_build(r, n, recent, &tails) : 0;
    for (int g = 0; g < 2 && rc == 0; g++) {
        if (ranges[g][0] > ranges[g][1])
            continue;
        for (int di = 0; di < 2 && rc == 0; di++) {
            scan sc = {ranges[g][0], ranges[g][1], dirs[di], g == 0 ? &tails : NULL, 0, 0, 1};
            rc = scan_run(r, n, &sc, alpha, o->permutations);
            if (rc == 0 && sc.p < alpha) {
                *found = sc;
                rc = 1;
            }
        }
    }
    free(tails.lo);
    free(tails.hi);
    return rc;
}

/* The sum of absolute deviations of x[0..n) from its median (s: scratch of n). */
static double l1_cost(const double *x, size_t n, double *s)
{
    memcpy(s, x, n * sizeof *s);
    double m = stats_pct_select(s, n, 50), c = 0;
    for (size_t i = 0; i < n; i++)
        c += fabs(x[i] - m);
    return c;
}

/*
 * Where the new level begins: the split of x[0..n) with the smallest sum
 * of absolute deviations from each side's median (the two-level fit under
 * Laplace noise), the new side between kmin and kmax runs long.  The scan
 * says whether there is a shift; this says where, without the scan's
 * preference for the newest runs.  0 or BX_ENOMEM.
 */
static int locate(const double *x, size_t n, size_t kmin, size_t kmax, size_t *start)
{
    double *s = malloc(n * sizeof *s), best = INFINITY;
    if (!s)
        return BX_ENOMEM;
    for (size_t k = kmin; k <= kmax; k++) {
        double c = l1_cost(x, n - k, s) + l1_cost(x + n - k, k, s);
        if (isinf(best) || c < best - 1e-12 * fabs(best)) {
            best = c;
            *start = n - k;
        }
    }
    free(s);
    return 0;
}

/* The levels either side of r->start and the shift between them. */
static int describe_shift(const double *x, size_t n, const cp_opts *o, cp_result *r)
{
    size_t s = r->start;
    double smad_after;
    int rc = level_of(x, s, &r->before, &r->spread);
    if (rc == 0)
        rc = level_of(x + s, n - s, &r->after, &smad_after);
    if (rc == 0)
        rc = shift_of(x, s, x + s, n - s, &r->delta, &r->lo, &r->hi);
    if (rc)
        return rc;
    double base = fabs(r->before);
    r->change = base > 0 ? r->delta / base * 100 : NAN;
    r->change_lo = base > 0 ? r->lo / base * 100 : NAN;
    r->change_hi = base > 0 ? r->hi / base * 100 : NAN;
    r->worse = o->dir == 0 || (o->dir > 0 && r->delta < 0) || (o->dir < 0 && r->delta > 0);
    r->regression = r->worse && isfinite(r->change) && fabs(r->change) >= o->min_change * 100;
    return 0;
}

int cp_analyze(const double *x, size_t n, const cp_opts *o, cp_result *r)
{
    memset(r, 0, sizeof *r);
    r->p = 1;
    if (o->min_segment < 1 || o->min_before < 1 || n < (size_t)(o->min_before + o->min_segment))
        return BX_EINVAL;
    double *rk = malloc(n * sizeof *rk);
    if (!rk)
        return BX_ENOMEM;
    int rc = ranks_of(x, n, rk);
    scan sc;
    int f = rc ? rc : find_shift(rk, n, o, &sc);
    free(rk);
    if (f < 0)
        return f;
    if (f) {
        r->shift = 1;
        r->p = sc.p;
        r->start = n - sc.k;
        rc = locate(x, n, (size_t)o->min_segment, n - (size_t)o->min_before, &r->start);
        if (rc == 0)
            rc = describe_shift(x, n, o, r);
    } else {
        double smad, med;
        rc = level_of(x, n - 1, &med, &smad);
        r->before = r->after = med;
        r->outlier = rc == 0 && fabs(x[n - 1] - med) > o->outlier_k * smad && smad > 0;
        r->spread = smad;
        r->start = n;
    }
    if (rc)
        return rc;
    /* the level's spread as a fraction, and the change 5 new runs would show at alpha */
    double nref = r->shift ? (double)r->start : (double)(n - 1);
    r->spread = fabs(r->before) > 0 ? r->spread / fabs(r->before) : NAN;
    r->detectable = z_upper(o->alpha) * r->spread * sqrt(1.0 / 5 + 1.0 / nref);
    return 0;
}
