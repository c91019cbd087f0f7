/*
 * stream_internal.h — the STREAM plugin's state and callbacks, shared by
 * stream.c and the plugin's own unit tests (which compile the sources in and
 * poke at the arrays, e.g. to corrupt one and see validation fail).  Not
 * installed, not part of any public interface.
 */
#ifndef BENCHAAS_STREAM_INTERNAL_H
#define BENCHAAS_STREAM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "benchaas/sdk.h"
#include "kernels.h"

/* The kernels, in the order STREAM runs them. */
enum { STREAM_COPY, STREAM_SCALE, STREAM_ADD, STREAM_TRIAD, STREAM_NKERNELS };

/* Tolerance of the validation: average relative error per array. */
#define STREAM_EPSILON 1e-13
/* The `scalar` of Scale and Triad. */
#define STREAM_SCALAR 3.0
/* The smallest default array_size (STREAM's own default). */
#define STREAM_MIN_DEFAULT_SIZE 10000000u

typedef struct stream_state {
    size_t n;          /* elements per array */
    int ntimes;        /* iterations per repetition, the first one not counted */
    int nt;            /* non-temporal stores in use */
    int nthreads;      /* OpenMP threads per rank */
    int nranks;        /* ranks running the kernels at the same time */
    stream_isa isa;
    const stream_kernels *k; /* static, not owned */
    double *a, *b, *c; /* owned: the three arrays, 2 MiB-aligned */
    double *times;     /* owned: ntimes x STREAM_NKERNELS seconds of the current repetition */

    /* Over the timed repetitions, for report(). */
    unsigned nreps;
    double avg_sum[STREAM_NKERNELS];   /* sum of each repetition's average rate */
    double worst[STREAM_NKERNELS];     /* lowest rate of any iteration */
} stream_state;

/* The plugin's callbacks (the descriptor in stream.c points at these). */
int stream_check(bx_ctx *ctx);
int stream_init(bx_ctx *ctx, void **state);
int stream_run(bx_ctx *ctx, void *state, unsigned rep);
int stream_report(bx_ctx *ctx, void *state);
void stream_fini(void *state);

/*
 * array_size when the user gives none: enough elements for three arrays of
 * doubles to exceed four times `llc_bytes`, at least
 * STREAM_MIN_DEFAULT_SIZE, rounded up to a whole million.
 */
size_t stream_default_size(uint64_t llc_bytes);

/* What a[], b[], c[] hold after `ntimes` iterations from a=1, b=2, c=0. */
void stream_expected(int ntimes, double *a, double *b, double *c);

#endif /* BENCHAAS_STREAM_INTERNAL_H */
