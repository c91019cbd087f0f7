/*
 * test_sdk.c — unit tests of the SDK library (libbenchaas-sdk): statistics,
 * sizes, error text, timers, parameter parsing and validation through the
 * mock host, the mock host itself (with tests/plugins/testplug.c compiled
 * in), and the layout of the ABI structs.
 *
 *     sdk_tests NAME     run one test (ctest runs each as sdk.FILE.NAME, see TESTS)
 *     sdk_tests          list them (bx_test.h)
 *
 * Adding a test: write `static void test_xxx(void)` using CHECK(), add it to
 * the TESTS(X) table at the bottom (CMake reads the table: one ctest per entry).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchaas/benchaas.h"
#include "benchaas/mock.h"
/* the tests count their failures in `failures`, with their own CHECK (bx_test.h) */
#define BX_TEST_COUNTED failures
#include "bx_test.h"

/* testplug.c, compiled into this program, is the plugin "trivial". */
const bx_plugin *benchaas_plugin_entry(const bx_host *host);

static int failures;
#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond);     \
            fprintf(stderr, __VA_ARGS__);                                         \
            fputc('\n', stderr);                                                  \
            failures++;                                                           \
        }                                                                         \
    } while (0)
#define CHECK_NEAR(got, want, tol) \
    CHECK(fabs((got) - (want)) <= (tol), "%s = %.17g, want %.17g", #got, (double)(got), (double)(want))
#define CHECK_CONTAINS(text, part) \
    CHECK(strstr((text), (part)) != NULL, "'%s' lacks '%s'", (text), (part))

/* ---- statistics ------------------------------------------------------- */

static void test_stats(void)
{
    double v[] = {4, 1, 3, 2, 5};
    bx_stats s;
    CHECK(bx_stats_compute(v, 5, &s) == 0, "n = 5");
    CHECK(s.n == 5, "n = %zu", s.n);
    CHECK_NEAR(s.min, 1, 0);
    CHECK_NEAR(s.max, 5, 0);
    CHECK_NEAR(s.mean, 3, 1e-15);
    CHECK_NEAR(s.median, 3, 0);
    CHECK_NEAR(s.stddev, sqrt(2.5), 1e-12); /* sample stddev: sum of squares 10 / (n-1) */
    CHECK_NEAR(s.p5, 1.2, 1e-12);           /* linear interpolation at position 0.2 */
    CHECK_NEAR(s.p95, 4.8, 1e-12);          /* ... and at 3.8 */
    CHECK(v[0] == 4 && v[1] == 1 && v[4] == 5, "the input is not modified");

    double e[] = {1, 2, 3, 4};
    CHECK(bx_stats_compute(e, 4, &s) == 0, "n = 4");
    CHECK_NEAR(s.median, 2.5, 0);
    CHECK_NEAR(s.stddev, sqrt(5.0 / 3.0), 1e-12);

    double one = 7.5;
    CHECK(bx_stats_compute(&one, 1, &s) == 0, "n = 1");
    CHECK(s.min == 7.5 && s.max == 7.5 && s.median == 7.5 && s.mean == 7.5, "one value");
    CHECK(s.stddev == 0, "stddev of one value is 0, got %g", s.stddev);

    CHECK(bx_stats_compute(v, 0, &s) == BX_EINVAL, "n = 0 is refused");
    CHECK(s.n == 0 && isnan(s.mean) && isnan(s.median), "n = 0 gives NaNs");
}

static void test_percentile(void)
{
    double v[] = {50, 10, 40, 20, 30}; /* unsorted on purpose */
    CHECK_NEAR(bx_percentile(v, 5, 0), 10, 0);
    CHECK_NEAR(bx_percentile(v, 5, 100), 50, 0);
    CHECK_NEAR(bx_percentile(v, 5, 25), 20, 1e-12);
    CHECK_NEAR(bx_percentile(v, 5, 90), 46, 1e-12);
    CHECK_NEAR(bx_percentile(v, 5, 12.5), 15, 1e-12);
    CHECK_NEAR(bx_percentile(v, 5, -5), 10, 0); /* clamped */
    CHECK_NEAR(bx_percentile(v, 5, 150), 50, 0);
    CHECK(isnan(bx_percentile(v, 0, 50)), "no values: NaN");
    CHECK(v[0] == 50 && v[1] == 10, "the input is not modified");
    double sorted[] = {10, 20, 30, 40, 50};
    CHECK_NEAR(bx_percentile_sorted(sorted, 5, 90), 46, 1e-12);
    CHECK_NEAR(bx_percentile_sorted(sorted, 5, 12.5), 15, 1e-12);
    CHECK(isnan(bx_percentile_sorted(sorted, 0, 50)), "sorted, no values: NaN");

    double odd[] = {3, 1, 2}, even[] = {5, 1}, same[] = {2, 2, 2, 2};
    CHECK_NEAR(bx_median(odd, 3), 2, 0);
    CHECK_NEAR(bx_median(even, 2), 3, 0);
    CHECK_NEAR(bx_median(same, 4), 2, 0);
    CHECK(isnan(bx_median(odd, 0)), "median of nothing is NaN");
}

/* ---- sizes ------------------------------------------------------------ */

static void test_parse_size(void)
{
    static const struct {
        const char *text;
        uint64_t want;
    } good[] = {
        {"0", 0},
        {"1", 1},
        {"1k", 1024},
        {"1K", 1024},
        {"4kb", 4096},
        {"4KiB", 4096},
        {"2m", 2u << 20},
        {"3g", 3ull << 30},
        {"1t", 1ull << 40},
        {"  8", 8},
        {"16 ", 16},
        {"18446744073709551615", UINT64_MAX},
        {"16777215t", 16777215ull << 40},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint64_t v = 12345;
        int rc = bx_parse_size(good[i].text, &v);
        CHECK(rc == 0 && v == good[i].want, "'%s' -> rc %d, %llu (want %llu)", good[i].text, rc,
              (unsigned long long)v, (unsigned long long)good[i].want);
    }
    static const char *const bad[] = {
        "", " ", "k", "-1", "+1", "1.5k", "1x", "1kk", "1 k", "0x10", "one", "1e3",
        "18446744073709551616", /* 2^64 */
        "16777216t",            /* 2^64 with a suffix */
        "17179869184g",         /* the same */
        "99999999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 777;
        int rc = bx_parse_size(bad[i], &v);
        CHECK(rc == BX_EINVAL, "'%s' should be refused, got rc %d value %llu", bad[i], rc,
              (unsigned long long)v);
        CHECK(v == 777, "'%s': *out untouched on error", bad[i]);
    }
    uint64_t v;
    CHECK(bx_parse_size(NULL, &v) == BX_EINVAL, "NULL is refused");
}

static void test_format_size(void)
{
    char b[32];
    CHECK_CONTAINS(bx_format_size(0, b, sizeof b), "0 B");
    CHECK(strcmp(bx_format_size(1023, b, sizeof b), "1023 B") == 0, "got %s", b);
    CHECK(strcmp(bx_format_size(1024, b, sizeof b), "1 KiB") == 0, "got %s", b);
    CHECK(strcmp(bx_format_size(1536, b, sizeof b), "1.5 KiB") == 0, "got %s", b);
    CHECK(strcmp(bx_format_size(131072, b, sizeof b), "128 KiB") == 0, "got %s", b);
    CHECK(strcmp(bx_format_size(3ull << 30, b, sizeof b), "3 GiB") == 0, "got %s", b);
    CHECK(strcmp(bx_format_size(1ull << 40, b, sizeof b), "1 TiB") == 0, "got %s", b);
    CHECK(strcmp(bx_format_size(1ull << 50, b, sizeof b), "1024 TiB") == 0, "got %s", b);
}

/* ---- error text and timers --------------------------------------------- */

static void test_strerror(void)
{
    const int codes[] = {BX_OK,     BX_EINVAL,  BX_ENOMEM, BX_EIO,
                         BX_EFAILED, BX_ENOTSUP, BX_ECOMM,  BX_EINTERNAL};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK(strcmp(bx_strerror(codes[i]), "unknown error") != 0, "code %d has a text",
              codes[i]);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(bx_strerror(codes[i]), bx_strerror(codes[j])) != 0,
                  "codes %d and %d have the same text", codes[i], codes[j]);
    }
    CHECK(strcmp(bx_strerror(-99), "unknown error") == 0, "got %s", bx_strerror(-99));
    CHECK(strcmp(bx_strerror(1), "unknown error") == 0, "got %s", bx_strerror(1));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void test_timer(void)
{
    double a = bx_now();
    uint64_t an = bx_now_ns();
    CHECK(fabs((double)an * 1e-9 - a) < 0.5, "bx_now and bx_now_ns share a clock");
    bx_timer t = {0, 0};
    bx_timer_start(&t);
    sleep_ms(20);
    double e1 = bx_timer_stop(&t);
    CHECK(e1 >= 0.019 && e1 < 5, "first interval %g s", e1);
    sleep_ms(30); /* not counted: the timer is stopped */
    bx_timer_start(&t);
    sleep_ms(20);
    double e2 = bx_timer_stop(&t);
    CHECK(e2 >= e1 + 0.019 && e2 < e1 + 0.025 + 5, "the timer accumulates: %g then %g", e1, e2);
    CHECK(e2 == t.elapsed, "stop returns elapsed");
    CHECK(bx_now() >= a && bx_now_ns() >= an, "monotonic");
}

