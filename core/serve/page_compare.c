/*
 * page_compare.c — /compare for people (page_compare.h): two runs, two of the
 * service's jobs or two periods, answered in a sentence per configuration and metric
 * ("B is 12 % lower than A: worse, beyond the noise"), both groups' values drawn, the
 * statistic named, and when the repetitions are too few, how many would do.  The
 * comparison is the library's (compare_run), the same as `benchaas compare`.
 */
#define _GNU_SOURCE
#include "page_compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "page_board.h"
#include "jobs.h"
#include "page_kit.h"
#include "report.h"
#include "util.h"
#include "stats.h"

#define HTML PAGE_HTML
#define ALPHA 0.05

/* A side as the page takes it into the library's selector: "job:N" is the service's job N
 * (its runs), anything else as `benchaas compare` reads it.  malloc'd, or NULL and err. */
static char *side_selector(store *st, const char *sel, char *err, size_t errlen)
{
    long long job;
    char tail;
    if (sscanf(sel, "job:%lld%c", &job, &tail) != 1)
        return strdup(sel);
    char *out = job_ok_runs_selector(st, job);
    if (!out)
        snprintf(err, errlen, "Job %lld has no run that ended ok yet. Wait until it is done (its "
                              "page shows how each point ended) or choose another job.", job);
    return out;
}

/* The repetitions on each side that could show a difference at ALPHA, or 0 (over 50). */
static int repetitions_needed(void)
{
    double x[50], y[50];
    for (int n = 2; n <= 50; n++) {
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = n + i;
        }
        double min_p;
        stats_mann_whitney(x, (size_t)n, y, (size_t)n, &min_p);
        if (min_p < ALPHA)
            return n;
    }
    return 0;
}

/* The answer in a sentence. */
static void sentence(FILE *f, const cmp_row *w)
{
    fputs("<p class=\"answer\">", f);
    if (w->noise < 0) {
        int need = repetitions_needed();
        fprintf(f, "<strong>Too few repetitions to tell.</strong> With %zu against %zu values no "
                   "test can show a difference at the %g %% level, however large",
                w->a->samples.n, w->b->samples.n, 100 * ALPHA);
        if (need)
            fprintf(f, "; %d repetitions on each side could", need);
        fputs(".</p>", f);
        return;
    }
    double c = fabs(w->change);
    fprintf(f, "<strong>B is %.*f %% %s than A", c < 10 ? 1 : 0, c,
            w->med_b >= w->med_a ? "higher" : "lower");
    if (w->noise == 1)
        fprintf(f, ": %s, beyond the noise.</strong>",
                w->direction > 0 ? "better" : w->direction < 0 ? "worse" : "a change");
    else
        fputs(", within the noise:</strong> no difference is shown.", f);
    fputs("</p>", f);
}

/* Both groups' values on one axis (an inline SVG, no script). */
static void strip(FILE *f, const cmp_row *w, const char *label)
{
    const dvec *g[2] = {&w->a->samples, &w->b->samples};
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < g[k]->n; i++)
            if (isfinite(g[k]->v[i])) {
                lo = fmin(lo, g[k]->v[i]);
                hi = fmax(hi, g[k]->v[i]);
            }
    if (!isfinite(lo))
        return;
    double span = hi > lo ? hi - lo : fabs(hi) + 1;
    fputs("<svg class=\"strip\" role=\"img\" width=\"520\" height=\"86\" viewBox=\"0 0 520 86\" "
          "xmlns=\"http://www.w3.org/2000/svg\"><title>",
          f);
    html_txt(f, label);
    fputs("</title>", f);
    for (int k = 0; k < 2; k++) {
        int y = 18 + 26 * k;
        fprintf(f, "<text x=\"4\" y=\"%d\" font-size=\"12\">%s</text>", y + 4, k ? "B" : "A");
        for (size_t i = 0; i < g[k]->n; i++)
            if (isfinite(g[k]->v[i]))
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"%s\" "
                           "fill-opacity=\"0.7\"/>",
                        30 + 470 * (g[k]->v[i] - lo) / span, y, k ? "#D55E00" : "#0072B2");
    }
    fputs("<line x1=\"30\" y1=\"66\" x2=\"500\" y2=\"66\" stroke=\"#555\"/>"
          "<text x=\"30\" y=\"82\" font-size=\"11\">",
          f);
    html_num(f, lo);
    fputs(" ", f);
    html_txt(f, w->a->unit);
    fputs("</text><text x=\"500\" y=\"82\" font-size=\"11\" text-anchor=\"end\">", f);
    html_num(f, hi);
    fputs(" ", f);
    html_txt(f, w->a->unit);
    fputs("</text></svg>", f);
}

