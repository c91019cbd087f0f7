/*
 * http.c — the HTTP engine (see http.h): libmicrohttpd with its thread
 * pool, the request body collected up to HTTP_BODY_MAX, the route table,
 * authorisation, per-thread SQLite connections, the access log.
 */
#define _GNU_SOURCE
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "answers.h"

/* A connection, from accept to close (MHD's socket context): the watchdog closes it when a
 * request's head has not come in within header_timeout_s. */
typedef struct conn_watch {
    MHD_socket fd;
    double since;      /* accepted, or the previous answer sent (mono_now) */
    int in_request;    /* the head of a request has come in and its answer is not yet sent */
    int shut;          /* the watchdog shut it down */
    struct conn_watch *prev, *next;
} conn_watch;

struct http_server {
    http_config cfg;
    struct MHD_Daemon *d;
    const http_route **tables;
    size_t *sizes, ntables;
    char *cert, *key;
    _Atomic uint64_t counts[600];
    unsigned char proxy_net[16]; /* --trusted-proxy */
    int proxy_family, proxy_bits;
    pthread_mutex_t mu; /* guards conns, in_flight */
    pthread_cond_t idle;
    conn_watch *conns;
    int in_flight;      /* requests whose head came in and whose answer is not yet sent */
    pthread_t watchdog;
    int watchdog_on;
    answers *answers; /* the kept answers of ROUTE_CACHE routes */
    _Atomic int stopping;
};

void *http_app(const http_req *r) { return r->srv->cfg.app; }
int http_signup(const http_req *r) { return r->srv->cfg.signup; }

uint64_t http_count(const http_server *s, int code)
{
    if (code < 100 || code > 599)
        return 0;
    return atomic_load(&((http_server *)s)->counts[code]);
}

/* ---- per-thread database connections ------------------------------------ */

static pthread_key_t st_key;
static pthread_once_t st_once = PTHREAD_ONCE_INIT;

static void st_close(void *p)
{
    account_token_find_forget(); /* its statement lives on this connection */
    store_close(p);
}
static void st_init(void) { pthread_key_create(&st_key, st_close); }

void http_tune_store(store *st)
{
    if (st)
        sqlite3_exec(store_db(st), "PRAGMA mmap_size = 0", NULL, NULL, NULL);
}

store *http_thread_store(const store *root, char *err, size_t errlen)
{
    pthread_once(&st_once, st_init);
    store *s = pthread_getspecific(st_key);
    if (s)
        return s;
    if (store_open_again(root, &s, err, errlen) != 0)
        return NULL;
    http_tune_store(s);
    pthread_setspecific(st_key, s);
    return s;
}

/* ---- requests and responses --------------------------------------------- */

const char *http_query(const http_req *r, const char *key)
{
    if (r->conn)
        return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
    for (size_t i = 0; i < r->nargs; i++)
        if (strcmp(r->args[2 * i], key) == 0)
            return r->args[2 * i + 1];
    return NULL;
}

const char *http_header(const http_req *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *http_cookie(const http_req *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name) : NULL;
}

int http_text(http_resp *o, int status, const char *type, const char *text, size_t len)
{
    free(o->body);
    o->status = status;
    o->type = type;
    o->body = xmalloc(len + 1);
    memcpy(o->body, text, len);
    o->body[len] = '\0';
    o->len = len;
    return 0;
}

int http_json(http_resp *o, int status, cJSON *j)
{
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    free(o->body);
    o->status = status;
    o->type = "application/json";
    if (!t) {
        o->status = 500;
        o->body = xstrdup("{\"error\":{\"status\":500,\"message\":\"out of memory\"}}");
    } else {
        o->body = xasprintf("%s\n", t);
        free(t);
    }
    o->len = strlen(o->body);
    return 0;
}

/* ---- server paths kept out of answers ----------------------------------------------- */

/* What an answer never shows, longest first, and what it shows instead (set once, when the
 * server is made, before any thread reads them). */
static struct {
    char *text;
    const char *as;
} hidden[3];

static void hide_paths(const char *db)
{
    char cwd[4096], *abs = db ? realpath(db, NULL) : NULL;
    hidden[0].text = abs, hidden[0].as = "the database";
    hidden[1].text = db && strlen(db) > 1 ? xstrdup(db) : NULL, hidden[1].as = "the database";
    hidden[2].text = getcwd(cwd, sizeof cwd) && strlen(cwd) > 1 ? xstrdup(cwd) : NULL;
    hidden[2].as = "the server's folder";
}

