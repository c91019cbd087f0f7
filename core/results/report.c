/*
 * report.c — `benchaas report --html FILE`: one self-contained HTML page.
 *
 * The page has no script, loads nothing (a Content-Security-Policy forbids
 * it) and uses the reader's own sans-serif font.  Its charts are inline SVG
 * drawn by svg.c.  Sections, per plugin:
 *   - each higher/lower-is-better metric over time, one series per
 *     configuration, with the band `check` would hold the next run to (or
 *     the explicit baseline);
 *   - sweeps: a metric against each parameter that varies (median of the
 *     runs at each value, min-max whiskers), one line per combination of
 *     the other varying parameters;
 *   - hosts side by side for the most-run configuration;
 * then the resource timelines of the newest runs that have one, the runs
 * that failed with their error text, and the newest runs with their
 * provenance.  Charts use ok runs; a --status filter changes that.
 *
 * Data: one pass over the selected runs' directional metrics (aset_load),
 * grouped per configuration and host; everything else is small queries.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"
#include "benchaas/plugin.h"
#include "query.h"
#include "report.h"
#include "changepoint.h"
#include "checkcp.h"
#include "nodes.h"
#include "tradeoff.h"
#include "stats.h"
#include "svg.h"
#include "util.h"

#ifndef BENCHAAS_VERSION
#define BENCHAAS_VERSION "?"
#endif

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "sans-serif;margin:0 auto;max-width:1180px;padding:0 16px 40px;color:#222;"
    "background:#fff}"
    "h1{font-size:1.6em;margin:18px 0 4px}h2{font-size:1.3em;margin:28px 0 8px;"
    "padding-bottom:4px;border-bottom:2px solid #0072B2}h3{font-size:1.05em;margin:18px 0 6px}"
    "p.meta,p.note{color:#555;font-size:.9em;margin:4px 0}"
    "nav{font-size:.92em;margin:10px 0}nav a{margin-right:12px}"
    "table{border-collapse:collapse;font-size:.86em;margin:6px 0 12px}"
    "th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f3f5f8}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".ok{color:#1a7f37;font-weight:600}.bad{color:#c62828;font-weight:600}"
    ".charts{display:flex;flex-wrap:wrap;gap:10px}"
    "svg.chart{border:1px solid #e3e3e3;border-radius:4px;max-width:100%;height:auto}"
    "svg.chart text{font-family:inherit;font-size:11px;fill:#333}"
    "svg.chart text.ct{font-size:13px;font-weight:600;fill:#111}"
    "svg.chart text.at{font-size:11.5px;fill:#444}"
    "svg.chart .grid path{stroke:#e8e8e8;stroke-width:1}"
    "pre.err{white-space:pre-wrap;background:#fff4f4;border-left:3px solid #c62828;"
    "padding:4px 8px;margin:2px 0;font-size:.9em}"
    "details.more{margin:8px 0}details.more>summary{font-weight:600}"
    "details summary{cursor:pointer;color:#0072B2}dl{margin:4px 0;font-size:.92em}"
    "dt{font-weight:600;float:left;clear:left;width:150px}dd{margin-left:160px}"
    "code{font-size:.95em}";

/* ---- small helpers -------------------------------------------------------------- */

static void esc(FILE *out, const char *s) { svg_escape(out, s ? s : ""); }

/* A stored time "2026-11-21T10:12:17Z" as "2026-11-21 10:12" (UTC). */
static void time_cell(FILE *out, const char *iso)
{
    if (!iso || strlen(iso) < 16) {
        esc(out, iso ? iso : "-");
        return;
    }
    fprintf(out, "%.10s %.5s", iso, iso + 11);
}

static void num_cell(FILE *out, double v)
{
    char buf[48];
    fprintf(out, "<td class=\"n\">%s</td>", query_readable_number(v, buf, sizeof buf));
}

/* "hpl-NB" -> a safe id fragment */
static void anchor(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
                  ? *s
                  : '-',
              out);
}

typedef struct pt {
    double t, v;
    int64_t id; /* the run */
} pt;

static int cmp_pt(const void *a, const void *b)
{
    double x = ((const pt *)a)->t, y = ((const pt *)b)->t;
    return x < y ? -1 : x > y;
}

/* ---- configurations (host ignored) ------------------------------------------------ */

typedef struct cfg {
    char *key; /* the configuration key without the host */
    const char *plugin, *params;
    int64_t ranks, threads;
    char *label;
    aentry **ents; /* per host and metric */
    size_t nents, capents;
    size_t runs; /* of its first directional metric: a measure of how much it was run */
} cfg;

typedef struct model {
    aset a;
    cfg *cfgs;
    size_t ncfgs;
} model;

static cfg *cfg_of(model *m, const aentry *e)
{
    /* the entry's cfgkey is plugin \x1f params \x1f ranks \x1f threads \x1f host */
    const char *last = strrchr(e->cfgkey, '\x1f');
    size_t len = last ? (size_t)(last - e->cfgkey) : strlen(e->cfgkey);
    for (size_t i = 0; i < m->ncfgs; i++)
        if (strlen(m->cfgs[i].key) == len && strncmp(m->cfgs[i].key, e->cfgkey, len) == 0)
            return &m->cfgs[i];
    cfg *n = realloc(m->cfgs, (m->ncfgs + 1) * sizeof *n);
    if (!n)
        return NULL;
    m->cfgs = n;
    cfg *c = &m->cfgs[m->ncfgs];
    memset(c, 0, sizeof *c);
    if (!(c->key = strndup(e->cfgkey, len)))
        return NULL;
    c->plugin = e->plugin;
    c->params = e->params;
    c->ranks = e->ranks;
    c->threads = e->threads;
    m->ncfgs++;
    return c;
}

static int build_model(model *m)
{
    for (size_t i = 0; i < m->a.n; i++) {
        aentry *e = m->a.e[i];
        cfg *c = cfg_of(m, e);
        if (!c)
            return BX_ENOMEM;
        if (c->nents == c->capents) {
            size_t cap = c->capents ? c->capents * 2 : 8;
            aentry **ne = realloc(c->ents, cap * sizeof *ne);
            if (!ne)
                return BX_ENOMEM;
            c->ents = ne;
            c->capents = cap;
        }
        c->ents[c->nents++] = e;
    }
    /* labels: the parameters that vary among each plugin's configurations */
    aentry **reps = malloc((m->ncfgs ? m->ncfgs : 1) * sizeof *reps);
    if (!reps)
        return BX_ENOMEM;
    for (size_t i = 0; i < m->ncfgs; i++) {
        reps[i] = m->cfgs[i].ents[0];
        int seq = -1;
        for (size_t k = 0; k < m->cfgs[i].nents; k++) {
            aentry *e = m->cfgs[i].ents[k];
            if (seq < 0 || e->seq < seq)
                seq = e->seq;
        }
        for (size_t k = 0; k < m->cfgs[i].nents; k++)
            if (m->cfgs[i].ents[k]->seq == seq)
                m->cfgs[i].runs += m->cfgs[i].ents[k]->nruns;
    }
    char **labels = analyze_config_labels(reps, m->ncfgs);
    free(reps);
    if (!labels)
        return BX_ENOMEM;
    for (size_t i = 0; i < m->ncfgs; i++) {
        m->cfgs[i].label = labels[i];
        labels[i] = NULL;
    }
    analyze_labels_free(labels, m->ncfgs);
    return 0;
}

static void model_free(model *m)
{
    for (size_t i = 0; i < m->ncfgs; i++) {
        free(m->cfgs[i].key);
        free(m->cfgs[i].label);
        free(m->cfgs[i].ents);
    }
    free(m->cfgs);
    aset_free(&m->a);
}

