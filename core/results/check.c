/*
 * check.c — the check of `benchaas check` (core/cli/check_cmd.c; the baselines it
 * may use: baseline.c).
 *
 * `check` holds the runs it is given (by default the newest run of each
 * configuration and host) to the matching baseline or, without one, to the
 * history of that configuration.  The history is a series: with enough of
 * it, checkcp.c searches it (and the checked value, last) for a shift of
 * the level (changepoint.c); a shift for the worse beyond the floor is a
 * regression: exit 1.  The band around the history's median (k times the
 * scaled MAD, 1.4826·MAD estimating the standard deviation of normal data
 * without being dragged by outliers) is shown as the reference, decides
 * alone for a short history, and marks a lone value beyond it an outlier.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"
#include "text.h"
#include "benchaas/plugin.h"
#include "query.h"
#include "check.h"
#include "headline.h"
#include "nodes.h"
#include "safefile.h"
#include "stats.h"
#include "table.h"
#include "util.h"

#define MAD_SCALE 1.4826

/* ---- shared ------------------------------------------------------------------ */

static int metric_listed(const qfilter *f, const char *metric)
{
    for (size_t i = 0; i < f->metrics.n; i++)
        if (strcmp(f->metrics.v[i], metric) == 0)
            return 1;
    return 0;
}

/* Is this metric held to a reference?  Any named with --metric; else directional ones:
   the headline metrics, or all with --all-metrics. */
int check_checkable(const qfilter *f, const aentry *e)
{
    if (f->metrics.n)
        return metric_listed(f, e->metric);
    if (headline_only(f) && !headline_entry(e))
        return 0;
    return e->better && strcmp(e->better, "none") != 0;
}

/* Did the user give any filter or selector? */
int check_filter_given(const qfilter *f)
{
    return f->plugins.n || f->hosts.n || f->params.n || f->statuses.n || f->tags.n ||
           f->jobs.n || f->provs.n || f->nids || f->has_since || f->has_until || f->limit > 0 ||
           f->latest;
}

static void xml_escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
                fputc('?', out); /* not allowed in XML 1.0 */
            else
                fputc(c, out);
        }
    }
}


/* ---- check ---------------------------------------------------------------------- */

static const char *verdict_name(int v)
{
    return v == V_REGRESSION ? "REGRESSION"
           : v == V_IMPROVED ? "improved"
           : v == V_NOREF    ? "no reference"
           : v == V_OUTLIER  ? "outlier"
                             : "ok";
}

/* The explicit baseline for row r: 1 found (r filled), 0 none, <0 error. */
static int find_baseline(sqlite3_stmt *st, const char *name, check_row *r)
{
    const aentry *e = r->e;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->plugin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->metric, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->params, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, e->ranks);
    sqlite3_bind_int64(st, 6, e->threads);
    sqlite3_bind_int64(st, 7, e->host_id);
    if (e->host_class)
        sqlite3_bind_text(st, 8, e->host_class, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? 0 : -1;
    double value = sqlite3_column_double(st, 0), tol = sqlite3_column_double(st, 1);
    /* column 2, the baseline's better, is informative: the metric's own direction decides */
    r->ref = value;
    r->nref = (size_t)sqlite3_column_int64(st, 3);
    double slack = fabs(value) * tol;
    r->lo = value - slack;
    r->hi = value + slack;
    const char *where = (const char *)sqlite3_column_text(st, 4);
    snprintf(r->basis, sizeof r->basis, "baseline '%s'%s%s%s, %g %%", name, where ? " (" : "",
             where ? where : "", where ? ")" : "", tol * 100);
    return 1;
}

static const char baseline_sql[] =
    "SELECT b.value, b.tolerance, b.better, coalesce(b.n, 1),"
    "       CASE WHEN b.host_id IS NOT NULL THEN 'host' WHEN b.host_class IS NOT NULL"
    "            THEN 'host class' END"
    "  FROM baselines b"
    " WHERE b.name = ?1 AND b.plugin = ?2 AND b.metric = ?3"
    "   AND (b.params_json = ?4 OR b.params_json = '{}')"
    "   AND (b.ranks IS NULL OR b.ranks = ?5) AND (b.threads IS NULL OR b.threads = ?6)"
    "   AND (b.host_id IS NULL OR b.host_id = ?7)"
    "   AND (b.host_class IS NULL OR b.host_class = ?8)"
    " ORDER BY b.host_id IS NOT NULL DESC, b.host_class IS NOT NULL DESC,"
    "          b.params_json <> '{}' DESC LIMIT 1";

