/*
 * page_kit.h — what every page family of `benchaas serve` writes its page with
 * (defined in pages.c): the page being written, escaping, numbers and times, and
 * the API's handlers called in-process.
 *
 * A page: page_open(), page_begin() (head, navigation bar, who is signed in), the
 * body into p.f, page_send().  Every text from the database or the request goes
 * through page_esc() or, in a URL, page_url(): no page escapes by hand.
 */
#ifndef BENCHAAS_PAGE_KIT_H
#define BENCHAAS_PAGE_KIT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>

#include "http.h"

#define PAGE_HTML "text/html; charset=utf-8"

typedef struct page {
    FILE *f;      /* the body being written (a memory stream) */
    char *buf;
    size_t len;
    http_req *r;
    http_resp *o;
    char csrf[65]; /* this session's CSRF token, for forms */
} page;

void page_open(page *p, http_req *r, http_resp *o);
/* The head and navigation; refresh > 0: reload every refresh seconds. */
void page_begin(page *p, const char *title, int refresh);
/* The site's navigation links that page_begin shows r's user (Jobs, Submit for a member,
 * ..., Users for an admin), each <a> with attribute text attrs (" style=..." or ""), sep
 * between them: for a page that is not written by page_begin (/report). */
void page_nav_links(FILE *f, const http_req *r, const char *attrs, const char *sep);
/* Closes the page and fills p->o with it: 0. */
int page_send(page *p, int status);

/* The hidden csrf field of a form on page p. */
void page_csrf_field(page *p);
/* A form's token: keyed BLAKE2b of the cookie it is bound to. */
void page_csrf_of(const char *cookie, char out[65]);
/* The cookie a form's token is bound to: the session when signed in by cookie, else the
 * pre-session cookie (NULL when there is none yet). */
const char *page_csrf_cookie(const http_req *r);
/* Is the csrf field of r's form body right? */
int page_form_csrf_ok(const http_req *r);
/* Every value of `key` in r's form body (application/x-www-form-urlencoded), decoded, pushed
 * on out in order: how many. */
struct strvec;
size_t page_form_values(const http_req *r, const char *key, struct strvec *out);
/* Does the request come over TLS? (cookies get Secure) */
int page_is_tls(const http_req *r);

/* s as HTML text or attribute (NULL: nothing). */
void page_esc(FILE *f, const char *s);
/* s percent-encoded for a URL (safe in an attribute too). */
void page_url(FILE *f, const char *s);
/* A number with its significant digits ("–" when not finite). */
void page_num(FILE *f, double v);
/* A stored UTC time as "2026-11-21 10:12" in a <time>. */
void page_when(FILE *f, const char *iso);
/* v in unit as a person reads it: 41290 MB/s is "41.3 GB/s", 46000000 bytes
 * "43.9 MiB" (the exact figure in a title); an unknown unit: page_num and the unit. */
void page_quantity(FILE *f, double v, const char *unit);
/* Column i as text, "" for NULL. */
const char *page_col_text(sqlite3_stmt *s, int i);

/* Load plugin `name` from the search path: 0 (plugin_unload it), or BX_EINVAL with err. */
struct loaded_plugin;
int page_load_plugin(const char *name, struct loaded_plugin *lp, char *err, size_t errlen);

/* Call the API route `method pattern` with r's captures and query and `body` (JSON
 * text or NULL): its status, its parsed JSON in *out (the caller frees). */
int page_api_call(http_req *r, const char *method, const char *pattern, const char *body,
                  cJSON **out, int *retry_after);
/* Add a query argument the API handler will see (the page's own come first). */
void page_set_query(http_req *r, const char *key, const char *value);
const char *page_jstr(const cJSON *o, const char *k);
double page_jnum(const cJSON *o, const char *k);
/* The message of an API error answer. */
const char *page_api_message(const cJSON *j);

#endif