static int path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-' || c == '/';
}

char *http_scrub(const char *text)
{
    char *out = xstrdup(text ? text : "");
    for (size_t h = 0; h < sizeof hidden / sizeof hidden[0]; h++) {
        const char *x = hidden[h].text;
        size_t n = x ? strlen(x) : 0;
        char *p = out;
        while (n && (p = strstr(p, x))) {
            /* only the whole path: not "bench.db" inside "mybench.db" */
            int after = (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
                        (p[n] >= '0' && p[n] <= '9') || p[n] == '_';
            if ((p > out && path_char(p[-1]) && p[-1] != '/' && x[0] != '/') || after) {
                p += n;
                continue;
            }
            size_t at = (size_t)(p - out);
            char *next = xasprintf("%.*s%s%s", (int)at, out, hidden[h].as, p + n);
            free(out);
            out = next;
            p = out + at + strlen(hidden[h].as);
        }
    }
    return out;
}

/* Every string of j scrubbed (field messages). */
static void scrub_json(cJSON *j)
{
    cJSON *it;
    cJSON_ArrayForEach(it, j)
    {
        if (cJSON_IsString(it)) {
            char *c = http_scrub(it->valuestring);
            cJSON_SetValuestring(it, c);
            free(c);
        } else {
            scrub_json(it);
        }
    }
}

int http_error(http_resp *o, int status, const char *msg, cJSON *fields)
{
    cJSON *j = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(j, "error");
    cJSON_AddNumberToObject(e, "status", status);
    char *shown = http_scrub(msg);
    cJSON_AddStringToObject(e, "message", shown);
    free(shown);
    if (fields) {
        scrub_json(fields);
        cJSON_AddItemToObject(e, "fields", fields);
    }
    return http_json(o, status, j);
}

int http_errorf(http_resp *o, int status, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return http_error(o, status, buf, NULL);
}

void http_add_header(http_resp *o, const char *name, const char *value)
{
    strvec_push_owned(&o->headers, xasprintf("%s: %s", name, value));
}

/* Does the JSON text hold a NUL, raw or as the escape \u0000 (which cJSON would decode into
 * a string it then cuts short)?  A backslash escaped itself does not start an escape. */
static int json_has_nul(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\0')
            return 1;
        if (t[i] != '\\' || i + 1 >= n)
            continue;
        if (t[i + 1] == 'u' && i + 5 < n && strncmp(t + i + 2, "0000", 4) == 0)
            return 1;
        i++; /* the escaped character */
    }
    return 0;
}

cJSON *http_body_json(http_req *r, http_resp *o)
{
    if (json_has_nul(r->body, r->body_len)) {
        http_error(o, 400, "the body is not valid JSON here: strings may not hold NUL (\\u0000)",
                   NULL);
        return NULL;
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(r->body, r->body_len, &end, 0);
    if (!j) {
        http_error(o, 400, "the body is not valid JSON", NULL);
        return NULL;
    }
    if (end && (size_t)(end - r->body) < r->body_len) {
        for (const char *p = end; p < r->body + r->body_len; p++)
            if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
                cJSON_Delete(j);
                http_error(o, 400, "the body is not valid JSON (text after the document)", NULL);
                return NULL;
            }
    }
    return j;
}

int http_seg_id(http_req *r, size_t n, int64_t *id, http_resp *o)
{
    const char *s = n < r->nseg ? r->seg[n] : NULL;
    long v;
    if (!s || parse_long(s, 1, 1L << 53, &v) != 0 || s[0] == '+' || s[0] == '0') {
        http_error(o, 404, "no such thing: ids are positive whole numbers", NULL);
        return 404;
    }
    *id = v;
    return 0;
}

/* ---- routing --------------------------------------------------------------- */

/* Does path match pattern?  Captures go to r->seg (pointers into path, each
 * segment ends at '/', so they are copied into buf). */
