/*
 * mpi_coll.c — the collective tests over all ranks, as the OSU
 * micro-benchmarks define them (osu_allreduce, osu_alltoall, osu_bcast):
 * every rank times each call of the collective alone, a barrier follows
 * each iteration, and the latency is the average over the ranks of each
 * rank's average time per timed iteration, in us.
 *
 *   allreduce  size / 4 unsigned 32-bit integers summed (MPI_SUM; OSU sums
 *              floats, the same bytes move); sizes below 4 bytes are skipped
 *   alltoall   size bytes from every rank to every rank
 *   bcast      size bytes from rank 0
 *
 * Filling the send buffer and checking the result are outside the timed
 * call; the check is the sparse one of mpi_int.h, and one untimed call
 * after the timed ones is checked byte for byte.
 */
#include <mpi.h>

#include "mpi_int.h"

/* Whether 4-byte element e holds a stamped byte (mpi_fill's sparse rule). */
static int element_stamped(size_t n, size_t e, int full)
{
    size_t o = 4 * e;
    return full || n <= 64 || o % 4096 < 8 || o + 4 > n - 8;
}

static void allreduce_once(mpi_run *r, size_t n, uint64_t iter, int full, double *t,
                           uint64_t *seeds)
{
    for (int k = 0; k < r->nranks; k++)
        seeds[k] = mpi_seed(T_ALLREDUCE, iter, k, -1, n);
    mpi_send_fill(r, r->sbuf, n, seeds[r->rank], full);
    double t0 = bx_now();
    MPI_Allreduce(r->sbuf, r->rbuf, (int)(n / 4), MPI_UINT32_T, MPI_SUM, MPI_COMM_WORLD);
    *t = bx_now() - t0;
    mpi_where w = {T_ALLREDUCE, n, iter, -1, full};
    for (size_t e = 0; e < n / 4; e++) {
        if (!element_stamped(n, e, full))
            continue;
        uint32_t got = 0, want = mpi_sum_u32(seeds, r->nranks, e);
        for (int k = 0; k < 4; k++)
            got |= (uint32_t)r->rbuf[4 * e + (size_t)k] << (8 * k);
        if (got != want) {
            mpi_record_bad(r, &w, 4 * e, got, want);
            break;
        }
    }
}

static void alltoall_once(mpi_run *r, size_t n, uint64_t iter, int full, double *t)
{
    for (int d = 0; d < r->nranks; d++)
        mpi_send_fill(r, r->sbuf + (size_t)d * n, n, mpi_seed(T_ALLTOALL, iter, r->rank, d, n),
                      full);
    double t0 = bx_now();
    MPI_Alltoall(r->sbuf, (int)n, MPI_BYTE, r->rbuf, (int)n, MPI_BYTE, MPI_COMM_WORLD);
    *t = bx_now() - t0;
    for (int s = 0; s < r->nranks; s++) {
        mpi_where w = {T_ALLTOALL, n, iter, s, full};
        mpi_recv_check(r, r->rbuf + (size_t)s * n, mpi_seed(T_ALLTOALL, iter, s, r->rank, n), &w);
    }
}

static void bcast_once(mpi_run *r, size_t n, uint64_t iter, int full, double *t)
{
    uint64_t seed = mpi_seed(T_BCAST, iter, 0, -1, n);
    unsigned char *buf = r->rank == 0 ? r->sbuf : r->rbuf;
    if (r->rank == 0)
        mpi_send_fill(r, buf, n, seed, full);
    double t0 = bx_now();
    MPI_Bcast(buf, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
    *t = bx_now() - t0;
    if (r->rank != 0) {
        mpi_where w = {T_BCAST, n, iter, 0, full};
        mpi_recv_check(r, buf, seed, &w);
    }
}

/* One call of the collective (filled before, checked after); its time in *t. */
static void coll_once(mpi_run *r, int test, size_t n, uint64_t iter, int full, double *t,
                      uint64_t *seeds)
{
    if (test == T_ALLREDUCE)
        allreduce_once(r, n, iter, full, t, seeds);
    else if (test == T_ALLTOALL)
        alltoall_once(r, n, iter, full, t);
    else
        bcast_once(r, n, iter, full, t);
}

double mpi_coll(mpi_run *r, int test, uint64_t size)
{
    long iters, skip;
    mpi_iters(test, size, r->cfg.iterations, r->cfg.warmup, &iters, &skip);
    size_t n = (size_t)size;
    uint64_t *seeds = r->seeds;
    double sum = 0, t = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    for (long i = 0; i < iters + skip; i++) {
        coll_once(r, test, n, (uint64_t)i, 0, &t, seeds);
        if (i >= skip)
            sum += t;
        MPI_Barrier(MPI_COMM_WORLD);
    }
    coll_once(r, test, n, (uint64_t)(iters + skip), 1, &t, seeds);
    double mine = sum * 1e6 / (double)iters, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return all / r->nranks;
}