/* One configuration and metric: the sentence, the drawing, the statistic. */
static void answer(FILE *f, const cmp_row *w)
{
    fputs("<section class=\"cmp\"><h2>", f);
    html_txt(f, w->a->metric);
    if (w->a->host) {
        fputs(" on ", f);
        html_txt(f, w->a->host);
    }
    fputs("</h2>", f);
    cJSON *cfg = cJSON_CreateObject(); /* the configuration both sides share */
    cJSON *pj = cJSON_Parse(w->a->params ? w->a->params : "{}");
    cJSON_AddItemToObject(cfg, "params", pj ? pj : cJSON_CreateObject());
    if (w->a->ranks >= 0)
        cJSON_AddNumberToObject(cfg, "ranks", (double)w->a->ranks);
    if (w->a->threads >= 0)
        cJSON_AddNumberToObject(cfg, "threads", (double)w->a->threads);
    page_config(f, cfg, NULL, "p");
    cJSON_Delete(cfg);
    sentence(f, w);
    strip(f, w, w->label);
    fputs("<p class=\"small stat\">The statistic: the median of every repetition, A ", f);
    html_quantity(f, w->med_a, w->a->unit);
    fprintf(f, " (%zu values), B ", w->a->samples.n);
    html_quantity(f, w->med_b, w->b->unit);
    fprintf(f, " (%zu values); ", w->b->samples.n);
    html_txt(f, w->a->better);
    fprintf(f, " is better. The test: Mann-Whitney U, p = %.3g; beyond the noise means p "
               "below %g.</p></section>",
            w->p, ALPHA);
}

/* When compare_run refused: what a person can do about it on these pages (the library's
 * message names command-line options).  Leaves err as it is for anything else. */
static void web_advice(const compare_result *res, const char *const sel[2], char *err,
                       size_t errlen)
{
    for (int side = 0; side < 2; side++)
        if ((side ? res->b.nruns : res->a.nruns) == 0) {
            snprintf(err, errlen, "%s (%.200s) has no run that ended ok, and only those are "
                                  "compared. Choose runs that ended ok: a job's page shows how "
                                  "each of its points ended, and a longer period holds more runs.",
                     side ? "B" : "A", sel[side]);
            return;
        }
    if (res->nrows == 0 && res->a.nruns && res->b.nruns)
        snprintf(err, errlen, "A and B have no configuration in common (the same plugin with the "
                              "same parameters, ranks and threads). Choose runs of the same "
                              "benchmark with the same settings: the leaderboard shows the runs "
                              "of each configuration together.");
}

/* The comparison of sides a and b into f: 200, or 400 with the reason shown. */
static int compare_sides(FILE *f, store *st, const char *a, const char *b)
{
    char err[1024] = "";
    char *sa = side_selector(st, a, err, sizeof err);
    char *sb = sa ? side_selector(st, b, err, sizeof err) : NULL;
    qfilter common, fa, fb;
    memset(&common, 0, sizeof common);
    memset(&fa, 0, sizeof fa);
    memset(&fb, 0, sizeof fb);
    common.cmd = "compare";
    common.db = "the database"; /* named in the library's messages: never its path */
    compare_result res;
    memset(&res, 0, sizeof res);
    int rc = !sa || !sb;
    if (!rc) {
        qfilter_finish(&common);
        rc = qfilter_option(&common, "--status", "ok") || qfilter_copy(&fa, &common) ||
             qfilter_copy(&fb, &common) || analyze_selector(&fa, sa) ||
             analyze_selector(&fb, sb) || qfilter_check_names(st, &fa) ||
             qfilter_check_names(st, &fb);
        if (rc && !err[0])
            snprintf(err, sizeof err, "A or B is not something this page can compare. Write a "
                                      "run's number (17), a job (job:12), a period "
                                      "(2026-11-01..2026-11-15) or a tag (tag:before).");
    }
    const char *sel[2] = {sa, sb};
    compare_opts o = {ALPHA, 0, 0};
    if (!rc) {
        rc = compare_run(st, &common, &fa, &fb, sel, &o, &res, err, sizeof err);
        if (rc) /* the library words it for the command line: say what to do on this page */
            web_advice(&res, sel, err, sizeof err);
    }
    if (rc) {
        fputs("<p class=\"msg bad\" role=\"alert\">", f);
        char *shown = http_scrub(err[0] ? err : "nothing to compare");
        html_txt(f, shown); /* never a server path */
        free(shown);
        fputs("</p>", f);
    } else {
        for (size_t i = 0; i < res.nrows; i++)
            answer(f, &res.rows[i]);
        if (!res.nrows)
            fputs("<p>A and B have no configuration and metric in common.</p>", f);
    }
    compare_result_free(&res);
    qfilter_free(&fa);
    qfilter_free(&fb);
    qfilter_free(&common);
    free(sa);
    free(sb);
    return rc ? 400 : 200;
}

