/*
 * export.c — the way back: a stored run as a result document (docs/formats.md), for
 * `push` and the service's API.  Beside ingest.c, and kept in step with it: every
 * fact ingest writes for a run is read here, so that exporting a run and ingesting
 * the document into another database gives the same rows (tests/store: export_*).
 *
 * What a document cannot carry is what ingest derives: ids, the configuration and
 * series rows, the metric kinds, the run's columns copied into its metric rows.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#include "benchaas/plugin.h" /* BX_E* codes */

/* A column as a JSON value: null, an integer, a number, or text. */
static cJSON *column_json(sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
        return cJSON_CreateNull();
    case SQLITE_INTEGER:
        return cJSON_CreateNumber((double)sqlite3_column_int64(st, col));
    case SQLITE_FLOAT:
        return cJSON_CreateNumber(sqlite3_column_double(st, col));
    default:
        return cJSON_CreateString((const char *)sqlite3_column_text(st, col));
    }
}

/* Member `name` of o from the column, left out when the column is NULL. */
static void add_column(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) != SQLITE_NULL)
        cJSON_AddItemToObject(o, name, column_json(st, col));
}

/* Prepare sql (one parameter: the run id) on s; NULL on an error (message in err). */
static sqlite3_stmt *run_rows(store *s, const char *sql, int64_t id, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store__err(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
        return NULL;
    }
    sqlite3_bind_int64(st, 1, id);
    return st;
}

/* The end of a run_rows loop: 0, or BX_EIO when it ended on an error. */
static int rows_done(store *s, sqlite3_stmt *st, int rc, char *err, size_t errlen)
{
    if (rc != SQLITE_DONE)
        store__err(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : BX_EIO;
}

/* The runs row: its columns, under the document's names, in ingest's RUN_COLS order. */
static const char *const run_members[] = {
    "uuid",       "plugin",      "plugin_version", "status",  "error",      "host",
    "job_id",     "array_task_id", "experiment",   "point",   "launcher",   "ranks",
    "threads",    "repetitions", "queued_at",      "started_at", "finished_at", "user",
    "job"};
#define RUN_MEMBERS (sizeof run_members / sizeof run_members[0])

static int export_run_row(store *s, int64_t id, cJSON *d, char *err, size_t errlen)
{
    sqlite3_stmt *st = run_rows(
        s,
        "SELECT r.uuid, r.plugin, r.plugin_version, r.status, r.error, h.name, r.job_id,"
        " r.array_task_id, r.experiment, r.point, r.launcher, r.ranks, r.threads,"
        " r.repetitions, r.queued_at, r.started_at, r.finished_at, r.user, r.job, r.spec_json"
        " FROM runs r LEFT JOIN hosts h ON h.id = r.host_id WHERE r.id = ?1",
        id, err, errlen);
    if (!st)
        return BX_EIO;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE) {
            store__err(err, errlen, "no run %lld in %s", (long long)id, s->path);
            sqlite3_finalize(st);
            return BX_EINVAL;
        }
        return rows_done(s, st, rc, err, errlen);
    }
    cJSON_AddNumberToObject(d, "result_version", 1);
    for (size_t i = 0; i < RUN_MEMBERS; i++)
        add_column(d, run_members[i], st, (int)i);
    if (sqlite3_column_type(st, RUN_MEMBERS) != SQLITE_NULL) {
        cJSON *spec = cJSON_Parse((const char *)sqlite3_column_text(st, RUN_MEMBERS));
        if (spec)
            cJSON_AddItemToObject(d, "spec", spec);
    }
    sqlite3_finalize(st);
    return 0;
}

static int export_params(store *s, int64_t id, cJSON *d, char *err, size_t errlen)
{
    /* in the document's order, which runs.params_json keeps (and the configuration's key);
       a parameter the plugin computed is in params but not in params_json (ingest.c) */
    sqlite3_stmt *st = run_rows(s, "SELECT p.name, p.value, p.type, j.key IS NULL FROM params p"
                                   " JOIN runs r ON r.id = p.run_id"
                                   " LEFT JOIN json_each(r.params_json) j ON j.key = p.name"
                                   " WHERE p.run_id = ?1 ORDER BY j.id, p.name",
                                id, err, errlen);
    if (!st)
        return BX_EIO;
    cJSON *params = cJSON_AddObjectToObject(d, "params");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *p = cJSON_AddObjectToObject(params, (const char *)sqlite3_column_text(st, 0));
        add_column(p, "value", st, 1);
        add_column(p, "type", st, 2);
        if (sqlite3_column_int(st, 3))
            cJSON_AddTrueToObject(p, "computed");
    }
    return rows_done(s, st, rc, err, errlen);
}

/* Metrics in the plugin's order; "headline" as ingest read it (NULL: the document had
   no headline marks, so none is written). */
static int export_metrics(store *s, int64_t id, cJSON *d, char *err, size_t errlen)
{
    sqlite3_stmt *st = run_rows(s, "SELECT name, value, unit, better, headline FROM metrics"
                                   " WHERE run_id = ?1 ORDER BY seq",
                                id, err, errlen);
    if (!st)
        return BX_EIO;
    cJSON *metrics = cJSON_AddObjectToObject(d, "metrics");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *m = cJSON_AddObjectToObject(metrics, (const char *)sqlite3_column_text(st, 0));
        cJSON_AddItemToObject(m, "value", column_json(st, 1));
        add_column(m, "unit", st, 2);
        add_column(m, "better", st, 3);
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            cJSON_AddBoolToObject(m, "headline", sqlite3_column_int(st, 4) != 0);
    }
    return rows_done(s, st, rc, err, errlen);
}

