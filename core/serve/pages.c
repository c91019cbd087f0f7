/*
 * pages.c — the HTML pages of `benchaas serve` (see pages.h).
 *
 * Each handler writes its page into a memory stream through the helpers
 * below: page_begin() (head, navigation bar, who is signed in), the body,
 * page_end().  Every text from the database or the request goes through
 * page_esc() (svg_escape, the report's escaping) or, in a URL, through page_url().
 * Data come from the same code as the JSON API: the API's own handlers are
 * called in-process (api_call) for runs, leaderboards and sign-in, and jobs
 * are validated and queued by job_submit(), the API's and the CLI's
 * configuration code.
 */
#define _GNU_SOURCE
#include "pages.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <microhttpd.h>
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
#include "page_board.h"
#include "page_compare.h"
#include "page_kit.h"
#include "report.h"
#include "page_yard.h"
#include "scheduler.h"
#include "svg.h"
#include "util.h"


#define APP(r) ((serve_app *)http_app(r))
#define HTML PAGE_HTML

/* ---- small helpers ------------------------------------------------------------------ */

static void state_span(FILE *f, const char *state)
{
    fputs("<span class=\"state s-", f);
    page_esc(f, state);
    fputs("\">", f);
    page_esc(f, state);
    fputs("</span>", f);
}

/* ---- form bodies (application/x-www-form-urlencoded) ------------------------------------- */

typedef struct form {
    char **k, **v;
    size_t n;
} form;

static char *urldecode(const char *s, size_t len)
{
    char *o = xmalloc(len + 1);
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            o[j++] = ' ';
        } else if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
                   isxdigit((unsigned char)s[i + 2])) {
            char h[3] = {s[i + 1], s[i + 2], 0};
            o[j++] = (char)strtol(h, NULL, 16);
            i += 2;
        } else {
            o[j++] = s[i];
        }
    }
    o[j] = '\0';
    return o;
}

static void form_parse(const char *body, form *fm)
{
    memset(fm, 0, sizeof *fm);
    const char *p = body ? body : "";
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (len) {
            fm->k = xrealloc(fm->k, (fm->n + 1) * sizeof *fm->k);
            fm->v = xrealloc(fm->v, (fm->n + 1) * sizeof *fm->v);
            fm->k[fm->n] = urldecode(p, eq ? (size_t)(eq - p) : len);
            fm->v[fm->n] = eq ? urldecode(eq + 1, len - (size_t)(eq - p) - 1) : xstrdup("");
            fm->n++;
        }
        p += len + (amp ? 1 : 0);
    }
}

/* The last value of key (a checkbox after its hidden fallback), or NULL. */
static const char *form_get(const form *fm, const char *key)
{
    for (size_t i = fm->n; i-- > 0;)
        if (strcmp(fm->k[i], key) == 0)
            return fm->v[i];
    return NULL;
}

static void form_free(form *fm)
{
    for (size_t i = 0; i < fm->n; i++) {
        free(fm->k[i]);
        free(fm->v[i]);
    }
    free(fm->k);
    free(fm->v);
}

/* ---- CSRF ------------------------------------------------------------------------------ */

/* Is the form's csrf field right? */
static int csrf_ok(const http_req *r, const form *fm)
{
    const char *c = page_csrf_cookie(r), *t = form_get(fm, "csrf");
    if (!c || !t || strlen(t) != 64)
        return 0;
    char want[65];
    page_csrf_of(c, want);
    return sodium_memcmp(want, t, 64) == 0;
}

/* ---- pages ------------------------------------------------------------------------------ */

/* A whole page holding one message. */
static int page_message(http_req *r, http_resp *o, int status, const char *title,
                        const char *msg)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, title, 0);
    fputs("<p class=\"msg bad\" role=\"alert\">", p.f);
    page_esc(p.f, msg);
    fputs("</p><p><a href=\"/\">Back to the dashboard</a></p>", p.f);
    return page_send(&p, status);
}

static int redirect(http_resp *o, const char *where)
{
    http_text(o, 303, HTML, "", 0);
    http_add_header(o, "Location", where);
    return 0;
}

static int csrf_refused(http_req *r, http_resp *o)
{
    return page_message(r, o, 403, "Form refused",
                        "This form's security token is missing or out of date, so it was "
                        "not accepted. Reload the page and send the form again.");
}

void pages_refused(http_req *r, http_resp *o)
{
    int status = o->status;
    char msg[512] = "not allowed";
    cJSON *j = o->body ? cJSON_ParseWithLength(o->body, o->len) : NULL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "error"), "message");
    if (cJSON_IsString(m))
        snprintf(msg, sizeof msg, "%s", m->valuestring);
    cJSON_Delete(j);
    free(o->body);
    o->body = NULL;
    o->len = 0;
    strvec_free(&o->headers);
    if (status == 401) {
        char *loc = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&loc, &len);
        fputs("/login?next=", f);
        page_url(f, strcmp(r->method, "GET") == 0 ? r->path : "/");
        fclose(f);
        redirect(o, loc);
        free(loc);
        return;
    }
    page_message(r, o, status, status == 404 ? "Not found" : "Not allowed", msg);
}

void pages_not_found(http_req *r, http_resp *o)
{
    char *msg = xasprintf("There is no page at %s.", r->path);
    page_message(r, o, 404, "Not found", msg);
    free(msg);
}

/* ---- the API, called in-process ----------------------------------------------------------- */

/* The names of the plugins found (in search order); scanned at most once a minute, since
 * loading every plugin costs far more than a page. */
static pthread_mutex_t names_mu = PTHREAD_MUTEX_INITIALIZER;
static strvec names_cache;
static double names_at = -1e9;

static void names_refresh(void)
{
    if (mono_now() - names_at > 60.0) {
        strvec user = {0}, dirs = {0};
        plugin_search_path(&user, &dirs);
        plugin_entry *e = NULL;
        size_t n = 0;
        plugin_scan(&dirs, core_host(), &e, &n);
        strvec_free(&names_cache);
        for (size_t i = 0; i < n; i++)
            if (!e[i].error)
                strvec_push(&names_cache, e[i].p.desc->name);
        plugin_scan_free(e, n);
        strvec_free(&dirs);
        names_at = mono_now();
    }
}

