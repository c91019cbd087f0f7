/*
 * test_results.c — unit tests of the result commands' building blocks:
 * statistics (percentiles, MAD, the exact and approximate Mann–Whitney U
 * test, Hodges–Lehmann), the SVG helpers, and schema version 2 (the
 * migration from version 1, resource timelines).
 *
 *   results_tests NAME     runs test NAME; exit 0 passed, 1 failed (ctest names it
 *                          LIBRARY.FILE.NAME from the TESTS table below)
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchaas/plugin.h"
#include "bx_test.h"
#include "changepoint.h"
#include "stats.h"
#include "store.h"
#include "svg.h"


static int test_stats_percentiles(void)
{
    double v[] = {100, 3, 1, 4, 2};
    stats_sort(v, 5);
    CHECK(v[0] == 1 && v[4] == 100);
    CHECK(stats_pct_sorted(v, 5, 50) == 3);
    CHECK(stats_pct_sorted(v, 5, 0) == 1 && stats_pct_sorted(v, 5, 100) == 100);
    CHECK(NEAR(stats_pct_sorted(v, 5, 25), 2, 1e-12));
    CHECK(NEAR(stats_pct_sorted(v, 5, 90), 4 + 0.6 * 96, 1e-9));
    /* |x - 3| = 2 1 0 1 97: the median deviation is 1, the outlier does not matter */
    CHECK(stats_mad_sorted(v, 5) == 1);
    double two[] = {10, 12};
    CHECK(stats_pct_sorted(two, 2, 50) == 11);
    CHECK(isnan(stats_pct_sorted(two, 0, 50)) && isnan(stats_mad_sorted(two, 0)));
    return 0;
}

static int test_stats_mann_whitney(void)
{
    double min_p;
    /* 3 against 3, fully separated: 2 of the C(6,3) = 20 arrangements are as extreme */
    double a3[] = {1, 2, 3}, b3[] = {4, 5, 6};
    CHECK(NEAR(stats_mann_whitney(a3, 3, b3, 3, &min_p), 0.1, 1e-12));
    CHECK(NEAR(min_p, 0.1, 1e-12)); /* so 3 vs 3 can never reach p < 0.05 */
    /* 4 against 4: 2/70; 5 against 5: 2/252 */
    double a4[] = {1, 2, 3, 4}, b4[] = {5, 6, 7, 8};
    CHECK(NEAR(stats_mann_whitney(a4, 4, b4, 4, NULL), 2.0 / 70, 1e-12));
    double a5[] = {10.1, 10.3, 10.2, 10.0, 10.4}, b5[] = {11.0, 11.2, 10.9, 11.1, 11.3};
    CHECK(NEAR(stats_mann_whitney(a5, 5, b5, 5, &min_p), 2.0 / 252, 1e-12));
    CHECK(NEAR(min_p, 2.0 / 252, 1e-12));
    /* the order of the sides does not matter */
    CHECK(NEAR(stats_mann_whitney(b5, 5, a5, 5, NULL), 2.0 / 252, 1e-12));
    /* interleaved: no evidence of a shift */
    double ai[] = {1, 3, 5, 7, 9}, bi[] = {2, 4, 6, 8, 10};
    CHECK(stats_mann_whitney(ai, 5, bi, 5, NULL) > 0.5);
    /* all tied: p = 1 */
    double t1[] = {1, 1, 1}, t2[] = {1, 1, 1};
    CHECK(NEAR(stats_mann_whitney(t1, 3, t2, 3, NULL), 1.0, 1e-12));
    /* ties across the sides (mid-ranks 1, 3, 3, 3, 5.5, 5.5): a's rank sum 7 is 3.5 from
     * its mean 10.5; 6 of the 20 ways to pick 3 ranks are that far: p = 0.3 */
    double x1[] = {1, 2, 2}, x2[] = {2, 3, 3};
    CHECK(NEAR(stats_mann_whitney(x1, 3, x2, 3, NULL), 0.3, 1e-12));
    /* the normal approximation (more than 40 values): a clear shift is significant,
     * the same distribution is not */
    double la[30], lb[30], lc[30];
    for (int i = 0; i < 30; i++) {
        la[i] = i;
        lb[i] = i + 15;
        lc[i] = i + 0.5;
    }
    CHECK(stats_mann_whitney(la, 30, lb, 30, &min_p) < 0.001);
    CHECK(min_p < 1e-10);
    CHECK(stats_mann_whitney(la, 30, lc, 30, NULL) > 0.8);
    /* empty sides */
    CHECK(isnan(stats_mann_whitney(la, 0, lb, 3, NULL)));
    return 0;
}

