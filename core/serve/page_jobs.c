/*
 * page_jobs.c — the jobs pages (/jobs, /jobs/{id}, cancel).
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
#include "page_jobs.h"
#include "pages.h"
#include "scheduler.h"
#include "svg.h"
#include "util.h"

#define APP(r) ((serve_app *)http_app(r))
#define HTML PAGE_HTML

/* ---- jobs ------------------------------------------------------------------------------------ */

int page_jobs_table(FILE *f, store *st, const char *state, const char *user, int newest,
                    int limit)
{
    job_row *v = NULL;
    size_t n = 0;
    char err[256];
    if (job_list(st, state, user, newest, limit, &v, &n, err, sizeof err) != 0 || n == 0) {
        job_rows_free(v, n);
        return 0;
    }
    static const html_col cols[] = {{"Job"},   {"User"},        {"Plugin"},    {"Name"},
                                    {"State"}, {"Points done"}, {"Submitted"}, {NULL}};
    html_table_begin(f, NULL, cols);
    for (size_t i = 0; i < n; i++) {
        const job_row *j = &v[i];
        htmlf(f, "<tr><td><a href=\"/jobs/%lld\">#%lld</a></td><td>%s</td><td>%s</td><td>%s"
                 "</td><td>",
              (long long)j->id, (long long)j->id, j->user, j->plugin, j->name);
        page_state(f, j->state);
        htmlf(f, "</td><td class=\"n\">%d / %d</td><td>", j->done, j->npoints);
        html_when(f, j->created_at);
        fputs("</td></tr>", f);
    }
    html_table_end(f);
    job_rows_free(v, n);
    return (int)n;
}

/* The state and user r's /jobs asks for (NULL when empty: any). */
static void jobs_filter(http_req *r, const char **state, const char **user)
{
    *state = http_query(r, "state");
    *user = http_query(r, "user");
    if (*state && !**state)
        *state = NULL;
    if (*user && !**user)
        *user = NULL;
}

/* The table of /jobs for r's state and user (the 200 newest), the same for everyone: a kept
 * answer (answers.h), refreshed off the request path when the database changes, so the page
 * costs the form around it and no request renders 200 rows. */
static int jobs_part(http_req *r, http_resp *o)
{
    const char *state, *user;
    jobs_filter(r, &state, &user);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return http_error(o, 500, "out of memory", NULL);
    if (!page_jobs_table(f, r->st, state, user, 1, 200))
        fputs("<p class=\"muted\">No jobs.</p>", f);
    fclose(f);
    http_text(o, 200, HTML, buf, len);
    free(buf);
    return 0;
}

static const http_route jobs_route = {"GET", "(jobs table)", ROLE_VIEWER, SCOPE_READ, ROUTE_CACHE,
                                      NULL, jobs_part};

int page_jobs(http_req *r, http_resp *o)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Jobs", 0);
    const char *state, *user;
    jobs_filter(r, &state, &user);
    FILE *f = p.f;
    fputs("<form class=\"row\" method=\"get\" action=\"/jobs\"><div><label for=\"state\">State"
          "</label><select id=\"state\" name=\"state\"><option value=\"\">any</option>",
          f);
    static const char *const states[] = {"queued", "running", "done", "failed", "cancelled"};
    for (int i = 0; i < 5; i++)
        fprintf(f, "<option%s>%s</option>", state && strcmp(state, states[i]) == 0 ? " selected" : "",
                states[i]);
    fputs("</select></div><div><label for=\"user\">User</label><input type=\"text\" id=\"user\" "
          "name=\"user\" value=\"",
          f);
    html_txt(f, user);
    fputs("\"></div><button type=\"submit\">Show</button></form>", f);
    char *part = NULL; /* the table: kept, the same for everyone */
    if (page_kept_part(r, &jobs_route, &part) == 200 && part)
        fputs(part, f);
    else
        fputs("<p class=\"msg bad\">The jobs cannot be read.</p>", f);
    free(part);
    return page_send(&p, 200);
}

/* The points of a job (in state job_state) as a table. */
static void points_table(FILE *f, const job_point_row *v, size_t n, const char *job_state)
{
    static const html_col cols[] = {{"#"},     {"Point"},    {"State"}, {"Run"},
                                    {"Nodes"}, {"Headline"}, {NULL}};
    html_table_begin(f, "points", cols);
    for (size_t i = 0; i < n; i++) {
        const job_point_row *p = &v[i];
        htmlf(f, "<tr><td>%d</td><td>%s</td><td>", p->idx + 1, p->label);
        /* a point is "done" once its run is stored, whatever the run's end: say how it
         * ended ("cancelled" when the job was cancelled and the run interrupted) */
        const char *ps = p->state, *rs = p->run_status;
        if (strcmp(ps, "done") == 0 && *rs && strcmp(rs, "ok") != 0)
            ps = strcmp(rs, "interrupted") == 0 && strcmp(job_state, "cancelled") == 0
                     ? "cancelled"
                     : rs;
        page_state(f, ps);
        fputs("</td><td>", f);
        if (p->run_id) {
            htmlf(f, "<a href=\"/runs/%lld\">run %lld</a> ", (long long)p->run_id,
                  (long long)p->run_id);
            page_state(f, p->run_status);
        }
        /* the node(s) the point ran on: a multi-node run names every one */
        htmlf(f, "</td><td class=\"nodes\">%s</td><td>", p->nodes);
        if (p->has_value) {
            htmlf(f, "%s <strong>", p->metric);
            html_num(f, p->value);
            htmlf(f, "</strong> %s", p->unit);
        } else if (p->error) {
            html_txt(f, p->error);
        }
        fputs("</td></tr>", f);
    }
    html_table_end(f);
}

