/*
 * test_query.c — `benchaas query`: filters, the three formats (the JSON
 * document exactly as docs/cli.md shows it), bad input, and the printers the
 * `run` command uses.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "benchaas/plugin.h"
#include "common.h"
#include "query.h"

/*
 * The fixture: six runs with ids 1..6.
 *   1 stream ok      node01 2025-03-20T08:00:00Z array_size=80000000 nt_stores=false [acceptance]
 *   2 stream ok      node02 2025-03-21T09:30:00Z array_size=131072 (128k) nt_stores=true [nightly]
 *   3 hpl    ok      node01 2025-03-21T10:00:00Z N=4000 NB=192 pfact=Crout job 4242 [acceptance,nightly]
 *   4 hpl    failed  node01 2025-03-22T00:00:00Z N=4000 NB=256 pfact=Left  "residual too large"
 *   5 hpl    crashed node02 an hour ago          N=4000 NB=128 no metrics, "killed by signal 11"
 *   6 ior    queued  (not started)
 */
static int make_fixture(const char *name)
{
    store *s = open_db(name);
    CHECK(s);
    cJSON *d;

    d = doc_new("run-1", "stream", "ok");
    doc_str(d, "started_at", "2025-03-20T08:00:00Z");
    doc_param(d, "array_size", "80000000", "size");
    doc_param(d, "ntimes", "10", "int");
    doc_param(d, "nt_stores", "false", "bool");
    doc_metric(d, "triad", 41857.4, "MB/s", "higher");
    doc_metric(d, "copy", 40000.5, "MB/s", "higher");
    doc_tag(d, "acceptance");
    cJSON_ReplaceItemInObject(d, "threads", cJSON_CreateNumber(2));
    CHECK(ingest(s, d) == 1);
    cJSON_Delete(d);

    d = doc_new("run-2", "stream", "ok");
    doc_str(d, "started_at", "2025-03-21T09:30:00Z");
    doc_str(d, "host", "node02");
    doc_param(d, "array_size", "131072", "size");
    doc_param(d, "ntimes", "10", "int");
    doc_param(d, "nt_stores", "true", "bool");
    doc_metric(d, "triad", 30000, "MB/s", "higher");
    doc_metric(d, "copy", 29000.25, "MB/s", "higher");
    doc_tag(d, "nightly");
    CHECK(ingest(s, d) == 2);
    cJSON_Delete(d);

    d = doc_new("run-3", "hpl", "ok");
    doc_str(d, "started_at", "2025-03-21T10:00:00Z");
    cJSON_ReplaceItemInObject(d, "job_id", cJSON_CreateNumber(4242));
    cJSON_ReplaceItemInObject(d, "ranks", cJSON_CreateNumber(2));
    doc_param(d, "N", "4000", "int");
    doc_param(d, "NB", "192", "int");
    doc_param(d, "pfact", "Crout", "enum");
    doc_param(d, "threshold", "16", "double");
    doc_metric(d, "gflops", 12.5, "GFLOP/s", "higher");
    doc_metric(d, "time", 3.2, "s", "lower");
    doc_metric(d, "passed", 1, "", "none");
    doc_tag(d, "acceptance");
    doc_tag(d, "nightly");
    CHECK(ingest(s, d) == 3);
    cJSON_Delete(d);

    d = doc_new("run-4", "hpl", "failed");
    doc_str(d, "started_at", "2025-03-22T00:00:00Z");
    doc_str(d, "error", "residual too large");
    doc_param(d, "N", "4000", "int");
    doc_param(d, "NB", "256", "int");
    doc_param(d, "pfact", "Left", "enum");
    doc_param(d, "threshold", "16", "double");
    doc_metric(d, "gflops", 11, "GFLOP/s", "higher");
    doc_metric(d, "passed", 0, "", "none");
    CHECK(ingest(s, d) == 4);
    cJSON_Delete(d);

    char recent[32];
    store_time_format((int64_t)time(NULL) - 3600, recent, sizeof recent);
    d = doc_new("run-5", "hpl", "crashed");
    doc_str(d, "started_at", recent);
    doc_str(d, "host", "node02");
    doc_str(d, "error", "killed by signal 11 (Segmentation fault)");
    doc_param(d, "N", "4000", "int");
    doc_param(d, "NB", "128", "int");
    CHECK(ingest(s, d) == 5);
    cJSON_Delete(d);

    d = doc_new("run-6", "ior", "queued");
    doc_str(d, "started_at", NULL);
    doc_str(d, "finished_at", NULL);
    doc_str(d, "host", NULL);
    CHECK(ingest(s, d) == 6);
    cJSON_Delete(d);
    store_close(s);
    return 0;
}

