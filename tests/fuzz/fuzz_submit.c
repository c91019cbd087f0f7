/*
 * fuzz_submit.c — job submissions under the site's policy, as `benchaas serve`
 * makes them: JSON experiments through job_submit() with a policy installed
 * (one allowed folder; no host), against the test plugins `trivial` and
 * `writer` (a BX_PARAM_PATH_WRITE parameter) and the built-in hpl and ior
 * (path parameters).  Properties, after every input:
 *   - the answer is 0 (stored), 400 with a field, or 429; a refusal stored nothing;
 *   - no answer quotes the secret file of the test nor names the jobs' folders;
 *   - the database is intact (quick_check, and a sentinel row unchanged);
 *   - no file outside the jobs' folders changed (the folder is listed before and
 *     after: names, sizes, inodes, modification times).
 * "@DIR@" in an input stands for the test's folder (the database f.db, a secret
 * file `secret` beside it, the allowed folder `allowed` holding `secret.dat`, an
 * HPL.dat whose lines carry the secret, and `db.link`, a hard link to the database),
 * so that seeds can name them.
 * The plugin's own code runs in `benchaas serve --plan-child` (FUZZ_BENCHAAS), so
 * each input that passes the policy costs a child: keep the corpus small.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "jobs.h"
#include "policy.h"

#define SECRET "FUZZ-SECRET-31337"

static char g_dir[256], g_db[300];
static store *g_st;
static site_policy g_pol;
static char *g_before;

/* Every file under dir but the database's own and the jobs' folders: "path size ino mtime\n". */
static void listing(const char *dir, char **out, size_t *len)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        size_t n = strlen(g_db);
        struct stat st;
        if ((strncmp(p, g_db, n) == 0 && p[n] != '\0') || lstat(p, &st) != 0) {
            free(p); /* f.db-wal, f.db-shm, f.db.scratch: the server's and the jobs' */
            continue;
        }
        char *line = xasprintf("%s %lld %llu %lld.%09ld\n", p,
                               strcmp(p, g_db) == 0 ? 0LL : (long long)st.st_size,
                               (unsigned long long)st.st_ino,
                               strcmp(p, g_db) == 0 ? 0LL : (long long)st.st_mtim.tv_sec,
                               strcmp(p, g_db) == 0 ? 0L : st.st_mtim.tv_nsec);
        *out = xrealloc(*out, *len + strlen(line) + 1);
        strcpy(*out + *len, line);
        *len += strlen(line);
        free(line);
        if (S_ISDIR(st.st_mode))
            listing(p, out, len);
        free(p);
    }
    if (d)
        closedir(d);
}

static void cleanup(void)
{
    store_close(g_st);
    policy_install(NULL);
    policy_dir_remove(g_pol.scratch_root);
    policy_free(&g_pol);
    policy_dir_remove(g_dir);
    free(g_before);
}

