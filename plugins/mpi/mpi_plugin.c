/*
 * mpi_plugin.c — the interconnect benchmark: OSU-style point-to-point
 * latency and bandwidth and collective latencies, as a BenchaaS plugin.
 *
 * One repetition runs every chosen test at every size:
 *   point to point   mode=pair: rank 0 and one rank on another node (rank 1
 *                    when all ranks share a node); mode=pairs: the first
 *                    rank of every node with the first rank of every other
 *                    node, one pair at a time (the other ranks wait), so a
 *                    slow link shows as one slow pair
 *   collectives      all ranks
 * then the ranks agree on whether any message arrived wrong (every rank's
 * receive check, mpi_pattern.c); a wrong message fails the run.
 *
 * Results (rank 0): one sample per size (pairs: per pair and size, pair
 * after pair) of the test's metric in each repetition; the metric's value
 * is the best repetition of the headline size (latencies: the smallest
 * size, bandwidths: the largest), of the worst pair in pairs mode.  latency
 * has a second figure, latency_min: the fastest batch of round trips, and bw
 * one, bandwidth_max: the fastest iteration (see mpi_p2p.c), the kind of
 * figure NetPIPE reports.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpi_int.h"

/* ---- descriptor ------------------------------------------------------- */

static const char *const test_choices[] = {"pt2pt", "latency", "bw", "bibw", "collective",
                                           "allreduce", "alltoall", "bcast", "all", NULL};
static const char *const mode_choices[] = {"pair", "pairs", NULL};

