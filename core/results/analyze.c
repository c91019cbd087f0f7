/*
 * analyze.c — selectors and per-configuration value sets, shared by compare,
 * check and report (see analyze.h; their labels: analyze_labels.c).
 */
#define _GNU_SOURCE
#include "analyze.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"

const char analyze_selector_help[] =
    "A selector (A, B, or --from) is one or more terms joined by '+':\n"
    "  17  or  17,18,19      these run ids (also run:17,18)\n"
    "  tag:NAME              runs labelled NAME\n"
    "  host:NAME             runs on host NAME (host:a,b for several)\n"
    "  job:ID, plugin:NAME   a Slurm job's runs, a plugin's runs\n"
    "  FROM..TO              runs started in that window; either side may be empty\n"
    "                        (2026-01-01..2026-02-01, ..2026-03-01, 30d..7d); a date\n"
    "                        as TO covers its whole day\n"
    "  since:TIME, until:TIME  one bound of the window\n"
    "  NAME=VALUE            a parameter (also param:NAME=VALUE)\n"
    "  prov:KEY=VALUE        a provenance value (prov:kernel=6.1.0-25-amd64)\n"
    "e.g. tag:before+host:node01   2026-11-01..2026-11-15+NB=192\n";

/* ---- selectors ------------------------------------------------------------- */

/* One term of a selector (a copy the filter keeps). */
static int selector_term(qfilter *f, const char *term)
{
    static const struct {
        const char *prefix, *option;
    } keys[] = {{"run:", "--run"},     {"tag:", "--tag"},     {"host:", "--host"},
                {"job:", "--job"},     {"plugin:", "--plugin"}, {"since:", "--since"},
                {"until:", "--until"}, {"param:", "--param"}, {"prov:", "--prov"},
                {NULL, NULL}};
    const char *cmd = f->cmd ? f->cmd : "compare";
    if (!*term)
        return query_usage_error(cmd, "empty selector term (two '+' in a row?)");
    for (int k = 0; keys[k].prefix; k++) {
        size_t l = strlen(keys[k].prefix);
        if (strncmp(term, keys[k].prefix, l) == 0) {
            if (!term[l])
                return query_usage_error(cmd, "'%s': nothing after the colon", term);
            int rc = qfilter_option(f, keys[k].option, term + l);
            return rc == 1 ? 2 : rc;
        }
    }
    if (isdigit((unsigned char)term[0]) && strspn(term, "0123456789,") == strlen(term))
        return qfilter_option(f, "--run", term);
    const char *dots = strstr(term, "..");
    if (dots) { /* FROM..TO */
        char *from = strndup(term, (size_t)(dots - term));
        const char *kfrom = from ? qfilter_keep(f, from) : NULL;
        const char *to = dots + 2;
        free(from);
        if (!kfrom)
            return query_usage_error(cmd, "out of memory");
        if (!*kfrom && !*to)
            return query_usage_error(cmd, "'%s': give at least one side of the window", term);
        if (*kfrom && qfilter_option(f, "--since", kfrom) != 0)
            return 2;
        if (*to && qfilter_option(f, "--until", to) != 0)
            return 2;
        return 0;
    }
    const char *eq = strchr(term, '='), *colon = strchr(term, ':');
    if (eq && eq != term && (!colon || eq < colon))
        return qfilter_option(f, "--param", term);
    return query_usage_error(cmd,
                             "'%s' is not a selector term (run ids, tag:T, host:H, job:J, "
                             "plugin:P, FROM..TO, since:T, until:T, NAME=VALUE, prov:K=V)",
                             term);
}

int analyze_selector(qfilter *f, const char *sel)
{
    const char *copy = qfilter_keep(f, sel);
    if (!copy)
        return query_usage_error(f->cmd ? f->cmd : "compare", "out of memory");
    char *p = (char *)copy;
    if (!*p)
        return query_usage_error(f->cmd ? f->cmd : "compare", "an empty selector");
    /* split at '+' not followed by a digit (a '+' before digits is a UTC offset) */
    char *start = p;
    for (;; p++) {
        if (*p == '\0' || (*p == '+' && !isdigit((unsigned char)p[1]))) {
            int end = *p == '\0';
            *p = '\0';
            int rc = selector_term(f, start);
            if (rc)
                return rc;
            if (end)
                break;
            start = p + 1;
        }
    }
    return 0;
}

/* ---- value sets --------------------------------------------------------------- */

int dvec_push(dvec *d, double x)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        double *nv = realloc(d->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        d->v = nv;
        d->cap = cap;
    }
    d->v[d->n++] = x;
    return 0;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

aentry *aset_find(const aset *a, const char *key)
{
    if (!a->nslots)
        return NULL;
    size_t j = hash_str(key) & (a->nslots - 1);
    while (a->slots[j]) {
        if (strcmp(a->slots[j]->key, key) == 0)
            return a->slots[j];
        j = (j + 1) & (a->nslots - 1);
    }
    return NULL;
}

static int aset_insert(aset *a, aentry *e)
{
    if ((a->n + 1) * 2 > a->nslots) {
        size_t ns = a->nslots ? a->nslots * 2 : 64;
        aentry **slots = calloc(ns, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i < a->n; i++) {
            size_t j = hash_str(a->e[i]->key) & (ns - 1);
            while (slots[j])
                j = (j + 1) & (ns - 1);
            slots[j] = a->e[i];
        }
        free(a->slots);
        a->slots = slots;
        a->nslots = ns;
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        aentry **ne = realloc(a->e, cap * sizeof *ne);
        if (!ne)
            return -1;
        a->e = ne;
        a->cap = cap;
    }
    a->e[a->n++] = e;
    size_t j = hash_str(e->key) & (a->nslots - 1);
    while (a->slots[j])
        j = (j + 1) & (a->nslots - 1);
    a->slots[j] = e;
    return 0;
}

