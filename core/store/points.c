/*
 * points.c — the points of every series, kept at ingest (schema version 9).
 *
 * A series here is (metric, plugin, status, configuration, host); its points
 * are the values of its higher/lower-is-better metric rows with their run and
 * start time, in the order of the index metrics_find (start time, then run
 * id), packed into chunks of STORE_POINTS_CHUNK records (series_points).  A
 * pass over every series (the report) reads a few thousand chunk rows instead
 * of every metric row.  Ingest appends a run's points in the transaction that
 * stores its rows; a run older than the series' last point goes into its
 * place in the chunk it belongs in, and a chunk that is then longer than
 * 2 x STORE_POINTS_CHUNK is split, the series' later chunks renumbered, so
 * the chunks stay numbered 0, 1, ... and every one but the last holds
 * STORE_POINTS_CHUNK to 2 x STORE_POINTS_CHUNK points, whatever order the runs
 * come in (history stored newest first, a spool collected in directory
 * order).  A metric row deleted or changed by anything else marks its series
 * stale (triggers of version 9), and the next ingest into a stale series, or
 * store_points_rebuild, builds it again from the metric rows.  Readers use a
 * series only when nothing of its kind is stale and its points number its rows.
 */
#define _GNU_SOURCE
#include "store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h" /* BX_E* codes */

/* ---- records ----------------------------------------------------------------------- */

