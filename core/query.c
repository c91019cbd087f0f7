/*
 * query.c — `benchaas query` and the result printers shared with `run`.
 *
 * A query is two steps: one SELECT of the matching run ids (filters become
 * bound parameters of a statement assembled from fixed fragments; no user
 * text is ever pasted into SQL), then each run is loaded by id with two
 * cached statements and printed as a table, CSV or the JSON document of
 * CLI.md.
 */
#define _GNU_SOURCE
#include "query.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "benchaas/plugin.h"
#include "benchaas/sdk.h" /* bx_parse_size */

#define QUERY_MAX_LIST 1000 /* values per repeatable option */

/* ---- a growable string ---------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* ---- loading one run ------------------------------------------------------ */

typedef struct qmetric {
    char *name, *unit, *better;
    int has_value;
    double value;
} qmetric;

typedef struct qrun {
    int64_t id;
    char *plugin, *plugin_version, *status, *host, *started_at, *params_json, *error;
    int job_type; /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
    int64_t job_id;
    char *job_text;
    int has_ranks, has_threads;
    int64_t ranks, threads;
    qmetric *metrics;
    size_t nmetrics;
} qrun;

typedef struct qctx {
    store *s;
    sqlite3_stmt *run_st, *met_st;
    int own_txn; /* qctx_init opened the read transaction */
    /* --metric filter: only these metrics are shown (NULL: all). */
    char **only_metrics;
    size_t nonly;
} qctx;

static const char run_sql[] =
    "SELECT r.id, r.plugin, r.plugin_version, r.status, h.name, r.job_id, r.started_at,"
    "       r.ranks, r.threads, r.params_json, r.error"
    "  FROM runs r LEFT JOIN hosts h ON h.id = r.host_id WHERE r.id = ?1";
static const char met_sql[] =
    "SELECT name, value, unit, better FROM metrics WHERE run_id = ?1 ORDER BY seq, name";

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

static void qrun_free(qrun *r)
{
    free(r->plugin);
    free(r->plugin_version);
    free(r->status);
    free(r->host);
    free(r->started_at);
    free(r->params_json);
    free(r->error);
    free(r->job_text);
    for (size_t i = 0; i < r->nmetrics; i++) {
        free(r->metrics[i].name);
        free(r->metrics[i].unit);
        free(r->metrics[i].better);
    }
    free(r->metrics);
    memset(r, 0, sizeof *r);
}

/*
 * Prepare the per-run statements and, unless the caller already has one,
 * open a read transaction: one consistent snapshot for the whole printout,
 * and one lock instead of two per run.
 */
static int qctx_init(qctx *q, store *s)
{
    memset(q, 0, sizeof *q);
    q->s = s;
    sqlite3 *db = store_db(s);
    if (sqlite3_get_autocommit(db)) {
        if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
            fprintf(stderr, "benchaas: cannot read the database: %s\n", sqlite3_errmsg(db));
            return BX_EIO;
        }
        q->own_txn = 1;
    }
    if (sqlite3_prepare_v2(db, run_sql, -1, &q->run_st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, met_sql, -1, &q->met_st, NULL) != SQLITE_OK) {
        fprintf(stderr, "benchaas: cannot read the database: %s\n", sqlite3_errmsg(db));
        sqlite3_finalize(q->run_st);
        if (q->own_txn)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return BX_EIO;
    }
    return 0;
}

static void qctx_fini(qctx *q)
{
    sqlite3_finalize(q->run_st);
    sqlite3_finalize(q->met_st);
    if (q->own_txn) /* read only: nothing to commit */
        sqlite3_exec(store_db(q->s), "ROLLBACK", NULL, NULL, NULL);
}

static int metric_wanted(const qctx *q, const char *name)
{
    if (!q->only_metrics)
        return 1;
    for (size_t i = 0; i < q->nonly; i++)
        if (strcmp(q->only_metrics[i], name) == 0)
            return 1;
    return 0;
}

