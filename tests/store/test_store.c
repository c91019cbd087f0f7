/*
 * test_store.c — the result store: foreign files, creation, migrations,
 * ingest (round trip, idempotence, queued -> final), concurrent writers and
 * the public views.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchaas/plugin.h"
#include "common.h"

/* ---- foreign files ------------------------------------------------------- */

/* No journal, WAL or shared-memory file may appear beside a refused file. */
static int no_sidecars(const char *path)
{
    char buf[1100];
    static const char *const ext[] = {"-journal", "-wal", "-shm", NULL};
    for (int i = 0; ext[i]; i++) {
        snprintf(buf, sizeof buf, "%s%s", path, ext[i]);
        if (file_exists(buf)) {
            fprintf(stderr, "%s appeared\n", buf);
            return 0;
        }
    }
    return 1;
}

/*
 * `path` holds `len` bytes `data`: check_file and both open modes refuse it
 * with a message containing `why`, and it stays byte-for-byte the same,
 * with the same modification time and no sidecar files.
 */
static int refused_untouched(const char *path, const void *data, size_t len, const char *why)
{
    struct stat before, after;
    char err[512] = "";
    store *s = NULL;
    CHECK(stat(path, &before) == 0);
    CHECK(store_check_file(path, err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, why) != NULL, err);
    CHECKM(strstr(err, path) != NULL, err); /* the message names the file */
    CHECK(store_open(path, STORE_CREATE, &s, err, sizeof err) == BX_EINVAL && s == NULL);
    CHECKM(strstr(err, why) != NULL, err);
    CHECK(store_open(path, STORE_READONLY, &s, err, sizeof err) == BX_EINVAL && s == NULL);
    size_t n;
    char *now = read_file(path, &n);
    CHECK(now && n == len && memcmp(now, data, len) == 0);
    free(now);
    CHECK(stat(path, &after) == 0);
    CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
          after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    CHECK(no_sidecars(path));
    return 0;
}

int test_foreign_text(void)
{
    const char text[] = "# my notes\nnot a database at all, but precious to somebody\n";
    CHECK(write_file(tpath("notes.txt"), text, sizeof text - 1) == 0);
    CHECK(refused_untouched(tpath("notes.txt"), text, sizeof text - 1, "not an SQLite file") == 0);

    /* A directory is refused too, with a hint. */
    char err[512];
    store *s;
    CHECK(mkdir(tpath("adir"), 0755) == 0);
    CHECK(store_check_file(tpath("adir"), err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, "directory") != NULL, err);
    CHECK(store_open(tpath("adir"), STORE_CREATE, &s, err, sizeof err) == BX_EINVAL);
    return 0;
}

int test_foreign_binary(void)
{
    unsigned char junk[8192];
    srand(42);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)rand();
    CHECK(write_file(tpath("junk.bin"), junk, sizeof junk) == 0);
    CHECK(refused_untouched(tpath("junk.bin"), junk, sizeof junk, "not an SQLite file") == 0);

    /* The SQLite magic followed by garbage: an "SQLite file" that is not ours. */
    memcpy(junk, "SQLite format 3", 16);
    CHECK(write_file(tpath("fake.db"), junk, sizeof junk) == 0);
    CHECK(refused_untouched(tpath("fake.db"), junk, sizeof junk, "another application") == 0);

    /* Shorter than a header. */
    CHECK(write_file(tpath("short.db"), "SQLite format 3", 16) == 0);
    CHECK(refused_untouched(tpath("short.db"), "SQLite format 3", 16, "not an SQLite file") == 0);
    return 0;
}

/* Another program's SQLite database (application_id 0, then a foreign id). */
int test_foreign_sqlite(void)
{
    const char *const variants[] = {
        "CREATE TABLE contacts(name TEXT, phone TEXT); INSERT INTO contacts VALUES ('a','1');",
        "PRAGMA application_id = 1598903374; CREATE TABLE t(x); INSERT INTO t VALUES (1);",
        /* even one claiming our user_version but without our application_id */
        "PRAGMA user_version = 1; CREATE TABLE runs(id INTEGER PRIMARY KEY);",
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "other%zu.db", i);
        const char *path = tpath(name);
        sqlite3 *db;
        CHECK(sqlite3_open(path, &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, variants[i], NULL, NULL, NULL) == SQLITE_OK);
        CHECK(sqlite3_close(db) == SQLITE_OK);
        size_t n;
        char *data = read_file(path, &n);
        CHECK(data);
        int rc = refused_untouched(path, data, n, "another application");
        free(data);
        CHECK(rc == 0);
    }
    return 0;
}

/* ---- creating ------------------------------------------------------------ */

int test_empty_file(void)
{
    char err[512];
    store *s;
    const char *path = tpath("empty.db");
    CHECK(write_file(path, "", 0) == 0);
    CHECK(store_check_file(path, err, sizeof err) == 0);
    /* READONLY (query) refuses an empty file without writing to it ... */
    CHECK(store_open(path, STORE_READONLY, &s, err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, "empty") != NULL, err);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && sb.st_size == 0);
    /* ... CREATE turns it into a database. */
    CHECK(store_open(path, STORE_CREATE, &s, err, sizeof err) == 0);
    CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
    CHECK(sql_int(s, "PRAGMA application_id") == STORE_APPLICATION_ID);
    CHECK(sql_int(s, "PRAGMA user_version") == STORE_SCHEMA_VERSION);
    char *mode = sql_text(s, "PRAGMA journal_mode");
    CHECK(mode && strcmp(mode, "wal") == 0);
    free(mode);
    CHECK(sql_int(s, "PRAGMA busy_timeout") >= 10000);
    CHECK(sql_int(s, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                     "('runs','params','metrics','samples','tags','hosts','provenance',"
                     "'run_meta','warnings','baselines','results','runs_view','samples_view')") ==
          13);
    store_close(s);
    /* Now it is ours: the header check and a read-only open accept it. */
    CHECK(store_check_file(path, err, sizeof err) == 0);
    CHECK(store_open(path, STORE_READONLY, &s, err, sizeof err) == 0);
    store_close(s);
    return 0;
}

