/*
 * report_charts.c — the charts of the report (svg.c draws): each metric
 * over time with the band `check` holds the next run to and its level
 * shifts; sweeps, a metric against each parameter that varies; hosts side
 * by side.
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
#include "changepoint.h"
#include "checkcp.h"
#include "nodes.h"
#include "query.h"
#include "report.h"
#include "reportint.h"
#include "stats.h"
#include "svg.h"
#include "tradeoff.h"
#include "util.h"

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
size_t max_points(cfg **cfgs, size_t n, const char *metric)
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
void single_values_table(FILE *out, const aentry *const *metrics, size_t nm,
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

int chart_over_time(FILE *out, sqlite3 *db, sqlite3_stmt *bst, const char *plugin,
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
size_t find_swept(cfg **cfgs, size_t n, swept *out, size_t max)
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

int chart_sweep(FILE *out, store *s, const char *plugin, const aentry *metric, cfg **cfgs,
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

int chart_hosts(FILE *out, const char *plugin, const aentry *metric, const cfg *c)
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
