/* run.c — the pipeline for local and mpi launchers (see run.h). */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch.h"

char *spool_dir_for(const char *db) { return xasprintf("%s.spool", db); }

/* 0 when `path` names a folder we may write, else BX_EINVAL; absent_ok: a missing one is fine. */
static int writable_folder(const char *path, const char *what, int absent_ok, char *err,
                           size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT && absent_ok)
            return 0;
        return errf(err, errlen, BX_EINVAL, "%s %s: %s", what, path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return errf(err, errlen, BX_EINVAL,
                    "%s %s is not a folder; nothing was run (move it away, or give --db another "
                    "name)",
                    what, path);
    if (access(path, W_OK | X_OK) != 0)
        return errf(err, errlen, BX_EINVAL, "%s %s cannot be written: %s; nothing was run", what,
                    path, strerror(errno));
    return 0;
}

int spool_prepare(const char *spool, char *err, size_t errlen)
{
    int rc = writable_folder(spool, "the spool", 1, err, errlen);
    if (rc == 0)
        rc = mkdir_p(spool, err, errlen);
    if (rc == 0)
        rc = writable_folder(spool, "the spool", 0, err, errlen);
    return rc;
}

int run_preflight(const char *db, const char *spool, char *err, size_t errlen)
{
    int rc = store_check_file(db, err, errlen);
    if (rc)
        return rc;
    struct stat st;
    if (stat(db, &st) == 0 && st.st_size > 0) {
        store *s = NULL;
        if ((rc = store_open(db, STORE_READONLY, &s, err, errlen)) == 0)
            rc = store_check_writable(s, err, errlen);
        store_close(s);
        if (rc)
            return BX_EINVAL;
    } else {
        char *dir = xstrdup(db), *slash = strrchr(dir, '/');
        if (slash)
            slash[slash == dir ? 1 : 0] = '\0'; /* "/x.db" -> "/" */
        rc = writable_folder(slash ? dir : ".", "the database's folder", 0, err, errlen);
        free(dir);
        if (rc)
            return rc;
    }
    if (spool && (rc = writable_folder(spool, "the spool", 1, err, errlen)) != 0)
        return rc;
    return 0;
}

char *spec_path_for_result(const char *result_path)
{
    size_t n = strlen(result_path);
    if (n > 12 && strcmp(result_path + n - 12, ".result.json") == 0)
        n -= 12;
    return xasprintf("%.*s.spec.json", (int)n, result_path);
}

void spec_for_point(const point *pt, const char *spool, runspec *s)
{
    memset(s, 0, sizeof *s);
    char uuid[37], now[32];
    uuid_v4(uuid);
    s->uuid = xstrdup(uuid);
    s->plugin = xstrdup(pt->plugin->desc->name);
    s->plugin_path = xstrdup(pt->plugin->path);
    s->plugin_version = xstrdup(pt->plugin->desc->version);
    s->experiment = xstrdup(pt->exp->name);
    s->point = pt->index;
    for (size_t i = 0; i < pt->params.n; i++) {
        if (!pt->params.set[i])
            continue;
        strvec_push(&s->pnames, pt->params.desc->params[i].name);
        strvec_push(&s->pvalues, pt->params.vals[i].text);
        strvec_push(&s->ptypes, bxp_type_name(pt->params.desc->params[i].type));
    }
    s->ranks = pt->ranks;
    s->threads = pt->threads;
    s->repetitions = pt->repetitions;
    s->spread_target = pt->spread_target;
    s->warmup = !(pt->plugin->desc->flags & BX_NO_WARMUP);
    s->timeout = pt->timeout;
    s->launcher = xstrdup(pt->launcher);
    s->mpi = pt->mpi;
    for (size_t i = 0; i < pt->tags.n; i++)
        strvec_push(&s->tags, pt->tags.v[i]);
    for (size_t i = 0; i < pt->mpirun_args.n; i++)
        strvec_push(&s->mpirun_args, pt->mpirun_args.v[i]);
    s->result_path = xasprintf("%s/%s.result.json", spool, uuid);
    s->created_at = xstrdup(iso_now(now, sizeof now));
}