int test_missing_file(void)
{
    char err[512];
    store *s;
    const char *path = tpath("none.db");
    CHECK(store_check_file(path, err, sizeof err) == 0); /* absent: may be created */
    CHECK(store_open(path, STORE_READONLY, &s, err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, "no database") != NULL, err);
    CHECK(!file_exists(path));
    CHECK(store_open(path, STORE_CREATE, &s, err, sizeof err) == 0);
    store_close(s);
    CHECK(file_exists(path));
    /* a file in a folder that does not exist is bad input, caught before SQLite */
    CHECK(store_check_file(tpath("nodir/x.db"), err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, "folder does not exist"), err);
    /* The main file carries our application_id in its header right away. */
    size_t n;
    unsigned char *h = (unsigned char *)read_file(path, &n);
    CHECK(h && n >= 100);
    CHECK(h[68] == 0x42 && h[69] == 0x58 && h[70] == 0x41 && h[71] == 0x31);
    free(h);
    return 0;
}

/* ---- schema versions ----------------------------------------------------- */

int test_newer_schema(void)
{
    char err[512];
    store *s = open_db("new.db");
    CHECK(s);
    cJSON *d = doc_new("u-1", "stream", "ok");
    CHECK(ingest(s, d) > 0);
    cJSON_Delete(d);
    CHECK(sqlite3_exec(store_db(s), "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
    store_close(s);
    size_t n;
    char *before = read_file(tpath("new.db"), &n);
    CHECK(before);
    /* The header is ours, so only SQLite can tell the version: refused on open. */
    CHECK(store_check_file(tpath("new.db"), err, sizeof err) == 0);
    CHECK(store_open(tpath("new.db"), STORE_CREATE, &s, err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, "newer") && strstr(err, "99"), err);
    CHECK(store_open(tpath("new.db"), STORE_READONLY, &s, err, sizeof err) == BX_EINVAL);
    size_t m;
    char *after = read_file(tpath("new.db"), &m);
    CHECK(after && m == n && memcmp(before, after, n) == 0);
    free(before);
    free(after);
    return 0;
}

/*
 * The migration mechanism, with a test step "v2" appended to the built-in
 * list: an older database is brought forward in place with its data; a
 * failing step leaves it as it was; the older build then refuses it.
 */
int test_migration(void)
{
    char err[512];
    size_t nbuiltin;
    const store_migration *builtin = store_migrations(&nbuiltin);
    CHECK(nbuiltin == STORE_SCHEMA_VERSION);
    store_migration steps[16];
    CHECK(nbuiltin + 1 <= 16);
    memcpy(steps, builtin, nbuiltin * sizeof *steps);
    steps[nbuiltin] = (store_migration){
        (int)nbuiltin + 1, "test step",
        "ALTER TABLE runs ADD COLUMN test_note TEXT;"
        "UPDATE runs SET test_note = 'migrated ' || uuid;"
        "CREATE TABLE test_extra(x INTEGER);"};

    /* a database at the current (older) version, with a run in it */
    store *s = open_db("m.db");
    CHECK(s);
    cJSON *d = doc_new("u-mig", "stream", "ok");
    doc_metric(d, "triad", 41857.4, "MB/s", "higher");
    int64_t id = ingest(s, d);
    cJSON_Delete(d);
    CHECK(id > 0);
    store_close(s);

    /* a failing step: error naming the step, nothing changed */
    store_migration bad[16];
    memcpy(bad, steps, (nbuiltin + 1) * sizeof *bad);
    bad[nbuiltin].sql = "ALTER TABLE runs ADD COLUMN ok_col TEXT; THIS IS NOT SQL;";
    CHECK(store_open_with(tpath("m.db"), STORE_READONLY, bad, nbuiltin + 1, &s, err, sizeof err) != 0);
    CHECKM(strstr(err, "test step") != NULL, err);
    CHECK(store_open(tpath("m.db"), STORE_READONLY, &s, err, sizeof err) == 0);
    CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
    CHECK(sql_int(s, "SELECT count(*) FROM pragma_table_info('runs') WHERE name='ok_col'") == 0);
    store_close(s);

    /* the good step: migrated in place, data kept, new column filled */
    CHECK(store_open_with(tpath("m.db"), STORE_READONLY, steps, nbuiltin + 1, &s, err,
                          sizeof err) == 0);
    CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION + 1);
    CHECK(sql_int(s, "PRAGMA user_version") == STORE_SCHEMA_VERSION + 1);
    char *note = sql_text(s, "SELECT test_note FROM runs");
    CHECK(note && strcmp(note, "migrated u-mig") == 0);
    free(note);
    CHECK(sql_int(s, "SELECT count(*) FROM results WHERE metric='triad'") == 1);
    /* ingest still works after the migration */
    d = doc_new("u-mig2", "stream", "ok");
    CHECK(ingest(s, d) > id);
    cJSON_Delete(d);
    store_close(s);
    /* opening again with the same list is a no-op */
    CHECK(store_open_with(tpath("m.db"), STORE_READONLY, steps, nbuiltin + 1, &s, err,
                          sizeof err) == 0);
    store_close(s);

    /* this build (without the step) refuses the newer file */
    CHECK(store_open(tpath("m.db"), STORE_CREATE, &s, err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, "newer") != NULL, err);

    /* a version-0 file of ours (created, no schema yet) is brought to the current version */
    sqlite3 *db;
    CHECK(sqlite3_open(tpath("v0.db"), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "PRAGMA application_id = 1113080113; CREATE TABLE scratch(x);"
                           "DROP TABLE scratch;",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(store_open(tpath("v0.db"), STORE_READONLY, &s, err, sizeof err) == 0);
    CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 0);
    store_close(s);
    return 0;
}

/* ---- ingest -------------------------------------------------------------- */

static const char full_doc[] =
    "{\"result_version\": 1, \"uuid\": \"3f2c9a4e-0001\","
    " \"plugin\": \"stream\", \"plugin_version\": \"1.0.0\","
    " \"experiment\": \"stream-sizes\", \"point\": 2,"
    " \"status\": \"ok\", \"error\": null,"
    " \"started_at\": \"2026-11-21T11:12:17+01:00\","
    " \"finished_at\": \"2026-11-21T10:12:31.75Z\","
    " \"host\": \"node01\", \"job_id\": 4242, \"array_task_id\": 3,"
    " \"launcher\": \"mpi\", \"ranks\": 2, \"threads\": 4, \"repetitions\": 3,"
    " \"tags\": [\"acceptance\", \"nightly\", \"acceptance\"],"
    " \"params\": {\"array_size\": {\"value\": \"80000000\", \"type\": \"size\"},"
    "              \"ntimes\": {\"value\": \"10\", \"type\": \"int\"},"
    "              \"nt_stores\": {\"value\": \"false\", \"type\": \"bool\"},"
    "              \"scale\": {\"value\": \"3.5\", \"type\": \"double\"},"
    "              \"kernel\": {\"value\": \"all\", \"type\": \"enum\"},"
    "              \"label\": {\"value\": \"a \\\"b\\\", c\", \"type\": \"string\"}},"
    " \"metrics\": {\"triad\": {\"value\": 41857.4, \"unit\": \"MB/s\", \"better\": \"higher\"},"
    "               \"copy\": {\"value\": 40000.5, \"unit\": \"MB/s\", \"better\": \"higher\"},"
    "               \"validated\": {\"value\": 1, \"unit\": \"\", \"better\": \"none\"},"
    "               \"wall_time\": {\"value\": 14.2, \"unit\": \"s\", \"better\": \"none\"}},"
    " \"samples\": {\"triad\": [[1, 0, 41800.1], [2, 0, 41857.4], [3, 0, 41790.0]]},"
    " \"warnings\": [\"arrays fit in cache\", \"second warning\"],"
    " \"meta\": {\"tuned\": \"nt_stores\", \"blocks\": 4},"
    " \"provenance\": {\"hostname\": \"node01\", \"cpu_model\": \"AMD EPYC 7543\","
    "                  \"cores\": 32, \"memory_bytes\": 270000000000, \"kernel\": \"6.1.0\","
    "                  \"OMP_NUM_THREADS\": \"4\"},"
    " \"spec\": {\"spec_version\": 1, \"uuid\": \"3f2c9a4e-0001\", \"plugin\": \"stream\","
    "            \"created_at\": \"2026-11-21T10:12:10Z\"}}";

int test_roundtrip(void)
{
    store *s = open_db("rt.db");
    CHECK(s);
    cJSON *d = cJSON_Parse(full_doc);
    CHECK(d);
    int64_t id = ingest(s, d);
    cJSON_Delete(d);
    CHECK(id > 0);

    char *t;
    t = sql_text(s, "SELECT uuid||'|'||plugin||'|'||plugin_version||'|'||status||'|'||"
                    "coalesce(error,'-')||'|'||job_id||'|'||array_task_id||'|'||experiment||'|'||"
                    "point||'|'||launcher||'|'||ranks||'|'||threads||'|'||repetitions||'|'||"
                    "queued_at||'|'||started_at||'|'||finished_at FROM runs");
    CHECKM(t && strcmp(t, "3f2c9a4e-0001|stream|1.0.0|ok|-|4242|3|stream-sizes|2|mpi|2|4|3|"
                          "2026-11-21T10:12:10Z|2026-11-21T10:12:17Z|2026-11-21T10:12:31Z") == 0,
           t ? t : "null");
    free(t);
    CHECK(sql_int(s, "SELECT typeof(job_id) = 'integer' FROM runs") == 1);
    /* parameters: canonical text + type, and the typed JSON of the view */
    t = sql_text(s, "SELECT group_concat(name||'='||value||':'||type, ';') FROM "
                    "(SELECT * FROM params ORDER BY name)");
    CHECKM(t && strcmp(t, "array_size=80000000:size;kernel=all:enum;label=a \"b\", c:string;"
                          "nt_stores=false:bool;ntimes=10:int;scale=3.5:double") == 0,
           t ? t : "null");
    free(t);
    t = sql_text(s, "SELECT params_json FROM runs");
    CHECKM(t && strcmp(t, "{\"array_size\":80000000,\"ntimes\":10,\"nt_stores\":false,"
                          "\"scale\":3.5,\"kernel\":\"all\",\"label\":\"a \\\"b\\\", c\"}") == 0,
           t ? t : "null");
    free(t);
    /* metrics in document order, with units and directions */
    t = sql_text(s, "SELECT group_concat(name||'='||value||' '||unit||' '||better, ';') FROM "
                    "(SELECT * FROM metrics ORDER BY seq)");
    CHECKM(t && strcmp(t, "triad=41857.4 MB/s higher;copy=40000.5 MB/s higher;"
                          "validated=1.0  none;wall_time=14.2 s none") == 0,
           t ? t : "null");
    free(t);
    t = sql_text(s, "SELECT group_concat(metric||':'||rep||':'||idx||':'||value, ';') FROM "
                    "(SELECT * FROM samples ORDER BY rep)");
    CHECKM(t && strcmp(t, "triad:1:0:41800.1;triad:2:0:41857.4;triad:3:0:41790.0") == 0,
           t ? t : "null");
    free(t);
    t = sql_text(s, "SELECT group_concat(tag, ',') FROM (SELECT tag FROM tags ORDER BY tag)");
    CHECK(t && strcmp(t, "acceptance,nightly") == 0); /* duplicates collapse */
    free(t);
    t = sql_text(s, "SELECT group_concat(text, '|') FROM (SELECT text FROM warnings ORDER BY seq)");
    CHECK(t && strcmp(t, "arrays fit in cache|second warning") == 0);
    free(t);
    t = sql_text(s, "SELECT group_concat(key||'='||value, ';') FROM "
                    "(SELECT * FROM run_meta ORDER BY key)");
    CHECK(t && strcmp(t, "blocks=4;tuned=nt_stores") == 0);
    free(t);
    CHECK(sql_int(s, "SELECT count(*) FROM provenance") == 6);
    t = sql_text(s, "SELECT value FROM provenance WHERE key='memory_bytes'");
    CHECK(t && strcmp(t, "270000000000") == 0);
    free(t);
    t = sql_text(s, "SELECT name||'|'||cpu_model||'|'||cores||'|'||memory_bytes||'|'||kernel "
                    "FROM hosts");
    CHECKM(t && strcmp(t, "node01|AMD EPYC 7543|32|270000000000|6.1.0") == 0, t ? t : "null");
    free(t);
    t = sql_text(s, "SELECT json_extract(spec_json, '$.uuid') FROM runs");
    CHECK(t && strcmp(t, "3f2c9a4e-0001") == 0);
    free(t);

    /* a second run on the same host reuses the host row */
    cJSON *d2 = doc_new("3f2c9a4e-0002", "stream", "crashed");
    doc_str(d2, "error", "killed by signal 11 (Segmentation fault)");
    CHECK(ingest(s, d2) == id + 1);
    cJSON_Delete(d2);
    CHECK(sql_int(s, "SELECT count(*) FROM hosts") == 1);
    CHECK(sql_int(s, "SELECT count(DISTINCT host_id) FROM runs") == 1);
    store_close(s);
    return 0;
}

int test_idempotent(void)
{
    store *s = open_db("idem.db");
    CHECK(s);
    cJSON *d = cJSON_Parse(full_doc);
    CHECK(d);
    int64_t a = ingest(s, d), b = ingest(s, d);
    CHECK(a > 0 && a == b);
    /* even a changed document with the same uuid does not replace a final run */
    cJSON_ReplaceItemInObject(d, "status", cJSON_CreateString("failed"));
    CHECK(ingest(s, d) == a);
    cJSON_Delete(d);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 1);
    CHECK(sql_int(s, "SELECT status = 'ok' FROM runs") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics") == 4);
    CHECK(sql_int(s, "SELECT count(*) FROM samples") == 3);
    CHECK(sql_int(s, "SELECT count(*) FROM tags") == 2);
    CHECK(sql_int(s, "SELECT count(*) FROM warnings") == 2);
    char err[256];
    int64_t found;
    CHECK(store_find_run(s, "3f2c9a4e-0001", &found, err, sizeof err) == 0 && found == a);
    CHECK(store_find_run(s, "nope", &found, err, sizeof err) == BX_EINVAL);
    store_close(s);
    return 0;
}

int test_queued_replaced(void)
{
    store *s = open_db("q.db");
    CHECK(s);
    cJSON *q = doc_new("u-slurm", "hpl", "queued");
    doc_str(q, "started_at", NULL);
    doc_str(q, "finished_at", NULL);
    doc_str(q, "queued_at", "2026-11-21T09:00:00Z");
    cJSON_ReplaceItemInObject(q, "job_id", cJSON_CreateNumber(777));
    doc_param(q, "NB", "192", "int");
    doc_tag(q, "old-tag");
    int64_t id = ingest(s, q);
    CHECK(id > 0);
    CHECK(sql_int(s, "SELECT count(*) FROM runs WHERE status='queued' AND started_at IS NULL") == 1);

    /* queued -> running: same row */
    cJSON_ReplaceItemInObject(q, "status", cJSON_CreateString("running"));
    CHECK(ingest(s, q) == id);
    CHECK(sql_int(s, "SELECT count(*) FROM runs WHERE status='running'") == 1);
    cJSON_Delete(q);

    /* the result replaces it in place: same id, children replaced */
    cJSON *r = doc_new("u-slurm", "hpl", "ok");
    cJSON_ReplaceItemInObject(r, "job_id", cJSON_CreateNumber(777));
    doc_param(r, "NB", "192", "int");
    doc_param(r, "N", "4000", "int");
    doc_metric(r, "gflops", 12.5, "GFLOP/s", "higher");
    doc_tag(r, "acceptance");
    CHECK(ingest(s, r) == id);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 1);
    CHECK(sql_int(s, "SELECT status='ok' AND started_at IS NOT NULL AND job_id=777 FROM runs") == 1);
    char *qa = sql_text(s, "SELECT queued_at FROM runs"); /* kept from the queued state */
    CHECK(qa && strcmp(qa, "2026-11-21T09:00:00Z") == 0);
    free(qa);
    CHECK(sql_int(s, "SELECT count(*) FROM params") == 2);
    CHECK(sql_int(s, "SELECT count(*) FROM tags WHERE tag='old-tag'") == 0);
    CHECK(sql_int(s, "SELECT count(*) FROM results WHERE metric='gflops' AND value=12.5") == 1);

    /* a late "queued" document never downgrades a final run */
    cJSON *late = doc_new("u-slurm", "hpl", "queued");
    CHECK(ingest(s, late) == id);
    cJSON_Delete(late);
    CHECK(sql_int(s, "SELECT status='ok' FROM runs") == 1);
    cJSON_Delete(r);
    store_close(s);
    return 0;
}

/* Malformed documents are refused with a message and nothing is written. */
int test_bad_documents(void)
{
    static const struct {
        const char *json, *expect;
    } cases[] = {
        {"[1,2]", "not a JSON object"},
        {"{\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\"}", "result_version"},
        {"{\"result_version\":2,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\"}", "version 2"},
        {"{\"result_version\":1,\"plugin\":\"p\",\"status\":\"ok\"}", "uuid"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"status\":\"ok\"}", "plugin"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"great\"}", "great"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"started_at\":\"yesterday\"}",
         "started_at"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"ranks\":\"two\"}",
         "ranks"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"metrics\":{\"x\":{\"value\":\"fast\"}}}",
         "metric 'x'"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"metrics\":{\"x\":{\"value\":1,\"better\":\"more\"}}}",
         "metric 'x'"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"samples\":{\"x\":[[1,2]]}}",
         "samples of 'x'"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"samples\":{\"x\":[[2e30,0,1]]}}",
         "samples of 'x'"}, /* found by fuzzing: cast to int64, undefined behaviour */
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"samples\":{\"x\":[[0,-1,1]]}}",
         "whole numbers"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"samples\":{\"x\":[[0.5,0,1]]}}",
         "samples of 'x'"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"timeline_nodes\":[{\"node\":\"n1\",\"ranks\":1e300,\"timeline\":[]}]}",
         "timeline_nodes"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"tags\":[1]}",
         "tags"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"params\":{\"n\":{\"value\":[1]}}}",
         "parameter 'n'"},
        {"{\"result_version\":1,\"uuid\":\"a\",\"plugin\":\"p\",\"status\":\"ok\","
         "\"params\":[]}",
         "params"},
    };
    store *s = open_db("bad.db");
    CHECK(s);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *d = cJSON_Parse(cases[i].json);
        char err[512] = "";
        int64_t id = -1;
        CHECK(d);
        int rc = store_ingest(s, d, &id, err, sizeof err);
        cJSON_Delete(d);
        if (rc != BX_EINVAL || !strstr(err, cases[i].expect)) {
            fprintf(stderr, "case %zu: rc %d, message '%s', expected '%s'\n", i, rc, err,
                    cases[i].expect);
            return 1;
        }
    }
    /* duplicate metric names (legal JSON): refused by the database, rolled back */
    cJSON *d = doc_new("dup", "p", "ok");
    doc_metric(d, "x", 1, "", "none");
    doc_metric(d, "x", 2, "", "none");
    char err[512] = "";
    int64_t id;
    CHECK(store_ingest(s, d, &id, err, sizeof err) != 0);
    CHECKM(strstr(err, "metric 'x'") != NULL, err);
    cJSON_Delete(d);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 0);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics") == 0);
    CHECK(sql_int(s, "SELECT count(*) FROM hosts") == 0);
    /* and the store is still usable */
    d = doc_new("fine", "p", "ok");
    CHECK(ingest(s, d) > 0);
    cJSON_Delete(d);
    store_close(s);
    return 0;
}

