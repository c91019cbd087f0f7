/*
 * mpi_test.c — tests of the mpi plugin on the mock host.
 *
 *     mpi_test unit            no MPI: sizes, iteration rules, the buffers' rings and
 *                              banks, the pattern, bad input
 *     mpi_test GROUP...        under mpirun -np N
 *
 * Groups under mpirun:
 *   run      every test at small sizes: metrics, one sample per size and
 *            repetition, the sizes' metadata, verified; latency_min (the fastest
 *            batch) sample by sample never above latency (the average) and its
 *            value the best repetition at 1 B (fails if run_p2p() stops filling
 *            its row, or fills it with the average of the slowest batch); the
 *            same of bandwidth_max (the fastest bw iteration) against bandwidth at
 *            max_size (fails if run_p2p() stops filling its row, or bandwidth()
 *            keeps the slowest iteration or the average)
 *   corrupt  a byte flipped in messages of one size (the test hook
 *            BENCHAAS_MPI_TEST_CORRUPT): a stamped byte caught in the timed
 *            loop (bw's in iteration 0 too, below and at 512 KiB: fails if
 *            bw_receiver() or bw_receiver_large() stops checking), an unstamped
 *            one by the byte-for-byte check, a
 *            collective's too; the run fails on every rank with the size and the
 *            offset
 *   pairs    mode=pairs on one node: every pair of ranks, one sample each
 *   slow     mode=pairs on 4 ranks, rank 3 slowed (BENCHAAS_MPI_TEST_DELAY): the
 *            warning and slow_nodes name rank 3 and no other
 *
 * Exit 0 passed, 1 failed.
 */
#define _GNU_SOURCE
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/mock.h"
#include "mpi_int.h"

static int g_rank = 0, g_size = 1, g_failed = 0;

#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "FAIL rank %d %s:%d: %s: ", g_rank, __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                                     \
            fputc('\n', stderr);                                                              \
            g_failed = 1;                                                                     \
        }                                                                                     \
    } while (0)

/* A mock of this process's world with "name=value" settings (NULL-terminated). */
static bx_mock *mk(int nranks, unsigned reps, ...)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_world(m, g_rank, nranks);
    bx_mock_set_repetitions(m, reps);
    bx_mock_set_verbose(m, getenv("MPI_TEST_VERBOSE") != NULL);
    va_list ap;
    va_start(ap, reps);
    int rc = bx_mock_vset(m, ap);
    va_end(ap);
    CHECK(rc == 0, "%s", bx_mock_error(m));
    return m;
}

/* check() refuses with a message containing `want`. */
static void refuse(bx_mock *m, const char *want)
{
    int rc = bx_mock_check(m);
    CHECK(rc == BX_EINVAL, "expected BX_EINVAL for '%s', got %d", want, rc);
    CHECK(strstr(bx_mock_error(m), want) != NULL, "message '%s' lacks '%s'", bx_mock_error(m),
          want);
    bx_mock_free(m);
}

static void test_sizes_and_iterations(void)
{
    uint64_t s[MPI_MAX_SIZES];
    size_t n = mpi_sizes(1, 4u << 20, s, MPI_MAX_SIZES);
    CHECK(n == 23 && s[0] == 1 && s[22] == (4u << 20), "1..4m: %zu sizes", n);
    n = mpi_sizes(3, 100, s, MPI_MAX_SIZES);
    CHECK(n == 6 && s[5] == 96, "3..100: %zu sizes, last %llu", n, (unsigned long long)s[n - 1]);
    CHECK(mpi_sizes(8, 8, s, MPI_MAX_SIZES) == 1, "one size");

    struct { int test; uint64_t size; int64_t i, x; long iters, skip; } rule[] = {
        {T_LATENCY, 1, -1, -1, 10000, 100},     {T_LATENCY, 8192, -1, -1, 10000, 100},
        {T_LATENCY, 8193, -1, -1, 1000, 10},    {T_BW, 8192, -1, -1, 100, 10},
        {T_BW, 16384, -1, -1, 20, 2},           {T_BIBW, 4u << 20, -1, -1, 20, 2},
        {T_ALLREDUCE, 4, -1, -1, 1000, 100},    {T_BCAST, 1u << 20, -1, -1, 100, 10},
        {T_LATENCY, 64, 500, 0, 500, 0},        {T_LATENCY, 65536, 500, 0, 50, 0},
        {T_LATENCY, 65536, 5, 3, 1, 1},         {T_BW, 65536, 10, 5, 2, 1},
    };
    for (size_t k = 0; k < sizeof rule / sizeof rule[0]; k++) {
        long it, sk;
        mpi_iters(rule[k].test, rule[k].size, rule[k].i, rule[k].x, &it, &sk);
        CHECK(it == rule[k].iters && sk == rule[k].skip, "%s size %llu -i %lld -x %lld: %ld+%ld",
              mpi_test_name(rule[k].test), (unsigned long long)rule[k].size,
              (long long)rule[k].i, (long long)rule[k].x, it, sk);
    }
}

