/*
 * api.c — the JSON API of docs/api.md (/api/v1, /healthz, /metrics): the
 * route table and the handlers.  Who may call what is in the table only
 * (http_authorise decides); the handlers do the work.
 */
#define _GNU_SOURCE
#include "api.h"
#include "board.h"
#include "openapi.h"
#include "alerts.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "api_int.h"
#include "jobs.h"
#include "loader.h"
#include "plugin_kept.h"
#include "query.h"
#include "scheduler.h"
#include "spec.h"
#include "util.h"


/* ---- sign-in rate limit: per user name and per address ----------------------------
 *
 * Keyed exactly (the whole key is compared, nothing is hashed into shared slots, so one key
 * never resets another's count), bounded: at most RL_ENTRIES keys, and when it is full the
 * least recently failed key goes first (an expired one before any other).  RL_MAX failures
 * within RL_WINDOW seconds lock the key until the window ends.  The address is the client's
 * (behind --trusted-proxy, the one the proxy saw).
 */

#define RL_ENTRIES 4096
#define RL_WINDOW 60.0
#define RL_MAX 5

typedef struct rl_entry {
    char *key;     /* "u:NAME" (folded) or "a:ADDRESS"; owned; NULL: free */
    double start;  /* the window's start */
    double last;   /* the last failure */
    int fails;
} rl_entry;

static rl_entry rl[RL_ENTRIES];
static pthread_mutex_t rl_mu = PTHREAD_MUTEX_INITIALIZER;

/* The entry of key, or NULL (with rl_mu held). */
static rl_entry *rl_find(const char *key)
{
    for (size_t i = 0; i < RL_ENTRIES; i++)
        if (rl[i].key && strcmp(rl[i].key, key) == 0)
            return &rl[i];
    return NULL;
}

/* Seconds to wait (0: go on) for key. */
static int rl_check(const char *key)
{
    pthread_mutex_lock(&rl_mu);
    rl_entry *e = rl_find(key);
    double now = mono_now();
    int wait = 0;
    if (e && now - e->start < RL_WINDOW && e->fails >= RL_MAX)
        wait = (int)(RL_WINDOW - (now - e->start)) + 1;
    pthread_mutex_unlock(&rl_mu);
    return wait;
}

static void rl_fail(const char *key)
{
    pthread_mutex_lock(&rl_mu);
    double now = mono_now();
    rl_entry *e = rl_find(key);
    if (!e) {
        e = &rl[0];
        for (size_t i = 0; i < RL_ENTRIES; i++) {
            rl_entry *c = &rl[i];
            int c_free = !c->key || now - c->start >= RL_WINDOW;
            int e_free = !e->key || now - e->start >= RL_WINDOW;
            if (c_free && !e_free)
                e = c;
            else if (c_free == e_free && c->last < e->last)
                e = c;
            if (!c->key)
                break;
        }
        free(e->key);
        e->key = xstrdup(key);
        e->start = now;
        e->fails = 0;
    } else if (now - e->start >= RL_WINDOW) {
        e->start = now;
        e->fails = 0;
    }
    e->fails++;
    e->last = now;
    pthread_mutex_unlock(&rl_mu);
}

/* ---- helpers ------------------------------------------------------------------------ */

/* A whole-number query argument within [lo, hi]: 0, or 400 in o. */
static int query_long(http_req *r, http_resp *o, const char *key, long lo, long hi, long *out)
{
    const char *v = http_query(r, key);
    if (!v)
        return 0;
    if (parse_long(v, lo, hi, out) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "must be a whole number from %ld to %ld", lo, hi);
        api_field_error(o, 400, key, msg);
        return 400;
    }
    return 0;
}

/* ---- sessions and accounts ----------------------------------------------------------- */

