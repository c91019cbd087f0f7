/*
 * store.c — the result store: one SQLite file, schema in docs/database.md.
 *
 * What this file guarantees:
 *   - a file that is not ours (text, garbage, another program's SQLite
 *     database) is refused by reading its 100-byte header ourselves, before
 *     SQLite ever opens it, so it is left byte-for-byte untouched;
 *   - a new database is created in one transaction (schema, application_id,
 *     user_version), in rollback-journal mode, and only then switched to WAL:
 *     the main file therefore never shows a header without our
 *     application_id to a concurrent opener;
 *   - migrations run forward, one transaction, under BEGIN IMMEDIATE, with
 *     the version re-read inside the transaction (two processes opening an
 *     old file at once migrate it once);
 *   - one BEGIN IMMEDIATE transaction per ingested run, busy_timeout 30 s,
 *     so concurrent writers queue instead of failing;
 *   - every statement with a value in it is a prepared statement with bound
 *     parameters; the ingest statements are prepared once per store and
 *     cached.
 */
#define _GNU_SOURCE /* timegm */
#include "store.h"
#include "safefile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/plugin.h" /* BX_E* codes */

#define BUSY_TIMEOUT_MS 30000

/* ---- the schema ----------------------------------------------------------
 *
 * Version 1.  Tables are normalised; the views at the end are the public,
 * stable interface (docs/database.md).  Never edit a shipped step: append a
 * new one (ALTER TABLE / CREATE ... / DROP VIEW + CREATE VIEW) with the next
 * version number.
 */
static const char schema_v1[] =
    "CREATE TABLE hosts ("
    "  id           INTEGER PRIMARY KEY,"
    "  name         TEXT NOT NULL UNIQUE,"
    "  cpu_model    TEXT,"
    "  cores        INTEGER,"
    "  memory_bytes INTEGER,"
    "  kernel       TEXT"
    ");"
    "CREATE TABLE runs ("
    "  id             INTEGER PRIMARY KEY,"
    "  uuid           TEXT NOT NULL UNIQUE,"
    "  plugin         TEXT NOT NULL,"
    "  plugin_version TEXT,"
    "  status         TEXT NOT NULL CHECK (status IN ('ok','failed','crashed','timeout',"
    "                                                 'interrupted','queued','running')),"
    "  error          TEXT,"
    "  host_id        INTEGER REFERENCES hosts(id),"
    "  job_id         INTEGER,"
    "  array_task_id  INTEGER,"
    "  experiment     TEXT,"
    "  point          INTEGER,"
    "  launcher       TEXT,"
    "  ranks          INTEGER,"
    "  threads        INTEGER,"
    "  repetitions    INTEGER,"
    "  queued_at      TEXT," /* 'YYYY-MM-DDTHH:MM:SSZ', UTC, sortable as text */
    "  started_at     TEXT,"
    "  finished_at    TEXT,"
    "  params_json    TEXT NOT NULL DEFAULT '{}'," /* typed JSON object, as in query --format json */
    "  spec_json      TEXT"                        /* the run spec, as the runner wrote it */
    ");"
    "CREATE INDEX runs_plugin_started ON runs(plugin, started_at);"
    "CREATE INDEX runs_started ON runs(started_at);"
    "CREATE INDEX runs_host ON runs(host_id);"
    "CREATE INDEX runs_job ON runs(job_id) WHERE job_id IS NOT NULL;"
    "CREATE INDEX runs_status ON runs(status) WHERE status IN ('queued','running');"
    "CREATE TABLE params ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name   TEXT NOT NULL,"
    "  value  TEXT NOT NULL," /* canonical text: sizes in bytes, booleans true/false */
    "  type   TEXT NOT NULL," /* bool int double size string enum */
    "  PRIMARY KEY (run_id, name)"
    ") WITHOUT ROWID;"
    "CREATE INDEX params_name_value ON params(name, value);"
    "CREATE TABLE metrics ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name   TEXT NOT NULL,"
    "  seq    INTEGER NOT NULL," /* order in the result document (the plugin's order) */
    "  value  REAL,"             /* NULL: not a finite number */
    "  unit   TEXT NOT NULL DEFAULT '',"
    "  better TEXT NOT NULL DEFAULT 'none' CHECK (better IN ('higher','lower','none')),"
    "  PRIMARY KEY (run_id, name)"
    ") WITHOUT ROWID;"
    "CREATE INDEX metrics_name ON metrics(name);"
    "CREATE TABLE samples ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  metric TEXT NOT NULL,"
    "  rep    INTEGER NOT NULL," /* 1..repetitions */
    "  idx    INTEGER NOT NULL," /* index within the repetition */
    "  value  REAL,"
    "  PRIMARY KEY (run_id, metric, rep, idx)"
    ") WITHOUT ROWID;"
    "CREATE TABLE tags ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  tag    TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, tag)"
    ") WITHOUT ROWID;"
    "CREATE INDEX tags_tag ON tags(tag);"
    "CREATE TABLE provenance ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key    TEXT NOT NULL,"
    "  value  TEXT,"
    "  PRIMARY KEY (run_id, key)"
    ") WITHOUT ROWID;"
    "CREATE TABLE run_meta ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  key    TEXT NOT NULL,"
    "  value  TEXT,"
    "  PRIMARY KEY (run_id, key)"
    ") WITHOUT ROWID;"
    "CREATE TABLE warnings ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  seq    INTEGER NOT NULL,"
    "  text   TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, seq)"
    ") WITHOUT ROWID;"
    /* Reserved for `benchaas check`: the reference value a metric is held to,
     * for a plugin, a parameter set (typed JSON as runs.params_json; '{}'
     * matches any) and optionally one host. */
    "CREATE TABLE baselines ("
    "  id          INTEGER PRIMARY KEY,"
    "  name        TEXT NOT NULL,"
    "  plugin      TEXT NOT NULL,"
    "  params_json TEXT NOT NULL DEFAULT '{}',"
    "  host_id     INTEGER REFERENCES hosts(id),"
    "  metric      TEXT NOT NULL,"
    "  value       REAL NOT NULL,"
    "  better      TEXT NOT NULL DEFAULT 'none' CHECK (better IN ('higher','lower','none')),"
    "  tolerance   REAL NOT NULL DEFAULT 0.05," /* relative: 0.05 = 5 % worse is a regression */
    "  run_id      INTEGER REFERENCES runs(id) ON DELETE SET NULL," /* where it came from */
    "  created_at  TEXT NOT NULL,"
    "  note        TEXT"
    ");"
    "CREATE UNIQUE INDEX baselines_key ON baselines(name, plugin, params_json, "
    "                                                 coalesce(host_id, 0), metric);"
    /* ---- the public views ---- */
    "CREATE VIEW results AS"
    "  SELECT r.id AS run_id, r.started_at, r.plugin, r.plugin_version, r.status,"
    "         h.name AS host, r.job_id, r.params_json AS params,"
    "         m.name AS metric, m.value, m.unit, m.better"
    "  FROM runs r JOIN metrics m ON m.run_id = r.id"
    "  LEFT JOIN hosts h ON h.id = r.host_id;"
    "CREATE VIEW runs_view AS"
    "  SELECT r.id AS run_id, r.uuid, r.plugin, r.plugin_version, r.status, r.error,"
    "         h.name AS host, r.job_id, r.array_task_id, r.experiment, r.point, r.launcher,"
    "         r.ranks, r.threads, r.repetitions, r.queued_at, r.started_at, r.finished_at,"
    "         r.params_json AS params,"
    "         (SELECT json_group_array(t.tag) FROM tags t WHERE t.run_id = r.id) AS tags"
    "  FROM runs r LEFT JOIN hosts h ON h.id = r.host_id;"
    "CREATE VIEW samples_view AS"
    "  SELECT r.id AS run_id, r.started_at, r.plugin, r.status, h.name AS host,"
    "         r.params_json AS params, s.metric, s.rep, s.idx, s.value,"
    "         m.unit, m.better"
    "  FROM samples s JOIN runs r ON r.id = s.run_id"
    "  LEFT JOIN metrics m ON m.run_id = s.run_id AND m.name = s.metric"
    "  LEFT JOIN hosts h ON h.id = r.host_id;";