/* ---- concurrency --------------------------------------------------------- */

#define WRITERS 4
#define RUNS_EACH 40
#define SHARED 15

/*
 * One writer process: its own runs plus SHARED runs that every writer
 * ingests too (the same uuids), all through its own connection.
 */
static int writer(int w, const char *path)
{
    store *s;
    char err[512];
    if (store_open(path, STORE_CREATE, &s, err, sizeof err) != 0) {
        fprintf(stderr, "writer %d: %s\n", w, err);
        return 1;
    }
    for (int i = 0; i < RUNS_EACH + SHARED; i++) {
        char uuid[64];
        if (i < RUNS_EACH)
            snprintf(uuid, sizeof uuid, "w%d-r%d", w, i);
        else
            snprintf(uuid, sizeof uuid, "shared-%d", i - RUNS_EACH);
        cJSON *d = doc_new(uuid, "stream", "ok");
        doc_param(d, "array_size", "1000000", "size");
        doc_metric(d, "triad", 1000.0 + i, "MB/s", "higher");
        doc_metric(d, "copy", 900.0 + i, "MB/s", "higher");
        cJSON_AddItemToObject(d, "samples", cJSON_Parse("{\"triad\":[[1,0,1.0],[2,0,2.0]]}"));
        int64_t id;
        int rc = store_ingest(s, d, &id, err, sizeof err);
        cJSON_Delete(d);
        if (rc != 0) {
            fprintf(stderr, "writer %d run %d: %s\n", w, i, err);
            store_close(s);
            return 1;
        }
    }
    store_close(s);
    return 0;
}

