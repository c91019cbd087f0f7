/*
 * checkcp.h — check's change-point judgement of one configuration's series
 * (checkcp.c): the history and the checked value through cp_analyze, the
 * runs either side of a shift, and what differs between them.
 */
#ifndef BENCHAAS_CHECKCP_H
#define BENCHAAS_CHECKCP_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "changepoint.h"

/* The floors of `--min-change [PLUGIN.METRIC=]PCT`: the last one matching wins. */
#define CHECKCP_MAX_FLOORS 32
typedef struct checkcp_floors {
    double pct; /* the default (2) */
    size_t n;
    const char *key[CHECKCP_MAX_FLOORS]; /* "PLUGIN.METRIC" or "METRIC" (argv, borrowed) */
    double val[CHECKCP_MAX_FLOORS];
} checkcp_floors;

/* Parse one --min-change value into f; 0, or 2 after a usage error (printed). */
int checkcp_floor_option(checkcp_floors *f, const char *val);
/* The floor (a fraction) for plugin and metric. */
double checkcp_floor(const checkcp_floors *f, const char *plugin, const char *metric);

/* The most history runs the change points look at (the newest; --history may be longer). */
#define CHECKCP_WINDOW 100

/* One judged series: what check_row keeps of the change-point method. */
typedef struct checkcp {
    int judged;              /* 1: the series was long enough for cp_analyze */
    cp_result r;
    int64_t new_first;       /* the first run of the new level (when r.shift) */
    int64_t old_last;        /* the last run of the old level */
    char new_time[40], old_time[40];
    char *diff;              /* "kernel 6.1.0-18 -> 6.1.0-25; host a -> b", owned, or NULL */
} checkcp;

/* A history, oldest first: values, their runs and start times. */
typedef struct checkcp_series {
    double *v;
    int64_t *ids;
    char **times; /* owned */
    size_t n, cap;
} checkcp_series;
/* Append one run's value; 0 or BX_ENOMEM. */
int checkcp_series_push(checkcp_series *s, double v, int64_t id, const char *time);
void checkcp_series_free(checkcp_series *s);

/*
 * Judge value (run cand, started cand_time) after the history h.  better: "higher",
 * "lower" or other; floor a fraction.  A shift names its runs and, read from
 * db, what differs between them.  0 (c->judged 0 when too short), or BX_ENOMEM.
 */
int checkcp_judge(sqlite3 *db, const checkcp_series *h, double value, int64_t cand, const char *cand_time, const char *better,
                  double floor, checkcp *c);
void checkcp_free(checkcp *c);

/* What differs between runs old_run and new_run (provenance, host, plugin version, run
   metadata) as "key old -> new; ..." (owned), or NULL when nothing differs or on error. */
char *checkcp_diff(sqlite3 *db, int64_t old_run, int64_t new_run);

/* One line about a shift for the table and JUnit: "-10.0 % [-11.2, -8.8] since run 31 ...". */
void checkcp_describe(const checkcp *c, char *buf, size_t len);

/* The members "change_point" and "outlier" of a check row in JSON (o: the row's object). */
void checkcp_json(const checkcp *c, cJSON *o);

#endif
