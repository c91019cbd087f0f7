/*
 * test_scale.c — the schema step for large histories (configs,
 * config_params, series, metrics with their run's columns, metrics_find,
 * runs_history): a database made by the schema before it is migrated with
 * its data and views unchanged, and the common queries are served by the
 * indexes the step adds.
 */
#define _GNU_SOURCE /* timegm */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "benchaas/plugin.h"

/* The step that adds configurations: the last built-in one. */
static size_t step_before_configs(void)
{
    size_t n;
    const store_migration *steps = store_migrations(&n);
    for (size_t i = 0; i < n; i++)
        if (strstr(steps[i].sql, "CREATE TABLE configs"))
            return i; /* the number of steps before it */
    return 0;
}

/* Every row of a view or query as text, in a fixed order (malloc'd). */
static char *dump(store *s, const char *what)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT group_concat(x, char(10)) FROM (%s)", what);
    return sql_text(s, sql);
}

/* Runs as the schema before the step stored them (ingest writes the newest schema). */
static const char old_rows[] =
    "INSERT INTO hosts(id, name, cpu_model) VALUES (1, 'node01', 'EPYC'), (2, 'node02', 'Xeon');"
    "INSERT INTO runs(id, uuid, plugin, plugin_version, status, host_id, job_id, ranks, threads,"
    "  started_at, params_json) VALUES"
    " (1, 'a', 'hpl', '1.0.0', 'ok', 1, NULL, 2, 1, '2026-01-01T00:00:00Z',"
    "   '{\"NB\":192,\"pfact\":\"Crout\"}'),"
    " (2, 'b', 'hpl', '1.0.0', 'ok', 2, 77, 2, 1, '2026-01-02T00:00:00Z',"
    "   '{\"NB\":192,\"pfact\":\"Crout\"}'),"
    " (3, 'c', 'hpl', '1.0.0', 'failed', 1, NULL, 2, 1, '2026-01-03T00:00:00Z',"
    "   '{\"NB\":256,\"pfact\":\"Crout\"}'),"
    " (4, 'd', 'stream', '2.0', 'ok', 1, NULL, NULL, NULL, '2026-01-04T00:00:00Z',"
    "   '{\"array_size\":131072}'),"
    " (5, 'e', 'hpl', '1.0.0', 'ok', 1, NULL, 2, 1, '2026-01-05T00:00:00Z',"
    "   '{\"NB\":192,\"pfact\":\"Crout\"}'),"
    " (6, 'f', 'stream', '2.0', 'queued', NULL, 78, NULL, NULL, NULL, '{\"array_size\":131072}');"
    "INSERT INTO params(run_id, name, value, type) VALUES"
    " (1, 'NB', '192', 'int'), (1, 'pfact', 'Crout', 'enum'),"
    " (2, 'NB', '192', 'int'), (2, 'pfact', 'Crout', 'enum'),"
    " (3, 'NB', '256', 'int'), (3, 'pfact', 'Crout', 'enum'),"
    " (4, 'array_size', '131072', 'size'), (5, 'NB', '192', 'int'), (5, 'pfact', 'Crout', 'enum'),"
    " (6, 'array_size', '131072', 'size');"
    "INSERT INTO metrics(run_id, name, seq, value, unit, better) VALUES"
    " (1, 'gflops', 0, 50, 'GFLOP/s', 'higher'), (1, 'time', 1, 2.5, 's', 'lower'),"
    " (2, 'gflops', 0, 52, 'GFLOP/s', 'higher'), (2, 'time', 1, 2.4, 's', 'lower'),"
    " (3, 'gflops', 0, 20, 'GFLOP/s', 'higher'),"
    " (4, 'triad', 0, 20000, 'MB/s', 'higher'), (5, 'gflops', 0, 49, 'GFLOP/s', 'higher');"
    "INSERT INTO samples(run_id, metric, rep, idx, value) VALUES"
    " (4, 'triad', 1, 0, 19900), (4, 'triad', 2, 0, 20100);"
    "INSERT INTO tags(run_id, tag) VALUES (2, 'nightly');"
    "UPDATE runs SET user = 'ada' WHERE id = 2;";

int test_migration_configs(void)
{
    char err[512];
    size_t before = step_before_configs();
    CHECK(before >= 2);
    size_t n;
    const store_migration *steps = store_migrations(&n);
    store *s;
    CHECK(store_open_with(tpath("old.db"), STORE_CREATE, steps, before, &s, err, sizeof err) == 0);
    CHECK(sqlite3_exec(store_db(s), old_rows, NULL, NULL, NULL) == SQLITE_OK);
    static const char *const views[] = {
        "SELECT quote(run_id) || '|' || quote(started_at) || '|' || quote(plugin) || '|' ||"
        " quote(plugin_version) || '|' || quote(status) || '|' || quote(host) || '|' ||"
        " quote(job_id) || '|' || quote(params) || '|' || quote(metric) || '|' || quote(value)"
        " || '|' || quote(unit) || '|' || quote(better) || '|' || quote(user) AS x FROM results"
        " ORDER BY run_id, metric",
        "SELECT quote(run_id) || '|' || quote(metric) || '|' || quote(rep) || '|' || quote(value)"
        " || '|' || quote(unit) || '|' || quote(params) || '|' || quote(host) || '|' ||"
        " quote(status) AS x FROM samples_view ORDER BY run_id, rep",
        "SELECT quote(run_id) || '|' || quote(status) || '|' || quote(host) || '|' ||"
        " quote(params) || '|' || quote(tags) || '|' || quote(started_at) AS x FROM runs_view"
        " ORDER BY run_id",
    };
    char *was[3];
    for (int i = 0; i < 3; i++)
        CHECK((was[i] = dump(s, views[i])) != NULL);
    store_close(s);

    /* opened by this BenchaaS: migrated in place, the views unchanged */
    CHECK(store_open(tpath("old.db"), STORE_READONLY, &s, err, sizeof err) == 0);
    CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
    for (int i = 0; i < 3; i++) {
        char *now = dump(s, views[i]);
        CHECKM(now && strcmp(now, was[i]) == 0, now ? now : "(null)");
        free(now);
        free(was[i]);
    }
    CHECK(sql_int(s, "SELECT count(*) FROM pragma_table_info('results')") == 13);
    /* hpl NB=192 (ranks 2, threads 1), hpl NB=256, stream: three configurations */
    CHECK(sql_int(s, "SELECT count(*) FROM configs") == 3);
    CHECK(sql_int(s, "SELECT count(*) FROM runs WHERE config_id IS NULL") == 0);
    CHECK(sql_int(s, "SELECT count(DISTINCT config_id) FROM runs WHERE id IN (1, 2, 5)") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM config_params") == 5);
    CHECK(sql_int(s, "SELECT count(*) FROM config_params WHERE name = 'array_size'"
                     " AND value = '131072' AND type = 'size'") == 1);
    /* (hpl 192, node01), (hpl 192, node02), (hpl 256, node01), (stream, node01), (stream, none) */
    CHECK(sql_int(s, "SELECT count(*) FROM series") == 5);
    CHECK(sql_int(s, "SELECT count(*) FROM series WHERE host_id = 0") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run_id"
                     " WHERE m.run_plugin IS r.plugin AND m.run_status IS r.status AND"
                     " m.run_started_at IS r.started_at AND m.run_host_id IS r.host_id AND"
                     " m.run_config_id IS r.config_id") == 7);
    /* a join of runs and metrics written for the schema before stays unambiguous */
    CHECK(sql_int(s, "SELECT count(*) FROM runs JOIN metrics m ON m.run_id = runs.id"
                     " WHERE status = 'ok' AND plugin = 'hpl' AND started_at IS NOT NULL") == 5);
    CHECK(sql_int(s, "SELECT count(*) FROM sqlite_schema WHERE name IN ('metrics_find',"
                     " 'runs_history', 'runs_to_metrics') ") == 3);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics WHERE run_job_id = 77 AND"
                     " run_plugin_version = '1.0.0'") == 2);

    /* a run changed in place keeps its metrics in step (the trigger) */
    CHECK(sqlite3_exec(store_db(s), "UPDATE runs SET status = 'failed' WHERE id = 5", NULL, NULL,
                       NULL) == SQLITE_OK);
    CHECK(sql_int(s, "SELECT count(*) FROM results WHERE run_id = 5 AND status = 'failed'") == 1);

    /* a new run of a known configuration joins it */
    cJSON *d = doc_new("g", "hpl", "ok");
    doc_param(d, "NB", "192", "int");
    doc_param(d, "pfact", "Crout", "enum");
    cJSON_ReplaceItemInObject(d, "ranks", cJSON_CreateNumber(2));
    doc_metric(d, "gflops", 51, "GFLOP/s", "higher");
    cJSON_AddTrueToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "metrics"), "gflops"),
                          "headline");
    int64_t id = ingest(s, d);
    cJSON_Delete(d);
    CHECK(id == 7);
    /* its metric row carries both the headline mark (version 4) and the run's copies */
    CHECK(sql_int(s, "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run_id"
                     " WHERE m.run_id = 7 AND m.headline = 1 AND m.run_plugin = 'hpl' AND"
                     " m.run_status = 'ok' AND m.run_config_id = r.config_id AND"
                     " m.run_host_id IS r.host_id AND m.run_started_at IS r.started_at") == 1);
    /* the rows stored before keep headline NULL (their first metric counts) */
    CHECK(sql_int(s, "SELECT count(*) FROM metrics WHERE run_id < 7 AND headline IS NULL") == 7);
    CHECK(sql_int(s, "SELECT count(*) FROM configs") == 3);
    CHECK(sql_int(s, "SELECT config_id FROM runs WHERE id = 7") ==
          sql_int(s, "SELECT config_id FROM runs WHERE id = 1"));
    CHECK(sql_int(s, "SELECT count(*) FROM results WHERE run_id = 7 AND plugin = 'hpl'"
                     " AND host = 'node01' AND params = '{\"NB\":192,\"pfact\":\"Crout\"}'") == 1);
    store_close(s);

    /* the commands read the migrated file: a parameter filter, --latest */
    char *out = NULL, *errout = NULL;
    const char *const q1[] = {"query", "--db", tpath("old.db"), "--param", "NB=192", "--format",
                              "csv", "--metric", "gflops", NULL};
    CHECK(run_query(q1, &out, &errout) == 0);
    /* runs 1, 2, 5, 7 (header + 4 rows) */
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    CHECKM(lines == 5, out);
    free(out);
    free(errout);
    const char *const q2[] = {"query", "--db",      tpath("old.db"), "--latest", "--status",
                              "ok",    "--format", "csv",           "--metric", "gflops",
                              NULL};
    CHECK(run_query(q2, &out, &errout) == 0);
    /* newest ok run per configuration and host: 7 (hpl 192 node01), 2 (node02) */
    CHECKM(strstr(out, "\n2,") && strstr(out, "\n7,") && !strstr(out, "\n1,") &&
               !strstr(out, "\n5,"),
           out);
    free(out);
    free(errout);
    return 0;
}

