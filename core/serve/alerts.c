/*
 * alerts.c — regressions of scheduled checks: confirm, alert, act (alerts.h).
 *
 * A scheduled job's check that finds a regression does not alert at once:
 * it queues one confirmation job, the regressed point again (the job's own
 * experiment with that run's parameters, named "confirm-run-RUN", under the
 * same schedule).  When that job ends, the flagged run is judged again as the
 * scheduled check judged it (against the runs started before it: neither the
 * flagged run nor the confirmation is in that history), and the confirmation's
 * value is held to that judgement (alerts_holds): it confirms when it is
 * beyond the same band on the worse side, beyond the same floor (a change
 * point's), and nearer the new level than the old.  The confirmation's own
 * verdict does not count: its history would hold the flagged run or not
 * depending on whether the two started in the same second.  The alert then
 * carries the flagged run's regression (its change, first run and times) and
 * names the confirmation run.
 * An alert's severity is the size of the change: minor under 5 %, major
 * under 10 %, critical beyond (and for a scheduled run that failed, which
 * alerts at once: there is no level to confirm).
 */
#define _GNU_SOURCE
#include "alerts.h"

#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "store.h"

#define CONFIRM_PREFIX "confirm-run-"

int64_t alerts_confirms(sqlite3 *db, int64_t job)
{
    sqlite3_stmt *q;
    long long run = 0;
    if (sqlite3_prepare_v2(db, "SELECT json_extract(experiment_json, '$.name') FROM jobs WHERE id = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(q, 1, job);
    if (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (!name || sscanf(name, CONFIRM_PREFIX "%lld", &run) != 1)
            run = 0;
    }
    sqlite3_finalize(q);
    return (int64_t)run;
}

const char *alerts_severity(double change_pct)
{
    double a = fabs(change_pct);
    return !isfinite(a) || a >= 10 ? "critical" : a >= 5 ? "major" : "minor";
}

/* What an alert says about the worst regression of a check document. */
typedef struct found {
    int64_t run;          /* the regressed (checked) run */
    int64_t first;        /* the first run of the new level (the run itself without one) */
    double change;        /* % */
    char from[40];        /* the new level's start time */
    const cJSON *check;   /* the check's entry of the regression (in the document) */
} found;

static double num_of(const cJSON *o, const char *name)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

static int is_regression(const cJSON *it)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "verdict");
    return cJSON_IsString(v) && strcmp(v->valuestring, "REGRESSION") == 0;
}

/* The worst regression of document doc (of run `run` only, when not 0) into *f; 0 when
   there is none. */
static int worst_regression(const cJSON *doc, int64_t run, found *f)
{
    const cJSON *it;
    int any = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "checks"))
    {
        if (!is_regression(it) || (run && (int64_t)num_of(it, "run_id") != run))
            continue;
        const cJSON *cp = cJSON_GetObjectItemCaseSensitive(it, "change_point");
        double change = num_of(cJSON_IsObject(cp) ? cp : it,
                               cJSON_IsObject(cp) ? "change_pct" : "change_percent");
        if (any && !(fabs(change) > fabs(f->change)))
            continue;
        any = 1;
        f->change = change;
        f->run = (int64_t)num_of(it, "run_id");
        f->check = it;
        f->first = f->run;
        f->from[0] = '\0';
        if (cJSON_IsObject(cp)) {
            f->first = (int64_t)num_of(cp, "first_run");
            const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cp, "first_started_at"));
            snprintf(f->from, sizeof f->from, "%s", t ? t : "");
        }
    }
    return any;
}

int alerts_holds(const alerts_confirm *c)
{
    double v = c->value;
    if (!isfinite(v) || !isfinite(c->old_level) || !isfinite(c->new_level) ||
        c->new_level == c->old_level)
        return 0;
    /* the worse side; both are for a metric without a better one: the new level's */
    int side = c->worse ? c->worse : c->new_level < c->old_level ? -1 : 1;
    int beyond = side < 0 ? v < c->lo : v > c->hi;
    double change = c->old_level != 0 ? (v - c->old_level) / fabs(c->old_level) * 100 : NAN;
    int past_floor = !(c->floor_pct > 0) || (isfinite(change) && change * side >= c->floor_pct);
    return beyond && past_floor && fabs(v - c->new_level) < fabs(v - c->old_level);
}

