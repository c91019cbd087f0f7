/*
 * dbgen.c — builds a large result database through store_ingest(), for
 * bench/db.sh (and, small, for the bench.dbgen.smoke test).
 *
 *   store_dbgen [--runs N] [--years Y] [--batch B] [--single K] [--check] [--append] DB
 *                                           N synthetic runs (default 100000)
 *                                           over the Y years before "now"
 *                                           (default N / 50 000); the last K
 *                                           (default N / 10, at most 2000) one
 *                                           per transaction, as `run` stores a
 *                                           run, the others in transactions of
 *                                           B (default 256), as `collect` does
 *   store_dbgen query ARGS...               `benchaas query ARGS...` (cmd_query)
 *   store_dbgen check|report|compare|sql ARGS  the same commands, when compiled
 *                                           with -DDBGEN_ALL_COMMANDS (bench/db.sh)
 *
 * The runs imitate a few years of a cluster's history: four plugins in
 * turn (hpl, stream, iperf, ior), 16 hosts, 50 000 runs a year (two years
 * of history in 100 000 runs, twenty in 1 000 000) ending at a fixed "now"
 * (2026-11-21), 5 % failed; every run has 10 metrics (6 of the plugin, 4 of
 * resource usage), 3 samples of its main metric, its parameters, 6
 * provenance keys, the user who ran it (one of three) and sometimes a tag,
 * as the documents of `benchaas run` do.  It prints the wall and CPU time
 * of ingest per run.
 * Only the generator turns off fsync (PRAGMA synchronous = OFF, through
 * store_db()) so that building 100 000 runs takes seconds, not minutes;
 * ingest itself is the real code path.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "query.h"
#include "store.h"

/* xorshift: reproducible values without libc's rand state */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* A parameter in the document's form: canonical text and type. */
static void param_s(cJSON *params, const char *name, const char *type, const char *value)
{
    cJSON *p = cJSON_AddObjectToObject(params, name);
    cJSON_AddStringToObject(p, "value", value);
    cJSON_AddStringToObject(p, "type", type);
}

static void param(cJSON *params, const char *name, const char *type, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    param_s(params, name, type, buf);
}

static void metric(cJSON *m, const char *name, double v, const char *unit, const char *better)
{
    cJSON *o = cJSON_AddObjectToObject(m, name);
    cJSON_AddNumberToObject(o, "value", v);
    cJSON_AddStringToObject(o, "unit", unit);
    cJSON_AddStringToObject(o, "better", better);
}

/* The result document of synthetic run i (caller frees). */
/*
 * The document of synthetic run i of `runs`: the runs are spread evenly over
 * the `span` seconds that end at t0 ("now"), oldest first, as a database
 * fills up: with the default span (runs / 50 000 years, the rate of a busy
 * cluster) a larger database holds a longer history, and the last year, the
 * last 30 days, ... hold the same number of runs at every size.
 */
