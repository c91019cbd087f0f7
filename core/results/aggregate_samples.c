/*
 * aggregate_samples.c — the samples of `query --over samples`: the grouped
 * query (aggregate.c) reads the metric rows and remembers each row's group,
 * then the samples of each metric are read in run order, in chunks of runs
 * shared between this thread and a reader thread on a twin connection, and
 * merged into the groups: from the metric's packed samples (samples_chunks,
 * schema version 10) up to its mark, the rest from the index samples_metric,
 * the same values in the same order either way.
 */
#define _GNU_SOURCE
#include "aggsamples.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"

int agg_group_push(group *gr, double v, int64_t run)
{
    if (gr->n == gr->cap) {
        size_t cap = gr->cap ? gr->cap * 2 : 8;
        double *nv = realloc(gr->v, cap * sizeof *nv);
        if (nv)
            gr->v = nv;
        int64_t *nr = nv ? realloc(gr->runs, cap * sizeof *nr) : NULL;
        if (!nr)
            return BX_ENOMEM;
        gr->runs = nr;
        gr->cap = cap;
    }
    gr->v[gr->n] = v;
    gr->runs[gr->n++] = run;
    return 0;
}

int agg_has_samples_index(store *s)
{
    sqlite3_stmt *st;
    int yes = 0;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND"
                           " name = 'samples_metric'",
                           -1, &st, NULL) == SQLITE_OK)
        yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

static int cmp_pending(const void *pa, const void *pb)
{
    const pending *a = pa, *b = pb;
    if (a->mi != b->mi)
        return a->mi < b->mi ? -1 : 1;
    return a->run < b->run ? -1 : a->run > b->run;
}

static const char samples_sql[] =
    "SELECT run_id, value FROM samples INDEXED BY samples_metric"
    " WHERE metric = ?1 AND run_id BETWEEN ?2 AND ?3 AND value IS NOT NULL ORDER BY run_id";

static int scur_row(const scur *c) { return c->st ? c->step == SQLITE_ROW : c->i < c->n; }
static int64_t scur_run(const scur *c)
{
    return c->st ? sqlite3_column_int64(c->st, 0) : c->run[c->i];
}
static double scur_value(const scur *c)
{
    return c->st ? sqlite3_column_double(c->st, 1) : c->v[c->i];
}
static void scur_next(scur *c)
{
    if (c->st)
        c->step = sqlite3_step(c->st);
    else
        c->i++;
}

/* Bind st to metric's samples of runs lo..hi and step to the first. */
static void scur_start(scur *c, sqlite3_stmt *st, const char *metric, int64_t lo, int64_t hi)
{
    memset(c, 0, sizeof *c);
    c->st = st;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, lo);
    sqlite3_bind_int64(st, 3, hi);
    c->step = sqlite3_step(st);
}

/* The pending rows p[a..b) (one metric, in run order) from the samples of c. */
static int merge_range(scur *c, sqlite3_stmt *any_st, const qfilter *filt, pending *p,
                       size_t a, size_t b)
{
    int rc = 0;
    for (size_t i = a; rc == 0 && i < b; i++) {
        int any = 0;
        while (scur_row(c) && scur_run(c) < p[i].run)
            scur_next(c);
        while (rc == 0 && scur_row(c) && scur_run(c) == p[i].run) {
            any = 1;
            double v = scur_value(c);
            if (isfinite(v))
                rc = agg_group_push(p[i].g, v, p[i].run);
            scur_next(c);
        }
        if (rc == 0 && !any && p[i].has_value && isfinite(p[i].value)) {
            sqlite3_reset(any_st);
            sqlite3_bind_int64(any_st, 1, p[i].run);
            sqlite3_bind_text(any_st, 2, filt->metrics.v[p[i].mi], -1, SQLITE_STATIC);
            if (sqlite3_step(any_st) != SQLITE_ROW)
                rc = BX_EIO;
            else if (sqlite3_column_int(any_st, 0) == 0) /* no samples: the run's value */
                rc = agg_group_push(p[i].g, p[i].value, p[i].run);
        }
        if (c->st && c->step != SQLITE_ROW && c->step != SQLITE_DONE)
            rc = BX_EIO;
    }
    return rc;
}

/* A metric whose samples span fewer run ids than this is read by one thread (the test hook
   BENCHAAS_TEST_SPLIT_MIN sets another, for the small histories of the tests). */
static int64_t split_min(void)
{
    const char *e = getenv("BENCHAAS_TEST_SPLIT_MIN");
    long v = e ? strtol(e, NULL, 10) : 0;
    return v > 0 ? (int64_t)v : 4096;
}

