/*
 * test_stream.c — unit tests of the stream plugin through the mock host.
 *
 *     test_stream NAME     run one test (ctest: stream.FILE.NAME, FILE stream or kernels)
 *     test_stream          run them all
 *
 * The plugin's sources are compiled into this program, so a test can reach
 * into the state (stream_internal.h) between run() and report() — that is
 * how a corrupted array is produced; no hook exists in the plugin itself.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/mock.h"
#include "kernels.h"
#include "machine.h"
#include "stream_internal.h"

static int failures;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            failures++;                                                         \
        }                                                                       \
    } while (0)

static double metric(bx_mock *m, const char *name)
{
    double v = NAN;
    if (bx_mock_metric(m, name, &v) != 0)
        return NAN;
    return v;
}

static int near(double x, double y, double rel) { return fabs(x - y) <= rel * fabs(y); }

/* A mock of the plugin (fake collectives are put in with bx_mock_set_collectives). */
static bx_mock *new_mock(void)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    if (!m) {
        fprintf(stderr, "bx_mock_new failed\n");
        exit(1);
    }
    return m;
}

static void set(bx_mock *m, const char *k, const char *v)
{
    if (bx_mock_set(m, k, v) != 0) {
        fprintf(stderr, "bx_mock_set(%s=%s): %s\n", k, v, bx_mock_error(m));
        failures++;
    }
}

/* ---- the definition ---------------------------------------------------------- */

/* The scalar replay: one iteration from a=1, b=2, c=0 gives c=4, b=3, a=15. */
static void test_expected(void)
{
    double a, b, c;
    stream_expected(1, &a, &b, &c);
    CHECK(a == 15 && b == 3 && c == 4, "1 iteration: a=%g b=%g c=%g", a, b, c);
    stream_expected(2, &a, &b, &c);
    CHECK(a == 225 && b == 45 && c == 60, "2 iterations: a=%g b=%g c=%g", a, b, c);
    stream_expected(200, &a, &b, &c); /* ntimes' maximum stays finite */
    CHECK(isfinite(a) && isfinite(b) && isfinite(c), "200 iterations overflow");
}

/* The default size: 3 arrays > 4x the cache, at least 10 million, whole millions. */
static void test_default_size(void)
{
    CHECK(stream_default_size(0) == 10000000u, "no cache: %zu", stream_default_size(0));
    CHECK(stream_default_size(32u << 20) == 10000000u, "32 MiB: %zu",
          stream_default_size(32u << 20));
    uint64_t llc = UINT64_C(1) << 30;
    size_t n = stream_default_size(llc);
    CHECK(n == 179000000u, "1 GiB: %zu", n);
    CHECK(24.0 * (double)n > 4.0 * (double)llc, "1 GiB: rule not met by %zu", n);
    /* 4 x 600 MB / 24 B = 1e8 elements exactly: equal is not enough, the next million. */
    n = stream_default_size(600000000u);
    CHECK(n == 101000000u, "600 MB: %zu", n);
}

/* ---- parameters and bad input --------------------------------------------------- */

static void test_params(void)
{
    bx_mock *m = new_mock();
    CHECK(bx_mock_set(m, "ntimes", "1") != 0, "ntimes=1 accepted");
    CHECK(strstr(bx_mock_error(m), "ntimes") != NULL, "message: %s", bx_mock_error(m));
    CHECK(bx_mock_set(m, "array_size", "0") != 0, "array_size=0 accepted");
    CHECK(bx_mock_set(m, "array_size", "-5") != 0, "array_size=-5 accepted");
    CHECK(bx_mock_set(m, "array_size", "ten") != 0, "array_size=ten accepted");
    CHECK(bx_mock_set(m, "nt_stores", "maybe") != 0, "nt_stores=maybe accepted");
    CHECK(bx_mock_set(m, "isa", "mmx") != 0, "isa=mmx accepted");
    CHECK(bx_mock_set(m, "arraysize", "10") != 0, "unknown name accepted");
    CHECK(bx_mock_set(m, "ntimes", "2") == 0, "ntimes=2 refused: %s", bx_mock_error(m));
    const char *d = bx_mock_describe(m);
    CHECK(strstr(d, "default array_size") != NULL, "describe: %s", d);
    bx_mock_free(m);
}