/* ---- a probe plugin: records what its callbacks see ------------------- */

static const char *const algos[] = {"fast", "exact", "Blocked", NULL};
static const bx_param probe_params[] = {
    {"n", BX_INT, "10", BX_RANGE(1, 100), NULL, "an int with a range", 0},
    {"any", BX_INT, NULL, BX_NORANGE, NULL, "an optional int, no range", 0},
    {"x", BX_DOUBLE, "0.5", BX_RANGE(0, 1), NULL, "a double in [0,1]", 0},
    {"bytes", BX_SIZE, "4k", BX_RANGE(1024, 1048576), NULL, "a size, 1 KiB .. 1 MiB", 0},
    {"on", BX_BOOL, "no", BX_NORANGE, NULL, "a boolean", 0},
    {"name", BX_STRING, NULL, BX_NORANGE, NULL, "optional text", 0},
    {"algo", BX_ENUM, "fast", BX_NORANGE, algos, "a choice", 0},
    {"count", BX_INT, "5", BX_NORANGE, NULL, "for the did-you-mean test", 0},
    {"big", BX_DOUBLE, NULL, BX_NORANGE, NULL, "a double without a range", 0},
    {0},
};
static const bx_metric_def probe_metrics[] = {
    {"t", "s", BX_BETTER_LOWER, "per repetition", 0},
    {"r", "GFLOP/s", BX_BETTER_HIGHER, "per repetition", 0},
    {"flag", "", BX_BETTER_NONE, "last sample", 0},
    {0},
};

