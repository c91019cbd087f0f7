/* scheduler.c — the scheduler (see scheduler.h). */
#define _GNU_SOURCE
#include "scheduler.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "alerts.h"
#include "check.h"
#include "http.h"
#include "launch.h"
#include "loader.h"
#include "policy.h"
#include "resultdoc.h"
#include "run.h"
#include "slurm.h"
#include "spawn.h"
#include "util.h"

#define MAX_SLOTS 64

typedef struct slot {
    int used;
    int64_t job;
    int idx;
    volatile int cancel;
    pthread_t th;
    struct sched *s;
} slot;

struct sched {
    sched_config cfg;
    char *db, *launcher;
    pthread_t th;
    volatile int stop;
    volatile int wake; /* a job was submitted or a point ended: tick now */
    _Atomic double last_tick;
    pthread_mutex_t mu;
    slot slots[MAX_SLOTS];
    int running;
    char last_user[128];
    store *st; /* the scheduler thread's connection */
    double last_collect; /* --launcher slurm: when the spool was last collected */
    _Atomic int slurm_points; /* --launcher slurm: points handed to Slurm, not yet collected */
    int64_t scancelled[64]; /* --launcher slurm: cancelled jobs already scancel'ed (a ring) */
    unsigned nscancelled;
};

/* ---- small SQL helpers ---------------------------------------------------------- */

static int exec_ii(sqlite3 *db, const char *sql, int64_t a, int64_t b, const char *t)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    int np = sqlite3_bind_parameter_count(s);
    if (np >= 1)
        sqlite3_bind_int64(s, 1, a);
    if (np >= 2)
        sqlite3_bind_int64(s, 2, b);
    if (np >= 3)
        sqlite3_bind_text(s, 3, t, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? sqlite3_changes(db) : -1;
}

/* Mark job `id` done/failed when no point is left to run. */
static void finish_job(sqlite3 *db, int64_t id)
{
    char now[32];
    iso_now(now, sizeof now);
    exec_ii(db,
            "UPDATE jobs SET ended_at = ?3, state = CASE WHEN EXISTS (SELECT 1 FROM job_points p "
            "LEFT JOIN runs r ON r.id = p.run_id WHERE p.job_id = ?1 AND (r.status IS NULL OR "
            "r.status <> 'ok')) THEN 'failed' ELSE 'done' END WHERE id = ?1 AND state IN "
            "('queued','running') AND NOT EXISTS (SELECT 1 FROM job_points WHERE job_id = ?1 AND "
            "state IN ('queued','running'))",
            id, 0, now);
}

static void add_user_job(cJSON *doc, const char *user, int64_t job)
{
    if (user && !cJSON_GetObjectItemCaseSensitive(doc, "user"))
        cJSON_AddStringToObject(doc, "user", user);
    if (!cJSON_GetObjectItemCaseSensitive(doc, "job"))
        cJSON_AddNumberToObject(doc, "job", (double)job);
}

/* ---- recovery ------------------------------------------------------------------ */

int sched_recover(store *st, const char *db, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    sqlite3 *h = store_db(st);
    char *spool = spool_dir_for(db);
    sqlite3_stmt *s;
    typedef struct { int64_t job; int idx; char *uuid, *user; } pending;
    pending *v = NULL;
    size_t n = 0;
    if (sqlite3_prepare_v2(h,
                           "SELECT p.job_id, p.idx, p.run_uuid, j.user FROM job_points p JOIN "
                           "jobs j ON j.id = p.job_id WHERE p.state = 'running' AND NOT EXISTS "
                           "(SELECT 1 FROM tags t WHERE t.tag = 'benchaas-job=' || p.job_id)",
                           -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            v = xrealloc(v, (n + 1) * sizeof *v);
            v[n].job = sqlite3_column_int64(s, 0);
            v[n].idx = sqlite3_column_int(s, 1);
            const char *u = (const char *)sqlite3_column_text(s, 2);
            v[n].uuid = u ? xstrdup(u) : NULL;
            v[n].user = xstrdup((const char *)sqlite3_column_text(s, 3));
            n++;
        }
        sqlite3_finalize(s);
    }
    for (size_t i = 0; i < n; i++) {
        int64_t run_id = 0;
        char e2[2048];
        if (v[i].uuid && store_find_run(st, v[i].uuid, &run_id, e2, sizeof e2) == 0) {
            /* stored before the server died */
        } else if (v[i].uuid) {
            /* under the site's policy the point ran in its job's folder */
            const site_policy *pol = policy_current();
            char *dir = pol ? xasprintf("%s/job-%lld", pol->scratch_root, (long long)v[i].job)
                            : NULL;
            char *res = xasprintf("%s/%s.result.json", dir ? dir : spool, v[i].uuid);
            char *spec = xasprintf("%s/%s.spec.json", dir ? dir : spool, v[i].uuid);
            cJSON *doc = NULL;
            if (access(res, F_OK) == 0)
                doc = result_read(res, e2, sizeof e2);
            if (!doc) {
                char *text = NULL;
                cJSON *sj = NULL;
                runspec rs;
                if (read_file(spec, BX_DOC_MAX, &text, NULL, e2, sizeof e2) == 0 &&
                    (sj = cJSON_Parse(text)) && spec_from_json(sj, &rs, e2, sizeof e2) == 0) {
                    doc = result_for_failure(&rs, "interrupted",
                                             "the server stopped while this point ran", -1);
                    spec_free(&rs);
                }
                cJSON_Delete(sj);
                free(text);
            }
            if (doc && dir)
                run_scrub_for_service(doc, dir);
            free(dir);
            if (doc) {
                add_user_job(doc, v[i].user, v[i].job);
                if (ingest_and_clean(st, doc, spec, res, 0, &run_id, e2, sizeof e2) != 0) {
                    say("serve: recovering job %lld point %d: %s", (long long)v[i].job, v[i].idx,
                        e2);
                    run_id = 0;
                }
                cJSON_Delete(doc);
            }
            free(res);
            free(spec);
        }
        char idx[16];
        snprintf(idx, sizeof idx, "%d", v[i].idx);
        if (run_id)
            exec_ii(h, "UPDATE job_points SET state = 'done', run_id = ?2 WHERE job_id = ?1 AND "
                       "idx = CAST(?3 AS INTEGER)",
                    v[i].job, run_id, idx);
        else /* never started: run it again */
            exec_ii(h, "UPDATE job_points SET state = 'queued', run_uuid = NULL WHERE job_id = ?1 "
                       "AND idx = CAST(?3 AS INTEGER)",
                    v[i].job, 0, idx);
        finish_job(h, v[i].job);
        free(v[i].uuid);
        free(v[i].user);
    }
    free(v);
    /* Jobs of a previous server with no point left (every point recovered). */
    exec_ii(h, "UPDATE job_points SET state = 'cancelled' WHERE state = 'queued' AND job_id IN "
               "(SELECT id FROM jobs WHERE state = 'cancelled')",
            0, 0, NULL);
    free(spool);
    return 0;
}