static int same_text(const cJSON *a, const cJSON *b, const char *name)
{
    const char *x = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, name));
    const char *y = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, name));
    return x && y && strcmp(x, y) == 0;
}

int alerts_judge_confirmation(const cJSON *orig_doc, int64_t orig, const cJSON *conf_doc,
                              alerts_confirm *c)
{
    found f;
    memset(c, 0, sizeof *c);
    c->value = NAN;
    if (!worst_regression(orig_doc, orig, &f))
        return -1;
    const cJSON *k = f.check, *cp = cJSON_GetObjectItemCaseSensitive(k, "change_point");
    const char *better = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "better"));
    c->worse = !better ? 0 : strcmp(better, "higher") == 0 ? -1 : strcmp(better, "lower") == 0;
    double lo = num_of(k, "lower_limit"), hi = num_of(k, "upper_limit");
    c->lo = isfinite(lo) ? lo : -INFINITY; /* null: no limit on that side */
    c->hi = isfinite(hi) ? hi : INFINITY;
    if (cJSON_IsObject(cp)) {
        c->old_level = num_of(cp, "before");
        c->new_level = num_of(cp, "after");
        const char *plugin = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "plugin"));
        const char *metric = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "metric"));
        check_opts o = CHECK_OPTS_DEFAULT; /* the service's checks */
        c->floor_pct = checkcp_floor(&o.floors, plugin ? plugin : "", metric ? metric : "") * 100;
    } else {
        c->old_level = num_of(k, "reference");
        c->new_level = num_of(k, "value");
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(conf_doc, "checks"))
    {
        if (same_text(it, k, "plugin") && same_text(it, k, "config") &&
            same_text(it, k, "metric") && isfinite(num_of(it, "value"))) {
            c->value = num_of(it, "value");
            c->run = (int64_t)num_of(it, "run_id");
            return alerts_holds(c);
        }
    }
    return -1;
}

/* Queue the confirmation job of run f->run (scheduled job `job`, schedule sid); its id or 0. */
static int64_t queue_confirmation(const alerts_ctx *c, int64_t job, int64_t sid, const found *f)
{
    sqlite3 *db = store_db(c->st);
    sqlite3_stmt *q;
    cJSON *exp = NULL;
    char user[128] = "";
    if (sqlite3_prepare_v2(db,
                           "SELECT j.user, j.experiment_json, r.params_json FROM jobs j, runs r "
                           "WHERE j.id = ?1 AND r.id = ?2",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, job);
        sqlite3_bind_int64(q, 2, f->run);
        if (sqlite3_step(q) == SQLITE_ROW) {
            snprintf(user, sizeof user, "%s", (const char *)sqlite3_column_text(q, 0));
            exp = cJSON_Parse((const char *)sqlite3_column_text(q, 1));
            if (exp) {
                /* the run's parameters (runs.params_json: plain values), one point */
                cJSON *pv = cJSON_Parse((const char *)sqlite3_column_text(q, 2));
                cJSON_ReplaceItemInObject(exp, "params", pv ? pv : cJSON_CreateObject());
                cJSON_DeleteItemFromObject(exp, "sweep");
                cJSON_DeleteItemFromObject(exp, "name");
            }
        }
        sqlite3_finalize(q);
    }
    int64_t id = 0;
    if (exp) {
        char name[64], err[1024];
        snprintf(name, sizeof name, CONFIRM_PREFIX "%" PRId64, f->run);
        cJSON_AddStringToObject(exp, "name", name);
        cJSON *fields = NULL;
        if (job_submit(c->st, user, exp, c->launcher, c->quotas, sid, &id, &fields, err,
                       sizeof err) != 0) {
            say("serve: the confirmation of run %" PRId64 " was not queued: %s", f->run, err);
            id = 0;
        }
        cJSON_Delete(fields);
    }
    cJSON_Delete(exp);
    return id;
}

