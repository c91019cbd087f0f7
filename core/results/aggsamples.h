/*
 * aggsamples.h — inside the grouped query (aggregate.c): the samples of the
 * rows of `--over samples`, read after the rows in run order and merged into
 * their groups (aggregate_samples.c); a group's values.
 */
#ifndef BENCHAAS_RESULTS_AGGSAMPLES_H
#define BENCHAAS_RESULTS_AGGSAMPLES_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "query.h"

/* The values of one group: its fields' values and metric, and each value with its run. */
typedef struct group {
    char *key;    /* the values joined by \x1f, then the metric: the hash key */
    char **vals;  /* nf values (NULL for NULL) */
    char **types; /* nf parameter types ("int", "bool", ...) or NULL */
    char *metric, *unit, *better;
    int seq; /* smallest position of the metric in its run (the plugin's order) */
    double *v;
    size_t n, cap;
    int64_t *runs; /* the run of each value (for the runs statistic) */
} group;

/* One value of run `run` into gr.  0 or BX_ENOMEM. */
int agg_group_push(group *gr, double v, int64_t run);

/* A metric row whose samples are read afterwards (agg_merge_samples). */
typedef struct pending {
    int64_t run;
    group *g;
    double value; /* the run's value, when it has no samples */
    int has_value, mi;
} pending;

/* The samples of one run range of one metric, in run order: from a statement (the main
   thread) or from a buffer a reader thread filled. */
typedef struct scur {
    sqlite3_stmt *st; /* NULL: the buffer */
    int step;
    int64_t *run;
    double *v;
    size_t n, cap, i;
} scur;

#define SAMPLE_CHUNKS 32

/*
 * The samples of one metric in chunks of run ids: this thread takes chunks
 * from the lowest up (reading and merging each from its own statement), a
 * reader thread on the twin connection from the highest down (into a buffer
 * each), until they meet.  The reader can start before this thread has the
 * rows to merge (while it reads them), and whichever thread is free takes
 * the next chunk, so that neither waits long for the other.
 */
typedef struct spass {
    const char *metric;
    int nchunks;
    int64_t bound[SAMPLE_CHUNKS + 1]; /* chunk k: runs bound[k] .. bound[k + 1] - 1 */
    scur buf[SAMPLE_CHUNKS];          /* the reader's chunks */
    int done[SAMPLE_CHUNKS];          /* the reader's chunk k is complete */
    int high;                         /* the reader's next chunk (from the top down) */
    int low;                          /* this thread's next chunk (from the bottom up) */
    int stop;                         /* this thread gave up */
    int rc;                           /* the reader's BX_E*, or 0 */
    store *twin;
    int packed;   /* the samples of the runs up to mark are packed (store_samples_mark) */
    int64_t mark;
    int threaded;
    pthread_t tid;
    pthread_mutex_t mu; /* guards high, low, done, stop and rc */
    pthread_cond_t cv;
} spass;

/* Does the store have the index agg_merge_samples reads (version 6)? */
int agg_has_samples_index(store *s);

/* Start the pass over metric's samples (a reader thread on a twin connection when the
   history is long enough); agg_spass_end joins it and frees what it read. */
void agg_spass_start(spass *sp, store *s, const char *metric);
void agg_spass_end(spass *sp);

/* The samples of the pending rows p[0..n) into their groups (p is sorted here); first: a
   pass already started for the filter's only metric, or NULL.  0, BX_ENOMEM or BX_EIO. */
int agg_merge_samples(store *s, const qfilter *filt, pending *p, size_t n, spass *first);

#endif
