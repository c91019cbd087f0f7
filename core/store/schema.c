/*
 * schema.c — the result database's schema (docs/database.md) and its forward
 * migrations: an append-only list of steps, each run in one IMMEDIATE transaction.
 */
#include "store_int.h"

#include <inttypes.h>
#include <stdio.h>

#include "benchaas/plugin.h" /* BX_E* codes */

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

/*
 * Version 9 (a report over a million runs without reading every metric row):
 *   - series_points: the points of every series (metric, plugin, status,
 *     configuration, host): each higher/lower-is-better metric row's run,
 *     start time and value, in metrics_find's order, packed into chunks
 *     (store.h: store_point); ingest appends a run's points in its own
 *     transaction (points.c), and the migration builds them from the rows;
 *   - series_stale: the series whose points no longer match their rows
 *     because a metric row was deleted or changed other than by ingest (the
 *     two triggers); readers leave them to the metric rows, and the next
 *     ingest into one builds it again.  failed = 1: its rows hold a start time
 *     in a form ingest does not write, and it stays with the rows.
 */
static const char schema_series_points[] =
    "CREATE TABLE series_points ("
    "  id        INTEGER PRIMARY KEY,"
    "  metric    TEXT NOT NULL,"
    "  plugin    TEXT NOT NULL,"
    "  status    TEXT NOT NULL,"
    "  config_id INTEGER NOT NULL," /* configs.id, 0 for none */
    "  host_id   INTEGER NOT NULL," /* hosts.id, 0 for runs without a host */
    "  chunk     INTEGER NOT NULL," /* 0, 1, ...: the series' chunks in order */
    "  n         INTEGER NOT NULL," /* points in data */
    "  first_t   INTEGER NOT NULL," /* the first point's start time and run */
    "  first_run INTEGER NOT NULL,"
    "  data      BLOB NOT NULL"
    ");"
    "CREATE UNIQUE INDEX series_points_key ON series_points(metric, plugin, status, config_id,"
    "  host_id, chunk);"
    "CREATE TABLE series_stale ("
    "  metric    TEXT NOT NULL,"
    "  plugin    TEXT NOT NULL,"
    "  status    TEXT NOT NULL,"
    "  config_id INTEGER NOT NULL,"
    "  host_id   INTEGER NOT NULL,"
    "  failed    INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (metric, plugin, status, config_id, host_id)"
    ") WITHOUT ROWID;"
    "CREATE TRIGGER metrics_points_gone AFTER DELETE ON metrics"
    "  WHEN (old.better = 'higher' OR old.better = 'lower') AND old.run_plugin IS NOT NULL"
    "  AND old.run_status IS NOT NULL BEGIN"
    "  INSERT OR IGNORE INTO series_stale(metric, plugin, status, config_id, host_id)"
    "    VALUES (old.name, old.run_plugin, old.run_status, coalesce(old.run_config_id, 0),"
    "            coalesce(old.run_host_id, 0));"
    "END;"
    "CREATE TRIGGER metrics_points_moved AFTER UPDATE OF name, value, better, run_plugin,"
    "  run_status, run_started_at, run_config_id, run_host_id ON metrics"
    "  WHEN old.name IS NOT new.name OR old.value IS NOT new.value"
    "  OR old.better IS NOT new.better OR old.run_plugin IS NOT new.run_plugin"
    "  OR old.run_status IS NOT new.run_status OR old.run_started_at IS NOT new.run_started_at"
    "  OR old.run_config_id IS NOT new.run_config_id OR old.run_host_id IS NOT new.run_host_id"
    "  BEGIN"
    "  INSERT OR IGNORE INTO series_stale(metric, plugin, status, config_id, host_id)"
    "    SELECT old.name, old.run_plugin, old.run_status, coalesce(old.run_config_id, 0),"
    "           coalesce(old.run_host_id, 0)"
    "    WHERE (old.better = 'higher' OR old.better = 'lower') AND old.run_plugin IS NOT NULL"
    "    AND old.run_status IS NOT NULL;"
    "  INSERT OR IGNORE INTO series_stale(metric, plugin, status, config_id, host_id)"
    "    SELECT new.name, new.run_plugin, new.run_status, coalesce(new.run_config_id, 0),"
    "           coalesce(new.run_host_id, 0)"
    "    WHERE (new.better = 'higher' OR new.better = 'lower') AND new.run_plugin IS NOT NULL"
    "    AND new.run_status IS NOT NULL;"
    "END;";