/* What the probe saw in check() and run(). */
static struct {
    int64_t i;
    double d;
    char s[256];
    int isset, b;
    int warmups, runs;      /* runs with bx_is_warmup() 1 / 0 */
    unsigned last_rep;
    const char *param;      /* the parameter check() reads */
    int bad_metric;         /* report() emits an undeclared metric */
    int meta_null;          /* report() calls bx_meta with a NULL value */
    int node_ranks;         /* bx_node_ranks() in check() */
} probe;

static int probe_check(bx_ctx *ctx)
{
    probe.node_ranks = bx_node_ranks(ctx);
    if (probe.param) {
        /* ABI 1.2: only the getters that suit the type (others fail the run) */
        bx_type t = BX_STRING;
        for (const bx_param *p = probe_params; p->name; p++)
            if (strcmp(p->name, probe.param) == 0)
                t = p->type;
        if (t != BX_DOUBLE && t != BX_STRING) {
            probe.i = bx_param_int(ctx, probe.param);
            probe.b = bx_param_bool(ctx, probe.param);
        }
        if (t != BX_STRING)
            probe.d = bx_param_double(ctx, probe.param);
        probe.isset = bx_param_isset(ctx, probe.param);
        snprintf(probe.s, sizeof probe.s, "%s", bx_param_str(ctx, probe.param));
    }
    return 0;
}
static int probe_init(bx_ctx *ctx, void **st)
{
    (void)ctx;
    *st = &probe;
    return 0;
}
static int probe_run(bx_ctx *ctx, void *st, unsigned rep)
{
    (void)st;
    if (bx_is_warmup(ctx))
        probe.warmups++;
    else
        probe.runs++;
    probe.last_rep = rep;
    /* samples 1,2,3... for t (lower: best = min), 10*rep for r (higher: best = max) */
    bx_sample(ctx, "t", rep == 0 ? -1.0 : (double)rep);
    bx_sample(ctx, "r", rep == 0 ? 1e9 : 10.0 * rep);
    bx_sample(ctx, "flag", (double)(rep % 2));
    return 0;
}
static int probe_report(bx_ctx *ctx, void *st)
{
    (void)st;
    if (probe.bad_metric)
        return bx_metric(ctx, "not_declared", 1.0);
    if (probe.meta_null) {
        CHECK(bx_meta(ctx, "k", NULL) == 0, "a NULL meta value is stored as \"\"");
        CHECK(bx_meta(ctx, "", "v") == BX_EINVAL, "an empty meta key is refused");
    }
    return 0;
}
static void probe_fini(void *st) { (void)st; }

static const bx_plugin probe_plugin = {
    BX_PLUGIN_HEADER,
    .name = "probe",
    .version = "0.0.1",
    .description = "records what the SDK hands it",
    .params = probe_params,
    .metrics = probe_metrics,
    .default_repetitions = 3,
    .check = probe_check,
    .init = probe_init,
    .run = probe_run,
    .report = probe_report,
    .fini = probe_fini,
};

static bx_mock *probe_mock(void)
{
    memset(&probe, 0, sizeof probe);
    bx_mock *m = bx_mock_new(&probe_plugin);
    if (!m) {
        fprintf(stderr, "bx_mock_new failed\n");
        exit(1);
    }
    return m;
}

/* The value of parameter `name` as the plugin sees it (through check()). */
static void probe_read(bx_mock *m, const char *name)
{
    probe.param = name;
    CHECK(bx_mock_check(m) == 0, "check");
}

/* set NAME=VALUE must fail with a message containing `part` */
static void expect_bad(bx_mock *m, const char *name, const char *value, const char *part)
{
    int rc = bx_mock_set(m, name, value);
    CHECK(rc == BX_EINVAL, "%s=%s should be refused (rc %d)", name, value ? value : "(null)", rc);
    if (rc == BX_EINVAL && part)
        CHECK_CONTAINS(bx_mock_error(m), part);
}

/* ---- parameters -------------------------------------------------------- */