/* Fork the writers at once against `path`; 0 when all exited 0. */
static int run_writers(const char *path)
{
    pid_t pids[WRITERS];
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return 1;
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        if (pids[w] < 0)
            return 1;
        if (pids[w] == 0) {
            char go;
            close(pipefd[1]);
            if (read(pipefd[0], &go, 1) < 0) /* wait for the start signal: all at once */
                _exit(3);
            _exit(writer(w, path));
        }
    }
    close(pipefd[0]);
    close(pipefd[1]); /* EOF releases every writer together */
    int ok = 1;
    for (int w = 0; w < WRITERS; w++) {
        int st;
        if (waitpid(pids[w], &st, 0) != pids[w] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "writer %d failed (status %d)\n", w, st);
            ok = 0;
        }
    }
    return ok ? 0 : 1;
}

static int check_all_there(const char *path)
{
    store *s;
    char err[512];
    CHECK(store_open(path, STORE_READONLY, &s, err, sizeof err) == 0);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == WRITERS * RUNS_EACH + SHARED);
    CHECK(sql_int(s, "SELECT count(DISTINCT uuid) FROM runs") == WRITERS * RUNS_EACH + SHARED);
    CHECK(sql_int(s, "SELECT count(*) FROM runs WHERE uuid LIKE 'shared-%'") == SHARED);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics") == 2 * (WRITERS * RUNS_EACH + SHARED));
    CHECK(sql_int(s, "SELECT count(*) FROM samples") == 2 * (WRITERS * RUNS_EACH + SHARED));
    /* every run of every writer, once, with its own values */
    for (int w = 0; w < WRITERS; w++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM results WHERE metric='triad' AND run_id IN "
                 "(SELECT id FROM runs WHERE uuid LIKE 'w%d-r%%')",
                 w);
        CHECK(sql_int(s, sql) == RUNS_EACH);
    }
    CHECK(sql_int(s, "SELECT count(*) FROM hosts") == 1);
    char *ic = sql_text(s, "PRAGMA integrity_check");
    CHECK(ic && strcmp(ic, "ok") == 0);
    free(ic);
    store_close(s);
    return 0;
}

