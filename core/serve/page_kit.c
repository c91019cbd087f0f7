/*
 * page_kit.c — what every page family writes its page with (page_kit.h): escaping,
 * numbers and times, the page's head, navigation and CSRF token, and the API's
 * handlers called in-process.
 */
#define _GNU_SOURCE
#include "page_kit.h"

#include <ctype.h>
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "accounts.h"
#include "api.h"
#include "host.h"
#include "loader.h"
#include "pages.h"
#include "plugin_kept.h"
#include "svg.h"
#include "util.h"

/* What a page may load: this server's stylesheet, inline SVG styles, data: images. */
static const char csp[] = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' "
                          "data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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

/* Every value of key, in order, appended to out (page_form_parse's reading: one parser). */
size_t page_form_values(const http_req *r, const char *key, strvec *out)
{
    page_form fm;
    size_t n = 0;
    page_form_parse(r->body, &fm);
    for (size_t i = 0; i < fm.n; i++)
        if (strcmp(fm.k[i], key) == 0) {
            strvec_push(out, fm.v[i]);
            n++;
        }
    page_form_free(&fm);
    return n;
}

int page_form_csrf_ok(const http_req *r)
{
    page_form fm;
    page_form_parse(r->body, &fm);
    int ok = page_csrf_ok(r, &fm);
    page_form_free(&fm);
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
    html_txt(f, title);
    fputs(" · benchaas</title><link rel=\"stylesheet\" href=\"/static/benchaas.css\">"
          "</head><body>\n<header class=\"top\"><nav aria-label=\"Main\">"
          "<a class=\"brand\" href=\"/\">benchaas</a>",
          f);
    if (r->auth.user_id) {
        page_nav_links(f, r, "", "");
        fputs("<span class=\"who\">Signed in as&nbsp;<strong>", f);
        html_txt(f, r->auth.user);
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
    html_txt(f, title);
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

int page_api_part(http_req *r, const char *pattern, cJSON **out)
{
    size_t n;
    const http_route *t = api_route_table(&n);
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].method, "GET") != 0 || strcmp(t[i].pattern, pattern) != 0)
            continue;
        http_req q = *r;
        q.method = "GET";
        q.body = "";
        q.body_len = 0;
        http_resp o;
        memset(&o, 0, sizeof o);
        t[i].fn(&q, &o);
        *out = o.body ? cJSON_ParseWithLength(o.body, o.len) : NULL;
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
static const strvec *plugin_dirs(void);

const loaded_plugin *page_plugin_get(const char *name, char *err, size_t errlen)
{
    return plugin_kept_find(plugin_dirs(), name, err, errlen);
}

void page_plugin_put(const loaded_plugin *lp)
{
    plugin_kept_put(lp);
}

/* ---- small helpers ------------------------------------------------------------------ */

void page_state(FILE *f, const char *state)
{
    fputs("<span class=\"state s-", f);
    html_txt(f, state);
    fputs("\">", f);
    html_txt(f, state);
    fputs("</span>", f);
}

/* ---- form bodies (application/x-www-form-urlencoded) ------------------------------------- */

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

void page_form_parse(const char *body, page_form *fm)
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
const char *page_form_get(const page_form *fm, const char *key)
{
    for (size_t i = fm->n; i-- > 0;)
        if (strcmp(fm->k[i], key) == 0)
            return fm->v[i];
    return NULL;
}

void page_form_free(page_form *fm)
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
int page_csrf_ok(const http_req *r, const page_form *fm)
{
    const char *c = page_csrf_cookie(r), *t = page_form_get(fm, "csrf");
    if (!c || !t || strlen(t) != 64)
        return 0;
    char want[65];
    page_csrf_of(c, want);
    return sodium_memcmp(want, t, 64) == 0;
}

/* ---- pages ------------------------------------------------------------------------------ */

/* A whole page holding one message. */
int page_message(http_req *r, http_resp *o, int status, const char *title,
                 const char *msg)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, title, 0);
    fputs("<p class=\"msg bad\" role=\"alert\">", p.f);
    html_txt(p.f, msg);
    fputs("</p><p><a href=\"/\">Back to the dashboard</a></p>", p.f);
    return page_send(&p, status);
}

int page_redirect(http_resp *o, const char *where)
{
    http_text(o, 303, PAGE_HTML, "", 0);
    http_add_header(o, "Location", where);
    return 0;
}

int page_csrf_refused(http_req *r, http_resp *o)
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
        html_url(f, strcmp(r->method, "GET") == 0 ? r->path : "/");
        fclose(f);
        page_redirect(o, loc);
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

/* The plugin folders: the search path, read once (the server's --plugin-path and
 * environment do not change while it runs; finding the install's folder costs a system
 * call). */
static pthread_once_t dirs_once = PTHREAD_ONCE_INIT;
static strvec search_dirs;

static void dirs_init(void)
{
    strvec user = {0};
    plugin_search_path(&user, &search_dirs);
}

static const strvec *plugin_dirs(void)
{
    pthread_once(&dirs_once, dirs_init);
    return &search_dirs;
}

/* The names of the plugins found, kept with what the folders were (device, inode, times):
 * listed again when a folder changed (a plugin added, removed or renamed over) or after
 * NAMES_RECHECK_S (a file written over in place: each is then stat'ed, plugin_kept.h). */
#define NAMES_RECHECK_S 1.0
static pthread_mutex_t names_mu = PTHREAD_MUTEX_INITIALIZER;
static strvec names_cache;
static char *names_key;
static double names_at = -1e9;

/* What the folders are now, as one string. */
static char *folders_key(const strvec *dirs)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    for (size_t i = 0; i < dirs->n; i++) {
        struct stat st;
        if (stat(dirs->v[i], &st) != 0)
            fprintf(f, "-;");
        else
            fprintf(f, "%ju:%ju:%jd.%ld:%jd.%ld;", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
                    (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (intmax_t)st.st_ctim.tv_sec,
                    st.st_ctim.tv_nsec);
    }
    fclose(f);
    return buf;
}

void page_plugin_names(strvec *out)
{
    const strvec *dirs = plugin_dirs();
    char *key = folders_key(dirs);
    pthread_mutex_lock(&names_mu);
    int fresh = key && names_key && strcmp(key, names_key) == 0 &&
                mono_now() - names_at < NAMES_RECHECK_S;
    if (fresh)
        for (size_t i = 0; i < names_cache.n; i++)
            strvec_push(out, names_cache.v[i]);
    pthread_mutex_unlock(&names_mu);
    if (fresh) {
        free(key);
        return;
    }
    strvec now = {0};
    plugin_kept_names(dirs, &now);
    for (size_t i = 0; i < now.n; i++)
        strvec_push(out, now.v[i]);
    pthread_mutex_lock(&names_mu);
    strvec_free(&names_cache);
    names_cache = now;
    free(names_key);
    names_key = key;
    names_at = mono_now();
    pthread_mutex_unlock(&names_mu);
}

/* The kept part `rt` of the page r asks for (answers.h): its status, and its body in *out
 * (malloc'd, or NULL). */
int page_kept_part(http_req *r, const http_route *rt, char **out)
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
