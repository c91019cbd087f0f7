/*
 * page_sched.c — the schedules page (page_sched.h): what runs when, and for a member a form
 * that repeats jobs it ran, together a suite, at a time of day or every period.  What it
 * makes and removes goes through the API's routes, so the checks are the API's.
 */
#define _GNU_SOURCE
#include "page_sched.h"

#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "jobs.h"
#include "page_kit.h"
#include "util.h"

/* "every day at 02:30 UTC", "every 6 h" from a period and the next run's time. */
static void when_text(FILE *f, long long every, const char *next)
{
    const char *t = next ? strchr(next, 'T') : NULL;
    if (every % 86400 == 0 && t && strlen(t) >= 6) {
        if (every == 86400)
            fputs("every day", f);
        else
            fprintf(f, "every %lld days", every / 86400);
        fputs(" at ", f);
        fprintf(f, "%.5s UTC", t + 1);
    } else if (every % 3600 == 0) {
        fprintf(f, "every %lld h", every / 3600);
    } else {
        fprintf(f, "every %lld min", every / 60);
    }
}

/* The experiments of a schedule: "stream (sizes), hpl". */
static void experiments_text(FILE *f, const cJSON *jobs)
{
    const cJSON *e;
    int k = 0;
    cJSON_ArrayForEach(e, jobs) {
        const char *p = page_jstr(e, "plugin"), *n = page_jstr(e, "name");
        fputs(k++ ? ", " : "", f);
        fputs("<span class=\"exp\">", f);
        html_txt(f, p ? p : "?");
        if (n && (!p || strcmp(n, p) != 0)) {
            fputs(" (", f);
            html_txt(f, n);
            fputs(")", f);
        }
        fputs("</span>", f);
    }
}

static int may_change(const http_req *r, const char *owner)
{
    return r->auth.role >= ROLE_ADMIN ||
           (r->auth.role >= ROLE_MEMBER && owner && strcmp(owner, r->auth.user) == 0);
}

static void schedules_table(page *p, const cJSON *list)
{
    FILE *f = p->f;
    if (!cJSON_GetArraySize(list)) {
        fputs("<p class=\"muted\" id=\"no-schedules\">No schedules yet.</p>", f);
        return;
    }
    fputs("<div class=\"scroll\"><table id=\"schedules\"><thead><tr><th scope=\"col\">#</th>"
          "<th scope=\"col\">Owner</th><th scope=\"col\">When</th><th scope=\"col\">Next run"
          "</th><th scope=\"col\">Experiments (the suite)</th><th scope=\"col\">Last job</th>"
          "<th scope=\"col\"></th></tr></thead><tbody>",
          f);
    const cJSON *s;
    cJSON_ArrayForEach(s, list) {
        long long id = (long long)page_jnum(s, "id");
        fprintf(f, "<tr id=\"schedule-%lld\"><td>%lld</td><td>", id, id);
        html_txt(f, page_jstr(s, "user"));
        fputs("</td><td class=\"when\">", f);
        when_text(f, (long long)page_jnum(s, "every_seconds"), page_jstr(s, "next_at"));
        fputs("</td><td>", f);
        html_when(f, page_jstr(s, "next_at"));
        fputs("</td><td>", f);
        experiments_text(f, cJSON_GetObjectItemCaseSensitive(s, "jobs"));
        fputs("</td><td>", f);
        double last = page_jnum(s, "last_job");
        if (last == last)
            fprintf(f, "<a href=\"/jobs/%.0f\">job #%.0f</a>", last, last);
        else
            fputs("<span class=\"muted\">not run yet</span>", f);
        fputs("</td><td>", f);
        if (may_change(p->r, page_jstr(s, "user"))) {
            fprintf(f, "<form method=\"post\" action=\"/schedules/%lld/remove\">", id);
            page_csrf_field(p);
            fputs("<button type=\"submit\" class=\"danger\">Remove</button></form>", f);
        }
        fputs("</td></tr>", f);
    }
    fputs("</tbody></table></div>", f);
}

