/*
 * aggregate.c — `benchaas query --group-by F --stat S [--over runs|samples]`.
 *
 * One SELECT joins the matching runs (the filter's id SELECT, as a CTE)
 * with their metrics (or samples) and the group fields; rows are grouped
 * here, in a hash table keyed by the group values and the metric, because
 * SQLite has no median or percentile.  Groups are printed sorted by their
 * values (numbers as numbers), then by the plugin's metric order.
 */
#define _GNU_SOURCE
#include "aggregate.h"
#include "aggsamples.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"
#include "benchaas/sdk.h" /* bx_stats_compute */
#include "stats.h"
#include "table.h"

/* ---- options ---------------------------------------------------------------- */

/* Run fields: name, SQL over runs r and hosts h, whole number. */
static const struct runfield {
    const char *name, *expr;
    int integer;
} run_fields[] = {
    {"plugin", "r.plugin", 0},
    {"plugin_version", "r.plugin_version", 0},
    {"status", "r.status", 0},
    {"host", "h.name", 0},
    {"cpu_model", "h.cpu_model", 0},
    {"job_id", "r.job_id", 1},
    {"job", "r.job_id", 1},
    {"experiment", "r.experiment", 0},
    {"launcher", "r.launcher", 0},
    {"ranks", "r.ranks", 1},
    {"threads", "r.threads", 1},
    {"repetitions", "r.repetitions", 1},
    {"point", "r.point", 1},
    {"day", "substr(r.started_at, 1, 10)", 0},
    {"week", "strftime('%Y-W%W', r.started_at)", 0},
    {"month", "substr(r.started_at, 1, 7)", 0},
    {"year", "substr(r.started_at, 1, 4)", 0},
    {NULL, NULL, 0},
};

/* A --stat token: count, runs, min, median, mean, max, stddev, pNN. */
static int stat_valid(const char *s)
{
    static const char *const names[] = {"count", "runs", "min",    "median",
                                        "mean",  "max",  "stddev", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    if (s[0] != 'p' || !isdigit((unsigned char)s[1]))
        return 0;
    char *end;
    errno = 0;
    double p = strtod(s + 1, &end);
    return *end == '\0' && errno == 0 && p >= 0 && p <= 100;
}

static int qpush(qlist *l, const char *v)
{
    const char **nv = l->n < 1000 ? realloc(l->v, (l->n + 1) * sizeof *nv) : NULL;
    if (!nv)
        return -1;
    nv[l->n++] = v;
    l->v = nv;
    return 0;
}

/* The comma-separated pieces of val into l (the text is kept by filt). */
static int split_into(qfilter *filt, qlist *l, const char *val)
{
    char *copy = (char *)qfilter_keep(filt, val);
    if (!copy)
        return -1;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (*tok && qpush(l, tok) != 0)
            return -1;
    }
    return 0;
}

int qgroup_option(qgroup *g, qfilter *filt, const char *name, const char *val)
{
    const char *cmd = filt->cmd ? filt->cmd : "query";
    if (strcmp(name, "--group-by") == 0) {
        size_t before = g->fields.n;
        if (split_into(filt, &g->fields, val) != 0)
            return query_usage_error(cmd, "--group-by: too many fields");
        if (g->fields.n == before)
            return query_usage_error(cmd, "--group-by needs a field (a parameter, host, ...)");
        g->given = 1;
        return 0;
    }
    if (strcmp(name, "--stat") == 0) {
        size_t before = g->stats.n;
        if (split_into(filt, &g->stats, val) != 0)
            return query_usage_error(cmd, "--stat: too many statistics");
        if (g->stats.n == before)
            return query_usage_error(cmd, "--stat needs a statistic");
        for (size_t i = before; i < g->stats.n; i++)
            if (!stat_valid(g->stats.v[i]))
                return query_usage_error(cmd,
                                         "unknown statistic '%s' (count, runs, min, median, "
                                         "mean, max, stddev, p5, p95 or any pNN)",
                                         g->stats.v[i]);
        g->given = 1;
        return 0;
    }
    if (strcmp(name, "--over") == 0) {
        if (strcmp(val, "runs") == 0)
            g->over_samples = 0;
        else if (strcmp(val, "samples") == 0 || strcmp(val, "repetitions") == 0)
            g->over_samples = 1;
        else
            return query_usage_error(cmd, "--over '%s': use runs or samples", val);
        g->given = 1;
        return 0;
    }
    return query_usage_error(cmd, "unknown option '%s'", name);
}

int qgroup_active(const qgroup *g) { return g->given; }

void qgroup_free(qgroup *g)
{
    for (size_t i = 0; i < g->nf; i++)
        free(g->f[i].label);
    free(g->f);
    free(g->fields.v);
    free(g->stats.v);
    memset(g, 0, sizeof *g);
}

