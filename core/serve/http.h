/*
 * http.h — the HTTP engine of `benchaas serve`: requests, responses, the
 * route table and authorisation, independent of what the routes do.
 *
 * The JSON API (api.c) and the HTML pages register their routes here.  A
 * route names its method, path pattern, the least role and the token scope
 * it needs, and optionally how to find the owner of the thing it acts on;
 * the router decides authorisation from that table, in one place
 * (http_authorise), before any handler runs.  Handlers never check rights.
 *
 * Threads: libmicrohttpd's thread pool calls handlers concurrently.  Each
 * thread has its own SQLite connection (http_thread_store(), the request's st).
 *
 * Ownership: a handler fills an http_resp; the engine frees it.  Strings
 * of an http_req live until the handler returns.
 */
#ifndef BENCHAAS_HTTP_H
#define BENCHAAS_HTTP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

#define HTTP_BODY_MAX ((size_t)1 << 20) /* 1 MiB: bigger bodies get 413 */
#define HTTP_URI_MAX 8192               /* a longer request target gets 414 */
#define HTTP_HEADERS_MAX 16384          /* more header bytes get 431 */
/* Each connection's memory (libmicrohttpd's pool: the request's head, its records of it, the
 * answer's head): a head at both limits above and a little over, so that those limits answer
 * first, in JSON.  libmicrohttpd zeroes the pool between two requests of a keep-alive
 * connection, so it is no larger than that. */
#define HTTP_POOL_BYTES ((size_t)(HTTP_URI_MAX + HTTP_HEADERS_MAX) * 3 / 2)
#define HTTP_PER_IP_DEFAULT 32          /* connections from one address */
#define HTTP_MAX_CONNS_DEFAULT 1000     /* connections in all */
#define HTTP_HEADER_TIMEOUT_DEFAULT 10  /* seconds for a request's head */
#define HTTP_DRAIN_S 30                 /* on stop, how long requests in flight may take */

/* Roles, in increasing rights. */
enum { ROLE_ANYONE = 0, ROLE_VIEWER = 1, ROLE_MEMBER = 2, ROLE_ADMIN = 3 };

/* What a credential may do (a token's scope, a session's all of them). */
enum {
    SCOPE_READ = 1,   /* GET routes */
    SCOPE_SUBMIT = 2, /* jobs, schedules, cancel, account management */
    SCOPE_UPLOAD = 4, /* POST /api/v1/results */
    SCOPE_ALL = 7
};

/* Who is asking (filled by the router from the Authorization header or the
 * session cookie). */
typedef struct http_auth {
    int64_t user_id;  /* 0: nobody signed in */
    char user[128];
    int role;         /* ROLE_* (ROLE_ANYONE when not signed in) */
    int scopes;       /* SCOPE_* bits of the credential */
    int64_t token_id; /* the token row (sessions are tokens too) */
    int expired;      /* a token was given but is expired, revoked or unknown */
} http_auth;

typedef struct http_server http_server;

typedef struct http_req {
    const char *method, *path; /* path without the query string */
    const char *ip;            /* client address, text */
    void *conn;                /* struct MHD_Connection * */
    const char *body;          /* NUL-terminated copy of the body ("" when none) */
    size_t body_len;
    const char *seg[4];        /* the {...} captures of the route's pattern */
    size_t nseg;
    http_auth auth;
    http_server *srv;
    store *st;                 /* this thread's database connection */
    const char *const *args;   /* without conn: nargs query arguments as pairs name, value
                                  (value NULL for "?a"); http_query reads them */
    size_t nargs;
} http_req;

typedef struct http_resp {
    int status;
    char *body; /* owned (malloc) */
    size_t len;
    const char *type;   /* Content-Type; default application/json */
    int retry_after;    /* seconds; > 0 adds Retry-After */
    strvec headers;     /* "Name: value" lines, owned */
    /* A kept answer's body lent, not copied (answers.h), to a caller that says it takes one
     * (lend_ok: the server's dispatch, which hands the body to the socket as it is): then
     * body points into held, and release(held) gives it back instead of free(body). */
    int lend_ok;
    void *held;
    void (*release)(void *held);
} http_resp;

/* Handlers return 0 (the response is filled). */
typedef int (*http_handler)(http_req *r, http_resp *o);
/* The owner of the thing a route acts on: 0 and the owner's user name, or an
 * HTTP status (404 when there is no such thing) with o filled. */
typedef int (*http_owner_fn)(http_req *r, char *owner, size_t len, http_resp *o);

/* Route flags. */
enum {
    ROUTE_JSON = 1,         /* the body must be JSON (415 otherwise) */
    ROUTE_OPEN_SIGNUP = 2,  /* anyone when the server allows sign-up */
    ROUTE_CACHE = 4,        /* GET whose answer depends only on the URL and the database:
                               kept for every thread and refreshed off the request path
                               when the database changes (answers.h) */
    ROUTE_PAGE = 8,         /* an HTML page: refusals rendered by http_config.page_refused */
};

typedef struct http_route {
    const char *method;   /* "GET", "POST", "DELETE" */
    const char *pattern;  /* "/api/v1/jobs/{id}": {x} matches one segment */
    int role;             /* the least role (ROLE_ANYONE: no credential needed) */
    int scope;            /* SCOPE_* bit the credential must carry (0: none) */
    int flags;            /* ROUTE_* */
    http_owner_fn owner;  /* non-NULL: only the owner or an admin */
    http_handler fn;
} http_route;

/* ---- requests ---------------------------------------------------------- */