/* Query plans: the common filters are answered by the new indexes, not by scans of runs. */
int test_scale_plans(void)
{
    store *s = open_db("p.db");
    CHECK(s);
    for (int i = 0; i < 20; i++) {
        char uuid[16];
        snprintf(uuid, sizeof uuid, "p%d", i);
        cJSON *d = doc_new(uuid, i % 2 ? "hpl" : "stream", "ok");
        doc_param(d, "NB", i % 4 < 2 ? "128" : "192", "int");
        doc_metric(d, "gflops", 40 + i, "GFLOP/s", "higher");
        CHECK(ingest(s, d) > 0);
        cJSON_Delete(d);
    }
    static const struct {
        const char *sql, *want;
    } plans[] = {
        {"SELECT value FROM results WHERE plugin = 'hpl' AND metric = 'gflops' AND"
         " status = 'ok' AND started_at >= '2026-01-01'",
         "COVERING INDEX metrics_find"},
        {"SELECT json_extract(params, '$.NB'), avg(value) FROM results WHERE plugin = 'hpl'"
         " AND metric = 'gflops' GROUP BY 1",
         "COVERING INDEX metrics_find"},
        /* query --latest, check: the newest run of each configuration and host */
        {"SELECT (SELECT r.id FROM runs r WHERE r.config_id = k.config_id AND"
         " r.host_id IS nullif(k.host_id, 0) AND r.status IN ('ok')"
         " ORDER BY r.started_at DESC LIMIT 1) FROM series k",
         "runs_history"},
        /* check's history of a configuration on a host class */
        {"SELECT r.id FROM runs r LEFT JOIN hosts h ON h.id = r.host_id WHERE r.config_id ="
         " (SELECT c.id FROM configs c WHERE c.plugin = 'hpl' AND c.params_json = '{}'"
         " AND coalesce(c.ranks, -1) = 1 AND coalesce(c.threads, -1) = 1)"
         " AND r.status = 'ok' AND r.started_at < '2027' AND h.cpu_model IS 'x'"
         " ORDER BY r.started_at DESC LIMIT 20",
         "INDEX runs_history (config_id=? AND started_at<?)"},
    };
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        char sql[1024];
        sqlite3_stmt *st;
        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", plans[i].sql);
        CHECK(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK);
        char all[2048] = "";
        while (sqlite3_step(st) == SQLITE_ROW) {
            size_t l = strlen(all);
            snprintf(all + l, sizeof all - l, "%s; ", (const char *)sqlite3_column_text(st, 3));
        }
        sqlite3_finalize(st);
        CHECKM(strstr(all, plans[i].want) != NULL, all);
    }
    store_close(s);
    return 0;
}

/* ---- schema 6: the kinds of metric, and the passes that read by kind ------------- */

#include <math.h>
#include <time.h>

#include "analyze.h"
#include "query.h"
#include "stats.h"
#include "report.h"

/* The number of metric_kinds rows (plugin, name, better). */
static int64_t kinds(store *s, const char *plugin, const char *name, const char *better)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM metric_kinds WHERE plugin = '%s' AND name = '%s' AND"
             " better = '%s'",
             plugin, name, better);
    return sql_int(s, sql);
}

/* A document whose second sample of `metric` repeats the first's key: refused after its
 * run and metrics are written (what stored them must be taken back). */
static cJSON *doc_refused_late(const char *uuid, const char *metric, double value)
{
    cJSON *d = doc_new(uuid, "hpl", "ok");
    doc_metric(d, metric, value, "", "lower");
    cJSON *list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(d, "samples"), metric);
    for (int i = 0; i < 2; i++) {
        cJSON *triple = cJSON_CreateArray();
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(1));
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(0));
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(value));
        cJSON_AddItemToArray(list, triple);
    }
    return d;
}

/* A database of the schema before metric_kinds is migrated to it; ingest keeps it, also
 * across a rolled-back ingest (the connection's memory of stored kinds is dropped). */