static void put64(unsigned char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(x >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

void store_point_get(const void *data, size_t i, store_point *out)
{
    const unsigned char *p = (const unsigned char *)data + i * STORE_POINT_BYTES;
    uint64_t v = get64(p + 16);
    out->run = (int64_t)get64(p);
    out->t = (int64_t)get64(p + 8);
    memcpy(&out->v, &v, sizeof v);
}

static void point_put(unsigned char *p, const store_point *pt)
{
    uint64_t v;
    memcpy(&v, &pt->v, sizeof v);
    put64(p, (uint64_t)pt->run);
    put64(p + 8, (uint64_t)pt->t);
    put64(p + 16, v);
}

/* a before b in the order of metrics_find (no start time first) */
static int point_before(const store_point *a, const store_point *b)
{
    return a->t != b->t ? a->t < b->t : a->run < b->run;
}

/*
 * The start time of a stored row as a point's t: 1 and *t when it is in the
 * canonical form ingest writes (so that comparing times compares the texts
 * as metrics_find does), INT64_MIN for none; 0 for any other text.
 */
static int point_time(const char *text, int64_t *t)
{
    char again[32];
    if (!text) {
        *t = INT64_MIN;
        return 1;
    }
    if (store_time_parse(text, t, NULL) != 0)
        return 0;
    store_time_format(*t, again, sizeof again);
    return strcmp(again, text) == 0;
}

/* ---- the statements ---------------------------------------------------------------- */

#define KEY_WHERE "metric = ?1 AND plugin = ?2 AND status = ?3 AND config_id = ?4 AND host_id = ?5"

static const char sql_last[] =
    "SELECT id, chunk, n, data FROM series_points WHERE " KEY_WHERE " ORDER BY chunk DESC LIMIT 1";
/* chunk ?6 of a series */
static const char sql_at[] = "SELECT id, chunk, n, data, first_t, first_run FROM series_points"
                             " WHERE " KEY_WHERE " AND chunk = ?6";
static const char sql_update[] =
    "UPDATE series_points SET n = ?2, data = ?3, first_t = ?4, first_run = ?5 WHERE id = ?1";
static const char sql_insert[] =
    "INSERT INTO series_points(metric, plugin, status, config_id, host_id, chunk, n, first_t,"
    " first_run, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_stale[] = "SELECT failed FROM series_stale WHERE " KEY_WHERE;
static const char sql_stale_mark[] =
    "INSERT OR REPLACE INTO series_stale(metric, plugin, status, config_id, host_id, failed)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_stale_clear[] = "DELETE FROM series_stale WHERE " KEY_WHERE;
static const char sql_drop[] = "DELETE FROM series_points WHERE " KEY_WHERE;

/* Statement `id` (sql) of s, prepared on first use and kept until store_close, reset and
   its bindings cleared; NULL when SQLite refused it. */
static sqlite3_stmt *pstmt(store *s, int id, const char *sql)
{
    sqlite3_stmt **slot = &s->pst[id];
    if (*slot) {
        sqlite3_reset(*slot);
        sqlite3_clear_bindings(*slot);
        return *slot;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK)
        *slot = NULL;
    return *slot;
}

/* The key of one series. */
typedef struct skey {
    const char *metric, *plugin, *status;
    int64_t config_id, host_id;
} skey;

/* The key k as parameters 1..5 of st (KEY_WHERE). */
static void bind_key(sqlite3_stmt *st, const skey *k)
{
    sqlite3_bind_text(st, 1, k->metric, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k->plugin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, k->config_id);
    sqlite3_bind_int64(st, 5, k->host_id);
}

static sqlite3_stmt *keyed(store *s, int id, const char *sql, const skey *k)
{
    sqlite3_stmt *st = pstmt(s, id, sql);
    if (st)
        bind_key(st, k);
    return st;
}

static int db_error(store *s, const char *what, char *err, size_t errlen)
{
    store__err(err, errlen, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    return BX_EIO;
}

/* Run a statement to its end (and reset it). */
static int finish(store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    int rc = st && sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, what, err, errlen);
    if (st)
        sqlite3_reset(st);
    return rc;
}

/* Points p[0..n) as a chunk's data (malloc'd), or NULL with err set. */
static unsigned char *points_blob(const store_point *p, size_t n, char *err, size_t errlen)
{
    unsigned char *data = malloc(n * STORE_POINT_BYTES);
    if (!data) {
        store__err(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        point_put(data + i * STORE_POINT_BYTES, &p[i]);
    return data;
}

/* Store chunk `chunk` of series k: points p[0..n). */
static int insert_chunk(store *s, const skey *k, int64_t chunk, const store_point *p, size_t n,
                        char *err, size_t errlen)
{
    unsigned char *data = points_blob(p, n, err, errlen);
    if (!data)
        return BX_ENOMEM;
    sqlite3_stmt *st = keyed(s, PST_INSERT, sql_insert, k);
    if (st) {
        sqlite3_bind_int64(st, 6, chunk);
        sqlite3_bind_int64(st, 7, (int64_t)n);
        sqlite3_bind_int64(st, 8, p[0].t);
        sqlite3_bind_int64(st, 9, p[0].run);
        sqlite3_bind_blob(st, 10, data, (int)(n * STORE_POINT_BYTES), SQLITE_STATIC);
    }
    int rc = finish(s, st, "storing the points of a series", err, errlen);
    free(data);
    return rc;
}

/* ---- building a series from its metric rows ------------------------------------------ */

/* The points of one series while they are read. */
typedef struct sbuf {
    int64_t c, h;
    store_point *p;
    size_t n, cap;
    int inexact; /* a start time not in canonical form: the series stays stale */
} sbuf;

static int sbuf_push(sbuf *b, const store_point *pt)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        store_point *np = realloc(b->p, cap * sizeof *np);
        if (!np)
            return BX_ENOMEM;
        b->p = np;
        b->cap = cap;
    }
    b->p[b->n++] = *pt;
    return 0;
}

/* The last chunks of the series built by one pass over every series, written after all
   the others: a table's rows go in the order they are written, so the chunks ingest
   rewrites (each series' last) share pages instead of each having one of its own. */
typedef struct tails {
    struct tail {
        char *metric, *plugin, *status;
        int64_t c, h, chunk;
        store_point *p;
        size_t n;
    } *t;
    size_t n, cap;
} tails;

static int tails_add(tails *ts, const skey *k, int64_t chunk, const store_point *p, size_t n)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? 2 * ts->cap : 64;
        struct tail *nt = realloc(ts->t, cap * sizeof *nt);
        if (!nt)
            return BX_ENOMEM;
        ts->t = nt;
        ts->cap = cap;
    }
    struct tail *t = &ts->t[ts->n];
    *t = (struct tail){strdup(k->metric), strdup(k->plugin), strdup(k->status), k->config_id,
                       k->host_id, chunk, malloc(n * sizeof *p), n};
    ts->n++;
    if (!t->metric || !t->plugin || !t->status || !t->p)
        return BX_ENOMEM;
    memcpy(t->p, p, n * sizeof *p);
    return 0;
}

