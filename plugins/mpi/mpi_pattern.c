/*
 * mpi_pattern.c — what every message carries, and the check of what arrived
 * (the pattern is described in mpi_int.h).
 */
#define _GNU_SOURCE
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mpi_int.h"

#define GOLDEN 0x9E3779B97F4A7C15ull
#define STAMP_STRIDE 4096u /* sparse: 8 bytes at every multiple of this ... */
#define STAMP_FULL_MAX 64u /* ... unless the message is no larger than this */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t mpi_seed_base(int test, int src, int dst, uint64_t size)
{
    uint64_t h = mix64(GOLDEN * (uint64_t)(test + 1));
    h = mix64(h ^ ((uint64_t)(uint32_t)src << 32 | (uint32_t)dst));
    return mix64(h ^ size);
}

uint64_t mpi_seed(int test, uint64_t iter, int src, int dst, uint64_t size)
{
    return mpi_seed_at(mpi_seed_base(test, src, dst, size), iter);
}

static inline uint64_t word_at(uint64_t seed, uint64_t w) { return seed ^ ((w + 1) * GOLDEN); }

uint8_t mpi_pattern_byte(uint64_t seed, uint64_t off)
{
    return (uint8_t)(word_at(seed, off >> 3) >> (8 * (off & 7)));
}

/* The 8 bytes at p as a little-endian word, and back: one load or store each (bw's receiver
 * checks every small message between windows, and byte by byte that cost it up to 35 ns a
 * message of 64 B, a third of the message's time). */
static inline uint64_t load_le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return le64toh(v);
}

static inline void store_le64(unsigned char *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, sizeof v);
}

/* Bytes [lo, hi) of the pattern into buf (byte by byte: only a few of them). */
static void put_range(unsigned char *buf, size_t lo, size_t hi, uint64_t seed)
{
    for (size_t o = lo; o < hi; o++)
        buf[o] = mpi_pattern_byte(seed, o);
}

static size_t check_range(const unsigned char *buf, size_t lo, size_t hi, uint64_t seed)
{
    for (size_t o = lo; o < hi; o++)
        if (buf[o] != mpi_pattern_byte(seed, o))
            return o;
    return SIZE_MAX;
}

/* The 8 bytes at offset o (a word's when o is a multiple of 8). */
static void put_8(unsigned char *buf, size_t o, uint64_t seed)
{
    if (o % 8 == 0)
        store_le64(buf + o, word_at(seed, o / 8));
    else
        put_range(buf, o, o + 8, seed);
}

static size_t check_8(const unsigned char *buf, size_t o, uint64_t seed)
{
    if (o % 8 == 0 && load_le64(buf + o) == word_at(seed, o / 8))
        return SIZE_MAX;
    return check_range(buf, o, o + 8, seed);
}

/* Every byte, a word at a time (little-endian order, as mpi_pattern_byte). */
static void put_all(unsigned char *buf, size_t n, uint64_t seed)
{
    size_t words = n / 8;
    for (size_t w = 0; w < words; w++)
        store_le64(buf + 8 * w, word_at(seed, w));
    put_range(buf, words * 8, n, seed);
}

static size_t check_all(const unsigned char *buf, size_t n, uint64_t seed)
{
    size_t words = n / 8;
    for (size_t w = 0; w < words; w++)
        if (load_le64(buf + 8 * w) != word_at(seed, w))
            return check_range(buf, 8 * w, 8 * w + 8, seed);
    return check_range(buf, words * 8, n, seed);
}

void mpi_fill(unsigned char *buf, size_t n, uint64_t seed, int full)
{
    if (full || n <= STAMP_FULL_MAX) {
        put_all(buf, n, seed);
        return;
    }
    for (size_t o = 0; o + 8 <= n; o += STAMP_STRIDE)
        put_8(buf, o, seed);
    put_8(buf, n - 8, seed);
}

size_t mpi_check(const unsigned char *buf, size_t n, uint64_t seed, int full)
{
    size_t bad;
    if (full || n <= STAMP_FULL_MAX) {
        bad = check_all(buf, n, seed);
        return bad == SIZE_MAX ? n : bad;
    }
    for (size_t o = 0; o + 8 <= n; o += STAMP_STRIDE)
        if ((bad = check_8(buf, o, seed)) != SIZE_MAX)
            return bad;
    bad = check_8(buf, n - 8, seed);
    return bad == SIZE_MAX ? n : bad;
}

uint32_t mpi_sum_u32(const uint64_t *seeds, int nranks, size_t e)
{
    uint32_t sum = 0;
    for (int r = 0; r < nranks; r++) {
        uint32_t v = 0;
        for (int k = 0; k < 4; k++)
            v |= (uint32_t)mpi_pattern_byte(seeds[r], 4 * e + (size_t)k) << (8 * k);
        sum += v;
    }
    return sum;
}

void mpi_stamp(mpi_run *r, unsigned char *buf, size_t n, uint64_t seed, int full)
{
    mpi_fill(buf, n, seed, full);
    if (r->corrupt_size == n && n > 0 && (r->corrupt_rank < 0 || r->corrupt_rank == r->rank))
        buf[r->corrupt_off < n ? r->corrupt_off : n / 2] ^= 0x5a;
}

void mpi_send_delay(const mpi_run *r)
{
    if (r->delay_rank == r->rank && r->delay_us > 0) {
        struct timespec ts = {r->delay_us / 1000000, (r->delay_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
}

void mpi_send_fill(mpi_run *r, unsigned char *buf, size_t n, uint64_t seed, int full)
{
    mpi_stamp(r, buf, n, seed, full);
    mpi_send_delay(r);
}

void mpi_record_bad(mpi_run *r, const mpi_where *w, size_t off, unsigned got, unsigned want)
{
    if (r->bad)
        return;
    r->bad = 1;
    char from[40], when[64];
    if (w->src >= 0)
        snprintf(from, sizeof from, "from rank %d", w->src);
    else
        snprintf(from, sizeof from, "(the sum over all ranks)");
    if (w->full)
        snprintf(when, sizeof when, "the untimed byte-for-byte check");
    else
        snprintf(when, sizeof when, "iteration %llu", (unsigned long long)w->iter);
    snprintf(r->bad_msg, sizeof r->bad_msg,
             "%s: a message of %zu bytes %s arrived wrong at rank %d (%s): byte %zu is 0x%0*x, "
             "expected 0x%0*x",
             mpi_test_name(w->test), w->size, from, r->rank, when, off, got > 0xff ? 8 : 2, got,
             want > 0xff ? 8 : 2, want);
}

void mpi_recv_check(mpi_run *r, const unsigned char *buf, uint64_t seed, const mpi_where *w)
{
    size_t bad = mpi_check(buf, w->size, seed, w->full);
    if (bad != w->size)
        mpi_record_bad(r, w, bad, buf[bad], mpi_pattern_byte(seed, bad));
}
