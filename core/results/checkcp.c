/*
 * checkcp.c — check's change-point judgement (checkcp.h).
 *
 * The series of one configuration, host (or host class) and metric is its
 * history (the last --history ok runs before the checked ones, oldest
 * first) and the checked value last.  cp_analyze says whether the level
 * the checked value sits on has shifted; when it has, the runs either side
 * of the shift are named and their provenance, host and plugin version
 * compared, so a regression says where it began and what changed then.
 */
#define _GNU_SOURCE
#include "checkcp.h"

#include "benchaas/sdk.h"
#include "query.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int checkcp_floor_option(checkcp_floors *f, const char *val)
{
    const char *eq = strchr(val, '=');
    const char *num = eq ? eq + 1 : val;
    char *end;
    double d = strtod(num, &end);
    if (end == num || (*end && strcmp(end, "%") != 0) || !(d >= 0) || d > 100 || (eq && eq == val))
        return query_usage_error("check", "--min-change needs [PLUGIN.METRIC=]PCT, a percentage "
                                          "from 0 to 100, not '%s'",
                                 val);
    if (!eq) {
        f->pct = d;
        return 0;
    }
    if (f->n == CHECKCP_MAX_FLOORS)
        return query_usage_error("check", "at most %d --min-change options", CHECKCP_MAX_FLOORS);
    f->key[f->n] = val;
    f->val[f->n++] = d;
    return 0;
}

double checkcp_floor(const checkcp_floors *f, const char *plugin, const char *metric)
{
    double pct = f->pct;
    size_t lp = strlen(plugin), lm = strlen(metric);
    for (size_t i = 0; i < f->n; i++) {
        const char *k = f->key[i];
        size_t kl = (size_t)(strchr(k, '=') - k);
        int whole = kl == lp + 1 + lm && strncmp(k, plugin, lp) == 0 && k[lp] == '.' &&
                    strncmp(k + lp + 1, metric, lm) == 0;
        int bare = kl == lm && strncmp(k, metric, lm) == 0;
        if (whole || bare)
            pct = f->val[i];
    }
    return pct / 100;
}

/* What differs between runs a (old) and b (new): provenance, host, plugin version, run metadata. */
static const char diff_sql[] =
    "WITH side(run, key, value) AS ("
    "  SELECT run_id, key, value FROM provenance WHERE run_id IN (?1, ?2)"
    "  UNION ALL SELECT r.id, 'host', h.name FROM runs r LEFT JOIN hosts h ON h.id = r.host_id"
    "   WHERE r.id IN (?1, ?2)"
    "  UNION ALL SELECT r.id, 'plugin_version', r.plugin_version FROM runs r WHERE r.id IN (?1, ?2)"
    "  UNION ALL SELECT run_id, 'meta.' || key, value FROM run_meta WHERE run_id IN (?1, ?2))"
    " SELECT key, max(CASE WHEN run = ?1 THEN value END), max(CASE WHEN run = ?2 THEN value END)"
    "   FROM side GROUP BY key"
    " HAVING max(CASE WHEN run = ?1 THEN value END) IS NOT max(CASE WHEN run = ?2 THEN value END)"
    " ORDER BY key";

char *checkcp_diff(sqlite3 *db, int64_t a, int64_t b)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, diff_sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int any = 0;
    while (m && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *k = sqlite3_column_text(st, 0), *o = sqlite3_column_text(st, 1),
                            *n = sqlite3_column_text(st, 2);
        fprintf(m, "%s%s %s -> %s", any ? "; " : "", k ? (const char *)k : "?",
                o ? (const char *)o : "(none)", n ? (const char *)n : "(none)");
        any = 1;
    }
    sqlite3_finalize(st);
    if (m)
        fclose(m);
    if (!any) {
        free(buf);
        return NULL;
    }
    return buf;
}

int checkcp_series_push(checkcp_series *s, double v, int64_t id, const char *time)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        double *nv = realloc(s->v, cap * sizeof *nv);
        if (nv)
            s->v = nv;
        int64_t *ni = realloc(s->ids, cap * sizeof *ni);
        if (ni)
            s->ids = ni;
        char **nt = realloc(s->times, cap * sizeof *nt);
        if (nt)
            s->times = nt;
        if (!nv || !ni || !nt)
            return BX_ENOMEM;
        s->cap = cap;
    }
    s->v[s->n] = v;
    s->ids[s->n] = id;
    s->times[s->n] = time ? strdup(time) : NULL;
    s->n++;
    return 0;
}