/*
 * Version 2 (results that answer questions):
 *   - timeline: the worker's resource samples of a run (RSS and CPU use
 *     every ~250 ms from init to fini), and timeline_view over it;
 *   - baselines gain the host class (CPU model), ranks and threads they
 *     apply to, and the spread and number of runs they were made from;
 *     their unique key includes the new columns;
 *   - runs(plugin, params_json, ranks, threads, started_at, host_id, status):
 *     the runs of one configuration, newest first, for `check`'s history and
 *     `--latest`, without reading the runs' rows (a covering index).
 */
static const char schema_v2[] =
    "CREATE TABLE timeline ("
    "  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  seq         INTEGER NOT NULL," /* order of the sample */
    "  t           REAL NOT NULL,"    /* seconds since the plugin's init started */
    "  rss_mib     REAL,"             /* resident memory of rank 0's process, MiB */
    "  cpu_percent REAL,"             /* its CPU use since the previous sample, % of one core */
    "  PRIMARY KEY (run_id, seq)"
    ") WITHOUT ROWID;"
    "ALTER TABLE baselines ADD COLUMN host_class TEXT;" /* a CPU model; NULL: any */
    "ALTER TABLE baselines ADD COLUMN ranks INTEGER;"   /* NULL: any */
    "ALTER TABLE baselines ADD COLUMN threads INTEGER;" /* NULL: any */
    "ALTER TABLE baselines ADD COLUMN spread REAL;"     /* MAD of the values it was made from */
    "ALTER TABLE baselines ADD COLUMN n INTEGER;"       /* how many runs it was made from */
    "DROP INDEX baselines_key;"
    "CREATE UNIQUE INDEX baselines_key ON baselines(name, plugin, params_json,"
    "  coalesce(host_id, 0), coalesce(host_class, ''), coalesce(ranks, 0), coalesce(threads, 0),"
    "  metric);"
    "CREATE INDEX runs_config ON runs(plugin, params_json, ranks, threads, started_at, host_id,"
    "  status);"
    "CREATE VIEW timeline_view AS"
    "  SELECT r.id AS run_id, r.started_at, r.plugin, h.name AS host,"
    "         tl.t, tl.rss_mib, tl.cpu_percent"
    "  FROM timeline tl JOIN runs r ON r.id = tl.run_id"
    "  LEFT JOIN hosts h ON h.id = r.host_id;";

/*
 * Version 3 (`benchaas serve`, docs/serve.md):
 *   - users (roles admin/member/viewer, Argon2id password hashes), tokens
 *     (API tokens and sign-in sessions alike: only a hash of the token is
 *     stored, with scope, expiry and revocation);
 *   - jobs (one experiment submitted through the service) and their points,
 *     schedules (a job submitted again every period) and alerts (regressions
 *     found after a scheduled job, and the state of their webhook);
 *   - runs gain `user` (the account, or the login name of a CLI run) and
 *     `job` (the service job it belongs to; job_id stays the Slurm job);
 *   - the results view gains a `user` column after its existing ones.
 */
static const char schema_v3[] =
    "CREATE TABLE users ("
    "  id            INTEGER PRIMARY KEY,"
    "  name          TEXT NOT NULL UNIQUE,"
    "  role          TEXT NOT NULL CHECK (role IN ('admin','member','viewer')),"
    "  password_hash TEXT NOT NULL,"
    "  created_at    TEXT NOT NULL"
    ");"
    "CREATE TABLE tokens ("
    "  id           INTEGER PRIMARY KEY,"
    "  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  hash         TEXT NOT NULL UNIQUE," /* hex BLAKE2b of the token; the token is never stored */
    "  kind         TEXT NOT NULL CHECK (kind IN ('api','session')),"
    "  scope        TEXT NOT NULL CHECK (scope IN ('read','submit','upload')),"
    "  created_at   TEXT NOT NULL,"
    "  expires_at   TEXT," /* NULL: never */
    "  revoked_at   TEXT"
    ");"
    "CREATE INDEX tokens_user ON tokens(user_id);"
    "CREATE TABLE jobs ("
    "  id              INTEGER PRIMARY KEY,"
    "  user            TEXT NOT NULL,"
    "  plugin          TEXT NOT NULL,"
    "  name            TEXT NOT NULL,"
    "  experiment_json TEXT NOT NULL," /* the experiment as submitted */
    "  state           TEXT NOT NULL CHECK (state IN ('queued','running','done','failed',"
    "                                                 'cancelled')),"
    "  npoints         INTEGER NOT NULL,"
    "  schedule_id     INTEGER,"
    "  created_at      TEXT NOT NULL,"
    "  started_at      TEXT,"
    "  ended_at        TEXT,"
    "  error           TEXT"
    ");"
    "CREATE INDEX jobs_state ON jobs(state, user, id);"
    "CREATE TABLE job_points ("
    "  job_id   INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  idx      INTEGER NOT NULL,"
    "  label    TEXT NOT NULL DEFAULT '',"
    "  state    TEXT NOT NULL CHECK (state IN ('queued','running','done','cancelled')),"
    "  run_uuid TEXT," /* set before the point is launched */
    "  run_id   INTEGER,"
    "  PRIMARY KEY (job_id, idx)"
    ") WITHOUT ROWID;"
    "CREATE TABLE schedules ("
    "  id              INTEGER PRIMARY KEY,"
    "  user            TEXT NOT NULL,"
    "  experiment_json TEXT NOT NULL,"
    "  every_seconds   INTEGER NOT NULL CHECK (every_seconds > 0),"
    "  next_at         TEXT NOT NULL,"
    "  last_job_id     INTEGER,"
    "  created_at      TEXT NOT NULL"
    ");"
    "CREATE TABLE alerts ("
    "  id            INTEGER PRIMARY KEY,"
    "  created_at    TEXT NOT NULL,"
    "  job_id        INTEGER,"
    "  schedule_id   INTEGER,"
    "  message       TEXT NOT NULL,"
    "  payload_json  TEXT NOT NULL," /* what the webhook gets */
    "  webhook_state TEXT NOT NULL DEFAULT 'none' CHECK (webhook_state IN ('none','pending',"
    "                                                    'sent','failed')),"
    "  attempts      INTEGER NOT NULL DEFAULT 0"
    ");"
    "ALTER TABLE runs ADD COLUMN user TEXT;"
    "ALTER TABLE runs ADD COLUMN job INTEGER;"
    "CREATE INDEX runs_user ON runs(user) WHERE user IS NOT NULL;"
    "CREATE INDEX runs_service_job ON runs(job) WHERE job IS NOT NULL;"
    "DROP VIEW results;"
    "CREATE VIEW results AS"
    "  SELECT r.id AS run_id, r.started_at, r.plugin, r.plugin_version, r.status,"
    "         h.name AS host, r.job_id, r.params_json AS params,"
    "         m.name AS metric, m.value, m.unit, m.better, r.user AS user"
    "  FROM runs r JOIN metrics m ON m.run_id = r.id"
    "  LEFT JOIN hosts h ON h.id = r.host_id;";

/*
 * Version 4: whole-job timelines, and headline metrics.  Every rank
 * samples its own process; the timeline table holds the sums over every rank of the job (before: rank
 * 0's process alone, which is what rows of older runs still hold), and
 * timeline_nodes the sums per node, with the number of ranks summed.
 * metrics.headline: 1 for the metrics the plugin marks headline (ABI 1.2,
 * BX_METRIC_HEADLINE), 0 for the others, NULL for runs stored before (the
 * first metric is then the headline).
 */
static const char schema_v4[] =
    "CREATE TABLE timeline_nodes ("
    "  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  node        TEXT NOT NULL,"    /* the node's short host name */
    "  seq         INTEGER NOT NULL," /* order of the sample (the job timeline's) */
    "  ranks       INTEGER,"          /* ranks summed on that node */
    "  t           REAL NOT NULL,"
    "  rss_mib     REAL,"             /* resident memory of the node's ranks together, MiB */
    "  cpu_percent REAL,"             /* their CPU use since the previous sample, % of one core */
    "  PRIMARY KEY (run_id, node, seq)"
    ") WITHOUT ROWID;"
    "ALTER TABLE metrics ADD COLUMN headline INTEGER;" /* 1 the plugin marks it a headline
                                                          metric; NULL: unknown (older) */
    "CREATE VIEW timeline_nodes_view AS"
    "  SELECT r.id AS run_id, r.started_at, r.plugin, tn.node, tn.ranks,"
    "         tn.t, tn.rss_mib, tn.cpu_percent"
    "  FROM timeline_nodes tn JOIN runs r ON r.id = tn.run_id;";

