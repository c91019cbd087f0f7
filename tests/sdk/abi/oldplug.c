/*
 * oldplug.c — a plugin written for, and compiled against, the headers of an
 * older ABI (tests/sdk/abi/1.0 or 1.1: copies of sdk/include/benchaas as
 * they were released).  A host of today must load it and treat it as its
 * own ABI did:
 *   - `zero` declares min = max = 0: the range 0 .. 0 (5 is refused);
 *   - bx_param_int on the DOUBLE `ratio` answers (2 for 2.5), no failure;
 *   - a getter for an undeclared name answers 0 and the run goes on;
 *   - no headline flag: the first metric is the headline.
 * FIX_NAME names the plugin (abi10, abi11).
 */
#include <string.h>

#include "benchaas/benchaas.h"

#ifndef FIX_NAME
#error "FIX_NAME"
#endif

static const bx_param params[] = {
    {"zero", BX_INT, "0", 0, 0, NULL, "min = max = 0: before ABI 1.2, the range 0 .. 0"},
    {"ratio", BX_DOUBLE, "2.5", BX_RANGE(0, 100), NULL, "read with bx_param_int"},
    {"count", BX_INT, "3", BX_RANGE(1, 1000), NULL, "samples per repetition"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const bx_metric_def metrics[] = {
    {"first", "op/s", BX_BETTER_HIGHER, "the headline, as the first metric"},
    {"ratio_int", "", BX_BETTER_NONE, "bx_param_int of the double ratio"},
    {"undeclared", "", BX_BETTER_NONE, "bx_param_int of an undeclared name"},
    {"node_ranks", "", BX_BETTER_NONE, "bx_node_ranks (ABI 1.1), else bx_nranks"},
    {NULL, NULL, 0, NULL},
};

static int st;

static int op_init(bx_ctx *ctx, void **state)
{
    (void)ctx;
    *state = &st;
    return 0;
}

static int op_run(bx_ctx *ctx, void *state, unsigned rep)
{
    (void)state;
    for (int64_t i = 0; i < bx_param_int(ctx, "count"); i++)
        bx_sample(ctx, "first", 100.0 * rep + (double)i);
    return 0;
}

static int op_report(bx_ctx *ctx, void *state)
{
    (void)state;
    bx_metric(ctx, "ratio_int", (double)bx_param_int(ctx, "ratio"));
    bx_metric(ctx, "undeclared", (double)bx_param_int(ctx, "no_such_param"));
#if BX_ABI_MINOR >= 1
    bx_metric(ctx, "node_ranks", (double)bx_node_ranks(ctx));
#else
    bx_metric(ctx, "node_ranks", (double)bx_nranks(ctx));
#endif
    bx_meta(ctx, "built_for", FIX_NAME);
    return 0;
}

static void op_fini(void *state) { (void)state; }

static const bx_plugin desc = {
    BX_PLUGIN_HEADER,
    .name = FIX_NAME,
    .version = "1.0.0",
    .description = "a plugin built against the headers of an older ABI",
    .params = params,
    .metrics = metrics,
    .default_repetitions = 2,
    .init = op_init,
    .run = op_run,
    .report = op_report,
    .fini = op_fini,
};

BX_PLUGIN_DEFINE(desc)