static int test_svg_numbers(void)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {{0, "0"},        {1500, "1500"},   {12000, "12k"}, {2.5e6, "2.5M"},
                 {3e9, "3G"},     {0.25, "0.25"},   {-40, "-40"},   {1e-6, "1e-06"},
                 {123456, "123k"}, {NAN, "-"}};
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        svg_format_number(cases[i].v, buf, sizeof buf);
        if (strcmp(buf, cases[i].text) != 0) {
            fprintf(stderr, "svg_format_number(%g) = '%s', want '%s'\n", cases[i].v, buf,
                    cases[i].text);
            return 1;
        }
    }
    CHECK(strcmp(svg_color(0), "#0072B2") == 0 && strcmp(svg_color(10), svg_color(0)) == 0);
    return 0;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* Every kind of axis: well-formed SVG with the expected labels. */
static int test_svg_chart(void)
{
    double tx[] = {1795219200 - 86400 * 60.0, 1795219200 - 86400 * 30.0, 1795219200};
    double ty[] = {50, 52.5, 49};
    double sx[] = {1048576, 4194304, 16777216, 67108864}, sy[] = {10, 20, 25, 26};
    double lo[] = {9, 19, 24, 25}, hi[] = {11, 21, 26, 27};
    const char *cats[] = {"node01", "node02 <b>", "node03"};
    double cx[] = {0, 1, 2}, cy[] = {5, 6, 7};
    for (int kind = 0; kind < 3; kind++) {
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        CHECK(m);
        svg_series s = {.name = "NB=192", .style = SVG_LINE | SVG_POINTS, .color = 0};
        svg_band b = {NAN, NAN, 48, 50, 52, 0, "band"};
        svg_chart c = {.title = "a & b", .xlabel = "x", .ylabel = "y [GFLOP/s]",
                       .series = &s, .nseries = 1};
        if (kind == 0) {
            s.x = tx;
            s.y = ty;
            s.n = 3;
            c.xaxis = SVG_X_TIME;
            c.bands = &b;
            c.nbands = 1;
        } else if (kind == 1) {
            s.x = sx;
            s.y = sy;
            s.lo = lo;
            s.hi = hi;
            s.n = 4;
            c.xaxis = SVG_X_LOG;
            c.xbytes = 1;
        } else {
            s.x = cx;
            s.y = cy;
            s.n = 3;
            s.style = SVG_BARS;
            c.xaxis = SVG_X_CATEGORY;
            c.xcats = cats;
            c.ncats = 3;
        }
        svg_chart_write(m, &c);
        fclose(m);
        CHECK(strncmp(text, "<svg ", 5) == 0 && strstr(text, "</svg>"));
        CHECK(count(text, "<text") == count(text, "</text>"));
        CHECK(strstr(text, "a &amp; b") && strstr(text, "y [GFLOP/s]") && strstr(text, "NB=192"));
        CHECK(!strstr(text, "nan") && !strstr(text, "inf"));
        if (kind == 0)
            CHECK(strstr(text, "2026-") && strstr(text, "band") && strstr(text, "<rect"));
        if (kind == 1)
            CHECK(strstr(text, "1 MiB") && strstr(text, "64 MiB"));
        if (kind == 2)
            CHECK(strstr(text, "node02 &lt;b&gt;") && count(text, "fill-opacity=\"0.8\"") >= 3);
        free(text);
    }
    return 0;
}

/* Charts drawn in several threads at once (the server's pages): every clip-path id is
 * used once.  A plain counter loses increments when two threads draw together, so two
 * charts get one id; how often depends on the machine, so this can pass without the
 * fix, but it can never fail with it. */
#define ID_THREADS 4
#define ID_CHARTS 3000

typedef struct id_run {
    unsigned ids[ID_CHARTS];
    int n; /* charts whose id was read */
} id_run;