/* Writers on an existing database. */
int test_concurrent(void)
{
    store *s = open_db("c.db");
    CHECK(s);
    store_close(s);
    CHECK(run_writers(tpath("c.db")) == 0);
    return check_all_there(tpath("c.db"));
}

/* Writers that all create the same, not yet existing, database at once. */
int test_concurrent_create(void)
{
    for (int round = 0; round < 3; round++) {
        char name[32];
        snprintf(name, sizeof name, "cc%d.db", round);
        CHECK(run_writers(tpath(name)) == 0);
        CHECK(check_all_there(tpath(name)) == 0);
    }
    return 0;
}

/* Some file of tdir whose name begins with `prefix` (the database or a file it is
   being made in, not a rollback journal) has bytes in it. */
static int some_file_grown(const char *prefix)
{
    DIR *d = opendir(tdir);
    struct dirent *e;
    int found = 0;
    while (d && !found && (e = readdir(d))) {
        struct stat sb;
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
            (n < 8 || strcmp(e->d_name + n - 8, "-journal") != 0) &&
            stat(tpath(e->d_name), &sb) == 0 && sb.st_size > 0)
            found = 1;
    }
    if (d)
        closedir(d);
    return found;
}

/*
 * A database being created is never "a foreign file" to another opener.  A creator
 * is held (BENCHAAS_TEST_CREATE_DELAY_MS) in the middle of making the file, with
 * bytes already written; then another process checks the file (as `run` does before
 * anything runs) and opens it to write, as the runners of a job array starting at
 * once do.  Both succeed and both runs are in the one database.  Every round.
 */
