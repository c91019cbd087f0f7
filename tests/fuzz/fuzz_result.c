/*
 * fuzz_result.c — result documents: result_read() (size cap, JSON, the
 * required members), then store_ingest() into an in-memory database.
 * Properties: a document is stored in one piece or not at all, ingesting
 * it again stores nothing new and returns the same run, and what is stored
 * can be read back by the query code.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "query.h"
#include "run.h"
#include "store.h"

static store *g_st;

static int64_t count_rows(const char *sql)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(store_db(g_st), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[1024];
    if (store_open(":memory:", STORE_CREATE, &g_st, err, sizeof err) != 0)
        fuzz_fail(__FILE__, __LINE__, err);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 18))
        return 0;
    char path[64], err[4096] = "";
    int fd = fuzz_memfd(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    cJSON *doc = result_read(path, err, sizeof err);
    close(fd);
    if (!doc) {
        fuzz_note("result_read refused", err);
        FUZZ_CHECK(err[0] != '\0', "a refused document without a message");
        /* The store checks documents on its own too: give it the JSON anyway. */
        char *text = fuzz_cstr(data, size);
        doc = cJSON_ParseWithOpts(text, NULL, 1);
        free(text);
        if (!doc)
            return 0;
    }
    int64_t id = 0, id2 = 0;
    err[0] = '\0';
    if (store_ingest(g_st, doc, &id, err, sizeof err) == 0) {
        fuzz_note("stored", NULL);
        FUZZ_CHECK(id > 0, "a stored run without an id");
        int64_t runs = count_rows("SELECT count(*) FROM runs");
        int64_t metrics = count_rows("SELECT count(*) FROM metrics");
        FUZZ_CHECK(store_ingest(g_st, doc, &id2, err, sizeof err) == 0,
                   "the same document is refused the second time");
        FUZZ_CHECK(id2 == id, "the same document stored under another run id");
        FUZZ_CHECK(count_rows("SELECT count(*) FROM runs") == runs &&
                       count_rows("SELECT count(*) FROM metrics") == metrics,
                   "the same document stored twice");
        cJSON *out = NULL;
        if (query_runs_json(g_st, &id, 1, &out) == 0)
            cJSON_Delete(out);
    } else {
        fuzz_note("store_ingest refused", err);
        FUZZ_CHECK(err[0] != '\0', "a refused document without a message");
        FUZZ_CHECK(count_rows("SELECT count(*) FROM runs") == 0,
                   "a refused document left rows behind");
    }
    cJSON_Delete(doc);
    /* Start every input from an empty database (foreign keys cascade). */
    sqlite3_exec(store_db(g_st), "DELETE FROM runs; DELETE FROM hosts", NULL, NULL, NULL);
    return 0;
}