/*
 * The latency ring and bw's two banks of slots fit the buffers: mpi_ring() keeps
 * 1 .. MPI_RING_MAX messages and at most MPI_RING_BYTES (one message when larger), or
 * MPI_RING_SMALL_BYTES under MPI_RING_SMALL, and mpi_buf_bytes() holds the ring and two
 * banks.  Fails if mpi_buf_bytes() forgets the ring or the second bank (a buffer overrun the
 * run tests would only see under ASan), if the ring outgrows the cache-sized cap, or if
 * small messages get the large messages' ring.
 */
static void test_buffers(void)
{
    CHECK(mpi_ring(1) == MPI_RING_MAX, "ring of 1 B: %llu", (unsigned long long)mpi_ring(1));
    CHECK(mpi_ring(64) == MPI_RING_SMALL_BYTES / 64, "ring of 64 B: %llu",
          (unsigned long long)mpi_ring(64));
    CHECK(mpi_ring(2048) == MPI_RING_SMALL_BYTES / 2048, "ring of 2 KiB: %llu",
          (unsigned long long)mpi_ring(2048));
    CHECK(mpi_ring(MPI_RING_SMALL) == MPI_RING_BYTES / MPI_RING_SMALL, "ring of 4 KiB: %llu",
          (unsigned long long)mpi_ring(MPI_RING_SMALL));
    CHECK(mpi_ring(MPI_RING_BYTES * 4) == 1, "ring of a large message: %llu",
          (unsigned long long)mpi_ring(MPI_RING_BYTES * 4));
    mpi_cfg c = {.tests = 1u << T_LATENCY, .min_size = 1, .max_size = 2, .window = 1};
    c.nsizes = mpi_sizes(1, 2, c.sizes, MPI_MAX_SIZES);
    CHECK(mpi_buf_bytes(&c, 2) >= 2 * mpi_ring(2), "latency: %llu bytes for the ring",
          (unsigned long long)mpi_buf_bytes(&c, 2));
    c.tests = 1u << T_BW;
    c.window = 64;
    c.max_size = 4096;
    c.nsizes = mpi_sizes(1, 4096, c.sizes, MPI_MAX_SIZES);
    CHECK(mpi_buf_bytes(&c, 2) == 2 * 64 * 4096, "bw: %llu bytes for two banks",
          (unsigned long long)mpi_buf_bytes(&c, 2));
    CHECK(mpi_slots(&c, 4u << 20) == 1 && mpi_slots(&c, 16384) * 16384 <= MPI_SLOT_BYTES,
          "slots capped at %u bytes", MPI_SLOT_BYTES);
}

static void test_pattern(void)
{
    static unsigned char buf[65536];
    uint64_t seed = mpi_seed(T_LATENCY, 7, 0, 1, sizeof buf);
    CHECK(seed != mpi_seed(T_LATENCY, 8, 0, 1, sizeof buf), "iteration changes the seed");
    CHECK(seed != mpi_seed(T_LATENCY, 7, 1, 0, sizeof buf), "rank changes the seed");
    mpi_fill(buf, sizeof buf, seed, 1);
    CHECK(mpi_check(buf, sizeof buf, seed, 1) == sizeof buf, "full round trip");
    CHECK(mpi_check(buf, sizeof buf, seed ^ 1, 0) == 0, "another seed fails at byte 0");
    buf[8192] ^= 1; /* stamped: caught by both checks */
    CHECK(mpi_check(buf, sizeof buf, seed, 0) == 8192, "sparse sees a stamped byte");
    buf[8192] ^= 1;
    buf[5000] ^= 1; /* between stamps: only the full check sees it */
    CHECK(mpi_check(buf, sizeof buf, seed, 0) == sizeof buf, "sparse skips byte 5000");
    CHECK(mpi_check(buf, sizeof buf, seed, 1) == 5000, "full sees byte 5000");
    buf[sizeof buf - 1] ^= 1;
    CHECK(mpi_check(buf, sizeof buf, seed, 0) == sizeof buf - 1, "last byte stamped");
    mpi_fill(buf, 3, seed, 0);
    CHECK(mpi_check(buf, 3, seed, 0) == 3, "3 bytes");
    buf[1] ^= 0x80;
    CHECK(mpi_check(buf, 3, seed, 0) == 1, "a small message is checked whole");
}