static void plugin_names(strvec *out)
{
    pthread_mutex_lock(&names_mu);
    names_refresh();
    for (size_t i = 0; i < names_cache.n; i++)
        strvec_push(out, names_cache.v[i]);
    pthread_mutex_unlock(&names_mu);
}

/* ---- sign-in, sign-out, sign-up ----------------------------------------------------------------- */

/*
 * A path of this site to go to after sign-in: next (already percent-decoded) when it is one,
 * else "/".  One is a single '/' and then no backslash and no control character anywhere
 * (browsers drop tabs and newlines, so "/\t/host" would be "//host", another site) and no
 * second '/' right after the first.
 */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/')
        return "/";
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            return "/";
    return next;
}

static int login_form(http_req *r, http_resp *o, int status, const char *user, const char *msg,
                      int signup)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, signup ? "Sign up" : "Sign in", 0);
    FILE *f = p.f;
    if (msg) {
        fputs("<p class=\"msg bad\" role=\"alert\" id=\"form-error\">", f);
        page_esc(f, msg);
        fputs("</p>", f);
    }
    const char *next = safe_next(http_query(r, "next"));
    fprintf(f, "<form class=\"f box\" method=\"post\" action=\"%s?next=",
            signup ? "/signup" : "/login");
    page_url(f, next);
    fputs("\">", f);
    page_csrf_field(&p);
    fputs("<div class=\"field\"><label for=\"user\">User name</label><input type=\"text\" "
          "id=\"user\" name=\"user\" autocomplete=\"username\" required value=\"",
          f);
    page_esc(f, user);
    fputs("\"></div><div class=\"field\"><label for=\"password\">Password</label>"
          "<input type=\"password\" id=\"password\" name=\"password\" required autocomplete=\"",
          f);
    fputs(signup ? "new-password" : "current-password", f);
    fprintf(f, "\"></div><button type=\"submit\">%s</button></form>",
            signup ? "Create the account" : "Sign in");
    if (!signup && http_signup(r))
        fputs("<p>No account yet? <a href=\"/signup\">Sign up</a>.</p>", f);
    return page_send(&p, status);
}

static int g_login(http_req *r, http_resp *o)
{
    if (r->auth.user_id)
        return redirect(o, safe_next(http_query(r, "next")));
    return login_form(r, o, 200, "", NULL, 0);
}

/* Sign in as user/password through the API's session route (its rate limit included). */
static int sign_in(http_req *r, http_resp *o, const char *user, const char *pw, int signup)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "user", user);
    cJSON_AddStringToObject(b, "password", pw);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    cJSON *j = NULL;
    int wait = 0;
    int st = page_api_call(r, "POST", "/api/v1/session", body, &j, &wait);
    sodium_memzero(body, strlen(body));
    free(body);
    if (st == 201) {
        const char *tok = page_jstr(j, "token");
        char *h = xasprintf("benchaas_session=%s; Path=/; Max-Age=%lld; HttpOnly; "
                            "SameSite=Strict%s",
                            tok ? tok : "", (long long)APP(r)->session_s,
                            page_is_tls(r) ? "; Secure" : "");
        redirect(o, safe_next(http_query(r, "next")));
        http_add_header(o, "Set-Cookie", h);
        sodium_memzero(h, strlen(h));
        free(h);
        cJSON_Delete(j);
        return 0;
    }
    char msg[512];
    if (st == 429)
        snprintf(msg, sizeof msg,
                 "Too many failed sign-ins for this name or from this address: this account "
                 "is locked for now. Wait %d seconds and try again.",
                 wait > 0 ? wait : 60);
    else if (st == 401 && strstr(page_api_message(j), "disabled")) /* the password was right */
        snprintf(msg, sizeof msg, "The account %s is disabled. Ask an administrator to enable "
                                  "it again.",
                 user);
    else if (st == 401) /* a disabled account is not told apart from a wrong password */
        snprintf(msg, sizeof msg, "Wrong user name or password.");
    else
        snprintf(msg, sizeof msg, "%s", page_api_message(j));
    cJSON_Delete(j);
    if (st == 429)
        o->retry_after = wait;
    return login_form(r, o, st == 401 || st == 429 ? st : 400, user, msg, signup);
}

static int p_login(http_req *r, http_resp *o)
{
    form fm;
    form_parse(r->body, &fm);
    int rc;
    if (!csrf_ok(r, &fm))
        rc = csrf_refused(r, o);
    else
        rc = sign_in(r, o, form_get(&fm, "user") ? form_get(&fm, "user") : "",
                     form_get(&fm, "password") ? form_get(&fm, "password") : "", 0);
    form_free(&fm);
    return rc;
}

static int p_logout(http_req *r, http_resp *o)
{
    form fm;
    form_parse(r->body, &fm);
    int ok = csrf_ok(r, &fm);
    form_free(&fm);
    if (!ok)
        return csrf_refused(r, o);
    char err[256];
    account_token_revoke(r->st, r->auth.token_id, err, sizeof err);
    redirect(o, "/login");
    http_add_header(o, "Set-Cookie", "benchaas_session=; Path=/; Max-Age=0; HttpOnly; "
                                     "SameSite=Strict");
    return 0;
}

static int g_signup(http_req *r, http_resp *o)
{
    if (!http_signup(r))
        return page_message(r, o, 404, "Not found", "Sign-up is closed: ask an administrator "
                                                    "for an account.");
    return login_form(r, o, 200, "", NULL, 1);
}

