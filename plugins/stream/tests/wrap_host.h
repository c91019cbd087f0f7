/*
 * wrap_host.h — run the stream plugin through the mock host, but with our
 * own barrier and allreduce (a fake peer rank, or real MPI).
 *
 * wrap_plugin() returns a copy of the plugin's descriptor whose callbacks
 * swap the mock's context for one whose host table is the mock's with
 * wrap_barrier / wrap_allreduce put in.  Parameters, metrics, samples and
 * warnings still land in the mock, so bx_mock_* read them as usual.
 */
#ifndef STREAM_TEST_WRAP_HOST_H
#define STREAM_TEST_WRAP_HOST_H

#include "benchaas/mock.h"
#include "benchaas/sdk.h"

BX_EXPORT const bx_plugin *benchaas_plugin_entry(const bx_host *host);

static int (*wrap_barrier)(bx_ctx *ctx);
static int (*wrap_allreduce)(bx_ctx *ctx, double *values, int count, int op);

static const bx_plugin *wrap_real;
static bx_plugin wrap_desc;
static bx_host wrap_hosttab;

static bx_ctx wrap_ctx(bx_ctx *ctx)
{
    wrap_hosttab = *ctx->host;
    if (wrap_barrier)
        wrap_hosttab.barrier = wrap_barrier;
    if (wrap_allreduce)
        wrap_hosttab.allreduce = wrap_allreduce;
    bx_ctx c = {&wrap_hosttab, ctx->host_data};
    return c;
}

static int wrap_check(bx_ctx *ctx)
{
    bx_ctx c = wrap_ctx(ctx);
    return wrap_real->check(&c);
}
static int wrap_init(bx_ctx *ctx, void **state)
{
    bx_ctx c = wrap_ctx(ctx);
    return wrap_real->init(&c, state);
}
static int wrap_run(bx_ctx *ctx, void *state, unsigned rep)
{
    bx_ctx c = wrap_ctx(ctx);
    return wrap_real->run(&c, state, rep);
}
static int wrap_report(bx_ctx *ctx, void *state)
{
    bx_ctx c = wrap_ctx(ctx);
    return wrap_real->report(&c, state);
}

static const bx_plugin *wrap_plugin(void)
{
    wrap_real = benchaas_plugin_entry(NULL);
    wrap_desc = *wrap_real;
    wrap_desc.check = wrap_check;
    wrap_desc.init = wrap_init;
    wrap_desc.run = wrap_run;
    wrap_desc.report = wrap_report;
    return &wrap_desc;
}

#endif
