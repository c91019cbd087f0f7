/*
 * slurm.c — the Slurm launcher: batch scripts, submission, status, and the
 * Slurm half of collect.
 *
 * Compute nodes never open the database.  `submit` writes one run spec per
 * point and one batch script per job into the spool folder (beside the
 * database, or slurm.spool = a shared path), checks every script with
 * `sbatch --test-only`, submits them, and records each point as a `queued`
 * run with its job id.  Inside the job, the worker writes each point's
 * result document atomically as soon as the point ends.  `collect` ingests
 * the documents and turns points whose job ended without one into
 * failed/timeout/crashed runs with Slurm's reason.
 *
 * No shell ever sees a user value unquoted: every value in a script is
 * single-quoted, #SBATCH values are checked against a strict character set,
 * and sbatch/squeue/scontrol are exec'd with argv arrays.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batchval.h"
#include "text.h"
#include "collect.h"
#include "dbpath.h"
#include "launch.h"
#include "paramval.h"
#include "sandbox.h"
#include "slurm.h"
#include "slurm_opts.h"
#include "slurm_cmd.h"
#include "store.h"

/* ---- running Slurm's commands ------------------------------------------ */

/* Most CPUs of any node (sinfo %c), or 0 when unknown. */
static long max_node_cpus(void)
{
    char *argv[] = {"sinfo", "--noheader", "--format=%c", NULL};
    char *out = NULL;
    long best = 0;
    if (slurm_capture(argv, &out, NULL) == 0 && out) {
        char *save = NULL;
        for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            long v = strtol(l, NULL, 10);
            if (v > best)
                best = v;
        }
    }
    free(out);
    return best;
}

/* ---- batch scripts ----------------------------------------------------- */

typedef struct job {
    const experiment *exp;
    size_t first, count;   /* points [first, first+count) of the plan */
    runspec *specs;        /* one per point */
    char **spec_paths;
    int array;             /* 1: a job array, one task per point */
    char *script_path;
    char *script_text;     /* rendered (and every value checked) before anything is written */
    char *job_id;          /* after submission */
    int max_ranks, max_threads;
    const char *node;      /* --each-node: the node this job must run on, else NULL */
} job;

/* Every value below goes through batch_put()/batch_put_word() (batchval.h). */
static void write_point_command(batch_out *b, const runspec *s, const slurm_opts *o,
                                const char *worker, const char *spec_path)
{
    FILE *f = b->f;
    fprintf(f, "export OMP_NUM_THREADS=%d OPENBLAS_NUM_THREADS=%d\n", s->threads, s->threads);
    fprintf(f, "timeout --kill-after=10 %ld ", (long)ceil(s->timeout));
    if (!s->mpi) {
        batch_put_word(b, "the worker path", worker);
    } else if (o->launch && strcmp(o->launch, "mpirun") == 0) {
        fprintf(f, "mpirun -np %d --oversubscribe%s", s->ranks,
                s->threads > 1 ? " --bind-to none" : "");
        for (size_t i = 0; i < s->mpirun_args.n; i++) {
            fputc(' ', f);
            batch_put_word(b, "an mpirun argument", s->mpirun_args.v[i]);
        }
        fputc(' ', f);
        batch_put_word(b, "the worker path", worker);
    } else {
        fprintf(f, "srun --mpi=");
        batch_put_word(b, "slurm.mpi", o->mpi ? o->mpi : "pmix");
        /* a rank that dies (a signal, an exit before MPI_Finalize) ends the step: the
           others would wait for it in their next collective until the time limit */
        fprintf(f, " --ntasks=%d --cpus-per-task=%d --kill-on-bad-exit=1 ", s->ranks,
                s->threads);
        batch_put_word(b, "the worker path", worker);
    }
    fputc(' ', f);
    batch_put_word(b, "the spec path (in the spool)", spec_path);
    /* timeout(1) says 124 when it stopped the point: leave SPEC.timeout, so collect
     * records a timeout, not a crash (the worker, killed, wrote no result) */
    fprintf(f, " || { rc=$?; echo \"benchaas: point exited with status $rc\" >&2; status=1; "
               "if [ $rc = 124 ]; then : >");
    batch_put_word(b, "the spec path (in the spool)", spec_path);
    fprintf(f, ".timeout; fi; }\n");
}

static void sbatch_line(batch_out *b, const char *option, const char *what, const char *value)
{
    fprintf(b->f, "#SBATCH --%s=", option);
    batch_put(b, what, value);
    fputc('\n', b->f);
}

/* The batch script of job J into memory: 0 and *text (caller frees), or
 * BX_EINVAL with the refused value in err; nothing is written anywhere. */