/* Does any run have parameter (what 'p') or provenance key ('v') `name`? 1, 0, or <0. */
static int exists_in(store *s, int what, const char *name)
{
    sqlite3_stmt *st;
    const char *sql = what == 'p' ? "SELECT 1 FROM config_params WHERE name = ?1 LIMIT 1"
                                  : "SELECT 1 FROM provenance WHERE key = ?1 LIMIT 1";
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Names the output uses for its own columns: a group field of that name gets a prefix. */
static int reserved_label(const qgroup *g, const char *label)
{
    if (strcmp(label, "metric") == 0 || strcmp(label, "unit") == 0 ||
        strcmp(label, "better") == 0)
        return 1;
    for (size_t i = 0; i < g->stats.n; i++)
        if (strcmp(g->stats.v[i], label) == 0)
            return 1;
    return 0;
}

int qgroup_resolve(qgroup *g, store *s, const qfilter *filt)
{
    const char *cmd = filt->cmd ? filt->cmd : "query";
    static const char *const default_stats[] = {"count", "median", "min", "max"};
    if (g->stats.n == 0)
        for (size_t i = 0; i < 4; i++)
            if (qpush(&g->stats, default_stats[i]) != 0)
                return 2;
    sqlite3_stmt *st;
    int64_t any = 0;
    if (sqlite3_prepare_v2(store_db(s), "SELECT EXISTS (SELECT 1 FROM runs)", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        any = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);

    g->f = calloc(g->fields.n ? g->fields.n : 1, sizeof *g->f);
    if (!g->f)
        return 2;
    for (size_t i = 0; i < g->fields.n; i++) {
        const char *tok = g->fields.v[i];
        qfield *q = &g->f[g->nf];
        if (strcmp(tok, "metric") == 0)
            continue; /* always a grouping dimension */
        if (strncmp(tok, "param:", 6) == 0 || strncmp(tok, "prov:", 5) == 0) {
            int param = tok[1] == 'a';
            const char *key = tok + (param ? 6 : 5);
            if (!*key)
                return query_usage_error(cmd, "--group-by %s needs a name after the colon", tok);
            int k = any ? exists_in(s, param ? 'p' : 'v', key) : 1;
            if (k < 0) {
                fprintf(stderr, "benchaas %s: %s: %s\n", cmd, filt->db,
                        sqlite3_errmsg(store_db(s)));
                return 2;
            }
            if (k == 0) {
                fprintf(stderr, "benchaas %s: unknown %s '%s' in --group-by: no run in %s has it\n",
                        cmd, param ? "parameter" : "provenance key", key, filt->db);
                return 2;
            }
            q->kind = param ? QF_PARAM : QF_PROV;
            q->key = key;
            q->label = strdup(tok);
        } else {
            const struct runfield *rf = NULL;
            for (int k = 0; run_fields[k].name; k++)
                if (strcmp(run_fields[k].name, tok) == 0)
                    rf = &run_fields[k];
            if (rf) {
                q->kind = QF_RUN;
                q->expr = rf->expr;
                q->integer = rf->integer;
            } else if (strcmp(tok, "tag") == 0 || strcmp(tok, "tags") == 0) {
                q->kind = QF_TAG;
            } else {
                int p = any ? exists_in(s, 'p', tok) : 1;
                int v = p == 0 ? exists_in(s, 'v', tok) : 0;
                if (p < 0 || v < 0) {
                    fprintf(stderr, "benchaas %s: %s: %s\n", cmd, filt->db,
                            sqlite3_errmsg(store_db(s)));
                    return 2;
                }
                if (!p && !v) {
                    fprintf(stderr,
                            "benchaas %s: unknown field '%s' in --group-by: no run in %s has a "
                            "parameter or provenance key of that name, and it is not a run field "
                            "(plugin, plugin_version, status, host, cpu_model, job_id, "
                            "experiment, launcher, ranks, threads, repetitions, point, tag, day, "
                            "week, month, year)\n",
                            cmd, tok, filt->db);
                    return 2;
                }
                q->kind = p ? QF_PARAM : QF_PROV;
                q->key = tok;
            }
            if (reserved_label(g, tok) && (q->kind == QF_PARAM || q->kind == QF_PROV)) {
                q->label = malloc(strlen(tok) + 7);
                if (q->label)
                    sprintf(q->label, "%s:%s", q->kind == QF_PARAM ? "param" : "prov", tok);
            } else {
                q->label = strdup(tok);
            }
        }
        if (!q->label) {
            fprintf(stderr, "benchaas: out of memory\n");
            return 2;
        }
        g->nf++;
    }
    return 0;
}

/* ---- grouping ----------------------------------------------------------------- */

#define NULL_MARK "\x1e" /* a group value that is NULL (no such parameter in that run) */


typedef struct gtable {
    group **slots; /* open addressing */
    size_t cap, count;
    group **all; /* in creation order */
    size_t nall, capall;
} gtable;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static int gt_grow(gtable *t)
{
    size_t cap = t->cap ? t->cap * 2 : 256;
    group **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        group *g = t->slots[i];
        if (!g)
            continue;
        size_t j = hash_str(g->key) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = g;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

/* The group of `key`, created (with *created = 1) when new; NULL when out of memory. */
static group *gt_get(gtable *t, const char *key, int *created)
{
    *created = 0;
    if ((t->count + 1) * 2 > t->cap && gt_grow(t) != 0)
        return NULL;
    size_t j = hash_str(key) & (t->cap - 1);
    while (t->slots[j]) {
        if (strcmp(t->slots[j]->key, key) == 0)
            return t->slots[j];
        j = (j + 1) & (t->cap - 1);
    }
    group *g = calloc(1, sizeof *g);
    if (!g || !(g->key = strdup(key))) {
        free(g);
        return NULL;
    }
    if (t->nall == t->capall) {
        size_t cap = t->capall ? t->capall * 2 : 64;
        group **all = realloc(t->all, cap * sizeof *all);
        if (!all) {
            free(g->key);
            free(g);
            return NULL;
        }
        t->all = all;
        t->capall = cap;
    }
    t->all[t->nall++] = g;
    t->slots[j] = g;
    t->count++;
    *created = 1;
    return g;
}

static void gt_free(gtable *t, size_t nf)
{
    for (size_t i = 0; i < t->nall; i++) {
        group *g = t->all[i];
        for (size_t k = 0; g->vals && k < nf; k++) {
            free(g->vals[k]);
            free(g->types[k]);
        }
        free(g->vals);
        free(g->types);
        free(g->key);
        free(g->metric);
        free(g->unit);
        free(g->better);
        free(g->v);
        free(g->runs);
        free(g);
    }
    free(t->all);
    free(t->slots);
}

static char *dup_or_null(const unsigned char *t) { return t ? strdup((const char *)t) : NULL; }

/* A whole text that is a finite number: 1 and *d. */
static int as_number(const char *s, double *d)
{
    if (!s || !*s)
        return 0;
    char *end;
    *d = strtod(s, &end);
    return *end == '\0' && isfinite(*d);
}

static size_t g_nf; /* for the qsort comparator: number of group fields */

static int cmp_groups(const void *pa, const void *pb)
{
    const group *a = *(group *const *)pa, *b = *(group *const *)pb;
    for (size_t k = 0; k < g_nf; k++) {
        const char *x = a->vals[k], *y = b->vals[k];
        if (!x || !y) {
            if (x != y)
                return x ? -1 : 1; /* NULL last */
            continue;
        }
        double dx, dy;
        int c;
        if (as_number(x, &dx) && as_number(y, &dy))
            c = dx < dy ? -1 : dx > dy;
        else
            c = strcmp(x, y);
        if (c)
            return c;
    }
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return strcmp(a->metric, b->metric);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- statistics ------------------------------------------------------------------ */

/* The value of statistic `name` over g (NAN when there is no value): from bs, the SDK's
   summary of g's values, when given; percentiles by selection. */
static double stat_of(group *g, const char *name, const bx_stats *bs)
{
    if (strcmp(name, "count") == 0)
        return (double)g->n;
    if (strcmp(name, "runs") == 0) {
        if (g->n == 0)
            return 0;
        qsort(g->runs, g->n, sizeof *g->runs, cmp_i64);
        size_t distinct = 1;
        for (size_t i = 1; i < g->n; i++)
            distinct += g->runs[i] != g->runs[i - 1];
        return (double)distinct;
    }
    if (g->n == 0)
        return NAN;
    if (!bs) { /* percentiles by selection (g->v is reordered), the ends by a scan */
        if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0)
            return stats_pct_select(g->v, g->n, name[1] == 'i' ? 0 : 100);
        return stats_pct_select(g->v, g->n,
                                strcmp(name, "median") == 0 ? 50 : strtod(name + 1, NULL));
    }
    if (strcmp(name, "min") == 0)
        return bs->min;
    if (strcmp(name, "max") == 0)
        return bs->max;
    if (strcmp(name, "mean") == 0)
        return bs->mean;
    if (strcmp(name, "median") == 0)
        return bs->median;
    if (strcmp(name, "stddev") == 0)
        return g->n > 1 ? bs->stddev : NAN;
    if (strcmp(name, "p5") == 0)
        return bs->p5;
    if (strcmp(name, "p95") == 0)
        return bs->p95;
    return stats_pct_select(g->v, g->n, strtod(name + 1, NULL));
}

static int is_count(const char *stat) { return !strcmp(stat, "count") || !strcmp(stat, "runs"); }

/* ---- output ------------------------------------------------------------------------ */

/* A group value as typed JSON. */
static cJSON *typed_value(const qfield *f, const char *v, const char *type)
{
    double d;
    if (!v)
        return cJSON_CreateNull();
    if (f->kind == QF_RUN && f->integer && as_number(v, &d))
        return cJSON_CreateNumber(d);
    if (f->kind == QF_PARAM && type) {
        if ((!strcmp(type, "int") || !strcmp(type, "size") || !strcmp(type, "double")) &&
            as_number(v, &d))
            return cJSON_CreateNumber(d);
        if (!strcmp(type, "bool") && (!strcmp(v, "true") || !strcmp(v, "false")))
            return cJSON_CreateBool(strcmp(v, "true") == 0);
    }
    return cJSON_CreateString(v);
}

static int print_json_groups(const qgroup *g, group **all, size_t n, double *stats, FILE *out,
                             int lines)
{
    if (!lines)
        fputs("{\"groups\": [", out);
    for (size_t i = 0; i < n; i++) {
        group *gr = all[i];
        cJSON *o = cJSON_CreateObject();
        for (size_t k = 0; k < g->nf; k++)
            cJSON_AddItemToObject(o, g->f[k].label,
                                  typed_value(&g->f[k], gr->vals[k], gr->types[k]));
        cJSON_AddStringToObject(o, "metric", gr->metric);
        cJSON_AddStringToObject(o, "unit", gr->unit ? gr->unit : "");
        cJSON_AddStringToObject(o, "better", gr->better ? gr->better : "none");
        for (size_t k = 0; k < g->stats.n; k++) {
            double v = stats[i * g->stats.n + k];
            if (isfinite(v))
                cJSON_AddNumberToObject(o, g->stats.v[k], v);
            else
                cJSON_AddNullToObject(o, g->stats.v[k]);
        }
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text) {
            fprintf(stderr, "benchaas: out of memory\n");
            return BX_ENOMEM;
        }
        if (!lines)
            fprintf(out, "%s\n  ", i ? "," : "");
        text_put_json(out, text); /* valid UTF-8, no raw control */
        if (lines)
            fputc('\n', out);
        cJSON_free(text);
    }
    if (!lines)
        fputs(n ? "\n]}\n" : "]}\n", out);
    return 0;
}

static void print_csv_groups(const qgroup *g, group **all, size_t n, double *stats, FILE *out)
{
    char buf[48];
    for (size_t k = 0; k < g->nf; k++)
        query_csv_field(out, g->f[k].label, 0);
    query_csv_field(out, "metric", 0);
    query_csv_field(out, "unit", 0);
    query_csv_field(out, "better", g->stats.n == 0);
    for (size_t k = 0; k < g->stats.n; k++)
        query_csv_field(out, g->stats.v[k], k + 1 == g->stats.n);
    for (size_t i = 0; i < n; i++) {
        group *gr = all[i];
        for (size_t k = 0; k < g->nf; k++)
            query_csv_field(out, gr->vals[k], 0);
        query_csv_field(out, gr->metric, 0);
        query_csv_field(out, gr->unit ? gr->unit : "", 0);
        query_csv_field(out, gr->better ? gr->better : "none", g->stats.n == 0);
        for (size_t k = 0; k < g->stats.n; k++) {
            double v = stats[i * g->stats.n + k];
            query_csv_field(out, isfinite(v) ? query_exact_number(v, buf, sizeof buf) : NULL,
                            k + 1 == g->stats.n);
        }
    }
}

/* A table cell of row i (-1: the header), column c (fields, metric, stats, unit). */
static const char *table_cell(const qgroup *g, group **all, double *stats, long i, size_t c,
                              char *buf, size_t len)
{
    size_t nf = g->nf, ns = g->stats.n;
    if (i < 0) {
        if (c < nf)
            return g->f[c].label;
        if (c == nf)
            return "metric";
        if (c < nf + 1 + ns)
            return g->stats.v[c - nf - 1];
        return "unit";
    }
    group *gr = all[i];
    if (c < nf)
        return gr->vals[c] ? gr->vals[c] : "-";
    if (c == nf)
        return gr->metric;
    if (c < nf + 1 + ns) {
        size_t k = c - nf - 1;
        double v = stats[(size_t)i * ns + k];
        if (!isfinite(v))
            return "-";
        if (is_count(g->stats.v[k])) {
            snprintf(buf, len, "%.0f", v);
            return buf;
        }
        return query_readable_number(v, buf, len);
    }
    return gr->unit ? gr->unit : "";
}

static int print_table_groups(const qgroup *g, group **all, size_t n, double *stats, FILE *out)
{
    size_t ncol = g->nf + 1 + g->stats.n + 1;
    char **head = calloc(ncol, sizeof *head), *cols = calloc(ncol + 1, 1), buf[64];
    int rc = head && cols ? 0 : BX_ENOMEM;
    for (size_t c = 0; rc == 0 && c < ncol; c++) {
        if (!(head[c] = strdup(table_cell(g, all, stats, -1, c, buf, sizeof buf))))
            rc = BX_ENOMEM;
        cols[c] = c > g->nf && c + 1 < ncol ? 'r' : 'l'; /* the statistics right-aligned */
    }
    if (rc == 0) {
        ttable t;
        ttable_init(&t, ncol, (const char *const *)head, cols);
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < ncol; c++)
                ttable_add(&t, table_cell(g, all, stats, (long)i, c, buf, sizeof buf));
        rc = ttable_print(&t, out);
        ttable_free(&t);
    }
    for (size_t c = 0; head && c < ncol; c++)
        free(head[c]);
    free(head);
    free(cols);
    return rc;
}

/* ---- the query ----------------------------------------------------------------------- */

/*
 * The SQL after the filter's id SELECT: group fields, metric, value, run id.
 * With --metric and a filter that metrics rows answer themselves (plugin,
 * status, host, time), the rows come from one range of metrics_find and the
 * id SELECT is not used (*direct = 1: bind with qfilter_metric_bind).
 */
static int build_sql(const qgroup *g, const qfilter *filt, int series, int merge_samples,
                     char **out, int *direct)
{
    char *sql = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&sql, &len);
    if (!m)
        return BX_ENOMEM;
    int tags = 0;
    fputs(") SELECT ", m);
    for (size_t k = 0; k < g->nf; k++) {
        const qfield *f = &g->f[k];
        if (series) { /* the fields come from describe_sql, once per configuration and host */
            fputs("NULL, NULL, ", m);
            continue;
        }
        switch (f->kind) {
        case QF_RUN: fprintf(m, "%s, NULL, ", f->expr); break;
        case QF_PARAM: fprintf(m, "p%zu.value, p%zu.type, ", k, k); break;
        case QF_PROV: fprintf(m, "v%zu.value, NULL, ", k); break;
        default:
            fputs("t.tag, NULL, ", m);
            tags = 1;
            break;
        }
    }
    fputs("m.name, m.unit, m.better, m.seq, ", m);
    if (g->over_samples && !merge_samples)
        fputs("CASE WHEN s.run_id IS NULL THEN m.value ELSE s.value END, ", m);
    else
        fputs("m.value, ", m);
    *direct = filt->metrics.n && qfilter_metric_conds(filt, "m.run_", NULL);
    if (*direct)
        /* runs r only for run fields (SQLite leaves the join out when none is asked for);
           the configuration and host last, for grouping by them (query_grouped) */
        fputs(series ? "m.run_id, m.run_config_id, m.run_host_id FROM metrics m"
                     : "m.run_id, m.run_config_id, m.run_host_id FROM metrics m"
                       " LEFT JOIN runs r ON r.id = m.run_id",
              m);
    else
        fputs("r.id FROM sel JOIN runs r ON r.id = sel.id JOIN metrics m ON m.run_id = r.id", m);
    /* the samples last when every other join gives one row per metric row (no tags): each
       is then looked up once per metric row, not once per sample; the rows come in the
       same order */
    int samples_last = g->over_samples && !tags && !merge_samples;
    if (g->over_samples && !samples_last && !merge_samples)
        fputs(" LEFT JOIN samples s ON s.run_id = m.run_id AND s.metric = m.name", m);
    if (!series)
        fputs(" LEFT JOIN hosts h ON h.id = m.run_host_id", m);
    for (size_t k = 0; k < g->nf && !series; k++) {
        if (g->f[k].kind == QF_PARAM)
            fprintf(m,
                    " LEFT JOIN config_params p%zu ON p%zu.config_id = m.run_config_id"
                    " AND p%zu.name = :g%zu",
                    k, k, k, k);
        else if (g->f[k].kind == QF_PROV)
            fprintf(m, " LEFT JOIN provenance v%zu ON v%zu.run_id = m.run_id AND v%zu.key = :g%zu",
                    k, k, k, k);
    }
    if (tags)
        fputs(" LEFT JOIN tags t ON t.run_id = m.run_id", m);
    if (samples_last)
        fputs(" LEFT JOIN samples s ON s.run_id = m.run_id AND s.metric = m.name", m);
    if (filt->metrics.n) {
        fputs(" WHERE m.name IN (", m);
        for (size_t i = 0; i < filt->metrics.n; i++)
            fprintf(m, "%s:m%zu", i ? "," : "", i);
        fputs(")", m);
        if (*direct)
            qfilter_metric_conds(filt, "m.run_", m);
    }
    if (fclose(m) != 0) {
        free(sql);
        return BX_ENOMEM;
    }
    *out = sql;
    return 0;
}