/*
 * Run `query --db DB --format json ARGS...` and put the ids of the runs it
 * printed into buf ("1,3"); returns the exit code, or -1 on bad JSON.
 */
static int ids_of(const char *db, const char *const *args, char *buf, size_t len)
{
    const char *argv[40] = {"query", "--db", db, "--format", "json"};
    int argc = 5;
    for (int i = 0; args[i] && argc < 39; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    char *out, *err;
    int code = run_query(argv, &out, &err);
    buf[0] = '\0';
    if (code == 0) {
        cJSON *doc = cJSON_Parse(out);
        cJSON *runs = cJSON_GetObjectItem(doc, "runs"), *r;
        if (!cJSON_IsArray(runs))
            code = -1;
        cJSON_ArrayForEach(r, runs)
        {
            char one[32];
            snprintf(one, sizeof one, "%s%d", buf[0] ? "," : "",
                     cJSON_GetObjectItem(r, "id")->valueint);
            strncat(buf, one, len - strlen(buf) - 1);
        }
        cJSON_Delete(doc);
    } else {
        fprintf(stderr, "query stderr: %s", err ? err : "");
    }
    free(out);
    free(err);
    return code;
}

#define EXPECT_IDS(expected, ...)                                                  \
    do {                                                                           \
        const char *const a_[] = {__VA_ARGS__, NULL};                              \
        char got_[256];                                                            \
        int c_ = ids_of(db, a_, got_, sizeof got_);                                \
        if (c_ != 0 || strcmp(got_, (expected)) != 0) {                            \
            fprintf(stderr, "%s:%d: query %s ...: exit %d, runs [%s], expected [%s]\n", \
                    __FILE__, __LINE__, a_[0], c_, got_, (expected));              \
            return 1;                                                              \
        }                                                                          \
    } while (0)

int test_query_filters(void)
{
    CHECK(make_fixture("f.db") == 0);
    char db[1100];
    snprintf(db, sizeof db, "%s", tpath("f.db"));
    EXPECT_IDS("1,2,3,4,5,6", "--limit", "100");
    EXPECT_IDS("3,4,5", "--plugin", "hpl");
    EXPECT_IDS("3", "--plugin", "hpl", "--status", "ok");
    EXPECT_IDS("4,5", "--status", "failed,crashed");
    EXPECT_IDS("4,5", "--status", "failed", "--status", "crashed");
    EXPECT_IDS("1,2,6", "--plugin", "stream,ior");
    EXPECT_IDS("1,2,6", "--plugin", "stream", "--plugin", "ior");
    EXPECT_IDS("6", "--status=queued");
    /* parameters: canonical text, size suffixes, booleans, enum case, numbers */
    EXPECT_IDS("3", "--param", "NB=192");
    EXPECT_IDS("3", "-p", "NB=192", "-p", "N=4000");
    EXPECT_IDS("", "--param", "NB=193");
    EXPECT_IDS("2", "--param", "array_size=128k");
    EXPECT_IDS("2", "--param", "array_size=131072");
    EXPECT_IDS("2", "--param", "nt_stores=yes");
    EXPECT_IDS("1", "--param", "nt_stores=false");
    EXPECT_IDS("3", "--param", "pfact=crout");
    EXPECT_IDS("3,4", "--param", "threshold=16.0");
    /* metrics, tags, hosts */
    EXPECT_IDS("3,4", "--metric", "gflops");
    EXPECT_IDS("1,2,3", "--metric", "triad,time");
    EXPECT_IDS("1,3", "--tag", "acceptance");
    EXPECT_IDS("3", "--tag", "acceptance", "--tag", "nightly");
    EXPECT_IDS("2,5", "--host", "node02");
    EXPECT_IDS("", "--host", "nowhere");
    EXPECT_IDS("1,2,3,4,5", "--host", "node01,node02");
    /* times: absolute (a date --until covers its day, a date-time is inclusive) and ages */
    EXPECT_IDS("2,3,4,5", "--since", "2025-03-21");
    EXPECT_IDS("2,3,4", "--since", "2025-03-21", "--until", "2025-03-22");
    EXPECT_IDS("1,2,3", "--until", "2025-03-21");
    EXPECT_IDS("1,2", "--until", "2025-03-21T09:30:00Z");
    EXPECT_IDS("1,2", "--until", "2025-03-21T10:30:00+01:00");
    EXPECT_IDS("3,4,5", "--since", "2025-03-21T09:30:01");
    EXPECT_IDS("2,3", "--since", "2025-03-21 09:00", "--until", "2025-03-21T23:59:59Z");
    EXPECT_IDS("5", "--since", "2h");
    EXPECT_IDS("5", "--since", "90m");
    EXPECT_IDS("1,2,3,4", "--until", "3h");
    EXPECT_IDS("", "--since", "30m");
    /* ids and limits (the most recent N, printed oldest first) */
    EXPECT_IDS("2,4", "--run", "4,2");
    EXPECT_IDS("2,4", "--run", "2", "--run", "4");
    EXPECT_IDS("", "--run", "99");
    EXPECT_IDS("5,6", "--limit", "2");
    EXPECT_IDS("4,5", "--plugin", "hpl", "--limit", "2");
    /* --metric also restricts the metrics printed */
    const char *argv[] = {"query", "--db", db, "--format", "json", "--metric", "gflops", NULL};
    char *out, *err;
    CHECK(run_query(argv, &out, &err) == 0);
    cJSON *doc = cJSON_Parse(out);
    cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(r0, "metrics")) == 1);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(r0, "metrics"), "gflops"));
    cJSON_Delete(doc);
    free(out);
    free(err);
    /* the database from BENCHAAS_DB, and --db=FILE */
    setenv("BENCHAAS_DB", db, 1);
    const char *argv2[] = {"query", "--format", "csv", "--run", "1", NULL};
    CHECK(run_query(argv2, &out, &err) == 0);
    CHECK(strstr(out, "run-1") == NULL && strstr(out, "\n1,2025-03-20T08:00:00Z,stream"));
    free(out);
    free(err);
    unsetenv("BENCHAAS_DB");
    char dbopt[1200];
    snprintf(dbopt, sizeof dbopt, "--db=%s", db);
    const char *argv3[] = {"query", dbopt, "--format=json", "--plugin=ior", NULL};
    CHECK(run_query(argv3, &out, &err) == 0);
    CHECK(strstr(out, "\"id\":6"));
    free(out);
    free(err);
    return 0;
}