/* The text of an alert, saying what: the metric, the configuration, the host, the value
 * against its reference with the change, and where to look (the run's page and a
 * comparison of the new level with what came before); the same facts and links are added
 * to payload.  malloc'd. */
static char *alert_text(const found *f, const char *sev, int64_t job, int64_t sid,
                        int64_t confirm_job, cJSON *payload)
{
    const cJSON *k = f->check;
    if (!k) { /* a run that did not end ok, or a document that could not be read */
        char jl[48];
        snprintf(jl, sizeof jl, "/jobs/%" PRId64, job);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(payload, "links"), "job", jl);
        return xasprintf("benchaas: scheduled job %" PRId64 " (schedule %" PRId64 ") did not "
                         "end ok%s: %s",
                         job, sid, confirm_job ? ", confirmed" : "", jl);
    }
    const char *plugin = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "plugin"));
    const char *metric = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "metric"));
    const char *cfg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "config"));
    const char *host = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "host"));
    const char *unit = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "unit"));
    double value = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(k, "value"));
    double ref = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(k, "reference"));
    char run[48], cmp[160];
    snprintf(run, sizeof run, "/runs/%" PRId64, f->run);
    /* A: the runs started before the new level (or the run), B: the run */
    char before[48] = "";
    for (const char *t = f->from; *t && strlen(before) + 4 < sizeof before; t++)
        snprintf(before + strlen(before), sizeof before - strlen(before),
                 *t == ':' ? "%%3A" : "%c", *t);
    snprintf(cmp, sizeof cmp, "/compare?a=..%s&b=%" PRId64, before, f->run);
    cJSON_AddStringToObject(payload, "plugin", plugin ? plugin : "");
    cJSON_AddStringToObject(payload, "metric", metric ? metric : "");
    cJSON_AddStringToObject(payload, "config", cfg ? cfg : "");
    cJSON_AddItemToObject(payload, "host", host ? cJSON_CreateString(host) : cJSON_CreateNull());
    cJSON_AddItemToObject(payload, "value", isfinite(value) ? cJSON_CreateNumber(value)
                                                            : cJSON_CreateNull());
    cJSON_AddItemToObject(payload, "reference", isfinite(ref) ? cJSON_CreateNumber(ref)
                                                              : cJSON_CreateNull());
    cJSON_AddStringToObject(payload, "unit", unit ? unit : "");
    cJSON_AddItemToObject(payload, "change_percent", isfinite(f->change)
                                                         ? cJSON_CreateNumber(f->change)
                                                         : cJSON_CreateNull());
    cJSON_AddNumberToObject(payload, "run", (double)f->run);
    cJSON *links = cJSON_AddObjectToObject(payload, "links");
    cJSON_AddStringToObject(links, "run", run);
    cJSON_AddStringToObject(links, "compare", f->from[0] ? cmp : run);
    return xasprintf("benchaas: %s regression of %s %s on %s%s%s%s: %.4g %s against %.4g %s "
                     "(%+.1f %%) in scheduled job %" PRId64 " (schedule %" PRId64 ")%s. "
                     "Run: %s%s%s",
                     sev, plugin ? plugin : "?", metric ? metric : "?", host ? host : "no host",
                     cfg && *cfg ? " (" : "", cfg && *cfg ? cfg : "", cfg && *cfg ? ")" : "",
                     value, unit ? unit : "", ref,
                     unit ? unit : "", f->change, job, sid, confirm_job ? ", confirmed" : "",
                     run, f->from[0] ? ", comparison: " : "", f->from[0] ? cmp : "");
}

