/*
 * qfilter.c — the run filter shared by the result commands: the options
 * (--plugin, --status, --since, --param, ...), their checks and suggestions
 * for unknown names, and the SELECT of the matching run ids (filters become
 * bound parameters of a statement assembled from fixed fragments; no user
 * text is ever pasted into SQL).
 */
#define _GNU_SOURCE
#include "query.h"
#include "qsbuf.h"
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
#include <time.h>

#include "benchaas/plugin.h"
#include "benchaas/sdk.h" /* bx_parse_size */
#include "dbpath.h"

#define QUERY_MAX_LIST 1000 /* values per repeatable option */

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
