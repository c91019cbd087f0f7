/* collect_cmd.c — `benchaas collect`: store the finished result documents of the spool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "collect.h"
#include "dbpath.h"
#include "run.h"
#include "slurm.h"

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
                   "with Slurm's reason.\n\n"
                   "Documents are stored in transactions of up to 256; their files are\n"
                   "removed, and each stored run named on stderr, only after their\n"
                   "transaction has committed: if collect is killed, run it again.  A\n"
                   "document that is refused stays in the spool (exit 1).\n");
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
    /* A missing database is created only to hold the results of its own
     * spool (submit's folder); otherwise it is a typo, refused. */
    char *spool0 = spool_dir_for(db);
    struct stat sst;
    int may_create = stat(spool0, &sst) == 0 && S_ISDIR(sst.st_mode);
    free(spool0);
    if (stat(db, &sst) == 0)
        may_create = 1; /* an empty file: another runner is creating the database */
    store *st;
    /* (one thread: SQLite takes no lock of its own around each call) */
    if (store_open(db, (may_create ? STORE_CREATE : STORE_READONLY) | STORE_ONE_THREAD, &st, err,
                   sizeof err) != 0 ||
        store_check_writable(st, err, sizeof err) != 0) {
        store_close(st);
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