/* Load run `id` into *r: 1 found, 0 no such run, BX_E* on error (message on stderr). */
static int load_run(qctx *q, int64_t id, qrun *r)
{
    sqlite3 *db = store_db(q->s);
    memset(r, 0, sizeof *r);
    sqlite3_reset(q->run_st);
    sqlite3_bind_int64(q->run_st, 1, id);
    int rc = sqlite3_step(q->run_st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        goto dberr;
    r->id = sqlite3_column_int64(q->run_st, 0);
    r->plugin = col_dup(q->run_st, 1);
    r->plugin_version = col_dup(q->run_st, 2);
    r->status = col_dup(q->run_st, 3);
    r->host = col_dup(q->run_st, 4);
    r->job_type = sqlite3_column_type(q->run_st, 5);
    if (r->job_type == SQLITE_INTEGER)
        r->job_id = sqlite3_column_int64(q->run_st, 5);
    else if (r->job_type != SQLITE_NULL) {
        r->job_type = SQLITE_TEXT;
        r->job_text = col_dup(q->run_st, 5);
    }
    r->started_at = col_dup(q->run_st, 6);
    if ((r->has_ranks = sqlite3_column_type(q->run_st, 7) != SQLITE_NULL))
        r->ranks = sqlite3_column_int64(q->run_st, 7);
    if ((r->has_threads = sqlite3_column_type(q->run_st, 8) != SQLITE_NULL))
        r->threads = sqlite3_column_int64(q->run_st, 8);
    r->params_json = col_dup(q->run_st, 9);
    r->error = col_dup(q->run_st, 10);
    sqlite3_reset(q->run_st);

    sqlite3_reset(q->met_st);
    sqlite3_bind_int64(q->met_st, 1, id);
    size_t cap = 0;
    while ((rc = sqlite3_step(q->met_st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q->met_st, 0);
        if (!name || !metric_wanted(q, name))
            continue;
        if (r->nmetrics == cap) {
            cap = cap ? cap * 2 : 16;
            qmetric *m = realloc(r->metrics, cap * sizeof *m);
            if (!m) {
                qrun_free(r);
                fprintf(stderr, "benchaas: out of memory\n");
                return BX_ENOMEM;
            }
            r->metrics = m;
        }
        qmetric *m = &r->metrics[r->nmetrics++];
        m->name = strdup(name);
        m->has_value = sqlite3_column_type(q->met_st, 1) != SQLITE_NULL;
        m->value = sqlite3_column_double(q->met_st, 1);
        m->unit = col_dup(q->met_st, 2);
        m->better = col_dup(q->met_st, 3);
    }
    sqlite3_reset(q->met_st);
    if (rc != SQLITE_DONE)
        goto dberr;
    return 1;
dberr:
    fprintf(stderr, "benchaas: reading run %" PRId64 ": %s\n", id, sqlite3_errmsg(db));
    sqlite3_reset(q->run_st);
    sqlite3_reset(q->met_st);
    qrun_free(r);
    return BX_EIO;
}

/* ---- JSON ----------------------------------------------------------------- */

static cJSON *str_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

/* One run as the CLI.md object; NULL when out of memory. */
static cJSON *run_json(const qrun *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)r->id);
    cJSON_AddItemToObject(o, "plugin", str_or_null(r->plugin));
    cJSON_AddItemToObject(o, "plugin_version", str_or_null(r->plugin_version));
    cJSON_AddItemToObject(o, "status", str_or_null(r->status));
    cJSON_AddItemToObject(o, "host", str_or_null(r->host));
    if (r->job_type == SQLITE_INTEGER)
        cJSON_AddNumberToObject(o, "job_id", (double)r->job_id);
    else
        cJSON_AddItemToObject(o, "job_id", str_or_null(r->job_text));
    cJSON_AddItemToObject(o, "started_at", str_or_null(r->started_at));
    if (r->has_ranks)
        cJSON_AddNumberToObject(o, "ranks", (double)r->ranks);
    else
        cJSON_AddNullToObject(o, "ranks");
    if (r->has_threads)
        cJSON_AddNumberToObject(o, "threads", (double)r->threads);
    else
        cJSON_AddNullToObject(o, "threads");
    cJSON *params = r->params_json ? cJSON_Parse(r->params_json) : NULL;
    if (!cJSON_IsObject(params)) {
        cJSON_Delete(params);
        params = cJSON_CreateObject();
    }
    cJSON_AddItemToObject(o, "params", params);
    cJSON *metrics = cJSON_AddObjectToObject(o, "metrics");
    for (size_t i = 0; metrics && i < r->nmetrics; i++) {
        const qmetric *m = &r->metrics[i];
        cJSON *mo = cJSON_AddObjectToObject(metrics, m->name);
        if (!mo)
            break;
        if (m->has_value && isfinite(m->value))
            cJSON_AddNumberToObject(mo, "value", m->value);
        else
            cJSON_AddNullToObject(mo, "value");
        cJSON_AddStringToObject(mo, "unit", m->unit ? m->unit : "");
        cJSON_AddStringToObject(mo, "better", m->better ? m->better : "none");
    }
    cJSON_AddItemToObject(o, "error", str_or_null(r->error));
    return o;
}

