/*
 * query.c — `benchaas query` and the result printers shared with `run`.
 *
 * A query is two steps: one SELECT of the matching run ids (qfilter.c), then
 * each run is loaded by id with two cached statements and printed as a
 * table, CSV or the JSON document of docs/cli.md.
 */
#define _GNU_SOURCE
#include "query.h"
#include "qsbuf.h"
#include "board.h"
#include "headline.h"
#include "safefile.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/plugin.h"
#include "benchaas/sdk.h" /* bx_parse_size */
#include "dbpath.h"

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
    sqlite3_stmt *computed_st; /* board_computed's, kept between runs */
    int own_txn; /* qctx_init opened the read transaction */
    /* --metric filter: only these metrics are shown (NULL: all). */
    char **only_metrics;
    size_t nonly;
    int headline;  /* only the headline metrics */
    size_t hidden; /* metrics left out by headline, over the runs printed */
} qctx;

static const char run_sql[] =
    "SELECT r.id, r.plugin, r.plugin_version, r.status, h.name, r.job_id, r.started_at,"
    "       r.ranks, r.threads, r.params_json, r.error"
    "  FROM runs r LEFT JOIN hosts h ON h.id = r.host_id WHERE r.id = ?1";
static const char met_sql[] =
    "SELECT name, value, unit, better, " HEADLINE_SQL " FROM metrics WHERE run_id = ?1"
    " ORDER BY seq, name";

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
    sqlite3_finalize(q->computed_st);
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
        if (q->headline && !sqlite3_column_int(q->met_st, 4)) {
            q->hidden++;
            continue;
        }
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

/* One run as the docs/cli.md object; NULL when out of memory. */
static cJSON *run_json(qctx *q, const qrun *r)
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
    /* what the plugin computed for a parameter left unset (STREAM's array_size) */
    cJSON_AddItemToObject(o, "computed", board_computed(q->s, &q->computed_st, r->id,
                                                        r->params_json));
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
            cJSON *o = run_json(&q, &r);
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

/* A typed parameter value from params_json as display text (into buf, or the string):
 * "192", "true", "Crout". */
