/*
 * page_submit.c — the submission forms (/submit, /submit/{plugin}), made from the plugin's declared parameters; jobs are validated and queued by job_submit(), as the API queues them.
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
#include "page_submit.h"
#include "pages.h"
#include "scheduler.h"
#include "svg.h"
#include "util.h"

#define APP(r) ((serve_app *)http_app(r))
#define HTML PAGE_HTML

/* ---- submit -------------------------------------------------------------------------------------- */

static const char *const extra_fields[] = {"ranks", "threads", "repetitions"};

/* The form's error for field `name` (fields of job_submit: "params.NAME", "ranks" ...). */
static const char *field_error(const cJSON *fields, const char *name, int is_param)
{
    char key[200];
    snprintf(key, sizeof key, "%s%s", is_param ? "params." : "", name);
    return page_jstr(fields, key);
}

/* One declared parameter's field: label, typed input (select, checkbox or text), its error,
   help, sweep size, range and default.  v is the value shown, e its error or NULL. */
static void param_field(FILE *f, const bx_param *q, const char *v, const char *e)
{
    fputs("<div class=\"field\"><label for=\"p-", f);
    html_txt(f, q->name);
    fputs("\">", f);
    html_txt(f, q->name);
    fprintf(f, " <span class=\"muted small\">(%s)</span></label>", bxp_type_name(q->type));
    const char *sfx = q->name;
    if (q->type == BX_ENUM && q->choices) {
        fputs("<select id=\"p-", f);
        html_txt(f, sfx);
        fputs("\" name=\"", f);
        html_txt(f, sfx);
        fputs("\" aria-describedby=\"h-", f);
        html_txt(f, sfx);
        fputs("\">", f);
        if (!q->def)
            fputs("<option value=\"\">(not set)</option>", f);
        for (const char *const *c = q->choices; *c; c++) {
            fputs("<option", f);
            if (v && strcmp(v, *c) == 0)
                fputs(" selected", f);
            fputs(">", f);
            html_txt(f, *c);
            fputs("</option>", f);
        }
        fputs("</select>", f);
    } else if (q->type == BX_BOOL) {
        int on = v && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
                       strcmp(v, "on") == 0 || strcmp(v, "1") == 0);
        fputs("<input type=\"hidden\" name=\"", f);
        html_txt(f, sfx);
        fputs("\" value=\"false\"><input type=\"checkbox\" value=\"true\" id=\"p-", f);
        html_txt(f, sfx);
        fputs("\" name=\"", f);
        html_txt(f, sfx);
        fputs("\" aria-describedby=\"h-", f);
        html_txt(f, sfx);
        fprintf(f, "\"%s>", on ? " checked" : "");
    } else {
        fputs("<input type=\"text\" id=\"p-", f);
        html_txt(f, sfx);
        fputs("\" name=\"", f);
        html_txt(f, sfx);
        fputs("\" value=\"", f);
        html_txt(f, v);
        fprintf(f, "\"%s spellcheck=\"false\" aria-describedby=\"h-",
                q->type == BX_INT      ? " inputmode=\"numeric\""
                : q->type == BX_DOUBLE ? " inputmode=\"decimal\""
                                       : "");
        html_txt(f, sfx);
        if (e) {
            fputs(" e-", f);
            html_txt(f, sfx);
        }
        fputs(e ? "\" aria-invalid=\"true\">" : "\">", f);
    }
    if (e) {
        fputs("<span class=\"err\" id=\"e-", f);
        html_txt(f, sfx);
        fputs("\" role=\"alert\">", f);
        html_txt(f, e);
        fputs("</span>", f);
    }
    fputs("<span class=\"help\" id=\"h-", f);
    html_txt(f, sfx);
    fputs("\">", f);
    html_txt(f, q->help);
    if (q->help && *q->help && q->help[strlen(q->help) - 1] != '.')
        fputs(".", f);
    if (v && strchr(v, ',') && q->type != BX_ENUM && q->type != BX_BOOL) {
        int nv = 1;
        for (const char *c = v; *c; c++)
            nv += *c == ',';
        fprintf(f, " <strong>A sweep of %d values.</strong>", nv);
    }
    if (bxp_has_range(q)) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%.15g", q->min);
        snprintf(b, sizeof b, "%.15g", q->max);
        fprintf(f, " Range %s to %s.", a, b);
    }
    if (q->def) {
        fputs(" Default ", f);
        html_txt(f, q->def);
        fputs(".", f);
    }
    fputs("</span></div>", f);
}