/*
 * The history of one configuration (plugin, params, ranks, threads, and
 * host / class by scope): the values of the last N ok runs started before
 * the candidates,
 * for every metric, appended to hist (one dvec per candidate metric).
 * The configuration's runs newest first come from index runs_history.
 */
#define CONFIG_ID                                                                          \
    "SELECT c.id FROM configs c WHERE c.plugin = ?1 AND c.params_json = ?2"                \
    " AND coalesce(c.ranks, -1) = coalesce(?4, -1) AND coalesce(c.threads, -1) = coalesce(?5, -1)"
/* An alert accepted as the new normal: the configuration's history starts at its new level. */
#define SINCE_ACCEPTED                                                                     \
    " AND r.started_at >= coalesce((SELECT max(a.accepted_from) FROM alerts a"             \
    " WHERE a.state = 'accepted' AND a.config_id = r.config_id), '')"
static const char history_sql_host[] =
    "SELECT m.name, m.value, x.id, x.started_at FROM (SELECT r.id, r.started_at FROM runs r"
    "  WHERE r.config_id = (" CONFIG_ID ")"
    "    AND r.status = 'ok' AND r.started_at < ?3" SINCE_ACCEPTED " AND r.host_id IS ?6"
    "  ORDER BY r.started_at DESC LIMIT ?7) x JOIN metrics m ON m.run_id = x.id"
    " ORDER BY x.started_at, x.id";
static const char history_sql_class[] =
    "SELECT m.name, m.value, x.id, x.started_at FROM (SELECT r.id, r.started_at FROM runs r LEFT JOIN hosts h ON h.id = r.host_id"
    "  WHERE r.config_id = (" CONFIG_ID ")"
    "    AND r.status = 'ok' AND r.started_at < ?3" SINCE_ACCEPTED " AND h.cpu_model IS ?6"
    "  ORDER BY r.started_at DESC LIMIT ?7) x JOIN metrics m ON m.run_id = x.id"
    " ORDER BY x.started_at, x.id";
static const char history_sql_any[] =
    "SELECT m.name, m.value, x.id, x.started_at FROM (SELECT r.id, r.started_at FROM runs r"
    "  WHERE r.config_id = (" CONFIG_ID ")"
    "    AND r.status = 'ok' AND r.started_at < ?3" SINCE_ACCEPTED
    "  ORDER BY r.started_at DESC LIMIT ?7) x JOIN metrics m ON m.run_id = x.id"
    " ORDER BY x.started_at, x.id";

/* Row r against its history h: today's band (the reference shown), then the change points. */
static int history_judge(sqlite3 *db, const check_opts *o, check_row *r, checkcp_series *h)
{
    if (h->n < (size_t)o->min_history) {
        snprintf(r->basis, sizeof r->basis, "history of %zu run%s (need %d)", h->n,
                 h->n == 1 ? "" : "s", o->min_history);
        r->nref = h->n;
        return 0;
    }
    double *sorted = malloc(h->n * sizeof *sorted), med, band;
    if (!sorted)
        return BX_ENOMEM;
    memcpy(sorted, h->v, h->n * sizeof *sorted);
    stats_sort(sorted, h->n);
    cp_band(sorted, h->n, o->k, o->floor, &med, &band);
    free(sorted);
    r->ref = med;
    r->nref = h->n;
    r->lo = med - band;
    r->hi = med + band;
    r->verdict = V_OK; /* decided by the caller */
    snprintf(r->basis, sizeof r->basis, "history of %zu runs", h->n);
    const aentry *e = r->e;
    return checkcp_judge(db, h, r->value, e->last_run, e->first_started, e->better,
                         checkcp_floor(&o->floors, e->plugin, e->metric), &r->cp);
}