/*
 * Test hook of the fault tests (tests/store/ingest/kill_during_ingest.faults.sh), inert
 * unless BENCHAAS_TEST_PAUSE_INGEST is set: "before" (the document is read,
 * nothing written yet), "commit" (inside the run's transaction, just before
 * COMMIT) or "after" (committed, spool files not yet removed).  At that
 * moment the process says "benchaas: test hook: pausing PHASE ingest" on
 * stderr and sleeps (up to 60 s, or until interrupted) so the test can
 * kill -9 it there.
 */
static void test_pause(const char *phase)
{
    const char *want = getenv("BENCHAAS_TEST_PAUSE_INGEST");
    if (!want || strcmp(want, phase) != 0)
        return;
    fprintf(stderr, "benchaas: test hook: pausing %s ingest\n", phase);
    fflush(stderr);
    for (int i = 0; i < 600 && !g_interrupted; i++)
        usleep(100000);
}

static int test_pause_commit(void *arg)
{
    (void)arg;
    test_pause("commit");
    return 0; /* 0: let the commit go on */
}

int ingest_and_clean(store *st, cJSON *doc, const char *spec_path, const char *result_path,
                     int keep, int64_t *run_id, char *err, size_t errlen)
{
    test_pause("before");
    if (getenv("BENCHAAS_TEST_PAUSE_INGEST"))
        sqlite3_commit_hook(store_db(st), test_pause_commit, NULL);
    int rc = store_ingest(st, doc, run_id, err, errlen);
    if (rc == 0)
        test_pause("after");
    if (rc == 0 && !keep) {
        if (result_path)
            unlink(result_path);
        if (spec_path)
            unlink(spec_path);
    }
    return rc;
}