static int render_script(const job *j, const slurm_opts *o, const char *spool, const char *worker,
                         const char *worker_mpi, char **text, char *err, size_t errlen)
{
    size_t len = 0;
    *text = NULL;
    batch_out b = {.f = open_memstream(text, &len), .failed = 0, .err = ""};
    if (!b.f)
        return errf(err, errlen, BX_ENOMEM, "out of memory");
    FILE *f = b.f;
    char name[128];
    snprintf(name, sizeof name, "benchaas-%s%s%s", o->job_name ? o->job_name : j->exp->name,
             j->node ? "-" : "", j->node ? j->node : "");
    for (char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
            *c = '_';
    fprintf(f, "#!/bin/bash\n");
    fprintf(f, "# BenchaaS batch script: experiment %s, %zu point%s%s.\n", name + 9, j->count,
            j->count == 1 ? "" : "s", j->array ? " as a job array" : ", one after another");
    fprintf(f, "# Each point writes its own result document into the spool folder as soon as\n"
               "# it ends; `benchaas collect` stores them.  Written by benchaas submit.\n");
    fprintf(f, "#SBATCH --job-name=%s\n", name);
    fprintf(f, "#SBATCH --ntasks=%d\n", j->max_ranks);
    fprintf(f, "#SBATCH --cpus-per-task=%d\n", j->max_threads);
    if (o->nodes > 0)
        fprintf(f, "#SBATCH --nodes=%ld\n", o->nodes);
    /* A node that fails makes Slurm requeue the job by default and run the point again,
     * unseen, on other nodes: record the failure instead (--retry-failed reruns it). */
    fprintf(f, "#SBATCH --no-requeue\n");
    if (o->memory)
        sbatch_line(&b, "mem", "slurm.memory", o->memory);
    if (o->time_limit)
        sbatch_line(&b, "time", "slurm.time_limit", o->time_limit);
    if (o->partition)
        sbatch_line(&b, "partition", "slurm.partition", o->partition);
    if (j->node)
        sbatch_line(&b, "nodelist", "the node (slurm.each_node)", j->node);
    if (o->account)
        sbatch_line(&b, "account", "slurm.account", o->account);
    if (o->qos)
        sbatch_line(&b, "qos", "slurm.qos", o->qos);
    if (j->array)
        fprintf(f, "#SBATCH --array=0-%zu\n", j->count - 1);
    fprintf(f, "#SBATCH --output=");
    batch_put(&b, "the spool folder (the database's path + .spool, or slurm.spool)", spool);
    fprintf(f, "/slurm-%s.out\n", j->array ? "%A_%a" : "%j");
    for (size_t i = 0; i < o->extra.n; i++) {
        fprintf(f, "#SBATCH ");
        batch_put(&b, "slurm.extra", o->extra.v[i]);
        fputc('\n', f);
    }
    fprintf(f, "\nset -u\n");
    if (o->modules.n) {
        fprintf(f, "module load");
        for (size_t i = 0; i < o->modules.n; i++) {
            fputc(' ', f);
            batch_put_word(&b, "slurm.modules", o->modules.v[i]);
        }
        fprintf(f, " || { echo 'benchaas: module load failed' >&2; exit 1; }\n");
    }
    for (size_t i = 0; i < o->env.n; i++) {
        const char *eq = strchr(o->env.v[i], '=');
        char *nm = xasprintf("%.*s", (int)(eq - o->env.v[i]), o->env.v[i]);
        fprintf(f, "export ");
        batch_put(&b, "a slurm.env name", nm);
        free(nm);
        fputc('=', f);
        batch_put_word(&b, "a slurm.env value", eq + 1);
        fputc('\n', f);
    }
    if (geteuid() == 0)
        fprintf(f, "export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1\n");
    /* Only when asked: OpenMPI's own choice (every interface but loopback) is right
     * unless the nodes carry an interface that is not the way between them. */
    if (o->network) {
        fprintf(f, "export OMPI_MCA_btl_tcp_if_include=");
        batch_put_word(&b, "slurm.network", o->network);
        fprintf(f, " OMPI_MCA_oob_tcp_if_include=");
        batch_put_word(&b, "slurm.network", o->network);
        fputc('\n', f);
    }
    /* The start of the allocation, for the queue-wait metric of every point. */
    fprintf(f, "export BENCHAAS_JOB_START=$(date +%%s)\nstatus=0\n\n");
    if (j->array) {
        fprintf(f, "case \"${SLURM_ARRAY_TASK_ID:-}\" in\n");
        for (size_t i = 0; i < j->count; i++) {
            const runspec *s = &j->specs[i];
            fprintf(f, "%zu)\n    ", i);
            write_point_command(&b, s, o, s->mpi ? worker_mpi : worker, j->spec_paths[i]);
            fprintf(f, "    ;;\n");
        }
        fprintf(f, "*) echo \"benchaas: unexpected array task ${SLURM_ARRAY_TASK_ID:-}\" >&2; "
                   "exit 1 ;;\nesac\n");
        fprintf(f, "exit $status\n");
    } else {
        for (size_t i = 0; i < j->count; i++) {
            const runspec *s = &j->specs[i];
            write_point_command(&b, s, o, s->mpi ? worker_mpi : worker, j->spec_paths[i]);
        }
        fprintf(f, "exit $status\n");
    }
    int bad = fclose(f) != 0;
    if (b.failed || bad) {
        free(*text);
        *text = NULL;
        return errf(err, errlen, BX_EINVAL, "%s: %s", j->exp->where,
                    b.failed ? b.err : "out of memory");
    }
    return 0;
}

/* --dry-run: the rendered scripts, shown on out, never written: out (the CLI's stdout) is
 * whatever the user pointed it at (a terminal, a file, /dev/null), not a file of ours to
 * create or chmod.  (out NULL: not shown) */
static void print_dry_run(const job *jobs, size_t njobs, FILE *out)
{
    for (size_t n = 0; out && n < njobs; n++) {
        if (!jobs[n].count)
            continue;
        fprintf(out, "# ---- %s%s%s (%zu point%s) ----\n", jobs[n].exp->name,
                jobs[n].node ? " on " : "", jobs[n].node ? jobs[n].node : "", jobs[n].count,
                jobs[n].count == 1 ? "" : "s");
        fputs(jobs[n].script_text, out);
    }
}

/* Job J's batch script (text) into its own new file, j->script_path, executable. The file is
 * created here (O_EXCL), so the mode change can only ever touch a file of ours. */
static int write_script(job *j, const char *text, char *err, size_t errlen)
{
    int fd = open(j->script_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return errf(err, errlen, BX_EIO, "cannot write %s: %s", j->script_path, strerror(e));
    }
    fputs(text, f);
    int bad = fchmod(fd, 0755) != 0 || ferror(f), e = errno;
    if (fclose(f) != 0 && !bad)
        bad = 1, e = errno;
    if (!bad)
        return 0;
    unlink(j->script_path);
    return errf(err, errlen, BX_EIO, "cannot write %s: %s", j->script_path, strerror(e));
}

/* ---- submit ------------------------------------------------------------ */

static char *abs_path(const char *p)
{
    if (p[0] == '/')
        return xstrdup(p);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return xstrdup(p);
    return xasprintf("%s/%s", cwd, p);
}

/* slurm.sandbox's file: the sandbox as JSON (checked), or NULL with the reason. */
static cJSON *load_sandbox(const char *path, char *err, size_t errlen)
{
    char *text = NULL;
    if (read_file(path, 1 << 20, &text, NULL, err, errlen) != 0)
        return NULL;
    cJSON *j = cJSON_Parse(text);
    free(text);
    sandbox sb;
    if (!j || sandbox_from_json(j, &sb, err, errlen) != 0) {
        if (!j)
            errf(err, errlen, BX_EINVAL, "slurm.sandbox: %s is not a sandbox (JSON)", path);
        cJSON_Delete(j);
        return NULL;
    }
    sandbox_free(&sb);
    return j;
}

/* slurm.sandbox: every spec of job j carries it (every worker confines itself); 0, or
 * BX_EINVAL said. */
static int attach_sandbox(job *j, const slurm_opts *o)
{
    char err[1024];
    cJSON *box = o->sandbox ? load_sandbox(o->sandbox, err, sizeof err) : NULL;
    if (o->sandbox && !box) {
        say("%s", err);
        return BX_EINVAL;
    }
    for (size_t i = 0; box && i < j->count; i++)
        j->specs[i].sandbox = cJSON_Duplicate(box, 1);
    cJSON_Delete(box);
    return 0;
}

/* Record a submitted point as `queued` (the worker's document replaces it). */
static int record_queued(store *st, const runspec *s, const char *job_id, long task, char *err,
                         size_t errlen)
{
    cJSON *doc = result_for_failure(s, "queued", "", -1);
    result_set(doc, "error", cJSON_CreateNull());
    result_set(doc, "job_id", cJSON_CreateString(job_id));
    if (task >= 0)
        result_set(doc, "array_task_id", cJSON_CreateNumber((double)task));
    result_set(doc, "launcher", cJSON_CreateString("slurm"));
    cJSON_AddStringToObject(doc, "queued_at", s->created_at);
    int64_t id;
    int rc = store_ingest(st, doc, &id, err, errlen);
    cJSON_Delete(doc);
    return rc;
}

static int wait_and_collect(const run_opts *o, const char *spool, strvec *job_ids);

/* Is point pt already stored as ok (same experiment and parameters)? */
static int already_ok(store *st, const point *pt)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q = NULL;
    const char *sql = "SELECT r.id FROM runs r WHERE r.experiment = ?1 AND r.plugin = ?2 "
                      "AND r.status = 'ok' AND r.ranks = ?3 AND r.threads = ?4";
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(q, 1, pt->exp->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, pt->plugin->desc->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, pt->ranks);
    sqlite3_bind_int(q, 4, pt->threads);
    int found = 0;
    sqlite3_stmt *pq = NULL;
    sqlite3_prepare_v2(db, "SELECT value FROM params WHERE run_id = ?1 AND name = ?2", -1, &pq,
                       NULL);
    while (!found && pq && sqlite3_step(q) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(q, 0);
        int all = 1;
        for (size_t i = 0; all && i < pt->params.n; i++) {
            if (!pt->params.set[i])
                continue;
            sqlite3_reset(pq);
            sqlite3_bind_int64(pq, 1, id);
            sqlite3_bind_text(pq, 2, pt->params.desc->params[i].name, -1, SQLITE_STATIC);
            if (sqlite3_step(pq) != SQLITE_ROW ||
                strcmp((const char *)sqlite3_column_text(pq, 0), pt->params.vals[i].text) != 0)
                all = 0;
        }
        found = all;
    }
    sqlite3_finalize(pq);
    sqlite3_finalize(q);
    return found;
}