/* Rows of (group, cells...) into obj[group] = [[cells], ...]: samples and node timelines. */
static int export_grouped(store *s, int64_t id, const char *sql, int ncells, cJSON *obj,
                          char *err, size_t errlen)
{
    sqlite3_stmt *st = run_rows(s, sql, id, err, errlen);
    if (!st)
        return BX_EIO;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *group = (const char *)sqlite3_column_text(st, 0);
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, group);
        if (!arr)
            arr = cJSON_AddArrayToObject(obj, group);
        cJSON *row = cJSON_CreateArray();
        for (int c = 1; c <= ncells; c++)
            cJSON_AddItemToArray(row, column_json(st, c));
        cJSON_AddItemToArray(arr, row);
    }
    return rows_done(s, st, rc, err, errlen);
}

/* The job's timeline, and each node's as {"node", "ranks", "timeline"}. */
static int export_timelines(store *s, int64_t id, cJSON *d, char *err, size_t errlen)
{
    cJSON *job = cJSON_CreateObject();
    int rc = export_grouped(s, id,
                            "SELECT '', t, rss_mib, cpu_percent FROM timeline WHERE run_id = ?1"
                            " ORDER BY seq",
                            3, job, err, errlen);
    cJSON *tl = cJSON_DetachItemFromObjectCaseSensitive(job, "");
    cJSON_AddItemToObject(d, "timeline", tl ? tl : cJSON_CreateArray());
    cJSON_Delete(job);
    if (rc)
        return rc;
    sqlite3_stmt *st = run_rows(s, "SELECT node, min(ranks) FROM timeline_nodes WHERE run_id = ?1"
                                   " GROUP BY node ORDER BY node",
                                id, err, errlen);
    if (!st)
        return BX_EIO;
    cJSON *nodes = cJSON_AddArrayToObject(d, "timeline_nodes"), *rows = cJSON_CreateObject();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *n = cJSON_CreateObject();
        add_column(n, "node", st, 0);
        add_column(n, "ranks", st, 1);
        cJSON_AddItemToArray(nodes, n);
    }
    rc = rows_done(s, st, rc, err, errlen);
    if (rc == 0)
        rc = export_grouped(s, id,
                            "SELECT node, t, rss_mib, cpu_percent FROM timeline_nodes"
                            " WHERE run_id = ?1 ORDER BY node, seq",
                            3, rows, err, errlen);
    cJSON *n;
    cJSON_ArrayForEach(n, nodes)
    {
        const char *name = cJSON_GetObjectItemCaseSensitive(n, "node")->valuestring;
        cJSON *tln = cJSON_DetachItemFromObjectCaseSensitive(rows, name);
        cJSON_AddItemToObject(n, "timeline", tln ? tln : cJSON_CreateArray());
    }
    cJSON_Delete(rows);
    return rc;
}

/* The other members, one statement each: lists of text and objects of text. */
static const struct {
    const char *member;
    const char *sql;
    int object; /* key, value rows into an object; else text rows into a list */
} simple_members[] = {
    {"tags", "SELECT tag FROM tags WHERE run_id = ?1 ORDER BY tag", 0},
    {"warnings", "SELECT text FROM warnings WHERE run_id = ?1 ORDER BY seq", 0},
    {"provenance", "SELECT key, value FROM provenance WHERE run_id = ?1 ORDER BY key", 1},
    {"meta", "SELECT key, value FROM run_meta WHERE run_id = ?1 ORDER BY key", 1},
};

static int export_simple(store *s, int64_t id, cJSON *d, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof simple_members / sizeof simple_members[0]; i++) {
        sqlite3_stmt *st = run_rows(s, simple_members[i].sql, id, err, errlen);
        if (!st)
            return BX_EIO;
        cJSON *o = simple_members[i].object ? cJSON_AddObjectToObject(d, simple_members[i].member)
                                            : cJSON_AddArrayToObject(d, simple_members[i].member);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (simple_members[i].object)
                cJSON_AddItemToObject(o, (const char *)sqlite3_column_text(st, 0),
                                      column_json(st, 1));
            else
                cJSON_AddItemToArray(o, column_json(st, 0));
        }
        if ((rc = rows_done(s, st, rc, err, errlen)) != 0)
            return rc;
    }
    return 0;
}

cJSON *store_export_run(store *s, int64_t id, char *err, size_t errlen)
{
    cJSON *d = cJSON_CreateObject(), *samples = NULL;
    int rc = d ? export_run_row(s, id, d, err, errlen) : BX_ENOMEM;
    if (rc == 0)
        rc = export_params(s, id, d, err, errlen);
    if (rc == 0)
        rc = export_metrics(s, id, d, err, errlen);
    if (rc == 0 && (samples = cJSON_AddObjectToObject(d, "samples")))
        rc = export_grouped(s, id,
                            "SELECT metric, rep, idx, value FROM samples WHERE run_id = ?1"
                            " ORDER BY metric, rep, idx",
                            3, samples, err, errlen);
    if (rc == 0)
        rc = export_simple(s, id, d, err, errlen);
    if (rc == 0 && s->schema_version >= 4)
        rc = export_timelines(s, id, d, err, errlen);
    if (rc != 0) {
        if (rc == BX_ENOMEM)
            store__err(err, errlen, "out of memory");
        cJSON_Delete(d);
        return NULL;
    }
    return d;
}
