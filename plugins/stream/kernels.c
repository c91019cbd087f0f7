/* kernels.c — the STREAM kernels per instruction set and their run-time choice. */
#include "kernels.h"

#include <stdint.h>

/* ---- portable C: every architecture ------------------------------------ */

static void copy_c(double *restrict c, const double *restrict a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        c[i] = a[i];
}
static void scale_c(double *restrict b, const double *restrict c, double s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = s * c[i];
}
static void add_c(double *restrict c, const double *restrict a, const double *restrict b,
                  size_t n)
{
    for (size_t i = 0; i < n; i++)
        c[i] = a[i] + b[i];
}
static void triad_c(double *restrict a, const double *restrict b, const double *restrict c,
                    double s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] + s * c[i];
}
static const stream_kernels kernels_c = {copy_c, scale_c, add_c, triad_c};

/* ---- x86-64: SSE2, AVX2, AVX-512F through target attributes ------------- */

#if defined(__x86_64__) && defined(__GNUC__)
#define STREAM_HAVE_X86 1
#include <immintrin.h>

#define KX_NAME(x) x##_sse2
#define KX_ATTR __attribute__((target("sse2")))
#define KX_VEC __m128d
#define KX_W 2
#define KX_LOADU(p) _mm_loadu_pd(p)
#define KX_STORE(p, v) _mm_store_pd((p), (v))
#define KX_STREAM(p, v) _mm_stream_pd((p), (v))
#define KX_SET1(s) _mm_set1_pd(s)
#define KX_ADD(x, y) _mm_add_pd((x), (y))
#define KX_MUL(x, y) _mm_mul_pd((x), (y))
#include "kernels_x86.inc"
#undef KX_NAME
#undef KX_ATTR
#undef KX_VEC
#undef KX_W
#undef KX_LOADU
#undef KX_STORE
#undef KX_STREAM
#undef KX_SET1
#undef KX_ADD
#undef KX_MUL

#define KX_NAME(x) x##_avx2
#define KX_ATTR __attribute__((target("avx2")))
#define KX_VEC __m256d
#define KX_W 4
#define KX_LOADU(p) _mm256_loadu_pd(p)
#define KX_STORE(p, v) _mm256_store_pd((p), (v))
#define KX_STREAM(p, v) _mm256_stream_pd((p), (v))
#define KX_SET1(s) _mm256_set1_pd(s)
#define KX_ADD(x, y) _mm256_add_pd((x), (y))
#define KX_MUL(x, y) _mm256_mul_pd((x), (y))
#include "kernels_x86.inc"
#undef KX_NAME
#undef KX_ATTR
#undef KX_VEC
#undef KX_W
#undef KX_LOADU
#undef KX_STORE
#undef KX_STREAM
#undef KX_SET1
#undef KX_ADD
#undef KX_MUL

#define KX_NAME(x) x##_avx512
#define KX_ATTR __attribute__((target("avx512f")))
#define KX_VEC __m512d
#define KX_W 8
#define KX_LOADU(p) _mm512_loadu_pd(p)
#define KX_STORE(p, v) _mm512_store_pd((p), (v))
#define KX_STREAM(p, v) _mm512_stream_pd((p), (v))
#define KX_SET1(s) _mm512_set1_pd(s)
#define KX_ADD(x, y) _mm512_add_pd((x), (y))
#define KX_MUL(x, y) _mm512_mul_pd((x), (y))
#include "kernels_x86.inc"
#undef KX_NAME
#undef KX_ATTR
#undef KX_VEC
#undef KX_W
#undef KX_LOADU
#undef KX_STORE
#undef KX_STREAM
#undef KX_SET1
#undef KX_ADD
#undef KX_MUL
#else
#define STREAM_HAVE_X86 0
#endif

/* ---- choice ------------------------------------------------------------- */

const char *stream_isa_name(stream_isa isa)
{
    switch (isa) {
    case STREAM_ISA_PORTABLE: return "portable";
    case STREAM_ISA_SSE2: return "sse2";
    case STREAM_ISA_AVX2: return "avx2";
    case STREAM_ISA_AVX512: return "avx512";
    default: return "?";
    }
}

int stream_isa_supported(stream_isa isa)
{
    if (isa == STREAM_ISA_PORTABLE)
        return 1;
#if STREAM_HAVE_X86
    /* __builtin_cpu_supports also checks that the OS saves the wide
     * registers (XCR0), so a "yes" means the instructions really work. */
    __builtin_cpu_init();
    switch (isa) {
    case STREAM_ISA_SSE2: return __builtin_cpu_supports("sse2") != 0;
    case STREAM_ISA_AVX2: return __builtin_cpu_supports("avx2") != 0;
    case STREAM_ISA_AVX512: return __builtin_cpu_supports("avx512f") != 0;
    default: return 0;
    }
#else
    return 0;
#endif
}

stream_isa stream_isa_best(void)
{
    for (int i = STREAM_ISA_COUNT - 1; i > STREAM_ISA_PORTABLE; i--)
        if (stream_isa_supported((stream_isa)i))
            return (stream_isa)i;
    return STREAM_ISA_PORTABLE;
}

int stream_isa_has_nt(stream_isa isa) { return isa != STREAM_ISA_PORTABLE && STREAM_HAVE_X86; }

const stream_kernels *stream_kernels_get(stream_isa isa, int nt)
{
    (void)nt; /* only the x86 variants have two flavours */
    if (!stream_isa_supported(isa))
        return NULL;
    switch (isa) {
    case STREAM_ISA_PORTABLE: return &kernels_c;
#if STREAM_HAVE_X86
    case STREAM_ISA_SSE2: return nt ? &kernels_nt_sse2 : &kernels_st_sse2;
    case STREAM_ISA_AVX2: return nt ? &kernels_nt_avx2 : &kernels_st_avx2;
    case STREAM_ISA_AVX512: return nt ? &kernels_nt_avx512 : &kernels_st_avx512;
#endif
    default: return NULL;
    }
}