/*
 * Consecutive points of one experiment become one job (pack) or one job
 * array, with the experiment's Slurm settings over the file's.  *njobs
 * counts the settings to free, also after an error.  0, or 2 (said).
 */
static int group_jobs(const plan *p, const run_opts *o, const char *file, const strvec *nodes,
                      const char *partition, job *jobs, slurm_opts *opts, size_t *njobs)
{
    char err[4096];
    size_t nn = nodes && nodes->n ? nodes->n : 1;
    for (size_t ni = 0; ni < nn; ni++)
    for (size_t i = 0; i < p->npoints;) {
        const experiment *e = p->points[i].exp;
        size_t k = i;
        while (k < p->npoints && p->points[k].exp == e)
            k++;
        slurm_opts *so = &opts[*njobs];
        so->pack = 1;
        if (slurm_opts_apply(so, o->cfg ? o->cfg->slurm : NULL, file, err, sizeof err) ||
            slurm_opts_apply(so, e->slurm, file, err, sizeof err)) {
            say("%s", err);
            (*njobs)++;
            return 2;
        }
        if (partition) {
            free(so->partition);
            so->partition = xstrdup(partition);
        }
        job *j = &jobs[(*njobs)++];
        j->node = nodes && nodes->n ? nodes->v[ni] : NULL;
        j->exp = e;
        j->first = i;
        j->count = k - i;
        j->array = !so->pack && j->count > 1;
        i = k;
    }
    return 0;
}

