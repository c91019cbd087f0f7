/*
 * test_api.c — the result functions a second front-end (a server) calls,
 * without the command line: select runs, group statistics, compare, check
 * and render the HTML report, each into a FILE* of the caller.  Nothing may
 * reach stdout.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggregate.h"
#include "check.h"
#include "common.h"
#include "compare.h"
#include "query.h"
#include "report.h"

/* stdout goes to a file while a test runs; stdout_written() tells whether anything reached it. */
static int saved_stdout = -1;

static int stdout_capture(void)
{
    fflush(stdout);
    saved_stdout = dup(STDOUT_FILENO);
    int fd = open(tpath("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (saved_stdout < 0 || fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
        return -1;
    close(fd);
    return 0;
}

static long stdout_written(void)
{
    struct stat st;
    fflush(stdout);
    dup2(saved_stdout, STDOUT_FILENO);
    close(saved_stdout);
    return stat(tpath("stdout"), &st) == 0 ? (long)st.st_size : -1;
}

/*
 * hpl runs on node01: NB=128 six times at about 100 GFLOP/s (tag "before"),
 * then (tag "after") NB=192 twice at 110 and 111, NB=128 three times at 62,
 * 63 and 64 (a regression) and one failed run of NB=256.  Returns the open
 * store or NULL.
 */
static store *api_db(void)
{
    store *s = open_db("api.db");
    if (!s)
        return NULL;
    static const double before[] = {100, 101, 99, 100.5, 99.5, 100.2};
    char uuid[64], when[32];
    int n = 0;
    for (int i = 0; i < 6; i++, n++) {
        snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", n);
        snprintf(when, sizeof when, "2026-11-%02dT10:00:00Z", 1 + n);
        cJSON *d = doc_new(uuid, "hpl", "ok");
        doc_str(d, "started_at", when);
        doc_param(d, "NB", "128", "int");
        doc_metric(d, "gflops", before[i], "GFLOP/s", "higher");
        doc_tag(d, "before");
        int64_t id = ingest(s, d);
        cJSON_Delete(d);
        if (id < 0)
            goto fail;
    }
    for (int i = 0; i < 6; i++, n++) {
        snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", n);
        snprintf(when, sizeof when, "2026-11-%02dT10:00:00Z", 1 + n);
        cJSON *d = doc_new(uuid, "hpl", i == 5 ? "failed" : "ok");
        doc_str(d, "started_at", when);
        doc_param(d, "NB", i < 2 ? "192" : i < 5 ? "128" : "256", "int");
        if (i == 5)
            doc_str(d, "error", "residual too large");
        else
            doc_metric(d, "gflops", i < 2 ? 110 + i : 60 + i, "GFLOP/s", "higher");
        doc_tag(d, "after");
        int64_t id = ingest(s, d);
        cJSON_Delete(d);
        if (id < 0)
            goto fail;
    }
    return s;
fail:
    store_close(s);
    return NULL;
}

/* A filter as the front-ends build it: options, then qfilter_finish(). */
static int api_filter(qfilter *f, const char *db, const char *const *opts)
{
    memset(f, 0, sizeof *f);
    f->cmd = "api";
    for (size_t i = 0; opts && opts[i]; i += 2)
        if (qfilter_option(f, opts[i], opts[i + 1]) != 0)
            return -1;
    if (qfilter_option(f, "--db", db) != 0)
        return -1;
    qfilter_finish(f);
    return 0;
}

int test_api_select_runs(void)
{
    store *s = api_db();
    CHECK(s);
    CHECK(stdout_capture() == 0);
    qfilter f;
    CHECK(api_filter(&f, tpath("api.db"), (const char *const[]){"--status", "ok", "--param",
                                                                 "NB=128", NULL}) == 0);
    int64_t *ids = NULL;
    size_t n = 0;
    CHECK(qfilter_select_ids(s, &f, &ids, &n) == 0);
    CHECK(n == 9); /* six before, three after; not the NB=192 ones, not the failed one */
    for (size_t i = 1; i < n; i++)
        CHECK(ids[i] > ids[i - 1]); /* oldest first */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    size_t printed = 0;
    CHECK(query_print_runs(s, &f, "jsonl", out, &printed) == 0);
    fclose(out);
    CHECK(printed == 9);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    CHECK(lines == 9);
    cJSON *first = cJSON_Parse(buf); /* the first line */
    CHECK(first);
    CHECK(cJSON_GetObjectItem(first, "id")->valuedouble == (double)ids[0]);
    cJSON_Delete(first);
    free(buf);
    free(ids);
    qfilter_free(&f);
    store_close(s);
    CHECK(stdout_written() == 0);
    return 0;
}

int test_api_aggregate(void)
{
    store *s = api_db();
    CHECK(s);
    CHECK(stdout_capture() == 0);
    qfilter f;
    qgroup g;
    memset(&g, 0, sizeof g);
    CHECK(api_filter(&f, tpath("api.db"), (const char *const[]){"--status", "ok", NULL}) == 0);
    CHECK(qgroup_option(&g, &f, "--group-by", "NB") == 0);
    CHECK(qgroup_option(&g, &f, "--stat", "count,median") == 0);
    CHECK(qgroup_active(&g));
    CHECK(qgroup_resolve(&g, s, &f) == 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CHECK(query_grouped(s, &f, &g, "json", out) == 0);
    fclose(out);
    cJSON *doc = cJSON_Parse(buf);
    CHECKM(doc, buf);
    cJSON *groups = cJSON_GetObjectItem(doc, "groups");
    CHECKM(cJSON_GetArraySize(groups) == 2, buf); /* NB=128 and NB=192 */
    int seen = 0;
    cJSON *grp;
    cJSON_ArrayForEach(grp, groups)
    {
        char *t = cJSON_PrintUnformatted(grp);
        if (strstr(t, "\"count\":9"))
            seen |= 1; /* NB=128: 6 + 3 ok runs */
        if (strstr(t, "\"count\":2") && strstr(t, "\"median\":110.5"))
            seen |= 2;
        free(t);
    }
    CHECKM(seen == 3, buf);
    cJSON_Delete(doc);
    free(buf);
    qgroup_free(&g);
    qfilter_free(&f);
    store_close(s);
    CHECK(stdout_written() == 0);
    return 0;
}

int test_api_compare(void)
{
    store *s = api_db();
    CHECK(s);
    CHECK(stdout_capture() == 0);
    qfilter common, fa, fb;
    CHECK(api_filter(&common, tpath("api.db"),
                     (const char *const[]){"--status", "ok", "--param", "NB=128", NULL}) == 0);
    CHECK(qfilter_copy(&fa, &common) == 0 && qfilter_copy(&fb, &common) == 0);
    const char *sel[2] = {"tag:before", "tag:after"};
    CHECK(analyze_selector(&fa, sel[0]) == 0 && analyze_selector(&fb, sel[1]) == 0);
    compare_opts o = {0.05, 0, 0};
    compare_result r;
    char err[512];
    CHECKM(compare_run(s, &common, &fa, &fb, sel, &o, &r, err, sizeof err) == 0, err);
    CHECK(r.nrows == 1);
    CHECK(strcmp(r.rows[0].a->metric, "gflops") == 0);
    CHECK(r.rows[0].med_a > 99 && r.rows[0].med_a < 101 && r.rows[0].med_b == 63);
    CHECK(r.rows[0].direction < 0); /* lower GFLOP/s: worse */
    CHECK(r.rows[0].noise == 1);    /* 6 against 3 clearly separated values: p < 0.05 */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CHECK(compare_render_json(&r, sel[0], sel[1], o.alpha, out) == 0);
    fclose(out);
    cJSON *doc = cJSON_Parse(buf);
    CHECKM(doc, buf);
    cJSON_Delete(doc);
    free(buf);
    compare_result_free(&r);
    /* a side without runs is an error in err, not a message on stdout */
    qfilter none;
    CHECK(qfilter_copy(&none, &common) == 0 && analyze_selector(&none, "tag:nosuch") == 0);
    const char *sel2[2] = {"tag:before", "tag:nosuch"};
    CHECK(compare_run(s, &common, &fa, &none, sel2, &o, &r, err, sizeof err) < 0);
    CHECKM(strstr(err, "B ('tag:nosuch') selects no run"), err);
    compare_result_free(&r);
    qfilter_free(&none);
    qfilter_free(&fa);
    qfilter_free(&fb);
    qfilter_free(&common);
    store_close(s);
    CHECK(stdout_written() == 0);
    return 0;
}

int test_api_check(void)
{
    store *s = api_db();
    CHECK(s);
    CHECK(stdout_capture() == 0);
    qfilter f;
    CHECK(api_filter(&f, tpath("api.db"), NULL) == 0);
    f.latest = 1; /* check's default: the newest run of each configuration and host */
    /* fail_outliers: the one run at 62 is a lone drop, not a level (yet) */
    check_opts o = {NULL, 20, 5, SCOPE_CLASS, 3.0, 0.01, {.pct = 2}, 1};
    check_report r;
    char err[512];
    CHECKM(check_run(s, &f, &o, 1, &r, err, sizeof err) == 0, err);
    CHECK(r.nrows == 2);       /* NB=128 and NB=192, each the newest run */
    CHECK(r.regressions == 1); /* NB=128 at 62 against a history around 100 */
    CHECK(r.noref == 1);       /* NB=192 has one earlier run: too little history */
    CHECK(r.nfails == 1);      /* the failed run */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    check_render_json(&r, out);
    fclose(out);
    cJSON *doc = cJSON_Parse(buf);
    CHECKM(doc, buf);
    cJSON *sum = cJSON_GetObjectItem(doc, "summary");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(sum, "passed")));
    CHECK(cJSON_GetObjectItem(sum, "regressions")->valuedouble == 1);
    cJSON_Delete(doc);
    free(buf);
    buf = NULL;
    out = open_memstream(&buf, &len);
    CHECK(check_render_table(&r, out) == 0);
    fclose(out);
    CHECKM(strstr(buf, "REGRESSION") && strstr(buf, "FAILED: 2 values checked, 1 regression"),
           buf);
    free(buf);
    check_report_free(&r);
    /* an unknown baseline set is an error in err */
    o.baseline = "nosuch";
    CHECK(check_run(s, &f, &o, 1, &r, err, sizeof err) < 0);
    CHECKM(strstr(err, "no baseline named 'nosuch'"), err);
    check_report_free(&r);
    qfilter_free(&f);
    store_close(s);
    CHECK(stdout_written() == 0);
    return 0;
}

int test_api_report(void)
{
    store *s = api_db();
    CHECK(s);
    CHECK(stdout_capture() == 0);
    qfilter f;
    CHECK(api_filter(&f, tpath("api.db"), NULL) == 0);
    report_opts o = {"API report", 50, 2, 4, "api"};
    char *buf = NULL, err[512];
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CHECKM(report_render_html(out, s, &f, &o, err, sizeof err) == 0, err);
    fclose(out);
    CHECK(len > 1000);
    CHECK(strncmp(buf, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(buf, "API report") && strstr(buf, "<svg") && strstr(buf, "</html>"));
    CHECK(strstr(buf, "residual too large")); /* the failed run is listed */
    free(buf);
    qfilter_free(&f);
    store_close(s);
    CHECK(stdout_written() == 0);
    return 0;
}