/* ---- running one point ------------------------------------------------------------ */

typedef struct uuid_arg {
    sqlite3 *db;
    int64_t job;
    int idx;
} uuid_arg;

static void record_uuid(void *arg, const char *uuid)
{
    uuid_arg *a = arg;
    char idx[16];
    snprintf(idx, sizeof idx, "%d", a->idx);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(a->db,
                           "UPDATE job_points SET run_uuid = ?3 WHERE job_id = ?1 AND idx = ?2",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, a->job);
        sqlite3_bind_int(s, 2, a->idx);
        sqlite3_bind_text(s, 3, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_step(s);
        sqlite3_finalize(s);
    }
}

static void after_scheduled_job(sched *s, store *st, int64_t job);

/* The sandbox of a point working in dir, as a spec carries it. */
static cJSON *point_sandbox(const site_policy *pol, const char *dir)
{
    strvec dirs = {0};
    plugin_search_path(NULL, &dirs);
    sandbox sb;
    policy_sandbox(pol, dir, &dirs, &sb);
    cJSON *j = sandbox_to_json(&sb);
    sandbox_free(&sb);
    strvec_free(&dirs);
    return j;
}

/* 1 when job `id` has no point queued or running any more. */
static int job_over(sqlite3 *db, int64_t id)
{
    sqlite3_stmt *q;
    int over = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM job_points WHERE job_id = ?1 AND state IN "
                           "('queued','running')",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, id);
        over = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0;
        sqlite3_finalize(q);
    }
    return over;
}