int spool_write_spec(const char *path, const char *text, int *lock_fd, char *err, size_t errlen)
{
    *lock_fd = -1;
    char *tmp = xasprintf("%s.tmp", path);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int rc = errf(err, errlen, BX_EIO, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    /* Locked before it has its final name, so nobody sees it unlocked.  A new
     * file cannot be locked by anyone else: flock fails only where the
     * filesystem has no locks (Lustre without -o flock), and then the run
     * goes on without one (collect then cannot tell a run in flight). */
    (void)flock(fd, LOCK_EX);
    int rc = 0;
    size_t len = strlen(text), off = 0;
    while (rc == 0 && off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            rc = errf(err, errlen, BX_EIO, "cannot write %s: %s", tmp, strerror(errno));
        else
            off += (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = errf(err, errlen, BX_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = errf(err, errlen, BX_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc != 0) {
        unlink(tmp);
        close(fd);
    } else {
        *lock_fd = fd;
    }
    free(tmp);
    return rc;
}

/* Where flock is not supported, SPOOL_NO_SPEC: as before the locks existed. */
int spool_lock_spec(const char *spec_path)
{
    /* never blocking on a FIFO named like a spec; only a regular file is a spec */
    int fd = open(spec_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return SPOOL_NO_SPEC;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return SPOOL_NO_SPEC;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        close(fd);
        return busy ? SPOOL_BUSY : SPOOL_NO_SPEC;
    }
    return fd;
}

/*
 * A result document the runner cannot use (truncated, not JSON, another
 * run's, too large): keep it for inspection as PATH.rejected, where neither
 * the runner nor `collect` reads it again, and say so in err.
 */
static void reject_document(const char *path, char *err, size_t errlen)
{
    char *bad = xasprintf("%s.rejected", path);
    size_t n = strlen(err);
    if (rename(path, bad) == 0 && n < errlen)
        snprintf(err + n, errlen - n, "; the document is kept as %s", bad);
    free(bad);
}

/* The last meaningful line(s) the worker wrote (not blank, not mpirun's
 * "-----" rules), joined by spaces, for the error text. */
static void last_lines(const char *tail, char *out, size_t len, int nlines)
{
    const char *keep[16];
    size_t klen[16];
    int nk = 0;
    const char *p = tail;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        size_t dashes = strspn(p, "- \t\r");
        if (n > 0 && dashes < n) {
            if (nk == 16) {
                memmove(keep, keep + 1, 15 * sizeof *keep);
                memmove(klen, klen + 1, 15 * sizeof *klen);
                nk = 15;
            }
            keep[nk] = p;
            klen[nk++] = n;
        }
        p = e ? e + 1 : p + n;
    }
    out[0] = '\0';
    size_t off = 0;
    for (int i = nk > nlines ? nk - nlines : 0; i < nk && off < len; i++)
        off += (size_t)snprintf(out + off, len - off, "%s%.*s", off ? " " : "", (int)klen[i],
                                keep[i]);
}

/* bytes as "10 GiB", "1.5 MiB", "512 B". */
static const char *bytes_text(double b, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024.0 && u < 4) {
        b /= 1024.0;
        u++;
    }
    snprintf(buf, len, "%.3g %s", b, unit[u]);
    return buf;
}

static void describe_failure(const launch_result *lr, const runspec *s, char *status,
                             size_t slen, char *error, size_t elen)
{
    char last[1024];
    last_lines(lr->tail, last, sizeof last, 3);
    const char *sep = last[0] ? "; last output: " : "";
    if (lr->over_quota) {
        char q[32];
        snprintf(status, slen, "failed");
        snprintf(error, elen, "the job's folder passed its quota of %s; stopped after %.1f s",
                 bytes_text(lr->quota, q, sizeof q), lr->elapsed);
    } else if (lr->interrupted) {
        snprintf(status, slen, "interrupted");
        snprintf(error, elen, "interrupted (SIGINT, SIGTERM or SIGHUP to the runner) after %.1f s",
                 lr->elapsed);
    } else if (lr->timed_out) {
        snprintf(status, slen, "timeout");
        snprintf(error, elen, "still running after the timeout of %g s; killed", s->timeout);
    } else if (lr->signaled) {
        snprintf(status, slen, "crashed");
        snprintf(error, elen, "killed by signal %d (%s)%s%s", lr->sig, signal_text(lr->sig), sep,
                 last);
    } else if (lr->exited && lr->exit_code > 128 && lr->exit_code < 128 + 65 && s->launcher &&
               strcmp(s->launcher, "mpi") == 0) {
        /* mpirun reports a rank killed by signal N as exit code 128 + N. */
        snprintf(status, slen, "crashed");
        snprintf(error, elen, "a rank was killed by signal %d (%s) (mpirun exit code %d)%s%s",
                 lr->exit_code - 128, signal_text(lr->exit_code - 128), lr->exit_code, sep, last);
    } else if (lr->exited && lr->exit_code != 0) {
        snprintf(status, slen, "crashed");
        snprintf(error, elen, "the worker exited with code %d without a result%s%s",
                 lr->exit_code, sep, last);
    } else {
        snprintf(status, slen, "crashed");
        snprintf(error, elen,
                 "the worker exited without writing a result (did the plugin call exit()?)%s%s",
                 sep, last);
    }
}

static const char *first_metric_text(const cJSON *doc, const point *pt, char *buf, size_t len)
{
    buf[0] = '\0';
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(doc, "metrics");
    for (const bx_metric_def *m = pt->plugin->desc->metrics; m && m->name; m++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(metrics, m->name);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
        if (cJSON_IsNumber(v)) {
            snprintf(buf, len, "%s %.6g %s", m->name, v->valuedouble, m->unit);
            return buf;
        }
    }
    return buf;
}

const char *login_name(char *buf, size_t len)
{
    struct passwd pw, *res = NULL;
    char tmp[4096];
    if (getpwuid_r(getuid(), &pw, tmp, sizeof tmp, &res) == 0 && res && res->pw_name)
        snprintf(buf, len, "%s", res->pw_name);
    else
        snprintf(buf, len, "uid%u", (unsigned)getuid());
    return buf;
}

static void add_user_job(cJSON *doc, const point_ctx *c)
{
    if (c->user && !cJSON_GetObjectItemCaseSensitive(doc, "user"))
        cJSON_AddStringToObject(doc, "user", c->user);
    if (c->job > 0 && !cJSON_GetObjectItemCaseSensitive(doc, "job"))
        cJSON_AddNumberToObject(doc, "job", (double)c->job);
}

/*
 * A service job's document names no server path: its sandbox goes, and the
 * job's folder (dir) becomes "." in every string (the spec's result path,
 * MPI's session folders in the provenance, a plugin's messages).
 */
static void scrub(cJSON *j, const char *dir, size_t n)
{
    cJSON *it;
    cJSON_ArrayForEach(it, j)
    {
        if (cJSON_IsString(it) && it->valuestring && strstr(it->valuestring, dir)) {
            const char *v = it->valuestring;
            char *out = xmalloc(strlen(v) + 1), *o = out;
            for (const char *hit; (hit = strstr(v, dir)); v = hit + n) {
                memcpy(o, v, (size_t)(hit - v));
                o += hit - v;
                *o++ = '.';
            }
            strcpy(o, v);
            cJSON_SetValuestring(it, out);
            free(out);
        } else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
            scrub(it, dir, n);
        }
    }
}

void run_scrub_for_service(cJSON *doc, const char *dir)
{
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "spec"),
                                            "sandbox");
    if (dir && dir[0])
        scrub(doc, dir, strlen(dir));
}