int page_job(http_req *r, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o))
        return page_message(r, o, 404, "Not found", "No such job.");
    cJSON *j = job_json(r->st, id);
    if (!j)
        return page_message(r, o, 404, "Not found", "No such job.");
    const char *state = page_jstr(j, "state") ? page_jstr(j, "state") : "?";
    int live = strcmp(state, "queued") == 0 || strcmp(state, "running") == 0;
    page p;
    page_open(&p, r, o);
    char title[64];
    snprintf(title, sizeof title, "Job #%lld", (long long)id);
    page_begin(&p, title, live ? 2 : 0);
    FILE *f = p.f;
    int points = (int)page_jnum(j, "points");
    int done = job_points_done(r->st, id);
    fputs("<p>State: ", f);
    fputs("<span id=\"job-state\">", f);
    page_state(f, state);
    fprintf(f, "</span>%s</p><p><label for=\"progress\">Points done</label> <progress "
               "id=\"progress\" max=\"%d\" value=\"%d\">%d of %d</progress> %d of %d</p>",
            live ? " <span class=\"muted small\">(this page refreshes itself)</span>" : "",
            points > 0 ? points : 1, done, done, points, done, points);
    fputs("<dl class=\"kv\"><dt>User</dt><dd>", f);
    html_txt(f, page_jstr(j, "user"));
    fputs("</dd><dt>Plugin</dt><dd>", f);
    html_txt(f, page_jstr(j, "plugin"));
    fputs("</dd><dt>Name</dt><dd>", f);
    html_txt(f, page_jstr(j, "name"));
    fputs("</dd><dt>Submitted</dt><dd>", f);
    html_when(f, page_jstr(j, "created_at"));
    fputs("</dd><dt>Started</dt><dd>", f);
    html_when(f, page_jstr(j, "started_at"));
    fputs("</dd><dt>Ended</dt><dd>", f);
    html_when(f, page_jstr(j, "ended_at"));
    fputs("</dd></dl>", f);
    if (page_jstr(j, "error")) {
        fputs("<p class=\"msg bad\">", f);
        html_txt(f, page_jstr(j, "error"));
        fputs("</p>", f);
    }
    const char *owner = page_jstr(j, "user");
    if (live && r->auth.role >= ROLE_MEMBER &&
        (r->auth.role >= ROLE_ADMIN || (owner && strcmp(owner, r->auth.user) == 0))) {
        fprintf(f, "<form method=\"post\" action=\"/jobs/%lld/cancel\">", (long long)id);
        page_csrf_field(&p);
        fputs("<button type=\"submit\" class=\"danger\">Cancel this job</button></form>", f);
    }
    int mine = owner && strcmp(owner, r->auth.user) == 0 && r->auth.role >= ROLE_MEMBER;
    fprintf(f, "<p><a id=\"compare-job\" href=\"/compare?a=job%%3A%lld\">Compare this job with "
               "another</a>%s",
            (long long)id, mine ? " · " : "");
    if (mine)
        fprintf(f, "<a id=\"schedule-job\" href=\"/schedules?job=%lld\">Repeat it on a "
                   "schedule</a>",
                (long long)id);
    fputs("</p><h2>Points</h2>", f);
    job_point_row *pts = NULL;
    size_t npts = 0;
    char err[512];
    if (job_point_rows(r->st, id, &pts, &npts, err, sizeof err) == 0) {
        points_table(f, pts, npts, state);
        job_point_rows_free(pts, npts);
    } else {
        fputs("<p class=\"msg bad\">", f);
        html_txt(f, err);
        fputs("</p>", f);
    }
    cJSON_Delete(j);
    return page_send(&p, 200);
}

int page_own_job(http_req *r, char *owner, size_t len, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o) || job_owner(r->st, id, owner, len) != 0) {
        http_errorf(o, 404, "no such job");
        return 404;
    }
    return 0;
}

int page_job_cancel(http_req *r, http_resp *o)
{
    page_form fm;
    page_form_parse(r->body, &fm);
    int ok = page_csrf_ok(r, &fm);
    page_form_free(&fm);
    if (!ok)
        return page_csrf_refused(r, o);
    cJSON *j = NULL;
    int st = page_api_call(r, "DELETE", "/api/v1/jobs/{id}", NULL, &j, NULL);
    cJSON_Delete(j);
    if (st != 200 && st != 409)
        return page_message(r, o, st, "Cancel failed", "The job could not be cancelled.");
    char loc[64];
    snprintf(loc, sizeof loc, "/jobs/%s", r->seg[0]);
    return page_redirect(o, loc);
}
