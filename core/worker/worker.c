/*
 * worker.c — benchaas-worker SPEC.json: run one spec, write its result document.
 *
 * The runner starts it as a child (fork/exec, or under mpirun / srun), so a
 * plugin that crashes, hangs or leaks takes only this process down.  Rank 0
 * writes the result document (atomically: .tmp then rename); other ranks
 * write nothing.  Exit codes: 0 a result document was written (whatever
 * the run's status), 2 the spec is unusable, 3 the result could not be
 * written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/resource.h>
#include <time.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef BENCHAAS_HAVE_MPI
#include <mpi.h>
#ifdef BENCHAAS_HAVE_PMIX
#include <pmix.h>
#include <stdbool.h>
#endif
#endif

#include "benchaas/sdk.h"
#include "host.h"
#include "loader.h"
#include "jobtl.h"
#include "provenance.h"
#include "resultdoc.h"
#include "netguard.h"
#include "sandbox.h"
#include "spec.h"
#include "util.h"

static int g_mpi; /* MPI is initialised */

#ifdef BENCHAAS_HAVE_MPI
/* Ranks that share this rank's node (its shared-memory domain); 0 if MPI cannot say. */
static int node_local_ranks(void)
{
    MPI_Comm node;
    int n = 0;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) !=
        MPI_SUCCESS)
        return 0;
    MPI_Comm_size(node, &n);
    MPI_Comm_free(&node);
    return n;
}

static int mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : BX_ECOMM; }

static int mpi_allreduce(double *values, int count, int op)
{
    MPI_Op o = op == BX_OP_MAX ? MPI_MAX : op == BX_OP_MIN ? MPI_MIN : MPI_SUM;
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, o, MPI_COMM_WORLD) ==
                   MPI_SUCCESS
               ? 0
               : BX_ECOMM;
}
#endif

/* Every rank learns the worst return code of all ranks (0 or negative). */
static int agree(int rc)
{
#ifdef BENCHAAS_HAVE_MPI
    if (g_mpi) {
        int worst = rc;
        MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        return worst;
    }
#endif
    return rc;
}

#ifdef BENCHAAS_HAVE_MPI
/* cmp for qsort over an array of char[256] */
static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }
#endif

/*
 * The nodes the job ran on: every rank's short host name, sorted and distinct,
 * comma-separated, into out (rank 0's; other ranks get their own name).  The
 * provenance's "nodes": a multi-node run must name every node it ran on, not
 * only rank 0's host.  Collective under MPI.
 */
static void job_nodes(char *out, size_t len)
{
    char self[256];
    short_hostname(self, sizeof self);
    snprintf(out, len, "%s", self);
#ifdef BENCHAAS_HAVE_MPI
    int rank = 0, size = 1;
    if (!g_mpi)
        return;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char(*all)[256] = rank == 0 ? calloc((size_t)size, sizeof *all) : NULL;
    MPI_Gather(self, (int)sizeof self, MPI_CHAR, all, (int)sizeof self, MPI_CHAR, 0,
               MPI_COMM_WORLD);
    if (!all)
        return;
    qsort(all, (size_t)size, sizeof *all, cmp_name);
    size_t used = 0;
    for (int i = 0; i < size && used < len; i++) {
        all[i][sizeof all[i] - 1] = '\0';
        if (i > 0 && strcmp(all[i], all[i - 1]) == 0)
            continue;
        used += (size_t)snprintf(out + used, len - used, "%s%s", used ? "," : "", all[i]);
    }
    free(all);
#endif
}

static void finish_mpi(void)
{
#ifdef BENCHAAS_HAVE_MPI
    if (g_mpi)
        MPI_Finalize();
#endif
}

/* ---- the resource timeline ------------------------------------------------
 *
 * While the plugin runs (init to fini), a thread of every rank samples the
 * process's resident memory (/proc/self/statm) and its CPU time (all
 * threads: CLOCK_PROCESS_CPUTIME_ID) every TL_INTERVAL seconds.  The
 * series of every rank is summed per node and over the job (jobtl.c) into
 * the result document as "timeline": [[t, rss_mib,
 * cpu_percent], ...], t in seconds since init started, cpu_percent the CPU
 * used since the previous point in % of one core (200 = two busy cores;
 * null for the first point).  A long run keeps at most TL_MAX points: when
 * full, every other point is dropped and the interval doubles.  The thread
 * only reads /proc and the clock: it calls no MPI and touches no plugin
 * state.
 */
