/* collect_cmd.c — `benchaas collect`: store the finished result documents of the spool. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "collect.h"
#include "dbpath.h"
#include "run.h"
#include "slurm.h"

/* What collect was told. */
typedef struct {
    const char *db;
    int keep;
} collect_args;

static const cli_opt collect_opts[] = {
    {"--keep-spool", 0, CLI_FLAG, offsetof(collect_args, keep), NULL, NULL,
     "keep the result documents after they are stored", NULL},
    {"--db", 0, CLI_STRING, offsetof(collect_args, db), "--db FILE", NULL,
     "the result database (BENCHAAS_DB; default ./benchaas.db), whose\n"
     "spool folder is <db>.spool/; a database that does not exist is\n"
     "refused, unless its spool folder does", NULL},
    CLI_END,
};

const cli_spec cli_collect_spec = {
    "collect",
    "collect [--keep-spool] [--db]",
    "Store the finished result documents of the database's spool folder, each\n"
    "exactly once, then remove them.  Runs submitted to Slurm whose job ended\n"
    "without a result become failed or timeout runs with Slurm's reason.\n"
    "\n",
    collect_opts, 16,
    "\n"
    "Documents are stored in transactions of up to 256; their files are\n"
    "removed, and each stored run named on stderr, only after their\n"
    "transaction has committed: if collect is killed, run it again.  A\n"
    "document that is refused stays in the spool (exit 1).\n",
    NULL,
};

int cmd_collect(int argc, char **argv)
{
    collect_args ca = {0};
    int pr = cli_parse(&cli_collect_spec, argc, argv, &ca, NULL);
    if (pr)
        return pr < 0 ? 0 : 2;
    const char *db = ca.db;
    int keep = ca.keep;
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