/* Write the deferred last chunks and free them (all of them, also after an error). */
static int tails_write(store *s, tails *ts, int rc, char *err, size_t errlen)
{
    for (size_t i = 0; i < ts->n; i++) {
        struct tail *t = &ts->t[i];
        skey k = {t->metric, t->plugin, t->status, t->c, t->h};
        if (rc == 0)
            rc = insert_chunk(s, &k, t->chunk, t->p, t->n, err, errlen);
        free(t->metric);
        free(t->plugin);
        free(t->status);
        free(t->p);
    }
    free(ts->t);
    memset(ts, 0, sizeof *ts);
    return rc;
}

/* The series' points into chunks (the old ones gone), and its stale mark cleared, or kept
   with failed = 1 when it cannot be kept (a start time in another form); the last chunk
   into *defer when given. */
static int write_series(store *s, const skey *k, const sbuf *b, tails *defer, char *err,
                        size_t errlen)
{
    int rc = finish(s, keyed(s, PST_DROP, sql_drop, k), "replacing the points of a series", err,
                    errlen);
    if (rc == 0 && b->inexact) {
        sqlite3_stmt *st = keyed(s, PST_STALE_MARK, sql_stale_mark, k);
        if (st)
            sqlite3_bind_int(st, 6, 1);
        return finish(s, st, "marking a series", err, errlen);
    }
    for (size_t i = 0, c = 0; rc == 0 && i < b->n; i += STORE_POINTS_CHUNK, c++) {
        size_t n = b->n - i < STORE_POINTS_CHUNK ? b->n - i : STORE_POINTS_CHUNK;
        if (defer && i + n == b->n) {
            if (tails_add(defer, k, (int64_t)c, b->p + i, n) != 0) {
                store__err(err, errlen, "out of memory");
                rc = BX_ENOMEM;
            }
        } else {
            rc = insert_chunk(s, k, (int64_t)c, b->p + i, n, err, errlen);
        }
    }
    if (rc == 0)
        rc = finish(s, keyed(s, PST_STALE_CLEAR, sql_stale_clear, k), "marking a series", err,
                    errlen);
    return rc;
}

/* The series buffers of one (metric, plugin, status) range: a list (a range has a few
   hundred series at most). */
typedef struct srange {
    sbuf *b;
    size_t n, cap;
} srange;

static sbuf *srange_get(srange *r, int64_t c, int64_t h)
{
    for (size_t i = r->n; i-- > 0;)
        if (r->b[i].c == c && r->b[i].h == h)
            return &r->b[i];
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        sbuf *nb = realloc(r->b, cap * sizeof *nb);
        if (!nb)
            return NULL;
        r->b = nb;
        r->cap = cap;
    }
    memset(&r->b[r->n], 0, sizeof r->b[r->n]);
    r->b[r->n].c = c;
    r->b[r->n].h = h;
    return &r->b[r->n++];
}

static int srange_flush(store *s, srange *r, const char *metric, const char *plugin,
                        const char *status, tails *defer, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < r->n; i++) {
        skey k = {metric, plugin, status, r->b[i].c, r->b[i].h};
        if (rc == 0)
            rc = write_series(s, &k, &r->b[i], defer, err, errlen);
        free(r->b[i].p);
    }
    r->n = 0;
    return rc;
}

/*
 * Build series from the metric rows: every series (only NULL) or the one of
 * `only`.  Rows come from metrics_find in its order, so each series' points
 * come in order.
 */
