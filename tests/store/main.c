/*
 * main.c — `store_tests NAME` runs one test of the store and query suite in
 * a fresh temporary folder (removed when it passes, kept and printed when it
 * fails).  `store_tests` alone lists the names; `store_tests --dump DB`
 * prints DB's facts (store_dump, common.h).  To add a test: write
 * `int test_NAME(void)` and add it to the TESTS(X) table below with the file it
 * tests (CMake reads the table: one ctest LIBRARY.FILE.NAME per entry).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* X(LIBRARY, FILE, NAME): test_NAME tests core/LIBRARY/FILE.c (the sdk: sdk/src/FILE.c);
 * its ctest is LIBRARY.FILE.NAME, less a leading "FILE_" of NAME (tests/CMakeLists.txt,
 * bx_table_tests). */
#define TESTS(X) \
    X(store, open, foreign_text) \
    X(store, open, foreign_binary) \
    X(store, open, foreign_sqlite) \
    X(store, open, empty_file) \
    X(store, open, missing_file) \
    X(store, schema, newer_schema) \
    X(store, schema, migration) \
    X(store, ingest, roundtrip) \
    X(store, ingest, idempotent) \
    X(store, ingest, queued_replaced) \
    X(store, docread, bad_documents) \
    X(store, open, concurrent) \
    X(store, open, concurrent_create) \
    X(store, schema, results_view) \
    X(common, timefmt, time_parse) \
    X(results, query, query_filters) \
    X(results, query, query_json) \
    X(results, query, query_csv) \
    X(results, query, query_table) \
    X(results, query, query_empty) \
    X(results, query, query_bad_input) \
    X(results, query, api_select_runs) \
    X(results, aggregate, api_aggregate) \
    X(results, compare, api_compare) \
    X(results, check, api_check) \
    X(results, report, api_report) \
    X(store, schema, migration_configs) \
    X(store, schema, scale_plans) \
    X(store, schema, metric_kinds) \
    X(results, analyze, series_pass) \
    X(results, stats, stats_select) \
    X(common, timefmt, time_days) \
    X(store, ingest, batch_ingest) \
    X(store, open, twins) \
    X(store, ingest, user_job) \
    X(store, schema, migration_checks) \
    X(store, ingest, multi_rows) \
    X(store, ingest, batch_full) \
    X(store, open, create_window) \
    X(store, open, create_mode) \
    X(store, open, create_memory) \
    X(store, export, export_roundtrip) \
    X(store, export, export_missing) \
    X(store, open, kept_stmt) \
    X(store, points, series_points) \
    X(store, points, chunk_split) \
    X(store, samplepack, packed_samples)

TESTS(BX_TEST_DECLARE)
BX_TEST_TABLE(TESTS)

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path); /* go on after a failure: remove as much as can be removed */
    return 0;
}

/* `store_tests --dump DB`: the facts of DB (store_dump), for tests that compare databases. */
static int dump_main(const char *path)
{
    store *s;
    char err[512];
    if (store_open(path, STORE_READONLY, &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char *text = store_dump(store_db(s));
    if (text)
        fputs(text, stdout);
    free(text);
    store_close(s);
    return text ? 0 : 1;
}

/* each test in a fresh temporary folder, removed after it, passed or not (nothing left in
   TMPDIR: scripts/test.sh checks); BENCHAAS_TEST_KEEP set keeps a failed test's, named */
static int run_in_tdir(const struct bx_test *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(tdir, 512, "%s/benchaas-store-XXXXXX", base && *base ? base : "/tmp");
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
    nftw(tdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (rc != 0)
        fprintf(stderr, "FAILED: %s (BENCHAAS_TEST_KEEP=1 keeps its files)\n", t->name);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        return dump_main(argv[2]);
    return bx_test_main(argc, argv, bx_tests, BX_NTESTS, run_in_tdir);
}