#define TL_INTERVAL 0.25
#define TL_MAX 2048

typedef struct timeline {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started, stop;
    double t0, interval, last_t, last_cpu;
    double (*pts)[3];
    size_t n;
} timeline;

static double tl_rss_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = -1;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2)
            resident = -1;
        fclose(f);
    }
    return resident < 0 ? NAN : (double)resident * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

static double tl_cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return NAN;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One point (called with tl->mu held). */
static void tl_sample(timeline *tl)
{
    double now = mono_now(), cpu = tl_cpu_seconds();
    if (tl->n == TL_MAX) { /* keep every other point, sample half as often */
        size_t k = 0;
        for (size_t i = 0; i < tl->n; i += 2)
            memcpy(tl->pts[k++], tl->pts[i], sizeof tl->pts[0]);
        tl->n = k;
        tl->interval *= 2;
    }
    double *p = tl->pts[tl->n++];
    p[0] = now - tl->t0;
    p[1] = tl_rss_mib();
    p[2] = tl->n > 1 && now > tl->last_t ? (cpu - tl->last_cpu) / (now - tl->last_t) * 100.0 : NAN;
    tl->last_t = now;
    tl->last_cpu = cpu;
}

static void *tl_main(void *arg)
{
    timeline *tl = arg;
    pthread_mutex_lock(&tl->mu);
    while (!tl->stop) {
        tl_sample(tl);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        double wake = (double)until.tv_sec + (double)until.tv_nsec * 1e-9 + tl->interval;
        until.tv_sec = (time_t)wake;
        until.tv_nsec = (long)((wake - (double)until.tv_sec) * 1e9);
        while (!tl->stop && pthread_cond_timedwait(&tl->cv, &tl->mu, &until) != ETIMEDOUT)
            ;
    }
    tl_sample(tl); /* the last point: right after fini */
    pthread_mutex_unlock(&tl->mu);
    return NULL;
}

/* Start sampling (no-op on failure: a run without a timeline is still a run). */
static void tl_start(timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    tl->pts = malloc(TL_MAX * sizeof *tl->pts);
    if (!tl->pts)
        return;
    tl->t0 = mono_now();
    tl->interval = TL_INTERVAL;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&tl->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&tl->mu, NULL);
    if (pthread_create(&tl->thread, NULL, tl_main, tl) == 0)
        tl->started = 1;
}

static void tl_stop(timeline *tl)
{
    if (!tl->started)
        return;
    pthread_mutex_lock(&tl->mu);
    tl->stop = 1;
    pthread_cond_signal(&tl->cv);
    pthread_mutex_unlock(&tl->mu);
    pthread_join(tl->thread, NULL);
    tl->started = 0;
}

static void tl_free(timeline *tl)
{
    tl_stop(tl);
    if (tl->pts) {
        pthread_mutex_destroy(&tl->mu);
        pthread_cond_destroy(&tl->cv);
    }
    free(tl->pts);
    tl->pts = NULL;
}

static const char *phase_error(hostctx *h, int rc, const char *phase, char *buf, size_t len)
{
    if (h->error[0])
        snprintf(buf, len, "%s", h->error);
    else if (rc == BX_EFAILED)
        snprintf(buf, len, "validation failed");
    else
        snprintf(buf, len, "%s failed: %s (%d)", phase, bx_strerror(rc), rc);
    return buf;
}

/* The run spec at path (docs/formats.md); 0, or 2 after saying why (nothing to free then). */
static int read_spec(const char *path, runspec *spec)
{
    char err[4096];
    char *text = NULL;
    if (read_file(path, BX_DOC_MAX, &text, NULL, err, sizeof err) != 0) {
        say("%s", err);
        return 2;
    }
    cJSON *doc = cJSON_ParseWithOpts(text, NULL, 1);
    free(text);
    if (!doc) {
        say("%s: not valid JSON", path);
        return 2;
    }
    if (spec_from_json(doc, spec, err, sizeof err) != 0) {
        say("%s: %s", path, err);
        cJSON_Delete(doc);
        spec_free(spec);
        return 2;
    }
    cJSON_Delete(doc);
    /* a worker writes only <uuid>.result.json beside its spec (spec.h) */
    if (spec_check_result_path(spec, path, err, sizeof err) != 0) {
        say("%s: %s", path, err);
        spec_free(spec);
        return 2;
    }
    return 0;
}