static void *slot_main(void *arg)
{
    slot *sl = arg;
    sched *s = sl->s;
    char err[4096];
    store *st = NULL;
    int64_t run_id = 0;
    char user[128] = "";
    cJSON *exp = NULL;
    if (store_open_again(s->cfg.root, &st, err, sizeof err) != 0) {
        say("serve: scheduler: %s", err);
        goto out;
    }
    http_tune_store(st);
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT user, experiment_json FROM jobs WHERE id = ?1", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, sl->job);
        if (sqlite3_step(q) == SQLITE_ROW) {
            snprintf(user, sizeof user, "%s", (const char *)sqlite3_column_text(q, 0));
            exp = cJSON_Parse((const char *)sqlite3_column_text(q, 1));
        }
        sqlite3_finalize(q);
    }
    config cfg;
    plan pl;
    char field[256];
    /* under the site's policy the point works in its job's folder, confined (policy.h) */
    const site_policy *pol = policy_current();
    char *dir = pol && exp ? policy_job_dir(pol, sl->job, err, sizeof err) : NULL;
    int ok = exp && (!pol || dir) &&
             job_plan_in(exp, s->launcher, dir, &cfg, &pl, err, sizeof err, field,
                         sizeof field) == 0 &&
             (size_t)sl->idx < pl.npoints;
    if (!ok) {
        char now[32];
        iso_now(now, sizeof now);
        char *msg = xasprintf("point %d can no longer be planned: %s", sl->idx,
                              exp ? err : "the job is gone");
        exec_ii(db, "UPDATE jobs SET error = ?3 WHERE id = ?1", sl->job, 0, msg);
        free(msg);
        char idx[16];
        snprintf(idx, sizeof idx, "%d", sl->idx);
        exec_ii(db, "UPDATE job_points SET state = 'done' WHERE job_id = ?1 AND idx = ?3",
                sl->job, 0, idx);
    } else {
        char *spool = dir ? xstrdup(dir) : spool_dir_for(s->db);
        mkdir_p(spool, err, sizeof err);
        char *w0 = worker_path(0), *w1 = worker_path(1);
        uuid_arg ua = {db, sl->job, sl->idx};
        cJSON *box = dir ? point_sandbox(pol, dir) : NULL;
        point_ctx ctx = {.st = st, .spool = spool, .workers = {w0, w1}, .user = user,
                         .job = sl->job, .cancel = &sl->cancel, .on_spec = record_uuid,
                         .arg = &ua, .sandbox = box};
        cJSON *doc = NULL;
        run_point(&pl.points[sl->idx], &ctx, &doc, &run_id);
        cJSON_Delete(doc);
        cJSON_Delete(box);
        free(w0);
        free(w1);
        free(spool);
        sqlite3_stmt *u;
        if (sqlite3_prepare_v2(db,
                               "UPDATE job_points SET state = 'done', run_id = ?3 WHERE job_id = "
                               "?1 AND idx = ?2",
                               -1, &u, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(u, 1, sl->job);
            sqlite3_bind_int(u, 2, sl->idx);
            if (run_id)
                sqlite3_bind_int64(u, 3, run_id);
            sqlite3_step(u);
            sqlite3_finalize(u);
        }
    }
    if (exp) {
        plan_free(&pl);
        config_free(&cfg);
    }
    cJSON_Delete(exp);
    finish_job(db, sl->job);
    if (dir && job_over(db, sl->job))
        policy_dir_remove(dir); /* the job's folder goes with its last point */
    free(dir);
    after_scheduled_job(s, st, sl->job);
out:
    store_close(st);
    pthread_mutex_lock(&s->mu);
    sl->used = 0;
    s->running--;
    pthread_mutex_unlock(&s->mu);
    s->wake = 1;
    return NULL;
}

/* ---- schedules and alerts ------------------------------------------------------------ */

/*
 * What `benchaas check --format json --run ID...` says of job `job`'s runs (or of
 * run `run` alone, when not 0), judged here with the library (check_run) on the
 * caller's connection: the exit code the command would give (0 nothing wrong, 1 a
 * regression or a failed run, 2 the check could not be made, 3 nothing could be
 * judged) and, unless 2, its JSON document in *json (malloc'd).
 */
static int check_job(store *st, const char *dbpath, int64_t job, int64_t run, char **json)
{
    *json = NULL;
    qfilter f;
    memset(&f, 0, sizeof f);
    f.cmd = "check";
    f.db = dbpath;
    sqlite3_stmt *q;
    int bad = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT run_id FROM job_points WHERE job_id = ?1 AND "
                                         "run_id IS NOT NULL AND (?2 = 0 OR run_id = ?2)",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, job);
        sqlite3_bind_int64(q, 2, run);
        while (!bad && sqlite3_step(q) == SQLITE_ROW) {
            char id[32];
            snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(q, 0));
            bad = qfilter_option(&f, "--run", id) != 0;
        }
        sqlite3_finalize(q);
    }
    if (f.nids == 0 || bad) { /* no run: nothing to judge */
        qfilter_free(&f);
        return bad ? 2 : 3;
    }
    qfilter_finish(&f);
    for (const char *const *stt = (const char *const[]){"ok", "failed", "crashed", "timeout",
                                                        "interrupted", NULL};
         *stt; stt++)
        qfilter_option(&f, "--status", *stt);
    check_opts o = CHECK_OPTS_DEFAULT;
    check_report r;
    memset(&r, 0, sizeof r);
    char err[2048] = "";
    int code = 2;
    if (qfilter_check_names(st, &f) == 0 && check_run(st, &f, &o, 0, &r, err, sizeof err) == 0) {
        size_t len = 0;
        FILE *mem = open_memstream(json, &len);
        if (mem) {
            check_render_json(&r, mem);
            fclose(mem);
        }
        code = r.regressions || r.nfails ? 1 : check_nothing_judged(&r) ? 3 : 0;
    } else if (err[0]) {
        say("serve: checking scheduled job %lld: %s", (long long)job, err);
    }
    check_report_free(&r);
    qfilter_free(&f);
    return code;
}

/* After a scheduled job ends: check its runs (check_job); a regression is confirmed,
   then alerted (alerts.c). */