static int build(store *s, const skey *only, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    const char *sql =
        only ? "SELECT name, run_plugin, run_status, run_config_id, run_host_id, run_started_at,"
               " run_id, value FROM metrics INDEXED BY metrics_find WHERE name = ?1"
               " AND run_plugin = ?2 AND run_status = ?3"
               " AND (better = 'higher' OR better = 'lower')"
               " AND coalesce(run_config_id, 0) = ?4 AND coalesce(run_host_id, 0) = ?5"
             : "SELECT name, run_plugin, run_status, run_config_id, run_host_id, run_started_at,"
               " run_id, value FROM metrics INDEXED BY metrics_find"
               " WHERE (better = 'higher' OR better = 'lower') AND run_plugin IS NOT NULL"
               " AND run_status IS NOT NULL";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "reading the metric rows of a series", err, errlen);
    if (only) {
        sqlite3_bind_text(st, 1, only->metric, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, only->plugin, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, only->status, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, only->config_id);
        sqlite3_bind_int64(st, 5, only->host_id);
    }
    srange r = {0};
    tails deferred = {0}, *defer = only ? NULL : &deferred;
    char *cur[3] = {NULL, NULL, NULL}; /* the range read: metric, plugin, status */
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *col[3];
        for (int i = 0; i < 3; i++)
            col[i] = (const char *)sqlite3_column_text(st, i);
        if (!col[0] || !col[1] || !col[2])
            continue;
        if (!cur[0] || strcmp(cur[0], col[0]) || strcmp(cur[1], col[1]) || strcmp(cur[2], col[2])) {
            if (cur[0])
                rc = srange_flush(s, &r, cur[0], cur[1], cur[2], defer, err, errlen);
            for (int i = 0; i < 3; i++) {
                free(cur[i]);
                cur[i] = strdup(col[i]);
                if (!cur[i])
                    rc = BX_ENOMEM;
            }
            if (rc)
                break;
        }
        sbuf *b = srange_get(&r, sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
        store_point pt = {sqlite3_column_int64(st, 6), 0,
                          sqlite3_column_type(st, 7) == SQLITE_NULL ? NAN
                                                                    : sqlite3_column_double(st, 7)};
        if (!b) {
            rc = BX_ENOMEM;
            break;
        }
        if (!point_time((const char *)sqlite3_column_text(st, 5), &pt.t))
            b->inexact = 1;
        rc = sbuf_push(b, &pt);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(s, "reading the metric rows of a series", err, errlen);
    sqlite3_finalize(st);
    if (rc == 0 && only && r.n == 0) { /* no rows left: no points, nothing stale */
        sbuf none = {0};
        rc = write_series(s, only, &none, NULL, err, errlen);
    }
    if (rc == 0 && cur[0])
        rc = srange_flush(s, &r, cur[0], cur[1], cur[2], defer, err, errlen);
    for (size_t i = 0; i < r.n; i++)
        free(r.b[i].p);
    free(r.b);
    for (int i = 0; i < 3; i++)
        free(cur[i]);
    rc = tails_write(s, &deferred, rc, err, errlen);
    if (rc == BX_ENOMEM)
        store__err(err, errlen, "out of memory");
    return rc;
}

int store__points_build_all(store *s, char *err, size_t errlen)
{
    return build(s, NULL, err, errlen);
}

