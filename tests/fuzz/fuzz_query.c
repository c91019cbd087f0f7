/*
 * fuzz_query.c — `benchaas query` with filters and options from the input
 * (one argument per line) against a small database of four runs: every
 * filter value reaches SQL only as a bound parameter, and every
 * combination is answered or refused with exit code 2, never a crash.
 * Options that would name another database or write a file are dropped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "cli.h"
#include "query.h"
#include "store.h"

static char g_db[4096];

/* Four runs: two plugins, two hosts, tags, a failed run, samples, times. */
static const char *const docs[] = {
    "{\"result_version\":1,\"uuid\":\"00000000-0000-4000-8000-000000000001\",\"plugin\":\"stream\","
    "\"plugin_version\":\"1.0.0\",\"status\":\"ok\",\"error\":null,\"host\":\"node01\","
    "\"started_at\":\"2026-01-02T10:00:00Z\",\"finished_at\":\"2026-01-02T10:00:10Z\","
    "\"launcher\":\"local\",\"ranks\":1,\"threads\":2,\"repetitions\":3,\"tags\":[\"nightly\"],"
    "\"params\":{\"array_size\":{\"value\":\"1000000\",\"type\":\"size\"},\"ntimes\":{\"value\":\"10\","
    "\"type\":\"int\"}},\"metrics\":{\"triad\":{\"value\":41000.5,\"unit\":\"MB/s\",\"better\":\"higher\"},"
    "\"wall_time\":{\"value\":10,\"unit\":\"s\",\"better\":\"none\"}},"
    "\"samples\":{\"triad\":[[1,0,40000],[2,0,41000.5],[3,0,40500]]},"
    "\"provenance\":{\"hostname\":\"node01\",\"kernel\":\"6.1.0\",\"cpu_model\":\"EPYC\"}}",
    "{\"result_version\":1,\"uuid\":\"00000000-0000-4000-8000-000000000002\",\"plugin\":\"stream\","
    "\"plugin_version\":\"1.0.0\",\"status\":\"ok\",\"host\":\"node02\","
    "\"started_at\":\"2026-02-03T10:00:00Z\",\"launcher\":\"local\",\"ranks\":1,\"threads\":4,"
    "\"repetitions\":3,\"tags\":[\"nightly\",\"acceptance\"],"
    "\"params\":{\"array_size\":{\"value\":\"2000000\",\"type\":\"size\"},\"ntimes\":{\"value\":\"10\","
    "\"type\":\"int\"}},\"metrics\":{\"triad\":{\"value\":52000,\"unit\":\"MB/s\",\"better\":\"higher\"}},"
    "\"samples\":{\"triad\":[[1,0,51000],[2,0,52000],[3,0,50000]]},"
    "\"provenance\":{\"hostname\":\"node02\",\"kernel\":\"6.2.0\"}}",
    "{\"result_version\":1,\"uuid\":\"00000000-0000-4000-8000-000000000003\",\"plugin\":\"hpl\","
    "\"plugin_version\":\"1.0.0\",\"status\":\"failed\",\"error\":\"validation failed\","
    "\"host\":\"node01\",\"job_id\":\"4242\",\"started_at\":\"2026-03-04T10:00:00Z\","
    "\"launcher\":\"slurm\",\"ranks\":4,\"threads\":1,\"repetitions\":1,"
    "\"params\":{\"N\":{\"value\":\"4000\",\"type\":\"int\"},\"NB\":{\"value\":\"192\",\"type\":\"int\"},"
    "\"pfact\":{\"value\":\"crout\",\"type\":\"enum\"}},"
    "\"metrics\":{\"gflops\":{\"value\":123.4,\"unit\":\"GFLOP/s\",\"better\":\"higher\"},"
    "\"passed\":{\"value\":0,\"unit\":\"\",\"better\":\"higher\"}}}",
    "{\"result_version\":1,\"uuid\":\"00000000-0000-4000-8000-000000000004\",\"plugin\":\"hpl\","
    "\"status\":\"ok\",\"host\":\"node02\",\"started_at\":\"2026-03-05T11:00:00Z\","
    "\"ranks\":4,\"threads\":1,\"repetitions\":1,"
    "\"params\":{\"N\":{\"value\":\"4000\",\"type\":\"int\"},\"NB\":{\"value\":\"256\",\"type\":\"int\"}},"
    "\"metrics\":{\"gflops\":{\"value\":150.0,\"unit\":\"GFLOP/s\",\"better\":\"higher\"},"
    "\"passed\":{\"value\":1,\"unit\":\"\",\"better\":\"higher\"}}}",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = fuzz_tmpdir("query"); /* removed at exit */
    /* Files a query could write would land here. */
    if (chdir(dir) != 0)
        fuzz_fail(__FILE__, __LINE__, "chdir");
    snprintf(g_db, sizeof g_db, "%s/q.db", dir);
    store *st;
    char err[1024];
    if (store_open(g_db, STORE_CREATE, &st, err, sizeof err) != 0)
        fuzz_fail(__FILE__, __LINE__, err);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        cJSON *d = cJSON_Parse(docs[i]);
        int64_t id;
        if (!d || store_ingest(st, d, &id, err, sizeof err) != 0)
            fuzz_fail(__FILE__, __LINE__, d ? err : "a seed document is not JSON");
        cJSON_Delete(d);
    }
    store_close(st);
    unsetenv("BENCHAAS_DB");
    fuzz_quiet_stdout();
    return 0;
}

/* Options that would leave the test database or write files. */
static int dropped(const char *a)
{
    return strncmp(a, "--db", 4) == 0 || strncmp(a, "--o", 3) == 0 || strncmp(a, "-o", 2) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = fuzz_cstr(data, size);
    char *argv[40];
    int argc = 0;
    argv[argc++] = "query";
    argv[argc++] = "--db";
    argv[argc++] = g_db;
    char *save = NULL;
    for (char *a = strtok_r(text, "\n", &save); a && argc < 38; a = strtok_r(NULL, "\n", &save))
        if (!dropped(a))
            argv[argc++] = a;
    argv[argc] = NULL;
    int code = cmd_query(argc, argv);
    FUZZ_CHECK(code == 0 || code == 2, "query exited with a code other than 0 or 2");
    free(text);
    return 0;
}