static int p_signup(http_req *r, http_resp *o)
{
    if (!http_signup(r))
        return page_message(r, o, 404, "Not found", "Sign-up is closed: ask an administrator "
                                                    "for an account.");
    form fm;
    form_parse(r->body, &fm);
    if (!csrf_ok(r, &fm)) {
        form_free(&fm);
        return csrf_refused(r, o);
    }
    const char *user = form_get(&fm, "user"), *pw = form_get(&fm, "password");
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "user", user ? user : "");
    cJSON_AddStringToObject(b, "password", pw ? pw : "");
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    cJSON *j = NULL;
    int st = page_api_call(r, "POST", "/api/v1/users", body, &j, NULL);
    sodium_memzero(body, strlen(body));
    free(body);
    int rc;
    if (st == 201)
        rc = sign_in(r, o, user, pw, 1);
    else
        rc = login_form(r, o, st, user ? user : "",
                        st == 409 ? "This name is taken: choose another." : page_api_message(j), 1);
    cJSON_Delete(j);
    form_free(&fm);
    return rc;
}

/* ---- dashboard ---------------------------------------------------------------------------------- */

static int count_sql(store *st, const char *sql)
{
    sqlite3_stmt *s;
    int n = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return n;
}

/* A table of jobs from sql (id, user, plugin, name, state, npoints, done, created_at). */
static int jobs_table(FILE *f, store *st, const char *sql, const char *a1, const char *a2)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return 0;
    if (a1)
        sqlite3_bind_text(s, 1, a1, -1, SQLITE_TRANSIENT);
    if (a2)
        sqlite3_bind_text(s, 2, a2, -1, SQLITE_TRANSIENT);
    int n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n++ == 0)
            fputs("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Job</th>"
                  "<th scope=\"col\">User</th><th scope=\"col\">Plugin</th><th scope=\"col\">"
                  "Name</th><th scope=\"col\">State</th><th scope=\"col\">Points done</th>"
                  "<th scope=\"col\">Submitted</th></tr></thead><tbody>",
                  f);
        long long id = sqlite3_column_int64(s, 0);
        fprintf(f, "<tr><td><a href=\"/jobs/%lld\">#%lld</a></td><td>", id, id);
        page_esc(f, page_col_text(s, 1));
        fputs("</td><td>", f);
        page_esc(f, page_col_text(s, 2));
        fputs("</td><td>", f);
        page_esc(f, page_col_text(s, 3));
        fputs("</td><td>", f);
        state_span(f, page_col_text(s, 4));
        fprintf(f, "</td><td class=\"n\">%d / %d</td><td>", sqlite3_column_int(s, 6),
                sqlite3_column_int(s, 5));
        page_when(f, page_col_text(s, 7));
        fputs("</td></tr>", f);
    }
    sqlite3_finalize(s);
    if (n)
        fputs("</tbody></table></div>", f);
    return n;
}

#define JOB_COLS                                                                               \
    "SELECT j.id, j.user, j.plugin, j.name, j.state, j.npoints, (SELECT count(*) FROM "        \
    "job_points p WHERE p.job_id = j.id AND p.state = 'done'), j.created_at FROM jobs j "

/* The headline metric of a run (headline.h: the one its plugin marked when it ran, else
 * its first): name, value, unit. */
#define HEADLINE_JOIN                                                                          \
    " LEFT JOIN metrics m ON m.run_id = r.id AND m.name = (SELECT x.name FROM metrics x WHERE " \
    "x.run_id = r.id ORDER BY " HEADLINE_SQL " DESC, x.seq LIMIT 1) "

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
            state_span(f, page_col_text(s, 5));
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

/* The kept part `rt` of the page r asks for (answers.h): its status, and its body in *out
 * (malloc'd, or NULL). */
static int kept_part(http_req *r, const http_route *rt, char **out)
{
    http_req q = *r;
    q.method = "GET";
    http_resp d;
    memset(&d, 0, sizeof d);
    http_run_route(rt, &q, &d);
    strvec_free(&d.headers);
    *out = d.body;
    return d.status;
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
    form fm;
    form_parse(r->body, &fm);
    int ok = csrf_ok(r, &fm);
    cJSON *b = cJSON_CreateObject();
    const char *why = form_get(&fm, "reason");
    cJSON_AddStringToObject(b, "reason", why ? why : "");
    form_free(&fm);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    if (!ok) {
        free(body);
        return csrf_refused(r, o);
    }
    cJSON *j = NULL;
    int st = page_api_call(r, "POST", pattern, body, &j, NULL);
    free(body);
    cJSON_Delete(j);
    if (st != 200 && st != 409)
        return page_message(r, o, st, "Alert not changed", "The alert could not be changed.");
    return redirect(o, "/");
}

static int p_alert_ack(http_req *r, http_resp *o)
{
    return p_alert_act(r, o, "/api/v1/alerts/{id}/acknowledge");
}

static int p_alert_accept(http_req *r, http_resp *o)
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
    int queued = count_sql(r->st, "SELECT count(*) FROM jobs WHERE state = 'queued'");
    int running = count_sql(r->st, "SELECT count(*) FROM jobs WHERE state = 'running'");
    fprintf(f, "<p>%d job%s queued, %d running.", queued, queued == 1 ? "" : "s", running);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(r->st),
                           "SELECT id, created_at FROM jobs WHERE state = 'queued' ORDER BY id "
                           "LIMIT 1",
                           -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW) {
            fprintf(f, " Oldest queued: <a href=\"/jobs/%lld\">job #%lld</a>, submitted ",
                    (long long)sqlite3_column_int64(s, 0), (long long)sqlite3_column_int64(s, 0));
            page_esc(f, page_col_text(s, 1));
            fputs(".", f);
        }
        sqlite3_finalize(s);
    }
    fputs("</p>", f);
    fputs("<div class=\"grid2\"><section aria-labelledby=\"h-running\"><h2 id=\"h-running\">"
          "Running now</h2>",
          f);
    if (!jobs_table(f, r->st, JOB_COLS "WHERE j.state = 'running' ORDER BY j.id LIMIT 20", NULL,
                    NULL))
        fputs("<p class=\"muted\">Nothing is running.</p>", f);
    fputs("</section><section aria-labelledby=\"h-queue\"><h2 id=\"h-queue\">Queue</h2>", f);
    if (!jobs_table(f, r->st, JOB_COLS "WHERE j.state = 'queued' ORDER BY j.id LIMIT 20", NULL,
                    NULL))
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

