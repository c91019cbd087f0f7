/*
 * latency.c — a BenchaaS plugin measuring memory load latency.
 *
 * It chases pointers through a buffer of `size` bytes (see chase.h) and
 * reports the time of one dependent load in nanoseconds.  Sweep `size`
 * across the cache sizes to see each level of the memory hierarchy:
 *
 *     benchaas run latency -p size=16k,256k,4m,64m --plugin-path DIR
 *
 * This file is the plugin glue, and a walk-through of the plugin API:
 * the declared parameter and metric tables, check() for bad input, init()
 * outside the timed region, run() once per repetition emitting samples,
 * report() validating and emitting the final metrics, fini() freeing.
 */
#define _DEFAULT_SOURCE /* posix_memalign, madvise, sysconf(_SC_PHYS_PAGES) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <benchaas/benchaas.h>

#include "chase.h"

/* ---- what the user may set ---------------------------------------------
 * The runner validates every value against this table (type, range,
 * choices, unknown names) before any of our code runs, so the getters below
 * never see a bad value.  Defaults are text, parsed exactly like user input.
 */
static const char *const patterns[] = {"random", "sequential", NULL};

static const bx_param params[] = {
    {"size", BX_SIZE, "8m", BX_RANGE(1024, 1099511627776.0), NULL,
     "working set in bytes (k/m/g suffixes); sweep it across the cache sizes", 0},
    {"line", BX_SIZE, "64", BX_RANGE(8, 4096), NULL,
     "bytes from one pointer to the next: a power of two, 64 = one cache line", 0},
    {"loads", BX_INT, "2000000", BX_RANGE(1000, 1e12), NULL,
     "dependent loads timed in each repetition", 0},
    {"pattern", BX_ENUM, "random", BX_NORANGE, patterns,
     "random defeats the prefetchers (true latency); sequential lets them help", 0},
    {"hugepages", BX_BOOL, "false", BX_NORANGE, NULL,
     "ask for transparent huge pages, so TLB misses do not add to the latency", 0},
    {"seed", BX_INT, "1", BX_NORANGE, NULL, "seed of the random chain", 0},
    {0}, /* end of table */
};

/* ---- what we report ----------------------------------------------------- */
static const bx_metric_def metrics[] = {
    {"latency", "ns", BX_BETTER_LOWER, "time of one dependent load (best repetition)",
     BX_METRIC_HEADLINE}, /* what a summary shows first */
    {"latency_median", "ns", BX_BETTER_LOWER, "median over the repetitions", 0},
    {"spread", "%", BX_BETTER_NONE, "(slowest - fastest) / fastest repetition", 0},
    {"valid", "", BX_BETTER_NONE, "1 if the chain still visits every line exactly once", 0},
    {0},
};

typedef struct state {
    char *buf;          /* the chased buffer (posix_memalign) */
    size_t size, line, nlines;
    uint64_t loads;
    void *pos;          /* where the previous repetition stopped */
    double *ns;         /* ns per load of each timed repetition */
    unsigned nreps, cap;
    double shortest;    /* shortest repetition, seconds */
    void *volatile sink;/* keeps the walk's result alive */
} state;

static int is_power_of_two(uint64_t v) { return v && !(v & (v - 1)); }

/*
 * check(): runs in the runner before anything is launched (and again in
 * the worker).  Cross-parameter and resource checks only: no threads, no
 * MPI, no big allocations.  BX_EINVAL makes the CLI exit 2, nothing runs.
 */
static int lat_check(bx_ctx *ctx)
{
    uint64_t size = (uint64_t)bx_param_int(ctx, "size");
    uint64_t line = (uint64_t)bx_param_int(ctx, "line");
    if (!is_power_of_two(line) || line < sizeof(void *))
        return bx_error(ctx, BX_EINVAL, "line = %llu must be a power of two of at least %zu bytes",
                        (unsigned long long)line, sizeof(void *));
    if (size % line != 0)
        return bx_error(ctx, BX_EINVAL,
                        "size = %llu must be a multiple of line = %llu (try size=%llu)",
                        (unsigned long long)size, (unsigned long long)line,
                        (unsigned long long)((size / line + 1) * line));
    if (size / line < 2)
        return bx_error(ctx, BX_EINVAL, "size = %llu holds fewer than two lines of %llu bytes",
                        (unsigned long long)size, (unsigned long long)line);
    /* The buffer plus the temporary order array must fit comfortably. */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0) {
        uint64_t half = (uint64_t)pages * (uint64_t)page / 2;
        if (size > half) {
            char a[32], b[32];
            return bx_error(ctx, BX_EINVAL,
                            "size = %s is more than half of this machine's memory (%s); "
                            "choose a smaller size",
                            bx_format_size(size, a, sizeof a), bx_format_size(half * 2, b, sizeof b));
        }
    }
    return 0;
}

