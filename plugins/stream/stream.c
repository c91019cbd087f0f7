/*
 * stream.c — the STREAM benchmark as a BenchaaS plugin.
 *
 * STREAM (J. D. McCalpin) measures sustainable memory bandwidth with four
 * kernels over three arrays of doubles, run in this order `ntimes` times:
 *
 *     Copy   c = a            16 bytes per element counted
 *     Scale  b = q * c        16
 *     Add    c = a + b        24
 *     Triad  a = b + q * c    24           (q = 3)
 *
 * Each kernel is timed on its own; the first iteration is discarded and a
 * kernel's rate is its counted bytes over its best time, in MB/s (1e6 B/s).
 * Afterwards the recurrence is replayed on scalars and the average absolute
 * error of each array, relative to the expected value, must be within 1e-13.
 *
 * Written from the published definition of the benchmark.  What is ours:
 *   - every repetition starts from a = 1, b = 2, c = 0 again, so the values
 *     (which grow 15x per iteration) stay far from overflow however many
 *     repetitions run;
 *   - with ranks > 1 every rank runs the kernels on its own arrays at the
 *     same time (a barrier before each kernel) and the rate is the aggregate:
 *     all ranks' bytes over the slowest rank's time (HPCC's StarSTREAM idea);
 *   - nt_stores: the same kernels with non-temporal stores, labelled tuned.
 */
#define _GNU_SOURCE
#include "stream_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "machine.h"

#ifdef _OPENMP
#include <omp.h>
#define OMP(directive) _Pragma(#directive)
static int thread_id(void) { return omp_get_thread_num(); }
static int thread_count(void) { return omp_get_num_threads(); }
#else
#define OMP(directive)
static int thread_id(void) { return 0; }
static int thread_count(void) { return 1; }
#endif

#define PAGE_ELEMS 512u                /* doubles per 4 KiB page */
#define ARRAY_ALIGN (2u * 1024 * 1024) /* one huge page */

static const char *const kernel_name[STREAM_NKERNELS] = {"copy", "scale", "add", "triad"};
static const char *const kernel_avg[STREAM_NKERNELS] = {"copy_avg", "scale_avg", "add_avg",
                                                        "triad_avg"};
static const char *const kernel_min[STREAM_NKERNELS] = {"copy_min", "scale_min", "add_min",
                                                        "triad_min"};
/* Bytes STREAM counts per element: loads plus stores, no write-allocate. */
static const double kernel_bytes[STREAM_NKERNELS] = {16, 16, 24, 24};

/* ---- parameters and helpers --------------------------------------------- */

static const char *const isa_choices[] = {"auto", "avx512", "avx2", "sse2", "portable", NULL};

/* isa=... -> stream_isa; auto picks the best this CPU has. */
static stream_isa isa_from_param(bx_ctx *ctx)
{
    const char *s = bx_param_str(ctx, "isa");
    for (int i = 0; i < STREAM_ISA_COUNT; i++)
        if (strcmp(s, stream_isa_name((stream_isa)i)) == 0)
            return (stream_isa)i;
    return stream_isa_best();
}

size_t stream_default_size(uint64_t llc_bytes)
{
    /* Smallest n with 3 * 8 * n > 4 * llc, then whole millions. */
    uint64_t n = 4 * llc_bytes / 24 + 1;
    if (n < STREAM_MIN_DEFAULT_SIZE)
        n = STREAM_MIN_DEFAULT_SIZE;
    n = (n + 999999) / 1000000 * 1000000;
    return (size_t)n;
}

/* The array size of this run: the user's, or the default for this machine. */
static size_t array_size(bx_ctx *ctx)
{
    if (bx_param_isset(ctx, "array_size"))
        return (size_t)bx_param_int(ctx, "array_size");
    return stream_default_size(stream_llc_bytes(NULL));
}

void stream_expected(int ntimes, double *a, double *b, double *c)
{
    double x = 1.0, y = 2.0, z = 0.0; /* a, b, c */
    for (int k = 0; k < ntimes; k++) {
        z = x;
        y = STREAM_SCALAR * z;
        z = x + y;
        x = y + STREAM_SCALAR * z;
    }
    *a = x;
    *b = y;
    *c = z;
}