/* Resources a node cannot give: more ranks x threads than its CPUs, and no node count.  0 or 2. */
static int check_node_cpus(const plan *p, const run_opts *o, job *jobs, const slurm_opts *opts,
                           size_t njobs)
{
    long cpus = o->dry_run ? 0 : max_node_cpus();
    for (size_t n = 0; n < njobs; n++) {
        job *j = &jobs[n];
        for (size_t i = 0; i < j->count; i++) {
            const point *pt = &p->points[j->first + i];
            if (pt->ranks > j->max_ranks)
                j->max_ranks = pt->ranks;
            if (pt->threads > j->max_threads)
                j->max_threads = pt->threads;
        }
        if (cpus > 0 && opts[n].nodes <= 0 && (long)j->max_ranks * j->max_threads > cpus) {
            say("%s: experiment %s asks for %d ranks x %d threads, more than the %ld CPUs of the "
                "largest node, and no node count; set slurm.nodes (or fewer ranks)",
                j->exp->where, j->exp->name, j->max_ranks, j->max_threads, cpus);
            return 2;
        }
    }
    return 0;
}

/*
 * Let Slurm judge every script before submitting any (sbatch --test-only).
 * A refusal removes every spec and script written, and the spool folder if
 * that leaves it empty.  0, or 2 (said).
 */
static int test_scripts(job *jobs, size_t njobs, const char *spool)
{
    for (size_t n = 0; n < njobs; n++) {
        if (!jobs[n].count)
            continue;
        char *argv[] = {"sbatch", "--test-only", jobs[n].script_path, NULL};
        char *out = NULL, *serr = NULL;
        int x = slurm_capture(argv, &out, &serr);
        if (x != 0) {
            say("sbatch refused the job of experiment %s (%s): %s", jobs[n].exp->name,
                jobs[n].script_path, serr && *serr ? slurm_last_line(serr) : "no message");
            free(out);
            free(serr);
            for (size_t m = 0; m < njobs; m++) {
                for (size_t i = 0; i < jobs[m].count; i++)
                    if (jobs[m].spec_paths && jobs[m].spec_paths[i])
                        unlink(jobs[m].spec_paths[i]);
                if (jobs[m].script_path)
                    unlink(jobs[m].script_path);
            }
            rmdir(spool); /* only if we left it empty */
            return 2;
        }
        free(out);
        free(serr);
    }
    return 0;
}

/*
 * Submit the jobs (sbatch --parsable) and record each point as a queued run
 * with its job id (ids gets the job ids).  Stops at the first refusal: 0 or 2.
 */
static int submit_jobs(job *jobs, size_t njobs, store *st, strvec *ids, FILE *to)
{
    char err[4096];
    for (size_t n = 0; n < njobs; n++) {
        job *j = &jobs[n];
        if (!j->count)
            continue;
        char *argv[] = {"sbatch", "--parsable", j->script_path, NULL};
        char *out = NULL, *serr = NULL;
        int x = slurm_capture(argv, &out, &serr);
        if (x != 0 || !out || !isdigit((unsigned char)out[0])) {
            say("sbatch failed for experiment %s: %s", j->exp->name,
                serr && *serr ? slurm_last_line(serr) : "no message");
            free(out);
            free(serr);
            return 2;
        }
        slurm_trim(out);
        char *semi = strchr(out, ';');
        if (semi)
            *semi = '\0';
        j->job_id = xstrdup(out);
        strvec_push(ids, out);
        free(out);
        free(serr);
        for (size_t i = 0; i < j->count; i++)
            if (record_queued(st, &j->specs[i], j->job_id, j->array ? (long)i : -1, err,
                              sizeof err) != 0)
                say("could not record run %s as queued: %s", j->specs[i].uuid, err);
        if (to)
            fprintf(to, "submitted %s%s%s: job %s (%zu point%s%s)\n", j->exp->name,
                    j->node ? " on " : "", j->node ? j->node : "", j->job_id, j->count,
                    j->count == 1 ? "" : "s", j->array ? ", job array" : "");
    }
    return 0;
}

int slurm_submit_plan_ex(const plan *p, const run_opts *o, int wait, int retry_failed)
{
    return slurm_submit_plan_nodes(p, o, wait, retry_failed, NULL, NULL);
}

/* Every job's specs and batch script into the spool: 0, or an error in err. */
static int write_jobs(job *jobs, size_t njobs, char *err, size_t errlen)
{
    for (size_t n = 0; n < njobs; n++) {
        job *j = &jobs[n];
        for (size_t i = 0; i < j->count; i++) {
            cJSON *sj = spec_to_json(&j->specs[i]);
            char *text = cJSON_Print(sj);
            cJSON_Delete(sj);
            int w = write_file_atomic(j->spec_paths[i], text, strlen(text), err, errlen);
            free(text);
            if (w)
                return w;
        }
        if (j->count && write_script(j, j->script_text, err, errlen) != 0)
            return BX_EIO;
    }
    return 0;
}