static int g_dashboard(http_req *r, http_resp *o)
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
        plugin_names(&names);
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
    if (kept_part(r, &dashboard_route, &part) == 200 && part)
        fputs(part, f);
    free(part);
    regressions_section(&p, r);
    return page_send(&p, 200);
}

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
    page_esc(f, q->name);
    fputs("\">", f);
    page_esc(f, q->name);
    fprintf(f, " <span class=\"muted small\">(%s)</span></label>", bxp_type_name(q->type));
    const char *sfx = q->name;
    if (q->type == BX_ENUM && q->choices) {
        fputs("<select id=\"p-", f);
        page_esc(f, sfx);
        fputs("\" name=\"", f);
        page_esc(f, sfx);
        fputs("\" aria-describedby=\"h-", f);
        page_esc(f, sfx);
        fputs("\">", f);
        if (!q->def)
            fputs("<option value=\"\">(not set)</option>", f);
        for (const char *const *c = q->choices; *c; c++) {
            fputs("<option", f);
            if (v && strcmp(v, *c) == 0)
                fputs(" selected", f);
            fputs(">", f);
            page_esc(f, *c);
            fputs("</option>", f);
        }
        fputs("</select>", f);
    } else if (q->type == BX_BOOL) {
        int on = v && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
                       strcmp(v, "on") == 0 || strcmp(v, "1") == 0);
        fputs("<input type=\"hidden\" name=\"", f);
        page_esc(f, sfx);
        fputs("\" value=\"false\"><input type=\"checkbox\" value=\"true\" id=\"p-", f);
        page_esc(f, sfx);
        fputs("\" name=\"", f);
        page_esc(f, sfx);
        fputs("\" aria-describedby=\"h-", f);
        page_esc(f, sfx);
        fprintf(f, "\"%s>", on ? " checked" : "");
    } else {
        fputs("<input type=\"text\" id=\"p-", f);
        page_esc(f, sfx);
        fputs("\" name=\"", f);
        page_esc(f, sfx);
        fputs("\" value=\"", f);
        page_esc(f, v);
        fprintf(f, "\"%s spellcheck=\"false\" aria-describedby=\"h-",
                q->type == BX_INT      ? " inputmode=\"numeric\""
                : q->type == BX_DOUBLE ? " inputmode=\"decimal\""
                                       : "");
        page_esc(f, sfx);
        if (e) {
            fputs(" e-", f);
            page_esc(f, sfx);
        }
        fputs(e ? "\" aria-invalid=\"true\">" : "\">", f);
    }
    if (e) {
        fputs("<span class=\"err\" id=\"e-", f);
        page_esc(f, sfx);
        fputs("\" role=\"alert\">", f);
        page_esc(f, e);
        fputs("</span>", f);
    }
    fputs("<span class=\"help\" id=\"h-", f);
    page_esc(f, sfx);
    fputs("\">", f);
    page_esc(f, q->help);
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
        page_esc(f, q->def);
        fputs(".", f);
    }
    fputs("</span></div>", f);
}

/* Values: the posted form, or NULL for the defaults. */
static int submit_form(http_req *r, http_resp *o, const loaded_plugin *lp, const form *fm,
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
    page_esc(f, d->description);
    fputs("</p>", f);
    if (top_error) {
        fputs("<p class=\"msg bad\" role=\"alert\" id=\"form-error\">", f);
        page_esc(f, top_error);
        fputs("</p>", f);
    } else if (points > 0) {
        fprintf(f, "<p class=\"msg good\" role=\"status\" id=\"points\">These values make %ld "
                   "point%s (runs). Nothing is queued until you press Submit.</p>",
                points, points == 1 ? "" : "s");
    }
    fputs("<form class=\"f box\" method=\"post\" action=\"/submit/", f);
    page_url(f, d->name);
    fputs("\" novalidate>", f);
    page_csrf_field(&p);
    fputs("<p class=\"muted small\">Write several values separated by commas (<code>a,b,c</code>)"
          " to sweep a parameter: every combination becomes one point.</p>",
          f);
    for (const bx_param *q = d->params; q && q->name; q++) {
        const char *v = fm ? form_get(fm, q->name) : q->def;
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
        const char *v = fm ? form_get(fm, name) : (i < 2 ? "1" : "");
        const char *e = field_error(fields, name, 0);
        fprintf(f, "<div class=\"field\"><label for=\"x-%s\">%s</label><input type=\"text\" "
                   "inputmode=\"numeric\" id=\"x-%s\" name=\"%s\" value=\"",
                name, name, name, name);
        page_esc(f, v);
        fprintf(f, "\" aria-describedby=\"h-%s%s%s\"%s>", name, e ? " e-" : "", e ? name : "",
                e ? " aria-invalid=\"true\"" : "");
        if (e) {
            fprintf(f, "<span class=\"err\" id=\"e-%s\" role=\"alert\">", name);
            page_esc(f, e);
            fputs("</span>", f);
        }
        fprintf(f, "<span class=\"help\" id=\"h-%s\">%s</span></div>", name, extra_help[i]);
    }
    const char *nm = fm ? form_get(fm, "name") : "";
    const char *ne = field_error(fields, "name", 0);
    fputs("<div class=\"field\"><label for=\"x-name\">name</label><input type=\"text\" "
          "id=\"x-name\" name=\"name\" value=\"",
          f);
    page_esc(f, nm);
    fputs("\" aria-describedby=\"h-name\">", f);
    if (ne) {
        fputs("<span class=\"err\" role=\"alert\">", f);
        page_esc(f, ne);
        fputs("</span>", f);
    }
    fputs("<span class=\"help\" id=\"h-name\">A name for this experiment (optional).</span>"
          "</div><button type=\"submit\" name=\"action\" value=\"submit\" id=\"submit\">Submit"
          "</button> <button type=\"submit\" class=\"secondary\" name=\"action\" "
          "value=\"count\">Count the points</button></form>",
          f);
    return page_send(&p, status);
}