/* The clip-path id of one chart drawn now by this thread (malloc'd text after "clip"). */
static char *one_chart_id(void)
{
    double x[] = {1, 2}, y[] = {3, 4};
    svg_series s = {.name = "s", .style = SVG_LINE, .x = x, .y = y, .n = 2};
    svg_chart c = {.title = "t", .series = &s, .nseries = 1, .width = 100, .height = 60};
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return NULL;
    svg_chart_write(m, &c);
    fclose(m);
    static const char key[] = "<clipPath id=\"clip";
    const char *p = strstr(text, key);
    char *id = p ? strndup(p + strlen(key), strcspn(p + strlen(key), "\"")) : NULL;
    /* the group refers to the same id */
    char ref[64];
    snprintf(ref, sizeof ref, "url(#clip%s)", id ? id : "?");
    if (id && !strstr(text, ref)) {
        free(id);
        id = NULL;
    }
    free(text);
    return id;
}

static void *draw_charts(void *arg)
{
    id_run *run = arg;
    for (int i = 0; i < ID_CHARTS; i++) {
        char *id = one_chart_id();
        if (id)
            run->ids[run->n++] = (unsigned)strtoul(id, NULL, 10);
        free(id);
    }
    return NULL;
}

static int cmp_uint(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

static int test_svg_ids_threads(void)
{
    pthread_t th[ID_THREADS];
    static id_run runs[ID_THREADS];
    for (int t = 0; t < ID_THREADS; t++)
        CHECK(pthread_create(&th[t], NULL, draw_charts, &runs[t]) == 0);
    for (int t = 0; t < ID_THREADS; t++)
        pthread_join(th[t], NULL);
    static unsigned ids[ID_THREADS * ID_CHARTS];
    size_t n = 0;
    for (int t = 0; t < ID_THREADS; t++) {
        CHECK(runs[t].n == ID_CHARTS);
        for (int i = 0; i < runs[t].n; i++)
            ids[n++] = runs[t].ids[i];
    }
    qsort(ids, n, sizeof ids[0], cmp_uint);
    for (size_t i = 1; i < n; i++)
        if (ids[i] == ids[i - 1]) {
            fprintf(stderr, "two charts have the clip-path id clip%u\n", ids[i]);
            return 1;
        }
    return 0;
}

static void *scoped_charts(void *arg)
{
    char **ids = arg;
    svg_id_scope("p2");
    for (int i = 0; i < 3; i++)
        ids[i] = one_chart_id();
    svg_id_scope(NULL);
    return NULL;
}

/* A thread in an id scope (the report's plugin sections, written by two threads) numbers
 * its charts itself, from 1, whatever other threads draw meanwhile; out of the scope the
 * process-wide counter goes on. */
static int test_svg_id_scope(void)
{
    char *before = one_chart_id(), *theirs[3] = {NULL, NULL, NULL}, *mine[3];
    CHECK(before && isdigit((unsigned char)before[0]));
    pthread_t th;
    CHECK(pthread_create(&th, NULL, scoped_charts, theirs) == 0);
    svg_id_scope("p1");
    for (int i = 0; i < 3; i++)
        mine[i] = one_chart_id();
    svg_id_scope(NULL);
    pthread_join(th, NULL);
    char *after = one_chart_id();
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        char want[16];
        snprintf(want, sizeof want, "p1-%d", i + 1);
        if (!mine[i] || strcmp(mine[i], want) != 0)
            rc = 1;
        snprintf(want, sizeof want, "p2-%d", i + 1);
        if (!theirs[i] || strcmp(theirs[i], want) != 0)
            rc = 1;
    }
    /* out of the scope: the counter, one past the chart before */
    if (!after || strtoul(after, NULL, 10) != strtoul(before, NULL, 10) + 1)
        rc = 1;
    if (rc)
        fprintf(stderr, "ids: before %s, scope p1 %s %s %s, scope p2 %s %s %s, after %s\n",
                before, mine[0], mine[1], mine[2], theirs[0], theirs[1], theirs[2], after);
    for (int i = 0; i < 3; i++) {
        free(mine[i]);
        free(theirs[i]);
    }
    free(before);
    free(after);
    return rc;
}

/* ---- schema version 2 ----------------------------------------------------------- */

static char tdir[512];

static const char *tpath(const char *name)
{
    static char buf[1100];
    snprintf(buf, sizeof buf, "%s/%s", tdir, name);
    return buf;
}

