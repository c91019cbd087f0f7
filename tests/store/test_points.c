/*
 * test_points.c — the chunks of a series' points (core/store/points.c) when runs arrive
 * out of time order: a chunk that an older run makes longer than 2 x STORE_POINTS_CHUNK
 * is split, and the later chunks of its series renumbered.
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "analyze.h"
#include "query.h"

#define NRUNS 300

/* The series the hand edits below change: gflops of the runs ok on node01. */
static const char one_series[] = "metric = 'gflops' AND status = 'ok' AND host_id ="
                                 " (SELECT id FROM hosts WHERE name = 'node01')";

/* Run i: hpl, NB=192, on node01 (node02 one run in four), failed one run in ten, started
   i hours after 2020-01-01 (run 7 of every 50 at the same time as the one before, with its
   value, so that the series' order does not depend on which run was stored first). */
static cJSON *chunk_doc(int i)
{
    char uuid[16], when[32];
    snprintf(uuid, sizeof uuid, "c%d", i);
    cJSON *d = doc_new(uuid, "hpl", i % 10 == 9 ? "failed" : "ok");
    doc_str(d, "host", i % 4 == 3 ? "node02" : "node01");
    int at = i % 50 == 7 ? i - 1 : i;
    store_time_format(1577836800 + 3600 * (int64_t)at, when, sizeof when);
    doc_str(d, "started_at", when);
    doc_param(d, "NB", "192", "int");
    double v = 40 + (at * 7) % 13 + 0.01 * at;
    doc_metric(d, "gflops", v, "GFLOP/s", "higher");
    doc_metric(d, "time", 1000 / v, "s", "lower");
    doc_metric(d, "wall_time", 30, "s", "none");
    return d;
}

/* *out: a database of the NRUNS runs stored in the order order[] (one transaction each,
   or in batches of `batch`). */
static int store_in_order(const char *name, const int *order, int batch, store **out)
{
    char err[256];
    store *s = *out = open_db(name);
    CHECK(s);
    for (int i = 0; i < NRUNS; i++) {
        if (batch && i % batch == 0)
            CHECK(store_batch_begin(s, err, sizeof err) == 0);
        cJSON *d = chunk_doc(order[i]);
        int64_t id = ingest(s, d);
        cJSON_Delete(d);
        CHECK(id > 0);
        if (batch && (i % batch == batch - 1 || i == NRUNS - 1))
            CHECK(store_batch_commit(s, err, sizeof err) == 0);
    }
    return 0;
}

/*
 * Every series' chunks in order: none empty or longer than 2 x STORE_POINTS_CHUNK,
 * numbered 0 .. k-1, first_t and first_run those of the chunk's first point, the points in
 * (start, run) order within and across chunks, as many as the series has rows; none stale.
 */
static int chunks_sound(store *s)
{
    CHECK(sql_int(s, "SELECT count(*) FROM series_stale") == 0);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM series_points WHERE n < 1 OR n > %d OR length(data) != %d * n",
             2 * STORE_POINTS_CHUNK, STORE_POINT_BYTES);
    CHECK(sql_int(s, sql) == 0);
    CHECK(sql_int(s, "SELECT count(*) FROM (SELECT count(*) k, min(chunk) lo, max(chunk) hi"
                     " FROM series_points GROUP BY metric, plugin, status, config_id, host_id)"
                     " WHERE lo != 0 OR hi != k - 1") == 0);
    CHECK(sql_int(s, "SELECT sum(n) FROM series_points") ==
          sql_int(s, "SELECT count(*) FROM metrics WHERE better IN ('higher', 'lower')"));
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(store_db(s),
                             "SELECT chunk, first_t, first_run, data FROM series_points"
                             " ORDER BY metric, plugin, status, config_id, host_id, chunk",
                             -1, &st, NULL) == SQLITE_OK);
    store_point prev = {0, 0, 0};
    int bad = 0;
    while (!bad && sqlite3_step(st) == SQLITE_ROW) {
        const void *data = sqlite3_column_blob(st, 3);
        size_t n = (size_t)sqlite3_column_bytes(st, 3) / STORE_POINT_BYTES;
        store_point pt;
        store_point_get(data, 0, &pt);
        bad |= pt.t != sqlite3_column_int64(st, 1) || pt.run != sqlite3_column_int64(st, 2);
        for (size_t i = 0; i < n; i++) {
            store_point_get(data, i, &pt);
            /* (chunk 0 begins a series: no order with the one before) */
            if (i > 0 || sqlite3_column_int64(st, 0) > 0)
                bad |= pt.t < prev.t || (pt.t == prev.t && pt.run <= prev.run);
            prev = pt;
        }
    }
    sqlite3_finalize(st);
    CHECKM(!bad, "a chunk's first point or the order of the points is wrong");
    return 0;
}