int slurm_submit_plan_nodes(const plan *p, const run_opts *o, int wait, int retry_failed,
                            const strvec *nodes, const char *partition)
{
    char err[4096];
    int rc = 2;
    if (!o->dry_run && !slurm_have_command("sbatch")) {
        say("the slurm launcher needs Slurm's sbatch, which is not installed here (PATH=%s); "
            "install slurm-client or run with --launcher local/mpi",
            getenv("PATH") ? getenv("PATH") : "");
        return 2;
    }
    const char *file = o->cfg && o->cfg->path ? o->cfg->path : "the command line";
    /* Group consecutive points by experiment; each experiment is one job (pack)
     * or one job array. */
    size_t nn = nodes && nodes->n ? nodes->n : 1;
    job *jobs = xcalloc(p->npoints * nn + 1, sizeof *jobs);
    slurm_opts *opts = xcalloc(p->npoints * nn + 1, sizeof *opts);
    size_t njobs = 0;
    if (group_jobs(p, o, file, nodes, partition, jobs, opts, &njobs) != 0 ||
        check_node_cpus(p, o, jobs, opts, njobs) != 0)
        goto out;
    char *spool = NULL;
    {
        const char *sp = NULL;
        for (size_t n = 0; n < njobs && !sp; n++)
            sp = opts[n].spool;
        char *dbabs = abs_path(o->db);
        spool = sp ? abs_path(sp) : spool_dir_for(dbabs);
        free(dbabs);
    }
    store *st = o->st; /* the caller's, kept open; else ours, opened when needed */
    if (!st && !o->dry_run && retry_failed && store_open(o->db, STORE_CREATE, &st, err, sizeof err) != 0) {
        /* The database is opened only once Slurm has accepted the scripts
         * (or now, read for --retry-failed, when it must exist anyway). */
        say("%s", err);
        free(spool);
        goto out;
    }
    char *worker = worker_path(0), *worker_mpi = worker_path(1);
    /* Specs and scripts, rendered first: a value unfit for a batch script
     * stops everything before a file or folder is written. */
    size_t skipped = 0;
    for (size_t n = 0; n < njobs; n++) {
        job *j = &jobs[n];
        j->specs = xcalloc(j->count, sizeof *j->specs);
        j->spec_paths = xcalloc(j->count, sizeof *j->spec_paths);
        size_t keep = 0;
        for (size_t i = 0; i < j->count; i++) {
            const point *pt = &p->points[j->first + i];
            if (retry_failed && st && already_ok(st, pt)) {
                skipped++;
                continue;
            }
            runspec *s = &j->specs[keep];
            spec_for_point(pt, spool, s);
            free(s->launcher);
            s->launcher = xstrdup("slurm");
            if (j->node)
                strvec_push_owned(&s->tags, xasprintf("node=%s", j->node));
            j->spec_paths[keep] = xasprintf("%s/%s.spec.json", spool, s->uuid);
            keep++;
        }
        j->count = keep;
        if (attach_sandbox(j, &opts[n]) != 0)
            goto out2;
        j->array = !opts[n].pack && j->count > 1;
        if (!j->count)
            continue;
        char uuid[37];
        uuid_v4(uuid);
        j->script_path = xasprintf("%s/job-%s%s%s-%.8s.sbatch", spool, j->exp->name,
                                   j->node ? "-" : "", j->node ? j->node : "", uuid);
        for (char *c = strrchr(j->script_path, '/') + 1; *c; c++)
            if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
                *c = '_';
        if (render_script(j, &opts[n], spool, worker, worker_mpi, &j->script_text, err,
                          sizeof err) != 0) {
            say("%s", err);
            goto out2;
        }
    }
    if (o->dry_run) {
        print_dry_run(jobs, njobs, o->out);
        rc = 0;
        goto out2;
    }
    if (spool_prepare(spool, err, sizeof err) != 0) {
        say("%s", err);
        goto out2;
    }
    if (write_jobs(jobs, njobs, err, sizeof err) != 0) {
        say("%s", err);
        goto out2;
    }
    if (skipped)
        fprintf(stderr, "benchaas: --retry-failed: %zu point%s already ok, not resubmitted\n",
                skipped, skipped == 1 ? "" : "s");
    if (test_scripts(jobs, njobs, spool) != 0)
        goto out2;
    if (!st && store_open(o->db, STORE_CREATE, &st, err, sizeof err) != 0) {
        say("%s", err);
        goto out2;
    }
    strvec ids = {0};
    rc = submit_jobs(jobs, njobs, st, &ids, o->out);
    if (o->out)
        fflush(o->out);
    if (st != o->st)
        store_close(st);
    st = NULL;
    if (rc == 0 && wait)
        rc = wait_and_collect(o, spool, &ids);
    strvec_free(&ids);
out2:
    free(worker);
    free(worker_mpi);
    if (st && st != o->st)
        store_close(st);
    free(spool);
out:
    for (size_t n = 0; n < njobs; n++) {
        for (size_t i = 0; jobs[n].specs && i < jobs[n].count; i++) {
            spec_free(&jobs[n].specs[i]);
            free(jobs[n].spec_paths[i]);
        }
        free(jobs[n].specs);
        free(jobs[n].spec_paths);
        free(jobs[n].script_path);
        free(jobs[n].script_text);
        free(jobs[n].job_id);
        slurm_opts_free(&opts[n]);
    }
    free(jobs);
    free(opts);
    return rc;
}

/* ---- job states -------------------------------------------------------- */

typedef struct job_state {
    char state[32];   /* PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, FAILED, ... or "" */
    char reason[256];
    char nodes[512];  /* the job's node list ("bxnode[1-2]"), "" when unknown */
} job_state;