static void aentry_free(aentry *e)
{
    if (!e)
        return;
    free(e->key);
    free(e->cfgkey);
    free(e->plugin);
    free(e->params);
    free(e->host);
    free(e->host_class);
    free(e->metric);
    free(e->unit);
    free(e->better);
    free(e->samples.v);
    free(e->values.v);
    free(e->times.v);
    free(e->ids.v);
    free(e->first_started);
    free(e);
}

void aset_free(aset *a)
{
    for (size_t i = 0; i < a->n; i++)
        aentry_free(a->e[i]);
    free(a->e);
    free(a->slots);
    memset(a, 0, sizeof *a);
}

static char *text_dup(sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    return t ? strdup((const char *)t) : NULL;
}

/* Columns of the load query. */
enum {
    C_ID,
    C_PLUGIN,
    C_PARAMS,
    C_RANKS,
    C_THREADS,
    C_HOST,
    C_CPU,
    C_STARTED,
    C_HOST_ID,
    C_METRIC,
    C_UNIT,
    C_BETTER,
    C_SEQ,
    C_VALUE,
    C_HEADLINE,
    C_SAMPLE,    /* the sample's value (ASET_SAMPLES) */
    C_HAS_SAMPLE /* 1 when the row is a sample */
};

/*
 * What one thread of the series pass keeps: the run ids it has seen (a
 * bitmap, for nruns), and the entries of the metric it is reading by
 * (configuration, host).
 */
typedef struct nwork {
    uint8_t *seen;
    size_t nseen;
    struct nslot {
        int64_t c, h;
        aentry *e;
    } *map;
    size_t nmap, used;
    char *metric;
} nwork;

/*
 * The configurations and hosts by id, read once (a few rows each), so that
 * the series pass of aset_load reads only metrics_series; w is the
 * one-thread pass's work.
 */
typedef struct names {
    struct ncfg {
        char *plugin, *params;
        int64_t ranks, threads;
    } *cfg;
    size_t ncfg;
    struct nhost {
        char *name, *cpu;
    } *host;
    size_t nhost;
    nwork w;
} names;

static size_t slot_of(const nwork *n, int64_t c, int64_t h)
{
    uint64_t x = (uint64_t)c * 0x9E3779B97F4A7C15ull ^ (uint64_t)h * 0xC2B2AE3D27D4EB4Full;
    size_t i = (size_t)(x >> 32) & (n->nmap - 1);
    while (n->map[i].e && (n->map[i].c != c || n->map[i].h != h))
        i = (i + 1) & (n->nmap - 1);
    return i;
}

/* The entry of (c, h) for `metric` seen before in this pass, or NULL. */
static aentry *work_entry(nwork *n, int64_t c, int64_t h, const char *metric)
{
    if (!n->metric || strcmp(n->metric, metric) != 0) {
        free(n->metric);
        n->metric = strdup(metric);
        if (n->map)
            memset(n->map, 0, n->nmap * sizeof *n->map);
        n->used = 0;
        return NULL;
    }
    return n->map ? n->map[slot_of(n, c, h)].e : NULL;
}

/* Remember e for (c, h) of the current metric; -1 out of memory. */
static int work_remember(nwork *n, int64_t c, int64_t h, aentry *e)
{
    if (!n->metric)
        return 0;
    if ((n->used + 1) * 2 > n->nmap) {
        struct nslot *old = n->map;
        size_t nold = n->nmap;
        n->nmap = nold ? nold * 2 : 256;
        if (!(n->map = calloc(n->nmap, sizeof *n->map))) {
            n->map = old;
            n->nmap = nold;
            return -1;
        }
        for (size_t i = 0; i < nold; i++)
            if (old[i].e)
                n->map[slot_of(n, old[i].c, old[i].h)] = old[i];
        free(old);
    }
    size_t i = slot_of(n, c, h);
    if (!n->map[i].e)
        n->used++;
    n->map[i] = (struct nslot){c, h, e};
    return 0;
}

/* Note run `id` as seen: 1 the first time, 0 after, -1 out of memory. */
static int work_seen(nwork *n, int64_t id)
{
    if (id < 0)
        return 0;
    size_t byte = (size_t)id / 8;
    if (byte >= n->nseen) {
        size_t want = (byte + 1) * 2;
        uint8_t *nv = realloc(n->seen, want);
        if (!nv)
            return -1;
        memset(nv + n->nseen, 0, want - n->nseen);
        n->seen = nv;
        n->nseen = want;
    }
    uint8_t bit = (uint8_t)(1u << (id % 8));
    if (n->seen[byte] & bit)
        return 0;
    n->seen[byte] |= bit;
    return 1;
}

/* The runs `from` saw, added to into's; -1 out of memory. */
static int work_merge_seen(nwork *into, const nwork *from)
{
    if (from->nseen > into->nseen) {
        uint8_t *nv = realloc(into->seen, from->nseen);
        if (!nv)
            return -1;
        memset(nv + into->nseen, 0, from->nseen - into->nseen);
        into->seen = nv;
        into->nseen = from->nseen;
    }
    for (size_t i = 0; i < from->nseen; i++)
        into->seen[i] |= from->seen[i];
    return 0;
}

