/*
 * store.h — the result store: one SQLite file (schema in docs/database.md).
 *
 * WAL, busy_timeout, one transaction per ingested run, schema_version with
 * forward migrations, prepared statements only.  A file that is not a
 * BenchaaS database is refused and left untouched.
 *
 * Every function returns 0 or a negative BX_E* code and, on error, writes a
 * human message into err (errlen bytes).  Which file of core/store/ does what:
 * store_int.h.
 */
#ifndef BENCHAAS_STORE_H
#define BENCHAAS_STORE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "timefmt.h"

typedef struct store store;

/* How to open. */
enum {
    /* the file must exist and be ours.  Only "do not create": the connection can write,
       so a database of an older schema is migrated on open (also by `query`), and WAL
       needs write access to the folder anyway */
    STORE_READONLY = 0,
    /* create it (and its schema) when missing or empty: made beside the path, mode 0600,
       and linked into place whole, so concurrent creators and openers never see it
       half-made (open.c) */
    STORE_CREATE = 1,
    /* with either: the connection is only ever used by the thread that opened it, so SQLite
       takes no lock per call (the result commands: a few calls per value read) */
    STORE_ONE_THREAD = 4
};

/*
 * Open `path`.  A missing file is created only with STORE_CREATE.  An
 * existing file that is not an SQLite database, or is one without our
 * application_id, is refused with BX_EINVAL and not modified.  A database
 * from a newer BenchaaS (schema_version above ours) is refused too.
 * *out is owned by the caller: store_close() it.
 */
int store_open(const char *path, int mode, store **out, char *err, size_t errlen);
void store_close(store *s);

/*
 * Another connection to the database of `first` (open), for another thread
 * of the same process: no header check and no migration (store_open did
 * both).  Use it, not store_open, while connections are open in the
 * process: store_open reads the file's header with open()/close(), and
 * closing any descriptor of the file drops every POSIX lock the process
 * holds on it, SQLite's included (another process could then checkpoint
 * and remove the WAL under the open connections).
 */
int store_open_again(const store *first, store **out, char *err, size_t errlen);

/*
 * Check, without opening it through SQLite, that `path` is absent or
 * empty (we may create it) or one of ours.  BX_EINVAL with the reason
 * otherwise (also for an absent file whose folder does not exist, and for a
 * directory).  Used before anything runs, so a bad --db exits 2 early.
 */
int store_check_file(const char *path, char *err, size_t errlen);

/*
 * The text form of a JSON value as the store keeps it (parameters, provenance, meta):
 * strings as they are, integers without a point, other numbers shortest-exact,
 * booleans true/false; objects and arrays as compact JSON in *heap (malloc'd, the
 * caller frees; NULL otherwise).  NULL for a null value.  Returns buf, the string or *heap.
 */
const char *store_value_text(const cJSON *v, char *buf, size_t len, char **heap);

/*
 * Store one result document (docs/formats.md, whose statuses it accepts, plus
 * `queued` and `running`: a Slurm run not finished yet) in one transaction.
 * Idempotent: if a run with the same uuid is already stored with a final
 * status, nothing is written and *run_id is the existing id (returns 0).
 * A run stored as `queued` or `running` (Slurm) is replaced by the result.
 * The document is borrowed.  Inside a batch (below) it is a savepoint of the
 * batch's transaction instead: a refused document rolls back only itself.
 */
int store_ingest(store *s, const cJSON *result, int64_t *run_id, char *err, size_t errlen);

/*
 * The way back (export.c, beside ingest): stored run `id` as a result document
 * (docs/formats.md) holding every fact ingest stored for it, so that ingesting the
 * document into another database gives the same rows: the run's columns, host,
 * "user" and service "job", parameters, metrics (with their headline marks), samples,
 * tags, warnings, provenance, meta, the spec, the job's timeline and each node's.
 * NULL with the reason in err (BX_EINVAL: no such run).  The caller owns the
 * document (cJSON_Delete).
 */
cJSON *store_export_run(store *s, int64_t id, char *err, size_t errlen);

/*
 * Group commit, for bulk ingest (collect of a spool folder, bench/dbgen.c):
 * store_batch_begin opens one write transaction, the store_ingest calls that
 * follow join it, and store_batch_commit makes them durable together (on a
 * failed commit the batch is rolled back and its error returned).  Nothing
 * ingested in a batch is on disk before the commit returns 0: a caller
 * removes its sources (spool files) only then.  One run per transaction
 * writes every page the run touches (about 35: the run, its indexes, ten
 * metric index places) to the WAL; a batch writes each shared page once.
 */
int store_batch_begin(store *s, char *err, size_t errlen);
int store_batch_commit(store *s, char *err, size_t errlen);
void store_batch_rollback(store *s);

/*
 * Pre-flight of a database about to be written (run, submit, collect):
 * BX_EINVAL with the reason when the open store cannot be written (a
 * read-only file or file system) or is damaged (PRAGMA quick_check).
 */
int store_check_writable(store *s, char *err, size_t errlen);

/*
 * More connections for more threads of one read-only command (report): s and
 * n twins (at most STORE_TWINS) each start a read transaction while another
 * connection holds the write lock for a moment, so all read the same snapshot.
 * s must not be in a transaction; it is in a read transaction after (end it
 * with COMMIT); the twins stay in theirs until store_twins_close or
 * store_close(s) closes them.  BX_EIO when the lock cannot be had (a read-only
 * file, a writer holding it) or when BENCHAAS_THREADS=1 asks for one thread:
 * then nothing changed.  store_twin(s, i): twin i, or NULL.  A twin is used
 * by one thread at a time.
 */
