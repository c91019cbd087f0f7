/*
 * main.c — `store_tests NAME` runs one test of the store and query suite in
 * a fresh temporary folder (removed when it passes, kept and printed when it
 * fails).  `store_tests` alone lists the names; `store_tests --dump DB`
 * prints DB's facts (store_dump, common.h).  To add a test: write
 * `int test_NAME(void)` and add it to the TESTS(X) table below (CMake reads
 * the table: one ctest store.NAME per entry, tests/CMakeLists.txt's bx_table_tests).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define TESTS(X)                                                                   \
    X(foreign_text) X(foreign_binary) X(foreign_sqlite) X(empty_file) X(missing_file) \
    X(newer_schema) X(migration) X(roundtrip) X(idempotent) X(queued_replaced)     \
    X(bad_documents) X(concurrent) X(concurrent_create) X(results_view)            \
    X(time_parse) X(query_filters) X(query_json) X(query_csv) X(query_table)       \
    X(query_empty) X(query_bad_input) X(api_select_runs) X(api_aggregate) X(api_compare)     \
    X(api_check) X(api_report) X(migration_configs) X(scale_plans)          \
    X(metric_kinds) X(series_pass) X(stats_select) X(time_days) X(batch_ingest) X(twins) \
    X(user_job) X(migration_checks) X(multi_rows) X(batch_full) X(create_window) X(create_mode) X(create_memory) \
    X(export_roundtrip) X(export_missing) X(kept_stmt)

#define DECLARE(name) int test_##name(void);
TESTS(DECLARE)

static const struct {
    const char *name;
    int (*fn)(void);
} tests[] = {
#define ENTRY(name) {#name, test_##name},
    TESTS(ENTRY)
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
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

int main(int argc, char **argv)
{
    size_t ntests = sizeof tests / sizeof tests[0];
    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        return dump_main(argv[2]);
    if (argc != 2) {
        for (size_t i = 0; i < ntests; i++)
            printf("%s\n", tests[i].name);
        return argc == 1 ? 0 : 2;
    }
    for (size_t i = 0; i < ntests; i++) {
        if (strcmp(argv[1], tests[i].name) != 0)
            continue;
        const char *base = getenv("TMPDIR");
        snprintf(tdir, 512, "%s/benchaas-store-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tdir)) {
            perror("mkdtemp");
            return 1;
        }
        int rc = tests[i].fn();
        if (rc == 0)
            nftw(tdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        else
            fprintf(stderr, "FAILED: %s (files kept in %s)\n", tests[i].name, tdir);
        return rc ? 1 : 0;
    }
    fprintf(stderr, "no test named '%s' (run without arguments for the list)\n", argv[1]);
    return 2;
}
