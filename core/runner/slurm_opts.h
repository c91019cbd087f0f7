/* slurm_opts.h — the slurm = {...} settings of configuration files (slurm_opts.c). */
#ifndef BENCHAAS_SLURM_OPTS_H
#define BENCHAAS_SLURM_OPTS_H

#include <cjson/cJSON.h>

#include "util.h"

typedef struct slurm_opts {
    char *partition, *account, *qos, *time_limit, *memory, *launch, *mpi, *spool, *job_name;
    /* slurm.network: the network (CIDR) or interfaces OpenMPI's TCP traffic between nodes
     * must use, passed as OMPI_MCA_{btl,oob}_tcp_if_include only when set: nodes with
     * another interface of the same address on each (docker0, virbr0) need it */
    char *network;
    /* slurm.sandbox: a JSON file holding the sandbox (sandbox.h) every point's worker
     * confines itself with on the compute node; the service writes it for its jobs */
    char *sandbox;
    long nodes;
    int pack;
    strvec extra, modules, env;
} slurm_opts;

/* Apply one slurm = {...} group (the file's, then the experiment's) onto o. */
int slurm_opts_apply(slurm_opts *o, const cJSON *grp, const char *file, char *err, size_t errlen);
void slurm_opts_free(slurm_opts *o);

/* slurm.nodes as a submission resolves it (the experiment's over the file's); 0 if unset. */
long slurm_nodes(const cJSON *file_slurm, const cJSON *exp_slurm);

#endif
