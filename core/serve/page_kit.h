/*
 * page_kit.h — what every page family of `benchaas serve` writes its page with
 * (page_kit.c): the page being written, escaping, numbers and times, forms and their
 * CSRF token, and the API's handlers called in-process.
 *
 * A page: page_open(), page_begin() (head, navigation bar, who is signed in), the
 * body into p.f, page_send().  Every text from the database or the request goes
 * through html.h (html_txt(), htmlf()'s %s, or in a URL html_url()): no page escapes by
 * hand.
 */
#ifndef BENCHAAS_PAGE_KIT_H
#define BENCHAAS_PAGE_KIT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "html.h"
#include "http.h"
#include "util.h"

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

/* A state ("running", "failed", ...) in its colour. */
void page_state(FILE *f, const char *state);
/* A whole page holding one message (an error): 0. */
int page_message(http_req *r, http_resp *o, int status, const char *title, const char *msg);
/* 303 to where: 0. */
int page_redirect(http_resp *o, const char *where);

/* A form body (application/x-www-form-urlencoded), decoded. */
typedef struct page_form {
    char **k, **v;
    size_t n;
} page_form;
void page_form_parse(const char *body, page_form *fm);
/* The last value of key (a checkbox after its hidden fallback), or NULL. */
const char *page_form_get(const page_form *fm, const char *key);
void page_form_free(page_form *fm);
/* Is the form's csrf field right?  When not: page_csrf_refused() answers (403). */
int page_csrf_ok(const http_req *r, const page_form *fm);
int page_csrf_refused(http_req *r, http_resp *o);

/* The names of the plugins found (in search order) appended to out (plugin_kept.h: each
 * plugin file loaded once, until it changes). */
void page_plugin_names(strvec *out);
/* The kept part `rt` of the page r asks for (answers.h): its status, and its body in *out
 * (malloc'd, or NULL). */
int page_kept_part(http_req *r, const http_route *rt, char **out);

/* Plugin `name` from the search path, loaded once per plugin file and kept (plugin_kept.h):
 * the plugin (page_plugin_put it), or NULL and the loader's message in err. */
struct loaded_plugin;
const struct loaded_plugin *page_plugin_get(const char *name, char *err, size_t errlen);
void page_plugin_put(const struct loaded_plugin *lp);

/* Call the API route `method pattern` with r's captures and query and `body` (JSON
 * text or NULL): its status, its parsed JSON in *out (the caller frees). */
int page_api_call(http_req *r, const char *method, const char *pattern, const char *body,
                  cJSON **out, int *retry_after);
/* The same for the handler of a kept part (page_kept_part): a GET of the API route's handler
 * itself, not authorised again; the part's own route was authorised for the request, and the
 * refresher (answers.h) recomputes the part with no user, which the API route would refuse. */
int page_api_part(http_req *r, const char *pattern, cJSON **out);
/* Add a query argument the API handler will see (the page's own come first). */
void page_set_query(http_req *r, const char *key, const char *value);
const char *page_jstr(const cJSON *o, const char *k);
double page_jnum(const cJSON *o, const char *k);
/* The message of an API error answer. */
const char *page_api_message(const cJSON *j);

#endif
