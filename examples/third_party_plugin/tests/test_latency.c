/*
 * test_latency.c — unit tests of the latency plugin, with the SDK's mock
 * host (benchaas/mock.h): no runner, no worker, no database.
 *
 * Build: the plugin's sources are compiled into this program, so
 * benchaas_plugin_entry() is an ordinary function here.  Exit 0 when every
 * check passes; each failure prints what was expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <benchaas/benchaas.h>
#include <benchaas/mock.h>

#include "../chase.h"

static int failures;
#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
            failures++;                                                   \
        }                                                                 \
    } while (0)

/* A fresh mock with small, fast settings. */
static bx_mock *small_mock(void)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    if (!m) {
        fprintf(stderr, "bx_mock_new failed\n");
        exit(1);
    }
    bx_mock_set(m, "size", "64k");
    bx_mock_set(m, "loads", "20000");
    bx_mock_set_repetitions(m, 3);
    return m;
}

/* The chain is one cycle through every line, for both patterns. */
static void test_chain(void)
{
    enum { N = 1000, LINE = 64 };
    void *buf = aligned_alloc(LINE, (size_t)N * LINE);
    CHECK(buf != NULL, "allocation");
    if (!buf)
        return;
    CHECK(chase_build(buf, N, LINE, CHASE_RANDOM, 42) == 0, "build random");
    CHECK(chase_cycle_length(buf, N) == N, "random chain: cycle of %zu, want %d",
          chase_cycle_length(buf, N), N);
    /* The walk ends where the cycle says: N steps bring it back. */
    CHECK(chase_walk(buf, N) == buf, "a walk of N loads returns to the start");

    CHECK(chase_build(buf, N, LINE, CHASE_SEQUENTIAL, 0) == 0, "build sequential");
    CHECK(chase_walk(buf, 1) == (char *)buf + LINE, "sequential: slot 0 links to slot 1");
    CHECK(chase_walk(buf, N - 1) == (char *)buf + (size_t)(N - 1) * LINE,
          "sequential: N-1 loads reach the last slot");
    CHECK(chase_cycle_length(buf, N) == N, "sequential chain is one cycle");

    /* A broken chain is noticed (this is what report() validates). */
    *(void **)buf = buf; /* slot 0 now points at itself */
    CHECK(chase_cycle_length((char *)buf + LINE, N) == N + 1, "a broken chain is not a cycle");
    free(buf);
}

/* A whole run: check, init, warm-up, 3 repetitions, report, fini. */
static void test_run(void)
{
    bx_mock *m = small_mock();
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run returned %d: %s", rc, bx_mock_error(m));
    CHECK(bx_mock_is_headline(m, "latency") && !bx_mock_is_headline(m, "spread"),
          "latency is the headline");

    double lat = 0, med = 0, valid = 0, spread = -1;
    CHECK(bx_mock_metric(m, "latency", &lat) == 0, "latency has a value");
    CHECK(lat > 0 && lat < 1e5, "latency %g ns is plausible", lat);
    CHECK(bx_mock_metric(m, "latency_median", &med) == 0, "latency_median has a value");
    CHECK(lat <= med, "best (%g) <= median (%g)", lat, med);
    CHECK(bx_mock_metric(m, "spread", &spread) == 0 && spread >= 0, "spread %g", spread);
    CHECK(bx_mock_metric(m, "valid", &valid) == 0 && valid == 1.0, "valid = %g", valid);

    /* One sample per timed repetition; the warm-up's are dropped. */
    size_t n = 0;
    const double *v = bx_mock_samples(m, "latency", &n);
    CHECK(n == 3, "%zu samples, want 3", n);
    for (size_t i = 0; v && i < n; i++)
        CHECK(v[i] >= lat, "sample %g is not below the best %g", v[i], lat);

    const char *lines = bx_mock_meta(m, "lines");
    CHECK(lines && strcmp(lines, "1024") == 0, "meta lines = %s, want 1024 (64k / 64)",
          lines ? lines : "(unset)");
    bx_mock_free(m);
}