/*
 * Version 5 (a result database that stays fast at a million runs; the views
 * keep their columns and meaning):
 *   - configs: one row per configuration (plugin, typed params JSON, ranks,
 *     threads), runs.config_id points at it, and config_params holds each
 *     configuration's parameters once (name, canonical value, type), so a
 *     filter or a grouping on one parameter reads a few rows instead of
 *     every run's parameters;
 *   - series: every (configuration, host) pair that has runs, so "the newest
 *     run of each configuration and host" (check, query --latest) is a few
 *     steps of runs_history per pair instead of a GROUP BY over every run;
 *     host_id 0 stands for "no host";
 *   - metrics carry their run's plugin, status, start time, host,
 *     configuration, plugin version, job id and user (kept in step with runs by
 *     ingest and by a trigger), so the `results` view reads no runs row, and
 *     metrics_find (metric, plugin, status, start, run, ...) covers its
 *     common filters: a filtered aggregate is one index range scan, and a
 *     metric's values of one configuration and host come in time order;
 *   - runs_history (configuration, start, status, host): a configuration's
 *     runs newest first, for check's history (per host, host class or any)
 *     and --latest; it replaces runs_config, and params_name_value and
 *     metrics_name go (no query needs them any more).
 * The views are rewritten over the new columns (same columns, same rows).
 */
static const char schema_query_speed[] =
    "CREATE TABLE configs ("
    "  id          INTEGER PRIMARY KEY,"
    "  plugin      TEXT NOT NULL,"
    "  params_json TEXT NOT NULL,"
    "  ranks       INTEGER,"
    "  threads     INTEGER"
    ");"
    "CREATE UNIQUE INDEX configs_key ON configs(plugin, params_json, coalesce(ranks, -1),"
    "  coalesce(threads, -1));"
    "CREATE TABLE config_params ("
    "  config_id INTEGER NOT NULL REFERENCES configs(id) ON DELETE CASCADE,"
    "  name      TEXT NOT NULL,"
    "  value     TEXT NOT NULL," /* as params.value */
    "  type      TEXT NOT NULL,"
    "  PRIMARY KEY (config_id, name)"
    ") WITHOUT ROWID;"
    "CREATE INDEX config_params_name ON config_params(name, value);"
    "CREATE TABLE series ("
    "  config_id INTEGER NOT NULL REFERENCES configs(id) ON DELETE CASCADE,"
    "  host_id   INTEGER NOT NULL," /* hosts.id, 0 for runs without a host */
    "  PRIMARY KEY (config_id, host_id)"
    ") WITHOUT ROWID;"
    "ALTER TABLE runs ADD COLUMN config_id INTEGER REFERENCES configs(id);"
    /* run_*: copies of the run's columns (names of their own, so that a join
     * of runs and metrics written for version 2 stays unambiguous) */
    "ALTER TABLE metrics ADD COLUMN run_plugin TEXT;"
    "ALTER TABLE metrics ADD COLUMN run_status TEXT;"
    "ALTER TABLE metrics ADD COLUMN run_started_at TEXT;"
    "ALTER TABLE metrics ADD COLUMN run_host_id INTEGER;"
    "ALTER TABLE metrics ADD COLUMN run_config_id INTEGER;"
    "ALTER TABLE metrics ADD COLUMN run_plugin_version TEXT;"
    "ALTER TABLE metrics ADD COLUMN run_job_id INTEGER;"
    "ALTER TABLE metrics ADD COLUMN run_user TEXT;"
    /* the existing rows */
    "INSERT OR IGNORE INTO configs(plugin, params_json, ranks, threads)"
    "  SELECT plugin, params_json, ranks, threads FROM runs ORDER BY id;"
    "UPDATE runs SET config_id = (SELECT c.id FROM configs c WHERE c.plugin = runs.plugin"
    "  AND c.params_json = runs.params_json AND coalesce(c.ranks, -1) = coalesce(runs.ranks, -1)"
    "  AND coalesce(c.threads, -1) = coalesce(runs.threads, -1));"
    "INSERT OR IGNORE INTO config_params(config_id, name, value, type)"
    "  SELECT r.config_id, p.name, p.value, p.type FROM runs r JOIN params p ON p.run_id = r.id"
    "  ORDER BY r.id;"
    "INSERT OR IGNORE INTO series(config_id, host_id)"
    "  SELECT DISTINCT config_id, coalesce(host_id, 0) FROM runs;"
    "UPDATE metrics SET run_plugin = r.plugin, run_status = r.status,"
    "  run_started_at = r.started_at, run_host_id = r.host_id, run_config_id = r.config_id,"
    "  run_plugin_version = r.plugin_version, run_job_id = r.job_id, run_user = r.user"
    "  FROM runs r WHERE r.id = metrics.run_id;"
    "DROP INDEX runs_config;"
    "DROP INDEX params_name_value;"
    "DROP INDEX metrics_name;"
    "CREATE INDEX runs_history ON runs(config_id, started_at, status, host_id);"
    "CREATE INDEX metrics_find ON metrics(name, run_plugin, run_status, run_started_at, run_id,"
    "  value, run_host_id, run_config_id, unit, better, seq, headline);"
    /* a run changed in place (not by ingest, which writes both) */
    "CREATE TRIGGER runs_to_metrics AFTER UPDATE OF plugin, status, started_at, host_id,"
    "  config_id, plugin_version, job_id, user ON runs BEGIN"
    "  UPDATE metrics SET run_plugin = new.plugin, run_status = new.status,"
    "    run_started_at = new.started_at, run_host_id = new.host_id,"
    "    run_config_id = new.config_id, run_plugin_version = new.plugin_version,"
    "    run_job_id = new.job_id, run_user = new.user WHERE run_id = new.id;"
    "END;"
    /* the views over the new columns: the same columns, the same rows */
    "DROP VIEW results;"
    "CREATE VIEW results AS"
    "  SELECT m.run_id, m.run_started_at AS started_at, m.run_plugin AS plugin,"
    "         m.run_plugin_version AS plugin_version, m.run_status AS status,"
    "         h.name AS host, m.run_job_id AS job_id, c.params_json AS params,"
    "         m.name AS metric, m.value, m.unit, m.better, m.run_user AS user"
    "  FROM metrics m LEFT JOIN hosts h ON h.id = m.run_host_id"
    "  LEFT JOIN configs c ON c.id = m.run_config_id;";

/*
 * Version 6 (the metrics a history holds):
 *   - metric_kinds: each (plugin, metric, better) ever stored, kept by ingest;
 *     a pass over every higher/lower-is-better value (report, across-nodes)
 *     reads only those metrics' ranges of metrics_find instead of every
 *     metric row, and tools list a plugin's metrics without a scan.
 *   - samples_metric (metric, run, value): a metric's samples in run order,
 *     read in step with the metric's rows (query --over samples) instead of a
 *     look-up per run.
 * (Counts per series kept by triggers on runs were tried and left out: the
 * triggers cost ingest 30 to 90 us a run, more than they saved the report.)
 */
static const char schema_metric_kinds[] =
    "CREATE TABLE metric_kinds ("
    "  plugin TEXT NOT NULL,"
    "  name   TEXT NOT NULL,"
    "  better TEXT NOT NULL,"
    "  PRIMARY KEY (plugin, name, better)"
    ") WITHOUT ROWID;"
    "INSERT OR IGNORE INTO metric_kinds(plugin, name, better)"
    "  SELECT DISTINCT run_plugin, name, better FROM metrics WHERE run_plugin IS NOT NULL;"
    /* partial: a scan of samples (samples_view) keeps the table's order */
    "CREATE INDEX samples_metric ON samples(metric, run_id, value) WHERE value IS NOT NULL;";

/*
 * Version 7 (ingest without a temporary table per row): the CHECK constraints
 * of runs.status and metrics.better are written as comparisons joined by OR
 * instead of IN lists.  SQLite checks a constant IN list of three or more
 * values by building a temporary b-tree of them, for every row inserted: a
 * third of ingest's instructions.  The rows they allow are the same (NULL
 * is allowed by neither: both columns are NOT NULL).  Only the text of the
 * two tables' definitions in sqlite_schema changes (SQLite's documented way
 * of changing a CHECK constraint, which does not touch the stored rows);
 * `writable_schema = RESET` makes this connection read the schema again, and
 * migrate() changes the schema cookie so that other connections do too.
 */
