/*
 * ingest.c — a result document into the store: one BEGIN IMMEDIATE transaction per
 * run (a savepoint of the batch's transaction inside store_batch_begin .. commit);
 * every statement with a value in it is prepared once per store, cached, and bound.
 * The way back, a stored run as a document, is export.c, beside this file: a fact
 * written here is read there.
 */
#define _GNU_SOURCE /* strdup */
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h" /* BX_E* codes */

/* Columns of runs written by ingest, in bind order (?1..?19); ?20 is the id for UPDATE,
 * ?21 the configuration. */
#define RUN_COLS                                                                           \
    "uuid, plugin, plugin_version, status, error, host_id, job_id, array_task_id, "        \
    "experiment, point, launcher, ranks, threads, repetitions, queued_at, started_at, "    \
    "finished_at, params_json, spec_json"

static const char *const stmt_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT ingest",
    [ST_RELEASE] = "RELEASE ingest",
    [ST_ROLLBACK_TO] = "ROLLBACK TO ingest",
    [ST_FIND_RUN] = "SELECT id, status FROM runs WHERE uuid = ?1",
    /* the host as it is already stored: no write (the same binds as the upsert) */
    [ST_FIND_HOST] = "SELECT id FROM hosts WHERE name = ?1 AND cpu_model IS coalesce(?2, cpu_model)"
                     " AND cores IS coalesce(?3, cores)"
                     " AND memory_bytes IS coalesce(?4, memory_bytes)"
                     " AND kernel IS coalesce(?5, kernel)",
    [ST_UPSERT_HOST] =
        "INSERT INTO hosts(name, cpu_model, cores, memory_bytes, kernel) VALUES (?1,?2,?3,?4,?5) "
        "ON CONFLICT(name) DO UPDATE SET "
        "cpu_model = coalesce(excluded.cpu_model, cpu_model), "
        "cores = coalesce(excluded.cores, cores), "
        "memory_bytes = coalesce(excluded.memory_bytes, memory_bytes), "
        "kernel = coalesce(excluded.kernel, kernel) "
        "RETURNING id",
    /* (user and job with the row: set after, they fired runs_to_metrics, which rewrote
       every metric row of the run and its metrics_find entry) */
    [ST_INSERT_RUN] = "INSERT INTO runs(" RUN_COLS ", config_id, user, job) VALUES "
                      "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?21,"
                      "?22,?23)",
    [ST_UPDATE_RUN] = "UPDATE runs SET uuid=?1, plugin=?2, plugin_version=?3, status=?4, "
                      "error=?5, host_id=?6, job_id=?7, array_task_id=?8, experiment=?9, "
                      "point=?10, launcher=?11, ranks=?12, threads=?13, repetitions=?14, "
                      "queued_at=coalesce(?15, queued_at), started_at=?16, finished_at=?17, "
                      "params_json=?18, spec_json=coalesce(?19, spec_json), config_id=?21 WHERE id=?20",
    [ST_DEL_PARAMS] = "DELETE FROM params WHERE run_id = ?1",
    [ST_DEL_METRICS] = "DELETE FROM metrics WHERE run_id = ?1",
    [ST_DEL_SAMPLES] = "DELETE FROM samples WHERE run_id = ?1",
    [ST_DEL_TAGS] = "DELETE FROM tags WHERE run_id = ?1",
    [ST_DEL_PROV] = "DELETE FROM provenance WHERE run_id = ?1",
    [ST_DEL_META] = "DELETE FROM run_meta WHERE run_id = ?1",
    [ST_DEL_WARN] = "DELETE FROM warnings WHERE run_id = ?1",
    [ST_DEL_TIMELINE] = "DELETE FROM timeline WHERE run_id = ?1",
    [ST_DEL_TIMELINE_NODES] = "DELETE FROM timeline_nodes WHERE run_id = ?1",
    [ST_INS_TAG] = "INSERT OR IGNORE INTO tags(run_id, tag) VALUES (?1,?2)",
    [ST_INS_WARN] = "INSERT INTO warnings(run_id, seq, text) VALUES (?1,?2,?3)",
    [ST_INS_TIMELINE] =
        "INSERT INTO timeline(run_id, seq, t, rss_mib, cpu_percent) VALUES (?1,?2,?3,?4,?5)",
    [ST_INS_TIMELINE_NODE] = "INSERT OR IGNORE INTO timeline_nodes(run_id, seq, t, rss_mib,"
                             " cpu_percent, node, ranks) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    [ST_FIND_CONFIG] = "SELECT id FROM configs WHERE plugin = ?1 AND params_json = ?2"
                       " AND coalesce(ranks, -1) = coalesce(?3, -1)"
                       " AND coalesce(threads, -1) = coalesce(?4, -1)",
    [ST_INS_CONFIG] = "INSERT INTO configs(plugin, params_json, ranks, threads) VALUES (?1,?2,?3,?4)",
    [ST_INS_CONFIG_PARAM] =
        "INSERT OR IGNORE INTO config_params(config_id, name, value, type) VALUES (?1,?2,?3,?4)",
    [ST_INS_SERIES] = "INSERT OR IGNORE INTO series(config_id, host_id) VALUES (?1,?2)",
    [ST_INS_METRIC_KIND] =
        "INSERT OR IGNORE INTO metric_kinds(plugin, name, better) VALUES (?1,?2,?3)",
};