/* The directional metrics of a plugin in their order: names (borrowed) into *out. */
static size_t plugin_metrics(const model *m, const char *plugin, const aentry **res, size_t max)
{
    /* every metric first (a plugin has a few dozen at most), then the first max in order */
    const aentry *out[128];
    size_t n = 0, cap = sizeof out / sizeof out[0];
    for (size_t i = 0; i < m->a.n; i++) {
        const aentry *e = m->a.e[i];
        if (strcmp(e->plugin, plugin) != 0)
            continue;
        size_t k = 0;
        while (k < n && strcmp(out[k]->metric, e->metric) != 0)
            k++;
        if (k < n) {
            if (e->seq < out[k]->seq)
                out[k] = e;
            continue;
        }
        if (n < cap)
            out[n++] = e;
    }
    /* headline metrics first, then by position in the plugin's output (insertion sort: a
       handful) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && (out[j]->headline != out[j - 1]->headline
                                         ? out[j]->headline > out[j - 1]->headline
                                         : out[j]->seq < out[j - 1]->seq);
             j--) {
            const aentry *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    if (n > max)
        n = max;
    memcpy(res, out, n * sizeof *res);
    return n;
}

/* The configurations of a plugin, most-run first. */
static size_t plugin_cfgs(const model *m, const char *plugin, cfg **out)
{
    size_t n = 0;
    for (size_t i = 0; i < m->ncfgs; i++)
        if (strcmp(m->cfgs[i].plugin, plugin) == 0)
            out[n++] = &m->cfgs[i];
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j]->runs > out[j - 1]->runs; j--) {
            cfg *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

/* Is e's history in time order (it is when read series by series)? */
static int times_sorted(const aentry *e)
{
    if (e->times.n != e->values.n)
        return 0;
    for (size_t j = 1; j < e->times.n; j++)
        if (e->times.v[j] < e->times.v[j - 1])
            return 0;
    return 1;
}

/* Host a before host b: its next time is earlier, or the same and it comes first. */
static int heap_before(const double *next, size_t a, size_t b)
{
    return next[a] < next[b] || (next[a] == next[b] && a < b);
}

/* Restore the heap order below position i. */
static void heap_down(size_t *heap, size_t n, const double *next, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && heap_before(next, heap[l], heap[m]))
            m = l;
        if (r < n && heap_before(next, heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/*
 * All values of configuration c and metric (every host) into *out (malloc'd;
 * NULL when out of memory).  With `in_time`, with their times and in time
 * order (points of the same time in the order of the hosts' entries, as a
 * stable sort gives): the hosts' histories are merged when each is in time
 * order, else sorted.
 */
static size_t cfg_points(const cfg *c, const char *metric, int in_time, pt **out)
{
    size_t n = 0, nh = 0, sorted = 1;
    for (size_t k = 0; k < c->nents; k++)
        if (strcmp(c->ents[k]->metric, metric) == 0) {
            n += c->ents[k]->values.n;
            nh++;
            if (in_time && sorted)
                sorted = (size_t)times_sorted(c->ents[k]);
        }
    *out = malloc((n ? n : 1) * sizeof **out);
    size_t *pos = calloc(nh ? nh : 1, sizeof *pos);
    double *next = calloc(nh ? nh : 1, sizeof *next);
    const aentry **hs = calloc(nh ? nh : 1, sizeof *hs);
    if (!*out || !pos || !next || !hs) {
        free(*out);
        *out = NULL;
        free(pos);
        free(next);
        free(hs);
        return 0;
    }
    nh = 0;
    for (size_t k = 0; k < c->nents; k++)
        if (strcmp(c->ents[k]->metric, metric) == 0)
            hs[nh++] = c->ents[k];
    size_t i = 0;
    if (in_time && sorted) {
        /* k-way merge: the host whose next point is earliest, the first host on a tie (a
           heap of the hosts by (next time, host): a scan of 16 hosts' next times per
           point was a tenth of the report at 1 000 000 runs) */
        size_t hn = 0, *heap = malloc((nh ? nh : 1) * sizeof *heap);
        if (!heap) {
            free(*out);
            *out = NULL;
            free(pos);
            free(next);
            free(hs);
            return 0;
        }
        for (size_t h = 0; h < nh; h++)
            if (hs[h]->values.n) {
                next[h] = hs[h]->times.v[0];
                heap[hn++] = h;
            }
        for (size_t k = hn / 2; k-- > 0;)
            heap_down(heap, hn, next, k);
        while (hn) {
            size_t best = heap[0];
            const aentry *e = hs[best];
            (*out)[i++] = (pt){e->times.v[pos[best]], e->values.v[pos[best]], (int64_t)e->ids.v[pos[best]]};
            if (++pos[best] < e->values.n)
                next[best] = e->times.v[pos[best]];
            else
                heap[0] = heap[--hn];
            heap_down(heap, hn, next, 0);
        }
        free(heap);
    } else {
        for (size_t h = 0; h < nh; h++)
            for (size_t j = 0; j < hs[h]->values.n; j++)
                (*out)[i++] = (pt){hs[h]->times.n > j ? hs[h]->times.v[j] : 0, hs[h]->values.v[j],
                                   hs[h]->ids.n > j ? (int64_t)hs[h]->ids.v[j] : 0};
        if (in_time)
            qsort(*out, i, sizeof **out, cmp_pt); /* glibc's merge sort: stable */
    }
    free(pos);
    free(next);
    free(hs);
    return i;
}

/* ---- over time -------------------------------------------------------------------- */

#define MAX_POINTS 300 /* per series; more are drawn as bin medians */

/* The band for the newest values: median ± max(k·1.4826·MAD, 1 %) of the last 20 (as check). */
static void history_band(const pt *p, size_t n, double *lo, double *mid, double *hi)
{
    size_t take = n < 20 ? n : 20;
    double *v = malloc((take ? take : 1) * sizeof *v), band;
    *lo = *mid = *hi = NAN;
    if (!v || take < 5) {
        free(v);
        return;
    }
    for (size_t i = 0; i < take; i++)
        v[i] = p[n - take + i].v;
    stats_sort(v, take);
    cp_band(v, take, 3, 0.01, mid, &band);
    *lo = *mid - band;
    *hi = *mid + band;
    free(v);
}

/* Where a shift of the points p begins (at start) and what changed then, as check says it. */
static void shift_where(FILE *out, sqlite3 *db, const pt *p, size_t start)
{
    const pt *nw = &p[start], *old = &p[start - 1]; /* start >= 1 (cp_result) */
    char tn[32], to[32];
    store_time_format((int64_t)nw->t, tn, sizeof tn);
    store_time_format((int64_t)old->t, to, sizeof to);
    char *diff = db && nw->id && old->id ? checkcp_diff(db, old->id, nw->id) : NULL;
    fprintf(out, "<br>first run of the new level: %" PRId64 " (%s); the old level's last run: %" PRId64
                 " (%s); differs: ",
            nw->id, tn, old->id, to);
    esc(out, diff ? diff : "nothing stored");
    free(diff);
}

/*
 * Below a chart: a configuration's level shift among its newest 31 runs as
 * check finds it (changepoint.h, the default floor of 2 %), where it began
 * and what differs there (checkcp_diff, as check prints it), or a spread too
 * large to show a change of that size within 5 runs.
 */
static void shift_note(FILE *out, sqlite3 *db, const char *label, const pt *p, size_t n,
                       const char *better)
{
    size_t take = n < 31 ? n : 31;
    double *v = malloc((take ? take : 1) * sizeof *v);
    cp_opts o;
    cp_result r;
    cp_defaults(&o);
    o.dir = better && strcmp(better, "higher") == 0  ? 1
            : better && strcmp(better, "lower") == 0 ? -1
                                                     : 0;
    for (size_t i = 0; v && i < take; i++)
        v[i] = p[n - take + i].v;
    if (v && cp_analyze(v, take, &o, &r) == 0 && (r.shift || r.detectable > o.min_change)) {
        char when[32];
        fputs("<p class=\"note\">", out);
        esc(out, label);
        if (r.shift) {
            store_time_format((int64_t)p[n - take + r.start].t, when, sizeof when);
            fprintf(out, ": level shift %+.1f %% [%+.1f, %+.1f] from the run of %s on (%s)",
                    r.change, r.change_lo, r.change_hi, when,
                    r.regression ? "a regression for check" : r.worse ? "under the floor"
                                                                      : "an improvement");
            shift_where(out, db, p + (n - take), r.start);
            fputs("</p>", out);
        } else {
            fprintf(out, ": too noisy to show a %g %% change within 5 runs (spread %.1f %%; "
                         "more repetitions help)</p>",
                    o.min_change * 100, r.spread * 100);
        }
    }
    free(v);
}

/* An explicit baseline (name 'default', any scope) for a configuration and metric. */
static int find_baseline(sqlite3_stmt *st, const cfg *c, const char *metric, double *value,
                         double *tol)
{
    if (!st)
        return 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, c->plugin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->params, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, metric, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        return 0;
    *value = sqlite3_column_double(st, 0);
    *tol = sqlite3_column_double(st, 1);
    return 1;
}

/* The most values any configuration has of metric (1 or 0: nothing to draw a line through). */
static size_t max_points(cfg **cfgs, size_t n, const char *metric)
{
    size_t most = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < cfgs[i]->nents; j++)
            if (strcmp(cfgs[i]->ents[j]->metric, metric) == 0)
                k += cfgs[i]->ents[j]->values.n;
        if (k > most)
            most = k;
    }
    return most;
}

/* The metrics drawn as no chart (single[k]): one table row per configuration. */
static void single_values_table(FILE *out, const aentry *const *metrics, size_t nm,
                                const int *single, cfg **cfgs, size_t nc)
{
    size_t any = 0;
    for (size_t k = 0; k < nm; k++)
        any += single[k];
    if (!any)
        return;
    fputs("<table class=\"single\"><tr><th>metric</th><th>configuration</th><th>value</th>"
          "<th>unit</th><th>better</th></tr>",
          out);
    for (size_t k = 0; k < nm; k++) {
        if (!single[k])
            continue;
        for (size_t i = 0; i < nc; i++)
            for (size_t j = 0; j < cfgs[i]->nents; j++) {
                const aentry *e = cfgs[i]->ents[j];
                if (strcmp(e->metric, metrics[k]->metric) != 0 || e->values.n == 0)
                    continue;
                fputs("<tr><td>", out);
                esc(out, e->metric);
                fputs("</td><td>", out);
                esc(out, cfgs[i]->label && *cfgs[i]->label ? cfgs[i]->label : "-");
                fputs("</td>", out);
                num_cell(out, e->values.v[0]);
                fputs("<td>", out);
                esc(out, e->unit);
                fputs("</td><td>", out);
                esc(out, e->better);
                fputs(" is better</td></tr>", out);
            }
    }
    fputs("</table>", out);
}

static int chart_over_time(FILE *out, sqlite3 *db, sqlite3_stmt *bst, const char *plugin,
                           const aentry *metric, cfg **cfgs, size_t ncfgs, size_t max_series)
{
    size_t ns = ncfgs < max_series ? ncfgs : max_series;
    svg_series *series = calloc(ns ? ns : 1, sizeof *series);
    svg_band *bands = calloc(ns ? ns : 1, sizeof *bands);
    pt **pts = calloc(ns ? ns : 1, sizeof *pts);
    double **xy = calloc(2 * (ns ? ns : 1), sizeof *xy);
    char **names = calloc(2 * (ns ? ns : 1), sizeof *names);
    size_t *npts = calloc(ns ? ns : 1, sizeof *npts);
    size_t nseries = 0, nbands = 0;
    int rc = 0;
    if (!series || !bands || !pts || !xy || !names || !npts) {
        rc = BX_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < ns; i++) {
        size_t n = npts[i] = cfg_points(cfgs[i], metric->metric, 1, &pts[i]);
        if (!pts[i]) {
            rc = BX_ENOMEM;
            goto out;
        }
        if (n == 0)
            continue;
        /* bin medians when there are too many points to see */
        size_t bins = n > MAX_POINTS ? MAX_POINTS / 2 : n;
        double *x = xy[2 * nseries] = malloc(bins * sizeof *x);
        double *y = xy[2 * nseries + 1] = malloc(bins * sizeof *y);
        double *tmp = malloc(n * sizeof *tmp);
        if (!x || !y || !tmp) {
            free(tmp);
            rc = BX_ENOMEM;
            goto out;
        }
        for (size_t b = 0; b < bins; b++) {
            size_t lo = n * b / bins, hi = n * (b + 1) / bins;
            for (size_t k = lo; k < hi; k++)
                tmp[k - lo] = pts[i][k].v;
            y[b] = stats_pct_select(tmp, hi - lo, 50);
            x[b] = pts[i][(lo + hi) / 2].t;
        }
        free(tmp);
        const char *label = cfgs[i]->label && *cfgs[i]->label ? cfgs[i]->label : "all runs";
        if (asprintf(&names[2 * nseries], "%s%s", label, n > MAX_POINTS ? " (bin medians)" : "") <
            0) {
            names[2 * nseries] = NULL;
            rc = BX_ENOMEM;
            goto out;
        }
        series[nseries] = (svg_series){.name = names[2 * nseries],
                                       .x = x,
                                       .y = y,
                                       .n = bins,
                                       .style = SVG_POINTS | (bins > 1 ? SVG_LINE : 0),
                                       .color = (int)i};
        /* the band: the baseline if there is one, else the history rule of check */
        /* bands: for the two most-run configurations (one when many are drawn) */
        if (nbands < (ns > 2 ? 1u : 2u)) {
            double value, tol, lo, mid, hi;
            int explicit = find_baseline(bst, cfgs[i], metric->metric, &value, &tol);
            if (explicit) {
                lo = value - fabs(value) * tol;
                hi = value + fabs(value) * tol;
                mid = value;
            } else {
                history_band(pts[i], n, &lo, &mid, &hi);
            }
            if (isfinite(mid)) {
                char *bn = NULL;
                if (asprintf(&bn, "%s: %s", label,
                             explicit ? "baseline 'default' ± tolerance"
                                      : "check band (median ± 3·MAD of last 20)") < 0)
                    bn = NULL;
                names[2 * nseries + 1] = bn;
                bands[nbands++] = (svg_band){NAN, NAN, lo, mid, hi, (int)i, bn};
            }
        }
        nseries++;
    }
    if (nseries == 0)
        goto out;
    char title[256], ylabel[160];
    snprintf(title, sizeof title, "%s — %s over time%s", plugin, metric->metric,
             ncfgs > ns ? " (most-run configurations)" : "");
    snprintf(ylabel, sizeof ylabel, "%s%s%s%s (%s is better)", metric->metric,
             metric->unit && *metric->unit ? " [" : "", metric->unit ? metric->unit : "",
             metric->unit && *metric->unit ? "]" : "", metric->better);
    svg_chart c = {.title = title,
                   .xlabel = "run start (UTC)",
                   .ylabel = ylabel,
                   .xaxis = SVG_X_TIME,
                   .series = series,
                   .nseries = nseries,
                   .bands = bands,
                   .nbands = nbands,
                   .width = 560,
                   .height = 290};
    svg_chart_write(out, &c);
    for (size_t i = 0; i < ns; i++)
        if (npts[i])
            shift_note(out, db, cfgs[i]->label && *cfgs[i]->label ? cfgs[i]->label : "all runs",
                       pts[i], npts[i], metric->better);
    if (ncfgs > ns)
        fprintf(out, "<p class=\"note\">%zu more configurations of %s not drawn.</p>", ncfgs - ns,
                plugin);
out:
    for (size_t i = 0; i < ns && pts; i++)
        free(pts[i]);
    for (size_t i = 0; i < 2 * ns && xy; i++)
        free(xy[i]);
    for (size_t i = 0; i < 2 * ns && names; i++)
        free(names[i]);
    free(pts);
    free(npts);
    free(xy);
    free(names);
    free(series);
    free(bands);
    return rc;
}

/* ---- sweeps -------------------------------------------------------------------------- */

/* A parameter of a plugin's configurations and the distinct values it takes. */
typedef struct swept {
    char *name;
    int numeric;
    size_t nvalues;
} swept;

/* The typed value of parameter `name` in a params JSON text (caller frees), or NULL. */
static cJSON *param_value(const char *params, const char *name)
{
    cJSON *o = cJSON_Parse(params);
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(o, name);
    cJSON_Delete(o);
    return v;
}

static char *value_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    if (cJSON_IsBool(v))
        return strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        char buf[48];
        query_exact_number(v->valuedouble, buf, sizeof buf);
        return strdup(buf);
    }
    return strdup("-");
}