/* The JSON document: exactly the keys of docs/cli.md, in order, with their types. */
int test_query_json(void)
{
    CHECK(make_fixture("j.db") == 0);
    const char *argv[] = {"query", "--db", tpath("j.db"), "--format", "json", NULL};
    char *out, *err;
    CHECK(run_query(argv, &out, &err) == 0);
    CHECK(strncmp(out, "{\"runs\": [", 10) == 0);
    cJSON *doc = cJSON_Parse(out);
    CHECKM(doc, out);
    CHECK(cJSON_GetArraySize(doc) == 1); /* only "runs" */
    cJSON *runs = cJSON_GetObjectItem(doc, "runs");
    CHECK(cJSON_GetArraySize(runs) == 6);
    static const char *const keys[] = {"id",      "plugin", "plugin_version", "status",
                                       "host",    "job_id", "started_at",     "ranks",
                                       "threads", "params", "computed",       "metrics",
                                       "error"};
    cJSON *r;
    cJSON_ArrayForEach(r, runs)
    {
        int k = 0;
        cJSON *field;
        cJSON_ArrayForEach(field, r)
        {
            CHECK(k < 13);
            CHECKM(strcmp(field->string, keys[k]) == 0, field->string);
            k++;
        }
        CHECK(k == 13);
    }
    /* run 1, in full */
    char *one = cJSON_PrintUnformatted(cJSON_GetArrayItem(runs, 0));
    CHECKM(strcmp(one, "{\"id\":1,\"plugin\":\"stream\",\"plugin_version\":\"1.0.0\","
                       "\"status\":\"ok\",\"host\":\"node01\",\"job_id\":null,"
                       "\"started_at\":\"2025-03-20T08:00:00Z\",\"ranks\":1,\"threads\":2,"
                       "\"params\":{\"array_size\":80000000,\"ntimes\":10,\"nt_stores\":false},"
                       "\"computed\":{},"
                       "\"metrics\":{\"triad\":{\"value\":41857.4,\"unit\":\"MB/s\","
                       "\"better\":\"higher\"},\"copy\":{\"value\":40000.5,\"unit\":\"MB/s\","
                       "\"better\":\"higher\"}},\"error\":null}") == 0,
           one);
    cJSON_free(one);
    /* run 3: a job id, an enum and a double parameter, three metrics in order */
    cJSON *r3 = cJSON_GetArrayItem(runs, 2);
    CHECK(cJSON_GetObjectItem(r3, "job_id")->valuedouble == 4242);
    cJSON *p3 = cJSON_GetObjectItem(r3, "params");
    CHECK(cJSON_IsString(cJSON_GetObjectItem(p3, "pfact")));
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(p3, "threshold")));
    CHECK(cJSON_GetObjectItem(p3, "threshold")->valuedouble == 16.0);
    CHECK(strcmp(cJSON_GetArrayItem(cJSON_GetObjectItem(r3, "metrics"), 1)->string, "time") == 0);
    CHECK(strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r3, "metrics"),
                                                         "time"),
                                     "better")->valuestring,
                 "lower") == 0);
    /* run 5: crashed, no metrics, the error text */
    cJSON *r5 = cJSON_GetArrayItem(runs, 4);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(r5, "metrics")) == 0);
    CHECK(strcmp(cJSON_GetObjectItem(r5, "error")->valuestring,
                 "killed by signal 11 (Segmentation fault)") == 0);
    /* run 6: queued, never started, no host */
    cJSON *r6 = cJSON_GetArrayItem(runs, 5);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r6, "started_at")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r6, "host")));
    CHECK(strcmp(cJSON_GetObjectItem(r6, "status")->valuestring, "queued") == 0);

    /* query_runs_json (used by `run --json`) builds the very same document */
    store *s;
    char e[512];
    CHECK(store_open(tpath("j.db"), STORE_READONLY, &s, e, sizeof e) == 0);
    int64_t ids[] = {1, 2, 3, 4, 5, 6};
    cJSON *same;
    CHECK(query_runs_json(s, ids, 6, &same) == 0);
    CHECK(cJSON_Compare(doc, same, 1));
    cJSON_Delete(same);
    int64_t some[] = {3, 99, 1}; /* given order; unknown ids skipped */
    CHECK(query_runs_json(s, some, 3, &same) == 0);
    runs = cJSON_GetObjectItem(same, "runs");
    CHECK(cJSON_GetArraySize(runs) == 2);
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(runs, 0), "id")->valueint == 3);
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(runs, 1), "id")->valueint == 1);
    cJSON_Delete(same);
    store_close(s);
    cJSON_Delete(doc);
    free(out);
    free(err);
    return 0;
}

