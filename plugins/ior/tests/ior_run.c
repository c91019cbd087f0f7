/*
 * ior_run.c — run the ior plugin on the mock host, without the BenchaaS
 * runner: for bench/ior.sh and for trying the plugin by hand.
 *
 *     mpirun -np N ior_run [--reps R] [--verbose] name=value ...
 *
 * Rank 0 prints one "metric value" line per metric (the best repetition,
 * as the runner stores it), then "samples metric v1 v2 ..." lines.
 * Exit codes as the CLI's: 0 ok, 1 the benchmark failed, 2 bad input.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/mock.h"

const bx_plugin *benchaas_plugin_entry(const bx_host *host);

int main(int argc, char **argv)
{
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const bx_plugin *p = benchaas_plugin_entry(bx_mock_host());
    bx_mock *m = bx_mock_new(p);
    bx_mock_set_world(m, rank, size);
    int code = 0;
    for (int i = 1; i < argc && !code; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            bx_mock_set_repetitions(m, (unsigned)atoi(argv[++i]));
        } else if (strcmp(argv[i], "--verbose") == 0) {
            bx_mock_set_verbose(m, rank == 0);
        } else {
            char name[128];
            const char *eq = strchr(argv[i], '=');
            if (!eq || (size_t)(eq - argv[i]) >= sizeof name) {
                fprintf(stderr, "ior_run: expected name=value, got '%s'\n", argv[i]);
                code = 2;
                break;
            }
            snprintf(name, sizeof name, "%.*s", (int)(eq - argv[i]), argv[i]);
            if (bx_mock_set(m, name, eq + 1) != 0) {
                fprintf(stderr, "ior_run: %s\n", bx_mock_error(m));
                code = 2;
            }
        }
    }
    if (!code) {
        int rc = bx_mock_check(m);
        /* check() looks at the file system on rank 0 only: share its verdict */
        MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (rc) {
            if (rank == 0)
                fprintf(stderr, "ior_run: %s\n", bx_mock_error(m));
            code = 2;
        }
    }
    if (!code) {
        int rc = bx_mock_run(m);
        if (rc) {
            if (rank == 0)
                fprintf(stderr, "ior_run: failed: %s\n", bx_mock_error(m));
            code = rc == BX_EINVAL ? 2 : 1;
        }
        if (rank == 0)
            for (const bx_metric_def *d = p->metrics; d->name; d++) {
                double v;
                if (bx_mock_metric(m, d->name, &v) == 0)
                    printf("%s %.6g\n", d->name, v);
            }
        if (rank == 0)
            for (const bx_metric_def *d = p->metrics; d->name; d++) {
                size_t n = 0;
                const double *v = bx_mock_samples(m, d->name, &n);
                if (!n)
                    continue;
                printf("samples %s", d->name);
                for (size_t k = 0; k < n; k++)
                    printf(" %.6g", v[k]);
                printf("\n");
            }
    }
    bx_mock_free(m);
    MPI_Finalize();
    return code;
}