int page_compare(http_req *r, http_resp *o)
{
    const char *a = http_query(r, "a"), *b = http_query(r, "b");
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Compare", 0);
    FILE *f = p.f;
    fputs("<p>Choose two runs (their numbers), two jobs (<code>job:12</code>, this service's "
          "job 12) or two periods (<code>2026-11-01..2026-11-15</code>); a tag "
          "(<code>tag:before</code>) works too. Each configuration and metric they have in "
          "common is answered apart.</p><form class=\"row\" method=\"get\" action=\"/compare\">"
          "<div><label for=\"a\">A</label><input type=\"text\" id=\"a\" name=\"a\" value=\"",
          f);
    html_txt(f, a);
    fputs("\"></div><div><label for=\"b\">B</label><input type=\"text\" id=\"b\" name=\"b\" "
          "value=\"",
          f);
    html_txt(f, b);
    fputs("\"></div><button type=\"submit\">Compare</button></form>", f);
    int status = 200;
    if (a && b && *a && *b) {
        if (*a == '-' || *b == '-' || strlen(a) > 500 || strlen(b) > 500) {
            fputs("<p class=\"msg bad\" role=\"alert\">A and B are runs, jobs or periods; they "
                  "may not begin with '-'.</p>",
                  f);
            status = 400;
        } else {
            status = compare_sides(f, r->st, a, b);
        }
    }
    return page_send(&p, status);
}

/* ---- report: the library's report ----------------------------------------------------- */

/* The filters of `benchaas report` offered by /report. */
static const char *const report_filters[] = {"plugin", "status", "tag", "host", "since",
                                             "until", NULL};

int page_report(http_req *r, http_resp *o)
{
    /* the library's report (report_render_html), as `benchaas report --html` writes it */
    qfilter qf;
    memset(&qf, 0, sizeof qf);
    qf.cmd = "report";
    char opt[32], err[512] = "";
    int bad = 0;
    for (int i = 0; report_filters[i] && !bad; i++) {
        const char *v = http_query(r, report_filters[i]);
        if (!v || !*v)
            continue;
        snprintf(opt, sizeof opt, "--%s", report_filters[i]);
        if (*v == '-' || strlen(v) > 500 || qfilter_option(&qf, opt, v) != 0) {
            snprintf(err, sizeof err, "the filter %s=%s is not one report takes",
                     report_filters[i], v);
            bad = 1;
        }
    }
    char *html = NULL;
    size_t hlen = 0;
    if (!bad) {
        qfilter_finish(&qf);
        report_opts ro = {.title = "BenchaaS report", .max_runs = 200, .max_timelines = 6,
                          .max_series = 8, .cmdline = "the service's /report"};
        FILE *m = open_memstream(&html, &hlen);
        bad = report_render_html(m, r->st, &qf, &ro, err, sizeof err) != 0;
        fclose(m);
    }
    qfilter_free(&qf);
    if (bad) {
        free(html);
        return page_message(r, o, 400, "Report", err[0] ? err : "report failed");
    }
    /* The CLI's self-contained page, with the filters and a way back on top (inline
     * styles: the report's own policy allows no stylesheet). */
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    const char *body = strstr(html, "<body>");
    size_t head = body ? (size_t)(body - html) + 6 : 0;
    fwrite(html, 1, head, f);
    fputs("<nav aria-label=\"Main\" class=\"site\" style=\"background:#14304d;color:#fff;"
          "padding:8px 12px;margin:0 -16px\"><a style=\"color:#fff;font-weight:700\" "
          "href=\"/\">benchaas</a> · ",
          f);
    page_nav_links(f, r, " style=\"color:#fff\"", " · "); /* the site's, as on every page */
    fputs(" · Signed in as <strong>", f);
    html_txt(f, r->auth.user);
    fputs("</strong>", f);
    if (page_csrf_cookie(r)) { /* signed in by cookie: the same sign-out as every page */
        char tok[65];
        page_csrf_of(page_csrf_cookie(r), tok);
        fprintf(f, " <form method=\"post\" action=\"/logout\" style=\"display:inline\">"
                   "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><button type=\"submit\">"
                   "Sign out</button></form>",
                tok);
    }
    fputs("</nav><form method=\"get\" action=\"/report\" style=\"margin:10px 0;"
          "display:flex;flex-wrap:wrap;gap:8px;align-items:end\">",
          f);
    for (int i = 0; report_filters[i]; i++) {
        fprintf(f, "<div><label for=\"f-%s\" style=\"display:block;font-weight:600\">%s</label>"
                   "<input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"",
                report_filters[i], report_filters[i], report_filters[i], report_filters[i]);
        html_txt(f, http_query(r, report_filters[i]));
        fputs("\"></div>", f);
    }
    fputs("<button type=\"submit\">Filter</button></form>", f);
    fwrite(html + head, 1, hlen - head, f);
    fclose(f);
    free(html);
    http_text(o, 200, HTML, buf, blen);
    free(buf);
    http_add_header(o, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                                  "img-src data:; form-action 'self'; "
                                                  "frame-ancestors 'none'; base-uri 'none'");
    http_add_header(o, "X-Frame-Options", "DENY");
    return 0;
}
