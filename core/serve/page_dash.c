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
#include <sqlite3.h>
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

static void runs_table(FILE *f, store *st, const char *sql, int with_error, const char *empty)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
        fputs("<p class=\"msg bad\">", f);
        page_esc(f, sqlite3_errmsg(store_db(st)));
        fputs("</p>", f);
        return;
    }
    int n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n++ == 0)
            fprintf(f, "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Run</th>"
                       "<th scope=\"col\">Plugin</th><th scope=\"col\">Host</th><th scope=\"col\">"
                       "User</th><th scope=\"col\">Started</th><th scope=\"col\">%s</th>"
                       "</tr></thead><tbody>",
                    with_error ? "Reason" : "Headline");
        long long id = sqlite3_column_int64(s, 0);
        fprintf(f, "<tr><td><a href=\"/runs/%lld\">%lld</a></td><td>", id, id);
        page_esc(f, page_col_text(s, 1));
        fputs("</td><td>", f);
        page_esc(f, page_col_text(s, 2));
        fputs("</td><td>", f);
        page_esc(f, page_col_text(s, 3));
        fputs("</td><td>", f);
        page_when(f, page_col_text(s, 4));
        fputs("</td><td>", f);
        if (with_error) {
            page_state(f, page_col_text(s, 5));
            fputs(": ", f);
            page_esc(f, page_col_text(s, 6));
        } else if (sqlite3_column_type(s, 6) != SQLITE_NULL) {
            page_esc(f, page_col_text(s, 5));
            fputs(" <strong>", f);
            page_num(f, sqlite3_column_double(s, 6));
            fputs("</strong> ", f);
            page_esc(f, page_col_text(s, 7));
        }
        fputs("</td></tr>", f);
    }
    sqlite3_finalize(s);
    if (n)
        fputs("</tbody></table></div>", f);
    else
        fprintf(f, "<p class=\"muted\">%s</p>", empty);
}

/* Each plugin's latest headline per host (among the newest 5000 ok runs: the cost does not
 * grow with the database), with the trend of its last 20 values. */
/* Bind column col of s (an id or NULL) as parameter i of t. */
static void bind_id(sqlite3_stmt *t, int i, sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        sqlite3_bind_null(t, i);
    else
        sqlite3_bind_int64(t, i, sqlite3_column_int64(s, col));
}

/* One row of the dashboard's figures (s: plugin, host id, host, newest run, configuration,
 * its params, ranks, threads): the newest headline and the trend of the last 20 runs of
 * that plugin, host and configuration only; a trend never crosses configurations. */