/*
 * Version 10 (the samples of a metric without stepping through its index):
 *   - samples_chunks: every metric's samples that have a value, of the runs
 *     up to the metric's mark (the largest last_run of its chunks), in the
 *     order of samples_metric, packed (store.h: STORE_SAMPLE_BYTES); the
 *     migration packs them, ingest packs the runs past the mark once they
 *     span STORE_SAMPLES_TAIL run ids (samplepack.c);
 *   - samples_stale: the metrics whose chunks no longer match the samples
 *     because a sample of a covered run was deleted, changed or added other
 *     than by ingest (the three triggers; a new run's samples are past every
 *     mark and mark nothing); readers leave them to the index.
 */
#define SAMPLES_MARK(m) "(SELECT max(last_run) FROM samples_chunks WHERE metric = " m ")"
static const char schema_samples_chunks[] =
    "CREATE TABLE samples_chunks ("
    "  id        INTEGER PRIMARY KEY,"
    "  metric    TEXT NOT NULL,"
    "  first_run INTEGER NOT NULL," /* the runs first_run .. last_run */
    "  last_run  INTEGER NOT NULL,"
    "  n         INTEGER NOT NULL," /* records in data */
    "  data      BLOB NOT NULL"
    ");"
    "CREATE UNIQUE INDEX samples_chunks_key ON samples_chunks(metric, last_run);"
    "CREATE TABLE samples_stale (metric TEXT PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TRIGGER samples_packed_gone AFTER DELETE ON samples"
    "  WHEN old.value IS NOT NULL AND old.run_id <= " SAMPLES_MARK("old.metric") " BEGIN"
    "  INSERT OR IGNORE INTO samples_stale(metric) VALUES (old.metric);"
    "END;"
    "CREATE TRIGGER samples_packed_added AFTER INSERT ON samples"
    "  WHEN new.value IS NOT NULL AND new.run_id <= " SAMPLES_MARK("new.metric") " BEGIN"
    "  INSERT OR IGNORE INTO samples_stale(metric) VALUES (new.metric);"
    "END;"
    "CREATE TRIGGER samples_packed_moved AFTER UPDATE ON samples BEGIN"
    "  INSERT OR IGNORE INTO samples_stale(metric) SELECT old.metric"
    "    WHERE old.value IS NOT NULL AND old.run_id <= " SAMPLES_MARK("old.metric") ";"
    "  INSERT OR IGNORE INTO samples_stale(metric) SELECT new.metric"
    "    WHERE new.value IS NOT NULL AND new.run_id <= " SAMPLES_MARK("new.metric") ";"
    "END;";

static const store_migration builtin_migrations[] = {
    {1, "initial schema", schema_v1},
    {2, "resource timelines, baselines per host class, configuration index", schema_v2},
    {3, "users, tokens, jobs, schedules and alerts of the service; runs' user and job", schema_v3},
    {4, "whole-job timelines (sums over every rank, and per node), headline metrics", schema_v4},
    {5, "configurations, series and covering indexes for large histories", schema_query_speed},
    {6, "the kinds of metric each plugin has stored", schema_metric_kinds},
    {7, "CHECK constraints of runs and metrics without IN lists (ingest speed)", schema_checks},
    {8, "alerts: severity, acknowledged or accepted (who, when, why), the new level", schema_alert_actions},
    {9, "the points of every series, kept at ingest", schema_series_points},
    {10, "every metric's samples packed, kept at ingest", schema_samples_chunks},
};

/* The version whose step is followed by building every series' points (in C, in the
   same transaction: a blob per chunk is more than SQL builds well). */
#define POINTS_VERSION 9

const store_migration *store_migrations(size_t *n)
{
    *n = sizeof builtin_migrations / sizeof builtin_migrations[0];
    return builtin_migrations;
}

/*
 * Bring the database to the last version of `steps`.  The version is read
 * again inside the IMMEDIATE transaction, so a concurrent opener that won
 * the race has already done the work and we do nothing.
 */