/* The parameters that vary among cfgs (at most max). */
static size_t find_swept(cfg **cfgs, size_t n, swept *out, size_t max)
{
    size_t ns = 0;
    if (n < 2)
        return 0;
    cJSON *first = cJSON_Parse(cfgs[0]->params);
    const cJSON *it;
    cJSON_ArrayForEach(it, first)
    {
        char **seen = calloc(n, sizeof *seen);
        size_t nseen = 0;
        int numeric = 1;
        for (size_t i = 0; seen && i < n; i++) {
            cJSON *v = param_value(cfgs[i]->params, it->string);
            numeric &= cJSON_IsNumber(v);
            char *t = value_text(v);
            cJSON_Delete(v);
            size_t k = 0;
            while (k < nseen && strcmp(seen[k], t) != 0)
                k++;
            if (k == nseen)
                seen[nseen++] = t;
            else
                free(t);
        }
        for (size_t k = 0; k < nseen; k++)
            free(seen[k]);
        free(seen);
        if (nseen >= 2 && ns < max) {
            out[ns].name = strdup(it->string);
            out[ns].numeric = numeric;
            out[ns].nvalues = nseen;
            ns++;
        }
    }
    cJSON_Delete(first);
    return ns;
}

/* The label of cfg's other varying parameters (not `name`), e.g. "N=4000 P=2". */
static char *others_label(const cfg *c, const swept *sw, size_t nsw, const char *name)
{
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    int first = 1;
    for (size_t k = 0; k < nsw; k++) {
        if (strcmp(sw[k].name, name) == 0)
            continue;
        cJSON *v = param_value(c->params, sw[k].name);
        char *t = value_text(v);
        cJSON_Delete(v);
        fprintf(m, "%s%s=%s", first ? "" : " ", sw[k].name, t ? t : "-");
        free(t);
        first = 0;
    }
    fclose(m);
    return out;
}