static char *snapshot(void)
{
    char *s = xstrdup("");
    size_t n = 0;
    listing(g_dir, &s, &n);
    return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *good = xstrdup(FUZZ_TEST_PLUGINS), *slash = strrchr(good, '/');
    *slash = '\0';
    char *path = xasprintf("%s/good:%s/policy", good, good);
    setenv("BENCHAAS_PLUGIN_PATH", path, 1);
    free(path);
    free(good);
    const char *base = getenv("TMPDIR"); /* test.sh's folder, checked for leftovers */
    snprintf(g_dir, sizeof g_dir, "%s/benchaas-fuzz-submit-XXXXXX",
             base && *base ? base : "/tmp");
    char err[1024];
    if (!mkdtemp(g_dir) || chmod(g_dir, 0711) != 0)
        abort();
    snprintf(g_db, sizeof g_db, "%s/f.db", g_dir);
    char *allowed = xasprintf("%s/allowed", g_dir), *secret = xasprintf("%s/secret", g_dir);
    mkdir(allowed, 01777);
    chmod(allowed, 01777);
    FILE *f = fopen(secret, "w");
    if (!f || fputs(SECRET " 1 2\n" SECRET "\n", f) < 0 || fclose(f) != 0)
        abort();
    char *dat = xasprintf("%s/secret.dat", allowed);
    f = fopen(dat, "w");
    if (!f || fputs("HPL\n" SECRET "\nx\n6\n2 Ns\n" SECRET " 7 Ns\n", f) < 0 || fclose(f) != 0)
        abort();
    free(dat);
    if (store_open(g_db, STORE_CREATE, &g_st, err, sizeof err) != 0 ||
        sqlite3_exec(store_db(g_st), "INSERT INTO jobs(user, plugin, name, experiment_json, "
                     "state, npoints, created_at) VALUES ('sentinel','trivial','s','{}','done',"
                     "0,'2026-01-01T00:00:00Z')", NULL, NULL, NULL) != SQLITE_OK ||
        policy_add_path(&g_pol, allowed, err, sizeof err) != 0 ||
        policy_finish(&g_pol, g_db, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_submit: %s\n", err);
        abort();
    }
    free(g_pol.self_exe);
    g_pol.self_exe = xstrdup(FUZZ_BENCHAAS);
    policy_install(&g_pol);
    char *hard = xasprintf("%s/db.link", allowed);
    if (link(g_db, hard) != 0)
        abort();
    free(hard);
    free(allowed);
    free(secret);
    g_before = snapshot();
    atexit(cleanup);
    return 0;
}

/* mine: the member's own text holds the secret (the fuzzer can write it): an answer
 * that quotes the member's value back is not a leak then. */
static void check_answer(int st, cJSON *fields, const char *err, int mine, int mine_dir)
{
    FUZZ_CHECK(st == 0 || st == 400 || st == 429, "an answer other than 0, 400 or 429");
    FUZZ_CHECK(st != 400 || cJSON_GetArraySize(fields) == 1, "a 400 without its field");
    char *f = fields ? cJSON_PrintUnformatted(fields) : NULL;
    FUZZ_CHECK(mine || (!strstr(err, SECRET) && !(f && strstr(f, SECRET))),
               "an answer quotes the secret");
    FUZZ_CHECK(mine_dir ||
                   (!strstr(err, g_pol.scratch_root) && !(f && strstr(f, g_pol.scratch_root))),
               "an answer names the jobs' folders");
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 14))
        return 0;
    /* "@DIR@" -> the test's folder */
    char *text = fuzz_cstr(data, size), *at;
    while ((at = strstr(text, "@DIR@"))) {
        char *t = xasprintf("%.*s%s%s", (int)(at - text), text, g_dir, at + 5);
        free(text);
        text = t;
    }
    cJSON *exp = cJSON_Parse(text);
    int mine = strstr(text, SECRET) != NULL;
    int mine_dir = strstr(text, g_pol.scratch_root) != NULL; /* the same for the folders */
    free(text);
    if (!exp)
        return 0;
    sqlite3 *db = store_db(g_st);
    sqlite3_stmt *q;
    int64_t before = 0, after = 0, id = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM jobs", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        before = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    job_quotas quotas = {0, 1000, 4};
    cJSON *fields = NULL;
    char err[4096] = "";
    int st = job_submit(g_st, "fuzz", exp, "local", &quotas, 0, &id, &fields, err, sizeof err);
    check_answer(st, fields, err, mine, mine_dir);
    fuzz_note(st ? "refused" : "stored", err);
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM jobs", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        after = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    FUZZ_CHECK(after == before + (st == 0), "a refusal stored a job, or a job was lost");
    int ok = sqlite3_prepare_v2(db, "SELECT (SELECT quick_check FROM pragma_quick_check) = 'ok' "
                                    "AND EXISTS (SELECT 1 FROM jobs WHERE user = 'sentinel')",
                                -1, &q, NULL) == SQLITE_OK &&
             sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1;
    sqlite3_finalize(q);
    FUZZ_CHECK(ok, "the database is damaged or lost its sentinel");
    char *now = snapshot();
    FUZZ_CHECK(strcmp(now, g_before) == 0, "a file outside the jobs' folders changed");
    free(now);
    cJSON_Delete(fields);
    cJSON_Delete(exp);
    return 0;
}
