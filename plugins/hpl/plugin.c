/*
 * plugin.c — the "hpl" BenchaaS plugin: parameters, checks, the timed run,
 * metrics, `describe` and the HPL.dat import (expand).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>

#include "benchaas/sdk.h"
#include "hpl.h"
#include "hpl_dat.h"
#include "solver.h"

const char *const hpl_fact_names[] = {"left", "crout", "right", NULL};
const char *const hpl_bcast_names[] = {"1ring", "1ringM", "2ring", "2ringM", "long", "longM", NULL};
/* spread-roll is HPL's description of "long"; both names are accepted. */
const char *const hpl_swap_names[] = {"binexch", "long", "mix", "spread-roll", NULL};
static const char *const pmap_names[] = {"row", "col", NULL};

static const bx_param params[] = {
    {"N", BX_INT, "2000", BX_RANGE(1, 2147483647), NULL,
     "order of the matrix (memory: about 8*N*N bytes over the P*Q ranks)", 0},
    {"NB", BX_INT, "192", BX_RANGE(1, 65536), NULL, "block size of the 2-D block-cyclic distribution", 0},
    {"P", BX_INT, NULL, BX_RANGE(1, 65536), NULL,
     "process rows (default: the squarest P <= Q with P*Q = ranks)", 0},
    {"Q", BX_INT, NULL, BX_RANGE(1, 65536), NULL, "process columns (default: ranks / P)", 0},
    {"pmap", BX_ENUM, "row", BX_NORANGE, pmap_names,
     "process mapping: row (rank = row*Q + col) or col (rank = col*P + row) [HPL PMAP]", 0},
    {"depth", BX_INT, "1", BX_RANGE(0, 16), NULL, "look-ahead depth in panels [HPL DEPTHs]", 0},
    {"pfact", BX_ENUM, "right", BX_NORANGE, hpl_fact_names,
     "panel factorisation below nbmin columns [HPL PFACTs]", 0},
    {"rfact", BX_ENUM, "crout", BX_NORANGE, hpl_fact_names,
     "recursive panel factorisation [HPL RFACTs]", 0},
    {"nbmin", BX_INT, "4", BX_RANGE(1, 65536), NULL, "recursion stops at this many columns [HPL NBMINs]", 0},
    {"ndiv", BX_INT, "2", BX_RANGE(2, 64), NULL, "panels per recursion level [HPL NDIVs]", 0},
    {"bcast", BX_ENUM, "1ringM", BX_NORANGE, hpl_bcast_names,
     "panel broadcast along process rows [HPL BCASTs]", 0},
    {"swap", BX_ENUM, "mix", BX_NORANGE, hpl_swap_names,
     "row interchanges and U broadcast: binexch, long (spread-roll) or mix [HPL SWAP]", 0},
    {"swap_threshold", BX_INT, "64", BX_RANGE(0, 2147483647), NULL,
     "mix: binary exchange up to this many columns, long above [HPL swapping threshold]", 0},
    {"seed", BX_INT, "42", BX_RANGE(0, 9.2e18), NULL, "selects the random matrix", 0},
    {"threshold", BX_DOUBLE, "16.0", BX_RANGE(0, 1e300), NULL,
     "the run passes when the scaled residual is below this", 0},
    {"shm", BX_BOOL, "true", BX_NORANGE, NULL,
     "ranks of a process row on one node share panels through memory instead of sending them "
     "(bcast then only matters between nodes)", 0},
    {"hpl_dat", BX_STRING, NULL, BX_NORANGE, NULL,
     "import a netlib HPL.dat: every combination of its lists becomes a point", BX_PARAM_PATH_READ},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

static const bx_metric_def metrics[] = {
    {"gflops", "GFLOP/s", BX_BETTER_HIGHER, "(2/3 N^3 + 3/2 N^2) / time", BX_METRIC_HEADLINE},
    {"time", "s", BX_BETTER_LOWER, "factorisation and solve, slowest rank", 0},
    {"residual", "", BX_BETTER_NONE,
     "||Ax-b||_oo / (eps (||A||_oo ||x||_oo + ||b||_oo) N), the worst repetition", 0},
    {"passed", "", BX_BETTER_NONE, "1 when every residual was below threshold", 0},
    {NULL, NULL, 0, NULL, 0},
};

/* ---- parameters ---------------------------------------------------------- */

static int enum_index(const char *const *names, const char *v)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], v) == 0)
            return i;
    return -1;
}