static int h_session_new(http_req *r, http_resp *o)
{
    cJSON *b = http_body_json(r, o);
    if (!b)
        return 0;
    static const char *const allowed[] = {"user", "password", NULL};
    const char *user = api_str_member(b, "user"), *pw = api_str_member(b, "password");
    if (api_only_members(b, allowed, o)) {
        cJSON_Delete(b);
        return 0;
    }
    if (!user || !pw) {
        cJSON_Delete(b);
        return api_field_error(o, 400, !user ? "user" : "password", "a string is needed");
    }
    char folded[1100];
    account_name_fold(user, folded, sizeof folded);
    char *k1 = xasprintf("u:%s", folded), *k2 = xasprintf("a:%s", r->ip);
    int wait = rl_check(k1);
    int w2 = rl_check(k2);
    if (w2 > wait)
        wait = w2;
    char err[512], tok[ACCOUNT_TOKEN_TEXT], exp[32], canon[128];
    int64_t uid, tid;
    int role, vrc = wait ? 0
                         : account_verify(r->st, user, pw, &uid, &role, canon, sizeof canon,
                                          err, sizeof err);
    if (vrc && vrc != ACCOUNT_DISABLED) {
        rl_fail(k1);
        rl_fail(k2);
    }
    free(k1);
    free(k2);
    if (wait || vrc) {
        cJSON_Delete(b);
        if (!wait)
            return http_error(o, 401, vrc == ACCOUNT_DISABLED ? err : "wrong user name or password",
                              NULL);
        o->retry_after = wait;
        return http_error(o, 429, "too many failed sign-ins: wait and try again", NULL);
    }
    int rc = account_token_create(r->st, canon, "session", "submit", APP(r)->session_s, tok, &tid,
                                  exp, sizeof exp, err, sizeof err);
    if (rc) {
        cJSON_Delete(b);
        return http_error(o, 500, err, NULL);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "token", tok);
    cJSON_AddStringToObject(j, "user", canon);
    cJSON_AddStringToObject(j, "role", account_role_name(role));
    cJSON_AddStringToObject(j, "expires_at", exp);
    sodium_memzero(tok, sizeof tok);
    cJSON_Delete(b);
    return http_json(o, 201, j);
}

static int h_session_end(http_req *r, http_resp *o)
{
    char err[256];
    if (account_token_revoke(r->st, r->auth.token_id, err, sizeof err) != 0)
        return http_error(o, 500, err, NULL);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", "signed out");
    return http_json(o, 200, j);
}

static int h_me(http_req *r, http_resp *o)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "user", r->auth.user);
    cJSON_AddStringToObject(j, "role", account_role_name(r->auth.role));
    return http_json(o, 200, j);
}

static int h_users_new(http_req *r, http_resp *o)
{
    cJSON *b = http_body_json(r, o);
    if (!b)
        return 0;
    static const char *const allowed[] = {"user", "password", "role", NULL};
    if (api_only_members(b, allowed, o)) {
        cJSON_Delete(b);
        return 0;
    }
    const char *user = api_str_member(b, "user"), *pw = api_str_member(b, "password"),
               *rname = api_str_member(b, "role");
    int role = ROLE_MEMBER;
    if (rname)
        role = account_role_parse(rname);
    /* (a credential without the submit scope never gets here: http_authorise) */
    int is_admin = r->auth.user_id && r->auth.role == ROLE_ADMIN &&
                   (r->auth.scopes & SCOPE_SUBMIT);
    if (!user || !pw) {
        cJSON_Delete(b);
        return api_field_error(o, 400, !user ? "user" : "password", "a string is needed");
    }
    if (role < 0) {
        cJSON_Delete(b);
        return api_field_error(o, 400, "role", "one of admin, member, viewer");
    }
    if (!is_admin && role != ROLE_MEMBER) {
        cJSON_Delete(b);
        return http_error(o, 403, "sign-up makes members; only an admin gives other roles", NULL);
    }
    char err[512];
    int64_t id;
    int rc = account_add(r->st, user, pw, role, &id, err, sizeof err);
    if (rc == ACCOUNT_TAKEN) {
        cJSON_Delete(b);
        return http_error(o, 409, err, NULL);
    }
    if (rc) {
        cJSON_Delete(b);
        return api_field_error(o, rc == BX_EINVAL ? 400 : 500,
                           strstr(err, "password") ? "password" : "user", err);
    }
    char folded[128];
    account_name_fold(user, folded, sizeof folded);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "user", folded);
    cJSON_AddStringToObject(j, "role", account_role_name(role));
    cJSON_Delete(b);
    return http_json(o, 201, j);
}

/* ---- plugins --------------------------------------------------------------------------- */