/* The cached statement `id`, reset and unbound, or NULL (message in err). */
static sqlite3_stmt *stmt(store *s, int id, char *err, size_t errlen)
{
    if (!s->st[id]) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->st[id],
                               NULL) != SQLITE_OK) {
            store__err(err, errlen, "%s: cannot prepare a statement: %s", s->path,
                       sqlite3_errmsg(s->db));
            return NULL;
        }
    } else {
        sqlite3_reset(s->st[id]);
        sqlite3_clear_bindings(s->st[id]);
    }
    return s->st[id];
}

/* Step a statement that returns no row; 0 or BX_EIO with the message: "storing metric 'x'"
   for `what` "storing metric" and `name` x (formatted only on an error; name may be NULL). */
static int step_named(store *s, sqlite3_stmt *st, const char *what, const char *name, char *err,
                      size_t errlen)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store__err(err, errlen, "%s: %s%s%s%s: %s", s->path, what, name ? " '" : "",
                   name ? name : "", name ? "'" : "", sqlite3_errmsg(s->db));
        sqlite3_reset(st);
        /* A constraint (a metric named twice in a document, say) is the
         * document's fault, not the database's: BX_EINVAL, like store__read_doc. */
        return (rc & 0xff) == SQLITE_CONSTRAINT ? BX_EINVAL : BX_EIO;
    }
    sqlite3_reset(st);
    return 0;
}

static int step_done(store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    return step_named(s, st, what, NULL, err, errlen);
}

/* Run a cached statement without parameters (BEGIN/COMMIT/ROLLBACK). */
static int exec_cached(store *s, int id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, id, err, errlen);
    if (!st)
        return BX_EIO;
    return step_done(s, st, stmt_sql[id], err, errlen);
}

/* ---- the parameters of a document ---------------------------------------- */

/*
 * A parameter's canonical text as a typed JSON value: numbers for int, size
 * and double, booleans for bool, strings otherwise (and when the text does
 * not parse as its type).  The caller owns the result.
 */
static cJSON *typed_param(const char *text, const char *type)
{
    char *end;
    if (strcmp(type, "int") == 0 || strcmp(type, "size") == 0) {
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (*text && *end == '\0' && errno == 0)
            return cJSON_CreateNumber((double)v);
    } else if (strcmp(type, "double") == 0) {
        double v = strtod(text, &end);
        if (*text && *end == '\0' && isfinite(v))
            return cJSON_CreateNumber(v);
    } else if (strcmp(type, "bool") == 0) {
        if (strcmp(text, "true") == 0)
            return cJSON_CreateTrue();
        if (strcmp(text, "false") == 0)
            return cJSON_CreateFalse();
    }
    return cJSON_CreateString(text);
}

/* The name/value/type of one params member (object form, or a bare scalar). */
static void param_parts(const cJSON *it, char *buf, size_t len, const char **value,
                        const char **type, char **heap)
{
    const cJSON *v = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "value") : it;
    const cJSON *t = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "type") : NULL;
    *value = store_value_text(v, buf, len, heap);
    if (!*value)
        *value = "";
    if (t && cJSON_IsString(t))
        *type = t->valuestring;
    else if (cJSON_IsBool(v))
        *type = "bool";
    else if (cJSON_IsNumber(v))
        *type = v->valuedouble == floor(v->valuedouble) ? "int" : "double";
    else
        *type = "string";
}

/* runs.params_json for the document (caller frees with cJSON_free). */
static char *params_json(const doc *d)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *it;
    char buf[64], *heap;
    cJSON_ArrayForEach(it, d->params)
    {
        const char *value, *type;
        /* A value the plugin computed is in the params table (queries find
         * it) but not in the run's configuration: runs of the same settings
         * stay comparable across machines. */
        if (cJSON_IsObject(it) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "computed")))
            continue;
        param_parts(it, buf, sizeof buf, &value, &type, &heap);
        cJSON_AddItemToObject(o, it->string ? it->string : "", typed_param(value, type));
        free(heap);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* ---- writing ------------------------------------------------------------- */

/* Bound without a copy (SQLITE_STATIC): every statement of ingest is bound and stepped
   in one scope, while the document and the buffers its values point into are alive, and
   bound again before its next step (a copy of each of some 40 strings a run was a malloc,
   a memcpy and a free). */
static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_time(sqlite3_stmt *st, int i, const char *v)
{
    bind_text(st, i, v && *v ? v : NULL);
}