/* metric's samples of the runs lo .. hi appended to the buffer b: the packed ones up to
   the mark (version 10), the others from the index (st, on conn too).  0, BX_E*. */
static int fill_range(const spass *sp, store *conn, sqlite3_stmt *st, int64_t lo, int64_t hi,
                      scur *b)
{
    int rc = 0;
    if (sp->packed && lo <= sp->mark) {
        store_samples out = {b->run, b->v, b->n, b->cap};
        rc = store_samples_read(conn, sp->metric, lo, hi < sp->mark ? hi : sp->mark, &out);
        b->run = out.run;
        b->v = out.v;
        b->n = out.n;
        b->cap = out.cap;
        if (rc || hi <= sp->mark)
            return rc;
        lo = sp->mark + 1;
    }
    scur c;
    for (scur_start(&c, st, sp->metric, lo, hi); scur_row(&c); scur_next(&c)) {
        if (b->n == b->cap) {
            size_t cap = b->cap ? 2 * b->cap : 4096;
            int64_t *nr = realloc(b->run, cap * sizeof *nr);
            if (nr)
                b->run = nr;
            double *nv = nr ? realloc(b->v, cap * sizeof *nv) : NULL;
            if (!nv)
                return BX_ENOMEM;
            b->v = nv;
            b->cap = cap;
        }
        b->run[b->n] = scur_run(&c);
        b->v[b->n++] = scur_value(&c);
    }
    return c.step == SQLITE_DONE ? 0 : BX_EIO;
}

static void *samples_reader(void *arg)
{
    spass *sp = arg;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(store_db(sp->twin), samples_sql, -1, &st, NULL) == SQLITE_OK
                 ? 0
                 : BX_EIO;
    for (int k;;) {
        pthread_mutex_lock(&sp->mu);
        k = rc || sp->stop || sp->high < sp->low ? -1 : sp->high--;
        pthread_mutex_unlock(&sp->mu);
        if (k < 0)
            break;
        rc = fill_range(sp, sp->twin, st, sp->bound[k], sp->bound[k + 1] - 1, &sp->buf[k]);
        pthread_mutex_lock(&sp->mu);
        sp->done[k] = 1;
        if (rc)
            sp->rc = rc;
        pthread_cond_broadcast(&sp->cv);
        pthread_mutex_unlock(&sp->mu);
    }
    if (rc) {
        pthread_mutex_lock(&sp->mu);
        sp->rc = rc;
        pthread_mutex_unlock(&sp->mu);
    }
    sqlite3_finalize(st);
    return NULL;
}

/* Chunks of metric's samples, and the reader thread when the store has a twin and the
   samples span enough runs (else one chunk, this thread's). */