int query_runs_json(store *s, const int64_t *ids, size_t n, cJSON **out)
{
    qctx q;
    int rc = qctx_init(&q, s);
    *out = NULL;
    if (rc)
        return rc;
    cJSON *doc = cJSON_CreateObject();
    cJSON *runs = cJSON_AddArrayToObject(doc, "runs");
    for (size_t i = 0; i < n && rc == 0; i++) {
        qrun r;
        int found = load_run(&q, ids[i], &r);
        if (found < 0) {
            rc = found;
        } else if (found) {
            cJSON *o = run_json(&r);
            if (!o)
                rc = BX_ENOMEM;
            else
                cJSON_AddItemToArray(runs, o);
            qrun_free(&r);
        }
    }
    qctx_fini(&q);
    if (rc) {
        cJSON_Delete(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

/* ---- text forms of values ------------------------------------------------- */

/* A metric value for CSV: the shortest text that reads back exactly. */
static const char *exact_number(double v, char *buf, size_t len)
{
    snprintf(buf, len, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, len, "%.17g", v);
    return buf;
}

/* A metric value for the table: readable, 4-5 significant digits. */
static const char *readable_number(double v, char *buf, size_t len)
{
    double a = fabs(v);
    if (!isfinite(v))
        snprintf(buf, len, "n/a");
    else if ((v == floor(v) || a >= 1e5) && a < 1e15)
        snprintf(buf, len, "%.0f", v);
    else if (a >= 1e3 && a < 1e15)
        snprintf(buf, len, "%.1f", v);
    else
        snprintf(buf, len, "%.5g", v);
    return buf;
}

/* A typed parameter value from params_json as display text (into buf, or the string). */
static const char *param_text(const cJSON *v, char *buf, size_t len)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9.0e15)
            snprintf(buf, len, "%" PRId64, (int64_t)d);
        else
            exact_number(d, buf, len);
        return buf;
    }
    return "";
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_field(FILE *f, const char *s, int last)
{
    if (s && strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else if (s) {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static const char csv_header[] =
    "run_id,started_at,plugin,plugin_version,status,host,job_id,params,metric,value,unit,"
    "better\n";

/* The rows of one run: the columns of the `results` view; a run without metrics gets one row. */
static void csv_run(FILE *f, const qrun *r)
{
    char id[32], job[32], val[40];
    snprintf(id, sizeof id, "%" PRId64, r->id);
    if (r->job_type == SQLITE_INTEGER)
        snprintf(job, sizeof job, "%" PRId64, r->job_id);
    size_t rows = r->nmetrics ? r->nmetrics : 1;
    for (size_t i = 0; i < rows; i++) {
        const qmetric *m = r->nmetrics ? &r->metrics[i] : NULL;
        csv_field(f, id, 0);
        csv_field(f, r->started_at, 0);
        csv_field(f, r->plugin, 0);
        csv_field(f, r->plugin_version, 0);
        csv_field(f, r->status, 0);
        csv_field(f, r->host, 0);
        csv_field(f, r->job_type == SQLITE_INTEGER ? job : r->job_text, 0);
        csv_field(f, r->params_json, 0);
        csv_field(f, m ? m->name : NULL, 0);
        csv_field(f, m && m->has_value ? exact_number(m->value, val, sizeof val) : NULL, 0);
        csv_field(f, m ? m->unit : NULL, 0);
        csv_field(f, m ? m->better : NULL, 1);
    }
}

/* ---- the table ------------------------------------------------------------ */

#define PARAMS_WIDTH_MAX 48

/* Per plugin: its parameters and whether they differ between the runs shown. */
typedef struct pvar {
    char *plugin, *name, *first;
    int varies;
} pvar;

typedef struct table {
    pvar *vars;
    size_t nvars, capvars;
    char *first_host;
    int many_hosts;
    /* column widths */
    int w_id, w_plugin, w_status, w_started, w_host, w_params, w_metric, w_value, w_unit;
} table;

static pvar *pvar_find(table *t, const char *plugin, const char *name)
{
    for (size_t i = 0; i < t->nvars; i++)
        if (strcmp(t->vars[i].plugin, plugin) == 0 && strcmp(t->vars[i].name, name) == 0)
            return &t->vars[i];
    return NULL;
}

/* Pass 1 over a run: which parameters vary, how many hosts. */
static int table_note(table *t, const qrun *r)
{
    cJSON *params = r->params_json ? cJSON_Parse(r->params_json) : NULL;
    const cJSON *it;
    char buf[64];
    const char *plugin = r->plugin ? r->plugin : "";
    cJSON_ArrayForEach(it, params)
    {
        const char *v = param_text(it, buf, sizeof buf);
        pvar *p = pvar_find(t, plugin, it->string);
        if (p) {
            p->varies |= strcmp(p->first, v) != 0;
            continue;
        }
        if (t->nvars == t->capvars) {
            size_t cap = t->capvars ? t->capvars * 2 : 32;
            pvar *nv = realloc(t->vars, cap * sizeof *nv);
            if (!nv) {
                cJSON_Delete(params);
                return BX_ENOMEM;
            }
            t->vars = nv;
            t->capvars = cap;
        }
        p = &t->vars[t->nvars++];
        p->plugin = strdup(plugin);
        p->name = strdup(it->string);
        p->first = strdup(v);
        p->varies = 0;
    }
    cJSON_Delete(params);
    const char *h = r->host ? r->host : "";
    if (!t->first_host)
        t->first_host = strdup(h);
    else if (strcmp(t->first_host, h) != 0)
        t->many_hosts = 1;
    return 0;
}

/*
 * The params cell of a run: the parameters that vary among the runs of its
 * plugin, or all of them when none vary; cut at PARAMS_WIDTH_MAX.
 */
static void params_cell(const table *t, const qrun *r, char *out, size_t len)
{
    cJSON *params = r->params_json ? cJSON_Parse(r->params_json) : NULL;
    const cJSON *it;
    char buf[64];
    int any_varies = 0;
    const char *plugin = r->plugin ? r->plugin : "";
    for (size_t i = 0; i < t->nvars; i++)
        any_varies |= t->vars[i].varies && strcmp(t->vars[i].plugin, plugin) == 0;
    sbuf b = {0};
    cJSON_ArrayForEach(it, params)
    {
        if (any_varies) {
            pvar *p = pvar_find((table *)t, plugin, it->string);
            if (!p || !p->varies)
                continue;
        }
        if (b.len)
            sb_add(&b, " ");
        sb_add(&b, it->string);
        sb_add(&b, "=");
        sb_add(&b, param_text(it, buf, sizeof buf));
    }
    cJSON_Delete(params);
    size_t max = len - 1 < PARAMS_WIDTH_MAX ? len - 1 : PARAMS_WIDTH_MAX;
    if (!b.p || b.oom) {
        snprintf(out, len, "%s", "");
    } else if (b.len > max) {
        snprintf(out, len, "%.*s...", (int)(max - 3), b.p);
    } else {
        snprintf(out, len, "%s", b.p);
    }
    free(b.p);
}

/* "2026-11-21T10:12:17Z" -> "2026-11-21 10:12" */
static void started_cell(const char *iso, char *out, size_t len)
{
    if (!iso || strlen(iso) < 16) {
        snprintf(out, len, "-");
        return;
    }
    snprintf(out, len, "%.10s %.5s", iso, iso + 11);
}

static int imax(int a, int b) { return a > b ? a : b; }
static int slen(const char *s) { return s ? (int)strlen(s) : 0; }

static void table_widths(table *t, const qrun *r)
{
    char buf[PARAMS_WIDTH_MAX + 8], num[40];
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, r->id);
    t->w_id = imax(t->w_id, slen(id));
    t->w_plugin = imax(t->w_plugin, slen(r->plugin));
    t->w_status = imax(t->w_status, slen(r->status));
    started_cell(r->started_at, buf, sizeof buf);
    t->w_started = imax(t->w_started, slen(buf));
    t->w_host = imax(t->w_host, slen(r->host));
    params_cell(t, r, buf, sizeof buf);
    t->w_params = imax(t->w_params, slen(buf));
    for (size_t i = 0; i < r->nmetrics; i++) {
        t->w_metric = imax(t->w_metric, slen(r->metrics[i].name));
        t->w_value = imax(t->w_value, slen(r->metrics[i].has_value
                                               ? readable_number(r->metrics[i].value, num,
                                                                 sizeof num)
                                               : "n/a"));
        t->w_unit = imax(t->w_unit, slen(r->metrics[i].unit));
    }
}

static void table_line(FILE *f, const table *t, const char *id, const char *plugin,
                       const char *status, const char *started, const char *host,
                       const char *params, const char *metric, const char *value,
                       const char *unit)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "%*s  %-*s  %-*s  %-*s  ", t->w_id, id, t->w_plugin,
                     plugin, t->w_status, status, t->w_started, started);
    if (t->many_hosts && n >= 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "%-*s  ", t->w_host, host);
    if (n >= 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, "%-*s  %-*s  %*s  %s", t->w_params, params,
                 t->w_metric, metric, t->w_value, value, unit);
    size_t len = strlen(line);
    while (len && line[len - 1] == ' ') /* no trailing blanks after an empty unit */
        line[--len] = '\0';
    fprintf(f, "%s\n", line);
}

static void table_run(FILE *f, const table *t, const qrun *r)
{
    char id[32], started[32], params[PARAMS_WIDTH_MAX + 8], num[40];
    snprintf(id, sizeof id, "%" PRId64, r->id);
    started_cell(r->started_at, started, sizeof started);
    params_cell(t, r, params, sizeof params);
    if (r->nmetrics == 0)
        table_line(f, t, id, r->plugin ? r->plugin : "", r->status ? r->status : "", started,
                   r->host ? r->host : "", params, "-", "", "");
    for (size_t i = 0; i < r->nmetrics; i++) {
        const qmetric *m = &r->metrics[i];
        const char *v = m->has_value ? readable_number(m->value, num, sizeof num) : "n/a";
        if (i == 0)
            table_line(f, t, id, r->plugin ? r->plugin : "", r->status ? r->status : "", started,
                       r->host ? r->host : "", params, m->name, v, m->unit ? m->unit : "");
        else
            table_line(f, t, "", "", "", "", "", "", m->name, v, m->unit ? m->unit : "");
    }
    if (r->error && *r->error)
        fprintf(f, "%*s  error: %s\n", t->w_id, "", r->error);
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->nvars; i++) {
        free(t->vars[i].plugin);
        free(t->vars[i].name);
        free(t->vars[i].first);
    }
    free(t->vars);
    free(t->first_host);
}

