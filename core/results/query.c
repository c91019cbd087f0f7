/*
 * query.c — `benchaas query` and the result printers shared with `run`.
 *
 * A query is two steps: one SELECT of the matching run ids (filters become
 * bound parameters of a statement assembled from fixed fragments; no user
 * text is ever pasted into SQL), then each run is loaded by id with two
 * cached statements and printed as a table, CSV or the JSON document of
 * docs/cli.md.
 */
#define _GNU_SOURCE
#include "query.h"
#include "board.h"
#include "headline.h"
#include "safefile.h"
#include "text.h"
#include "paramval.h"

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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/plugin.h"
#include "benchaas/sdk.h" /* bx_parse_size */
#include "dbpath.h"

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

int query_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "benchaas %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see benchaas %s --help)\n", cmd);
    return 2;
}

static int push(qlist *l, const char *v)
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

const char *qfilter_keep(qfilter *f, const char *text)
{
    char *copy = strdup(text);
    if (!copy || push(&f->keep, copy) != 0) {
        free(copy);
        return NULL;
    }
    return copy;
}

/* Push every element of a comma list (the pieces point into a copy f keeps). */
static int push_commas(qfilter *f, qlist *l, const char *text)
{
    char *copy = (char *)qfilter_keep(f, text);
    if (!copy)
        return -1;
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
static int parse_bound(const char *cmd, const char *opt, const char *text, int upper, char *out,
                       size_t outlen)
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
            return query_usage_error(cmd, "%s '%s': an age is a number with s, m, h, d or w (7d)",
                                     opt, text);
        epoch = (int64_t)time(NULL) - n * unit;
    } else if (store_time_parse(text, &epoch, &date_only) != 0) {
        return query_usage_error(cmd,
                                 "%s '%s' is not a time: use 2026-11-21, 2026-11-21T10:12:17Z or "
                                 "an age like 7d or 24h",
                                 opt, text);
    }
    if (upper)
        epoch += date_only ? 86400 : 1; /* stored times have whole seconds */
    store_time_format(epoch, out, outlen);
    return 0;
}

static int parse_ids(qfilter *f, const char *text)
{
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || v <= 0 || errno || (*end && *end != ','))
            return query_usage_error(
                f->cmd, "--run '%s': run ids are positive whole numbers, comma-separated", text);
        int64_t *nv = f->nids < QUERY_MAX_LIST ? realloc(f->ids, (f->nids + 1) * sizeof *nv) : NULL;
        if (!nv)
            return query_usage_error(f->cmd, "--run: too many run ids");
        f->ids = nv;
        f->ids[f->nids++] = v;
        p = *end ? end + 1 : end;
    }
    return 0;
}

static const char *const known_statuses[] = {"ok",      "failed", "crashed", "timeout",
                                             "interrupted", "queued", "running", NULL};

static const char *const filter_options[] = {"--db",    "--plugin", "--param", "-p",
                                             "--metric", "--status", "--tag",  "--host",
                                             "--job",   "--prov",   "--since", "--until",
                                             "--run",   "--limit",  NULL};

static int in_list(const char *const *list, const char *name)
{
    for (int k = 0; list && list[k]; k++)
        if (strcmp(list[k], name) == 0)
            return 1;
    return 0;
}

