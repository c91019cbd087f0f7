/*
 * common.h — helpers of the store and query unit tests.
 *
 * Every test is a function `int test_NAME(void)` returning 0 on success; a
 * failed CHECK (tests/include/bx_test.h) prints file:line and the
 * expression and returns 1.  Tests run
 * one per process (ctest calls `store_tests NAME`), each in a fresh
 * temporary folder that is removed when the test passes.
 */
#ifndef STORE_TESTS_COMMON_H
#define STORE_TESTS_COMMON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bx_test.h"
#include "store.h"

/*
 * The test's temporary folder, and a path inside it (a static buffer that
 * is reused after 8 calls: copy it when it must live long).
 */
extern char tdir[];
const char *tpath(const char *name);

/*
 * Whole-file helpers.  read_file: malloc'd, NUL-terminated, *len set (may be
 * NULL).  (Its symbol is tests_read_file: the core's util.c, linked in, has
 * a read_file of its own.)
 */
#define read_file tests_read_file
char *read_file(const char *path, size_t *len);
int write_file(const char *path, const void *data, size_t len);
int file_exists(const char *path);

/*
 * A minimal valid result document (docs/formats.md), owned by the caller:
 * status, plugin, host "node01", started_at, ranks 1, threads 1, one
 * parameter and one metric can be added with the helpers below.
 */
cJSON *doc_new(const char *uuid, const char *plugin, const char *status);
void doc_str(cJSON *d, const char *key, const char *value);
void doc_param(cJSON *d, const char *name, const char *value, const char *type);
void doc_metric(cJSON *d, const char *name, double value, const char *unit, const char *better);
void doc_tag(cJSON *d, const char *tag);

/* Open (creating) the database `name` in tdir; NULL after printing the error. */
store *open_db(const char *name);
/* Ingest or print why not; returns the run id, or -1. */
int64_t ingest(store *s, cJSON *doc);

/* One integer / text (malloc'd) from an SQL statement on a store (no parameters). */
int64_t sql_int(store *s, const char *sql);
char *sql_text(store *s, const char *sql);

/*
 * Run cmd_query with argv (NULL-terminated, argv[0] = "query") in this
 * process, with stdout and stderr captured.  Returns the exit code; *out
 * and *errout (malloc'd) get what was printed.
 */
int run_query(const char *const *argv, char **out, char **errout);

/*
 * The facts of a database (test_export.c): every row of every table ingest writes,
 * one "table col=value ..." line each, sorted, with row ids replaced by what they
 * stand for (a run by its uuid, a host by its name, a configuration by its key), so
 * two databases that hold the same runs give the same text.  malloc'd, or NULL.
 * `store_tests --dump DB` prints it.
 */
struct sqlite3;
char *store_dump(struct sqlite3 *db);

#endif
