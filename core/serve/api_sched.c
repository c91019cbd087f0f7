/*
 * api_sched.c — the JSON API's schedules (docs/api.md, Schedules): a suite of experiments
 * at a time of day or every period, its first run waiting for its time; listed and removed
 * by their owner or an admin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "api.h"
#include "api_int.h"
#include "jobs.h"
#include "scheduler.h"
#include "store.h"
#include "util.h"

/* ---- schedules ----------------------------------------------------------------------------------- */

/* "HH:MM" (UTC): the next such time after now into first (ISO 8601): 0, or -1. */
static int next_time_of_day(const char *at, char *first, size_t len)
{
    int h, m;
    char tail;
    if (!at || sscanf(at, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 23 || m < 0 || m > 59 ||
        strlen(at) != 5)
        return -1;
    int64_t now = (int64_t)time(NULL), day = now - now % 86400;
    int64_t t = day + h * 3600 + m * 60;
    store_time_format(t > now ? t : t + 86400, first, len);
    return 0;
}

enum { SUITE_MAX = 32 }; /* experiments in one schedule */

/* The schedule's experiments: "job" (one) or "jobs" (a suite, as a configuration file's
 * experiments), each planned as a submission would be.  The JSON to store (an object or an
 * array; the caller frees), or NULL after a 400 naming the field. */
static char *schedule_suite(http_req *r, const cJSON *b, int *count, http_resp *o)
{
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(b, "job");
    const cJSON *many = cJSON_GetObjectItemCaseSensitive(b, "jobs");
    if ((one != NULL) == (many != NULL)) {
        api_field_error(o, 400, "jobs", "give either \"job\" (one experiment) or \"jobs\" (a list of "
                                    "experiments, as a configuration file holds them)");
        return NULL;
    }
    int n = one ? 1 : cJSON_GetArraySize(many);
    if (many && (!cJSON_IsArray(many) || n < 1 || n > SUITE_MAX)) {
        api_field_error(o, 400, "jobs", "a list of 1 to 32 experiments");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *exp = one ? one : cJSON_GetArrayItem(many, i);
        config cfg;
        plan pl;
        char err[4096], field[256];
        int bad = job_plan(exp, APP(r)->launcher, &cfg, &pl, err, sizeof err, field,
                           sizeof field) != 0;
        plan_free(&pl);
        config_free(&cfg);
        if (bad) {
            char *f = one ? xasprintf("job.%s", field) : xasprintf("jobs[%d].%s", i, field);
            api_field_error(o, 400, f, err);
            free(f);
            return NULL;
        }
    }
    *count = n;
    return cJSON_PrintUnformatted(one ? one : many);
}

/* When the schedule first runs (ISO 8601 into first): at its time of day ("at"), else one
 * period from now, or now with "now": true.  0, or -1 after a 400 naming the field. */
static int schedule_first(const cJSON *b, int64_t secs, char *first, size_t len, http_resp *o)
{
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(b, "now");
    if (now && !cJSON_IsBool(now)) {
        api_field_error(o, 400, "now", "true (the first run at once) or false");
        return -1;
    }
    if (cJSON_GetObjectItemCaseSensitive(b, "at")) {
        if (next_time_of_day(api_str_member(b, "at"), first, len) != 0) {
            api_field_error(o, 400, "at", "a time of day, HH:MM (UTC): 02:30");
            return -1;
        }
        if (cJSON_IsTrue(now)) {
            api_field_error(o, 400, "now", "not with \"at\": the first run is at that time");
            return -1;
        }
        return 0;
    }
    store_time_format((int64_t)time(NULL) + (cJSON_IsTrue(now) ? 0 : secs), first, len);
    return 0;
}

int h_schedules_new(http_req *r, http_resp *o)
{
    cJSON *b = http_body_json(r, o);
    if (!b)
        return 0;
    static const char *const allowed[] = {"job", "jobs", "every", "at", "now", NULL};
    if (!cJSON_IsObject(b) || api_only_members(b, allowed, o)) {
        if (!o->body)
            http_error(o, 400, "a schedule is {\"jobs\":[experiments],\"every\":\"24h\"} or "
                               "{\"job\":{experiment},\"at\":\"02:30\"}", NULL);
        cJSON_Delete(b);
        return 0;
    }
    const char *every = api_str_member(b, "every");
    int64_t secs = 86400; /* with "at" alone: every day */
    if ((every || !cJSON_GetObjectItemCaseSensitive(b, "at")) &&
        (!every || account_parse_duration(every, &secs) != 0 || secs < 60)) {
        cJSON_Delete(b);
        return api_field_error(o, 400, "every", "a period of at least a minute: 90m, 24h, 7d");
    }
    char first[32]; /* the first run waits for its time */
    if (schedule_first(b, secs, first, sizeof first, o) != 0) {
        cJSON_Delete(b);
        return 0;
    }
    int cap = APP(r)->max_schedules > 0 ? APP(r)->max_schedules : 20;
    if (api_count_where(store_db(r->st), "SELECT count(*) FROM schedules WHERE user = ?1",
                    r->auth.user) >= cap) {
        cJSON_Delete(b);
        o->retry_after = 3600;
        return http_errorf(o, 429, "you have %d schedules, the most this server allows "
                                   "(quotas.schedules): remove one first", cap);
    }
    int count = 0;
    char *text = schedule_suite(r, b, &count, o);
    cJSON_Delete(b);
    if (!text)
        return 0;
    char now[32];
    iso_now(now, sizeof now);
    sqlite3 *db = store_db(r->st);
    sqlite3_stmt *s;
    int ok = sqlite3_prepare_v2(db,
                                "INSERT INTO schedules(user, experiment_json, every_seconds, "
                                "next_at, created_at) VALUES (?1, ?2, ?3, ?5, ?4)",
                                -1, &s, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(s, 1, r->auth.user, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 3, secs);
        sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, first, -1, SQLITE_TRANSIENT);
        ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_finalize(s);
    }
    free(text);
    if (!ok)
        return http_error(o, 500, sqlite3_errmsg(db), NULL);
    cJSON *j = cJSON_CreateObject();
    sched_wake(APP(r)->sched);
    cJSON *x = cJSON_AddObjectToObject(j, "schedule");
    cJSON_AddNumberToObject(x, "id", (double)sqlite3_last_insert_rowid(db));
    cJSON_AddStringToObject(x, "user", r->auth.user);
    cJSON_AddNumberToObject(x, "every_seconds", (double)secs);
    cJSON_AddStringToObject(x, "next_at", first);
    cJSON_AddNumberToObject(x, "experiments", count);
    return http_json(o, 201, j);
}