int qfilter_option(qfilter *f, const char *name, const char *val)
{
    const char *cmd = f->cmd ? f->cmd : "query";
    int rc = 0;
    if (strcmp(name, "--latest") == 0) {
        f->latest = 1;
        return 0;
    }
    if (strcmp(name, "--all-metrics") == 0) {
        f->all_metrics = 1;
        return 0;
    }
    if (!in_list(filter_options, name))
        return 1;
    if (strcmp(name, "--db") == 0) {
        if (!*val)
            return query_usage_error(cmd, "--db needs a file name");
        f->db = val;
    } else if (strcmp(name, "--plugin") == 0) {
        size_t before = f->plugins.n;
        rc = push_commas(f, &f->plugins, val);
        if (rc == 0 && f->plugins.n == before)
            return query_usage_error(cmd, "--plugin needs a plugin name");
    } else if (strcmp(name, "--host") == 0) {
        size_t before = f->hosts.n;
        rc = push_commas(f, &f->hosts, val);
        if (rc == 0 && f->hosts.n == before)
            return query_usage_error(cmd, "--host needs a host name");
    } else if (strcmp(name, "--job") == 0) {
        size_t before = f->jobs.n;
        rc = push_commas(f, &f->jobs, val);
        if (rc == 0 && f->jobs.n == before)
            return query_usage_error(cmd, "--job needs a Slurm job id");
    } else if (strcmp(name, "--param") == 0 || strcmp(name, "-p") == 0) {
        const char *e = strchr(val, '=');
        if (!e || e == val)
            return query_usage_error(cmd, "%s '%s': write NAME=VALUE", name, val);
        rc = push(&f->params, val);
    } else if (strcmp(name, "--prov") == 0) {
        const char *e = strchr(val, '=');
        if (!e || e == val)
            return query_usage_error(cmd, "--prov '%s': write KEY=VALUE (--prov kernel=6.1.0)",
                                     val);
        rc = push(&f->provs, val);
    } else if (strcmp(name, "--metric") == 0) {
        size_t before = f->metrics.n;
        rc = push_commas(f, &f->metrics, val);
        if (rc == 0 && f->metrics.n == before)
            return query_usage_error(cmd, "--metric needs a metric name");
    } else if (strcmp(name, "--status") == 0) {
        size_t before = f->statuses.n;
        if (push_commas(f, &f->statuses, val) != 0)
            return query_usage_error(cmd, "--status: too many values");
        if (f->statuses.n == before)
            return query_usage_error(cmd, "--status needs a value");
        for (size_t k = before; k < f->statuses.n; k++) {
            if (!in_list(known_statuses, f->statuses.v[k]))
                return query_usage_error(cmd,
                                         "unknown status '%s' (one of ok, failed, crashed, "
                                         "timeout, interrupted, queued, running)",
                                         f->statuses.v[k]);
        }
    } else if (strcmp(name, "--tag") == 0) {
        if (!*val)
            return query_usage_error(cmd, "--tag needs a tag");
        rc = push(&f->tags, val);
    } else if (strcmp(name, "--since") == 0) {
        if (parse_bound(cmd, "--since", val, 0, f->since, sizeof f->since))
            return 2;
        f->has_since = 1;
    } else if (strcmp(name, "--until") == 0) {
        if (parse_bound(cmd, "--until", val, 1, f->until, sizeof f->until))
            return 2;
        f->has_until = 1;
    } else if (strcmp(name, "--run") == 0) {
        if (parse_ids(f, val))
            return 2;
    } else if (strcmp(name, "--limit") == 0) {
        char *end;
        errno = 0;
        long long v = strtoll(val, &end, 10);
        if (end == val || *end || errno || v < 1)
            return query_usage_error(cmd, "--limit '%s': give a whole number of runs, 1 or more",
                                     val);
        f->limit = v;
    }
    if (rc)
        return query_usage_error(cmd, "%s: too many values", name);
    return 0;
}

void qfilter_finish(qfilter *f)
{
    if (!f->cmd)
        f->cmd = "query";
    if (f->limit == 0)
        f->limit = -1;
    f->db = default_db(f->db);
}

void qfilter_free(qfilter *f)
{
    for (size_t i = 0; i < f->keep.n; i++)
        free((char *)f->keep.v[i]);
    free(f->keep.v);
    free(f->plugins.v);
    free(f->hosts.v);
    free(f->params.v);
    free(f->metrics.v);
    free(f->statuses.v);
    free(f->tags.v);
    free(f->jobs.v);
    free(f->provs.v);
    free(f->ids);
    memset(f, 0, sizeof *f);
}

static int list_copy(qlist *dst, const qlist *src)
{
    dst->n = 0;
    dst->v = NULL;
    for (size_t i = 0; i < src->n; i++)
        if (push(dst, src->v[i]) != 0)
            return -1;
    return 0;
}

int qfilter_copy(qfilter *dst, const qfilter *src)
{
    *dst = *src;
    dst->keep = (qlist){0};
    dst->ids = NULL;
    dst->nids = 0;
    int bad = list_copy(&dst->plugins, &src->plugins) | list_copy(&dst->hosts, &src->hosts) |
              list_copy(&dst->params, &src->params) | list_copy(&dst->metrics, &src->metrics) |
              list_copy(&dst->statuses, &src->statuses) | list_copy(&dst->tags, &src->tags) |
              list_copy(&dst->jobs, &src->jobs) | list_copy(&dst->provs, &src->provs);
    if (src->nids) {
        dst->ids = malloc(src->nids * sizeof *dst->ids);
        if (dst->ids) {
            memcpy(dst->ids, src->ids, src->nids * sizeof *dst->ids);
            dst->nids = src->nids;
        } else {
            bad = 1;
        }
    }
    if (bad) {
        qfilter_free(dst);
        return BX_ENOMEM;
    }
    return 0;
}