static void work_free(nwork *n)
{
    free(n->seen);
    free(n->map);
    free(n->metric);
    memset(n, 0, sizeof *n);
}

static void names_free(names *n)
{
    for (size_t i = 0; i < n->ncfg; i++) {
        free(n->cfg[i].plugin);
        free(n->cfg[i].params);
    }
    for (size_t i = 0; i < n->nhost; i++) {
        free(n->host[i].name);
        free(n->host[i].cpu);
    }
    free(n->cfg);
    free(n->host);
    work_free(&n->w);
    memset(n, 0, sizeof *n);
}

static int names_load(store *s, names *n)
{
    static const char *const sql[] = {
        "SELECT id, plugin, params_json, ranks, threads FROM configs WHERE id > 0 ORDER BY id",
        "SELECT id, name, cpu_model, NULL, NULL FROM hosts WHERE id > 0 ORDER BY id"};
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(store_db(s), sql[k], -1, &st, NULL) != SQLITE_OK)
            return BX_EIO;
        int rc = 0;
        while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            size_t *cnt = k ? &n->nhost : &n->ncfg;
            if (id > 100000000) {
                rc = BX_EIO;
                break;
            }
            if ((size_t)id >= *cnt) {
                size_t want = (size_t)id + 1, esz = k ? sizeof *n->host : sizeof *n->cfg;
                void *nv = realloc(k ? (void *)n->host : (void *)n->cfg, want * esz);
                if (!nv) {
                    rc = BX_ENOMEM;
                    break;
                }
                memset((char *)nv + *cnt * esz, 0, (want - *cnt) * esz);
                if (k)
                    n->host = nv;
                else
                    n->cfg = nv;
                *cnt = want;
            }
            if (k) {
                n->host[id].name = text_dup(st, 1);
                n->host[id].cpu = text_dup(st, 2);
            } else {
                n->cfg[id].plugin = text_dup(st, 1);
                n->cfg[id].params = text_dup(st, 2);
                n->cfg[id].ranks =
                    sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
                n->cfg[id].threads =
                    sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
            }
        }
        sqlite3_finalize(st);
        if (rc)
            return rc;
    }
    return 0;
}

/* The order the run-by-run load finds entries in: newest run first, then metric name. */
static int cmp_first_seen(const void *pa, const void *pb)
{
    const aentry *a = *(aentry *const *)pa, *b = *(aentry *const *)pb;
    if (a->last_run != b->last_run)
        return a->last_run > b->last_run ? -1 : 1;
    return strcmp(a->metric, b->metric);
}

/*
 * The statement of aset_load: every metric row (and sample) of the selected runs;
 * with `fast`, the series pass over metrics_find (see aset_load).
 */
static int aset_prepare(store *s, const qfilter *f, int flags, int fast, sqlite3_stmt **out)
{
    char *after = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&after, &len);
    if (!m)
        return BX_ENOMEM;
    if (fast) {
        fputs(") SELECT m.run_id, m.run_config_id, NULL, NULL, NULL, NULL, NULL,"
              " m.run_started_at, m.run_host_id, m.name, m.unit, m.better, m.seq, m.value,"
              " coalesce(m.headline, m.seq = 0)"
              " FROM metrics m INDEXED BY metrics_find WHERE 1",
              m);
        qfilter_metric_conds(f, "m.run_", m);
    } else {
        fputs(") SELECT r.id, r.plugin, r.params_json, r.ranks, r.threads, h.name, h.cpu_model,"
              " r.started_at, r.host_id, m.name, m.unit, m.better, m.seq, m.value,"
              " coalesce(m.headline, m.seq = 0)",
              m);
        if (flags & ASET_SAMPLES)
            fputs(", s.value, s.run_id IS NOT NULL", m);
        fputs(" FROM sel JOIN runs r ON r.id = sel.id JOIN metrics m ON m.run_id = r.id", m);
        if (flags & ASET_SAMPLES)
            fputs(" LEFT JOIN samples s ON s.run_id = m.run_id AND s.metric = m.name", m);
        fputs(" LEFT JOIN hosts h ON h.id = r.host_id", m);
        fputs(" WHERE 1", m);
    }
    if (f->metrics.n) {
        fputs(" AND m.name IN (", m);
        for (size_t i = 0; i < f->metrics.n; i++)
            fprintf(m, "%s:m%zu", i ? "," : "", i);
        fputs(")", m);
    }
    if (flags & ASET_DIRECTIONAL)
        fputs(" AND m.better IN ('higher', 'lower')", m);
    if (fclose(m) != 0) {
        free(after);
        return BX_ENOMEM;
    }
    sqlite3_stmt *st;
    int rc = qfilter_prepare(s, f, "WITH sel(id) AS (", after, &st);
    free(after);
    if (rc)
        return rc;
    if (fast)
        qfilter_metric_bind(f, st);
    for (size_t i = 0; i < f->metrics.n; i++) {
        char pname[32];
        snprintf(pname, sizeof pname, ":m%zu", i);
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, pname), f->metrics.v[i], -1,
                          SQLITE_STATIC);
    }
    *out = st;
    return 0;
}

/* What a new entry takes from the first row of its metric. */
typedef struct entry_meta {
    const char *metric, *unit, *better;
    int seq, headline;
    int64_t host_id;
} entry_meta;

static entry_meta meta_of_row(sqlite3_stmt *st)
{
    return (entry_meta){(const char *)sqlite3_column_text(st, C_METRIC),
                        (const char *)sqlite3_column_text(st, C_UNIT),
                        (const char *)sqlite3_column_text(st, C_BETTER),
                        sqlite3_column_int(st, C_SEQ),
                        sqlite3_column_int(st, C_HEADLINE),
                        sqlite3_column_int64(st, C_HOST_ID)};
}