/* Arrays that do not fit: check() refuses (exit 2) and says how much is needed and there. */
static void test_too_big(void)
{
    unsetenv("OMPI_COMM_WORLD_SIZE"); /* as the runner sees it, not inside an MPI job */
    unsetenv("PMI_SIZE");
    unsetenv("PMIX_RANK");
    bx_mock *m = new_mock();
    set(m, "array_size", "1000000000000000");
    int rc = bx_mock_check(m);
    const char *e = bx_mock_error(m);
    CHECK(rc == BX_EINVAL, "check returned %d", rc);
    CHECK(strstr(e, "needs") && strstr(e, "available") && strstr(e, "array_size"),
          "message: %s", e);
    rc = bx_mock_run(m);
    size_t n = 0;
    bx_mock_samples(m, "triad", &n);
    CHECK(rc == BX_EINVAL && n == 0, "run: rc %d, %zu samples", rc, n);
    bx_mock_free(m);

    /* Fits for one rank, not for 100 000 on this host. */
    m = new_mock();
    set(m, "array_size", "1000000");
    bx_mock_set_world(m, 0, 100000);
    CHECK(bx_mock_check(m) == BX_EINVAL, "100000 ranks x 24 MB accepted");
    CHECK(strstr(bx_mock_error(m), "100000 ranks") != NULL, "message: %s", bx_mock_error(m));

    /* Inside the MPI job the other ranks may already hold their arrays: only
     * this rank's own are checked there (the runner checked them all). */
    setenv("OMPI_COMM_WORLD_SIZE", "100000", 1);
    CHECK(bx_mock_check(m) == 0, "inside mpirun, one rank's 24 MB refused: %s",
          bx_mock_error(m));
    bx_mock_set(m, "array_size", "1000000000000000");
    CHECK(bx_mock_check(m) == BX_EINVAL, "inside mpirun, 24 PB per rank accepted");
    unsetenv("OMPI_COMM_WORLD_SIZE");
    bx_mock_free(m);
}

/* An instruction set the CPU lacks is refused by check(), naming what it has. */
static void test_unsupported_isa(void)
{
    for (int i = 0; i < STREAM_ISA_COUNT; i++) {
        if (stream_isa_supported((stream_isa)i))
            continue;
        bx_mock *m = new_mock();
        set(m, "isa", stream_isa_name((stream_isa)i));
        CHECK(bx_mock_check(m) == BX_EINVAL, "isa=%s accepted", stream_isa_name((stream_isa)i));
        CHECK(strstr(bx_mock_error(m), "portable") != NULL, "message: %s", bx_mock_error(m));
        bx_mock_free(m);
    }
}

/* ---- runs ------------------------------------------------------------------------ */

/* Ordinary stores: validated, rates consistent, samples per repetition, warning for small arrays. */
static void test_run_ordinary(void)
{
    bx_mock *m = new_mock();
    set(m, "array_size", "100003");
    set(m, "ntimes", "5");
    bx_mock_set_threads(m, 2);
    bx_mock_set_repetitions(m, 3);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run: %d %s", rc, bx_mock_error(m));
    CHECK(metric(m, "validated") == 1.0, "validated %g", metric(m, "validated"));
    CHECK(bx_mock_computed(m, "array_size") == NULL, "a given array_size is not computed");
    CHECK(bx_mock_is_headline(m, "triad") && !bx_mock_is_headline(m, "copy"),
          "triad is the headline");
    static const char *const k[] = {"copy", "scale", "add", "triad"};
    for (int j = 0; j < 4; j++) {
        char avg[32], mn[32];
        snprintf(avg, sizeof avg, "%s_avg", k[j]);
        snprintf(mn, sizeof mn, "%s_min", k[j]);
        double best = metric(m, k[j]), a = metric(m, avg), w = metric(m, mn);
        CHECK(best > 0 && isfinite(best), "%s = %g", k[j], best);
        CHECK(a > 0 && a <= best * (1 + 1e-12), "%s: avg %g, best %g", k[j], a, best);
        CHECK(w > 0 && w <= a * (1 + 1e-12), "%s: min %g, avg %g", k[j], w, a);
        size_t n = 0;
        const double *s = bx_mock_samples(m, k[j], &n);
        CHECK(n == 3, "%s: %zu samples for 3 repetitions", k[j], n);
        double mx = 0;
        for (size_t i = 0; i < n; i++)
            mx = s[i] > mx ? s[i] : mx;
        CHECK(best == mx, "%s: metric %g is not the best sample %g", k[j], best, mx);
    }
    const char *st = bx_mock_meta(m, "stores");
    CHECK(st && strcmp(st, "ordinary") == 0, "stores = %s", st ? st : "(unset)");
    CHECK(bx_mock_meta(m, "tuned") == NULL, "ordinary stores labelled tuned");
    const char *as = bx_mock_meta(m, "array_size");
    CHECK(as && strcmp(as, "100003") == 0, "array_size meta %s", as ? as : "(unset)");
    const char *w = NULL;
    if (stream_llc_bytes(NULL) > 2400072 / 4) {
        CHECK(bx_mock_warnings(m, &w) >= 1 && strstr(w, "last-level cache"),
              "no cache warning for 2.4 MB arrays (last: %s)", w ? w : "");
    }
    bx_mock_free(m);
}

