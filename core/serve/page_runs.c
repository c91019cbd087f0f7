/*
 * page_runs.c — one run (/runs/{id}): parameters, metrics, samples chart, resource timeline, provenance.
 * See page_kit.h for how a page is written.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "api.h"
#include "headline.h"
#include "host.h"
#include "jobs.h"
#include "loader.h"
#include "page_kit.h"
#include "page_runs.h"
#include "page_board.h"
#include "page_yard.h"
#include "pages.h"
#include "scheduler.h"
#include "svg.h"
#include "util.h"

#define APP(r) ((serve_app *)http_app(r))
#define HTML PAGE_HTML

/* ---- runs ------------------------------------------------------------------------------------ */

static void kv_object(FILE *f, const cJSON *o)
{
    fputs("<dl class=\"kv\">", f);
    const cJSON *it;
    cJSON_ArrayForEach(it, o)
    {
        fputs("<dt>", f);
        html_txt(f, it->string);
        fputs("</dt><dd>", f);
        const cJSON *v = cJSON_IsObject(it) && cJSON_GetObjectItemCaseSensitive(it, "value")
                             ? cJSON_GetObjectItemCaseSensitive(it, "value")
                             : it;
        if (cJSON_IsString(v)) {
            html_txt(f, v->valuestring);
        } else {
            char *t = cJSON_PrintUnformatted(v);
            html_txt(f, t);
            free(t);
        }
        fputs("</dd>", f);
    }
    fputs("</dl>", f);
}