/* Is every group field a function of the run's configuration and host (a parameter, a host
   column, the plugin, ranks or threads)? */
static int fields_of_series(const qgroup *g)
{
    static const char *const exprs[] = {"h.name", "h.cpu_model", "r.plugin", "r.ranks",
                                        "r.threads", NULL};
    for (size_t k = 0; k < g->nf; k++) {
        int ok = g->f[k].kind == QF_PARAM;
        for (int i = 0; !ok && g->f[k].kind == QF_RUN && exprs[i]; i++)
            ok = strcmp(g->f[k].expr, exprs[i]) == 0;
        if (!ok)
            return 0;
    }
    return 1;
}

/* The group of each (configuration, host, metric) seen: open addressing. */
typedef struct smap {
    struct sslot {
        int64_t c, h;
        int mi; /* the metric's position in --metric */
        group *g; /* NULL: empty */
    } *slot;
    size_t cap, n;
} smap;

static size_t smap_index(const smap *m, int64_t c, int64_t h, int mi)
{
    uint64_t x = (uint64_t)c * 0x9E3779B97F4A7C15ull ^ (uint64_t)h * 0xC2B2AE3D27D4EB4Full ^
                 (uint64_t)mi * 0x165667B19E3779F9ull;
    size_t i = (size_t)(x >> 29) & (m->cap - 1);
    while (m->slot[i].g && (m->slot[i].c != c || m->slot[i].h != h || m->slot[i].mi != mi))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static group *smap_get(const smap *m, int64_t c, int64_t h, int mi)
{
    return m->cap ? m->slot[smap_index(m, c, h, mi)].g : NULL;
}

/* 0, or -1 out of memory (then nothing is remembered, which only costs time). */
static int smap_put(smap *m, int64_t c, int64_t h, int mi, group *gr)
{
    if ((m->n + 1) * 2 > m->cap) {
        smap bigger = {calloc(m->cap ? 2 * m->cap : 64, sizeof *bigger.slot),
                       m->cap ? 2 * m->cap : 64, 0};
        if (!bigger.slot)
            return -1;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slot[i].g) {
                bigger.slot[smap_index(&bigger, m->slot[i].c, m->slot[i].h, m->slot[i].mi)] =
                    m->slot[i];
                bigger.n++;
            }
        free(m->slot);
        *m = bigger;
    }
    size_t i = smap_index(m, c, h, mi);
    m->n += !m->slot[i].g;
    m->slot[i] = (struct sslot){c, h, mi, gr};
    return 0;
}

