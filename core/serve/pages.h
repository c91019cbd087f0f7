/*
 * pages.h — the HTML pages of `benchaas serve` (docs/serve.md,
 * "Pages"): sign-in, dashboard, submit forms, jobs, runs, leaderboard,
 * compare, report and user administration.
 *
 * Server-rendered HTML that works without JavaScript, one stylesheet
 * (/static/benchaas.css), every text escaped by svg_escape() (the report's
 * escaping), charts by svg.c, and a Content-Security-Policy that allows
 * nothing but this server's own stylesheet.  Rights are decided by the
 * engine from the route table (http_authorise), like for the API; a refusal
 * of a page route (ROUTE_PAGE) is rendered by pages_refused(): a sign-in
 * redirect for 401, an HTML page otherwise.  Every form carries a CSRF
 * token bound to the session (or, before sign-in, to a pre-session cookie).
 */
#ifndef BENCHAAS_PAGES_H
#define BENCHAAS_PAGES_H

#include <stddef.h>

#include "http.h"

/* The page routes (static table). */
const http_route *pages_route_table(size_t *n);

/* Turn the engine's JSON refusal in o (401, 403, 404) of a page route into HTML. */
void pages_refused(http_req *r, http_resp *o);

/* The 404 page of a path that is neither a page nor under /api/ (http_config.page_not_found). */
void pages_not_found(http_req *r, http_resp *o);

/* The stylesheet served at /static/benchaas.css: core/serve/benchaas.css, compiled in
 * by embed.cmake (pages_css_len bytes, a NUL after them). */
extern const unsigned char pages_css[];
extern const size_t pages_css_len;

#endif
