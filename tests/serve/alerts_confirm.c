/*
 * alerts_confirm.c — `serve_alerts NAME`: unit tests of the confirmation rule and the
 * severities of core/serve/alerts.c, each a ctest serve.alerts.NAME (the TESTS table
 * below).  The check documents are written here, fixed: no run, no clock.
 *
 *   alerts_confirm_new_level   a confirmation at the new level confirms a change-point
 *                              regression and a band one, and names the confirmation run;
 *                              fails when alerts_holds never holds, or when the
 *                              confirmation's value is not read from its document.
 *   alerts_confirm_old_level   the audit's probe: a -10 % band regression confirmed at
 *                              98.7 (-1.3 %, near the old level) does not hold, nor does a
 *                              value nearer the old level beyond the band, nor one nearer
 *                              the new level but under the 2 % floor of a change point;
 *                              fails when any worse-side value beyond the band confirms
 *                              (the rule of 8bf7b00), when the nearer-the-new-level test
 *                              is dropped, or when the floor is ignored.
 *   alerts_confirm_same_second the confirmation judged the same whether its own check
 *                              saw the flagged run (started a second earlier: 7 runs, the
 *                              change-point search, an outlier) or not (the same second: 6
 *                              runs, the band, a REGRESSION): fails when the confirmation's
 *                              own verdict decides (a worse-side outlier confirming, or a
 *                              REGRESSION on the new level).
 *   alerts_confirm_other_run   the regression held to is the flagged run's, not another
 *                              run's of the same document (-30 %), and a confirmation of
 *                              another metric is nothing to judge (-1); fails when
 *                              alerts_judge_confirmation ignores the run or the metric.
 *   alerts_severity            minor under 5 %, major under 10 %, critical from 10 % and
 *                              without a size; fails when critical is made major, or a
 *                              bound moves.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alerts.h"
#include "bx_test.h"

/* One row of a check document of plugin trivial, metric rate (higher is better). */
static void row(char *buf, size_t len, const char *metric, long run, double value, double ref,
                double lo, const char *verdict, const char *cp)
{
    snprintf(buf, len,
             "{\"plugin\": \"trivial\", \"config\": \"noise=0\", \"metric\": \"%s\", "
             "\"better\": \"higher\", \"run_id\": %ld, \"value\": %.17g, \"reference\": %.17g, "
             "\"lower_limit\": %.17g, \"upper_limit\": null, \"change_percent\": %.17g, "
             "\"verdict\": \"%s\", \"change_point\": %s}",
             metric, run, value, ref, lo, (value - ref) / ref * 100, verdict, cp);
}

static cJSON *doc1(const char *r1, const char *r2)
{
    char *t = NULL;
    if (asprintf(&t, "{\"checks\": [%s%s%s]}", r1, r2 ? ", " : "", r2 ? r2 : "") < 0)
        return NULL;
    cJSON *d = cJSON_Parse(t);
    free(t);
    return d;
}

/* The flagged run 40: a -10 % regression, by the band (cp NULL) or a change point. */
static cJSON *flagged(int with_cp)
{
    char r[1024];
    row(r, sizeof r, "rate", 40, 90, 100, 99, "REGRESSION",
        with_cp ? "{\"first_run\": 38, \"first_started_at\": \"2026-12-01T00:00:38Z\", "
                  "\"before\": 100, \"after\": 90.2, \"change_pct\": -9.8}"
                : "null");
    return doc1(r, NULL);
}

/* The confirmation run 41 at value v, as its own check judged it. */
static cJSON *confirmation(double v, const char *verdict, double ref, const char *cp)
{
    char r[1024];
    row(r, sizeof r, "rate", 41, v, ref, ref * 0.99, verdict, cp);
    return doc1(r, NULL);
}

static int judged(int with_cp, double v, const char *verdict, double ref, const char *cp,
                  alerts_confirm *c)
{
    cJSON *o = flagged(with_cp), *k = confirmation(v, verdict, ref, cp);
    int h = alerts_judge_confirmation(o, 40, k, c);
    cJSON_Delete(o);
    cJSON_Delete(k);
    return h;
}

int test_alerts_confirm_new_level(void)
{
    alerts_confirm c;
    for (int with_cp = 0; with_cp <= 1; with_cp++) {
        CHECK(judged(with_cp, 90.5, "ok", 90.4, "null", &c) == 1);
        CHECK(c.run == 41 && c.value == 90.5 && c.old_level == 100);
        CHECK(c.new_level == (with_cp ? 90.2 : 90) && c.lo == 99 && isinf(c.hi));
        CHECK(c.floor_pct == (with_cp ? 2 : 0) && c.worse == -1);
        CHECK(judged(with_cp, 85, "REGRESSION", 100, "null", &c) == 1); /* worse still */
    }
    return 0;
}