/* The alert of a (confirmed) regression: job is the scheduled job, confirm_job the confirmation or 0. */
static void insert_alert(const alerts_ctx *c, int64_t job, int64_t sid, int64_t confirm_job,
                         int64_t confirm_run, const found *f, cJSON *check)
{
    sqlite3 *db = store_db(c->st);
    const char *sev = alerts_severity(f->change);
    cJSON *payload = cJSON_CreateObject();
    char *msg = alert_text(f, sev, job, sid, confirm_job, payload);
    cJSON_AddStringToObject(payload, "text", msg);
    cJSON_AddNumberToObject(payload, "job", (double)job);
    cJSON_AddNumberToObject(payload, "schedule", (double)sid);
    cJSON_AddStringToObject(payload, "severity", sev);
    if (confirm_job)
        cJSON_AddNumberToObject(payload, "confirmation_job", (double)confirm_job);
    if (confirm_run)
        cJSON_AddNumberToObject(payload, "confirmation_run", (double)confirm_run);
    cJSON_AddItemToObject(payload, "check", check ? check : cJSON_CreateNull());
    char *ptxt = cJSON_PrintUnformatted(payload);
    char now[32];
    store_time_format((int64_t)time(NULL), now, sizeof now);
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO alerts(created_at, job_id, schedule_id, message, "
                           "payload_json, webhook_state, severity, config_id, run_id, "
                           "accepted_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT config_id "
                           "FROM runs WHERE id = ?8), ?8, coalesce(nullif(?9, ''), (SELECT "
                           "started_at FROM runs WHERE id = ?8)))",
                           -1, &ins, NULL) == SQLITE_OK) {
        sqlite3_bind_text(ins, 1, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, job);
        sqlite3_bind_int64(ins, 3, sid);
        sqlite3_bind_text(ins, 4, msg, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, ptxt ? ptxt : "{}", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 6, c->webhook ? "pending" : "none", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, sev, -1, SQLITE_STATIC);
        if (f->first) /* none for a failed run: no configuration, no new level */
            sqlite3_bind_int64(ins, 8, f->first);
        sqlite3_bind_text(ins, 9, f->from, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE)
            say("serve: the alert was not stored: %s", sqlite3_errmsg(db));
        sqlite3_finalize(ins);
    }
    say("serve: %s", msg);
    free(ptxt);
    free(msg);
    cJSON_Delete(payload);
}