/* Non-temporal stores: validated and labelled tuned. */
static void test_run_nt(void)
{
    bx_mock *m = new_mock();
    set(m, "array_size", "100003");
    set(m, "ntimes", "4");
    set(m, "nt_stores", "true");
    bx_mock_set_threads(m, 2);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run: %d %s", rc, bx_mock_error(m));
    CHECK(metric(m, "validated") == 1.0, "validated %g", metric(m, "validated"));
    CHECK(metric(m, "triad") > 0, "triad %g", metric(m, "triad"));
    const char *tuned = bx_mock_meta(m, "tuned"), *st = bx_mock_meta(m, "stores");
    if (stream_isa_has_nt(stream_isa_best())) {
        CHECK(tuned && strcmp(tuned, "nt_stores") == 0, "tuned = %s", tuned ? tuned : "(unset)");
        CHECK(st && strcmp(st, "non-temporal") == 0, "stores = %s", st ? st : "(unset)");
    } else {
        const char *w = NULL;
        bx_mock_warnings(m, &w);
        CHECK(w && strstr(w, "nt_stores"), "no warning that nt_stores did nothing");
    }
    bx_mock_free(m);
}

/* Every instruction set this CPU has, both store flavours, odd sizes and thread counts. */
static void test_every_isa(void)
{
    for (int i = 0; i < STREAM_ISA_COUNT; i++) {
        if (!stream_isa_supported((stream_isa)i))
            continue;
        for (int nt = 0; nt < 2; nt++) {
            const char *name = stream_isa_name((stream_isa)i);
            bx_mock *m = new_mock();
            set(m, "array_size", "4099");
            set(m, "ntimes", "3");
            set(m, "isa", name);
            set(m, "nt_stores", nt ? "yes" : "no");
            bx_mock_set_threads(m, 3);
            int rc = bx_mock_run(m);
            CHECK(rc == 0, "%s nt=%d: %d %s", name, nt, rc, bx_mock_error(m));
            CHECK(metric(m, "validated") == 1.0, "%s nt=%d: validated %g", name, nt,
                  metric(m, "validated"));
            const char *isa = bx_mock_meta(m, "isa");
            CHECK(isa && strcmp(isa, name) == 0, "isa meta %s", isa ? isa : "(unset)");
            bx_mock_free(m);
        }
    }
}

/* The kernels alone, at every alignment and small length: exact results, nothing
 * written outside [0, n). */
static void test_kernels_direct(void)
{
    enum { MAXN = 70, PAD = 16 };
    double *buf = aligned_alloc(64, 4 * (MAXN + 2 * PAD) * sizeof(double));
    double *x = buf, *y = buf + (MAXN + 2 * PAD), *z = y + (MAXN + 2 * PAD);
    double *want = z + (MAXN + 2 * PAD);
    const double s = 3.0, sentinel = -12345.0;
    for (int isa = 0; isa < STREAM_ISA_COUNT; isa++) {
        for (int nt = 0; nt < 2; nt++) {
            const stream_kernels *k = stream_kernels_get((stream_isa)isa, nt);
            if (!k)
                continue;
            for (int kern = 0; kern < 4; kern++)
                for (size_t off = 0; off <= 9; off++)
                    for (size_t n = 0; n <= MAXN; n++) {
                        for (int i = 0; i < MAXN + 2 * PAD; i++) {
                            x[i] = 1.5 + i;
                            y[i] = 0.25 * i - 7;
                            z[i] = sentinel;
                            want[i] = sentinel;
                        }
                        double *d = z + off + 1, *w = want + off + 1;
                        const double *p = x + off, *q = y + off + 2; /* mixed alignments */
                        for (size_t i = 0; i < n; i++)
                            w[i] = kern == 0   ? p[i]
                                   : kern == 1 ? s * p[i]
                                   : kern == 2 ? p[i] + q[i]
                                               : p[i] + s * q[i];
                        switch (kern) {
                        case 0: k->copy(d, p, n); break;
                        case 1: k->scale(d, p, s, n); break;
                        case 2: k->add(d, p, q, n); break;
                        default: k->triad(d, p, q, s, n); break;
                        }
                        int bad = memcmp(z, want, (MAXN + 2 * PAD) * sizeof(double)) != 0;
                        CHECK(!bad, "isa %s nt=%d kernel %d offset %zu n %zu: wrong result",
                              stream_isa_name((stream_isa)isa), nt, kern, off, n);
                        if (bad)
                            goto out;
                    }
        }
    }
out:
    free(buf);
}