/* The form: the member's newest jobs to choose from (chosen: `pick`), when, and Make. */
static void schedule_form(page *p, long long pick, const cJSON *fields)
{
    FILE *f = p->f;
    fputs("<section aria-labelledby=\"h-new\"><h2 id=\"h-new\">New schedule</h2>"
          "<form method=\"post\" action=\"/schedules\" id=\"schedule-form\">",
          f);
    page_csrf_field(p);
    fputs("<fieldset><legend>Jobs to repeat (together they are the suite: each runs again "
          "as a new job with the same settings)</legend>",
          f);
    job_row *v = NULL;
    size_t n = 0;
    char err[256];
    if (job_list(p->r->st, NULL, p->r->auth.user, 1, 20, &v, &n, err, sizeof err) != 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        long long id = (long long)v[i].id;
        fprintf(f, "<label class=\"pick\"><input type=\"checkbox\" name=\"job\" "
                   "value=\"%lld\"%s> job #%lld: ",
                id, id == pick ? " checked" : "", id);
        html_txt(f, v[i].plugin);
        if (strcmp(v[i].plugin, v[i].name) != 0) {
            fputs(" (", f);
            html_txt(f, v[i].name);
            fputs(")", f);
        }
        fputs(" <span class=\"muted small\">", f);
        html_txt(f, v[i].state);
        fputs(", ", f);
        html_when(f, v[i].created_at);
        fputs("</span></label><br>", f);
    }
    job_rows_free(v, n);
    if (!n)
        fputs("<p class=\"muted\">You have no jobs yet: <a href=\"/submit\">submit a benchmark"
              "</a> first, then repeat it here.</p>",
              f);
    const char *fe = page_jstr(fields, "jobs");
    if (fe) {
        fputs("<p class=\"field-error\" id=\"err-jobs\">", f);
        html_txt(f, fe);
        fputs("</p>", f);
    }
    fputs("</fieldset><p><label for=\"at\">At (time of day, UTC)</label> <input type=\"time\" "
          "id=\"at\" name=\"at\" placeholder=\"02:30\"> <span class=\"muted small\">leave it "
          "empty to run every period from now</span></p>",
          f);
    static const char *const keys[] = {"at", "every", "now", NULL};
    for (int i = 0; keys[i]; i++)
        if (page_jstr(fields, keys[i])) {
            fprintf(f, "<p class=\"field-error\" id=\"err-%s\">", keys[i]);
            html_txt(f, page_jstr(fields, keys[i]));
            fputs("</p>", f);
        }
    fputs("<p><label for=\"every\">Every</label> <select id=\"every\" name=\"every\">"
          "<option value=\"1h\">hour</option><option value=\"6h\">6 hours</option>"
          "<option value=\"12h\">12 hours</option><option value=\"24h\" selected>day</option>"
          "<option value=\"7d\">week</option></select></p>"
          "<p><label><input type=\"checkbox\" name=\"now\" value=\"1\"> Also run it once now "
          "(otherwise the first run waits for its time)</label></p>"
          "<p><button type=\"submit\">Make the schedule</button></p></form></section>",
          f);
}

/* The page, with a message (bad: an error) and the fields the API named. */
static int schedules_page(http_req *r, http_resp *o, int status, const char *msg, int bad,
                          const cJSON *fields, long long pick)
{
    cJSON *list = NULL;
    int st = page_api_call(r, "GET", "/api/v1/schedules", NULL, &list, NULL);
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Schedules", 0);
    FILE *f = p.f;
    fputs("<p>A schedule runs a suite of experiments again at a time of day or every period, "
          "as new jobs of its owner. After each run its results are checked against earlier "
          "ones; a regression appears on the <a href=\"/\">dashboard</a>.</p>",
          f);
    if (msg) {
        fprintf(f, "<p class=\"msg %s\" role=\"%s\" id=\"schedule-msg\">", bad ? "bad" : "ok",
                bad ? "alert" : "status");
        html_txt(f, msg);
        fputs("</p>", f);
    }
    if (st == 200)
        schedules_table(&p, cJSON_GetObjectItemCaseSensitive(list, "schedules"));
    else
        fputs("<p class=\"msg bad\">The schedules could not be read.</p>", f);
    cJSON_Delete(list);
    if (r->auth.role >= ROLE_MEMBER)
        schedule_form(&p, pick, fields);
    return page_send(&p, status);
}

int page_schedules(http_req *r, http_resp *o)
{
    const char *job = http_query(r, "job");
    long long pick = job ? atoll(job) : 0;
    const char *made = http_query(r, "made");
    char msg[96];
    if (made)
        snprintf(msg, sizeof msg, "Schedule %lld made.", atoll(made));
    return schedules_page(r, o, 200, made ? msg : NULL, 0, NULL, pick);
}

/* The experiments of the chosen jobs (the signed-in member's own; an admin's any): a JSON
 * list, or NULL with the reason in err. */
