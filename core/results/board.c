/*
 * board.c — the leaderboard's choice of runs (board.h).
 */
#include "board.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"

/* The best run of each user, host and configuration (params as set, ranks, threads),
 * ranked within its configuration; the configurations ordered by their best value.
 * ?4 = 1: only runs with a caveat, 0: only runs without, 2: both. */
static const char board_sql[] =
    "SELECT run_id, value, user, host, params, started_at, ranks, threads, caveat, config,"
    " crank FROM ("
    " SELECT *, row_number() OVER (PARTITION BY params, coalesce(ranks, -1),"
    "   coalesce(threads, -1) ORDER BY value %s, run_id) AS crank,"
    "  first_value(value) OVER (PARTITION BY params, coalesce(ranks, -1),"
    "   coalesce(threads, -1) ORDER BY value %s) AS best FROM ("
    "  SELECT r.id AS run_id, m.value AS value, r.user AS user, h.name AS host,"
    "   r.params_json AS params, r.started_at AS started_at, r.ranks AS ranks,"
    "   r.threads AS threads, c.value AS caveat, r.config_id AS config,"
    "   row_number() OVER (PARTITION BY coalesce(r.user, ''), coalesce(r.host_id, 0),"
    "    r.params_json, coalesce(r.ranks, -1), coalesce(r.threads, -1)"
    "    ORDER BY m.value %s, r.id) AS rn"
    "  FROM runs r JOIN metrics m ON m.run_id = r.id AND m.name = ?2"
    "  LEFT JOIN hosts h ON h.id = r.host_id"
    "  LEFT JOIN run_meta c ON c.run_id = r.id AND c.key = '" BOARD_CAVEAT_KEY "'"
    "  WHERE r.plugin = ?1 AND r.status = 'ok' AND m.value IS NOT NULL"
    "   AND (?4 = 2 OR (c.value IS NOT NULL) = ?4))"
    " WHERE rn = 1)"
    " ORDER BY best %s, params, coalesce(ranks, -1), coalesce(threads, -1), crank LIMIT ?3";

cJSON *board_computed(store *st, sqlite3_stmt **cache, long long run_id, const char *params_json)
{
    cJSON *out = cJSON_CreateObject();
    cJSON *set = cJSON_Parse(params_json ? params_json : "{}");
    sqlite3_stmt *own = NULL, **s = cache ? cache : &own;
    if (*s)
        sqlite3_reset(*s);
    else if (sqlite3_prepare_v2(store_db(st),
                                "SELECT name, value, type FROM params WHERE run_id = ?1 "
                                "ORDER BY name",
                                -1, s, NULL) != SQLITE_OK)
        *s = NULL;
    if (*s) {
        sqlite3_bind_int64(*s, 1, run_id);
        while (sqlite3_step(*s) == SQLITE_ROW) {
            const char *n = (const char *)sqlite3_column_text(*s, 0);
            const char *v = (const char *)sqlite3_column_text(*s, 1);
            const char *t = (const char *)sqlite3_column_text(*s, 2);
            if (!n || !v || !t || cJSON_GetObjectItemCaseSensitive(set, n))
                continue;
            if (!strcmp(t, "int") || !strcmp(t, "double") || !strcmp(t, "size"))
                cJSON_AddNumberToObject(out, n, strtod(v, NULL));
            else if (!strcmp(t, "bool"))
                cJSON_AddBoolToObject(out, n, !strcmp(v, "true"));
            else
                cJSON_AddStringToObject(out, n, v);
        }
        sqlite3_reset(*s);
    }
    sqlite3_finalize(own);
    cJSON_Delete(set);
    return out;
}

static void add_text_or_null(cJSON *o, const char *k, const char *v)
{
    cJSON_AddItemToObject(o, k, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void add_int_or_null(cJSON *o, const char *k, sqlite3_stmt *s, int col)
{
    cJSON_AddItemToObject(o, k, sqlite3_column_type(s, col) == SQLITE_NULL
                                    ? cJSON_CreateNull()
                                    : cJSON_CreateNumber((double)sqlite3_column_int64(s, col)));
}

/* One row of board_sql as an entry (with its "rank" when ranked). */
static cJSON *entry(store *st, sqlite3_stmt *s, int ranked)
{
    cJSON *e = cJSON_CreateObject();
    if (ranked)
        cJSON_AddNumberToObject(e, "rank", (double)sqlite3_column_int64(s, 10));
    cJSON_AddNumberToObject(e, "value", sqlite3_column_double(s, 1));
    long long id = sqlite3_column_int64(s, 0);
    cJSON_AddNumberToObject(e, "run_id", (double)id);
    add_text_or_null(e, "user", (const char *)sqlite3_column_text(s, 2));
    add_text_or_null(e, "host", (const char *)sqlite3_column_text(s, 3));
    const char *pj = (const char *)sqlite3_column_text(s, 4);
    cJSON *p = cJSON_Parse(pj ? pj : "{}");
    cJSON_AddItemToObject(e, "params", p ? p : cJSON_CreateObject());
    cJSON_AddItemToObject(e, "computed", board_computed(st, NULL, id, pj));
    add_int_or_null(e, "ranks", s, 6);
    add_int_or_null(e, "threads", s, 7);
    const char *t = (const char *)sqlite3_column_text(s, 5);
    cJSON_AddStringToObject(e, "started_at", t ? t : "");
    add_text_or_null(e, "caveat", (const char *)sqlite3_column_text(s, 8));
    add_int_or_null(e, "config", s, 9);
    return e;
}

/* The rows of board_sql for `which` (0, 1, 2: see there) into a new array of j. */
static int board_rows(store *st, const board_query *q, int which, long limit, int ranked,
                      cJSON *arr, char *err, size_t errlen)
{
    const char *dir = q->lower_is_better ? "ASC" : "DESC";
    char sql[sizeof board_sql + 32];
    snprintf(sql, sizeof sql, board_sql, dir, dir, dir, dir);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(st)));
        return BX_EIO;
    }
    sqlite3_bind_text(s, 1, q->plugin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, q->metric, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, limit);
    sqlite3_bind_int(s, 4, which);
    while (sqlite3_step(s) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, entry(st, s, ranked));
    sqlite3_finalize(s);
    return 0;
}

int board_rank(store *st, const board_query *q, cJSON *j, char *err, size_t errlen)
{
    cJSON *entries = cJSON_AddArrayToObject(j, "entries");
    cJSON *left = cJSON_AddArrayToObject(j, "left_out");
    int rc = board_rows(st, q, q->include_warned ? 2 : 0, q->limit, 1, entries, err, errlen);
    if (rc == 0 && !q->include_warned)
        rc = board_rows(st, q, 1, q->limit, 0, left, err, errlen);
    return rc;
}

void board_plugins(store *st, strvec *out)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "SELECT DISTINCT plugin FROM runs ORDER BY 1", -1, &s,
                           NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        strvec_push(out, t ? t : "");
    }
    sqlite3_finalize(s);
}

void board_metrics(store *st, const char *plugin, strvec *names, strvec *units)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT name, unit FROM metrics WHERE run_id = (SELECT max(id) FROM "
                           "runs WHERE plugin = ?1 AND status = 'ok') ORDER BY seq",
                           -1, &s, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(s, 1, plugin, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(s, 0);
        const char *u = (const char *)sqlite3_column_text(s, 1);
        strvec_push(names, n ? n : "");
        strvec_push(units, u ? u : "");
    }
    sqlite3_finalize(s);
}