/* Values: the posted form, or NULL for the defaults. */
static int submit_form(http_req *r, http_resp *o, const loaded_plugin *lp, const page_form *fm,
                       const cJSON *fields, const char *top_error, long points, int status)
{
    const bx_plugin *d = lp->desc;
    page p;
    page_open(&p, r, o);
    char title[160];
    snprintf(title, sizeof title, "Run %s", d->name);
    page_begin(&p, title, 0);
    FILE *f = p.f;
    fputs("<p>", f);
    html_txt(f, d->description);
    fputs("</p>", f);
    if (top_error) {
        fputs("<p class=\"msg bad\" role=\"alert\" id=\"form-error\">", f);
        html_txt(f, top_error);
        fputs("</p>", f);
    } else if (points > 0) {
        fprintf(f, "<p class=\"msg good\" role=\"status\" id=\"points\">These values make %ld "
                   "point%s (runs). Nothing is queued until you press Submit.</p>",
                points, points == 1 ? "" : "s");
    }
    fputs("<form class=\"f box\" method=\"post\" action=\"/submit/", f);
    html_url(f, d->name);
    fputs("\" novalidate>", f);
    page_csrf_field(&p);
    fputs("<p class=\"muted small\">Write several values separated by commas (<code>a,b,c</code>)"
          " to sweep a parameter: every combination becomes one point.</p>",
          f);
    for (const bx_param *q = d->params; q && q->name; q++) {
        const char *v = fm ? page_form_get(fm, q->name) : q->def;
        const char *e = field_error(fields, q->name, 1);
        param_field(f, q, v, e);
    }
    static const char *const extra_help[] = {
        "MPI ranks (processes) of each point.", "Threads per rank (OMP_NUM_THREADS).",
        "Timed repetitions after one warm-up (empty: the plugin's choice)."};
    for (size_t i = 0; i < 3; i++) {
        const char *name = extra_fields[i];
        if (i == 0 && !(d->flags & (BX_NEEDS_MPI | BX_USES_MPI))) {
            /* a plugin that runs one process: no ranks to choose (its flags say so) */
            fputs("<p class=\"help\" id=\"x-ranks-fixed\">One process: this plugin does not "
                  "use MPI ranks.</p>",
                  f);
            continue;
        }
        const char *v = fm ? page_form_get(fm, name) : (i < 2 ? "1" : "");
        const char *e = field_error(fields, name, 0);
        fprintf(f, "<div class=\"field\"><label for=\"x-%s\">%s</label><input type=\"text\" "
                   "inputmode=\"numeric\" id=\"x-%s\" name=\"%s\" value=\"",
                name, name, name, name);
        html_txt(f, v);
        fprintf(f, "\" aria-describedby=\"h-%s%s%s\"%s>", name, e ? " e-" : "", e ? name : "",
                e ? " aria-invalid=\"true\"" : "");
        if (e) {
            fprintf(f, "<span class=\"err\" id=\"e-%s\" role=\"alert\">", name);
            html_txt(f, e);
            fputs("</span>", f);
        }
        fprintf(f, "<span class=\"help\" id=\"h-%s\">%s</span></div>", name, extra_help[i]);
    }
    const char *nm = fm ? page_form_get(fm, "name") : "";
    const char *ne = field_error(fields, "name", 0);
    fputs("<div class=\"field\"><label for=\"x-name\">name</label><input type=\"text\" "
          "id=\"x-name\" name=\"name\" value=\"",
          f);
    html_txt(f, nm);
    fputs("\" aria-describedby=\"h-name\">", f);
    if (ne) {
        fputs("<span class=\"err\" role=\"alert\">", f);
        html_txt(f, ne);
        fputs("</span>", f);
    }
    fputs("<span class=\"help\" id=\"h-name\">A name for this experiment (optional).</span>"
          "</div><button type=\"submit\" name=\"action\" value=\"submit\" id=\"submit\">Submit"
          "</button> <button type=\"submit\" class=\"secondary\" name=\"action\" "
          "value=\"count\">Count the points</button></form>",
          f);
    return page_send(&p, status);
}