static int g_submit_list(http_req *r, http_resp *o)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Submit a benchmark", 0);
    strvec names = {0};
    plugin_names(&names);
    fputs("<ul>", p.f);
    for (size_t i = 0; i < names.n; i++) {
        fputs("<li><a href=\"/submit/", p.f);
        page_url(p.f, names.v[i]);
        fputs("\">", p.f);
        page_esc(p.f, names.v[i]);
        fputs("</a></li>", p.f);
    }
    fputs("</ul>", p.f);
    strvec_free(&names);
    return page_send(&p, 200);
}

static int g_submit(http_req *r, http_resp *o)
{
    loaded_plugin lp;
    char err[1024];
    if (page_load_plugin(r->seg[0], &lp, err, sizeof err) != 0)
        return page_message(r, o, 404, "No such plugin", err);
    int rc = submit_form(r, o, &lp, NULL, NULL, NULL, 0, 200);
    plugin_unload(&lp);
    return rc;
}

/* The experiment of a posted form: each declared parameter given, a,b,c as a sweep. */
static cJSON *form_experiment(const bx_plugin *d, const form *fm)
{
    cJSON *exp = cJSON_CreateObject();
    cJSON_AddStringToObject(exp, "plugin", d->name);
    const char *nm = form_get(fm, "name");
    if (nm && *nm)
        cJSON_AddStringToObject(exp, "name", nm);
    cJSON *params = cJSON_AddObjectToObject(exp, "params");
    for (const bx_param *q = d->params; q && q->name; q++) {
        const char *v = form_get(fm, q->name);
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
        const char *v = form_get(fm, extra_fields[i]);
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

static int p_submit(http_req *r, http_resp *o)
{
    form fm;
    form_parse(r->body, &fm);
    if (!csrf_ok(r, &fm)) {
        form_free(&fm);
        return csrf_refused(r, o);
    }
    loaded_plugin lp;
    char err[4096];
    if (page_load_plugin(r->seg[0], &lp, err, sizeof err) != 0) {
        form_free(&fm);
        return page_message(r, o, 404, "No such plugin", err);
    }
    cJSON *exp = form_experiment(lp.desc, &fm);
    serve_app *app = APP(r);
    cJSON *fields = NULL;
    int rc;
    const char *action = form_get(&fm, "action");
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
        rc = submit_form(r, o, &lp, &fm, fields, st ? err : NULL, points, st ? 400 : 200);
    } else {
        int64_t id = 0;
        int st = job_submit(r->st, r->auth.user, exp, app->launcher, &app->quotas, 0, &id,
                            &fields, err, sizeof err);
        if (st == 0) {
            char loc[64];
            snprintf(loc, sizeof loc, "/jobs/%lld", (long long)id);
            rc = redirect(o, loc);
        } else {
            if (st == 429)
                o->retry_after = 60;
            char top[4200];
            snprintf(top, sizeof top, "Nothing was queued: %s", err);
            rc = submit_form(r, o, &lp, &fm, fields, top, 0, st);
        }
    }
    cJSON_Delete(fields);
    cJSON_Delete(exp);
    plugin_unload(&lp);
    form_free(&fm);
    return rc;
}

/* ---- jobs ------------------------------------------------------------------------------------ */

static int g_jobs(http_req *r, http_resp *o)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Jobs", 0);
    const char *state = http_query(r, "state"), *user = http_query(r, "user");
    if (state && !*state)
        state = NULL;
    if (user && !*user)
        user = NULL;
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
    page_esc(f, user);
    fputs("\"></div><button type=\"submit\">Show</button></form>", f);
    if (!jobs_table(f, r->st,
                    JOB_COLS "WHERE (?1 IS NULL OR j.state = ?1) AND (?2 IS NULL OR j.user = ?2) "
                             "ORDER BY j.id DESC LIMIT 200",
                    state, user))
        fputs("<p class=\"muted\">No jobs.</p>", f);
    return page_send(&p, 200);
}