/* A query-string argument (decoded) or NULL. */
const char *http_query(const http_req *r, const char *key);
/* A request header or NULL. */
const char *http_header(const http_req *r, const char *name);
/* A cookie or NULL. */
const char *http_cookie(const http_req *r, const char *name);
/* The body parsed as JSON: NULL and a 400 in o when it is not. */
cJSON *http_body_json(http_req *r, http_resp *o);
/* The n-th capture as a positive id: 0 and *id, or 404 in o. */
int http_seg_id(http_req *r, size_t n, int64_t *id, http_resp *o);

/* ---- responses --------------------------------------------------------- */

/* A JSON body (takes j). */
int http_json(http_resp *o, int status, cJSON *j);
/* {"error":{"status","message","fields"}} (takes fields, may be NULL). */
int http_error(http_resp *o, int status, const char *msg, cJSON *fields);
int http_errorf(http_resp *o, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* text with the server's paths (the database's, as given and absolute, and the server's
 * folder) replaced by words ("the database"): malloc'd.  http_error does it to every message
 * and field; a page that shows another program's error does it too. */
char *http_scrub(const char *text);
/* Any body (copied). */
int http_text(http_resp *o, int status, const char *type, const char *text, size_t len);
void http_add_header(http_resp *o, const char *name, const char *value);

/* ---- routing ----------------------------------------------------------- */

/*
 * Match `method` `path` against the table: the route (captures in r->seg),
 * or NULL with *status 404 (no path matches) or 405 (a path matches with
 * another method).  Pure: the fuzz target calls it.
 */
const http_route *http_route_match(const http_route *tbl, size_t n, const char *method,
                                   const char *path, http_req *r, int *status);

/*
 * Authorisation, the one place it is decided: 0 when r->auth may use the
 * route (the owner hook is consulted here), else the HTTP status (401 not
 * signed in or a bad token, 403 not allowed, 404 from the owner hook) with
 * o filled.
 */
/* A credential, when one is given, must carry the route's scope even where the route is
 * open to anyone (sign-up): a read token never writes, whatever route it comes through. */
int http_authorise(const http_route *rt, http_req *r, http_resp *o);

/* ---- the server -------------------------------------------------------- */

typedef struct http_config {
    const char *host; /* "127.0.0.1" */
    int port;         /* 0: the kernel chooses */
    const char *db;
    store *root;      /* the process's first connection (store_open_again) */
    int threads;      /* the pool (default 4) */
    int per_ip;       /* connections per address (default HTTP_PER_IP_DEFAULT) */
    int max_conns;    /* connections in all (default HTTP_MAX_CONNS_DEFAULT) */
    int timeout_s;    /* idle connection timeout (default 30) */
    int header_timeout_s; /* a request's head (request line and headers) must arrive within
                             this many seconds of the connection or of the previous answer,
                             else the connection is closed (default HTTP_HEADER_TIMEOUT_DEFAULT) */
    const char *trusted_proxy; /* CIDR or NULL: X-Forwarded-For is believed only from it */
    const char *tls_cert, *tls_key; /* PEM files, or NULL */
    int signup;       /* POST /api/v1/users open to anyone (as member) */
    void *app;        /* the application's context, for handlers: http_app(r) */
    /* Turns the JSON refusal in o (401, 403, 404) of a ROUTE_PAGE route into a page. */
    void (*page_refused)(http_req *r, http_resp *o);
    /* Answers a GET of a path that is no route and not under /api/ (a page for people), or
       NULL: the JSON 404 for every path. */
    void (*page_not_found)(http_req *r, http_resp *o);
} http_config;

/*
 * Parse "ADDR/BITS" or "ADDR" (IPv4 or IPv6) into net (16 bytes), *family and
 * *bits: 0, or BX_EINVAL.  And: is the text address ip inside it?
 */
int http_cidr_parse(const char *cidr, unsigned char net[16], int *family, int *bits);
int http_cidr_has(const unsigned char net[16], int family, int bits, const char *ip);

/* Create the server (not started). */
http_server *http_server_new(const http_config *cfg);
/* Register routes (the table must outlive the server); first match wins. */
void http_server_routes(http_server *s, const http_route *tbl, size_t n);
/* Start listening: 0 and *port (the real one), or BX_E* with err. */
int http_server_start(http_server *s, int *port, char *err, size_t errlen);
/* Stop accepting, let requests in flight finish and their answers go out
 * (at most HTTP_DRAIN_S seconds), free. */
void http_server_free(http_server *s);

void *http_app(const http_req *r);
int http_signup(const http_req *r);

/* Requests answered so far with status code `code` (for /metrics); codes 100..599. */
uint64_t http_count(const http_server *s, int code);

/*
 * Settings of every connection of the server: no memory-mapped reads (each
 * connection would map the whole file, and a large database then fills the
 * server's resident size many times over; answers are cached instead).
 */
void http_tune_store(store *st);

/* This thread's connection (opened from root on first use, closed at thread exit). */
store *http_thread_store(const store *root, char *err, size_t errlen);

/* Run route rt for in-process callers (the pages) as dispatch does: authorised by
 * http_authorise for r->auth first (a refusal is left in o), then the handler (through the
 * kept answers of answers.h for ROUTE_CACHE GETs, keyed by the route, r's path and every
 * query argument, each percent-encoded so that no two different argument lists share a
 * key). */
void http_run_route(const http_route *rt, http_req *r, http_resp *o);

/* Resolve a bearer token / session cookie into *a (ROLE_ANYONE if none). */
void http_resolve_auth(store *st, const char *token, http_auth *a);

#endif
