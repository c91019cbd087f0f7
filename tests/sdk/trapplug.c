/*
 * trapplug.c — an ABI 1.2 plugin that walks into the traps ABI 1.2 closes,
 * on request (`mode`).  Built as trap.so for the runner's tests
 * (tests/sdk/FILE/CASE.sdk.sh) and compiled into sdk_abi12_tests for the mock's.
 *
 *   ok           samples `rate`, reports `count` (the first metric; `rate` is
 *                the headline)
 *   misspelt     bx_param_int(ctx, "sise")           -> the run fails
 *   wrongtype    bx_param_int on the DOUBLE `ratio`  -> the run fails
 *   wrongtext    bx_param_double on the STRING `label` -> the run fails
 *   threads      `threads` pthreads, each `per_thread` bx_sample("s") and
 *                bx_metric/bx_meta/bx_log calls, at once
 *   omp          the same from an OpenMP parallel region of `threads` threads
 *                (built without OpenMP: refused with BX_ENOTSUP)
 *   computed     init records auto=4096 with bx_param_computed; report
 *                reports what bx_param_int("auto") then says
 *   badcomputed  init records a computed value for `n`, which has a default
 *   collectives  allreduce SUM/MAX of rank+1 and a barrier, reported as metrics
 *   failrank     init fails on the last rank only
 *   expand       expand() turns the point into two (n=1 and n=2, mode=ok)
 * `n` is declared without a range (designated initializers, min and max
 * left out): any integer is accepted.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "benchaas/benchaas.h"

static const char *const modes[] = {"ok",          "misspelt", "wrongtype", "wrongtext",
                                    "threads",     "omp",      "computed",  "badcomputed",
                                    "collectives", "failrank", "expand",    NULL};

static const bx_param params[] = {
    {.name = "mode", .type = BX_ENUM, .def = "ok", .choices = modes, .help = "which trap"},
    {.name = "n", .type = BX_INT, .def = "3", .help = "no range: min and max left out"},
    {.name = "ratio", .type = BX_DOUBLE, .def = "0.5", .min = 0, .max = 1, .help = "a double"},
    {.name = "size", .type = BX_SIZE, .def = "1k", .min = 1, .max = 1e9, .help = "a size"},
    {.name = "auto", .type = BX_INT, .min = 1, .max = 1e12, .help = "computed when unset"},
    {.name = "label", .type = BX_STRING, .help = "free text"},
    {.name = "threads", .type = BX_INT, .def = "4", .min = 1, .max = 64, .help = "threads"},
    {.name = "per_thread", .type = BX_INT, .def = "2000", .min = 1, .max = 1e6,
     .help = "samples per thread and repetition"},
    {0},
};

static const bx_metric_def metrics[] = {
    {.name = "count", .unit = "", .better = BX_BETTER_NONE, .help = "the first metric"},
    {.name = "rate", .unit = "op/s", .better = BX_BETTER_HIGHER, .help = "the headline",
     .flags = BX_METRIC_HEADLINE},
    {.name = "s", .unit = "", .better = BX_BETTER_NONE, .help = "samples from threads"},
    {.name = "sum", .unit = "", .better = BX_BETTER_NONE, .help = "allreduce SUM of rank+1"},
    {.name = "max", .unit = "", .better = BX_BETTER_NONE, .help = "allreduce MAX of rank+1"},
    {.name = "seen_auto", .unit = "", .better = BX_BETTER_NONE, .help = "bx_param_int(auto)"},
    {0},
};

static int is(bx_ctx *ctx, const char *mode) { return strcmp(bx_param_str(ctx, "mode"), mode) == 0; }

static int trap_init(bx_ctx *ctx, void **state)
{
    *state = NULL;
    if (is(ctx, "computed")) {
        int rc = bx_param_computed(ctx, "auto", "4096");
        if (rc)
            return rc;
    }
    if (is(ctx, "badcomputed"))
        return bx_param_computed(ctx, "n", "5");
    if (is(ctx, "failrank") && bx_rank(ctx) == bx_nranks(ctx) - 1)
        return bx_error(ctx, BX_EIO, "init failed on rank %d on purpose", bx_rank(ctx));
    return 0;
}

typedef struct worker {
    bx_ctx *ctx;
    int id, per, failures;
} worker;

static void *thread_main(void *arg)
{
    worker *w = arg;
    char key[32];
    snprintf(key, sizeof key, "thread%d", w->id);
    for (int i = 0; i < w->per; i++) {
        if (bx_sample(w->ctx, "s", (double)i) != 0)
            w->failures++;
        if (i % 100 == 0) {
            bx_metric(w->ctx, "rate", (double)i);
            bx_meta(w->ctx, key, "busy");
            bx_log(w->ctx, BX_LOG_DEBUG, "thread %d at %d", w->id, i);
            (void)bx_param_int(w->ctx, "n");
        }
    }
    bx_meta(w->ctx, key, "done");
    return NULL;
}

static int trap_run(bx_ctx *ctx, void *state, unsigned rep)
{
    (void)state;
    (void)rep;
    if (is(ctx, "misspelt"))
        (void)bx_param_int(ctx, "sise");
    if (is(ctx, "wrongtype"))
        (void)bx_param_int(ctx, "ratio");
    if (is(ctx, "wrongtext"))
        (void)bx_param_double(ctx, "label");
    if (is(ctx, "threads")) {
        int n = (int)bx_param_int(ctx, "threads");
        worker w[64];
        pthread_t t[64];
        for (int i = 0; i < n; i++) {
            w[i] = (worker){ctx, i, (int)bx_param_int(ctx, "per_thread"), 0};
            if (pthread_create(&t[i], NULL, thread_main, &w[i]) != 0)
                return bx_error(ctx, BX_EIO, "pthread_create failed");
        }
        int failures = 0;
        for (int i = 0; i < n; i++) {
            pthread_join(t[i], NULL);
            failures += w[i].failures;
        }
        if (failures)
            return bx_error(ctx, BX_EINTERNAL, "%d bx_sample calls failed", failures);
    }
    if (is(ctx, "omp")) {
#ifdef _OPENMP
        int n = (int)bx_param_int(ctx, "threads");
        int per = (int)bx_param_int(ctx, "per_thread");
        int failures = 0;
#pragma omp parallel num_threads(n) reduction(+ : failures)
        {
            char key[32];
            snprintf(key, sizeof key, "thread%d", omp_get_thread_num());
            for (int i = 0; i < per; i++) {
                if (bx_sample(ctx, "s", (double)i) != 0)
                    failures++;
                if (i % 100 == 0)
                    bx_metric(ctx, "rate", (double)i);
            }
            bx_meta(ctx, key, "done");
        }
        if (failures)
            return bx_error(ctx, BX_EINTERNAL, "%d bx_sample calls failed", failures);
#else
        return bx_error(ctx, BX_ENOTSUP, "built without OpenMP");
#endif
    }
    bx_sample(ctx, "rate", 1000.0 + rep);
    return 0;
}

static int trap_report(bx_ctx *ctx, void *state)
{
    (void)state;
    bx_metric(ctx, "count", (double)bx_param_int(ctx, "n"));
    if (is(ctx, "computed")) {
        bx_metric(ctx, "seen_auto", (double)bx_param_int(ctx, "auto"));
        bx_meta(ctx, "auto_isset", bx_param_isset(ctx, "auto") ? "1" : "0");
    }
    if (is(ctx, "collectives")) {
        double v[2] = {bx_rank(ctx) + 1.0, bx_rank(ctx) + 1.0};
        int rc = bx_allreduce(ctx, v, 1, BX_OP_SUM);
        if (rc == 0)
            rc = bx_allreduce(ctx, v + 1, 1, BX_OP_MAX);
        if (rc == 0)
            rc = bx_barrier(ctx);
        if (rc)
            return bx_error(ctx, rc, "collectives failed");
        bx_metric(ctx, "sum", v[0]);
        bx_metric(ctx, "max", v[1]);
    }
    return 0;
}

static void trap_fini(void *state) { (void)state; }

static int trap_expand(bx_ctx *ctx)
{
    if (!is(ctx, "expand"))
        return 0;
    static const char *const a[] = {"mode=ok", "n=1", NULL};
    static const char *const b[] = {"mode=ok", "n=2", NULL};
    int rc = bx_expand_point(ctx, a);
    return rc ? rc : bx_expand_point(ctx, b);
}

static const bx_plugin trap_plugin = {
    BX_PLUGIN_HEADER,
    .name = "trap",
    .version = "1.2.0",
    .description = "walks into the traps ABI 1.2 closes, on request",
    .params = params,
    .metrics = metrics,
    .default_repetitions = 2,
    .init = trap_init,
    .run = trap_run,
    .report = trap_report,
    .fini = trap_fini,
    .expand = trap_expand,
};

BX_PLUGIN_DEFINE(trap_plugin)