/* The host services of this rank for the plugin (hostctx_free() at the end). */
static void host_setup(hostctx *h, const loaded_plugin *lp, pset *params, const runspec *sp,
                       int rank, int size)
{
    hostctx_init(h, lp->desc, params);
    h->rank = rank;
    h->nranks = size > 1 ? size : sp->ranks;
    if (!g_mpi)
        h->nranks = 1;
    h->threads = sp->threads;
    h->reps = sp->repetitions;
    h->collect = rank == 0;
    h->min_log_level = sp->verbose ? BX_LOG_INFO : BX_LOG_WARN;
    if (rank != 0 && !sp->verbose)
        h->min_log_level = BX_LOG_ERROR;
#ifdef BENCHAAS_HAVE_MPI
    if (g_mpi) {
        h->barrier_fn = mpi_barrier;
        h->allreduce_fn = mpi_allreduce;
        h->node_ranks = node_local_ranks();
    }
#endif
}

/*
 * The plugin's life on every rank: check, init, the warm-up run, the timed
 * runs, report, fini (iff init succeeded), each agreed over the ranks.  The
 * phase that failed in *phase; 0 or its code.
 */
/* ---- auto repetitions ------------------------------------------------------ */

/* The headline metric's series (the first marked, else the first declared), or NULL. */
static const bxp_series *headline_series(const bxp_collector *c)
{
    for (size_t i = 0; i < c->nseries; i++)
        if (c->series[i].def->flags & BX_METRIC_HEADLINE)
            return &c->series[i];
    return c->nseries ? &c->series[0] : NULL;
}

/*
 * The spread of the timed repetitions' samples of the headline metric: the
 * sample standard deviation over the absolute mean (the coefficient of
 * variation PTS uses); NAN with fewer than 2 samples.
 */
static double headline_spread(const bxp_collector *c)
{
    const bxp_series *s = headline_series(c);
    if (!s || s->n < 2)
        return NAN;
    double *v = malloc(s->n * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; v && i < s->n; i++)
        if (s->samples[i].rep >= 1 && isfinite(s->samples[i].value))
            v[n++] = s->samples[i].value;
    bx_stats st;
    double spread = v && n >= 2 && bx_stats_compute(v, n, &st) == 0 && st.mean != 0
                        ? st.stddev / fabs(st.mean)
                        : NAN;
    free(v);
    return spread;
}

/*
 * `--repetitions auto`: 1 when the repetitions so far (at least 3) are
 * steady enough to stop.  The collecting rank decides, every rank agrees.
 */
static int steady_enough(hostctx *hp, const runspec *sp, unsigned r)
{
    if (!(sp->spread_target > 0) || r < 3 || r >= sp->repetitions)
        return 0;
    int steady = 1; /* neutral for the ranks that do not collect */
    if (hp->collect) {
        double s = headline_spread(&hp->col);
        steady = isfinite(s) && s < sp->spread_target;
    }
    return agree(steady);
}

/* What auto repetitions did, stored with the run (run metadata). */
static void note_spread(hostctx *hp, const runspec *sp, unsigned done)
{
    if (!(sp->spread_target > 0) || !hp->collect)
        return;
    char buf[64];
    double s = headline_spread(&hp->col);
    snprintf(buf, sizeof buf, "%.4g", isfinite(s) ? s * 100 : -1.0);
    bxp_collector_meta(&hp->col, "spread_pct", buf);
    snprintf(buf, sizeof buf, "%.4g", sp->spread_target * 100);
    bxp_collector_meta(&hp->col, "spread_target_pct", buf);
    snprintf(buf, sizeof buf, "%u of at most %u (%s)", done, sp->repetitions,
             isfinite(s) && s < sp->spread_target ? "steady" : "the most");
    bxp_collector_meta(&hp->col, "repetitions_auto", buf);
}

