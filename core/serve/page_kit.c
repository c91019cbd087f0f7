/*
 * page_kit.c — what every page family writes its page with (page_kit.h): escaping,
 * numbers and times, the page's head, navigation and CSRF token, and the API's
 * handlers called in-process.
 */
#define _GNU_SOURCE
#include "page_kit.h"

#include <math.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "api.h"
#include "host.h"
#include "loader.h"
#include "svg.h"
#include "util.h"

/* What a page may load: this server's stylesheet, inline SVG styles, data: images. */
static const char csp[] = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' "
                          "data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/* ---- small helpers ---------------------------------------------------------- */

void page_esc(FILE *f, const char *s) { svg_escape(f, s ? s : ""); }

/* s percent-encoded for a URL (safe in an attribute too). */
void page_url(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

void page_num(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("–", f);
        return;
    }
    double a = fabs(v);
    if (a != 0 && (a >= 1e9 || a < 1e-3))
        fprintf(f, "%.4g", v);
    else if (a >= 100)
        fprintf(f, "%.1f", v);
    else
        fprintf(f, "%.4g", v);
}

const char *page_col_text(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    return t ? t : "";
}

/* A stored UTC time (ISO 8601) as "2026-11-21 10:12" (the whole in datetime). */
void page_when(FILE *f, const char *iso)
{
    if (!iso || strlen(iso) < 16 || iso[10] != 'T') {
        page_esc(f, iso);
        return;
    }
    fputs("<time datetime=\"", f);
    page_esc(f, iso);
    fprintf(f, "\">%.10s %.5s</time>", iso, iso + 11);
}

/* ---- CSRF ------------------------------------------------------------------ */

#define PRE_COOKIE "benchaas_csrf"

int page_is_tls(const http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION) : NULL;
    return ci && ci->tls_session;
}

/* The token of a form: keyed BLAKE2b of the session (or pre-session) cookie. */
void page_csrf_of(const char *cookie, char out[65])
{
    static const unsigned char key[] = "benchaas pages: CSRF token of a session cookie";
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)cookie, strlen(cookie), key,
                       sizeof key - 1);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* The cookie a form's token is bound to: the session when signed in by cookie, else the
 * pre-session cookie (NULL when there is none yet). */
const char *page_csrf_cookie(const http_req *r)
{
    const char *s = http_cookie(r, "benchaas_session");
    if (r->auth.user_id && s && *s)
        return s;
    const char *p = http_cookie(r, PRE_COOKIE);
    return p && strlen(p) == 64 ? p : NULL;
}

/* ---- form bodies --------------------------------------------------------------- */

size_t page_form_values(const http_req *r, const char *key, strvec *out)
{
    size_t n = 0, klen = strlen(key);
    const char *p = r->body ? r->body : "";
    while (*p) {
        size_t len = strcspn(p, "&");
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            char *v = xasprintf("%.*s", (int)(len - klen - 1), p + klen + 1);
            for (char *c = v; *c; c++) /* a form's space, then its %XX (libmicrohttpd's) */
                if (*c == '+')
                    *c = ' ';
            MHD_http_unescape(v);
            strvec_push(out, v);
            free(v);
            n++;
        }
        p += len + (p[len] == '&');
    }
    return n;
}

int page_form_csrf_ok(const http_req *r)
{
    strvec t = {0};
    const char *c = page_csrf_cookie(r);
    int ok = 0;
    if (c && page_form_values(r, "csrf", &t) && strlen(t.v[t.n - 1]) == 64) {
        char want[65];
        page_csrf_of(c, want);
        ok = sodium_memcmp(want, t.v[t.n - 1], 64) == 0;
    }
    strvec_free(&t);
    return ok;
}

/* ---- the page ---------------------------------------------------------------- */

static const char *nav_items[][2] = {
    {"/", "Dashboard"},          {"/jobs", "Jobs"},       {"/submit", "Submit"},
    {"/leaderboard", "Leaderboard"}, {"/compare", "Compare"}, {"/report", "Report"},
    {"/schedules", "Schedules"},
};

void page_open(page *p, http_req *r, http_resp *o)
{
    memset(p, 0, sizeof *p);
    p->r = r;
    p->o = o;
    p->f = open_memstream(&p->buf, &p->len);
    const char *c = page_csrf_cookie(r);
    char fresh[65];
    if (!c) {
        /* a pre-session cookie for the forms of people not signed in */
        unsigned char b[32];
        randombytes_buf(b, sizeof b);
        sodium_bin2hex(fresh, sizeof fresh, b, sizeof b);
        char *h = xasprintf(PRE_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", fresh,
                            page_is_tls(r) ? "; Secure" : "");
        http_add_header(o, "Set-Cookie", h);
        free(h);
        c = fresh;
    }
    page_csrf_of(c, p->csrf);
}

