/* recent.c — what is new among the stored results (see recent.h). */
#include "recent.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headline.h"
#include "util.h"

static char *col_dup(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    return xstrdup(t ? t : "");
}

int recent_runs(store *st, int failures, int limit, recent_run **out, size_t *n, char *err,
                size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    *out = NULL;
    *n = 0;
    const char *sql =
        failures ? "SELECT r.id, r.plugin, coalesce(h.name, ''), coalesce(r.user, ''), "
                   "r.started_at, r.status, coalesce(r.error, ''), NULL, NULL, NULL FROM runs r "
                   "LEFT JOIN hosts h ON h.id = r.host_id WHERE r.status IN ('failed', "
                   "'crashed', 'timeout', 'interrupted') ORDER BY r.id DESC LIMIT ?1"
                 : "SELECT r.id, r.plugin, coalesce(h.name, ''), coalesce(r.user, ''), "
                   "r.started_at, r.status, '', m.name, m.value, m.unit FROM runs r LEFT JOIN "
                   "hosts h ON h.id = r.host_id" HEADLINE_JOIN "WHERE r.status = 'ok' ORDER BY "
                   "r.id DESC LIMIT ?1";
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "%s", sqlite3_errmsg(db));
    sqlite3_bind_int(s, 1, limit);
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        recent_run *r = &(*out)[(*n)++];
        r->id = sqlite3_column_int64(s, 0);
        r->plugin = col_dup(s, 1);
        r->host = col_dup(s, 2);
        r->user = col_dup(s, 3);
        r->started_at = col_dup(s, 4);
        r->status = col_dup(s, 5);
        r->error = col_dup(s, 6);
        r->metric = col_dup(s, 7);
        r->has_value = sqlite3_column_type(s, 8) != SQLITE_NULL;
        r->value = sqlite3_column_double(s, 8);
        r->unit = col_dup(s, 9);
    }
    sqlite3_finalize(s);
    return 0;
}

void recent_runs_free(recent_run *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].plugin);
        free(v[i].host);
        free(v[i].user);
        free(v[i].started_at);
        free(v[i].status);
        free(v[i].error);
        free(v[i].metric);
        free(v[i].unit);
    }
    free(v);
}

/* Bind column col of s (an id or NULL) as parameter i of t. */
static void bind_id(sqlite3_stmt *t, int i, sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        sqlite3_bind_null(t, i);
    else
        sqlite3_bind_int64(t, i, sqlite3_column_int64(s, col));
}

/* The headline of group row s's newest run (hl), then its values in the last runs of that
 * plugin, host and configuration only (t): a trend never crosses configurations. */
static void figure_of(recent_figure *g, sqlite3_stmt *s, sqlite3_stmt *hl, sqlite3_stmt *t)
{
    memset(g, 0, sizeof *g);
    g->plugin = col_dup(s, 0);
    g->host = col_dup(s, 2);
    g->run_id = sqlite3_column_int64(s, 3);
    g->params_json = col_dup(s, 5);
    g->ranks = sqlite3_column_int(s, 6);
    g->threads = sqlite3_column_int(s, 7);
    sqlite3_reset(hl);
    sqlite3_bind_int64(hl, 1, g->run_id);
    int found = sqlite3_step(hl) == SQLITE_ROW;
    g->metric = found ? col_dup(hl, 0) : xstrdup("");
    g->unit = found ? col_dup(hl, 1) : xstrdup("");
    sqlite3_reset(t);
    sqlite3_bind_text(t, 1, g->plugin, -1, SQLITE_TRANSIENT);
    bind_id(t, 2, s, 1); /* the host */
    sqlite3_bind_text(t, 3, g->metric, -1, SQLITE_TRANSIENT);
    bind_id(t, 4, s, 4); /* the configuration */
    sqlite3_bind_int(t, 5, RECENT_TREND);
    double *v = g->trend;
    size_t k = 0;
    while (k < RECENT_TREND && sqlite3_step(t) == SQLITE_ROW)
        v[k++] = sqlite3_column_type(t, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(t, 0);
    for (size_t i = 0; i < k / 2; i++) { /* oldest first */
        double x = v[i];
        v[i] = v[k - 1 - i];
        v[k - 1 - i] = x;
    }
    g->ntrend = k;
}

int recent_figures(store *st, recent_figure **out, size_t *n, char *err, size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s = NULL, *t = NULL, *hl = NULL;
    *out = NULL;
    *n = 0;
    int ok = sqlite3_prepare_v2(db,
                                "SELECT r.plugin, r.host_id, coalesce(h.name, '?'), max(r.id), "
                                "r.config_id, c.params_json, c.ranks, c.threads FROM (SELECT id, "
                                "plugin, host_id, config_id FROM runs WHERE status = 'ok' ORDER "
                                "BY id DESC LIMIT 5000) r LEFT JOIN hosts h ON h.id = r.host_id "
                                "LEFT JOIN configs c ON c.id = r.config_id GROUP BY r.plugin, "
                                "r.host_id, r.config_id ORDER BY r.plugin, 3, 4 DESC LIMIT 60",
                                -1, &s, NULL) == SQLITE_OK;
    ok = ok && sqlite3_prepare_v2(db, "SELECT name, unit FROM metrics WHERE run_id = ?1 ORDER "
                                      "BY " HEADLINE_SQL " DESC, seq LIMIT 1",
                                  -1, &hl, NULL) == SQLITE_OK;
    ok = ok && sqlite3_prepare_v2(db,
                                  "SELECT m.value FROM runs r JOIN metrics m ON m.run_id = r.id "
                                  "AND m.name = ?3 WHERE r.config_id IS ?4 AND r.host_id IS ?2 "
                                  "AND r.plugin = ?1 AND r.status = 'ok' ORDER BY r.id DESC "
                                  "LIMIT ?5",
                                  -1, &t, NULL) == SQLITE_OK;
    int rc = ok ? 0 : errf(err, errlen, BX_EIO, "%s", sqlite3_errmsg(db));
    while (ok && sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        figure_of(&(*out)[(*n)++], s, hl, t);
    }
    sqlite3_finalize(s);
    sqlite3_finalize(t);
    sqlite3_finalize(hl);
    return rc;
}

void recent_figures_free(recent_figure *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].plugin);
        free(v[i].host);
        free(v[i].params_json);
        free(v[i].metric);
        free(v[i].unit);
    }
    free(v);
}

int run_headline(store *st, int64_t run_id, char *name, size_t nlen, char *unit, size_t ulen,
                 double *value)
{
    sqlite3_stmt *s;
    int found = 0;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT name, unit, value FROM metrics WHERE run_id = ?1 AND value "
                           "IS NOT NULL ORDER BY " HEADLINE_SQL " DESC, seq LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, run_id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(s, 0);
        const char *u = (const char *)sqlite3_column_text(s, 1);
        snprintf(name, nlen, "%s", n ? n : "");
        snprintf(unit, ulen, "%s", u ? u : "");
        *value = sqlite3_column_double(s, 2);
        found = 1;
    }
    sqlite3_finalize(s);
    return found;
}
