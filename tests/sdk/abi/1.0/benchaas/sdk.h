/*
 * benchaas/sdk.h — helpers for plugin authors (libbenchaas-sdk).
 *
 * Wrappers around the host table (parameters, metrics, samples, logging),
 * monotonic timers, statistics over repetitions and error text.  The SDK
 * depends on nothing but libc and is linked statically into each plugin.
 *
 * Ownership: every string argument is copied by the callee; every string
 * returned by bx_param_str() belongs to the host and stays valid until the
 * plugin's fini returns.
 */
#ifndef BENCHAAS_SDK_H
#define BENCHAAS_SDK_H

#include <stddef.h>
#include <stdint.h>

#include "benchaas/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define BX_PRINTF(f, a)
#endif

/* ---- parameters ------------------------------------------------------- */
int bx_param_isset(bx_ctx *ctx, const char *name);
int64_t bx_param_int(bx_ctx *ctx, const char *name);    /* INT, SIZE (bytes), BOOL (0/1) */
double bx_param_double(bx_ctx *ctx, const char *name);  /* any numeric type */
int bx_param_bool(bx_ctx *ctx, const char *name);       /* 0 or 1 */
const char *bx_param_str(bx_ctx *ctx, const char *name);/* any type as text; "" if unset */

/* ---- where this run is ------------------------------------------------ */
int bx_rank(bx_ctx *ctx);
int bx_nranks(bx_ctx *ctx);
int bx_threads(bx_ctx *ctx);
unsigned bx_repetitions(bx_ctx *ctx);
int bx_is_warmup(bx_ctx *ctx);

/* ---- results ---------------------------------------------------------- */
/* The final value of a declared metric (rank 0's call is the one kept). */
int bx_metric(bx_ctx *ctx, const char *name, double value);
/* One more value of a declared metric in the current repetition. */
int bx_sample(bx_ctx *ctx, const char *metric, double value);
/* A key/value stored with the run's metadata ("tuned" = "nt_stores"). */
int bx_meta(bx_ctx *ctx, const char *key, const char *value);

/* ---- messages --------------------------------------------------------- */
void bx_log(bx_ctx *ctx, int level, const char *fmt, ...) BX_PRINTF(3, 4);
#define bx_debug(ctx, ...) bx_log((ctx), BX_LOG_DEBUG, __VA_ARGS__)
#define bx_info(ctx, ...) bx_log((ctx), BX_LOG_INFO, __VA_ARGS__)
/* A warning is printed and stored with the run (e.g. "arrays fit in cache"). */
#define bx_warn(ctx, ...) bx_log((ctx), BX_LOG_WARN, __VA_ARGS__)
/* Say why the callback is about to fail; returns `code` for `return bx_error(...)`. */
int bx_error(bx_ctx *ctx, int code, const char *fmt, ...) BX_PRINTF(3, 4);
/* Output of the optional describe() callback. */
void bx_print(bx_ctx *ctx, const char *fmt, ...) BX_PRINTF(2, 3);

/* ---- collectives (work with one rank too) ------------------------------ */
int bx_barrier(bx_ctx *ctx);
int bx_allreduce(bx_ctx *ctx, double *values, int count, int op); /* BX_OP_* */

/* ---- expand() --------------------------------------------------------- */
int bx_expand_point(bx_ctx *ctx, const char *const *kv);

/* ---- error text ------------------------------------------------------- */
const char *bx_strerror(int code);

/* ---- monotonic timers ------------------------------------------------- */
double bx_now(void);        /* seconds, CLOCK_MONOTONIC */
uint64_t bx_now_ns(void);   /* nanoseconds, CLOCK_MONOTONIC */
typedef struct bx_timer { double start, elapsed; } bx_timer;
void bx_timer_start(bx_timer *t);
double bx_timer_stop(bx_timer *t); /* adds to and returns t->elapsed */

/* ---- statistics over repetitions -------------------------------------- */
typedef struct bx_stats {
    size_t n;
    double min, max, mean, median, stddev; /* stddev: sample (n-1) */
    double p5, p95;
} bx_stats;
/* Fills *out from v[0..n) (v is not modified).  Returns BX_EINVAL if n == 0. */
int bx_stats_compute(const double *v, size_t n, bx_stats *out);
/* Percentile p in [0,100] with linear interpolation (v need not be sorted). */
double bx_percentile(const double *v, size_t n, double p);
double bx_median(const double *v, size_t n);

/* ---- sizes ------------------------------------------------------------ */
/* "128k" -> 131072; returns BX_EINVAL on garbage or overflow. */
int bx_parse_size(const char *text, uint64_t *out);
/* 131072 -> "128 KiB" (buf of at least 32 bytes). */
const char *bx_format_size(uint64_t bytes, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* BENCHAAS_SDK_H */
