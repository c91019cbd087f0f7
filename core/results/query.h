/*
 * query.h — `benchaas query` and the result printers shared with `run`.
 *
 * The JSON document is the one of docs/cli.md:
 *   {"runs": [{"id", "plugin", "plugin_version", "status", "host", "job_id",
 *              "started_at", "ranks", "threads", "params": {...typed...},
 *              "metrics": {NAME: {"value", "unit", "better"}}, "error"}]}
 */
#ifndef BENCHAAS_QUERY_H
#define BENCHAAS_QUERY_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>

#include "store.h"

/*
 * The JSON document above for the runs `ids[0..n)`, in that order (ids not
 * in the database are skipped).  0 and *out (owned by the caller:
 * cJSON_Delete), or a negative BX_E* code with a message on stderr.
 */
int query_runs_json(store *s, const int64_t *ids, size_t n, cJSON **out);

/*
 * A readable table of the runs `ids[0..n)` on f: one line per run and
 * metric (run id, plugin, status, start time, the parameters that tell the
 * runs apart, metric, value, unit), the error text under a failed run.
 * 0, or a negative BX_E* code with a message on stderr.
 */
int query_print_table(store *s, const int64_t *ids, size_t n, FILE *f);

/* ---- shared by query, export, compare, check, baseline and report ------ */

/* A list of borrowed strings (they point into argv or into qfilter.keep). */
typedef struct qlist {
    const char **v;
    size_t n;
} qlist;

/*
 * The run filters every result command shares (see `benchaas query --help`):
 * every given condition must hold.  Zero-initialise, feed options with
 * qfilter_option(), release with qfilter_free().
 */
typedef struct qfilter {
    const char *cmd; /* "query", "compare", ...: prefixes the messages */
    const char *db;
    qlist plugins, hosts, params, metrics, statuses, tags, jobs, provs;
    int64_t *ids;
    size_t nids;
    int has_since, has_until;
    char since[32], until[32]; /* bounds as stored text: started_at >= since, < until */
    long long limit;           /* 0 or -1: all */
    int latest;                /* --latest: the newest matching run per configuration and host */
    int all_metrics;           /* --all-metrics: every metric, not only the headline ones */
    qlist keep;                /* copies owned by the filter */
} qfilter;

/* Print "benchaas CMD: MESSAGE (see benchaas CMD --help)" on stderr; returns 2. */
int query_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Apply one filter option (--plugin, -p/--param, --metric, --status, --tag,
 * --host, --job, --prov, --since, --until, --run, --limit, --latest and
 * --all-metrics (val NULL), --db) to *f.
 * 0 applied, 1 `name` is not a filter option, 2 a bad value (message
 * printed).  The value must outlive *f (argv, or a string f keeps).
 */
int qfilter_option(qfilter *f, const char *name, const char *val);
/* Fill in the defaults (--db from BENCHAAS_DB, else ./benchaas.db). */
void qfilter_finish(qfilter *f);
void qfilter_free(qfilter *f);
/* A deep enough copy of src into *dst (the lists; strings stay shared with src). */
int qfilter_copy(qfilter *dst, const qfilter *src);
/* Keep a copy of text alive as long as f; NULL when out of memory. */
const char *qfilter_keep(qfilter *f, const char *text);

/*
 * Refuse names no stored run has: a --metric or a --param NAME (within the
 * --plugin runs when given).  0, or 2 after printing what is known ("did
 * you mean").  An empty database accepts every name.
 */
int qfilter_check_names(store *s, const qfilter *f);

/*
 * Prepare `before` + the SELECT of the matching run ids + `after`.  The id
 * SELECT has one column, `id`, oldest first; use it as
 *   before = "WITH sel(id) AS (", after = ") SELECT ... FROM sel JOIN ..."
 * The filter's values are bound to positional `?` parameters; put the
 * caller's own values in named parameters (":name") in `after`.
 * 0 and *st, or BX_E* after printing the SQLite message.
 */
int qfilter_prepare(store *s, const qfilter *f, const char *before, const char *after,
                    sqlite3_stmt **st);

/* The matching run ids, oldest first: 0 and *ids (caller frees), or BX_E* (message printed). */
int qfilter_select_ids(store *s, const qfilter *f, int64_t **ids, size_t *n);

/*
 * A filter that only names plugins, statuses, hosts, a time window and
 * metrics can be read straight from metrics (which carry their run's plugin,
 * status, start and host; index metrics_find) without the id SELECT, and so
 * can runs: qfilter_metric_conds appends its conditions on the columns
 * `prefix`plugin, ...status, ...started_at, ...host_id ("m.run_" for
 * metrics m, "r." for runs r), " AND m.run_plugin IN (:qf0) ...", with
 * named parameters, to out and returns 1; it returns 0
 * and writes nothing when the filter has anything else (tags, parameters,
 * provenance, jobs, run ids, --latest, --limit); with out NULL it only
 * answers.  The metric names are left to the caller.  qfilter_metric_bind binds those parameters.
 */
int qfilter_metric_conds(const qfilter *f, const char *prefix, FILE *out);
void qfilter_metric_bind(const qfilter *f, sqlite3_stmt *st);

/*
 * Open the filter's database for reading (migrating an older schema, as
 * every command does), for this thread only (STORE_ONE_THREAD): 0 and *s,
 * or 2 after printing why not.
 */
int query_open_store(const qfilter *f, store **s);

/*
 * Output to a file, atomically: query_out_open() gives a stream on
 * PATH.tmp.XXXXXX beside PATH; query_out_close(ok=1) flushes, syncs and
 * renames it to PATH, ok=0 removes it.  0 or BX_E* (message printed).
 */
typedef struct query_out {
    FILE *f;
    char *path, *tmp;
} query_out;
int query_out_open(query_out *o, const char *cmd, const char *path);
int query_out_close(query_out *o, const char *cmd, int ok);

/*
 * The runs matching f (one read snapshot) on `to` as `query` prints them:
 * format "table", "csv", "json" ({"runs": [...]}) or "jsonl"; only f's
 * --metric metrics when it names any.  A table of no runs prints nothing.
 * 0 and *nruns, or a negative BX_E* code (message printed).
 */
int query_print_runs(store *s, const qfilter *f, const char *format, FILE *to, size_t *nruns);

/* Text forms of numbers: exact (shortest text that reads back), readable (4-5 digits). */
const char *query_exact_number(double v, char *buf, size_t len);
const char *query_readable_number(double v, char *buf, size_t len);
/* A typed parameter value (a params_json member) as text: "192", "true", "Crout". */
const char *query_param_text(const cJSON *v, char *buf, size_t len);
/* CSV field with quoting as needed, then ',' or '\n' when last. */
void query_csv_field(FILE *f, const char *s, int last);

#endif