/* The samples of a run: one chart per unit, a line per metric (at most 6), x the sample. */
static void run_charts(FILE *f, const cJSON *run)
{
    const cJSON *samples = cJSON_GetObjectItemCaseSensitive(run, "samples");
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(run, "metrics");
    fputs("<h2>Samples</h2>", f);
    strvec units = {0};
    const cJSON *m;
    cJSON_ArrayForEach(m, metrics) /* in the plugin's declared order */
    {
        const char *u = page_jstr(m, "unit");
        const cJSON *sm = cJSON_GetObjectItemCaseSensitive(samples, m->string);
        if (!cJSON_IsArray(sm))
            continue;
        int seen = 0;
        for (size_t i = 0; i < units.n; i++)
            seen |= strcmp(units.v[i], u ? u : "") == 0;
        if (!seen && cJSON_GetArraySize(sm) > 0 && units.n < 4)
            strvec_push(&units, u ? u : "");
    }
    if (units.n)
        fputs("<div class=\"charts\">", f);
    for (size_t ui = 0; ui < units.n; ui++) {
        svg_series ser[6];
        double *bufs[12];
        size_t ns = 0, nmax = 0, nmore = 0;
        cJSON_ArrayForEach(m, metrics)
        {
            const char *u = page_jstr(m, "unit");
            const cJSON *arr = cJSON_GetObjectItemCaseSensitive(samples, m->string);
            size_t n = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
            if (strcmp(u ? u : "", units.v[ui]) != 0 || !n)
                continue;
            if (ns == 6) {
                nmore++;
                continue;
            }
            double *x = xmalloc(n * sizeof *x), *y = xmalloc(n * sizeof *y);
            size_t k = 0;
            const cJSON *sm;
            cJSON_ArrayForEach(sm, arr)
            {
                const cJSON *v = cJSON_GetArrayItem(sm, 2);
                x[k] = (double)k;
                y[k] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
                k++;
            }
            nmax = k > nmax ? k : nmax;
            bufs[2 * ns] = x;
            bufs[2 * ns + 1] = y;
            ser[ns] = (svg_series){.name = m->string, .x = x, .y = y, .n = k,
                                   .style = SVG_LINE | SVG_POINTS, .color = (int)ns};
            ns++;
        }
        char title[200], ylabel[120];
        snprintf(title, sizeof title, "Every sample%s%s%s", *units.v[ui] ? " (" : "",
                 units.v[ui], *units.v[ui] ? ")" : "");
        snprintf(ylabel, sizeof ylabel, "%s", *units.v[ui] ? units.v[ui] : "value");
        char **cats = xmalloc((nmax ? nmax : 1) * sizeof *cats);
        for (size_t i = 0; i < nmax; i++)
            cats[i] = xasprintf("%zu", i + 1);
        svg_chart c = {.title = title, .xlabel = "sample (repetition order)", .ylabel = ylabel,
                       .width = 560, .height = 260, .xaxis = SVG_X_CATEGORY,
                       .xcats = (const char *const *)cats, .ncats = nmax, .series = ser,
                       .nseries = ns};
        svg_chart_write(f, &c);
        if (nmore)
            fprintf(f, "<p class=\"muted small\">%zu more metric%s in %s not drawn.</p>", nmore,
                    nmore == 1 ? "" : "s", units.v[ui]);
        for (size_t i = 0; i < nmax; i++)
            free(cats[i]);
        free(cats);
        for (size_t i = 0; i < 2 * ns; i++)
            free(bufs[i]);
    }
    fputs(units.n ? "</div>" : "<p class=\"muted\">No samples stored.</p>", f);
    strvec_free(&units);
    fputs("<h2>Resource timeline</h2>", f);
    const cJSON *tl = cJSON_GetObjectItemCaseSensitive(run, "timeline");
    size_t n = cJSON_IsArray(tl) ? (size_t)cJSON_GetArraySize(tl) : 0;
    if (!n) {
        fputs("<p class=\"muted\">No timeline stored.</p>", f);
        return;
    }
    double *t = xmalloc(n * sizeof *t), *rss = xmalloc(n * sizeof *rss),
           *cpu = xmalloc(n * sizeof *cpu);
    size_t k = 0;
    const cJSON *pt;
    cJSON_ArrayForEach(pt, tl)
    {
        const cJSON *a = cJSON_GetArrayItem(pt, 0), *b = cJSON_GetArrayItem(pt, 1),
                    *c = cJSON_GetArrayItem(pt, 2);
        t[k] = cJSON_IsNumber(a) ? a->valuedouble : NAN;
        rss[k] = cJSON_IsNumber(b) ? b->valuedouble : NAN;
        cpu[k] = cJSON_IsNumber(c) ? c->valuedouble : NAN;
        k++;
    }
    svg_series s1 = {.name = "resident memory", .x = t, .y = rss, .n = k, .style = SVG_LINE,
                     .color = 0};
    svg_series s2 = {.name = "CPU", .x = t, .y = cpu, .n = k, .style = SVG_LINE, .color = 1,
                     .dashed = 1};
    svg_chart c = {.title = "Memory and CPU over the run", .xlabel = "time (s)",
                   .ylabel = "resident memory (MiB)", .y2label = "CPU (% of one core)",
                   .width = 720, .height = 260, .y_zero = 1, .series = &s1, .nseries = 1,
                   .series2 = &s2, .nseries2 = 1};
    svg_chart_write(f, &c);
    free(t);
    free(rss);
    free(cpu);
}

/* One run's page below its title, the same for everyone: a kept answer (answers.h), since
 * its charts cost far more than the page around them.  On an API error: its status and the
 * message (text) as the body, not kept. */
