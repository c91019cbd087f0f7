/*
 * pages.c — the HTML pages of `benchaas serve` (see pages.h): the route table of the
 * pages and the stylesheet.  Each family of pages lives in a file of its own, the way
 * cgit keeps its ui-*.c: page_account.c (sign-in, sign-up, /admin/users), page_dash.c
 * (the dashboard), page_submit.c, page_jobs.c, page_runs.c, page_board.c (leaderboards),
 * page_compare.c (compare and report), page_yard.c (a run's yardstick); page_kit.c is
 * what they all write with (page_kit.h: escaping, forms, CSRF, the page's frame).
 *
 * Each handler writes its page into a memory stream: page_begin() (head, navigation
 * bar, who is signed in), the body, page_send().  Data come from the same code as the
 * JSON API: the API's own handlers are called in-process (page_api_call) for runs,
 * leaderboards and sign-in, and jobs are validated and queued by job_submit(), the
 * API's and the CLI's configuration code.
 */
#include "pages.h"

#include <string.h>

#include "page_account.h"
#include "page_board.h"
#include "page_compare.h"
#include "page_dash.h"
#include "page_jobs.h"
#include "page_kit.h"
#include "page_runs.h"
#include "page_sched.h"
#include "page_submit.h"

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
    {"GET", "/login", ROLE_ANYONE, 0, P, NULL, page_login},
    {"POST", "/login", ROLE_ANYONE, 0, P, NULL, page_login_post},
    {"POST", "/logout", ROLE_VIEWER, 0, P, NULL, page_logout},
    {"GET", "/signup", ROLE_ANYONE, 0, P, NULL, page_signup},
    {"POST", "/signup", ROLE_ANYONE, 0, P, NULL, page_signup_post},
    {"GET", "/", ROLE_VIEWER, SCOPE_READ, P, NULL, page_dashboard},
    {"GET", "/submit", ROLE_MEMBER, SCOPE_READ, P, NULL, page_submit_list},
    {"GET", "/submit/{plugin}", ROLE_MEMBER, SCOPE_READ, P, NULL, page_submit},
    {"POST", "/submit/{plugin}", ROLE_MEMBER, SCOPE_SUBMIT, P, NULL, page_submit_post},
    {"GET", "/jobs", ROLE_VIEWER, SCOPE_READ, P, NULL, page_jobs},
    {"GET", "/jobs/{id}", ROLE_VIEWER, SCOPE_READ, P, NULL, page_job},
    {"POST", "/jobs/{id}/cancel", ROLE_MEMBER, SCOPE_SUBMIT, P, page_own_job, page_job_cancel},
    {"POST", "/alerts/{id}/acknowledge", ROLE_MEMBER, SCOPE_SUBMIT, P, NULL, page_alert_ack},
    {"POST", "/alerts/{id}/accept", ROLE_MEMBER, SCOPE_SUBMIT, P, NULL, page_alert_accept},
    {"GET", "/runs/{id}", ROLE_VIEWER, SCOPE_READ, P, NULL, page_run},
    {"GET", "/leaderboard", ROLE_VIEWER, SCOPE_READ, P, NULL, page_board_list},
    {"GET", "/leaderboard/{plugin}", ROLE_VIEWER, SCOPE_READ, P, NULL, page_board},
    {"GET", "/compare", ROLE_VIEWER, SCOPE_READ, P, NULL, page_compare},
    {"GET", "/schedules", ROLE_VIEWER, SCOPE_READ, P, NULL, page_schedules},
    {"POST", "/schedules", ROLE_MEMBER, SCOPE_SUBMIT, P, NULL, page_schedule_add},
    {"POST", "/schedules/{id}/remove", ROLE_MEMBER, SCOPE_SUBMIT, P, NULL, page_schedule_remove},
    {"GET", "/report", ROLE_VIEWER, SCOPE_READ, P, NULL, page_report},
    {"GET", "/admin/users", ROLE_ADMIN, SCOPE_READ, P, NULL, page_admin},
    {"POST", "/admin/users", ROLE_ADMIN, SCOPE_SUBMIT, P, NULL, page_admin_add},
    {"POST", "/admin/users/{name}", ROLE_ADMIN, SCOPE_SUBMIT, P, NULL, page_admin_user},
};

const http_route *pages_route_table(size_t *n)
{
    *n = sizeof page_routes / sizeof page_routes[0];
    return page_routes;
}