int store_points_rebuild(store *s, char *err, size_t errlen)
{
    if (s->schema_version < 9)
        return 0;
    /* every stale series, one at a time (a series marked failed too: its rows may have
       been put right since) */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT metric, plugin, status, config_id, host_id FROM series_stale",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "reading the stale series", err, errlen);
    skey *keys = NULL;
    char **texts = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            skey *nk = realloc(keys, cap * sizeof *nk);
            if (nk)
                keys = nk;
            char **nt = nk ? realloc(texts, 3 * cap * sizeof *nt) : NULL;
            if (!nt) {
                rc = BX_ENOMEM;
                break;
            }
            texts = nt;
        }
        for (int i = 0; i < 3; i++)
            texts[3 * n + i] = strdup((const char *)sqlite3_column_text(st, i));
        keys[n] = (skey){texts[3 * n], texts[3 * n + 1], texts[3 * n + 2],
                         sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4)};
        n++;
        if (!texts[3 * n - 3] || !texts[3 * n - 2] || !texts[3 * n - 1])
            rc = BX_ENOMEM;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = build(s, &keys[i], err, errlen);
    if (rc == 0) /* and the stale metrics' packed samples (version 10) */
        rc = store__samples_rebuild_stale(s, err, errlen);
    for (size_t i = 0; i < 3 * n; i++)
        free(texts[i]);
    free(texts);
    free(keys);
    if (rc == BX_ENOMEM)
        store__err(err, errlen, "out of memory");
    return rc;
}

/* ---- ingest ------------------------------------------------------------------------ */

/* The chunk row st is on: id, chunk number, points (decoded into *p, malloc'd). */
static int chunk_read(sqlite3_stmt *st, int64_t *id, int64_t *chunk, store_point **p, size_t *n,
                      size_t extra)
{
    *id = sqlite3_column_int64(st, 0);
    *chunk = sqlite3_column_int64(st, 1);
    const void *data = sqlite3_column_blob(st, 3);
    size_t bytes = (size_t)sqlite3_column_bytes(st, 3);
    *n = bytes / STORE_POINT_BYTES;
    *p = malloc((*n + extra) * sizeof **p);
    if (!*p)
        return BX_ENOMEM;
    for (size_t i = 0; i < *n; i++)
        store_point_get(data, i, &(*p)[i]);
    return 0;
}

/* Points p[0..n) as chunk row id's data (and its first point). */
static int chunk_write(store *s, int64_t id, const store_point *p, size_t n, char *err,
                       size_t errlen)
{
    unsigned char *data = points_blob(p, n, err, errlen);
    if (!data)
        return BX_ENOMEM;
    sqlite3_stmt *up = pstmt(s, PST_UPDATE, sql_update);
    if (up) {
        sqlite3_bind_int64(up, 1, id);
        sqlite3_bind_int64(up, 2, (int64_t)n);
        sqlite3_bind_blob(up, 3, data, (int)(n * STORE_POINT_BYTES), SQLITE_STATIC);
        sqlite3_bind_int64(up, 4, p[0].t);
        sqlite3_bind_int64(up, 5, p[0].run);
    }
    int rc = finish(s, up, "storing the points of a series", err, errlen);
    free(data);
    return rc;
}

/*
 * Renumber the chunks of series k after chunk `after` by +by.  The unique
 * index (series, chunk) is checked at each row an UPDATE changes, so a single
 * "chunk = chunk + by" collides with the next chunk (and SQLite has no ORDER
 * BY on UPDATE in every build): they go to negative numbers, -(chunk + by) - 1,
 * which no chunk holds, and then back.
 */
static const char sql_shift_out[] =
    "UPDATE series_points SET chunk = -(chunk + ?7) - 1 WHERE " KEY_WHERE " AND chunk > ?6";
static const char sql_shift_back[] =
    "UPDATE series_points SET chunk = -chunk - 1 WHERE " KEY_WHERE " AND chunk < 0";

static int chunks_shift(store *s, const skey *k, int64_t after, int64_t by, char *err,
                        size_t errlen)
{
    sqlite3_stmt *st = keyed(s, PST_SHIFT_OUT, sql_shift_out, k);
    if (st) {
        sqlite3_bind_int64(st, 6, after);
        sqlite3_bind_int64(st, 7, by);
    }
    int rc = finish(s, st, "renumbering the points of a series", err, errlen);
    return rc ? rc
              : finish(s, keyed(s, PST_SHIFT_BACK, sql_shift_back, k),
                       "renumbering the points of a series", err, errlen);
}