/*
 * The group fields of one configuration and host (fields_of_series), in the
 * columns build_sql puts them: ?1 a run of theirs, ?2 the configuration, ?3
 * the host, :gK the names.  Read once per (configuration, host, metric).
 */
static int describe_sql(const qgroup *g, char **out)
{
    char *sql = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&sql, &len);
    if (!m)
        return BX_ENOMEM;
    fputs("SELECT ", m);
    for (size_t k = 0; k < g->nf; k++) {
        if (g->f[k].kind == QF_PARAM)
            fprintf(m, "%sp%zu.value, p%zu.type", k ? ", " : "", k, k);
        else
            fprintf(m, "%s%s, NULL", k ? ", " : "", g->f[k].expr);
    }
    fputs(" FROM (SELECT ?1 AS run_id, ?2 AS run_config_id, ?3 AS run_host_id) m"
          " LEFT JOIN runs r ON r.id = m.run_id LEFT JOIN hosts h ON h.id = m.run_host_id",
          m);
    for (size_t k = 0; k < g->nf; k++)
        if (g->f[k].kind == QF_PARAM)
            fprintf(m,
                    " LEFT JOIN config_params p%zu ON p%zu.config_id = m.run_config_id"
                    " AND p%zu.name = :g%zu",
                    k, k, k, k);
    if (fclose(m) != 0) {
        free(sql);
        return BX_ENOMEM;
    }
    *out = sql;
    return 0;
}