int test_metric_kinds(void)
{
    char err[512];
    size_t n;
    const store_migration *steps = store_migrations(&n);
    size_t k = 0; /* the step that makes metric_kinds */
    while (k < n && !strstr(steps[k].sql, "CREATE TABLE metric_kinds"))
        k++;
    CHECK(k >= 2 && k < n);
    store *s;
    CHECK(store_open_with(tpath("k.db"), STORE_CREATE, steps, k, &s, err, sizeof err) == 0);
    cJSON *d = doc_new("k1", "hpl", "ok");
    doc_metric(d, "gflops", 50, "GFLOP/s", "higher");
    doc_metric(d, "time", 2, "s", "lower");
    CHECK(ingest(s, d) > 0);
    cJSON_Delete(d);
    d = doc_new("k2", "stream", "ok");
    doc_metric(d, "time", 1, "s", "none");
    CHECK(ingest(s, d) > 0);
    cJSON_Delete(d);
    CHECK(sql_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'metric_kinds'") == 0);
    store_close(s);

    CHECK(store_open(tpath("k.db"), STORE_READONLY, &s, err, sizeof err) == 0);
    CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
    CHECK(sql_int(s, "SELECT count(*) FROM metric_kinds") == 3);
    CHECK(sql_int(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND"
                     " name = 'samples_metric'") == 1);
    CHECK(kinds(s, "hpl", "gflops", "higher") == 1 && kinds(s, "hpl", "time", "lower") == 1 &&
          kinds(s, "stream", "time", "none") == 1);

    /* a new kind in a document that fails after its metrics are stored (a sample named
       twice): rolled back, and stored by the next document that has it */
    d = doc_refused_late("k3", "residual", 0.001);
    int64_t id;
    CHECK(store_ingest(s, d, &id, err, sizeof err) != 0);
    cJSON_Delete(d);
    CHECK(kinds(s, "hpl", "residual", "lower") == 0);
    d = doc_new("k4", "hpl", "ok");
    doc_metric(d, "residual", 0.002, "", "lower");
    CHECK(ingest(s, d) > 0);
    cJSON_Delete(d);
    CHECK(kinds(s, "hpl", "residual", "lower") == 1);
    /* a kind already stored is not stored twice */
    d = doc_new("k5", "hpl", "ok");
    doc_metric(d, "residual", 0.003, "", "lower");
    CHECK(ingest(s, d) > 0);
    cJSON_Delete(d);
    CHECK(sql_int(s, "SELECT count(*) FROM metric_kinds") == 4);
    store_close(s);
    return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The same entries, runs and values (in any order) in two sets; b's histories in time order
   when `in_time`. */
static int same_sets(const aset *a, const aset *b, int in_time)
{
    CHECK(a->n == b->n && a->nruns == b->nruns);
    for (size_t i = 0; i < a->n; i++) {
        const aentry *x = a->e[i], *y = aset_find(b, x->key);
        CHECKM(y != NULL, x->key);
        CHECKM(x->nruns == y->nruns && x->values.n == y->values.n && x->times.n == y->times.n,
               x->key);
        CHECK(strcmp(x->unit ? x->unit : "", y->unit ? y->unit : "") == 0);
        CHECK(strcmp(x->better ? x->better : "", y->better ? y->better : "") == 0);
        CHECK(x->seq == y->seq && x->headline == y->headline && x->host_id == y->host_id);
        CHECK(x->first_run == y->first_run && x->last_run == y->last_run);
        CHECK(strcmp(x->first_started ? x->first_started : "",
                     y->first_started ? y->first_started : "") == 0);
        size_t nv = x->values.n;
        double *u = malloc((nv + 1) * sizeof *u), *v = malloc((nv + 1) * sizeof *v);
        CHECK(u && v);
        memcpy(u, x->values.v, nv * sizeof *u);
        memcpy(v, y->values.v, nv * sizeof *v);
        qsort(u, nv, sizeof *u, cmp_dbl);
        qsort(v, nv, sizeof *v, cmp_dbl);
        int same = memcmp(u, v, nv * sizeof *u) == 0;
        free(u);
        free(v);
        CHECKM(same, x->key);
        /* the series pass keeps a history of one status in time order */
        for (size_t k = 1; in_time && k < b->e[i]->times.n; k++)
            CHECK(b->e[i]->times.v[k - 1] <= b->e[i]->times.v[k]);
    }
    return 0;
}

/* The same entries in the same order, with the same values and times in the same order. */
static int identical_sets(const aset *a, const aset *b)
{
    CHECK(a->n == b->n && a->nruns == b->nruns);
    for (size_t i = 0; i < a->n; i++) {
        const aentry *x = a->e[i], *y = b->e[i];
        CHECKM(strcmp(x->key, y->key) == 0, x->key);
        CHECKM(x->nruns == y->nruns && x->values.n == y->values.n && x->times.n == y->times.n,
               x->key);
        CHECKM(!x->values.n || memcmp(x->values.v, y->values.v, x->values.n * sizeof(double)) == 0,
               x->key);
        CHECKM(!x->times.n || memcmp(x->times.v, y->times.v, x->times.n * sizeof(double)) == 0,
               x->key);
        CHECKM(x->first_run == y->first_run && x->last_run == y->last_run, x->key);
        CHECKM(!x->first_started == !y->first_started &&
                   (!x->first_started || strcmp(x->first_started, y->first_started) == 0),
               x->key);
    }
    return 0;
}

/*
 * The report's series pass (a range of metrics_find per directional metric and plugin of
 * metric_kinds) reads the same entries and values as the run-by-run load, for filters of
 * plugin, status, host and time; a metric that is directional in one plugin and not in
 * another, one stored with and without a direction by the same plugin, a value that is not
 * a number, runs without a host.
 */
int test_series_pass(void)
{
    store *s = open_db("sp.db");
    CHECK(s);
    static const char *const statuses[] = {"ok", "ok", "ok", "failed"};
    for (int i = 0; i < 240; i++) {
        char uuid[16], host[16], when[32], nb[8];
        snprintf(uuid, sizeof uuid, "sp%d", i);
        cJSON *d = doc_new(uuid, i % 3 ? "hpl" : "stream", statuses[i % 4]);
        snprintf(host, sizeof host, "node%02d", i % 5);
        doc_str(d, "host", i % 17 == 0 ? NULL : host);
        /* times not in id order: two interleaved histories */
        snprintf(when, sizeof when, "2026-%02d-%02dT%02d:00:00Z", 1 + (i % 2) * 5 + i / 60,
                 1 + i % 28, i % 24);
        doc_str(d, "started_at", when);
        snprintf(nb, sizeof nb, "%d", 128 + 64 * (i % 3));
        doc_param(d, "NB", nb, "int");
        if (i % 3) {
            doc_metric(d, "gflops", 40 + (i * 7) % 13, "GFLOP/s", "higher");
            /* now and then stored as no direction (an older plugin): the pair is then tested
               row by row */
            doc_metric(d, "time", 2 + (i % 5) * 0.1, "s", i % 7 == 1 ? "none" : "lower");
        } else {
            doc_metric(d, "triad", 20000 + (i * 31) % 977, "MB/s", "higher");
            doc_metric(d, "time", 1, "s", "none");
        }
        doc_metric(d, "wall_time", 30, "s", "none");
        /* kinds enough for the reader thread to run ahead of the main thread and wait */
        for (int x = 0; x < 6 && i % 3; x++) {
            char xname[16];
            snprintf(xname, sizeof xname, "extra%d", x);
            doc_metric(d, xname, (i * (x + 3)) % 11, "", x % 2 ? "lower" : "higher");
        }
        if (i % 29 == 0) /* no number (a NaN of the plugin): stored as NULL */
            cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "metrics"),
                                                          i % 3 ? "gflops" : "triad"),
                                      "value", cJSON_CreateNull());
        CHECK(ingest(s, d) > 0);
        cJSON_Delete(d);
    }
    static const char *const filters[][2] = {
        {"--status", "ok"},   {"--plugin", "hpl"},           {"--host", "node03"},
        {"--since", "2026-06-01"}, {"--status", "failed"}, {"--until", "2026-03-01"},
    };
    int flags = ASET_PER_HOST | ASET_TIMES | ASET_DIRECTIONAL;
    for (size_t i = 0; i <= sizeof filters / sizeof filters[0]; i++) {
        qfilter f = {0};
        f.cmd = "report";
        f.db = tpath("sp.db");
        if (i < sizeof filters / sizeof filters[0])
            CHECK(qfilter_option(&f, filters[i][0], filters[i][1]) == 0);
        aset by_run, by_kind;
        CHECK(aset_load(s, &f, flags, &by_run) == 0);
        CHECK(aset_load(s, &f, flags | ASET_SERIES, &by_kind) == 0);
        CHECK(by_run.n > 0);
        int rc = same_sets(&by_run, &by_kind, f.statuses.n == 1);
        /* with a twin connection (report): a reader thread, and exactly the same result */
        aset threaded;
        char err[256];
        CHECK(store_open_twins(s, 1, err, sizeof err) == 0 && store_twin(s, 0));
        CHECK(aset_load(s, &f, flags | ASET_SERIES, &threaded) == 0);
        sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL);
        store_twins_close(s);
        rc |= identical_sets(&by_kind, &threaded);
        aset_free(&threaded);
        aset_free(&by_run);
        aset_free(&by_kind);
        qfilter_free(&f);
        if (rc) {
            fprintf(stderr, "filter %zu differs\n", i);
            return 1;
        }
    }
    store_close(s);
    return 0;
}