/* Bound values of the id SELECT, in placeholder order. */
typedef struct binds {
    struct bval {
        int kind; /* 't' text, 'd' double or NULL when has == 0, 'i' integer */
        const char *t;
        size_t tlen; /* text length, or (size_t)-1 for NUL-terminated */
        double d;
        int64_t i;
        int has;
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
    nv[b->n].tlen = (size_t)-1;
    return &nv[b->n++];
}

static void btext(binds *b, const char *t)
{
    struct bval *v = bnew(b, 't');
    if (v)
        v->t = t;
}

/* The first `len` bytes of t (a NAME of NAME=VALUE). */
static void btextn(binds *b, const char *t, size_t len)
{
    struct bval *v = bnew(b, 't');
    if (v) {
        v->t = t;
        v->tlen = len;
    }
}

static void sb_in_list(sbuf *sql, binds *b, const qlist *l)
{
    sb_add(sql, "(");
    for (size_t i = 0; i < l->n; i++) {
        sb_add(sql, i ? ",?" : "?");
        btext(b, l->v[i]);
    }
    sb_add(sql, ")");
}

/*
 * Should a selection by tags and a time window walk the window and test each run's tags,
 * rather than list each tag's runs and look every one up?  SQLite cannot tell (without
 * STAT4 it guesses a quarter of the table for any range, and lists a tag's 100 000 runs
 * to find the 200 of last month): count both, up to a bound, and take the smaller.  1:
 * walk the window (runs_started), 0: as SQLite plans it.
 */
#define WINDOW_COUNT_BOUND 20000
static int window_drives(sqlite3 *db, const qfilter *o)
{
    if (!o->tags.n || o->latest || o->nids || (!o->has_since && !o->has_until))
        return 0;
    sqlite3_stmt *st = NULL;
    int64_t window = -1, fewest = -1;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM (SELECT 1 FROM runs INDEXED BY runs_started"
                           " WHERE started_at >= coalesce(?1, '')"
                           " AND (?2 IS NULL OR started_at < ?2)"
                           " LIMIT ?3)",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return 0;
    }
    if (o->has_since)
        sqlite3_bind_text(st, 1, o->since, -1, SQLITE_STATIC);
    if (o->has_until)
        sqlite3_bind_text(st, 2, o->until, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, WINDOW_COUNT_BOUND);
    if (sqlite3_step(st) == SQLITE_ROW)
        window = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (window < 0 || window >= WINDOW_COUNT_BOUND)
        return 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM (SELECT 1 FROM tags INDEXED BY tags_tag"
                           " WHERE tag = ?1 LIMIT ?2)",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return 0;
    }
    for (size_t i = 0; i < o->tags.n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, o->tags.v[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, window + 1);
        if (sqlite3_step(st) == SQLITE_ROW) {
            int64_t c = sqlite3_column_int64(st, 0);
            if (fewest < 0 || c < fewest)
                fewest = c;
        }
    }
    sqlite3_finalize(st);
    return fewest > window;
}

/* The filters as SQL over runs r, with every value a placeholder; by_window: the runs of
   the time window are walked and their tags tested (window_drives). */
static void build_select(const qfilter *o, int by_window, sbuf *sql, binds *b)
{
    /* --latest: of the runs that pass the filters, the newest of each configuration and
     * host: runs_history (a configuration's runs, newest first) per pair of series */
    sb_add(sql, o->latest ? "SELECT id FROM (SELECT id FROM (SELECT (SELECT r.id FROM runs r"
                            " WHERE r.config_id = k.config_id AND r.host_id IS nullif(k.host_id, 0)"
                : by_window ? "SELECT id FROM (SELECT r.id AS id FROM runs r"
                              " INDEXED BY runs_started WHERE 1"
                            : "SELECT id FROM (SELECT r.id AS id FROM runs r WHERE 1");
    if (o->plugins.n) {
        sb_add(sql, " AND r.plugin IN ");
        sb_in_list(sql, b, &o->plugins);
    }
    if (o->statuses.n) {
        sb_add(sql, " AND r.status IN ");
        sb_in_list(sql, b, &o->statuses);
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
        sb_add(sql, " AND r.host_id IN (SELECT id FROM hosts WHERE name IN ");
        sb_in_list(sql, b, &o->hosts);
        sb_add(sql, ")");
    }
    if (o->jobs.n) {
        /* job_id has integer affinity: '4242' compares equal to 4242 */
        sb_add(sql, " AND r.job_id IN ");
        sb_in_list(sql, b, &o->jobs);
    }
    /* --latest tests run after run of a series (newest first): a lookup by the run's key, not
       a list of every matching run built again for each series */
    for (size_t i = 0; i < o->tags.n; i++) {
        sb_add(sql, o->latest || by_window ? " AND EXISTS (SELECT 1 FROM tags t"
                                             " WHERE t.run_id = r.id AND t.tag = ?)"
                              : " AND r.id IN (SELECT run_id FROM tags WHERE tag = ?)");
        btext(b, o->tags.v[i]);
    }
    for (size_t i = 0; i < o->provs.n; i++) {
        const char *eq = strchr(o->provs.v[i], '=');
        sb_add(sql, o->latest ? " AND EXISTS (SELECT 1 FROM provenance v WHERE v.run_id = r.id"
                                " AND v.key = ? AND v.value = ?)"
                              : " AND r.id IN (SELECT run_id FROM provenance WHERE key = ?"
                                " AND value = ?)");
        btextn(b, o->provs.v[i], (size_t)(eq - o->provs.v[i]));
        btext(b, eq + 1);
    }
    for (size_t i = 0; i < o->params.n; i++) {
        /* NAME=VALUE: the stored canonical text, or the same number (sizes: 128k =
         * 131072, 1.50 = 1.5), or the same boolean (yes = true), or an enum choice
         * in any case. */
        const char *eq = strchr(o->params.v[i], '=');
        const char *value = eq + 1;
        sb_add(sql, " AND r.config_id IN (SELECT config_id FROM config_params WHERE name = ?"
                    " AND (value = ?"
                    " OR (type = 'enum' AND value = ? COLLATE NOCASE)"
                    " OR (type = 'bool' AND value = ?)"
                    " OR (type IN ('int','size','double') AND CAST(value AS REAL) = ?)))");
        btextn(b, o->params.v[i], (size_t)(eq - o->params.v[i]));
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
        sb_add(sql, " AND EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id AND m.name IN ");
        sb_in_list(sql, b, &o->metrics);
        sb_add(sql, ")");
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
    if (o->latest) {
        sb_add(sql, " ORDER BY r.started_at DESC LIMIT 1) AS id FROM series k");
        /* only the series of the plugins and hosts asked for are walked */
        if (o->plugins.n) {
            sb_add(sql, " WHERE k.config_id IN (SELECT id FROM configs WHERE plugin IN ");
            sb_in_list(sql, b, &o->plugins);
            sb_add(sql, ")");
        }
        if (o->hosts.n) {
            sb_add(sql, o->plugins.n ? " AND" : " WHERE");
            sb_add(sql, " k.host_id IN (SELECT id FROM hosts WHERE name IN ");
            sb_in_list(sql, b, &o->hosts);
            sb_add(sql, ")");
        }
        sb_add(sql, ") WHERE id IS NOT NULL");
    }
    /* --limit keeps the most recent runs; they are printed oldest first. */
    sb_add(sql, o->latest ? " ORDER BY id DESC LIMIT ?) ORDER BY id"
                          : " ORDER BY r.id DESC LIMIT ?) ORDER BY id");
    struct bval *bv = bnew(b, 'i');
    if (bv)
        bv->i = o->limit > 0 ? o->limit : -1;
}

int qfilter_prepare(store *s, const qfilter *f, const char *before, const char *after,
                    sqlite3_stmt **st)
{
    sbuf sql = {0};
    binds b = {0};
    sqlite3 *db = store_db(s);
    int rc = 0;
    *st = NULL;
    sb_add(&sql, before ? before : "");
    build_select(f, window_drives(db, f), &sql, &b);
    sb_add(&sql, after ? after : "");
    if (sql.oom || b.oom) {
        fprintf(stderr, "benchaas: out of memory\n");
        rc = BX_ENOMEM;
        goto out;
    }
    if (sqlite3_prepare_v2(db, sql.p, -1, st, NULL) != SQLITE_OK) {
        fprintf(stderr, "benchaas %s: %s: %s\n", f->cmd ? f->cmd : "query", f->db,
                sqlite3_errmsg(db));
        rc = BX_EIO;
        goto out;
    }
    for (size_t i = 0; i < b.n; i++) {
        int k = (int)i + 1;
        if (b.v[i].kind == 't')
            sqlite3_bind_text(*st, k, b.v[i].t,
                              b.v[i].tlen == (size_t)-1 ? -1 : (int)b.v[i].tlen, SQLITE_STATIC);
        else if (b.v[i].kind == 'i')
            sqlite3_bind_int64(*st, k, b.v[i].i);
        else if (b.v[i].has)
            sqlite3_bind_double(*st, k, b.v[i].d);
        else
            sqlite3_bind_null(*st, k);
    }
out:
    free(sql.p);
    free(b.v);
    return rc;
}

int qfilter_select_ids(store *s, const qfilter *f, int64_t **ids, size_t *n)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    *ids = NULL;
    *n = 0;
    int rc = qfilter_prepare(s, f, NULL, NULL, &st);
    if (rc)
        return rc;
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
        fprintf(stderr, "benchaas %s: %s: %s\n", f->cmd ? f->cmd : "query", f->db,
                sqlite3_errmsg(db));
        rc = BX_EIO;
    }
    sqlite3_finalize(st);
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int qfilter_metric_conds(const qfilter *f, const char *prefix, FILE *out)
{
    if (f->params.n || f->tags.n || f->provs.n || f->jobs.n || f->nids || f->latest ||
        f->limit > 0)
        return 0;
    if (!out)
        return 1;
    const qlist *lists[] = {&f->plugins, &f->statuses, &f->hosts};
    static const char *const heads[] = {"plugin IN (", "status IN (",
                                        "host_id IN (SELECT id FROM hosts WHERE name IN ("};
    int k = 0;
    for (int l = 0; l < 3; l++) {
        if (!lists[l]->n)
            continue;
        fprintf(out, " AND %s%s", prefix, heads[l]);
        for (size_t i = 0; i < lists[l]->n; i++)
            fprintf(out, "%s:qf%d", i ? "," : "", k++);
        fputs(l == 2 ? "))" : ")", out);
    }
    if (f->has_since)
        fprintf(out, " AND %sstarted_at >= :qfsince", prefix);
    if (f->has_until)
        fprintf(out, " AND %sstarted_at < :qfuntil", prefix);
    return 1;
}

void qfilter_metric_bind(const qfilter *f, sqlite3_stmt *st)
{
    const qlist *lists[] = {&f->plugins, &f->statuses, &f->hosts};
    char name[32];
    int k = 0;
    for (int l = 0; l < 3; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            snprintf(name, sizeof name, ":qf%d", k++);
            sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), lists[l]->v[i], -1,
                              SQLITE_STATIC);
        }
    /* the bounds are copied: they live in *f, which may be a short-lived copy (the lists'
       strings are the caller's, shared by every copy) */
    if (f->has_since)
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":qfsince"), f->since, -1,
                          SQLITE_TRANSIENT);
    if (f->has_until)
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":qfuntil"), f->until, -1,
                          SQLITE_TRANSIENT);
}

