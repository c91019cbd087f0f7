/* status_cmd.c — `benchaas status`: its options and help; runner/slurm.c lists the runs. */
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "slurm.h"

/* What status was told. */
typedef struct {
    const char *db;
    int all;
} status_args;

static const cli_opt status_opts[] = {
    {"--all", 0, CLI_FLAG, offsetof(status_args, all), NULL, NULL,
     "also the finished Slurm runs", NULL},
    {"--db", 0, CLI_STRING, offsetof(status_args, db), "--db FILE", NULL,
     "the result database (BENCHAAS_DB; default ./benchaas.db)", NULL},
    CLI_END,
};

const cli_spec cli_status_spec = {
    "status",
    "status [--all] [--db]",
    "Submitted runs that have not finished (queued, running) with their Slurm\n"
    "job ids and the job's state and reason (from squeue, else scontrol).  Run\n"
    "`benchaas collect` to store finished results.\n"
    "\n",
    status_opts, 14, NULL, NULL,
};

int cmd_status(int argc, char **argv)
{
    status_args sa = {0};
    int pr = cli_parse(&cli_status_spec, argc, argv, &sa, NULL);
    if (pr)
        return pr < 0 ? 0 : 2;
    return slurm_status(sa.db, sa.all, stdout);
}
