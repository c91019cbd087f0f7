/*
 * baseline.c — the baselines of `benchaas baseline set|list|delete`
 * (core/cli/baseline_cmd.c reads the command line): reference values of
 * one metric for one configuration (plugin, parameters, ranks, threads) on
 * a host, a host class (the CPU model) or anywhere, with a relative
 * tolerance, that `benchaas check` (check.c) holds runs to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "query.h"
#include "stats.h"
#include "table.h"
#include "text.h"
#include "util.h"

/* ---- baseline -------------------------------------------------------------------- */

/* The values of one baseline row: for the DELETE of the old row, or the INSERT (insert = 1). */
static void bind_baseline(sqlite3_stmt *st, int insert, const char *name, const aentry *e,
                          int scope, double med, double mad, double tol, const char *now,
                          const char *note)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->plugin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->params, -1, SQLITE_STATIC);
    if (scope == SCOPE_HOST && e->host_id)
        sqlite3_bind_int64(st, 4, e->host_id);
    if (scope == SCOPE_CLASS && e->host_class)
        sqlite3_bind_text(st, 5, e->host_class, -1, SQLITE_STATIC);
    if (e->ranks >= 0)
        sqlite3_bind_int64(st, 6, e->ranks);
    if (e->threads >= 0)
        sqlite3_bind_int64(st, 7, e->threads);
    sqlite3_bind_text(st, 8, e->metric, -1, SQLITE_STATIC);
    if (insert) {
        sqlite3_bind_double(st, 9, med);
        sqlite3_bind_text(st, 10, e->better ? e->better : "none", -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 11, tol);
        sqlite3_bind_int64(st, 12, e->last_run);
        sqlite3_bind_text(st, 13, now, -1, SQLITE_STATIC);
        if (note)
            sqlite3_bind_text(st, 14, note, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 15, mad);
        sqlite3_bind_int64(st, 16, (int64_t)e->nruns);
    }
}