static void after_scheduled_job(sched *s, store *st, int64_t job)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    int64_t sid = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT schedule_id FROM jobs WHERE id = ?1 AND state IN ('done',"
                           "'failed') AND schedule_id IS NOT NULL",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, job);
    if (sqlite3_step(q) == SQLITE_ROW)
        sid = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (!sid)
        return;
    char *text = NULL, *orig_text = NULL;
    int rc = check_job(st, s->db, job, 0, &text);
    if (rc == 2)
        say("serve: checking scheduled job %lld failed", (long long)job);
    int64_t orig = alerts_confirms(db, job);
    if (orig) { /* the run it confirms, judged again as it was: against the runs before it */
        int64_t ojob = alerts_job_of_run(db, orig);
        if (!ojob || check_job(st, s->db, ojob, orig, &orig_text) == 2)
            say("serve: checking run %lld again failed", (long long)orig);
    }
    if (rc == 1 || orig) { /* confirm, alert, or say it was not confirmed */
        alerts_ctx ac = {st, s->launcher, &s->cfg.quotas, s->cfg.webhook != NULL, s->cfg.confirm};
        alerts_after_check(&ac, job, sid, rc, text, orig_text);
    }
    free(text);
    free(orig_text);
}

static void submit_due_schedules(sched *s, sqlite3 *db)
{
    char now[32];
    iso_now(now, sizeof now);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, user, experiment_json, every_seconds, next_at FROM "
                           "schedules WHERE next_at <= ?1 ORDER BY next_at",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    typedef struct { int64_t id, every, at; char *user, *exp; } due;
    due d[16];
    int n = 0;
    while (n < 16 && sqlite3_step(q) == SQLITE_ROW) {
        /* only of users who exist and are not disabled (accounts.h): a disabled
           account's schedules wait, paused */
        if (!account_usable(s->st, (const char *)sqlite3_column_text(q, 1)))
            continue;
        d[n].id = sqlite3_column_int64(q, 0);
        d[n].user = xstrdup((const char *)sqlite3_column_text(q, 1));
        d[n].exp = xstrdup((const char *)sqlite3_column_text(q, 2));
        d[n].every = sqlite3_column_int64(q, 3);
        if (store_time_parse((const char *)sqlite3_column_text(q, 4), &d[n].at, NULL) != 0)
            d[n].at = (int64_t)time(NULL);
        n++;
    }
    sqlite3_finalize(q);
    for (int i = 0; i < n; i++) {
        /* one experiment (an object) or a suite (a list): a job each */
        cJSON *all = cJSON_Parse(d[i].exp), *exp;
        int64_t jid = 0, last = 0;
        char err[2048], next[32];
        int k = 0;
        const cJSON *list = cJSON_IsArray(all) ? all : NULL;
        cJSON_ArrayForEach(exp, list) {
            cJSON *fields = NULL;
            if (job_submit(s->st, d[i].user, exp, s->launcher, &s->cfg.quotas, d[i].id, &jid,
                           &fields, err, sizeof err) != 0)
                say("serve: schedule %lld: experiment %d was not submitted: %s",
                    (long long)d[i].id, k + 1, err);
            else
                last = jid;
            cJSON_Delete(fields);
            k++;
        }
        if (cJSON_IsObject(all)) {
            cJSON *fields = NULL;
            if (job_submit(s->st, d[i].user, all, s->launcher, &s->cfg.quotas, d[i].id, &jid,
                           &fields, err, sizeof err) != 0)
                say("serve: schedule %lld: the job was not submitted: %s", (long long)d[i].id, err);
            else
                last = jid;
            cJSON_Delete(fields);
        } else if (!cJSON_IsArray(all)) {
            say("serve: schedule %lld: bad experiment", (long long)d[i].id);
        }
        cJSON_Delete(all);
        jid = last;
        /* the next time keeps the schedule's time of day: its due time plus whole periods */
        int64_t t = d[i].at, now_s = (int64_t)time(NULL);
        if (t <= now_s)
            t += ((now_s - t) / d[i].every + 1) * d[i].every;
        store_time_format(t, next, sizeof next);
        exec_ii(db, "UPDATE schedules SET next_at = ?3, last_job_id = nullif(?2, 0) WHERE id = ?1",
                d[i].id, jid, next);
        free(d[i].user);
        free(d[i].exp);
    }
}

/* ---- dispatching ------------------------------------------------------------------ */

/* The next point to run: round-robin across users, oldest job and point first. */
static int next_point(sched *s, sqlite3 *db, int64_t *job, int *idx)
{
    sqlite3_stmt *q;
    int found = 0;
    const char *sql =
        "SELECT j.user, j.id, p.idx FROM jobs j JOIN job_points p ON p.job_id = j.id WHERE "
        "j.state IN ('queued','running') AND p.state = 'queued' AND j.id = (SELECT min(j2.id) "
        "FROM jobs j2 JOIN job_points p2 ON p2.job_id = j2.id WHERE j2.user = j.user AND "
        "j2.state IN ('queued','running') AND p2.state = 'queued') "
        "ORDER BY (j.user <= ?1), j.user, p.idx LIMIT 1";
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(q, 1, s->last_user, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(s->last_user, sizeof s->last_user, "%s", (const char *)sqlite3_column_text(q, 0));
        *job = sqlite3_column_int64(q, 1);
        *idx = sqlite3_column_int(q, 2);
        found = 1;
    }
    sqlite3_finalize(q);
    return found;
}