static cJSON *mkdoc(const char *uuid, const char *status, const char *timeline)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"result_version\":1,\"uuid\":\"%s\",\"plugin\":\"hpl\",\"status\":\"%s\","
             "\"started_at\":\"2026-11-21T10:00:00Z\",\"host\":\"node01\",\"ranks\":1,"
             "\"threads\":1,\"params\":{\"NB\":{\"value\":\"192\",\"type\":\"int\"}},"
             "\"metrics\":{\"gflops\":{\"value\":50,\"unit\":\"GFLOP/s\",\"better\":\"higher\"}}"
             "%s%s}",
             uuid, status, timeline ? ",\"timeline\":" : "", timeline ? timeline : "");
    return cJSON_Parse(text);
}

static int64_t one_int(store *s, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A database of schema version 1, with a run in it, is migrated in place. */
static int test_migrate_v1(void)
{
    char err[512];
    size_t n;
    const store_migration *steps = store_migrations(&n);
    CHECK(n >= 2 && n == STORE_SCHEMA_VERSION);
    store *s;
    CHECK(store_open_with(tpath("v1.db"), STORE_CREATE, steps, 1, &s, err, sizeof err) == 0);
    CHECK(store_schema_version(s) == 1);
    /* a run as version 1 stored it (ingest writes the newest schema) */
    CHECK(sqlite3_exec(store_db(s),
                       "INSERT INTO runs(id, uuid, plugin, status, params_json) VALUES"
                       " (1, 'u1', 'hpl', 'ok', '{\"NB\":192}');"
                       "INSERT INTO metrics(run_id, name, seq, value, unit, better) VALUES"
                       " (1, 'gflops', 0, 50, 'GFLOP/s', 'higher')",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(one_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'timeline'") == 0);
    store_close(s);

    /* migrated to version 2 exactly (later versions have their own tests) */
    CHECK(store_open_with(tpath("v1.db"), STORE_READONLY, steps, 2, &s, err, sizeof err) == 0);
    CHECK(store_schema_version(s) == 2);
    CHECK(one_int(s, "PRAGMA user_version") == 2);
    CHECK(one_int(s, "SELECT count(*) FROM results WHERE metric = 'gflops' AND value = 50") == 1);
    CHECK(one_int(s, "SELECT count(*) FROM sqlite_schema WHERE name IN ('timeline', "
                     "'timeline_view', 'runs_config')") == 3);
    CHECK(one_int(s, "SELECT count(*) FROM pragma_table_info('baselines') WHERE name IN "
                     "('host_class', 'ranks', 'threads', 'spread', 'n')") == 5);
    /* the views of version 1 are unchanged */
    CHECK(one_int(s, "SELECT count(*) FROM pragma_table_info('results')") == 12);
    CHECK(one_int(s, "SELECT count(*) FROM pragma_table_info('timeline_view')") == 7);
    /* a baseline per host class: the new unique key */
    CHECK(sqlite3_exec(store_db(s),
                       "INSERT INTO baselines(name, plugin, metric, value, created_at, host_class)"
                       " VALUES ('b', 'hpl', 'gflops', 1, 'x', 'EPYC'), "
                       "('b', 'hpl', 'gflops', 1, 'x', 'Xeon')",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(store_db(s),
                       "INSERT INTO baselines(name, plugin, metric, value, created_at, host_class)"
                       " VALUES ('b', 'hpl', 'gflops', 2, 'x', 'EPYC')",
                       NULL, NULL, NULL) != SQLITE_OK);
    store_close(s);
    return 0;
}

static int test_timeline_ingest(void)
{
    char err[512];
    store *s;
    int64_t id;
    CHECK(store_open(tpath("t.db"), STORE_CREATE, &s, err, sizeof err) == 0);
    cJSON *d = mkdoc("t1", "ok", "[[0,10.5,null],[0.25,20,99.5],[0.5,30.25,180]]");
    CHECK(store_ingest(s, d, &id, err, sizeof err) == 0);
    cJSON_Delete(d);
    CHECK(one_int(s, "SELECT count(*) FROM timeline_view WHERE run_id = 1") == 3);
    CHECK(one_int(s, "SELECT count(*) FROM timeline WHERE cpu_percent IS NULL AND seq = 0") == 1);
    CHECK(one_int(s, "SELECT max(rss_mib) * 100 FROM timeline") == 3025);
    /* version 4: the per-node timelines and the headline mark, on a fresh database */
    CHECK(one_int(s, "SELECT count(*) FROM sqlite_schema WHERE name IN ('timeline_nodes', "
                     "'timeline_nodes_view')") == 2);
    CHECK(one_int(s, "SELECT count(*) FROM pragma_table_info('metrics') WHERE name = "
                     "'headline'") == 1);
    CHECK(one_int(s, "SELECT count(*) FROM metrics WHERE headline IS NOT NULL") == 0);
    /* malformed timelines are refused before anything is written */
    static const char *const bad[] = {"{}", "[[0,1]]", "[[\"a\",1,2]]", "[5]", NULL};
    for (int i = 0; bad[i]; i++) {
        char uuid[16];
        snprintf(uuid, sizeof uuid, "bad%d", i);
        d = mkdoc(uuid, "ok", bad[i]);
        CHECK(d);
        err[0] = '\0';
        CHECK(store_ingest(s, d, &id, err, sizeof err) == BX_EINVAL);
        CHECK(strstr(err, "timeline"));
        cJSON_Delete(d);
    }
    CHECK(one_int(s, "SELECT count(*) FROM runs") == 1);
    /* a queued run's result replaces it, timeline included; deleting the run deletes it */
    d = mkdoc("q1", "queued", NULL);
    CHECK(store_ingest(s, d, &id, err, sizeof err) == 0);
    cJSON_Delete(d);
    d = mkdoc("q1", "ok", "[[0,1,null],[1,2,3]]");
    int64_t id2;
    CHECK(store_ingest(s, d, &id2, err, sizeof err) == 0 && id2 == id);
    cJSON_Delete(d);
    CHECK(one_int(s, "SELECT count(*) FROM timeline WHERE run_id = 2") == 2);
    CHECK(sqlite3_exec(store_db(s), "DELETE FROM runs WHERE id = 2", NULL, NULL, NULL) ==
          SQLITE_OK);
    CHECK(one_int(s, "SELECT count(*) FROM timeline WHERE run_id = 2") == 0);
    store_close(s);
    return 0;
}

/* A steady level of 100 with a deterministic wiggle of at most +-0.9. */
static double wiggle(int i) { return 100 + ((i * 7919) % 13 - 6) * 0.15; }

/* Fails when the change point starts 2 runs late (r->start += 2 after locate() in
   cp_analyze), or when a lone outlier is made a shift. */
static int test_cp_step(void)
{
    /* 25 runs at 100, then 5 at 90: the shift starts at run 25 (+-1), -10 % within its interval */
    double x[30];
    for (int i = 0; i < 30; i++)
        x[i] = wiggle(i) * (i >= 25 ? 0.9 : 1.0);
    cp_opts o;
    cp_defaults(&o);
    cp_result r;
    CHECK(cp_analyze(x, 30, &o, &r) == 0);
    CHECK(r.shift && r.regression && r.worse && !r.outlier);
    CHECK(r.start >= 24 && r.start <= 26);
    CHECK(r.p < o.alpha);
    CHECK(r.change_lo <= -10 && r.change_hi >= -10 && NEAR(r.change, -10, 1));
    CHECK(NEAR(r.before, 100, 1) && NEAR(r.after, 90, 1));
    /* four runs of a new level are enough after 25; two are not a level */
    CHECK(cp_analyze(x, 29, &o, &r) == 0 && r.regression && r.start == 25);
    CHECK(cp_analyze(x, 27, &o, &r) == 0 && !r.shift && !r.regression);
    /* the same shift for a lower-is-better metric is an improvement */
    o.dir = -1;
    CHECK(cp_analyze(x, 30, &o, &r) == 0 && r.shift && !r.worse && !r.regression);
    /* the same verdict every time (fixed permutations) */
    o.dir = 1;
    cp_result r2;
    CHECK(cp_analyze(x, 30, &o, &r2) == 0 && r2.p == r.p);
    /* an older step, 15 runs before the newest, is still found where it began */
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = wiggle(i) * (i >= 25 ? 0.95 : 1.0);
    CHECK(cp_analyze(y, 40, &o, &r) == 0 && r.regression && r.start >= 24 && r.start <= 26);
    return 0;
}

/* Fails when a lone wild run is never an outlier (r->outlier always 0 in cp_analyze), or
   when it is made a shift. */
static int test_cp_outlier(void)
{
    /* one wild run is an outlier, not a level: no shift, no regression */
    double x[30];
    for (int i = 0; i < 30; i++)
        x[i] = wiggle(i);
    x[29] = 60;
    cp_opts o;
    cp_defaults(&o);
    cp_result r;
    CHECK(cp_analyze(x, 30, &o, &r) == 0);
    CHECK(!r.shift && !r.regression && r.outlier);
    /* one earlier wild run does not make a level either */
    x[29] = wiggle(29);
    x[27] = 60;
    CHECK(cp_analyze(x, 30, &o, &r) == 0 && !r.shift && !r.regression && !r.outlier);
    /* nor does a steady series */
    x[27] = wiggle(27);
    CHECK(cp_analyze(x, 30, &o, &r) == 0 && !r.shift && !r.outlier);
    CHECK(r.spread > 0 && r.spread < 0.01 && r.detectable > 0);
    return 0;
}

/* Fails when the floor is ignored (r->regression without fabs(change) >= min_change), or
   when the change point starts 2 runs late (r->start += 2). */
static int test_cp_floor(void)
{
    /* a real but small shift (-1 %, tiny noise) is significant but under the 2 % floor */
    double x[30];
    for (int i = 0; i < 30; i++)
        x[i] = (100 + ((i * 7919) % 13 - 6) * 0.01) * (i >= 24 ? 0.99 : 1.0);
    cp_opts o;
    cp_defaults(&o);
    cp_result r;
    CHECK(cp_analyze(x, 30, &o, &r) == 0);
    CHECK(r.shift && r.worse && !r.regression && r.start == 24);
    o.min_change = 0.005;
    CHECK(cp_analyze(x, 30, &o, &r) == 0 && r.regression);
    /* too short to judge */
    CHECK(cp_analyze(x, 7, &o, &r) == BX_EINVAL && !r.shift);
    /* today's band: median 3, 3 scaled MADs, at least 1 % */
    double s[] = {1, 2, 3, 4, 100}, med, band;
    cp_band(s, 5, 3, 0.01, &med, &band);
    CHECK(med == 3 && NEAR(band, 3 * 1.4826, 1e-9));
    double f[] = {100, 100, 100};
    cp_band(f, 3, 3, 0.01, &med, &band);
    CHECK(med == 100 && NEAR(band, 1, 1e-12));
    return 0;
}

/* X(LIBRARY, FILE, NAME): test_NAME tests core/LIBRARY/FILE.c (the sdk: sdk/src/FILE.c);
 * its ctest is LIBRARY.FILE.NAME, less a leading "FILE_" of NAME (tests/CMakeLists.txt,
 * bx_table_tests). */
#define TESTS(X) \
    X(results, stats, stats_percentiles) \
    X(results, stats, stats_mann_whitney) \
    X(results, svg, svg_numbers) \
    X(results, svg, svg_chart) \
    X(results, svg, svg_ids_threads) \
    X(results, svg, svg_id_scope) \
    X(store, schema, migrate_v1) \
    X(store, ingest, timeline_ingest) \
    X(results, changepoint, cp_step) \
    X(results, changepoint, cp_outlier) \
    X(results, changepoint, cp_floor)

BX_TEST_TABLE(TESTS)

/* each test in a temporary folder of its own, removed after it, passed or not (nothing
   left in TMPDIR: scripts/test.sh checks); BENCHAAS_TEST_KEEP set keeps a failed test's */
static int run_in_tdir(const struct bx_test *t)
{
    snprintf(tdir, sizeof tdir, "%s/benchaas-results.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tdir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = t->fn();
    const char *keep = getenv("BENCHAAS_TEST_KEEP");
    if (rc != 0 && keep && *keep) {
        fprintf(stderr, "FAILED: %s (files kept in %s)\n", t->name, tdir);
        return rc;
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
    if (system(cmd) != 0)
        fprintf(stderr, "results_tests: could not remove %s\n", tdir);
    return rc;
}

int main(int argc, char **argv)
{
    return bx_test_main(argc, argv, bx_tests, BX_NTESTS, run_in_tdir);
}