/* ---- validation ------------------------------------------------------------------ */

/* Init and the runs, by hand, leaving the state for a test to corrupt. */
static stream_state *run_until_report(bx_mock *m)
{
    void *state = NULL;
    int rc = bx_mock_check(m);
    if (rc == 0)
        rc = bx_mock_init(m, &state);
    for (unsigned r = 0; rc == 0 && r <= 2; r++)
        rc = bx_mock_run_rep(m, state, r);
    CHECK(rc == 0, "runs: %d %s", rc, bx_mock_error(m));
    return state;
}

/* The same runs validate; one element off by 1.0, or a NaN, fails the run. */
static void test_validation_fails(void)
{
    for (int which = 0; which < 3; which++) {
        bx_mock *m = new_mock();
        set(m, "array_size", "100000");
        set(m, "ntimes", "5");
        bx_mock_set_threads(m, 2);
        stream_state *st = run_until_report(m);
        if (!st) {
            bx_mock_free(m);
            return;
        }
        if (which == 1)
            st->a[st->n / 2] += 1.0; /* a holds 15^5 = 759375: relative 1.3e-11 on average */
        else if (which == 2)
            st->c[0] = NAN;
        int rc = bx_mock_report(m, st);
        const char *e = bx_mock_error(m);
        if (which == 0) {
            CHECK(rc == 0 && metric(m, "validated") == 1.0, "clean run: rc %d validated %g %s",
                  rc, metric(m, "validated"), e);
        } else {
            CHECK(rc == BX_EFAILED, "corrupted %s: report returned %d", which == 1 ? "a" : "c",
                  rc);
            CHECK(metric(m, "validated") == 0.0, "corrupted: validated %g",
                  metric(m, "validated"));
            CHECK(strstr(e, which == 1 ? "array a" : "array c") && strstr(e, "index"),
                  "message: %s", e);
            CHECK(metric(m, "triad") > 0, "rates still reported");
        }
        bx_mock_fini(m, st);
        bx_mock_free(m);
    }
}

/* Many iterations and repetitions: the values stay finite and validate. */
static void test_many_iterations(void)
{
    bx_mock *m = new_mock();
    set(m, "array_size", "1000");
    set(m, "ntimes", "200");
    bx_mock_set_repetitions(m, 3);
    int rc = bx_mock_run(m);
    CHECK(rc == 0 && metric(m, "validated") == 1.0, "rc %d validated %g %s", rc,
          metric(m, "validated"), bx_mock_error(m));
    bx_mock_free(m);
}

/* No array_size: the machine's default, which obeys the cache rule (no warning). */
static void test_default_run(void)
{
    bx_mock *m = new_mock();
    set(m, "ntimes", "2");
    bx_mock_set_threads(m, 2);
    int rc = bx_mock_run(m);
    CHECK(rc == 0 && metric(m, "validated") == 1.0, "rc %d %s", rc, bx_mock_error(m));
    char want[32];
    snprintf(want, sizeof want, "%zu", stream_default_size(stream_llc_bytes(NULL)));
    const char *as = bx_mock_meta(m, "array_size"), *src = bx_mock_meta(m, "array_size_source");
    CHECK(as && strcmp(as, want) == 0, "array_size %s, want %s", as ? as : "(unset)", want);
    CHECK(src && strcmp(src, "default") == 0, "source %s", src ? src : "(unset)");
    /* ... and recorded as the run's array_size, marked computed */
    const char *c = bx_mock_computed(m, "array_size");
    CHECK(c && strcmp(c, want) == 0, "computed array_size %s, want %s", c ? c : "(none)", want);
    const char *w = NULL;
    if (stream_llc_bytes(NULL) > 0)
        CHECK(bx_mock_warnings(m, &w) == 0, "warning with the default size: %s", w);
    bx_mock_free(m);
}

/* ---- several ranks (a fake peer) ------------------------------------------------- */