/* check() refuses inconsistent parameters with a message saying why. */
static void test_check(void)
{
    bx_mock *m = small_mock();
    CHECK(bx_mock_set(m, "size", "100000") == 0, "100000 is a valid size on its own");
    CHECK(bx_mock_check(m) == BX_EINVAL, "size not a multiple of line");
    CHECK(strstr(bx_mock_error(m), "multiple of line") != NULL, "message: %s", bx_mock_error(m));
    CHECK(strstr(bx_mock_error(m), "try size=100032") != NULL, "suggests a size: %s",
          bx_mock_error(m));

    bx_mock_set(m, "size", "96k");
    CHECK(bx_mock_set(m, "line", "48") == 0, "48 is inside the declared range");
    CHECK(bx_mock_check(m) == BX_EINVAL, "line not a power of two");
    CHECK(strstr(bx_mock_error(m), "power of two") != NULL, "message: %s", bx_mock_error(m));

    bx_mock_set(m, "line", "4k");
    bx_mock_set(m, "size", "4k");
    CHECK(bx_mock_check(m) == BX_EINVAL, "a single line is refused");

    bx_mock_set(m, "size", "64k");
    bx_mock_set(m, "line", "128");
    CHECK(bx_mock_check(m) == 0, "64k / 128 is fine: %s", bx_mock_error(m));
    bx_mock_free(m);
}

/* The declared table does the type, range and choice checks. */
static void test_params(void)
{
    bx_mock *m = small_mock();
    CHECK(bx_mock_set(m, "size", "12") == BX_EINVAL, "below the 1 KiB minimum");
    CHECK(bx_mock_set(m, "size", "1.5m") == BX_EINVAL, "sizes are whole numbers");
    CHECK(bx_mock_set(m, "loads", "ten") == BX_EINVAL, "loads is an integer");
    CHECK(bx_mock_set(m, "pattern", "zigzag") == BX_EINVAL, "not a choice");
    CHECK(strstr(bx_mock_error(m), "random, sequential") != NULL, "lists the choices: %s",
          bx_mock_error(m));
    CHECK(bx_mock_set(m, "pattern", "Sequential") == 0, "choices ignore case");
    CHECK(bx_mock_set(m, "hugepages", "yes") == 0, "yes is a boolean");
    CHECK(bx_mock_set(m, "sise", "1m") == BX_EINVAL, "unknown parameter");
    CHECK(strstr(bx_mock_error(m), "did you mean 'size'") != NULL, "suggestion: %s",
          bx_mock_error(m));
    bx_mock_free(m);
}

/* Legal but misleading settings give a warning (stored with the run). */
static void test_warnings(void)
{
    /* init() alone: deterministic, no timing involved. */
    bx_mock *m = small_mock();
    bx_mock_set(m, "size", "1m");
    bx_mock_set(m, "loads", "1000");
    bx_mock_set_threads(m, 4);
    void *st = NULL;
    const char *last = NULL;
    CHECK(bx_mock_init(m, &st) == 0, "init: %s", bx_mock_error(m));
    CHECK(bx_mock_warnings(m, &last) == 2, "two warnings (coverage, threads), got %d",
          bx_mock_warnings(m, NULL));
    CHECK(last && strstr(last, "--threads 4") != NULL, "last warning: %s", last ? last : "");
    /* A repetition of 1000 loads is far below 10 ms: report() says so, last. */
    CHECK(bx_mock_run_rep(m, st, 1) == 0, "one repetition");
    CHECK(bx_mock_report(m, st) == 0, "report: %s", bx_mock_error(m));
    bx_mock_fini(m, st);
    bx_mock_warnings(m, &last);
    CHECK(last && strstr(last, "raise loads") != NULL, "last warning: %s", last ? last : "");
    bx_mock_free(m);

    /* The defaults of a small run say nothing at init. */
    m = small_mock();
    CHECK(bx_mock_init(m, &st) == 0, "init: %s", bx_mock_error(m));
    CHECK(bx_mock_warnings(m, NULL) == 0, "no warning at init, got: %s",
          (bx_mock_warnings(m, &last), last));
    bx_mock_fini(m, st);
    bx_mock_free(m);
}

/* The sequential pattern runs too, and describe() prints a usage hint.
 * (No timing comparisons: too noisy for a unit test on a shared machine.) */
static void test_describe(void)
{
    bx_mock *m = small_mock();
    bx_mock_set(m, "pattern", "sequential");
    CHECK(bx_mock_run(m) == 0, "sequential run: %s", bx_mock_error(m));
    CHECK(strstr(bx_mock_describe(m), "size=16k") != NULL, "describe(): %s",
          bx_mock_describe(m));
    bx_mock_free(m);
}

int main(void)
{
    test_chain();
    test_run();
    test_check();
    test_params();
    test_warnings();
    test_describe();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all latency tests passed\n");
    return 0;
}