/* Is parameter `name` of plugin's runs a byte size?  (The params table keeps the type.) */
static int param_is_size(store *s, int64_t run_id, const char *name)
{
    sqlite3_stmt *st;
    int size = 0;
    if (sqlite3_prepare_v2(store_db(s), "SELECT type FROM params WHERE run_id = ?1 AND name = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        size = sqlite3_column_text(st, 0) &&
               strcmp((const char *)sqlite3_column_text(st, 0), "size") == 0;
    sqlite3_finalize(st);
    return size;
}

#define MAX_SWEEP_SERIES 6
#define MAX_SWEEP_X 64

static int chart_sweep(FILE *out, store *s, const char *plugin, const aentry *metric, cfg **cfgs,
                       size_t ncfgs, const swept *sw, size_t nsw, const swept *x)
{
    /* the x values (distinct) and series (distinct other-parameter labels) */
    char *xs_text[MAX_SWEEP_X];
    double xs_num[MAX_SWEEP_X];
    char *series_name[MAX_SWEEP_SERIES];
    size_t nx = 0, nser = 0;
    int rc = 0;
    /* values per (series, x) */
    dvec cell[MAX_SWEEP_SERIES][MAX_SWEEP_X];
    memset(cell, 0, sizeof cell);
    for (size_t i = 0; i < ncfgs; i++) {
        cJSON *v = param_value(cfgs[i]->params, x->name);
        char *t = value_text(v);
        double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        cJSON_Delete(v);
        char *o = others_label(cfgs[i], sw, nsw, x->name);
        if (!t || !o) {
            free(t);
            free(o);
            rc = BX_ENOMEM;
            break;
        }
        size_t xi = 0, si = 0;
        while (xi < nx && strcmp(xs_text[xi], t) != 0)
            xi++;
        while (si < nser && strcmp(series_name[si], o) != 0)
            si++;
        if ((xi == nx && nx == MAX_SWEEP_X) || (si == nser && nser == MAX_SWEEP_SERIES)) {
            free(t);
            free(o);
            continue; /* beyond what a chart can show: the most-run come first */
        }
        if (xi == nx) {
            xs_text[nx] = t;
            xs_num[nx++] = d;
        } else {
            free(t);
        }
        if (si == nser)
            series_name[nser++] = o;
        else
            free(o);
        pt *p;
        size_t n = cfg_points(cfgs[i], metric->metric, 0, &p);
        for (size_t k = 0; k < n; k++)
            dvec_push(&cell[si][xi], p[k].v);
        free(p);
    }
    if (rc == 0 && nx >= 2) {
        /* x order: numeric or text */
        size_t order[MAX_SWEEP_X];
        for (size_t i = 0; i < nx; i++)
            order[i] = i;
        for (size_t i = 1; i < nx; i++)
            for (size_t j = i; j > 0; j--) {
                size_t a = order[j - 1], b = order[j];
                int swap = x->numeric ? xs_num[b] < xs_num[a] : strcmp(xs_text[b], xs_text[a]) < 0;
                if (!swap)
                    break;
                order[j - 1] = b;
                order[j] = a;
            }
        double px[MAX_SWEEP_SERIES][MAX_SWEEP_X], py[MAX_SWEEP_SERIES][MAX_SWEEP_X];
        double plo[MAX_SWEEP_SERIES][MAX_SWEEP_X], phi[MAX_SWEEP_SERIES][MAX_SWEEP_X];
        svg_series ser[MAX_SWEEP_SERIES];
        const char *cats[MAX_SWEEP_X];
        double xmin = INFINITY, xmax = -INFINITY;
        for (size_t i = 0; i < nx; i++) {
            cats[i] = xs_text[order[i]];
            if (xs_num[i] < xmin)
                xmin = xs_num[i];
            if (xs_num[i] > xmax)
                xmax = xs_num[i];
        }
        for (size_t si = 0; si < nser; si++) {
            for (size_t i = 0; i < nx; i++) {
                dvec *d = &cell[si][order[i]];
                px[si][i] = x->numeric ? xs_num[order[i]] : (double)i;
                double vmin = INFINITY, vmax = -INFINITY;
                for (size_t k = 0; k < d->n; k++) {
                    vmin = d->v[k] < vmin ? d->v[k] : vmin;
                    vmax = d->v[k] > vmax ? d->v[k] : vmax;
                }
                py[si][i] = d->n ? stats_pct_select(d->v, d->n, 50) : NAN;
                plo[si][i] = d->n > 1 ? vmin : NAN;
                phi[si][i] = d->n > 1 ? vmax : NAN;
            }
            ser[si] = (svg_series){.name = nser > 1 ? series_name[si] : "median of the runs",
                                   .x = px[si],
                                   .y = py[si],
                                   .n = nx,
                                   .lo = plo[si],
                                   .hi = phi[si],
                                   /* a line between categories suggests a trend: dots */
                                   .style = x->numeric ? SVG_LINE | SVG_POINTS : SVG_POINTS,
                                   .color = (int)si};
        }
        /* a log axis when the values span more than a decade (sizes, N) */
        int logx = x->numeric && xmin > 0 && xmax / xmin > 10;
        int bytes = x->numeric && param_is_size(s, cfgs[0]->ents[0]->first_run, x->name);
        char title[256], ylabel[160], xlabel[160];
        snprintf(title, sizeof title, "%s — %s against %s", plugin, metric->metric, x->name);
        snprintf(ylabel, sizeof ylabel, "%s%s%s%s (%s is better)", metric->metric,
                 metric->unit && *metric->unit ? " [" : "", metric->unit ? metric->unit : "",
                 metric->unit && *metric->unit ? "]" : "", metric->better);
        snprintf(xlabel, sizeof xlabel, "%s%s (median of the runs, whiskers: min–max)", x->name,
                 bytes ? " [bytes]" : "");
        svg_chart c = {.title = title,
                       .xlabel = xlabel,
                       .ylabel = ylabel,
                       .xaxis = !x->numeric ? SVG_X_CATEGORY : logx ? SVG_X_LOG : SVG_X_LINEAR,
                       .xbytes = bytes,
                       .xcats = x->numeric ? NULL : cats,
                       .ncats = x->numeric ? 0 : nx,
                       .series = ser,
                       .nseries = nser,
                       .width = 560,
                       .height = 290};
        svg_chart_write(out, &c);
    }
    for (size_t i = 0; i < nx; i++)
        free(xs_text[i]);
    for (size_t i = 0; i < nser; i++)
        free(series_name[i]);
    for (size_t si = 0; si < MAX_SWEEP_SERIES; si++)
        for (size_t i = 0; i < MAX_SWEEP_X; i++)
            free(cell[si][i].v);
    return rc;
}

/* ---- hosts side by side ------------------------------------------------------------------ */

#define MAX_HOSTS 32

static int chart_hosts(FILE *out, const char *plugin, const aentry *metric, const cfg *c)
{
    const aentry *hosts[MAX_HOSTS];
    size_t nh = 0;
    for (size_t k = 0; k < c->nents && nh < MAX_HOSTS; k++)
        if (strcmp(c->ents[k]->metric, metric->metric) == 0 && c->ents[k]->values.n)
            hosts[nh++] = c->ents[k];
    if (nh < 2)
        return 0;
    /* by host name */
    for (size_t i = 1; i < nh; i++)
        for (size_t j = i; j > 0 && strcmp(hosts[j]->host ? hosts[j]->host : "",
                                           hosts[j - 1]->host ? hosts[j - 1]->host : "") < 0;
             j--) {
            const aentry *t = hosts[j];
            hosts[j] = hosts[j - 1];
            hosts[j - 1] = t;
        }
    const char *cats[MAX_HOSTS];
    double x[MAX_HOSTS], y[MAX_HOSTS], lo[MAX_HOSTS], hi[MAX_HOSTS], p5[MAX_HOSTS], p95[MAX_HOSTS];
    for (size_t i = 0; i < nh; i++) {
        /* a sorted copy: values stay parallel to times */
        size_t n = hosts[i]->values.n;
        double *v = malloc(n * sizeof *v);
        if (!v)
            return BX_ENOMEM;
        memcpy(v, hosts[i]->values.v, n * sizeof *v);
        cats[i] = hosts[i]->host ? hosts[i]->host : "-";
        x[i] = (double)i;
        y[i] = stats_pct_select(v, n, 50);
        p5[i] = stats_pct_select(v, n, 5);
        p95[i] = stats_pct_select(v, n, 95);
        lo[i] = n > 1 ? p5[i] : NAN;
        hi[i] = n > 1 ? p95[i] : NAN;
        free(v);
    }
    char title[300], ylabel[160], series_name[64];
    snprintf(title, sizeof title, "%s — %s per host%s%s%s", plugin, metric->metric,
             c->label && *c->label ? " (" : "", c->label ? c->label : "",
             c->label && *c->label ? ")" : "");
    snprintf(ylabel, sizeof ylabel, "%s%s%s%s (%s is better)", metric->metric,
             metric->unit && *metric->unit ? " [" : "", metric->unit ? metric->unit : "",
             metric->unit && *metric->unit ? "]" : "", metric->better);
    snprintf(series_name, sizeof series_name, "median (whiskers: p5–p95)");
    svg_series s = {.name = series_name, .x = x, .y = y, .n = nh, .lo = lo, .hi = hi,
                    .style = SVG_BARS, .color = 0};
    svg_chart ch = {.title = title,
                    .xlabel = "host",
                    .ylabel = ylabel,
                    .xaxis = SVG_X_CATEGORY,
                    .xcats = cats,
                    .ncats = nh,
                    .series = &s,
                    .nseries = 1,
                    .width = 560,
                    .height = 290};
    svg_chart_write(out, &ch);
    fprintf(out, "<table><tr><th>host</th><th>CPU model</th><th>runs</th><th>median</th>"
                 "<th>p5</th><th>p95</th><th>unit</th></tr>");
    for (size_t i = 0; i < nh; i++) {
        fputs("<tr><td>", out);
        esc(out, cats[i]);
        fputs("</td><td>", out);
        esc(out, hosts[i]->host_class ? hosts[i]->host_class : "-");
        fprintf(out, "</td><td class=\"n\">%zu</td>", hosts[i]->nruns);
        num_cell(out, y[i]);
        num_cell(out, p5[i]);
        num_cell(out, p95[i]);
        fputs("<td>", out);
        esc(out, metric->unit);
        fputs("</td></tr>", out);
    }
    fputs("</table>\n", out);
    return 0;
}

/* ---- sections from small queries ---------------------------------------------------------- */

/*
 * "SELECT cols FROM <the filter's runs r> joins WHERE 1 where rest": the id
 * selection joined with runs, or, for a filter that runs rows answer
 * themselves (plugin, status, host, time), runs alone, so that "ORDER BY
 * r.id DESC LIMIT N" reads N matching rows, not every run.
 */
static int prepare_runs(store *s, const qfilter *f, const char *cols, const char *joins,
                        const char *where, const char *rest, sqlite3_stmt **st)
{
    char *sql = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&sql, &len);
    if (!m)
        return BX_ENOMEM;
    int direct = qfilter_metric_conds(f, "r.", NULL);
    /* "ORDER BY r.id DESC LIMIT N": walk runs newest first and stop after N
     * (+r.col: no index for the filter, whose matches would all be sorted) */
    int newest = strstr(rest, "ORDER BY r.id DESC LIMIT") != NULL;
    fprintf(m, "%sSELECT %s FROM %s %s WHERE 1", direct ? "" : ") ", cols,
            direct ? "runs r" : "sel JOIN runs r ON r.id = sel.id", joins);
    if (direct)
        qfilter_metric_conds(f, newest ? "+r." : "r.", m);
    fprintf(m, "%s%s %s", *where ? " AND " : "", where, rest);
    if (fclose(m) != 0) {
        free(sql);
        return BX_ENOMEM;
    }
    int rc = 0;
    if (direct) {
        if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK) {
            fprintf(stderr, "benchaas report: %s: %s\n", f->db, sqlite3_errmsg(store_db(s)));
            rc = BX_EIO;
        } else {
            qfilter_metric_bind(f, *st);
        }
    } else {
        rc = qfilter_prepare(s, f, "WITH sel(id) AS (", sql, st);
    }
    free(sql);
    return rc;
}

