/*
 * iperf_host — run the iperf plugin through the mock host from a command
 * line, so tests can put a server and a client in separate processes (and
 * under mpirun) before the real `benchaas` CLI exists.
 *
 *     iperf_host [-r REPS] [-v] name=value ...
 *
 * Prints on stdout (rank 0 only):
 *     metric NAME VALUE      every metric that has a value
 *     samples NAME COUNT     every metric that has samples
 *     sample NAME VALUE      each throughput / pair_throughput sample
 *     meta KEY VALUE         the plugin's metadata (known keys)
 *     warnings COUNT LAST
 *     error TEXT             when the run failed or was refused
 * Exit status: 0 ok, 1 the run failed, 2 a parameter or check() refused it
 * (the CLI's exit codes).  Under mpirun (OMPI_COMM_WORLD_SIZE set) it
 * initialises MPI as the worker does and gives the mock its rank and size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/mock.h"
#include "benchaas/plugin.h"

#ifdef BXI_HAVE_MPI
#include <mpi.h>
#endif

const bx_plugin *benchaas_plugin_entry(const bx_host *host);

static const char *const meta_keys[] = {
    "mode", "server", "listen", "socket_buffer", "tests_served", "connections_rejected",
    "tests_aborted", "busy_answers", "pair0", "pair1", NULL};

int main(int argc, char **argv)
{
    int rank = 0, size = 1, mpi = 0;
#ifdef BXI_HAVE_MPI
    if (getenv("OMPI_COMM_WORLD_SIZE")) {
        int provided;
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        mpi = 1;
    }
#endif
    const bx_plugin *pl = benchaas_plugin_entry(bx_mock_host());
    bx_mock *m = bx_mock_new(pl);
    bx_mock_set_world(m, rank, size);
    int status = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            bx_mock_set_verbose(m, 1);
            continue;
        }
        if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            bx_mock_set_repetitions(m, (unsigned)atoi(argv[++i]));
            continue;
        }
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "usage: iperf_host [-r REPS] [-v] name=value ...\n");
            status = 2;
            break;
        }
        *eq = '\0';
        if (bx_mock_set(m, argv[i], eq + 1) != 0) {
            if (rank == 0)
                printf("error %s\n", bx_mock_error(m));
            status = 2;
        }
    }
    if (status == 0) {
        int rc = bx_mock_check(m);
        if (rc != 0) {
            status = 2;
        } else {
            rc = bx_mock_run(m);
            status = rc == 0 ? 0 : rc == BX_EINVAL ? 2 : 1;
        }
        if (rc != 0 && rank == 0)
            printf("error %s\n", bx_mock_error(m));
    }
    if (rank == 0) {
        for (const bx_metric_def *d = pl->metrics; d->name; d++) {
            double v;
            size_t n;
            if (bx_mock_metric(m, d->name, &v) == 0)
                printf("metric %s %.6f\n", d->name, v);
            const double *s = bx_mock_samples(m, d->name, &n);
            if (n) {
                printf("samples %s %zu\n", d->name, n);
                if (strcmp(d->name, "throughput") == 0 || strcmp(d->name, "pair_throughput") == 0)
                    for (size_t k = 0; k < n; k++)
                        printf("sample %s %.6f\n", d->name, s[k]);
            }
        }
        for (int k = 0; meta_keys[k]; k++) {
            const char *v = bx_mock_meta(m, meta_keys[k]);
            if (v)
                printf("meta %s %s\n", meta_keys[k], v);
        }
        const char *last;
        int nw = bx_mock_warnings(m, &last);
        printf("warnings %d %s\n", nw, nw ? last : "");
    }
    fflush(stdout);
    bx_mock_free(m);
#ifdef BXI_HAVE_MPI
    if (mpi)
        MPI_Finalize();
#else
    (void)mpi;
#endif
    return status;
}
