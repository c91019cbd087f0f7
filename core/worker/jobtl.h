/*
 * jobtl.h — the whole job's resource timeline (jobtl.c).
 *
 * Every rank samples its own process (RSS, CPU).  jobtl_build() puts the
 * ranks' series on one time grid (rank 0's sample times; each rank
 * contributes its sample nearest in time), sums them per node (the ranks
 * that share memory) and over the job, and finds the peaks: what a memory
 * request per node must cover is the largest per-node sum.  Under MPI it is
 * collective: every rank calls it.
 */
#ifndef BENCHAAS_JOBTL_H
#define BENCHAAS_JOBTL_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct jobtl_node {
    char name[256];
    int ranks;
    double *rss, *cpu; /* n values each: the sums over the node's ranks */
} jobtl_node;

typedef struct jobtl {
    size_t n;           /* points */
    double *t;          /* seconds since init started (rank 0's clock) */
    double *rss, *cpu;  /* sums over every rank of the job (NAN: unknown) */
    jobtl_node *nodes;  /* rank 0 only (others: nnodes 0) */
    size_t nnodes;
    double job_peak;    /* max over t of rss (MiB) */
    double node_peak;   /* max over nodes and t of the node's rss (MiB) */
} jobtl;

/*
 * pts[0..n): this rank's samples [t, rss_mib, cpu_percent].  mpi: 1 when
 * running under MPI with more than one rank (then collective).  0, or -1
 * out of memory (the job then has no timeline; still collective-safe).
 */
int jobtl_build(const double (*pts)[3], size_t n, int mpi, jobtl *out);
/* "timeline": [[t, rss, cpu], ...] of the job (NULL when empty). */
cJSON *jobtl_json(const jobtl *j);
/* "timeline_nodes": [{"node", "ranks", "timeline": [...]}, ...] (NULL when empty). */
cJSON *jobtl_nodes_json(const jobtl *j);
void jobtl_free(jobtl *j);

#endif