#define SUMMARY_COLS                                                                         \
    " count(*), sum(r.status = 'ok'), sum(r.status NOT IN ('ok','queued','running')),"       \
    " count(DISTINCT r.host_id), min(r.started_at), max(r.started_at)"

/* One line of the summary: a plugin's runs. */
typedef struct sumrow {
    char *plugin;
    int64_t runs, ok, failed, hosts;
    char *first, *last; /* NULL: no start */
    size_t firstcap, lastcap;
} sumrow;

static void sumrows_free(sumrow *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].plugin);
        free(r[i].first);
        free(r[i].last);
    }
    free(r);
}

/* A new line for plugin p at the end of *rows; NULL: no memory. */
static sumrow *sumrow_add(sumrow **rows, size_t *n, const char *p)
{
    sumrow *nr = realloc(*rows, (*n + 1) * sizeof *nr);
    if (!nr)
        return NULL;
    *rows = nr;
    memset(&nr[*n], 0, sizeof nr[*n]);
    if (!(nr[*n].plugin = strdup(p ? p : "")))
        return NULL;
    return &nr[(*n)++];
}

/* t into *keep (a buffer of *cap bytes, grown as needed: a run's start usually moves the
   last start) when it is earlier (first) or later (!first) than it; 0 or BX_ENOMEM. */
static int keep_time(char **keep, size_t *cap, const char *t, int first)
{
    if (!t || (*keep && (first ? strcmp(t, *keep) >= 0 : strcmp(t, *keep) <= 0)))
        return 0;
    size_t len = strlen(t) + 1;
    if (len > *cap) {
        char *nk = realloc(*keep, len);
        if (!nk)
            return BX_ENOMEM;
        *keep = nk;
        *cap = len;
    }
    memcpy(*keep, t, len);
    return 0;
}

/*
 * The summary for a filter of plugin, status, host and time, read from
 * runs_history (configuration, start, status, host) configuration by
 * configuration, the configurations in plugin order, and counted here: neither
 * the wide runs rows nor a sort of them.  0, 1 when the filter is not of that
 * kind (or the schema has no configurations), BX_E*.
 */
static int summary_by_config(store *s, const qfilter *f, sumrow **rows, size_t *nrows)
{
    if (store_schema_version(s) < 5 || !qfilter_metric_conds(f, "r.", NULL))
        return 1;
    qfilter rest;
    if (qfilter_copy(&rest, f))
        return BX_ENOMEM;
    free(rest.plugins.v);
    rest.plugins = (qlist){0};
    char *sql = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&sql, &len);
    if (!m) {
        qfilter_free(&rest);
        return BX_ENOMEM;
    }
    fputs("SELECT c.plugin, r.status, r.host_id, r.started_at FROM configs c INDEXED BY configs_key"
          " CROSS JOIN runs r INDEXED BY runs_history ON r.config_id = c.id WHERE 1",
          m);
    for (size_t i = 0; i < f->plugins.n; i++)
        fprintf(m, "%s:sp%zu%s", i ? "," : " AND c.plugin IN (", i,
                i + 1 == f->plugins.n ? ")" : "");
    qfilter_metric_conds(&rest, "r.", m);
    sqlite3_stmt *st = NULL;
    int rc = fclose(m) != 0 ? BX_ENOMEM : 0;
    if (rc == 0 && sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        rc = BX_EIO;
    free(sql);
    if (rc == 0) {
        qfilter_metric_bind(&rest, st);
        for (size_t i = 0; i < f->plugins.n; i++) {
            char name[32];
            snprintf(name, sizeof name, ":sp%zu", i);
            sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), f->plugins.v[i], -1,
                              SQLITE_STATIC);
        }
    }
    qfilter_free(&rest);
    uint8_t *seen = NULL; /* the current plugin's hosts (by id) */
    size_t nseen = 0;
    sumrow *cur = NULL;
    int step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        if (!cur || strcmp(cur->plugin, p ? p : "") != 0) {
            if (!(cur = sumrow_add(rows, nrows, p))) {
                rc = BX_ENOMEM;
                break;
            }
            if (seen)
                memset(seen, 0, nseen);
        }
        const char *status = (const char *)sqlite3_column_text(st, 1);
        cur->runs++;
        cur->ok += status && strcmp(status, "ok") == 0;
        cur->failed += status && strcmp(status, "ok") && strcmp(status, "queued") &&
                       strcmp(status, "running");
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            int64_t h = sqlite3_column_int64(st, 2);
            if (h < 0 || h >= (1 << 24)) { /* not a row id of hosts: let SQL count */
                rc = 1;
                break;
            }
            if ((size_t)h / 8 >= nseen) {
                size_t want = (size_t)h / 8 + 64;
                uint8_t *nv = realloc(seen, want);
                if (!nv) {
                    rc = BX_ENOMEM;
                    break;
                }
                memset(nv + nseen, 0, want - nseen);
                seen = nv;
                nseen = want;
            }
            if (!(seen[h / 8] & (1u << (h % 8)))) {
                seen[h / 8] |= (uint8_t)(1u << (h % 8));
                cur->hosts++;
            }
        }
        const char *t = (const char *)sqlite3_column_text(st, 3);
        if (keep_time(&cur->first, &cur->firstcap, t, 1) ||
            keep_time(&cur->last, &cur->lastcap, t, 0))
            rc = BX_ENOMEM;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = BX_EIO;
    if (rc == BX_EIO)
        fprintf(stderr, "benchaas report: %s: %s\n", f->db, sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(st);
    free(seen);
    if (rc) {
        sumrows_free(*rows, *nrows);
        *rows = NULL;
        *nrows = 0;
    }
    return rc;
}

/* The summary of any filter, by SQL over the selected runs. */
static int summary_by_sql(store *s, const qfilter *f, sumrow **rows, size_t *nrows)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare_runs(s, f, "r.plugin," SUMMARY_COLS, "", "",
                          "GROUP BY r.plugin ORDER BY r.plugin", &st);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        sumrow *r = sumrow_add(rows, nrows, (const char *)sqlite3_column_text(st, 0));
        if (!r) {
            rc = BX_ENOMEM;
            break;
        }
        r->runs = sqlite3_column_int64(st, 1);
        r->ok = sqlite3_column_int64(st, 2);
        r->failed = sqlite3_column_int64(st, 3);
        r->hosts = sqlite3_column_int64(st, 4);
        if (keep_time(&r->first, &r->firstcap, (const char *)sqlite3_column_text(st, 5), 1) ||
            keep_time(&r->last, &r->lastcap, (const char *)sqlite3_column_text(st, 6), 0))
            rc = BX_ENOMEM;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The summary's rows of a filter, counted on connection s (a thread of its own). */