int h_schedules_list(http_req *r, http_resp *o)
{
    sqlite3_stmt *s;
    sqlite3 *db = store_db(r->st);
    if (sqlite3_prepare_v2(db,
                           "SELECT id, user, experiment_json, every_seconds, next_at, "
                           "last_job_id, created_at FROM schedules ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return http_error(o, 500, sqlite3_errmsg(db), NULL);
    cJSON *j = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(j, "schedules");
    while (sqlite3_step(s) == SQLITE_ROW) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "id", (double)sqlite3_column_int64(s, 0));
        cJSON_AddStringToObject(x, "user", (const char *)sqlite3_column_text(s, 1));
        /* a suite is stored as a list, one experiment as an object ("job" too, as before) */
        cJSON *e = cJSON_Parse((const char *)sqlite3_column_text(s, 2));
        if (cJSON_IsObject(e)) {
            cJSON_AddItemToObject(x, "job", cJSON_Duplicate(e, 1));
            cJSON *one = cJSON_CreateArray();
            cJSON_AddItemToArray(one, e);
            e = one;
        }
        cJSON_AddItemToObject(x, "jobs", cJSON_IsArray(e) ? e : cJSON_CreateArray());
        if (e && !cJSON_IsArray(e))
            cJSON_Delete(e);
        cJSON_AddNumberToObject(x, "every_seconds", (double)sqlite3_column_int64(s, 3));
        cJSON_AddStringToObject(x, "next_at", (const char *)sqlite3_column_text(s, 4));
        if (sqlite3_column_type(s, 5) != SQLITE_NULL)
            cJSON_AddNumberToObject(x, "last_job", (double)sqlite3_column_int64(s, 5));
        else
            cJSON_AddNullToObject(x, "last_job");
        cJSON_AddStringToObject(x, "created_at", (const char *)sqlite3_column_text(s, 6));
        cJSON_AddItemToArray(arr, x);
    }
    sqlite3_finalize(s);
    return http_json(o, 200, j);
}

int own_schedule(http_req *r, char *owner, size_t len, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o))
        return 404;
    sqlite3_stmt *s;
    int found = 0;
    if (sqlite3_prepare_v2(store_db(r->st), "SELECT user FROM schedules WHERE id = ?1", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            snprintf(owner, len, "%s", (const char *)sqlite3_column_text(s, 0));
            found = 1;
        }
        sqlite3_finalize(s);
    }
    if (!found) {
        http_errorf(o, 404, "no schedule %lld", (long long)id);
        return 404;
    }
    return 0;
}

int h_schedule_delete(http_req *r, http_resp *o)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o))
        return 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(r->st), "DELETE FROM schedules WHERE id = ?1", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_step(s);
        sqlite3_finalize(s);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "deleted", (double)id);
    return http_json(o, 200, j);
}

