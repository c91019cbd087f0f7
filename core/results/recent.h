/*
 * recent.h — what is new among the stored results, for the service's dashboard: the
 * newest runs that ended ok (with their headline figure) or not (with their reason), and
 * the latest headline figure of each plugin, host and configuration with the trend of
 * its last runs.  Bounded queries: their cost does not grow with the database.
 *
 * Each function returns 0 and a list the caller frees with its _free, or BX_EIO with
 * the database's message in err.
 */
#ifndef BENCHAAS_RECENT_H
#define BENCHAAS_RECENT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One run of a list. */
typedef struct recent_run {
    int64_t id;
    char *plugin, *host, *user, *started_at; /* "" when unknown */
    char *status, *error;                    /* the run's end, its error ("" when none) */
    char *metric, *unit;                     /* its headline metric (headline.h), "" none */
    int has_value;
    double value;
} recent_run;

/* The newest limit runs that ended ok (failures 0), or failed, crashed, timed out or were
 * interrupted (failures 1), newest first. */
int recent_runs(store *st, int failures, int limit, recent_run **out, size_t *n, char *err,
                size_t errlen);
void recent_runs_free(recent_run *v, size_t n);

#define RECENT_TREND 20 /* values of a figure's trend */

/* The latest headline figure of one plugin, host and configuration. */
typedef struct recent_figure {
    char *plugin, *host;   /* host "?" when unknown */
    int64_t run_id;        /* the newest ok run of the group */
    char *params_json;     /* its configuration: parameters (JSON object text), ranks, threads */
    int ranks, threads;
    char *metric, *unit;   /* the newest run's headline metric */
    double trend[RECENT_TREND]; /* its values in the group's last runs, oldest first (NaN:
                                   a run without it) */
    size_t ntrend;
} recent_figure;

/* The groups (plugin, host, configuration) among the newest 5000 ok runs, by plugin, host
 * and newest run, at most 60. */
int recent_figures(store *st, recent_figure **out, size_t *n, char *err, size_t errlen);
void recent_figures_free(recent_figure *v, size_t n);

/* Run run_id's headline figure (headline.h; a metric with a value): 1 and its name, unit
 * and value, 0 when it has none. */
int run_headline(store *st, int64_t run_id, char *name, size_t nlen, char *unit, size_t ulen,
                 double *value);

#endif