int test_query_csv(void)
{
    CHECK(make_fixture("c.db") == 0);
    const char *argv[] = {"query", "--db", tpath("c.db"), "--format", "csv", NULL};
    char *out, *err;
    CHECK(run_query(argv, &out, &err) == 0);
    static const char header[] = "run_id,started_at,plugin,plugin_version,status,host,job_id,"
                                 "params,metric,value,unit,better\n";
    CHECKM(strncmp(out, header, sizeof header - 1) == 0, out);
    /* quoting: the params JSON has commas and quotes */
    CHECKM(strstr(out, "\n1,2025-03-20T08:00:00Z,stream,1.0.0,ok,node01,,"
                       "\"{\"\"array_size\"\":80000000,\"\"ntimes\"\":10,\"\"nt_stores\"\":false}\","
                       "triad,41857.4,MB/s,higher\n"),
           out);
    CHECKM(strstr(out, ",4242,\"{\"\"N\"\":4000,\"\"NB\"\":192,\"\"pfact\"\":\"\"Crout\"\","
                       "\"\"threshold\"\":16}\",gflops,12.5,GFLOP/s,higher\n"),
           out);
    /* a run without metrics still has its row */
    CHECKM(strstr(out, "\n5,") && strstr(out, ",crashed,node02,,"), out);
    CHECK(strstr(out, "\n6,,ior,1.0.0,queued,,,{},,,,\n"));
    /* lines: header + 2 + 2 + 3 + 2 + 1 + 1 */
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    CHECK(lines == 12);
    free(out);
    free(err);
    return 0;
}

