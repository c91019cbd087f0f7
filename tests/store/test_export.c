/*
 * test_export.c — the way back (core/store/export.c): a stored run exported as a
 * result document and ingested into a second database gives the same facts in every
 * table ingest writes.  The documents: the crafted fixtures of tests/store/fixtures/
 * and the seed corpus of the result fuzz target (tests/fuzz/corpus/result/); the
 * plugins' own documents go the same way through `push` (tests/store/export/roundtrip_push.py,
 * which compares with `store_tests --dump`).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"
#include "common.h"

/* Tables ingest does not write (the service's accounts and jobs, check's baselines). */
static const char *const not_ingested[] = {"users",     "tokens", "jobs",      "job_points",
                                           "schedules", "alerts", "baselines",
                                           /* kept from the metric rows (their own tests:
                                              store.points.*) */
                                           "series_points", "series_stale",
                                           /* kept from the samples (store.samplepack.
                                              packed_samples) */
                                           "samples_chunks", "samples_stale", NULL};

/* The SQL text of column `col` of `table` with every row id replaced by what it stands
   for (a run by its uuid, a host by its name, a configuration by its key); NULL to
   leave the column out (a row's own id). */
static char *column_expr(const char *table, const char *col)
{
    if (strcmp(col, "id") == 0)
        return NULL;
    if (strcmp(col, "run_id") == 0)
        return strdup("(SELECT uuid FROM runs WHERE id = t.run_id)");
    if (strcmp(col, "host_id") == 0 || strcmp(col, "run_host_id") == 0) {
        char *e;
        return asprintf(&e, "(SELECT name FROM hosts WHERE id = t.%s)", col) < 0 ? NULL : e;
    }
    if (strcmp(col, "config_id") == 0 || strcmp(col, "run_config_id") == 0) {
        char *e;
        return asprintf(&e,
                        "(SELECT plugin || '|' || params_json || '|' || quote(ranks) || '|' ||"
                        " quote(threads) FROM configs WHERE id = t.%s)",
                        col) < 0
                   ? NULL
                   : e;
    }
    (void)table;
    char *e;
    return asprintf(&e, "t.\"%s\"", col) < 0 ? NULL : e;
}

/* One table's rows as "table: v|v|v" lines appended to *out (sorted later). */
static int dump_table(sqlite3 *db, const char *table, char ***lines, size_t *n)
{
    char *sql = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q) ORDER BY cid", table);
    sqlite3_stmt *st;
    char *select = sqlite3_mprintf("SELECT %Q", table);
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        char *e = column_expr(table, col);
        if (!e)
            continue;
        char *next = sqlite3_mprintf("%s || ' %s=' || quote(%s)", select, col, e);
        sqlite3_free(select);
        free(e);
        select = next;
    }
    sqlite3_finalize(st);
    sql = sqlite3_mprintf("%s FROM \"%w\" t", select, table);
    sqlite3_free(select);
    rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        *lines = realloc(*lines, (*n + 1) * sizeof **lines);
        (*lines)[(*n)++] = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return 0;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *store_dump(sqlite3 *db)
{
    sqlite3_stmt *st;
    char **lines = NULL;
    size_t n = 0, len = 1;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE"
                           " 'sqlite_%' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        int skip = 0;
        for (int i = 0; not_ingested[i]; i++)
            skip |= strcmp(t, not_ingested[i]) == 0;
        if (!skip && dump_table(db, t, &lines, &n) != 0)
            fprintf(stderr, "cannot dump table %s: %s\n", t, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    qsort(lines, n, sizeof *lines, by_text);
    for (size_t i = 0; i < n; i++)
        len += strlen(lines[i]) + 1;
    char *out = malloc(len), *p = out;
    for (size_t i = 0; i < n; i++) {
        p = stpcpy(p, lines[i]);
        *p++ = '\n';
        free(lines[i]);
    }
    *p = '\0';
    free(lines);
    return out;
}

/* The lines of a not in b, and of b not in a (both sorted), on stderr; 0 when none. */
static int dump_diff(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 0;
    int shown = 0;
    const char *p = a, *q = b;
    while ((*p || *q) && shown < 20) {
        size_t lp = strcspn(p, "\n"), lq = strcspn(q, "\n");
        int c = !*p ? 1 : !*q ? -1 : strncmp(p, q, lp < lq ? lp + 1 : lq + 1);
        if (c == 0 && lp == lq) {
            p += lp + (p[lp] != 0);
            q += lq + (q[lq] != 0);
            continue;
        }
        if (c <= 0 && *p) {
            fprintf(stderr, "- %.*s\n", (int)lp, p);
            p += lp + (p[lp] != 0);
        } else {
            fprintf(stderr, "+ %.*s\n", (int)lq, q);
            q += lq + (q[lq] != 0);
        }
        shown++;
    }
    return 1;
}

/* Ingest every *.json of folder dir into s; the number stored, or -1. */
static int ingest_folder(store *s, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    CHECKM(d, dir);
    char **names = NULL;
    size_t count = 0;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".json")) {
            names = realloc(names, (count + 1) * sizeof *names);
            names[count++] = strdup(e->d_name);
        }
    closedir(d);
    qsort(names, count, sizeof *names, by_text);
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *text = read_file(path, NULL);
        cJSON *doc = text ? cJSON_Parse(text) : NULL;
        free(text);
        if (doc && ingest(s, doc) > 0)
            n++;
        else
            fprintf(stderr, "%s: not stored\n", path);
        cJSON_Delete(doc);
        free(names[i]);
    }
    free(names);
    return n;
}

int test_export_roundtrip(void)
{
    store *a = open_db("a.db"), *b = open_db("b.db");
    CHECK(a && b);
    int n = ingest_folder(a, STORE_FIXTURES);
    int m = ingest_folder(a, RESULT_CORPUS);
    CHECK(n >= 2 && m >= 5);
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(store_db(a), "SELECT id FROM runs ORDER BY id", -1, &st, NULL) ==
          SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char err[512];
        cJSON *doc = store_export_run(a, sqlite3_column_int64(st, 0), err, sizeof err);
        CHECKM(doc, err);
        CHECK(ingest(b, doc) > 0);
        cJSON_Delete(doc);
    }
    sqlite3_finalize(st);
    /* the facts the export once dropped are there to compare */
    CHECK(sql_int(a, "SELECT count(*) FROM timeline_nodes") == 6);
    CHECK(sql_int(a, "SELECT count(*) FROM metrics WHERE headline = 1") == 2);
    char *da = store_dump(store_db(a)), *db = store_dump(store_db(b));
    CHECK(da && db);
    int differ = dump_diff(da, db);
    free(da);
    free(db);
    CHECKM(!differ, "the second database holds other facts (- first, + second)");
    store_close(a);
    store_close(b);
    return 0;
}

/* A run that is not there: NULL and why. */
int test_export_missing(void)
{
    store *s = open_db("x.db");
    char err[256] = "";
    CHECK(s);
    CHECK(store_export_run(s, 42, err, sizeof err) == NULL);
    CHECKM(strstr(err, "no run 42"), err);
    store_close(s);
    return 0;
}
