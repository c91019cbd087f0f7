/*
 * test_abi12.c — what ABI 1.2 adds, through the mock host: loud parameter
 * getters, ranges that are left out, computed parameters, headline metrics,
 * host calls from several threads, simulated ranks with collectives, expand()
 * points and meta keys.  The plugin is tests/sdk/trapplug.c (compiled in).
 *
 * Usage: sdk_abi12_tests NAME (one ctest sdk.FILE.NAME per name, see TESTS at the end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/mock.h"
#include "benchaas/sdk.h"
/* the tests count their failures in `failures`, with their own CHECK (bx_test.h) */
#define BX_TEST_COUNTED failures
#include "bx_test.h"

static int failures;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            failures++;                                                        \
        }                                                                      \
    } while (0)
#define CONTAINS(hay, needle) \
    CHECK(strstr((hay), (needle)) != NULL, "'%s' lacks '%s'", (hay), (needle))

static bx_mock *trap(const char *mode)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    if (!m || bx_mock_set(m, "mode", mode) != 0) {
        fprintf(stderr, "cannot make the mock (%s)\n", mode);
        exit(1);
    }
    return m;
}

static double metric(bx_mock *m, const char *name)
{
    double v = -1;
    bx_mock_metric(m, name, &v);
    return v;
}

/* ---- getters: an undeclared name or the wrong type fails the run ------- */

static void test_getter_undeclared(void)
{
    bx_mock *m = trap("misspelt");
    int rc = bx_mock_run(m);
    CHECK(rc == BX_EINTERNAL, "a misspelt parameter name fails the run: rc %d", rc);
    CONTAINS(bx_mock_error(m), "plugin trap");
    CONTAINS(bx_mock_error(m), "'sise'");
    CONTAINS(bx_mock_error(m), "did you mean 'size'");
    bx_mock_free(m);
}

static void test_getter_type(void)
{
    bx_mock *m = trap("wrongtype");
    int rc = bx_mock_run(m);
    CHECK(rc == BX_EINTERNAL, "bx_param_int on a double fails the run: rc %d", rc);
    CONTAINS(bx_mock_error(m), "plugin trap");
    CONTAINS(bx_mock_error(m), "bx_param_int");
    CONTAINS(bx_mock_error(m), "'ratio'");
    CONTAINS(bx_mock_error(m), "double");
    bx_mock_free(m);

    m = trap("wrongtext");
    rc = bx_mock_run(m);
    CHECK(rc == BX_EINTERNAL, "bx_param_double on a string fails the run: rc %d", rc);
    CONTAINS(bx_mock_error(m), "'label'");
    bx_mock_free(m);

    m = trap("ok");
    CHECK(bx_mock_run(m) == 0, "the right getters: %s", bx_mock_error(m));
    bx_mock_free(m);
}

/* ---- ranges: left out means none; the explicit flag; min without max ---- */

static int nop_init(bx_ctx *ctx, void **s)
{
    (void)ctx;
    *s = NULL;
    return 0;
}
static int nop_run(bx_ctx *ctx, void *s, unsigned rep)
{
    (void)s;
    (void)rep;
    return bx_sample(ctx, "m", 1.0);
}
static int nop_report(bx_ctx *ctx, void *s)
{
    (void)ctx;
    (void)s;
    return 0;
}
static void nop_fini(void *s) { (void)s; }

static const bx_metric_def one_metric[] = {{"m", "", BX_BETTER_NONE, "m", 0}, {0}};

static bx_plugin plugin_with(const bx_param *params)
{
    bx_plugin d = {BX_PLUGIN_HEADER,
                   .name = "ranges",
                   .version = "1",
                   .description = "ranges",
                   .params = params,
                   .metrics = one_metric,
                   .init = nop_init,
                   .run = nop_run,
                   .report = nop_report,
                   .fini = nop_fini};
    return d;
}

