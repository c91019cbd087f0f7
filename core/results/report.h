/* report.h — the HTML report (report.c) as a function; `benchaas report` is core/cli/report_cmd.c. */
#ifndef BENCHAAS_REPORT_H
#define BENCHAAS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "query.h"
#include "store.h"

typedef struct report_opts {
    const char *title;      /* NULL: "BenchaaS report" */
    int max_runs;           /* rows of the table of runs */
    int max_timelines;      /* resource timelines shown */
    size_t max_series;      /* series per chart (at least 1) */
    const char *cmdline;    /* shown in the page; NULL: "benchaas report" */
} report_opts;

/*
 * The self-contained HTML report of the runs of filter f (finished:
 * qfilter_finish) in store s, written to out (charts use f's ok runs unless
 * f names statuses).  One read snapshot.  0, or a negative BX_E* code with
 * a message in err.
 */
int report_render_html(FILE *out, store *s, const qfilter *f, const report_opts *o, char *err,
                       size_t errlen);

#endif