/* Slurm's "[D-]HH:MM:SS" (or MM:SS) as seconds; -1 for UNLIMITED or garbage. */
static long slurm_seconds(const char *t)
{
    long d = 0, h = 0, m = 0, sec = 0;
    if (sscanf(t, "%ld-%ld:%ld:%ld", &d, &h, &m, &sec) == 4)
        return ((d * 24 + h) * 60 + m) * 60 + sec;
    if (sscanf(t, "%ld:%ld:%ld", &h, &m, &sec) == 3)
        return (h * 60 + m) * 60 + sec;
    if (sscanf(t, "%ld:%ld", &m, &sec) == 2)
        return m * 60 + sec;
    return -1;
}

/* The state of job `id` (an array job: the task's, "123_4"), from squeue, else scontrol. */
static void get_job_state(const char *id, job_state *js)
{
    memset(js, 0, sizeof *js);
    char *argv[] = {"squeue", "--noheader", "--jobs", (char *)id, "--format=%T|%r|%N", NULL};
    char *out = NULL;
    if (slurm_capture(argv, &out, NULL) == 0 && out && *out) {
        char *bar = strchr(out, '|'), *bar2 = bar ? strchr(bar + 1, '|') : NULL;
        if (bar) {
            *bar = '\0';
            if (bar2) {
                *bar2 = '\0';
                slurm_trim(bar2 + 1);
                snprintf(js->nodes, sizeof js->nodes, "%s", bar2 + 1);
            }
            snprintf(js->state, sizeof js->state, "%s", out);
            slurm_trim(bar + 1);
            snprintf(js->reason, sizeof js->reason, "%s", bar + 1);
            char *nl = strchr(js->reason, '\n');
            if (nl)
                *nl = '\0';
        }
        free(out);
        return;
    }
    free(out);
    char *argv2[] = {"scontrol", "show", "job", "--oneliner", (char *)id, NULL};
    if (slurm_capture(argv2, &out, NULL) == 0 && out) {
        char *s = strstr(out, "JobState=");
        if (s)
            sscanf(s + 9, "%31[^ \n]", js->state);
        char *r = strstr(out, "Reason=");
        if (r)
            sscanf(r + 7, "%255[^ \n]", js->reason);
        char *nl = strstr(out, " NodeList=");
        if (nl)
            sscanf(nl + 10, "%511[^ \n]", js->nodes);
        /* Past its time limit Slurm refuses new steps at once, and a script that
         * then ends by itself makes the job COMPLETED: call that a timeout. */
        char *rt = strstr(out, " RunTime="), *tl = strstr(out, " TimeLimit=");
        long run_s = rt ? slurm_seconds(rt + 9) : -1, lim_s = tl ? slurm_seconds(tl + 11) : -1;
        if (run_s >= 0 && lim_s > 0 && run_s >= lim_s &&
            (!strcmp(js->state, "COMPLETED") || !strcmp(js->state, "FAILED"))) {
            snprintf(js->state, sizeof js->state, "TIMEOUT");
            snprintf(js->reason, sizeof js->reason, "TimeLimit");
        }
    }
    free(out);
}

static int state_is_final(const char *s)
{
    return *s && strcmp(s, "PENDING") && strcmp(s, "RUNNING") && strcmp(s, "CONFIGURING") &&
           strcmp(s, "COMPLETING") && strcmp(s, "SUSPENDED") && strcmp(s, "REQUEUED") &&
           strcmp(s, "RESIZING");
}

/* The nodes of host list LIST that Slurm has down or not responding now (sinfo: "down",
 * or a state ending in '*'), comma-separated into out; LIST itself when none is, or
 * sinfo cannot say: a job that ended NODE_FAIL names the node that failed. */
static void failed_nodes(const char *list, char *out, size_t len)
{
    char *argv[] = {"sinfo", "-h", "-N", "-n", (char *)list, "-o", "%N %T", NULL};
    char *text = NULL;
    size_t used = 0;
    out[0] = '\0';
    if (*list && slurm_capture(argv, &text, NULL) == 0 && text) {
        char *save = NULL;
        for (char *l = strtok_r(text, "\n", &save); l && used < len; l = strtok_r(NULL, "\n", &save)) {
            char node[256], state[64];
            if (sscanf(l, "%255s %63s", node, state) != 2)
                continue;
            size_t sl = strlen(state);
            if (strncmp(state, "down", 4) != 0 && state[sl - 1] != '*')
                continue;
            if (strstr(out, node))
                continue;
            used += (size_t)snprintf(out + used, len - used, "%s%s", used ? "," : "", node);
        }
    }
    free(text);
    if (!out[0])
        snprintf(out, len, "%s", *list ? list : "unknown");
}

/* 1 when the batch script stopped spec S at its timeout (it left SPEC.timeout). */
static int point_timed_out(const runspec *s)
{
    char *spec = spec_path_for_result(s->result_path);
    char *marker = spec ? xasprintf("%s.timeout", spec) : NULL;
    int yes = marker && access(marker, F_OK) == 0;
    free(marker);
    free(spec);
    return yes;
}

/* Update queued/running runs from Slurm: running when the job runs; a final
 * failure when the job ended and no result document came back. */