static void latest_row(FILE *f, sqlite3_stmt *s, sqlite3_stmt *hl, sqlite3_stmt *t,
                       const bx_param *table)
{
    char mname[128] = "", unit[64] = "";
    sqlite3_reset(hl);
    sqlite3_bind_int64(hl, 1, sqlite3_column_int64(s, 3));
    sqlite3_bind_text(hl, 2, page_col_text(s, 0), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(hl) == SQLITE_ROW) {
        snprintf(mname, sizeof mname, "%s", page_col_text(hl, 0));
        snprintf(unit, sizeof unit, "%s", page_col_text(hl, 1));
    }
    sqlite3_reset(t);
    sqlite3_bind_text(t, 1, page_col_text(s, 0), -1, SQLITE_TRANSIENT);
    bind_id(t, 2, s, 1); /* the host */
    bind_id(t, 4, s, 4); /* the configuration */
    sqlite3_bind_text(t, 3, mname, -1, SQLITE_TRANSIENT);
    double v[20], lo = INFINITY, hi = -INFINITY;
    size_t k = 0;
    while (k < 20 && sqlite3_step(t) == SQLITE_ROW)
        v[k++] = sqlite3_column_type(t, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(t, 0);
    for (size_t i = 0; i < k / 2; i++) { /* oldest first */
        double x = v[i];
        v[i] = v[k - 1 - i];
        v[k - 1 - i] = x;
    }
    for (size_t i = 0; i < k; i++)
        if (isfinite(v[i])) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
    fputs("<tr><td><a href=\"/leaderboard/", f);
    page_url(f, page_col_text(s, 0));
    fputs("\">", f);
    page_esc(f, page_col_text(s, 0));
    fputs("</a></td><td>", f);
    page_esc(f, page_col_text(s, 2));
    fputs("</td><td class=\"small\">", f);
    cJSON *cfg = cJSON_CreateObject();
    cJSON *pj = cJSON_Parse(page_col_text(s, 5));
    cJSON_AddItemToObject(cfg, "params", pj ? pj : cJSON_CreateObject());
    cJSON_AddNumberToObject(cfg, "ranks", sqlite3_column_double(s, 6));
    cJSON_AddNumberToObject(cfg, "threads", sqlite3_column_double(s, 7));
    page_config(f, cfg, table, "span");
    cJSON_Delete(cfg);
    fprintf(f, "</td><td><a href=\"/runs/%lld\">", (long long)sqlite3_column_int64(s, 3));
    page_esc(f, mname);
    fputs(" <strong>", f);
    page_quantity(f, k ? v[k - 1] : NAN, unit);
    fputs("</strong></a></td><td>", f);
    char label[320];
    snprintf(label, sizeof label, "%s on %s, one configuration: %s of the last %zu runs",
             page_col_text(s, 0), page_col_text(s, 2), mname, k);
    svg_sparkline_write(f, v, k, 140, 28, label);
    if (k && isfinite(lo)) {
        fputs(" <span class=\"small trend-range\">", f);
        page_quantity(f, lo, unit);
        fputs(" – ", f);
        page_quantity(f, hi, unit);
        fprintf(f, ", %zu run%s</span>", k, k == 1 ? "" : "s");
    }
    fputs("</td></tr>", f);
}

static void latest_per_host(FILE *f, store *st)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s, *t, *hl;
    if (sqlite3_prepare_v2(db,
                           "SELECT r.plugin, r.host_id, coalesce(h.name, '?'), max(r.id), "
                           "r.config_id, c.params_json, c.ranks, c.threads FROM (SELECT id, "
                           "plugin, host_id, config_id FROM runs WHERE status = 'ok' ORDER BY "
                           "id DESC LIMIT 5000) r LEFT JOIN hosts h ON h.id = r.host_id LEFT "
                           "JOIN configs c ON c.id = r.config_id GROUP BY r.plugin, r.host_id, "
                           "r.config_id ORDER BY r.plugin, 3, 4 DESC LIMIT 60",
                           -1, &s, NULL) != SQLITE_OK)
        return;
    /* the headline of the group's newest run, then its values in the last 20 runs of that
     * configuration and host (through runs_history: cheap on a large database) */
    int ok = sqlite3_prepare_v2(db, "SELECT name, unit FROM metrics WHERE run_id = ?1 ORDER BY "
                                    HEADLINE_SQL " DESC, seq LIMIT 1",
                                -1, &hl, NULL) == SQLITE_OK;
    ok = sqlite3_prepare_v2(db,
                            "SELECT m.value FROM runs r JOIN metrics m ON m.run_id = r.id AND "
                            "m.name = ?3 WHERE r.config_id IS ?4 AND r.host_id IS ?2 AND "
                            "r.plugin = ?1 AND r.status = 'ok' ORDER BY r.id DESC LIMIT 20",
                            -1, &t, NULL) == SQLITE_OK && ok;
    int n = 0;
    char plugin[128] = "";
    loaded_plugin lp;
    int have = 0;
    char err[512];
    while (ok && sqlite3_step(s) == SQLITE_ROW) {
        if (n++ == 0)
            fputs("<div class=\"scroll\"><table id=\"latest\"><thead><tr><th scope=\"col\">"
                  "Plugin</th><th scope=\"col\">Host</th><th scope=\"col\">Configuration</th>"
                  "<th scope=\"col\">Latest headline</th><th scope=\"col\">Trend of this "
                  "configuration (last 20 runs, lowest – highest)</th></tr></thead><tbody>",
                  f);
        if (strcmp(plugin, page_col_text(s, 0)) != 0) { /* its parameter table, for defaults */
            if (have)
                plugin_unload(&lp);
            snprintf(plugin, sizeof plugin, "%s", page_col_text(s, 0));
            have = page_load_plugin(plugin, &lp, err, sizeof err) == 0;
        }
        latest_row(f, s, hl, t, have ? lp.desc->params : NULL);
    }
    if (have)
        plugin_unload(&lp);
    if (n)
        fputs("</tbody></table></div>", f);
    else
        fputs("<p class=\"muted\">No results yet.</p>", f);
    sqlite3_finalize(s);
    sqlite3_finalize(t);
    sqlite3_finalize(hl);
}