static const bx_param left_out[] = {
    {.name = "n", .type = BX_INT, .def = "5", .help = "no range given"},
    {.name = "x", .type = BX_DOUBLE, .help = "no range given"},
    {.name = "z", .type = BX_INT, .def = "0", .min = 0, .max = 0, .flags = BX_PARAM_RANGE,
     .help = "the explicit range 0 .. 0"},
    {.name = "r", .type = BX_INT, .min = 1, .max = 10, .help = "1 .. 10 without the flag"},
    {.name = "k", .type = BX_SIZE, .min = 1, .max = 0, .help = "BX_NORANGE"},
    {0}};
static const bx_param min_only[] = {{.name = "n", .type = BX_INT, .min = 5, .help = "min only"},
                                    {0}};

static void test_range_zero(void)
{
    bx_plugin d = plugin_with(left_out);
    bx_mock *m = bx_mock_new(&d);
    CHECK(bx_mock_set(m, "n", "7") == 0, "n=7 with the range left out: %s", bx_mock_error(m));
    CHECK(bx_mock_set(m, "n", "-123456789") == 0, "any integer: %s", bx_mock_error(m));
    CHECK(bx_mock_set(m, "x", "1e300") == 0, "any double: %s", bx_mock_error(m));
    CHECK(bx_mock_set(m, "k", "1t") == 0, "BX_NORANGE: %s", bx_mock_error(m));
    CHECK(bx_mock_set(m, "z", "0") == 0, "z=0 in 0 .. 0: %s", bx_mock_error(m));
    CHECK(bx_mock_set(m, "z", "5") == BX_EINVAL, "z=5 outside the explicit 0 .. 0");
    CONTAINS(bx_mock_error(m), "0 .. 0");
    CHECK(bx_mock_set(m, "r", "11") == BX_EINVAL, "r=11 outside .min/.max 1 .. 10");
    CHECK(bx_mock_set(m, "r", "10") == 0, "r=10: %s", bx_mock_error(m));
    CHECK(bx_mock_run(m) == 0, "run: %s", bx_mock_error(m));
    bx_mock_free(m);

    /* a minimum without a maximum is refused, not silently ignored */
    d = plugin_with(min_only);
    m = bx_mock_new(&d);
    CHECK(bx_mock_check(m) == BX_EINVAL, "min 5 > max 0 refused");
    CONTAINS(bx_mock_error(m), "min 5 > max 0");
    bx_mock_free(m);
}

/* ---- ABI 1.3: path and host kinds ---------------------------------------- */

static const bx_param kinds_ok[] = {
    {.name = "in", .type = BX_STRING, .flags = BX_PARAM_PATH_READ, .help = "read"},
    {.name = "out", .type = BX_STRING, .def = "o", .flags = BX_PARAM_PATH_WRITE, .help = "write"},
    {.name = "peer", .type = BX_STRING, .flags = BX_PARAM_HOST, .help = "host"},
    {0}};
static const bx_param kind_on_int[] = {
    {.name = "port", .type = BX_INT, .def = "1", .flags = BX_PARAM_HOST, .help = "not a host"},
    {0}};
static const bx_param two_kinds[] = {
    {.name = "p", .type = BX_STRING, .flags = BX_PARAM_PATH_READ | BX_PARAM_PATH_WRITE,
     .help = "both"},
    {0}};

static void test_param_kinds(void)
{
    bx_plugin d = plugin_with(kinds_ok);
    bx_mock *m = bx_mock_new(&d);
    CHECK(bx_mock_set(m, "in", "/data/x") == 0 && bx_mock_set(m, "peer", "node1") == 0 &&
              bx_mock_run(m) == 0,
          "kinds on STRING parameters: %s", bx_mock_error(m));
    bx_mock_free(m);
    d = plugin_with(kind_on_int);
    m = bx_mock_new(&d);
    CHECK(bx_mock_check(m) == BX_EINVAL, "a kind on an INT is refused");
    CONTAINS(bx_mock_error(m), "'port'");
    bx_mock_free(m);
    d = plugin_with(two_kinds);
    m = bx_mock_new(&d);
    CHECK(bx_mock_check(m) == BX_EINVAL, "two kinds at once are refused");
    CONTAINS(bx_mock_error(m), "one of them at a time");
    bx_mock_free(m);
    /* a 1.2 plugin knew no kinds: whatever those bits held, it loads as before */
    d = plugin_with(kind_on_int);
    d.abi_minor = 2;
    m = bx_mock_new(&d);
    CHECK(bx_mock_check(m) == 0 && bx_mock_run(m) == 0, "a 1.2 plugin: %s", bx_mock_error(m));
    bx_mock_free(m);
}