const char *query_param_text(const cJSON *v, char *buf, size_t len)
{
    if (!cJSON_IsString(v) && !cJSON_IsBool(v) && !cJSON_IsNumber(v))
        return "";
    char *heap; /* stays NULL: scalars are never printed as JSON */
    return store_value_text(v, buf, len, &heap);
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_field(FILE *f, const char *s, int last)
{
    /* To a terminal, a control character from the database is shown escaped. */
    static FILE *seen;
    static int tty;
    if (f != seen) {
        seen = f;
        tty = isatty(fileno(f));
    }
    char *esc = NULL;
    if (tty && s && text_needs_escape(s))
        s = esc = text_escaped_dup(s);
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
    free(esc);
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
        const char *v = query_param_text(it, buf, sizeof buf);
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
        sb_add(&b, query_param_text(it, buf, sizeof buf));
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
    text_put(f, line); /* a control character from the database is shown, never obeyed */
    fputc('\n', f);
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
    if (r->error && *r->error) {
        fprintf(f, "%*s  error: ", t->w_id, "");
        text_put(f, r->error);
        fputc('\n', f);
    }
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
            q->hidden = 0; /* count once */
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

/* ---- shared helpers for the other result commands ------------------------- */

const char *query_exact_number(double v, char *buf, size_t len)
{
    return exact_number(v, buf, len);
}

const char *query_readable_number(double v, char *buf, size_t len)
{
    return readable_number(v, buf, len);
}

void query_csv_field(FILE *f, const char *s, int last) { csv_field(f, s, last); }

int query_open_store(const qfilter *f, store **s)
{
    char err[512];
    *s = NULL;
    if (store_check_file(f->db, err, sizeof err) != 0 ||
        store_open(f->db, STORE_READONLY | STORE_ONE_THREAD, s, err, sizeof err) != 0) {
        fprintf(stderr, "benchaas %s: %s\n", f->cmd ? f->cmd : "query", err);
        return 2;
    }
    return 0;
}

/* ---- output files ---------------------------------------------------------- */

int query_out_open(query_out *o, const char *cmd, const char *path)
{
    memset(o, 0, sizeof *o);
    char why[1024];
    if (safefile_output_ok(path, why, sizeof why) != 0) {
        fprintf(stderr, "benchaas %s: %s\n", cmd, why);
        return BX_EINVAL;
    }
    o->path = strdup(path);
    if (!o->path || asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0) {
        free(o->path);
        o->path = o->tmp = NULL;
        fprintf(stderr, "benchaas: out of memory\n");
        return BX_ENOMEM;
    }
    int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        fprintf(stderr, "benchaas %s: cannot write '%s': %s\n", cmd, path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->path);
        free(o->tmp);
        memset(o, 0, sizeof *o);
        return BX_EIO;
    }
    fchmod(fd, 0644); /* mkstemp makes it 0600; a report or export is for sharing */
    return 0;
}

int query_out_close(query_out *o, const char *cmd, int ok)
{
    int rc = 0;
    if (!o->f)
        return 0;
    if (ok && (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0 || ferror(o->f))) {
        fprintf(stderr, "benchaas %s: writing '%s' failed: %s\n", cmd, o->path, strerror(errno));
        rc = BX_EIO;
    }
    if (fclose(o->f) != 0 && ok && rc == 0) {
        fprintf(stderr, "benchaas %s: writing '%s' failed: %s\n", cmd, o->path, strerror(errno));
        rc = BX_EIO;
    }
    if (ok && rc == 0 && rename(o->tmp, o->path) != 0) {
        fprintf(stderr, "benchaas %s: cannot create '%s': %s\n", cmd, o->path, strerror(errno));
        rc = BX_EIO;
    }
    if (!ok || rc)
        unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return rc;
}

/* ---- printing the runs ------------------------------------------------------ */

/*
 * Stream the runs: json is {"runs":[...]} with one run per line, jsonl one
 * run object per line.
 */
static int print_json(qctx *q, const int64_t *ids, size_t n, FILE *f, int lines)
{
    if (!lines)
        fputs("{\"runs\": [", f);
    size_t printed = 0;
    for (size_t i = 0; i < n; i++) {
        qrun r;
        int found = load_run(q, ids[i], &r);
        if (found < 0)
            return found;
        if (!found)
            continue;
        cJSON *o = run_json(q, &r);
        char *raw = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        qrun_free(&r);
        char *text = raw ? text_json_fix(raw) : NULL; /* valid UTF-8, no raw control */
        cJSON_free(raw);
        if (!text) {
            fprintf(stderr, "benchaas: out of memory\n");
            return BX_ENOMEM;
        }
        if (lines)
            fprintf(f, "%s\n", text);
        else
            fprintf(f, "%s\n  %s", printed ? "," : "", text);
        printed++;
        free(text);
    }
    if (!lines)
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

/* The matching runs in one of the formats of `query`: table, csv, json or jsonl. */
int query_print_runs(store *s, const qfilter *f, const char *format, FILE *to, size_t *nruns)
{
    qctx q;
    int64_t *ids = NULL;
    size_t n = 0;
    *nruns = 0;
    if (qctx_init(&q, s) != 0)
        return BX_EIO;
    if (qfilter_select_ids(s, f, &ids, &n) != 0) {
        qctx_fini(&q);
        return BX_EIO;
    }
    q.only_metrics = f->metrics.n ? (char **)f->metrics.v : NULL;
    q.nonly = f->metrics.n;
    /* the table is for people: the headline metrics unless asked (formats for programs
       keep every metric) */
    q.headline = headline_only(f) && strcmp(format, "table") == 0;
    int rc;
    if (strcmp(format, "json") == 0 || strcmp(format, "jsonl") == 0)
        rc = print_json(&q, ids, n, to, strcmp(format, "jsonl") == 0);
    else if (strcmp(format, "csv") == 0)
        rc = print_csv(&q, ids, n, to);
    else {
        rc = n ? print_table(&q, ids, n, to) : 0;
        if (rc == 0 && q.hidden)
            fprintf(to, "(%zu more metric value%s not shown: --all-metrics, or --metric NAME)\n",
                    q.hidden, q.hidden == 1 ? "" : "s");
    }
    qctx_fini(&q);
    free(ids);
    *nruns = n;
    return rc;
}