static void dispatch(sched *s, sqlite3 *db)
{
    for (;;) {
        pthread_mutex_lock(&s->mu);
        int free_slot = -1;
        if (s->running < s->cfg.slots)
            for (int i = 0; i < MAX_SLOTS; i++)
                if (!s->slots[i].used) {
                    free_slot = i;
                    break;
                }
        pthread_mutex_unlock(&s->mu);
        if (free_slot < 0)
            return;
        int64_t job;
        int idx;
        if (!next_point(s, db, &job, &idx))
            return;
        slot *sl = &s->slots[free_slot];
        pthread_mutex_lock(&s->mu);
        sl->used = 1;
        sl->job = job;
        sl->idx = idx;
        sl->cancel = 0;
        sl->s = s;
        s->running++;
        pthread_mutex_unlock(&s->mu);
        char now[32], idxs[16];
        iso_now(now, sizeof now);
        snprintf(idxs, sizeof idxs, "%d", idx);
        int claimed = exec_ii(db,
                              "UPDATE job_points SET state = 'running' WHERE job_id = ?1 AND idx "
                              "= CAST(?3 AS INTEGER) AND state = 'queued' AND (SELECT state FROM "
                              "jobs WHERE id = ?1) IN ('queued','running')",
                              job, 0, idxs);
        if (claimed == 1) {
            exec_ii(db, "UPDATE jobs SET state = 'running', started_at = coalesce(started_at, ?3) "
                        "WHERE id = ?1 AND state = 'queued'",
                    job, 0, now);
            pthread_attr_t at;
            pthread_attr_init(&at);
            pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
            if (pthread_create(&sl->th, &at, slot_main, sl) == 0) {
                pthread_attr_destroy(&at);
                continue;
            }
            pthread_attr_destroy(&at);
            exec_ii(db, "UPDATE job_points SET state = 'queued' WHERE job_id = ?1 AND idx = "
                        "CAST(?3 AS INTEGER)",
                    job, 0, idxs);
        }
        pthread_mutex_lock(&s->mu);
        sl->used = 0;
        s->running--;
        pthread_mutex_unlock(&s->mu);
        if (claimed != 1)
            continue;
        return;
    }
}

/* ---- --launcher slurm ------------------------------------------------------------
 *
 * A job is planned as the service plans every job (job_plan_in), tagged job_tag(id),
 * and handed to the code of `benchaas submit` (slurm_submit_plan_nodes) in this
 * process, which records its queued runs on the scheduler's own connection (the
 * database is never reopened by path: that would drop the locks of the other
 * connections, store.h).  Every few seconds the code of `benchaas collect`
 * (slurm_collect) stores what came back, on the same connection, and the job's
 * points are done when every run tagged for it is final.  What the library says
 * about a job goes to its log in the spool (say_to). */

/* Give the runs tagged for job `id` its user and job (the document of a run that
 * comes back later keeps them: the store never overwrites them). */
static void claim_runs(sqlite3 *db, int64_t id)
{
    char tag[64];
    job_tag(id, tag, sizeof tag);
    exec_ii(db,
            "UPDATE runs SET job = ?1, user = coalesce(user, (SELECT user FROM jobs WHERE id = ?1)) "
            "WHERE job IS NULL AND id IN (SELECT run_id FROM tags WHERE tag = ?3)",
            id, 0, tag);
}

