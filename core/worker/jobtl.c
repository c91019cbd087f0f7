/*
 * jobtl.c — the whole job's resource timeline: every rank's samples summed
 * per node and over the job (see jobtl.h).
 */
#define _GNU_SOURCE
#include "jobtl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef BENCHAAS_HAVE_MPI
#include <mpi.h>
#endif

#include "util.h"

#ifdef BENCHAAS_HAVE_MPI
/* Each grid time's nearest own sample (both ascending): rss and cpu into r[], c[]. */
static void resample(const double (*pts)[3], size_t n, const double *t, size_t m, double *r,
                     double *c)
{
    size_t j = 0;
    for (size_t i = 0; i < m; i++) {
        if (n == 0) {
            r[i] = 0;
            c[i] = 0;
            continue;
        }
        while (j + 1 < n && fabs(pts[j + 1][0] - t[i]) <= fabs(pts[j][0] - t[i]))
            j++;
        r[i] = isfinite(pts[j][1]) ? pts[j][1] : 0;
        c[i] = isfinite(pts[j][2]) ? pts[j][2] : 0;
    }
}
#endif

static void peaks(jobtl *j)
{
    j->job_peak = NAN;
    j->node_peak = NAN;
    for (size_t i = 0; i < j->n; i++)
        if (isfinite(j->rss[i]) && !(j->rss[i] <= j->job_peak))
            j->job_peak = j->rss[i];
    for (size_t k = 0; k < j->nnodes; k++)
        for (size_t i = 0; i < j->n; i++)
            if (isfinite(j->nodes[k].rss[i]) && !(j->nodes[k].rss[i] <= j->node_peak))
                j->node_peak = j->nodes[k].rss[i];
}

static int alloc_series(jobtl *j, size_t n)
{
    j->n = n;
    j->t = calloc(n ? n : 1, sizeof *j->t);
    j->rss = calloc(n ? n : 1, sizeof *j->rss);
    j->cpu = calloc(n ? n : 1, sizeof *j->cpu);
    return j->t && j->rss && j->cpu ? 0 : -1;
}

/* One process: its own series is the job's and its node's. */
static int build_local(const double (*pts)[3], size_t n, jobtl *j)
{
    if (alloc_series(j, n))
        return -1;
    j->nodes = calloc(1, sizeof *j->nodes);
    if (!j->nodes)
        return -1;
    jobtl_node *nd = &j->nodes[0];
    short_hostname(nd->name, sizeof nd->name);
    nd->ranks = 1;
    nd->rss = malloc((n ? n : 1) * sizeof *nd->rss);
    nd->cpu = malloc((n ? n : 1) * sizeof *nd->cpu);
    if (!nd->rss || !nd->cpu)
        return -1;
    j->nnodes = 1;
    for (size_t i = 0; i < n; i++) {
        j->t[i] = pts[i][0];
        nd->rss[i] = j->rss[i] = pts[i][1];
        nd->cpu[i] = j->cpu[i] = pts[i][2];
    }
    peaks(j);
    return 0;
}