void checkcp_series_free(checkcp_series *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->times[i]);
    free(s->v);
    free(s->ids);
    free(s->times);
    memset(s, 0, sizeof *s);
}

int checkcp_judge(sqlite3 *db, const checkcp_series *h, double value, int64_t cand, const char *cand_time, const char *better,
                  double floor, checkcp *c)
{
    /* the newest CHECKCP_WINDOW runs of a longer history: the scan's cost stays bounded */
    size_t skip = h->n > CHECKCP_WINDOW ? h->n - CHECKCP_WINDOW : 0, n = h->n - skip;
    const int64_t *ids = h->ids + skip;
    char *const *times = h->times + skip;
    memset(c, 0, sizeof *c);
    cp_opts o;
    cp_defaults(&o);
    o.min_change = floor;
    o.dir = better && strcmp(better, "higher") == 0  ? 1
            : better && strcmp(better, "lower") == 0 ? -1
                                                     : 0;
    double *x = malloc((n + 1) * sizeof *x);
    if (!x)
        return BX_ENOMEM;
    memcpy(x, h->v + skip, n * sizeof *x);
    x[n] = value;
    int rc = cp_analyze(x, n + 1, &o, &c->r);
    free(x);
    if (rc == BX_EINVAL)
        return 0; /* too short: not judged by change points */
    if (rc)
        return rc;
    c->judged = 1;
    if (!c->r.shift)
        return 0;
    size_t s = c->r.start; /* >= min_before >= 1 */
    c->new_first = s < n ? ids[s] : cand;
    c->old_last = ids[s - 1];
    snprintf(c->new_time, sizeof c->new_time, "%s", s < n ? times[s] : cand_time ? cand_time : "");
    snprintf(c->old_time, sizeof c->old_time, "%s", times[s - 1] ? times[s - 1] : "");
    c->diff = checkcp_diff(db, c->old_last, c->new_first);
    return 0;
}

void checkcp_free(checkcp *c)
{
    free(c->diff);
    c->diff = NULL;
}

void checkcp_describe(const checkcp *c, char *buf, size_t len)
{
    const cp_result *r = &c->r;
    snprintf(buf, len,
             "%+.2f %% [%+.2f, %+.2f] (p = %.4f) from run %" PRId64 " (%s) on; the old level's "
             "last run %" PRId64 " (%s); differs: %s",
             r->change, r->change_lo, r->change_hi, r->p, c->new_first, c->new_time, c->old_last,
             c->old_time, c->diff ? c->diff : "nothing stored");
}

void checkcp_json(const checkcp *c, cJSON *o)
{
    if (!c->judged)
        return;
    cJSON_AddNumberToObject(o, "spread_pct", isfinite(c->r.spread) ? c->r.spread * 100 : 0);
    cJSON_AddBoolToObject(o, "outlier", c->r.outlier);
    if (!c->r.shift) {
        cJSON_AddNullToObject(o, "change_point");
        return;
    }
    cJSON *cp = cJSON_AddObjectToObject(o, "change_point");
    cJSON_AddNumberToObject(cp, "first_run", (double)c->new_first);
    cJSON_AddStringToObject(cp, "first_started_at", c->new_time);
    cJSON_AddNumberToObject(cp, "last_old_run", (double)c->old_last);
    cJSON_AddStringToObject(cp, "last_old_started_at", c->old_time);
    cJSON_AddNumberToObject(cp, "before", c->r.before);
    cJSON_AddNumberToObject(cp, "after", c->r.after);
    cJSON_AddNumberToObject(cp, "change_pct", c->r.change);
    cJSON *ci = cJSON_AddArrayToObject(cp, "change_pct_ci95");
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(c->r.change_lo));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(c->r.change_hi));
    cJSON_AddNumberToObject(cp, "p", c->r.p);
    cJSON_AddBoolToObject(cp, "worse", c->r.worse);
    cJSON_AddBoolToObject(cp, "beyond_floor", c->r.regression || (!c->r.worse && c->r.shift));
    cJSON_AddItemToObject(cp, "differences", c->diff ? cJSON_CreateString(c->diff) : cJSON_CreateNull());
}