/* The percentile by selection is the percentile of the sorted array; the sort sorts. */
int test_stats_select(void)
{
    static const double ps[] = {0, 5, 25, 50, 50.5, 75, 95, 99.9, 100};
    uint64_t x = 88172645463325252ull;
    for (size_t n = 1; n < 3000; n = n * 3 / 2 + 1) {
        double *v = malloc(n * sizeof *v), *sorted = malloc(n * sizeof *v);
        double *w = malloc(n * sizeof *v);
        CHECK(v && sorted && w);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* many equal values, some negative, an ascending run */
            v[i] = i % 7 == 0 ? (double)i : (double)(int64_t)(x % 41) - 20;
        }
        memcpy(sorted, v, n * sizeof *v);
        qsort(sorted, n, sizeof *sorted, cmp_dbl);
        memcpy(w, v, n * sizeof *v);
        stats_sort(w, n);
        CHECK(memcmp(w, sorted, n * sizeof *w) == 0);
        for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
            memcpy(w, v, n * sizeof *v);
            double want = stats_pct_sorted(sorted, n, ps[k]), got = stats_pct_select(w, n, ps[k]);
            CHECKM(want == got, "percentile by selection");
        }
        free(v);
        free(sorted);
        free(w);
    }
    CHECK(isnan(stats_pct_select(NULL, 0, 50)));
    return 0;
}

/* Times are parsed as timegm counts them, every day of four centuries. */
int test_time_days(void)
{
    char buf[40];
    for (int y = 1899; y <= 2301; y++)
        for (int mo = 1; mo <= 12; mo++)
            for (int day = 1; day <= 31; day++) {
                snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, day, day % 24,
                         (day * 7) % 60, (mo * day) % 60);
                struct tm tm = {0};
                tm.tm_year = y - 1900;
                tm.tm_mon = mo - 1;
                tm.tm_mday = day;
                tm.tm_hour = day % 24;
                tm.tm_min = (day * 7) % 60;
                tm.tm_sec = (mo * day) % 60;
                time_t t = timegm(&tm);
                int valid = tm.tm_mday == day && tm.tm_mon == mo - 1;
                int64_t e = 0;
                int rc = store_time_parse(buf, &e, NULL);
                CHECKM(valid ? rc == 0 && e == (int64_t)t : rc != 0, buf);
            }
    return 0;
}

/* ---- batches (group commit) --------------------------------------------------------- */

/* Ingest a document of one metric; the run id, or -1 (printed). */
static int64_t ingest_metric(store *s, const char *uuid, const char *plugin, const char *metric,
                             double value, const char *unit, const char *better)
{
    cJSON *d = doc_new(uuid, plugin, "ok");
    doc_metric(d, metric, value, unit, better);
    int64_t id = ingest(s, d);
    cJSON_Delete(d);
    return id;
}

/*
 * store_batch_*: the runs of a batch are visible to another connection only after the
 * commit; a document refused inside a batch takes back only its own rows; a rolled-back
 * batch leaves nothing (not even a metric kind the connection remembers); a second begin
 * is refused; an ingest outside a batch is its own transaction again.
 */
int test_batch_ingest(void)
{
    char err[512];
    store *s = open_db("b.db"), *other;
    CHECK(s != NULL);
    CHECK(store_open(tpath("b.db"), STORE_READONLY, &other, err, sizeof err) == 0);
    CHECK(sql_int(s, "PRAGMA foreign_keys") == 1);
    CHECK(store_batch_begin(s, err, sizeof err) == 0);
    CHECK(sql_int(s, "PRAGMA foreign_keys") == 0); /* (not enforced inside a batch) */
    CHECK(store_batch_begin(s, err, sizeof err) == BX_EINVAL);
    CHECK(ingest_metric(s, "b1", "hpl", "gflops", 50, "GFLOP/s", "higher") > 0);
    cJSON *d = doc_refused_late("b2", "fresh_kind", 1);
    int64_t id;
    CHECK(store_ingest(s, d, &id, err, sizeof err) == BX_EINVAL);
    cJSON_Delete(d);
    CHECK(ingest_metric(s, "b3", "stream", "triad", 9, "MB/s", "higher") > 0);
    /* not committed yet: the other connection sees nothing */
    CHECK(sql_int(other, "SELECT count(*) FROM runs") == 0);
    CHECK(store_batch_commit(s, err, sizeof err) == 0);
    CHECK(sql_int(s, "PRAGMA foreign_keys") == 1); /* enforced again after it */
    CHECK(sql_int(other, "SELECT count(*) FROM runs") == 2);
    CHECK(sql_int(other, "SELECT count(*) FROM runs WHERE uuid = 'b2'") == 0);
    /* every row the batch wrote refers to a row that is there */
    CHECK(sql_int(s, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
    CHECK(sql_int(other, "SELECT count(*) FROM metrics") == 2);
    CHECK(sql_int(other, "SELECT count(*) FROM samples") == 0);
    CHECK(kinds(other, "hpl", "fresh_kind", "lower") == 0);
    CHECK(kinds(other, "hpl", "gflops", "higher") == 1);
    /* the same document again in a later batch: still one run (idempotent) */
    CHECK(store_batch_begin(s, err, sizeof err) == 0);
    CHECK(ingest_metric(s, "b1", "hpl", "gflops", 50, "GFLOP/s", "higher") > 0);
    /* a batch rolled back: nothing of it stays, and its new kind is stored later */
    CHECK(ingest_metric(s, "b4", "hpl", "fresh_kind", 2, "", "lower") > 0);
    store_batch_rollback(s);
    CHECK(sql_int(s, "PRAGMA foreign_keys") == 1);
    CHECK(sql_int(other, "SELECT count(*) FROM runs") == 2);
    CHECK(store_batch_commit(s, err, sizeof err) == 0); /* no batch: nothing to do */
    /* outside a batch: committed at once */
    CHECK(ingest_metric(s, "b5", "hpl", "fresh_kind", 3, "", "lower") > 0);
    CHECK(sql_int(other, "SELECT count(*) FROM runs") == 3);
    CHECK(kinds(other, "hpl", "fresh_kind", "lower") == 1);
    CHECK(sql_int(other, "SELECT count(*) FROM runs WHERE uuid = 'b1'") == 1);
    store_close(other);
    store_close(s);
    return 0;
}

/*
 * store_open_twins: two twins read the snapshot of s (a run stored after they opened is
 * seen by none of them); it is refused, leaving s as it was, while another connection
 * holds the write lock, inside a transaction, and with BENCHAAS_THREADS=1.
 */
int test_twins(void)
{
    char err[512];
    store *s = open_db("t.db"), *writer;
    CHECK(s != NULL);
    CHECK(ingest_metric(s, "t1", "hpl", "gflops", 50, "GFLOP/s", "higher") > 0);
    CHECK(store_open(tpath("t.db"), STORE_READONLY, &writer, err, sizeof err) == 0);
    CHECK(store_open_twins(s, 2, err, sizeof err) == 0);
    CHECK(store_twin(s, 0) && store_twin(s, 1) && !store_twin(s, 2));
    CHECK(ingest_metric(writer, "t2", "hpl", "gflops", 51, "GFLOP/s", "higher") > 0);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 1);
    CHECK(sql_int(store_twin(s, 0), "SELECT count(*) FROM runs") == 1);
    CHECK(sql_int(store_twin(s, 1), "SELECT count(*) FROM runs") == 1);
    CHECK(store_open_twins(s, 1, err, sizeof err) == BX_EINVAL); /* already open */
    sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL);
    store_twins_close(s);
    CHECK(!store_twin(s, 0));
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 2);

    /* a writer holds the lock: refused after a moment, s untouched */
    CHECK(sqlite3_exec(store_db(writer), "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(store_open_twins(s, 1, err, sizeof err) == BX_EIO);
    CHECKM(strstr(err, "locked") != NULL, err);
    CHECK(!store_twin(s, 0) && sqlite3_get_autocommit(store_db(s)));
    sqlite3_exec(store_db(writer), "ROLLBACK", NULL, NULL, NULL);

    /* one thread asked */
    setenv("BENCHAAS_THREADS", "1", 1);
    CHECK(store_open_twins(s, 1, err, sizeof err) == BX_EINVAL);
    CHECK(!store_twin(s, 0) && sqlite3_get_autocommit(store_db(s)));
    unsetenv("BENCHAAS_THREADS");
    CHECK(store_open_twins(s, 1, err, sizeof err) == 0);
    sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL);
    store_close(writer);
    store_close(s); /* closes the twin too */
    return 0;
}