int test_create_window(void)
{
    for (int round = 0; round < 3; round++) {
        char name[32], err[512];
        snprintf(name, sizeof name, "cw%d.db", round);
        const char *path = strdup(tpath(name));
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            setenv("BENCHAAS_TEST_CREATE_DELAY_MS", "600", 1);
            _exit(writer(0, path));
        }
        int n = 0;
        while (!some_file_grown(name) && n++ < 2000)
            usleep(2000);
        CHECKM(n < 2000, "the creator never wrote a byte");
        int rc = store_check_file(path, err, sizeof err);
        CHECKM(rc == 0, err);
        rc = writer(1, path);
        int st;
        CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK(rc == 0);
        store *s;
        CHECK(store_open(path, STORE_READONLY, &s, err, sizeof err) == 0);
        CHECK(sql_int(s, "SELECT count(*) FROM runs") == 2 * RUNS_EACH + SHARED);
        store_close(s);
        free((char *)path);
    }
    return 0;
}

/* A new database holds password hashes: it and its -wal and -shm are the owner's
   alone (0600), whatever the umask. */
int test_create_mode(void)
{
    umask(022);
    store *s = open_db("m.db");
    CHECK(s);
    cJSON *d = doc_new("u-mode", "stream", "ok");
    CHECK(ingest(s, d) > 0);
    cJSON_Delete(d);
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char name[32];
        struct stat sb;
        snprintf(name, sizeof name, "m.db%s", ext[i]);
        CHECKM(stat(tpath(name), &sb) == 0, name);
        CHECKM((sb.st_mode & 0777) == 0600, name);
    }
    store_close(s);
    return 0;
}

/* ":memory:" is SQLite's in-memory database: no file is made for it (before, creation
   beside the path made a file named ":memory:" in the working folder). */
int test_create_memory(void)
{
    char err[512], cwd[4096];
    store *s;
    CHECK(getcwd(cwd, sizeof cwd) && chdir(tdir) == 0);
    CHECKM(store_open(":memory:", STORE_CREATE, &s, err, sizeof err) == 0, err);
    cJSON *d = doc_new("u-mem", "stream", "ok");
    CHECK(ingest(s, d) > 0);
    cJSON_Delete(d);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 1);
    store_close(s);
    CHECK(store_open(":memory:", STORE_READONLY, &s, err, sizeof err) == BX_EINVAL);
    CHECKM(!some_file_grown(":memory:") && !file_exists(":memory:"), "a file for :memory:");
    CHECK(chdir(cwd) == 0);
    return 0;
}

/* ---- the views ----------------------------------------------------------- */

/* The column names of `SELECT * FROM view`, comma-separated, into buf. */
static const char *columns_of(store *s, const char *view, char *buf, size_t len)
{
    char sql[128];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT * FROM %s", view);
    buf[0] = '\0';
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return buf;
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        strncat(buf, i ? "," : "", len - strlen(buf) - 1);
        strncat(buf, sqlite3_column_name(st, i), len - strlen(buf) - 1);
    }
    sqlite3_finalize(st);
    return buf;
}