/*
 * The environment of a confined run (a service job): everything it keeps goes in
 * its own folder, the only place it may write.  For MPI that is OpenMPI's session
 * folder (from TMPDIR) and the shared-memory segments between ranks, which by
 * default go in /dev/shm: the run may not write there (a folder every user shares),
 * vader's setup fails and the ranks fall back to TCP over the node's addresses,
 * which the network guard refuses, or spin.  Ranks of one node talk over
 * loopback, the one network a confined run may always reach.
 */
static void confined_env(strvec *env, const char *dir, int mpi)
{
    strvec_push_owned(env, xasprintf("TMPDIR=%s", dir));
    strvec_push_owned(env, xasprintf("HOME=%s", dir));
    strvec_push(env, "BENCHAAS_CONFINED=1");
    if (!mpi)
        return;
    strvec_push_owned(env, xasprintf("OMPI_MCA_orte_tmpdir_base=%s", dir));
    strvec_push_owned(env, xasprintf("PMIX_SYSTEM_TMPDIR=%s", dir));
    static const char *const shm[] = {"btl_vader_backing_directory", "osc_sm_backing_directory",
                                       "osc_rdma_backing_directory",
                                       "shmem_mmap_backing_file_base_dir", NULL};
    for (const char *const *k = shm; *k; k++)
        strvec_push_owned(env, xasprintf("OMPI_MCA_%s=%s", *k, dir));
    /* the posix component's probe would create its test segment in /dev/shm */
    strvec_push(env, "OMPI_MCA_shmem=mmap");
    /* (unless the site chose the interfaces: OpenMPI refuses include and exclude both) */
    if (!getenv("OMPI_MCA_btl_tcp_if_include") && !getenv("OMPI_MCA_btl_tcp_if_exclude"))
        strvec_push(env, "OMPI_MCA_btl_tcp_if_include=127.0.0.0/8");
    if (!getenv("OMPI_MCA_oob_tcp_if_include") && !getenv("OMPI_MCA_oob_tcp_if_exclude"))
        strvec_push(env, "OMPI_MCA_oob_tcp_if_include=127.0.0.0/8");
}

