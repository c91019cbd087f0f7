/*
 * test_scale.c — the schema step for large histories (configs,
 * config_params, series, metrics with their run's columns, metrics_find,
 * runs_history): a database made by the schema before it is migrated with
 * its data and views unchanged, and the common queries are served by the
 * indexes the step adds.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

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