void page_csrf_field(page *p)
{
    fprintf(p->f, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", p->csrf);
}

void page_nav_links(FILE *f, const http_req *r, const char *attrs, const char *sep)
{
    for (size_t i = 1; i < sizeof nav_items / sizeof nav_items[0]; i++) {
        if (strcmp(nav_items[i][0], "/submit") == 0 && r->auth.role < ROLE_MEMBER)
            continue;
        fprintf(f, "%s<a href=\"%s\"%s>%s</a>", i > 1 ? sep : "", nav_items[i][0], attrs,
                nav_items[i][1]);
    }
    if (r->auth.role >= ROLE_ADMIN)
        fprintf(f, "%s<a href=\"/admin/users\"%s>Users</a>", sep, attrs);
}

/* The head, the navigation bar and the <h1>; refresh > 0: reload every refresh s. */
void page_begin(page *p, const char *title, int refresh)
{
    FILE *f = p->f;
    http_req *r = p->r;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
          f);
    if (refresh > 0)
        fprintf(f, "<meta http-equiv=\"refresh\" content=\"%d\">", refresh);
    fputs("<title>", f);
    page_esc(f, title);
    fputs(" · benchaas</title><link rel=\"stylesheet\" href=\"/static/benchaas.css\">"
          "</head><body>\n<header class=\"top\"><nav aria-label=\"Main\">"
          "<a class=\"brand\" href=\"/\">benchaas</a>",
          f);
    if (r->auth.user_id) {
        page_nav_links(f, r, "", "");
        fputs("<span class=\"who\">Signed in as&nbsp;<strong>", f);
        page_esc(f, r->auth.user);
        fprintf(f, "</strong>&nbsp;(%s)<form method=\"post\" action=\"/logout\">",
                account_role_name(r->auth.role));
        page_csrf_field(p);
        fputs("<button type=\"submit\">Sign out</button></form></span>", f);
    } else {
        fputs("<span class=\"who\">Not signed in<a href=\"/login\">Sign in</a>", f);
        if (http_signup(r))
            fputs("<a href=\"/signup\">Sign up</a>", f);
        fputs("</span>", f);
    }
    fputs("</nav></header>\n<main>\n<h1>", f);
    page_esc(f, title);
    fputs("</h1>\n", f);
}

int page_send(page *p, int status)
{
    fputs("</main>\n<footer>benchaas " BENCHAAS_VERSION "</footer>\n</body></html>\n", p->f);
    fclose(p->f);
    http_text(p->o, status, PAGE_HTML, p->buf, p->len);
    free(p->buf);
    http_add_header(p->o, "Content-Security-Policy", csp);
    http_add_header(p->o, "X-Frame-Options", "DENY");
    http_add_header(p->o, "Referrer-Policy", "same-origin");
    return 0;
}

/*
 * Call the API route `method pattern` with r's captures and query string and
 * `body` (JSON text or NULL): its status, and its parsed JSON in *out.
 * Rights were decided for the page already (page routes need at least what
 * the API route needs).
 */
int page_api_call(http_req *r, const char *method, const char *pattern, const char *body,
                    cJSON **out, int *retry_after)
{
    size_t n;
    const http_route *t = api_route_table(&n);
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].method, method) != 0 || strcmp(t[i].pattern, pattern) != 0)
            continue;
        http_req q = *r;
        q.method = method;
        q.body = body ? body : "";
        q.body_len = strlen(q.body);
        http_resp o;
        memset(&o, 0, sizeof o);
        http_run_route(&t[i], &q, &o);
        *out = o.body ? cJSON_ParseWithLength(o.body, o.len) : NULL;
        if (retry_after)
            *retry_after = o.retry_after;
        free(o.body);
        strvec_free(&o.headers);
        return o.status;
    }
    return 500;
}

/* Add a query argument the API handler will see (the page's own arguments come first). */
void page_set_query(http_req *r, const char *key, const char *value)
{
    if (r->conn && value)
        MHD_set_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key, value);
}

const char *page_jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double page_jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *page_api_message(const cJSON *j)
{
    const char *m = page_jstr(cJSON_GetObjectItemCaseSensitive(j, "error"), "message");
    return m ? m : "the request failed";
}

/* ---- plugins -------------------------------------------------------------------------------- */

/* Load plugin `name` from the search path: 0, or BX_EINVAL with err. */
int page_load_plugin(const char *name, loaded_plugin *lp, char *err, size_t errlen)
{
    strvec user = {0}, dirs = {0};
    plugin_search_path(&user, &dirs);
    int rc = plugin_find(&dirs, name, core_host(), lp, err, errlen);
    strvec_free(&dirs);
    return rc;
}