/*
 * The statements of query_grouped: *st the rows, *dst (by_series only) the
 * fields of one configuration and host.  0, or BX_E* after printing why.
 */
static int grouped_prepare(store *s, const qfilter *filt, const qgroup *g, int by_series,
                           int merge, sqlite3_stmt **st, sqlite3_stmt **dst)
{
    const char *cmd = filt->cmd ? filt->cmd : "query";
    char *after = NULL, *dsql = NULL;
    int direct;
    *st = *dst = NULL;
    int rc = build_sql(g, filt, by_series, merge, &after, &direct);
    if (rc == 0 && by_series)
        rc = describe_sql(g, &dsql);
    if (rc) {
        free(after);
        fprintf(stderr, "benchaas: out of memory\n");
        return rc;
    }
    rc = qfilter_prepare(s, filt, "WITH sel(id) AS (", after, st);
    free(after);
    if (rc == 0 && by_series && sqlite3_prepare_v2(store_db(s), dsql, -1, dst, NULL) != SQLITE_OK) {
        fprintf(stderr, "benchaas %s: %s: %s\n", cmd, filt->db, sqlite3_errmsg(store_db(s)));
        rc = BX_EIO;
    }
    free(dsql);
    if (rc) {
        sqlite3_finalize(*st);
        *st = NULL;
        return rc;
    }
    if (direct)
        qfilter_metric_bind(filt, *st);
    char pname[32];
    for (size_t k = 0; k < g->nf; k++) {
        snprintf(pname, sizeof pname, ":g%zu", k);
        int idx = sqlite3_bind_parameter_index(*st, pname);
        if (idx)
            sqlite3_bind_text(*st, idx, g->f[k].key, -1, SQLITE_STATIC);
        idx = *dst ? sqlite3_bind_parameter_index(*dst, pname) : 0;
        if (idx)
            sqlite3_bind_text(*dst, idx, g->f[k].key, -1, SQLITE_STATIC);
    }
    for (size_t i = 0; i < filt->metrics.n; i++) {
        snprintf(pname, sizeof pname, ":m%zu", i);
        sqlite3_bind_text(*st, sqlite3_bind_parameter_index(*st, pname), filt->metrics.v[i], -1,
                          SQLITE_STATIC);
    }
    return 0;
}