static const bx_param mpi_params[] = {
    {"test", BX_ENUM, "pt2pt", BX_NORANGE, test_choices,
     "latency (osu_latency), bw (osu_bw), bibw (osu_bibw), allreduce, alltoall, bcast; pt2pt = "
     "the first three, collective = the last three, all = every one", 0},
    {"mode", BX_ENUM, "pair", BX_NORANGE, mode_choices,
     "point-to-point ranks: pair = rank 0 and a rank on another node; pairs = every pair of "
     "nodes, one pair at a time (finds a slow link); collectives use all ranks", 0},
    {"min_size", BX_SIZE, "1", BX_RANGE(1, 1073741824.0), NULL,
     "smallest message size [-m MIN:]; sizes double up to max_size", 0},
    {"max_size", BX_SIZE, "4m", BX_RANGE(1, 1073741824.0), NULL,
     "largest message size [-m :MAX]", 0},
    {"iterations", BX_INT, NULL, BX_RANGE(1, 1e9), NULL,
     "timed iterations of small messages [-i]; above 8 KiB scaled down in OSU's ratio; "
     "default OSU's (latency 10000/1000, bw 100/20, collectives 1000/100)", 0},
    {"warmup", BX_INT, NULL, BX_RANGE(0, 1e9), NULL,
     "untimed iterations before the timed ones [-x]; default OSU's (latency 100/10, bw 10/2, "
     "collectives 100/10)", 0},
    {"window", BX_INT, "64", BX_RANGE(1, 4096), NULL,
     "bw, bibw: non-blocking sends in flight per iteration [-W]", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

static const bx_metric_def mpi_metrics[] = {
    {"latency", "us", BX_BETTER_LOWER,
     "half round trip at min_size, averaged over the iterations (samples: one per size)",
     BX_METRIC_HEADLINE},
    {"latency_min", "us", BX_BETTER_LOWER,
     "half round trip at min_size in the fastest batch of up to 256 round trips (NetPIPE's "
     "kind: the best of short trials; samples: one per size)", 0},
    {"bandwidth", "MB/s", BX_BETTER_HIGHER,
     "bw: window bandwidth at max_size, 1e6 B/s (samples: one per size)", BX_METRIC_HEADLINE},
    {"bandwidth_max", "MB/s", BX_BETTER_HIGHER,
     "bw at max_size in the fastest iteration (one window and its reply; NetPIPE's kind: the "
     "best of short trials; samples: one per size)", 0},
    {"bibw", "MB/s", BX_BETTER_HIGHER, "bidirectional bandwidth at max_size (samples: per size)",
     0},
    {"allreduce", "us", BX_BETTER_LOWER, "average latency at the smallest size (samples: per size)",
     0},
    {"alltoall", "us", BX_BETTER_LOWER, "average latency at min_size (samples: per size)", 0},
    {"bcast", "us", BX_BETTER_LOWER, "average latency at min_size (samples: per size)", 0},
    {"pair_latency", "us", BX_BETTER_LOWER,
     "pairs: each pair's latency at min_size as samples; the value is the slowest pair", 0},
    {"pair_bandwidth", "MB/s", BX_BETTER_HIGHER,
     "pairs: each pair's bw at max_size as samples; the value is the slowest pair", 0},
    {"verified", "", BX_BETTER_NONE, "1 when every message arrived as it was sent", 0},
    {NULL, NULL, 0, NULL, 0},
};

/* The rows of a repetition's figures: one per test, latency's fastest batch and bw's
 * fastest iteration. */
#define ROW_LAT_MIN T_COUNT
#define ROW_BW_MAX (T_COUNT + 1)
#define ROWS (T_COUNT + 2)

static const char *const metric_of[ROWS] = {"latency",  "bandwidth", "bibw",
                                            "allreduce", "alltoall", "bcast",
                                            "latency_min", "bandwidth_max"};

/* ---- state ------------------------------------------------------------ */

typedef struct mpi_state {
    mpi_run r;
    int npairs;
    int *pair_a, *pair_b;    /* the measuring and the answering rank of each pair */
    char (*host)[64];        /* rank 0: every rank's node name */
    size_t per_rep;          /* doubles per repetition: ROWS x npairs x nsizes */
    double *res, *sum;       /* this repetition: this rank's figures, the sum over ranks */
    double *hist;            /* rank 0: every timed repetition's figures */
    unsigned nhist;
} mpi_state;

/* The figure of row (a test, or ROW_LAT_MIN), pair and size in base. */
static double *cell(const mpi_state *s, double *base, int row, int pair, size_t size)
{
    return base + ((size_t)row * (size_t)s->npairs + (size_t)pair) * s->r.cfg.nsizes + size;
}

/* The rows a run fills: its tests' bits, ROW_LAT_MIN's with latency, ROW_BW_MAX's with bw. */
static unsigned rows_of(const mpi_cfg *c)
{
    return c->tests | ((c->tests & (1u << T_LATENCY)) ? 1u << ROW_LAT_MIN : 0) |
           ((c->tests & (1u << T_BW)) ? 1u << ROW_BW_MAX : 0);
}

/* Rows whose better figure is the higher. */
static int higher_row(int row)
{
    return row == T_BW || row == T_BIBW || row == ROW_BW_MAX;
}

/* Rows of point-to-point figures (one per pair). */
static int p2p_row(int row)
{
    return row == ROW_LAT_MIN || row == ROW_BW_MAX || ((1u << row) & T_P2P_MASK);
}

static int mpi_check_cb(bx_ctx *ctx)
{
    mpi_cfg cfg;
    return mpi_cfg_load(ctx, &cfg);
}

/* The node names of every rank; the pairs of the point-to-point tests. */
static int plan_pairs(bx_ctx *ctx, mpi_state *s)
{
    int n = s->r.nranks;
    char mine[MPI_MAX_PROCESSOR_NAME] = "";
    int len = 0;
    MPI_Get_processor_name(mine, &len);
    s->host = calloc((size_t)n, sizeof *s->host);
    int *lead = calloc((size_t)n, sizeof *lead);
    s->pair_a = calloc((size_t)n * (size_t)n / 2 + 1, sizeof(int));
    s->pair_b = calloc((size_t)n * (size_t)n / 2 + 1, sizeof(int));
    if (!s->host || !lead || !s->pair_a || !s->pair_b) {
        free(lead);
        return bx_error(ctx, BX_ENOMEM, "out of memory for %d ranks", n);
    }
    char name[64];
    snprintf(name, sizeof name, "%s", mine);
    MPI_Allgather(name, 64, MPI_CHAR, s->host, 64, MPI_CHAR, MPI_COMM_WORLD);
    int nlead = 0, other = -1; /* the first rank of each node; the first off rank 0's node */
    for (int r = 0; r < n; r++) {
        int first = 1;
        for (int q = 0; q < r && first; q++)
            first = strcmp(s->host[q], s->host[r]) != 0;
        if (first)
            lead[nlead++] = r;
        if (other < 0 && strcmp(s->host[r], s->host[0]) != 0)
            other = r;
    }
    s->npairs = 0;
    if (!(s->r.cfg.tests & T_P2P_MASK)) {
        s->npairs = 1; /* the collectives' row */
    } else if (s->r.cfg.mode == MODE_PAIR) {
        s->pair_a[0] = 0;
        s->pair_b[0] = other >= 0 ? other : 1;
        s->npairs = 1;
    } else {
        if (nlead == 1) /* one node: every pair of ranks */
            for (int r = 0; r < n; r++)
                lead[r] = r;
        int k = nlead == 1 ? n : nlead;
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++) {
                s->pair_a[s->npairs] = lead[i];
                s->pair_b[s->npairs++] = lead[j];
            }
    }
    free(lead);
    if ((s->r.cfg.tests & T_P2P_MASK) && other < 0 && s->r.rank == 0)
        bx_warn(ctx, "all %d ranks are on one node (%s): the point-to-point figures are of "
                     "shared memory, not of the network; run the ranks on two nodes or more",
                n, s->host[0]);
    return 0;
}

/* MPI's thread support level in this process (the worker chose it; docs/plugins/mpi.md). */
static const char *thread_level(void)
{
    int level = -1;
    MPI_Query_thread(&level);
    return level == MPI_THREAD_SINGLE       ? "single"
           : level == MPI_THREAD_FUNNELED   ? "funneled"
           : level == MPI_THREAD_SERIALIZED ? "serialized"
           : level == MPI_THREAD_MULTIPLE   ? "multiple"
                                            : "unknown";
}

/* Run metadata: the sizes of each metric's samples, the pairs, MPI's thread level. */
static void describe_run(bx_ctx *ctx, mpi_state *s)
{
    const mpi_cfg *c = &s->r.cfg;
    bx_meta(ctx, "mpi_thread_level", thread_level());
    for (int t = 0; t < ROWS; t++) {
        if (!(rows_of(c) & (1u << t)))
            continue;
        char key[64], list[MPI_MAX_SIZES * 12] = "";
        size_t used = 0;
        for (size_t i = 0; i < c->nsizes && used < sizeof list; i++)
            if (c->sizes[i] >= mpi_test_min_size(t))
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%llu",
                                         used ? "," : "", (unsigned long long)c->sizes[i]);
        snprintf(key, sizeof key, "sizes.%s", metric_of[t]);
        bx_meta(ctx, key, list);
    }
    for (int p = 0; p < s->npairs && (c->tests & T_P2P_MASK); p++) {
        char key[32], v[200];
        snprintf(key, sizeof key, "pair%d", p);
        snprintf(v, sizeof v, "rank %d on %s <-> rank %d on %s", s->pair_a[p],
                 s->host[s->pair_a[p]], s->pair_b[p], s->host[s->pair_b[p]]);
        bx_meta(ctx, key, v);
    }
}