static const char schema_checks[] =
    "PRAGMA writable_schema = ON;"
    "UPDATE sqlite_schema SET sql = replace(sql,"
    "  'CHECK (status IN (''ok'',''failed'',''crashed'',''timeout'','"
    "  || '                                                 '"
    "  || '''interrupted'',''queued'',''running''))',"
    "  'CHECK (status = ''ok'' OR status = ''failed'' OR status = ''crashed'' OR"
    " status = ''timeout'' OR status = ''interrupted'' OR status = ''queued'' OR"
    " status = ''running'')')"
    "  WHERE type = 'table' AND name = 'runs';"
    "UPDATE sqlite_schema SET sql = replace(sql,"
    "  'CHECK (better IN (''higher'',''lower'',''none''))',"
    "  'CHECK (better = ''higher'' OR better = ''lower'' OR better = ''none'')')"
    "  WHERE type = 'table' AND name = 'metrics';"
    "PRAGMA writable_schema = RESET;";

/*
 * Version 8: alerts that people act on.  An alert carries its severity (by
 * the size of the change), the configuration and the first run of the new
 * level; it is open, acknowledged or accepted (the new level is the normal:
 * check's history of that configuration starts at accepted_from), with who,
 * when and why.
 */
static const char schema_alert_actions[] =
    "ALTER TABLE alerts ADD COLUMN severity TEXT;"
    "ALTER TABLE alerts ADD COLUMN state TEXT NOT NULL DEFAULT 'open'"
    "  CHECK (state = 'open' OR state = 'acknowledged' OR state = 'accepted');"
    "ALTER TABLE alerts ADD COLUMN acted_by TEXT;"
    "ALTER TABLE alerts ADD COLUMN acted_at TEXT;"
    "ALTER TABLE alerts ADD COLUMN reason TEXT;"
    "ALTER TABLE alerts ADD COLUMN config_id INTEGER;"
    "ALTER TABLE alerts ADD COLUMN run_id INTEGER;"
    "ALTER TABLE alerts ADD COLUMN accepted_from TEXT;"
    "CREATE INDEX alerts_accepted ON alerts(config_id, accepted_from) WHERE state = 'accepted';";

static const store_migration builtin_migrations[] = {
    {1, "initial schema", schema_v1},
    {2, "resource timelines, baselines per host class, configuration index", schema_v2},
    {3, "users, tokens, jobs, schedules and alerts of the service; runs' user and job", schema_v3},
    {4, "whole-job timelines (sums over every rank, and per node), headline metrics", schema_v4},
    {5, "configurations, series and covering indexes for large histories", schema_query_speed},
    {6, "the kinds of metric each plugin has stored", schema_metric_kinds},
    {7, "CHECK constraints of runs and metrics without IN lists (ingest speed)", schema_checks},
    {8, "alerts: severity, acknowledged or accepted (who, when, why), the new level", schema_alert_actions},
};

const store_migration *store_migrations(size_t *n)
{
    *n = sizeof builtin_migrations / sizeof builtin_migrations[0];
    return builtin_migrations;
}

/* ---- the store object ---------------------------------------------------- */

/* The cached statements of ingest.  SQL in stmt_sql[], same order. */
enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_FIND_RUN,
    ST_FIND_HOST,
    ST_UPSERT_HOST,
    ST_INSERT_RUN,
    ST_UPDATE_RUN,
    ST_DEL_PARAMS,
    ST_DEL_METRICS,
    ST_DEL_SAMPLES,
    ST_DEL_TAGS,
    ST_DEL_PROV,
    ST_DEL_META,
    ST_DEL_WARN,
    ST_DEL_TIMELINE,
    ST_DEL_TIMELINE_NODES,
    ST_INS_TAG,
    ST_INS_WARN,
    ST_INS_TIMELINE,
    ST_INS_TIMELINE_NODE,
    ST_FIND_CONFIG,
    ST_INS_CONFIG,
    ST_INS_CONFIG_PARAM,
    ST_INS_SERIES,
    ST_INS_METRIC_KIND,
    ST__COUNT
};

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

/* The metric kinds (plugin, metric, better) this connection has stored in a
 * committed transaction: ingest skips their INSERT.  Forgotten on rollback. */
#define KINDS_CACHED 512 /* slots; at most half are used */
typedef struct kind_cache {
    struct kind_slot {
        uint64_t hash;
        char *key; /* plugin \x1f name \x1f better (owned), NULL: empty */
    } slot[KINDS_CACHED];
    size_t n;
} kind_cache;

/* The tables ingest writes several rows of at once (multi_insert), and how many a statement. */
enum { MULTI_PARAM, MULTI_METRIC, MULTI_SAMPLE, MULTI_PROV, MULTI_META, MULTI__COUNT };
#define MULTI_ROWS 16

struct store {
    sqlite3 *db;
    char *path;
    int schema_version;
    sqlite3_stmt *st[ST__COUNT]; /* prepared on first use, finalised by store_close */
    sqlite3_stmt *multi[MULTI__COUNT][MULTI_ROWS]; /* [t][n - 1]: n rows into t (multi_stmt) */
    kind_cache kinds;
    int batch; /* inside store_batch_begin .. store_batch_commit/rollback */
    int one_thread;  /* opened with STORE_ONE_THREAD */
    struct store *twin[STORE_TWINS]; /* store_open_twins' connections, closed with this one */
};

static void kinds_forget(kind_cache *c);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

struct sqlite3 *store_db(store *s) { return s->db; }
int store_schema_version(store *s) { return s->schema_version; }