static int run_phases(hostctx *hp, const bx_plugin *d, const runspec *sp, int rank, timeline *tl,
                      const char **phase)
{
    int rc = hostctx_misuse(hp, d->check ? d->check(&hp->ctx) : 0);
    rc = agree(rc);
    if (rc == 0) {
        void *state = NULL;
        *phase = "init";
        tl_start(tl); /* every rank: the job's timeline sums them */
        rc = agree(hostctx_misuse(hp, d->init(&hp->ctx, &state)));
        if (rc == 0) {
            if (sp->warmup && !(d->flags & BX_NO_WARMUP)) {
                *phase = "warm-up run";
                hp->warmup = 1;
                hp->cur_rep = 0;
                rc = agree(hostctx_misuse(hp, d->run(&hp->ctx, state, 0)));
                hp->warmup = 0;
            }
            unsigned r;
            for (r = 1; rc == 0 && r <= sp->repetitions; r++) {
                *phase = "run";
                hp->cur_rep = r;
                rc = agree(hostctx_misuse(hp, d->run(&hp->ctx, state, r)));
                if (rc == 0 && steady_enough(hp, sp, r)) {
                    r++;
                    break;
                }
            }
            if (rc == 0)
                note_spread(hp, sp, r - 1);
            if (rc == 0) {
                *phase = "report";
                rc = agree(hostctx_misuse(hp, d->report(&hp->ctx, state)));
            }
            d->fini(state);
        }
        tl_stop(tl);
    }
    return rc;
}

/* Resource usage: user and system CPU s summed over ranks, the largest rank's peak RSS MiB. */
static void resource_usage(double res[3])
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    res[0] = (double)self.ru_utime.tv_sec + self.ru_utime.tv_usec * 1e-6 +
             (double)kids.ru_utime.tv_sec + kids.ru_utime.tv_usec * 1e-6;
    res[1] = (double)self.ru_stime.tv_sec + self.ru_stime.tv_usec * 1e-6 +
             (double)kids.ru_stime.tv_sec + kids.ru_stime.tv_usec * 1e-6;
    res[2] = (double)(self.ru_maxrss > kids.ru_maxrss ? self.ru_maxrss : kids.ru_maxrss) / 1024.0;