/* Does the statement compile to a temporary b-tree (OpenEphemeral) on connection db? */
static int uses_ephemeral(sqlite3 *db, const char *sql)
{
    char explain[512];
    snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, explain, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int found = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        found |= sqlite3_column_text(st, 1) &&
                 strcmp((const char *)sqlite3_column_text(st, 1), "OpenEphemeral") == 0;
    sqlite3_finalize(st);
    return found;
}

/*
 * Version 7: a database of version 6, with runs in it, gets CHECK constraints
 * without IN lists: the same rows in the views, the same values refused, and
 * an insert that builds no temporary b-tree, on the connection that migrated
 * and on one that had read the old schema before (the schema cookie changed).
 */
int test_migration_checks(void)
{
    char err[512];
    size_t n;
    const store_migration *steps = store_migrations(&n);
    size_t k = 0; /* the step that rewrites the checks */
    while (k < n && !strstr(steps[k].sql, "writable_schema"))
        k++;
    CHECK(k >= 6 && k < n);
    store *s;
    CHECK(store_open_with(tpath("c.db"), STORE_CREATE, steps, k, &s, err, sizeof err) == 0);
    for (int i = 0; i < 5; i++) {
        char uuid[16];
        snprintf(uuid, sizeof uuid, "c%d", i);
        cJSON *d = doc_new(uuid, i % 2 ? "stream" : "hpl", i == 3 ? "failed" : "ok");
        doc_metric(d, "gflops", 50 + i, "GFLOP/s", "higher");
        doc_metric(d, "time", 2, "s", "lower");
        CHECK(ingest(s, d) > 0);
        cJSON_Delete(d);
    }
    static const char ins[] = "INSERT INTO metrics(run_id, name, seq, value, unit, better)"
                              " VALUES (1, 'x', 9, 1, '', 'none')";
    CHECK(uses_ephemeral(store_db(s), ins) == 1); /* what version 6 did for every row */
    const char *view = "SELECT quote(run_id) || '|' || quote(status) || '|' || quote(metric) ||"
                       " '|' || quote(value) || '|' || quote(better) AS x FROM results"
                       " ORDER BY run_id, metric";
    char *was = dump(s, view);
    CHECK(was && strlen(was) > 20);
    store_close(s);

    /* another connection that has read the old schema */
    sqlite3 *other;
    CHECK(sqlite3_open(tpath("c.db"), &other) == SQLITE_OK);
    CHECK(uses_ephemeral(other, ins) == 1);

    CHECK(store_open(tpath("c.db"), STORE_CREATE, &s, err, sizeof err) == 0);
    CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
    CHECK(uses_ephemeral(store_db(s), ins) == 0);
    /* (the other connection reads the schema again at its next statement) */
    CHECK(sqlite3_exec(other, "SELECT count(*) FROM runs", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(uses_ephemeral(other, ins) == 0);
    CHECK(uses_ephemeral(store_db(s), "INSERT INTO runs(uuid, plugin, status) VALUES ('z', 'p',"
                                      " 'ok')") == 0);
    CHECK(sql_int(s, "SELECT count(*) FROM sqlite_schema WHERE name IN ('runs', 'metrics') AND"
                     " sql LIKE '%CHECK (%' AND sql NOT LIKE '% IN (%'") == 2);
    char *now = dump(s, view);
    CHECKM(now && strcmp(now, was) == 0, now ? now : "(null)");
    free(now);
    free(was);
    /* the same values refused, the same allowed */
    CHECK(sqlite3_exec(store_db(s), "UPDATE runs SET status = 'great' WHERE id = 1", NULL, NULL,
                       NULL) == SQLITE_CONSTRAINT_CHECK);
    CHECK(sqlite3_exec(store_db(s), "UPDATE metrics SET better = 'more' WHERE run_id = 1", NULL,
                       NULL, NULL) == SQLITE_CONSTRAINT_CHECK);
    CHECK(sqlite3_exec(store_db(s), "UPDATE runs SET status = 'interrupted' WHERE id = 1; "
                                    "UPDATE metrics SET better = 'none' WHERE run_id = 1",
                       NULL, NULL, NULL) == SQLITE_OK);
    char *ic = sql_text(s, "PRAGMA integrity_check");
    CHECKM(ic && strcmp(ic, "ok") == 0, ic ? ic : "(null)");
    free(ic);
    store_close(s);
    sqlite3_close(other);
    return 0;
}

/*
 * A batch that fills the database (PRAGMA max_page_count, as a full disk would): the
 * ingest that hits it fails with SQLite's message, the batch leaves nothing behind and
 * foreign keys are checked again, and once there is room the same documents go in.
 */
int test_batch_full(void)
{
    char err[512];
    store *s = open_db("full.db");
    CHECK(s != NULL);
    CHECK(ingest_metric(s, "f0", "hpl", "gflops", 50, "GFLOP/s", "higher") > 0);
    int64_t pages = sql_int(s, "PRAGMA page_count");
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %lld", (long long)pages + 8);
    CHECK(sqlite3_exec(store_db(s), pragma, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(store_batch_begin(s, err, sizeof err) == 0);
    int rc = 0, i;
    for (i = 1; i <= 400 && rc == 0; i++) {
        cJSON *d = doc_new("", "hpl", "ok");
        char uuid[16], name[16];
        snprintf(uuid, sizeof uuid, "f%d", i);
        cJSON_ReplaceItemInObject(d, "uuid", cJSON_CreateString(uuid));
        for (int m = 0; m < 20; m++) {
            snprintf(name, sizeof name, "metric%02d", m);
            doc_metric(d, name, i + m, "s", "lower");
        }
        int64_t id;
        rc = store_ingest(s, d, &id, err, sizeof err);
        cJSON_Delete(d);
    }
    CHECKM(rc == BX_EIO && strstr(err, "full"), err);
    CHECK(i > 4); /* (some runs of the batch went in before) */
    store_batch_rollback(s);
    CHECK(sql_int(s, "PRAGMA foreign_keys") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics") == 1);
    CHECK(sqlite3_exec(store_db(s), "PRAGMA max_page_count = 1000000", NULL, NULL, NULL) ==
          SQLITE_OK);
    CHECK(store_batch_begin(s, err, sizeof err) == 0);
    for (int k = 1; k < i; k++) {
        char uuid[16];
        snprintf(uuid, sizeof uuid, "f%d", k);
        CHECK(ingest_metric(s, uuid, "hpl", "gflops", k, "GFLOP/s", "higher") > 0);
    }
    CHECK(store_batch_commit(s, err, sizeof err) == 0);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == i);
    CHECK(sql_int(s, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
    store_close(s);
    return 0;
}

/*
 * store_stmt: one statement per SQL string, prepared once, handed back reset with its
 * bindings cleared, finalised by store_close (the sanitizer build's leak check); and
 * store_serial, a number of each connection's own.
 * Fails if a call prepares again (another statement), if a statement comes back in the
 * middle of its rows or with the last call's binding, if a refused SQL is kept, or if a
 * connection opened again gets the serial of the one before.
 */
int test_kept_stmt(void)
{
    store *s = open_db("k.db");
    CHECK(s != NULL);
    CHECK(ingest_metric(s, "k1", "hpl", "gflops", 50, "GFLOP/s", "higher") > 0);
    CHECK(ingest_metric(s, "k2", "hpl", "gflops", 51, "GFLOP/s", "higher") > 0);
    static const char q[] = "SELECT count(*) FROM runs WHERE ?1 IS NULL OR uuid = ?1";
    static const char ids[] = "SELECT id FROM runs ORDER BY id";
    sqlite3_stmt *a = store_stmt(s, q);
    CHECK(a != NULL);
    sqlite3_bind_text(a, 1, "k1", -1, SQLITE_STATIC);
    CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 1);
    sqlite3_stmt *b = store_stmt(s, ids);
    CHECK(b != NULL && b != a);
    CHECK(sqlite3_step(b) == SQLITE_ROW && sqlite3_column_int(b, 0) == 1); /* left mid-rows */
    CHECK(store_stmt(s, q) == a);
    CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 2); /* binding cleared */
    CHECK(store_stmt(s, ids) == b);
    CHECK(sqlite3_step(b) == SQLITE_ROW && sqlite3_column_int(b, 0) == 1); /* from the start */
    CHECK(store_stmt(s, "SELECT no_such_column FROM runs") == NULL);
    CHECK(store_stmt(s, "SELECT no_such_column FROM runs") == NULL);
    /* a connection's serial is its own, even for the same file opened again */
    uint64_t first = store_serial(s);
    store_close(s);
    s = open_db("k.db");
    CHECK(s != NULL && first != 0 && store_serial(s) != 0 && store_serial(s) != first);
    store_close(s);
    return 0;
}

/* ---- the points of every series (version 9) ------------------------------------------ */

/* Run i of the points test: two plugins, hosts (one run in 17 without), times not in id
   order, a value that is not a number now and then, a metric stored with and without a
   direction; `late` runs start before every earlier one. */
static cJSON *points_doc(int i, int late)
{
    char uuid[16], host[16], when[32];
    snprintf(uuid, sizeof uuid, "%s%d", late ? "pl" : "p", i);
    cJSON *d = doc_new(uuid, i % 3 ? "hpl" : "stream", i % 4 == 3 ? "failed" : "ok");
    snprintf(host, sizeof host, "node%02d", i % 3);
    doc_str(d, "host", i % 17 == 0 ? NULL : host);
    snprintf(when, sizeof when, "%d-%02d-%02dT%02d:00:00Z", late ? 2020 : 2026,
             1 + (i % 2) * 5 + (i / 60) % 6, 1 + i % 28, i % 24);
    doc_str(d, "started_at", when);
    doc_param(d, "NB", i % 2 ? "128" : "192", "int");
    doc_metric(d, i % 3 ? "gflops" : "triad", 40 + (i * 7) % 13, "GFLOP/s", "higher");
    doc_metric(d, "time", 2 + (i % 5) * 0.1, "s", i % 7 == 1 ? "none" : "lower");
    doc_metric(d, "wall_time", 30, "s", "none");
    if (i % 29 == 0)
        cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "metrics"),
                                                      i % 3 ? "gflops" : "triad"),
                                  "value", cJSON_CreateNull());
    return d;
}

/* The series pass from the points and from the metric rows (BENCHAAS_TEST_NO_POINTS):
   exactly the same, for one status and for two. */
static int points_same_as_rows(store *s, const char *db)
{
    static const char *const statuses[] = {"ok", "failed", NULL};
    int flags = ASET_PER_HOST | ASET_TIMES | ASET_DIRECTIONAL | ASET_SERIES;
    for (int i = 0; i < 3; i++) {
        qfilter f = {0};
        f.cmd = "report";
        f.db = db;
        CHECK(qfilter_option(&f, "--status", statuses[i] ? statuses[i] : "ok") == 0);
        if (!statuses[i])
            CHECK(qfilter_option(&f, "--status", "failed") == 0);
        aset pts, rows;
        CHECK(aset_load(s, &f, flags, &pts) == 0);
        setenv("BENCHAAS_TEST_NO_POINTS", "1", 1);
        int rc = aset_load(s, &f, flags, &rows);
        unsetenv("BENCHAAS_TEST_NO_POINTS");
        CHECK(rc == 0 && pts.n > 0);
        rc = identical_sets(&rows, &pts);
        aset_free(&pts);
        aset_free(&rows);
        qfilter_free(&f);
        CHECKM(rc == 0, statuses[i] ? statuses[i] : "ok,failed");
    }
    return 0;
}

/* Every series whole: none stale, and as many points as higher/lower-is-better rows. */
static int points_whole(store *s)
{
    CHECK(sql_int(s, "SELECT count(*) FROM series_stale") == 0);
    int64_t rows = sql_int(s, "SELECT count(*) FROM metrics WHERE better IN ('higher', 'lower')");
    CHECK(rows > 0);
    CHECK(sql_int(s, "SELECT sum(n) FROM series_points") == rows);
    CHECK(sql_int(s, "SELECT sum(length(data)) FROM series_points") == rows * STORE_POINT_BYTES);
    return 0;
}

/* The report of a database, from its summary on (the header has the file and the time). */
static char *report_body(store *s, const char *db)
{
    qfilter f = {0};
    f.cmd = "report";
    f.db = db;
    report_opts o = {0};
    o.max_runs = 20;
    o.max_timelines = 2;
    char *buf = NULL, err[256];
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return NULL;
    int rc = report_render_html(out, s, &f, &o, err, sizeof err);
    fclose(out);
    qfilter_free(&f);
    char *body = rc == 0 && buf ? strstr(buf, "</header>") : NULL;
    char *copy = body ? strdup(body) : NULL;
    free(buf);
    return copy;
}

/*
 * Version 9: a database of version 8 migrated holds the points of every
 * series, and gives the same series pass (exactly, as the metric rows give
 * it) and the same report as one built new from the same documents; ingest
 * keeps them whole after that, runs older than the series' last point and
 * chunks that fill up included; a metric row deleted or changed by hand marks
 * its series stale (the pass then reads the rows), and the next ingest into it
 * builds it again, and so does store_points_rebuild (a row added by hand and
 * marked stale as docs/database.md says).
 * Mutations: ingest not adding a run's points (store__points_add) fails
 * points_whole; the migration not building them (POINTS_VERSION) fails it
 * after the migration; an older run appended at the end (chunk_insert not
 * used) fails points_same_as_rows; kind_points ignoring series_stale fails it
 * after the hand edits; a trigger that marks nothing fails the count of stale
 * series.
 */
int test_series_points(void)
{
    char err[512];
    size_t n;
    const store_migration *steps = store_migrations(&n);
    CHECK(n >= 9 && steps[8].version == 9 && strstr(steps[8].sql, "series_points"));
    store *old, *fresh;
    CHECK(store_open_with(tpath("old.db"), STORE_CREATE, steps, 8, &old, err, sizeof err) == 0);
    CHECK(store_schema_version(old) == 8);
    fresh = open_db("new.db");
    CHECK(fresh);
    for (int i = 0; i < 200; i++) {
        cJSON *d = points_doc(i, 0);
        CHECK(ingest(old, d) > 0 && ingest(fresh, d) > 0);
        cJSON_Delete(d);
    }
    store_close(old);
    CHECK(store_open(tpath("old.db"), STORE_CREATE, &old, err, sizeof err) == 0);
    CHECK(store_schema_version(old) == STORE_SCHEMA_VERSION);
    CHECK(points_whole(old) == 0 && points_whole(fresh) == 0);
    CHECK(points_same_as_rows(old, tpath("old.db")) == 0);
    char *a = report_body(old, tpath("old.db")), *b = report_body(fresh, tpath("new.db"));
    CHECK(a && b && strlen(a) > 1000);
    CHECKM(strcmp(a, b) == 0, "the migrated database's report differs from the new one's");
    free(a);
    free(b);
    store_close(old);

    /* ingest: runs older than every point, and enough to fill chunks, in one batch */
    CHECK(store_batch_begin(fresh, err, sizeof err) == 0);
    for (int i = 0; i < 3 * STORE_POINTS_CHUNK; i++) { /* (12 * i: most in one series) */
        cJSON *d = points_doc(12 * i, i % 2);
        char uuid[16];
        snprintf(uuid, sizeof uuid, "more%d", i);
        cJSON_ReplaceItemInObject(d, "uuid", cJSON_CreateString(uuid));
        CHECK(ingest(fresh, d) > 0);
        cJSON_Delete(d);
    }
    CHECK(store_batch_commit(fresh, err, sizeof err) == 0);
    CHECK(sql_int(fresh, "SELECT max(n) FROM series_points") >= STORE_POINTS_CHUNK);
    CHECK(sql_int(fresh, "SELECT count(*) FROM series_points WHERE chunk > 0") > 0);
    CHECK(points_whole(fresh) == 0);
    CHECK(points_same_as_rows(fresh, tpath("new.db")) == 0);

    /* by hand: a row deleted, a value changed; then one added */
    CHECK(sqlite3_exec(store_db(fresh),
                       "DELETE FROM metrics WHERE (run_id, name) IN"
                       " (SELECT run_id, name FROM metrics WHERE"
                       " name = 'gflops' AND run_status = 'ok' LIMIT 1);"
                       "UPDATE metrics SET value = value + 1 WHERE name = 'time' AND run_id = 5;",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sql_int(fresh, "SELECT count(*) FROM series_stale") == 2);
    CHECK(points_same_as_rows(fresh, tpath("new.db")) == 0);
    CHECK(store_points_rebuild(fresh, err, sizeof err) == 0);
    CHECK(points_whole(fresh) == 0);
    static const char add_row[] =
        "INSERT INTO metrics(run_id, name, seq, value, unit, better, run_plugin, run_status,"
        " run_started_at, run_host_id, run_config_id)"
        " SELECT run_id, 'gflops2', 9, 1, '', 'higher', run_plugin, run_status, run_started_at,"
        " run_host_id, run_config_id FROM metrics WHERE name = 'gflops' AND run_status = 'ok'"
        " LIMIT 1;"
        "INSERT OR IGNORE INTO metric_kinds VALUES ('hpl', 'gflops2', 'higher')";
    /* (a row inserted by hand is marked stale by whoever inserts it, docs/database.md) */
    static const char mark_added[] =
        "INSERT OR IGNORE INTO series_stale(metric, plugin, status, config_id, host_id)"
        " SELECT name, run_plugin, run_status, run_config_id, coalesce(run_host_id, 0)"
        " FROM metrics WHERE name = 'gflops2'";
    CHECK(sqlite3_exec(store_db(fresh), add_row, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(store_db(fresh), mark_added, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sql_int(fresh, "SELECT count(*) FROM series_stale") == 1);
    CHECK(points_same_as_rows(fresh, tpath("new.db")) == 0);
    CHECK(sqlite3_exec(store_db(fresh),
                       "DELETE FROM metrics WHERE name = 'gflops2';"
                       "DELETE FROM metric_kinds WHERE name = 'gflops2'",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(store_points_rebuild(fresh, err, sizeof err) == 0);
    CHECK(points_whole(fresh) == 0);
    /* a stale series built again by the next run stored into it */
    CHECK(sqlite3_exec(store_db(fresh),
                       "DELETE FROM metrics WHERE (run_id, name) IN"
                       " (SELECT run_id, name FROM metrics WHERE"
                       " name = 'time' AND run_status = 'ok' AND better = 'lower' LIMIT 1)",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sql_int(fresh, "SELECT count(*) FROM series_stale") == 1);
    for (int i = 0; i < 400 && sql_int(fresh, "SELECT count(*) FROM series_stale"); i++) {
        cJSON *d = points_doc(i, 0);
        char uuid[16];
        snprintf(uuid, sizeof uuid, "again%d", i);
        cJSON_ReplaceItemInObject(d, "uuid", cJSON_CreateString(uuid));
        CHECK(ingest(fresh, d) > 0);
        cJSON_Delete(d);
    }
    CHECK(points_whole(fresh) == 0);
    CHECK(points_same_as_rows(fresh, tpath("new.db")) == 0);
    store_close(fresh);
    return 0;
}

/* ---- every metric's samples packed (version 10) ---------------------------------------- */

/* Run i of the packed samples test: two plugins and hosts, samples of two metrics (none
   now and then, a value that is not a number, repeated values, a run of several
   repetitions), the run's value beside them. */
static cJSON *packed_doc(int i)
{
    char uuid[16], host[16];
    snprintf(uuid, sizeof uuid, "s%d", i);
    cJSON *d = doc_new(uuid, i % 3 ? "stream" : "hpl", i % 5 == 4 ? "failed" : "ok");
    snprintf(host, sizeof host, "node%02d", i % 2);
    doc_str(d, "host", host);
    doc_param(d, "N", i % 2 ? "100" : "200", "int");
    doc_metric(d, "triad", 40 + i % 7, "MB/s", "higher");
    doc_metric(d, "copy", 30 + i % 5, "MB/s", "higher");
    cJSON *samples = cJSON_AddObjectToObject(d, "samples");
    for (int m = 0; m < 2 && i % 11 != 0; m++) {
        cJSON *list = cJSON_AddArrayToObject(samples, m ? "copy" : "triad");
        for (int k = 0; k < 2 + (i + m) % 4; k++) {
            cJSON *triple = cJSON_CreateArray();
            cJSON_AddItemToArray(triple, cJSON_CreateNumber(k / 2));
            cJSON_AddItemToArray(triple, cJSON_CreateNumber(k % 2));
            cJSON_AddItemToArray(triple, i % 13 == 1 && k == 0
                                             ? cJSON_CreateNull()
                                             : cJSON_CreateNumber(20 + (i * 7 + k * 3) % 9));
            cJSON_AddItemToArray(list, triple);
        }
    }
    return d;
}

/* `query --over samples` over db, with the packed samples and from the index alone
   (BENCHAAS_TEST_NO_PACKED), in one thread and in chunks shared with a reader thread:
   the same output each time; *first (malloc'd) gets it. */
static int packed_same_as_index(const char *db, char **first)
{
    static const char *const stats = "count,median,p95,mean,min,max";
    const char *q[] = {"query", "--db", db, "--metric", "triad", "--metric", "copy",
                       "--status", "ok", "--group-by", "host,N", "--stat", stats,
                       "--over", "samples", "--format", "csv", NULL};
    *first = NULL;
    for (int way = 0; way < 4; way++) {
        if (way & 1)
            setenv("BENCHAAS_TEST_NO_PACKED", "1", 1);
        if (way & 2)
            setenv("BENCHAAS_TEST_SPLIT_MIN", "8", 1);
        char *out = NULL, *errout = NULL;
        int rc = run_query(q, &out, &errout);
        unsetenv("BENCHAAS_TEST_NO_PACKED");
        unsetenv("BENCHAAS_TEST_SPLIT_MIN");
        int ok = rc == 0 && out && strlen(out) > 100 && (!*first || strcmp(out, *first) == 0);
        if (!ok)
            fprintf(stderr, "way %d: rc %d\n%s\n%s\n", way, rc, out ? out : "",
                    errout ? errout : "");
        free(errout);
        if (*first)
            free(out);
        else
            *first = out;
        CHECKM(ok, "the packed samples answer otherwise than the index");
    }
    return 0;
}

/* Every metric's packed samples whole: none stale, and as many records as samples with
   a value of the runs up to the metric's mark. */
static int packed_whole(store *s)
{
    CHECK(sql_int(s, "SELECT count(*) FROM samples_stale") == 0);
    CHECK(sql_int(s, "SELECT count(*) FROM samples_chunks") > 0);
    CHECK(sql_int(s, "SELECT sum(n) FROM samples_chunks") ==
          sql_int(s, "SELECT count(*) FROM samples s WHERE value IS NOT NULL AND run_id <="
                     " (SELECT max(last_run) FROM samples_chunks c WHERE c.metric = s.metric)"));
    CHECK(sql_int(s, "SELECT sum(length(data)) FROM samples_chunks") ==
          STORE_SAMPLE_BYTES * sql_int(s, "SELECT sum(n) FROM samples_chunks"));
    return 0;
}

/*
 * Version 10: a database of version 9 migrated holds every metric's samples
 * packed, and `query --over samples` answers from them exactly as from the
 * index, and as a database built new from the same documents; ingest packs
 * the runs past a metric's mark (BENCHAAS_TEST_SAMPLES_TAIL small here) and
 * the query reads the runs after the mark from the index; a sample deleted,
 * changed or added by hand in a covered run marks its metric stale (the
 * query then reads the index), a sample added to a run past the mark marks
 * nothing; store_points_rebuild and the next packing at ingest pack a stale
 * metric again.
 * Mutations: the migration not packing (STORE_SAMPLES_VERSION in
 * store__migrate) fails packed_whole after it; ingest not packing
 * (store__samples_ingested returning at once) fails packed_whole; the
 * reader leaving out the runs past the mark (fill_range returning after the
 * packed part) or ignoring samples_stale (store_samples_mark) fails
 * packed_same_as_index; a trigger that marks nothing fails the stale count.
 */
int test_packed_samples(void)
{
    char err[512];
    size_t n;
    const store_migration *steps = store_migrations(&n);
    CHECK(n >= 10 && steps[9].version == 10 && strstr(steps[9].sql, "samples_chunks"));
    setenv("BENCHAAS_TEST_SAMPLES_TAIL", "40", 1);
    store *old, *fresh;
    CHECK(store_open_with(tpath("old.db"), STORE_CREATE, steps, 9, &old, err, sizeof err) == 0);
    CHECK(store_schema_version(old) == 9);
    fresh = open_db("new.db");
    CHECK(fresh);
    for (int i = 0; i < 150; i++) {
        cJSON *d = packed_doc(i);
        CHECK(ingest(old, d) > 0 && ingest(fresh, d) > 0);
        cJSON_Delete(d);
    }
    store_close(old);
    CHECK(store_open(tpath("old.db"), STORE_CREATE, &old, err, sizeof err) == 0);
    CHECK(store_schema_version(old) == 10);
    CHECK(packed_whole(old) == 0 && packed_whole(fresh) == 0);
    /* the migration packs every run; ingest left the last runs (fewer than 40) to the index */
    CHECK(sql_int(old, "SELECT max(last_run) FROM samples_chunks") == 150);
    int64_t mark = sql_int(fresh, "SELECT min(m) FROM (SELECT max(last_run) AS m FROM"
                                  " samples_chunks GROUP BY metric)");
    CHECK(mark >= 111 && mark < 150);
    char *a, *b;
    CHECK(packed_same_as_index(tpath("old.db"), &a) == 0);
    CHECK(packed_same_as_index(tpath("new.db"), &b) == 0);
    CHECKM(strcmp(a, b) == 0, "the migrated database answers otherwise than the new one");
    free(b);
    store_close(old);

    /* a sample added to a run past the mark: nothing stale, the index answers for it */
    CHECK(sqlite3_exec(store_db(fresh),
                       "INSERT INTO samples(run_id, metric, rep, idx, value)"
                       " VALUES (150, 'triad', 9, 0, 77)",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sql_int(fresh, "SELECT count(*) FROM samples_stale") == 0);
    CHECK(packed_same_as_index(tpath("new.db"), &b) == 0);
    free(b);
    /* by hand: a sample deleted, one changed, one added, in covered runs */
    static const char *const edits[] = {
        "DELETE FROM samples WHERE run_id = 3 AND metric = 'triad' AND rep = 0 AND idx = 0",
        "UPDATE samples SET value = value + 100 WHERE run_id = 6 AND metric = 'copy'"
        " AND rep = 0 AND idx = 1",
        "INSERT INTO samples(run_id, metric, rep, idx, value) VALUES (8, 'triad', 9, 0, 99)",
    };
    for (int e = 0; e < 3; e++) {
        CHECK(sqlite3_exec(store_db(fresh), edits[e], NULL, NULL, NULL) == SQLITE_OK);
        CHECK(sql_int(fresh, "SELECT count(*) FROM samples_stale") == (e == 0 ? 1 : 2));
        CHECK(packed_same_as_index(tpath("new.db"), &b) == 0);
        CHECKM(strcmp(a, b) != 0, "a hand edit that changes nothing");
        free(b);
    }
    CHECK(store_points_rebuild(fresh, err, sizeof err) == 0);
    CHECK(packed_whole(fresh) == 0);
    CHECK(packed_same_as_index(tpath("new.db"), &b) == 0);
    free(b);
    /* a stale metric packed again at ingest, once runs past its mark span the tail */
    CHECK(sqlite3_exec(store_db(fresh),
                       "DELETE FROM samples WHERE run_id = 4 AND metric = 'triad'", NULL, NULL,
                       NULL) == SQLITE_OK);
    CHECK(sql_int(fresh, "SELECT count(*) FROM samples_stale") == 1);
    CHECK(store_batch_begin(fresh, err, sizeof err) == 0);
    for (int i = 150; i < 250; i++) {
        cJSON *d = packed_doc(i);
        CHECK(ingest(fresh, d) > 0);
        cJSON_Delete(d);
    }
    CHECK(store_batch_commit(fresh, err, sizeof err) == 0);
    CHECK(packed_whole(fresh) == 0);
    CHECK(sql_int(fresh, "SELECT max(last_run) FROM samples_chunks") > 200);
    CHECK(packed_same_as_index(tpath("new.db"), &b) == 0);
    free(b);
    free(a);
    unsetenv("BENCHAAS_TEST_SAMPLES_TAIL");
    store_close(fresh);
    return 0;
}