static int reconcile(store *st, const char *spool, int verbose)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT uuid, job_id, array_task_id, status, spec_json FROM runs "
                           "WHERE status IN ('queued','running') AND job_id IS NOT NULL",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    typedef struct pend { char *uuid, *job, *status, *spec; long task; } pend;
    pend *v = NULL;
    size_t n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        v = xrealloc(v, (n + 1) * sizeof *v);
        v[n].uuid = xstrdup((const char *)sqlite3_column_text(q, 0));
        v[n].job = xstrdup((const char *)sqlite3_column_text(q, 1));
        v[n].task = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 2);
        v[n].status = xstrdup((const char *)sqlite3_column_text(q, 3));
        const unsigned char *sp = sqlite3_column_text(q, 4);
        v[n].spec = sp ? xstrdup((const char *)sp) : NULL;
        n++;
    }
    sqlite3_finalize(q);
    int open_jobs = 0;
    for (size_t i = 0; i < n; i++) {
        char id[128];
        if (v[i].task >= 0)
            snprintf(id, sizeof id, "%s_%ld", v[i].job, v[i].task);
        else
            snprintf(id, sizeof id, "%s", v[i].job);
        job_state js;
        get_job_state(id, &js);
        runspec s;
        memset(&s, 0, sizeof s);
        cJSON *sj = v[i].spec ? cJSON_Parse(v[i].spec) : NULL;
        char err[1024];
        int have_spec = sj && spec_from_json(sj, &s, err, sizeof err) == 0;
        cJSON_Delete(sj);
        if (!have_spec) {
            spec_free(&s);
            continue;
        }
        const char *newstatus = NULL;
        char why[512] = "";
        if (access(s.result_path, F_OK) == 0) {
            /* A result outside the database's spool (slurm.spool): store it. */
            cJSON *doc = result_read(s.result_path, err, sizeof err);
            int64_t rid;
            char *specp = spec_path_for_result(s.result_path);
            if (!doc)
                say("not ingested: %s", err);
            else if (ingest_and_clean(st, doc, specp, s.result_path, 0, &rid, err, sizeof err) != 0)
                say("not ingested: %s: %s", s.result_path, err);
            cJSON_Delete(doc);
            free(specp);
            spec_free(&s);
            continue;
        }
        if (!state_is_final(js.state) && js.state[0]) {
            open_jobs++;
            if (strcmp(js.state, "RUNNING") == 0 && strcmp(v[i].status, "running") != 0)
                newstatus = "running";
        } else {
            /* The job is over (or forgotten by Slurm) and this point left no result. */
            const char *st_ = js.state[0] ? js.state : "unknown (no longer known to Slurm)";
            if (strncmp(st_, "TIMEOUT", 7) == 0) {
                newstatus = "timeout";
                snprintf(why, sizeof why, "Slurm job %s reached its time limit before this point "
                                          "finished (state TIMEOUT)", id);
            } else if (strncmp(st_, "CANCELLED", 9) == 0) {
                newstatus = "failed";
                snprintf(why, sizeof why, "Slurm job %s was cancelled (state %s%s%s)", id, st_,
                         js.reason[0] && strcmp(js.reason, "None") ? ", reason " : "",
                         js.reason[0] && strcmp(js.reason, "None") ? js.reason : "");
            } else if (strncmp(st_, "NODE_FAIL", 9) == 0) {
                char down[512];
                failed_nodes(js.nodes, down, sizeof down);
                newstatus = "failed";
                snprintf(why, sizeof why, "Slurm job %s failed: node %s failed while it ran "
                                          "(state NODE_FAIL; the job's nodes: %s)",
                         id, down, js.nodes[0] ? js.nodes : "unknown");
            } else if (point_timed_out(&s)) {
                newstatus = "timeout";
                snprintf(why, sizeof why, "the point ran past its timeout of %.0f s and was "
                                          "stopped (Slurm job %s)", s.timeout, id);
            } else if (strcmp(st_, "COMPLETED") == 0 || strcmp(st_, "FAILED") == 0 ||
                       !js.state[0]) {
                /* The job ran its script; this point's worker died without a result. */
                newstatus = "crashed";
                snprintf(why, sizeof why, "Slurm job %s ended (%s) but this point left no result "
                                          "(see the job's output in %s)", id, st_, spool);
            } else {
                newstatus = "failed";
                snprintf(why, sizeof why, "Slurm job %s ended with state %s%s%s and no result", id,
                         st_, js.reason[0] && strcmp(js.reason, "None") ? ", reason " : "",
                         js.reason[0] && strcmp(js.reason, "None") ? js.reason : "");
            }
        }
        if (newstatus) {
            cJSON *doc = result_for_failure(&s, newstatus, why, -1);
            if (!why[0])
                result_set(doc, "error", cJSON_CreateNull());
            result_set(doc, "job_id", cJSON_CreateString(v[i].job));
            if (v[i].task >= 0)
                result_set(doc, "array_task_id", cJSON_CreateNumber((double)v[i].task));
            result_set(doc, "launcher", cJSON_CreateString("slurm"));
            int64_t rid;
            if (store_ingest(st, doc, &rid, err, sizeof err) != 0)
                say("could not update run %s: %s", v[i].uuid, err);
            else if (verbose && why[0])
                fprintf(stderr, "benchaas: run %lld: %s: %s\n", (long long)rid, newstatus, why);
            cJSON_Delete(doc);
        }
        spec_free(&s);
    }
    for (size_t i = 0; i < n; i++) {
        free(v[i].uuid);
        free(v[i].job);
        free(v[i].status);
        free(v[i].spec);
    }
    free(v);
    return open_jobs;
}

/* collect for Slurm: ingest documents, then reconcile with Slurm's states. */
int slurm_collect(store *st, const char *spool, int verbose, size_t *ingested)
{
    int bad = collect_spool(st, spool, 0, verbose, ingested);
    if (slurm_have_command("squeue"))
        reconcile(st, spool, verbose);
    return bad;
}