/* ---- computed parameters ----------------------------------------------- */

static void test_computed(void)
{
    bx_mock *m = trap("computed");
    CHECK(bx_mock_run(m) == 0, "run: %s", bx_mock_error(m));
    const char *c = bx_mock_computed(m, "auto");
    CHECK(c && strcmp(c, "4096") == 0, "computed auto = %s", c ? c : "(none)");
    CHECK(metric(m, "seen_auto") == 4096, "the getter returns it: %g", metric(m, "seen_auto"));
    const char *isset = bx_mock_meta(m, "auto_isset");
    CHECK(isset && strcmp(isset, "0") == 0, "isset stays 0: %s", isset ? isset : "(none)");
    CHECK(bx_mock_computed(m, "n") == NULL, "n is not computed");
    bx_mock_free(m);

    /* a parameter that has a value (default or given) cannot be computed */
    m = trap("badcomputed");
    CHECK(bx_mock_run(m) == BX_EINVAL, "computed n refused");
    CONTAINS(bx_mock_error(m), "'n' already has a value");
    bx_mock_free(m);

    /* the user's value wins: computing it is refused too */
    m = trap("computed");
    CHECK(bx_mock_set(m, "auto", "7") == 0, "auto=7");
    CHECK(bx_mock_run(m) == BX_EINVAL, "computed over the user's value refused");
    bx_mock_free(m);

    /* a host older than ABI 1.2: BX_ENOTSUP, nothing called */
    bx_host old = *bx_mock_host();
    old.struct_size = (uint32_t)offsetof(bx_host, param_computed);
    bx_ctx ctx = {&old, NULL};
    CHECK(bx_param_computed(&ctx, "auto", "1") == BX_ENOTSUP, "old host");
}

/* ---- headline ----------------------------------------------------------- */

static void test_headline(void)
{
    bx_mock *m = trap("ok");
    CHECK(bx_mock_is_headline(m, "rate"), "rate is marked");
    CHECK(!bx_mock_is_headline(m, "count"), "count is not (the first, but rate is marked)");
    bx_mock_free(m);
    bx_plugin d = plugin_with(left_out);
    m = bx_mock_new(&d);
    CHECK(bx_mock_is_headline(m, "m"), "none marked: the first metric is the headline");
    bx_mock_free(m);
}

/* ---- host calls from several threads ----------------------------------- */

static void test_threads(void)
{
    bx_mock *m = trap("threads");
    CHECK(bx_mock_set(m, "threads", "8") == 0 && bx_mock_set(m, "per_thread", "20000") == 0,
          "set");
    bx_mock_set_repetitions(m, 2);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run: %d %s", rc, bx_mock_error(m));
    size_t n = 0;
    bx_mock_samples(m, "s", &n);
    CHECK(n == 2u * 8u * 20000u, "every sample of 8 threads x 2 repetitions kept: %zu", n);
    CHECK(bx_mock_meta_count(m) == 8, "8 meta keys: %zu", bx_mock_meta_count(m));
    for (size_t i = 0; i < bx_mock_meta_count(m); i++) {
        const char *v = bx_mock_meta(m, bx_mock_meta_key(m, i));
        CHECK(v && strcmp(v, "done") == 0, "%s = %s", bx_mock_meta_key(m, i), v ? v : "?");
    }
    bx_mock_free(m);
}