static cJSON *plugin_json(const loaded_plugin *p)
{
    const bx_plugin *d = p->desc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", d->name);
    cJSON_AddStringToObject(o, "version", d->version);
    cJSON_AddStringToObject(o, "description", d->description);
    cJSON_AddBoolToObject(o, "needs_mpi", (d->flags & BX_NEEDS_MPI) != 0);
    cJSON *ps = cJSON_AddArrayToObject(o, "params");
    for (const bx_param *q = d->params; q && q->name; q++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", q->name);
        cJSON_AddStringToObject(x, "type", bxp_type_name(q->type));
        if (q->def)
            cJSON_AddStringToObject(x, "default", q->def);
        else
            cJSON_AddNullToObject(x, "default");
        if (bxp_has_range(q)) {
            cJSON_AddNumberToObject(x, "min", q->min);
            cJSON_AddNumberToObject(x, "max", q->max);
        } else {
            cJSON_AddNullToObject(x, "min");
            cJSON_AddNullToObject(x, "max");
        }
        if (q->choices) {
            cJSON *c = cJSON_AddArrayToObject(x, "choices");
            for (const char *const *ch = q->choices; *ch; ch++)
                cJSON_AddItemToArray(c, cJSON_CreateString(*ch));
        } else {
            cJSON_AddNullToObject(x, "choices");
        }
        cJSON_AddStringToObject(x, "help", q->help ? q->help : "");
        const char *kind = bxp_kind_name(q);
        if (kind)
            cJSON_AddStringToObject(x, "kind", kind); /* site policy applies (docs/api.md) */
        else
            cJSON_AddNullToObject(x, "kind");
        cJSON_AddItemToArray(ps, x);
    }
    cJSON *ms = cJSON_AddArrayToObject(o, "metrics");
    for (const bx_metric_def *m = d->metrics; m && m->name; m++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", m->name);
        cJSON_AddStringToObject(x, "unit", m->unit ? m->unit : "");
        cJSON_AddStringToObject(x, "better", m->better == BX_BETTER_HIGHER  ? "higher"
                                             : m->better == BX_BETTER_LOWER ? "lower"
                                                                            : "none");
        cJSON_AddBoolToObject(x, "headline", (m->flags & BX_METRIC_HEADLINE) != 0);
        cJSON_AddItemToArray(ms, x);
    }
    return o;
}

static void add_plugin(const loaded_plugin *lp, void *arr)
{
    cJSON_AddItemToArray(arr, plugin_json(lp));
}

/* Every plugin found (each file loaded once and kept until it changes, plugin_kept.h). */
static int h_plugins(http_req *r, http_resp *o)
{
    strvec user = {0}, dirs = {0};
    plugin_search_path(&user, &dirs);
    cJSON *j = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(j, "plugins");
    plugin_kept_each(&dirs, add_plugin, arr);
    strvec_free(&dirs);
    return http_json(o, 200, j);
}

/* ---- jobs ------------------------------------------------------------------------------ */

static int h_jobs_new(http_req *r, http_resp *o)
{
    cJSON *b = http_body_json(r, o);
    if (!b)
        return 0;
    if (!cJSON_IsObject(b)) {
        cJSON_Delete(b);
        return http_error(o, 400, "an experiment is a JSON object", NULL);
    }
    serve_app *app = APP(r);
    int64_t id = 0;
    cJSON *fields = NULL;
    char err[4096];
    int st = job_submit(r->st, r->auth.user, b, app->launcher, &app->quotas, 0, &id, &fields, err,
                        sizeof err);
    cJSON_Delete(b);
    if (st) {
        if (st == 429)
            o->retry_after = 60;
        return http_error(o, st, err, fields);
    }
    sched_wake(app->sched);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, "job", job_json(r->st, id));
    return http_json(o, 201, j);
}

static int h_jobs_list(http_req *r, http_resp *o)
{
    long limit = 100;
    if (query_long(r, o, "limit", 1, 10000, &limit))
        return 0;
    const char *state = http_query(r, "state"), *user = http_query(r, "user");
    static const char *const states[] = {"queued", "running", "done", "failed", "cancelled", NULL};
    if (state) {
        int ok = 0;
        for (const char *const *s = states; *s; s++)
            ok |= strcmp(*s, state) == 0;
        if (!ok)
            return api_field_error(o, 400, "state",
                               "one of queued, running, done, failed, cancelled");
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(r->st),
                           "SELECT id FROM jobs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL "
                           "OR user = ?2) ORDER BY id DESC LIMIT ?3",
                           -1, &s, NULL) != SQLITE_OK)
        return http_error(o, 500, sqlite3_errmsg(store_db(r->st)), NULL);
    sqlite3_bind_text(s, 1, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, limit);
    int64_t *ids = xmalloc((size_t)limit * sizeof *ids);
    size_t n = 0;
    while (n < (size_t)limit && sqlite3_step(s) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    cJSON *j = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(j, "jobs");
    for (size_t i = 0; i < n; i++) {
        cJSON *x = job_json(r->st, ids[i]);
        if (x)
            cJSON_AddItemToArray(arr, x);
    }
    free(ids);
    return http_json(o, 200, j);
}

static int h_job_get(http_req *r, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o))
        return 0;
    cJSON *x = job_json(r->st, id);
    if (!x)
        return http_errorf(o, 404, "no job %lld", (long long)id);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, "job", x);
    return http_json(o, 200, j);
}

static int own_job(http_req *r, char *owner, size_t len, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o))
        return 404;
    if (job_owner(r->st, id, owner, len) != 0) {
        http_errorf(o, 404, "no job %lld", (long long)id);
        return 404;
    }
    return 0;
}

