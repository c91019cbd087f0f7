/* scheduler.c — the scheduler (see scheduler.h). */
#define _GNU_SOURCE
#include "scheduler.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alerts.h"
#include "http.h"
#include "launch.h"
#include "loader.h"
#include "policy.h"
#include "resultdoc.h"
#include "run.h"
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
    double last_collect; /* --launcher slurm: the last `benchaas collect` */
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
 * Run argv (argv[0] a path, NULL-terminated; no shell), its standard output (and
 * with_stderr its errors) into the file `path` (created 0600, truncated); the exit
 * code, or -1 when it could not run or did not exit.
 */
static int run_argv(char *const *argv, const char *path, int with_stderr)
{
    int rc = -1;
    /* Only async-signal-safe calls between fork and exec (other threads may
     * hold locks the child would inherit). */
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t pid = out >= 0 ? fork() : -1;
    if (pid == 0) {
        dup2(out, STDOUT_FILENO);
        if (with_stderr)
            dup2(out, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    if (out >= 0)
        close(out);
    if (pid > 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0) {
        }
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return rc;
}

/* After a scheduled job ends: `benchaas check` on its runs; a regression is confirmed, then
   alerted (alerts.c). */
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
    if (!sid || !s->cfg.self_exe)
        return;
    /* check, run as a child: the same code and output as the command */
    strvec argv = {0};
    strvec_push(&argv, s->cfg.self_exe);
    strvec_push(&argv, "check");
    strvec_push(&argv, "--db");
    strvec_push(&argv, s->db);
    strvec_push(&argv, "--format");
    strvec_push(&argv, "json");
    if (sqlite3_prepare_v2(db, "SELECT run_id FROM job_points WHERE job_id = ?1 AND run_id IS "
                               "NOT NULL",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, job);
        while (sqlite3_step(q) == SQLITE_ROW) {
            strvec_push(&argv, "--run");
            strvec_push_owned(&argv, xasprintf("%lld", (long long)sqlite3_column_int64(q, 0)));
        }
        sqlite3_finalize(q);
    }
    strvec_push_owned(&argv, NULL);
    argv.n--;
    char *tmp = xasprintf("%s.check.%lld.json", s->db, (long long)job);
    strvec env = {0};
    int rc = run_argv(argv.v, tmp, 0);
    strvec_free(&env);
    strvec_free(&argv);
    if (rc != 0 && rc != 1 && rc != 3) /* 3: nothing could be judged (no history yet) */
        say("serve: checking scheduled job %lld failed (benchaas check exit code %d)",
            (long long)job, rc);
    if (rc == 1 || alerts_confirms(db, job)) { /* confirm, alert, or say it was not confirmed */
        char *text = NULL, e2[256];
        read_file(tmp, 16 << 20, &text, NULL, e2, sizeof e2);
        alerts_ctx ac = {st, s->launcher, &s->cfg.quotas, s->cfg.webhook != NULL, s->cfg.confirm};
        alerts_after_check(&ac, job, sid, rc, text);
        free(text);
    }
    unlink(tmp);
    free(tmp);
}

static void submit_due_schedules(sched *s, sqlite3 *db)
{
    char now[32];
    iso_now(now, sizeof now);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           /* only of users who exist and are not disabled (accounts.h):
                              a disabled account's schedules wait, paused */
                           "SELECT id, user, experiment_json, every_seconds FROM schedules WHERE "
                           "next_at <= ?1 AND user IN (SELECT name FROM users WHERE "
                           "substr(password_hash, 1, 1) <> '!') ORDER BY next_at LIMIT 16",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    typedef struct { int64_t id, every; char *user, *exp; } due;
    due d[16];
    int n = 0;
    while (n < 16 && sqlite3_step(q) == SQLITE_ROW) {
        d[n].id = sqlite3_column_int64(q, 0);
        d[n].user = xstrdup((const char *)sqlite3_column_text(q, 1));
        d[n].exp = xstrdup((const char *)sqlite3_column_text(q, 2));
        d[n].every = sqlite3_column_int64(q, 3);
        n++;
    }
    sqlite3_finalize(q);
    for (int i = 0; i < n; i++) {
        cJSON *exp = cJSON_Parse(d[i].exp), *fields = NULL;
        int64_t jid = 0;
        char err[2048], next[32];
        int st = exp ? job_submit(s->st, d[i].user, exp, s->launcher, &s->cfg.quotas, d[i].id,
                                  &jid, &fields, err, sizeof err)
                     : 400;
        if (st != 0)
            say("serve: schedule %lld: the job was not submitted: %s", (long long)d[i].id,
                exp ? err : "bad experiment");
        cJSON_Delete(fields);
        cJSON_Delete(exp);
        store_time_format((int64_t)time(NULL) + d[i].every, next, sizeof next);
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
 * The scheduler never calls the Slurm code in this process (it opens the database by
 * path, which would drop the locks of the other connections): a job is written to the
 * spool as a configuration file, tagged job_tag(id), and submitted by running
 * `benchaas submit FILE --db DB`; every few seconds `benchaas collect --db DB` stores
 * what came back, and the job's points are done when every run tagged for it is final. */

/* Run this benchaas with args (argv only, no shell), its output to `log`; exit code. */
static int run_self(sched *s, const char *const *args, const char *log)
{
    strvec argv = {0};
    strvec_push(&argv, s->cfg.self_exe);
    for (size_t i = 0; args[i]; i++)
        strvec_push(&argv, args[i]);
    strvec_push_owned(&argv, NULL);
    argv.n--;
    int rc = run_argv(argv.v, log, 1);
    strvec_free(&argv);
    return rc;
}

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
    char *cfgp = xasprintf("%s/service-job-%lld.cfg", spool, (long long)id);
    char *log = xasprintf("%s/service-job-%lld.log", spool, (long long)id);
    const site_policy *pol = policy_current(); /* confined on its nodes too (policy.h) */
    char *jdir = exp && pol ? policy_slurm_job(pol, id, spool, exp, err, sizeof err) : NULL;
    char *text = exp && (!pol || jdir) ? job_config_text(exp, id) : NULL;
    char *msg = NULL;
    if (!text) {
        msg = xstrdup(err[0] ? err : "the job's experiment can no longer be written as a configuration file");
    } else if (mkdir_p(spool, err, sizeof err) != 0 ||
               write_file_atomic(cfgp, text, strlen(text), err, sizeof err) != 0) {
        msg = xstrdup(err);
    } else {
        /* each_node: every point on every node (of slurm.partition when set) */
        const cJSON *sl = cJSON_GetObjectItemCaseSensitive(exp, "slurm");
        const cJSON *part = cJSON_GetObjectItemCaseSensitive(sl, "partition");
        int each = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(exp, "each_node"));
        const char *args[] = {"submit", cfgp, "--db", s->db,
                              each ? "--each-node" : NULL,
                              each && cJSON_IsString(part) ? "--partition" : NULL,
                              cJSON_IsString(part) ? part->valuestring : NULL, NULL};
        int rc = s->cfg.self_exe ? run_self(s, args, log) : -1;
        if (rc != 0) {
            char *tail = log_tail(log);
            msg = xasprintf("benchaas submit failed (exit code %d): %s", rc, tail);
            free(tail);
        }
    }
    claim_runs(db, id);
    if (!msg && exp && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(exp, "each_node")))
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
    free(jdir);
    free(text);
    free(cfgp);
    free(log);
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
    /* scancel, found on PATH before forking (no shell, nothing but execv after fork) */
    char *exe = NULL;
    const char *path = getenv("PATH");
    char *dirs = xstrdup(path && *path ? path : "/usr/bin:/bin");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d && !exe;
         d = strtok_r(NULL, ":", &save)) {
        char *c = xasprintf("%s/scancel", d);
        if (access(c, X_OK) == 0)
            exe = c;
        else
            free(c);
    }
    free(dirs);
    if (!exe)
        return;
    strvec argv = {0};
    strvec_push(&argv, exe);
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
    if (argv.n > 1) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        pid_t pid = null >= 0 ? fork() : -1;
        if (pid == 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            execv(argv.v[0], argv.v);
            _exit(127);
        }
        if (null >= 0)
            close(null);
        if (pid > 0) {
            int status;
            while (waitpid(pid, &status, 0) < 0) {
            }
        }
    }
    strvec_free(&argv);
    free(exe);
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
    if (n > 0 && s->cfg.self_exe) {
        s->last_collect = now;
        char *spool = spool_dir_for(s->db);
        char *log = xasprintf("%s/service-collect.log", spool);
        char err[256];
        mkdir_p(spool, err, sizeof err);
        for (size_t i = 0; i < n && !s->stop; i++)
            slurm_cancel(s, db, ids[i]);
        const char *args[] = {"collect", "--db", s->db, NULL};
        int rc = run_self(s, args, log);
        if (rc != 0) {
            char *tail = log_tail(log);
            say("serve: benchaas collect failed (exit code %d): %s", rc, tail);
            free(tail);
        }
        for (size_t i = 0; i < n && !s->stop; i++)
            slurm_settle_job(s, db, ids[i]);
        free(log);
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