/* A new entry (key: its configuration and metric), in the set; NULL: no memory. */
static aentry *aset_new_entry(aset *out, const entry_meta *mt, const char *key, int cfglen,
                              int flags, int64_t id, int64_t ranks, int64_t threads,
                              const char *plugin, const char *params, const char *host,
                              const char *cpu)
{
    aentry *e = calloc(1, sizeof *e);
    if (!e || !(e->key = strdup(key)) || !(e->cfgkey = strndup(key, (size_t)cfglen)) ||
        !(e->plugin = strdup(plugin ? plugin : "")) ||
        !(e->params = strdup(params ? params : "{}")) ||
        !(e->metric = strdup(mt->metric ? mt->metric : ""))) {
        aentry_free(e);
        return NULL;
    }
    if (flags & ASET_PER_HOST)
        e->host = host ? strdup(host) : NULL;
    e->host_class = cpu ? strdup(cpu) : NULL;
    e->unit = mt->unit ? strdup(mt->unit) : NULL;
    e->better = mt->better ? strdup(mt->better) : NULL;
    e->ranks = ranks;
    e->threads = threads;
    e->seq = mt->seq;
    e->headline = mt->headline;
    e->first_run = id;
    e->host_id = mt->host_id;
    if (aset_insert(out, e) != 0) {
        aentry_free(e);
        return NULL;
    }
    return e;
}

/*
 * The first row of run id for entry e: count the run, its start, its value.
 * Rows of one run come together (the sel CTE is the outer loop of the
 * join), in no particular order of the runs.  0 or BX_ENOMEM.
 */
static int aset_run_value(aentry *e, const char *t, const int64_t *parsed, int64_t id,
                          int has_value, double value, int flags, int in_order)
{
    e->nruns++;
    e->cur_run = id;
    if (id < e->first_run)
        e->first_run = id;
    if (id > e->last_run)
        e->last_run = id;
    /* (in_order: the rows come in time order, so the first is the earliest) */
    if (t && (!e->first_started || (!in_order && strcmp(t, e->first_started) < 0))) {
        free(e->first_started);
        if (!(e->first_started = strdup(t)))
            return BX_ENOMEM;
    }
    if (has_value && isfinite(value)) {
        if (dvec_push(&e->values, value) != 0)
            return BX_ENOMEM;
        if (flags & ASET_TIMES) {
            int64_t epoch = 0;
            if (parsed)
                epoch = *parsed;
            else if (!t || store_time_parse(t, &epoch, NULL) != 0)
                epoch = 0;
            if (dvec_push(&e->times, (double)epoch) != 0 || dvec_push(&e->ids, (double)id) != 0)
                return BX_ENOMEM;
        }
    }
    return 0;
}

/* The hash key of an entry into key (keycap bytes, enough); returns the configuration's
   part's length. */
static int entry_key(char *key, size_t keycap, int flags, const char *plugin, const char *params,
                     int64_t ranks, int64_t threads, const char *host, const char *cpu,
                     const char *metric)
{
    int cfglen = snprintf(key, keycap, "%s\x1f%s\x1f%" PRId64 "\x1f%" PRId64 "%s%s%s%s",
                          plugin ? plugin : "", params ? params : "{}", ranks, threads,
                          (flags & ASET_PER_HOST) ? "\x1f" : "",
                          (flags & ASET_PER_HOST) ? (host ? host : "-") : "",
                          (flags & ASET_PER_CLASS) ? "\x1f" : "",
                          (flags & ASET_PER_CLASS) ? (cpu ? cpu : "-") : "");
    snprintf(key + cfglen, keycap - (size_t)cfglen, "\x1f%s", metric ? metric : "");
    return cfglen;
}

/*
 * The (metric, plugin) pairs of metric_kinds (schema 6) whose values can be
 * higher or lower is better, of the filter's plugins and metrics, in the
 * order of metrics_find: *knames and *kplugins (n of each, malloc'd, free
 * with free_kinds); (*kpure)[i] when the pair was only ever stored as higher
 * or lower is better.  0, 1 when the store has no metric_kinds (older
 * schema), or BX_E*.
 */
static int kinds_load(store *s, const qfilter *f, char ***knames, char ***kplugins,
                      uint8_t **kpure, size_t *n)
{
    *knames = *kplugins = NULL;
    *kpure = NULL;
    *n = 0;
    if (store_schema_version(s) < 6)
        return 1;
    sqlite3_stmt *st;
    /* (a pair stored only as higher or lower is better needs no test of each row's better) */
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT name, plugin, min(better IN ('higher', 'lower'))"
                           " FROM metric_kinds GROUP BY name, plugin"
                           " HAVING max(better IN ('higher', 'lower')) ORDER BY name, plugin",
                           -1, &st, NULL) != SQLITE_OK)
        return BX_EIO;
    size_t cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *plugin = (const char *)sqlite3_column_text(st, 1);
        int want = name && plugin;
        if (want && f->plugins.n) {
            want = 0;
            for (size_t i = 0; i < f->plugins.n; i++)
                want |= strcmp(f->plugins.v[i], plugin) == 0;
        }
        if (want && f->metrics.n) {
            want = 0;
            for (size_t i = 0; i < f->metrics.n; i++)
                want |= strcmp(f->metrics.v[i], name) == 0;
        }
        if (!want)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(*knames, cap * sizeof *nn);
            if (nn)
                *knames = nn;
            char **np = nn ? realloc(*kplugins, cap * sizeof *np) : NULL;
            if (np)
                *kplugins = np;
            uint8_t *pp = np ? realloc(*kpure, cap) : NULL;
            if (!pp) {
                rc = BX_ENOMEM;
                break;
            }
            *kpure = pp;
        }
        (*kpure)[*n] = (uint8_t)(sqlite3_column_int(st, 2) != 0);
        (*knames)[*n] = strdup(name);
        (*kplugins)[*n] = strdup(plugin);
        (*n)++;
        if (!(*knames)[*n - 1] || !(*kplugins)[*n - 1]) {
            rc = BX_ENOMEM;
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = BX_EIO;
    sqlite3_finalize(st);
    return rc;
}