/*
 * Points p[0..n) as chunk row id (number chunk) of series k, split when they
 * are more than 2 x STORE_POINTS_CHUNK: into n / STORE_POINTS_CHUNK chunks of
 * about the same size (two halves for a chunk that one point took past the
 * limit; more for one grown before chunks were split), the first in row id,
 * the others numbered after it, every later chunk of the series renumbered.
 */
static int chunk_store(store *s, const skey *k, int64_t id, int64_t chunk, const store_point *p,
                       size_t n, char *err, size_t errlen)
{
    if (n <= 2 * STORE_POINTS_CHUNK)
        return chunk_write(s, id, p, n, err, errlen);
    size_t m = n / STORE_POINTS_CHUNK;
    int rc = chunks_shift(s, k, chunk, (int64_t)m - 1, err, errlen);
    if (rc == 0)
        rc = chunk_write(s, id, p, n / m, err, errlen);
    for (size_t i = 1; rc == 0 && i < m; i++) {
        size_t from = i * n / m, to = (i + 1) * n / m;
        rc = insert_chunk(s, k, chunk + (int64_t)i, p + from, to - from, err, errlen);
    }
    return rc;
}

/* Put pt into the chunk st is on, in its place (the chunk split when that makes it too
   long). */
static int chunk_insert(store *s, const skey *k, sqlite3_stmt *st, const store_point *pt,
                        char *err, size_t errlen)
{
    int64_t id, chunk;
    store_point *p;
    size_t n;
    if (chunk_read(st, &id, &chunk, &p, &n, 1) != 0) {
        sqlite3_reset(st);
        store__err(err, errlen, "out of memory");
        return BX_ENOMEM;
    }
    sqlite3_reset(st);
    size_t at = n;
    while (at > 0 && point_before(pt, &p[at - 1]))
        at--;
    memmove(p + at + 1, p + at, (n - at) * sizeof *p);
    p[at] = *pt;
    int rc = chunk_store(s, k, id, chunk, p, n + 1, err, errlen);
    free(p);
    return rc;
}

/*
 * Put pt, older than the first point of the series' last chunk (number `last`),
 * into the chunk it belongs in: the last of 0 .. last - 1 whose first point is
 * not after it, chunk 0 when it is older than every point.  The chunks are
 * numbered 0, 1, ... in order, so halving finds it in log2(last) lookups of the
 * unique index (a scan back from the last chunk read every chunk of the series
 * for each run older than all, as when history is stored newest first).  A
 * series whose chunks are not so numbered (edited by hand) is built again from
 * its metric rows, this run's among them.
 */
static int chunk_insert_before(store *s, const skey *k, const store_point *pt, int64_t last,
                               char *err, size_t errlen)
{
    int64_t lo = 0, hi = last > 0 ? last - 1 : 0;
    for (;;) {
        int64_t at = lo == hi ? lo : lo + (hi - lo + 1) / 2;
        sqlite3_stmt *st = keyed(s, PST_AT, sql_at, k);
        if (!st)
            return db_error(s, "reading the points of a series", err, errlen);
        sqlite3_bind_int64(st, 6, at);
        int step = sqlite3_step(st);
        if (step != SQLITE_ROW) {
            sqlite3_reset(st);
            return step == SQLITE_DONE
                       ? build(s, k, err, errlen)
                       : db_error(s, "reading the points of a series", err, errlen);
        }
        if (lo == hi)
            return chunk_insert(s, k, st, pt, err, errlen);
        store_point first = {sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 4), 0};
        sqlite3_reset(st);
        if (point_before(pt, &first))
            hi = at - 1;
        else
            lo = at;
    }
}