/* The test hooks (for the tests only):
 *   BENCHAAS_MPI_TEST_CORRUPT=SIZE[:OFFSET[:RANK]]  flip a byte of every message of SIZE
 *                                            bytes a rank (RANK only, if given) sends (at
 *                                            OFFSET, default the middle)
 *   BENCHAAS_MPI_TEST_DELAY=RANK:USEC        rank RANK waits USEC us before every send
 *                                            (a slow link) */
static void read_test_hooks(mpi_run *r)
{
    char *end;
    const char *v = getenv("BENCHAAS_MPI_TEST_CORRUPT");
    if (v && *v) {
        r->corrupt_size = strtoull(v, &end, 10);
        r->corrupt_off = *end == ':' ? strtoull(end + 1, &end, 10) : UINT64_MAX;
        r->corrupt_rank = *end == ':' ? (int)strtol(end + 1, NULL, 10) : -1;
    }
    v = getenv("BENCHAAS_MPI_TEST_DELAY");
    r->delay_rank = -1;
    if (v && *v) {
        r->delay_rank = (int)strtol(v, &end, 10);
        r->delay_us = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
    }
}

static int mpi_init_cb(bx_ctx *ctx, void **out)
{
    mpi_state *s = calloc(1, sizeof *s);
    if (!s)
        return bx_error(ctx, BX_ENOMEM, "out of memory");
    *out = s;
    int rc = mpi_cfg_load(ctx, &s->r.cfg);
    if (rc)
        return rc;
    MPI_Comm_rank(MPI_COMM_WORLD, &s->r.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &s->r.nranks);
    read_test_hooks(&s->r);
    if ((rc = plan_pairs(ctx, s)) != 0)
        return rc;
    size_t bytes = (size_t)mpi_buf_bytes(&s->r.cfg, s->r.nranks);
    s->r.sbuf = aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
    s->r.rbuf = aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
    s->r.reqs = calloc(2 * (size_t)s->r.cfg.window, sizeof(MPI_Request));
    s->r.seeds = calloc((size_t)s->r.nranks, sizeof *s->r.seeds);
    s->per_rep = (size_t)ROWS * (size_t)s->npairs * s->r.cfg.nsizes;
    s->res = calloc(s->per_rep, sizeof *s->res);
    s->sum = calloc(s->per_rep, sizeof *s->sum);
    s->hist = calloc(s->per_rep * (bx_repetitions(ctx) + 1), sizeof *s->hist);
    if (!s->r.sbuf || !s->r.rbuf || !s->r.reqs || !s->r.seeds || !s->res || !s->sum || !s->hist)
        return bx_error(ctx, BX_ENOMEM, "out of memory for the message buffers (2 x %zu bytes)",
                        bytes);
    memset(s->r.sbuf, 0, bytes); /* touch them now, not in the first timed loop */
    memset(s->r.rbuf, 0, bytes);
    if (s->r.rank == 0)
        describe_run(ctx, s);
    return 0;
}