/* Three passes over the runs (cheap: each is a primary-key lookup) so nothing is held. */
static int print_table(qctx *q, const int64_t *ids, size_t n, FILE *f)
{
    table t = {0};
    qrun r;
    int rc = 0;
    t.w_id = 3;      /* "run" */
    t.w_plugin = 6;  /* "plugin" */
    t.w_status = 6;  /* "status" */
    t.w_started = 13; /* "started (UTC)" */
    t.w_host = 4;
    t.w_params = 6;
    t.w_metric = 6;
    t.w_value = 5;
    for (int pass = 0; pass < 3 && rc == 0; pass++) {
        if (pass == 2) {
            table_line(f, &t, "run", "plugin", "status", "started (UTC)", "host", "params",
                       "metric", "value", "unit");
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            int found = load_run(q, ids[i], &r);
            if (found < 0) {
                rc = found;
                break;
            }
            if (!found)
                continue;
            if (pass == 0)
                rc = table_note(&t, &r);
            else if (pass == 1)
                table_widths(&t, &r);
            else
                table_run(f, &t, &r);
            qrun_free(&r);
        }
    }
    table_free(&t);
    if (rc == BX_ENOMEM)
        fprintf(stderr, "benchaas: out of memory\n");
    return rc;
}

int query_print_table(store *s, const int64_t *ids, size_t n, FILE *f)
{
    qctx q;
    int rc = qctx_init(&q, s);
    if (rc)
        return rc;
    rc = print_table(&q, ids, n, f);
    qctx_fini(&q);
    return rc;
}