/* Defaults are parsed exactly like user input and reach the plugin. */
static void test_params_defaults(void)
{
    bx_mock *m = probe_mock();
    probe_read(m, "n");
    CHECK(probe.i == 10 && probe.isset, "n = %lld", (long long)probe.i);
    probe_read(m, "x");
    CHECK(probe.d == 0.5, "x = %g", probe.d);
    probe_read(m, "bytes");
    CHECK(probe.i == 4096 && probe.d == 4096.0, "bytes = %lld (the default \"4k\")",
          (long long)probe.i);
    CHECK(strcmp(probe.s, "4096") == 0, "a size's text is canonical bytes: %s", probe.s);
    probe_read(m, "on");
    CHECK(probe.b == 0 && probe.i == 0, "on = %d", probe.b);
    CHECK(strcmp(probe.s, "false") == 0, "a bool's text is canonical: %s", probe.s);
    probe_read(m, "algo");
    CHECK(strcmp(probe.s, "fast") == 0, "algo = %s", probe.s);
    CHECK(probe.i == 0, "an enum's int is its index: %lld", (long long)probe.i);
    /* no default: not set, getters give 0 and "" */
    probe_read(m, "any");
    CHECK(!probe.isset && probe.i == 0, "any is unset");
    probe_read(m, "name");
    CHECK(!probe.isset && strcmp(probe.s, "") == 0, "an unset string reads as \"\"");
    bx_mock_free(m);
}

static void test_params_int(void)
{
    bx_mock *m = probe_mock();
    CHECK(bx_mock_set(m, "n", "42") == 0, "42");
    probe_read(m, "n");
    CHECK(probe.i == 42, "n = %lld", (long long)probe.i);
    CHECK(bx_mock_set(m, "n", " 7 ") == 0, "blanks around a number are fine");
    CHECK(bx_mock_set(m, "n", "1e2") == 0, "1e2 is an exact integer");
    probe_read(m, "n");
    CHECK(probe.i == 100, "1e2 -> %lld", (long long)probe.i);
    CHECK(bx_mock_set(m, "n", "1") == 0 && bx_mock_set(m, "n", "100") == 0,
          "range ends are included");
    expect_bad(m, "n", "1.5", "is not an integer");
    expect_bad(m, "n", "abc", "is not an integer");
    expect_bad(m, "n", "", "is not an integer");
    expect_bad(m, "n", "12abc", "is not an integer");
    expect_bad(m, "n", "0", "out of range (allowed: 1 .. 100)");
    expect_bad(m, "n", "101", "out of range");
    expect_bad(m, "n", NULL, "has no value");
    expect_bad(m, "any", "99999999999999999999", "does not fit in 64 bits");
    /* a refused value leaves the previous one in place */
    probe_read(m, "n");
    CHECK(probe.i == 100, "n still %lld", (long long)probe.i);
    /* BX_NORANGE: anything that fits */
    CHECK(bx_mock_set(m, "any", "-5") == 0, "-5 without a range");
    CHECK(bx_mock_set(m, "any", "-9223372036854775808") == 0, "INT64_MIN");
    probe_read(m, "any");
    CHECK(probe.isset && probe.i == INT64_MIN, "any = %lld", (long long)probe.i);
    bx_mock_free(m);
}

static void test_params_double(void)
{
    bx_mock *m = probe_mock();
    CHECK(bx_mock_set(m, "x", "0.25") == 0, "0.25");
    probe_read(m, "x");
    CHECK(probe.d == 0.25, "x = %g", probe.d);
    CHECK(bx_mock_set(m, "x", "1e-1") == 0, "exponent");
    CHECK(bx_mock_set(m, "x", "1") == 0 && bx_mock_set(m, "x", "0") == 0, "range ends");
    expect_bad(m, "x", "1.5", "out of range (allowed: 0 .. 1)");
    expect_bad(m, "x", "-0.1", "out of range");
    expect_bad(m, "x", "nan", "not a finite number");
    expect_bad(m, "x", "inf", "not a finite number");
    expect_bad(m, "x", "1e400", "not a finite number");
    expect_bad(m, "x", "half", "not a finite number");
    CHECK(bx_mock_set(m, "big", "1e300") == 0, "1e300 without a range");
    probe_read(m, "big");
    CHECK(probe.d == 1e300, "big = %g", probe.d);
    CHECK(bx_mock_set(m, "big", "-1e300") == 0, "-1e300");
    probe_read(m, "big");
    CHECK(probe.d == -1e300, "big = %g", probe.d);
    /* (the integer view of a DOUBLE is a plugin bug since ABI 1.2: sdk.collector.getter_type) */
    /* an int parameter reads as a double too */
    probe_read(m, "n");
    CHECK(probe.d == 10.0, "n as double = %g", probe.d);
    bx_mock_free(m);
}

static void test_params_size(void)
{
    bx_mock *m = probe_mock();
    CHECK(bx_mock_set(m, "bytes", "1m") == 0, "1m is the upper end");
    probe_read(m, "bytes");
    CHECK(probe.i == 1048576, "bytes = %lld", (long long)probe.i);
    CHECK(bx_mock_set(m, "bytes", "1024") == 0, "plain bytes");
    CHECK(bx_mock_set(m, "bytes", "64KiB") == 0, "KiB suffix");
    probe_read(m, "bytes");
    CHECK(probe.i == 65536, "64KiB = %lld", (long long)probe.i);
    expect_bad(m, "bytes", "1025k", "out of range (allowed: 1024 .. 1048576)");
    expect_bad(m, "bytes", "1023", "out of range");
    expect_bad(m, "bytes", "1.5k", "is not a size");
    expect_bad(m, "bytes", "-1k", "is not a size");
    expect_bad(m, "bytes", "4q", "is not a size");
    expect_bad(m, "bytes", "8388608t", "is not a size"); /* 2^63: beyond int64 */
    bx_mock_free(m);
}