#define STORE_TWINS 2
int store_open_twins(store *s, int n, char *err, size_t errlen);
store *store_twin(store *s, int i);
void store_twins_close(store *s);

/* The sqlite3 handle, for query code inside the core. */
struct sqlite3 *store_db(store *s);

/*
 * A statement of s for `sql`, prepared on the first call and kept by s until store_close
 * (query code that runs the same statement many times a request: a leaderboard's row
 * after row).  `sql` must be a string that lives as long as s (a literal): it is known by
 * its address.  The statement comes reset, its bindings cleared; the caller steps it and
 * leaves it as it likes, and never finalizes it.  One use at a time: a statement taken
 * again before its last use is over is reset under it.  NULL when SQLite refused it (the
 * message in sqlite3_errmsg(store_db(s))) or on no memory.
 */
struct sqlite3_stmt *store_stmt(store *s, const char *sql);

/*
 * A number no other connection this process opened has had (1, 2, ...): what a cache of
 * answers of a connection is keyed by (the sqlite3 handle's address can come back for
 * another connection, of another file, once the first is closed).
 */
uint64_t store_serial(const store *s);

/* PRAGMA application_id of our files ("BXA1") and the schema this build writes. */
#define STORE_APPLICATION_ID 0x42584131
#define STORE_SCHEMA_VERSION 10

/*
 * The points of each series (schema version 9, docs/database.md): for every
 * (metric, plugin, status, configuration, host), the values of its
 * higher/lower-is-better metric rows in the order of metrics_find (start
 * time, then run id), kept by ingest in chunks of series_points.data
 * numbered 0, 1, ... (each but a series' last holds STORE_POINTS_CHUNK to
 * 2 x STORE_POINTS_CHUNK points; one that older builds let grow longer is
 * split by the next run stored into that chunk), each point STORE_POINT_BYTES
 * bytes (run id, start time in seconds since the epoch or INT64_MIN when the
 * run has none, value or NAN when it has none; each little-endian).  A
 * series is complete when series_stale has no row of it: a metric row
 * deleted or changed other than by ingest marks it.
 */
#define STORE_POINT_BYTES 24
#define STORE_POINTS_CHUNK 32 /* points a chunk holds before the next begins */
typedef struct store_point {
    int64_t run;
    int64_t t;
    double v;
} store_point;
/* Point i of a chunk's data (which holds at least i + 1). */
void store_point_get(const void *data, size_t i, store_point *out);
/* Build every stale series again from its metric rows, and every stale metric's packed
   samples from the index (inside the caller's write transaction, or alone).  0 or BX_E*
   (message in err). */
int store_points_rebuild(store *s, char *err, size_t errlen);

/*
 * Every metric's samples packed (schema version 10, docs/database.md): the
 * samples with a value of the runs up to a metric's mark, in the order of
 * the index samples_metric (run id, then value), STORE_SAMPLE_BYTES each (run
 * id, value; little-endian), in chunks of samples_chunks.  Ingest packs a
 * metric's runs past its mark once they span STORE_SAMPLES_TAIL run ids; a
 * sample of a covered run deleted, changed or added other than by ingest
 * marks the metric stale (samples_stale) until it is packed again.
 */
#define STORE_SAMPLES_VERSION 10
#define STORE_SAMPLE_BYTES 16
#define STORE_SAMPLES_CHUNK 4096 /* records a chunk holds (at least) before the next begins */
#define STORE_SAMPLES_TAIL 1024  /* run ids past the mark before ingest packs them */
typedef struct store_samples {
    int64_t *run;
    double *v;
    size_t n, cap;
} store_samples;
/* 1 and *mark when metric's samples of the runs up to *mark are packed and none of them
   stale (version 10), else 0 (read them from the index). */
int store_samples_mark(store *s, const char *metric, int64_t *mark);
/* metric's packed samples of the runs lo .. hi (hi <= its mark) appended to out, in the
   index's order.  0, BX_ENOMEM or BX_EIO. */
int store_samples_read(store *s, const char *metric, int64_t lo, int64_t hi, store_samples *out);

/* The schema version of an open store (PRAGMA user_version). */
int store_schema_version(store *s);

/*
 * Find a run by uuid: 0 and *run_id, or BX_EINVAL when there is none
 * (message in err), or another BX_E* code on a database error.
 */
int store_find_run(store *s, const char *uuid, int64_t *run_id, char *err, size_t errlen);

/* Times: timefmt.h (common/), under the names the store's callers have always used. */
static inline int store_time_parse(const char *text, int64_t *epoch, int *date_only)
{
    return time_parse_utc(text, epoch, date_only);
}
static inline void store_time_format(int64_t epoch, char *out, size_t outlen)
{
    time_format_utc(epoch, out, outlen);
}

/*
 * Schema migrations.  Step i of the list takes a database from version
 * steps[i].version - 1 to steps[i].version (versions 1, 2, 3, ... in
 * order).  store_open() uses the built-in list; store_open_with() exists so
 * the migration mechanism itself can be tested with an extra step (a test
 * "v2"), and is otherwise identical to store_open().
 */
typedef struct store_migration {
    int version;      /* the version this step produces */
    const char *what; /* one line for messages: "initial schema" */
    const char *sql;  /* run inside the migration's transaction */
} store_migration;

int store_open_with(const char *path, int mode, const store_migration *steps, size_t nsteps,
                    store **out, char *err, size_t errlen);
/* The built-in list (*n gets its length). */
const store_migration *store_migrations(size_t *n);

#endif