/* ---- the command ---------------------------------------------------------- */

static const char query_help[] =
    "usage: benchaas query [filters] [--format table|csv|json] [--db FILE]\n"
    "\n"
    "Print stored results, oldest first.  Filters (all must match; repeat an\n"
    "option for more values):\n"
    "  --plugin NAME[,NAME]  runs of these plugins\n"
    "  -p, --param NAME=VALUE  runs whose parameter NAME has VALUE (compared with the\n"
    "                        stored canonical value: sizes in bytes, 128k works too)\n"
    "  --metric NAME         runs that report NAME; only those metrics are shown\n"
    "  --status S[,S...]     ok, failed, crashed, timeout, interrupted, queued, running\n"
    "  --tag T               runs labelled T (repeated: every tag)\n"
    "  --host H[,H...]       runs on these hosts\n"
    "  --since TIME          started at or after TIME\n"
    "  --until TIME          started at or before TIME (a date: that whole day)\n"
    "                        TIME: 2026-11-21, 2026-11-21T10:12[:17][Z|+01:00] (UTC\n"
    "                        unless an offset is given), or an age: 30m, 24h, 7d, 2w\n"
    "  --run ID[,ID...]      these run ids\n"
    "  --limit N             only the N most recent matching runs\n"
    "Output:\n"
    "  --format table|csv|json  table (default): one line per run and metric;\n"
    "                        csv: the columns of the `results` view; json: the\n"
    "                        document {\"runs\": [...]} of `run --json`\n"
    "  --db FILE             the database (default: $BENCHAAS_DB, else ./benchaas.db)\n"
    "\n"
    "Exit status: 0 (also when nothing matches), 2 for bad options or a database\n"
    "that is missing or not a BenchaaS database.  SQL users: see docs/database.md.\n";

typedef struct strlist {
    const char **v;
    size_t n;
} strlist;

typedef struct qopts {
    const char *db, *format;
    strlist plugins, hosts, params, metrics, statuses, tags;
    int64_t *ids;
    size_t nids;
    int has_since, has_until;
    char since[32], until[32]; /* bounds as stored text: started_at >= since, < until */
    long long limit;           /* -1: all */
} qopts;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("benchaas query: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see benchaas query --help)\n", stderr);
    return 2;
}

static int push(strlist *l, const char *v)
{
    if (l->n >= QUERY_MAX_LIST)
        return -1;
    const char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    nv[l->n++] = v;
    l->v = nv;
    return 0;
}

/* Push every element of a comma list (the pieces point into a copy kept in *keep). */
static int push_commas(strlist *l, const char *text, strlist *keep)
{
    char *copy = strdup(text);
    if (!copy || push(keep, copy) != 0) {
        free(copy);
        return -1;
    }
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (*tok && push(l, tok) != 0)
            return -1;
    return 0;
}

/*
 * A TIME option: a relative age ("7d") or an ISO 8601 date/date-time.  `upper`:
 * the bound is for --until (inclusive: a date means its whole day).
 */
static int parse_bound(const char *opt, const char *text, int upper, char *out, size_t outlen)
{
    int64_t epoch;
    int date_only = 0;
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (end != text && isdigit((unsigned char)text[0]) && end[0] && !end[1] && errno == 0) {
        int64_t unit = 0;
        switch (end[0]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        }
        if (unit == 0 || n > 100LL * 366 * 86400 / unit)
            return usage_error("%s '%s': an age is a number with s, m, h, d or w (7d)", opt,
                               text);
        epoch = (int64_t)time(NULL) - n * unit;
    } else if (store_time_parse(text, &epoch, &date_only) != 0) {
        return usage_error("%s '%s' is not a time: use 2026-11-21, 2026-11-21T10:12:17Z or an "
                           "age like 7d or 24h",
                           opt, text);
    }
    if (upper)
        epoch += date_only ? 86400 : 1; /* stored times have whole seconds */
    store_time_format(epoch, out, outlen);
    return 0;
}

