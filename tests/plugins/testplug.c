/*
 * testplug.c — a trivial plugin for the core's tests, and (compiled with
 * TP_* macros) the broken plugins the loader must refuse.
 *
 * `mode` makes it misbehave on purpose: crash (SIGSEGV), abort, hang
 * (sleeps forever), exit (calls exit(0) mid-run), fail (validation fails),
 * error (init returns an error), leak (allocates and never frees).
 * `noise` (when set) replaces the measured rate by 1e6 +- noise, so a test
 * controls the spread `--repetitions auto` sees.
 * TESTPLUG_RATES (environment), when it names a file of numbers, one a line:
 * each run takes the first line as its 'rate' and leaves the rest, so a test
 * sets the values of the next runs (a regression that does not hold).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchaas/benchaas.h"

#ifndef TP_NAME
#define TP_NAME "trivial"
#endif

static const char *const modes[] = {"ok", "crash", "abort", "hang", "exit", "fail", "error", NULL};

static const bx_param params[] = {
    {"count", BX_INT, "1000", BX_RANGE(1, 100000000), NULL, "loop iterations per repetition", 0},
    {"value", BX_DOUBLE, "42", BX_RANGE(-1e9, 1e9), NULL, "a number echoed as the metric 'echo'", 0},
    {"size", BX_SIZE, "1k", BX_RANGE(1, 1e12), NULL, "a size (k/m/g suffixes)", 0},
    {"flag", BX_BOOL, "false", BX_NORANGE, NULL, "a boolean", 0},
    {"label", BX_STRING, NULL, BX_NORANGE, NULL, "free text", 0},
    {"mode", BX_ENUM, "ok", BX_NORANGE, modes, "how to (mis)behave", 0},
    {"noise", BX_DOUBLE, NULL, BX_RANGE(0, 0.9), NULL,
     "when set: 'rate' is 1e6 times 1 +- this (uniform, a fixed sequence), not measured", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

static const bx_metric_def metrics[] = {
    {"rate", "ops/s", BX_BETTER_HIGHER, "loop iterations per second", 0},
    {"echo", "", BX_BETTER_NONE, "the value parameter", 0},
    {"elapsed", "s", BX_BETTER_LOWER, "time of one repetition", 0},
    {NULL, NULL, 0, NULL, 0},
};

typedef struct state { int64_t count; volatile double sink; double rate; } state;

/* The first line of the file TESTPLUG_RATES names, taken out of it; 0 when none. */
static double next_rate(void)
{
    const char *path = getenv("TESTPLUG_RATES");
    FILE *f = path && *path ? fopen(path, "r") : NULL;
    if (!f)
        return 0;
    char first[64], rest[4096];
    double v = fgets(first, sizeof first, f) ? strtod(first, NULL) : 0;
    size_t n = fread(rest, 1, sizeof rest, f);
    fclose(f);
    if ((f = fopen(path, "w"))) {
        fwrite(rest, 1, n, f);
        fclose(f);
    }
    return v > 0 ? v : 0;
}

static int tp_check(bx_ctx *ctx)
{
    if (bx_param_int(ctx, "count") == 13)
        return bx_error(ctx, BX_EINVAL, "count = 13 is refused by the plugin's check (test)");
    return 0;
}

static int tp_init(bx_ctx *ctx, void **out)
{
    if (strcmp(bx_param_str(ctx, "mode"), "error") == 0)
        return bx_error(ctx, BX_EIO, "init failed on purpose (mode=error)");
    state *s = calloc(1, sizeof *s);
    if (!s)
        return BX_ENOMEM;
    s->count = bx_param_int(ctx, "count");
    s->rate = next_rate();
    *out = s;
    return 0;
}

#ifndef TP_NO_RUN
static int tp_run(bx_ctx *ctx, void *st, unsigned rep)
{
    state *s = st;
    const char *mode = bx_param_str(ctx, "mode");
    if (rep > 0) {
        if (strcmp(mode, "crash") == 0)
            raise(SIGSEGV);
        if (strcmp(mode, "abort") == 0)
            abort();
        if (strcmp(mode, "hang") == 0)
            for (;;)
                pause();
        if (strcmp(mode, "exit") == 0)
            exit(0);
    }
    double t0 = bx_now();
    double acc = 0;
    for (int64_t i = 0; i < s->count; i++)
        acc += (double)i * 0.5;
    s->sink = acc;
    double dt = bx_now() - t0;
    if (dt <= 0)
        dt = 1e-9;
    if (s->rate > 0) {
        bx_sample(ctx, "rate", s->rate);
    } else if (bx_param_isset(ctx, "noise")) {
        /* a controlled spread for auto repetitions: a fixed sequence in [-1, 1] */
        double u = (double)((rep * 2654435761u) % 1001) / 500.0 - 1.0;
        bx_sample(ctx, "rate", 1e6 * (1 + bx_param_double(ctx, "noise") * u));
    } else {
        bx_sample(ctx, "rate", (double)s->count / dt);
    }
    bx_sample(ctx, "elapsed", dt);
    return 0;
}
#endif

static int tp_report(bx_ctx *ctx, void *st)
{
    (void)st;
    bx_metric(ctx, "echo", bx_param_double(ctx, "value"));
    if (bx_param_bool(ctx, "flag"))
        bx_warn(ctx, "flag is set (a warning stored with the run)");
    bx_meta(ctx, "label", bx_param_str(ctx, "label"));
    if (strcmp(bx_param_str(ctx, "mode"), "fail") == 0)
        return bx_error(ctx, BX_EFAILED, "validation failed on purpose (mode=fail)");
    return 0;
}

static void tp_fini(void *st) { free(st); }

static const bx_plugin desc = {
#ifdef TP_BAD_MAGIC
    .magic = 0xdeadbeef, .abi_major = BX_ABI_MAJOR, .abi_minor = BX_ABI_MINOR,
    .struct_size = sizeof(bx_plugin),
#elif defined(TP_ABI_MAJOR)
    .magic = BX_ABI_MAGIC, .abi_major = TP_ABI_MAJOR, .abi_minor = 0,
    .struct_size = sizeof(bx_plugin),
#elif defined(TP_ABI_MINOR)
    .magic = BX_ABI_MAGIC, .abi_major = BX_ABI_MAJOR, .abi_minor = TP_ABI_MINOR,
    .struct_size = sizeof(bx_plugin),
#elif defined(TP_STRUCT_SIZE)
    .magic = BX_ABI_MAGIC, .abi_major = BX_ABI_MAJOR, .abi_minor = BX_ABI_MINOR,
    .struct_size = TP_STRUCT_SIZE,
#else
    BX_PLUGIN_HEADER,
#endif
    .name = TP_NAME,
    .version = "1.0.0",
    .description = "a trivial test plugin (loop, echo, and misbehaviour on request)",
    .params = params,
    .metrics = metrics,
    .default_repetitions = 3,
    .check = tp_check,
    .init = tp_init,
#ifndef TP_NO_RUN
    .run = tp_run,
#endif
    .report = tp_report,
    .fini = tp_fini,
};

#ifndef TP_NO_ENTRY
BX_PLUGIN_DEFINE(desc)
#else
/* A shared object without the entry point. */
BX_EXPORT int not_a_plugin(void);
BX_EXPORT int not_a_plugin(void) { return desc.magic != 0; }
#endif