/* ---- unknown names -------------------------------------------------------- */

/*
 * Is `name` (len bytes) a stored metric (what = 'm') or parameter ('p') of
 * the filter's plugins?  1 yes, 0 no, BX_EIO.
 */
static int name_known(store *s, const qfilter *f, int what, const char *name, size_t len)
{
    sbuf sql = {0};
    sqlite3_stmt *st = NULL;
    /* metrics carry their run's plugin; parameters are read per configuration */
    if (what == 'm')
        sb_add(&sql, "SELECT 1 FROM metrics r");
    else
        sb_add(&sql, "SELECT 1 FROM config_params x JOIN configs r ON r.id = x.config_id");
    if (f->plugins.n) {
        sb_add(&sql, what == 'm' ? " WHERE r.name = ?1 AND r.run_plugin IN ("
                                 : " WHERE x.name = ?1 AND r.plugin IN (");
        for (size_t i = 0; i < f->plugins.n; i++)
            sb_add(&sql, i ? ",?" : "?");
        sb_add(&sql, ")");
    } else {
        sb_add(&sql, what == 'm' ? " WHERE r.name = ?1" : " WHERE x.name = ?1");
    }
    sb_add(&sql, " LIMIT 1");
    if (sql.oom || sqlite3_prepare_v2(store_db(s), sql.p, -1, &st, NULL) != SQLITE_OK) {
        free(sql.p);
        return BX_EIO;
    }
    free(sql.p);
    sqlite3_bind_text(st, 1, name, (int)len, SQLITE_STATIC);
    for (size_t i = 0; i < f->plugins.n; i++)
        sqlite3_bind_text(st, (int)i + 2, f->plugins.v[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : BX_EIO;
}

/* "; did you mean 'NB'?" or the list of known names, into out. */
static void suggest(store *s, const qfilter *f, int what, const char *name, size_t len, char *out,
                    size_t outlen)
{
    char want[80];
    snprintf(want, sizeof want, "%.*s", (int)(len < 79 ? len : 79), name);
    /* DISTINCT over the (name, ...) index: one step per distinct name */
    sbuf sql = {0};
    sb_add(&sql, what == 'm' ? "SELECT DISTINCT x.name FROM metrics x"
                             : "SELECT DISTINCT x.name FROM config_params x");
    if (f->plugins.n) {
        sb_add(&sql, what == 'm' ? " WHERE x.run_plugin IN ("
                                 : " JOIN configs r ON r.id = x.config_id WHERE r.plugin IN (");
        for (size_t i = 0; i < f->plugins.n; i++)
            sb_add(&sql, i ? ",?" : "?");
        sb_add(&sql, ")");
    }
    sb_add(&sql, " ORDER BY 1 LIMIT 200");
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sql.oom || sqlite3_prepare_v2(store_db(s), sql.p, -1, &st, NULL) != SQLITE_OK) {
        free(sql.p);
        return;
    }
    free(sql.p);
    for (size_t i = 0; i < f->plugins.n; i++)
        sqlite3_bind_text(st, (int)i + 1, f->plugins.v[i], -1, SQLITE_STATIC);
    char best[80] = "", list[400] = "";
    int bestd = 99, count = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(st, 0);
        if (!n)
            continue;
        int d = bxp_edit_distance(want, n);
        if (d < bestd) {
            bestd = d;
            snprintf(best, sizeof best, "%s", n);
        }
        if (count++ < 12) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", n);
        } else if (count == 13) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, ", ...");
        }
    }
    sqlite3_finalize(st);
    if (best[0] && bestd <= 2 && bestd < (int)strlen(want))
        snprintf(out, outlen, "; did you mean '%s'?", best);
    else if (list[0])
        snprintf(out, outlen, " (known: %s)", list);
}