static int match(const char *pattern, const char *path, http_req *r, char *buf, size_t buflen)
{
    size_t off = 0, nseg = 0;
    const char *p = pattern, *q = path;
    while (*p && *q) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            if (!pe)
                return 0;
            const char *qe = strchr(q, '/');
            size_t n = qe ? (size_t)(qe - q) : strlen(q);
            if (n == 0 || nseg >= 4 || off + n + 1 > buflen)
                return 0;
            memcpy(buf + off, q, n);
            buf[off + n] = '\0';
            if (r)
                r->seg[nseg] = buf + off;
            nseg++;
            off += n + 1;
            p = pe + 1;
            q += n;
            continue;
        }
        if (*p != *q)
            return 0;
        p++;
        q++;
    }
    if (*p || *q)
        return 0;
    if (r)
        r->nseg = nseg;
    return 1;
}

static __thread char seg_buf[1024];

const http_route *http_route_match(const http_route *tbl, size_t n, const char *method,
                                   const char *path, http_req *r, int *status)
{
    int path_matched = 0;
    for (size_t i = 0; i < n; i++) {
        if (!match(tbl[i].pattern, path, NULL, seg_buf, sizeof seg_buf))
            continue;
        path_matched = 1;
        if (strcmp(tbl[i].method, method) != 0 &&
            !(strcmp(method, "HEAD") == 0 && strcmp(tbl[i].method, "GET") == 0))
            continue;
        match(tbl[i].pattern, path, r, seg_buf, sizeof seg_buf);
        *status = 200;
        return &tbl[i];
    }
    *status = path_matched ? 405 : 404;
    return NULL;
}

void http_resolve_auth(store *st, const char *token, http_auth *a)
{
    memset(a, 0, sizeof *a);
    if (!token || !*token)
        return;
    a->expired = 1; /* until found valid */
    if (strlen(token) != ACCOUNT_TOKEN_TEXT - 1 || strncmp(token, "bx_", 3) != 0 || !st)
        return;
    char hash[65], now[32];
    account_token_hash(token, hash);
    iso_now(now, sizeof now);
    account_holder h;
    if (!account_token_find(st, hash, now, &h))
        return;
    a->user_id = h.user_id;
    snprintf(a->user, sizeof a->user, "%s", h.user);
    a->role = account_role_parse(h.role);
    a->token_id = h.token_id;
    a->scopes = h.session ? SCOPE_ALL : account_scope_parse(h.scope);
    if (a->role < 0 || a->scopes < 0) {
        memset(a, 0, sizeof *a);
        a->expired = 1;
    } else {
        a->expired = 0;
    }
}

static const char *scope_name(int scope)
{
    return scope == SCOPE_UPLOAD ? "upload or submit" : scope == SCOPE_SUBMIT ? "submit" : "read";
}

int http_authorise(const http_route *rt, http_req *r, http_resp *o)
{
    const http_auth *a = &r->auth;
    int role = rt->role;
    if ((rt->flags & ROUTE_OPEN_SIGNUP) && r->srv && r->srv->cfg.signup)
        role = ROLE_ANYONE;
    if (role != ROLE_ANYONE && a->user_id == 0) {
        http_error(o, 401,
                   a->expired ? "the token is expired, revoked or unknown: sign in again"
                              : "sign in first (Authorization: Bearer TOKEN)",
                   NULL);
        return 401;
    }
    if (a->role < role) {
        http_errorf(o, 403, "a %s may not do this (it needs the %s role)",
                    account_role_name(a->role), account_role_name(role));
        return 403;
    }
    /* whoever the route is open to, a credential given acts only within its scope */
    if (a->user_id && rt->scope && !(a->scopes & rt->scope)) {
        http_errorf(o, 403, "this token's scope does not allow this (it needs %s)",
                    scope_name(rt->scope));
        return 403;
    }
    if (role != ROLE_ANYONE && rt->owner) {
        char owner[128] = "";
        int st = rt->owner(r, owner, sizeof owner, o);
        if (st)
            return st;
        if (a->role < ROLE_ADMIN && strcmp(owner, a->user) != 0) {
            http_error(o, 403, "only its owner or an admin may do this", NULL);
            return 403;
        }
    }
    return 0;
}

/* ---- the libmicrohttpd side ------------------------------------------------ */

typedef struct conn_state {
    char *body;
    size_t len, cap;
    int too_big;
    int uri_too_long;
    int counted; /* in http_server.in_flight */
    double t0;
} conn_state;

static int json_type(const char *ct)
{
    if (!ct)
        return 0;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' ||
                                                           ct[n] == ' ');
}

/* A response of o's body, taken (a lent one given back when MHD is done with it): NULL when
 * out of memory. */