/* Every rank: 0 when no rank saw a wrong message, else the lowest such rank's text in err. */
static int agree_bad(mpi_state *s, char *err, size_t len)
{
    int mine = s->r.bad ? s->r.rank : INT_MAX, first = INT_MAX;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == INT_MAX)
        return 0;
    char msg[sizeof s->r.bad_msg];
    memcpy(msg, s->r.bad_msg, sizeof msg);
    MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first, MPI_COMM_WORLD);
    snprintf(err, len, "%s", msg);
    return 1;
}

/*
 * Wait for every rank without spinning.  The ranks outside the pair being
 * measured wait here for the whole of its test; in MPI_Barrier they would
 * busy-poll, taking CPU time and memory bandwidth from the pair where they
 * share its nodes' cores (the other ranks of a node in pairs mode, or nodes
 * that share a machine).  Checked every millisecond: only the time between
 * pairs grows, by at most that, never a measured time.
 */
static void wait_all_quietly(void)
{
    MPI_Request rq;
    int done = 0;
    MPI_Ibarrier(MPI_COMM_WORLD, &rq);
    MPI_Test(&rq, &done, MPI_STATUS_IGNORE);
    while (!done) {
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
        MPI_Test(&rq, &done, MPI_STATUS_IGNORE);
    }
}

/* The point-to-point tests of one repetition, pair after pair. */
static void run_p2p(mpi_state *s)
{
    const mpi_cfg *c = &s->r.cfg;
    for (int t = 0; t < T_COUNT; t++) {
        if (!(c->tests & (1u << t)) || !((1u << t) & T_P2P_MASK))
            continue;
        for (int p = 0; p < s->npairs; p++) {
            int a = s->pair_a[p], b = s->pair_b[p];
            for (size_t i = 0; (s->r.rank == a || s->r.rank == b) && i < c->nsizes; i++) {
                *cell(s, s->res, t, p, i) = mpi_p2p(&s->r, t, c->sizes[i], a, b);
                if (t == T_LATENCY)
                    *cell(s, s->res, ROW_LAT_MIN, p, i) = s->r.rank == a ? s->r.lat_best : 0;
                if (t == T_BW)
                    *cell(s, s->res, ROW_BW_MAX, p, i) = s->r.rank == a ? s->r.bw_best : 0;
            }
            wait_all_quietly(); /* one pair at a time */
        }
    }
}