static int parse_ids(const char *text, qopts *o)
{
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || v <= 0 || errno || (*end && *end != ','))
            return usage_error("--run '%s': run ids are positive whole numbers, comma-separated",
                               text);
        int64_t *nv = o->nids < QUERY_MAX_LIST ? realloc(o->ids, (o->nids + 1) * sizeof *nv) : NULL;
        if (!nv)
            return usage_error("--run: too many run ids");
        o->ids = nv;
        o->ids[o->nids++] = v;
        p = *end ? end + 1 : end;
    }
    return 0;
}

static const char *const known_statuses[] = {"ok",      "failed", "crashed", "timeout",
                                             "interrupted", "queued", "running", NULL};

/* Parse argv into *o; 0, or the exit code (2 bad usage, -1: --help printed, exit 0). */
static int parse_args(int argc, char **argv, qopts *o, strlist *keep)
{
    static const char *const with_value[] = {"--db",   "--format", "--plugin", "--param",
                                             "-p",     "--metric", "--status", "--tag",
                                             "--host", "--since",  "--until",  "--run",
                                             "--limit", NULL};
    o->limit = -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        char name[32];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(query_help, stdout);
            return -1;
        }
        if (arg[0] != '-')
            return usage_error("unexpected argument '%s'", arg);
        /* --opt=value or --opt value */
        const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        if (nlen >= sizeof name)
            return usage_error("unknown option '%s'", arg);
        memcpy(name, arg, nlen);
        name[nlen] = '\0';
        int known = 0;
        for (int k = 0; with_value[k]; k++)
            known |= strcmp(with_value[k], name) == 0;
        if (!known)
            return usage_error("unknown option '%s'", name);
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return usage_error("%s needs a value", name);

        int rc = 0;
        if (strcmp(name, "--db") == 0) {
            if (!*val)
                return usage_error("--db needs a file name");
            o->db = val;
        } else if (strcmp(name, "--format") == 0) {
            if (strcmp(val, "table") && strcmp(val, "csv") && strcmp(val, "json"))
                return usage_error("unknown --format '%s' (use table, csv or json)", val);
            o->format = val;
        } else if (strcmp(name, "--plugin") == 0) {
            size_t before = o->plugins.n;
            rc = push_commas(&o->plugins, val, keep);
            if (rc == 0 && o->plugins.n == before)
                return usage_error("--plugin needs a plugin name");
        } else if (strcmp(name, "--host") == 0) {
            size_t before = o->hosts.n;
            rc = push_commas(&o->hosts, val, keep);
            if (rc == 0 && o->hosts.n == before)
                return usage_error("--host needs a host name");
        } else if (strcmp(name, "--param") == 0 || strcmp(name, "-p") == 0) {
            const char *e = strchr(val, '=');
            if (!e || e == val)
                return usage_error("%s '%s': write NAME=VALUE", name, val);
            rc = push(&o->params, val);
        } else if (strcmp(name, "--metric") == 0) {
            if (!*val)
                return usage_error("--metric needs a metric name");
            rc = push_commas(&o->metrics, val, keep);
        } else if (strcmp(name, "--status") == 0) {
            size_t before = o->statuses.n;
            if (push_commas(&o->statuses, val, keep) != 0)
                return usage_error("--status: too many values");
            if (o->statuses.n == before)
                return usage_error("--status needs a value");
            for (size_t k = before; k < o->statuses.n; k++) {
                int ok = 0;
                for (int j = 0; known_statuses[j]; j++)
                    ok |= strcmp(known_statuses[j], o->statuses.v[k]) == 0;
                if (!ok)
                    return usage_error("unknown status '%s' (one of ok, failed, crashed, "
                                       "timeout, interrupted, queued, running)",
                                       o->statuses.v[k]);
            }
        } else if (strcmp(name, "--tag") == 0) {
            rc = push(&o->tags, val);
        } else if (strcmp(name, "--since") == 0) {
            if (parse_bound("--since", val, 0, o->since, sizeof o->since))
                return 2;
            o->has_since = 1;
        } else if (strcmp(name, "--until") == 0) {
            if (parse_bound("--until", val, 1, o->until, sizeof o->until))
                return 2;
            o->has_until = 1;
        } else if (strcmp(name, "--run") == 0) {
            if (parse_ids(val, o))
                return 2;
        } else if (strcmp(name, "--limit") == 0) {
            char *end;
            errno = 0;
            long long v = strtoll(val, &end, 10);
            if (end == val || *end || errno || v < 1)
                return usage_error("--limit '%s': give a whole number of runs, 1 or more", val);
            o->limit = v;
        }
        if (rc)
            return usage_error("%s: too many values", name);
    }
    if (!o->format)
        o->format = "table";
    if (!o->db) {
        const char *env = getenv("BENCHAAS_DB");
        o->db = env && *env ? env : "benchaas.db";
    }
    return 0;
}

