/*
 * store.h — the result store: one SQLite file (schema in docs/database.md).
 *
 * WAL, busy_timeout, one transaction per ingested run, schema_version with
 * forward migrations, prepared statements only.  A file that is not a
 * BenchaaS database is refused and left untouched.
 *
 * Every function returns 0 or a negative BX_E* code and, on error, writes a
 * human message into err (errlen bytes).
 */
#ifndef BENCHAAS_STORE_H
#define BENCHAAS_STORE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store;

/* How to open. */
enum {
    STORE_READONLY = 0, /* the file must exist and be ours */
    STORE_CREATE = 1    /* create it (and its schema) when missing */
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
 * Check, without opening it through SQLite, that `path` is absent or
 * empty (we may create it) or one of ours.  BX_EINVAL with the reason
 * otherwise.  Used before anything runs, so a bad --db exits 2 early.
 */
int store_check_file(const char *path, char *err, size_t errlen);

/*
 * Store one result document (docs/formats.md) in one transaction.
 * Idempotent: if a run with the same uuid is already stored with a final
 * status, nothing is written and *run_id is the existing id (returns 0).
 * A run stored as `queued` or `running` (Slurm) is replaced by the result.
 * The document is borrowed.
 */
int store_ingest(store *s, const cJSON *result, int64_t *run_id, char *err, size_t errlen);

/* The sqlite3 handle, for query code inside the core. */
struct sqlite3 *store_db(store *s);

#endif