typedef struct sumjob {
    store *s;
    const qfilter *f;
    sumrow *rows;
    size_t n;
    int rc;
} sumjob;

static void *summary_rows(void *arg)
{
    sumjob *j = arg;
    j->rc = summary_by_config(j->s, j->f, &j->rows, &j->n);
    if (j->rc == 1)
        j->rc = summary_by_sql(j->s, j->f, &j->rows, &j->n);
    return NULL;
}

/* The summary section from the rows of j (taken over), and the plugins of the report. */
static int section_summary(FILE *out, sumjob *j, char ***plugins, size_t *np)
{
    sumrow *rows = j->rows;
    size_t n = j->n;
    int rc = j->rc;
    j->rows = NULL;
    j->n = 0;
    *plugins = NULL;
    *np = 0;
    if (rc == 0 && !(*plugins = calloc(n ? n : 1, sizeof **plugins)))
        rc = BX_ENOMEM;
    if (rc) {
        sumrows_free(rows, n);
        return rc;
    }
    fputs("<section id=\"summary\"><h2>Summary</h2><table><tr><th>plugin</th><th>runs</th>"
          "<th>ok</th><th>failed</th><th>hosts</th><th>first run</th><th>last run</th></tr>",
          out);
    for (size_t i = 0; i < n; i++) {
        const sumrow *r = &rows[i];
        (*plugins)[(*np)++] = r->plugin;
        fputs("<tr><td><a href=\"#p-", out);
        anchor(out, r->plugin);
        fputs("\">", out);
        esc(out, r->plugin);
        fprintf(out,
                "</a></td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                "<td class=\"n%s\">%lld</td><td class=\"n\">%lld</td><td>",
                (long long)r->runs, (long long)r->ok, r->failed ? " bad" : "",
                (long long)r->failed, (long long)r->hosts);
        time_cell(out, r->first);
        fputs("</td><td>", out);
        time_cell(out, r->last);
        fputs("</td></tr>", out);
        rows[i].plugin = NULL; /* now *plugins' */
    }
    fputs("</table></section>\n", out);
    sumrows_free(rows, n);
    return 0;
}

static void run_params_cell(FILE *out, const char *params_json)
{
    char *t = analyze_params_text(params_json);
    esc(out, t && *t ? t : "-");
    free(t);
}

static int section_timelines(FILE *out, store *s, const qfilter *f, int max)
{
    sqlite3_stmt *st, *pts = NULL;
    char *after = NULL;
    /* no timeline at all (documents of older workers): nothing to look for */
    if (sqlite3_prepare_v2(store_db(s), "SELECT EXISTS (SELECT 1 FROM timeline)", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0)
        max = 0;
    sqlite3_finalize(st);
    if (asprintf(&after, "ORDER BY r.id DESC LIMIT %d", max) < 0)
        return BX_ENOMEM;
    int rc = prepare_runs(s, f, "r.id, r.plugin, r.params_json, h.name, r.started_at, r.status",
                          "LEFT JOIN hosts h ON h.id = r.host_id",
                          "EXISTS (SELECT 1 FROM timeline t WHERE t.run_id = r.id)", after, &st);
    free(after);
    if (rc)
        return rc;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT t, rss_mib, cpu_percent FROM timeline WHERE run_id = ?1"
                           " ORDER BY seq",
                           -1, &pts, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return BX_EIO;
    }
    fputs("<section id=\"timelines\"><h2>Resource timelines</h2>"
          "<p class=\"note\">Resident memory (RSS, filled) and CPU use (line, % of one core) of "
          "the benchmark process (rank 0), sampled every 250 ms from the plugin's init to its "
          "fini.</p><div class=\"charts\">",
          out);
    int shown = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        dvec t = {0}, rss = {0}, cpu = {0};
        sqlite3_reset(pts);
        sqlite3_bind_int64(pts, 1, id);
        double peak = 0;
        while (sqlite3_step(pts) == SQLITE_ROW) {
            double r = sqlite3_column_type(pts, 1) == SQLITE_NULL ? NAN
                                                                 : sqlite3_column_double(pts, 1);
            dvec_push(&t, sqlite3_column_double(pts, 0));
            dvec_push(&rss, r);
            dvec_push(&cpu, sqlite3_column_type(pts, 2) == SQLITE_NULL
                                ? NAN
                                : sqlite3_column_double(pts, 2));
            if (r > peak)
                peak = r;
        }
        char title[400], *ptext = analyze_params_text((const char *)sqlite3_column_text(st, 2));
        const char *started = (const char *)sqlite3_column_text(st, 4);
        /* the title must fit the chart (about 70 characters): parameters cut short */
        size_t plen = ptext ? strlen(ptext) : 0;
        snprintf(title, sizeof title, "run %" PRId64 ", peak %.0f MiB: %s%s%.*s%s on %s, %.10s",
                 id, peak, sqlite3_column_text(st, 1), plen ? " " : "", plen > 24 ? 21 : (int)plen,
                 ptext ? ptext : "", plen > 24 ? "..." : "",
                 sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "?",
                 started ? started : "");
        free(ptext);
        svg_series mem = {.name = "RSS", .x = t.v, .y = rss.v, .n = t.n, .style = SVG_AREA,
                          .color = 0};
        svg_series c2 = {.name = "CPU", .x = t.v, .y = cpu.v, .n = t.n, .style = SVG_LINE,
                         .color = 1};
        svg_chart ch = {.title = title,
                        .xlabel = "seconds since init",
                        .ylabel = "RSS [MiB]",
                        .y2label = "CPU [% of a core]",
                        .xaxis = SVG_X_LINEAR,
                        .y_zero = 1,
                        .series = &mem,
                        .nseries = 1,
                        .series2 = &c2,
                        .nseries2 = 1,
                        .width = 560,
                        .height = 250};
        svg_chart_write(out, &ch);
        free(t.v);
        free(rss.v);
        free(cpu.v);
        shown++;
    }
    if (!shown)
        fputs("<p class=\"note\">No run in the selection has a resource timeline (runs stored by "
              "BenchaaS before schema version 2, or fabricated ones, have none).</p>",
              out);
    fputs("</div></section>\n", out);
    sqlite3_finalize(pts);
    sqlite3_finalize(st);
    return 0;
}

static int section_failures(FILE *out, store *s, const qfilter *f, int max)
{
    sqlite3_stmt *st, *warn = NULL;
    char *after = NULL;
    if (asprintf(&after, "ORDER BY r.id DESC LIMIT %d", max) < 0)
        return BX_ENOMEM;
    int rc = prepare_runs(s, f, "r.id, r.started_at, r.plugin, r.status, h.name, r.params_json, r.error",
                          "LEFT JOIN hosts h ON h.id = r.host_id",
                          "r.status NOT IN ('ok', 'queued', 'running')", after, &st);
    free(after);
    if (rc)
        return rc;
    sqlite3_prepare_v2(store_db(s), "SELECT text FROM warnings WHERE run_id = ?1 ORDER BY seq",
                       -1, &warn, NULL);
    fputs("<section id=\"failures\"><h2>Failures</h2>", out);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0)
            fputs("<table><tr><th>run</th><th>started (UTC)</th><th>plugin</th><th>status</th>"
                  "<th>host</th><th>parameters</th><th>error</th></tr>",
                  out);
        int64_t id = sqlite3_column_int64(st, 0);
        fprintf(out, "<tr id=\"run-%" PRId64 "-f\"><td class=\"n\">%" PRId64 "</td><td>", id, id);
        time_cell(out, (const char *)sqlite3_column_text(st, 1));
        fputs("</td><td>", out);
        esc(out, (const char *)sqlite3_column_text(st, 2));
        fputs("</td><td class=\"bad\">", out);
        esc(out, (const char *)sqlite3_column_text(st, 3));
        fputs("</td><td>", out);
        esc(out, (const char *)sqlite3_column_text(st, 4));
        fputs("</td><td>", out);
        run_params_cell(out, (const char *)sqlite3_column_text(st, 5));
        fputs("</td><td><pre class=\"err\">", out);
        const char *e = (const char *)sqlite3_column_text(st, 6);
        esc(out, e ? e : "(no error text)");
        fputs("</pre>", out);
        if (warn) {
            sqlite3_reset(warn);
            sqlite3_bind_int64(warn, 1, id);
            while (sqlite3_step(warn) == SQLITE_ROW) {
                fputs("<div class=\"note\">warning: ", out);
                esc(out, (const char *)sqlite3_column_text(warn, 0));
                fputs("</div>", out);
            }
        }
        fputs("</td></tr>\n", out);
    }
    if (n)
        fprintf(out, "</table><p class=\"note\">The %d newest runs that did not end ok.</p>", n);
    else
        fputs("<p class=\"ok\">No failed run in the selection.</p>", out);
    fputs("</section>\n", out);
    sqlite3_finalize(warn);
    sqlite3_finalize(st);
    return 0;
}

