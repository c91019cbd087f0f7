/*
 * check.h — baselines and checks (check.c): `benchaas baseline` and
 * `benchaas check`, and check as a function over an open store whose
 * verdicts the renderers below print (table, JSON, JUnit XML).
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

/* Shared by check.c and baseline.c: --scope, a percentage, "was any filter
 * given?", "is this metric held to a reference?" (0, or 2 after a usage error). */
int check_parse_scope(const char *cmd, const char *val, int *scope);
int check_parse_percent(const char *cmd, const char *opt, const char *val, double *out);
int check_filter_given(const qfilter *f);
int check_checkable(const qfilter *f, const aentry *e);

/* `benchaas baseline set|list|delete` (baseline.c); argv[0] = "baseline".  0, or 2. */
int cmd_baseline(int argc, char **argv);

/* `benchaas check`: regressions against baselines or history.  0, 1 regression, 2. */
int cmd_check(int argc, char **argv);

#endif