static struct MHD_Response *response_of(http_resp *o)
{
    struct MHD_Response *resp;
    if (o->held) {
#if MHD_VERSION >= 0x00097302
        resp = MHD_create_response_from_buffer_with_free_callback_cls(o->len, o->body,
                                                                      o->release, o->held);
        if (!resp)
            o->release(o->held);
#else
        resp = MHD_create_response_from_buffer(o->len, o->body, MHD_RESPMEM_MUST_COPY);
        o->release(o->held);
#endif
        o->held = NULL;
    } else {
        resp = MHD_create_response_from_buffer(o->len, o->body, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(o->body);
    }
    o->body = NULL;
    return resp;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, http_resp *o)
{
    struct MHD_Response *resp = response_of(o);
    if (!resp) {
        strvec_free(&o->headers);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", o->type ? o->type : "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (o->retry_after > 0) {
        char b[32];
        snprintf(b, sizeof b, "%d", o->retry_after);
        MHD_add_response_header(resp, "Retry-After", b);
    }
    for (size_t i = 0; i < o->headers.n; i++) {
        char *h = o->headers.v[i], *colon = strchr(h, ':');
        if (!colon)
            continue;
        *colon = '\0';
        MHD_add_response_header(resp, h, colon + 2);
        *colon = ':';
    }
    enum MHD_Result r = MHD_queue_response(c, (unsigned)o->status, resp);
    MHD_destroy_response(resp);
    strvec_free(&o->headers);
    return r;
}

/* ---- addresses ---------------------------------------------------------------- */

int http_cidr_parse(const char *cidr, unsigned char net[16], int *family, int *bits)
{
    char addr[64];
    const char *slash = strchr(cidr, '/');
    size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
    if (n == 0 || n >= sizeof addr)
        return BX_EINVAL;
    memcpy(addr, cidr, n);
    addr[n] = '\0';
    memset(net, 0, 16);
    *family = strchr(addr, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(*family, addr, net) != 1)
        return BX_EINVAL;
    long b = *family == AF_INET ? 32 : 128;
    if (slash && parse_long(slash + 1, 0, b, &b) != 0)
        return BX_EINVAL;
    *bits = (int)b;
    return 0;
}

int http_cidr_has(const unsigned char net[16], int family, int bits, const char *ip)
{
    unsigned char a[16];
    if (inet_pton(family, ip, a) != 1)
        return 0;
    for (int i = 0; i < bits; i++) {
        int m = 0x80 >> (i % 8);
        if ((a[i / 8] & m) != (net[i / 8] & m))
            return 0;
    }
    return 1;
}

static const char *peer_ip(struct MHD_Connection *c, char *buf, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, len, "?");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
                      (socklen_t)len);
    }
    return buf;
}

/*
 * The client's address: the peer's, or, when the peer is the trusted proxy, the last address
 * of X-Forwarded-For (the one the proxy itself appended; earlier ones are the client's word).
 */
static const char *client_ip(http_server *s, struct MHD_Connection *c, char *buf, size_t len)
{
    peer_ip(c, buf, len);
    if (!s->cfg.trusted_proxy || !http_cidr_has(s->proxy_net, s->proxy_family, s->proxy_bits, buf))
        return buf;
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return buf;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    char cand[64];
    size_t n = strcspn(last, " \t");
    unsigned char tmp[16];
    if (n == 0 || n >= sizeof cand)
        return buf;
    memcpy(cand, last, n);
    cand[n] = '\0';
    if (inet_pton(AF_INET, cand, tmp) == 1 || inet_pton(AF_INET6, cand, tmp) == 1)
        snprintf(buf, len, "%s", cand);
    return buf;
}

/* The request's store connection and who sent it; 0, or -1 with a 503 in o. */
static int resolve(http_server *s, http_req *r, http_resp *o)
{
    char err[512];
    r->st = http_thread_store(s->cfg.root, err, sizeof err);
    if (!r->st) {
        http_errorf(o, 503, "the database cannot be opened: %s", err);
        return -1;
    }
    const char *authz = http_header(r, "Authorization");
    const char *token = NULL;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0)
        token = authz + 7;
    else if (!authz)
        token = http_cookie(r, "benchaas_session");
    http_resolve_auth(r->st, token, &r->auth);
    if (authz && !token)
        r->auth.expired = 1;
    return 0;
}