static int section_runs(FILE *out, store *s, const qfilter *f, int max)
{
    sqlite3_stmt *st, *prov = NULL;
    char *after = NULL;
    if (asprintf(&after,
                 "r.id, r.started_at, r.plugin, r.plugin_version, r.status, h.name,"
                 " r.params_json, r.ranks, r.threads, r.job_id,"
                 " (SELECT m.name FROM metrics m WHERE m.run_id = r.id AND m.better <> 'none'"
                 "   ORDER BY m.seq LIMIT 1),"
                 " (SELECT m.value FROM metrics m WHERE m.run_id = r.id AND m.better <> 'none'"
                 "   ORDER BY m.seq LIMIT 1),"
                 " (SELECT m.unit FROM metrics m WHERE m.run_id = r.id AND m.better <> 'none'"
                 "   ORDER BY m.seq LIMIT 1),"
                 " (SELECT m.value FROM metrics m WHERE m.run_id = r.id AND m.name = 'wall_time'),"
                 " (SELECT group_concat(t.tag, ', ') FROM tags t WHERE t.run_id = r.id)") < 0)
        return BX_ENOMEM;
    char rest[64];
    snprintf(rest, sizeof rest, "ORDER BY r.id DESC LIMIT %d", max);
    int rc = prepare_runs(s, f, after, "LEFT JOIN hosts h ON h.id = r.host_id", "", rest, &st);
    free(after);
    if (rc)
        return rc;
    sqlite3_prepare_v2(store_db(s), "SELECT key, value FROM provenance WHERE run_id = ?1",
                       -1, &prov, NULL);
    fputs("<section id=\"runs\"><h2>Runs</h2><table><tr><th>run</th><th>started (UTC)</th>"
          "<th>plugin</th><th>status</th><th>host</th><th>parameters</th><th>ranks×threads</th>"
          "<th>main metric</th><th>wall time</th><th>tags / job</th><th>provenance</th></tr>\n",
          out);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        n++;
        int64_t id = sqlite3_column_int64(st, 0);
        const char *status = (const char *)sqlite3_column_text(st, 4);
        fprintf(out, "<tr id=\"run-%" PRId64 "\"><td class=\"n\">%" PRId64 "</td><td>", id, id);
        time_cell(out, (const char *)sqlite3_column_text(st, 1));
        fputs("</td><td>", out);
        esc(out, (const char *)sqlite3_column_text(st, 2));
        fputs(" ", out);
        esc(out, (const char *)sqlite3_column_text(st, 3));
        fprintf(out, "</td><td class=\"%s\">", status && !strcmp(status, "ok") ? "ok" : "bad");
        esc(out, status);
        fputs("</td><td>", out);
        esc(out, (const char *)sqlite3_column_text(st, 5));
        fputs("</td><td>", out);
        run_params_cell(out, (const char *)sqlite3_column_text(st, 6));
        fprintf(out, "</td><td class=\"n\">%lld×%lld</td><td>",
                (long long)sqlite3_column_int64(st, 7), (long long)sqlite3_column_int64(st, 8));
        if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
            char buf[48];
            esc(out, (const char *)sqlite3_column_text(st, 10));
            fprintf(out, " = %s ",
                    sqlite3_column_type(st, 11) == SQLITE_NULL
                        ? "n/a"
                        : query_readable_number(sqlite3_column_double(st, 11), buf, sizeof buf));
            esc(out, (const char *)sqlite3_column_text(st, 12));
        } else {
            fputs("-", out);
        }
        fputs("</td>", out);
        if (sqlite3_column_type(st, 13) == SQLITE_NULL)
            fputs("<td>-</td>", out);
        else
            fprintf(out, "<td class=\"n\">%.1f s</td>", sqlite3_column_double(st, 13));
        fputs("<td>", out);
        esc(out, (const char *)sqlite3_column_text(st, 14));
        if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
            fputs(" job ", out);
            esc(out, (const char *)sqlite3_column_text(st, 9));
        }
        fputs("</td><td>", out);
        if (prov) {
            sqlite3_reset(prov);
            sqlite3_bind_int64(prov, 1, id);
            int k = 0;
            while (sqlite3_step(prov) == SQLITE_ROW) {
                if (k++ == 0)
                    fputs("<details><summary>show</summary><dl>", out);
                fputs("<dt>", out);
                esc(out, (const char *)sqlite3_column_text(prov, 0));
                fputs("</dt><dd>", out);
                esc(out, (const char *)sqlite3_column_text(prov, 1));
                fputs("</dd>", out);
            }
            fputs(k ? "</dl></details>" : "-", out);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</table>", out);
    fprintf(out, "<p class=\"note\">The %d newest runs of the selection (--max-runs).</p>", n);
    fputs("</section>\n", out);
    sqlite3_finalize(prov);
    sqlite3_finalize(st);
    return 0;
}

/* ---- the command ---------------------------------------------------------------------- */

/* Run time against queue wait per resource request (ok runs of the charts' selection). */
static int section_tradeoff(FILE *out, store *s, const qfilter *charts)
{
    qfilter tf;
    tradeoff_result r;
    char err[512];
    if (qfilter_copy(&tf, charts))
        return BX_ENOMEM;
    free(tf.statuses.v);
    tf.statuses = (qlist){0};
    qfilter_option(&tf, "--status", "ok");
    int rc = tradeoff_analyze(s, &tf, &r, err, sizeof err);
    if (rc == 0)
        tradeoff_write_html(&r, out);
    tradeoff_free(&r);
    qfilter_free(&tf);
    return rc;
}

/* Every node against its fleet, as check --across-nodes judges it (newest ok runs). */
static int section_nodes(FILE *out, store *s, const qfilter *charts)
{
    qfilter nf;
    nodes_opts o = {3.0, 0.05, 4};
    nodes_result r = {0};
    if (qfilter_copy(&nf, charts))
        return BX_ENOMEM;
    nf.latest = 1;
    free(nf.statuses.v);
    nf.statuses = (qlist){0};
    qfilter_option(&nf, "--status", "ok");
    int rc = nodes_analyze(s, &nf, &o, &r);
    if (rc == 0)
        nodes_write_html(&r, out);
    nodes_free(&r);
    qfilter_free(&nf);
    return rc;
}

/* One plugin's section: headline charts over time, the rest behind "more metrics", sweeps and
   hosts side by side.  0 or a negative BX_E* code. */
static int section_plugin(FILE *out, store *s, const model *mp, sqlite3_stmt *bst,
                          const char *plugin, cfg **cfgs, size_t max_series)
{
    int rc = 0;
    fputs("<section id=\"p-", out);
    anchor(out, plugin);
    fputs("\"><h2>", out);
    esc(out, plugin);
    fputs("</h2>", out);
    const aentry *metrics[8];
    size_t nm = plugin_metrics(mp, plugin, metrics, 8);
    size_t nc = plugin_cfgs(mp, plugin, cfgs);
    if (nm == 0 || nc == 0) {
        fputs("<p class=\"note\">No ok run with a higher- or lower-is-better metric.</p>"
              "</section>\n",
              out);
        return 0;
    }
    fprintf(out, "<h3>Over time</h3><p class=\"note\">%zu configuration%s. The shaded band "
                 "is the reference of <code>benchaas check</code>: the baseline 'default' ± "
                 "its tolerance, or else the median ± 3·MAD (at least ±1 %%) of the last 20 "
                 "runs, here over all hosts (check compares within a host class).</p>"
                 "<div class=\"charts\">",
            nc, nc == 1 ? "" : "s");
    /* headline metrics first; the rest behind "more metrics"; a metric with one value
       per configuration is a table row, not a chart of single points */
    size_t nhead = 0, nmore = 0;
    for (size_t k = 0; k < nm; k++)
        nhead += metrics[k]->headline;
    if (nhead == 0)
        nhead = 1;
    int single[8];
    for (size_t k = 0; k < nm; k++)
        single[k] = max_points(cfgs, nc, metrics[k]->metric) <= 1;
    for (size_t k = 0; k < nhead && rc == 0; k++)
        if (!single[k])
            rc = chart_over_time(out, store_db(s), bst, plugin, metrics[k], cfgs, nc, max_series);
    fputs("</div>", out);
    single_values_table(out, metrics, nhead, single, cfgs, nc);
    for (size_t k = nhead; k < nm; k++)
        nmore++;
    if (nmore && rc == 0) {
        fprintf(out, "<details class=\"more\"><summary>more metrics (%zu)</summary>"
                     "<div class=\"charts\">",
                nmore);
        for (size_t k = nhead; k < nm && rc == 0; k++)
            if (!single[k])
                rc = chart_over_time(out, store_db(s), bst, plugin, metrics[k], cfgs, nc, max_series);
        fputs("</div>", out);
        single_values_table(out, metrics + nhead, nm - nhead, single + nhead, cfgs, nc);
        fputs("</details>", out);
    }
    swept sw[6];
    size_t nsw = find_swept(cfgs, nc, sw, 6);
    if (nsw) {
        fputs("<h3>Sweeps</h3><div class=\"charts\">", out);
        for (size_t k = 0; k < nsw && rc == 0; k++)
            for (size_t j = 0; j < nhead && rc == 0; j++)
                rc = chart_sweep(out, s, plugin, metrics[j], cfgs, nc, sw, nsw, &sw[k]);
        fputs("</div>", out);
    }
    for (size_t k = 0; k < nsw; k++)
        free(sw[k].name);
    /* hosts: the most-run configuration that ran on several hosts */
    for (size_t k = 0; k < nc; k++) {
        size_t hosts = 0;
        for (size_t j = 0; j < cfgs[k]->nents; j++)
            hosts += strcmp(cfgs[k]->ents[j]->metric, metrics[0]->metric) == 0;
        if (hosts >= 2) {
            fputs("<h3>Hosts side by side</h3>", out);
            rc = chart_hosts(out, plugin, metrics[0], cfgs[k]);
            break;
        }
    }
    fputs("</section>\n", out);
    return rc;
}

