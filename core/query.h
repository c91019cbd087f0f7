/*
 * query.h — `benchaas query` and the result printers shared with `run`.
 *
 * The JSON document is the one of CLI.md:
 *   {"runs": [{"id", "plugin", "plugin_version", "status", "host", "job_id",
 *              "started_at", "ranks", "threads", "params": {...typed...},
 *              "metrics": {NAME: {"value", "unit", "better"}}, "error"}]}
 */
#ifndef BENCHAAS_QUERY_H
#define BENCHAAS_QUERY_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

/*
 * `benchaas query [filters] [--format table|csv|json]`; argv[0] is "query".
 * Prints the results on stdout, messages on stderr.  Returns the exit code:
 * 0 ok (also when nothing matched), 2 bad usage, a bad filter, a missing
 * database or a file that is not ours (nothing is written then).
 */
int cmd_query(int argc, char **argv);

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

#endif
