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
#include "reportint.h"
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

/* ---- the page ---------------------------------------------------------------------- */

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
