/*
 * reportint.h — what the files of the HTML report share (report.c, the page;
 * report_model.c, the runs per configuration; report_charts.c, the charts;
 * report_sections.c, the sections from small queries).  Not a public
 * header: report.h is.
 */
#ifndef BENCHAAS_REPORTINT_H
#define BENCHAAS_REPORTINT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "query.h"
#include "store.h"
#include "svg.h"

/* ---- small helpers -------------------------------------------------------------- */

static inline void esc(FILE *out, const char *s) { svg_escape(out, s ? s : ""); }

/* A stored time "2026-11-21T10:12:17Z" as "2026-11-21 10:12" (UTC). */
static inline void time_cell(FILE *out, const char *iso)
{
    if (!iso || strlen(iso) < 16) {
        esc(out, iso ? iso : "-");
        return;
    }
    fprintf(out, "%.10s %.5s", iso, iso + 11);
}

static inline void num_cell(FILE *out, double v)
{
    char buf[48];
    fprintf(out, "<td class=\"n\">%s</td>", query_readable_number(v, buf, sizeof buf));
}

/* "hpl-NB" -> a safe id fragment */
static inline void anchor(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
                  ? *s
                  : '-',
              out);
}

/* A point of a series: run id, time, value; in time order by cmp_pt. */
typedef struct pt {
    double t, v;
    int64_t id; /* the run */
} pt;

static inline int cmp_pt(const void *a, const void *b)
{
    double x = ((const pt *)a)->t, y = ((const pt *)b)->t;
    return x < y ? -1 : x > y;
}

/* ---- configurations (host ignored): report_model.c -------------------------------- */

typedef struct cfg {
    char *key; /* the configuration key without the host */
    const char *plugin, *params;
    int64_t ranks, threads;
    char *label;
    aentry **ents; /* per host and metric */
    size_t nents, capents;
    size_t runs; /* of its first directional metric: a measure of how much it was run */
} cfg;

typedef struct model {
    aset a;
    cfg *cfgs;
    size_t ncfgs;
} model;

int build_model(model *m);
void model_free(model *m);
size_t plugin_metrics(const model *m, const char *plugin, const aentry **res, size_t max);
size_t plugin_cfgs(const model *m, const char *plugin, cfg **out);
size_t cfg_points(const cfg *c, const char *metric, int in_time, pt **out);

/* ---- charts: report_charts.c ------------------------------------------------------- */

/* A parameter of a plugin's configurations and the distinct values it takes. */
typedef struct swept {
    char *name;
    int numeric;
    size_t nvalues;
} swept;

int chart_over_time(FILE *out, sqlite3 *db, sqlite3_stmt *bst, const char *plugin,
                    const aentry *metric, cfg **cfgs, size_t ncfgs, size_t max_series);
int chart_sweep(FILE *out, store *s, const char *plugin, const aentry *metric, cfg **cfgs,
                size_t ncfgs, const swept *sw, size_t nsw, const swept *x);
int chart_hosts(FILE *out, const char *plugin, const aentry *metric, const cfg *c);
size_t find_swept(cfg **cfgs, size_t n, swept *out, size_t max);

size_t max_points(cfg **cfgs, size_t n, const char *metric);
void single_values_table(FILE *out, const aentry *const *metrics, size_t nm,
                         const int *single, cfg **cfgs, size_t nc);

/* ---- sections from small queries: report_sections.c -------------------------------- */

/* One line of the summary: a plugin's runs. */
typedef struct sumrow {
    char *plugin;
    int64_t runs, ok, failed, hosts;
    char *first, *last; /* NULL: no start */
    size_t firstcap, lastcap;
} sumrow;

/* The summary's rows of a filter, counted on connection s (a thread of its own). */
typedef struct sumjob {
    store *s;
    const qfilter *f;
    sumrow *rows;
    size_t n;
    int rc;
} sumjob;

void *summary_rows(void *arg);
int section_summary(FILE *out, sumjob *j, char ***plugins, size_t *np);
void sumrows_free(sumrow *r, size_t n);
int section_timelines(FILE *out, store *s, const qfilter *f, int max);
int section_failures(FILE *out, store *s, const qfilter *f, int max);
int section_runs(FILE *out, store *s, const qfilter *f, int max);

#endif