/* The squarest grid P <= Q with P*Q = n. */
static void auto_grid(int n, int *p, int *q)
{
    int best = 1;
    for (int i = 1; (int64_t)i * i <= n; i++)
        if (n % i == 0)
            best = i;
    *p = best;
    *q = n / best;
}

/* Read the parameters into c; P and Q are resolved against `ranks`.
 * Returns BX_EINVAL with the reason on a bad value. */
static int read_cfg(bx_ctx *ctx, hpl_cfg *c, int ranks)
{
    memset(c, 0, sizeof *c);
    c->n = bx_param_int(ctx, "N");
    c->nb = bx_param_int(ctx, "NB");
    if (c->n < 1)
        return bx_error(ctx, BX_EINVAL, "N=%lld: the matrix order must be at least 1", (long long)c->n);
    if (c->nb < 1)
        return bx_error(ctx, BX_EINVAL, "NB=%lld: the block size must be at least 1", (long long)c->nb);
    int pset = bx_param_isset(ctx, "P"), qset = bx_param_isset(ctx, "Q");
    int64_t p = pset ? bx_param_int(ctx, "P") : 0, q = qset ? bx_param_int(ctx, "Q") : 0;
    if ((pset && p < 1) || (qset && q < 1))
        return bx_error(ctx, BX_EINVAL, "P=%lld Q=%lld: the process grid needs P >= 1 and Q >= 1",
                        (long long)p, (long long)q);
    if (!pset && !qset) {
        int ip, iq;
        auto_grid(ranks, &ip, &iq);
        p = ip;
        q = iq;
    } else if (!qset) {
        q = ranks / p > 0 ? ranks / p : 1;
    } else if (!pset) {
        p = ranks / q > 0 ? ranks / q : 1;
    }
    if (p * q > ranks)
        return bx_error(ctx, BX_EINVAL,
                        "the process grid P x Q = %lld x %lld needs %lld ranks but the run has %d; "
                        "use --ranks %lld or a smaller grid",
                        (long long)p, (long long)q, (long long)(p * q), ranks, (long long)(p * q));
    c->p = (int)p;
    c->q = (int)q;
    c->colmajor = enum_index(pmap_names, bx_param_str(ctx, "pmap")) == 1;
    c->depth = (int)bx_param_int(ctx, "depth");
    c->pfact = enum_index(hpl_fact_names, bx_param_str(ctx, "pfact"));
    c->rfact = enum_index(hpl_fact_names, bx_param_str(ctx, "rfact"));
    c->nbmin = (int)bx_param_int(ctx, "nbmin");
    c->ndiv = (int)bx_param_int(ctx, "ndiv");
    c->bcast = enum_index(hpl_bcast_names, bx_param_str(ctx, "bcast"));
    c->swap = enum_index(hpl_swap_names, bx_param_str(ctx, "swap"));
    if (c->swap == 3)
        c->swap = HPL_SWAP_LONG; /* spread-roll */
    c->swap_threshold = (int)bx_param_int(ctx, "swap_threshold");
    c->seed = (uint64_t)bx_param_int(ctx, "seed");
    c->threshold = bx_param_double(ctx, "threshold");
    c->shm = bx_param_bool(ctx, "shm");
    if (c->pfact < 0 || c->rfact < 0 || c->bcast < 0 || c->swap < 0)
        return bx_error(ctx, BX_EINVAL, "unknown pfact/rfact/bcast/swap value (pfact=%s rfact=%s bcast=%s swap=%s)",
                        bx_param_str(ctx, "pfact"), bx_param_str(ctx, "rfact"), bx_param_str(ctx, "bcast"),
                        bx_param_str(ctx, "swap"));
    if (c->depth < 0 || c->nbmin < 1 || c->ndiv < 2)
        return bx_error(ctx, BX_EINVAL, "depth must be >= 0, nbmin >= 1 and ndiv >= 2 (got %d, %d, %d)", c->depth,
                        c->nbmin, c->ndiv);
    return 0;
}