int qfilter_check_names(store *s, const qfilter *f)
{
    const char *cmd = f->cmd ? f->cmd : "query";
    sqlite3_stmt *st = NULL;
    int64_t any = 0;
    /* an empty database: every name is as good as another */
    if (sqlite3_prepare_v2(store_db(s), "SELECT EXISTS (SELECT 1 FROM runs)", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        any = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!any)
        return 0;
    char plugins[200] = "";
    for (size_t i = 0; i < f->plugins.n; i++) {
        size_t l = strlen(plugins);
        snprintf(plugins + l, sizeof plugins - l, "%s%s", i ? "/" : " of ", f->plugins.v[i]);
    }
    for (int pass = 0; pass < 2; pass++) {
        const qlist *l = pass == 0 ? &f->metrics : &f->params;
        int what = pass == 0 ? 'm' : 'p';
        for (size_t i = 0; i < l->n; i++) {
            const char *name = l->v[i];
            size_t len = what == 'p' ? (size_t)(strchr(name, '=') - name) : strlen(name);
            int k = name_known(s, f, what, name, len);
            if (k < 0) {
                fprintf(stderr, "benchaas %s: %s: %s\n", cmd, f->db, sqlite3_errmsg(store_db(s)));
                return 2;
            }
            if (k == 0) {
                char hint[512];
                suggest(s, f, what, name, len, hint, sizeof hint);
                fprintf(stderr, "benchaas %s: unknown %s '%.*s': no run%s in %s has it%s\n", cmd,
                        what == 'm' ? "metric" : "parameter", (int)len, name, plugins, f->db,
                        hint);
                return 2;
            }
        }
    }
    return 0;
}

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