/*
 * Thread t's share [*lo, *hi) of n elements: contiguous, in whole 4 KiB
 * pages, so each thread first-touches (and so places) the pages it later
 * works on and every share starts at a cache-line boundary.  The same
 * function splits the arrays for first touch, reset, kernels and checks.
 */
static void share(size_t n, int t, int nthreads, size_t *lo, size_t *hi)
{
    size_t pages = (n + PAGE_ELEMS - 1) / PAGE_ELEMS;
    size_t p0 = pages * (size_t)t / (size_t)nthreads;
    size_t p1 = pages * (size_t)(t + 1) / (size_t)nthreads;
    *lo = p0 * PAGE_ELEMS < n ? p0 * PAGE_ELEMS : n;
    *hi = p1 * PAGE_ELEMS < n ? p1 * PAGE_ELEMS : n;
}

/* Fill the arrays with STREAM's start values, each thread its own share. */
static void reset_arrays(stream_state *st)
{
    OMP(omp parallel num_threads(st->nthreads))
    {
        size_t lo, hi;
        share(st->n, thread_id(), thread_count(), &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            st->a[i] = 1.0;
            st->b[i] = 2.0;
            st->c[i] = 0.0;
        }
    }
}

/* One kernel over the whole arrays by all threads; wall seconds. */
static double time_kernel(stream_state *st, int which)
{
    double t0 = bx_now();
    OMP(omp parallel num_threads(st->nthreads))
    {
        size_t lo, hi;
        share(st->n, thread_id(), thread_count(), &lo, &hi);
        size_t m = hi - lo;
        switch (which) {
        case STREAM_COPY: st->k->copy(st->c + lo, st->a + lo, m); break;
        case STREAM_SCALE: st->k->scale(st->b + lo, st->c + lo, STREAM_SCALAR, m); break;
        case STREAM_ADD: st->k->add(st->c + lo, st->a + lo, st->b + lo, m); break;
        default: st->k->triad(st->a + lo, st->b + lo, st->c + lo, STREAM_SCALAR, m); break;
        }
    }
    return bx_now() - t0;
}

/*
 * One array, 2 MiB-aligned and rounded up to whole 2 MiB, asking for
 * transparent huge pages (fewer TLB misses; the kernel ignores the advice
 * where THP is off).  Not touched here: the threads touch it first.
 */