/* ---- memory ---------------------------------------------------------------- */

/* Bytes of memory this node has: MemAvailable (avail=1) or MemTotal. */
static uint64_t node_memory(int avail)
{
    FILE *f = fopen("/proc/meminfo", "r");
    const char *key = avail ? "MemAvailable:" : "MemTotal:";
    uint64_t kb = 0;
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, key, strlen(key)) == 0) {
                kb = strtoull(line + strlen(key), NULL, 10);
                break;
            }
        fclose(f);
    }
    if (kb)
        return kb * 1024u;
    long pages = sysconf(avail ? _SC_AVPHYS_PAGES : _SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    return pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0;
}

/* How many of the grid's ranks share a node: what the runner says
 * (bx_node_ranks: all ranks for the local and mpi launchers, ranks / nodes
 * under Slurm, MPI's count inside the job), unless BENCHAAS_RANKS_PER_NODE
 * says fewer (an mpirun hostfile the runner cannot see).  Ranks outside the
 * P x Q grid hold nothing. */
static int ranks_per_node(bx_ctx *ctx, int grid)
{
    int n = bx_node_ranks(ctx);
    const char *v = getenv("BENCHAAS_RANKS_PER_NODE");
    int user = v ? atoi(v) : 0;
    if (user > 0 && user < n)
        n = user;
    return n > 0 && n < grid ? n : grid;
}

/* Bytes the `here` ranks of one node need: the busiest rank times the ranks there. */
static uint64_t node_need(int64_t n, int64_t nb, int p, int q, int depth, int here)
{
    return hpl_bytes_per_rank(n, nb, p, q, depth) * (uint64_t)here;
}