int test_query_table(void)
{
    CHECK(make_fixture("t.db") == 0);
    /* table is the default; every metric, not only the headline ones (tests/results/analyze/headline.results.sh) */
    const char *argv[] = {"query", "--db", tpath("t.db"), "--all-metrics", NULL};
    char *out, *err;
    CHECK(run_query(argv, &out, &err) == 0);
    /* header, with a host column because there are two hosts */
    CHECKM(strstr(out, "run") && strstr(out, "plugin") && strstr(out, "status") &&
               strstr(out, "host") && strstr(out, "metric") && strstr(out, "value") &&
               strstr(out, "unit"),
           out);
    /* each metric with its value and unit; the hpl runs told apart by NB (N is the same) */
    CHECKM(strstr(out, "gflops") && strstr(out, "12.5") && strstr(out, "GFLOP/s"), out);
    CHECKM(strstr(out, "triad") && strstr(out, "41857.4") && strstr(out, "MB/s"), out);
    CHECKM(strstr(out, "NB=192") && strstr(out, "NB=256"), out);
    CHECKM(strstr(out, "N=4000") == NULL, out);
    CHECKM(strstr(out, "error: residual too large"), out);
    CHECKM(strstr(out, "error: killed by signal 11"), out);
    CHECKM(strstr(out, "2025-03-21 10:00"), out);
    /* one line per metric (9) or metric-less run (2), a header and two error lines */
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    CHECKM(lines == 14, out);
    free(out);
    free(err);

    /* query_print_table for `run`: one run shows all its parameters, one host: no host column */
    store *s;
    char e[512];
    CHECK(store_open(tpath("t.db"), STORE_READONLY, &s, e, sizeof e) == 0);
    int64_t ids[] = {3};
    FILE *f = fopen(tpath("table.txt"), "w");
    CHECK(f);
    CHECK(query_print_table(s, ids, 1, f) == 0);
    fclose(f);
    store_close(s);
    char *t = read_file(tpath("table.txt"), NULL);
    CHECKM(t && strstr(t, "N=4000 NB=192 pfact=Crout threshold=16"), t ? t : "null");
    CHECKM(strstr(t, "node01") == NULL, t);
    CHECKM(strstr(t, "passed"), t);
    free(t);
    return 0;
}

int test_query_empty(void)
{
    CHECK(make_fixture("e.db") == 0);
    char *out, *err;
    const char *json[] = {"query", "--db", tpath("e.db"), "--plugin", "nope", "--format", "json",
                          NULL};
    CHECK(run_query(json, &out, &err) == 0);
    CHECK(strcmp(out, "{\"runs\": []}\n") == 0);
    free(out);
    free(err);
    const char *csv[] = {"query", "--db", tpath("e.db"), "--plugin", "nope", "--format", "csv",
                         NULL};
    CHECK(run_query(csv, &out, &err) == 0);
    CHECK(strcmp(out, "run_id,started_at,plugin,plugin_version,status,host,job_id,params,"
                      "metric,value,unit,better\n") == 0);
    free(out);
    free(err);
    const char *table[] = {"query", "--db", tpath("e.db"), "--plugin", "nope", NULL};
    CHECK(run_query(table, &out, &err) == 0);
    CHECK(strcmp(out, "") == 0);
    CHECKM(strstr(err, "no runs match"), err);
    free(out);
    free(err);
    return 0;
}