/*
 * An alert's state on the dashboard (columns 3.. of its row: id, severity,
 * state, acted_by, reason) and, while it is open, the two buttons of a
 * member: acknowledge, or accept the new level as the normal (with a reason).
 */
static void alert_actions(page *p, http_req *r, sqlite3_stmt *s)
{
    FILE *f = p->f;
    long long id = (long long)sqlite3_column_int64(s, 3);
    const char *state = page_col_text(s, 5);
    fprintf(f, " <span class=\"muted\">[");
    page_esc(f, page_col_text(s, 4));
    fputs(", ", f);
    page_esc(f, state);
    if (*page_col_text(s, 6)) {
        fputs(" by ", f);
        page_esc(f, page_col_text(s, 6));
        if (*page_col_text(s, 7)) {
            fputs(": ", f);
            page_esc(f, page_col_text(s, 7));
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
        page_esc(f, since);
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
    latest_per_host(f, r->st);
    fputs("</section><div class=\"grid2\"><section aria-labelledby=\"h-new\"><h2 id=\"h-new\">"
          "Newest results</h2>",
          f);
    runs_table(f, r->st,
               "SELECT r.id, r.plugin, coalesce(h.name, ''), coalesce(r.user, ''), r.started_at, "
               "m.name, m.value, m.unit FROM runs r LEFT JOIN hosts h ON h.id = r.host_id" HEADLINE_JOIN
               "WHERE r.status = 'ok' ORDER BY r.id DESC LIMIT 10",
               0, "No results yet.");
    fputs("</section><section aria-labelledby=\"h-fail\"><h2 id=\"h-fail\">Newest failures</h2>",
          f);
    runs_table(f, r->st,
               "SELECT r.id, r.plugin, coalesce(h.name, ''), coalesce(r.user, ''), r.started_at, "
               "r.status, coalesce(r.error, '') FROM runs r LEFT JOIN hosts h ON h.id = "
               "r.host_id WHERE r.status IN ('failed', 'crashed', 'timeout', 'interrupted') "
               "ORDER BY r.id DESC LIMIT 10",
               1, "No failures.");
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
    sqlite3_stmt *s;
    fputs("<section aria-labelledby=\"h-reg\"><h2 id=\"h-reg\">Regressions</h2>", f);
    int n = 0;
    if (sqlite3_prepare_v2(store_db(r->st),
                           "SELECT created_at, job_id, message, id, coalesce(severity, ''), state, "
                           "coalesce(acted_by, ''), coalesce(reason, ''), json_extract("
                           "payload_json, '$.links.run'), json_extract(payload_json, "
                           "'$.links.compare') FROM alerts ORDER BY id DESC LIMIT 10",
                           -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            fputs(n++ ? "" : "<ul>", f);
            fputs("<li>", f);
            page_esc(f, page_col_text(s, 0));
            if (sqlite3_column_int64(s, 1) > 0)
                fprintf(f, " <a href=\"/jobs/%lld\">job #%lld</a>",
                        (long long)sqlite3_column_int64(s, 1),
                        (long long)sqlite3_column_int64(s, 1));
            fputs(": ", f);
            page_esc(f, page_col_text(s, 2));
            static const char *const link_names[] = {"the run", "compare"};
            for (int k = 0; k < 2; k++) { /* the alert's own links: paths of this site */
                const char *href = page_col_text(s, 8 + k);
                if (href[0] != '/' || href[1] == '/')
                    continue;
                fputs(" · <a class=\"alert-link\" href=\"", f);
                page_esc(f, href);
                fprintf(f, "\">%s</a>", link_names[k]);
            }
            alert_actions(p, r, s);
            fputs("</li>", f);
        }
        sqlite3_finalize(s);
    }
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
            page_url(f, names.v[i]);
            fputs("\">", f);
            page_esc(f, names.v[i]);
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