/* Append pt at the end of the chunk st is on (id, chunk, n points). */
static int chunk_append(store *s, sqlite3_stmt *st, const store_point *pt, char *err,
                        size_t errlen)
{
    int64_t id = sqlite3_column_int64(st, 0);
    const void *old = sqlite3_column_blob(st, 3);
    size_t bytes = (size_t)sqlite3_column_bytes(st, 3);
    unsigned char *data = malloc(bytes + STORE_POINT_BYTES);
    if (!data) {
        sqlite3_reset(st);
        store__err(err, errlen, "out of memory");
        return BX_ENOMEM;
    }
    if (bytes)
        memcpy(data, old, bytes);
    sqlite3_reset(st);
    point_put(data + bytes, pt);
    store_point first;
    store_point_get(data, 0, &first);
    sqlite3_stmt *up = pstmt(s, PST_UPDATE, sql_update);
    if (up) {
        sqlite3_bind_int64(up, 1, id);
        sqlite3_bind_int64(up, 2, (int64_t)(bytes / STORE_POINT_BYTES + 1));
        sqlite3_bind_blob(up, 3, data, (int)(bytes + STORE_POINT_BYTES), SQLITE_STATIC);
        sqlite3_bind_int64(up, 4, first.t);
        sqlite3_bind_int64(up, 5, first.run);
    }
    int rc = finish(s, up, "storing the points of a series", err, errlen);
    free(data);
    return rc;
}

int store__points_any_stale(store *s)
{
    sqlite3_stmt *st = pstmt(s, PST_ANY_STALE, "SELECT EXISTS (SELECT 1 FROM series_stale)");
    int any = !st || sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 0;
    if (st)
        sqlite3_reset(st);
    return any;
}

int store__points_add(store *s, const char *metric, const char *plugin, const char *status,
                      int64_t config_id, int64_t host_id, int64_t run, const char *started_at,
                      int has_value, double value, int any_stale, char *err, size_t errlen)
{
    skey k = {metric, plugin, status, config_id, host_id};
    store_point pt = {run, 0, has_value && isfinite(value) ? value : NAN};
    sqlite3_stmt *st;
    int step;
    if (any_stale) {
        if (!(st = keyed(s, PST_STALE, sql_stale, &k)))
            return db_error(s, "reading the points of a series", err, errlen);
        step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step == SQLITE_ROW) /* stale: built again from its rows (this run's among them) */
            return build(s, &k, err, errlen);
        if (step != SQLITE_DONE)
            return db_error(s, "reading the points of a series", err, errlen);
    }
    if (!point_time(started_at, &pt.t)) { /* (ingest writes canonical times only) */
        st = keyed(s, PST_STALE_MARK, sql_stale_mark, &k);
        if (st)
            sqlite3_bind_int(st, 6, 1);
        return finish(s, st, "marking a series", err, errlen);
    }
    if (!(st = keyed(s, PST_LAST, sql_last, &k)))
        return db_error(s, "reading the points of a series", err, errlen);
    if ((step = sqlite3_step(st)) == SQLITE_DONE) { /* the series' first point */
        sqlite3_reset(st);
        return insert_chunk(s, &k, 0, &pt, 1, err, errlen);
    }
    if (step != SQLITE_ROW) {
        sqlite3_reset(st);
        return db_error(s, "reading the points of a series", err, errlen);
    }
    size_t bytes = (size_t)sqlite3_column_bytes(st, 3);
    size_t n = bytes / STORE_POINT_BYTES;
    store_point last;
    if (n)
        store_point_get(sqlite3_column_blob(st, 3), n - 1, &last);
    if (n == 0 || !point_before(&pt, &last)) { /* in order: at the end */
        if (n < STORE_POINTS_CHUNK)
            return chunk_append(s, st, &pt, err, errlen);
        int64_t chunk = sqlite3_column_int64(st, 1);
        sqlite3_reset(st);
        return insert_chunk(s, &k, chunk + 1, &pt, 1, err, errlen);
    }
    store_point first;
    store_point_get(sqlite3_column_blob(st, 3), 0, &first);
    if (!point_before(&pt, &first)) /* in the last chunk */
        return chunk_insert(s, &k, st, &pt, err, errlen);
    int64_t last_chunk = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return chunk_insert_before(s, &k, &pt, last_chunk, err, errlen);
}