/* The largest N whose `here` ranks on one node use at most `budget` bytes. */
static int64_t largest_n(uint64_t budget, int64_t nb, int p, int q, int depth, int here)
{
    int64_t lo = 0, hi = 1;
    while (hi < 2147483647 && node_need(hi, nb, p, q, depth, here) <= budget)
        hi *= 2;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (node_need(mid, nb, p, q, depth, here) <= budget)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static void fmt_bytes(uint64_t b, char *buf, size_t len)
{
    snprintf(buf, len, "%.2f GiB", (double)b / (1024.0 * 1024.0 * 1024.0));
}

/* One problem against the node's memory and MPI's int counts.  `where` is
 * "" or "FILE:LINE: " for HPL.dat points. */
static int check_problem(bx_ctx *ctx, const hpl_cfg *c, const char *where)
{
    int64_t mloc = hpl_numroc(c->n, c->nb, 0, c->p);
    if ((mloc + 2 * c->nb + 1) * c->nb > 2147483647 || mloc > 2147483647 / 2)
        return bx_error(ctx, BX_EINVAL,
                        "%sN=%lld NB=%lld on %d process rows: a panel of %lld x %lld doubles is more than "
                        "one MPI message can hold; use more process rows or a smaller NB",
                        where, (long long)c->n, (long long)c->nb, c->p, (long long)mloc, (long long)c->nb);
    uint64_t per = hpl_bytes_per_rank(c->n, c->nb, c->p, c->q, c->depth);
    int here = ranks_per_node(ctx, c->p * c->q);
    uint64_t need = per * (uint64_t)here, avail = node_memory(1);
    if (avail && need > avail) {
        char a[32], b[32], t[32];
        fmt_bytes(per, a, sizeof a);
        fmt_bytes(need, b, sizeof b);
        fmt_bytes(avail, t, sizeof t);
        return bx_error(ctx, BX_EINVAL,
                        "%sN=%lld needs %s per rank, %s for the %d ranks on this node, but the node has %s "
                        "available; the largest N that fits in 80%% of it on a %d x %d grid is %lld "
                        "(under Slurm, slurm.nodes spreads the ranks over more nodes)",
                        where, (long long)c->n, a, b, here, t, c->p, c->q,
                        (long long)largest_n((uint64_t)(0.8 * (double)avail), c->nb, c->p, c->q, c->depth, here));
    }
    return 0;
}

/* ---- HPL.dat -------------------------------------------------------------- */

typedef struct dat_check {
    bx_ctx *ctx;
    const hpl_dat *d;
    const char *path;
    int ranks;
    hpl_cfg base;
} dat_check;

static const char *kv_get(const char *const *kv, const char *name)
{
    size_t n = strlen(name);
    for (; *kv; kv++)
        if (strncmp(*kv, name, n) == 0 && (*kv)[n] == '=')
            return *kv + n + 1;
    return NULL;
}

static int dat_check_point(void *user, const char *const *kv)
{
    dat_check *dc = user;
    hpl_cfg c = dc->base;
    c.n = atoll(kv_get(kv, "N"));
    c.nb = atoll(kv_get(kv, "NB"));
    c.p = atoi(kv_get(kv, "P"));
    c.q = atoi(kv_get(kv, "Q"));
    c.depth = atoi(kv_get(kv, "depth"));
    char where[600];
    if (c.p * c.q > dc->ranks) {
        return bx_error(dc->ctx, BX_EINVAL,
                        "%s:%d: the process grid %d x %d needs %d ranks but the run has %d; use --ranks %d "
                        "or remove that grid",
                        dc->path, dc->d->line_p, c.p, c.q, c.p * c.q, dc->ranks, c.p * c.q);
    }
    snprintf(where, sizeof where, "%s:%d: ", dc->path, dc->d->line_n);
    return check_problem(dc->ctx, &c, where);
}

static int check_dat(bx_ctx *ctx, const hpl_cfg *base, int ranks)
{
    const char *path = bx_param_str(ctx, "hpl_dat");
    hpl_dat *d = malloc(sizeof *d);
    if (!d)
        return bx_error(ctx, BX_ENOMEM, "out of memory reading %s", path);
    char err[1024];
    int rc = 0;
    if (hpl_dat_read(path, d, err, sizeof err) != 0) {
        rc = bx_error(ctx, BX_EINVAL, "%s", err);
    } else {
        dat_check dc = {.ctx = ctx, .d = d, .path = path, .ranks = ranks, .base = *base};
        rc = hpl_dat_foreach(d, dat_check_point, &dc);
    }
    free(d);
    return rc;
}

static int expand_point(void *user, const char *const *kv) { return bx_expand_point(user, kv); }

/* hpl_dat=FILE: every combination of the file's lists becomes a point. */
static int hpl_expand(bx_ctx *ctx)
{
    if (!bx_param_isset(ctx, "hpl_dat") || !*bx_param_str(ctx, "hpl_dat"))
        return 0;
    const char *path = bx_param_str(ctx, "hpl_dat");
    hpl_dat *d = malloc(sizeof *d);
    if (!d)
        return bx_error(ctx, BX_ENOMEM, "out of memory reading %s", path);
    char err[1024];
    int rc;
    if (hpl_dat_read(path, d, err, sizeof err) != 0)
        rc = bx_error(ctx, BX_EINVAL, "%s", err);
    else
        rc = hpl_dat_foreach(d, expand_point, ctx);
    free(d);
    return rc;
}

/* ---- callbacks --------------------------------------------------------------- */

static int plugin_check(bx_ctx *ctx)
{
    hpl_cfg c;
    int ranks = bx_nranks(ctx);
    int rc = read_cfg(ctx, &c, ranks);
    if (rc)
        return rc;
    if (bx_param_isset(ctx, "hpl_dat") && *bx_param_str(ctx, "hpl_dat"))
        return check_dat(ctx, &c, ranks);
    return check_problem(ctx, &c, "");
}

typedef struct hpl_state {
    hpl_cfg c;
    hpl_grid g;
    hpl_solver *s;
    double worst_resid;
    int failed;         /* a residual above threshold, or a singular matrix */
    unsigned runs;
    char why[512];
} hpl_state;

static void hpl_fini(void *state)
{
    hpl_state *st = state;
    if (!st)
        return;
    hpl_solver_free(st->s);
    hpl_grid_free(&st->g);
    free(st);
}

/* Any rank's failure is every rank's, so no rank is left in a collective. */
static int agree(int rc)
{
    int v = rc ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return v;
}

static int hpl_init(bx_ctx *ctx, void **state)
{
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited)
        return bx_error(ctx, BX_EINVAL, "hpl needs MPI: run it through benchaas (it starts the ranks with mpirun)");
    int world = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    hpl_state *st = calloc(1, sizeof *st);
    int rc = st ? read_cfg(ctx, &st->c, world) : bx_error(ctx, BX_ENOMEM, "out of memory");
    if (agree(rc)) {
        free(st);
        return rc ? rc : bx_error(ctx, BX_EINVAL, "another rank refused the parameters");
    }
    if (hpl_grid_init(&st->g, MPI_COMM_WORLD, st->c.p, st->c.q, st->c.colmajor) != 0) {
        int p = st->c.p, q = st->c.q;
        free(st);
        return bx_error(ctx, BX_ECOMM, "could not build the %d x %d process grid", p, q);
    }
    char err[512] = "";
    rc = 0;
    if (st->g.active && hpl_solver_new(&st->c, &st->g, &st->s, err, sizeof err) != 0)
        rc = BX_ENOMEM;
    if (agree(rc)) {
        hpl_fini(st);
        return bx_error(ctx, BX_ENOMEM, "%s", *err ? err : "another rank could not allocate its part");
    }
    if (st->g.active) {
        /* First touch of the matrix, OpenBLAS's buffers and the MPI
         * connections of the grid, outside the timed region. */
        hpl_solver_generate(st->s);
        double one = 1.0;
        MPI_Allreduce(MPI_IN_PLACE, &one, 1, MPI_DOUBLE, MPI_SUM, st->g.row);
        MPI_Allreduce(MPI_IN_PLACE, &one, 1, MPI_DOUBLE, MPI_SUM, st->g.col);
    }
    char grid[64];
    snprintf(grid, sizeof grid, "%dx%d", st->c.p, st->c.q);
    bx_meta(ctx, "grid", grid);
    /* A grid chosen here is stored as the run's P and Q, marked computed, so
     * `query -p P=2` finds it (a host older than ABI 1.2 has only the meta). */
    char pq[16];
    if (!bx_param_isset(ctx, "P")) {
        snprintf(pq, sizeof pq, "%d", st->c.p);
        bx_param_computed(ctx, "P", pq);
    }
    if (!bx_param_isset(ctx, "Q")) {
        snprintf(pq, sizeof pq, "%d", st->c.q);
        bx_param_computed(ctx, "Q", pq);
    }
    if (st->s)
        bx_meta(ctx, "panels", st->c.q == 1            ? "not broadcast (Q = 1)"
                               : hpl_solver_shared(st->s) ? "shared memory within each process row"
                                                          : "messages along the process rows");
    if (world > st->c.p * st->c.q && bx_rank(ctx) == 0)
        bx_warn(ctx, "%d of the %d ranks are idle: the grid is %d x %d", world - st->c.p * st->c.q, world, st->c.p,
                st->c.q);
    *state = st;
    return 0;
}

