/*
 * test_stream_mpi.c — the stream plugin on several MPI ranks (run under
 * mpirun -np 2): the mock host for parameters and results, real MPI for the
 * barrier and allreduce the worker would provide.
 *
 * 1. Every rank runs; all validate and all arrive at the same aggregate
 *    (it comes from the slowest rank's times, shared by the allreduce).
 * 2. Only the last rank's array is corrupted: rank 0's report fails too.
 */
#define _GNU_SOURCE
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "benchaas/mock.h"
#include "stream_internal.h"

static int rank, size, failures;

#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "rank %d: %s:%d: CHECK(%s) failed: ", rank, __FILE__, \
                    __LINE__, #cond);                                             \
            fprintf(stderr, __VA_ARGS__);                                         \
            fputc('\n', stderr);                                                  \
            failures++;                                                           \
        }                                                                         \
    } while (0)

static int mpi_barrier(void *user)
{
    (void)user;
    return MPI_Barrier(MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : BX_ECOMM;
}

static int mpi_allreduce(void *user, double *v, int count, int op)
{
    (void)user;
    MPI_Op o = op == BX_OP_SUM ? MPI_SUM : op == BX_OP_MAX ? MPI_MAX : MPI_MIN;
    return MPI_Allreduce(MPI_IN_PLACE, v, count, MPI_DOUBLE, o, MPI_COMM_WORLD) == MPI_SUCCESS
               ? 0
               : BX_ECOMM;
}

static bx_mock *new_mock(void)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_collectives(m, mpi_barrier, mpi_allreduce, NULL);
    bx_mock_set(m, "array_size", "200000");
    bx_mock_set(m, "ntimes", "4");
    bx_mock_set_world(m, rank, size);
    return m;
}

static double metric(bx_mock *m, const char *name)
{
    double v = NAN;
    bx_mock_metric(m, name, &v);
    return v;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size >= 2, "run me with mpirun -np 2 (or more), not %d rank", size);

    /* 1. a clean run on every rank */
    bx_mock *m = new_mock();
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "run: %d %s", rc, bx_mock_error(m));
    CHECK(metric(m, "validated") == 1.0, "validated %g", metric(m, "validated"));
    double t = metric(m, "triad"), lo = t, hi = t;
    MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    CHECK(t > 0 && lo == hi, "ranks disagree on the aggregate triad: %g .. %g", lo, hi);
    bx_mock_free(m);

    /* 2. the last rank's array a is corrupted before the report */
    m = new_mock();
    void *state = NULL;
    rc = bx_mock_check(m);
    if (rc == 0)
        rc = bx_mock_init(m, &state);
    for (unsigned r = 0; rc == 0 && r <= 1; r++)
        rc = bx_mock_run_rep(m, state, r);
    CHECK(rc == 0, "runs: %d %s", rc, bx_mock_error(m));
    if (state) {
        stream_state *st = state;
        if (rank == size - 1)
            st->a[7] *= 2;
        rc = bx_mock_report(m, state);
        CHECK(rc == BX_EFAILED, "report returned %d with rank %d's array corrupted", rc,
              size - 1);
        CHECK(metric(m, "validated") == 0.0, "validated %g", metric(m, "validated"));
        if (rank == 0)
            CHECK(strstr(bx_mock_error(m), "another rank") != NULL, "message: %s",
                  bx_mock_error(m));
        bx_mock_fini(m, state);
    }
    bx_mock_free(m);

    MPI_Allreduce(MPI_IN_PLACE, &failures, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("%s stream multi-rank (%d ranks)\n", failures ? "FAIL" : "ok  ", size);
    MPI_Finalize();
    return failures ? 1 : 0;
}