#ifdef BENCHAAS_HAVE_MPI
    if (g_mpi) {
        double out[3];
        MPI_Reduce(res, out, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        MPI_Reduce(&res[2], &out[2], 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        memcpy(res, out, 3 * sizeof *res);
    }
#endif
}

/* job_id and array_task_id of the document: Slurm's, or null. */
static void add_job_ids(cJSON *r)
{
    const char *job = getenv("SLURM_JOB_ID");
    const char *task = getenv("SLURM_ARRAY_TASK_ID");
    if (getenv("SLURM_ARRAY_JOB_ID"))
        job = getenv("SLURM_ARRAY_JOB_ID");
    if (job)
        cJSON_AddStringToObject(r, "job_id", job);
    else
        cJSON_AddNullToObject(r, "job_id");
    if (task)
        cJSON_AddNumberToObject(r, "array_task_id", atoi(task));
    else
        cJSON_AddNullToObject(r, "array_task_id");
}

/*
 * The core's own metrics: under Slurm, how long the job waited in the
 * queue (submit to start); wall, user and system time and peak RSS (a
 * plugin's own metric of such a name wins).
 */
static void add_core_metrics(cJSON *metrics, const runspec *sp, double wall, const double res[3])
{
    const char *jstart = getenv("BENCHAAS_JOB_START");
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (jstart && sp->created_at &&
        sscanf(sp->created_at, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        double wait = atof(jstart) - (double)timegm(&tm);
        cJSON *m = cJSON_AddObjectToObject(metrics, "queue_wait");
        cJSON_AddNumberToObject(m, "value", wait > 0 ? wait : 0);
        cJSON_AddStringToObject(m, "unit", "s");
        cJSON_AddStringToObject(m, "better", "lower");
    }
    const char *rnames[] = {"wall_time", "user_time", "sys_time", "max_rss"};
    const char *runits[] = {"s", "s", "s", "MiB"};
    double rvals[] = {wall, res[0], res[1], res[2]};
    for (int i = 0; i < 4; i++) {
        if (cJSON_GetObjectItemCaseSensitive(metrics, rnames[i]))
            continue; /* a plugin's own metric of that name wins */
        cJSON *m = cJSON_AddObjectToObject(metrics, rnames[i]);
        cJSON_AddNumberToObject(m, "value", rvals[i]);
        cJSON_AddStringToObject(m, "unit", runits[i]);
        cJSON_AddStringToObject(m, "better", "none");
    }
}

/* The peaks of the summed timelines: of the busiest node (what --mem must cover),
   and of the whole job.  max_rss stays the largest single rank. */
static void add_job_peaks(cJSON *metrics, const jobtl *jt)
{
    const char *pnames[] = {"node_peak_rss", "job_peak_rss"};
    double pvals[] = {jt->node_peak, jt->job_peak};
    for (int i = 0; i < 2; i++) {
        if (jt->n == 0 || !isfinite(pvals[i]) ||
            cJSON_GetObjectItemCaseSensitive(metrics, pnames[i]))
            continue;
        cJSON *m = cJSON_AddObjectToObject(metrics, pnames[i]);
        cJSON_AddNumberToObject(m, "value", round(pvals[i] * 100) / 100);
        cJSON_AddStringToObject(m, "unit", "MiB");
        cJSON_AddStringToObject(m, "better", "none");
    }
}

/* Digits only (a Slurm job or step id). */
static int all_digits(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/*
 * In a Slurm job step launched with srun --mpi=pmix, OpenMPI makes its session
 * folders in the folder Slurm's PMIx plugin made for this step on this node
 * (spmix_appdir_UID_JOB.STEP in its tmpdir, removed with the step), not in
 * TMPDIR.  Its path when it exists (free it), else NULL.
 */
static char *slurm_step_dir(void)
{
    const char *job = getenv("SLURM_JOB_ID"), *step = getenv("SLURM_STEP_ID");
    const char *tmp = getenv("PMIX_SYSTEM_TMPDIR");
    if (!all_digits(job) || !all_digits(step))
        return NULL;
    char *d = xasprintf("%s/spmix_appdir_%u_%s.%s", tmp && tmp[0] == '/' ? tmp : "/tmp",
                        (unsigned)getuid(), job, step);
    struct stat st;
    if (lstat(d, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid())
        return d;
    free(d);
    return NULL;
}

static char *dupn(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Slurm's node list ("n1,gpu[01-03,7],m") one name at a time onto out. */
static void expand_nodelist(const char *list, strvec *out)
{
    const char *p = list;
    while (*p) {
        const char *br = p + strcspn(p, ",["), *end;
        if (*br != '[') { /* a plain name */
            strvec_push_owned(out, dupn(p, (size_t)(br - p)));
            p = *br ? br + 1 : br;
            continue;
        }
        end = strchr(br, ']');
        if (!end)
            return;
        char *ranges = dupn(br + 1, (size_t)(end - br - 1)), *save = NULL;
        for (char *r = strtok_r(ranges, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
            char *dash = strchr(r, '-');
            long a = strtol(r, NULL, 10), b = dash ? strtol(dash + 1, NULL, 10) : a;
            int width = (int)(dash ? (size_t)(dash - r) : strlen(r));
            for (long k = a; k <= b && k - a < 4096; k++)
                strvec_push_owned(out, xasprintf("%.*s%0*ld", (int)(br - p), p, width, k));
        }
        free(ranges);
        p = end[1] == ',' ? end + 2 : end + 1;
    }
}

/* Every address node name resolves to, as a one-address network, onto hosts. */
static void add_node_addresses(const char *name, strvec *hosts)
{
    struct addrinfo hint = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(name, NULL, &hint, &res) != 0)
        return;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        char txt[INET6_ADDRSTRLEN];
        const void *addr = a->ai_family == AF_INET
                               ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                               : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
        if ((a->ai_family == AF_INET || a->ai_family == AF_INET6) &&
            inet_ntop(a->ai_family, addr, txt, sizeof txt))
            strvec_push_owned(hosts, xasprintf("%s/%d", txt, a->ai_family == AF_INET ? 32 : 128));
    }
    freeaddrinfo(res);
}

/* Before MPI_Init in such a step: the shared-memory segments go there too (not in
 * /dev/shm, where the run-as user could not remove them at the end, nor create
 * the one-sided windows' segments once confined: the other ranks would wait). */
static void slurm_step_shm(void)
{
    char *d = slurm_step_dir();
    static const char *const keys[] = {"OMPI_MCA_btl_vader_backing_directory",
                                       "OMPI_MCA_osc_sm_backing_directory",
                                       "OMPI_MCA_osc_rdma_backing_directory",
                                       "OMPI_MCA_shmem_mmap_backing_file_base_dir", NULL};
    for (const char *const *k = keys; d && *k; k++)
        setenv(*k, d, 1);
    if (d)
        setenv("OMPI_MCA_shmem", "mmap", 1); /* posix's probe writes in /dev/shm */
    free(d);
}

/* When confining such a rank: the step's folder becomes the run-as user's, and the
 * sandbox lets it write there (and nowhere else in the node's /tmp). */
static void slurm_step_allow(sandbox *sb)
{
    char *d = slurm_step_dir();
    if (d && (!sb->drop || chown(d, sb->uid, sb->gid) == 0))
        strvec_push_owned(&sb->write, d);
    else
        free(d);
    /* MPI between the job's own nodes (out-of-band and TCP) */
    strvec nodes = {0};
    const char *list = getenv("SLURM_JOB_NODELIST");
    if (sb->net && list)
        expand_nodelist(list, &nodes);
    for (size_t i = 0; i < nodes.n; i++)
        add_node_addresses(nodes.v[i], &sb->hosts);
    strvec_free(&nodes);
}

/*
 * A service job's spec carries its sandbox: work in the spec's folder (the
 * job's scratch folder, where relative paths land), then take the run-as
 * user and the Landlock rules before any plugin code runs (sandbox.h),
 * unless the launcher did it before starting us (the local and mpi
 * launchers of the service; a Slurm job or a replay by hand does it here).
 */
static int confine(runspec *spec, const char *spec_path)
{
    char err[1024], note[256];
    sandbox sb;
    char *dir = xstrdup(spec_path), *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    int rc = slash && chdir(dir[0] ? dir : "/") != 0
                 ? errf(err, sizeof err, BX_EIO, "cannot enter the job's folder: %s", strerror(errno))
                 : 0;
    if (rc == 0 && slash)
        setenv("TMPDIR", dir[0] ? dir : "/", 1);
    free(dir);
    /* the result lies beside the spec (checked): name it from here, where the
     * run-as user is, whatever the folders above allow it */
    const char *base = strrchr(spec->result_path, '/');
    if (rc == 0 && base) {
        char *rel = xstrdup(base + 1);
        free(spec->result_path);
        spec->result_path = rel;
    }
    /* the service's launcher confined us already (launch_run_confined) */
    const char *done = getenv("BENCHAAS_CONFINED");
    int slurm = spec->launcher && strcmp(spec->launcher, "slurm") == 0; /* never in a job */
    int already = rc == 0 && !slurm && done && strcmp(done, "1") == 0;
    note[0] = '\0';
    if (rc == 0)
        rc = sandbox_from_json(spec->sandbox, &sb, err, sizeof err);
    if (rc == 0 && slurm)
        slurm_step_allow(&sb);
    if (rc == 0) {
        /* the launcher could not start the network guard between fork and exec: here */
        rc = already ? (sb.net && netguard_supported() ? netguard_start(&sb.hosts, err, sizeof err) : 0)
                     : sandbox_apply(&sb, note, sizeof note, err, sizeof err);
        sandbox_free(&sb);
    }
    if (rc)
        say("cannot confine the run: %s", err);
    else if (note[0])
        say("warning: %s", note);
    return rc;
}

#ifdef BENCHAAS_HAVE_PMIX
/*
 * Wait until every rank of the job is out of MPI_Init: 0, or -1 when the fence failed.
 * MPI_Init ends with a fence that collects no data, and Slurm's PMIx plugin completes such
 * a fence at once unless the site sets PMIxFenceBarrier (measured on the test cluster:
 * ranks leave it while another rank sleeps).  So a rank could leave MPI_Init and send
 * while another is still inside it, and OpenMPI 4 calls a handler it has not set yet:
 * SIGSEGV in the TCP BTL, seen about once in 40 four-node jobs under load.  A fence that
 * collects data waits for every rank under every PMIx server.  Not under PMIx (a
 * singleton): nothing to wait for.
 */
static int ranks_out_of_init(void)
{
    if (!getenv("PMIX_NAMESPACE"))
        return 0;
    pmix_proc_t me;
    if (PMIx_Init(&me, NULL, 0) != PMIX_SUCCESS)
        return -1;
    bool collect = true;
    pmix_info_t info;
    PMIX_INFO_LOAD(&info, PMIX_COLLECT_DATA, &collect, PMIX_BOOL);
    pmix_status_t rc = PMIx_Fence(NULL, 0, &info, 1);
    PMIX_INFO_DESTRUCT(&info);
    PMIx_Finalize(NULL, 0); /* (OpenMPI's own use of PMIx stays: it is counted) */
    return rc == PMIX_SUCCESS ? 0 : -1;
}
#endif

/*
 * MPI_Init for a spec that asks for MPI: 0, or the worker's exit code (3: MPI would not
 * start, 2: this build has no MPI).  lib (512 bytes) gets the MPI library's version.
 *
 * The thread level: MPI_THREAD_FUNNELED when the point runs more than one thread per rank
 * (threads > 1: OpenMP or BLAS threads computing while the main thread may be in MPI), the
 * standard's level for a multi-threaded process whose main thread alone calls MPI.
 * Otherwise MPI_THREAD_SINGLE, what MPI_Init gives (and what OSU, IMB, NetPIPE and HPL
 * run under): the only other thread is the timeline sampler, which never calls MPI, holds
 * nothing of it and sleeps between samples.  It matters: OpenMPI 4 turns its internal
 * locks on for any level above SINGLE (opal_using_threads), which cost about 50 ns per
 * half round trip of a small message on shared memory (docs/plugins/mpi.md).
 */
static int start_mpi(int *argc, char ***argv, int threads, int *rank, int *size, char *lib)
{
#ifdef BENCHAAS_HAVE_MPI
    int provided, level = threads > 1 ? MPI_THREAD_FUNNELED : MPI_THREAD_SINGLE;
    if (MPI_Init_thread(argc, argv, level, &provided) != MPI_SUCCESS) {
        say("MPI_Init failed");
        return 3;
    }
    g_mpi = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
#ifdef BENCHAAS_HAVE_PMIX
    if (*size > 1 && ranks_out_of_init() != 0) {
        say("the fence after MPI_Init failed (PMIx)");
        MPI_Abort(MPI_COMM_WORLD, 3);
        return 3;
    }
#endif
    int len = 0;
    MPI_Get_library_version(lib, &len);
    return 0;
#else
    (void)argc, (void)argv, (void)threads, (void)rank, (void)size, (void)lib;
    say("this benchaas was built without MPI; the spec asks for it");
    return 2;
#endif
}

/*
 * Confine (a spec with a sandbox) and start MPI (a spec that asks for it): 0, or the
 * worker's exit code.  An MPI rank of a Slurm job step registers with the step's PMIx
 * server as the job's user first (the server refuses any other), then confines itself:
 * before any plugin code runs, never before MPI_Init's own.
 */
static int confine_and_start(runspec *spec, int *argc, char ***argv, int *rank, int *size,
                             char *mpi_lib)
{
    const char *spec_path = (*argv)[1];
    int late = spec->sandbox && spec->mpi && spec->launcher && strcmp(spec->launcher, "slurm") == 0;
    if (spec->sandbox && !late && confine(spec, spec_path) != 0)
        return 3;
    if (!spec->mpi)
        return 0;
    if (late)
        slurm_step_shm();
    int rc = start_mpi(argc, argv, spec->threads, rank, size, mpi_lib);
    if (rc == 0 && late && confine(spec, spec_path) != 0) {
#ifdef BENCHAAS_HAVE_MPI
        MPI_Abort(MPI_COMM_WORLD, 3); /* the other ranks must not wait for this one */
#endif
        rc = 3;
    }
    return rc;
}

static int worker_main(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: benchaas worker SPEC.json\n"
                "Run one run spec (see docs/formats.md) and write its result document to the\n"
                "path the spec names.  The runner does this for every point; run it by hand to\n"
                "replay a spec from the spool folder.\n");
        return argc == 2 ? 0 : 2;
    }
    double t0 = mono_now();
    char started[32];
    iso_now(started, sizeof started);
    char err[4096];
    runspec spec;
    if (read_spec(argv[1], &spec) != 0)
        return 2;
    int rank = 0, size = 1;
    char mpi_lib[512] = "";
    int rc0 = confine_and_start(&spec, &argc, &argv, &rank, &size, mpi_lib);
    if (rc0) {
        spec_free(&spec);
        return rc0;
    }

    /* From here on, rank 0 always writes a result document. */
    const char *status = "ok";
    char errtext[4096] = "";
    loaded_plugin lp = {0};
    pset params = {0};
    hostctx h;
    int have_host = 0;
    timeline tl = {0};
    int rc = plugin_load_file(spec.plugin_path, core_host(), &lp, err, sizeof err);
    if (rc == 0 && strcmp(lp.desc->name, spec.plugin) != 0) {
        snprintf(err, sizeof err, "%s holds plugin '%s', the spec asks for '%s'", lp.path,
                 lp.desc->name, spec.plugin);
        rc = BX_EINVAL;
    }
    if (rc == 0) {
        pset_init(&params, lp.desc);
        for (size_t i = 0; rc == 0 && i < spec.pnames.n; i++)
            rc = pset_set(&params, spec.pnames.v[i], spec.pvalues.v[i], err, sizeof err);
    }
    rc = agree(rc);
    if (rc != 0) {
        status = "failed";
        snprintf(errtext, sizeof errtext, "%s", err[0] ? err : "the plugin could not be loaded");
    } else {
        host_setup(&h, &lp, &params, &spec, rank, size);
        have_host = 1;
        const char *phase = "check";
        rc = run_phases(&h, lp.desc, &spec, rank, &tl, &phase);
        if (rc != 0) {
            status = "failed";
            phase_error(&h, rc, phase, errtext, sizeof errtext);
            if (!h.error[0] && rank == 0 && size > 1)
                snprintf(errtext + strlen(errtext), sizeof errtext - strlen(errtext),
                         " (on some rank; see the log)");
        }
        hostctx_fill_best(&h);
    }

    double res[3];
    resource_usage(res);
    /* The whole job's timeline: every rank's samples summed per node and over the job
       (collective under MPI). */
    jobtl jt;
    jobtl_build((const double(*)[3])tl.pts, tl.pts ? tl.n : 0, g_mpi && size > 1, &jt);
    char nodes[4096];
    job_nodes(nodes, sizeof nodes);

    int exit_code = 0;
    if (rank == 0) {
        char finished[32];
        iso_now(finished, sizeof finished);
        char hostbuf[256];
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "result_version", RESULT_VERSION);
        cJSON_AddStringToObject(r, "uuid", spec.uuid);
        cJSON_AddStringToObject(r, "plugin", spec.plugin);
        cJSON_AddStringToObject(r, "plugin_version",
                                lp.desc ? lp.desc->version
                                        : (spec.plugin_version ? spec.plugin_version : ""));
        cJSON_AddStringToObject(r, "experiment", spec.experiment);
        cJSON_AddNumberToObject(r, "point", spec.point);
        cJSON_AddStringToObject(r, "status", status);
        if (errtext[0])
            cJSON_AddStringToObject(r, "error", errtext);
        else
            cJSON_AddNullToObject(r, "error");
        cJSON_AddStringToObject(r, "started_at", started);
        cJSON_AddStringToObject(r, "finished_at", finished);
        cJSON_AddStringToObject(r, "host", short_hostname(hostbuf, sizeof hostbuf));
        add_job_ids(r);
        cJSON_AddStringToObject(r, "launcher", spec.launcher);
        cJSON_AddNumberToObject(r, "ranks", size > 1 ? size : spec.ranks);
        cJSON_AddNumberToObject(r, "threads", spec.threads);
        cJSON_AddNumberToObject(r, "repetitions", spec.repetitions);
        json_add_strvec(r, "tags", &spec.tags);
        cJSON_AddItemToObject(r, "params", have_host     ? hostctx_params_json(&h)
                                           : params.desc ? pset_to_typed_json(&params)
                                                         : cJSON_CreateObject());
        cJSON *metrics = cJSON_AddObjectToObject(r, "metrics");
        if (have_host)
            hostctx_results_json(&h, r);
        cJSON *tlj = jobtl_json(&jt), *tln = jobtl_nodes_json(&jt);
        if (tlj)
            cJSON_AddItemToObject(r, "timeline", tlj);
        if (tln)
            cJSON_AddItemToObject(r, "timeline_nodes", tln);
        add_core_metrics(metrics, &spec, mono_now() - t0, res);
        add_job_peaks(metrics, &jt);
        cJSON *prov = cJSON_AddObjectToObject(r, "provenance");
        provenance_collect(prov, mpi_lib);
        cJSON_AddStringToObject(prov, "nodes", nodes);
        cJSON_AddItemToObject(r, "spec", spec_to_json(&spec));
        if (result_write(spec.result_path, r, err, sizeof err) != 0) {
            say("cannot write the result document: %s", err);
            exit_code = 3;
        }
        cJSON_Delete(r);
    }
    tl_free(&tl);
    jobtl_free(&jt);
    if (have_host)
        hostctx_free(&h);
    if (params.desc)
        pset_free(&params);
    plugin_unload(&lp);
    spec_free(&spec);
    finish_mpi();
    return exit_code;
}

int main(int argc, char **argv)
{
    /* Plugins' stdout would mix with the runner's --json output: send it to
     * stderr (but let --help answer on stdout). */
    if (argc == 2 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h")) {
        fflush(stdout);
        dup2(STDERR_FILENO, STDOUT_FILENO);
    }
    return worker_main(argc, argv);
}