static void run_coll(mpi_state *s)
{
    const mpi_cfg *c = &s->r.cfg;
    for (int t = T_ALLREDUCE; t < T_COUNT; t++)
        for (size_t i = 0; (c->tests & (1u << t)) && i < c->nsizes; i++) {
            double v = c->sizes[i] >= mpi_test_min_size(t) ? mpi_coll(&s->r, t, c->sizes[i]) : NAN;
            *cell(s, s->res, t, 0, i) = s->r.rank == 0 ? v : 0;
        }
}

/* Rank 0: the samples of one repetition (figures in s->sum). */
static void emit_samples(bx_ctx *ctx, mpi_state *s)
{
    const mpi_cfg *c = &s->r.cfg;
    for (int t = 0; t < ROWS; t++) {
        if (!(rows_of(c) & (1u << t)))
            continue;
        int np = p2p_row(t) ? s->npairs : 1;
        for (int p = 0; p < np; p++)
            for (size_t i = 0; i < c->nsizes; i++)
                if (!isnan(*cell(s, s->sum, t, p, i)))
                    bx_sample(ctx, metric_of[t], *cell(s, s->sum, t, p, i));
    }
    for (int p = 0; p < s->npairs && c->mode == MODE_PAIRS; p++) {
        if (c->tests & (1u << T_LATENCY))
            bx_sample(ctx, "pair_latency", *cell(s, s->sum, T_LATENCY, p, 0));
        if (c->tests & (1u << T_BW))
            bx_sample(ctx, "pair_bandwidth", *cell(s, s->sum, T_BW, p, c->nsizes - 1));
    }
}

static int mpi_run_cb(bx_ctx *ctx, void *state, unsigned rep)
{
    mpi_state *s = state;
    memset(s->res, 0, s->per_rep * sizeof *s->res);
    run_p2p(s);
    run_coll(s);
    MPI_Reduce(s->res, s->sum, (int)s->per_rep, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    char err[sizeof s->r.bad_msg];
    if (agree_bad(s, err, sizeof err)) {
        bx_metric(ctx, "verified", 0);
        return bx_error(ctx, BX_EFAILED, "verification failed in repetition %u: %s", rep, err);
    }
    if (s->r.rank != 0 || rep == 0)
        return 0;
    emit_samples(ctx, s);
    memcpy(s->hist + s->per_rep * s->nhist++, s->sum, s->per_rep * sizeof *s->sum);
    return 0;
}

/* The figure of row t in one repetition: the headline size, the worst pair. */
static double rep_figure(const mpi_state *s, double *rep, int t)
{
    const mpi_cfg *c = &s->r.cfg;
    int higher = higher_row(t);
    size_t i = higher ? c->nsizes - 1 : 0;
    while (!higher && i + 1 < c->nsizes && isnan(*cell(s, rep, t, 0, i)))
        i++;
    int np = p2p_row(t) ? s->npairs : 1;
    double v = *cell(s, rep, t, 0, i);
    for (int p = 1; p < np; p++) {
        double x = *cell(s, rep, t, p, i);
        v = higher ? fmin(v, x) : fmax(v, x);
    }
    return v;
}

/*
 * pairs: find the node whose link is slow (the last repetition).  A node's
 * figure is the best of the pairs it is in: a node behind a slow link is
 * slow in all of them, every other node has fast pairs among the rest.  A
 * node whose best bandwidth is under half the median of the nodes' (whose
 * best latency is over twice it) is named in a warning and in the run's
 * metadata `slow_nodes`.  With two nodes the ends of the one link cannot be
 * told apart, so it takes three or more.
 */
static void find_slow_nodes(bx_ctx *ctx, mpi_state *s, double *rep, int t)
{
    if (s->npairs < 3 || !(s->r.cfg.tests & (1u << t)))
        return;
    int higher = t == T_BW, n = s->r.nranks, k = 0;
    size_t i = higher ? s->r.cfg.nsizes - 1 : 0;
    double *best = malloc(sizeof *best * (size_t)n * 2);
    if (!best)
        return;
    double *v = best + n;
    for (int r = 0; r < n; r++)
        best[r] = NAN;
    for (int p = 0; p < s->npairs; p++) {
        double x = *cell(s, rep, t, p, i);
        int ends[2] = {s->pair_a[p], s->pair_b[p]};
        for (int e = 0; e < 2; e++) {
            double *b = &best[ends[e]];
            *b = isnan(*b) ? x : higher ? fmax(*b, x) : fmin(*b, x);
        }
    }
    for (int r = 0; r < n; r++)
        if (!isnan(best[r]))
            v[k++] = best[r];
    double med = bx_median(v, (size_t)k);
    char list[512] = "";
    size_t used = 0;
    for (int r = 0; r < n; r++) {
        if (isnan(best[r]) || (higher ? best[r] >= 0.5 * med : best[r] <= 2.0 * med))
            continue;
        bx_warn(ctx, "rank %d on %s: its best pair's %s is %.2f %s, %s the median %.2f of the "
                     "%d nodes' best pairs: check this node's link",
                r, s->host[r], higher ? "bandwidth" : "latency", best[r], higher ? "MB/s" : "us",
                higher ? "under half" : "over twice", med, k);
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s (rank %d)",
                                     used ? "," : "", s->host[r], r);
    }
    if (used)
        bx_meta(ctx, higher ? "slow_nodes.bandwidth" : "slow_nodes.latency", list);
    free(best);
}

