/*
 * compare.c — `benchaas compare A B`: two runs, or two groups of runs, per
 * configuration and metric: the medians, the change in %, better or worse
 * by the metric's direction, and whether the change is beyond the noise.
 *
 * "Beyond the noise" is a Mann–Whitney U test over the repetitions (every
 * sample of every run on each side; a metric without samples contributes
 * each run's value): the p-value is the probability of a difference at
 * least this large between the ranks if both sides came from the same
 * distribution.  Too few repetitions to ever reach --alpha is said so
 * rather than reported as "no difference".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "text.h"
#include "benchaas/plugin.h"
#include "query.h"
#include "compare.h"
#include "headline.h"
#include "stats.h"
#include "table.h"
#include "util.h"

static const char *verdict_text(const cmp_row *r)
{
    if (r->noise < 0)
        return "inconclusive"; /* too few samples to show any difference: never "same" */
    if (r->noise != 1)
        return "same";
    if (r->direction > 0)
        return "better";
    if (r->direction < 0)
        return "worse";
    return "changed";
}

/* Why a row is inconclusive: the sample sizes and the smallest p-value they allow. */
static void inconclusive_why(const cmp_row *r, double alpha, char *buf, size_t len)
{
    snprintf(buf, len,
             "%zu against %zu samples: the smallest p-value possible is %.3g, not below "
             "alpha %g",
             r->a->samples.n, r->b->samples.n, r->min_p, alpha);
}

static const char *noise_text(const cmp_row *r)
{
    return r->noise == 1 ? "yes" : r->noise == 0 ? "no" : "too few";
}

static int cmp_rows(const void *pa, const void *pb)
{
    const cmp_row *a = pa, *b = pb;
    int c = strcmp(a->a->plugin, b->a->plugin);
    if (c)
        return c;
    c = strcmp(a->label, b->label);
    if (c)
        return c;
    if (a->a->host && b->a->host && (c = strcmp(a->a->host, b->a->host)))
        return c;
    return a->a->seq - b->a->seq;
}

/* Does side `s` hold exactly one configuration of `plugin`?  That cfgkey, or NULL. */
static const char *only_config(const aset *s, const char *plugin)
{
    const char *found = NULL;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->e[i]->plugin, plugin) != 0)
            continue;
        if (found && strcmp(found, s->e[i]->cfgkey) != 0)
            return NULL;
        found = s->e[i]->cfgkey;
    }
    return found;
}

static void fmt_change(double change, char *buf, size_t len)
{
    if (!isfinite(change))
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, "%+.*f %%", fabs(change) < 10 ? 2 : 1, change);
}

static void fmt_p(double p, char *buf, size_t len)
{
    if (!isfinite(p))
        snprintf(buf, len, "-");
    else if (p < 0.0001)
        snprintf(buf, len, "<0.0001");
    else
        snprintf(buf, len, "%.4f", p);
}

/* The side's description for the header: "tag:x — 5 runs". */
static int print_table(FILE *out, const char *sa, const char *sb, const aset *a, const aset *b,
                       cmp_row *rows, size_t n)
{
    fprintf(out, "A: %s (%zu run%s)\nB: %s (%zu run%s)\n\n", sa, a->nruns,
            a->nruns == 1 ? "" : "s", sb, b->nruns, b->nruns == 1 ? "" : "s");
    static const char *const head[] = {"plugin", "config", "host",    "metric", "A",
                                       "B",      "unit",   "change", "p",      "beyond noise",
                                       "verdict", "n A/B"};
    enum { NC = 12 };
    /* numbers right-aligned; the host column only when comparing host by host */
    char cols[] = "llllrrlrrllr";
    if (!(n && rows[0].a->host))
        cols[2] = '-';
    ttable t;
    ttable_init(&t, NC, head, cols);
    for (size_t i = 0; i < n; i++) {
        const cmp_row *r = &rows[i];
        char ma[64], mb[64], change[64], p[64], nab[64];
        ttable_add(&t, r->a->plugin);
        ttable_add(&t, r->label[0] ? r->label : "-");
        ttable_add(&t, r->a->host ? r->a->host : "-");
        ttable_add(&t, r->a->metric);
        ttable_add(&t, query_readable_number(r->med_a, ma, sizeof ma));
        ttable_add(&t, query_readable_number(r->med_b, mb, sizeof mb));
        ttable_add(&t, r->a->unit ? r->a->unit : "");
        fmt_change(r->change, change, sizeof change);
        ttable_add(&t, change);
        fmt_p(r->p, p, sizeof p);
        ttable_add(&t, p);
        ttable_add(&t, noise_text(r));
        ttable_add(&t, verdict_text(r));
        snprintf(nab, sizeof nab, "%zu/%zu", r->a->samples.n, r->b->samples.n);
        ttable_add(&t, nab);
    }
    int rc = ttable_print(&t, out);
    ttable_free(&t);
    return rc;
}