/* The cached statement `id`, reset and unbound, or NULL (message in err). */
static sqlite3_stmt *stmt(store *s, int id, char *err, size_t errlen)
{
    if (!s->st[id]) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->st[id],
                               NULL) != SQLITE_OK) {
            set_err(err, errlen, "%s: cannot prepare a statement: %s", s->path,
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
        set_err(err, errlen, "%s: %s%s%s%s: %s", s->path, what, name ? " '" : "",
                name ? name : "", name ? "'" : "", sqlite3_errmsg(s->db));
        sqlite3_reset(st);
        /* A constraint (a metric named twice in a document, say) is the
         * document's fault, not the database's: BX_EINVAL, like read_doc. */
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

/* One integer from a one-row statement without parameters (a PRAGMA read). */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- the header check ---------------------------------------------------- */

enum { FILE_ABSENT, FILE_EMPTY, FILE_OURS };

/* What `path` is, read from its first 100 bytes without SQLite. */
static int classify_file(const char *path, int *kind, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) {
            /* absent: fine if its folder exists, so that it can be created */
            char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
            int ok = 1;
            if (slash) {
                if (slash == dir)
                    slash[1] = '\0'; /* "/x.db" */
                else
                    *slash = '\0';
                ok = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
            }
            free(dir);
            if (!ok) {
                set_err(err, errlen, "cannot create the database '%s': its folder does not exist",
                        path);
                return BX_EINVAL;
            }
            *kind = FILE_ABSENT;
            return 0;
        }
        set_err(err, errlen, "cannot use '%s' as the database: %s", path, strerror(errno));
        return BX_EINVAL;
    }
    if (S_ISDIR(sb.st_mode)) {
        set_err(err, errlen, "'%s' is a directory, not a BenchaaS database (give a file name)",
                path);
        return BX_EINVAL;
    }
    if (!S_ISREG(sb.st_mode)) {
        set_err(err, errlen, "'%s' is not a regular file, not a BenchaaS database", path);
        return BX_EINVAL;
    }
    if (sb.st_size == 0) {
        *kind = FILE_EMPTY;
        return 0;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* a FIFO swapped in never blocks */
    if (fd < 0) {
        set_err(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return BX_EINVAL;
    }
    unsigned char h[100];
    size_t got = 0;
    while (got < sizeof h) {
        ssize_t r = read(fd, h + got, sizeof h - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    static const char magic[16] = "SQLite format 3"; /* with its terminating NUL */
    if (got < sizeof h || memcmp(h, magic, sizeof magic) != 0) {
        set_err(err, errlen,
                "'%s' is not a BenchaaS database (not an SQLite file); refusing to touch it "
                "(give --db a new file name or one of our databases)",
                path);
        return BX_EINVAL;
    }
    uint32_t app = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
    if (app != STORE_APPLICATION_ID) {
        set_err(err, errlen,
                "'%s' is an SQLite database of another application (application_id 0x%08" PRIx32
                ", ours is 0x%08x); refusing to touch it",
                path, app, (unsigned)STORE_APPLICATION_ID);
        return BX_EINVAL;
    }
    *kind = FILE_OURS;
    return 0;
}

int store_check_file(const char *path, char *err, size_t errlen)
{
    int kind;
    if (!path || !*path) {
        set_err(err, errlen, "no database file name given");
        return BX_EINVAL;
    }
    return classify_file(path, &kind, err, errlen);
}

/* ---- opening and migrating ----------------------------------------------- */

/*
 * Bring the database to the last version of `steps`.  The version is read
 * again inside the IMMEDIATE transaction, so a concurrent opener that won
 * the race has already done the work and we do nothing.
 */
static int migrate(store *s, const store_migration *steps, size_t nsteps, char *err,
                   size_t errlen)
{
    int latest = nsteps ? steps[nsteps - 1].version : 0;
    int64_t version = 0, app = 0;
    for (size_t i = 0; i < nsteps; i++) {
        if (steps[i].version != (int)i + 1) {
            set_err(err, errlen, "internal error: migration step %zu has version %d", i,
                    steps[i].version);
            return BX_EINTERNAL;
        }
    }
    if (query_int(s->db, "PRAGMA user_version", &version) != 0 ||
        query_int(s->db, "PRAGMA application_id", &app) != 0) {
        set_err(err, errlen, "%s: cannot read the schema version: %s", s->path,
                sqlite3_errmsg(s->db));
        return BX_EIO;
    }
    if ((uint32_t)app == STORE_APPLICATION_ID && version == latest) {
        s->schema_version = (int)version;
        return 0; /* the common case: nothing to write */
    }

    /* (step 7 edits sqlite_schema, which a connection in defensive mode may not) */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *)NULL);
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, errlen, "%s: cannot lock the database: %s", s->path, sqlite3_errmsg(s->db));
        return BX_EIO;
    }
    int rc = 0;
    int64_t ntables = 0;
    if (query_int(s->db, "PRAGMA user_version", &version) != 0 ||
        query_int(s->db, "PRAGMA application_id", &app) != 0 ||
        query_int(s->db, "SELECT count(*) FROM sqlite_schema", &ntables) != 0) {
        set_err(err, errlen, "%s: cannot read the schema version: %s", s->path,
                sqlite3_errmsg(s->db));
        rc = BX_EIO;
    } else if ((uint32_t)app != STORE_APPLICATION_ID && (app != 0 || ntables != 0)) {
        /* Only reachable if the file changed under us after the header check. */
        set_err(err, errlen, "'%s' is not a BenchaaS database; refusing to touch it", s->path);
        rc = BX_EINVAL;
    } else if (version > latest) {
        set_err(err, errlen,
                "'%s' was written by a newer BenchaaS (database schema version %" PRId64
                ", this benchaas knows up to %d); use a newer benchaas or another --db",
                s->path, version, latest);
        rc = BX_EINVAL;
    } else {
        char pragma[64];
        for (size_t i = (size_t)version; i < nsteps && rc == 0; i++) {
            char *msg = NULL;
            if (sqlite3_exec(s->db, steps[i].sql, NULL, NULL, &msg) != SQLITE_OK) {
                set_err(err, errlen,
                        "%s: migrating the database to schema version %d (%s) failed: %s; "
                        "the file is unchanged",
                        s->path, steps[i].version, steps[i].what, msg ? msg : "?");
                rc = BX_EIO;
            }
            sqlite3_free(msg);
        }
        /* (a step that edits sqlite_schema itself, 7, changes no schema cookie: a new one
           makes every other connection read the schema again) */
        int64_t cookie = 0;
        if (rc == 0 && query_int(s->db, "PRAGMA schema_version", &cookie) == 0) {
            snprintf(pragma, sizeof pragma, "PRAGMA schema_version = %" PRId64,
                     (cookie + 1) & 0x7fffffff);
            sqlite3_exec(s->db, pragma, NULL, NULL, NULL);
        }
        if (rc == 0) {
            /* PRAGMAs take no bound parameters; the values are our own integers. */
            snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d; PRAGMA user_version = %d",
                     (int)STORE_APPLICATION_ID, latest);
            if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
                set_err(err, errlen, "%s: cannot set the schema version: %s", s->path,
                        sqlite3_errmsg(s->db));
                rc = BX_EIO;
            }
        }
        version = latest;
    }
    if (rc == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, errlen, "%s: cannot commit the schema: %s", s->path, sqlite3_errmsg(s->db));
        rc = BX_EIO;
    }
    if (rc != 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    else
        s->schema_version = (int)version;
    return rc;
}

/*
 * Switch to WAL (persistent in the file).  Changing the journal mode needs
 * a moment alone with the file; when another process holds it we retry for
 * a while and otherwise go on in rollback mode (correct, only slower): the
 * next opener switches.
 */
static void enable_wal(store *s)
{
    sqlite3_stmt *st;
    for (int attempt = 0; attempt < 50; attempt++) {
        const unsigned char *mode = NULL;
        int ok = 0;
        if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
            return;
        if (sqlite3_step(st) == SQLITE_ROW) {
            mode = sqlite3_column_text(st, 0);
            ok = mode && strcmp((const char *)mode, "wal") == 0;
        }
        sqlite3_finalize(st);
        if (ok)
            return;
        usleep(20000);
    }
}

/*
 * SQLite reports a full disk at open time as a "disk I/O error" (it cannot
 * grow the -shm file): say what it is (tests/faults/disk_full_database.sh).
 */
static void disk_full_hint(const char *path, char *err, size_t errlen)
{
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
    struct statvfs vfs;
    if (slash)
        *slash = '\0';
    if (dir && statvfs(slash ? (*dir ? dir : "/") : ".", &vfs) == 0 && vfs.f_bavail == 0) {
        size_t n = strlen(err);
        if (n < errlen)
            snprintf(err + n, errlen - n, " (the disk holding it is full)");
    }
    free(dir);
}

/* When the file or its folder cannot be written, say so (SQLite only says
 * "unable to open database file" or "attempt to write a readonly database"). */
static void readonly_hint(const char *path, char *err, size_t errlen)
{
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    const char *d = slash ? dir : ".";
    int e = 0;
    const char *what = NULL;
    if (access(path, W_OK) != 0 && errno != ENOENT)
        e = errno, what = "the file";
    else if (d && access(d, W_OK) != 0)
        e = errno, what = "its folder";
    if (what) {
        size_t n = strlen(err);
        if (n < errlen)
            snprintf(err + n, errlen - n,
                     " (%s cannot be written: %s; SQLite needs to write the file and create "
                     "its -wal and -shm files beside it%s)",
                     what, strerror(e),
                     e == EROFS ? ": a read-only file system" : "");
    }
    free(dir);
}

/*
 * BENCHAAS_SQL_PROFILE set (to anything): every finished statement's time
 * and text on stderr, "sql 12.345 ms: SELECT ...", for measuring which stage
 * of a command costs what (docs/performance.md).
 */
static int profile_cb(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    if (type == SQLITE_TRACE_PROFILE) {
        char *sql = sqlite3_expanded_sql((sqlite3_stmt *)p);
        fprintf(stderr, "sql %9.3f ms: %s\n", (double)*(sqlite3_int64 *)x / 1e6,
                sql ? sql : sqlite3_sql((sqlite3_stmt *)p));
        sqlite3_free(sql);
    }
    return 0;
}