int baseline_set(qfilter *fp, const baseline_set_opts *o, FILE *out)
{
    const qfilter *f = fp;
    const char *name = o->name, *note = o->note, *sel = o->sel;
    double tol = o->tolerance;
    int scope = o->scope, code = 2;
    store *s = NULL;
    aset a = {0};
    char **labels = NULL;
    if (query_open_store(fp, &s) || qfilter_check_names(s, fp))
        goto out;
    int flags = scope == SCOPE_HOST ? ASET_PER_HOST : scope == SCOPE_CLASS ? ASET_PER_CLASS : 0;
    if (aset_load(s, f, flags, &a))
        goto out;
    size_t n = 0;
    for (size_t i = 0; i < a.n; i++)
        n += check_checkable(f, a.e[i]) && a.e[i]->values.n > 0;
    if (n == 0) {
        fprintf(stderr,
                "benchaas baseline set: no ok run with a %s metric matches%s%s in %s\n",
                f->metrics.n ? "--metric" : "higher- or lower-is-better", sel ? " " : "",
                sel ? sel : "", f->db);
        goto out;
    }
    labels = analyze_config_labels(a.e, a.n);
    if (!labels) {
        fprintf(stderr, "benchaas: out of memory\n");
        goto out;
    }
    sqlite3 *db = store_db(s);
    sqlite3_stmt *del = NULL, *ins = NULL;
    char now[32];
    store_time_format((int64_t)time(NULL), now, sizeof now);
    const char *del_sql =
        "DELETE FROM baselines WHERE name = ?1 AND plugin = ?2 AND params_json = ?3"
        " AND coalesce(host_id, 0) = coalesce(?4, 0) AND coalesce(host_class, '') = "
        "coalesce(?5, '') AND coalesce(ranks, 0) = coalesce(?6, 0)"
        " AND coalesce(threads, 0) = coalesce(?7, 0) AND metric = ?8";
    const char *ins_sql =
        "INSERT INTO baselines(name, plugin, params_json, host_id, host_class, ranks, threads,"
        " metric, value, better, tolerance, run_id, created_at, note, spread, n)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)";
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, del_sql, -1, &del, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, ins_sql, -1, &ins, NULL) != SQLITE_OK) {
        fprintf(stderr, "benchaas baseline set: %s: %s\n", f->db, sqlite3_errmsg(db));
        sqlite3_finalize(del);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    int failed = 0;
    fprintf(out, "%-10s %-10s %-24s %-16s %-14s %14s %-8s %s\n", "baseline", "plugin", "config",
           scope == SCOPE_HOST ? "host" : scope == SCOPE_CLASS ? "host class" : "hosts",
           "metric", "value", "unit", "runs");
    for (size_t i = 0; i < a.n && !failed; i++) {
        aentry *e = a.e[i];
        if (!check_checkable(f, e) || e->values.n == 0)
            continue;
        stats_sort(e->values.v, e->values.n);
        double med = stats_pct_sorted(e->values.v, e->values.n, 50);
        double mad = stats_mad_sorted(e->values.v, e->values.n);
        for (int k = 0; k < 2; k++) {
            sqlite3_stmt *st = k ? ins : del;
            bind_baseline(st, k, name, e, scope, med, mad, tol, now, note ? note : sel);
            if (sqlite3_step(st) != SQLITE_DONE) {
                fprintf(stderr, "benchaas baseline set: %s: %s\n", f->db, sqlite3_errmsg(db));
                failed = 1;
                break;
            }
        }
        char num[48];
        fprintf(out, "%-10s %-10s %-24s %-16s %-14s %14s %-8s %zu\n", name, e->plugin,
               labels[i][0] ? labels[i] : "-",
               scope == SCOPE_HOST ? (e->host ? e->host : "-")
               : scope == SCOPE_CLASS ? (e->host_class ? e->host_class : "-")
                                      : "any",
               e->metric, query_readable_number(med, num, sizeof num), e->unit ? e->unit : "",
               e->nruns);
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    if (failed || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        if (!failed)
            fprintf(stderr, "benchaas baseline set: %s: %s\n", f->db, sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    fprintf(out, "tolerance %g %%: `benchaas check --baseline %s` holds these metrics to them\n",
           tol * 100, name);
    code = 0;
out:
    analyze_labels_free(labels, a.n);
    aset_free(&a);
    store_close(s);
    return code;
}

/* `baseline delete`: the baselines statement st selects (st is finalized here).  0 or 2. */
static int baseline_delete_rows(sqlite3 *db, sqlite3_stmt *st, const char *cmd,
                                const char *dbpath, FILE *out)
{
    /* collect the ids, then delete them in one transaction */
    dvec idv = {0};
    while (sqlite3_step(st) == SQLITE_ROW)
        dvec_push(&idv, (double)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_stmt *del = NULL;
    int ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, "DELETE FROM baselines WHERE id = ?1", -1, &del, NULL) ==
                 SQLITE_OK;
    for (size_t i = 0; ok && i < idv.n; i++) {
        sqlite3_reset(del);
        sqlite3_bind_int64(del, 1, (int64_t)idv.v[i]);
        ok = sqlite3_step(del) == SQLITE_DONE;
    }
    sqlite3_finalize(del);
    if (!ok || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "benchaas %s: %s: %s\n", cmd, dbpath, sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        free(idv.v);
        return 2;
    }
    fprintf(out, "deleted %zu baseline%s\n", idv.n, idv.n == 1 ? "" : "s");
    free(idv.v);
    if (idv.n == 0) {
        fprintf(stderr, "benchaas %s: no baseline matched\n", cmd);
        return 2;
    }
    return 0;
}

/* `baseline list`: the rows statement st selects, as a table, CSV or JSON on out. */
static void baseline_print_rows(sqlite3_stmt *st, const char *format, const char *dbpath,
                                FILE *out)
{
    int json = strcmp(format, "json") == 0, csv = strcmp(format, "csv") == 0;
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    size_t rows = 0;
    static const char *const cols[] = {"id",     "name",      "plugin", "params",     "host",
                                       "host_class", "ranks", "threads", "metric",    "value",
                                       "better", "tolerance", "spread", "n",          "run_id",
                                       "created_at", "note"};
    if (csv)
        for (int c = 0; c < 17; c++)
            query_csv_field(out, cols[c], c == 16);
    else if (!json)
        fprintf(out, "%4s  %-10s %-10s %-30s %-16s %-14s %14s %9s %s\n", "id", "name", "plugin",
               "params", "host / class", "metric", "value", "tolerance", "created");
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        char num[48], buf[48];
        if (json) {
            cJSON *o = cJSON_CreateObject();
            for (int c = 0; c < 17; c++) {
                int t = sqlite3_column_type(st, c);
                if (t == SQLITE_NULL)
                    cJSON_AddNullToObject(o, cols[c]);
                else if (c == 3) {
                    cJSON *p = cJSON_Parse((const char *)sqlite3_column_text(st, c));
                    cJSON_AddItemToObject(o, cols[c], p ? p : cJSON_CreateObject());
                } else if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
                    cJSON_AddNumberToObject(o, cols[c], sqlite3_column_double(st, c));
                else
                    cJSON_AddStringToObject(o, cols[c], (const char *)sqlite3_column_text(st, c));
            }
            cJSON_AddItemToArray(arr, o);
        } else if (csv) {
            for (int c = 0; c < 17; c++) {
                const char *t = (const char *)sqlite3_column_text(st, c);
                if (sqlite3_column_type(st, c) == SQLITE_FLOAT)
                    t = query_exact_number(sqlite3_column_double(st, c), buf, sizeof buf);
                query_csv_field(out, t, c == 16);
            }
        } else {
            char *ptext = analyze_params_text((const char *)sqlite3_column_text(st, 3));
            const char *where = (const char *)sqlite3_column_text(st, 4);
            if (!where)
                where = (const char *)sqlite3_column_text(st, 5);
            char line[1024];
            snprintf(line, sizeof line, "%4lld  %-10s %-10s %-30.30s %-16s %-14s %14s %8.3g%% %.10s",
                     (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
                     sqlite3_column_text(st, 2), ptext && *ptext ? ptext : "-",
                     where ? where : "any", sqlite3_column_text(st, 8),
                     query_readable_number(sqlite3_column_double(st, 9), num, sizeof num),
                     sqlite3_column_double(st, 11) * 100, sqlite3_column_text(st, 15));
            text_put(out, line); /* what the database holds is shown, never obeyed */
            fputc('\n', out);
            free(ptext);
        }
    }
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "baselines", arr);
        char *t = cJSON_Print(doc);
        cJSON_Delete(doc);
        text_put_json(out, t); /* valid UTF-8, no raw control */
        fputc('\n', out);
        cJSON_free(t);
    } else if (!csv && rows == 0) {
        fprintf(stderr, "benchaas baseline list: no baselines in %s (benchaas baseline set)\n",
                dbpath);
    }
}

/* `baseline list` (delete 0) or `baseline delete` (delete 1) of filter f's --plugin and --db. */
static int list_or_delete(qfilter *fp, const char *name, const char *ids, const char *format,
                          int delete, FILE *out)
{
    const char *cmd = delete ? "baseline delete" : "baseline list";
    int code = 2;
    store *s = NULL;
    sqlite3_stmt *st = NULL;
    const qfilter *f = fp;
    qfilter_finish(fp);
    if (query_open_store(fp, &s))
        goto out;
    sqlite3 *db = store_db(s);
    char *sql = NULL;
    if (asprintf(&sql,
                 "%s FROM baselines b LEFT JOIN hosts h ON h.id = b.host_id"
                 " WHERE (?1 IS NULL OR b.name = ?1) AND (?2 IS NULL OR b.plugin = ?2)%s"
                 " ORDER BY b.name, b.plugin, b.params_json, b.metric",
                 delete ? "SELECT b.id"
                        : "SELECT b.id, b.name, b.plugin, b.params_json, h.name, b.host_class,"
                          " b.ranks, b.threads, b.metric, b.value, b.better, b.tolerance,"
                          " b.spread, b.n, b.run_id, b.created_at, b.note",
                 ids ? " AND (',' || ?3 || ',') LIKE ('%,' || b.id || ',%')" : "") < 0) {
        fprintf(stderr, "benchaas: out of memory\n");
        goto out;
    }
    int prc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    free(sql);
    if (prc != SQLITE_OK) {
        fprintf(stderr, "benchaas %s: %s: %s\n", cmd, f->db, sqlite3_errmsg(db));
        goto out;
    }
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (f->plugins.n)
        sqlite3_bind_text(st, 2, f->plugins.v[0], -1, SQLITE_STATIC);
    if (ids)
        sqlite3_bind_text(st, 3, ids, -1, SQLITE_STATIC);
    if (delete) {
        code = baseline_delete_rows(db, st, cmd, f->db, out);
        st = NULL;
        goto out;
    }
    baseline_print_rows(st, format, f->db, out);
    code = 0;
out:
    sqlite3_finalize(st);
    store_close(s);
    return code;
}

int baseline_list(qfilter *f, const char *name, const char *format, FILE *out)
{
    return list_or_delete(f, name, NULL, format, 0, out);
}

int baseline_delete(qfilter *f, const char *name, const char *ids, FILE *out)
{
    return list_or_delete(f, name, ids, NULL, 1, out);
}