int test_results_view(void)
{
    store *s = open_db("v.db");
    char cols[1024];
    CHECK(s);
    /* The stable interface: exact column names and order (schema 3 appended `user`). */
    CHECKM(strcmp(columns_of(s, "results", cols, sizeof cols),
                  "run_id,started_at,plugin,plugin_version,status,host,job_id,params,metric,"
                  "value,unit,better,user") == 0,
           cols);
    CHECKM(strcmp(columns_of(s, "runs_view", cols, sizeof cols),
                  "run_id,uuid,plugin,plugin_version,status,error,host,job_id,array_task_id,"
                  "experiment,point,launcher,ranks,threads,repetitions,queued_at,started_at,"
                  "finished_at,params,tags") == 0,
           cols);
    CHECKM(strcmp(columns_of(s, "samples_view", cols, sizeof cols),
                  "run_id,started_at,plugin,status,host,params,metric,rep,idx,value,unit,"
                  "better") == 0,
           cols);

    cJSON *d = cJSON_Parse(full_doc);
    int64_t a = ingest(s, d);
    cJSON_Delete(d);
    d = doc_new("u-hpl", "hpl", "failed");
    doc_str(d, "host", "node02");
    doc_str(d, "error", "residual too large");
    doc_param(d, "NB", "192", "int");
    doc_metric(d, "gflops", 10.0, "GFLOP/s", "higher");
    doc_metric(d, "passed", 0, "", "none");
    int64_t b = ingest(s, d);
    cJSON_Delete(d);
    d = doc_new("u-crash", "hpl", "crashed"); /* no metrics: in runs_view, not in results */
    int64_t c = ingest(s, d);
    cJSON_Delete(d);
    CHECK(a > 0 && b > 0 && c > 0);

    CHECK(sql_int(s, "SELECT count(*) FROM results") == 6);
    CHECK(sql_int(s, "SELECT count(DISTINCT run_id) FROM results") == 2);
    char *t = sql_text(s, "SELECT run_id||'|'||started_at||'|'||plugin||'|'||plugin_version||'|'||"
                          "status||'|'||host||'|'||job_id||'|'||params||'|'||metric||'|'||value||"
                          "'|'||unit||'|'||better FROM results WHERE metric='triad'");
    char expect[512];
    snprintf(expect, sizeof expect,
             "%lld|2026-11-21T10:12:17Z|stream|1.0.0|ok|node01|4242|{\"array_size\":80000000,"
             "\"ntimes\":10,\"nt_stores\":false,\"scale\":3.5,\"kernel\":\"all\",\"label\":"
             "\"a \\\"b\\\", c\"}|triad|41857.4|MB/s|higher",
             (long long)a);
    CHECKM(t && strcmp(t, expect) == 0, t ? t : "null");
    free(t);
    /* params is JSON that SQLite's json functions read, typed */
    CHECK(sql_int(s, "SELECT json_extract(params, '$.NB') FROM results WHERE plugin='hpl' "
                     "AND metric='gflops'") == 192);
    CHECK(sql_int(s, "SELECT json_type(params, '$.nt_stores') = 'false' FROM results "
                     "WHERE metric='triad'") == 1);
    CHECK(sql_int(s, "SELECT job_id IS NULL AND host='node02' AND status='failed' FROM results "
                     "WHERE metric='passed'") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM runs_view") == 3);
    t = sql_text(s, "SELECT tags FROM runs_view WHERE uuid='3f2c9a4e-0001'");
    CHECK(t && strcmp(t, "[\"acceptance\",\"nightly\"]") == 0);
    free(t);
    CHECK(sql_int(s, "SELECT count(*) FROM runs_view WHERE status='crashed' AND "
                     "tags='[]'") == 1);
    t = sql_text(s, "SELECT group_concat(rep||'='||value||' '||unit, ';') FROM samples_view");
    CHECK(t && strcmp(t, "1=41800.1 MB/s;2=41857.4 MB/s;3=41790.0 MB/s") == 0);
    free(t);
    store_close(s);
    return 0;
}

/* ---- times --------------------------------------------------------------- */

int test_time_parse(void)
{
    static const struct {
        const char *text;
        int64_t epoch;
        int date_only;
    } good[] = {
        {"1970-01-01", 0, 1},
        {"2026-11-21", 1795219200, 1},
        {"2026-11-21T10:12:17Z", 1795219200 + 36737, 0},
        {"2026-11-21T10:12:17", 1795219200 + 36737, 0},
        {"2026-11-21 10:12:17", 1795219200 + 36737, 0},
        {"2026-11-21T10:12", 1795219200 + 36720, 0},
        {"2026-11-21T10:12:17.123456Z", 1795219200 + 36737, 0},
        {"2026-11-21T11:12:17+01:00", 1795219200 + 36737, 0},
        {"2026-11-21T05:42:17-0430", 1795219200 + 36737, 0},
        {"2024-02-29", 1709164800, 1},
    };
    static const char *const bad[] = {"",           "yesterday",          "2026-11",
                                      "2026-13-01", "2026-02-30",         "2025-02-29",
                                      "2026-11-21T25:00", "2026-11-21T10:60", "2026-11-21X10:00",
                                      "2026-11-21T10:12:17ZZ", "2026-11-21T10", "21/11/2026",
                                      "2026-11-21T10:12:17+25:00", "2026-1-21"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t e = -1;
        int donly = -1;
        if (store_time_parse(good[i].text, &e, &donly) != 0 || e != good[i].epoch ||
            donly != good[i].date_only) {
            fprintf(stderr, "'%s' -> %lld (%d), expected %lld (%d)\n", good[i].text,
                    (long long)e, donly, (long long)good[i].epoch, good[i].date_only);
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t e;
        if (store_time_parse(bad[i], &e, NULL) != BX_EINVAL) {
            fprintf(stderr, "'%s' was accepted\n", bad[i]);
            return 1;
        }
    }
    char buf[32];
    store_time_format(1795219200 + 36737, buf, sizeof buf);
    CHECK(strcmp(buf, "2026-11-21T10:12:17Z") == 0);
    return 0;
}

/* A run's user and service job: stored with its row and copied into its metric rows
 * (metrics.run_user, the results view's user); a queued run keeps the user it was queued
 * by when its result comes (the first one wins), and a final run stored again without a
 * user keeps its own. */
int test_user_job(void)
{
    store *s = open_db("u.db");
    CHECK(s);
    cJSON *a = doc_new("u-new", "hpl", "ok");
    doc_str(a, "user", "alice");
    cJSON_AddNumberToObject(a, "job", 42);
    doc_metric(a, "gflops", 10, "GFLOP/s", "higher");
    doc_metric(a, "time", 2, "s", "lower");
    int64_t id = ingest(s, a);
    CHECK(id > 0);
    CHECK(sql_int(s, "SELECT count(*) FROM runs WHERE user = 'alice' AND job = 42") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics WHERE run_user = 'alice'") == 2);
    CHECK(sql_int(s, "SELECT count(*) FROM results WHERE user = 'alice'") == 2);
    /* the same document again: nothing changes */
    CHECK(ingest(s, a) == id);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics WHERE run_user = 'alice'") == 2);
    cJSON_Delete(a);

    /* queued by bob, its result says carol: bob's it stays, in its metric rows too */
    cJSON *q = doc_new("u-queued", "hpl", "queued");
    doc_str(q, "started_at", NULL);
    doc_str(q, "finished_at", NULL);
    doc_str(q, "user", "bob");
    int64_t qid = ingest(s, q);
    CHECK(qid > 0);
    cJSON_Delete(q);
    cJSON *r = doc_new("u-queued", "hpl", "ok");
    doc_str(r, "user", "carol");
    cJSON_AddNumberToObject(r, "job", 7);
    doc_metric(r, "gflops", 11, "GFLOP/s", "higher");
    CHECK(ingest(s, r) == qid);
    cJSON_Delete(r);
    char *u = sql_text(s, "SELECT user || '/' || job FROM runs WHERE uuid = 'u-queued'");
    CHECK(u && strcmp(u, "bob/7") == 0);
    free(u);
    u = sql_text(s, "SELECT group_concat(run_user) FROM metrics WHERE run_id = "
                    "(SELECT id FROM runs WHERE uuid = 'u-queued')");
    CHECK(u && strcmp(u, "bob") == 0);
    free(u);

    /* a run without a user: NULL in both */
    cJSON *n = doc_new("u-none", "hpl", "ok");
    doc_metric(n, "gflops", 12, "GFLOP/s", "higher");
    CHECK(ingest(s, n) > 0);
    cJSON_Delete(n);
    CHECK(sql_int(s, "SELECT count(*) FROM runs WHERE uuid = 'u-none' AND user IS NULL AND "
                     "job IS NULL") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run_id WHERE "
                     "r.uuid = 'u-none' AND m.run_user IS NULL") == 1);
    store_close(s);
    return 0;
}

/* A document's rows go in several to a statement (16): 40 metrics, 40 samples and 20
 * provenance keys are all stored, in order; a row at fault in the third statement
 * (a metric or a sample given twice) refuses the document with a message that names it,
 * and nothing of it stays. */
int test_multi_rows(void)
{
    char err[512];
    store *s = open_db("m.db");
    CHECK(s);
    cJSON *d = doc_new("m-1", "hpl", "ok");
    cJSON *list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(d, "samples"), "m00");
    cJSON *prov = cJSON_AddObjectToObject(d, "provenance");
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%02d", i);
        doc_metric(d, name, i * 1.5, "s", i % 2 ? "lower" : "higher");
        cJSON *triple = cJSON_CreateArray();
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(1 + i / 10));
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(i % 10));
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(100 + i));
        cJSON_AddItemToArray(list, triple);
        if (i < 20) {
            snprintf(name, sizeof name, "key%02d", i);
            cJSON_AddNumberToObject(prov, name, i);
        }
    }
    int64_t id = ingest(s, d);
    CHECK(id > 0);
    cJSON_Delete(d);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics") == 40);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics WHERE name = printf('m%02d', seq) AND"
                     " value = seq * 1.5 AND better = iif(seq % 2, 'lower', 'higher')") == 40);
    CHECK(sql_int(s, "SELECT count(*) FROM samples WHERE metric = 'm00' AND"
                     " value = 100 + (rep - 1) * 10 + idx") == 40);
    CHECK(sql_int(s, "SELECT count(*) FROM provenance WHERE key LIKE 'key%' AND"
                     " CAST(substr(key, 4) AS INTEGER) = CAST(value AS INTEGER)") == 20);

    /* metric m35 twice (in the third statement of 16) */
    d = doc_new("m-2", "hpl", "ok");
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%02d", i == 36 ? 35 : i);
        doc_metric(d, name, i, "s", "lower");
    }
    int64_t id2;
    CHECK(store_ingest(s, d, &id2, err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, "storing metric 'm35'") && strstr(err, "UNIQUE"), err);
    cJSON_Delete(d);
    /* a sample given twice */
    d = doc_new("m-3", "hpl", "ok");
    doc_metric(d, "x", 1, "s", "lower");
    list = cJSON_AddArrayToObject(cJSON_AddObjectToObject(d, "samples"), "x");
    for (int i = 0; i < 20; i++) {
        cJSON *triple = cJSON_CreateArray();
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(1));
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(i == 19 ? 3 : i));
        cJSON_AddItemToArray(triple, cJSON_CreateNumber(i));
        cJSON_AddItemToArray(list, triple);
    }
    CHECK(store_ingest(s, d, &id2, err, sizeof err) == BX_EINVAL);
    CHECKM(strstr(err, "storing a sample of 'x'") && strstr(err, "UNIQUE"), err);
    cJSON_Delete(d);
    CHECK(sql_int(s, "SELECT count(*) FROM runs") == 1);
    CHECK(sql_int(s, "SELECT count(*) FROM metrics") == 40);
    CHECK(sql_int(s, "SELECT count(*) FROM samples") == 40);
    store_close(s);
    return 0;
}