/*
 * Process-wide SQLite settings, made once before the first connection (SQLite
 * takes them only before it initialises; if something in the process already
 * used SQLite they are simply not applied):
 *   - a savepoint's journal (store_ingest inside a batch) stays in memory up to
 *     16 MiB: a run changes about 35 pages, 140 KiB, and the default 64 KiB
 *     spilled every run's savepoint into a temporary file, two write calls a
 *     page, which cost more than the batch saved;
 *   - no memory statistics: they take a global mutex on every allocation.
 */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_settings(void)
{
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 16 << 20);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* An SQLite connection with our settings (no header check, no migration). */
static int open_connection(const char *path, int create, int one_thread, store **out, char *err,
                           size_t errlen)
{
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        set_err(err, errlen, "out of memory");
        return BX_ENOMEM;
    }
    pthread_once(&sqlite_once, sqlite_settings);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                (one_thread ? SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_FULLMUTEX);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        set_err(err, errlen, "cannot open the database '%s': %s", path,
                s->db ? sqlite3_errmsg(s->db) : "out of memory");
        readonly_hint(path, err, errlen);
        store_close(s);
        return BX_EIO;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    if (getenv("BENCHAAS_SQL_PROFILE"))
        sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, profile_cb, NULL);
    /*
     * Constant settings, no values from outside.  synchronous = NORMAL is the
     * WAL setting SQLite recommends: a commit is atomic and survives the
     * process being killed; only a power cut or kernel crash in the second
     * after a commit can lose that last run (the file is never corrupted).
     * It saves an fsync per ingested run (~10 ms here).  Memory-mapped reads
     * spare a system call per page on large queries.
     */
    sqlite3_exec(s->db,
                 "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                 " PRAGMA mmap_size = 268435456",
                 NULL, NULL, NULL);
    s->one_thread = one_thread;
    *out = s;
    return 0;
}

/* Another connection to first's database, of the same schema (no check, no migration). */
static int open_sibling(const store *first, int one_thread, store **out, char *err,
                        size_t errlen)
{
    int rc = open_connection(first->path, 0, one_thread, out, err, errlen);
    if (rc == 0)
        (*out)->schema_version = first->schema_version;
    return rc;
}

/* Start a read transaction on s now (a read, not just BEGIN, fixes its snapshot). */
static int begin_read(store *s)
{
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) ==
                 SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!ok && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return ok ? 0 : BX_EIO;
}

int store_open_twins(store *s, int n, char *err, size_t errlen)
{
    store *lock = NULL, *twin[STORE_TWINS] = {NULL};
    if (errlen)
        err[0] = '\0';
    if (n < 1 || n > STORE_TWINS || s->twin[0] || !sqlite3_get_autocommit(s->db)) {
        set_err(err, errlen, "%s: a transaction is already open", s->path);
        return BX_EINVAL;
    }
    const char *threads = getenv("BENCHAAS_THREADS");
    if (threads && strcmp(threads, "1") == 0) {
        set_err(err, errlen, "BENCHAAS_THREADS=1: one thread");
        return BX_EINVAL;
    }
    int rc = open_connection(s->path, 0, 1, &lock, err, errlen);
    if (rc == 0) {
        /* no commit can fall between the snapshots while this holds the write lock;
           a writer busy for longer than a moment: go on with one connection */
        sqlite3_busy_timeout(lock->db, 200);
        if (sqlite3_exec(lock->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            set_err(err, errlen, "%s: %s", s->path, sqlite3_errmsg(lock->db));
            rc = BX_EIO;
        }
    }
    for (int i = 0; rc == 0 && i < n; i++)
        rc = open_sibling(s, s->one_thread, &twin[i], err, errlen);
    if (rc == 0 && begin_read(s) != 0)
        rc = BX_EIO;
    for (int i = 0; rc == 0 && i < n; i++)
        if (begin_read(twin[i]) != 0)
            rc = BX_EIO;
    if (rc == BX_EIO && !*err)
        set_err(err, errlen, "%s: cannot start reading", s->path);
    store_close(lock); /* (rolls its transaction back) */
    if (rc != 0) {
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        for (int i = 0; i < n; i++)
            store_close(twin[i]);
        return rc;
    }
    memcpy(s->twin, twin, sizeof twin);
    return 0;
}

store *store_twin(store *s, int i) { return i >= 0 && i < STORE_TWINS ? s->twin[i] : NULL; }

void store_twins_close(store *s)
{
    for (int i = 0; i < STORE_TWINS; i++) {
        store_close(s->twin[i]);
        s->twin[i] = NULL;
    }
}

int store_open_again(const store *first, store **out, char *err, size_t errlen)
{
    return open_sibling(first, 0, out, err, errlen);
}

int store_open_with(const char *path, int mode, const store_migration *steps, size_t nsteps,
                    store **out, char *err, size_t errlen)
{
    int kind, rc, one_thread = (mode & STORE_ONE_THREAD) != 0;
    mode &= ~STORE_ONE_THREAD;
    *out = NULL;
    if (!path || !*path) {
        set_err(err, errlen, "no database file name given");
        return BX_EINVAL;
    }
    if ((rc = classify_file(path, &kind, err, errlen)) != 0)
        return rc;
    if (mode != STORE_CREATE && kind == FILE_ABSENT) {
        set_err(err, errlen,
                "no database at '%s' (run a benchmark first, or give --db FILE or BENCHAAS_DB)",
                path);
        return BX_EINVAL;
    }
    if (mode != STORE_CREATE && kind == FILE_EMPTY) {
        set_err(err, errlen, "'%s' is empty: no BenchaaS results in it yet", path);
        return BX_EINVAL;
    }

    safefile_protect_db(path); /* never an output file of this process */
    store *s;
    if ((rc = open_connection(path, mode == STORE_CREATE, one_thread, &s, err, errlen)) != 0)
        return rc;
    if ((rc = migrate(s, steps, nsteps, err, errlen)) != 0) {
        if (rc == BX_EIO) {
            disk_full_hint(path, err, errlen);
            readonly_hint(path, err, errlen);
        }
        store_close(s);
        return rc;
    }
    enable_wal(s);
    *out = s;
    return 0;
}

int store_open(const char *path, int mode, store **out, char *err, size_t errlen)
{
    size_t n;
    const store_migration *steps = store_migrations(&n);
    return store_open_with(path, mode, steps, n, out, err, errlen);
}

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    for (int i = 0; i < MULTI__COUNT; i++)
        for (int n = 0; n < MULTI_ROWS; n++)
            sqlite3_finalize(s->multi[i][n]);
    kinds_forget(&s->kinds);
    store_twins_close(s);
    if (s->db)
        sqlite3_close(s->db);
    free(s->path);
    free(s);
}

/* ---- times --------------------------------------------------------------- */

/* Exactly n digits at *p into *out; advances *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int store_time_parse(const char *text, int64_t *epoch, int *date_only)
{
    int Y, M, D, h = 0, m = 0, sec = 0, off = 0;
    const char *p = text;
    if (!p)
        return BX_EINVAL;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
        digits(&p, 2, &D))
        return BX_EINVAL;
    int donly = (*p == '\0');
    if (!donly) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return BX_EINVAL;
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m))
            return BX_EINVAL;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return BX_EINVAL;
            if (*p == '.' || *p == ',') { /* fractional seconds: dropped */
                p++;
                if (!isdigit((unsigned char)*p))
                    return BX_EINVAL;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (digits(&p, 2, &oh))
                return BX_EINVAL;
            if (*p == ':')
                p++;
            if (*p && digits(&p, 2, &om))
                return BX_EINVAL;
            if (oh > 23 || om > 59)
                return BX_EINVAL;
            off = sign * (oh * 3600 + om * 60);
        }
        if (*p != '\0')
            return BX_EINVAL;
    }
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 60)
        return BX_EINVAL;
    int leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (M == 2 && D == 29 && !leap) /* 2026-02-29 */
        return BX_EINVAL;
    /* days since 1970-01-01 in the proleptic Gregorian calendar (as timegm counts):
       years from March, so that the leap day is the last of its year */
    int64_t y = Y - (M <= 2), era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (M > 2 ? M - 3 : M + 9) + 2) / 5 + D - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    /* a leap second counts as :59 */
    *epoch = days * 86400 + h * 3600 + m * 60 + (sec > 59 ? 59 : sec) - off;
    /* The UTC instant must have a four-digit year, as stored times do
     * ("0000-01-01T00:30+01:00" would be in year -1; tests/fuzz/fuzz_time.c). */
    if (*epoch < INT64_C(-62167219200) || *epoch > INT64_C(253402300799))
        return BX_EINVAL;
    if (date_only)
        *date_only = donly;
    return 0;
}

void store_time_format(int64_t epoch, char *out, size_t outlen)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    /* Not strftime's %Y: it does not pad years before 1000 to four digits,
     * and such a text would neither sort nor parse again. */
    if (!gmtime_r(&t, &tm) ||
        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec) >= (int)outlen) {
        if (outlen)
            out[0] = '\0';
    }
}

/* ---- reading a result document ------------------------------------------ */

/*
 * The fields of a result document, checked before anything is written.
 * Pointers borrow from the document; the strings in `own` are ours.
 */