static void test_badinput(void)
{
    refuse(mk(2, 1, "min_size=64k", "max_size=1k", NULL), "larger than max_size");
    refuse(mk(1, 1, "test=latency", NULL), "at least 2 ranks");
    refuse(mk(2, 1, "test=allreduce", "max_size=2", NULL), "4 bytes");
    bx_mock *m = mk(2, 1, NULL);
    CHECK(bx_mock_set(m, "test", "pingpong") == BX_EINVAL, "unknown test accepted");
    CHECK(bx_mock_set(m, "window", "0") == BX_EINVAL, "window 0 accepted");
    CHECK(bx_mock_set(m, "max_size", "2g") == BX_EINVAL, "max_size 2g accepted");
    bx_mock_free(m);
    m = mk(1, 1, "test=collective", NULL);
    CHECK(bx_mock_check(m) == 0, "collectives on one rank: %s", bx_mock_error(m));
    bx_mock_free(m);
}

static void expect_samples(bx_mock *m, const char *metric, size_t want)
{
    size_t n = 0;
    const double *v = bx_mock_samples(m, metric, &n);
    CHECK(n == want, "%s: %zu samples, want %zu", metric, n, want);
    for (size_t i = 0; v && i < n; i++)
        CHECK(v[i] > 0, "%s sample %zu = %g", metric, i, v[i]);
}

/* bandwidth_max (the fastest iteration) sample by sample: never below bandwidth (the
 * average), above it somewhere, and its value the best repetition at max_size. */
static void expect_bw_max(bx_mock *m, size_t want)
{
    expect_samples(m, "bandwidth_max", want);
    size_t na = 0, nb = 0;
    const double *avg = bx_mock_samples(m, "bandwidth", &na);
    const double *best = bx_mock_samples(m, "bandwidth_max", &nb);
    int above = 0;
    for (size_t i = 0; avg && best && i < na && i < nb; i++) {
        CHECK(best[i] >= avg[i], "sample %zu: bandwidth_max %g below bandwidth %g", i, best[i],
              avg[i]);
        above |= best[i] > avg[i];
    }
    CHECK(above, "bandwidth_max never above bandwidth: not the fastest iteration");
    double bmax = 0, last = -1; /* the two repetitions' max_size samples: want/2 - 1, want - 1 */
    if (best && nb == want)
        last = best[want / 2 - 1] > best[want - 1] ? best[want / 2 - 1] : best[want - 1];
    CHECK(bx_mock_metric(m, "bandwidth_max", &bmax) == 0 && bmax == last,
          "bandwidth_max %g: not the best repetition at max_size (%g)", bmax, last);
    CHECK(!bx_mock_is_headline(m, "bandwidth_max"), "bandwidth_max is a headline");
}

