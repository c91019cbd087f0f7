/*
 * page_account.c — sign-in, sign-out, sign-up and the accounts page of an admin (/login, /logout, /signup, /admin/users); the accounts themselves are accounts.c's.
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
#include "page_account.h"
#include "pages.h"
#include "scheduler.h"
#include "svg.h"
#include "util.h"

#define APP(r) ((serve_app *)http_app(r))
#define HTML PAGE_HTML

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
        html_txt(f, msg);
        fputs("</p>", f);
    }
    const char *next = safe_next(http_query(r, "next"));
    fprintf(f, "<form class=\"f box\" method=\"post\" action=\"%s?next=",
            signup ? "/signup" : "/login");
    html_url(f, next);
    fputs("\">", f);
    page_csrf_field(&p);
    fputs("<div class=\"field\"><label for=\"user\">User name</label><input type=\"text\" "
          "id=\"user\" name=\"user\" autocomplete=\"username\" required value=\"",
          f);
    html_txt(f, user);
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

int page_login(http_req *r, http_resp *o)
{
    if (r->auth.user_id)
        return page_redirect(o, safe_next(http_query(r, "next")));
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
        page_redirect(o, safe_next(http_query(r, "next")));
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

int page_login_post(http_req *r, http_resp *o)
{
    page_form fm;
    page_form_parse(r->body, &fm);
    int rc;
    if (!page_csrf_ok(r, &fm))
        rc = page_csrf_refused(r, o);
    else
        rc = sign_in(r, o, page_form_get(&fm, "user") ? page_form_get(&fm, "user") : "",
                     page_form_get(&fm, "password") ? page_form_get(&fm, "password") : "", 0);
    page_form_free(&fm);
    return rc;
}

int page_logout(http_req *r, http_resp *o)
{
    page_form fm;
    page_form_parse(r->body, &fm);
    int ok = page_csrf_ok(r, &fm);
    page_form_free(&fm);
    if (!ok)
        return page_csrf_refused(r, o);
    char err[256];
    account_token_revoke(r->st, r->auth.token_id, err, sizeof err);
    page_redirect(o, "/login");
    http_add_header(o, "Set-Cookie", "benchaas_session=; Path=/; Max-Age=0; HttpOnly; "
                                     "SameSite=Strict");
    return 0;
}

int page_signup(http_req *r, http_resp *o)
{
    if (!http_signup(r))
        return page_message(r, o, 404, "Not found", "Sign-up is closed: ask an administrator "
                                                    "for an account.");
    return login_form(r, o, 200, "", NULL, 1);
}

int page_signup_post(http_req *r, http_resp *o)
{
    if (!http_signup(r))
        return page_message(r, o, 404, "Not found", "Sign-up is closed: ask an administrator "
                                                    "for an account.");
    page_form fm;
    page_form_parse(r->body, &fm);
    if (!page_csrf_ok(r, &fm)) {
        page_form_free(&fm);
        return page_csrf_refused(r, o);
    }
    const char *user = page_form_get(&fm, "user"), *pw = page_form_get(&fm, "password");
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
    page_form_free(&fm);
    return rc;
}

/* ---- admin ------------------------------------------------------------------------------------------ */

/* Markers in the kept users table, replaced for each request by users_mine(): MARK_CSRF where
 * a form's CSRF field goes (its token is the session's), and between MARK_SELF, the row's user
 * name in hexadecimal, then up to MARK_END what is left out when that user looks (the button
 * that disables oneself).  Escaped text never holds a control character (html_txt writes
 * U+FFFD, html_url percent-encodes), so no stored text can forge a marker. */
#define MARK_CSRF '\x01'
#define MARK_SELF '\x02'
#define MARK_END '\x03'

/* The users table, the same for every admin (marked as above): a kept answer (answers.h),
 * refreshed off the request path when the database changes. */