static cJSON *make_doc(long i, long runs, int64_t t0, int64_t span)
{
    static const char *const plugins[] = {"hpl", "stream", "iperf", "ior"};
    static const long nbs[] = {128, 192, 256, 320};
    const char *plugin = plugins[i % 4];
    int host = (int)(urand() * 16);
    int failed = urand() < 0.05;
    double speed = 0.8 + 0.4 * urand() + 0.02 * host;
    char buf[64];
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "result_version", 1);
    snprintf(buf, sizeof buf, "bench-%08ld", i);
    cJSON_AddStringToObject(d, "uuid", buf);
    cJSON_AddStringToObject(d, "plugin", plugin);
    cJSON_AddStringToObject(d, "plugin_version", "1.0.0");
    cJSON_AddStringToObject(d, "experiment", plugin);
    cJSON_AddNumberToObject(d, "point", (double)(i % 16));
    cJSON_AddStringToObject(d, "status", failed ? "failed" : "ok");
    if (failed)
        cJSON_AddStringToObject(d, "error", "validation failed");
    else
        cJSON_AddNullToObject(d, "error");
    int64_t start = t0 - span + (int64_t)i * span / runs;
    store_time_format(start, buf, sizeof buf);
    cJSON_AddStringToObject(d, "started_at", buf);
    store_time_format(start + 30, buf, sizeof buf);
    cJSON_AddStringToObject(d, "finished_at", buf);
    snprintf(buf, sizeof buf, "node%02d", host);
    cJSON_AddStringToObject(d, "host", buf);
    if (i % 3 == 0)
        cJSON_AddNumberToObject(d, "job_id", (double)(100000 + i));
    else
        cJSON_AddNullToObject(d, "job_id");
    cJSON_AddNullToObject(d, "array_task_id");
    cJSON_AddStringToObject(d, "launcher", i % 3 == 0 ? "slurm" : "local");
    cJSON_AddNumberToObject(d, "ranks", i % 4 == 0 ? 2 : 1);
    cJSON_AddNumberToObject(d, "threads", 2);
    cJSON_AddNumberToObject(d, "repetitions", 3);
    cJSON *tags = cJSON_AddArrayToObject(d, "tags");
    if (i % 10 == 0)
        cJSON_AddItemToArray(tags, cJSON_CreateString("acceptance"));

    cJSON *p = cJSON_AddObjectToObject(d, "params");
    cJSON *m = cJSON_AddObjectToObject(d, "metrics");
    const char *main_metric;
    double main_value;
    switch (i % 4) {
    case 0:
        param(p, "N", "int", 4000);
        param(p, "NB", "int", nbs[(i / 4) % 4]);
        param(p, "P", "int", 1);
        param(p, "Q", "int", 2);
        param(p, "depth", "int", 1);
        param_s(p, "pfact", "enum", "Right");
        main_metric = "gflops";
        main_value = 50.0 * speed;
        metric(m, "gflops", main_value, "GFLOP/s", "higher");
        metric(m, "time", 4000.0 * 4000 * 4000 / 1.5e9 / main_value, "s", "lower");
        metric(m, "residual", 0.003 * urand(), "", "lower");
        metric(m, "passed", failed ? 0 : 1, "", "none");
        metric(m, "gflops_per_rank", main_value / 2, "GFLOP/s", "higher");
        metric(m, "efficiency", 0.7 * speed, "", "higher");
        break;
    case 1:
        param(p, "array_size", "size", 10000000L << ((i / 4) % 3));
        param(p, "ntimes", "int", 10);
        param_s(p, "nt_stores", "bool", i % 8 == 1 ? "true" : "false");
        main_metric = "triad";
        main_value = 20000.0 * speed;
        metric(m, "copy", main_value * 0.95, "MB/s", "higher");
        metric(m, "scale", main_value * 0.93, "MB/s", "higher");
        metric(m, "add", main_value * 1.01, "MB/s", "higher");
        metric(m, "triad", main_value, "MB/s", "higher");
        metric(m, "validated", failed ? 0 : 1, "", "none");
        metric(m, "array_bytes", 240000000, "B", "none");
        break;
    case 2:
        param_s(p, "mode", "enum", "loopback");
        param(p, "duration", "int", 10);
        param(p, "streams", "int", 1 + (i / 4) % 4);
        param(p, "length", "size", 131072);
        main_metric = "throughput";
        main_value = 30.0 * speed;
        metric(m, "throughput", main_value, "Gbit/s", "higher");
        metric(m, "retransmits", (double)(long)(10 * urand()), "", "lower");
        metric(m, "rtt", 20 + 10 * urand(), "us", "lower");
        metric(m, "cpu_sender", 60 * urand(), "%", "none");
        metric(m, "cpu_receiver", 60 * urand(), "%", "none");
        metric(m, "bytes", 3.0e10 * speed, "B", "none");
        break;
    default:
        param_s(p, "api", "enum", "posix");
        param(p, "block_size", "size", 1L << (20 + (i / 4) % 4));
        param(p, "transfer_size", "size", 262144);
        param(p, "segments", "int", 4);
        main_metric = "write_bw";
        main_value = 900.0 * speed;
        metric(m, "write_bw", main_value, "MiB/s", "higher");
        metric(m, "read_bw", main_value * 1.8, "MiB/s", "higher");
        metric(m, "write_iops", main_value * 4, "ops/s", "higher");
        metric(m, "read_iops", main_value * 7.2, "ops/s", "higher");
        metric(m, "verified", failed ? 0 : 1, "", "none");
        metric(m, "files", 1, "", "none");
        break;
    }
    metric(m, "wall_time", 30 + 5 * urand(), "s", "none");
    metric(m, "user_time", 50 + 5 * urand(), "s", "none");
    metric(m, "sys_time", 2 * urand(), "s", "none");
    metric(m, "max_rss", 200 + 50 * urand(), "MiB", "none");

    cJSON *samples = cJSON_AddObjectToObject(d, "samples");
    cJSON *list = cJSON_AddArrayToObject(samples, main_metric);
    for (int rep = 1; rep <= 3; rep++) {
        cJSON *triple = cJSON_CreateArray();
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(rep));
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(0));
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(main_value * (0.97 + 0.03 * urand())));
        cJSON_AddItemToArray(list, triple);
    }
    /* (every run that `benchaas run` stores carries the user who ran it) */
    static const char *const users[] = {"alice", "bob", "carol"};
    cJSON_AddStringToObject(d, "user", users[i % 3]);
    cJSON_AddArrayToObject(d, "warnings");
    cJSON_AddObjectToObject(d, "meta");
    cJSON *prov = cJSON_AddObjectToObject(d, "provenance");
    snprintf(buf, sizeof buf, "node%02d", host);
    cJSON_AddStringToObject(prov, "hostname", buf);
    cJSON_AddStringToObject(prov, "cpu_model", host < 8 ? "AMD EPYC 7543" : "Intel Xeon 8380");
    cJSON_AddNumberToObject(prov, "cores", host < 8 ? 64 : 80);
    cJSON_AddNumberToObject(prov, "memory_bytes", 274877906944.0);
    cJSON_AddStringToObject(prov, "kernel", i < runs - 50000 ? "6.1.0-18-amd64" : "6.1.0-25-amd64");
    cJSON_AddStringToObject(prov, "benchaas_version", "0.1.0");
    return d;
}