static void print_csv(FILE *out, cmp_row *rows, size_t n)
{
    char buf[64];
    fputs("plugin,config,params_a,params_b,host,metric,unit,better,n_a,n_b,runs_a,runs_b,"
          "median_a,median_b,change_percent,p_value,beyond_noise,verdict\n",
          out);
    for (size_t i = 0; i < n; i++) {
        const cmp_row *r = &rows[i];
        query_csv_field(out, r->a->plugin, 0);
        query_csv_field(out, r->label, 0);
        query_csv_field(out, r->a->params, 0);
        query_csv_field(out, r->b->params, 0);
        query_csv_field(out, r->a->host, 0);
        query_csv_field(out, r->a->metric, 0);
        query_csv_field(out, r->a->unit, 0);
        query_csv_field(out, r->a->better, 0);
        fprintf(out, "%zu,%zu,%zu,%zu,", r->a->samples.n, r->b->samples.n, r->a->nruns,
                r->b->nruns);
        query_csv_field(out, isfinite(r->med_a) ? query_exact_number(r->med_a, buf, 64) : NULL, 0);
        query_csv_field(out, isfinite(r->med_b) ? query_exact_number(r->med_b, buf, 64) : NULL, 0);
        query_csv_field(out, isfinite(r->change) ? query_exact_number(r->change, buf, 64) : NULL,
                        0);
        query_csv_field(out, isfinite(r->p) ? query_exact_number(r->p, buf, 64) : NULL, 0);
        query_csv_field(out, noise_text(r), 0);
        query_csv_field(out, verdict_text(r), 1);
    }
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static cJSON *side_json(const aentry *e, double median)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "n", (double)e->samples.n);
    cJSON_AddNumberToObject(o, "runs", (double)e->nruns);
    add_num(o, "median", median);
    add_num(o, "min", e->samples.n ? e->samples.v[0] : NAN);
    add_num(o, "max", e->samples.n ? e->samples.v[e->samples.n - 1] : NAN);
    cJSON *params = cJSON_Parse(e->params);
    cJSON_AddItemToObject(o, "params", params ? params : cJSON_CreateObject());
    return o;
}

static int print_json(FILE *out, const char *sa, const char *sb, const aset *a, const aset *b,
                      double alpha, cmp_row *rows, size_t n)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *ja = cJSON_AddObjectToObject(doc, "a"), *jb = cJSON_AddObjectToObject(doc, "b");
    cJSON_AddStringToObject(ja, "selector", sa);
    cJSON_AddNumberToObject(ja, "runs", (double)a->nruns);
    cJSON_AddStringToObject(jb, "selector", sb);
    cJSON_AddNumberToObject(jb, "runs", (double)b->nruns);
    cJSON_AddNumberToObject(doc, "alpha", alpha);
    cJSON *arr = cJSON_AddArrayToObject(doc, "comparisons");
    for (size_t i = 0; i < n; i++) {
        const cmp_row *r = &rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "plugin", r->a->plugin);
        cJSON_AddStringToObject(o, "config", r->label);
        if (r->a->host)
            cJSON_AddStringToObject(o, "host", r->a->host);
        cJSON_AddStringToObject(o, "metric", r->a->metric);
        cJSON_AddStringToObject(o, "unit", r->a->unit ? r->a->unit : "");
        cJSON_AddStringToObject(o, "better", r->a->better ? r->a->better : "none");
        cJSON_AddItemToObject(o, "a", side_json(r->a, r->med_a));
        cJSON_AddItemToObject(o, "b", side_json(r->b, r->med_b));
        add_num(o, "change_percent", r->change);
        add_num(o, "p_value", r->p);
        if (r->noise < 0)
            cJSON_AddNullToObject(o, "beyond_noise");
        else
            cJSON_AddBoolToObject(o, "beyond_noise", r->noise == 1);
        cJSON_AddStringToObject(o, "verdict", verdict_text(r));
        if (r->noise < 0) {
            char why[160];
            inconclusive_why(r, alpha, why, sizeof why);
            cJSON_AddStringToObject(o, "why", why);
        }
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text)
        return BX_ENOMEM;
    text_put_json(out, text); /* valid UTF-8, no raw control */
    fputc('\n', out);
    cJSON_free(text);
    return 0;
}

