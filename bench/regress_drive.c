/*
 * regress_drive.c — today's check rule and the change-point method on the
 * same nightly series (bench/regress.sh).
 *
 * Reads bench/regress_gen.py's lines on stdin.  For every configuration
 * and every checked night t (FIRST .. the last), as a nightly suite would
 * after ingesting night t:
 *   today: night t against the median of the 20 nights before it, with
 *          3 scaled MADs and at least 1 % (cp_band, the rule `check` used);
 *   new:   the last WINDOW nights before t and night t through cp_analyze.
 * Prints the table for both methods, side by side.
 *
 *   regress_drive [--first N] [--window N] [--alpha A] [--floor PCT]
 *                 [--recent N] [--min-segment N] [--verbose]
 */
#include "changepoint.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 512

typedef struct tally {
    long fa, quiet;           /* flagged config-nights without a change, all of them */
    long hit[3], steps[3];    /* steps of -10, -5, -3 % flagged within 5 nights, all */
    long delay_sum[3];        /* nights from the step to the first flag (those flagged) */
    long drift_hit, drift, drift_delay;
} tally;

static int size_index(double pct)
{
    return pct <= -9.5 ? 0 : pct <= -4.5 ? 1 : 2;
}

/* today's rule: night t (0-based) against the 20 before it; 1 a regression */
static int today(const double *v, int t)
{
    double h[20];
    int n = t < 20 ? t : 20;
    if (n < 5)
        return 0;
    memcpy(h, v + t - n, (size_t)n * sizeof *h);
    stats_sort(h, (size_t)n);
    double med, band;
    cp_band(h, (size_t)n, 3.0, 0.01, &med, &band);
    return v[t] < med - band;
}

static int changepoint(const double *v, int t, int window, const cp_opts *o)
{
    int from = t - window < 0 ? 0 : t - window;
    cp_result r;
    if (cp_analyze(v + from, (size_t)(t - from + 1), o, &r) != 0)
        return 0;
    return r.regression;
}

static void score(tally *s, const char *kind, double pct, int night, int t, int flag,
                  int *first)
{
    int changed = strcmp(kind, "aa") != 0 && t + 1 >= night;
    if (strcmp(kind, "drift") == 0) {
        if (flag && *first < 0)
            *first = t + 1;
        return;
    }
    if (!changed) {
        s->quiet++;
        s->fa += flag;
    } else if (flag && *first < 0) {
        *first = t + 1;
    }
    (void)pct;
}

static void finish(tally *s, const char *kind, double pct, int night, int first)
{
    if (strcmp(kind, "step") == 0) {
        int i = size_index(pct);
        s->steps[i]++;
        if (first >= 0 && first - night < 5) {
            s->hit[i]++;
            s->delay_sum[i] += first - night;
        }
    } else if (strcmp(kind, "drift") == 0) {
        s->drift++;
        if (first >= 0) {
            s->drift_hit++;
            s->drift_delay += first - night;
        }
    }
}

static void print_row(const char *what, long a, long an, long b, long bn, const char *goal)
{
    printf("| %s | %ld of %ld (%.2f %%) | %ld of %ld (%.2f %%) | %s |\n", what, a, an,
           an ? 100.0 * a / an : 0.0, b, bn, bn ? 100.0 * b / bn : 0.0, goal);
}

int main(int argc, char **argv)
{
    int first = 21, window = 30, verbose = 0;
    cp_opts o;
    cp_defaults(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "0";
        if (strcmp(a, "--verbose") == 0) {
            verbose = 1;
            continue;
        }
        i++;
        if (strcmp(a, "--first") == 0)
            first = atoi(v);
        else if (strcmp(a, "--window") == 0)
            window = atoi(v);
        else if (strcmp(a, "--alpha") == 0)
            o.alpha = atof(v);
        else if (strcmp(a, "--floor") == 0)
            o.min_change = atof(v) / 100;
        else if (strcmp(a, "--recent") == 0)
            o.recent = atoi(v);
        else if (strcmp(a, "--min-segment") == 0)
            o.min_segment = atoi(v);
        else {
            fprintf(stderr, "regress_drive: unknown option %s\n", a);
            return 2;
        }
    }
    tally m[2];
    memset(m, 0, sizeof m);
    char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        char name[64], kind[16];
        double pct, v[MAXN];
        int night, off, n = 0;
        if (sscanf(line, "%63s %15s %lf %d%n", name, kind, &pct, &night, &off) != 4)
            continue;
        char *p = line + off, *end;
        while (n < MAXN && (v[n] = strtod(p, &end), end != p)) {
            p = end;
            n++;
        }
        int firsts[2] = {-1, -1};
        for (int t = first - 1; t < n; t++) {
            int f[2] = {today(v, t), changepoint(v, t, window, &o)};
            for (int k = 0; k < 2; k++)
                score(&m[k], kind, pct, night, t, f[k], &firsts[k]);
            if (verbose && (f[0] || f[1]))
                printf("%s %s %g night %d: today %d new %d\n", name, kind, pct, t + 1, f[0], f[1]);
        }
        for (int k = 0; k < 2; k++)
            finish(&m[k], kind, pct, night, firsts[k]);
    }
    printf("| | today (median of 20, 3 MADs, >= 1 %%) | change points (alpha %g, floor %g %%, "
           "window %d) | goal |\n| --- | --- | --- | --- |\n",
           o.alpha, o.min_change * 100, window);
    print_row("false alarms, of config-nights without a change", m[0].fa, m[0].quiet, m[1].fa,
              m[1].quiet, "<= 0.3 %");
    static const char *const names[] = {"-10 %", "-5 %", "-3 %"};
    static const char *const goals[] = {"all", ">= 90 %", ">= 60 %"};
    for (int i = 0; i < 3; i++) {
        char what[80];
        snprintf(what, sizeof what, "%s steps flagged within 5 nights", names[i]);
        print_row(what, m[0].hit[i], m[0].steps[i], m[1].hit[i], m[1].steps[i], goals[i]);
    }
    for (int i = 0; i < 3; i++)
        printf("| %s steps: mean delay of those flagged (nights) | %.2f | %.2f | |\n", names[i],
               m[0].hit[i] ? (double)m[0].delay_sum[i] / m[0].hit[i] : 0.0,
               m[1].hit[i] ? (double)m[1].delay_sum[i] / m[1].hit[i] : 0.0);
    printf("| slow drifts (-3 %%, -5 %% over the checked nights) flagged; mean nights to the "
           "first flag | %ld of %ld; %.1f | %ld of %ld; %.1f | |\n",
           m[0].drift_hit, m[0].drift, m[0].drift_hit ? (double)m[0].drift_delay / m[0].drift_hit : 0.0,
           m[1].drift_hit, m[1].drift, m[1].drift_hit ? (double)m[1].drift_delay / m[1].drift_hit : 0.0);
    return 0;
}