typedef struct doc {
    const char *uuid, *plugin, *plugin_version, *status, *error, *host;
    const char *experiment, *launcher;
    int has_point, has_ranks, has_threads, has_reps, has_job, has_task;
    int64_t point, ranks, threads, reps, job_id, task_id;
    const char *job_text; /* a job id that is not a plain integer ("1234.batch") */
    const char *user;     /* who ran it (an account, or a CLI user's login name) */
    int has_service_job;  /* "job": the service job it belongs to */
    int64_t service_job;
    char queued_at[32], started_at[32], finished_at[32]; /* "" when absent */
    const cJSON *params, *metrics, *samples, *tags, *warnings, *meta, *provenance, *spec;
    const cJSON *timeline; /* [[t, rss_mib, cpu_percent], ...] or NULL */
    const cJSON *timeline_nodes; /* [{"node", "ranks", "timeline": [...]}, ...] or NULL */
    int final; /* status is not queued/running */
} doc;

/* A timeline: a list of [seconds, rss_mib or null, cpu_percent or null]. */
static int timeline_valid(const cJSON *arr)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *t = cJSON_GetArrayItem(it, 0), *rss = cJSON_GetArrayItem(it, 1),
                    *cpu = cJSON_GetArrayItem(it, 2);
        if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 3 || !cJSON_IsNumber(t) ||
            !isfinite(t->valuedouble) || !(cJSON_IsNumber(rss) || cJSON_IsNull(rss)) ||
            !(cJSON_IsNumber(cpu) || cJSON_IsNull(cpu)))
            return 0;
    }
    return 1;
}

static int is_final(const char *status)
{
    return strcmp(status, "queued") != 0 && strcmp(status, "running") != 0;
}

/* An optional string member: NULL when absent or null; error when another type. */
static int opt_str(const cJSON *o, const char *key, const char **out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring) {
        set_err(err, errlen, "result document: \"%s\" must be a string", key);
        return BX_EINVAL;
    }
    *out = v->valuestring;
    return 0;
}

/* An optional whole number (JSON number, or a string of digits if allow_text). */
static int opt_int(const cJSON *o, const char *key, int *has, int64_t *out, char *err,
                   size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *has = 0;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
        fabs(v->valuedouble) < 9.0e15) {
        *out = (int64_t)v->valuedouble;
        *has = 1;
        return 0;
    }
    if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
        char *end;
        errno = 0;
        long long x = strtoll(v->valuestring, &end, 10);
        if (*end == '\0' && errno == 0) {
            *out = x;
            *has = 1;
            return 0;
        }
    }
    set_err(err, errlen, "result document: \"%s\" must be a whole number", key);
    return BX_EINVAL;
}

/* An optional time member, normalised to "YYYY-MM-DDTHH:MM:SSZ" in out ("" if absent). */
static int opt_time(const cJSON *o, const char *key, char *out, size_t outlen, char *err,
                    size_t errlen)
{
    const char *t;
    int64_t epoch;
    out[0] = '\0';
    if (opt_str(o, key, &t, err, errlen) != 0)
        return BX_EINVAL;
    if (!t)
        return 0;
    if (store_time_parse(t, &epoch, NULL) != 0) {
        set_err(err, errlen,
                "result document: \"%s\" is '%s', not an ISO 8601 time like "
                "2026-11-21T10:12:17Z",
                key, t);
        return BX_EINVAL;
    }
    store_time_format(epoch, out, outlen);
    return 0;
}

/* An optional member of JSON type `type` (cJSON_Object / cJSON_Array). */
static int opt_kind(const cJSON *o, const char *key, int type, const cJSON **out, char *err,
                    size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if ((v->type & 0xFF) != type) {
        set_err(err, errlen, "result document: \"%s\" must be %s", key,
                type == cJSON_Object ? "an object" : "a list");
        return BX_EINVAL;
    }
    *out = v;
    return 0;
}

/* The document's identity: an object of result_version 1 with uuid, plugin and a known status. */
static int read_doc_identity(const cJSON *j, doc *d, char *err, size_t errlen)
{
    static const char *const statuses[] = {"ok",      "failed", "crashed", "timeout",
                                           "interrupted", "queued", "running", NULL};
    memset(d, 0, sizeof *d);
    if (!cJSON_IsObject(j)) {
        set_err(err, errlen, "result document: not a JSON object");
        return BX_EINVAL;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "result_version");
    if (!cJSON_IsNumber(ver)) {
        set_err(err, errlen, "not a result document (no \"result_version\")");
        return BX_EINVAL;
    }
    if (ver->valuedouble != 1) {
        set_err(err, errlen,
                "result document version %g is not understood by this benchaas (it reads "
                "version 1)",
                ver->valuedouble);
        return BX_EINVAL;
    }
    if (opt_str(j, "uuid", &d->uuid, err, errlen) || opt_str(j, "plugin", &d->plugin, err, errlen) ||
        opt_str(j, "status", &d->status, err, errlen))
        return BX_EINVAL;
    if (!d->uuid || !*d->uuid || !d->plugin || !*d->plugin || !d->status) {
        set_err(err, errlen, "result document: \"%s\" is missing",
                !d->uuid || !*d->uuid ? "uuid" : !d->plugin || !*d->plugin ? "plugin" : "status");
        return BX_EINVAL;
    }
    int known = 0;
    for (int i = 0; statuses[i]; i++)
        known |= strcmp(statuses[i], d->status) == 0;
    if (!known) {
        set_err(err, errlen,
                "result document: status '%s' is not one of ok, failed, crashed, timeout, "
                "interrupted, queued, running",
                d->status);
        return BX_EINVAL;
    }
    return 0;
}