/* Bad options and bad databases: exit 2, a message, nothing printed on stdout or written. */
int test_query_bad_input(void)
{
    CHECK(make_fixture("b.db") == 0);
    char db[1100];
    snprintf(db, sizeof db, "%s", tpath("b.db"));
    static const struct {
        const char *args[4];
        const char *expect; /* in the message */
    } cases[] = {
        {{"--format", "xml"}, "xml"},
        {{"--since", "yesterday"}, "yesterday"},
        {{"--since", "2026-02-30"}, "2026-02-30"},
        {{"--until", "5x"}, "5x"},
        {{"--until", "7"}, "'7'"},
        {{"--status", "great"}, "great"},
        {{"--status", ","}, "--status"},
        {{"--limit", "0"}, "--limit"},
        {{"--limit", "ten"}, "ten"},
        {{"--param", "NB"}, "NAME=VALUE"},
        {{"--param", "=5"}, "NAME=VALUE"},
        {{"--run", "abc"}, "abc"},
        {{"--run", "-3"}, "-3"},
        {{"--bogus"}, "unknown option '--bogus'"},
        {{"extra"}, "'extra'"},
        {{"--plugin"}, "needs a value"},
        {{"--db", ""}, "--db"},
        /* names no stored run has (refused, not an empty answer) */
        {{"--param", "nosuch=1"}, "unknown parameter 'nosuch'"},
        {{"--param", "nb=192"}, "did you mean 'NB'?"},
        {{"--metric", "gflop"}, "unknown metric 'gflop'"},
        {{"--plugin", "stream", "--metric", "gflops"}, "unknown metric 'gflops'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[8] = {"query", "--db", db};
        int argc = 3;
        for (int k = 0; k < 4 && cases[i].args[k]; k++)
            argv[argc++] = cases[i].args[k];
        argv[argc] = NULL;
        char *out, *err;
        int code = run_query(argv, &out, &err);
        if (code != 2 || strcmp(out, "") != 0 || !strstr(err, cases[i].expect)) {
            fprintf(stderr, "case %zu (%s): exit %d, stdout '%s', stderr '%s'\n", i,
                    cases[i].args[0], code, out, err);
            return 1;
        }
        free(out);
        free(err);
    }

    char *out, *err;
    /* a missing database is not created */
    const char *missing[] = {"query", "--db", tpath("missing.db"), NULL};
    CHECK(run_query(missing, &out, &err) == 2);
    CHECKM(strstr(err, "no database") && strstr(err, "missing.db"), err);
    CHECK(!file_exists(tpath("missing.db")));
    free(out);
    free(err);
    /* a file that is not ours is refused and untouched */
    const char text[] = "precious text\n";
    CHECK(write_file(tpath("notes.txt"), text, sizeof text - 1) == 0);
    const char *foreign[] = {"query", "--db", tpath("notes.txt"), NULL};
    CHECK(run_query(foreign, &out, &err) == 2);
    CHECKM(strstr(err, "not a BenchaaS database"), err);
    free(out);
    free(err);
    size_t n;
    char *now = read_file(tpath("notes.txt"), &n);
    CHECK(now && n == sizeof text - 1 && memcmp(now, text, n) == 0);
    free(now);
    /* an empty file stays empty */
    CHECK(write_file(tpath("empty.db"), "", 0) == 0);
    const char *empty[] = {"query", "--db", tpath("empty.db"), NULL};
    CHECK(run_query(empty, &out, &err) == 2);
    free(out);
    free(err);
    struct stat sb;
    CHECK(stat(tpath("empty.db"), &sb) == 0 && sb.st_size == 0);
    /* --help is not an error */
    const char *help[] = {"query", "--help", NULL};
    CHECK(run_query(help, &out, &err) == 0);
    CHECK(strstr(out, "usage: benchaas query") && strstr(out, "--format table|csv|json"));
    free(out);
    free(err);
    return 0;
}
