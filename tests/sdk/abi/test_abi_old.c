/*
 * test_abi_old.c — the mock host of today runs a plugin compiled against
 * the headers of an older ABI (tests/sdk/abi/oldplug.c, linked in) exactly
 * as that ABI's host did.  FIX_MINOR: the plugin's abi_minor.
 */
#include <stdio.h>
#include <string.h>

#include "benchaas/mock.h"

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

static double metric(bx_mock *m, const char *name)
{
    double v = -1;
    bx_mock_metric(m, name, &v);
    return v;
}

int main(void)
{
    const bx_plugin *d = benchaas_plugin_entry(bx_mock_host());
    CHECK(d && d->abi_major == 1 && d->abi_minor == FIX_MINOR, "built for 1.%d",
          d ? d->abi_minor : -1);
    bx_mock *m = bx_mock_new(d);
    CHECK(m && bx_mock_error(m)[0] == '\0', "loads: %s", m ? bx_mock_error(m) : "no mock");
    if (!m)
        return 1;
    /* min = max = 0 was the range 0 .. 0 and stays so for this plugin */
    CHECK(bx_mock_set(m, "zero", "5") == BX_EINVAL, "zero=5 refused as before");
    CHECK(strstr(bx_mock_error(m), "0 .. 0") != NULL, "message: %s", bx_mock_error(m));
    CHECK(bx_mock_set(m, "zero", "0") == 0, "zero=0");
    CHECK(bx_mock_set(m, "ratio", "7.75") == 0, "ratio: %s", bx_mock_error(m));
    CHECK(bx_mock_set(m, "ratio", "101") == BX_EINVAL, "ratio's range 0 .. 100 kept");
    /* the lenient getters of old: the run goes on */
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run: %d %s", rc, bx_mock_error(m));
    CHECK(metric(m, "ratio_int") == 7, "bx_param_int of 7.75 = %g", metric(m, "ratio_int"));
    CHECK(metric(m, "undeclared") == 0, "an undeclared name reads 0: %g",
          metric(m, "undeclared"));
    CHECK(metric(m, "node_ranks") == 1, "node_ranks %g", metric(m, "node_ranks"));
    size_t n = 0;
    bx_mock_samples(m, "first", &n);
    CHECK(n == 6, "2 repetitions x 3 samples: %zu", n);
    CHECK(metric(m, "first") == 202, "best sample %g", metric(m, "first"));
    CHECK(bx_mock_is_headline(m, "first") && !bx_mock_is_headline(m, "ratio_int"),
          "the first metric is the headline");
    const char *b = bx_mock_meta(m, "built_for");
    CHECK(b && strncmp(b, "abi1", 4) == 0, "meta %s", b ? b : "(none)");
    bx_mock_free(m);
    /* four simulated ranks run an old plugin too */
    m = bx_mock_new(d);
    rc = bx_mock_run_ranks(m, 4);
    CHECK(rc == 0 && metric(m, "ratio_int") == 2, "4 ranks: %d", rc);
    bx_mock_free(m);
    return failures ? 1 : 0;
}