int run_point(const point *pt, const point_ctx *c, cJSON **doc_out, int64_t *run_id)
{
    char err[4096];
    int lost = 0;
    runspec s;
    spec_for_point(pt, c->spool, &s);
    char *spec_path = xasprintf("%s/%s.spec.json", c->spool, s.uuid);
    s.verbose = c->verbose;
    /* A confined worker starts in the job's folder, as a user that may not reach
     * it from /: its spec names its files from there. */
    char *spec_arg = c->sandbox ? xasprintf("%s.spec.json", s.uuid) : xstrdup(spec_path);
    if (c->sandbox)
        s.sandbox = cJSON_Duplicate(c->sandbox, 1);
    cJSON *sj = spec_to_json(&s);
    if (c->sandbox)
        cJSON_ReplaceItemInObjectCaseSensitive(
            sj, "result", cJSON_CreateStringReference(strrchr(s.result_path, '/') + 1));
    char *stext = cJSON_Print(sj);
    cJSON_Delete(sj);
    cJSON *doc = NULL;
    double elapsed = 0;
    int spec_lock = -1, from_worker = 0; /* doc is the worker's own document */
    if (c->on_spec)
        c->on_spec(c->arg, s.uuid);
    if (spool_write_spec(spec_path, stext, &spec_lock, err, sizeof err) != 0) {
        say("%s", err);
        doc = result_for_failure(&s, "crashed", err, 0);
    } else {
        const launcher *l = launcher_by_name(s.launcher);
        strvec argv = {0}, env = {0};
        launch_result lr;
        int rc = l ? l->command(&s, c->workers[s.mpi ? 1 : 0], spec_arg, &argv, &env, err, sizeof err)
                   : errf(err, sizeof err, BX_EINVAL, "launcher '%s' cannot run here",
                          s.launcher);
        sandbox sb;
        int boxed = c->sandbox && rc == 0;
        if (boxed && (rc = sandbox_from_json(c->sandbox, &sb, err, sizeof err)) != 0)
            boxed = 0;
        if (boxed) /* the service's job: in its folder, as the run-as user, confined */
            confined_env(&env, c->spool, s.mpi);
        if (rc == 0)
            rc = launch_run_confined(argv.v, &env, s.timeout, c->cancel, boxed ? c->spool : NULL,
                                     boxed ? &sb : NULL, &lr, err, sizeof err);
        if (boxed)
            sandbox_free(&sb);
        strvec_free(&argv);
        strvec_free(&env);
        if (rc != 0) {
            doc = result_for_failure(&s, "crashed", err, 0);
        } else if (lr.timed_out || lr.interrupted || lr.over_quota) {
            char status[32], e2[2048];
            describe_failure(&lr, &s, status, sizeof status, e2, sizeof e2);
            doc = result_for_failure(&s, status, e2, lr.elapsed);
            unlink(s.result_path);
        } else if (access(s.result_path, F_OK) == 0) {
            doc = result_read(s.result_path, err, sizeof err);
            const char *u = doc ? json_str(doc, "uuid") : NULL;
            if (doc && (!u || strcmp(u, s.uuid) != 0)) {
                errf(err, sizeof err, BX_EINVAL,
                     "%s: the result document names run %s, not this run (%s)",
                     s.result_path, u ? u : "?", s.uuid);
                cJSON_Delete(doc);
                doc = NULL;
            }
            if (!doc) {
                /* Refused with the reason; the run is recorded as crashed. */
                reject_document(s.result_path, err, sizeof err);
                doc = result_for_failure(&s, "crashed", err, lr.elapsed);
            } else {
                from_worker = 1;
                elapsed = lr.elapsed;
            }
            if (doc && from_worker && (!lr.exited || lr.exit_code != 0)) {
                /* A document, but the launcher failed afterwards (a rank died in
                 * MPI_Finalize, say): keep the results, record the crash. */
                char status[32], e2[2048];
                describe_failure(&lr, &s, status, sizeof status, e2, sizeof e2);
                result_set_status(doc, status, e2);
            }
        } else {
            char status[32], e2[2048];
            describe_failure(&lr, &s, status, sizeof status, e2, sizeof e2);
            doc = result_for_failure(&s, status, e2, lr.elapsed);
        }
    }
    free(stext);
    if (c->cancel && *c->cancel && !g_interrupted && !from_worker)
        cJSON_ReplaceItemInObjectCaseSensitive(
            doc, "error", cJSON_CreateString("cancelled: the job was cancelled while it ran"));
    int64_t id = 0;
    if (c->sandbox)
        run_scrub_for_service(doc, c->spool);
    add_user_job(doc, c);
    int irc = ingest_and_clean(c->st, doc, spec_path, s.result_path, c->keep_spool, &id, err,
                               sizeof err);
    if (irc == BX_EINVAL && from_worker) {
        /* The store refuses the worker's document itself (its content, not
         * the database): record the run as crashed with the reason. */
        char why[4096];
        snprintf(why, sizeof why, "%s: %s", s.result_path, err);
        reject_document(s.result_path, why, sizeof why);
        cJSON_Delete(doc);
        doc = result_for_failure(&s, "crashed", why, elapsed);
        if (c->sandbox)
            run_scrub_for_service(doc, c->spool);
        add_user_job(doc, c);
        irc = ingest_and_clean(c->st, doc, spec_path, s.result_path, c->keep_spool, &id, err,
                               sizeof err);
    }
    if (irc != 0) {
        /* Keep the document in the spool: `benchaas collect` ingests it later. */
        char e3[512] = "out of memory";
        int kept = access(s.result_path, F_OK) == 0 ||
                   result_write(s.result_path, doc, e3, sizeof e3) == 0;
        if (kept)
            say("could not store the result of %s: %s; it is kept in %s for `benchaas "
                "collect`",
                pt->exp->name, err, s.result_path);
        else
            say("could not store the result of %s: %s; nor keep it in the spool: %s",
                pt->exp->name, err, e3);
        lost = 1;
    }
    if (spec_lock >= 0)
        close(spec_lock); /* after the spool files are gone (or kept for collect) */
    *run_id = lost ? 0 : id;
    *doc_out = doc;
    free(spec_path);
    free(spec_arg);
    spec_free(&s);
    return lost ? BX_EIO : 0;
}

