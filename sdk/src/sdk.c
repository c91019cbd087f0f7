/* sdk.c — host wrappers, timers, statistics, sizes and error text for plugins. */
#define _POSIX_C_SOURCE 200809L
#include "benchaas/sdk.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- host wrappers ---------------------------------------------------- */

int bx_param_isset(bx_ctx *ctx, const char *name) { return ctx->host->param_isset(ctx, name); }
int64_t bx_param_int(bx_ctx *ctx, const char *name) { return ctx->host->param_int(ctx, name); }
double bx_param_double(bx_ctx *ctx, const char *name) { return ctx->host->param_double(ctx, name); }
int bx_param_bool(bx_ctx *ctx, const char *name) { return ctx->host->param_int(ctx, name) != 0; }
const char *bx_param_str(bx_ctx *ctx, const char *name)
{
    const char *s = ctx->host->param_string(ctx, name);
    return s ? s : "";
}

int bx_param_computed(bx_ctx *ctx, const char *name, const char *value)
{
    const bx_host *h = ctx->host;
    size_t need = offsetof(bx_host, param_computed) + sizeof h->param_computed;
    if (h->struct_size < need || !h->param_computed)
        return BX_ENOTSUP;
    return h->param_computed(ctx, name, value);
}

int bx_rank(bx_ctx *ctx) { return ctx->host->rank(ctx); }
int bx_nranks(bx_ctx *ctx) { return ctx->host->nranks(ctx); }
int bx_node_ranks(bx_ctx *ctx)
{
    const bx_host *h = ctx->host;
    size_t need = offsetof(bx_host, node_ranks) + sizeof h->node_ranks;
    int n = h->struct_size >= need && h->node_ranks ? h->node_ranks(ctx) : 0;
    return n > 0 ? n : bx_nranks(ctx);
}
int bx_threads(bx_ctx *ctx) { return ctx->host->threads(ctx); }
unsigned bx_repetitions(bx_ctx *ctx) { return ctx->host->repetitions(ctx); }
int bx_is_warmup(bx_ctx *ctx) { return ctx->host->is_warmup(ctx); }

int bx_metric(bx_ctx *ctx, const char *name, double value)
{
    return ctx->host->metric(ctx, name, value);
}
int bx_sample(bx_ctx *ctx, const char *metric, double value)
{
    return ctx->host->sample(ctx, metric, value);
}
int bx_meta(bx_ctx *ctx, const char *key, const char *value)
{
    return ctx->host->meta(ctx, key, value);
}

void bx_log(bx_ctx *ctx, int level, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->host->log(ctx, level, buf);
}

int bx_error(bx_ctx *ctx, int code, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->host->error(ctx, buf);
    return code;
}

void bx_print(bx_ctx *ctx, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->host->print(ctx, buf);
}

int bx_barrier(bx_ctx *ctx) { return ctx->host->barrier(ctx); }
int bx_allreduce(bx_ctx *ctx, double *values, int count, int op)
{
    return ctx->host->allreduce(ctx, values, count, op);
}
int bx_expand_point(bx_ctx *ctx, const char *const *kv) { return ctx->host->expand_point(ctx, kv); }

const char *bx_strerror(int code)
{
    switch (code) {
    case BX_OK: return "success";
    case BX_EINVAL: return "invalid parameter";
    case BX_ENOMEM: return "out of memory";
    case BX_EIO: return "input/output error";
    case BX_EFAILED: return "validation failed";
    case BX_ENOTSUP: return "not supported";
    case BX_ECOMM: return "communication failed";
    case BX_EINTERNAL: return "internal error";
    }
    return "unknown error";
}

/* ---- timers ----------------------------------------------------------- */

uint64_t bx_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bx_timer_start(bx_timer *t) { t->start = bx_now(); }

double bx_timer_stop(bx_timer *t)
{
    t->elapsed += bx_now() - t->start;
    return t->elapsed;
}

/* ---- statistics ------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bx_percentile_sorted(const double *s, size_t n, double p)
{
    if (n == 0)
        return NAN;
    if (p <= 0)
        return s[0];
    if (p >= 100)
        return s[n - 1];
    double pos = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)pos;
    double frac = pos - (double)lo;
    if (lo + 1 >= n)
        return s[n - 1];
    return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double bx_percentile(const double *v, size_t n, double p)
{
    if (n == 0)
        return NAN;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NAN;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double r = bx_percentile_sorted(s, n, p);
    free(s);
    return r;
}

double bx_median(const double *v, size_t n) { return bx_percentile(v, n, 50.0); }

int bx_stats_compute(const double *v, size_t n, bx_stats *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0) {
        out->min = out->max = out->mean = out->median = out->stddev = NAN;
        out->p5 = out->p95 = NAN;
        return BX_EINVAL;
    }
    double *s = malloc(n * sizeof *s);
    if (!s)
        return BX_ENOMEM;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += s[i];
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (s[i] - mean) * (s[i] - mean);
    out->n = n;
    out->min = s[0];
    out->max = s[n - 1];
    out->mean = mean;
    out->median = bx_percentile_sorted(s, n, 50);
    out->p5 = bx_percentile_sorted(s, n, 5);
    out->p95 = bx_percentile_sorted(s, n, 95);
    out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    free(s);
    return 0;
}

/* ---- sizes ------------------------------------------------------------ */

int bx_parse_size(const char *text, uint64_t *out)
{
    if (!text)
        return BX_EINVAL;
    while (isspace((unsigned char)*text))
        text++;
    if (!isdigit((unsigned char)*text))
        return BX_EINVAL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno == ERANGE)
        return BX_EINVAL;
    unsigned shift = 0;
    switch (tolower((unsigned char)*end)) {
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    case 't': shift = 40; end++; break;
    default: break;
    }
    if (shift && (tolower((unsigned char)*end) == 'i'))
        end++; /* "KiB" */
    if (shift && (tolower((unsigned char)*end) == 'b'))
        end++;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return BX_EINVAL;
    if (shift && v > (UINT64_MAX >> shift))
        return BX_EINVAL;
    *out = (uint64_t)v << shift;
    return 0;
}

const char *bx_format_size(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%llu B", (unsigned long long)bytes);
    else
        snprintf(buf, len, "%.4g %s", v, units[u]);
    return buf;
}