static void test_run(void)
{
    /* 1 B .. 16 KiB: 15 sizes, 2 of them under allreduce's 4 bytes */
    bx_mock *m = mk(g_size, 2, "test=all", "max_size=16k", "iterations=40", "warmup=4", NULL);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run: %d %s", rc, bx_mock_error(m));
    if (g_rank == 0 && rc == 0) {
        double lat = 0, bw = 0, v = 0;
        CHECK(bx_mock_metric(m, "latency", &lat) == 0 && lat > 0, "latency %g", lat);
        CHECK(bx_mock_metric(m, "bandwidth", &bw) == 0 && bw > 0, "bandwidth %g", bw);
        CHECK(bx_mock_metric(m, "verified", &v) == 0 && v == 1, "verified %g", v);
        CHECK(bx_mock_is_headline(m, "latency") && bx_mock_is_headline(m, "bandwidth"),
              "headlines");
        expect_samples(m, "latency", 2 * 15);
        expect_samples(m, "latency_min", 2 * 15);
        size_t na = 0, nb = 0;
        const double *avg = bx_mock_samples(m, "latency", &na);
        const double *best = bx_mock_samples(m, "latency_min", &nb);
        for (size_t i = 0; avg && best && i < na && i < nb; i++)
            CHECK(best[i] <= avg[i], "sample %zu: latency_min %g above latency %g", i, best[i],
                  avg[i]);
        double lmin = 0;
        CHECK(bx_mock_metric(m, "latency_min", &lmin) == 0 && best && nb == 30 &&
                  lmin == (best[0] < best[15] ? best[0] : best[15]),
              "latency_min %g: not the best repetition at 1 B", lmin);
        CHECK(!bx_mock_is_headline(m, "latency_min"), "latency_min is a headline");
        expect_samples(m, "bandwidth", 2 * 15);
        expect_bw_max(m, 2 * 15);
        expect_samples(m, "bibw", 2 * 15);
        expect_samples(m, "allreduce", 2 * 13);
        expect_samples(m, "alltoall", 2 * 15);
        expect_samples(m, "bcast", 2 * 15);
        const char *sz = bx_mock_meta(m, "sizes.allreduce");
        CHECK(sz && strncmp(sz, "4,8,", 4) == 0, "sizes.allreduce = %s", sz ? sz : "(none)");
        sz = bx_mock_meta(m, "sizes.latency");
        CHECK(sz && strncmp(sz, "1,2,", 4) == 0 && strstr(sz, ",16384"), "sizes.latency = %s",
              sz ? sz : "(none)");
        CHECK(bx_mock_meta(m, "pair0") != NULL, "pair0 meta");
    }
    bx_mock_free(m);
}

/* With the hook set to `hook`, test=`test` (512 B .. 16 KiB, or .. `max` if given) fails
 * with a message holding `want`. */
static void corrupt_case_to(const char *hook, const char *test, const char *want,
                            const char *max)
{
    setenv("BENCHAAS_MPI_TEST_CORRUPT", hook, 1);
    bx_mock *m = mk(g_size, 1, test, "min_size=512", max, "iterations=20", "warmup=2", NULL);
    int rc = bx_mock_run(m);
    CHECK(rc == BX_EFAILED, "%s %s: rc %d, expected a failed run", hook, test, rc);
    CHECK(strstr(bx_mock_error(m), want) != NULL, "%s: message '%s' lacks '%s'", hook,
          bx_mock_error(m), want);
    double v = 1;
    if (g_rank == 0)
        CHECK(bx_mock_metric(m, "verified", &v) == 0 && v == 0, "verified %g", v);
    bx_mock_free(m);
    unsetenv("BENCHAAS_MPI_TEST_CORRUPT");
}

static void corrupt_case(const char *hook, const char *test, const char *want)
{
    corrupt_case_to(hook, test, want, "max_size=16k");
}

static void test_corrupt(void)
{
    corrupt_case("8192", "test=latency", "message of 8192 bytes from rank");
    corrupt_case("8192", "test=latency", "(iteration 0): byte 4096");
    corrupt_case("1024:100", "test=bw", "(the untimed byte-for-byte check): byte 100");
    corrupt_case("1024:0:0", "test=bw", "from rank 0 arrived wrong at rank 1 (iteration 0): byte 0");
    corrupt_case_to("524288:0:0", "test=bw", "from rank 0 arrived wrong at rank 1 (iteration 0)",
                    "max_size=512k");
    corrupt_case("4096", "test=bibw", "bibw: a message of 4096 bytes");
    corrupt_case("16384", "test=alltoall", "alltoall: a message of 16384 bytes");
    corrupt_case("2048", "test=bcast", "bcast: a message of 2048 bytes from rank 0");
    corrupt_case("16384", "test=allreduce", "allreduce: a message of 16384 bytes (the sum");
}