static int64_t count_tagged(sqlite3 *db, const char *tag)
{
    sqlite3_stmt *q;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM tags WHERE tag = ?1", -1, &q, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, tag, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

/* The last line of a log (for jobs.error). */
static char *log_tail(const char *log)
{
    char *text = NULL, e[256];
    if (read_file(log, 1 << 20, &text, NULL, e, sizeof e) != 0 || !text)
        return xstrdup("no output");
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    char *nl = strrchr(text, '\n');
    char *r = xstrdup(nl ? nl + 1 : text);
    free(text);
    return r;
}

/* An each_node job: `benchaas submit --each-node` made one run per point and node.  The
 * job's points become one per run (run k is point k mod P on the node of its node= tag),
 * labelled "LABEL @ NODE", so its points, page and counts are per node. */
static void slurm_points_per_node(sqlite3 *db, int64_t id)
{
    if (exec_ii(db,
                "WITH n AS (SELECT count(*) AS np FROM job_points WHERE job_id = ?1 AND idx < "
                "1000000), r AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, (SELECT "
                "substr(tag, 6) FROM tags WHERE run_id = runs.id AND tag LIKE 'node=%') AS node "
                "FROM runs WHERE job = ?1) INSERT INTO job_points(job_id, idx, label, state) "
                "SELECT ?1, 1000000 + r.k, coalesce(p.label, '') || ' @ ' || coalesce(r.node, "
                "'?'), 'running' FROM r JOIN n LEFT JOIN job_points p ON p.job_id = ?1 AND p.idx "
                "= r.k % n.np WHERE n.np > 0 AND (SELECT count(*) FROM r) > n.np",
                id, 0, NULL) <= 0)
        return;
    exec_ii(db, "DELETE FROM job_points WHERE job_id = ?1 AND idx < 1000000", id, 0, NULL);
    exec_ii(db, "UPDATE job_points SET idx = idx - 1000000 WHERE job_id = ?1", id, 0, NULL);
    exec_ii(db, "UPDATE jobs SET npoints = (SELECT count(*) FROM job_points WHERE job_id = ?1) "
                "WHERE id = ?1",
            id, 0, NULL);
}

/* Plan job `id`'s experiment (exp, tagged for the job) and submit it to Slurm, what
 * the library says written to log (the file logp).  NULL, or the reason it was not
 * submitted (malloc'd): the log's last line. */
static char *slurm_submit_here(sched *s, const cJSON *exp, int64_t id, FILE *log,
                               const char *logp)
{
    cJSON *tagged = job_tagged_experiment(exp, id);
    config cfg;
    plan pl;
    char err[2048] = "", field[128];
    char *msg = NULL;
    if (!tagged)
        return xstrdup("the job's experiment can no longer be written as a configuration file");
    /* slurm.spool and slurm.sandbox are the service's own (policy_slurm_job), which the
       policy refuses from a member: planned without them, then given to the plan */
    cJSON *sl_tagged = cJSON_GetObjectItemCaseSensitive(tagged, "slurm");
    cJSON *spool = cJSON_DetachItemFromObjectCaseSensitive(sl_tagged, "spool");
    cJSON *box = cJSON_DetachItemFromObjectCaseSensitive(sl_tagged, "sandbox");
    if (job_plan_in(tagged, "slurm", NULL, &cfg, &pl, err, sizeof err, field, sizeof field) != 0) {
        msg = xasprintf("the job can no longer be planned: %s", err);
    } else {
        for (size_t i = 0; (spool || box) && i < cfg.nexps; i++) {
            if (!cfg.exps[i].slurm)
                cfg.exps[i].slurm = cJSON_CreateObject();
            if (spool)
                cJSON_AddItemToObject(cfg.exps[i].slurm, "spool", cJSON_Duplicate(spool, 1));
            if (box)
                cJSON_AddItemToObject(cfg.exps[i].slurm, "sandbox", cJSON_Duplicate(box, 1));
        }
        /* each_node: every point on every node (of slurm.partition when set) */
        const cJSON *sl = cJSON_GetObjectItemCaseSensitive(exp, "slurm");
        const cJSON *part = cJSON_GetObjectItemCaseSensitive(sl, "partition");
        const char *partition = cJSON_IsString(part) ? part->valuestring : NULL;
        int each = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(exp, "each_node"));
        run_opts o = {.db = s->db, .cfg = &cfg, .st = s->st, .out = log};
        strvec nodes = {0};
        FILE *was = say_to(log);
        int rc;
        if (each && slurm_resolve_nodes(NULL, partition, &nodes, err, sizeof err) != 0) {
            say("%s", err);
            rc = 2;
        } else {
            rc = each ? slurm_submit_plan_nodes(&pl, &o, 0, 0, &nodes, partition)
                      : slurm_submit_plan_ex(&pl, &o, 0, 0);
        }
        say_to(was);
        strvec_free(&nodes);
        if (rc != 0) {
            fflush(log);
            char *tail = log_tail(logp);
            msg = xasprintf("the submission to Slurm failed (exit code %d): %s", rc, tail);
            free(tail);
        }
    }
    plan_free(&pl);
    config_free(&cfg);
    cJSON_Delete(spool);
    cJSON_Delete(box);
    cJSON_Delete(tagged);
    return msg;
}

static void slurm_submit_job(sched *s, sqlite3 *db, int64_t id)
{
    char now[32];
    iso_now(now, sizeof now);
    if (exec_ii(db,
                "UPDATE job_points SET state = 'running' WHERE job_id = ?1 AND state = 'queued'",
                id, 0, NULL) <= 0)
        return;
    exec_ii(db, "UPDATE jobs SET state = 'running', started_at = coalesce(started_at, ?3) WHERE "
                "id = ?1 AND state = 'queued'",
            id, 0, now);
    cJSON *exp = NULL;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT experiment_json FROM jobs WHERE id = ?1", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(q, 1, id);
        if (sqlite3_step(q) == SQLITE_ROW)
            exp = cJSON_Parse((const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
    }
    char err[2048] = "";
    char *spool = spool_dir_for(s->db);
    char *logp = xasprintf("%s/service-job-%lld.log", spool, (long long)id);
    char *msg = NULL, *jdir = NULL;
    FILE *log = NULL;
    const site_policy *pol = policy_current(); /* confined on its nodes too (policy.h) */
    if (!exp)
        msg = xstrdup("the job's experiment is no longer readable");
    else if (pol && !(jdir = policy_slurm_job(pol, id, spool, exp, err, sizeof err)))
        msg = xstrdup(err[0] ? err : "cannot make the job's folder");
    else if (mkdir_p(spool, err, sizeof err) != 0 || !(log = fopen(logp, "we")))
        msg = xstrdup(err[0] ? err : "cannot write the job's log in the spool");
    else
        msg = slurm_submit_here(s, exp, id, log, logp);
    if (log)
        fclose(log);
    claim_runs(db, id);
    if (!msg && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(exp, "each_node")))
        slurm_points_per_node(db, id);
    if (msg) {
        say("serve: job %lld: %s", (long long)id, msg);
        exec_ii(db, "UPDATE jobs SET error = ?3 WHERE id = ?1", id, 0, msg);
        /* points that got no run: failed */
        char tag[64];
        job_tag(id, tag, sizeof tag);
        if (count_tagged(db, tag) == 0) {
            exec_ii(db, "UPDATE job_points SET state = 'done' WHERE job_id = ?1 AND state = "
                        "'running'",
                    id, 0, NULL);
            finish_job(db, id);
        }
    }
    free(msg);
    free(logp);
    free(jdir);
    free(spool);
    cJSON_Delete(exp);
}