/* Every series' points in chunk order: a line a series, its key and its chunks' data in
   hex, joined (malloc'd, or NULL). */
static char *points_text(store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT metric || '|' || plugin || '|' || status || '|' || config_id"
                           " || '|' || host_id, hex(data) FROM series_points"
                           " ORDER BY metric, plugin, status, config_id, host_id, chunk",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    char *buf = NULL, *last = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    while (out && sqlite3_step(st) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        if (!last || strcmp(last, key) != 0) {
            fprintf(out, "%s%s ", last ? "\n" : "", key);
            free(last);
            last = strdup(key);
        }
        fputs((const char *)sqlite3_column_text(st, 1), out);
    }
    sqlite3_finalize(st);
    free(last);
    if (out)
        fclose(out);
    return buf;
}

/* Every series marked stale and built again from its metric rows by store_points_rebuild:
   the same points in the same order (in chunks of STORE_POINTS_CHUNK now). */
static int rebuild_same(store *s)
{
    char err[256];
    char *before = points_text(s);
    CHECK(before && strlen(before) > 1000);
    CHECK(sqlite3_exec(store_db(s),
                       "INSERT INTO series_stale(metric, plugin, status, config_id, host_id)"
                       " SELECT DISTINCT metric, plugin, status, config_id, host_id"
                       " FROM series_points",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(store_points_rebuild(s, err, sizeof err) == 0);
    CHECK(sql_int(s, "SELECT max(n) FROM series_points") == STORE_POINTS_CHUNK);
    char *after = points_text(s);
    int same = after && strcmp(before, after) == 0;
    free(before);
    free(after);
    CHECKM(same, "the points differ from those built again from the metric rows");
    return 0;
}

/* The report's series pass (the points' reader, analyze.c) over status `status` of a and
   of b: the same entries, with the same values and start times in the same order; the same
   run ids too when `same_ids` (b the same database read from its metric rows). */
static int pass_same(store *a, const char *adb, store *b, const char *bdb, const char *status,
                     int same_ids)
{
    int flags = ASET_PER_HOST | ASET_TIMES | ASET_DIRECTIONAL | ASET_SERIES;
    aset x, y;
    qfilter f = {0};
    f.cmd = "report";
    f.db = adb;
    CHECK(qfilter_option(&f, "--status", status) == 0);
    CHECK(aset_load(a, &f, flags, &x) == 0);
    f.db = bdb;
    if (same_ids)
        setenv("BENCHAAS_TEST_NO_POINTS", "1", 1);
    int rc = aset_load(b, &f, flags, &y);
    unsetenv("BENCHAAS_TEST_NO_POINTS");
    qfilter_free(&f);
    CHECK(rc == 0);
    int bad = x.n == 0 || x.n != y.n || x.nruns != y.nruns;
    for (size_t i = 0; !bad && i < x.n; i++) {
        const aentry *e = x.e[i], *g = aset_find(&y, e->key);
        bad = !g || e->values.n != g->values.n || e->times.n != g->times.n ||
              e->values.n != e->times.n ||
              (e->values.n &&
               (memcmp(e->values.v, g->values.v, e->values.n * sizeof(double)) != 0 ||
                memcmp(e->times.v, g->times.v, e->times.n * sizeof(double)) != 0));
        if (!bad && same_ids)
            bad = e->ids.n != g->ids.n ||
                  (e->ids.n && memcmp(e->ids.v, g->ids.v, e->ids.n * sizeof(double)) != 0) ||
                  e->first_run != g->first_run || e->last_run != g->last_run;
        if (bad)
            fprintf(stderr, "differs: %s (status %s)\n", e->key, status);
    }
    aset_free(&x);
    aset_free(&y);
    CHECK(!bad);
    return 0;
}

/* What every database of the runs must show, whatever order they came in. */
static int sound_and_same(store *s, const char *name, store *in_order)
{
    char db[512];
    snprintf(db, sizeof db, "%s", tpath(name));
    CHECK(chunks_sound(s) == 0);
    CHECK(sql_int(s, "SELECT max(chunk) FROM series_points") >= 2); /* (chunked at all) */
    static const char *const statuses[] = {"ok", "failed"};
    for (int i = 0; i < 2; i++) {
        CHECKM(pass_same(s, db, s, db, statuses[i], 1) == 0, "points against rows");
        CHECKM(pass_same(s, db, in_order, tpath("in.db"), statuses[i], 0) == 0,
               "against the runs stored in time order");
    }
    return 0;
}

/* The first `joined` chunks of one_series joined into chunk 0 and the later ones numbered
   from 1, as ingest left a series before it split chunks; *points: chunk 0's points now. */
static int join_series(store *s, int joined, int64_t *points)
{
    sqlite3 *db = store_db(s);
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT data FROM series_points WHERE %s AND chunk < %d"
             " ORDER BY chunk", one_series, joined);
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    unsigned char *all = NULL;
    size_t len = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        unsigned char *more = realloc(all, len + n);
        CHECK(more);
        all = more;
        memcpy(all + len, sqlite3_column_blob(st, 0), n);
        len += n;
    }
    sqlite3_finalize(st);
    CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
    snprintf(sql, sizeof sql,
             "DELETE FROM series_points WHERE %s AND chunk BETWEEN 1 AND %d;"
             "UPDATE series_points SET chunk = -chunk WHERE %s AND chunk >= %d;"
             "UPDATE series_points SET chunk = -chunk - %d WHERE %s AND chunk < 0",
             one_series, joined - 1, one_series, joined, joined - 1, one_series);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE series_points SET n = ?1, data = ?2 WHERE %s AND chunk = 0",
             one_series);
    CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_int64(st, 1, (int64_t)(len / STORE_POINT_BYTES));
    sqlite3_bind_blob(st, 2, all, (int)len, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    free(all);
    CHECK(step == SQLITE_DONE);
    CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
    *points = (int64_t)(len / STORE_POINT_BYTES);
    return 0;
}