/* Bound values of the id SELECT, in placeholder order. */
typedef struct binds {
    struct bval {
        int kind; /* 't' text, 'd' double or NULL when has == 0, 'i' integer */
        const char *t;
        double d;
        int64_t i;
        int has;
        char own[32]; /* text kept here when it is ours (a canonical bool) */
    } *v;
    size_t n;
    int oom;
} binds;

static struct bval *bnew(binds *b, int kind)
{
    struct bval *nv = b->oom ? NULL : realloc(b->v, (b->n + 1) * sizeof *nv);
    if (!nv) {
        b->oom = 1;
        return NULL;
    }
    b->v = nv;
    memset(&nv[b->n], 0, sizeof nv[b->n]);
    nv[b->n].kind = kind;
    return &nv[b->n++];
}

static void btext(binds *b, const char *t)
{
    struct bval *v = bnew(b, 't');
    if (v)
        v->t = t;
}

/* The filters as SQL over runs r, with every value a placeholder. */
static void build_select(const qopts *o, sbuf *sql, binds *b, char **param_names)
{
    sb_add(sql, "SELECT id FROM (SELECT r.id AS id FROM runs r WHERE 1");
    if (o->plugins.n) {
        sb_add(sql, " AND r.plugin IN (");
        for (size_t i = 0; i < o->plugins.n; i++) {
            sb_add(sql, i ? ",?" : "?");
            btext(b, o->plugins.v[i]);
        }
        sb_add(sql, ")");
    }
    if (o->statuses.n) {
        sb_add(sql, " AND r.status IN (");
        for (size_t i = 0; i < o->statuses.n; i++) {
            sb_add(sql, i ? ",?" : "?");
            btext(b, o->statuses.v[i]);
        }
        sb_add(sql, ")");
    }
    if (o->has_since) {
        sb_add(sql, " AND r.started_at >= ?");
        btext(b, o->since);
    }
    if (o->has_until) {
        sb_add(sql, " AND r.started_at < ?");
        btext(b, o->until);
    }
    if (o->hosts.n) {
        sb_add(sql, " AND r.host_id IN (SELECT id FROM hosts WHERE name IN (");
        for (size_t i = 0; i < o->hosts.n; i++) {
            sb_add(sql, i ? ",?" : "?");
            btext(b, o->hosts.v[i]);
        }
        sb_add(sql, "))");
    }
    for (size_t i = 0; i < o->tags.n; i++) {
        sb_add(sql, " AND r.id IN (SELECT run_id FROM tags WHERE tag = ?)");
        btext(b, o->tags.v[i]);
    }
    for (size_t i = 0; i < o->params.n; i++) {
        /* NAME=VALUE: the stored canonical text, or the same number (sizes: 128k =
         * 131072, 1.50 = 1.5), or the same boolean (yes = true), or an enum choice
         * in any case. */
        const char *value = strchr(o->params.v[i], '=') + 1;
        sb_add(sql, " AND r.id IN (SELECT run_id FROM params WHERE name = ? AND (value = ?"
                    " OR (type = 'enum' AND value = ? COLLATE NOCASE)"
                    " OR (type = 'bool' AND value = ?)"
                    " OR (type IN ('int','size','double') AND CAST(value AS REAL) = ?)))");
        btext(b, param_names[i]);
        btext(b, value);
        btext(b, value);
        struct bval *bv = bnew(b, 't');
        if (bv) {
            static const char *const yes[] = {"true", "yes", "on", "1", NULL};
            static const char *const no[] = {"false", "no", "off", "0", NULL};
            bv->t = value;
            for (int k = 0; yes[k]; k++) {
                if (strcasecmp(value, yes[k]) == 0)
                    bv->t = "true";
                if (strcasecmp(value, no[k]) == 0)
                    bv->t = "false";
            }
        }
        if ((bv = bnew(b, 'd'))) {
            uint64_t size;
            char *end;
            double d = strtod(value, &end);
            if (bx_parse_size(value, &size) == 0) {
                bv->d = (double)size;
                bv->has = 1;
            } else if (end != value && *end == '\0' && isfinite(d)) {
                bv->d = d;
                bv->has = 1;
            }
        }
    }
    if (o->metrics.n) {
        sb_add(sql, " AND EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id AND m.name IN (");
        for (size_t i = 0; i < o->metrics.n; i++) {
            sb_add(sql, i ? ",?" : "?");
            btext(b, o->metrics.v[i]);
        }
        sb_add(sql, "))");
    }
    if (o->nids) {
        sb_add(sql, " AND r.id IN (");
        for (size_t i = 0; i < o->nids; i++) {
            sb_add(sql, i ? ",?" : "?");
            struct bval *bv = bnew(b, 'i');
            if (bv)
                bv->i = o->ids[i];
        }
        sb_add(sql, ")");
    }
    /* --limit keeps the most recent runs; they are printed oldest first. */
    sb_add(sql, " ORDER BY r.id DESC LIMIT ?) ORDER BY id");
    struct bval *bv = bnew(b, 'i');
    if (bv)
        bv->i = o->limit;
}

