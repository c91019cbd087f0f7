/*
 * samplepack.c — every metric's samples kept packed (schema version 10).
 *
 * samples_chunks holds, for each metric, its samples that have a value, of
 * the runs up to the metric's mark (the largest last_run of its chunks), in
 * the order of the index samples_metric (run id, then value, then rep and
 * idx), as records of STORE_SAMPLE_BYTES (run id, value; little-endian).  A
 * metric's chunks cover contiguous run ranges first_run .. last_run.  The
 * migration packs every stored sample; ingest packs the runs past a metric's
 * mark once they span STORE_SAMPLES_TAIL run ids (a reader takes the runs
 * after the mark from the index).  A sample of a covered run deleted, changed
 * or added other than by ingest marks its metric in samples_stale (the
 * triggers of version 10); readers leave a stale metric to the index, and the
 * next packing of it at ingest, or store_points_rebuild, packs it again.
 */
#define _GNU_SOURCE
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h" /* BX_E* codes */

static void put_le64(unsigned char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(x >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

static int sp_error(store *s, const char *what, char *err, size_t errlen)
{
    store__err(err, errlen, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    return BX_EIO;
}

/* The runs past a metric's mark that ingest leaves to the index (the test hook
   BENCHAAS_TEST_SAMPLES_TAIL sets another, for the small histories of the tests). */
static int64_t tail_runs(void)
{
    const char *e = getenv("BENCHAAS_TEST_SAMPLES_TAIL");
    long v = e ? strtol(e, NULL, 10) : 0;
    return v > 0 ? (int64_t)v : STORE_SAMPLES_TAIL;
}

/* metric's mark: the last run its chunks cover, INT64_MIN when it has none (the
   statement kept until store_close: ingest asks for every run).  0 or BX_EIO. */
static int mark_of(store *s, const char *metric, int64_t *mark)
{
    sqlite3_stmt **st = &s->pst[PST_SAMPLES_MARK];
    *mark = INT64_MIN;
    if (!*st &&
        sqlite3_prepare_v3(s->db, "SELECT max(last_run) FROM samples_chunks WHERE metric = ?1",
                           -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return BX_EIO;
    }
    sqlite3_bind_text(*st, 1, metric, -1, SQLITE_STATIC);
    int rc = sqlite3_step(*st) == SQLITE_ROW ? 0 : BX_EIO;
    if (rc == 0 && sqlite3_column_type(*st, 0) != SQLITE_NULL)
        *mark = sqlite3_column_int64(*st, 0);
    sqlite3_reset(*st);
    sqlite3_clear_bindings(*st);
    return rc;
}

/* One chunk of metric: runs first .. last, records data[0..n). */
static int put_chunk(store *s, sqlite3_stmt *ins, const char *metric, int64_t first, int64_t last,
                     const unsigned char *data, size_t n, char *err, size_t errlen)
{
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, metric, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, first);
    sqlite3_bind_int64(ins, 3, last);
    sqlite3_bind_int64(ins, 4, (int64_t)n);
    sqlite3_bind_blob(ins, 5, n ? data : (const void *)"", (int)(n * STORE_SAMPLE_BYTES),
                      SQLITE_STATIC);
    int rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : sp_error(s, "packing samples", err, errlen);
    sqlite3_reset(ins);
    return rc;
}

/*
 * metric's samples of the runs after .. upto (after excluded), from the index,
 * into chunks of about STORE_SAMPLES_CHUNK records cut between runs; the last
 * chunk ends at upto, so that the mark becomes upto even when those runs have
 * no samples.  0 or BX_E*.
 */
static int pack_range(store *s, const char *metric, int64_t after, int64_t upto, char *err,
                      size_t errlen)
{
    sqlite3_stmt *rd = NULL, *ins = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT run_id, value FROM samples INDEXED BY samples_metric"
                           " WHERE metric = ?1 AND run_id > ?2 AND run_id <= ?3"
                           " AND value IS NOT NULL ORDER BY metric, run_id, value",
                           -1, &rd, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO samples_chunks(metric, first_run, last_run, n, data)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &ins, NULL) != SQLITE_OK) {
        sqlite3_finalize(rd);
        return sp_error(s, "packing samples", err, errlen);
    }
    sqlite3_bind_text(rd, 1, metric, -1, SQLITE_STATIC);
    sqlite3_bind_int64(rd, 2, after);
    sqlite3_bind_int64(rd, 3, upto);
    size_t cap = (STORE_SAMPLES_CHUNK + 64) * STORE_SAMPLE_BYTES, n = 0;
    unsigned char *buf = malloc(cap);
    int rc = buf ? 0 : BX_ENOMEM, step;
    int64_t first = after + 1, prev = after;
    while (rc == 0 && (step = sqlite3_step(rd)) == SQLITE_ROW) {
        int64_t run = sqlite3_column_int64(rd, 0);
        double v = sqlite3_column_double(rd, 1);
        if (run != prev && n >= STORE_SAMPLES_CHUNK) { /* a full chunk ends before this run */
            rc = put_chunk(s, ins, metric, first, prev, buf, n, err, errlen);
            first = prev + 1;
            n = 0;
        }
        if (rc == 0 && (n + 1) * STORE_SAMPLE_BYTES > cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = BX_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        if (rc == 0) {
            uint64_t bits;
            memcpy(&bits, &v, sizeof bits);
            put_le64(buf + n * STORE_SAMPLE_BYTES, (uint64_t)run);
            put_le64(buf + n * STORE_SAMPLE_BYTES + 8, bits);
            n++;
            prev = run;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = sp_error(s, "reading samples", err, errlen);
    if (rc == 0)
        rc = put_chunk(s, ins, metric, first, upto, buf, n, err, errlen);
    if (rc == BX_ENOMEM)
        store__err(err, errlen, "out of memory");
    free(buf);
    sqlite3_finalize(rd);
    sqlite3_finalize(ins);
    return rc;
}

/* Run sql (binding metric as ?1 when not NULL) to its end. */
static int exec_metric(store *s, const char *sql, const char *metric, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sp_error(s, "packing samples", err, errlen);
    if (metric)
        sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sp_error(s, "packing samples", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

/* metric's chunks made again from the index, up to run upto; no longer stale. */
static int repack(store *s, const char *metric, int64_t upto, char *err, size_t errlen)
{
    int rc = exec_metric(s, "DELETE FROM samples_chunks WHERE metric = ?1", metric, err, errlen);
    if (rc == 0)
        rc = exec_metric(s, "DELETE FROM samples_stale WHERE metric = ?1", metric, err, errlen);
    return rc ? rc : pack_range(s, metric, INT64_MIN, upto, err, errlen);
}

/* The last run id, or INT64_MIN when there is none.  0 or BX_EIO. */
static int last_run(store *s, int64_t *upto)
{
    sqlite3_stmt *st;
    *upto = INT64_MIN;
    if (sqlite3_prepare_v2(s->db, "SELECT max(id) FROM runs", -1, &st, NULL) != SQLITE_OK)
        return BX_EIO;
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : BX_EIO;
    if (rc == 0 && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *upto = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* Repack every metric of the samples (stale_only: those marked in samples_stale). */
static int repack_metrics(store *s, int stale_only, char *err, size_t errlen)
{
    int64_t upto;
    if (last_run(s, &upto) != 0)
        return sp_error(s, "reading the runs", err, errlen);
    sqlite3_stmt *st;
    /* (one seek per metric: the next metric name after the last) */
    const char *sql = stale_only ? "SELECT metric FROM samples_stale WHERE metric > ?1"
                                   " ORDER BY metric LIMIT 1"
                                 : "SELECT metric FROM samples INDEXED BY samples_metric"
                                   " WHERE metric > ?1 AND value IS NOT NULL"
                                   " ORDER BY metric LIMIT 1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sp_error(s, "packing samples", err, errlen);
    char *metric = strdup("");
    int rc = metric ? 0 : BX_ENOMEM;
    while (rc == 0 && upto != INT64_MIN) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, metric, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(st);
        if (step != SQLITE_ROW) {
            rc = step == SQLITE_DONE ? 0 : sp_error(s, "packing samples", err, errlen);
            break;
        }
        free(metric);
        if (!(metric = strdup((const char *)sqlite3_column_text(st, 0)))) {
            rc = BX_ENOMEM;
            break;
        }
        sqlite3_reset(st);
        rc = repack(s, metric, upto, err, errlen);
    }
    if (rc == BX_ENOMEM)
        store__err(err, errlen, "out of memory");
    free(metric);
    sqlite3_finalize(st);
    return rc;
}

int store__samples_pack_all(store *s, char *err, size_t errlen)
{
    int rc = exec_metric(s, "DELETE FROM samples_chunks", NULL, err, errlen);
    if (rc == 0)
        rc = exec_metric(s, "DELETE FROM samples_stale", NULL, err, errlen);
    return rc ? rc : repack_metrics(s, 0, err, errlen);
}

int store__samples_rebuild_stale(store *s, char *err, size_t errlen)
{
    return s->schema_version < STORE_SAMPLES_VERSION ? 0 : repack_metrics(s, 1, err, errlen);
}

int store__samples_ingested(store *s, const char *metric, int64_t run, char *err, size_t errlen)
{
    int64_t mark;
    if (mark_of(s, metric, &mark) != 0)
        return sp_error(s, "reading the packed samples", err, errlen);
    /* (a run at or before the mark was stored again: the triggers marked it stale) */
    if (run <= mark || (mark != INT64_MIN && run - mark < tail_runs()) ||
        (mark == INT64_MIN && run < tail_runs()))
        return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM samples_stale WHERE metric = ?1)",
                           -1, &st, NULL) != SQLITE_OK)
        return sp_error(s, "reading the packed samples", err, errlen);
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    int step = sqlite3_step(st), stale = step == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (step != SQLITE_ROW)
        return sp_error(s, "reading the packed samples", err, errlen);
    return stale ? repack(s, metric, run, err, errlen)
                 : pack_range(s, metric, mark, run, err, errlen);
}

/* ---- readers ----------------------------------------------------------------------- */

int store_samples_mark(store *s, const char *metric, int64_t *mark)
{
    *mark = INT64_MIN;
    if (s->schema_version < STORE_SAMPLES_VERSION)
        return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM samples_stale WHERE metric = ?1)",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    int fresh = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
    sqlite3_finalize(st);
    return fresh && mark_of(s, metric, mark) == 0 && *mark != INT64_MIN;
}

int store_samples_read(store *s, const char *metric, int64_t lo, int64_t hi, store_samples *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT first_run, n, data FROM samples_chunks"
                           " WHERE metric = ?1 AND last_run >= ?2 ORDER BY last_run",
                           -1, &st, NULL) != SQLITE_OK)
        return BX_EIO;
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, lo);
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) > hi)
            break; /* (the chunks cover contiguous ranges: the rest come after hi) */
        size_t n = (size_t)sqlite3_column_int64(st, 1);
        const unsigned char *d = sqlite3_column_blob(st, 2);
        if ((size_t)sqlite3_column_bytes(st, 2) != n * STORE_SAMPLE_BYTES || (n && !d)) {
            rc = BX_EIO;
            break;
        }
        if (out->n + n > out->cap) {
            size_t cap = out->cap ? out->cap : 4096;
            while (cap < out->n + n)
                cap *= 2;
            int64_t *nr = realloc(out->run, cap * sizeof *nr);
            if (nr)
                out->run = nr;
            double *nv = nr ? realloc(out->v, cap * sizeof *nv) : NULL;
            if (!nv) {
                rc = BX_ENOMEM;
                break;
            }
            out->v = nv;
            out->cap = cap;
        }
        for (size_t i = 0; i < n; i++, d += STORE_SAMPLE_BYTES) {
            int64_t run = (int64_t)get_le64(d);
            if (run < lo || run > hi)
                continue;
            uint64_t bits = get_le64(d + 8);
            out->run[out->n] = run;
            memcpy(&out->v[out->n++], &bits, sizeof bits);
        }
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = BX_EIO;
    sqlite3_finalize(st);
    return rc;
}