/* init(): everything the timed runs need, outside the timed region. */
static int lat_init(bx_ctx *ctx, void **out)
{
    state *s = calloc(1, sizeof *s);
    if (!s)
        return bx_error(ctx, BX_ENOMEM, "out of memory for the plugin state");
    s->size = (size_t)bx_param_int(ctx, "size");
    s->line = (size_t)bx_param_int(ctx, "line");
    s->nlines = s->size / s->line;
    s->loads = (uint64_t)bx_param_int(ctx, "loads");
    s->cap = bx_repetitions(ctx);
    s->ns = calloc(s->cap ? s->cap : 1, sizeof *s->ns);

    /* 2 MiB alignment lets the kernel back the buffer with huge pages. */
    size_t align = s->size >= (2u << 20) ? (2u << 20) : 4096;
    void *buf = NULL;
    if (!s->ns || posix_memalign(&buf, align, s->size) != 0) {
        /* fini is not called when init fails: free what we have. */
        char b[32];
        bx_format_size(s->size, b, sizeof b);
        free(s->ns);
        free(s);
        return bx_error(ctx, BX_ENOMEM, "cannot allocate a buffer of %s", b);
    }
    s->buf = buf;
    const char *thp = "not requested";
    if (bx_param_bool(ctx, "hugepages")) {
#ifdef MADV_HUGEPAGE
        if (madvise(s->buf, s->size, MADV_HUGEPAGE) == 0)
            thp = "requested";
        else
            thp = "refused";
#else
        thp = "unsupported";
#endif
        if (strcmp(thp, "requested") != 0)
            bx_warn(ctx, "hugepages=true but the kernel %s transparent huge pages: "
                         "TLB misses are part of the latency",
                    thp);
    }
    bx_meta(ctx, "transparent_hugepages", thp);

    int pattern = strcmp(bx_param_str(ctx, "pattern"), "sequential") == 0 ? CHASE_SEQUENTIAL
                                                                           : CHASE_RANDOM;
    if (chase_build(s->buf, s->nlines, s->line, pattern, (uint64_t)bx_param_int(ctx, "seed"))) {
        free(s->buf);
        free(s->ns);
        free(s);
        return bx_error(ctx, BX_ENOMEM, "out of memory while building the chain");
    }
    s->pos = s->buf;
    s->shortest = 1e300;

    /* Things that are legal but make the figure misleading: warn, and the
     * warning is stored with the run. */
    if (s->loads < s->nlines)
        bx_warn(ctx,
                "loads = %llu is less than the %zu lines of the buffer: one repetition does not "
                "walk the whole buffer; raise loads to at least %zu",
                (unsigned long long)s->loads, s->nlines, s->nlines);
    if (bx_threads(ctx) > 1)
        bx_warn(ctx, "latency measures one thread; --threads %d is ignored", bx_threads(ctx));
    *out = s; /* handed to run, report and fini */
    return 0;
}

/* run(): one repetition, the timed region.  rep 0 is the warm-up. */
static int lat_run(bx_ctx *ctx, void *st, unsigned rep)
{
    state *s = st;
    uint64_t t0 = bx_now_ns();
    void *end = chase_walk(s->pos, s->loads);
    uint64_t t1 = bx_now_ns();
    s->sink = end;
    s->pos = end; /* the next repetition goes on around the cycle */

    double seconds = (double)(t1 - t0) * 1e-9;
    double ns = (double)(t1 - t0) / (double)s->loads;
    /* The host drops samples of the warm-up (rep 0) by itself; we keep our
     * own copy of the timed ones for the statistics in report(). */
    bx_sample(ctx, "latency", ns);
    if (rep > 0 && s->nreps < s->cap) {
        s->ns[s->nreps++] = ns;
        if (seconds < s->shortest)
            s->shortest = seconds;
    }
    return 0;
}

/* report(): validate, then emit the final metrics. */
static int lat_report(bx_ctx *ctx, void *st)
{
    state *s = st;
    /* `latency` gets no bx_metric(): the host gives a declared metric with
     * samples its best sample (the lowest, as better is LOWER). */
    bx_stats stats;
    if (bx_stats_compute(s->ns, s->nreps, &stats) == 0) {
        bx_metric(ctx, "latency_median", stats.median);
        double spread = stats.min > 0 ? (stats.max - stats.min) / stats.min * 100.0 : 0.0;
        bx_metric(ctx, "spread", spread);
        if (spread > 10.0)
            bx_warn(ctx,
                    "repetitions differ by %.0f%% (%.2f to %.2f ns): the machine was busy or "
                    "its clock changed; `latency` keeps the best",
                    spread, stats.min, stats.max);
        if (s->shortest < 0.01)
            bx_warn(ctx,
                    "a repetition took only %.2f ms: timer and start-up noise matter; raise "
                    "loads for a stable figure",
                    s->shortest * 1e3);
    }
    char lines[32];
    snprintf(lines, sizeof lines, "%zu", s->nlines);
    bx_meta(ctx, "lines", lines);

    /* Validation: the chain must still be one cycle through every line (a
     * stray write into the buffer would break it). */
    int ok = chase_cycle_length(s->buf, s->nlines) == s->nlines;
    bx_metric(ctx, "valid", ok ? 1.0 : 0.0);
    if (!ok)
        return bx_error(ctx, BX_EFAILED,
                        "the pointer chain no longer visits all %zu lines: the buffer was "
                        "corrupted",
                        s->nlines);
    return 0;
}

/* fini(): called once, iff init returned 0. */
static void lat_fini(void *st)
{
    state *s = st;
    if (!s)
        return;
    free(s->buf);
    free(s->ns);
    free(s);
}

/* describe(): extra lines for `benchaas describe latency`. */
static void lat_describe(bx_ctx *ctx)
{
    bx_print(ctx, "Sweep the working set across the cache levels, e.g.\n"
                  "  benchaas run latency -p size=16k,256k,4m,64m\n"
                  "Expect a few ns in L1, tens in L3, about 100 ns in DRAM.\n");
}

static const bx_plugin latency_plugin = {
    BX_PLUGIN_HEADER,
    .name = "latency", /* must match the file name: latency.so */
    .version = "1.0.0",
    .description = "memory load latency: a pointer chase through a random cycle (ns per load)",
    .flags = 0, /* one process, no MPI */
    .params = params,
    .metrics = metrics,
    .default_repetitions = 5,
    .check = lat_check,
    .init = lat_init,
    .run = lat_run,
    .report = lat_report,
    .fini = lat_fini,
    .describe = lat_describe,
};

BX_PLUGIN_DEFINE(latency_plugin)