static void bind_opt_int(sqlite3_stmt *st, int i, int has, int64_t v)
{
    if (has)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* The host row for the document (from "host" and the provenance), or 0 if no host is named. */
static int upsert_host(store *s, const doc *d, int64_t *host_id, char *err, size_t errlen)
{
    *host_id = 0;
    if (!d->host || !*d->host)
        return 0;
    sqlite3_stmt *st;
    const char *cpu = NULL, *kernel = NULL;
    int has_cores = 0, has_mem = 0;
    int64_t cores = 0, mem = 0;
    char scratch[8];
    if (d->provenance) {
        /* Malformed provenance values are simply not copied into hosts. */
        store__opt_str(d->provenance, "cpu_model", &cpu, scratch, sizeof scratch);
        store__opt_str(d->provenance, "kernel", &kernel, scratch, sizeof scratch);
        store__opt_int(d->provenance, "cores", &has_cores, &cores, scratch, sizeof scratch);
        store__opt_int(d->provenance, "memory_bytes", &has_mem, &mem, scratch, sizeof scratch);
    }
    /* usually the host is stored as it is: find it without writing its page */
    for (int which = ST_FIND_HOST; which <= ST_UPSERT_HOST; which++) {
        if (!(st = stmt(s, which, err, errlen)))
            return BX_EIO;
        bind_text(st, 1, d->host);
        bind_text(st, 2, cpu);
        bind_opt_int(st, 3, has_cores, cores);
        bind_opt_int(st, 4, has_mem, mem);
        bind_text(st, 5, kernel);
        if (which == ST_UPSERT_HOST || sqlite3_step(st) != SQLITE_ROW)
            continue;
        *host_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 0;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        store__err(err, errlen, "%s: storing host '%s': %s", s->path, d->host, sqlite3_errmsg(s->db));
        sqlite3_reset(st);
        return BX_EIO;
    }
    *host_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

/* Bind the 19 run columns (RUN_COLS order). */
static void bind_run(sqlite3_stmt *st, const doc *d, int64_t host_id, const char *pjson,
                     const char *sjson)
{
    bind_text(st, 1, d->uuid);
    bind_text(st, 2, d->plugin);
    bind_text(st, 3, d->plugin_version);
    bind_text(st, 4, d->status);
    bind_text(st, 5, d->error);
    bind_opt_int(st, 6, host_id != 0, host_id);
    if (d->job_text)
        bind_text(st, 7, d->job_text);
    else
        bind_opt_int(st, 7, d->has_job, d->job_id);
    bind_opt_int(st, 8, d->has_task, d->task_id);
    bind_text(st, 9, d->experiment);
    bind_opt_int(st, 10, d->has_point, d->point);
    bind_text(st, 11, d->launcher);
    bind_opt_int(st, 12, d->has_ranks, d->ranks);
    bind_opt_int(st, 13, d->has_threads, d->threads);
    bind_opt_int(st, 14, d->has_reps, d->reps);
    bind_time(st, 15, d->queued_at);
    bind_time(st, 16, d->started_at);
    bind_time(st, 17, d->finished_at);
    bind_text(st, 18, pjson);
    bind_text(st, 19, sjson);
}

/* One timeline's points: the job's (node NULL) or one node's. */
static int insert_timeline(store *s, int which, int64_t id, const cJSON *arr, const char *node,
                           const cJSON *ranks, char *err, size_t errlen)
{
    const cJSON *it;
    int seq = 0, rc;
    cJSON_ArrayForEach(it, arr)
    {
        sqlite3_stmt *st = stmt(s, which, err, errlen);
        if (!st)
            return BX_EIO;
        const cJSON *rss = cJSON_GetArrayItem(it, 1), *cpu = cJSON_GetArrayItem(it, 2);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, seq++);
        sqlite3_bind_double(st, 3, cJSON_GetArrayItem(it, 0)->valuedouble);
        if (cJSON_IsNumber(rss) && isfinite(rss->valuedouble))
            sqlite3_bind_double(st, 4, rss->valuedouble);
        else
            sqlite3_bind_null(st, 4);
        if (cJSON_IsNumber(cpu) && isfinite(cpu->valuedouble))
            sqlite3_bind_double(st, 5, cpu->valuedouble);
        else
            sqlite3_bind_null(st, 5);
        if (node) {
            bind_text(st, 6, node);
            if (cJSON_IsNumber(ranks))
                sqlite3_bind_int64(st, 7, (int64_t)ranks->valuedouble);
            else
                sqlite3_bind_null(st, 7);
        }
        if ((rc = step_done(s, st, "storing the resource timeline", err, errlen)))
            return rc;
    }
    return 0;
}

static uint64_t kind_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

/* The slot of key: its own, or the empty one where it would go. */
static struct kind_slot *kind_slot(kind_cache *c, const char *key, uint64_t h)
{
    size_t i = (size_t)h & (KINDS_CACHED - 1);
    while (c->slot[i].key && (c->slot[i].hash != h || strcmp(c->slot[i].key, key) != 0))
        i = (i + 1) & (KINDS_CACHED - 1);
    return &c->slot[i];
}

void store__kinds_forget(kind_cache *c)
{
    for (size_t i = 0; i < KINDS_CACHED; i++)
        free(c->slot[i].key);
    memset(c, 0, sizeof *c);
}

/* Record (plugin, metric, better) in metric_kinds unless this connection already has. */
static int store_metric_kind(store *s, const char *plugin, const char *name, const char *better,
                             char *err, size_t errlen)
{
    /* (the key built by hand: an snprintf per metric row was 3 % of ingest) */
    char key[512];
    size_t lp = strlen(plugin), ln = strlen(name), lb = strlen(better);
    struct kind_slot *slot = NULL;
    uint64_t h = 0;
    if (lp + ln + lb + 3 <= sizeof key) {
        memcpy(key, plugin, lp);
        key[lp] = '\x1f';
        memcpy(key + lp + 1, name, ln);
        key[lp + 1 + ln] = '\x1f';
        memcpy(key + lp + ln + 2, better, lb + 1);
        h = kind_hash(key);
        slot = kind_slot(&s->kinds, key, h);
    }
    if (slot && slot->key)
        return 0;
    sqlite3_stmt *st = stmt(s, ST_INS_METRIC_KIND, err, errlen);
    if (!st)
        return BX_EIO;
    bind_text(st, 1, plugin);
    bind_text(st, 2, name);
    bind_text(st, 3, better);
    int rc = step_done(s, st, "storing a metric's kind", err, errlen);
    /* remembered now, forgotten if the transaction is rolled back (store_ingest) */
    if (rc == 0 && slot && s->kinds.n < KINDS_CACHED / 2 && (slot->key = strdup(key))) {
        slot->hash = h;
        s->kinds.n++;
    }
    return rc;
}

/* ---- rows several at a time -------------------------------------------------
 *
 * A run's parameters, metrics, samples, provenance and metadata go into their
 * tables in one INSERT of up to MULTI_ROWS rows each instead of one statement
 * per row: one opening of the statement's cursors, one statement journal and
 * one end of statement for all of them.  On an error the rows of that
 * statement go again one at a time (SQLite has undone the statement), so that
 * the message names the row at fault.
 */
static const struct multi_def {
    const char *head; /* "INSERT ... VALUES" */
    int ncols;
    const char *what;  /* for the message */
    int named;         /* the message names the row (its name column) */
} multi_defs[MULTI__COUNT] = {
    [MULTI_PARAM] = {"INSERT INTO params(run_id, name, value, type) VALUES", 4,
                     "storing parameter", 1},
    [MULTI_METRIC] = {"INSERT INTO metrics(run_id, name, seq, value, unit, better, headline,"
                      " run_plugin, run_status, run_started_at, run_host_id, run_config_id,"
                      " run_plugin_version, run_job_id, run_user) VALUES",
                      15, "storing metric", 1},
    [MULTI_SAMPLE] = {"INSERT INTO samples(run_id, metric, rep, idx, value) VALUES", 5,
                      "storing a sample of", 1},
    [MULTI_PROV] = {"INSERT OR REPLACE INTO provenance(run_id, key, value) VALUES", 3,
                    "storing provenance", 0},
    [MULTI_META] = {"INSERT OR REPLACE INTO run_meta(run_id, key, value) VALUES", 3,
                    "storing run metadata", 0},
};

/* The INSERT of n rows (1..MULTI_ROWS) into `which`, prepared on first use, reset; NULL
   (message in err). */
static sqlite3_stmt *multi_stmt(store *s, int which, size_t n, char *err, size_t errlen)
{
    sqlite3_stmt **slot = &s->multi[which][n - 1];
    if (*slot) { /* (multi_bind binds every parameter: no clearing) */
        sqlite3_reset(*slot);
        return *slot;
    }
    const struct multi_def *m = &multi_defs[which];
    char sql[2048];
    size_t len = strlen(m->head);
    if (len + n * (2 * (size_t)m->ncols + 3) >= sizeof sql) {
        store__err(err, errlen, "internal error: an INSERT of %zu rows does not fit", n);
        return NULL;
    }
    memcpy(sql, m->head, len);
    for (size_t r = 0; r < n; r++) {
        sql[len++] = r ? ',' : ' ';
        sql[len++] = '(';
        for (int c = 0; c < m->ncols; c++) {
            if (c)
                sql[len++] = ',';
            sql[len++] = '?';
        }
        sql[len++] = ')';
    }
    sql[len] = '\0';
    if (sqlite3_prepare_v3(s->db, sql, (int)len, SQLITE_PREPARE_PERSISTENT, slot, NULL) !=
        SQLITE_OK) {
        store__err(err, errlen, "%s: cannot prepare a statement: %s", s->path,
                   sqlite3_errmsg(s->db));
        *slot = NULL;
        return NULL;
    }
    return *slot;
}

/* What every row of a run shares. */
typedef struct mctx {
    const doc *d;
    int64_t id, host_id, config_id;
    int any_headline;
} mctx;

/* One row: its item (a parameter, metric, sample triple, provenance or meta member), the
   name the message gives it, and its position. */
typedef struct mrow {
    const cJSON *item;
    const char *name;
    int seq;
} mrow;

/* Bind row r from parameter b + 1 on; text formatted here goes into buf (64 bytes) or
   *heap (freed by the caller after the step). */
static void multi_bind(int which, sqlite3_stmt *st, int b, const mctx *c, const mrow *r,
                       char *buf, char **heap)
{
    const cJSON *it = r->item;
    *heap = NULL;
    sqlite3_bind_int64(st, b + 1, c->id);
    switch (which) {
    case MULTI_PARAM: {
        const char *value, *type;
        param_parts(it, buf, 64, &value, &type, heap);
        bind_text(st, b + 2, r->name);
        bind_text(st, b + 3, value);
        bind_text(st, b + 4, type);
        break;
    }
    case MULTI_METRIC: {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "unit");
        const cJSON *bt = cJSON_GetObjectItemCaseSensitive(it, "better");
        const doc *d = c->d;
        bind_text(st, b + 2, r->name);
        sqlite3_bind_int(st, b + 3, r->seq);
        if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
            sqlite3_bind_double(st, b + 4, v->valuedouble);
        else
            sqlite3_bind_null(st, b + 4);
        bind_text(st, b + 5, cJSON_IsString(u) ? u->valuestring : "");
        bind_text(st, b + 6, cJSON_IsString(bt) ? bt->valuestring : "none");
        if (c->any_headline)
            sqlite3_bind_int(st, b + 7,
                             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "headline")));
        else
            sqlite3_bind_null(st, b + 7);
        /* the run's columns the results view filters on (metrics_find, version 5) */
        bind_text(st, b + 8, d->plugin);
        bind_text(st, b + 9, d->status);
        bind_time(st, b + 10, d->started_at);
        bind_opt_int(st, b + 11, c->host_id != 0, c->host_id);
        sqlite3_bind_int64(st, b + 12, c->config_id);
        bind_text(st, b + 13, d->plugin_version);
        if (d->job_text)
            bind_text(st, b + 14, d->job_text);
        else
            bind_opt_int(st, b + 14, d->has_job, d->job_id);
        /* (a queued run's row may hold another user: set_user_job, after, keeps it and the
           trigger puts it here) */
        bind_text(st, b + 15, d->user);
        break;
    }
    case MULTI_SAMPLE: {
        const cJSON *v = cJSON_GetArrayItem(it, 2);
        bind_text(st, b + 2, r->name);
        sqlite3_bind_int64(st, b + 3, (int64_t)cJSON_GetArrayItem(it, 0)->valuedouble);
        sqlite3_bind_int64(st, b + 4, (int64_t)cJSON_GetArrayItem(it, 1)->valuedouble);
        if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
            sqlite3_bind_double(st, b + 5, v->valuedouble);
        else
            sqlite3_bind_null(st, b + 5);
        break;
    }
    default: /* MULTI_PROV, MULTI_META */
        bind_text(st, b + 2, r->name);
        bind_text(st, b + 3, store_value_text(it, buf, 64, heap));
        break;
    }
}