static void free_kinds(char **knames, char **kplugins, uint8_t *kpure, size_t n)
{
    free(kpure);
    for (size_t i = 0; i < n; i++) {
        free(knames ? knames[i] : NULL);
        free(kplugins ? kplugins[i] : NULL);
    }
    free(knames);
    free(kplugins);
}

/*
 * The first row of a (configuration, host, metric) in the series pass: find or
 * make its entry (metadata from the metric's row by primary key).  NULL: no
 * memory or a read error (*rc).
 */
static aentry *series_entry(sqlite3_stmt *meta, const names *nm, nwork *w, aset *out, int flags,
                            int64_t c, int64_t h, int64_t id, const char *metric, int *rc)
{
    const struct ncfg *nc = c > 0 && (size_t)c < nm->ncfg ? &nm->cfg[c] : NULL;
    const struct nhost *nh = h > 0 && (size_t)h < nm->nhost ? &nm->host[h] : NULL;
    const char *plugin = nc ? nc->plugin : NULL, *params = nc ? nc->params : NULL;
    const char *host = nh ? nh->name : NULL, *cpu = nh ? nh->cpu : NULL;
    int64_t ranks = nc ? nc->ranks : -1, threads = nc ? nc->threads : -1;
    size_t keycap = strlen(plugin ? plugin : "") + strlen(params ? params : "") +
                    strlen(host ? host : "") + strlen(metric) + strlen(cpu ? cpu : "") + 80;
    char *key = malloc(keycap);
    *rc = BX_ENOMEM;
    if (!key)
        return NULL;
    int cfglen = entry_key(key, keycap, flags, plugin, params, ranks, threads, host, cpu, metric);
    aentry *e = aset_find(out, key);
    if (!e) {
        sqlite3_reset(meta);
        sqlite3_bind_int64(meta, 1, id);
        sqlite3_bind_text(meta, 2, metric, -1, SQLITE_STATIC);
        if (sqlite3_step(meta) != SQLITE_ROW) {
            free(key);
            *rc = BX_EIO;
            return NULL;
        }
        entry_meta mt = {metric,
                         (const char *)sqlite3_column_text(meta, 0),
                         (const char *)sqlite3_column_text(meta, 1),
                         sqlite3_column_int(meta, 2),
                         sqlite3_column_int(meta, 3),
                         h};
        e = aset_new_entry(out, &mt, key, cfglen, flags, id, ranks, threads, plugin, params, host,
                           cpu);
    }
    free(key);
    if (e && work_remember(w, c, h, e) != 0)
        e = NULL;
    if (e)
        *rc = 0;
    return e;
}

/* ---- the series pass ------------------------------------------------------------ */

/*
 * The kinds of one pass.  The kinds' entries are disjoint (an entry's key
 * holds its plugin and metric), so each thread of the pass makes the entries
 * of the kinds it takes into a set of its own; they are put together after.
 */
typedef struct kpass {
    const qfilter *f;
    const names *nm;
    int flags, in_order;
    int points; /* kinds may come from the series' points (kind_points) */
    char **knames, **kplugins;
    uint8_t *kpure;
    size_t nkinds;
    pthread_mutex_t mu; /* (threaded) guards next and stop */
    int threaded;
    size_t next; /* the next kind not taken */
    int stop;    /* a thread failed: the others take no more */
} kpass;

/* One thread of the pass: its connection, entries, runs seen, and result. */
typedef struct kworker {
    kpass *p;
    store *s;
    aset *out;
    nwork w;
    int rc;
} kworker;

/* The two statements of the pass on connection s (sts[1] without the per-row better test). */
static int kind_statements(store *s, const qfilter *f, sqlite3_stmt *sts[2])
{
    char *sql = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&sql, &len);
    sts[0] = sts[1] = NULL;
    if (!m)
        return BX_ENOMEM;
    /* metrics_find's columns only: the run, its configuration, start, host, the value
       (sts[0] tests each row's better, sts[1] is for pairs only ever directional) */
    fputs("SELECT m.run_id, m.run_config_id, m.run_started_at, m.run_host_id, m.value"
          " FROM metrics m INDEXED BY metrics_find WHERE m.name = :kname"
          " AND m.run_plugin = :kplugin",
          m);
    qfilter_metric_conds(f, "m.run_", m);
    long conds = ftell(m);
    fputs(" AND m.better IN ('higher', 'lower')", m);
    int rc = 0;
    if (fclose(m) != 0 || conds < 0)
        rc = BX_ENOMEM;
    else if (sqlite3_prepare_v2(store_db(s), sql, -1, &sts[0], NULL) != SQLITE_OK ||
             sqlite3_prepare_v2(store_db(s), sql, (int)conds, &sts[1], NULL) != SQLITE_OK)
        rc = BX_EIO;
    free(sql);
    for (int i = 0; rc == 0 && i < 2; i++)
        qfilter_metric_bind(f, sts[i]);
    return rc;
}