int page_submit_list(http_req *r, http_resp *o)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Submit a benchmark", 0);
    strvec names = {0};
    page_plugin_names(&names);
    fputs("<ul>", p.f);
    for (size_t i = 0; i < names.n; i++) {
        fputs("<li><a href=\"/submit/", p.f);
        html_url(p.f, names.v[i]);
        fputs("\">", p.f);
        html_txt(p.f, names.v[i]);
        fputs("</a></li>", p.f);
    }
    fputs("</ul>", p.f);
    strvec_free(&names);
    return page_send(&p, 200);
}

int page_submit(http_req *r, http_resp *o)
{
    char err[1024];
    const loaded_plugin *lp = page_plugin_get(r->seg[0], err, sizeof err);
    if (!lp)
        return page_message(r, o, 404, "No such plugin", err);
    int rc = submit_form(r, o, lp, NULL, NULL, NULL, 0, 200);
    page_plugin_put(lp);
    return rc;
}

/* The experiment of a posted form: each declared parameter given, a,b,c as a sweep. */
static cJSON *form_experiment(const bx_plugin *d, const page_form *fm)
{
    cJSON *exp = cJSON_CreateObject();
    cJSON_AddStringToObject(exp, "plugin", d->name);
    const char *nm = page_form_get(fm, "name");
    if (nm && *nm)
        cJSON_AddStringToObject(exp, "name", nm);
    cJSON *params = cJSON_AddObjectToObject(exp, "params");
    for (const bx_param *q = d->params; q && q->name; q++) {
        const char *v = page_form_get(fm, q->name);
        if (!v || !*v)
            continue;
        if (strchr(v, ',')) {
            cJSON *a = cJSON_AddArrayToObject(params, q->name);
            char *copy = xstrdup(v), *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                while (*t == ' ')
                    t++;
                size_t l = strlen(t);
                while (l && t[l - 1] == ' ')
                    t[--l] = '\0';
                cJSON_AddItemToArray(a, cJSON_CreateString(t));
            }
            free(copy);
        } else {
            cJSON_AddStringToObject(params, q->name, v);
        }
    }
    for (size_t i = 0; i < 3; i++) {
        const char *v = page_form_get(fm, extra_fields[i]);
        long n;
        if (!v || !*v)
            continue;
        if (parse_long(v, -1000000000L, 1000000000L, &n) == 0)
            cJSON_AddNumberToObject(exp, extra_fields[i], (double)n);
        else
            cJSON_AddStringToObject(exp, extra_fields[i], v);
    }
    return exp;
}

int page_submit_post(http_req *r, http_resp *o)
{
    page_form fm;
    page_form_parse(r->body, &fm);
    if (!page_csrf_ok(r, &fm)) {
        page_form_free(&fm);
        return page_csrf_refused(r, o);
    }
    char err[4096];
    const loaded_plugin *lp = page_plugin_get(r->seg[0], err, sizeof err);
    if (!lp) {
        page_form_free(&fm);
        return page_message(r, o, 404, "No such plugin", err);
    }
    cJSON *exp = form_experiment(lp->desc, &fm);
    serve_app *app = APP(r);
    cJSON *fields = NULL;
    int rc;
    const char *action = page_form_get(&fm, "action");
    if (action && strcmp(action, "count") == 0) {
        /* validate and count, queue nothing: the same code as job_submit */
        config cfg;
        plan pl;
        char field[200];
        int st = job_plan(exp, app->launcher, &cfg, &pl, err, sizeof err, field, sizeof field);
        long points = st == 0 ? (long)pl.npoints : 0;
        plan_free(&pl);
        config_free(&cfg);
        if (st) {
            fields = cJSON_CreateObject();
            cJSON_AddStringToObject(fields, field, err);
        }
        rc = submit_form(r, o, lp, &fm, fields, st ? err : NULL, points, st ? 400 : 200);
    } else {
        int64_t id = 0;
        int st = job_submit(r->st, r->auth.user, exp, app->launcher, &app->quotas, 0, &id,
                            &fields, err, sizeof err);
        if (st == 0) {
            char loc[64];
            snprintf(loc, sizeof loc, "/jobs/%lld", (long long)id);
            rc = page_redirect(o, loc);
        } else {
            if (st == 429)
                o->retry_after = 60;
            char top[4200];
            snprintf(top, sizeof top, "Nothing was queued: %s", err);
            rc = submit_form(r, o, lp, &fm, fields, top, 0, st);
        }
    }
    cJSON_Delete(fields);
    cJSON_Delete(exp);
    page_plugin_put(lp);
    page_form_free(&fm);
    return rc;
}
