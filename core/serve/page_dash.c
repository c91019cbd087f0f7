/*
 * page_dash.c — the dashboard (/): the queue, the scheduler's health, newest results and failures, regressions to act on, each plugin's latest headline figures.
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
#include "alerts.h"
#include "api.h"
#include "headline.h"
#include "recent.h"
#include "host.h"
#include "jobs.h"
#include "loader.h"
#include "page_kit.h"
#include "page_dash.h"
#include "page_jobs.h"
#include "page_board.h"
#include "page_yard.h"
#include "pages.h"
#include "scheduler.h"
#include "svg.h"
#include "util.h"

#define APP(r) ((serve_app *)http_app(r))
#define HTML PAGE_HTML

/* ---- dashboard ---------------------------------------------------------------------------------- */

/* The newest runs that ended ok (failures 0: their headline figure) or not (1: their
 * reason) as a table; empty: what to say when there is none. */
static void runs_table(FILE *f, store *st, int failures, const char *empty)
{
    recent_run *v = NULL;
    size_t n = 0;
    char err[512];
    if (recent_runs(st, failures, 10, &v, &n, err, sizeof err) != 0) {
        fputs("<p class=\"msg bad\">", f);
        html_txt(f, err);
        fputs("</p>", f);
        return;
    }
    const html_col cols[] = {{"Run"},     {"Plugin"}, {"Host"}, {"User"},
                             {"Started"}, {failures ? "Reason" : "Headline"}, {NULL}};
    if (n)
        html_table_begin(f, NULL, cols);
    for (size_t i = 0; i < n; i++) {
        const recent_run *r = &v[i];
        htmlf(f, "<tr><td><a href=\"/runs/%lld\">%lld</a></td><td>%s</td><td>%s</td><td>%s"
                 "</td><td>",
              (long long)r->id, (long long)r->id, r->plugin, r->host, r->user);
        html_when(f, r->started_at);
        fputs("</td><td>", f);
        if (failures) {
            page_state(f, r->status);
            htmlf(f, ": %s", r->error);
        } else if (r->has_value) {
            htmlf(f, "%s <strong>", r->metric);
            html_num(f, r->value);
            htmlf(f, "</strong> %s", r->unit);
        }
        fputs("</td></tr>", f);
    }
    if (n)
        html_table_end(f);
    else
        fprintf(f, "<p class=\"muted\">%s</p>", empty);
    recent_runs_free(v, n);
}

/* One row of the dashboard's figures: the newest headline of a plugin, host and
 * configuration, and the trend of its last runs (table: the plugin's parameters, for the
 * defaults; NULL when it is not installed here). */
static void latest_row(FILE *f, http_req *r, const recent_figure *g, const bx_param *table)
{
    const double *v = g->trend;
    size_t k = g->ntrend;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < k; i++)
        if (isfinite(v[i])) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
    fputs("<tr><td><a href=\"/leaderboard/", f);
    html_url(f, g->plugin);
    fputs("\">", f);
    html_txt(f, g->plugin);
    fputs("</a></td><td>", f);
    html_txt(f, g->host);
    fputs("</td><td class=\"small\">", f);
    cJSON *cfg = cJSON_CreateObject();
    cJSON *pj = cJSON_Parse(g->params_json);
    cJSON_AddItemToObject(cfg, "params", pj ? pj : cJSON_CreateObject());
    cJSON_AddNumberToObject(cfg, "ranks", g->ranks);
    cJSON_AddNumberToObject(cfg, "threads", g->threads);
    page_config(f, cfg, table, "span");
    cJSON_Delete(cfg);
    fprintf(f, "</td><td><a href=\"/runs/%lld\">", (long long)g->run_id);
    html_txt(f, g->metric);
    fputs(" <strong>", f);
    html_quantity(f, k ? v[k - 1] : NAN, g->unit);
    fputs("</strong></a>", f);
    page_yard_long(f, r, (long long)g->run_id, g->metric, g->unit);
    fputs("</td><td>", f);
    char label[320];
    snprintf(label, sizeof label, "%s on %s, one configuration: %s of the last %zu runs",
             g->plugin, g->host, g->metric, k);
    svg_sparkline_write(f, v, k, 140, 28, label);
    if (k && isfinite(lo)) {
        fputs(" <span class=\"small trend-range\">", f);
        html_quantity(f, lo, g->unit);
        fputs(" – ", f);
        html_quantity(f, hi, g->unit);
        fprintf(f, ", %zu run%s</span>", k, k == 1 ? "" : "s");
    }
    fputs("</td></tr>", f);
}

