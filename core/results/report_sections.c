/*
 * report_sections.c — the report's sections from small queries: the
 * summary per plugin, the resource timelines of the newest runs, the failed
 * runs with their error text, the newest runs with their provenance.
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

void sumrows_free(sumrow *r, size_t n)
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

void *summary_rows(void *arg)
{
    sumjob *j = arg;
    j->rc = summary_by_config(j->s, j->f, &j->rows, &j->n);
    if (j->rc == 1)
        j->rc = summary_by_sql(j->s, j->f, &j->rows, &j->n);
    return NULL;
}

/* The summary section from the rows of j (taken over), and the plugins of the report. */
int section_summary(FILE *out, sumjob *j, char ***plugins, size_t *np)
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

int section_timelines(FILE *out, store *s, const qfilter *f, int max)
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

int section_failures(FILE *out, store *s, const qfilter *f, int max)
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

int section_runs(FILE *out, store *s, const qfilter *f, int max)
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
