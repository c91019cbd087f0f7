/*
 * board.h — the leaderboard's choice of runs: which runs may be ranked against
 * each other, and which are left out and why.
 *
 * Runs compare only within one configuration as a person sees it: the plugin's
 * parameters as set (runs.params_json), ranks and threads.  Each user, host and
 * configuration has one entry, its best run by the metric's direction, ranked among
 * the entries of its configuration only; the configurations come best first.  A run whose
 * plugin said its figure is not what the metric means (the run_meta key "caveat":
 * cache-sized STREAM arrays, IO without fsync) is left out of the ranking unless
 * asked for, and listed apart with that reason.
 */
#ifndef BENCHAAS_BOARD_H
#define BENCHAAS_BOARD_H

#include <sqlite3.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include "store.h"
#include "util.h"

typedef struct board_query {
    const char *plugin;
    const char *metric;   /* a stored metric of the plugin */
    int lower_is_better;  /* the metric's direction */
    long limit;           /* entries at most */
    int include_warned;   /* rank runs with a caveat too (each entry still carries it) */
} board_query;

/* The run_meta key a plugin sets (bx_meta) when its headline figure is not what the
 * metric means; its value is the reason, in words. */
#define BOARD_CAVEAT_KEY "caveat"

/*
 * Add to j "entries": [{"rank","value","run_id","user","host","params","computed",
 * "ranks","threads","started_at","caveat","config"}], ordered by configuration, then
 * rank (rank: within the configuration; params: as set; computed: the values the
 * plugin computed, e.g. STREAM's array_size when left unset; caveat: the reason or null;
 * config: runs.config_id), and "left_out": the same objects without "rank" for the runs
 * whose caveat keeps them out (empty when include_warned).  0, or BX_EIO with err.
 */
int board_rank(store *st, const board_query *q, cJSON *j, char *err, size_t errlen);

/* The values run `run_id` computed (in the params table, not in params_json), as a
 * typed JSON object (numbers for int/double/size, booleans, else text); never NULL.
 * cache: NULL, or a statement kept between calls (NULL at first; the caller
 * finalizes it), for a caller that asks for many runs. */
cJSON *board_computed(store *st, sqlite3_stmt **cache, long long run_id,
                      const char *params_json);

/* The plugins that have stored runs, by name, appended to out. */
void board_plugins(store *st, strvec *out);
/* The metrics of the plugin's newest ok run, by seq: names to names, units to units
 * ("" when none), appended alike. */
void board_metrics(store *st, const char *plugin, strvec *names, strvec *units);

#endif