/* Each plugin's latest headline per host and configuration (recent_figures). */
static void latest_per_host(FILE *f, http_req *r)
{
    store *st = r->st;
    recent_figure *v = NULL;
    size_t n = 0;
    char err[512];
    if (recent_figures(st, &v, &n, err, sizeof err) != 0) {
        recent_figures_free(v, n);
        return;
    }
    char plugin[128] = "";
    const loaded_plugin *lp = NULL;
    static const html_col cols[] = {
        {"Plugin"}, {"Host"}, {"Configuration"}, {"Latest headline"},
        {"Trend of this configuration (last 20 runs, lowest – highest)"}, {NULL}};
    if (n)
        html_table_begin(f, "latest", cols);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(plugin, v[i].plugin) != 0) { /* its parameter table, for defaults */
            page_plugin_put(lp);
            snprintf(plugin, sizeof plugin, "%s", v[i].plugin);
            lp = page_plugin_get(plugin, err, sizeof err);
        }
        latest_row(f, r, &v[i], lp ? lp->desc->params : NULL);
    }
    page_plugin_put(lp);
    if (n)
        html_table_end(f);
    else
        fputs("<p class=\"muted\">No results yet.</p>", f);
    recent_figures_free(v, n);
}


/*
 * An alert's state on the dashboard (columns 3.. of its row: id, severity,
 * state, acted_by, reason) and, while it is open, the two buttons of a
 * member: acknowledge, or accept the new level as the normal (with a reason).
 */
static void alert_actions(page *p, http_req *r, const alert_row *a)
{
    FILE *f = p->f;
    long long id = (long long)a->id;
    const char *state = a->state;
    fprintf(f, " <span class=\"muted\">[");
    html_txt(f, a->severity);
    fputs(", ", f);
    html_txt(f, state);
    if (*a->acted_by) {
        fputs(" by ", f);
        html_txt(f, a->acted_by);
        if (*a->reason) {
            fputs(": ", f);
            html_txt(f, a->reason);
        }
    }
    fputs("]</span>", f);
    if (r->auth.role < ROLE_MEMBER || strcmp(state, "accepted") == 0)
        return;
    static const char *const acts[][2] = {{"acknowledge", "Acknowledge"},
                                          {"accept", "Accept as the new normal"}};
    for (int i = strcmp(state, "acknowledged") == 0; i < 2; i++) {
        fprintf(f, "<form method=\"post\" action=\"/alerts/%lld/%s\" class=\"inline\">", id,
                acts[i][0]);
        page_csrf_field(p);
        fprintf(f, "<input name=\"reason\" aria-label=\"why\" placeholder=\"why\" "
                   "maxlength=\"500\"><button type=\"submit\">%s</button></form>",
                acts[i][1]);
    }
}

/* POST /alerts/{id}/acknowledge and /accept: the API's action, with the form's reason. */
static int p_alert_act(http_req *r, http_resp *o, const char *pattern)
{
    page_form fm;
    page_form_parse(r->body, &fm);
    int ok = page_csrf_ok(r, &fm);
    cJSON *b = cJSON_CreateObject();
    const char *why = page_form_get(&fm, "reason");
    cJSON_AddStringToObject(b, "reason", why ? why : "");
    page_form_free(&fm);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    if (!ok) {
        free(body);
        return page_csrf_refused(r, o);
    }
    cJSON *j = NULL;
    int st = page_api_call(r, "POST", pattern, body, &j, NULL);
    free(body);
    cJSON_Delete(j);
    if (st != 200 && st != 409)
        return page_message(r, o, st, "Alert not changed", "The alert could not be changed.");
    return page_redirect(o, "/");
}

int page_alert_ack(http_req *r, http_resp *o)
{
    return p_alert_act(r, o, "/api/v1/alerts/{id}/acknowledge");
}

int page_alert_accept(http_req *r, http_resp *o)
{
    return p_alert_act(r, o, "/api/v1/alerts/{id}/accept");
}

/* The dashboard's tables, the same for everyone (jobs running and queued, latest figures
 * per plugin and host, newest results and failures, regressions): an HTML fragment kept by
 * answers.h and refreshed off the request path when the database changes, so a dashboard
 * costs the few queries of its health line and no request waits for these. */