/* rows[0..n) (n <= MULTI_ROWS) into `which`.  0 or BX_E* (message in err). */
static int multi_insert(store *s, int which, const mctx *c, const mrow *rows, size_t n, char *err,
                        size_t errlen)
{
    if (n == 0)
        return 0;
    char buf[MULTI_ROWS][64], *heap[MULTI_ROWS];
    const struct multi_def *m = &multi_defs[which];
    sqlite3_stmt *st = multi_stmt(s, which, n, err, errlen);
    if (!st)
        return BX_EIO;
    for (size_t r = 0; r < n; r++)
        multi_bind(which, st, (int)r * m->ncols, c, &rows[r], buf[r], &heap[r]);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    for (size_t r = 0; r < n; r++)
        free(heap[r]);
    if (step == SQLITE_DONE)
        return 0;
    if (sqlite3_get_autocommit(s->db)) {
        /* SQLite rolled the transaction back (a full disk, an I/O error): nothing to retry */
        store__err(err, errlen, "%s: %s: %s", s->path, m->what, sqlite3_errmsg(s->db));
        return BX_EIO;
    }
    /* one at a time, for the message (and a row the statement failed for no fault of its
       own goes in) */
    for (size_t r = 0; r < n; r++) {
        sqlite3_stmt *one = multi_stmt(s, which, 1, err, errlen);
        if (!one)
            return BX_EIO;
        multi_bind(which, one, 0, c, &rows[r], buf[0], &heap[0]);
        int rc = step_named(s, one, m->what, m->named ? rows[r].name : NULL, err, errlen);
        free(heap[0]);
        if (rc)
            return rc;
    }
    return 0;
}