int store__migrate(store *s, const store_migration *steps, size_t nsteps, char *err,
                   size_t errlen)
{
    int latest = nsteps ? steps[nsteps - 1].version : 0;
    int64_t version = 0, app = 0;
    for (size_t i = 0; i < nsteps; i++) {
        if (steps[i].version != (int)i + 1) {
            store__err(err, errlen, "internal error: migration step %zu has version %d", i,
                       steps[i].version);
            return BX_EINTERNAL;
        }
    }
    if (store__query_int(s->db, "PRAGMA user_version", &version) != 0 ||
        store__query_int(s->db, "PRAGMA application_id", &app) != 0) {
        store__err(err, errlen, "%s: cannot read the schema version: %s", s->path,
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
        store__err(err, errlen, "%s: cannot lock the database: %s", s->path, sqlite3_errmsg(s->db));
        return BX_EIO;
    }
    int rc = 0;
    int64_t ntables = 0;
    if (store__query_int(s->db, "PRAGMA user_version", &version) != 0 ||
        store__query_int(s->db, "PRAGMA application_id", &app) != 0 ||
        store__query_int(s->db, "SELECT count(*) FROM sqlite_schema", &ntables) != 0) {
        store__err(err, errlen, "%s: cannot read the schema version: %s", s->path,
                   sqlite3_errmsg(s->db));
        rc = BX_EIO;
    } else if ((uint32_t)app != STORE_APPLICATION_ID && (app != 0 || ntables != 0)) {
        /* Only reachable if the file changed under us after the header check. */
        store__err(err, errlen, "'%s' is not a BenchaaS database; refusing to touch it", s->path);
        rc = BX_EINVAL;
    } else if (version > latest) {
        store__err(err, errlen,
                   "'%s' was written by a newer BenchaaS (database schema version %" PRId64
                   ", this benchaas knows up to %d); use a newer benchaas or another --db",
                   s->path, version, latest);
        rc = BX_EINVAL;
    } else {
        char pragma[64];
        for (size_t i = (size_t)version; i < nsteps && rc == 0; i++) {
            char *msg = NULL;
            if (sqlite3_exec(s->db, steps[i].sql, NULL, NULL, &msg) != SQLITE_OK) {
                store__err(err, errlen,
                           "%s: migrating the database to schema version %d (%s) failed: %s; "
                           "the file is unchanged",
                           s->path, steps[i].version, steps[i].what, msg ? msg : "?");
                rc = BX_EIO;
            }
            sqlite3_free(msg);
            if (rc == 0 && steps == builtin_migrations && version > 0 &&
                (steps[i].version == POINTS_VERSION || steps[i].version == STORE_SAMPLES_VERSION)) {
                char berr[256];
                if ((rc = steps[i].version == POINTS_VERSION
                              ? store__points_build_all(s, berr, sizeof berr)
                              : store__samples_pack_all(s, berr, sizeof berr)) != 0)
                    store__err(err, errlen,
                               "migrating the database to schema version %d (%s) failed: %s; "
                               "the file is unchanged",
                               steps[i].version, steps[i].what, berr);
            }
        }
        /* (a step that edits sqlite_schema itself, 7, changes no schema cookie: a new one
           makes every other connection read the schema again) */
        int64_t cookie = 0;
        if (rc == 0 && store__query_int(s->db, "PRAGMA schema_version", &cookie) == 0) {
            snprintf(pragma, sizeof pragma, "PRAGMA schema_version = %" PRId64,
                     (cookie + 1) & 0x7fffffff);
            sqlite3_exec(s->db, pragma, NULL, NULL, NULL);
        }
        if (rc == 0) {
            /* PRAGMAs take no bound parameters; the values are our own integers. */
            snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d; PRAGMA user_version = %d",
                     (int)STORE_APPLICATION_ID, latest);
            if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
                store__err(err, errlen, "%s: cannot set the schema version: %s", s->path,
                           sqlite3_errmsg(s->db));
                rc = BX_EIO;
            }
        }
        version = latest;
    }
    if (rc == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        store__err(err, errlen, "%s: cannot commit the schema: %s", s->path, sqlite3_errmsg(s->db));
        rc = BX_EIO;
    }
    if (rc != 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    else
        s->schema_version = (int)version;
    return rc;
}