/* ---- compare as data ---------------------------------------------------------------- */

/* Both sides' values; each side must select runs. */
static int compare_load(store *s, const qfilter *common, const qfilter *fa, const qfilter *fb,
                        const char *const sel[2], const compare_opts *o, compare_result *r,
                        char *err, size_t errlen)
{
    int flags_load = ASET_SAMPLES | (o->per_host ? ASET_PER_HOST : 0);
    if (aset_load(s, fa, flags_load, &r->a) || aset_load(s, fb, flags_load, &r->b))
        return BX_EIO;
    for (int side = 0; side < 2; side++)
        if ((side ? r->b.nruns : r->a.nruns) == 0)
            return errf(err, errlen, BX_EINVAL, "%s ('%s') selects no run with results in %s%s",
                        side ? "B" : "A", sel[side], common->db,
                        common->statuses.n == 1 && !strcmp(common->statuses.v[0], "ok")
                            ? " (only ok runs are compared; --status to change that)"
                            : "");
    return 0;
}

/* Pair A's entries with B's: the same key, or each side's only configuration of a plugin. */
static int compare_pair(const qfilter *common, const compare_opts *o, compare_result *r,
                        char *err, size_t errlen)
{
    aset *a = &r->a, *b = &r->b;
    r->rows = calloc(a->n ? a->n : 1, sizeof *r->rows);
    if (!r->rows)
        return errf(err, errlen, BX_ENOMEM, "out of memory");
    for (size_t i = 0; i < a->n; i++) {
        aentry *ea = a->e[i], *eb;
        if (headline_only(common) && !headline_entry(ea)) {
            r->hidden++;
            continue;
        }
        eb = aset_find(b, ea->key);
        if (!eb) {
            const char *ca = only_config(a, ea->plugin), *cb = only_config(b, ea->plugin);
            if (ca && cb) {
                char *k;
                if (asprintf(&k, "%s\x1f%s", cb, ea->metric) < 0)
                    return errf(err, errlen, BX_ENOMEM, "out of memory");
                eb = aset_find(b, k);
                free(k);
            }
        }
        if (!eb || ea->samples.n == 0 || eb->samples.n == 0) {
            r->only_a += !eb;
            continue;
        }
        r->rows[r->nrows++] = (cmp_row){.a = ea, .b = eb};
    }
    if (r->nrows == 0)
        return errf(err, errlen, BX_EINVAL,
                    "nothing to compare: A and B share no configuration (plugin, parameters, "
                    "ranks, threads%s) with values%s",
                    o->per_host ? ", host" : "", common->metrics.n ? " for the --metric given" : "");
    return 0;
}

