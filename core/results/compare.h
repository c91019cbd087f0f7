/*
 * compare.h — two runs or groups of runs, per configuration and metric
 * (compare.c): `benchaas compare`, and compare as a function whose result
 * the renderers below print (table, CSV, JSON).
 */
#ifndef BENCHAAS_COMPARE_H
#define BENCHAAS_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "analyze.h"
#include "query.h"
#include "store.h"

/* One row of the comparison. */
typedef struct cmp_row {
    aentry *a, *b;
    char *label;        /* the configuration as shown */
    double med_a, med_b; /* medians over the samples */
    double change;      /* (med_b - med_a) / |med_a| * 100, NAN when med_a is 0 */
    double p, min_p;
    int noise;          /* 1 beyond the noise, 0 not, -1 too few values to tell */
    int direction;      /* +1 better, -1 worse, 0 none (better: none, or no change) */
} cmp_row;

typedef struct compare_opts {
    double alpha;      /* significance level of the test (0.05) */
    double min_change; /* a significant change below this % is still "same" (0: off) */
    int per_host;      /* compare host by host */
} compare_opts;

/* What a comparison found; compare_result_free() releases it. */
typedef struct compare_result {
    aset a, b;      /* each side's values */
    cmp_row *rows;  /* the paired configurations and metrics, sorted */
    size_t nrows;
    size_t only_a;  /* metrics of A without a counterpart in B */
    size_t hidden;  /* metrics left out: not headline ones (no --metric, --all-metrics) */
} compare_result;

/*
 * Compare the runs of fa (side A) and fb (side B), both made from common
 * (finished) plus a selector, sel[0] and sel[1] (as the user wrote them,
 * for messages).  0 and *out, or a negative BX_E* code with a message in err
 * (empty when a query helper already printed its own).
 */
int compare_run(store *s, const qfilter *common, const qfilter *fa, const qfilter *fb,
                const char *const sel[2], const compare_opts *o, compare_result *out, char *err,
                size_t errlen);
void compare_result_free(compare_result *r);

/* `compare`'s table and notes (sa, sb: the selectors); 0 or BX_ENOMEM. */
int compare_render_table(const compare_result *r, const char *sa, const char *sb, double alpha,
                         FILE *out);
/* `compare --format csv`. */
void compare_render_csv(const compare_result *r, FILE *out);
/* `compare --format json`; 0 or BX_ENOMEM. */
int compare_render_json(const compare_result *r, const char *sa, const char *sb, double alpha,
                        FILE *out);

#endif