static int wait_and_collect(const run_opts *o, const char *spool, strvec *job_ids)
{
    const char *db = o->db;
    double delay = 1.0;
    int unanswered = 0; /* polls in a row in which squeue failed */
    for (;;) {
        int open_jobs = 0, failed = 0;
        for (size_t i = 0; i < job_ids->n; i++) {
            char *argv[] = {"squeue", "--noheader", "--jobs", job_ids->v[i], "--format=%T", NULL};
            char *out = NULL, *errs = NULL;
            int rc = slurm_capture(argv, &out, &errs);
            if (rc == 0 && out && *out)
                open_jobs++;
            else if (rc != 0 && !(errs && strstr(errs, "Invalid job id")) && !failed++)
                /* a busy controller (a timeout): the job may still run, ask again */
                fprintf(stderr, "benchaas: squeue failed (%s); asking again\n",
                        errs && *errs ? strtok(errs, "\n") : "no message");
            free(out);
            free(errs);
        }
        unanswered = failed ? unanswered + 1 : 0;
        if (failed && unanswered <= 10)
            open_jobs += failed;
        if (!open_jobs || g_interrupted)
            break;
        if (isatty(STDERR_FILENO))
            fprintf(stderr, "benchaas: waiting for %d job%s...\n", open_jobs,
                    open_jobs == 1 ? "" : "s");
        struct timespec ts = {(time_t)delay, (long)((delay - floor(delay)) * 1e9)};
        nanosleep(&ts, NULL);
        delay = delay * 1.5 > 30 ? 30 : delay * 1.5;
    }
    char err[2048];
    store *st;
    if (store_open(db, STORE_CREATE, &st, err, sizeof err) != 0) {
        say("%s", err);
        return 2;
    }
    size_t n = 0;
    int bad = slurm_collect(st, spool, 0, &n);
    /* Report the runs of these jobs. */
    sqlite3 *h = store_db(st);
    sqlite3_stmt *q;
    int64_t *ids = NULL;
    size_t nids = 0;
    int failed = 0;
    if (sqlite3_prepare_v2(h, "SELECT id, status FROM runs WHERE job_id = ?1 ORDER BY id", -1, &q,
                           NULL) == SQLITE_OK) {
        for (size_t i = 0; i < job_ids->n; i++) {
            sqlite3_reset(q);
            sqlite3_bind_text(q, 1, job_ids->v[i], -1, SQLITE_STATIC);
            while (sqlite3_step(q) == SQLITE_ROW) {
                ids = xrealloc(ids, (nids + 1) * sizeof *ids);
                ids[nids++] = sqlite3_column_int64(q, 0);
                failed |= strcmp((const char *)sqlite3_column_text(q, 1), "ok") != 0;
            }
        }
        sqlite3_finalize(q);
    }
    if (nids && o->show)
        o->show(st, ids, nids, 0);
    free(ids);
    store_close(st);
    return bad || failed ? 1 : 0;
}

/* ---- status ------------------------------------------------------------ */

int slurm_status(const char *db, int all, FILE *to)
{
    db = default_db(db);
    char err[2048];
    if (access(db, F_OK) != 0) {
        say("no database %s (nothing was submitted there)", db);
        return 2;
    }
    if (store_check_file(db, err, sizeof err) != 0) {
        say("%s", err);
        return 2;
    }
    store *st;
    if (store_open(db, STORE_READONLY, &st, err, sizeof err) != 0) {
        say("%s", err);
        return 2;
    }
    sqlite3_stmt *q;
    const char *sql = all ? "SELECT id, experiment, status, job_id, array_task_id, queued_at, "
                            "started_at FROM runs WHERE job_id IS NOT NULL ORDER BY id"
                          : "SELECT id, experiment, status, job_id, array_task_id, queued_at, "
                            "started_at FROM runs WHERE status IN ('queued','running') ORDER BY id";
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
        say("status: %s", sqlite3_errmsg(store_db(st)));
        store_close(st);
        return 2;
    }
    int have_slurm = slurm_have_command("squeue");
    fprintf(to, "%-5s %-20s %-9s %-12s %-11s %s\n", "RUN", "EXPERIMENT", "STATUS", "JOB",
            "JOB STATE", "REASON / QUEUED AT");
    int rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        rows++;
        const char *jobid = (const char *)sqlite3_column_text(q, 3);
        char id[128] = "-";
        if (jobid) {
            if (sqlite3_column_type(q, 4) != SQLITE_NULL)
                snprintf(id, sizeof id, "%s_%d", jobid, sqlite3_column_int(q, 4));
            else
                snprintf(id, sizeof id, "%s", jobid);
        }
        job_state js;
        memset(&js, 0, sizeof js);
        if (jobid && have_slurm)
            get_job_state(id, &js);
        const unsigned char *qa = sqlite3_column_text(q, 5);
        const unsigned char *exp = sqlite3_column_text(q, 1);
        char line[1024];
        snprintf(line, sizeof line, "%-5lld %-20.20s %-9s %-12s %-11s %s%s%s",
                 (long long)sqlite3_column_int64(q, 0), exp ? (const char *)exp : "",
                 (const char *)sqlite3_column_text(q, 2), id,
                 js.state[0] ? js.state : (have_slurm ? "gone" : "?"),
                 js.reason[0] && strcmp(js.reason, "None") ? js.reason : "",
                 js.reason[0] && strcmp(js.reason, "None") ? " " : "", qa ? (const char *)qa : "");
        text_put(to, line); /* what the database holds is shown, never obeyed */
        fputc('\n', to);
    }
    if (!rows)
        fprintf(to, "(no %sSlurm runs)\n", all ? "" : "queued or running ");
    sqlite3_finalize(q);
    store_close(st);
    return 0;
}