/* The plugins' sections, written into a text each by up to two threads (the second on twin
   0 of the store, idle once the series pass is done), then in order into the page. */
typedef struct secpass {
    const model *m;
    char *const *plugins;
    size_t np, max_series;
    char **text;
    size_t *len;
    int *rc;
    pthread_mutex_t mu; /* (threaded) guards next */
    int threaded;
    size_t next; /* the next plugin not taken */
} secpass;

typedef struct secworker {
    secpass *p;
    store *s; /* this thread's connection */
} secworker;

static void *section_worker(void *arg)
{
    secworker *w = arg;
    secpass *p = w->p;
    sqlite3_stmt *bst = NULL;
    sqlite3_prepare_v2(store_db(w->s),
                       "SELECT value, tolerance FROM baselines WHERE name = 'default' AND "
                       "plugin = ?1 AND params_json IN (?2, '{}') AND metric = ?3"
                       " ORDER BY params_json = '{}' LIMIT 1",
                       -1, &bst, NULL);
    cfg **cfgs = malloc((p->m->ncfgs ? p->m->ncfgs : 1) * sizeof *cfgs);
    for (;;) {
        if (p->threaded)
            pthread_mutex_lock(&p->mu);
        size_t k = p->next < p->np ? p->next++ : p->np;
        if (p->threaded)
            pthread_mutex_unlock(&p->mu);
        if (k >= p->np)
            break;
        FILE *mem = cfgs ? open_memstream(&p->text[k], &p->len[k]) : NULL;
        if (!mem) {
            p->rc[k] = BX_ENOMEM;
            continue;
        }
        /* the charts' ids: the same whichever thread writes the section */
        char scope[16];
        snprintf(scope, sizeof scope, "p%zu", k + 1);
        svg_id_scope(scope);
        p->rc[k] = section_plugin(mem, w->s, p->m, bst, p->plugins[k], cfgs, p->max_series);
        svg_id_scope(NULL);
        if (fclose(mem) != 0 && p->rc[k] == 0)
            p->rc[k] = BX_ENOMEM;
    }
    free(cfgs);
    sqlite3_finalize(bst);
    return NULL;
}

/* Every plugin's section into out, in the order of plugins.  0 or a negative BX_E* code. */
static int plugin_sections(FILE *out, store *s, const model *m, char *const *plugins, size_t np,
                           size_t max_series)
{
    secpass p = {.m = m, .plugins = plugins, .np = np, .max_series = max_series};
    p.text = calloc(np ? np : 1, sizeof *p.text);
    p.len = calloc(np ? np : 1, sizeof *p.len);
    p.rc = calloc(np ? np : 1, sizeof *p.rc);
    int rc = 0;
    if (!p.text || !p.len || !p.rc) {
        rc = BX_ENOMEM;
        goto out;
    }
    secworker mine = {&p, s}, other = {&p, store_twin(s, 0)};
    analyze_run_pair(section_worker, &mine, other.s && np > 1 ? &other : NULL, &p.mu,
                     &p.threaded);
    for (size_t k = 0; k < np && rc == 0; k++)
        if ((rc = p.rc[k]) == 0 && p.len[k])
            fwrite(p.text[k], 1, p.len[k], out);
out:
    for (size_t k = 0; k < np && p.text; k++)
        free(p.text[k]);
    free(p.text);
    free(p.len);
    free(p.rc);
    return rc;
}

static int write_report(FILE *out, store *s, const qfilter *f, const qfilter *charts,
                        const char *title, int max_runs, int max_timelines, size_t max_series,
                        const char *cmdline)
{
    model m = {0};
    char **plugins = NULL;
    size_t np = 0;
    char now[32];
    int rc;
    store_time_format((int64_t)time(NULL), now, sizeof now);

    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">"
          "<meta name=\"generator\" content=\"benchaas " BENCHAAS_VERSION "\"><title>",
          out);
    esc(out, title);
    fprintf(out, "</title><style>%s</style></head><body>\n<header><h1>", css);
    esc(out, title);
    fputs("</h1><p class=\"meta\">Database <code>", out);
    esc(out, f->db);
    fprintf(out, "</code> · generated %s UTC by benchaas %s · <code>", now, BENCHAAS_VERSION);
    esc(out, cmdline);
    fputs("</code></p></header>\n", out);

    /* the summary counted by a thread of its own on a twin connection (the same snapshot)
       while the series pass reads, else here */
    sumjob sj = {store_twin(s, 1) ? store_twin(s, 1) : s, f, NULL, 0, 0};
    pthread_t stid;
    int sum_threaded = store_twin(s, 1) && pthread_create(&stid, NULL, summary_rows, &sj) == 0;
    if (!sum_threaded)
        summary_rows(&sj);
    rc = aset_load(s, charts, ASET_PER_HOST | ASET_TIMES | ASET_DIRECTIONAL | ASET_SERIES, &m.a);
    if (sum_threaded)
        pthread_join(stid, NULL);
    if (rc != 0) {
        sumrows_free(sj.rows, sj.n);
        goto out;
    }
    if ((rc = section_summary(out, &sj, &plugins, &np)) != 0)
        goto out;
    fputs("<nav>", out);
    for (size_t i = 0; i < np; i++) {
        fputs("<a href=\"#p-", out);
        anchor(out, plugins[i]);
        fputs("\">", out);
        esc(out, plugins[i]);
        fputs("</a>", out);
    }
    fputs("<a href=\"#timelines\">resource timelines</a><a href=\"#failures\">failures</a>"
          "<a href=\"#runs\">runs</a></nav>\n",
          out);
    if (np == 0)
        fputs("<p class=\"note\">No run matches the selection.</p>", out);

    if ((rc = build_model(&m)) != 0)
        goto out;
    rc = plugin_sections(out, s, &m, plugins, np, max_series);
    if (rc == 0)
        rc = section_nodes(out, s, charts);
    if (rc == 0)
        rc = section_tradeoff(out, s, charts);
    if (rc == 0)
        rc = section_timelines(out, s, f, max_timelines);
    if (rc == 0)
        rc = section_failures(out, s, f, 100);
    if (rc == 0)
        rc = section_runs(out, s, f, max_runs);
    fputs("<footer><p class=\"note\">Values are as stored; rates are the best repetition of a "
          "run. Query the same data with <code>benchaas query</code> or SQL on the views of "
          "docs/database.md.</p></footer>\n</body></html>\n",
          out);
out:
    for (size_t i = 0; i < np; i++)
        free(plugins[i]);
    free(plugins);
    model_free(&m);
    return rc;
}

int report_render_html(FILE *out, store *s, const qfilter *f, const report_opts *o, char *err,
                       size_t errlen)
{
    qfilter charts;
    if (qfilter_copy(&charts, f))
        return errf(err, errlen, BX_ENOMEM, "out of memory");
    if (charts.statuses.n == 0)
        qfilter_option(&charts, "--status", "ok");
    /* one snapshot; with two more connections on it (a write lock for a moment), the
       series pass reads with two threads (analyze.c) while a third counts the summary */
    char terr[256];
    if (store_open_twins(s, 2, terr, sizeof terr) != 0)
        sqlite3_exec(store_db(s), "BEGIN", NULL, NULL, NULL);
    int rc = write_report(out, s, f, &charts, o->title ? o->title : "BenchaaS report",
                          o->max_runs, o->max_timelines, o->max_series > 0 ? o->max_series : 1,
                          o->cmdline ? o->cmdline : "benchaas report");
    if (rc == BX_ENOMEM)
        errf(err, errlen, rc, "out of memory");
    else if (rc)
        errf(err, errlen, rc, "%s: %s", f->db, sqlite3_errmsg(store_db(s)));
    sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL);
    store_twins_close(s);
    qfilter_free(&charts);
    return rc;
}