/* Each row's label (over both sides' configurations), medians, change and test. */
static int compare_stats(const compare_opts *o, compare_result *r, char *err, size_t errlen)
{
    size_t nrows = r->nrows;
    aentry **all = malloc(2 * nrows * sizeof *all);
    if (!all)
        return errf(err, errlen, BX_ENOMEM, "out of memory");
    for (size_t i = 0; i < nrows; i++) {
        all[2 * i] = r->rows[i].a;
        all[2 * i + 1] = r->rows[i].b;
    }
    char **labels = analyze_config_labels(all, 2 * nrows);
    free(all);
    if (!labels)
        return errf(err, errlen, BX_ENOMEM, "out of memory");
    for (size_t i = 0; i < nrows; i++) {
        cmp_row *row = &r->rows[i];
        const char *la = labels[2 * i], *lb = labels[2 * i + 1];
        if (strcmp(la, lb) == 0)
            row->label = strdup(la);
        else if (asprintf(&row->label, "%s -> %s", la[0] ? la : "-", lb[0] ? lb : "-") < 0)
            row->label = NULL;
        stats_sort(row->a->samples.v, row->a->samples.n);
        stats_sort(row->b->samples.v, row->b->samples.n);
        row->med_a = stats_pct_sorted(row->a->samples.v, row->a->samples.n, 50);
        row->med_b = stats_pct_sorted(row->b->samples.v, row->b->samples.n, 50);
        row->change =
            row->med_a != 0 ? (row->med_b - row->med_a) / fabs(row->med_a) * 100.0 : NAN;
        if (row->med_a == 0 && row->med_b == 0)
            row->change = 0;
        row->p = stats_mann_whitney(row->a->samples.v, row->a->samples.n, row->b->samples.v,
                                    row->b->samples.n, &row->min_p);
        if (isfinite(row->min_p) && row->min_p > o->alpha)
            row->noise = -1;
        else
            row->noise = isfinite(row->p) && row->p < o->alpha &&
                         (!(o->min_change > 0) || !isfinite(row->change) ||
                          fabs(row->change) >= o->min_change);
        row->direction = analyze_direction(row->a->better, row->med_b - row->med_a);
    }
    analyze_labels_free(labels, 2 * nrows);
    for (size_t i = 0; i < nrows; i++)
        if (!r->rows[i].label)
            return errf(err, errlen, BX_ENOMEM, "out of memory");
    qsort(r->rows, nrows, sizeof *r->rows, cmp_rows);
    return 0;
}

int compare_run(store *s, const qfilter *common, const qfilter *fa, const qfilter *fb,
                const char *const sel[2], const compare_opts *o, compare_result *out, char *err,
                size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    int rc = compare_load(s, common, fa, fb, sel, o, out, err, errlen);
    if (rc == 0)
        rc = compare_pair(common, o, out, err, errlen);
    if (rc == 0)
        rc = compare_stats(o, out, err, errlen);
    return rc;
}

void compare_result_free(compare_result *r)
{
    for (size_t i = 0; i < r->nrows; i++)
        free(r->rows[i].label);
    free(r->rows);
    aset_free(&r->a);
    aset_free(&r->b);
    memset(r, 0, sizeof *r);
}

/* ---- compare: renderers ---------------------------------------------------------------- */

int compare_render_table(const compare_result *r, const char *sa, const char *sb, double alpha,
                         FILE *out)
{
    if (print_table(out, sa, sb, &r->a, &r->b, r->rows, r->nrows))
        return BX_ENOMEM;
    int too_few = 0;
    for (size_t i = 0; i < r->nrows; i++)
        too_few |= r->rows[i].noise < 0;
    if (too_few) {
        fprintf(out,
                "\n'inconclusive' (beyond noise: 'too few'): with so few repetitions no "
                "difference can reach p < %g, however large; run more (--repetitions) or "
                "compare groups of runs.\n",
                alpha);
        for (size_t i = 0; i < r->nrows; i++) {
            const cmp_row *w = &r->rows[i];
            char why[160];
            if (w->noise >= 0)
                continue;
            inconclusive_why(w, alpha, why, sizeof why);
            fprintf(out, "  %s %s%s%s: %s\n", w->a->plugin, w->label, w->label[0] ? " " : "",
                    w->a->metric, why);
        }
    }
    if (r->only_a)
        fprintf(out, "(%zu metric%s of A had no counterpart in B)\n", r->only_a,
                r->only_a == 1 ? "" : "s");
    if (r->hidden)
        fprintf(out, "(%zu more metric%s not compared: --all-metrics, or --metric NAME)\n",
                r->hidden, r->hidden == 1 ? "" : "s");
    return 0;
}

void compare_render_csv(const compare_result *r, FILE *out)
{
    print_csv(out, r->rows, r->nrows);
}

int compare_render_json(const compare_result *r, const char *sa, const char *sb, double alpha,
                        FILE *out)
{
    return print_json(out, sa, sb, &r->a, &r->b, alpha, r->rows, r->nrows) ? BX_ENOMEM : 0;
}