static int hpl_run(bx_ctx *ctx, void *state, unsigned rep)
{
    hpl_state *st = state;
    if (!st->g.active)
        return 0; /* an idle rank beyond P*Q */
    hpl_solver *s = st->s;
    const hpl_cfg *c = &st->c;
    (void)rep;
    if (st->runs > 0)
        hpl_solver_generate(s); /* init() generated the first one */
    st->runs++;
    char err[512] = "";
    MPI_Barrier(st->g.comm);
    double t0 = MPI_Wtime();
    int rc = hpl_solver_solve(s, err, sizeof err);
    double t = MPI_Wtime() - t0;
    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, st->g.comm);
    hpl_check chk = {.resid = INFINITY};
    if (rc == 0)
        hpl_solver_verify(s, &chk);
    double n = (double)c->n;
    double gflops = (2.0 / 3.0 * n * n * n + 1.5 * n * n) / t / 1e9;
    int ok = rc == 0 && chk.resid < c->threshold;
    if (!ok && !st->failed) {
        st->failed = 1;
        if (rc)
            snprintf(st->why, sizeof st->why, "%s", err);
        else
            snprintf(st->why, sizeof st->why,
                     "the scaled residual %.6g is not below the threshold %g (||Ax-b||=%.3g ||A||=%.3g ||x||=%.3g "
                     "||b||=%.3g): the solution is wrong",
                     chk.resid, c->threshold, chk.rnorm, chk.anorm, chk.xnorm, chk.bnorm);
    }
    if (!(chk.resid <= st->worst_resid))
        st->worst_resid = chk.resid;
    /* Where rank 0's time went: stored with the run, to tell a slow
     * factorisation from waiting or a slow DGEMM. */
    double prof[HPL_PROF_N];
    hpl_solver_profile(s, prof);
    char ptxt[256];
    int len = 0;
    for (int i = 0; i < HPL_PROF_N && len < (int)sizeof ptxt; i++)
        len += snprintf(ptxt + len, sizeof ptxt - (size_t)len, "%s%s %.3f s", i ? ", " : "", hpl_prof_names[i],
                        prof[i]);
    bx_meta(ctx, "time_rank0", ptxt);
    bx_debug(ctx, "rank 0: %s", ptxt);
    bx_sample(ctx, "gflops", gflops);
    bx_sample(ctx, "time", t);
    if (bx_rank(ctx) == 0)
        bx_info(ctx, "N=%lld NB=%lld %dx%d: %.3f s, %.2f GFLOP/s, residual %.4g %s", (long long)c->n,
                (long long)c->nb, c->p, c->q, t, gflops, chk.resid, ok ? "PASSED" : "FAILED");
    return 0;
}