int run_plan(const plan *p, const run_opts *o)
{
    char err[4096];
    if (o->dry_run) {
        cJSON *all = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(all, "specs");
        char *spool = spool_dir_for(o->db);
        for (size_t i = 0; i < p->npoints; i++) {
            runspec s;
            spec_for_point(&p->points[i], spool, &s);
            cJSON_AddItemToArray(arr, spec_to_json(&s));
            spec_free(&s);
        }
        char *txt = cJSON_Print(all);
        if (o->out)
            fprintf(o->out, "%s\n", txt);
        free(txt);
        cJSON_Delete(all);
        free(spool);
        return 0;
    }
    store *st = NULL;
    if (store_open(o->db, STORE_CREATE, &st, err, sizeof err) != 0) {
        say("%s", err);
        return 2;
    }
    char *spool = spool_dir_for(o->db);
    if (spool_prepare(spool, err, sizeof err) != 0) {
        say("%s", err);
        free(spool);
        store_close(st);
        return 2;
    }
    char *workers[2] = {worker_path(0), worker_path(1)};
    char uname[256];
    int64_t *ids = xcalloc(p->npoints + 1, sizeof *ids);
    size_t nids = 0;
    int any_failed = 0, lost = 0;
    point_ctx ctx = {.spool = spool, .workers = {workers[0], workers[1]}, .st = st,
                     .verbose = o->verbose, .keep_spool = o->keep_spool,
                     .user = o->user ? o->user : login_name(uname, sizeof uname)};
    for (size_t i = 0; i < p->npoints && !g_interrupted; i++) {
        const point *pt = &p->points[i];
        if (o->progress)
            fprintf(stderr, "[%zu/%zu] %s%s%s: running (%d rank%s, %d thread%s)...\n", i + 1,
                    p->npoints, pt->exp->name, pt->label[0] ? " " : "", pt->label, pt->ranks,
                    pt->ranks == 1 ? "" : "s", pt->threads, pt->threads == 1 ? "" : "s");
        double t_point = mono_now();
        cJSON *doc = NULL;
        int64_t id = 0;
        if (run_point(pt, &ctx, &doc, &id) != 0)
            lost = 1;
        else
            ids[nids++] = id;
        const char *status = json_str(doc, "status");
        if (!status || strcmp(status, "ok") != 0)
            any_failed = 1;
        if (o->progress) {
            char mbuf[256];
            const char *e = json_str(doc, "error");
            fprintf(stderr, "[%zu/%zu] %s%s%s: %s in %.1f s%s%s%s%s\n", i + 1, p->npoints,
                    pt->exp->name, pt->label[0] ? " " : "", pt->label, status ? status : "?",
                    mono_now() - t_point, first_metric_text(doc, pt, mbuf, sizeof mbuf)[0] ? ", " : "",
                    mbuf, e ? ": " : "", e ? e : "");
        } else if (status && strcmp(status, "ok") != 0) {
            const char *e = json_str(doc, "error");
            say("%s%s%s: %s: %s", pt->exp->name, pt->label[0] ? " " : "", pt->label, status,
                e ? e : "");
        }
        cJSON_Delete(doc);
    }
    if (g_interrupted)
        say("interrupted: the remaining points were not run");
    if (o->show && (o->json || nids))
        o->show(st, ids, nids, o->json);
    if (o->out)
        fflush(o->out);
    free(ids);
    free(workers[0]);
    free(workers[1]);
    free(spool);
    store_close(st);
    if (g_interrupted)
        return 1;
    return any_failed || lost ? 1 : 0;
}