/*
 * NRUNS runs of a few series (two hosts, two statuses, two directional metrics) stored
 * in time order, newest first (one transaction each) and shuffled (in batches): in each
 * database no chunk holds more than 2 x STORE_POINTS_CHUNK points, the chunks of a series
 * are numbered 0 .. k-1 in time order with the first point's time and run, the points
 * are those store_points_rebuild builds from the metric rows, in the same order, and the
 * report's series pass reads the same as from the rows and as from the database stored
 * in order.  A chunk grown long before (four chunks of a series joined by hand) is
 * cut into chunks of about STORE_POINTS_CHUNK by the next run stored into it, the later
 * chunks renumbered by as many; a series whose last chunk was numbered apart by hand is
 * built again from its rows by the next run whose chunk is looked for in the gap.
 * Mutations: no split (chunk_store only writing the row) fails chunks_sound's length
 * check; the later chunks not renumbered (chunks_shift skipped) fails the ingest (the
 * unique index); renumbered by 1 whatever the number of pieces fails the long chunk's
 * ingest; the second step of the renumbering skipped (chunks left at negative numbers)
 * fails the ingest of the next split; the new chunks' first_t/first_run those of the
 * split chunk (p instead of p + from) fails chunks_sound's first point check; the search
 * for an older run's chunk that stops at a missing number instead of building the series
 * again fails the ingest of the run into the gap; the search turned the wrong way at a
 * chunk's first point, or not searching (chunk 0 always), fails the order check.
 */