/* Fill the history references of rows[first..last) (one configuration and host). */
static int history_refs(sqlite3_stmt *st, const check_opts *o, check_row *rows, size_t first,
                        size_t last)
{
    const aentry *e = rows[first].e;
    size_t n = last - first;
    checkcp_series *hist = calloc(n, sizeof *hist);
    if (!hist)
        return BX_ENOMEM;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, e->plugin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->params, -1, SQLITE_STATIC);
    /* started before the earliest candidate run of this configuration and host */
    const char *before = e->first_started;
    for (size_t i = first; i < last; i++)
        if (rows[i].e->first_started && (!before || strcmp(rows[i].e->first_started, before) < 0))
            before = rows[i].e->first_started;
    sqlite3_bind_text(st, 3, before ? before : "", -1, SQLITE_STATIC);
    if (e->ranks >= 0)
        sqlite3_bind_int64(st, 4, e->ranks);
    if (e->threads >= 0)
        sqlite3_bind_int64(st, 5, e->threads);
    if (o->scope == SCOPE_HOST && e->host_id)
        sqlite3_bind_int64(st, 6, e->host_id);
    else if (o->scope == SCOPE_CLASS && e->host_class)
        sqlite3_bind_text(st, 6, e->host_class, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, o->history);
    int rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !err) {
        const char *metric = (const char *)sqlite3_column_text(st, 0);
        if (!metric || sqlite3_column_type(st, 1) == SQLITE_NULL)
            continue;
        for (size_t i = first; i < last && !err; i++)
            if (strcmp(rows[i].e->metric, metric) == 0)
                err = checkcp_series_push(&hist[i - first], sqlite3_column_double(st, 1),
                                          sqlite3_column_int64(st, 2),
                                          (const char *)sqlite3_column_text(st, 3));
    }
    if (!err && rc != SQLITE_DONE)
        err = BX_EIO;
    for (size_t i = first; i < last && !err; i++)
        if (rows[i].verdict == V_NOREF && !rows[i].basis[0]) /* no baseline */
            err = history_judge(sqlite3_db_handle(st), o, &rows[i], &hist[i - first]);
    for (size_t i = 0; i < n; i++)
        checkcp_series_free(&hist[i]);
    free(hist);
    return err;
}

static int cmp_check_rows(const void *pa, const void *pb)
{
    const check_row *a = pa, *b = pb;
    int c = strcmp(a->e->cfgkey, b->e->cfgkey);
    if (c)
        return c;
    return a->e->seq - b->e->seq;
}

/* What is allowed: only the worse side of the band limits a directional metric. */
static void allowed(const check_row *r, double *lo, double *hi)
{
    const char *b = r->e->better;
    *lo = b && strcmp(b, "lower") == 0 ? -INFINITY : r->lo;
    *hi = b && strcmp(b, "higher") == 0 ? INFINITY : r->hi;
}

static void fmt_limit(const check_row *r, char *buf, size_t len)
{
    char a[40], b[40];
    double lo, hi;
    allowed(r, &lo, &hi);
    if (r->verdict == V_NOREF)
        snprintf(buf, len, "-");
    else if (isinf(hi) && !isinf(lo))
        snprintf(buf, len, ">= %s", query_readable_number(lo, a, sizeof a));
    else if (isinf(lo) && !isinf(hi))
        snprintf(buf, len, "<= %s", query_readable_number(hi, a, sizeof a));
    else
        snprintf(buf, len, "%s..%s", query_readable_number(lo, a, sizeof a),
                 query_readable_number(hi, b, sizeof b));
}