static void test_params_bool(void)
{
    bx_mock *m = probe_mock();
    static const char *const yes[] = {"true", "TRUE", "yes", "on", "1"};
    static const char *const no[] = {"false", "No", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        CHECK(bx_mock_set(m, "on", yes[i]) == 0, "%s", yes[i]);
        probe_read(m, "on");
        CHECK(probe.b == 1 && strcmp(probe.s, "true") == 0, "%s -> %d '%s'", yes[i], probe.b,
              probe.s);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        CHECK(bx_mock_set(m, "on", no[i]) == 0, "%s", no[i]);
        probe_read(m, "on");
        CHECK(probe.b == 0 && strcmp(probe.s, "false") == 0, "%s -> %d '%s'", no[i], probe.b,
              probe.s);
    }
    expect_bad(m, "on", "maybe", "is not a boolean");
    expect_bad(m, "on", "2", "is not a boolean");
    bx_mock_free(m);
}

static void test_params_enum(void)
{
    bx_mock *m = probe_mock();
    CHECK(bx_mock_set(m, "algo", "exact") == 0, "exact");
    probe_read(m, "algo");
    CHECK(strcmp(probe.s, "exact") == 0 && probe.i == 1, "algo = %s (%lld)", probe.s,
          (long long)probe.i);
    CHECK(bx_mock_set(m, "algo", "BLOCKED") == 0, "choices ignore case");
    probe_read(m, "algo");
    CHECK(strcmp(probe.s, "Blocked") == 0, "the declared spelling is what the plugin sees: %s",
          probe.s);
    expect_bad(m, "algo", "slow", "is not allowed (one of: fast, exact, Blocked)");
    expect_bad(m, "algo", "", "is not allowed");
    bx_mock_free(m);
}

static void test_params_string(void)
{
    bx_mock *m = probe_mock();
    CHECK(bx_mock_set(m, "name", "a b, c=d") == 0, "any text");
    probe_read(m, "name");
    CHECK(probe.isset && strcmp(probe.s, "a b, c=d") == 0, "name = '%s'", probe.s);
    bx_mock_free(m);
}

static void test_params_unknown(void)
{
    bx_mock *m = probe_mock();
    expect_bad(m, "cuont", "1", "unknown parameter 'cuont' for plugin probe; did you mean 'count'?");
    expect_bad(m, "N", "1", "did you mean 'n'?");
    expect_bad(m, "algorithm", "fast", "unknown parameter 'algorithm'");
    expect_bad(m, "zzzzzzzzzz", "1", "unknown parameter 'zzzzzzzzzz'");
    CHECK(strstr(bx_mock_error(m), "did you mean") == NULL, "no suggestion for a far name: %s",
          bx_mock_error(m));
    bx_mock_free(m);
}

/* ---- the mock host's lifecycle ---------------------------------------- */

static void test_mock_lifecycle(void)
{
    bx_mock *m = probe_mock();
    bx_mock_set_repetitions(m, 4);
    CHECK(bx_mock_run(m) == 0, "run: %s", bx_mock_error(m));
    CHECK(probe.warmups == 1 && probe.runs == 4, "1 warm-up and 4 runs, got %d and %d",
          probe.warmups, probe.runs);
    CHECK(probe.last_rep == 4, "last rep %u", probe.last_rep);
    size_t n = 0;
    const double *t = bx_mock_samples(m, "t", &n);
    CHECK(n == 4 && t && t[0] == 1 && t[3] == 4, "warm-up samples are dropped (n = %zu)", n);
    double v = 0;
    CHECK(bx_mock_metric(m, "t", &v) == 0 && v == 1, "lower is better: best t = %g", v);
    CHECK(bx_mock_metric(m, "r", &v) == 0 && v == 40, "higher is better: best r = %g", v);
    CHECK(bx_mock_metric(m, "flag", &v) == 0 && v == 0, "none: the last sample, got %g", v);
    CHECK(bx_mock_metric(m, "nothing", &v) == BX_EINVAL, "an unknown metric has no value");
    bx_mock_free(m);
}

static void test_mock_undeclared_metric(void)
{
    bx_mock *m = probe_mock();
    probe.bad_metric = 1;
    CHECK(bx_mock_run(m) == BX_EINVAL, "an undeclared metric is an error");
    CHECK_CONTAINS(bx_mock_error(m), "undeclared metric 'not_declared'");
    bx_mock_free(m);
}

static void test_mock_meta(void)
{
    bx_mock *m = probe_mock();
    probe.meta_null = 1;
    CHECK(bx_mock_run(m) == 0, "run");
    const char *k = bx_mock_meta(m, "k");
    CHECK(k && strcmp(k, "") == 0, "meta k = '%s'", k ? k : "(unset)");
    CHECK(bx_mock_meta(m, "absent") == NULL, "absent key");
    bx_mock_free(m);
}

/* A descriptor the runner's loader would refuse fails every mock phase. */
static const bx_param bad_default[] = {
    {"n", BX_INT, "5", 0, 0, NULL, "the explicit range 0 .. 0, so 5 is out of it",
     BX_PARAM_RANGE},
    {0}};