int test_chunk_split(void)
{
    int order[NRUNS];
    for (int i = 0; i < NRUNS; i++)
        order[i] = i;
    store *in, *rev, *shuf;
    CHECK(store_in_order("in.db", order, 0, &in) == 0);
    CHECK(chunks_sound(in) == 0);
    for (int i = 0; i < NRUNS; i++)
        order[i] = NRUNS - 1 - i;
    CHECK(store_in_order("rev.db", order, 0, &rev) == 0);
    CHECK(sound_and_same(rev, "rev.db", in) == 0);
    CHECK(rebuild_same(rev) == 0);
    store_close(rev);
    unsigned x = 12345; /* a fixed shuffle (Fisher-Yates on a linear congruential sequence) */
    for (int i = NRUNS - 1; i > 0; i--) {
        x = x * 1103515245u + 12345u;
        int j = (int)((x >> 8) % (unsigned)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    CHECK(store_in_order("shuf.db", order, 64, &shuf) == 0);
    CHECK(sound_and_same(shuf, "shuf.db", in) == 0);
    CHECK(rebuild_same(shuf) == 0);
    store_close(shuf);

    /* a chunk grown long by ingest before it split chunks: split by the next older run */
    int64_t joined;
    CHECK(join_series(in, 4, &joined) == 0 && joined == 4 * STORE_POINTS_CHUNK);
    CHECK(sql_int(in, "SELECT max(n) FROM series_points") == 4 * STORE_POINTS_CHUNK);
    char sql[512], when[32];
    snprintf(sql, sizeof sql, "SELECT max(chunk) FROM series_points WHERE %s", one_series);
    CHECK(sql_int(in, sql) >= 2); /* (later chunks to renumber) */
    cJSON *d = chunk_doc(1);
    doc_str(d, "uuid", "early");
    doc_str(d, "started_at", "2020-01-01T00:30:00Z");
    CHECK(ingest(in, d) > 0);
    cJSON_Delete(d);
    CHECK(chunks_sound(in) == 0);
    CHECK(pass_same(in, tpath("in.db"), in, tpath("in.db"), "ok", 1) == 0);
    CHECK(rebuild_same(in) == 0);

    /* a series' last chunk numbered apart by hand: the next run that the search for its
       chunk takes into the gap builds the series again */
    snprintf(sql, sizeof sql, "SELECT max(chunk) FROM series_points WHERE %s", one_series);
    int64_t last = sql_int(in, sql);
    CHECK(last >= 4);
    snprintf(sql, sizeof sql, "SELECT first_t FROM series_points WHERE %s AND chunk = %lld",
             one_series, (long long)last);
    store_time_format(sql_int(in, sql) - 1800, when, sizeof when);
    snprintf(sql, sizeof sql,
             "UPDATE series_points SET chunk = chunk + 5 WHERE %s AND chunk = %lld", one_series,
             (long long)last);
    CHECK(sqlite3_exec(store_db(in), sql, NULL, NULL, NULL) == SQLITE_OK);
    d = chunk_doc(1);
    doc_str(d, "uuid", "gap");
    doc_str(d, "started_at", when);
    CHECK(ingest(in, d) > 0);
    cJSON_Delete(d);
    CHECK(chunks_sound(in) == 0);
    CHECK(pass_same(in, tpath("in.db"), in, tpath("in.db"), "ok", 1) == 0);
    store_close(in);
    return 0;
}
