/*
 * faultplug.c — the plugin of the fault-injection tests (tests/LIBRARY/FILE/CASE.faults.sh).
 *
 * Like tests/plugins' `trivial`, but flagged BX_USES_MPI so that it can run
 * with several ranks under `--launcher mpi`, and with the behaviours the
 * fault tests need:
 *   mode=ok     a short loop, metric `echo` = value
 *   mode=hang   every rank sleeps forever in the first timed repetition
 *   mode=stubborn  the same, ignoring SIGTERM and SIGINT (only SIGKILL stops it)
 *   mode=sleep  sleep `seconds`, then as ok (a run that is "in flight")
 *   pad=SIZE    bx_meta("pad", SIZE bytes of 'x'): a large result document
 * It writes its pid into $FAULT_PID_DIR/rank<R>.pid (when set) as soon as a
 * repetition starts, so a test knows which process to kill.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/benchaas.h"

static const char *const modes[] = {"ok", "hang", "stubborn", "sleep", NULL};

static const bx_param params[] = {
    {"mode", BX_ENUM, "ok", BX_NORANGE, modes, "how to behave", 0},
    {"seconds", BX_DOUBLE, "1", BX_RANGE(0, 3600), NULL, "mode=sleep: how long", 0},
    {"value", BX_DOUBLE, "42", BX_RANGE(-1e9, 1e9), NULL, "echoed as the metric 'echo'", 0},
    {"pad", BX_SIZE, "0", BX_RANGE(0, 1e9), NULL, "bytes of padding stored as run metadata", 0},
    {"label", BX_STRING, NULL, BX_NORANGE, NULL, "free text (stored as metadata)", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

static const bx_metric_def metrics[] = {
    {"echo", "", BX_BETTER_NONE, "the value parameter", 0},
    {"elapsed", "s", BX_BETTER_LOWER, "time of one repetition", 0},
    {NULL, NULL, 0, NULL, 0},
};

static void note_pid(bx_ctx *ctx)
{
    const char *dir = getenv("FAULT_PID_DIR");
    if (!dir || !*dir)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/rank%d.pid", dir, bx_rank(ctx));
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
}

static int fp_init(bx_ctx *ctx, void **out)
{
    (void)ctx;
    *out = NULL;
    return 0;
}

static int fp_run(bx_ctx *ctx, void *st, unsigned rep)
{
    (void)st;
    const char *mode = bx_param_str(ctx, "mode");
    double t0 = bx_now();
    if (rep > 0) {
        note_pid(ctx);
        if (strcmp(mode, "stubborn") == 0) {
            signal(SIGTERM, SIG_IGN);
            signal(SIGINT, SIG_IGN);
        }
        if (strcmp(mode, "hang") == 0 || strcmp(mode, "stubborn") == 0)
            for (;;)
                pause();
        if (strcmp(mode, "sleep") == 0) {
            double s = bx_param_double(ctx, "seconds");
            struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
            while (nanosleep(&ts, &ts) != 0)
                ;
        }
    }
    bx_sample(ctx, "elapsed", bx_now() - t0);
    return 0;
}

static int fp_report(bx_ctx *ctx, void *st)
{
    (void)st;
    bx_metric(ctx, "echo", bx_param_double(ctx, "value"));
    char nr[16];
    snprintf(nr, sizeof nr, "%d", bx_node_ranks(ctx)); /* what the worker counted */
    bx_meta(ctx, "node_ranks", nr);
    if (bx_param_isset(ctx, "label"))
        bx_meta(ctx, "label", bx_param_str(ctx, "label"));
    int64_t pad = bx_param_int(ctx, "pad");
    if (pad > 0) {
        char *p = malloc((size_t)pad + 1);
        if (!p)
            return BX_ENOMEM;
        memset(p, 'x', (size_t)pad);
        p[pad] = '\0';
        bx_meta(ctx, "pad", p);
        free(p);
    }
    return 0;
}

static void fp_fini(void *st) { (void)st; }

static const bx_plugin desc = {
    BX_PLUGIN_HEADER,
    .name = "faulty",
    .version = "1.0.0",
    .description = "fault-injection test plugin (hang, sleep, large documents; uses MPI)",
    .flags = BX_USES_MPI,
    .params = params,
    .metrics = metrics,
    .default_repetitions = 1,
    .init = fp_init,
    .run = fp_run,
    .report = fp_report,
    .fini = fp_fini,
};

BX_PLUGIN_DEFINE(desc)