static int read_doc(const cJSON *j, doc *d, char *err, size_t errlen)
{
    int irc = read_doc_identity(j, d, err, errlen);
    if (irc)
        return irc;
    d->final = is_final(d->status);
    if (opt_str(j, "plugin_version", &d->plugin_version, err, errlen) ||
        opt_str(j, "error", &d->error, err, errlen) || opt_str(j, "host", &d->host, err, errlen) ||
        opt_str(j, "experiment", &d->experiment, err, errlen) ||
        opt_str(j, "launcher", &d->launcher, err, errlen) ||
        opt_str(j, "user", &d->user, err, errlen) ||
        opt_int(j, "job", &d->has_service_job, &d->service_job, err, errlen) ||
        opt_int(j, "point", &d->has_point, &d->point, err, errlen) ||
        opt_int(j, "ranks", &d->has_ranks, &d->ranks, err, errlen) ||
        opt_int(j, "threads", &d->has_threads, &d->threads, err, errlen) ||
        opt_int(j, "repetitions", &d->has_reps, &d->reps, err, errlen) ||
        opt_int(j, "array_task_id", &d->has_task, &d->task_id, err, errlen) ||
        opt_time(j, "queued_at", d->queued_at, sizeof d->queued_at, err, errlen) ||
        opt_time(j, "started_at", d->started_at, sizeof d->started_at, err, errlen) ||
        opt_time(j, "finished_at", d->finished_at, sizeof d->finished_at, err, errlen) ||
        opt_kind(j, "params", cJSON_Object, &d->params, err, errlen) ||
        opt_kind(j, "metrics", cJSON_Object, &d->metrics, err, errlen) ||
        opt_kind(j, "samples", cJSON_Object, &d->samples, err, errlen) ||
        opt_kind(j, "tags", cJSON_Array, &d->tags, err, errlen) ||
        opt_kind(j, "warnings", cJSON_Array, &d->warnings, err, errlen) ||
        opt_kind(j, "meta", cJSON_Object, &d->meta, err, errlen) ||
        opt_kind(j, "provenance", cJSON_Object, &d->provenance, err, errlen) ||
        opt_kind(j, "spec", cJSON_Object, &d->spec, err, errlen) ||
        opt_kind(j, "timeline", cJSON_Array, &d->timeline, err, errlen) ||
        opt_kind(j, "timeline_nodes", cJSON_Array, &d->timeline_nodes, err, errlen))
        return BX_EINVAL;
    /* Slurm job ids are integers; keep any other text as it is. */
    const cJSON *job = cJSON_GetObjectItemCaseSensitive(j, "job_id");
    if (cJSON_IsString(job) && job->valuestring && *job->valuestring) {
        if (opt_int(j, "job_id", &d->has_job, &d->job_id, err, errlen) != 0)
            d->job_text = job->valuestring;
    } else if (opt_int(j, "job_id", &d->has_job, &d->job_id, err, errlen) != 0) {
        return BX_EINVAL;
    }
    if (!d->queued_at[0] && d->spec) /* a queued run: when the runner wrote its spec */
        opt_time(d->spec, "created_at", d->queued_at, sizeof d->queued_at, err, errlen);
    if (!d->host && d->provenance)
        opt_str(d->provenance, "hostname", &d->host, err, errlen);

    /* Shapes of the nested members, so the transaction below cannot fail on them. */
    const cJSON *it;
    cJSON_ArrayForEach(it, d->metrics)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "unit");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(it, "better");
        if (!cJSON_IsObject(it) || (v && !cJSON_IsNumber(v) && !cJSON_IsNull(v)) ||
            (u && !cJSON_IsString(u) && !cJSON_IsNull(u)) ||
            (b && !cJSON_IsNull(b) &&
             (!cJSON_IsString(b) || (strcmp(b->valuestring, "higher") != 0 &&
                                     strcmp(b->valuestring, "lower") != 0 &&
                                     strcmp(b->valuestring, "none") != 0)))) {
            set_err(err, errlen,
                    "result document: metric '%s' must be {\"value\": number, \"unit\": text, "
                    "\"better\": \"higher\"|\"lower\"|\"none\"}",
                    it->string ? it->string : "?");
            return BX_EINVAL;
        }
    }
    cJSON_ArrayForEach(it, d->samples)
    {
        const cJSON *triple, *list = cJSON_IsArray(it) ? it : NULL;
        int bad = list == NULL;
        cJSON_ArrayForEach(triple, list)
        {
            if (!cJSON_IsArray(triple) || cJSON_GetArraySize(triple) != 3 ||
                !cJSON_IsNumber(cJSON_GetArrayItem(triple, 0)) ||
                !cJSON_IsNumber(cJSON_GetArrayItem(triple, 1)) ||
                !(cJSON_IsNumber(cJSON_GetArrayItem(triple, 2)) ||
                  cJSON_IsNull(cJSON_GetArrayItem(triple, 2))))
                bad = 1;
        }
        if (bad) {
            set_err(err, errlen,
                    "result document: samples of '%s' must be a list of [repetition, index, "
                    "value]",
                    it->string ? it->string : "?");
            return BX_EINVAL;
        }
    }
    if (!timeline_valid(d->timeline)) {
        set_err(err, errlen,
                "result document: \"timeline\" must be a list of [seconds, rss_mib, "
                "cpu_percent]");
        return BX_EINVAL;
    }
    cJSON_ArrayForEach(it, d->timeline_nodes)
    {
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(it, "node"),
                    *ranks = cJSON_GetObjectItemCaseSensitive(it, "ranks"),
                    *tl = cJSON_GetObjectItemCaseSensitive(it, "timeline");
        if (!cJSON_IsObject(it) || !cJSON_IsString(node) || !node->valuestring[0] ||
            !(ranks == NULL || cJSON_IsNumber(ranks)) || !cJSON_IsArray(tl) ||
            !timeline_valid(tl)) {
            set_err(err, errlen,
                    "result document: \"timeline_nodes\" must be a list of {\"node\": NAME, "
                    "\"ranks\": N, \"timeline\": [[seconds, rss_mib, cpu_percent], ...]}");
            return BX_EINVAL;
        }
    }
    cJSON_ArrayForEach(it, d->tags)
    {
        if (!cJSON_IsString(it)) {
            set_err(err, errlen, "result document: \"tags\" must be a list of strings");
            return BX_EINVAL;
        }
    }
    cJSON_ArrayForEach(it, d->warnings)
    {
        if (!cJSON_IsString(it)) {
            set_err(err, errlen, "result document: \"warnings\" must be a list of strings");
            return BX_EINVAL;
        }
    }
    cJSON_ArrayForEach(it, d->params)
    {
        const cJSON *v = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "value") : it;
        const cJSON *t = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "type") : NULL;
        if (!(cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v)) ||
            (t && !cJSON_IsString(t))) {
            set_err(err, errlen,
                    "result document: parameter '%s' must be {\"value\": text, \"type\": text}",
                    it->string ? it->string : "?");
            return BX_EINVAL;
        }
    }
    return 0;
}

/*
 * The text form of a scalar JSON value (provenance, meta, parameters):
 * strings as they are, numbers shortest-exact, booleans true/false, other
 * values as compact JSON.  Returns a pointer into buf or to the string, or
 * to *heap (malloc'd, caller frees) for objects and arrays; NULL for null.
 */
const char *store_value_text(const cJSON *v, char *buf, size_t len, char **heap)
{
    *heap = NULL;
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9.0e15)
            snprintf(buf, len, "%" PRId64, (int64_t)d);
        else {
            snprintf(buf, len, "%.15g", d);
            if (strtod(buf, NULL) != d)
                snprintf(buf, len, "%.17g", d);
        }
        return buf;
    }
    *heap = cJSON_PrintUnformatted(v);
    return *heap;
}

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
        opt_str(d->provenance, "cpu_model", &cpu, scratch, sizeof scratch);
        opt_str(d->provenance, "kernel", &kernel, scratch, sizeof scratch);
        opt_int(d->provenance, "cores", &has_cores, &cores, scratch, sizeof scratch);
        opt_int(d->provenance, "memory_bytes", &has_mem, &mem, scratch, sizeof scratch);
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
        set_err(err, errlen, "%s: storing host '%s': %s", s->path, d->host, sqlite3_errmsg(s->db));
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

static void kinds_forget(kind_cache *c)
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
        set_err(err, errlen, "internal error: an INSERT of %zu rows does not fit", n);
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
        set_err(err, errlen, "%s: cannot prepare a statement: %s", s->path,
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
        set_err(err, errlen, "%s: %s: %s", s->path, m->what, sqlite3_errmsg(s->db));
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
    cJSON_ArrayForEach(it, d->metrics)
    {
        const cJSON *bt = cJSON_GetObjectItemCaseSensitive(it, "better");
        if (s->schema_version >= 6 &&
            (rc = store_metric_kind(s, d->plugin, it->string ? it->string : "",
                                    cJSON_IsString(bt) ? bt->valuestring : "none", err,
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
        set_err(err, errlen, "%s: looking up a configuration: %s", s->path, sqlite3_errmsg(s->db));
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
        set_err(err, errlen, "%s: cannot record the run's user and job: %s", s->path,
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
        existing_final = is_final((const char *)sqlite3_column_text(st, 1));
    } else if (rc != SQLITE_DONE) {
        set_err(err, errlen, "%s: looking up run %s: %s", s->path, d->uuid, sqlite3_errmsg(s->db));
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
        set_err(err, errlen, "out of memory");
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
    set_err(err, errlen, "%s: this batch's transaction was rolled back by an earlier error",
            s->path);
    return BX_EIO;
}

int store_ingest(store *s, const cJSON *result, int64_t *run_id, char *err, size_t errlen)
{
    doc d;
    int64_t id = 0;
    int rc = read_doc(result, &d, err, errlen);
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
        kinds_forget(&s->kinds); /* what this transaction stored is gone */
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
        set_err(err, errlen, "%s: a transaction is already open", s->path);
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
        kinds_forget(&s->kinds);
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
    kinds_forget(&s->kinds);
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
        set_err(err, errlen, "no run with uuid %s in %s", uuid, s->path);
        rc = BX_EINVAL;
    } else {
        set_err(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
        rc = BX_EIO;
    }
    sqlite3_reset(st);
    return rc;
}

int store_check_writable(store *s, char *err, size_t errlen)
{
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        set_err(err, errlen,
                "'%s' cannot be written (a read-only file or file system); nothing was run "
                "(give --db a database you may write)",
                s->path);
        return BX_EINVAL;
    }
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, errlen, "'%s' cannot be written: %s; nothing was run", s->path,
                sqlite3_errmsg(s->db));
        return BX_EINVAL;
    }
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    int ok = 0;
    const char *why = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        ok = t && strcmp((const char *)t, "ok") == 0;
        if (!ok && t)
            why = (const char *)t;
    }
    if (!ok)
        set_err(err, errlen,
                "'%s' is damaged (%s); nothing was run (restore it from a backup, or give "
                "--db another file)",
                s->path, why ? why : sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return ok ? 0 : BX_EINVAL;
}
