/*
 * fuzz_router.c — the request router and authorisation of `benchaas serve`:
 * a method, a path and who is asking (input lines 1-3: METHOD, PATH, and a
 * role name with an optional scope digit) through http_route_match() and
 * http_authorise() over the API's route table, against a small database
 * (users and a job).  Properties: a matched route's captures are non-empty
 * single segments, one per {...} of its pattern; nobody gets a route above
 * their role or outside their token's scope; anyone unsigned gets 401 on
 * every route that needs a role.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "api.h"
#include "fuzz_common.h"
#include "http.h"

static store *g_st;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = fuzz_tmpdir("router"); /* removed at exit */
    char db[4096], err[1024];
    snprintf(db, sizeof db, "%s/r.db", dir);
    if (store_open(db, STORE_CREATE, &g_st, err, sizeof err) != 0)
        fuzz_fail(__FILE__, __LINE__, err);
    if (sqlite3_exec(store_db(g_st),
                     "INSERT INTO users(name, role, password_hash, created_at) VALUES "
                     "('root','admin','x','t'),('max','member','x','t'),('vic','viewer','x','t');"
                     "INSERT INTO jobs(user, plugin, name, experiment_json, state, npoints, "
                     "created_at) VALUES ('max','trivial','j','{}','queued',1,'t');"
                     "INSERT INTO schedules(user, experiment_json, every_seconds, next_at, "
                     "created_at) VALUES ('max','{}',3600,'t','t');",
                     NULL, NULL, NULL) != SQLITE_OK)
        fuzz_fail(__FILE__, __LINE__, sqlite3_errmsg(store_db(g_st)));
    return 0;
}

static size_t captures(const char *pattern)
{
    size_t n = 0;
    for (const char *p = pattern; *p; p++)
        n += *p == '{';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = fuzz_cstr(data, size);
    char *save = NULL;
    char *method = strtok_r(text, "\n", &save);
    char *path = method ? strtok_r(NULL, "\n", &save) : NULL;
    char *who = path ? strtok_r(NULL, "\n", &save) : NULL;
    if (!method || !path) {
        free(text);
        return 0;
    }
    size_t n;
    const http_route *tbl = api_route_table(&n);
    http_req r;
    memset(&r, 0, sizeof r);
    r.method = method;
    r.path = path;
    r.st = g_st;
    int status = 0;
    const http_route *rt = http_route_match(tbl, n, method, path, &r, &status);
    FUZZ_CHECK(rt ? status == 200 : status == 404 || status == 405, "route status");
    if (!rt) {
        free(text);
        return 0;
    }
    FUZZ_CHECK(r.nseg == captures(rt->pattern), "captures and pattern differ");
    for (size_t i = 0; i < r.nseg; i++)
        FUZZ_CHECK(r.seg[i][0] && !strchr(r.seg[i], '/'), "a capture is empty or several segments");
    /* who: "admin", "member", "viewer" or anything else (nobody), then a scope digit */
    int role = ROLE_ANYONE, scopes = SCOPE_ALL;
    const char *name = "";
    if (who) {
        if (strncmp(who, "admin", 5) == 0)
            role = ROLE_ADMIN, name = "root";
        else if (strncmp(who, "member", 6) == 0)
            role = ROLE_MEMBER, name = "max";
        else if (strncmp(who, "viewer", 6) == 0)
            role = ROLE_VIEWER, name = "vic";
        const char *d = strpbrk(who, "0123456789");
        if (d)
            scopes = (*d - '0') & SCOPE_ALL;
    }
    if (role != ROLE_ANYONE) {
        r.auth.user_id = role;
        snprintf(r.auth.user, sizeof r.auth.user, "%s", name);
        r.auth.role = role;
        r.auth.scopes = scopes;
    }
    http_resp o;
    memset(&o, 0, sizeof o);
    int st = http_authorise(rt, &r, &o);
    if (st == 0) {
        FUZZ_CHECK(rt->role == ROLE_ANYONE || (rt->flags & ROUTE_OPEN_SIGNUP) ||
                       (r.auth.user_id && r.auth.role >= rt->role),
                   "a route above the caller's role was allowed");
        FUZZ_CHECK(rt->role == ROLE_ANYONE || !rt->scope || (r.auth.scopes & rt->scope),
                   "a route outside the token's scope was allowed");
        FUZZ_CHECK(o.body == NULL, "allowed, with an error response");
    } else {
        FUZZ_CHECK(st == 401 || st == 403 || st == 404, "authorise status");
        FUZZ_CHECK(o.body && o.status == st, "refused without a JSON error");
        FUZZ_CHECK(st != 401 || !r.auth.user_id, "401 for a signed-in caller");
    }
    FUZZ_CHECK(r.auth.user_id || rt->role == ROLE_ANYONE || st == 401,
               "an unsigned caller got past a route that needs a role");
    free(o.body);
    strvec_free(&o.headers);
    free(text);
    return 0;
}