static void test_pairs(void)
{
    bx_mock *m = mk(g_size, 1, "mode=pairs", "test=pt2pt", "max_size=4k", "iterations=20",
                    "warmup=2", NULL);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "pairs: %d %s", rc, bx_mock_error(m));
    int npairs = g_size * (g_size - 1) / 2;
    if (g_rank == 0 && rc == 0) {
        expect_samples(m, "pair_latency", (size_t)npairs);
        expect_samples(m, "pair_bandwidth", (size_t)npairs);
        expect_samples(m, "latency", (size_t)npairs * 13);
        expect_samples(m, "latency_min", (size_t)npairs * 13);
        char key[16];
        snprintf(key, sizeof key, "pair%d", npairs - 1);
        CHECK(bx_mock_meta(m, key) != NULL, "%s meta", key);
        double worst = 0;
        size_t n = 0;
        const double *v = bx_mock_samples(m, "pair_latency", &n);
        CHECK(bx_mock_metric(m, "pair_latency", &worst) == 0, "pair_latency value");
        for (size_t i = 0; v && i < n; i++)
            CHECK(v[i] <= worst, "pair %zu latency %g above the slowest %g", i, v[i], worst);
    }
    bx_mock_free(m);
}

/* mode=pairs finds the slow node: rank 3 waits 30 ms before every send (the delay hook;
 * a loaded machine makes the other pairs take milliseconds too). */
static void test_slow(void)
{
    setenv("BENCHAAS_MPI_TEST_DELAY", "3:30000", 1);
    bx_mock *m = mk(g_size, 1, "mode=pairs", "test=latency", "max_size=1", "iterations=10",
                    "warmup=1", NULL);
    int rc = bx_mock_run(m);
    unsetenv("BENCHAAS_MPI_TEST_DELAY");
    CHECK(rc == 0, "slow: %d %s", rc, bx_mock_error(m));
    if (g_rank == 0 && rc == 0) {
        const char *last = NULL, *slow = bx_mock_meta(m, "slow_nodes.latency");
        int nw = bx_mock_warnings(m, &last);
        CHECK(nw >= 1 && last && strstr(last, "rank 3 on ") && strstr(last, "check this node"),
              "warnings %d, last '%s'", nw, last ? last : "");
        CHECK(slow && strstr(slow, "(rank 3)") && !strstr(slow, "(rank 0)") &&
                  !strstr(slow, "(rank 1)") && !strstr(slow, "(rank 2)"),
              "slow_nodes.latency = %s", slow ? slow : "(none)");
        size_t n = 0;
        const double *v = bx_mock_samples(m, "pair_latency", &n);
        for (size_t i = 0; g_failed && v && i < n; i++)
            fprintf(stderr, "pair%zu (%s): %.1f us\n", i, bx_mock_meta(m, "pair0"), v[i]);
        double worst = 0;
        CHECK(bx_mock_metric(m, "pair_latency", &worst) == 0 && worst >= 15000,
              "the slowest pair: %g us, want >= 15000 (half of a 30 ms round trip)", worst);
    }
    bx_mock_free(m);
}

int main(int argc, char **argv)
{
    int mpi = 0;
    for (int i = 1; i < argc; i++)
        mpi |= strcmp(argv[i], "unit") != 0;
    if (mpi) {
        int provided;
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    }
    for (int i = 1; i < argc; i++) {
        if (g_rank == 0)
            printf("== %s (%d rank%s)\n", argv[i], g_size, g_size == 1 ? "" : "s");
        if (strcmp(argv[i], "unit") == 0) {
            test_sizes_and_iterations();
            test_buffers();
            test_pattern();
            test_badinput();
        } else if (strcmp(argv[i], "run") == 0)
            test_run();
        else if (strcmp(argv[i], "corrupt") == 0)
            test_corrupt();
        else if (strcmp(argv[i], "pairs") == 0)
            test_pairs();
        else if (strcmp(argv[i], "slow") == 0)
            test_slow();
        else {
            fprintf(stderr, "unknown test group '%s'\n", argv[i]);
            g_failed = 1;
        }
    }
    int failed = g_failed;
    if (mpi) {
        MPI_Allreduce(&g_failed, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        MPI_Finalize();
    }
    if (g_rank == 0)
        printf("%s\n", failed ? "FAILED" : "passed");
    return failed ? 1 : 0;
}
