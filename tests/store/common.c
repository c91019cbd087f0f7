/* common.c — helpers of the store and query unit tests (see common.h). */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "query.h"

char tdir[512];

const char *tpath(const char *name)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", tdir, name);
    return b;
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

cJSON *doc_new(const char *uuid, const char *plugin, const char *status)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "result_version", 1);
    cJSON_AddStringToObject(d, "uuid", uuid);
    cJSON_AddStringToObject(d, "plugin", plugin);
    cJSON_AddStringToObject(d, "plugin_version", "1.0.0");
    cJSON_AddStringToObject(d, "status", status);
    cJSON_AddNullToObject(d, "error");
    cJSON_AddStringToObject(d, "started_at", "2026-11-21T10:12:17Z");
    cJSON_AddStringToObject(d, "finished_at", "2026-11-21T10:12:31Z");
    cJSON_AddStringToObject(d, "host", "node01");
    cJSON_AddNullToObject(d, "job_id");
    cJSON_AddStringToObject(d, "launcher", "local");
    cJSON_AddNumberToObject(d, "ranks", 1);
    cJSON_AddNumberToObject(d, "threads", 1);
    cJSON_AddNumberToObject(d, "repetitions", 3);
    cJSON_AddObjectToObject(d, "params");
    cJSON_AddObjectToObject(d, "metrics");
    cJSON_AddArrayToObject(d, "tags");
    return d;
}

void doc_str(cJSON *d, const char *key, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(d, key);
    if (value)
        cJSON_AddStringToObject(d, key, value);
    else
        cJSON_AddNullToObject(d, key);
}

void doc_param(cJSON *d, const char *name, const char *value, const char *type)
{
    cJSON *p = cJSON_AddObjectToObject(cJSON_GetObjectItem(d, "params"), name);
    cJSON_AddStringToObject(p, "value", value);
    cJSON_AddStringToObject(p, "type", type);
}

void doc_metric(cJSON *d, const char *name, double value, const char *unit, const char *better)
{
    cJSON *m = cJSON_AddObjectToObject(cJSON_GetObjectItem(d, "metrics"), name);
    cJSON_AddNumberToObject(m, "value", value);
    cJSON_AddStringToObject(m, "unit", unit);
    cJSON_AddStringToObject(m, "better", better);
}

void doc_tag(cJSON *d, const char *tag)
{
    cJSON_AddItemToArray(cJSON_GetObjectItem(d, "tags"), cJSON_CreateString(tag));
}

store *open_db(const char *name)
{
    store *s;
    char err[512];
    if (store_open(tpath(name), STORE_CREATE, &s, err, sizeof err) != 0) {
        fprintf(stderr, "store_open(%s): %s\n", name, err);
        return NULL;
    }
    return s;
}

int64_t ingest(store *s, cJSON *doc)
{
    int64_t id;
    char err[512];
    if (store_ingest(s, doc, &id, err, sizeof err) != 0) {
        fprintf(stderr, "store_ingest: %s\n", err);
        return -1;
    }
    return id;
}

int64_t sql_int(store *s, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -999;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sql_int(%s): %s\n", sql, sqlite3_errmsg(store_db(s)));
        return v;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

char *sql_text(store *s, const char *sql)
{
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sql_text(%s): %s\n", sql, sqlite3_errmsg(store_db(s)));
        return NULL;
    }
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

int run_query(const char *const *argv, char **out, char **errout)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    fflush(stdout);
    fflush(stderr);
    int save_out = dup(1), save_err = dup(2);
    char po[1100], pe[1100]; /* not tpath(): argv may point into its buffers */
    snprintf(po, sizeof po, "%s/query.stdout", tdir);
    snprintf(pe, sizeof pe, "%s/query.stderr", tdir);
    int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    close(fo);
    close(fe);
    int code = cmd_query(argc, (char **)argv);
    fflush(stdout);
    fflush(stderr);
    dup2(save_out, 1);
    dup2(save_err, 2);
    close(save_out);
    close(save_err);
    *out = read_file(po, NULL);
    *errout = read_file(pe, NULL);
    return code;
}