static int h_job_cancel(http_req *r, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o))
        return 0;
    char err[512];
    int rc = job_cancel(r->st, id, err, sizeof err);
    if (rc < 0)
        return http_error(o, 500, err, NULL);
    if (rc == 1) {
        cJSON *x = job_json(r->st, id);
        char *msg = xasprintf("job %lld is %s already: nothing to cancel", (long long)id,
                              x ? cJSON_GetObjectItem(x, "state")->valuestring : "over");
        cJSON_Delete(x);
        http_error(o, 409, msg, NULL);
        free(msg);
        return 0;
    }
    if (APP(r)->sched)
        sched_cancel_job(APP(r)->sched, id);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, "job", job_json(r->st, id));
    return http_json(o, 200, j);
}

/* ---- runs ------------------------------------------------------------------------------- */

/* Add "user" and "job" to each run object of a query_runs_json document. */
static void add_user_job(store *st, cJSON *runs)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "SELECT user, job FROM runs WHERE id = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return;
    cJSON *it;
    cJSON_ArrayForEach(it, runs)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, (int64_t)id->valuedouble);
        if (sqlite3_step(s) == SQLITE_ROW) {
            if (sqlite3_column_type(s, 0) != SQLITE_NULL)
                cJSON_AddStringToObject(it, "user", (const char *)sqlite3_column_text(s, 0));
            else
                cJSON_AddNullToObject(it, "user");
            if (sqlite3_column_type(s, 1) != SQLITE_NULL)
                cJSON_AddNumberToObject(it, "job", (double)sqlite3_column_int64(s, 1));
            else
                cJSON_AddNullToObject(it, "job");
        }
    }
    sqlite3_finalize(s);
}