/*
 * The group of the row st is on, found or made (*key, *keycap: a buffer kept
 * between rows); its fields are in fst (st, or the describe statement), the
 * metric and what follows in st from column c_metric.  0 or BX_ENOMEM.
 */
static int group_of_row(gtable *t, sqlite3_stmt *st, sqlite3_stmt *fst, size_t nf, int c_metric,
                        char **key, size_t *keycap, group **out)
{
    /* the hash key: each value (or the NULL mark), \x1f, ..., the metric */
    size_t need = 1;
    for (size_t k = 0; k <= nf; k++)
        need += (size_t)(k < nf ? sqlite3_column_bytes(fst, (int)(2 * k))
                                : sqlite3_column_bytes(st, c_metric)) +
                2;
    if (need > *keycap) {
        char *nk = realloc(*key, need * 2);
        if (!nk)
            return BX_ENOMEM;
        *key = nk;
        *keycap = need * 2;
    }
    size_t used = 0;
    for (size_t k = 0; k <= nf; k++) {
        const char *v = k < nf ? (const char *)sqlite3_column_text(fst, (int)(2 * k))
                               : (const char *)sqlite3_column_text(st, c_metric);
        const char *piece = v ? v : NULL_MARK;
        size_t l = strlen(piece);
        memcpy(*key + used, piece, l);
        used += l;
        (*key)[used++] = k < nf ? '\x1f' : '\0';
    }
    int created;
    group *gr = *out = gt_get(t, *key, &created);
    if (!gr)
        return BX_ENOMEM;
    if (!created) {
        if (sqlite3_column_int(st, c_metric + 3) < gr->seq)
            gr->seq = sqlite3_column_int(st, c_metric + 3);
        return 0;
    }
    gr->vals = calloc(nf ? nf : 1, sizeof *gr->vals);
    gr->types = calloc(nf ? nf : 1, sizeof *gr->types);
    if (!gr->vals || !gr->types)
        return BX_ENOMEM;
    for (size_t k = 0; k < nf; k++) {
        gr->vals[k] = dup_or_null(sqlite3_column_text(fst, (int)(2 * k)));
        gr->types[k] = dup_or_null(sqlite3_column_text(fst, (int)(2 * k + 1)));
    }
    gr->metric = dup_or_null(sqlite3_column_text(st, c_metric));
    gr->unit = dup_or_null(sqlite3_column_text(st, c_metric + 1));
    gr->better = dup_or_null(sqlite3_column_text(st, c_metric + 2));
    gr->seq = sqlite3_column_int(st, c_metric + 3);
    return gr->metric ? 0 : BX_ENOMEM;
}

