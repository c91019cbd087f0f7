/* run.h — the pipeline: validated points -> specs -> launcher -> result documents -> store. */
#ifndef BENCHAAS_RUN_H
#define BENCHAAS_RUN_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "plan.h"
#include "resultdoc.h"
#include "spec.h"
#include "store.h"

/*
 * How the front-end shows the runs a command stored (ids[0..n), in order;
 * json = 1 for `run --json`): once at the end of run_plan() when json is set
 * or n > 0, and of a Slurm submission that waited, when n > 0.
 */
typedef void (*run_show_fn)(store *st, const int64_t *ids, size_t n, int json);

typedef struct run_opts {
    const char *db;     /* database path */
    int json;           /* print {"runs": [...]} on stdout */
    int dry_run;        /* print the specs, run nothing, write nothing */
    int progress;       /* a line per point on stderr */
    int verbose;        /* the plugins' info messages too */
    int keep_spool;     /* keep spec and result files after ingest */
    const config *cfg;  /* for the slurm settings */
    run_show_fn show;   /* shows the stored runs; NULL: nothing is shown */
    const char *user;   /* recorded with the runs; NULL: the invoking login name */
    store *st;          /* Slurm submission: the open store to record the queued runs in
                           (the service's own connection: reopening the file by path would
                           drop the process's POSIX locks, store.h); NULL: opened from db */
    FILE *out;          /* where the specs or batch scripts of --dry-run and the
                           "submitted ..." lines go (the CLI: stdout; the service: the job's
                           log); NULL: nowhere */
} run_opts;

/*
 * One point through the pipeline (what run_plan does for each point):
 * spec, spool, launcher, result document, store.  The service's scheduler
 * calls it too, so CLI runs and service runs are made the same way.
 */
typedef struct point_ctx {
    store *st;                 /* where the result goes */
    const char *spool;         /* spool_dir_for(db), existing */
    char *workers[2];          /* worker_path(0), worker_path(1) */
    int verbose, keep_spool;
    const char *user;          /* recorded as the run's user (may be NULL) */
    int64_t job;               /* the service job it belongs to; 0: none */
    const volatile int *cancel;/* when it becomes non-zero the point is stopped (interrupted) */
    /* Called with the run's uuid before its spec is written and the worker
     * started (a scheduler records it first, so a restart finds the run). */
    void (*on_spec)(void *arg, const char *uuid);
    void *arg;
    const cJSON *sandbox;      /* NULL, or the sandbox (sandbox.h) the worker confines itself
                                  with: the service's jobs (spool is then the job's folder) */
} point_ctx;

/*
 * Run point pt.  0: stored, *run_id its id; BX_EIO: it ran but could not be
 * stored (the document is kept in the spool for `collect`, message on
 * stderr), *run_id 0.  Either way *doc is the result document (the caller
 * cJSON_Delete()s it).
 */
int run_point(const point *pt, const point_ctx *c, cJSON **doc, int64_t *run_id);

/* The login name of the invoking user (getpwuid), or "uidN". */
const char *login_name(char *buf, size_t len);

/* A service job's result document, made to name no server path: its spec's
 * sandbox removed, the job's folder dir written "." wherever it appears. */
void run_scrub_for_service(cJSON *doc, const char *dir);

/* Run every point of the plan; returns the CLI exit code (0, 1 or 2). */
int run_plan(const plan *p, const run_opts *o);

/* "<dir>/<uuid>.result.json" -> "<dir>/<uuid>.spec.json" (a path not ending in
 * .result.json gets ".spec.json" appended).  Caller frees. */
char *spec_path_for_result(const char *result_path);

/* The spool folder of a database ("<db>.spool"). Caller frees. */
char *spool_dir_for(const char *db);
/* Create the spool folder if needed; BX_EINVAL when `spool` is not a folder we may write. */
int spool_prepare(const char *spool, char *err, size_t errlen);
/*
 * Everything knowable before a benchmark runs (run, submit): the database is
 * ours, writable and not damaged (or absent in a folder we may write), the
 * spool is a writable folder (or absent).  0, or BX_EINVAL with the reason.
 */
int run_preflight(const char *db, const char *spool, char *err, size_t errlen);

/* A spec for point pt (uuid, spool paths filled in). */
void spec_for_point(const point *pt, const char *spool, runspec *s);

/* Ingest one result document and remove its spool files on success. */
int ingest_and_clean(store *st, cJSON *doc, const char *spec_path, const char *result_path,
                     int keep, int64_t *run_id, char *err, size_t errlen);

/*
 * A run in flight owns its spec file: the runner writes it (temporary file,
 * fsync, rename) holding an exclusive flock(2) on it from before it has its
 * name until the run is stored, and *lock_fd keeps that lock (close it when
 * done).  The lock dies with the runner, even with kill -9.
 */
int spool_write_spec(const char *path, const char *text, int *lock_fd, char *err, size_t errlen);

/*
 * `collect`'s side: lock the spec of a result document before storing it.
 * A file descriptor holding the lock (close it after the spool files are
 * removed), SPOOL_NO_SPEC when there is no spec file, or SPOOL_BUSY when a
 * running benchaas holds it (its runner will store that result itself).
 */
enum { SPOOL_NO_SPEC = -1, SPOOL_BUSY = -2 };
int spool_lock_spec(const char *spec_path);

#endif