static void write_junit(FILE *out, const char *db, const check_row *rows, size_t n,
                        const failed_run *fails, size_t nfails)
{
    size_t failures = nfails, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        failures += rows[i].verdict == V_REGRESSION;
        skipped += rows[i].verdict == V_NOREF;
    }
    char now[32];
    store_time_format((int64_t)time(NULL), now, sizeof now);
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out,
            "<testsuites name=\"benchaas check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
            "skipped=\"%zu\">\n",
            n + nfails, failures, skipped);
    fprintf(out,
            "  <testsuite name=\"benchaas check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
            "skipped=\"%zu\" time=\"0\" timestamp=\"%.19s\">\n",
            n + nfails, failures, skipped, now);
    fprintf(out, "    <properties>\n      <property name=\"database\" value=\"");
    xml_escape(out, db);
    fprintf(out, "\"/>\n    </properties>\n");
    char v[40], ref[40], lim[96];
    for (size_t i = 0; i < nfails; i++) {
        const failed_run *f = &fails[i];
        fprintf(out, "    <testcase classname=\"benchaas.");
        xml_escape(out, f->plugin);
        fprintf(out, "\" name=\"run %" PRId64 " on ", f->id);
        xml_escape(out, f->host ? f->host : "?");
        fprintf(out, "\" time=\"0\">\n      <failure type=\"%s\" message=\"run %" PRId64 " %s: ",
                f->status, f->id, f->status);
        xml_escape(out, f->error ? f->error : "no error text");
        fprintf(out, "\">");
        xml_escape(out, f->params);
        fprintf(out, "</failure>\n    </testcase>\n");
    }
    for (size_t i = 0; i < n; i++) {
        const check_row *r = &rows[i];
        fprintf(out, "    <testcase classname=\"benchaas.");
        xml_escape(out, r->e->plugin);
        if (r->label[0]) {
            fputc('.', out);
            xml_escape(out, r->label);
        }
        fprintf(out, "\" name=\"");
        xml_escape(out, r->e->metric);
        fprintf(out, " on ");
        xml_escape(out, r->e->host ? r->e->host : "?");
        fprintf(out, "\" time=\"0\"");
        query_readable_number(r->value, v, sizeof v);
        if (r->verdict == V_REGRESSION) {
            query_readable_number(r->ref, ref, sizeof ref);
            fmt_limit(r, lim, sizeof lim);
            fprintf(out, ">\n      <failure type=\"regression\" message=\"");
            xml_escape(out, r->e->metric);
            fprintf(out, " = %s ", v);
            xml_escape(out, r->e->unit);
            fprintf(out, ", allowed ");
            xml_escape(out, lim);
            fprintf(out, " (reference %s, %+.2f %%, ", ref, r->change);
            xml_escape(out, r->basis);
            char shift[1024] = "";
            if (r->cp.r.shift) {
                checkcp_describe(&r->cp, shift, sizeof shift);
                fprintf(out, "; level shift ");
                xml_escape(out, shift);
            }
            fprintf(out, ")\">run %" PRId64 ", parameters: ", r->e->last_run);
            xml_escape(out, r->e->params);
            fprintf(out, "</failure>\n    </testcase>\n");
        } else if (r->verdict == V_NOREF) {
            fprintf(out, ">\n      <skipped message=\"no reference: ");
            xml_escape(out, r->basis);
            fprintf(out, "\"/>\n    </testcase>\n");
        } else {
            fprintf(out, ">\n      <system-out>");
            xml_escape(out, r->e->metric);
            fprintf(out, " = %s ", v);
            xml_escape(out, r->e->unit);
            fprintf(out, " (%s, ", verdict_name(r->verdict));
            xml_escape(out, r->basis);
            fprintf(out, ")</system-out>\n    </testcase>\n");
        }
    }
    fprintf(out, "  </testsuite>\n</testsuites>\n");
}

/* The runs of filter f that did not end ok (nor are still queued or running). */
static int load_failures(store *s, const qfilter *f, failed_run **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = qfilter_prepare(s, f, "WITH sel(id) AS (",
                             ") SELECT r.id, r.plugin, r.status, h.name, r.error, r.params_json,"
                             " r.started_at FROM sel JOIN runs r ON r.id = sel.id"
                             " LEFT JOIN hosts h ON h.id = r.host_id"
                             " WHERE r.status NOT IN ('ok', 'queued', 'running') ORDER BY r.id",
                             &st);
    if (rc)
        return rc;
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            failed_run *nf = realloc(*out, cap * sizeof *nf);
            if (!nf) {
                rc = BX_ENOMEM;
                break;
            }
            *out = nf;
        }
        failed_run *fr = &(*out)[(*n)++];
        fr->id = sqlite3_column_int64(st, 0);
        fr->plugin = strdup((const char *)sqlite3_column_text(st, 1));
        fr->status = strdup((const char *)sqlite3_column_text(st, 2));
        const unsigned char *t = sqlite3_column_text(st, 3);
        fr->host = t ? strdup((const char *)t) : NULL;
        t = sqlite3_column_text(st, 4);
        fr->error = t ? strdup((const char *)t) : NULL;
        fr->params = analyze_params_text((const char *)sqlite3_column_text(st, 5));
        t = sqlite3_column_text(st, 6);
        fr->started = t ? strdup((const char *)t) : NULL;
    }
    sqlite3_finalize(st);
    return rc;
}

/* A filter of just these run ids (and src's --metric), for reading a selection again. */
static int ids_only(qfilter *dst, const qfilter *src, const int64_t *ids, size_t n)
{
    memset(dst, 0, sizeof *dst);
    dst->cmd = src->cmd;
    dst->db = src->db;
    dst->limit = -1;
    for (size_t i = 0; i < src->metrics.n; i++)
        if (qfilter_option(dst, "--metric", src->metrics.v[i]) != 0)
            return BX_ENOMEM;
    dst->ids = malloc(n * sizeof *ids);
    if (!dst->ids)
        return BX_ENOMEM;
    memcpy(dst->ids, ids, n * sizeof *ids);
    dst->nids = n;
    return 0;
}