static cJSON *chosen_suite(http_req *r, const strvec *ids, char *err, size_t errlen)
{
    if (!ids->n) {
        snprintf(err, errlen, "choose at least one job to repeat");
        return NULL;
    }
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < ids->n; i++) {
        char *end;
        long long id = strtoll(ids->v[i], &end, 10);
        cJSON *job = *end == '\0' && id > 0 ? job_json(r->st, id) : NULL, *e = NULL;
        if (job && may_change(r, page_jstr(job, "user")))
            e = cJSON_DetachItemFromObjectCaseSensitive(job, "experiment");
        cJSON_Delete(job);
        if (!cJSON_IsObject(e)) {
            cJSON_Delete(e);
            snprintf(err, errlen, "job %.20s is not one of your jobs", ids->v[i]);
            cJSON_Delete(list);
            list = NULL;
            break;
        }
        cJSON_AddItemToArray(list, e);
    }
    return list;
}

/* The first value of key in the form, or NULL (into buf). */
static const char *form_one(http_req *r, const char *key, char *buf, size_t len)
{
    strvec v = {0};
    const char *out = NULL;
    if (page_form_values(r, key, &v) && *v.v[0]) {
        snprintf(buf, len, "%s", v.v[0]);
        out = buf;
    }
    strvec_free(&v);
    return out;
}

int page_schedule_add(http_req *r, http_resp *o)
{
    if (!page_form_csrf_ok(r))
        return schedules_page(r, o, 403, "This form's security token is missing or out of date. "
                              "Reload the page and send the form again.", 1, NULL, 0);
    strvec ids = {0};
    page_form_values(r, "job", &ids);
    char err[512], at[16], every[16], now[8];
    cJSON *suite = chosen_suite(r, &ids, err, sizeof err);
    long long pick = ids.n ? atoll(ids.v[0]) : 0;
    strvec_free(&ids);
    if (!suite) {
        cJSON *fields = cJSON_CreateObject();
        cJSON_AddStringToObject(fields, "jobs", err);
        int rc = schedules_page(r, o, 400, "The schedule was not made: see below.", 1, fields,
                                pick);
        cJSON_Delete(fields);
        return rc;
    }
    cJSON *b = cJSON_CreateObject();
    cJSON_AddItemToObject(b, "jobs", suite);
    const char *a = form_one(r, "at", at, sizeof at), *e = form_one(r, "every", every, sizeof every);
    if (a)
        cJSON_AddStringToObject(b, "at", a);
    cJSON_AddStringToObject(b, "every", e ? e : "24h");
    if (form_one(r, "now", now, sizeof now))
        cJSON_AddTrueToObject(b, "now");
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    cJSON *j = NULL;
    int st = page_api_call(r, "POST", "/api/v1/schedules", body, &j, NULL);
    free(body);
    if (st == 201) {
        char where[64];
        snprintf(where, sizeof where, "/schedules?made=%.0f",
                 page_jnum(cJSON_GetObjectItemCaseSensitive(j, "schedule"), "id"));
        cJSON_Delete(j);
        http_text(o, 303, PAGE_HTML, "", 0);
        http_add_header(o, "Location", where);
        return 0;
    }
    const cJSON *fields =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "error"), "fields");
    char msg[600];
    snprintf(msg, sizeof msg, "The schedule was not made: %s", page_api_message(j));
    int rc = schedules_page(r, o, st >= 400 && st < 500 ? st : 500, msg, 1, fields, pick);
    cJSON_Delete(j);
    return rc;
}

int page_schedule_remove(http_req *r, http_resp *o)
{
    if (!page_form_csrf_ok(r))
        return schedules_page(r, o, 403, "This form's security token is missing or out of date. "
                              "Reload the page and send the form again.", 1, NULL, 0);
    cJSON *j = NULL;
    int st = page_api_call(r, "DELETE", "/api/v1/schedules/{id}", NULL, &j, NULL);
    if (st != 200) {
        char msg[600];
        snprintf(msg, sizeof msg, "The schedule was not removed: %s", page_api_message(j));
        cJSON_Delete(j);
        return schedules_page(r, o, st >= 400 && st < 500 ? st : 500, msg, 1, NULL, 0);
    }
    cJSON_Delete(j);
    http_text(o, 303, PAGE_HTML, "", 0);
    http_add_header(o, "Location", "/schedules");
    return 0;
}
