/* slurm.h — the Slurm launcher: submission, status, collect (slurm.c). */
#ifndef BENCHAAS_SLURM_H
#define BENCHAAS_SLURM_H

#include <stdio.h>
#include <stddef.h>

#include "plan.h"
#include "run.h"
#include "store.h"

/* Submit the plan's points as Slurm batch jobs (retry_failed = 1 skips points already
 * stored as ok); the CLI exit code. */
int slurm_submit_plan_ex(const plan *p, const run_opts *o, int wait, int retry_failed);

/*
 * Every point once on every node: each experiment becomes one job per node
 * (sbatch --nodelist=NODE), its runs tagged "node=NODE".  nodes: the node
 * names, already resolved; partition, when not NULL, overrides slurm.partition.
 */
int slurm_submit_plan_nodes(const plan *p, const run_opts *o, int wait, int retry_failed,
                            const strvec *nodes, const char *partition);

/*
 * The nodes for --each-node: LIST ("n1,n2" or a Slurm host list "n[1-4]",
 * expanded by scontrol), else the nodes of partition P (sinfo), else every
 * node Slurm knows.  0 and out (sorted, distinct), or BX_E* and err.
 */
int slurm_resolve_nodes(const char *list, const char *partition, strvec *out, char *err,
                        size_t errlen);

/*
 * A node in Slurm, for `check --across-nodes --drain / --resume`: its state (*drained: 1
 * when a drain is set, whoever set it) and the drain's reason (sinfo %E, "" when none);
 * drain it with a reason; return it to service.  0, or BX_EINVAL with Slurm's message.
 */
int slurm_node_state(const char *node, int *drained, char *reason, size_t rlen, char *err,
                     size_t errlen);
int slurm_node_drain(const char *node, const char *reason, char *err, size_t errlen);
int slurm_node_resume(const char *node, char *err, size_t errlen);

/* collect for Slurm: ingest the spool's documents, then reconcile with Slurm's job states. */
int slurm_collect(store *st, const char *spool, int verbose, size_t *ingested);

/*
 * What `benchaas status` shows: the submitted runs of the database at db
 * (NULL: $BENCHAAS_DB, else ./benchaas.db) that are queued or running (all:
 * every Slurm run) with their jobs' state, written to `to`.  0, or 2 after
 * the reason was printed on stderr.
 */
int slurm_status(const char *db, int all, FILE *to);

#endif