static double *alloc_array(size_t n)
{
    size_t bytes = (n * sizeof(double) + ARRAY_ALIGN - 1) / ARRAY_ALIGN * ARRAY_ALIGN;
    double *p = aligned_alloc(ARRAY_ALIGN, bytes);
#ifdef MADV_HUGEPAGE
    if (p)
        (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

/* 1 in a process started by an MPI launcher (OpenMPI's mpirun, PMI or PMIx ones). */
static int inside_mpi_job(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

static const char *fmt_size(uint64_t bytes, char *buf, size_t len)
{
    return bx_format_size(bytes, buf, len);
}

/* ---- callbacks ------------------------------------------------------------ */

int stream_check(bx_ctx *ctx)
{
    const char *isa_text = bx_param_str(ctx, "isa");
    if (strcmp(isa_text, "auto") != 0) {
        stream_isa isa = isa_from_param(ctx);
        if (!stream_isa_supported(isa)) {
            char have[128] = "";
            for (int i = STREAM_ISA_COUNT - 1; i >= 0; i--)
                if (stream_isa_supported((stream_isa)i)) {
                    strcat(have, have[0] ? ", " : "");
                    strcat(have, stream_isa_name((stream_isa)i));
                }
            return bx_error(ctx, BX_EINVAL,
                            "isa=%s: this CPU or this build cannot run %s kernels (it can run: "
                            "%s); use isa=auto",
                            isa_text, isa_text, have);
        }
    }

    /* Memory: three arrays per rank, for the ranks that share a node
     * (bx_node_ranks: all of them with the local and mpi launchers, ranks /
     * slurm.nodes under Slurm).  Inside the MPI job (the worker's check) the
     * other ranks may already hold their arrays, which MemAvailable no longer
     * counts: there only this rank's own are checked; the runner checked them
     * all before launching. */
    size_t n = array_size(ctx);
    int ranks = bx_node_ranks(ctx) > 0 ? bx_node_ranks(ctx) : 1;
    if (inside_mpi_job())
        ranks = 1;
    double need = 3.0 * sizeof(double) * (double)n * ranks;
    const char *src = "";
    uint64_t avail = stream_mem_available(&src);
    if (avail && need > (double)avail) {
        char nbuf[32], abuf[32], pbuf[32];
        fmt_size(need >= 1.8e19 ? UINT64_MAX : (uint64_t)need, nbuf, sizeof nbuf);
        fmt_size(avail, abuf, sizeof abuf);
        fmt_size(3 * sizeof(double) * (uint64_t)n, pbuf, sizeof pbuf);
        return bx_error(ctx, BX_EINVAL,
                        "array_size=%zu needs %s of memory (3 arrays of %zu doubles = %s per "
                        "rank, %d rank%s per node) but only %s is available (%s); choose a "
                        "smaller array_size (at most about %" PRIu64 ")",
                        n, nbuf, n, pbuf, ranks, ranks == 1 ? "" : "s", abuf, src,
                        avail / (3 * sizeof(double) * (uint64_t)ranks));
    }
    return BX_OK;
}

/* Warnings and metadata that describe the run (rank 0's are stored). */
static void describe_run(bx_ctx *ctx, const stream_state *st)
{
    char buf[64], b1[32], b2[32];
    int level = 0;
    uint64_t llc = stream_llc_bytes(&level);
    uint64_t arrays = 3 * sizeof(double) * (uint64_t)st->n;
    int lead = bx_rank(ctx) == 0; /* warn once, not once per rank */

    if (llc == 0) {
        if (lead)
            bx_warn(ctx, "could not read the size of the last-level cache (sysfs); the rule "
                         "that three arrays exceed 4x the cache was not checked");
    } else if (arrays <= 4 * llc && lead) {
        bx_warn(ctx,
                "three arrays of %zu doubles (%s) do not exceed 4x the last-level cache (L%d, "
                "4 x %s): the rates include cache bandwidth; use array_size >= %zu (or leave "
                "it unset)",
                st->n, fmt_size(arrays, b1, sizeof b1), level, fmt_size(llc, b2, sizeof b2),
                stream_default_size(llc));
        /* the leaderboard leaves such runs out of its ranking, with this reason */
        bx_meta(ctx, "caveat", "the arrays fit in the cache: the rates are cache bandwidth, not "
                               "memory bandwidth");
    }
    if (st->nt && !stream_isa_has_nt(st->isa) && lead)
        bx_warn(ctx, "nt_stores=true: the %s kernels have no non-temporal stores on this "
                     "CPU/build; ordinary stores were used",
                stream_isa_name(st->isa));

    snprintf(buf, sizeof buf, "%zu", st->n);
    bx_meta(ctx, "array_size", buf);
    bx_meta(ctx, "array_size_source", bx_param_isset(ctx, "array_size") ? "user" : "default");
    /* The default depends on this machine's cache: store it as the run's
     * array_size too (marked computed), so a query for array_size finds it.
     * A host older than ABI 1.2 says BX_ENOTSUP; the meta above has it. */
    if (!bx_param_isset(ctx, "array_size")) {
        int rc = bx_param_computed(ctx, "array_size", buf);
        if (rc != BX_OK && rc != BX_ENOTSUP)
            bx_warn(ctx, "array_size=%s could not be recorded (%s)", buf, bx_strerror(rc));
    }
    snprintf(buf, sizeof buf, "%" PRIu64, llc);
    bx_meta(ctx, "llc_bytes", buf);
    bx_meta(ctx, "isa", stream_isa_name(st->isa));
    int nt_real = st->nt && stream_isa_has_nt(st->isa);
    bx_meta(ctx, "stores", nt_real ? "non-temporal" : "ordinary");
    /* STREAM's run rules: results of modified kernels are reported as tuned. */
    if (nt_real)
        bx_meta(ctx, "tuned", "nt_stores");
#ifdef _OPENMP
    static const char *const bind[] = {"false", "true", "master", "close", "spread"};
    int pb = (int)omp_get_proc_bind();
    bx_meta(ctx, "omp_proc_bind", pb >= 0 && pb <= 4 ? bind[pb] : "?");
    if (pb == omp_proc_bind_false && st->nthreads > 1 && lead)
        bx_warn(ctx, "%d threads are not bound to cores (OMP_PROC_BIND is unset or false): "
                     "pages may end up far from the thread using them and rates vary; set "
                     "OMP_PROC_BIND=spread OMP_PLACES=cores",
                st->nthreads);
#else
    bx_meta(ctx, "omp_proc_bind", "no OpenMP");
#endif
}

int stream_init(bx_ctx *ctx, void **state)
{
    stream_state *st = calloc(1, sizeof *st);
    if (!st)
        return bx_error(ctx, BX_ENOMEM, "out of memory");
    st->n = array_size(ctx);
    st->ntimes = (int)bx_param_int(ctx, "ntimes");
    st->nt = bx_param_bool(ctx, "nt_stores");
    st->nthreads = bx_threads(ctx) > 0 ? bx_threads(ctx) : 1;
    st->nranks = bx_nranks(ctx) > 0 ? bx_nranks(ctx) : 1;
    st->isa = isa_from_param(ctx);
    st->k = stream_kernels_get(st->isa, st->nt);
    if (!st->k) {
        stream_isa isa = st->isa;
        free(st);
        return bx_error(ctx, BX_ENOTSUP, "isa=%s is not supported here; use isa=auto",
                        stream_isa_name(isa));
    }
#ifdef _OPENMP
    omp_set_dynamic(0); /* the same threads, hence the same shares, every time */
#endif
    st->a = alloc_array(st->n);
    st->b = alloc_array(st->n);
    st->c = alloc_array(st->n);
    st->times = malloc((size_t)st->ntimes * STREAM_NKERNELS * sizeof *st->times);
    if (!st->a || !st->b || !st->c || !st->times) {
        char b1[32];
        size_t n = st->n;
        stream_fini(st);
        return bx_error(ctx, BX_ENOMEM,
                        "could not allocate 3 arrays of %zu doubles (%s each): %s; choose a "
                        "smaller array_size",
                        n, fmt_size(n * sizeof(double), b1, sizeof b1), strerror(ENOMEM));
    }
    reset_arrays(st); /* the first touch, by the threads that will use each page */
    for (int j = 0; j < STREAM_NKERNELS; j++)
        st->worst[j] = INFINITY;
    describe_run(ctx, st);
    *state = st;
    return BX_OK;
}

int stream_run(bx_ctx *ctx, void *state, unsigned rep)
{
    stream_state *st = state;
    reset_arrays(st);

    for (int k = 0; k < st->ntimes; k++)
        for (int j = 0; j < STREAM_NKERNELS; j++) {
            /* Ranks start each kernel together, so their traffic overlaps. */
            if (st->nranks > 1 && bx_barrier(ctx) != 0)
                return bx_error(ctx, BX_ECOMM, "barrier between ranks failed");
            st->times[k * STREAM_NKERNELS + j] = time_kernel(st, j);
        }

    /* The slowest rank's time of each kernel and iteration. */
    if (st->nranks > 1 &&
        bx_allreduce(ctx, st->times, st->ntimes * STREAM_NKERNELS, BX_OP_MAX) != 0)
        return bx_error(ctx, BX_ECOMM, "combining the ranks' times failed");

    for (int j = 0; j < STREAM_NKERNELS; j++) {
        double tmin = INFINITY, tmax = 0, tsum = 0;
        for (int k = 1; k < st->ntimes; k++) { /* k = 0 is not counted */
            double t = st->times[k * STREAM_NKERNELS + j];
            if (t < 1e-9)
                t = 1e-9; /* a clock that did not move: avoid dividing by zero */
            tmin = t < tmin ? t : tmin;
            tmax = t > tmax ? t : tmax;
            tsum += t;
        }
        double mb = kernel_bytes[j] * (double)st->n * st->nranks / 1e6;
        double best = mb / tmin, avg = mb / (tsum / (st->ntimes - 1)), worst = mb / tmax;
        bx_sample(ctx, kernel_name[j], best);
        bx_sample(ctx, kernel_avg[j], avg);
        bx_sample(ctx, kernel_min[j], worst);
        if (rep > 0) {
            st->avg_sum[j] += avg;
            st->worst[j] = worst < st->worst[j] ? worst : st->worst[j];
        }
    }
    if (rep > 0)
        st->nreps++;
    return BX_OK;
}

/* Sum over the array of |x[i] - expect|, by all threads. */
static double abs_error_sum(const stream_state *st, const double *x, double expect)
{
    double sum = 0;
    OMP(omp parallel num_threads(st->nthreads) reduction(+ : sum))
    {
        size_t lo, hi;
        share(st->n, thread_id(), thread_count(), &lo, &hi);
        for (size_t i = lo; i < hi; i++)
            sum += fabs(x[i] - expect);
    }
    return sum;
}

/* Describe the wrong elements of one array into buf (only after a failure). */
static void explain(const stream_state *st, const double *x, double expect, char name,
                    double rel, char *buf, size_t len)
{
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < st->n; i++)
        if (!(fabs((x[i] - expect) / expect) <= STREAM_EPSILON) && bad++ == 0)
            first = i;
    size_t used = strlen(buf);
    if (bad)
        snprintf(buf + used, len - used,
                 "%sarray %c: average relative error %.3g > %g; %zu of %zu elements wrong, "
                 "the first at index %zu (%.17g instead of %.17g)",
                 used ? "; " : "", name, rel, STREAM_EPSILON, bad, st->n, first, x[first],
                 expect);
    else
        snprintf(buf + used, len - used, "%sarray %c: average relative error %.3g > %g",
                 used ? "; " : "", name, rel, STREAM_EPSILON);
}

int stream_report(bx_ctx *ctx, void *state)
{
    stream_state *st = state;
    double expect[3];
    stream_expected(st->ntimes, &expect[0], &expect[1], &expect[2]);
    const double *arrays[3] = {st->a, st->b, st->c};

    /* STREAM's check: average absolute error relative to the expected
     * value.  `!(x <= eps)` so that a NaN fails too. */
    double fails[3], rel[3];
    int local_fail = 0;
    for (int i = 0; i < 3; i++) {
        rel[i] = abs_error_sum(st, arrays[i], expect[i]) / (double)st->n / fabs(expect[i]);
        fails[i] = !(rel[i] <= STREAM_EPSILON);
        local_fail |= fails[i] != 0;
    }
    char detail[1024] = "";
    if (local_fail) {
        for (int i = 0; i < 3; i++)
            if (fails[i])
                explain(st, arrays[i], expect[i], (char)('a' + i), rel[i], detail,
                        sizeof detail);
        if (st->nranks > 1)
            bx_log(ctx, BX_LOG_ERROR, "rank %d: validation failed: %s", bx_rank(ctx), detail);
    }
    /* How many ranks failed each array (every rank takes part). */
    if (st->nranks > 1 && bx_allreduce(ctx, fails, 3, BX_OP_SUM) != 0)
        return bx_error(ctx, BX_ECOMM, "combining the ranks' validation failed");
    double ranks_failed = fails[0] > fails[1] ? fails[0] : fails[1];
    ranks_failed = fails[2] > ranks_failed ? fails[2] : ranks_failed;

    bx_metric(ctx, "validated", ranks_failed == 0 ? 1.0 : 0.0);
    for (int j = 0; j < STREAM_NKERNELS && st->nreps > 0; j++) {
        bx_metric(ctx, kernel_avg[j], st->avg_sum[j] / st->nreps);
        bx_metric(ctx, kernel_min[j], st->worst[j]);
    }
    if (ranks_failed == 0)
        return BX_OK;
    if (!local_fail)
        return bx_error(ctx, BX_EFAILED,
                        "validation failed on another rank (at least %.0f of %d ranks); see "
                        "that rank's log",
                        ranks_failed, st->nranks);
    if (st->nranks > 1)
        return bx_error(ctx, BX_EFAILED, "validation failed on %.0f of %d ranks, here: %s",
                        ranks_failed, st->nranks, detail);
    return bx_error(ctx, BX_EFAILED, "validation failed: %s", detail);
}

void stream_fini(void *state)
{
    stream_state *st = state;
    if (!st)
        return;
    free(st->a);
    free(st->b);
    free(st->c);
    free(st->times);
    free(st);
}

/* `benchaas describe stream`: what the defaults mean on this machine. */
static void stream_describe(bx_ctx *ctx)
{
    char b1[32];
    int level = 0;
    uint64_t llc = stream_llc_bytes(&level);
    if (llc)
        bx_print(ctx, "This machine: last-level cache L%d, %s in all; default array_size %zu.\n",
                 level, fmt_size(llc, b1, sizeof b1), stream_default_size(llc));
    else
        bx_print(ctx, "This machine: last-level cache unknown; default array_size %zu.\n",
                 stream_default_size(0));
    bx_print(ctx, "Kernels: isa=auto picks %s here; nt_stores has non-temporal stores: %s.\n",
             stream_isa_name(stream_isa_best()),
             stream_isa_has_nt(stream_isa_best()) ? "yes" : "no (ordinary stores)");
    bx_print(ctx, "Rates count 16/16/24/24 bytes per element (copy/scale/add/triad), MB/s = "
                  "1e6 B/s; with ranks > 1 they are the aggregate of all ranks.\n");
}

/* ---- descriptor ------------------------------------------------------------ */

static const bx_param stream_params[] = {
    {"array_size", BX_INT, NULL, BX_RANGE(1, 1e15), NULL,
     "elements per array (three arrays of doubles per rank); default: at least 10 million, "
     "and enough for the three arrays to exceed 4x the last-level cache of this machine", 0},
    {"ntimes", BX_INT, "10", BX_RANGE(2, 200), NULL,
     "iterations of the four kernels per repetition; the first is not counted (at most 200: "
     "the values grow 15x per iteration)", 0},
    {"nt_stores", BX_BOOL, "false", BX_NORANGE, NULL,
     "non-temporal (streaming) stores, without write-allocate traffic; the run is labelled "
     "tuned", 0},
    {"isa", BX_ENUM, "auto", BX_NORANGE, isa_choices,
     "instruction set of the kernels; auto: the widest this CPU has", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

#define RATE(name, help) {name, "MB/s", BX_BETTER_HIGHER, help, 0}
static const bx_metric_def stream_metrics[] = {
    RATE("copy", "Copy c = a: best rate of the timed iterations (16 B/element)"),
    RATE("scale", "Scale b = 3c: best rate (16 B/element)"),
    RATE("add", "Add c = a + b: best rate (24 B/element)"),
    {"triad", "MB/s", BX_BETTER_HIGHER, "Triad a = b + 3c: best rate (24 B/element)",
     BX_METRIC_HEADLINE},
    {"validated", "", BX_BETTER_NONE, "1 when every array holds the expected values", 0},
    RATE("copy_avg", "Copy: rate at the average time"),
    RATE("scale_avg", "Scale: rate at the average time"),
    RATE("add_avg", "Add: rate at the average time"),
    RATE("triad_avg", "Triad: rate at the average time"),
    RATE("copy_min", "Copy: rate of the slowest iteration"),
    RATE("scale_min", "Scale: rate of the slowest iteration"),
    RATE("add_min", "Add: rate of the slowest iteration"),
    RATE("triad_min", "Triad: rate of the slowest iteration"),
    {NULL, NULL, 0, NULL, 0},
};
#undef RATE

static const bx_plugin stream_plugin = {
    BX_PLUGIN_HEADER,
    .flags = BX_USES_MPI,
    .name = "stream",
    .version = "1.0.0",
    .description = "STREAM memory bandwidth: Copy, Scale, Add, Triad (MB/s), validated",
    .params = stream_params,
    .metrics = stream_metrics,
    .default_repetitions = 1,
    .check = stream_check,
    .init = stream_init,
    .run = stream_run,
    .report = stream_report,
    .fini = stream_fini,
    .describe = stream_describe,
};
BX_PLUGIN_DEFINE(stream_plugin)