/* Job `id`'s points, once every run of the job is final: run i is point i. */
static void slurm_settle_job(sched *s, sqlite3 *db, int64_t id)
{
    claim_runs(db, id);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT id, status FROM runs WHERE job = ?1 ORDER BY id", -1, &q,
                           NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, id);
    int64_t *runs = NULL;
    size_t n = 0;
    int pending = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *st = (const char *)sqlite3_column_text(q, 1);
        if (!st || strcmp(st, "queued") == 0 || strcmp(st, "running") == 0)
            pending = 1;
        runs = xrealloc(runs, (n + 1) * sizeof *runs);
        runs[n++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (n > 0 && !pending) {
        int *idx = NULL;
        size_t np = 0;
        if (sqlite3_prepare_v2(db, "SELECT idx FROM job_points WHERE job_id = ?1 ORDER BY idx", -1,
                               &q, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, id);
            while (sqlite3_step(q) == SQLITE_ROW) {
                idx = xrealloc(idx, (np + 1) * sizeof *idx);
                idx[np++] = sqlite3_column_int(q, 0);
            }
            sqlite3_finalize(q);
        }
        for (size_t i = 0; i < np; i++) {
            char is[16];
            snprintf(is, sizeof is, "%d", idx[i]);
            exec_ii(db,
                    "UPDATE job_points SET state = 'done', run_id = nullif(?2, 0) WHERE job_id = "
                    "?1 AND idx = CAST(?3 AS INTEGER) AND state = 'running'",
                    id, i < n ? runs[i] : 0, is);
        }
        free(idx);
        finish_job(db, id);
        if (policy_current()) {
            char *spool = spool_dir_for(s->db);
            policy_slurm_done(policy_current(), id, spool);
            free(spool);
        }
        after_scheduled_job(s, s->st, id); /* db is store_db(s->st) */
    }
    free(runs);
}

/* A cancelled job's Slurm jobs: scancel them (once; a later collect stores them failed). */
static void slurm_cancel(sched *s, sqlite3 *db, int64_t id)
{
    for (unsigned i = 0; i < 64 && i < s->nscancelled; i++)
        if (s->scancelled[i] == id)
            return;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT state FROM jobs WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, id);
    int cancelled = sqlite3_step(q) == SQLITE_ROW &&
                    strcmp((const char *)sqlite3_column_text(q, 0), "cancelled") == 0;
    sqlite3_finalize(q);
    if (!cancelled)
        return;
    s->scancelled[s->nscancelled++ % 64] = id;
    strvec argv = {0};
    strvec_push(&argv, "scancel");
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT job_id FROM runs WHERE job = ?1 AND status IN "
                           "('queued','running') AND job_id IS NOT NULL",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, id);
        while (sqlite3_step(q) == SQLITE_ROW)
            strvec_push(&argv, (const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
    }
    strvec_push_owned(&argv, NULL);
    argv.n--;
    if (argv.n > 1) { /* its output is not needed: a later collect stores the runs failed */
        spawn_opts so = {.timeout = 60, .capture = 0};
        spawn_result r;
        char err[512];
        if (spawn_run(argv.v, &so, &r, err, sizeof err) != 0)
            say("serve: job %lld: %s", (long long)id, err);
        else
            spawn_result_free(&r);
    }
    strvec_free(&argv);
}

/* The points handed to Slurm and not yet collected, for /healthz and /metrics. */
static void slurm_count_points(sched *s, sqlite3 *db)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM job_points WHERE state = 'running'", -1, &q,
                           NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(q) == SQLITE_ROW)
        atomic_store(&s->slurm_points, sqlite3_column_int(q, 0));
    sqlite3_finalize(q);
}

