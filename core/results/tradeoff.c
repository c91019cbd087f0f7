/*
 * tradeoff.c — run time against queue wait per resource request (see
 * tradeoff.h).
 *
 * A configuration here is the plugin and its parameters without ranks and
 * threads: those are what is traded.  Hosts are pooled.  A run without a
 * queue_wait metric (not run under Slurm) waited 0 s; the output says how
 * many runs had one.
 */
#define _GNU_SOURCE
#include "tradeoff.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"
#include "stats.h"
#include "svg.h"
#include "table.h"

static void set_err(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

/* The configurations that share their plugin and parameters with one of another request
 * (ranks, threads): only their runs can show a trade-off. */
#define TRADED_CONFIGS                                                                       \
    "SELECT c.id FROM configs c WHERE EXISTS (SELECT 1 FROM configs d"                       \
    " WHERE d.plugin = c.plugin AND d.params_json = c.params_json"                           \
    " AND (coalesce(d.ranks, 1) != coalesce(c.ranks, 1)"                                     \
    " OR coalesce(d.threads, 1) != coalesce(c.threads, 1)))"

static const char runs_sql[] =
    ") SELECT r.plugin, r.params_json, coalesce(r.ranks, 1), coalesce(r.threads, 1),"
    "  (SELECT m.value FROM metrics m WHERE m.run_id = r.id AND m.name = 'wall_time'),"
    "  (SELECT m.value FROM metrics m WHERE m.run_id = r.id AND m.name = 'queue_wait')"
    "  FROM sel JOIN runs r ON r.id = sel.id WHERE r.config_id IN (" TRADED_CONFIGS ")"
    "  ORDER BY r.plugin, r.params_json, r.id";

/* 1 when some configuration was run with more than one request, 0 when none, -1 error. */
static int any_traded(store *s)
{
    sqlite3_stmt *st;
    if (store_schema_version(s) < 5)
        return 1;
    if (sqlite3_prepare_v2(store_db(s), "SELECT EXISTS (" TRADED_CONFIGS ")", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) != 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

static tradeoff_req *find_req(tradeoff_cfg *c, int64_t ranks, int64_t threads)
{
    for (size_t i = 0; i < c->nreq; i++)
        if (c->reqs[i].ranks == ranks && c->reqs[i].threads == threads)
            return &c->reqs[i];
    tradeoff_req *n = realloc(c->reqs, (c->nreq + 1) * sizeof *n);
    if (!n)
        return NULL;
    c->reqs = n;
    tradeoff_req *q = &c->reqs[c->nreq++];
    memset(q, 0, sizeof *q);
    q->ranks = ranks;
    q->threads = threads;
    q->cores = ranks * threads;
    return q;
}

static void med_spread(dvec *d, double *med, double *spread)
{
    stats_sort(d->v, d->n);
    *med = stats_pct_sorted(d->v, d->n, 50);
    *spread = d->n ? stats_pct_sorted(d->v, d->n, 75) - stats_pct_sorted(d->v, d->n, 25) : NAN;
}

static int cmp_req(const void *pa, const void *pb)
{
    const tradeoff_req *a = pa, *b = pb;
    if (a->cores != b->cores)
        return a->cores < b->cores ? -1 : 1;
    return a->ranks < b->ranks ? -1 : a->ranks > b->ranks;
}

static void cfg_free(tradeoff_cfg *c)
{
    for (size_t i = 0; i < c->nreq; i++) {
        free(c->reqs[i].run.v);
        free(c->reqs[i].wait.v);
        free(c->reqs[i].total.v);
    }
    free(c->reqs);
    free(c->plugin);
    free(c->params);
    free(c->label);
}

int tradeoff_analyze(store *s, const qfilter *f, tradeoff_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = NULL;
    int traded = any_traded(s);
    if (traded == 0)
        return 0; /* nothing to read: every configuration ran with one request */
    if (traded < 0 || qfilter_prepare(s, f, "WITH sel(id) AS (", runs_sql, &st) != 0) {
        set_err(err, errlen, "cannot read the runs");
        return BX_EIO;
    }
    tradeoff_cfg cur = {0};
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *plugin = (const char *)sqlite3_column_text(st, 0);
        const char *params = (const char *)sqlite3_column_text(st, 1);
        if (!plugin)
            continue;
        if (!params)
            params = "{}";
        if (sqlite3_column_type(st, 4) == SQLITE_NULL)
            continue; /* no run time */
        if (!cur.plugin || strcmp(cur.plugin, plugin) || strcmp(cur.params, params)) {
            if (cur.plugin) {
                if (cur.nreq >= 2) {
                    tradeoff_cfg *n = realloc(out->c, (out->n + 1) * sizeof *n);
                    if (!n) {
                        rc = BX_ENOMEM;
                        break;
                    }
                    out->c = n;
                    out->c[out->n++] = cur;
                } else {
                    cfg_free(&cur);
                }
            }
            memset(&cur, 0, sizeof cur);
            cur.plugin = strdup(plugin);
            cur.params = strdup(params);
            if (!cur.plugin || !cur.params) {
                rc = BX_ENOMEM;
                break;
            }
        }
        tradeoff_req *q = find_req(&cur, sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
        if (!q) {
            rc = BX_ENOMEM;
            break;
        }
        double run = sqlite3_column_double(st, 4);
        int has_wait = sqlite3_column_type(st, 5) != SQLITE_NULL;
        double wait = has_wait ? sqlite3_column_double(st, 5) : 0;
        q->waits += has_wait;
        if (dvec_push(&q->run, run) || dvec_push(&q->wait, wait) ||
            dvec_push(&q->total, run + wait)) {
            rc = BX_ENOMEM;
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE) {
        set_err(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
        rc = BX_EIO;
    }
    sqlite3_finalize(st);
    if (rc == 0 && cur.plugin && cur.nreq >= 2) {
        tradeoff_cfg *n = realloc(out->c, (out->n + 1) * sizeof *n);
        if (!n) {
            rc = BX_ENOMEM;
        } else {
            out->c = n;
            out->c[out->n++] = cur;
            memset(&cur, 0, sizeof cur);
        }
    }
    cfg_free(&cur);
    for (size_t k = 0; k < out->n && rc == 0; k++) {
        tradeoff_cfg *c = &out->c[k];
        qsort(c->reqs, c->nreq, sizeof *c->reqs, cmp_req);
        c->label = analyze_params_text(c->params);
        if (!c->label)
            rc = BX_ENOMEM;
        for (size_t i = 0; i < c->nreq; i++) {
            tradeoff_req *q = &c->reqs[i];
            med_spread(&q->run, &q->run_med, &q->run_spread);
            med_spread(&q->wait, &q->wait_med, &q->wait_spread);
            med_spread(&q->total, &q->total_med, &q->total_spread);
        }
        const tradeoff_req *base = &c->reqs[0];
        for (size_t i = 0; i < c->nreq; i++) {
            tradeoff_req *q = &c->reqs[i];
            q->speedup = q->run_med > 0 ? base->run_med / q->run_med : NAN;
            q->efficiency = base->cores > 0 && q->cores > 0
                                ? q->speedup / ((double)q->cores / (double)base->cores)
                                : NAN;
            if (i > 0 && q->cores == base->cores) /* the same cost split otherwise: no speedup */
                q->speedup = q->efficiency = NAN;
        }
    }
    if (rc == BX_ENOMEM)
        set_err(err, errlen, "out of memory");
    if (rc)
        tradeoff_free(out);
    return rc;
}

void tradeoff_free(tradeoff_result *r)
{
    for (size_t k = 0; k < r->n; k++)
        cfg_free(&r->c[k]);
    free(r->c);
    memset(r, 0, sizeof *r);
}

/* ---- renderers ------------------------------------------------------------------ */

static const char *num(double v, char *buf, size_t len)
{
    if (!isfinite(v))
        return "-";
    return query_readable_number(v, buf, len);
}

static const char *fixed(double v, int digits, char *buf, size_t len)
{
    if (!isfinite(v))
        return "-";
    snprintf(buf, len, "%.*f", digits, v);
    return buf;
}

static cJSON *jnum(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

int tradeoff_render(const tradeoff_result *r, const char *format, FILE *out)
{
    char b[12][48];
    if (strcmp(format, "json") == 0) {
        cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "tradeoffs");
        for (size_t k = 0; k < r->n; k++) {
            const tradeoff_cfg *c = &r->c[k];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "plugin", c->plugin);
            cJSON *p = cJSON_Parse(c->params);
            cJSON_AddItemToObject(o, "params", p ? p : cJSON_CreateObject());
            cJSON *reqs = cJSON_AddArrayToObject(o, "requests");
            for (size_t i = 0; i < c->nreq; i++) {
                const tradeoff_req *q = &c->reqs[i];
                cJSON *x = cJSON_CreateObject();
                cJSON_AddNumberToObject(x, "ranks", (double)q->ranks);
                cJSON_AddNumberToObject(x, "threads", (double)q->threads);
                cJSON_AddNumberToObject(x, "cores", (double)q->cores);
                cJSON_AddNumberToObject(x, "runs", (double)q->run.n);
                cJSON_AddNumberToObject(x, "runs_with_queue_wait", (double)q->waits);
                cJSON_AddItemToObject(x, "run_time_median", jnum(q->run_med));
                cJSON_AddItemToObject(x, "run_time_spread", jnum(q->run_spread));
                cJSON_AddItemToObject(x, "queue_wait_median", jnum(q->wait_med));
                cJSON_AddItemToObject(x, "queue_wait_spread", jnum(q->wait_spread));
                cJSON_AddItemToObject(x, "total_median", jnum(q->total_med));
                cJSON_AddItemToObject(x, "total_spread", jnum(q->total_spread));
                cJSON_AddItemToObject(x, "speedup", jnum(q->speedup));
                cJSON_AddItemToObject(x, "efficiency", jnum(q->efficiency));
                cJSON_AddItemToArray(reqs, x);
            }
            cJSON_AddItemToArray(arr, o);
        }
        char *t = cJSON_Print(root);
        cJSON_Delete(root);
        if (!t)
            return BX_ENOMEM;
        fprintf(out, "%s\n", t);
        cJSON_free(t);
        return 0;
    }
    if (strcmp(format, "csv") == 0) {
        fputs("plugin,params,ranks,threads,cores,runs,runs_with_queue_wait,run_time_median,"
              "run_time_spread,queue_wait_median,queue_wait_spread,total_median,total_spread,"
              "speedup,efficiency\n",
              out);
        for (size_t k = 0; k < r->n; k++)
            for (size_t i = 0; i < r->c[k].nreq; i++) {
                const tradeoff_req *q = &r->c[k].reqs[i];
                query_csv_field(out, r->c[k].plugin, 0);
                query_csv_field(out, r->c[k].label, 0);
                fprintf(out, "%lld,%lld,%lld,%zu,%zu,", (long long)q->ranks,
                        (long long)q->threads, (long long)q->cores, q->run.n, q->waits);
                const double v[] = {q->run_med,   q->run_spread,   q->wait_med, q->wait_spread,
                                    q->total_med, q->total_spread, q->speedup,  q->efficiency};
                for (int j = 0; j < 8; j++)
                    query_csv_field(out, isfinite(v[j]) ? query_exact_number(v[j], b[0], 48) : NULL,
                                    j == 7);
            }
        return 0;
    }
    static const char *const head[] = {"plugin",     "config",  "ranks",  "threads",
                                       "runs",       "run time", "spread", "queue wait",
                                       "spread",     "sum",     "spread", "speedup",
                                       "efficiency"};
    ttable t;
    ttable_init(&t, 13, head, "llrrrrrrrrrrr");
    for (size_t k = 0; k < r->n; k++)
        for (size_t i = 0; i < r->c[k].nreq; i++) {
            const tradeoff_req *q = &r->c[k].reqs[i];
            ttable_add(&t, r->c[k].plugin);
            ttable_add(&t, r->c[k].label[0] ? r->c[k].label : "-");
            snprintf(b[0], 48, "%lld", (long long)q->ranks);
            snprintf(b[1], 48, "%lld", (long long)q->threads);
            snprintf(b[2], 48, "%zu", q->run.n);
            ttable_add(&t, b[0]);
            ttable_add(&t, b[1]);
            ttable_add(&t, b[2]);
            ttable_add(&t, num(q->run_med, b[3], 48));
            ttable_add(&t, num(q->run_spread, b[4], 48));
            ttable_add(&t, num(q->wait_med, b[5], 48));
            ttable_add(&t, num(q->wait_spread, b[6], 48));
            ttable_add(&t, num(q->total_med, b[7], 48));
            ttable_add(&t, num(q->total_spread, b[8], 48));
            ttable_add(&t, fixed(q->speedup, 2, b[9], 48));
            snprintf(b[10], 48, "%.0f %%", q->efficiency * 100);
            ttable_add(&t, isfinite(q->efficiency) ? b[10] : "-");
        }
    int rc = ttable_print(&t, out);
    ttable_free(&t);
    if (rc == 0)
        fputs("\nTimes in s: medians over the runs, spread = p75 - p25; sum = run time + queue "
              "wait (0 for runs outside Slurm); speedup and efficiency of the run time against "
              "the smallest request (cores = ranks x threads).\n",
              out);
    return rc;
}

static void esc(FILE *out, const char *s) { svg_escape(out, s ? s : ""); }

void tradeoff_write_html(const tradeoff_result *r, FILE *out)
{
    if (r->n == 0)
        return;
    fputs("<section id=\"tradeoff\"><h2>Resource trade-off</h2><p class=\"note\">The same "
          "configuration with different resource requests (cores = ranks × threads): run time, "
          "queue wait and their sum (medians over the runs, spread p25–p75), and the speedup of "
          "the run time against the smallest request; the dashed line is ideal scaling. "
          "<code>benchaas query --tradeoff</code> prints the same.</p>",
          out);
    char b[8][48];
    for (size_t k = 0; k < r->n; k++) {
        const tradeoff_cfg *c = &r->c[k];
        fputs("<h3>", out);
        esc(out, c->plugin);
        if (c->label[0]) {
            fputc(' ', out);
            esc(out, c->label);
        }
        fputs("</h3><table><tr><th>ranks</th><th>threads</th><th>runs</th><th>run time (s)</th>"
              "<th>queue wait (s)</th><th>sum (s, lower is better)</th><th>speedup</th>"
              "<th>efficiency</th></tr>",
              out);
        double *x = malloc(c->nreq * sizeof *x), *sp = malloc(c->nreq * sizeof *sp),
               *ideal = malloc(c->nreq * sizeof *ideal), *run = malloc(c->nreq * sizeof *run),
               *wait = malloc(c->nreq * sizeof *wait), *tot = malloc(c->nreq * sizeof *tot);
        for (size_t i = 0; i < c->nreq; i++) {
            const tradeoff_req *q = &c->reqs[i];
            const tradeoff_req *b0 = &c->reqs[0];
            if (i > 0 && q->cores == b0->cores) /* equal cost: what changed, no speedup */
                snprintf(b[6], 48, "same %lld cores as %lld×%lld: run time %+.0f %%",
                         (long long)q->cores, (long long)b0->ranks, (long long)b0->threads,
                         b0->run_med > 0 ? 100 * (q->run_med / b0->run_med - 1) : NAN);
            else
                snprintf(b[6], 48, "%s", fixed(q->speedup, 2, b[7], 48));
            snprintf(b[7], 48, isfinite(q->efficiency) ? "%.0f %%" : "–", q->efficiency * 100);
            fprintf(out,
                    "<tr><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%zu"
                    "</td><td class=\"n\">%s ± %s</td><td class=\"n\">%s ± %s</td>"
                    "<td class=\"n\">%s ± %s</td><td class=\"n\">%s</td><td class=\"n\">%s"
                    "</td></tr>",
                    (long long)q->ranks, (long long)q->threads, q->run.n,
                    num(q->run_med, b[0], 48), num(q->run_spread / 2, b[1], 48),
                    num(q->wait_med, b[2], 48), num(q->wait_spread / 2, b[3], 48),
                    num(q->total_med, b[4], 48), num(q->total_spread / 2, b[5], 48), b[6], b[7]);
            if (x && sp && ideal && run && wait && tot) {
                x[i] = (double)q->cores;
                sp[i] = q->speedup;
                ideal[i] = (double)q->cores / (double)c->reqs[0].cores;
                run[i] = q->run_med;
                wait[i] = q->wait_med;
                tot[i] = q->total_med;
            }
        }
        fputs("</table><div class=\"charts\">", out);
        if (x && sp && ideal && run && wait && tot) {
            int logx = x[c->nreq - 1] / x[0] > 10;
            svg_series s1[2] = {
                {"speedup", x, sp, c->nreq, NULL, NULL, SVG_LINE | SVG_POINTS, 0, 0},
                {"ideal", x, ideal, c->nreq, NULL, NULL, SVG_LINE, 7, 1},
            };
            svg_chart ch = {0};
            ch.title = "Speedup against the smallest request (higher is better)";
            ch.xlabel = "cores (ranks × threads)";
            ch.ylabel = "speedup (×)";
            ch.width = 520;
            ch.height = 280;
            ch.xaxis = logx ? SVG_X_LOG : SVG_X_LINEAR;
            ch.y_zero = 1;
            ch.series = s1;
            ch.nseries = 2;
            svg_chart_write(out, &ch);
            svg_series s2[3] = {
                {"run time", x, run, c->nreq, NULL, NULL, SVG_LINE | SVG_POINTS, 0, 0},
                {"queue wait", x, wait, c->nreq, NULL, NULL, SVG_LINE | SVG_POINTS, 1, 0},
                {"sum", x, tot, c->nreq, NULL, NULL, SVG_LINE | SVG_POINTS, 2, 1},
            };
            svg_chart ch2 = ch;
            ch2.title = "Time per request (s, lower is better)";
            ch2.ylabel = "s";
            ch2.series = s2;
            ch2.nseries = 3;
            svg_chart_write(out, &ch2);
        }
        fputs("</div>", out);
        free(x);
        free(sp);
        free(ideal);
        free(run);
        free(wait);
        free(tot);
    }
    fputs("</section>\n", out);
}