static int h_runs_list(http_req *r, http_resp *o)
{
    long limit = 100, offset = 0;
    if (query_long(r, o, "limit", 1, 10000, &limit) ||
        query_long(r, o, "offset", 0, 1000000000L, &offset))
        return 0;
    const char *since = http_query(r, "since");
    char since_text[32] = "";
    if (since) {
        int64_t t;
        if (store_time_parse(since, &t, NULL) != 0)
            return api_field_error(o, 400, "since", "not an ISO 8601 time like 2026-11-21T10:12:17Z");
        store_time_format(t, since_text, sizeof since_text);
    }
    const char *status = http_query(r, "status");
    static const char *const statuses[] = {"ok",          "failed", "crashed", "timeout",
                                           "interrupted", "queued", "running", NULL};
    if (status) {
        int ok = 0;
        for (const char *const *s = statuses; *s; s++)
            ok |= strcmp(*s, status) == 0;
        if (!ok)
            return api_field_error(o, 400, "status",
                               "one of ok, failed, crashed, timeout, interrupted, queued, "
                               "running");
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(
            store_db(r->st),
            "SELECT r.id FROM runs r WHERE (?1 IS NULL OR r.plugin = ?1) AND (?2 IS NULL OR "
            "r.status = ?2) AND (?3 IS NULL OR EXISTS (SELECT 1 FROM tags t WHERE t.run_id = "
            "r.id AND t.tag = ?3)) AND (?4 IS NULL OR r.host_id = (SELECT id FROM hosts WHERE "
            "name = ?4)) AND (?5 IS NULL OR r.user = ?5) AND (?6 IS NULL OR r.started_at >= ?6) "
            "ORDER BY r.started_at DESC, r.id DESC LIMIT ?7 OFFSET ?8",
            -1, &s, NULL) != SQLITE_OK)
        return http_error(o, 500, sqlite3_errmsg(store_db(r->st)), NULL);
    sqlite3_bind_text(s, 1, http_query(r, "plugin"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, http_query(r, "tag"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, http_query(r, "host"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, http_query(r, "user"), -1, SQLITE_TRANSIENT);
    if (since)
        sqlite3_bind_text(s, 6, since_text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 7, limit);
    sqlite3_bind_int64(s, 8, offset);
    int64_t *ids = xmalloc((size_t)limit * sizeof *ids);
    size_t n = 0;
    while (n < (size_t)limit && sqlite3_step(s) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    cJSON *j = NULL;
    int rc = query_runs_json(r->st, ids, n, &j);
    free(ids);
    if (rc || !j)
        return http_error(o, 500, "cannot read the runs", NULL);
    add_user_job(r->st, cJSON_GetObjectItemCaseSensitive(j, "runs"));
    return http_json(o, 200, j);
}

static int h_run_get(http_req *r, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o))
        return 0;
    cJSON *j = NULL;
    if (query_runs_json(r->st, &id, 1, &j) != 0 || !j)
        return http_error(o, 500, "cannot read the run", NULL);
    cJSON *runs = cJSON_GetObjectItemCaseSensitive(j, "runs");
    cJSON *run = cJSON_DetachItemFromArray(runs, 0);
    cJSON_Delete(j);
    if (!run)
        return http_errorf(o, 404, "no run %lld", (long long)id);
    cJSON *tmp = cJSON_CreateArray();
    cJSON_AddItemToArray(tmp, run);
    add_user_job(r->st, tmp);
    run = cJSON_DetachItemFromArray(tmp, 0);
    cJSON_Delete(tmp);
    cJSON *doc = store_export_run(r->st, id, NULL, 0);
    if (doc) {
        static const char *const extra[] = {"uuid", "samples", "timeline", "provenance",
                                            "warnings", "meta", "tags", "spec", "finished_at",
                                            "experiment", "launcher", "repetitions"};
        for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
            cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(doc, extra[i]);
            if (v && !cJSON_GetObjectItemCaseSensitive(run, extra[i]))
                cJSON_AddItemToObject(run, extra[i], v);
            else
                cJSON_Delete(v);
        }
        cJSON_Delete(doc);
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "run", run);
    return http_json(o, 200, out);
}

/* ---- leaderboard ---------------------------------------------------------------------------- */

static int h_leaderboard(http_req *r, http_resp *o)
{
    const char *plugin = http_query(r, "plugin"), *metric = http_query(r, "metric");
    long limit = 20;
    if (!plugin)
        return api_field_error(o, 400, "plugin", "which plugin? ?plugin=NAME");
    if (query_long(r, o, "limit", 1, 1000, &limit))
        return 0;
    sqlite3 *db = store_db(r->st);
    sqlite3_stmt *s;
    char mname[256] = "", unit[64] = "", better[16] = "";
    /* The headline: the metric the plugin marks (its first declared one unless
     * it marks another); for a plugin not installed here, the first metric of
     * its documents. */
    char headline[256] = "";
    if (!metric) {
        strvec none = {0}, dirs = {0};
        char e2[512];
        plugin_search_path(&none, &dirs);
        const loaded_plugin *lp = plugin_kept_find(&dirs, plugin, e2, sizeof e2);
        if (lp) {
            for (const bx_metric_def *m = lp->desc->metrics; m && m->name && !headline[0]; m++)
                if (m->flags & BX_METRIC_HEADLINE)
                    snprintf(headline, sizeof headline, "%s", m->name);
            plugin_kept_put(lp);
        }
        strvec_free(&dirs);
        if (headline[0])
            metric = headline;
    }
    /* the metric's unit and direction, from the newest stored run that has it */
    for (int pass = 0; pass < 2 && !mname[0]; pass++) {
        const char *want = pass == 0 ? metric : NULL;
        if (pass == 1 && (!metric || metric != headline))
            break; /* the headline is not stored: fall back to the first stored metric */
        if (sqlite3_prepare_v2(db,
                               want ? "SELECT m.name, m.unit, m.better FROM metrics m JOIN runs r "
                                      "ON r.id = m.run_id WHERE r.plugin = ?1 AND m.name = ?2 "
                                      "ORDER BY r.id DESC LIMIT 1"
                                    : "SELECT m.name, m.unit, m.better FROM runs r JOIN metrics m "
                                      "ON m.run_id = r.id WHERE r.plugin = ?1 AND r.status = 'ok' "
                                      "ORDER BY r.id DESC, m.seq LIMIT 1",
                               -1, &s, NULL) != SQLITE_OK)
            return http_error(o, 500, sqlite3_errmsg(db), NULL);
        sqlite3_bind_text(s, 1, plugin, -1, SQLITE_TRANSIENT);
        if (want)
            sqlite3_bind_text(s, 2, want, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW) {
            snprintf(mname, sizeof mname, "%s", (const char *)sqlite3_column_text(s, 0));
            snprintf(unit, sizeof unit, "%s", (const char *)sqlite3_column_text(s, 1));
            snprintf(better, sizeof better, "%s", (const char *)sqlite3_column_text(s, 2));
        }
        sqlite3_finalize(s);
    }
    if (!mname[0]) {
        if (metric && metric != headline)
            return api_field_error(o, 404, "metric", "no stored run of this plugin has this metric");
        return api_field_error(o, 404, "plugin", "no stored ok run of this plugin");
    }
    /* which runs compare and which are left out: the results library's (board.h) */
    const char *inc = http_query(r, "include");
    if (inc && strcmp(inc, "warned") != 0)
        return api_field_error(o, 400, "include", "include=warned, or nothing");
    board_query bq = {.plugin = plugin, .metric = mname, .lower_is_better = !strcmp(better, "lower"),
                      .limit = limit, .include_warned = inc != NULL};
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "plugin", plugin);
    cJSON_AddStringToObject(j, "metric", mname);
    cJSON_AddStringToObject(j, "unit", unit);
    cJSON_AddStringToObject(j, "better", better);
    char berr[512];
    if (board_rank(r->st, &bq, j, berr, sizeof berr)) {
        cJSON_Delete(j);
        return http_error(o, 500, berr, NULL);
    }
    return http_json(o, 200, j);
}