/* A path of the JSON API: /api and what is under /api/. */
static int api_path(const char *path)
{
    return strncmp(path, "/api", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

static void dispatch(http_server *s, http_req *r, http_resp *o)
{
    int status = 404;
    const http_route *rt = NULL;
    for (size_t t = 0; t < s->ntables && !rt; t++) {
        int st2;
        rt = http_route_match(s->tables[t], s->sizes[t], r->method, r->path, r, &st2);
        if (!rt && st2 == 405)
            status = 405;
    }
    if (!rt) {
        if (status == 405)
            http_errorf(o, 405, "%s is not allowed on %s", r->method, r->path);
        else if (s->cfg.page_not_found && !api_path(r->path) &&
                 (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)) {
            if (resolve(s, r, o) == 0)
                s->cfg.page_not_found(r, o);
        } else
            http_errorf(o, 404, "no such page or API route: %s", r->path);
        return;
    }
    if (resolve(s, r, o) != 0)
        return;
    if (http_authorise(rt, r, o) != 0) {
        if ((rt->flags & ROUTE_PAGE) && s->cfg.page_refused)
            s->cfg.page_refused(r, o);
        return;
    }
    if ((rt->flags & ROUTE_JSON) && !json_type(http_header(r, "Content-Type"))) {
        http_error(o, 415, "send the body as JSON (Content-Type: application/json)", NULL);
        return;
    }
    if ((rt->flags & ROUTE_CACHE) && strcmp(r->method, "GET") == 0) {
        o->lend_ok = 1; /* send_resp takes a kept body as it is, nothing else touches it */
        answers_run(r->srv ? r->srv->answers : NULL, rt, r, o);
        o->lend_ok = 0;
    } else {
        rt->fn(r, o);
    }
    if (!o->body)
        http_error(o, 500, "internal error: no response", NULL);
}

/* ---- connections: the head's deadline, requests in flight ---------------------- */

static conn_watch *watch_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *s = cls;
    pthread_mutex_lock(&s->mu);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_watch *w = xcalloc(1, sizeof *w);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        w->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
        w->since = mono_now();
        w->next = s->conns;
        if (s->conns)
            s->conns->prev = w;
        s->conns = w;
        *socket_context = w;
    } else if (*socket_context) { /* closed: MHD closes the socket after this returns */
        conn_watch *w = *socket_context;
        if (w->prev)
            w->prev->next = w->next;
        else
            s->conns = w->next;
        if (w->next)
            w->next->prev = w->prev;
        free(w);
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&s->mu);
}