/* A batch of rows being gathered for multi_insert. */
typedef struct mbatch {
    store *s;
    int which;
    const mctx *c;
    mrow rows[MULTI_ROWS];
    size_t n;
} mbatch;

/* Add a row; the rows go in when MULTI_ROWS are there.  0 or BX_E*. */
static int mbatch_add(mbatch *b, const cJSON *item, const char *name, int seq, char *err,
                      size_t errlen)
{
    b->rows[b->n++] = (mrow){item, name ? name : "", seq};
    if (b->n < MULTI_ROWS)
        return 0;
    b->n = 0;
    return multi_insert(b->s, b->which, b->c, b->rows, MULTI_ROWS, err, errlen);
}

/* The rows gathered and not yet in.  0 or BX_E*. */
static int mbatch_flush(mbatch *b, char *err, size_t errlen)
{
    size_t n = b->n;
    b->n = 0;
    return multi_insert(b->s, b->which, b->c, b->rows, n, err, errlen);
}

/* Every member of obj (parameters, provenance, meta) as a row of `which`.  0 or BX_E*. */
static int multi_members(store *s, int which, const mctx *c, const cJSON *obj, char *err,
                         size_t errlen)
{
    mbatch b = {.s = s, .which = which, .c = c};
    const cJSON *it;
    int rc = 0;
    cJSON_ArrayForEach(it, obj)
    {
        if ((rc = mbatch_add(&b, it, it->string, 0, err, errlen)) != 0)
            return rc;
    }
    return mbatch_flush(&b, err, errlen);
}