/* The next kind for a thread to read, or nkinds when none is left (or a thread failed). */
static size_t kind_take(kpass *p)
{
    if (p->threaded)
        pthread_mutex_lock(&p->mu);
    size_t k = p->stop ? p->nkinds : p->next;
    if (k < p->nkinds)
        p->next++;
    if (p->threaded)
        pthread_mutex_unlock(&p->mu);
    return k;
}

/*
 * Kind k from the series' points kept at ingest (schema 9, store.h) instead of
 * its metric rows: the same runs, values and times in the same order (the
 * points of a series are its rows of metrics_find in their order).  Only for
 * one status and no host or time filter, and no stale series of the kind (a
 * row inserted by hand is marked by whoever inserts it, docs/database.md:
 * counting the rows to find out costs a third of the report).  0, 1 no, BX_E*.
 */
static int kind_points(kworker *kw, sqlite3_stmt *meta, size_t k)
{
    static const char stale_sql[] =
        "SELECT EXISTS (SELECT 1 FROM series_stale WHERE metric = ?1 AND plugin = ?2"
        " AND status = ?3)";
    static const char read_sql[] =
        "SELECT config_id, host_id, data FROM series_points WHERE metric = ?1 AND plugin = ?2"
        " AND status = ?3 ORDER BY config_id, host_id, chunk";
    const kpass *p = kw->p;
    const char *kname = p->knames[k], *status = p->f->statuses.v[0];
    sqlite3_stmt *st = store_stmt(kw->s, stale_sql);
    if (!st)
        return BX_EIO;
    sqlite3_bind_text(st, 1, kname, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->kplugins[k], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    int stale = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    if (stale < 0)
        return BX_EIO;
    if (stale)
        return 1;
    if (!(st = store_stmt(kw->s, read_sql)))
        return BX_EIO;
    sqlite3_bind_text(st, 1, kname, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->kplugins[k], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    int64_t last_c = -1, last_h = -1;
    aentry *e = NULL;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t c = sqlite3_column_int64(st, 0), h = sqlite3_column_int64(st, 1);
        const void *data = sqlite3_column_blob(st, 2);
        size_t n = (size_t)sqlite3_column_bytes(st, 2) / STORE_POINT_BYTES;
        if (n == 0)
            continue;
        store_point pt;
        if (!e || c != last_c || h != last_h) {
            store_point_get(data, 0, &pt);
            e = work_entry(&kw->w, c, h, kname);
            if (!e && !(e = series_entry(meta, p->nm, &kw->w, kw->out, p->flags, c, h, pt.run,
                                         kname, &rc)))
                break;
            last_c = c;
            last_h = h;
        }
        for (size_t i = 0; rc == 0 && i < n; i++) {
            store_point_get(data, i, &pt);
            if (work_seen(&kw->w, pt.run) < 0) {
                rc = BX_ENOMEM;
                break;
            }
            if (e->cur_run == pt.run)
                continue;
            char text[32]; /* (the start's text only for an entry's first) */
            const char *t = NULL;
            if (pt.t != INT64_MIN) {
                t = "";
                if (!e->first_started) {
                    store_time_format(pt.t, text, sizeof text);
                    t = text;
                }
            }
            rc = aset_run_value(e, t, pt.t != INT64_MIN ? &pt.t : NULL, pt.run, !isnan(pt.v),
                                pt.v, p->flags, p->in_order);
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = BX_EIO;
    sqlite3_reset(st);
    return rc;
}

/* Every row of kind k: count its run, find its entry, add its value.  0 or BX_E*. */
static int kind_read(kworker *kw, sqlite3_stmt *sts[2], sqlite3_stmt *meta, size_t k)
{
    const kpass *p = kw->p;
    const char *kname = p->knames[k];
    sqlite3_stmt *st = sts[p->kpure[k]];
    sqlite3_reset(st);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":kname"), kname, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":kplugin"), p->kplugins[k], -1,
                      SQLITE_STATIC);
    int64_t last_c = -1, last_h = -1;
    aentry *e = NULL;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), c = sqlite3_column_int64(st, 1),
                h = sqlite3_column_int64(st, 3);
        if (work_seen(&kw->w, id) < 0) {
            rc = BX_ENOMEM;
            break;
        }
        if (!e || c != last_c || h != last_h) {
            e = work_entry(&kw->w, c, h, kname);
            if (!e && !(e = series_entry(meta, p->nm, &kw->w, kw->out, p->flags, c, h, id,
                                         kname, &rc)))
                break;
            last_c = c;
            last_h = h;
        }
        if (e->cur_run != id &&
            (rc = aset_run_value(e, (const char *)sqlite3_column_text(st, 2), NULL, id,
                                 sqlite3_column_type(st, 4) != SQLITE_NULL,
                                 sqlite3_column_double(st, 4), p->flags, p->in_order)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = BX_EIO;
    sqlite3_reset(st);
    return rc;
}

/* A thread of the pass (also run by the main thread): kinds until none is left. */
static void *kind_worker(void *arg)
{
    kworker *kw = arg;
    kpass *p = kw->p;
    sqlite3_stmt *sts[2] = {NULL, NULL}, *meta = NULL;
    int rc = kind_statements(kw->s, p->f, sts);
    if (rc == 0 && sqlite3_prepare_v2(store_db(kw->s),
                                      "SELECT unit, better, seq, coalesce(headline, seq = 0)"
                                      " FROM metrics WHERE run_id = ?1 AND name = ?2",
                                      -1, &meta, NULL) != SQLITE_OK)
        rc = BX_EIO;
    for (size_t k; rc == 0 && (k = kind_take(p)) < p->nkinds;) {
        rc = p->points ? kind_points(kw, meta, k) : 1;
        if (rc == 1)
            rc = kind_read(kw, sts, meta, k);
    }
    if (rc && p->threaded) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_mutex_unlock(&p->mu);
    }
    sqlite3_finalize(sts[0]);
    sqlite3_finalize(sts[1]);
    sqlite3_finalize(meta);
    kw->rc = rc;
    return NULL;
}