int jobtl_build(const double (*pts)[3], size_t n, int mpi, jobtl *out)
{
    memset(out, 0, sizeof *out);
#ifndef BENCHAAS_HAVE_MPI
    (void)mpi;
#else
    if (mpi) {
        int rank, ok = 1;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        /* the grid: rank 0's sample times */
        long m = rank == 0 ? (long)n : 0;
        MPI_Bcast(&m, 1, MPI_LONG, 0, MPI_COMM_WORLD);
        if (m <= 0)
            return 0;
        size_t mm = (size_t)m;
        ok = alloc_series(out, mm) == 0;
        double *buf = malloc(2 * mm * sizeof *buf), *sum = malloc(2 * mm * sizeof *sum);
        ok = ok && buf && sum;
        /* everyone takes part in every collective below, even out of memory */
        int all_ok = ok;
        MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (!all_ok) {
            free(buf);
            free(sum);
            jobtl_free(out);
            return -1;
        }
        if (rank == 0)
            for (size_t i = 0; i < mm; i++)
                out->t[i] = pts[i][0];
        MPI_Bcast(out->t, m, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        resample(pts, n, out->t, mm, buf, buf + mm);
        /* per node: the ranks that share memory, summed on the node's first rank */
        MPI_Comm node, leaders;
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
        int nrank, nsize;
        MPI_Comm_rank(node, &nrank);
        MPI_Comm_size(node, &nsize);
        MPI_Reduce(buf, sum, 2 * m, MPI_DOUBLE, MPI_SUM, 0, node);
        MPI_Comm_split(MPI_COMM_WORLD, nrank == 0 ? 0 : MPI_UNDEFINED, rank, &leaders);
        if (leaders != MPI_COMM_NULL) {
            int lrank, lsize;
            MPI_Comm_rank(leaders, &lrank);
            MPI_Comm_size(leaders, &lsize);
            char name[256] = "";
            short_hostname(name, sizeof name);
            double *all = NULL;
            char *names = NULL;
            int *counts = NULL;
            if (lrank == 0) {
                all = malloc((size_t)lsize * 2 * mm * sizeof *all);
                names = calloc((size_t)lsize, sizeof name);
                counts = calloc((size_t)lsize, sizeof *counts);
                out->nodes = calloc((size_t)lsize, sizeof *out->nodes);
            }
            MPI_Gather(sum, 2 * m, MPI_DOUBLE, all, 2 * m, MPI_DOUBLE, 0, leaders);
            MPI_Gather(name, (int)sizeof name, MPI_CHAR, names, (int)sizeof name, MPI_CHAR, 0,
                       leaders);
            MPI_Gather(&nsize, 1, MPI_INT, counts, 1, MPI_INT, 0, leaders);
            if (lrank == 0 && all && names && counts && out->nodes) {
                out->nnodes = (size_t)lsize;
                for (size_t i = 0; i < mm; i++)
                    out->rss[i] = out->cpu[i] = 0;
                for (int k = 0; k < lsize; k++) {
                    jobtl_node *nd = &out->nodes[k];
                    memcpy(nd->name, names + (size_t)k * sizeof name, sizeof name);
                    nd->name[sizeof nd->name - 1] = '\0';
                    /* two nodes with one short name (n1.a, n1.b): tell them apart */
                    for (int q = 0; q < k; q++)
                        if (strcmp(out->nodes[q].name, nd->name) == 0) {
                            size_t l = strlen(nd->name);
                            snprintf(nd->name + (l < 240 ? l : 240),
                                     sizeof nd->name - (l < 240 ? l : 240), "#%d", k);
                            break;
                        }
                    nd->ranks = counts[k];
                    nd->rss = malloc(mm * sizeof *nd->rss);
                    nd->cpu = malloc(mm * sizeof *nd->cpu);
                    if (!nd->rss || !nd->cpu) {
                        out->nnodes = (size_t)k + 1;
                        break;
                    }
                    const double *src = all + (size_t)k * 2 * mm;
                    for (size_t i = 0; i < mm; i++) {
                        nd->rss[i] = src[i];
                        nd->cpu[i] = src[mm + i];
                        out->rss[i] += src[i];
                        out->cpu[i] += src[mm + i];
                    }
                }
                /* the first point has no CPU figure (nothing before it to compare) */
                if (n && !isfinite(pts[0][2])) {
                    out->cpu[0] = NAN;
                    for (size_t k = 0; k < out->nnodes; k++)
                        if (out->nodes[k].cpu)
                            out->nodes[k].cpu[0] = NAN;
                }
                peaks(out);
            }
            free(all);
            free(names);
            free(counts);
            MPI_Comm_free(&leaders);
        }
        MPI_Comm_free(&node);
        free(buf);
        free(sum);
        if (rank != 0) {
            jobtl_free(out); /* only rank 0 writes the document */
            return 0;
        }
        return 0;
    }
#endif
    if (n == 0)
        return 0;
    if (build_local(pts, n, out) != 0) {
        jobtl_free(out);
        return -1;
    }
    return 0;
}

static cJSON *series_json(const double *t, const double *r, const double *c, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *pt = cJSON_CreateArray();
        const double v[3] = {t[i], r[i], c[i]};
        for (int k = 0; k < 3; k++) {
            /* 3 decimals for t, 2 for the rest: enough, and a short document */
            double scale = k == 0 ? 1000.0 : 100.0;
            cJSON_AddItemToArray(pt, isfinite(v[k])
                                         ? cJSON_CreateNumber(round(v[k] * scale) / scale)
                                         : cJSON_CreateNull());
        }
        cJSON_AddItemToArray(arr, pt);
    }
    return arr;
}

cJSON *jobtl_json(const jobtl *j)
{
    if (j->n == 0 || !j->t)
        return NULL;
    return series_json(j->t, j->rss, j->cpu, j->n);
}

cJSON *jobtl_nodes_json(const jobtl *j)
{
    if (j->n == 0 || j->nnodes == 0)
        return NULL;
    cJSON *arr = cJSON_CreateArray();
    for (size_t k = 0; k < j->nnodes; k++) {
        const jobtl_node *nd = &j->nodes[k];
        if (!nd->rss || !nd->cpu)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "node", nd->name);
        cJSON_AddNumberToObject(o, "ranks", nd->ranks);
        cJSON_AddItemToObject(o, "timeline", series_json(j->t, nd->rss, nd->cpu, j->n));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

void jobtl_free(jobtl *j)
{
    for (size_t k = 0; k < j->nnodes; k++) {
        free(j->nodes[k].rss);
        free(j->nodes[k].cpu);
    }
    free(j->nodes);
    free(j->t);
    free(j->rss);
    free(j->cpu);
    memset(j, 0, sizeof *j);
}