/* Everything that hangs off runs(id): params, metrics, samples, tags, ... */
static int insert_children(store *s, const doc *d, int64_t id, int64_t host_id,
                           int64_t config_id, char *err, size_t errlen)
{
    const cJSON *it;
    sqlite3_stmt *st;
    int rc, seq;

    /* several rows a statement (multi_insert); ingest needs version 5 (configurations) */
    mctx c = {d, id, host_id, config_id, 0};
    cJSON_ArrayForEach(it, d->metrics)
    c.any_headline |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "headline"));
    if ((rc = multi_members(s, MULTI_PARAM, &c, d->params, err, errlen)))
        return rc;
    mbatch b = {.s = s, .which = MULTI_METRIC, .c = &c};
    seq = 0;
    cJSON_ArrayForEach(it, d->metrics)
    {
        if ((rc = mbatch_add(&b, it, it->string, seq++, err, errlen)))
            return rc;
    }
    if ((rc = mbatch_flush(&b, err, errlen)))
        return rc;
    int any_stale = s->schema_version >= 9 && store__points_any_stale(s);
    cJSON_ArrayForEach(it, d->metrics)
    {
        const cJSON *bt = cJSON_GetObjectItemCaseSensitive(it, "better");
        if (s->schema_version >= 6 &&
            (rc = store_metric_kind(s, d->plugin, it->string ? it->string : "",
                                    cJSON_IsString(bt) ? bt->valuestring : "none", err,
                                    errlen)))
            return rc;
        /* a higher/lower-is-better value into its series' points (version 9) */
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
        if (s->schema_version >= 9 && it->string && cJSON_IsString(bt) &&
            (strcmp(bt->valuestring, "higher") == 0 || strcmp(bt->valuestring, "lower") == 0) &&
            (rc = store__points_add(s, it->string, d->plugin, d->status, config_id, host_id, id,
                                    d->started_at[0] ? d->started_at : NULL, cJSON_IsNumber(v),
                                    cJSON_IsNumber(v) ? v->valuedouble : 0, any_stale, err,
                                    errlen)))
            return rc;
    }
    b = (mbatch){.s = s, .which = MULTI_SAMPLE, .c = &c};
    cJSON_ArrayForEach(it, d->samples)
    {
        const cJSON *triple;
        cJSON_ArrayForEach(triple, it)
        {
            if ((rc = mbatch_add(&b, triple, it->string, 0, err, errlen)))
                return rc;
        }
    }
    if ((rc = mbatch_flush(&b, err, errlen)))
        return rc;
    /* each metric's samples packed once enough runs follow its mark (version 10) */
    cJSON_ArrayForEach(it, d->samples)
    {
        if (s->schema_version >= STORE_SAMPLES_VERSION && it->string &&
            (rc = store__samples_ingested(s, it->string, id, err, errlen)))
            return rc;
    }
    cJSON_ArrayForEach(it, d->tags)
    {
        if (!(st = stmt(s, ST_INS_TAG, err, errlen)))
            return BX_EIO;
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, it->valuestring);
        if ((rc = step_done(s, st, "storing a tag", err, errlen)))
            return rc;
    }
    seq = 0;
    cJSON_ArrayForEach(it, d->warnings)
    {
        if (!(st = stmt(s, ST_INS_WARN, err, errlen)))
            return BX_EIO;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, seq++);
        bind_text(st, 3, it->valuestring);
        if ((rc = step_done(s, st, "storing a warning", err, errlen)))
            return rc;
    }
    if ((rc = insert_timeline(s, ST_INS_TIMELINE, id, d->timeline, NULL, NULL, err, errlen)))
        return rc;
    cJSON_ArrayForEach(it, d->timeline_nodes)
    {
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(it, "node"),
                    *ranks = cJSON_GetObjectItemCaseSensitive(it, "ranks");
        if (s->schema_version < 4)
            break; /* a database opened without the version 4 step has no table for it */
        if ((rc = insert_timeline(s, ST_INS_TIMELINE_NODE, id,
                                  cJSON_GetObjectItemCaseSensitive(it, "timeline"),
                                  node->valuestring, ranks, err, errlen)))
            return rc;
    }
    if ((rc = multi_members(s, MULTI_PROV, &c, d->provenance, err, errlen)))
        return rc;
    return multi_members(s, MULTI_META, &c, d->meta, err, errlen);
}

/*
 * The configuration of the document (plugin, typed params, ranks, threads):
 * its configs row, created with its config_params on first sight, and the
 * (configuration, host) pair in series.
 */
