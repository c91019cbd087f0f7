/* commands.h — the CLI commands implemented outside cli.c. */
#ifndef BENCHAAS_COMMANDS_H
#define BENCHAAS_COMMANDS_H

#include "plan.h"
#include "run.h"

/* --db, else BENCHAAS_DB, else ./benchaas.db */
const char *default_db(const char *given);

/* `run`/`submit` option parsing, shared (submit = 1 forces the slurm launcher). */
int cmd_run_like(int argc, char **argv, int submit);

/* `collect`: ingest finished result documents from the spool (collect.c). */
int cmd_collect(int argc, char **argv);

/* `status`: submitted runs and their Slurm jobs (slurm.c). */
int cmd_status(int argc, char **argv);

/* Submit the plan's points as Slurm batch jobs (slurm.c); the CLI exit code. */
int slurm_submit_plan(const plan *p, const run_opts *o, int wait);
/* slurm.nodes as a submission resolves it (the experiment's over the file's); 0 if unset. */
long slurm_nodes(const cJSON *file_slurm, const cJSON *exp_slurm);
/* The same; retry_failed = 1 skips points already stored as ok. */
int slurm_submit_plan_ex(const plan *p, const run_opts *o, int wait, int retry_failed);

#endif