static void slurm_tick(sched *s, sqlite3 *db)
{
    /* submit queued jobs, oldest first */
    int submitted = 0;
    for (int k = 0; k < 16 && !s->stop; k++, submitted++) {
        sqlite3_stmt *q;
        int64_t id = 0;
        if (sqlite3_prepare_v2(db,
                               "SELECT j.id FROM jobs j WHERE j.state = 'queued' AND EXISTS "
                               "(SELECT 1 FROM job_points p WHERE p.job_id = j.id AND p.state = "
                               "'queued') ORDER BY j.id LIMIT 1",
                               -1, &q, NULL) != SQLITE_OK)
            break;
        if (sqlite3_step(q) == SQLITE_ROW)
            id = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        if (!id)
            break;
        slurm_submit_job(s, db, id);
    }
    if (submitted)
        slurm_count_points(s, db);
    /* collect every few seconds while jobs run */
    double now = wall_now();
    if (now - s->last_collect < 3)
        return;
    sqlite3_stmt *q;
    int64_t *ids = NULL;
    size_t n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT job_id FROM job_points WHERE state = 'running' ORDER "
                           "BY job_id LIMIT 256",
                           -1, &q, NULL) == SQLITE_OK) {
        while (sqlite3_step(q) == SQLITE_ROW) {
            ids = xrealloc(ids, (n + 1) * sizeof *ids);
            ids[n++] = sqlite3_column_int64(q, 0);
        }
        sqlite3_finalize(q);
    }
    if (n > 0) {
        s->last_collect = now;
        char *spool = spool_dir_for(s->db);
        char *logp = xasprintf("%s/service-collect.log", spool);
        char err[256];
        mkdir_p(spool, err, sizeof err);
        for (size_t i = 0; i < n && !s->stop; i++)
            slurm_cancel(s, db, ids[i]);
        /* collect's code, on this connection; what it says goes to the log */
        FILE *log = fopen(logp, "we");
        FILE *was = say_to(log);
        size_t got = 0;
        int bad = slurm_collect(s->st, spool, 0, &got);
        say_to(was);
        if (log)
            fclose(log);
        if (bad) {
            char *tail = log_tail(logp);
            say("serve: collecting the Slurm jobs' results failed: %s", tail);
            free(tail);
        }
        for (size_t i = 0; i < n && !s->stop; i++)
            slurm_settle_job(s, db, ids[i]);
        free(logp);
        free(spool);
        slurm_count_points(s, db);
    } else if (n == 0) {
        atomic_store(&s->slurm_points, 0);
    }
    free(ids);
}

static void *sched_main(void *arg)
{
    sched *s = arg;
    while (!s->stop) {
        atomic_store(&s->last_tick, wall_now());
        sqlite3 *db = store_db(s->st);
        submit_due_schedules(s, db);
        if (strcmp(s->launcher, "slurm") == 0)
            slurm_tick(s, db);
        else
            dispatch(s, db);
        for (int i = 0; i < 50 && !s->stop && !s->wake; i++)
            usleep(10000);
        s->wake = 0;
    }
    return NULL;
}

sched *sched_start(const sched_config *cfg, char *err, size_t errlen)
{
    sched *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (s->cfg.slots <= 0)
        s->cfg.slots = 1;
    if (s->cfg.slots > MAX_SLOTS)
        s->cfg.slots = MAX_SLOTS;
    s->db = xstrdup(cfg->db);
    s->launcher = xstrdup(cfg->launcher ? cfg->launcher : "local");
    pthread_mutex_init(&s->mu, NULL);
    if (store_open_again(cfg->root, &s->st, err, errlen) == 0)
        http_tune_store(s->st);
    if (!s->st) {
        free(s->db);
        free(s->launcher);
        free(s);
        return NULL;
    }
    atomic_store(&s->last_tick, wall_now());
    if (pthread_create(&s->th, NULL, sched_main, s) != 0) {
        errf(err, errlen, BX_EIO, "cannot start the scheduler thread");
        store_close(s->st);
        free(s->db);
        free(s->launcher);
        free(s);
        return NULL;
    }
    return s;
}

void sched_stop(sched *s)
{
    if (!s)
        return;
    s->stop = 1;
    pthread_join(s->th, NULL);
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < MAX_SLOTS; i++)
        if (s->slots[i].used)
            s->slots[i].cancel = 1; /* stored interrupted; the job goes on after a restart */
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < 600; i++) {
        pthread_mutex_lock(&s->mu);
        int r = s->running;
        pthread_mutex_unlock(&s->mu);
        if (r == 0)
            break;
        usleep(20000);
    }
    store_close(s->st);
    free(s->db);
    free(s->launcher);
    free(s);
}

void sched_cancel_job(sched *s, int64_t id)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < MAX_SLOTS; i++)
        if (s->slots[i].used && s->slots[i].job == id)
            s->slots[i].cancel = 1;
    pthread_mutex_unlock(&s->mu);
}

void sched_wake(sched *s)
{
    if (s)
        s->wake = 1;
}

double sched_last_tick(sched *s) { return atomic_load(&s->last_tick); }

int sched_running(sched *s)
{
    if (strcmp(s->launcher, "slurm") == 0)
        return atomic_load(&s->slurm_points);
    pthread_mutex_lock(&s->mu);
    int r = s->running;
    pthread_mutex_unlock(&s->mu);
    return r;
}