static int find_config(store *s, const doc *d, const char *pjson, int64_t host_id,
                       int64_t *config_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_FIND_CONFIG, err, errlen);
    int rc;
    if (!st)
        return BX_EIO;
    bind_text(st, 1, d->plugin);
    bind_text(st, 2, pjson);
    bind_opt_int(st, 3, d->has_ranks, d->ranks);
    bind_opt_int(st, 4, d->has_threads, d->threads);
    rc = sqlite3_step(st);
    *config_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store__err(err, errlen, "%s: looking up a configuration: %s", s->path, sqlite3_errmsg(s->db));
        return BX_EIO;
    }
    if (!*config_id) {
        if (!(st = stmt(s, ST_INS_CONFIG, err, errlen)))
            return BX_EIO;
        bind_text(st, 1, d->plugin);
        bind_text(st, 2, pjson);
        bind_opt_int(st, 3, d->has_ranks, d->ranks);
        bind_opt_int(st, 4, d->has_threads, d->threads);
        if ((rc = step_done(s, st, "storing a configuration", err, errlen)))
            return rc;
        *config_id = sqlite3_last_insert_rowid(s->db);
        const cJSON *it;
        cJSON_ArrayForEach(it, d->params)
        {
            const char *value, *type;
            char buf[64], *heap;
            if (!(st = stmt(s, ST_INS_CONFIG_PARAM, err, errlen)))
                return BX_EIO;
            param_parts(it, buf, sizeof buf, &value, &type, &heap);
            sqlite3_bind_int64(st, 1, *config_id);
            bind_text(st, 2, it->string ? it->string : "");
            bind_text(st, 3, value);
            bind_text(st, 4, type);
            rc = step_done(s, st, "storing a configuration's parameter", err, errlen);
            free(heap);
            if (rc)
                return rc;
        }
    }
    if (!(st = stmt(s, ST_INS_SERIES, err, errlen)))
        return BX_EIO;
    sqlite3_bind_int64(st, 1, *config_id);
    sqlite3_bind_int64(st, 2, host_id);
    return step_done(s, st, "storing a series", err, errlen);
}

/* Remove what hangs off a queued/running run before its result replaces it. */
static int delete_children(store *s, int64_t id, char *err, size_t errlen)
{
    static const int dels[] = {ST_DEL_PARAMS, ST_DEL_METRICS, ST_DEL_SAMPLES,
                               ST_DEL_TAGS,   ST_DEL_PROV,    ST_DEL_META,
                               ST_DEL_WARN,   ST_DEL_TIMELINE, ST_DEL_TIMELINE_NODES};
    for (size_t i = 0; i < sizeof dels / sizeof dels[0]; i++) {
        sqlite3_stmt *st = stmt(s, dels[i], err, errlen);
        if (!st)
            return BX_EIO;
        sqlite3_bind_int64(st, 1, id);
        int rc = step_done(s, st, "replacing a queued run", err, errlen);
        if (rc)
            return rc;
    }
    return 0;
}

/* runs.user and runs.job (schema 3) of a run stored before, for documents that carry them
   (a new run gets them with its row). */
static int set_user_job(store *s, const doc *d, int64_t id, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE runs SET user = coalesce(user, ?1), job = coalesce(job, ?2)"
                           " WHERE id = ?3",
                           -1, &st, NULL) != SQLITE_OK) {
        store__err(err, errlen, "%s: cannot record the run's user and job: %s", s->path,
                   sqlite3_errmsg(s->db));
        return BX_EIO;
    }
    bind_text(st, 1, d->user);
    bind_opt_int(st, 2, d->has_service_job, d->service_job);
    sqlite3_bind_int64(st, 3, id);
    int rc = step_done(s, st, "recording the run's user and job", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

/*
 * Inside the transaction: 0 and *run_id (a new row, the updated queued row,
 * or the untouched final row of the same uuid), or an error.
 */
static int ingest_locked(store *s, const doc *d, int64_t *run_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_FIND_RUN, err, errlen);
    int64_t existing = 0;
    int existing_final = 0, rc;
    if (!st)
        return BX_EIO;
    bind_text(st, 1, d->uuid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        existing = sqlite3_column_int64(st, 0);
        existing_final = store__is_final((const char *)sqlite3_column_text(st, 1));
    } else if (rc != SQLITE_DONE) {
        store__err(err, errlen, "%s: looking up run %s: %s", s->path, d->uuid, sqlite3_errmsg(s->db));
        sqlite3_reset(st);
        return BX_EIO;
    }
    sqlite3_reset(st);

    /* A final run is never stored twice nor overwritten (not even by a late "queued"). */
    if (existing && existing_final) {
        *run_id = existing;
        return d->user || d->has_service_job ? set_user_job(s, d, existing, err, errlen) : 0;
    }

    int64_t host_id;
    if ((rc = upsert_host(s, d, &host_id, err, errlen)))
        return rc;
    char *pjson = params_json(d);
    char *sjson = d->spec ? cJSON_PrintUnformatted(d->spec) : NULL;
    if (!pjson || (d->spec && !sjson)) {
        cJSON_free(pjson);
        cJSON_free(sjson);
        store__err(err, errlen, "out of memory");
        return BX_ENOMEM;
    }
    int64_t config_id = 0;
    if ((rc = find_config(s, d, pjson, host_id, &config_id, err, errlen))) {
        cJSON_free(pjson);
        cJSON_free(sjson);
        return rc;
    }
    if (existing) { /* queued/running -> its result (or a newer queued/running state) */
        if ((rc = delete_children(s, existing, err, errlen)) == 0) {
            if (!(st = stmt(s, ST_UPDATE_RUN, err, errlen))) {
                rc = BX_EIO;
            } else {
                bind_run(st, d, host_id, pjson, sjson);
                sqlite3_bind_int64(st, 20, existing);
                sqlite3_bind_int64(st, 21, config_id);
                rc = step_done(s, st, "updating a queued run", err, errlen);
            }
        }
        *run_id = existing;
    } else {
        if (!(st = stmt(s, ST_INSERT_RUN, err, errlen))) {
            rc = BX_EIO;
        } else {
            bind_run(st, d, host_id, pjson, sjson);
            sqlite3_bind_int64(st, 21, config_id);
            bind_text(st, 22, d->user);
            bind_opt_int(st, 23, d->has_service_job, d->service_job);
            rc = step_done(s, st, "storing the run", err, errlen);
            *run_id = sqlite3_last_insert_rowid(s->db);
        }
    }
    cJSON_free(pjson);
    cJSON_free(sjson);
    if (rc == 0)
        rc = insert_children(s, d, *run_id, host_id, config_id, err, errlen);
    if (rc == 0 && existing && (d->user || d->has_service_job))
        rc = set_user_job(s, d, existing, err, errlen);
    return rc;
}