static int users_part(http_req *r, http_resp *o)
{
    account_info *users = NULL;
    size_t nusers = 0;
    char lerr[256];
    if (account_list(r->st, &users, &nusers, lerr, sizeof lerr) != 0)
        return http_error(o, 500, "the accounts cannot be read", NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        account_list_free(users, nusers);
        return http_error(o, 500, "out of memory", NULL);
    }
    static const html_col cols[] = {{"User"},     {"Role"},  {"State"},  {"API tokens"},
                                    {"Sessions"}, {"Since"}, {"Change"}, {NULL}};
    html_table_begin(f, "users", cols);
    for (size_t ui = 0; ui < nusers; ui++) {
        const account_info *u = &users[ui];
        const char *name = u->name, *role = u->role;
        int disabled = u->disabled, i = (int)ui + 1;
        fputs("<tr><td>", f);
        html_txt(f, name);
        fputs("</td><td>", f);
        html_txt(f, role);
        fprintf(f, "</td><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td>",
                disabled ? "<span class=\"s-failed\">disabled</span>" : "active", u->api_tokens,
                u->sessions);
        html_txt(f, u->created_at);
        fputs("</td><td><form class=\"inline\" method=\"post\" action=\"/admin/users/", f);
        html_url(f, name);
        fprintf(f, "\">%c", MARK_CSRF);
        fprintf(f, "<label class=\"small\" for=\"role-%d\">Role of ", i);
        html_txt(f, name);
        fprintf(f, "</label> <select id=\"role-%d\" name=\"role\">", i);
        static const char *const roles[] = {"viewer", "member", "admin"};
        for (int k = 0; k < 3; k++)
            fprintf(f, "<option%s>%s</option>", strcmp(role, roles[k]) == 0 ? " selected" : "",
                    roles[k]);
        fputs("</select> <button type=\"submit\" name=\"action\" value=\"role\" "
              "class=\"secondary\">Set role</button> ",
              f);
        fputc(MARK_SELF, f);
        for (const unsigned char *c = (const unsigned char *)name; *c; c++)
            fprintf(f, "%02x", *c);
        fputc(MARK_SELF, f);
        fprintf(f,
                "<button type=\"submit\" name=\"action\" value=\"%s\" class=\"%s\">%s</button>",
                disabled ? "enable" : "disable", disabled ? "secondary" : "danger",
                disabled ? "Enable" : "Disable");
        fprintf(f, "%c</form></td></tr>", MARK_END);
    }
    account_list_free(users, nusers);
    html_table_end(f);
    fclose(f);
    http_text(o, 200, HTML, buf, len);
    free(buf);
    return 0;
}

static const http_route users_route = {"GET", "(users table)", ROLE_ADMIN, SCOPE_READ, ROUTE_CACHE,
                                       NULL, users_part};

/* The kept users table t for page p: the CSRF fields of p's session, and the parts marked as
 * p's own user's left out. */
static void users_mine(page *p, const char *t)
{
    const char *me = p->r->auth.user;
    size_t ml = strlen(me);
    for (const char *m; (m = strpbrk(t, "\x01\x02")) != NULL;) {
        fwrite(t, 1, (size_t)(m - t), p->f);
        t = m + 1;
        if (*m == MARK_CSRF) {
            page_csrf_field(p);
            continue;
        }
        const char *hex = t, *close = strchr(hex, MARK_SELF);
        const char *end = close ? strchr(close, MARK_END) : NULL;
        if (!end) /* (cannot happen: every marker is written whole) */
            continue;
        int self = ml > 0 && (size_t)(close - hex) == 2 * ml;
        for (size_t k = 0; self && k < ml; k++) {
            char two[3];
            snprintf(two, sizeof two, "%02x", (unsigned char)me[k]);
            self = memcmp(hex + 2 * k, two, 2) == 0;
        }
        if (!self)
            fwrite(close + 1, 1, (size_t)(end - close - 1), p->f);
        t = end + 1;
    }
    fputs(t, p->f);
}

/* /admin/users: a GET shows the kept table; after a change (status, msg: a POST's answer) the
 * table is read again for this request, so the page shows what the change did. */
static int admin_page(http_req *r, http_resp *o, int status, const char *msg, int bad)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Users", 0);
    FILE *f = p.f;
    if (msg) {
        fprintf(f, "<p class=\"msg %s\" role=\"%s\">", bad ? "bad" : "good",
                bad ? "alert" : "status");
        html_txt(f, msg);
        fputs("</p>", f);
    }
    http_resp d;
    memset(&d, 0, sizeof d);
    if (msg)
        users_part(r, &d);
    else
        http_run_route(&users_route, r, &d);
    strvec_free(&d.headers);
    if (d.status == 200 && d.body)
        users_mine(&p, d.body);
    free(d.body);
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

int page_admin(http_req *r, http_resp *o) { return admin_page(r, o, 200, NULL, 0); }

int page_admin_add(http_req *r, http_resp *o)
{
    page_form fm;
    page_form_parse(r->body, &fm);
    if (!page_csrf_ok(r, &fm)) {
        page_form_free(&fm);
        return page_csrf_refused(r, o);
    }
    cJSON *b = cJSON_CreateObject();
    const char *user = page_form_get(&fm, "user");
    cJSON_AddStringToObject(b, "user", user ? user : "");
    cJSON_AddStringToObject(b, "password", page_form_get(&fm, "password") ? page_form_get(&fm, "password")
                                                                     : "");
    cJSON_AddStringToObject(b, "role", page_form_get(&fm, "role") ? page_form_get(&fm, "role") : "");
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
    page_form_free(&fm);
    return admin_page(r, o, st == 201 ? 200 : st, msg, st != 201);
}

int page_admin_user(http_req *r, http_resp *o)
{
    page_form fm;
    page_form_parse(r->body, &fm);
    if (!page_csrf_ok(r, &fm)) {
        page_form_free(&fm);
        return page_csrf_refused(r, o);
    }
    const char *name = r->seg[0], *action = page_form_get(&fm, "action");
    char msg[600];
    int bad = 0, status = 200;
    const char *arg = NULL;
    if (action && strcmp(action, "role") == 0) {
        arg = page_form_get(&fm, "role");
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
    page_form_free(&fm);
    return admin_page(r, o, status, msg, bad);
}