static const bx_param bad_enum[] = {{"e", BX_ENUM, NULL, BX_NORANGE, NULL, "no choices", 0}, {0}};
static const bx_param dup_param[] = {{"a", BX_INT, NULL, BX_NORANGE, NULL, "a", 0},
                                     {"a", BX_INT, NULL, BX_NORANGE, NULL, "again", 0},
                                     {0}};
static const bx_param bad_type[] = {{"t", (bx_type)9, NULL, BX_NORANGE, NULL, "?", 0}, {0}};
static const bx_metric_def no_unit[] = {{"m", NULL, BX_BETTER_NONE, "no unit", 0}, {0}};
static const bx_metric_def dup_metric[] = {
    {"m", "s", BX_BETTER_LOWER, "m", 0}, {"m", "s", BX_BETTER_LOWER, "again", 0}, {0}};
static const bx_metric_def no_metrics[] = {{0}};

static void expect_refused(const bx_plugin *d, const char *why)
{
    bx_mock *m = bx_mock_new(d);
    CHECK(m != NULL, "the mock exists even for a bad descriptor (%s)", why);
    if (!m)
        return;
    memset(&probe, 0, sizeof probe);
    CHECK(bx_mock_check(m) == BX_EINVAL, "check refused: %s", why);
    CHECK_CONTAINS(bx_mock_error(m), why);
    void *st = &probe;
    CHECK(bx_mock_init(m, &st) == BX_EINVAL && st == NULL, "init refused: %s", why);
    CHECK(bx_mock_run(m) == BX_EINVAL, "run refused: %s", why);
    CHECK(probe.runs == 0 && probe.warmups == 0, "nothing ran (%s)", why);
    bx_mock_free(m);
}

static void test_mock_descriptor(void)
{
    bx_plugin d;
#define WITH(field, value, why)                                                   \
    do {                                                                          \
        d = probe_plugin;                                                         \
        d.field = value;                                                          \
        expect_refused(&d, why);                                                  \
    } while (0)
    WITH(magic, 0xdeadbeefu, "bad magic 0xdeadbeef");
    WITH(abi_major, BX_ABI_MAJOR + 1, "built for ABI 2.");
    WITH(abi_minor, BX_ABI_MINOR + 1, "this SDK provides 1.");
    WITH(struct_size, 16, "struct_size 16 is smaller");
    WITH(name, "", "no name");
    WITH(version, NULL, "no version");
    WITH(run, NULL, "missing run callback");
    WITH(fini, NULL, "missing fini callback");
    WITH(params, bad_default, "default of parameter 'n': value '5' for 'n' is out of range "
                              "(allowed: 0 .. 0)");
    WITH(params, bad_enum, "enum parameter 'e' has no choices");
    WITH(params, dup_param, "parameter 'a' is declared twice");
    WITH(params, bad_type, "parameter 't' has an unknown type 9");
    WITH(metrics, no_unit, "metric 'm' has no unit");
    WITH(metrics, dup_metric, "metric 'm' is declared twice");
    WITH(metrics, no_metrics, "declares no metrics");
#undef WITH
    /* the real probe passes */
    bx_mock *m = probe_mock();
    CHECK(bx_mock_check(m) == 0, "the probe is fine: %s", bx_mock_error(m));
    bx_mock_free(m);
}

/* ---- tests/plugins/testplug.c under the mock host ---------------------- */

static bx_mock *trivial_mock(void)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    if (!m) {
        fprintf(stderr, "bx_mock_new(trivial) failed\n");
        exit(1);
    }
    bx_mock_set(m, "count", "20000");
    return m;
}

static void test_testplug_run(void)
{
    bx_mock *m = trivial_mock();
    CHECK(bx_mock_run(m) == 0, "run: %s", bx_mock_error(m));
    double echo = 0, rate = 0, el = 0;
    CHECK(bx_mock_metric(m, "echo", &echo) == 0 && echo == 42, "echo = %g (the default)", echo);
    size_t n = 0;
    const double *r = bx_mock_samples(m, "rate", &n);
    CHECK(n == 3, "one rate sample per default repetition: %zu", n);
    CHECK(bx_mock_metric(m, "rate", &rate) == 0, "rate has a value");
    for (size_t i = 0; r && i < n; i++)
        CHECK(rate >= r[i], "rate %g is the best sample (>= %g)", rate, r[i]);
    const double *e = bx_mock_samples(m, "elapsed", &n);
    CHECK(bx_mock_metric(m, "elapsed", &el) == 0, "elapsed has a value");
    for (size_t i = 0; e && i < n; i++)
        CHECK(el <= e[i], "elapsed %g is the best sample (<= %g)", el, e[i]);
    CHECK(bx_mock_warnings(m, NULL) == 0, "no warnings");
    const char *label = bx_mock_meta(m, "label");
    CHECK(label && strcmp(label, "") == 0, "label meta of an unset string");
    CHECK(strcmp(bx_mock_describe(m), "") == 0, "no describe callback: empty text");
    bx_mock_free(m);

    m = trivial_mock();
    bx_mock_set_repetitions(m, 5);
    bx_mock_set(m, "value", "-2.5");
    bx_mock_set(m, "label", "hello");
    CHECK(bx_mock_run(m) == 0, "run");
    bx_mock_samples(m, "rate", &n);
    CHECK(n == 5, "5 repetitions: %zu samples", n);
    CHECK(bx_mock_metric(m, "echo", &echo) == 0 && echo == -2.5, "echo = %g", echo);
    CHECK(strcmp(bx_mock_meta(m, "label"), "hello") == 0, "label meta");
    bx_mock_free(m);
}