static int g_job(http_req *r, http_resp *o)
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
    int done = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(r->st),
                           "SELECT count(*) FROM job_points WHERE job_id = ?1 AND state = 'done'",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW)
            done = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    fputs("<p>State: ", f);
    fputs("<span id=\"job-state\">", f);
    state_span(f, state);
    fprintf(f, "</span>%s</p><p><label for=\"progress\">Points done</label> <progress "
               "id=\"progress\" max=\"%d\" value=\"%d\">%d of %d</progress> %d of %d</p>",
            live ? " <span class=\"muted small\">(this page refreshes itself)</span>" : "",
            points > 0 ? points : 1, done, done, points, done, points);
    fputs("<dl class=\"kv\"><dt>User</dt><dd>", f);
    page_esc(f, page_jstr(j, "user"));
    fputs("</dd><dt>Plugin</dt><dd>", f);
    page_esc(f, page_jstr(j, "plugin"));
    fputs("</dd><dt>Name</dt><dd>", f);
    page_esc(f, page_jstr(j, "name"));
    fputs("</dd><dt>Submitted</dt><dd>", f);
    page_when(f, page_jstr(j, "created_at"));
    fputs("</dd><dt>Started</dt><dd>", f);
    page_when(f, page_jstr(j, "started_at"));
    fputs("</dd><dt>Ended</dt><dd>", f);
    page_when(f, page_jstr(j, "ended_at"));
    fputs("</dd></dl>", f);
    if (page_jstr(j, "error")) {
        fputs("<p class=\"msg bad\">", f);
        page_esc(f, page_jstr(j, "error"));
        fputs("</p>", f);
    }
    const char *owner = page_jstr(j, "user");
    if (live && r->auth.role >= ROLE_MEMBER &&
        (r->auth.role >= ROLE_ADMIN || (owner && strcmp(owner, r->auth.user) == 0))) {
        fprintf(f, "<form method=\"post\" action=\"/jobs/%lld/cancel\">", (long long)id);
        page_csrf_field(&p);
        fputs("<button type=\"submit\" class=\"danger\">Cancel this job</button></form>", f);
    }
    fprintf(f, "<p><a id=\"compare-job\" href=\"/compare?a=job%%3A%lld\">Compare this job with "
               "another</a></p><h2>Points</h2>",
            (long long)id);
    if (sqlite3_prepare_v2(store_db(r->st),
                           "SELECT p.idx, p.label, p.state, r.id, r.status, m.name, m.value, "
                           "m.unit, r.error, coalesce((SELECT value FROM provenance WHERE "
                           "run_id = r.id AND key = 'nodes'), (SELECT name FROM hosts WHERE "
                           "id = r.host_id)) FROM job_points p LEFT JOIN runs r ON r.id = "
                           "p.run_id" HEADLINE_JOIN "WHERE p.job_id = ?1 ORDER BY p.idx",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        fputs("<div class=\"scroll\"><table id=\"points\"><thead><tr><th scope=\"col\">#</th>"
              "<th scope=\"col\">Point</th><th scope=\"col\">State</th><th scope=\"col\">Run"
              "</th><th scope=\"col\">Nodes</th><th scope=\"col\">Headline</th></tr></thead>"
              "<tbody>",
              f);
        while (sqlite3_step(s) == SQLITE_ROW) {
            fprintf(f, "<tr><td>%d</td><td>", sqlite3_column_int(s, 0) + 1);
            page_esc(f, page_col_text(s, 1));
            fputs("</td><td>", f);
            /* a point is "done" once its run is stored, whatever the run's end: say how it
             * ended ("cancelled" when the job was cancelled and the run interrupted) */
            const char *ps = page_col_text(s, 2), *rs = page_col_text(s, 4);
            if (strcmp(ps, "done") == 0 && *rs && strcmp(rs, "ok") != 0)
                ps = strcmp(rs, "interrupted") == 0 && strcmp(state, "cancelled") == 0
                         ? "cancelled"
                         : rs;
            state_span(f, ps);
            fputs("</td><td>", f);
            if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
                long long rid = sqlite3_column_int64(s, 3);
                fprintf(f, "<a href=\"/runs/%lld\">run %lld</a> ", rid, rid);
                state_span(f, page_col_text(s, 4));
            }
            /* the node(s) the point ran on: a multi-node run names every one */
            fputs("</td><td class=\"nodes\">", f);
            page_esc(f, page_col_text(s, 9));
            fputs("</td><td>", f);
            if (sqlite3_column_type(s, 6) != SQLITE_NULL) {
                page_esc(f, page_col_text(s, 5));
                fputs(" <strong>", f);
                page_num(f, sqlite3_column_double(s, 6));
                fputs("</strong> ", f);
                page_esc(f, page_col_text(s, 7));
            } else if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
                page_esc(f, page_col_text(s, 8));
            }
            fputs("</td></tr>", f);
        }
        sqlite3_finalize(s);
        fputs("</tbody></table></div>", f);
    } else {
        fputs("<p class=\"msg bad\">", f);
        page_esc(f, sqlite3_errmsg(store_db(r->st)));
        fputs("</p>", f);
    }
    cJSON_Delete(j);
    return page_send(&p, 200);
}

static int own_job_page(http_req *r, char *owner, size_t len, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o) || job_owner(r->st, id, owner, len) != 0) {
        http_errorf(o, 404, "no such job");
        return 404;
    }
    return 0;
}

static int p_job_cancel(http_req *r, http_resp *o)
{
    form fm;
    form_parse(r->body, &fm);
    int ok = csrf_ok(r, &fm);
    form_free(&fm);
    if (!ok)
        return csrf_refused(r, o);
    cJSON *j = NULL;
    int st = page_api_call(r, "DELETE", "/api/v1/jobs/{id}", NULL, &j, NULL);
    cJSON_Delete(j);
    if (st != 200 && st != 409)
        return page_message(r, o, st, "Cancel failed", "The job could not be cancelled.");
    char loc[64];
    snprintf(loc, sizeof loc, "/jobs/%s", r->seg[0]);
    return redirect(o, loc);
}

/* ---- runs ------------------------------------------------------------------------------------ */