static int dashboard_data(http_req *r, http_resp *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return http_error(o, 500, "out of memory", NULL);
    int queued = job_count(r->st, "queued");
    int running = job_count(r->st, "running");
    fprintf(f, "<p>%d job%s queued, %d running.", queued, queued == 1 ? "" : "s", running);
    int64_t oldest;
    char since[32];
    if (job_oldest_queued(r->st, &oldest, since, sizeof since)) {
        fprintf(f, " Oldest queued: <a href=\"/jobs/%lld\">job #%lld</a>, submitted ",
                (long long)oldest, (long long)oldest);
        html_txt(f, since);
        fputs(".", f);
    }
    fputs("</p>", f);
    fputs("<div class=\"grid2\"><section aria-labelledby=\"h-running\"><h2 id=\"h-running\">"
          "Running now</h2>",
          f);
    if (!page_jobs_table(f, r->st, "running", NULL, 0, 20))
        fputs("<p class=\"muted\">Nothing is running.</p>", f);
    fputs("</section><section aria-labelledby=\"h-queue\"><h2 id=\"h-queue\">Queue</h2>", f);
    if (!page_jobs_table(f, r->st, "queued", NULL, 0, 20))
        fputs("<p class=\"muted\">The queue is empty.</p>", f);
    fputs("</section></div>", f);
    fputs("<section aria-labelledby=\"h-latest\"><h2 id=\"h-latest\">Latest figures per plugin "
          "and host</h2>",
          f);
    latest_per_host(f, r);
    fputs("</section><div class=\"grid2\"><section aria-labelledby=\"h-new\"><h2 id=\"h-new\">"
          "Newest results</h2>",
          f);
    runs_table(f, r->st, 0, "No results yet.");
    fputs("</section><section aria-labelledby=\"h-fail\"><h2 id=\"h-fail\">Newest failures</h2>",
          f);
    runs_table(f, r->st, 1, "No failures.");
    fputs("</section></div>", f);
    fclose(f);
    http_text(o, 200, "text/html; charset=utf-8", buf, len);
    free(buf);
    return 0;
}

/* The dashboard's regressions, per request: their buttons depend on who looks (role,
 * CSRF token), so they are not part of the kept tables. */
static void regressions_section(page *p, http_req *r)
{
    FILE *f = p->f;
    fputs("<section aria-labelledby=\"h-reg\"><h2 id=\"h-reg\">Regressions</h2>", f);
    alert_row *v = NULL;
    size_t n = 0;
    char err[256];
    if (alerts_recent(r->st, 10, &v, &n, err, sizeof err) != 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        const alert_row *a = &v[i];
        fputs(i ? "" : "<ul>", f);
        fputs("<li>", f);
        html_txt(f, a->created_at);
        if (a->job_id > 0)
            fprintf(f, " <a href=\"/jobs/%lld\">job #%lld</a>", (long long)a->job_id,
                    (long long)a->job_id);
        fputs(": ", f);
        html_txt(f, a->message);
        static const char *const link_names[] = {"the run", "compare"};
        const char *links[] = {a->run_link, a->compare_link};
        for (int k = 0; k < 2; k++) { /* the alert's own links: paths of this site */
            const char *href = links[k];
            if (href[0] != '/' || href[1] == '/')
                continue;
            fputs(" · <a class=\"alert-link\" href=\"", f);
            html_txt(f, href);
            fprintf(f, "\">%s</a>", link_names[k]);
        }
        alert_actions(p, r, a);
        fputs("</li>", f);
    }
    alert_rows_free(v, n);
    fputs(n ? "</ul>" : "<p class=\"muted\">No regressions found by scheduled checks.</p>", f);
    fputs("</section>", f);
}

static const http_route dashboard_route = {"GET", "(dashboard tables)", ROLE_VIEWER, SCOPE_READ,
                                           ROUTE_CACHE, NULL, dashboard_data};

int page_dashboard(http_req *r, http_resp *o)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Dashboard", 0);
    FILE *f = p.f;
    serve_app *app = APP(r);
    double tick = app->sched ? sched_last_tick(app->sched) : 0;
    int healthy = app->sched && wall_now() - tick < 30.0;
    char when[32] = "never";
    if (tick > 0)
        store_time_format((int64_t)tick, when, sizeof when);
    fprintf(f, "<section aria-labelledby=\"h-health\"><h2 id=\"h-health\">Scheduler</h2>"
               "<p class=\"msg %s\"><strong>%s</strong>. Last tick %s (%.0f s ago); %d point%s "
               "running now.</p></section>",
            healthy ? "good" : "bad",
            healthy ? "The scheduler is working" : "The scheduler is not ticking", when,
            tick > 0 ? wall_now() - tick : 0.0, app->sched ? sched_running(app->sched) : 0,
            app->sched && sched_running(app->sched) == 1 ? "" : "s");
    if (r->auth.role >= ROLE_MEMBER) {
        strvec names = {0};
        page_plugin_names(&names);
        fputs("<p>Run a benchmark: ", f);
        for (size_t i = 0; i < names.n; i++) {
            fputs(i ? " · " : "", f);
            fputs("<a class=\"submit-link\" href=\"/submit/", f);
            html_url(f, names.v[i]);
            fputs("\">", f);
            html_txt(f, names.v[i]);
            fputs("</a>", f);
        }
        fputs("</p>", f);
        strvec_free(&names);
    }
    char *part = NULL; /* the rest: kept, the same for everyone */
    if (page_kept_part(r, &dashboard_route, &part) == 200 && part)
        fputs(part, f);
    free(part);
    regressions_section(&p, r);
    return page_send(&p, 200);
}