static void test_testplug_errors(void)
{
    bx_mock *m = trivial_mock();
    bx_mock_set(m, "flag", "on");
    CHECK(bx_mock_run(m) == 0, "a warning does not fail the run");
    const char *last = NULL;
    CHECK(bx_mock_warnings(m, &last) == 1, "one warning");
    CHECK_CONTAINS(last, "flag is set");
    bx_mock_free(m);

    m = trivial_mock();
    bx_mock_set(m, "mode", "fail");
    CHECK(bx_mock_run(m) == BX_EFAILED, "validation failure");
    CHECK_CONTAINS(bx_mock_error(m), "validation failed on purpose");
    double echo;
    CHECK(bx_mock_metric(m, "echo", &echo) == 0, "metrics emitted before failing are kept");
    bx_mock_free(m);

    m = trivial_mock();
    bx_mock_set(m, "mode", "error");
    CHECK(bx_mock_run(m) == BX_EIO, "init error");
    CHECK_CONTAINS(bx_mock_error(m), "init failed on purpose");
    bx_mock_free(m);

    m = trivial_mock();
    bx_mock_set(m, "count", "13");
    CHECK(bx_mock_check(m) == BX_EINVAL, "check refuses count = 13");
    CHECK(bx_mock_run(m) == BX_EINVAL, "so does a run, before init");
    size_t n = 1;
    bx_mock_samples(m, "rate", &n);
    CHECK(n == 0, "nothing ran: %zu samples", n);
    CHECK_CONTAINS(bx_mock_error(m), "count = 13 is refused");
    bx_mock_free(m);

    m = trivial_mock();
    expect_bad(m, "mode", "explode", "one of: ok, crash, abort, hang, exit, fail, error");
    expect_bad(m, "cont", "5", "did you mean 'count'?");
    expect_bad(m, "size", "1.5k", "is not a size");
    bx_mock_free(m);
}

/* ---- ABI layout: fields are only ever appended ------------------------- */

static void test_abi_layout(void)
{
    /* The numbers ABI 1.0 was published with.  Changing one breaks every
     * plugin built before: append fields instead, and bump BX_ABI_MINOR. */
    CHECK(BX_ABI_MAGIC == 0x42584131u && BX_ABI_MAJOR == 1, "magic / major");
    CHECK(BX_OK == 0 && BX_EINVAL == -1 && BX_ENOMEM == -2 && BX_EIO == -3 &&
              BX_EFAILED == -4 && BX_ENOTSUP == -5 && BX_ECOMM == -6 && BX_EINTERNAL == -7,
          "error codes");
    CHECK(BX_BOOL == 1 && BX_INT == 2 && BX_DOUBLE == 3 && BX_SIZE == 4 && BX_STRING == 5 &&
              BX_ENUM == 6,
          "types");
    CHECK(BX_BETTER_NONE == 0 && BX_BETTER_HIGHER == 1 && BX_BETTER_LOWER == 2, "better");
    CHECK(BX_NEEDS_MPI == 1 && BX_NO_WARMUP == 2 && BX_USES_MPI == 4, "flags");
    CHECK(BX_LOG_DEBUG == 0 && BX_LOG_WARN == 2 && BX_OP_SUM == 0 && BX_OP_MIN == 2, "enums");
    CHECK(strcmp(BX_ENTRY_SYMBOL, "benchaas_plugin_entry") == 0, "entry symbol");

    /* The field order, independent of pointer size: each field lies after
     * the one declared before it. */
#define AFTER(T, a, b) CHECK(offsetof(T, a) < offsetof(T, b), #T ": " #a " before " #b)
    AFTER(bx_plugin, magic, abi_major);
    AFTER(bx_plugin, abi_major, abi_minor);
    AFTER(bx_plugin, abi_minor, struct_size);
    AFTER(bx_plugin, struct_size, flags);
    AFTER(bx_plugin, flags, name);
    AFTER(bx_plugin, name, version);
    AFTER(bx_plugin, version, description);
    AFTER(bx_plugin, description, params);
    AFTER(bx_plugin, params, metrics);
    AFTER(bx_plugin, metrics, default_repetitions);
    AFTER(bx_plugin, default_repetitions, check);
    AFTER(bx_plugin, check, init);
    AFTER(bx_plugin, init, run);
    AFTER(bx_plugin, run, report);
    AFTER(bx_plugin, report, fini);
    AFTER(bx_plugin, fini, expand);
    AFTER(bx_plugin, expand, describe);
    AFTER(bx_host, struct_size, abi_major);
    AFTER(bx_host, abi_minor, param_isset);
    AFTER(bx_host, param_isset, param_int);
    AFTER(bx_host, param_string, rank);
    AFTER(bx_host, is_warmup, metric);
    AFTER(bx_host, meta, log);
    AFTER(bx_host, print, barrier);
    AFTER(bx_host, allreduce, expand_point);
    AFTER(bx_host, expand_point, node_ranks); /* ABI 1.1 */
    AFTER(bx_host, node_ranks, param_computed); /* ABI 1.2 */
#undef AFTER
    /* The exact LP64 layout (x86-64, aarch64 Linux). */
    if (sizeof(void *) == 8) {
        CHECK(offsetof(bx_plugin, name) == 16 && offsetof(bx_plugin, default_repetitions) == 56 &&
                  offsetof(bx_plugin, check) == 64 && offsetof(bx_plugin, fini) == 96 &&
                  offsetof(bx_plugin, describe) == 112,
              "bx_plugin layout moved");
        CHECK(offsetof(bx_host, param_isset) == 8 && offsetof(bx_host, metric) == 80 &&
                  offsetof(bx_host, expand_point) == 144 && offsetof(bx_host, node_ranks) == 152,
              "bx_host layout moved");
        /* ABI 1.2 appended `flags` to the table entries (1.0/1.1 tables: 56 and
         * 32 bytes, read through bxp_normalize; tests/sdk/abi). */
        CHECK(offsetof(bx_param, def) == 16 && offsetof(bx_param, min) == 24 &&
                  offsetof(bx_param, help) == 48 && offsetof(bx_param, flags) == 56 &&
                  sizeof(bx_param) == 64,
              "bx_param layout moved");
        CHECK(offsetof(bx_metric_def, help) == 24 && offsetof(bx_metric_def, flags) == 32 &&
                  sizeof(bx_metric_def) == 40,
              "bx_metric_def layout moved");
        CHECK(offsetof(bx_host, param_computed) == 160, "bx_host layout moved (1.2)");
    }
    /* BX_PLUGIN_HEADER fills the version fields. */
    CHECK(probe_plugin.magic == BX_ABI_MAGIC && probe_plugin.abi_minor == BX_ABI_MINOR &&
              probe_plugin.struct_size == sizeof(bx_plugin),
          "BX_PLUGIN_HEADER");
    /* BX_NORANGE disables the range check: min > max. */
    CHECK(probe_params[1].min > probe_params[1].max, "BX_NORANGE");
}