/* The matching run ids, oldest first: 0 and *ids (caller frees), or BX_E* (message printed). */
static int select_ids(store *s, const qopts *o, int64_t **ids, size_t *n)
{
    sbuf sql = {0};
    binds b = {0};
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    char **names = calloc(o->params.n + 1, sizeof *names);
    *ids = NULL;
    *n = 0;
    for (size_t i = 0; names && i < o->params.n; i++)
        names[i] = strndup(o->params.v[i], (size_t)(strchr(o->params.v[i], '=') - o->params.v[i]));
    if (names)
        build_select(o, &sql, &b, names);
    if (!names || sql.oom || b.oom) {
        fprintf(stderr, "benchaas: out of memory\n");
        rc = BX_ENOMEM;
        goto out;
    }
    if (sqlite3_prepare_v2(db, sql.p, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "benchaas query: %s: %s\n", o->db, sqlite3_errmsg(db));
        rc = BX_EIO;
        goto out;
    }
    for (size_t i = 0; i < b.n; i++) {
        int k = (int)i + 1;
        if (b.v[i].kind == 't')
            sqlite3_bind_text(st, k, b.v[i].t, -1, SQLITE_STATIC);
        else if (b.v[i].kind == 'i')
            sqlite3_bind_int64(st, k, b.v[i].i);
        else if (b.v[i].has)
            sqlite3_bind_double(st, k, b.v[i].d);
        else
            sqlite3_bind_null(st, k);
    }
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *nv = realloc(*ids, cap * sizeof *nv);
            if (!nv) {
                fprintf(stderr, "benchaas: out of memory\n");
                rc = BX_ENOMEM;
                break;
            }
            *ids = nv;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (rc == 0 && step != SQLITE_DONE) {
        fprintf(stderr, "benchaas query: %s: %s\n", o->db, sqlite3_errmsg(db));
        rc = BX_EIO;
    }
out:
    sqlite3_finalize(st);
    for (size_t i = 0; names && i < o->params.n; i++)
        free(names[i]);
    free(names);
    free(sql.p);
    free(b.v);
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

/* Stream the runs as {"runs":[...]} with one run per line. */
static int print_json(qctx *q, const int64_t *ids, size_t n, FILE *f)
{
    fputs("{\"runs\": [", f);
    size_t printed = 0;
    for (size_t i = 0; i < n; i++) {
        qrun r;
        int found = load_run(q, ids[i], &r);
        if (found < 0)
            return found;
        if (!found)
            continue;
        cJSON *o = run_json(&r);
        char *text = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        qrun_free(&r);
        if (!text) {
            fprintf(stderr, "benchaas: out of memory\n");
            return BX_ENOMEM;
        }
        fprintf(f, "%s\n  %s", printed++ ? "," : "", text);
        cJSON_free(text);
    }
    fputs(printed ? "\n]}\n" : "]}\n", f);
    return 0;
}

static int print_csv(qctx *q, const int64_t *ids, size_t n, FILE *f)
{
    fputs(csv_header, f);
    for (size_t i = 0; i < n; i++) {
        qrun r;
        int found = load_run(q, ids[i], &r);
        if (found < 0)
            return found;
        if (found) {
            csv_run(f, &r);
            qrun_free(&r);
        }
    }
    return 0;
}

int cmd_query(int argc, char **argv)
{
    qopts o;
    strlist keep = {0};
    store *s = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    char err[512];
    int code;
    memset(&o, 0, sizeof o);

    code = parse_args(argc, argv, &o, &keep);
    if (code != 0) {
        code = code < 0 ? 0 : code; /* --help */
        goto out;
    }
    if (store_check_file(o.db, err, sizeof err) != 0 ||
        store_open(o.db, STORE_READONLY, &s, err, sizeof err) != 0) {
        fprintf(stderr, "benchaas query: %s\n", err);
        code = 2;
        goto out;
    }
    qctx q;
    if (qctx_init(&q, s) != 0) {
        code = 2;
        goto out;
    }
    if (select_ids(s, &o, &ids, &n) != 0) {
        qctx_fini(&q);
        code = 2;
        goto out;
    }
    q.only_metrics = o.metrics.n ? (char **)o.metrics.v : NULL;
    q.nonly = o.metrics.n;
    int rc;
    if (strcmp(o.format, "json") == 0) {
        rc = print_json(&q, ids, n, stdout);
    } else if (strcmp(o.format, "csv") == 0) {
        rc = print_csv(&q, ids, n, stdout);
    } else {
        rc = n ? print_table(&q, ids, n, stdout) : 0;
        if (n == 0)
            fprintf(stderr, "benchaas query: no runs match in %s\n", o.db);
    }
    qctx_fini(&q);
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "benchaas query: writing the results failed: %s\n", strerror(errno));
        rc = BX_EIO;
    }
    code = rc ? 2 : 0;
out:
    store_close(s);
    free(ids);
    free(o.ids);
    for (size_t i = 0; i < keep.n; i++)
        free((char *)keep.v[i]);
    free(keep.v);
    free(o.plugins.v);
    free(o.hosts.v);
    free(o.params.v);
    free(o.metrics.v);
    free(o.statuses.v);
    free(o.tags.v);
    return code;
}
