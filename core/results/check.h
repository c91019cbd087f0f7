/*
 * check.h — checks (check.c) and baselines (baseline.c): check as a function
 * over an open store whose verdicts the renderers below print (table, JSON,
 * JUnit XML), and the baselines it may use.  The commands `benchaas check`
 * and `benchaas baseline` read their command lines in core/cli/.
 */
#ifndef BENCHAAS_CHECK_H
#define BENCHAAS_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "analyze.h"
#include "checkcp.h"
#include "query.h"
#include "store.h"

/* Which runs count as history for a host: the same host, host class (CPU model) or any. */
enum { SCOPE_HOST, SCOPE_CLASS, SCOPE_ANY };

typedef struct check_opts {
    const char *baseline; /* explicit name, or NULL (then "default" if present) */
    int history, min_history, scope;
    double k, floor;
    checkcp_floors floors; /* --min-change: the smallest shift that fails */
    int fail_outliers;     /* --fail-on-outlier: a lone run beyond the band fails too */
} check_opts;

/* The options of `check` given none (the service's checks of scheduled jobs too). */
#define CHECK_OPTS_DEFAULT {NULL, 30, 5, SCOPE_CLASS, 3.0, 0.01, {.pct = 2}, 0}

/* One checked value. */
typedef struct check_row {
    aentry *e;       /* the candidate configuration, host and metric */
    const char *label;
    double value;    /* the candidate's value (median of its runs) */
    double ref;      /* the reference value */
    double lo, hi;   /* the band around the reference: beyond it on the worse side is a
                        regression, on the better side an improvement */
    double change;   /* (value - ref) / |ref| * 100 */
    size_t nref;     /* history runs, or the baseline's runs */
    char basis[96];  /* "baseline default" / "history of 20 runs" */
    int verdict;     /* V_OK, V_REGRESSION, V_IMPROVED, V_NOREF, V_OUTLIER */
    checkcp cp;      /* the change-point judgement of the series (history, then value) */
    double floor;    /* the floor (a fraction) of its plugin and metric (judged rows) */
    int noisy;       /* judged, and its own spread too large to see a change of the floor
                        within 5 runs (cp.r.detectable > floor) */
} check_row;

/* V_OUTLIER: beyond the band without a shift of the level; fails only with fail_outliers. */
enum { V_OK, V_REGRESSION, V_IMPROVED, V_NOREF, V_OUTLIER };

/* A run that did not end ok. */
typedef struct failed_run {
    int64_t id;
    char *plugin, *status, *host, *error, *params, *started;
} failed_run;

/* What a check found; check_report_free() releases it. */
typedef struct check_report {
    check_row *rows;   /* by configuration, host and metric */
    size_t nrows;
    failed_run *fails; /* the selected runs that did not end ok */
    size_t nfails;
    size_t regressions, noref, outliers;
    size_t noisy; /* judged rows whose own spread is too large to see a change of the floor */
    aset a;            /* the values the rows point into */
    char **labels;
} check_report;

/*
 * Hold the runs of filter f (finished: qfilter_finish) in store s to their
 * baselines or history.  defaulted = 1 when f is check's default (the
 * newest run of each configuration and host; only the wording of "no run
 * to check" differs).  0 and *out, or a negative BX_E* code with a message
 * in err (empty when a query helper already printed its own).  The verdict:
 * out->regressions || out->nfails is a failed check.
 */
int check_run(store *s, const qfilter *f, const check_opts *o, int defaulted, check_report *out,
              char *err, size_t errlen);
void check_report_free(check_report *r);

/* The table of `check` and its summary line; 0 or BX_ENOMEM. */
int check_render_table(const check_report *r, FILE *out);
/* 1 when nothing could be judged: every row without a reference, and no failed run. */
int check_nothing_judged(const check_report *r);
/* The document of `check --format json`. */
void check_render_json(const check_report *r, FILE *out);
/* JUnit XML of `check --junit FILE` (db names the test suite). */
void check_render_junit(const check_report *r, const char *db, FILE *out);

/* Shared by check.c and baseline.c: "was any filter given?", "is this metric
 * held to a reference?". */
int check_filter_given(const qfilter *f);
int check_checkable(const qfilter *f, const aentry *e);

/* What `baseline set` was told (baseline.c). */
typedef struct baseline_set_opts {
    const char *name;  /* the set ("default") */
    const char *note;  /* stored with each baseline (NULL: the selector) */
    const char *sel;   /* the selector the runs came from, or NULL */
    double tolerance;  /* relative (0.05) */
    int scope;         /* SCOPE_HOST, SCOPE_CLASS or SCOPE_ANY */
} baseline_set_opts;

/*
 * One baseline per configuration, scope and checkable metric of the ok runs
 * of filter f (finished, its selector applied), replacing those of the same
 * set; the table of what was set on out.  0, or 2 after an error (said on
 * stderr: no run matched, the database).
 */
int baseline_set(qfilter *f, const baseline_set_opts *o, FILE *out);
/* The stored baselines of set `name` (NULL: all) and f's first --plugin, as a table, csv or
 * json on out (f is finished here).  0, or 2 (said). */
int baseline_list(qfilter *f, const char *name, const char *format, FILE *out);
/* Delete the baselines of set `name` (and f's --plugin), or those of ids ("3,4"); says how many
 * on out.  0, or 2 when none matched or the database failed (said). */
int baseline_delete(qfilter *f, const char *name, const char *ids, FILE *out);

#endif