static int64_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

#ifdef DBGEN_ALL_COMMANDS
/* bench/db.sh times the result commands of this program too, so it needs no runner. */
#include "check.h"
#include "compare.h"
#include "report.h"
#include "sqlcmd.h"
#endif

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "query") == 0)
        return cmd_query(argc - 1, argv + 1);
#ifdef DBGEN_ALL_COMMANDS
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "sql") == 0)
        return cmd_sql(argc - 1, argv + 1);
#endif

    long runs = 100000;
    double years = 0;
    int check = 0, append = 0;
    long batch = 256, single = -1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--years") == 0 && i + 1 < argc)
            years = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (strcmp(argv[i], "--append") == 0)
            append = 1;
        else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
            batch = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--single") == 0 && i + 1 < argc)
            single = strtol(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: store_dbgen [--runs N] [--years Y] [--batch B] [--single K] [--check] [--append] DB | store_dbgen query ARGS\n");
            return 2;
        }
    }
    if (!path || runs < 1 || years < 0 || years > 1000) {
        fprintf(stderr, "usage: store_dbgen [--runs N] [--years Y] [--batch B] [--single K] [--check] [--append] DB | store_dbgen query ARGS\n");
        return 2;
    }
    if (!append)
        remove(path);
    char err[512];
    store *s;
    if (store_open(path, STORE_CREATE | STORE_ONE_THREAD, &s, err, sizeof err) != 0) {
        fprintf(stderr, "store_dbgen: %s\n", err);
        return 1;
    }
    sqlite3_exec(store_db(s), "PRAGMA synchronous = OFF", NULL, NULL, NULL);
    /* a fixed "now", so the database is the same every time */
    int64_t t0 = 1795219200; /* 2026-11-21T00:00:00Z */
    /* the history's length: the default rate is 50 000 runs a year */
    int64_t span = years > 0 ? (int64_t)(years * 365 * 86400)
                             : (int64_t)runs * (2 * 365 * 86400LL) / 100000;
    /* --append: N more runs after those already there (what ingest costs in a large
       database), continuing the history past "now" at the same rate */
    long first = append ? (long)count(store_db(s), "SELECT count(*) FROM runs") : 0;
    if (first < 0)
        first = 0;
    /* the last `single` runs one per transaction (as `run` and the service store a run),
       the others in batches (as `collect` stores a spool): the database is the same */
    if (single < 0)
        single = runs / 10 < 2000 ? runs / 10 : 2000;
    if (single > runs)
        single = runs;
    if (batch < 1)
        batch = 1;
    long nbatched = runs - single;
    double secs[2] = {0, 0}, cpu[2] = {0, 0};
    for (long i = first; i < first + runs; i++) {
        struct timespec a, b, ca, cb;
        clock_gettime(CLOCK_MONOTONIC, &a);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
        cJSON *d = first ? make_doc(i, first, t0, span * first / runs) : make_doc(i, runs, t0, span);
        int in_batch = i - first < nbatched;
        int64_t id;
        int rc = 0;
        if (in_batch && (i - first) % batch == 0)
            rc = store_batch_begin(s, err, sizeof err);
        if (rc == 0)
            rc = store_ingest(s, d, &id, err, sizeof err);
        if (rc == 0 && in_batch && ((i - first) % batch == batch - 1 || i - first == nbatched - 1))
            rc = store_batch_commit(s, err, sizeof err);
        cJSON_Delete(d);
        if (rc != 0) {
            fprintf(stderr, "store_dbgen: run %ld: %s\n", i, err);
            store_close(s);
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
        secs[!in_batch] += (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        cpu[!in_batch] += (double)(cb.tv_sec - ca.tv_sec) + (double)(cb.tv_nsec - ca.tv_nsec) / 1e9;
    }
    sqlite3 *db = store_db(s);
    /* (ANALYZE only of a new database: --append times ingest alone) */
    sqlite3_exec(db, append ? "PRAGMA wal_checkpoint(TRUNCATE)"
                            : "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE",
                 NULL, NULL, NULL);
    int64_t nruns = count(db, "SELECT count(*) FROM runs");
    int64_t nmetrics = count(db, "SELECT count(*) FROM metrics");
    int64_t nsamples = count(db, "SELECT count(*) FROM samples");
    printf("ingested %ld runs in %.1f s: %.0f us per run in batches of %ld (collect; %ld runs),"
           " %.0f us per run one per transaction (run, the service; the last %ld runs)\n"
           "   the database holds %" PRId64 " runs, %" PRId64 " metric rows, %" PRId64 " samples\n"
           "   CPU time (user + system): %.0f us per run in batches, %.0f one per transaction\n",
           runs, secs[0] + secs[1], nbatched ? secs[0] * 1e6 / (double)nbatched : 0.0, batch,
           nbatched, single ? secs[1] * 1e6 / (double)single : 0.0, single, nruns, nmetrics,
           nsamples, nbatched ? cpu[0] * 1e6 / (double)nbatched : 0.0,
           single ? cpu[1] * 1e6 / (double)single : 0.0);
    int bad = 0;
    if (check) {
        bad |= nruns != first + runs || nmetrics != 10 * nruns || nsamples != 3 * nruns;
        bad |= count(db, "SELECT count(DISTINCT json_extract(params, '$.NB')) FROM results "
                         "WHERE plugin = 'hpl' AND metric = 'gflops'") != (runs >= 16 ? 4 : -2);
        bad |= count(db, "SELECT count(*) FROM hosts") > 16;
        if (bad)
            fprintf(stderr, "store_dbgen: the database does not hold what was ingested\n");
    }
    store_close(s);
    if (check && !bad) {
        /* and the query command reads it */
        char *qargv[] = {"query", "--db", (char *)path, "--plugin", "hpl", "--param", "NB=192",
                         "--metric", "gflops", "--format", "csv", "--limit", "5", NULL};
        fflush(stdout);
        int saved = dup(1), devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        int code = cmd_query(13, qargv);
        fflush(stdout);
        dup2(saved, 1);
        close(saved);
        close(devnull);
        bad |= code != 0;
        if (code != 0)
            fprintf(stderr, "store_dbgen: query failed with exit code %d\n", code);
    }
    return bad ? 1 : 0;
}