int test_alerts_confirm_old_level(void)
{
    alerts_confirm c;
    for (int with_cp = 0; with_cp <= 1; with_cp++) {
        /* the audit's probe: its own check calls it an outlier beyond its band */
        CHECK(judged(with_cp, 98.7, "outlier", 100, "null", &c) == 0);
        CHECK(judged(with_cp, 96, "outlier", 100, "null", &c) == 0); /* nearer the old */
        CHECK(judged(with_cp, 100.5, "ok", 100, "null", &c) == 0);   /* back, better side */
    }
    /* nearer the new level (-3 %) and beyond the band, but under the change point's floor */
    alerts_confirm s = {.old_level = 100, .new_level = 97, .lo = 99.2, .hi = INFINITY,
                        .floor_pct = 2, .worse = -1, .value = 98.4};
    CHECK(!alerts_holds(&s));
    s.value = 97.9; /* -2.1 %: beyond the floor, nearer the new level */
    CHECK(alerts_holds(&s));
    s.floor_pct = 0; /* judged by the band alone: the band decides */
    s.value = 98.4;
    CHECK(alerts_holds(&s));
    s.value = 99.5; /* inside the band */
    CHECK(!alerts_holds(&s));
    return 0;
}

int test_alerts_confirm_same_second(void)
{
    /* a second apart: 7 runs, the change-point search, two runs at the new level an outlier
       (h1); the same second: 6 runs, the band of the old level, a REGRESSION (h2), or a
       change point of its own (h3) */
    static const double values[] = {90.5, 98.7, 96, 89};
    static const int want[] = {1, 0, 0, 1};
    for (int with_cp = 0; with_cp <= 1; with_cp++)
        for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
            alerts_confirm a, b, d;
            int h1 = judged(with_cp, values[i], "outlier", 98.6, "null", &a);
            int h2 = judged(with_cp, values[i], "REGRESSION", 100, "null", &b);
            int h3 = judged(with_cp, values[i], "REGRESSION", 100,
                            "{\"first_run\": 40, \"first_started_at\": \"x\", \"before\": 100, "
                            "\"after\": 90, \"change_pct\": -10}",
                            &d);
            CHECK(h1 == want[i] && h2 == want[i] && h3 == want[i]);
        }
    return 0;
}

int test_alerts_confirm_other_run(void)
{
    char r1[1024], r2[1024];
    /* run 39 of the same document: a -30 % regression; run 40, the flagged one: -10 % */
    row(r1, sizeof r1, "rate", 39, 70, 100, 99, "REGRESSION", "null");
    row(r2, sizeof r2, "rate", 40, 90, 100, 99, "REGRESSION", "null");
    cJSON *o = doc1(r1, r2);
    cJSON *k = confirmation(90.5, "ok", 90, "null");
    alerts_confirm c;
    /* held to run 39's level (70), 90.5 would be nearer the old level */
    CHECK(alerts_judge_confirmation(o, 40, k, &c) == 1 && c.new_level == 90);
    cJSON_Delete(k);
    row(r1, sizeof r1, "latency", 41, 90.5, 90, 89, "ok", "null");
    k = doc1(r1, NULL);
    CHECK(alerts_judge_confirmation(o, 40, k, &c) == -1); /* another metric */
    CHECK(alerts_judge_confirmation(o, 77, k, &c) == -1); /* no regression of run 77 */
    cJSON_Delete(k);
    cJSON_Delete(o);
    return 0;
}

int test_alerts_severity(void)
{
    CHECK(strcmp(alerts_severity(-1.3), "minor") == 0);
    CHECK(strcmp(alerts_severity(-4.99), "minor") == 0);
    CHECK(strcmp(alerts_severity(4.99), "minor") == 0);
    CHECK(strcmp(alerts_severity(-5), "major") == 0);
    CHECK(strcmp(alerts_severity(-9.99), "major") == 0);
    CHECK(strcmp(alerts_severity(-10), "critical") == 0);
    CHECK(strcmp(alerts_severity(-50), "critical") == 0);
    CHECK(strcmp(alerts_severity(12), "critical") == 0);
    CHECK(strcmp(alerts_severity(NAN), "critical") == 0);
    return 0;
}

#define TESTS(X) \
    X(serve, alerts, alerts_confirm_new_level) \
    X(serve, alerts, alerts_confirm_old_level) \
    X(serve, alerts, alerts_confirm_same_second) \
    X(serve, alerts, alerts_confirm_other_run) \
    X(serve, alerts, alerts_severity)

BX_TEST_TABLE(TESTS)

int main(int argc, char **argv)
{
    return bx_test_main(argc, argv, bx_tests, BX_NTESTS, NULL);
}