static int mpi_report_cb(bx_ctx *ctx, void *state)
{
    mpi_state *s = state;
    if (s->r.rank != 0 || s->nhist == 0)
        return 0;
    for (int t = 0; t < ROWS; t++) {
        if (!(rows_of(&s->r.cfg) & (1u << t)))
            continue;
        int higher = higher_row(t);
        double best = rep_figure(s, s->hist, t);
        for (unsigned k = 1; k < s->nhist; k++) {
            double v = rep_figure(s, s->hist + s->per_rep * k, t);
            best = higher ? fmax(best, v) : fmin(best, v);
        }
        bx_metric(ctx, metric_of[t], best);
        if (s->r.cfg.mode == MODE_PAIRS && t == T_LATENCY)
            bx_metric(ctx, "pair_latency", best);
        if (s->r.cfg.mode == MODE_PAIRS && t == T_BW)
            bx_metric(ctx, "pair_bandwidth", best);
    }
    if (s->r.cfg.mode == MODE_PAIRS) {
        double *last = s->hist + s->per_rep * (s->nhist - 1);
        find_slow_nodes(ctx, s, last, T_LATENCY);
        find_slow_nodes(ctx, s, last, T_BW);
    }
    bx_metric(ctx, "verified", 1);
    return 0;
}

static void mpi_fini_cb(void *state)
{
    mpi_state *s = state;
    if (!s)
        return;
    free(s->r.sbuf);
    free(s->r.rbuf);
    free(s->r.reqs);
    free(s->r.seeds);
    free(s->pair_a);
    free(s->pair_b);
    free(s->host);
    free(s->res);
    free(s->sum);
    free(s->hist);
    free(s);
}

static const bx_plugin mpi_plugin = {
    BX_PLUGIN_HEADER,
    .flags = BX_NEEDS_MPI,
    .name = "mpi",
    .version = "1.0.0",
    .description = "interconnect: OSU-style latency, bandwidth, bidirectional bandwidth and "
                   "allreduce/alltoall/bcast over message sizes, every message checked",
    .params = mpi_params,
    .metrics = mpi_metrics,
    .default_repetitions = 3,
    .check = mpi_check_cb,
    .init = mpi_init_cb,
    .run = mpi_run_cb,
    .report = mpi_report_cb,
    .fini = mpi_fini_cb,
};

BX_PLUGIN_DEFINE(mpi_plugin)