/* ---- result upload ---------------------------------------------------------------------------- */

/* Is name the name of a plugin this server loads? */
static int plugin_known(const char *name)
{
    strvec user = {0}, dirs = {0}, names = {0};
    plugin_search_path(&user, &dirs);
    plugin_kept_names(&dirs, &names);
    int found = 0;
    for (size_t i = 0; i < names.n && !found; i++)
        found = strcmp(names.v[i], name) == 0;
    strvec_free(&names);
    strvec_free(&dirs);
    return found;
}

/*
 * What an uploaded result document must be before it is stored: a canonical uuid, a known
 * plugin (no invented name reaches /metrics), times from 1990 to a day from now, a finished
 * status.  0, or 400 in o on the field.
 */
static int upload_valid(const cJSON *b, http_resp *o)
{
    const char *uuid = api_str_member(b, "uuid"), *plugin = api_str_member(b, "plugin");
    const char *status = api_str_member(b, "status");
    const char *field = NULL, *msg = NULL;
    if (!uuid || !spec_uuid_ok(uuid))
        field = "uuid", msg = "a lower-case UUID like 3f2c9a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6";
    else if (!plugin || !plugin_known(plugin))
        field = "plugin", msg = "not a plugin of this server (GET /api/v1/plugins)";
    else if (status && (strcmp(status, "queued") == 0 || strcmp(status, "running") == 0))
        field = "status", msg = "only finished runs are uploaded";
    static const char *const times[] = {"started_at", "finished_at"};
    int64_t lo = 631152000, hi = (int64_t)time(NULL) + 86400; /* 1990-01-01, now + 1 day */
    for (int i = 0; i < 2 && !field; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, times[i]);
        int64_t t;
        if (v && !cJSON_IsNull(v) &&
            (!cJSON_IsString(v) || store_time_parse(v->valuestring, &t, NULL) != 0 || t < lo ||
             t > hi))
            field = times[i], msg = "a UTC time (2026-11-21T10:12:17Z) from 1990 to a day from now";
    }
    if (!field)
        return 0;
    api_field_error(o, 400, field, msg);
    return 400;
}

/*
 * The user the run is stored as: the uploader's own name.  A document's "user" may only be
 * the uploader itself, except for an admin, who uploads on behalf of an existing user by
 * naming it there.  0 with "user" set in b, or 400/403 in o.
 */
static int upload_owner(http_req *r, cJSON *b, http_resp *o)
{
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(b, "user");
    char canon[128], err[512];
    snprintf(canon, sizeof canon, "%s", r->auth.user);
    if (u && !cJSON_IsNull(u)) {
        char mine[128], named[128];
        account_name_fold(r->auth.user, mine, sizeof mine);
        account_name_fold(cJSON_IsString(u) ? u->valuestring : "", named, sizeof named);
        int status = 0;
        if (!cJSON_IsString(u))
            status = 400;
        else if (strcmp(mine, named) != 0 && r->auth.role < ROLE_ADMIN)
            status = 403;
        else if (account_canonical(r->st, u->valuestring, canon, sizeof canon, err, sizeof err))
            status = 400;
        if (status) {
            api_field_error(o, status, "user",
                        status == 403 ? "runs are stored as their uploader's; only an admin "
                                        "uploads on behalf of another user"
                                      : "the name of an existing user");
            return status;
        }
    }
    cJSON_DeleteItemFromObjectCaseSensitive(b, "user");
    cJSON_AddStringToObject(b, "user", canon);
    return 0;
}

static int h_results_new(http_req *r, http_resp *o)
{
    cJSON *b = http_body_json(r, o);
    if (!b)
        return 0;
    if (!cJSON_IsObject(b)) {
        cJSON_Delete(b);
        return http_error(o, 400, "a result document is a JSON object", NULL);
    }
    if (upload_valid(b, o) || upload_owner(r, b, o)) {
        cJSON_Delete(b);
        return 0;
    }
    const char *uuid = api_str_member(b, "uuid");
    int64_t id = 0;
    char err[2048];
    int existed = store_find_run(r->st, uuid, &id, err, sizeof err) == 0;
    cJSON_DeleteItemFromObjectCaseSensitive(b, "job"); /* jobs of another service mean nothing here */
    int rc = existed ? 0 : store_ingest(r->st, b, &id, err, sizeof err);
    cJSON_Delete(b);
    if (rc == BX_EINVAL)
        return api_field_error(o, 400, "document", err);
    if (rc)
        return http_error(o, 500, err, NULL);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "run_id", (double)id);
    return http_json(o, existed ? 200 : 201, j);
}

/* ---- operations -------------------------------------------------------------------------------- */

static int count_jobs(sqlite3 *db, const char *state)
{
    return api_count_where(db, "SELECT count(*) FROM jobs WHERE state = ?1", state);
}