/* ---- bx_node_ranks (ABI 1.1) against new and old hosts ------------------- */

static int fake_nranks(bx_ctx *ctx) { (void)ctx; return 8; }
static int fake_node_ranks(bx_ctx *ctx) { (void)ctx; return 2; }

static void test_node_ranks(void)
{
    /* the mock: all ranks on one node unless told otherwise */
    bx_mock *m = probe_mock();
    bx_mock_set_world(m, 0, 6);
    CHECK(bx_mock_check(m) == 0 && probe.node_ranks == 6,
          "default: every rank on the node, got %d", probe.node_ranks);
    bx_mock_set_node_ranks(m, 3);
    CHECK(bx_mock_check(m) == 0 && probe.node_ranks == 3, "set: got %d", probe.node_ranks);
    bx_mock_free(m);
    /* a runner of ABI 1.0 has no node_ranks: the wrapper falls back to nranks
     * without reading past the table the runner handed over */
    bx_host full = {0};
    full.nranks = fake_nranks;
    full.node_ranks = fake_node_ranks;
    full.struct_size = sizeof full;
    bx_ctx c = {&full, NULL};
    CHECK(bx_node_ranks(&c) == 2, "ABI 1.1 host: got %d", bx_node_ranks(&c));
    full.struct_size = (uint32_t)offsetof(bx_host, node_ranks);
    CHECK(bx_node_ranks(&c) == 8, "ABI 1.0 host: nranks, got %d", bx_node_ranks(&c));
}

/* ---- the list ------------------------------------------------------------ */

/* X(LIBRARY, FILE, NAME): test_NAME tests core/LIBRARY/FILE.c (the sdk: sdk/src/FILE.c);
 * its ctest is LIBRARY.FILE.NAME, less a leading "FILE_" of NAME (tests/CMakeLists.txt,
 * bx_table_tests). */
#define TESTS(X) \
    X(sdk, sdk, stats) \
    X(sdk, sdk, percentile) \
    X(sdk, sdk, parse_size) \
    X(sdk, sdk, format_size) \
    X(sdk, sdk, strerror) \
    X(sdk, sdk, timer) \
    X(sdk, paramval, params_defaults) \
    X(sdk, paramval, params_int) \
    X(sdk, paramval, params_double) \
    X(sdk, paramval, params_size) \
    X(sdk, paramval, params_bool) \
    X(sdk, paramval, params_enum) \
    X(sdk, paramval, params_string) \
    X(sdk, paramval, params_unknown) \
    X(sdk, mock, mock_lifecycle) \
    X(sdk, mock, mock_undeclared_metric) \
    X(sdk, mock, mock_meta) \
    X(sdk, mock, mock_descriptor) \
    X(sdk, mock, testplug_run) \
    X(sdk, mock, testplug_errors) \
    X(sdk, abi, abi_layout) \
    X(sdk, sdk, node_ranks)

BX_TEST_TABLE(TESTS)

int main(int argc, char **argv)
{
    return bx_test_main(argc, argv, bx_tests, BX_NTESTS, NULL);
}