static void free_failures(failed_run *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].plugin);
        free(f[i].status);
        free(f[i].host);
        free(f[i].error);
        free(f[i].params);
        free(f[i].started);
    }
    free(f);
}

/* Where and why: each row's level shift or outlier, below the table. */
static void print_shifts(FILE *out, const check_row *rows, size_t n)
{
    char line[1024];
    for (size_t i = 0; i < n; i++) {
        const check_row *r = &rows[i];
        if (!r->cp.r.shift && r->verdict != V_OUTLIER)
            continue;
        if (r->cp.r.shift)
            checkcp_describe(&r->cp, line, sizeof line);
        else
            snprintf(line, sizeof line, "run %" PRId64 " alone is beyond the band (no shift of "
                     "the level; --fail-on-outlier fails it)", r->e->last_run);
        fprintf(out, "\n%s %s %s on %s: %s: %s", r->e->plugin, r->label[0] ? r->label : "-",
                r->e->metric, r->e->host ? r->e->host : "-",
                r->cp.r.shift ? (r->verdict == V_REGRESSION ? "level shift, REGRESSION"
                                 : r->verdict == V_IMPROVED ? "level shift, improved"
                                                            : "level shift under the floor")
                              : "outlier",
                line);
    }
    fputc('\n', out);
}

static int print_check_table(FILE *out, const check_row *rows, size_t n, const failed_run *fails,
                             size_t nfails)
{
    static const char *const head[] = {"plugin", "config", "host",  "metric", "value", "unit",
                                       "reference", "allowed", "change", "basis", "verdict"};
    enum { NC = 11 };
    ttable t;
    ttable_init(&t, NC, head, "llllrlrlrll"); /* the numbers right-aligned */
    for (size_t i = 0; i < n; i++) {
        const check_row *r = &rows[i];
        char value[64], ref[64], limit[128], change[64];
        ttable_add(&t, r->e->plugin);
        ttable_add(&t, r->label[0] ? r->label : "-");
        ttable_add(&t, r->e->host ? r->e->host : "-");
        ttable_add(&t, r->e->metric);
        ttable_add(&t, query_readable_number(r->value, value, sizeof value));
        ttable_add(&t, r->e->unit ? r->e->unit : "");
        ttable_add(&t, r->verdict == V_NOREF ? "-"
                                             : query_readable_number(r->ref, ref, sizeof ref));
        fmt_limit(r, limit, sizeof limit);
        ttable_add(&t, limit);
        if (r->verdict == V_NOREF || !isfinite(r->change))
            snprintf(change, sizeof change, "-");
        else
            snprintf(change, sizeof change, "%+.2f %%", r->change);
        ttable_add(&t, change);
        ttable_add(&t, r->basis);
        ttable_add(&t, verdict_name(r->verdict));
    }
    int rc = ttable_print(&t, out);
    ttable_free(&t);
    if (rc)
        return rc;
    print_shifts(out, rows, n);
    if (nfails) {
        fprintf(out, "\nruns that did not end ok:\n");
        for (size_t i = 0; i < nfails; i++)
            fprintf(out, "  run %" PRId64 "  %-10s %-8s %-12s %s\n      %s\n", fails[i].id,
                   fails[i].plugin, fails[i].status, fails[i].host ? fails[i].host : "-",
                   fails[i].params ? fails[i].params : "",
                   fails[i].error ? fails[i].error : "(no error text)");
    }
    return 0;
}