/*
 * Can this connection write?  A write in a transaction that is then rolled back (nothing
 * stays), waiting at most a second and a half for the lock.  0, or -1 with why in err.
 */
static int write_probe(sqlite3 *db, char *err, size_t errlen)
{
    int saved = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            saved = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_busy_timeout(db, 1500);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "CREATE TABLE bx_healthz_probe(x); INSERT INTO bx_healthz_probe "
                              "VALUES (1)",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        snprintf(err, errlen, "a write failed: %s", sqlite3_errstr(rc));
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_busy_timeout(db, saved);
    return rc == SQLITE_OK ? 0 : -1;
}

/* write_probe at most once a second for the whole server: /healthz is open to anyone, and
 * each probe takes the write lock (or waits for it up to 1.5 s, holding a thread). */
static int write_probe_cached(sqlite3 *db, char *err, size_t errlen)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static double at = -10;
    static int rc;
    static char why[256];
    pthread_mutex_lock(&mu);
    if (mono_now() - at >= 1.0) {
        rc = write_probe(db, why, sizeof why);
        at = mono_now();
    }
    snprintf(err, errlen, "%s", rc ? why : "");
    int out = rc;
    pthread_mutex_unlock(&mu);
    return out;
}

/* Jobs running past what their points may take (each point's timeout, default 3600 s, and a
 * minute), as seen from the database: -1 when it cannot tell. */
static int stuck_jobs(sqlite3 *db)
{
    return api_count_where(db,
                       "SELECT count(*) FROM jobs WHERE state = 'running' AND started_at IS NOT "
                       "NULL AND CAST(strftime('%s', started_at) AS INTEGER) + npoints * (coalesce("
                       "json_extract(experiment_json, '$.timeout'), 3600) + 60) < CAST(strftime("
                       "'%s', ?1) AS INTEGER)",
                       "now");
}

/* /healthz: 200 when the database takes a write (proved within the last second) and the
 * scheduler moves (its last tick
 * recent, no job stuck running past its timeout), else 503 with the reason. */
static int h_healthz(http_req *r, http_resp *o)
{
    serve_app *app = APP(r);
    sqlite3 *db = store_db(r->st);
    int queued = count_jobs(db, "queued"), running = count_jobs(db, "running");
    double tick = app->sched ? sched_last_tick(app->sched) : 0;
    char when[32] = "", why[256] = "";
    store_time_format((int64_t)tick, when, sizeof when);
    int stuck = stuck_jobs(db);
    const char *status = "ok";
    if (queued < 0 || running < 0) {
        status = "database failing";
        snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
    } else if (write_probe_cached(db, why, sizeof why) != 0) {
        status = "database not writable";
    } else if (!app->sched || wall_now() - tick >= 30.0) {
        status = "scheduler stalled";
        snprintf(why, sizeof why, "no tick for 30 s");
    } else if (stuck > 0) {
        status = "scheduler stalled";
        snprintf(why, sizeof why, "%d job%s running past its timeout", stuck,
                 stuck == 1 ? "" : "s");
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", status);
    if (why[0])
        cJSON_AddStringToObject(j, "reason", why);
    cJSON *sc = cJSON_AddObjectToObject(j, "scheduler");
    cJSON_AddStringToObject(sc, "last_tick", when);
    cJSON_AddNumberToObject(sc, "queued", queued);
    cJSON_AddNumberToObject(sc, "running", running);
    cJSON_AddNumberToObject(sc, "stuck", stuck);
    cJSON_AddNumberToObject(sc, "points_running", app->sched ? sched_running(app->sched) : 0);
    return http_json(o, strcmp(status, "ok") ? 503 : 200, j);
}

static int h_metrics(http_req *r, http_resp *o)
{
    serve_app *app = APP(r);
    sqlite3 *db = store_db(r->st);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return http_error(o, 500, "out of memory", NULL);
    fprintf(f, "# HELP benchaas_jobs Jobs by state.\n# TYPE benchaas_jobs gauge\n");
    static const char *const states[] = {"queued", "running", "done", "failed", "cancelled"};
    for (int i = 0; i < 5; i++)
        fprintf(f, "benchaas_jobs{state=\"%s\"} %d\n", states[i], count_jobs(db, states[i]));
    fprintf(f, "# HELP benchaas_runs Stored runs by plugin and status.\n"
               "# TYPE benchaas_runs gauge\n");
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT plugin, status, count(*) FROM runs GROUP BY 1, 2", -1, &s,
                           NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            /* plugin names are [a-z0-9_]; escape anyway */
            fprintf(f, "benchaas_runs{plugin=\"");
            for (const char *p = (const char *)sqlite3_column_text(s, 0); p && *p; p++)
                if (*p == '"' || *p == '\\' || *p == '\n')
                    fputc('_', f);
                else
                    fputc(*p, f);
            fprintf(f, "\",status=\"%s\"} %lld\n", (const char *)sqlite3_column_text(s, 1),
                    (long long)sqlite3_column_int64(s, 2));
        }
        sqlite3_finalize(s);
    }
    fprintf(f, "# HELP benchaas_scheduler_last_tick_seconds When the scheduler last ran (Unix "
               "time).\n# TYPE benchaas_scheduler_last_tick_seconds gauge\n"
               "benchaas_scheduler_last_tick_seconds %.3f\n",
            app->sched ? sched_last_tick(app->sched) : 0.0);
    fprintf(f, "# HELP benchaas_points_running Points running now.\n"
               "# TYPE benchaas_points_running gauge\nbenchaas_points_running %d\n",
            app->sched ? sched_running(app->sched) : 0);
    fprintf(f, "# HELP benchaas_http_requests_total Requests answered, by status code.\n"
               "# TYPE benchaas_http_requests_total counter\n");
    for (int c = 100; c < 600; c++) {
        uint64_t n = http_count(r->srv, c);
        if (n)
            fprintf(f, "benchaas_http_requests_total{code=\"%d\"} %llu\n", c,
                    (unsigned long long)n);
    }
    fclose(f);
    http_text(o, 200, "text/plain; version=0.0.4", buf, len);
    free(buf);
    return 0;
}