static int run_part(http_req *r, http_resp *o)
{
    cJSON *j = NULL;
    int st = page_api_part(r, "/api/v1/runs/{id}", &j);
    if (st != 200) {
        const char *m = page_api_message(j);
        http_text(o, st == 404 ? 404 : 500, "text/plain", m, strlen(m));
        cJSON_Delete(j);
        return 0;
    }
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(j, "run");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        cJSON_Delete(j);
        return http_error(o, 500, "out of memory", NULL);
    }
    const char *status = page_jstr(run, "status") ? page_jstr(run, "status") : "?";
    fputs("<p>", f);
    html_txt(f, page_jstr(run, "plugin"));
    fputs(" ", f);
    html_txt(f, page_jstr(run, "plugin_version"));
    fputs(" on ", f);
    html_txt(f, page_jstr(run, "host"));
    fputs(", started ", f);
    html_when(f, page_jstr(run, "started_at"));
    fputs(": ", f);
    page_state(f, status);
    const char *user = page_jstr(run, "user");
    if (user) {
        fputs(" · by ", f);
        html_txt(f, user);
    }
    double job = page_jnum(run, "job");
    if (isfinite(job))
        fprintf(f, " · <a href=\"/jobs/%.0f\">job #%.0f</a>", job, job);
    fputs("</p>", f);
    if (strcmp(status, "ok") == 0) {
        page_headline(f, r, (long long)page_jnum(run, "id"));
        fprintf(f, "<p><a id=\"compare-run\" href=\"/compare?a=%.0f\">Compare this run with "
                   "another</a></p>",
                page_jnum(run, "id"));
    }
    if (page_jstr(run, "error")) {
        fputs("<h2>Error</h2><p class=\"msg bad\">", f);
        html_txt(f, page_jstr(run, "error"));
        fputs("</p>", f);
    }
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(run, "warnings");
    if (cJSON_IsArray(w) && cJSON_GetArraySize(w) > 0) {
        fputs("<h2>Warnings</h2><ul>", f);
        const cJSON *it;
        cJSON_ArrayForEach(it, w)
        {
            fputs("<li>", f);
            html_txt(f, cJSON_IsString(it) ? it->valuestring : "");
            fputs("</li>", f);
        }
        fputs("</ul>", f);
    }
    fputs("<div class=\"grid2\"><section aria-labelledby=\"h-params\"><h2 id=\"h-params\">"
          "Parameters</h2>",
          f);
    kv_object(f, cJSON_GetObjectItemCaseSensitive(run, "params"));
    const cJSON *computed = cJSON_GetObjectItemCaseSensitive(run, "computed");
    if (cJSON_GetArraySize(computed) > 0) {
        fputs("<h3 id=\"h-computed\">Computed by the plugin</h3>", f);
        kv_object(f, computed);
    }
    fprintf(f, "<dl class=\"kv\"><dt>ranks</dt><dd>%.0f</dd><dt>threads</dt><dd>%.0f</dd>"
               "<dt>repetitions</dt><dd>%.0f</dd></dl>",
            page_jnum(run, "ranks"), page_jnum(run, "threads"), page_jnum(run, "repetitions"));
    fputs("</section><section aria-labelledby=\"h-metrics\"><h2 id=\"h-metrics\">Metrics</h2>"
          "<table><thead><tr><th scope=\"col\">Metric</th><th scope=\"col\">Value</th>"
          "<th scope=\"col\">Unit</th><th scope=\"col\">Better</th></tr></thead><tbody>",
          f);
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(run, "metrics"))
    {
        fputs("<tr><td>", f);
        html_txt(f, m->string);
        fputs("</td><td class=\"n\">", f);
        html_num(f, page_jnum(m, "value"));
        fputs("</td><td>", f);
        html_txt(f, page_jstr(m, "unit"));
        fputs("</td><td>", f);
        html_txt(f, page_jstr(m, "better"));
        fputs("</td></tr>", f);
    }
    fputs("</tbody></table></section></div>", f);
    run_charts(f, run);
    fputs("<h2>Provenance</h2>", f);
    const cJSON *prov = cJSON_GetObjectItemCaseSensitive(run, "provenance");
    if (cJSON_IsObject(prov) && prov->child)
        kv_object(f, prov);
    else
        fputs("<p class=\"muted\">None stored.</p>", f);
    cJSON_Delete(j);
    fclose(f);
    http_text(o, 200, HTML, buf, len);
    free(buf);
    return 0;
}

static const http_route run_route = {"GET", "(run page)", ROLE_VIEWER, SCOPE_READ, ROUTE_CACHE,
                                     NULL, run_part};

int page_run(http_req *r, http_resp *o)
{
    char *part = NULL;
    int st = page_kept_part(r, &run_route, &part);
    if (st != 200) {
        int rc = page_message(r, o, st == 404 ? 404 : 500, "Not found",
                              part ? part : "the run cannot be read");
        free(part);
        return rc;
    }
    page p;
    page_open(&p, r, o);
    char title[96];
    snprintf(title, sizeof title, "Run %lld", strtoll(r->seg[0], NULL, 10));
    page_begin(&p, title, 0);
    fputs(part, p.f);
    free(part);
    return page_send(&p, 200);
}