int64_t alerts_job_of_run(sqlite3 *db, int64_t run)
{
    sqlite3_stmt *q;
    int64_t job = 0;
    if (sqlite3_prepare_v2(db, "SELECT job FROM runs WHERE id = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, run);
        if (sqlite3_step(q) == SQLITE_ROW)
            job = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    return job;
}

/* Confirmation job `job` of run orig ended: alert when it holds (alerts_judge_confirmation),
   with the regression of run orig; else say why not. */
static void after_confirmation(const alerts_ctx *c, int64_t job, int64_t sid, int64_t orig,
                               int rc, const char *json, const char *orig_json)
{
    cJSON *doc = json ? cJSON_Parse(json) : NULL;
    cJSON *odoc = orig_json ? cJSON_Parse(orig_json) : NULL;
    alerts_confirm conf;
    found f = {0};
    int holds = alerts_judge_confirmation(odoc, orig, doc, &conf);
    if (holds == 1 && worst_regression(odoc, orig, &f)) {
        int64_t first_job = alerts_job_of_run(store_db(c->st), orig);
        cJSON_Delete(doc);
        insert_alert(c, first_job ? first_job : job, sid, job, conf.run, &f, odoc);
        return;
    }
    if (holds == -1 && rc == 1 && !worst_regression(doc, 0, &f)) {
        /* the confirmation run did not end ok (or its document is unreadable): that alerts */
        memset(&f, 0, sizeof f);
        f.change = NAN;
        cJSON_Delete(odoc);
        insert_alert(c, job, sid, 0, 0, &f, doc);
        return;
    }
    if (holds == 0)
        say("serve: job %" PRId64 " did not confirm the regression of run %" PRId64 " (%.6g "
            "against the old level %.6g and the new %.6g): no alert",
            job, orig, conf.value, conf.old_level, conf.new_level);
    else
        say("serve: job %" PRId64 " did not confirm the regression of run %" PRId64
            ": %s: no alert",
            job, orig, !worst_regression(odoc, orig, &f) ? "judged again, the run has none"
                                                         : "the confirmation has no such value");
    cJSON_Delete(doc);
    cJSON_Delete(odoc);
}

void alerts_after_check(const alerts_ctx *c, int64_t job, int64_t sid, int rc, const char *json,
                        const char *orig_json)
{
    int64_t orig = alerts_confirms(store_db(c->st), job);
    if (orig) {
        after_confirmation(c, job, sid, orig, rc, json, orig_json);
        return;
    }
    cJSON *doc = json ? cJSON_Parse(json) : NULL;
    found f = {0};
    if (rc != 1) {
        cJSON_Delete(doc);
        return;
    }
    if (!(doc && worst_regression(doc, 0, &f))) {
        /* a failed run, or an unreadable document: alert at once */
        memset(&f, 0, sizeof f);
        f.change = NAN;
    } else if (c->confirm && f.run) {
        int64_t cj = queue_confirmation(c, job, sid, &f);
        if (cj) {
            say("serve: a regression after scheduled job %" PRId64 " (run %" PRId64
                "): confirmation job %" PRId64 " queued",
                job, f.run, cj);
            cJSON_Delete(doc);
            return;
        }
    }
    insert_alert(c, job, sid, 0, 0, &f, doc);
}

/* ---- the API ---------------------------------------------------------------------------- */

#define ALERT_COLUMNS                                                                          \
    "id, created_at, job_id, schedule_id, message, webhook_state, coalesce(severity, ''), "   \
    "state, acted_by, acted_at, reason, run_id, accepted_from"

static cJSON *alert_json(sqlite3_stmt *s)
{
    cJSON *x = cJSON_CreateObject();
    static const char *const text_cols[] = {"severity", "state", "acted_by", "acted_at", "reason"};
    cJSON_AddNumberToObject(x, "id", (double)sqlite3_column_int64(s, 0));
    cJSON_AddStringToObject(x, "created_at", (const char *)sqlite3_column_text(s, 1));
    cJSON_AddNumberToObject(x, "job", (double)sqlite3_column_int64(s, 2));
    cJSON_AddNumberToObject(x, "schedule", (double)sqlite3_column_int64(s, 3));
    cJSON_AddStringToObject(x, "message", (const char *)sqlite3_column_text(s, 4));
    cJSON_AddStringToObject(x, "webhook", (const char *)sqlite3_column_text(s, 5));
    for (int i = 0; i < 5; i++) {
        const char *t = (const char *)sqlite3_column_text(s, 6 + i);
        cJSON_AddItemToObject(x, text_cols[i], t ? cJSON_CreateString(t) : cJSON_CreateNull());
    }
    cJSON_AddItemToObject(x, "first_run", sqlite3_column_type(s, 11) == SQLITE_NULL
                                              ? cJSON_CreateNull()
                                              : cJSON_CreateNumber((double)sqlite3_column_int64(s, 11)));
    const char *from = (const char *)sqlite3_column_text(s, 12);
    cJSON_AddItemToObject(x, "new_level_from", from ? cJSON_CreateString(from) : cJSON_CreateNull());
    return x;
}

int alerts_api_list(http_req *r, http_resp *o)
{
    sqlite3_stmt *s;
    sqlite3 *db = store_db(r->st);
    if (sqlite3_prepare_v2(db, "SELECT " ALERT_COLUMNS " FROM alerts ORDER BY id DESC LIMIT 100",
                           -1, &s, NULL) != SQLITE_OK)
        return http_error(o, 500, sqlite3_errmsg(db), NULL);
    cJSON *j = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(j, "alerts");
    while (sqlite3_step(s) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, alert_json(s));
    sqlite3_finalize(s);
    return http_json(o, 200, j);
}

/* Acknowledge or accept alert {id}: who (the signed-in user), when, why ("reason"). */
static int act(http_req *r, http_resp *o, const char *state)
{
    int64_t id;
    if (http_seg_id(r, 0, &id, o))
        return 0;
    cJSON *body = r->body && *r->body ? cJSON_Parse(r->body) : NULL;
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(body, "reason");
    if (why && !cJSON_IsString(why)) {
        cJSON_Delete(body);
        cJSON *fields = cJSON_CreateObject();
        cJSON_AddStringToObject(fields, "reason", "must be text");
        return http_error(o, 400, "invalid alert action", fields);
    }
    char now[32];
    store_time_format((int64_t)time(NULL), now, sizeof now);
    sqlite3 *db = store_db(r->st);
    sqlite3_stmt *s;
    int changed = -1;
    if (sqlite3_prepare_v2(db,
                           "UPDATE alerts SET state = ?2, acted_by = ?3, acted_at = ?4, reason = ?5 "
                           "WHERE id = ?1 AND state <> 'accepted'",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, r->auth.user, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, why ? why->valuestring : "", -1, SQLITE_TRANSIENT);
        changed = sqlite3_step(s) == SQLITE_DONE ? sqlite3_changes(db) : -1;
        sqlite3_finalize(s);
    }
    cJSON_Delete(body);
    if (changed < 0)
        return http_error(o, 500, sqlite3_errmsg(db), NULL);
    if (sqlite3_prepare_v2(db, "SELECT " ALERT_COLUMNS " FROM alerts WHERE id = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return http_error(o, 500, sqlite3_errmsg(db), NULL);
    sqlite3_bind_int64(s, 1, id);
    cJSON *x = sqlite3_step(s) == SQLITE_ROW ? alert_json(s) : NULL;
    sqlite3_finalize(s);
    if (!x)
        return http_errorf(o, 404, "no alert %" PRId64, id);
    if (changed == 0) { /* accepted already: that is final */
        cJSON_Delete(x);
        return http_errorf(o, 409, "alert %" PRId64 " is accepted already", id);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, "alert", x);
    return http_json(o, 200, j);
}

int alerts_api_acknowledge(http_req *r, http_resp *o) { return act(r, o, "acknowledged"); }

int alerts_api_accept(http_req *r, http_resp *o) { return act(r, o, "accepted"); }

/* ---- what the dashboard lists ----------------------------------------------------------- */

static char *col_dup(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    return xstrdup(t ? t : "");
}

int alerts_recent(store *st, int limit, alert_row **out, size_t *n, char *err, size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT created_at, job_id, message, id, coalesce(severity, ''), state, "
                           "coalesce(acted_by, ''), coalesce(reason, ''), json_extract("
                           "payload_json, '$.links.run'), json_extract(payload_json, "
                           "'$.links.compare') FROM alerts ORDER BY id DESC LIMIT ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "%s", sqlite3_errmsg(db));
    sqlite3_bind_int(s, 1, limit);
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        alert_row *a = &(*out)[(*n)++];
        a->created_at = col_dup(s, 0);
        a->job_id = sqlite3_column_int64(s, 1);
        a->message = col_dup(s, 2);
        a->id = sqlite3_column_int64(s, 3);
        a->severity = col_dup(s, 4);
        a->state = col_dup(s, 5);
        a->acted_by = col_dup(s, 6);
        a->reason = col_dup(s, 7);
        a->run_link = col_dup(s, 8);
        a->compare_link = col_dup(s, 9);
    }
    sqlite3_finalize(s);
    return 0;
}

void alert_rows_free(alert_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].created_at);
        free(v[i].message);
        free(v[i].severity);
        free(v[i].state);
        free(v[i].acted_by);
        free(v[i].reason);
        free(v[i].run_link);
        free(v[i].compare_link);
    }
    free(v);
}
