/* collect.c — `benchaas collect`: ingest finished result documents from the spool. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "store.h"

/* Ingest every <uuid>.result.json in spool; returns the number that failed. */
int collect_spool(store *st, const char *spool, int keep, int verbose, size_t *ingested);
int slurm_collect(store *st, const char *spool, int verbose, size_t *ingested);

int collect_spool(store *st, const char *spool, int keep, int verbose, size_t *ingested)
{
    DIR *d = opendir(spool);
    *ingested = 0;
    if (!d)
        return 0;
    strvec files = {0};
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n > 12 && strcmp(de->d_name + n - 12, ".result.json") == 0)
            strvec_push_owned(&files, xasprintf("%s/%s", spool, de->d_name));
    }
    closedir(d);
    int bad = 0;
    for (size_t i = 0; i < files.n; i++) {
        char err[2048];
        cJSON *doc = result_read(files.v[i], err, sizeof err);
        if (!doc) {
            say("not ingested: %s", err);
            bad++;
            continue;
        }
        /* <uuid>.result.json -> <uuid>.spec.json */
        char *spec = xstrdup(files.v[i]);
        strcpy(spec + strlen(spec) - 12, ".spec.json");
        int64_t id;
        if (ingest_and_clean(st, doc, spec, files.v[i], keep, &id, err, sizeof err) != 0) {
            say("not ingested: %s: %s", files.v[i], err);
            bad++;
        } else {
            (*ingested)++;
            if (verbose)
                fprintf(stderr, "benchaas: stored run %lld from %s\n", (long long)id, files.v[i]);
        }
        free(spec);
        cJSON_Delete(doc);
    }
    strvec_free(&files);
    return bad;
}

int cmd_collect(int argc, char **argv)
{
    const char *db = NULL;
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: benchaas collect [--db FILE] [--keep-spool]\n\n"
                   "Store the finished result documents of the database's spool folder\n"
                   "(<db>.spool/), each exactly once, then remove them.  Runs submitted to\n"
                   "Slurm whose job ended without a result become failed or timeout runs\n"
                   "with Slurm's reason.\n");
            return 0;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            db = argv[i] + 5;
        } else if (strcmp(argv[i], "--keep-spool") == 0) {
            keep = 1;
        } else {
            fprintf(stderr, "benchaas collect: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    db = default_db(db);
    char err[2048];
    if (store_check_file(db, err, sizeof err) != 0) {
        say("%s", err);
        return 2;
    }
    store *st;
    if (store_open(db, STORE_CREATE, &st, err, sizeof err) != 0) {
        say("%s", err);
        return 2;
    }
    char *spool = spool_dir_for(db);
    size_t n = 0;
    int bad = keep ? collect_spool(st, spool, keep, 1, &n) : slurm_collect(st, spool, 1, &n);
    printf("collected %zu result%s%s\n", n, n == 1 ? "" : "s", bad ? " (some were refused)" : "");
    free(spool);
    store_close(st);
    return bad ? 1 : 0;
}