/* ---- the table ------------------------------------------------------------------------------------ */

static const http_route api_routes[] = {
    {"GET", "/healthz", ROLE_ANYONE, 0, 0, NULL, h_healthz},
    {"GET", "/metrics", ROLE_ANYONE, 0, 0, NULL, h_metrics},
    {"GET", "/api/v1/openapi.json", ROLE_ANYONE, 0, 0, NULL, openapi_api_get},
    {"POST", "/api/v1/session", ROLE_ANYONE, 0, ROUTE_JSON, NULL, h_session_new},
    {"DELETE", "/api/v1/session", ROLE_VIEWER, 0, 0, NULL, h_session_end},
    {"GET", "/api/v1/me", ROLE_VIEWER, SCOPE_READ, 0, NULL, h_me},
    {"POST", "/api/v1/users", ROLE_ADMIN, SCOPE_SUBMIT, ROUTE_JSON | ROUTE_OPEN_SIGNUP, NULL,
     h_users_new},
    {"GET", "/api/v1/plugins", ROLE_VIEWER, SCOPE_READ, 0, NULL, h_plugins},
    {"POST", "/api/v1/jobs", ROLE_MEMBER, SCOPE_SUBMIT, ROUTE_JSON, NULL, h_jobs_new},
    {"GET", "/api/v1/jobs", ROLE_VIEWER, SCOPE_READ, 0, NULL, h_jobs_list},
    {"GET", "/api/v1/jobs/{id}", ROLE_VIEWER, SCOPE_READ, 0, NULL, h_job_get},
    {"DELETE", "/api/v1/jobs/{id}", ROLE_MEMBER, SCOPE_SUBMIT, 0, own_job, h_job_cancel},
    {"GET", "/api/v1/runs", ROLE_VIEWER, SCOPE_READ, ROUTE_CACHE, NULL, h_runs_list},
    {"GET", "/api/v1/runs/{id}", ROLE_VIEWER, SCOPE_READ, ROUTE_CACHE, NULL, h_run_get},
    {"GET", "/api/v1/leaderboard", ROLE_VIEWER, SCOPE_READ, ROUTE_CACHE, NULL, h_leaderboard},
    {"POST", "/api/v1/results", ROLE_MEMBER, SCOPE_UPLOAD, ROUTE_JSON, NULL, h_results_new},
    {"POST", "/api/v1/schedules", ROLE_MEMBER, SCOPE_SUBMIT, ROUTE_JSON, NULL, h_schedules_new},
    {"GET", "/api/v1/schedules", ROLE_VIEWER, SCOPE_READ, 0, NULL, h_schedules_list},
    {"DELETE", "/api/v1/schedules/{id}", ROLE_MEMBER, SCOPE_SUBMIT, 0, own_schedule,
     h_schedule_delete},
    {"GET", "/api/v1/alerts", ROLE_VIEWER, SCOPE_READ, 0, NULL, alerts_api_list},
    {"POST", "/api/v1/alerts/{id}/acknowledge", ROLE_MEMBER, SCOPE_SUBMIT, 0, NULL,
     alerts_api_acknowledge},
    {"POST", "/api/v1/alerts/{id}/accept", ROLE_MEMBER, SCOPE_SUBMIT, 0, NULL, alerts_api_accept},
};

const http_route *api_route_table(size_t *n)
{
    *n = sizeof api_routes / sizeof api_routes[0];
    return api_routes;
}