/*
 * Every row of st into groups of t.  by_series: rows of a metrics_find range
 * whose fields follow from the run's configuration and host (read by dst once
 * per configuration, host and metric; the group of each remembered, no key
 * built per row).  0, BX_ENOMEM, or BX_EIO (SQLite's message on the store).
 */
static int grouped_rows(store *s, const qfilter *filt, size_t nf, int by_series, int merge,
                        sqlite3_stmt *st, sqlite3_stmt *dst, gtable *t)
{
    int c_metric = (int)(2 * nf), step, rc = 0;
    char *key = NULL;
    size_t keycap = 0;
    smap sm = {0};
    pending *pend = NULL; /* merge: the rows whose samples come after */
    size_t npend = 0, cappend = 0;
    /* one metric: its samples' reader starts now, while this thread reads the rows */
    spass first;
    int early = merge && filt->metrics.n == 1;
    if (early)
        agg_spass_start(&first, s, filt->metrics.v[0]);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t sc = 0, sh = 0;
        int mi = -1;
        group *gr = NULL;
        if (by_series) {
            if (filt->metrics.n == 1) { /* the statement reads only that metric */
                mi = 0;
            } else {
                const char *mn = (const char *)sqlite3_column_text(st, c_metric);
                for (size_t i = 0; mn && i < filt->metrics.n && mi < 0; i++)
                    if (strcmp(filt->metrics.v[i], mn) == 0)
                        mi = (int)i;
            }
            sc = sqlite3_column_int64(st, c_metric + 6);
            sh = sqlite3_column_int64(st, c_metric + 7);
            if (mi >= 0 && (gr = smap_get(&sm, sc, sh, mi)) != NULL) {
                if (sqlite3_column_int(st, c_metric + 3) < gr->seq)
                    gr->seq = sqlite3_column_int(st, c_metric + 3);
            } else { /* a new configuration and host: its fields */
                sqlite3_reset(dst);
                sqlite3_bind_int64(dst, 1, sqlite3_column_int64(st, c_metric + 5));
                sqlite3_bind_int64(dst, 2, sc);
                sqlite3_bind_int64(dst, 3, sh);
                if (sqlite3_step(dst) != SQLITE_ROW) {
                    step = SQLITE_ERROR;
                    break;
                }
            }
        }
        if (!gr) {
            if ((rc = group_of_row(t, st, by_series ? dst : st, nf, c_metric, &key, &keycap,
                                   &gr)) != 0)
                break;
            if (by_series && mi >= 0)
                smap_put(&sm, sc, sh, mi, gr);
        }
        if (merge && mi >= 0) {
            if (npend == cappend) {
                cappend = cappend ? 2 * cappend : 1024;
                pending *np = realloc(pend, cappend * sizeof *np);
                if (!np) {
                    rc = BX_ENOMEM;
                    break;
                }
                pend = np;
            }
            pend[npend++] = (pending){sqlite3_column_int64(st, c_metric + 5), gr,
                                      sqlite3_column_double(st, c_metric + 4),
                                      sqlite3_column_type(st, c_metric + 4) != SQLITE_NULL, mi};
            continue;
        }
        if (sqlite3_column_type(st, c_metric + 4) == SQLITE_NULL)
            continue; /* a value that was not a finite number */
        double v = sqlite3_column_double(st, c_metric + 4);
        if (isfinite(v) && (rc = agg_group_push(gr, v, sqlite3_column_int64(st, c_metric + 5))) != 0)
            break;
    }
    free(key);
    free(sm.slot);
    if (rc == 0 && step != SQLITE_DONE)
        rc = BX_EIO;
    if (rc == 0 && merge)
        rc = agg_merge_samples(s, filt, pend, npend, early ? &first : NULL);
    if (early)
        agg_spass_end(&first);
    free(pend);
    return rc;
}