/* Move the entries of `from` into `to` (from is left empty); 0 or BX_ENOMEM (from keeps
   those not moved). */
static int aset_take(aset *to, aset *from)
{
    size_t i = 0;
    for (; i < from->n; i++)
        if (aset_insert(to, from->e[i]) != 0)
            break;
    if (i < from->n) {
        memmove(from->e, from->e + i, (from->n - i) * sizeof *from->e);
        from->n -= i;
        return BX_ENOMEM;
    }
    free(from->e);
    free(from->slots);
    memset(from, 0, sizeof *from);
    return 0;
}

/*
 * The series pass over metric_kinds: for each directional (metric, plugin), one
 * range of metrics_find (metric, plugin, status, start, ...) read with only the
 * columns every row needs.  The same entries and values as the pass over the
 * whole index, each entry's values in its range's order.  With a twin
 * connection (store_open_twins: the same snapshot) a second thread takes
 * kinds too, whichever kind is next when it is free, into entries of its own;
 * the sort by first_seen puts every entry in the same place whichever
 * thread made it.  0, 1 when the store has no metric_kinds, BX_E*.
 */
static int load_by_kind(store *s, const qfilter *f, int flags, names *nm, aset *out)
{
    kpass p = {.f = f, .nm = nm, .flags = flags, .in_order = f->statuses.n == 1};
    p.points = store_schema_version(s) >= 9 && f->statuses.n == 1 && f->hosts.n == 0 &&
               !f->has_since && !f->has_until && !getenv("BENCHAAS_TEST_NO_POINTS");
    int rc = kinds_load(s, f, &p.knames, &p.kplugins, &p.kpure, &p.nkinds);
    if (rc) {
        free_kinds(p.knames, p.kplugins, p.kpure, p.nkinds);
        return rc;
    }
    aset theirs = {0};
    kworker mine = {&p, s, out, {0}, 0}, other = {&p, store_twin(s, 0), &theirs, {0}, 0};
    analyze_run_pair(kind_worker, &mine, other.s && p.nkinds > 1 ? &other : NULL, &p.mu,
                     &p.threaded);
    rc = mine.rc;
    if (p.threaded) {
        if (rc == 0)
            rc = other.rc;
        if (rc == 0 && work_merge_seen(&mine.w, &other.w) != 0)
            rc = BX_ENOMEM;
        if (rc == 0)
            rc = aset_take(out, &theirs);
        aset_free(&theirs);
    }
    if (rc == 0)
        for (size_t i = 0; i < mine.w.nseen; i++)
            out->nruns += (size_t)__builtin_popcount(mine.w.seen[i]);
    work_free(&mine.w);
    work_free(&other.w);
    free_kinds(p.knames, p.kplugins, p.kpure, p.nkinds);
    if (rc == 0 && out->n > 1)
        qsort(out->e, out->n, sizeof *out->e, cmp_first_seen);
    return rc;
}

void analyze_run_pair(void *(*fn)(void *), void *mine, void *other, pthread_mutex_t *mu,
                      int *threaded)
{
    pthread_t tid;
    *threaded = 0;
    if (other) {
        pthread_mutex_init(mu, NULL);
        *threaded = 1;
        if (pthread_create(&tid, NULL, fn, other) != 0) {
            *threaded = 0;
            pthread_mutex_destroy(mu);
        }
    }
    fn(mine);
    if (*threaded) {
        pthread_join(tid, NULL);
        pthread_mutex_destroy(mu);
    }
}

/* load_by_kind for aset_load: 0 done, 1 not possible (older schema), BX_E* after printing
   why (out freed). */
static int series_by_kind(store *s, const qfilter *f, int flags, names *nm, aset *out)
{
    int rc = load_by_kind(s, f, flags, nm, out);
    if (rc == BX_ENOMEM)
        fprintf(stderr, "benchaas: out of memory\n");
    else if (rc < 0)
        fprintf(stderr, "benchaas %s: %s: %s\n", f->cmd ? f->cmd : "compare", f->db,
                sqlite3_errmsg(store_db(s)));
    if (rc < 0)
        aset_free(out);
    return rc;
}