static int hpl_report(bx_ctx *ctx, void *state)
{
    hpl_state *st = state;
    if (!st->g.active)
        return 0;
    bx_metric(ctx, "residual", st->worst_resid);
    bx_metric(ctx, "passed", st->failed ? 0.0 : 1.0);
    if (st->failed)
        return bx_error(ctx, BX_EFAILED, "%s", st->why);
    return 0;
}

static void hpl_describe(bx_ctx *ctx)
{
    uint64_t total = node_memory(0), budget = (uint64_t)(0.8 * (double)total);
    char t[32];
    fmt_bytes(total, t, sizeof t);
    int64_t nb = bx_param_isset(ctx, "NB") ? bx_param_int(ctx, "NB") : 192;
    bx_print(ctx, "Memory: this node has %s; the largest N using 80%% of it (NB=%lld, depth 1, all ranks on "
                  "this node):\n",
             t, (long long)nb);
    static const int grids[][2] = {{1, 1}, {1, 2}, {2, 2}};
    for (size_t i = 0; i < sizeof grids / sizeof grids[0]; i++) {
        int p = grids[i][0], q = grids[i][1];
        int64_t n = largest_n(budget, nb, p, q, 1, p * q);
        bx_print(ctx, "  %d rank%s (%d x %d): N = %lld (%lld rounded down to a multiple of NB)\n", p * q,
                 p * q > 1 ? "s" : "", p, q, (long long)n, (long long)(n / nb * nb));
    }
    bx_print(ctx, "HPL.dat: hpl_dat=FILE runs every combination of the file's lists; N, NB, P, Q, PMAP, "
                  "threshold, PFACTs, NBMINs, NDIVs, RFACTs, BCASTs, DEPTHs, SWAP and the swapping threshold "
                  "are used.\n");
}

static const bx_plugin hpl_plugin = {
    BX_PLUGIN_HEADER,
    .flags = BX_NEEDS_MPI | BX_NO_WARMUP,
    .name = "hpl",
    .version = "1.0.0",
    .description = "High-Performance Linpack: distributed LU solve of a dense random system",
    .params = params,
    .metrics = metrics,
    .default_repetitions = 1,
    .check = plugin_check,
    .init = hpl_init,
    .run = hpl_run,
    .report = hpl_report,
    .fini = hpl_fini,
    .expand = hpl_expand,
    .describe = hpl_describe,
};

BX_PLUGIN_DEFINE(hpl_plugin)