static int fake_barriers;
static int fake_nranks = 3;
static int fake_peer_fails; /* the fake peer's validation failed array a */

static int fake_barrier(void *user)
{
    (void)user;
    fake_barriers++;
    return 0;
}

/* MAX: every peer took 0.25 s for every kernel (longer than any real one here).
 * SUM: every peer counted what we counted, plus the fake failure. */
static int fake_allreduce(void *user, double *v, int count, int op)
{
    (void)user;
    for (int i = 0; i < count; i++) {
        if (op == BX_OP_MAX)
            v[i] = v[i] > 0.25 ? v[i] : 0.25;
        else if (op == BX_OP_SUM)
            v[i] = v[i] * fake_nranks + (i == 0 ? fake_peer_fails : 0);
    }
    return 0;
}

/* The aggregate is all ranks' bytes over the slowest rank's time, and the
 * kernels start together (a barrier before each). */
static void test_aggregate(void)
{
    fake_barriers = 0;
    bx_mock *m = new_mock();
    bx_mock_set_collectives(m, fake_barrier, fake_allreduce, NULL);
    set(m, "array_size", "10000");
    set(m, "ntimes", "3");
    bx_mock_set_world(m, 0, fake_nranks);
    bx_mock_set_repetitions(m, 2);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run: %d %s", rc, bx_mock_error(m));
    const double bytes[4] = {16, 16, 24, 24};
    static const char *const k[] = {"copy", "scale", "add", "triad"};
    for (int j = 0; j < 4; j++) {
        double want = fake_nranks * bytes[j] * 10000 / 0.25 / 1e6;
        CHECK(near(metric(m, k[j]), want, 1e-12), "%s = %.17g, want %.17g", k[j],
              metric(m, k[j]), want);
    }
    CHECK(fake_barriers == 3 * 4 * 3, "%d barriers for 3 runs x 3 iterations x 4 kernels",
          fake_barriers);
    CHECK(metric(m, "validated") == 1.0, "validated %g", metric(m, "validated"));
    bx_mock_free(m);
}

/* Rank 0 validates, another rank does not: the run fails on rank 0 too. */
static void test_peer_fails(void)
{
    fake_peer_fails = 1;
    bx_mock *m = new_mock();
    bx_mock_set_collectives(m, fake_barrier, fake_allreduce, NULL);
    set(m, "array_size", "10000");
    set(m, "ntimes", "3");
    bx_mock_set_world(m, 0, fake_nranks);
    int rc = bx_mock_run(m);
    CHECK(rc == BX_EFAILED, "run: %d", rc);
    CHECK(metric(m, "validated") == 0.0, "validated %g", metric(m, "validated"));
    CHECK(strstr(bx_mock_error(m), "another rank") != NULL, "message: %s", bx_mock_error(m));
    bx_mock_free(m);
    fake_peer_fails = 0;
}

/* Three simulated ranks (threads of the mock): real barriers and reductions
 * among them; all validate, and the aggregate counts every rank's bytes. */
static void test_ranks(void)
{
    bx_mock *m = new_mock();
    set(m, "array_size", "20000");
    set(m, "ntimes", "3");
    bx_mock_set_repetitions(m, 2);
    int rc = bx_mock_run_ranks(m, 3);
    CHECK(rc == 0, "run on 3 ranks: %d %s", rc, bx_mock_error(m));
    CHECK(metric(m, "validated") == 1.0, "validated %g", metric(m, "validated"));
    CHECK(metric(m, "triad") > 0, "triad %g", metric(m, "triad"));
    bx_mock_free(m);
}

/* ---- the list ----------------------------------------------------------------------- */

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"expected", test_expected},
    {"default_size", test_default_size},
    {"ranks", test_ranks},
    {"params", test_params},
    {"too_big", test_too_big},
    {"unsupported_isa", test_unsupported_isa},
    {"run_ordinary", test_run_ordinary},
    {"run_nt", test_run_nt},
    {"every_isa", test_every_isa},
    {"kernels", test_kernels_direct},
    {"validation_fails", test_validation_fails},
    {"many_iterations", test_many_iterations},
    {"default_run", test_default_run},
    {"aggregate", test_aggregate},
    {"peer_fails", test_peer_fails},
};

int main(int argc, char **argv)
{
    int ran = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
            continue;
        int before = failures;
        tests[i].fn();
        printf("%s %s\n", failures == before ? "ok  " : "FAIL", tests[i].name);
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "no test named '%s'\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    return failures ? 1 : 0;
}