int aset_load(store *s, const qfilter *f, int flags, aset *out)
{
    const char *cmd = f->cmd ? f->cmd : "compare";
    memset(out, 0, sizeof *out);
    /*
     * The series pass: every higher/lower-is-better value of the filter's
     * runs from one scan of the covering index metrics_find (metric by
     * metric, in time order) when the filter is one metrics rows answer
     * (plugin, status, host, time): no runs, hosts or configs row per value.
     * Entries come out in the order the run-by-run load makes them (see
     * cmp_first_seen); the values of one entry in time order, which is run
     * order for runs stored as they ran.
     */
    names nm = {0};
    int fast = (flags & ASET_SERIES) && (flags & ASET_PER_HOST) && (flags & ASET_DIRECTIONAL) &&
               !(flags & (ASET_SAMPLES | ASET_PER_CLASS)) && qfilter_metric_conds(f, "m.run_", NULL);
    if (fast && names_load(s, &nm) != 0) {
        names_free(&nm);
        fast = 0;
    }
    int krc = fast ? series_by_kind(s, f, flags, &nm, out) : 1;
    if (krc != 1) {
        names_free(&nm);
        return krc;
    }
    sqlite3_stmt *st;
    int rc = aset_prepare(s, f, flags, fast, &st);
    if (rc) {
        names_free(&nm);
        return rc;
    }
    char *key = NULL;
    size_t keycap = 0;
    int64_t last_run = 0, last_cfg = -1, last_host = -1;
    aentry *last_e = NULL;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, C_ID);
        const char *metric = (const char *)sqlite3_column_text(st, C_METRIC);
        const char *plugin, *params, *host, *cpu;
        int64_t ranks, threads;
        aentry *e = NULL;
        if (fast) {
            int64_t c = sqlite3_column_int64(st, C_PLUGIN), h = sqlite3_column_int64(st, C_HOST_ID);
            int seen = work_seen(&nm.w, id);
            if (seen < 0) {
                rc = BX_ENOMEM;
                break;
            }
            out->nruns += (size_t)seen;
            const struct ncfg *nc = c > 0 && (size_t)c < nm.ncfg ? &nm.cfg[c] : NULL;
            const struct nhost *nh = h > 0 && (size_t)h < nm.nhost ? &nm.host[h] : NULL;
            plugin = nc ? nc->plugin : NULL;
            params = nc ? nc->params : NULL;
            ranks = nc ? nc->ranks : -1;
            threads = nc ? nc->threads : -1;
            host = nh ? nh->name : NULL;
            cpu = nh ? nh->cpu : NULL;
            /* the rows of one metric come together */
            if (last_e && c == last_cfg && h == last_host && metric &&
                strcmp(metric, last_e->metric) == 0)
                e = last_e;
            else if (metric)
                e = work_entry(&nm.w, c, h, metric);
            last_cfg = c;
            last_host = h;
        } else {
            plugin = (const char *)sqlite3_column_text(st, C_PLUGIN);
            params = (const char *)sqlite3_column_text(st, C_PARAMS);
            host = (const char *)sqlite3_column_text(st, C_HOST);
            cpu = (const char *)sqlite3_column_text(st, C_CPU);
            ranks = sqlite3_column_type(st, C_RANKS) == SQLITE_NULL
                        ? -1
                        : sqlite3_column_int64(st, C_RANKS);
            threads = sqlite3_column_type(st, C_THREADS) == SQLITE_NULL
                          ? -1
                          : sqlite3_column_int64(st, C_THREADS);
            if (id != last_run) {
                out->nruns++;
                last_run = id;
            }
        }
        int cached = e != NULL;
        if (!e) {
            size_t need = strlen(plugin ? plugin : "") + strlen(params ? params : "") +
                          strlen(host ? host : "") + strlen(metric ? metric : "") +
                          strlen(cpu ? cpu : "") + 80;
            if (need > keycap) {
                keycap = need * 2;
                char *nk = realloc(key, keycap);
                if (!nk) {
                    rc = BX_ENOMEM;
                    break;
                }
                key = nk;
            }
            int cfglen = entry_key(key, keycap, flags, plugin, params, ranks, threads, host, cpu,
                                   metric);
            e = aset_find(out, key);
            entry_meta mt = meta_of_row(st);
            if (!e && !(e = aset_new_entry(out, &mt, key, cfglen, flags, id, ranks, threads, plugin,
                                           params, host, cpu))) {
                rc = BX_ENOMEM;
                break;
            }
        }
        if (fast && !cached && work_remember(&nm.w, last_cfg, last_host, e) != 0) {
            rc = BX_ENOMEM;
            break;
        }
        last_e = e;
        int has_value = sqlite3_column_type(st, C_VALUE) != SQLITE_NULL;
        double value = sqlite3_column_double(st, C_VALUE);
        if (e->cur_run != id &&
            (rc = aset_run_value(e, (const char *)sqlite3_column_text(st, C_STARTED), NULL, id,
                                 has_value, value, flags, 0)) != 0)
            break;
        if (flags & ASET_SAMPLES) {
            int is_sample = sqlite3_column_int(st, C_HAS_SAMPLE);
            double sv = sqlite3_column_double(st, C_SAMPLE);
            if (is_sample && sqlite3_column_type(st, C_SAMPLE) != SQLITE_NULL && isfinite(sv)) {
                if (dvec_push(&e->samples, sv) != 0)
                    rc = BX_ENOMEM;
            } else if (!is_sample && has_value && isfinite(value)) {
                if (dvec_push(&e->samples, value) != 0) /* no samples: the run's value */
                    rc = BX_ENOMEM;
            }
            if (rc)
                break;
        }
    }
    free(key);
    if (rc == 0 && step != SQLITE_DONE) {
        fprintf(stderr, "benchaas %s: %s: %s\n", cmd, f->db, sqlite3_errmsg(store_db(s)));
        rc = BX_EIO;
    }
    sqlite3_finalize(st);
    names_free(&nm);
    if (rc == 0 && fast && out->n > 1)
        qsort(out->e, out->n, sizeof *out->e, cmp_first_seen);
    if (rc == BX_ENOMEM)
        fprintf(stderr, "benchaas: out of memory\n");
    if (rc)
        aset_free(out);
    return rc;
}