void agg_spass_start(spass *sp, store *s, const char *metric)
{
    memset(sp, 0, sizeof *sp);
    sp->metric = metric;
    sp->nchunks = 1;
    sp->high = -1;
    sp->bound[0] = INT64_MIN;
    sp->bound[1] = INT64_MAX;
    sp->twin = store_twin(s, 0);
    /* (BENCHAAS_TEST_NO_PACKED: the index alone, the answer the packed samples must give) */
    sp->packed = !getenv("BENCHAAS_TEST_NO_PACKED") && store_samples_mark(s, metric, &sp->mark);
    sqlite3_stmt *st;
    if (!sp->twin ||
        sqlite3_prepare_v2(store_db(s),
                           /* (one seek each: a min() and a max() together are a scan) */
                           "SELECT (SELECT min(run_id) FROM samples INDEXED BY samples_metric"
                           " WHERE metric = ?1 AND value IS NOT NULL),"
                           " (SELECT max(run_id) FROM samples INDEXED BY samples_metric"
                           " WHERE metric = ?1 AND value IS NOT NULL)",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    int64_t lo = 0, hi = 0;
    int span = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (span) {
        lo = sqlite3_column_int64(st, 0);
        hi = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (!span || hi - lo < split_min())
        return;
    sp->nchunks = SAMPLE_CHUNKS;
    for (int k = 1; k < SAMPLE_CHUNKS; k++)
        sp->bound[k] = lo + (int64_t)((double)(hi - lo) * k / SAMPLE_CHUNKS);
    sp->bound[SAMPLE_CHUNKS] = INT64_MAX;
    sp->high = SAMPLE_CHUNKS - 1;
    pthread_mutex_init(&sp->mu, NULL);
    pthread_cond_init(&sp->cv, NULL);
    sp->threaded = pthread_create(&sp->tid, NULL, samples_reader, sp) == 0;
    if (!sp->threaded) {
        pthread_mutex_destroy(&sp->mu);
        pthread_cond_destroy(&sp->cv);
        sp->high = -1; /* every chunk this thread's */
    }
}

/* Stop and wait for the reader thread; free its buffers. */
void agg_spass_end(spass *sp)
{
    if (sp->threaded) {
        pthread_mutex_lock(&sp->mu);
        sp->stop = 1;
        pthread_mutex_unlock(&sp->mu);
        pthread_join(sp->tid, NULL);
        pthread_mutex_destroy(&sp->mu);
        pthread_cond_destroy(&sp->cv);
        sp->threaded = 0;
    }
    for (int k = 0; k < SAMPLE_CHUNKS; k++) {
        free(sp->buf[k].run);
        free(sp->buf[k].v);
    }
    memset(sp->buf, 0, sizeof sp->buf);
}

/* The pending rows p[a..b) of sp's metric (in run order), chunk by chunk: the chunks the
   reader did not take from statement st, the others from the reader's buffers. */
static int spass_merge(store *s, spass *sp, sqlite3_stmt *st, sqlite3_stmt *any_st,
                       const qfilter *filt, pending *p, size_t a, size_t b)
{
    int rc = 0;
    size_t i = a;
    for (int k = 0; rc == 0 && k < sp->nchunks; k++) {
        size_t j = i;
        while (j < b && p[j].run < sp->bound[k + 1])
            j++;
        int mine = 1;
        if (sp->threaded) {
            pthread_mutex_lock(&sp->mu);
            mine = k <= sp->high;
            if (mine)
                sp->low = k + 1;
            else
                while (!sp->done[k])
                    pthread_cond_wait(&sp->cv, &sp->mu);
            rc = mine ? 0 : sp->rc;
            pthread_mutex_unlock(&sp->mu);
        }
        if (rc == 0 && mine && sp->packed) {
            scur c = {0};
            if ((rc = fill_range(sp, s, st, sp->bound[k], sp->bound[k + 1] - 1, &c)) == 0)
                rc = merge_range(&c, any_st, filt, p, i, j);
            free(c.run);
            free(c.v);
        } else if (rc == 0 && mine) {
            scur c;
            scur_start(&c, st, sp->metric, sp->bound[k], sp->bound[k + 1] - 1);
            rc = merge_range(&c, any_st, filt, p, i, j);
        } else if (rc == 0) {
            rc = merge_range(&sp->buf[k], any_st, filt, p, i, j);
            free(sp->buf[k].run);
            free(sp->buf[k].v);
            memset(&sp->buf[k], 0, sizeof sp->buf[k]);
        }
        i = j;
    }
    return rc;
}

/*
 * --over samples for rows of a metrics_find range: each metric's samples are
 * read in run order from samples_metric (metric, run, value) and merged with
 * the metric rows sorted by run, instead of a look-up into samples per row.
 * Each run's samples go to its row's group, or its value when it has none
 * (what the join gave).  With a twin connection (store_open_twins) a reader
 * thread reads chunks of them too (spass); `first`, when not NULL, is the
 * pass of the filter's only metric, started before its rows were read.  The
 * same samples in the same order.  0, BX_ENOMEM or BX_EIO.
 */
int agg_merge_samples(store *s, const qfilter *filt, pending *p, size_t n, spass *first)
{
    sqlite3_stmt *st, *any_st = NULL;
    if (n == 0)
        return 0;
    /* (the index holds the samples that are numbers; a run none of whose samples is a
       number still has samples: any_st tells it from a run without) */
    if (sqlite3_prepare_v2(store_db(s), samples_sql, -1, &st, NULL) != SQLITE_OK)
        return BX_EIO;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT EXISTS (SELECT 1 FROM samples WHERE run_id = ?1 AND metric = ?2)",
                           -1, &any_st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return BX_EIO;
    }
    /* (rows of a history stored as it ran come in run order already: no sort then) */
    size_t sorted = 1;
    while (sorted < n && cmp_pending(&p[sorted - 1], &p[sorted]) <= 0)
        sorted++;
    if (sorted < n)
        qsort(p, n, sizeof *p, cmp_pending);
    int rc = 0;
    for (size_t a = 0, b; rc == 0 && a < n; a = b) {
        for (b = a; b < n && p[b].mi == p[a].mi; b++)
            ;
        const char *metric = filt->metrics.v[p[a].mi];
        spass own, *sp = first && strcmp(first->metric, metric) == 0 ? first : &own;
        if (sp == &own)
            agg_spass_start(sp, s, metric);
        rc = spass_merge(s, sp, st, any_st, filt, p, a, b);
        if (sp == &own)
            agg_spass_end(sp);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(any_st);
    return rc;
}