int query_grouped(store *s, const qfilter *filt, const qgroup *g, const char *format, FILE *out)
{
    const char *cmd = filt->cmd ? filt->cmd : "query";
    sqlite3_stmt *st = NULL, *dst = NULL;
    gtable t = {0};
    double *stats = NULL;
    /* rows whose group follows from their configuration and host (a metrics_find range,
       fields of configurations and hosts) */
    int by_series = filt->metrics.n && qfilter_metric_conds(filt, "m.run_", NULL) &&
                    fields_of_series(g);
    /* and --over samples: the samples read in step (index samples_metric, version 6) */
    int merge = by_series && g->over_samples && store_schema_version(s) >= 6 &&
                agg_has_samples_index(s);
    int rc = grouped_prepare(s, filt, g, by_series, merge, &st, &dst);
    if (rc)
        return rc;
    size_t nf = g->nf;
    /* --over samples: one snapshot for the rows and their samples, and a second connection
       on it for a reader thread (merge_samples); without one, as before */
    char terr[256];
    int twins = merge && store_open_twins(s, 1, terr, sizeof terr) == 0;
    rc = grouped_rows(s, filt, nf, by_series, merge, st, dst, &t);
    if (rc == BX_EIO)
        fprintf(stderr, "benchaas %s: %s: %s\n", cmd, filt->db, sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(dst);
    sqlite3_finalize(st);
    if (twins) {
        sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL);
        store_twins_close(s);
    }
    if (rc == 0 && t.nall) {
        g_nf = nf;
        qsort(t.all, t.nall, sizeof *t.all, cmp_groups);
        stats = malloc(t.nall * g->stats.n * sizeof *stats);
        if (!stats)
            rc = BX_ENOMEM;
        /* the mean and standard deviation: the SDK's summary; percentiles alone need no
           sort (selection) */
        int summary = 0;
        for (size_t k = 0; k < g->stats.n; k++)
            summary |= !strcmp(g->stats.v[k], "mean") || !strcmp(g->stats.v[k], "stddev");
        for (size_t i = 0; rc == 0 && i < t.nall; i++) {
            bx_stats bs;
            if (summary)
                bx_stats_compute(t.all[i]->v, t.all[i]->n, &bs);
            for (size_t k = 0; k < g->stats.n; k++)
                stats[i * g->stats.n + k] = stat_of(t.all[i], g->stats.v[k], summary ? &bs : NULL);
        }
    }
    if (rc == 0) {
        if (strcmp(format, "json") == 0 || strcmp(format, "jsonl") == 0)
            rc = print_json_groups(g, t.all, t.nall, stats, out, strcmp(format, "jsonl") == 0);
        else if (strcmp(format, "csv") == 0)
            print_csv_groups(g, t.all, t.nall, stats, out);
        else if (t.nall)
            rc = print_table_groups(g, t.all, t.nall, stats, out);
        else
            fprintf(stderr, "benchaas %s: no runs match in %s\n", cmd, filt->db);
    }
    if (rc == BX_ENOMEM)
        fprintf(stderr, "benchaas: out of memory\n");
    free(stats);
    gt_free(&t, nf);
    return rc;
}