static void kv_object(FILE *f, const cJSON *o)
{
    fputs("<dl class=\"kv\">", f);
    const cJSON *it;
    cJSON_ArrayForEach(it, o)
    {
        fputs("<dt>", f);
        page_esc(f, it->string);
        fputs("</dt><dd>", f);
        const cJSON *v = cJSON_IsObject(it) && cJSON_GetObjectItemCaseSensitive(it, "value")
                             ? cJSON_GetObjectItemCaseSensitive(it, "value")
                             : it;
        if (cJSON_IsString(v)) {
            page_esc(f, v->valuestring);
        } else {
            char *t = cJSON_PrintUnformatted(v);
            page_esc(f, t);
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
    int st = page_api_call(r, "GET", "/api/v1/runs/{id}", NULL, &j, NULL);
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
    page_esc(f, page_jstr(run, "plugin"));
    fputs(" ", f);
    page_esc(f, page_jstr(run, "plugin_version"));
    fputs(" on ", f);
    page_esc(f, page_jstr(run, "host"));
    fputs(", started ", f);
    page_when(f, page_jstr(run, "started_at"));
    fputs(": ", f);
    state_span(f, status);
    const char *user = page_jstr(run, "user");
    if (user) {
        fputs(" · by ", f);
        page_esc(f, user);
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
        page_esc(f, page_jstr(run, "error"));
        fputs("</p>", f);
    }
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(run, "warnings");
    if (cJSON_IsArray(w) && cJSON_GetArraySize(w) > 0) {
        fputs("<h2>Warnings</h2><ul>", f);
        const cJSON *it;
        cJSON_ArrayForEach(it, w)
        {
            fputs("<li>", f);
            page_esc(f, cJSON_IsString(it) ? it->valuestring : "");
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
        page_esc(f, m->string);
        fputs("</td><td class=\"n\">", f);
        page_num(f, page_jnum(m, "value"));
        fputs("</td><td>", f);
        page_esc(f, page_jstr(m, "unit"));
        fputs("</td><td>", f);
        page_esc(f, page_jstr(m, "better"));
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

static int g_run(http_req *r, http_resp *o)
{
    char *part = NULL;
    int st = kept_part(r, &run_route, &part);
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

/* ---- compare and report: the CLI's own commands ----------------------------------------------------- */

/* The filters of `benchaas report` offered by /report. */
static const char *const report_filters[] = {"plugin", "status", "tag", "host", "since",
                                             "until", NULL};

static int g_report(http_req *r, http_resp *o)
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
    fputs("<nav aria-label=\"Service\" style=\"background:#14304d;color:#fff;padding:8px 12px;"
          "margin:0 -16px\"><a style=\"color:#fff;font-weight:700\" href=\"/\">benchaas</a> · "
          "<a style=\"color:#fff\" href=\"/jobs\">Jobs</a> · <a style=\"color:#fff\" "
          "href=\"/leaderboard\">Leaderboard</a> · Signed in as <strong>",
          f);
    page_esc(f, r->auth.user);
    fputs("</strong></nav><form method=\"get\" action=\"/report\" style=\"margin:10px 0;"
          "display:flex;flex-wrap:wrap;gap:8px;align-items:end\">",
          f);
    for (int i = 0; report_filters[i]; i++) {
        fprintf(f, "<div><label for=\"f-%s\" style=\"display:block;font-weight:600\">%s</label>"
                   "<input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"",
                report_filters[i], report_filters[i], report_filters[i], report_filters[i]);
        page_esc(f, http_query(r, report_filters[i]));
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

/* ---- admin ------------------------------------------------------------------------------------------ */

static int admin_page(http_req *r, http_resp *o, int status, const char *msg, int bad)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Users", 0);
    FILE *f = p.f;
    if (msg) {
        fprintf(f, "<p class=\"msg %s\" role=\"%s\">", bad ? "bad" : "good",
                bad ? "alert" : "status");
        page_esc(f, msg);
        fputs("</p>", f);
    }
    account_info *users = NULL;
    size_t nusers = 0;
    char lerr[256];
    if (account_list(r->st, &users, &nusers, lerr, sizeof lerr) == 0) {
        fputs("<div class=\"scroll\"><table id=\"users\"><thead><tr><th scope=\"col\">User</th>"
              "<th scope=\"col\">Role</th><th scope=\"col\">State</th><th scope=\"col\">API "
              "tokens</th><th scope=\"col\">Sessions</th><th scope=\"col\">Since</th>"
              "<th scope=\"col\">Change</th></tr></thead><tbody>",
              f);
        for (size_t ui = 0; ui < nusers; ui++) {
            const account_info *u = &users[ui];
            const char *name = u->name, *role = u->role;
            int disabled = u->disabled, i = (int)ui + 1;
            fputs("<tr><td>", f);
            page_esc(f, name);
            fputs("</td><td>", f);
            page_esc(f, role);
            fprintf(f, "</td><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td>",
                    disabled ? "<span class=\"s-failed\">disabled</span>" : "active",
                    u->api_tokens, u->sessions);
            page_esc(f, u->created_at);
            fputs("</td><td><form class=\"inline\" method=\"post\" action=\"/admin/users/", f);
            page_url(f, name);
            fputs("\">", f);
            page_csrf_field(&p);
            fprintf(f, "<label class=\"small\" for=\"role-%d\">Role of ", i);
            page_esc(f, name);
            fprintf(f, "</label> <select id=\"role-%d\" name=\"role\">", i);
            static const char *const roles[] = {"viewer", "member", "admin"};
            for (int k = 0; k < 3; k++)
                fprintf(f, "<option%s>%s</option>", strcmp(role, roles[k]) == 0 ? " selected" : "",
                        roles[k]);
            fputs("</select> <button type=\"submit\" name=\"action\" value=\"role\" "
                  "class=\"secondary\">Set role</button> ",
                  f);
            if (strcmp(name, r->auth.user) != 0)
                fprintf(f, "<button type=\"submit\" name=\"action\" value=\"%s\" class=\"%s\">"
                           "%s</button>",
                        disabled ? "enable" : "disable", disabled ? "secondary" : "danger",
                        disabled ? "Enable" : "Disable");
            fputs("</form></td></tr>", f);
        }
        account_list_free(users, nusers);
        fputs("</tbody></table></div>", f);
    }
    fputs("<h2>Add a user</h2><form class=\"f box\" method=\"post\" action=\"/admin/users\">", f);
    page_csrf_field(&p);
    fputs("<div class=\"field\"><label for=\"new-user\">User name</label><input type=\"text\" "
          "id=\"new-user\" name=\"user\" required></div><div class=\"field\"><label "
          "for=\"new-password\">Password</label><input type=\"password\" id=\"new-password\" "
          "name=\"password\" autocomplete=\"new-password\" required></div><div class=\"field\">"
          "<label for=\"new-role\">Role</label><select id=\"new-role\" name=\"role\"><option>"
          "viewer</option><option selected>member</option><option>admin</option></select></div>"
          "<button type=\"submit\">Add the user</button></form>"
          "<p class=\"muted small\">Disabling a user ends their sessions and tokens and refuses "
          "their sign-in; enabling gives the old password back. API tokens are made with "
          "<code>benchaas token create</code>.</p>",
          f);
    return page_send(&p, status);
}

static int g_admin(http_req *r, http_resp *o) { return admin_page(r, o, 200, NULL, 0); }

static int p_admin_add(http_req *r, http_resp *o)
{
    form fm;
    form_parse(r->body, &fm);
    if (!csrf_ok(r, &fm)) {
        form_free(&fm);
        return csrf_refused(r, o);
    }
    cJSON *b = cJSON_CreateObject();
    const char *user = form_get(&fm, "user");
    cJSON_AddStringToObject(b, "user", user ? user : "");
    cJSON_AddStringToObject(b, "password", form_get(&fm, "password") ? form_get(&fm, "password")
                                                                     : "");
    cJSON_AddStringToObject(b, "role", form_get(&fm, "role") ? form_get(&fm, "role") : "");
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    cJSON *j = NULL;
    int st = page_api_call(r, "POST", "/api/v1/users", body, &j, NULL);
    sodium_memzero(body, strlen(body));
    free(body);
    char msg[600];
    if (st == 201)
        snprintf(msg, sizeof msg, "Added %s (%s).", user ? user : "", page_jstr(j, "role"));
    else
        snprintf(msg, sizeof msg, "%s", page_api_message(j));
    cJSON_Delete(j);
    form_free(&fm);
    return admin_page(r, o, st == 201 ? 200 : st, msg, st != 201);
}

static int p_admin_user(http_req *r, http_resp *o)
{
    form fm;
    form_parse(r->body, &fm);
    if (!csrf_ok(r, &fm)) {
        form_free(&fm);
        return csrf_refused(r, o);
    }
    const char *name = r->seg[0], *action = form_get(&fm, "action");
    char msg[600];
    int bad = 0, status = 200;
    const char *arg = NULL;
    if (action && strcmp(action, "role") == 0) {
        arg = form_get(&fm, "role");
        if (!arg || account_role_parse(arg) < 0) {
            snprintf(msg, sizeof msg, "A role is one of viewer, member, admin.");
            bad = 1, status = 400;
        } else if (strcmp(name, r->auth.user) == 0 && account_role_parse(arg) < ROLE_ADMIN) {
            snprintf(msg, sizeof msg, "You cannot take the admin role from yourself.");
            bad = 1, status = 400;
        } else {
            char err[512];
            int rc = account_set_role(r->st, name, account_role_parse(arg), err, sizeof err);
            if (rc == BX_EINVAL) {
                snprintf(msg, sizeof msg, "There is no user %s.", name);
                bad = 1, status = 404;
            } else if (rc < 0) {
                snprintf(msg, sizeof msg, "%s", err);
                bad = 1, status = 500;
            } else {
                snprintf(msg, sizeof msg, "%s is now %s.", name, arg);
            }
        }
    } else if (action && (strcmp(action, "disable") == 0 || strcmp(action, "enable") == 0)) {
        int dis = action[0] == 'd';
        if (dis && strcmp(name, r->auth.user) == 0) {
            snprintf(msg, sizeof msg, "You cannot disable yourself.");
            bad = 1, status = 400;
        } else {
            /* ends its sessions, cancels its jobs, pauses its schedules (accounts.h) */
            int64_t *ids = NULL;
            size_t n = 0;
            char err[512];
            int rc = account_set_disabled(r->st, name, dis, &ids, &n, err, sizeof err);
            for (size_t i = 0; rc >= 0 && i < n; i++)
                if (APP(r)->sched)
                    sched_cancel_job(APP(r)->sched, ids[i]);
            free(ids);
            if (rc == BX_EINVAL) {
                snprintf(msg, sizeof msg, "There is no user %s.", name);
                bad = 1, status = 404;
            } else if (rc < 0) {
                snprintf(msg, sizeof msg, "%s", err);
                bad = 1, status = 500;
            } else {
                snprintf(msg, sizeof msg, "%s is %s.", name, dis ? "disabled" : "enabled again");
            }
        }
    } else {
        snprintf(msg, sizeof msg, "Unknown action.");
        bad = 1, status = 400;
    }
    form_free(&fm);
    return admin_page(r, o, status, msg, bad);
}

/* ---- the stylesheet ---------------------------------------------------------------------------------- */

static int g_css(http_req *r, http_resp *o)
{
    (void)r;
    http_text(o, 200, "text/css; charset=utf-8", (const char *)pages_css, pages_css_len);
    return 0;
}

/* ---- the table --------------------------------------------------------------------------------------- */

#define P ROUTE_PAGE
static const http_route page_routes[] = {
    {"GET", "/static/benchaas.css", ROLE_ANYONE, 0, 0, NULL, g_css},
    {"GET", "/login", ROLE_ANYONE, 0, P, NULL, g_login},
    {"POST", "/login", ROLE_ANYONE, 0, P, NULL, p_login},
    {"POST", "/logout", ROLE_VIEWER, 0, P, NULL, p_logout},
    {"GET", "/signup", ROLE_ANYONE, 0, P, NULL, g_signup},
    {"POST", "/signup", ROLE_ANYONE, 0, P, NULL, p_signup},
    {"GET", "/", ROLE_VIEWER, SCOPE_READ, P, NULL, g_dashboard},
    {"GET", "/submit", ROLE_MEMBER, SCOPE_READ, P, NULL, g_submit_list},
    {"GET", "/submit/{plugin}", ROLE_MEMBER, SCOPE_READ, P, NULL, g_submit},
    {"POST", "/submit/{plugin}", ROLE_MEMBER, SCOPE_SUBMIT, P, NULL, p_submit},
    {"GET", "/jobs", ROLE_VIEWER, SCOPE_READ, P, NULL, g_jobs},
    {"GET", "/jobs/{id}", ROLE_VIEWER, SCOPE_READ, P, NULL, g_job},
    {"POST", "/jobs/{id}/cancel", ROLE_MEMBER, SCOPE_SUBMIT, P, own_job_page, p_job_cancel},
    {"POST", "/alerts/{id}/acknowledge", ROLE_MEMBER, SCOPE_SUBMIT, P, NULL, p_alert_ack},
    {"POST", "/alerts/{id}/accept", ROLE_MEMBER, SCOPE_SUBMIT, P, NULL, p_alert_accept},
    {"GET", "/runs/{id}", ROLE_VIEWER, SCOPE_READ, P, NULL, g_run},
    {"GET", "/leaderboard", ROLE_VIEWER, SCOPE_READ, P, NULL, page_board_list},
    {"GET", "/leaderboard/{plugin}", ROLE_VIEWER, SCOPE_READ, P, NULL, page_board},
    {"GET", "/compare", ROLE_VIEWER, SCOPE_READ, P, NULL, page_compare},
    {"GET", "/report", ROLE_VIEWER, SCOPE_READ, P, NULL, g_report},
    {"GET", "/admin/users", ROLE_ADMIN, SCOPE_READ, P, NULL, g_admin},
    {"POST", "/admin/users", ROLE_ADMIN, SCOPE_SUBMIT, P, NULL, p_admin_add},
    {"POST", "/admin/users/{name}", ROLE_ADMIN, SCOPE_SUBMIT, P, NULL, p_admin_user},
};

const http_route *pages_route_table(size_t *n)
{
    *n = sizeof page_routes / sizeof page_routes[0];
    return page_routes;
}