static cJSON *num_or_null(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

static void print_check_json(FILE *out, const check_row *rows, size_t n,
                             const failed_run *fails, size_t nfails, size_t regressions,
                             size_t noref)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(doc, "checks");
    size_t noisy = 0;
    for (size_t i = 0; i < n; i++) {
        const check_row *r = &rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "plugin", r->e->plugin);
        cJSON_AddStringToObject(o, "config", r->label);
        cJSON *p = cJSON_Parse(r->e->params);
        cJSON_AddItemToObject(o, "params", p ? p : cJSON_CreateObject());
        cJSON_AddItemToObject(o, "host", r->e->host ? cJSON_CreateString(r->e->host)
                                                    : cJSON_CreateNull());
        cJSON_AddStringToObject(o, "metric", r->e->metric);
        cJSON_AddStringToObject(o, "unit", r->e->unit ? r->e->unit : "");
        cJSON_AddStringToObject(o, "better", r->e->better ? r->e->better : "none");
        cJSON_AddNumberToObject(o, "run_id", (double)r->e->last_run);
        cJSON_AddItemToObject(o, "value", num_or_null(r->value));
        int has = r->verdict != V_NOREF;
        cJSON_AddItemToObject(o, "reference", num_or_null(has ? r->ref : NAN));
        double lo, hi;
        allowed(r, &lo, &hi);
        cJSON_AddItemToObject(o, "lower_limit", num_or_null(has ? lo : NAN));
        cJSON_AddItemToObject(o, "upper_limit", num_or_null(has ? hi : NAN));
        cJSON_AddItemToObject(o, "change_percent", num_or_null(has ? r->change : NAN));
        cJSON_AddStringToObject(o, "basis", r->basis);
        cJSON_AddStringToObject(o, "verdict", verdict_name(r->verdict));
        checkcp_json(&r->cp, o);
        if (r->cp.judged) {
            /* spread_pct (checkcp_json) is the level's; a run's own is run_meta's */
            cJSON_AddItemToObject(o, "level_spread_pct", num_or_null(r->cp.r.spread * 100));
            cJSON_AddItemToObject(o, "detectable_pct", num_or_null(r->cp.r.detectable * 100));
            cJSON_AddNumberToObject(o, "min_change_pct", r->floor * 100);
            cJSON_AddBoolToObject(o, "too_noisy", r->noisy);
            noisy += r->noisy;
        }
        cJSON_AddItemToArray(arr, o);
    }
    cJSON *fa = cJSON_AddArrayToObject(doc, "failed_runs");
    for (size_t i = 0; i < nfails; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "run_id", (double)fails[i].id);
        cJSON_AddStringToObject(o, "plugin", fails[i].plugin);
        cJSON_AddStringToObject(o, "status", fails[i].status);
        cJSON_AddItemToObject(o, "error", fails[i].error ? cJSON_CreateString(fails[i].error)
                                                        : cJSON_CreateNull());
        cJSON_AddItemToArray(fa, o);
    }
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(sum, "checked", (double)n);
    cJSON_AddNumberToObject(sum, "regressions", (double)regressions);
    cJSON_AddNumberToObject(sum, "failed_runs", (double)nfails);
    cJSON_AddNumberToObject(sum, "no_reference", (double)noref);
    cJSON_AddNumberToObject(sum, "too_noisy", (double)noisy);
    cJSON_AddBoolToObject(sum, "nothing_judged", nfails == 0 && noref == n);
    cJSON_AddBoolToObject(sum, "passed", regressions == 0 && nfails == 0 && noref < n);
    char *t = cJSON_Print(doc);
    cJSON_Delete(doc);
    text_put_json(out, t ? t : ""); /* valid UTF-8, no raw control */
    fputc('\n', out);
    cJSON_free(t);
}

/* ---- check: the verdicts as data ------------------------------------------------ */

/* The selection's ok values per configuration, host and metric (r->a) and its failed runs. */
static int check_select(store *s, const qfilter *f, int defaulted, check_report *r, char *err,
                        size_t errlen)
{
    /*
     * The selection, once (with --latest its grouping is the costly part);
     * then the ok runs' values per configuration and host, and the runs
     * that did not end ok.  A huge selection is not turned into an id list.
     */
    int64_t *ids = NULL;
    size_t nids = 0;
    if (qfilter_select_ids(s, f, &ids, &nids))
        return BX_EIO;
    if (nids == 0) {
        free(ids);
        return errf(err, errlen, BX_EINVAL, "no run to check in %s%s", f->db,
                    defaulted ? "" : " matches the selection");
    }
    qfilter okf, allf;
    int rc = nids <= 20000 ? ids_only(&allf, f, ids, nids) : qfilter_copy(&allf, f);
    free(ids);
    if (rc == 0 && (rc = qfilter_copy(&okf, &allf)) == 0) {
        free(okf.statuses.v);
        okf.statuses = (qlist){0};
        qfilter_option(&okf, "--status", "ok");
        rc = aset_load(s, &okf, ASET_PER_HOST, &r->a);
        if (rc == 0)
            rc = load_failures(s, &allf, &r->fails, &r->nfails);
        qfilter_free(&okf);
    }
    qfilter_free(&allf);
    if (rc)
        return rc;
    if (r->a.nruns == 0 && r->nfails == 0)
        return errf(err, errlen, BX_EINVAL, "no run to check in %s%s", f->db,
                    defaulted ? "" : " matches the selection");
    return 0;
}

