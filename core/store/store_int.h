/*
 * store_int.h — what the files of the store share, and nothing outside it reads
 * (tests/arch: only core/store/ includes this header).
 *
 *   shared.c   error messages and a PRAGMA read, for all of them
 *   schema.c   the schema, its append-only migration list, migrating a database
 *   open.c     the header check, creating a database, opening and closing connections
 *   docread.c  reading and checking a result document before anything is written
 *   ingest.c   a checked document into the tables (one transaction a run, batches)
 *   export.c   the way back: a stored run as a result document, beside ingest
 *   points.c   the points of every series, kept by ingest (version 9)
 *   samplepack.c  every metric's samples packed, kept by ingest (version 10)
 */
#ifndef BENCHAAS_STORE_INT_H
#define BENCHAAS_STORE_INT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The cached statements of ingest.  SQL in stmt_sql[], same order. */
enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_FIND_RUN,
    ST_FIND_HOST,
    ST_UPSERT_HOST,
    ST_INSERT_RUN,
    ST_UPDATE_RUN,
    ST_DEL_PARAMS,
    ST_DEL_METRICS,
    ST_DEL_SAMPLES,
    ST_DEL_TAGS,
    ST_DEL_PROV,
    ST_DEL_META,
    ST_DEL_WARN,
    ST_DEL_TIMELINE,
    ST_DEL_TIMELINE_NODES,
    ST_INS_TAG,
    ST_INS_WARN,
    ST_INS_TIMELINE,
    ST_INS_TIMELINE_NODE,
    ST_FIND_CONFIG,
    ST_INS_CONFIG,
    ST_INS_CONFIG_PARAM,
    ST_INS_SERIES,
    ST_INS_METRIC_KIND,
    ST__COUNT
};

/* The metric kinds (plugin, metric, better) this connection has stored in a
 * committed transaction: ingest skips their INSERT.  Forgotten on rollback. */
#define KINDS_CACHED 512 /* slots; at most half are used */
typedef struct kind_cache {
    struct kind_slot {
        uint64_t hash;
        char *key; /* plugin \x1f name \x1f better (owned), NULL: empty */
    } slot[KINDS_CACHED];
    size_t n;
} kind_cache;

/* The statements of points.c (its own: it runs inside the migration, below open.c). */
enum { PST_LAST, PST_AT, PST_UPDATE, PST_INSERT, PST_SHIFT_OUT, PST_SHIFT_BACK, PST_STALE,
       PST_STALE_MARK, PST_STALE_CLEAR, PST_DROP, PST_ANY_STALE, PST_SAMPLES_MARK, PST__COUNT };

/* The tables ingest writes several rows of at once (multi_insert), and how many a statement. */
enum { MULTI_PARAM, MULTI_METRIC, MULTI_SAMPLE, MULTI_PROV, MULTI_META, MULTI__COUNT };
#define MULTI_ROWS 16

struct store {
    sqlite3 *db;
    char *path;
    int schema_version;
    sqlite3_stmt *st[ST__COUNT]; /* prepared on first use, finalised by store_close */
    sqlite3_stmt *multi[MULTI__COUNT][MULTI_ROWS]; /* [t][n - 1]: n rows into t (multi_stmt) */
    kind_cache kinds;
    int batch; /* inside store_batch_begin .. store_batch_commit/rollback */
    int one_thread;  /* opened with STORE_ONE_THREAD */
    struct store *twin[STORE_TWINS]; /* store_open_twins' connections, closed with this one */
    struct kept_stmt {
        const char *sql; /* the caller's string, known by its address */
        sqlite3_stmt *st;
    } *kept; /* store_stmt's statements, finalised by store_close */
    size_t nkept;
    uint64_t serial; /* store_serial */
    sqlite3_stmt *pst[PST__COUNT]; /* points.c's and samplepack.c's statements, kept */
};

/* err (errlen bytes) gets the formatted message; nothing when err is NULL or errlen 0. */
void store__err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One integer from a one-row statement without parameters (a PRAGMA read); 0 or -1. */
int store__query_int(sqlite3 *db, const char *sql, int64_t *out);

/*
 * Bring the database of s to the last version of `steps` (schema.c).  The version is
 * read again inside the IMMEDIATE transaction, so of two processes opening an old file
 * at once, one migrates and the other finds the work done.
 */
int store__migrate(store *s, const store_migration *steps, size_t nsteps, char *err,
                   size_t errlen);

/* Every metric's samples packed again from the index (the migration to version 10). */
int store__samples_pack_all(store *s, char *err, size_t errlen);
/* The stale metrics' samples packed again (store_points_rebuild). */
int store__samples_rebuild_stale(store *s, char *err, size_t errlen);
/* A run just stored with samples of metric (ingest, version 10): packs the metric's runs
   past its mark when they span STORE_SAMPLES_TAIL ids (again from the start when it is
   stale).  0 or BX_E* (message in err). */
int store__samples_ingested(store *s, const char *metric, int64_t run, char *err, size_t errlen);

/* Every series' points from the metric rows (the migration to version 9). */
int store__points_build_all(store *s, char *err, size_t errlen);
/* Has any series been marked stale (1 also when that cannot be read)?  Asked once a run. */
int store__points_any_stale(store *s);
/* One metric row of a run just stored, into its series' points (ingest, version 9): the
   value when has_value; any_stale: what store__points_any_stale said for this run (0: no
   series is stale, and this one's mark is not read).  0 or BX_E* (message in err). */
int store__points_add(store *s, const char *metric, const char *plugin, const char *status,
                      int64_t config_id, int64_t host_id, int64_t run, const char *started_at,
                      int has_value, double value, int any_stale, char *err, size_t errlen);

/* Forget the metric kinds a connection has cached (ingest.c; on rollback and close). */
void store__kinds_forget(kind_cache *c);

/*
 * The fields of a result document, checked before anything is written.
 * Pointers borrow from the document; the strings in `own` are ours.
 */
typedef struct doc {
    const char *uuid, *plugin, *plugin_version, *status, *error, *host;
    const char *experiment, *launcher;
    int has_point, has_ranks, has_threads, has_reps, has_job, has_task;
    int64_t point, ranks, threads, reps, job_id, task_id;
    const char *job_text; /* a job id that is not a plain integer ("1234.batch") */
    const char *user;     /* who ran it (an account, or a CLI user's login name) */
    int has_service_job;  /* "job": the service job it belongs to */
    int64_t service_job;
    char queued_at[32], started_at[32], finished_at[32]; /* "" when absent */
    const cJSON *params, *metrics, *samples, *tags, *warnings, *meta, *provenance, *spec;
    const cJSON *timeline; /* [[t, rss_mib, cpu_percent], ...] or NULL */
    const cJSON *timeline_nodes; /* [{"node", "ranks", "timeline": [...]}, ...] or NULL */
    int final; /* status is not queued/running */
} doc;

/* Read and check a result document into *d (docread.c): 0, or BX_EINVAL with the reason. */
int store__read_doc(const cJSON *j, doc *d, char *err, size_t errlen);
/* The status is final (not queued or running). */
int store__is_final(const char *status);
/* Member `key` of o as text / as an integer (a number or a text of digits): 0 when absent
   (*has 0) or read, BX_EINVAL with the reason when of another type. */
int store__opt_str(const cJSON *o, const char *key, const char **out, char *err, size_t errlen);
int store__opt_int(const cJSON *o, const char *key, int *has, int64_t *out, char *err,
                   size_t errlen);

#endif
