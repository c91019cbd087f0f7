/*
 * kernels.h — the four STREAM kernels, in one variant per instruction set.
 *
 * Every kernel works on one thread's share [0, n) of the arrays; the caller
 * splits the arrays between threads.  Any alignment is accepted (the kernels
 * peel elements until the destination is aligned to a cache line), but the
 * arrays stream.c allocates are 2 MiB-aligned and split at 4 KiB boundaries,
 * so in practice only the tail of the last share is handled element-wise.
 *
 * Two store flavours per instruction set:
 *   - ordinary stores (write-allocate: the CPU reads the destination line
 *     before overwriting it);
 *   - non-temporal ("streaming") stores that bypass the caches and avoid
 *     the write-allocate read.  They end with a store fence, so the data is
 *     globally visible when the kernel returns.
 *
 * The instruction set is chosen at run time (stream_isa_supported()); the
 * x86 variants are compiled with per-function target attributes, so the
 * file needs no -m flags and runs on any x86-64.  The portable variant is
 * plain C and is the only one on other architectures (aarch64, ...).
 */
#ifndef BENCHAAS_STREAM_KERNELS_H
#define BENCHAAS_STREAM_KERNELS_H

#include <stddef.h>

/* In order of preference: the best supported one wins for isa=auto. */
typedef enum stream_isa {
    STREAM_ISA_PORTABLE = 0, /* plain C, whatever the compiler makes of it */
    STREAM_ISA_SSE2 = 1,     /* 128-bit, every x86-64 */
    STREAM_ISA_AVX2 = 2,     /* 256-bit */
    STREAM_ISA_AVX512 = 3,   /* 512-bit (AVX-512F) */
    STREAM_ISA_COUNT
} stream_isa;

/* c = a */
typedef void (*stream_copy_fn)(double *restrict c, const double *restrict a, size_t n);
/* b = s * c */
typedef void (*stream_scale_fn)(double *restrict b, const double *restrict c, double s, size_t n);
/* c = a + b */
typedef void (*stream_add_fn)(double *restrict c, const double *restrict a,
                              const double *restrict b, size_t n);
/* a = b + s * c */
typedef void (*stream_triad_fn)(double *restrict a, const double *restrict b,
                                const double *restrict c, double s, size_t n);

typedef struct stream_kernels {
    stream_copy_fn copy;
    stream_scale_fn scale;
    stream_add_fn add;
    stream_triad_fn triad;
} stream_kernels;

/* "portable", "sse2", "avx2", "avx512". */
const char *stream_isa_name(stream_isa isa);

/* 1 if this build has the variant and this CPU (and OS) can run it. */
int stream_isa_supported(stream_isa isa);

/* The best supported instruction set. */
stream_isa stream_isa_best(void);

/*
 * The kernels of `isa` with ordinary (nt == 0) or non-temporal (nt != 0)
 * stores; NULL when stream_isa_supported(isa) is 0.  The portable variant
 * has no non-temporal stores: it returns its ordinary kernels for nt != 0
 * (stream_isa_has_nt() tells).  Static storage, never freed.
 */
const stream_kernels *stream_kernels_get(stream_isa isa, int nt);

/* 1 if `isa` has real non-temporal store instructions. */
int stream_isa_has_nt(stream_isa isa);

#endif /* BENCHAAS_STREAM_KERNELS_H */