/* Mark the request of c in flight (its head came in) or over (its answer went out). */
static void request_mark(http_server *s, struct MHD_Connection *c, int begin)
{
    pthread_mutex_lock(&s->mu);
    conn_watch *w = watch_of(c);
    if (w) {
        w->in_request = begin;
        w->since = mono_now();
    }
    s->in_flight += begin ? 1 : -1;
    if (s->in_flight == 0)
        pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

/* Twice a second: shut down every connection whose request head is overdue (a slow-loris
 * client holds a connection for header_timeout_s at most); MHD then closes it. */
static void *watchdog_main(void *arg)
{
    http_server *s = arg;
    while (!atomic_load(&s->stopping)) {
        usleep(250000);
        double now = mono_now();
        pthread_mutex_lock(&s->mu);
        for (conn_watch *w = s->conns; w; w = w->next)
            if (!w->in_request && !w->shut && now - w->since > s->cfg.header_timeout_s &&
                w->fd != MHD_INVALID_SOCKET) {
                shutdown(w->fd, SHUT_RDWR);
                w->shut = 1;
            }
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

/* The raw request target, before MHD parses it: what is over HTTP_URI_MAX gets 414. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    conn_state *cs = xcalloc(1, sizeof *cs);
    cs->t0 = mono_now();
    cs->uri_too_long = strlen(uri) > HTTP_URI_MAX;
    return cs;
}

static enum MHD_Result add_len(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    *(size_t *)cls += strlen(k) + (v ? strlen(v) : 0) + 4;
    return MHD_YES;
}

/* The limits of a request's head: 0, or the status (414, 431) with o filled. */
static int head_limits(struct MHD_Connection *c, const conn_state *cs, http_resp *o)
{
    if (cs->uri_too_long) {
        http_errorf(o, 414, "the request target is over %d bytes", HTTP_URI_MAX);
        return 414;
    }
    size_t n = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_len, &n);
    if (n > HTTP_HEADERS_MAX) {
        http_errorf(o, 431, "the request's headers are over %d bytes", HTTP_HEADERS_MAX);
        return 431;
    }
    return 0;
}

/* Collect a chunk of the body (up to HTTP_BODY_MAX; over it the request is marked too big). */
static void body_chunk(conn_state *cs, const char *data, size_t n)
{
    if (cs->too_big || cs->len + n > HTTP_BODY_MAX) {
        cs->too_big = 1;
        return;
    }
    if (cs->len + n + 1 > cs->cap) {
        cs->cap = (cs->len + n + 1) * 2;
        if (cs->cap > HTTP_BODY_MAX + 1)
            cs->cap = HTTP_BODY_MAX + 1;
        cs->body = xrealloc(cs->body, cs->cap);
    }
    memcpy(cs->body + cs->len, data, n);
    cs->len += n;
}

/* The access log: no query string (it may hold secrets), never a body; bytes that could
 * forge a line or a terminal sequence are shown as '?'. */
static void access_log(const http_req *r, const char *url, int status, double t0)
{
    char shown[512];
    size_t k = 0;
    for (const char *p = url; *p && k + 1 < sizeof shown; p++)
        shown[k++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
    shown[k] = '\0';
    char m[16];
    snprintf(m, sizeof m, "%s", r->method);
    for (char *p = m; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    /* one write(2) of the whole line, not stdio: stderr's lock would be held through the
     * system call, and a thread preempted there would hold up every other request thread */
    char line[800];
    int n = snprintf(line, sizeof line, "%s %s %s %d %.1fms %s\n", r->ip, m, shown, status,
                     (mono_now() - t0) * 1000.0, r->auth.user_id ? r->auth.user : "-");
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) { /* cut: still one line */
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    for (size_t off = 0; off < (size_t)n;) {
        ssize_t w = write(STDERR_FILENO, line + off, (size_t)n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    http_server *s = cls;
    conn_state *cs = *con_cls;
    if (!cs) /* no URI callback ran (cannot happen with ours; be safe) */
        *con_cls = cs = on_uri(NULL, url, c);
    if (!cs->counted) {
        cs->counted = 1;
        request_mark(s, c, 1);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > HTTP_BODY_MAX)
            cs->too_big = 1;
        return MHD_YES;
    }
    if (*upload_size) {
        body_chunk(cs, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    char ip[64];
    http_req r;
    memset(&r, 0, sizeof r);
    r.method = method;
    r.path = url;
    r.conn = c;
    r.srv = s;
    r.ip = client_ip(s, c, ip, sizeof ip);
    r.body = cs->body ? cs->body : "";
    if (cs->body)
        cs->body[cs->len] = '\0';
    r.body_len = cs->len;
    http_resp o;
    memset(&o, 0, sizeof o);
    if (head_limits(c, cs, &o) == 0) { /* else o holds the 414 or 431 */
        if (cs->too_big)
            http_error(&o, 413, "the body is over 1 MiB", NULL);
        else
            dispatch(s, &r, &o);
    }
    int status = o.status;
    if (status >= 100 && status <= 599)
        atomic_fetch_add(&s->counts[status], 1);
    access_log(&r, url, status, cs->t0);
    return send_resp(c, &o);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    conn_state *cs = *con_cls;
    if (cs) {
        if (cs->counted)
            request_mark(cls, c, 0);
        free(cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

http_server *http_server_new(const http_config *cfg)
{
    http_server *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (s->cfg.threads <= 0)
        s->cfg.threads = 4;
    if (s->cfg.per_ip <= 0)
        s->cfg.per_ip = HTTP_PER_IP_DEFAULT;
    if (s->cfg.max_conns <= 0)
        s->cfg.max_conns = HTTP_MAX_CONNS_DEFAULT;
    if (s->cfg.timeout_s <= 0)
        s->cfg.timeout_s = 30;
    if (s->cfg.header_timeout_s <= 0)
        s->cfg.header_timeout_s = HTTP_HEADER_TIMEOUT_DEFAULT;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    hide_paths(cfg->db);
    return s;
}

void http_server_routes(http_server *s, const http_route *tbl, size_t n)
{
    s->tables = xrealloc(s->tables, (s->ntables + 1) * sizeof *s->tables);
    s->sizes = xrealloc(s->sizes, (s->ntables + 1) * sizeof *s->sizes);
    s->tables[s->ntables] = tbl;
    s->sizes[s->ntables++] = n;
}

/* Enough descriptors for max_conns connections and the rest of the server. */
static void raise_fd_limit(int conns)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)conns + 256;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int start_checks(http_server *s, struct sockaddr_in *sa, char *err, size_t errlen)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)s->cfg.port);
    if (inet_pton(AF_INET, s->cfg.host, &sa->sin_addr) != 1)
        return errf(err, errlen, BX_EINVAL,
                    "--listen %s: not an IPv4 address (use 127.0.0.1 or 0.0.0.0, behind a "
                    "reverse proxy for names)",
                    s->cfg.host);
    if (s->cfg.trusted_proxy && http_cidr_parse(s->cfg.trusted_proxy, s->proxy_net,
                                                &s->proxy_family, &s->proxy_bits) != 0)
        return errf(err, errlen, BX_EINVAL,
                    "--trusted-proxy %s: expected an address or ADDRESS/BITS (10.0.0.0/8)",
                    s->cfg.trusted_proxy);
    if (s->cfg.tls_cert || s->cfg.tls_key) {
        if (!s->cfg.tls_cert || !s->cfg.tls_key)
            return errf(err, errlen, BX_EINVAL, "--tls-cert and --tls-key go together");
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
            return errf(err, errlen, BX_EINVAL,
                        "this libmicrohttpd has no TLS: put a reverse proxy in front");
        if (read_file(s->cfg.tls_cert, 1 << 20, &s->cert, NULL, err, errlen) != 0 ||
            read_file(s->cfg.tls_key, 1 << 20, &s->key, NULL, err, errlen) != 0)
            return BX_EINVAL;
    }
    return 0;
}

int http_server_start(http_server *s, int *port, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    int rc = start_checks(s, &sa, err, errlen);
    if (rc)
        return rc;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) ? MHD_USE_EPOLL : MHD_USE_POLL;
    if (s->cert)
        flags |= MHD_USE_TLS;
    raise_fd_limit(s->cfg.max_conns);
    store *own = NULL; /* the refresher's connection (answers.h) */
    char why[256];
    if (s->cfg.root && store_open_again(s->cfg.root, &own, why, sizeof why) == 0)
        http_tune_store(own);
    s->answers = answers_new(own, s);
    /* the head of a request must fit MHD's buffer with room to spare, so that our own limits
       (HTTP_URI_MAX, HTTP_HEADERS_MAX) answer first, in JSON */
    struct MHD_OptionItem tls[] = {
        {s->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->key},
        {MHD_OPTION_END, 0, NULL},
    };
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)s->cfg.per_ip, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->cfg.timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->cfg.max_conns,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_POOL_BYTES,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (!s->d) {
        answers_free(s->answers);
        s->answers = NULL;
        return errf(err, errlen, BX_EIO,
                    "cannot listen on %s:%d (in use? a bad TLS certificate or key?)",
                    s->cfg.host, s->cfg.port);
    }
    s->watchdog_on = pthread_create(&s->watchdog, NULL, watchdog_main, s) == 0;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = di ? di->port : s->cfg.port;
    return 0;
}

void http_server_free(http_server *s)
{
    if (!s)
        return;
    if (s->d) {
        MHD_socket ls = MHD_quiesce_daemon(s->d); /* no new connections */
        if (ls != MHD_INVALID_SOCKET)
            close(ls);
        /* the requests in flight finish and their answers go out */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += HTTP_DRAIN_S;
        pthread_mutex_lock(&s->mu);
        while (s->in_flight > 0 && pthread_cond_timedwait(&s->idle, &s->mu, &until) == 0)
            ;
        pthread_mutex_unlock(&s->mu);
        atomic_store(&s->stopping, 1);
        if (s->watchdog_on)
            pthread_join(s->watchdog, NULL);
        MHD_stop_daemon(s->d);
    }
    answers_free(s->answers);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->idle);
    free(s->tables);
    free(s->sizes);
    free(s->cert);
    free(s->key);
    free(s);
}

void http_run_route(const http_route *rt, http_req *r, http_resp *o)
{
    if (http_authorise(rt, r, o) != 0)
        return;
    if ((rt->flags & ROUTE_CACHE) && strcmp(r->method, "GET") == 0)
        answers_run(r->srv ? r->srv->answers : NULL, rt, r, o);
    else
        rt->fn(r, o);
}