/* SQLite rolled back the batch's transaction itself (SQLITE_FULL, IOERR, ...). */
static int batch_lost(store *s, char *err, size_t errlen)
{
    store__err(err, errlen, "%s: this batch's transaction was rolled back by an earlier error",
               s->path);
    return BX_EIO;
}

int store_ingest(store *s, const cJSON *result, int64_t *run_id, char *err, size_t errlen)
{
    doc d;
    int64_t id = 0;
    int rc = store__read_doc(result, &d, err, errlen);
    if (rc)
        return rc;
    /* inside a batch (store_batch_begin): a savepoint of the batch's transaction */
    int nested = s->batch;
    if (nested && sqlite3_get_autocommit(s->db))
        return batch_lost(s, err, errlen);
    if ((rc = exec_cached(s, nested ? ST_SAVEPOINT : ST_BEGIN, err, errlen)))
        return rc;
    rc = ingest_locked(s, &d, &id, err, errlen);
    if (rc == 0)
        rc = exec_cached(s, nested ? ST_RELEASE : ST_COMMIT, err, errlen);
    if (rc != 0) {
        char ignored[8];
        if (nested && !sqlite3_get_autocommit(s->db)) {
            exec_cached(s, ST_ROLLBACK_TO, ignored, sizeof ignored);
            exec_cached(s, ST_RELEASE, ignored, sizeof ignored);
        } else if (!nested && !sqlite3_get_autocommit(s->db)) {
            exec_cached(s, ST_ROLLBACK, ignored, sizeof ignored);
        }
        store__kinds_forget(&s->kinds); /* what this transaction stored is gone */
        return rc;
    }
    if (run_id)
        *run_id = id;
    return 0;
}

/*
 * Foreign keys are not enforced inside a batch: every row ingest writes refers
 * to the run it has just stored, or to a host and configuration it has just
 * found or stored in the same transaction, so the look-up of the parent row
 * for each child row (8 % of batched ingest's instructions) can find nothing
 * amiss.  (A connection can change the setting only outside a transaction,
 * and a change makes its statements compile again: once per batch, not per
 * run.)  Deletes, which the cascades are for, keep them.
 */
static void batch_foreign_keys(store *s, int on)
{
    sqlite3_exec(s->db, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", NULL, NULL,
                 NULL);
}

int store_batch_begin(store *s, char *err, size_t errlen)
{
    if (s->batch || !sqlite3_get_autocommit(s->db)) {
        store__err(err, errlen, "%s: a transaction is already open", s->path);
        return BX_EINVAL;
    }
    batch_foreign_keys(s, 0);
    int rc = exec_cached(s, ST_BEGIN, err, errlen);
    s->batch = rc == 0;
    if (rc)
        batch_foreign_keys(s, 1);
    return rc;
}

int store_batch_commit(store *s, char *err, size_t errlen)
{
    if (!s->batch)
        return 0;
    s->batch = 0;
    if (sqlite3_get_autocommit(s->db)) {
        store__kinds_forget(&s->kinds);
        batch_foreign_keys(s, 1);
        return batch_lost(s, err, errlen);
    }
    int rc = exec_cached(s, ST_COMMIT, err, errlen);
    if (rc)
        store_batch_rollback(s);
    else
        batch_foreign_keys(s, 1);
    return rc;
}

void store_batch_rollback(store *s)
{
    char ignored[8];
    s->batch = 0;
    if (!sqlite3_get_autocommit(s->db))
        exec_cached(s, ST_ROLLBACK, ignored, sizeof ignored);
    store__kinds_forget(&s->kinds);
    batch_foreign_keys(s, 1);
}

int store_find_run(store *s, const char *uuid, int64_t *run_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_FIND_RUN, err, errlen);
    if (!st)
        return BX_EIO;
    bind_text(st, 1, uuid);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *run_id = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        store__err(err, errlen, "no run with uuid %s in %s", uuid, s->path);
        rc = BX_EINVAL;
    } else {
        store__err(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
        rc = BX_EIO;
    }
    sqlite3_reset(st);
    return rc;
}