/* The same from an OpenMP parallel region (skipped without OpenMP). */
static void test_threads_omp(void)
{
#ifdef _OPENMP
    bx_mock *m = trap("omp");
    CHECK(bx_mock_set(m, "threads", "8") == 0 && bx_mock_set(m, "per_thread", "20000") == 0,
          "set");
    bx_mock_set_repetitions(m, 2);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run: %d %s", rc, bx_mock_error(m));
    size_t n = 0;
    bx_mock_samples(m, "s", &n);
    CHECK(n == 2u * 8u * 20000u, "every sample of 8 OpenMP threads x 2 repetitions: %zu", n);
    CHECK(bx_mock_meta_count(m) == 8, "8 meta keys: %zu", bx_mock_meta_count(m));
    bx_mock_free(m);
#else
    fprintf(stderr, "SKIP: built without OpenMP\n");
    exit(77);
#endif
}

/* ---- simulated ranks ---------------------------------------------------- */

static void test_mock_ranks(void)
{
    bx_mock *m = trap("collectives");
    int rc = bx_mock_run_ranks(m, 4);
    CHECK(rc == 0, "4 ranks: %d %s", rc, bx_mock_error(m));
    CHECK(metric(m, "sum") == 10, "SUM of 1..4 = %g", metric(m, "sum"));
    CHECK(metric(m, "max") == 4, "MAX = %g", metric(m, "max"));
    size_t n = 0;
    bx_mock_samples(m, "rate", &n);
    CHECK(n == 2, "rank 0's samples only: %zu", n);
    bx_mock_free(m);

    /* one rank fails: every rank learns it, the run fails with its message */
    m = trap("failrank");
    rc = bx_mock_run_ranks(m, 3);
    CHECK(rc == BX_EIO, "the last rank's failure: %d", rc);
    CONTAINS(bx_mock_error(m), "rank 2");
    bx_mock_free(m);

    /* one rank alone: the same as bx_mock_run */
    m = trap("collectives");
    CHECK(bx_mock_run_ranks(m, 1) == 0 && metric(m, "sum") == 1, "1 rank: %g",
          metric(m, "sum"));
    bx_mock_free(m);
}

/* ---- expand() points and meta keys --------------------------------------- */

static void test_mock_expand(void)
{
    bx_mock *m = trap("expand");
    CHECK(bx_mock_expand(m) == 0, "expand: %s", bx_mock_error(m));
    CHECK(bx_mock_points(m) == 2, "2 points: %zu", bx_mock_points(m));
    const char *const *p = bx_mock_point(m, 1);
    CHECK(p && p[0] && strcmp(p[0], "mode=ok") == 0 && p[1] && strcmp(p[1], "n=2") == 0 && !p[2],
          "the second point");
    CHECK(bx_mock_point(m, 2) == NULL, "no third point");
    bx_mock_free(m);
    m = trap("ok");
    CHECK(bx_mock_expand(m) == 0 && bx_mock_points(m) == 0, "no points: the point stays");
    bx_mock_free(m);
}

/* ---- the host table ------------------------------------------------------ */

static void test_mock_host(void)
{
    const bx_host *h = bx_mock_host();
    CHECK(h != NULL && h->abi_minor == BX_ABI_MINOR && h->struct_size == sizeof(bx_host) &&
              h->param_computed != NULL,
          "the mock's host table");
}

/* X(LIBRARY, FILE, NAME): test_NAME tests core/LIBRARY/FILE.c (the sdk: sdk/src/FILE.c);
 * its ctest is LIBRARY.FILE.NAME, less a leading "FILE_" of NAME (tests/CMakeLists.txt,
 * bx_table_tests). */
#define TESTS(X) \
    X(sdk, collector, getter_undeclared) \
    X(sdk, collector, getter_type) \
    X(sdk, paramval, range_zero) \
    X(sdk, paramval, param_kinds) \
    X(sdk, collector, computed) \
    X(sdk, collector, headline) \
    X(sdk, collector, threads) \
    X(sdk, collector, threads_omp) \
    X(sdk, mock, mock_ranks) \
    X(sdk, mock, mock_expand) \
    X(sdk, mock, mock_host)

BX_TEST_TABLE(TESTS)

int main(int argc, char **argv)
{
    return bx_test_main(argc, argv, bx_tests, BX_NTESTS, NULL);
}