/* Which baseline set: the named one, else "default" when it has rows, else none (*name NULL). */
static int check_baseline_name(sqlite3 *db, const check_opts *o, const char *dbpath,
                               const char **name, char *err, size_t errlen)
{
    sqlite3_stmt *q;
    *name = o->baseline;
    if (!*name) {
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM baselines WHERE name = 'default' LIMIT 1", -1,
                               &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            *name = "default";
        sqlite3_finalize(q);
        return 0;
    }
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM baselines WHERE name = ?1 LIMIT 1", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, *name, -1, SQLITE_STATIC);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    if (!found)
        return errf(err, errlen, BX_EINVAL,
                    "no baseline named '%s' in %s (see benchaas baseline list)", *name, dbpath);
    return 0;
}

/* One row per checkable value, each held to its baseline in set bname (if any). */
static int check_rows(sqlite3 *db, const qfilter *f, const char *bname, check_report *r,
                      char *err, size_t errlen)
{
    sqlite3_stmt *bst = NULL;
    r->rows = calloc(r->a.n ? r->a.n : 1, sizeof *r->rows);
    r->labels = analyze_config_labels(r->a.e, r->a.n);
    if (!r->rows || !r->labels)
        return errf(err, errlen, BX_ENOMEM, "out of memory");
    if (bname && sqlite3_prepare_v2(db, baseline_sql, -1, &bst, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "%s: %s", f->db, sqlite3_errmsg(db));
    for (size_t i = 0; i < r->a.n; i++) {
        aentry *e = r->a.e[i];
        if (!check_checkable(f, e) || e->values.n == 0)
            continue;
        check_row *row = &r->rows[r->nrows++];
        row->e = e;
        row->label = r->labels[i];
        stats_sort(e->values.v, e->values.n);
        row->value = stats_pct_sorted(e->values.v, e->values.n, 50);
        row->verdict = V_NOREF;
        if (bname) {
            int b = find_baseline(bst, bname, row);
            if (b < 0) {
                sqlite3_finalize(bst);
                return errf(err, errlen, BX_EIO, "%s: %s", f->db, sqlite3_errmsg(db));
            }
            if (b)
                row->verdict = V_OK;
        }
    }
    sqlite3_finalize(bst);
    if (r->nrows == 0 && r->nfails == 0)
        return errf(err, errlen, BX_EINVAL, "the selected runs have no metric to check%s",
                    f->metrics.n ? ""
                                 : " (none is higher- or lower-is-better; name one with --metric)");
    return 0;
}

/* The history of the rows without a baseline, one query per configuration and host. */
static int check_history(sqlite3 *db, const check_opts *o, const char *dbpath, check_report *r,
                         char *err, size_t errlen)
{
    const char *hsql = o->scope == SCOPE_HOST    ? history_sql_host
                       : o->scope == SCOPE_CLASS ? history_sql_class
                                                 : history_sql_any;
    sqlite3_stmt *hst = NULL;
    if (sqlite3_prepare_v2(db, hsql, -1, &hst, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "%s: %s", dbpath, sqlite3_errmsg(db));
    check_row *rows = r->rows;
    for (size_t i = 0; i < r->nrows;) {
        size_t j = i + 1;
        while (j < r->nrows && strcmp(rows[j].e->cfgkey, rows[i].e->cfgkey) == 0)
            j++;
        int need = 0;
        for (size_t k = i; k < j; k++)
            need |= rows[k].verdict == V_NOREF;
        if (need && history_refs(hst, o, rows, i, j) != 0) {
            sqlite3_finalize(hst);
            return errf(err, errlen, BX_EIO, "%s: %s", dbpath, sqlite3_errmsg(db));
        }
        i = j;
    }
    sqlite3_finalize(hst);
    return 0;
}

/*
 * Each row with a reference: its change and verdict; the counts.  A row
 * whose series the change points judged: a shift for the worse beyond the
 * floor is a regression, a shift for the better an improvement; a value
 * beyond the band without a shift is an outlier (a failure only with
 * --fail-on-outlier).  A shorter history: the band alone, as before.
 */
static void check_verdicts(check_report *r, const check_opts *o)
{
    for (size_t i = 0; i < r->nrows; i++) {
        check_row *row = &r->rows[i];
        if (row->verdict == V_NOREF) {
            r->noref++;
            continue;
        }
        row->change = row->ref != 0 ? (row->value - row->ref) / fabs(row->ref) * 100.0 : NAN;
        int below = row->value < row->lo, above = row->value > row->hi;
        int worse = (below && analyze_direction(row->e->better, -1) < 0) ||
                    (above && analyze_direction(row->e->better, 1) < 0) ||
                    ((below || above) && analyze_direction(row->e->better, 1) == 0);
        row->verdict = worse ? V_REGRESSION : (below || above) ? V_IMPROVED : V_OK;
        const checkcp *c = &row->cp;
        if (c->judged) {
            double floor = checkcp_floor(&o->floors, row->e->plugin, row->e->metric);
            row->floor = floor;
            row->noisy = c->r.detectable > floor;
            r->noisy += row->noisy;
            if (c->r.shift) {
                row->change = c->r.change;
                row->verdict = c->r.regression ? V_REGRESSION : !c->r.worse ? V_IMPROVED : V_OK;
            } else if (worse) {
                row->verdict = o->fail_outliers ? V_REGRESSION : V_OUTLIER;
            }
        }
        r->regressions += row->verdict == V_REGRESSION;
        r->outliers += row->verdict == V_OUTLIER;
    }
}

int check_nothing_judged(const check_report *r)
{
    return r->nfails == 0 && r->noref == r->nrows;
}

int check_run(store *s, const qfilter *f, const check_opts *o, int defaulted, check_report *out,
              char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    sqlite3 *db = store_db(s);
    const char *bname = NULL;
    /* one snapshot for everything below */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    int rc = check_select(s, f, defaulted, out, err, errlen);
    if (rc == 0)
        rc = check_baseline_name(db, o, f->db, &bname, err, errlen);
    if (rc == 0)
        rc = check_rows(db, f, bname, out, err, errlen);
    if (rc == 0) {
        qsort(out->rows, out->nrows, sizeof *out->rows, cmp_check_rows);
        rc = check_history(db, o, f->db, out, err, errlen);
    }
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    check_verdicts(out, o);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return 0;
}

void check_report_free(check_report *r)
{
    for (size_t i = 0; i < r->nrows; i++)
        checkcp_free(&r->rows[i].cp);
    analyze_labels_free(r->labels, r->a.n);
    free(r->rows);
    free_failures(r->fails, r->nfails);
    aset_free(&r->a);
    memset(r, 0, sizeof *r);
}

/* ---- check: renderers -------------------------------------------------------------- */

/* The configurations too noisy to judge a change of the floor's size, one a line. */
static void print_noisy(FILE *out, const check_report *r)
{
    fprintf(out, "\n%zu configuration%s too noisy to show a change of the floor's size within 5 "
            "runs (more repetitions help, or a larger --min-change):\n",
            r->noisy, r->noisy == 1 ? " is" : "s are");
    for (size_t i = 0; i < r->nrows; i++) {
        const check_row *row = &r->rows[i];
        if (!row->noisy)
            continue;
        fputs("  ", out);
        text_put(out, row->e->plugin);
        fputc(' ', out);
        text_put(out, row->label[0] ? row->label : "-");
        fputc(' ', out);
        text_put(out, row->e->metric);
        fputs(" on ", out);
        text_put(out, row->e->host ? row->e->host : "-");
        fprintf(out, ": spread %.2f %% of its level, 5 runs show %.2f %%, floor %g %%\n",
                row->cp.r.spread * 100, row->cp.r.detectable * 100, row->floor * 100);
    }
}

int check_render_table(const check_report *r, FILE *out)
{
    int rc = print_check_table(out, r->rows, r->nrows, r->fails, r->nfails);
    if (rc)
        return rc;
    if (r->noisy)
        print_noisy(out, r);
    fprintf(out,
            "\n%s: %zu value%s checked, %zu regression%s, %zu failed run%s, %zu without a "
            "reference, %zu outlier%s\n",
            r->regressions || r->nfails ? "FAILED"
            : check_nothing_judged(r)   ? "not judged"
                                        : "passed",
            r->nrows, r->nrows == 1 ? "" : "s", r->regressions, r->regressions == 1 ? "" : "s",
            r->nfails, r->nfails == 1 ? "" : "s", r->noref, r->outliers, r->outliers == 1 ? "" : "s");
    if (check_nothing_judged(r))
        fprintf(out, "NOTHING JUDGED: none of the %zu value%s had a reference (a baseline or "
                "--min-history runs before it); exit 3 unless --allow-nothing-judged\n",
                r->nrows, r->nrows == 1 ? "" : "s");
    return 0;
}

void check_render_json(const check_report *r, FILE *out)
{
    print_check_json(out, r->rows, r->nrows, r->fails, r->nfails, r->regressions, r->noref);
}

void check_render_junit(const check_report *r, const char *db, FILE *out)
{
    write_junit(out, db, r->rows, r->nrows, r->fails, r->nfails);
}
