/*
 * grid.c — the P x Q process grid, and how much memory a rank needs.
 */
#include "hpl.h"

int hpl_grid_init(hpl_grid *g, MPI_Comm world, int p, int q, int colmajor)
{
    int wrank = 0;
    MPI_Comm_rank(world, &wrank);
    g->p = p;
    g->q = q;
    g->colmajor = colmajor;
    g->active = wrank < p * q;
    g->comm = g->row = g->col = MPI_COMM_NULL;
    g->myrow = g->mycol = -1;
    g->rank = -1;
    /* The grid is world ranks 0 .. P*Q-1, in world order. */
    if (MPI_Comm_split(world, g->active ? 0 : MPI_UNDEFINED, wrank, &g->comm) != MPI_SUCCESS)
        return -1;
    if (!g->active)
        return 0;
    MPI_Comm_rank(g->comm, &g->rank);
    if (colmajor) {
        g->myrow = g->rank % p;
        g->mycol = g->rank / p;
    } else {
        g->myrow = g->rank / q;
        g->mycol = g->rank % q;
    }
    /* Row communicator ranked by column, column communicator ranked by row,
     * so a rank in them is the process column / row index. */
    if (MPI_Comm_split(g->comm, g->myrow, g->mycol, &g->row) != MPI_SUCCESS ||
        MPI_Comm_split(g->comm, g->mycol, g->myrow, &g->col) != MPI_SUCCESS)
        return -1;
    return 0;
}

void hpl_grid_free(hpl_grid *g)
{
    if (g->row != MPI_COMM_NULL)
        MPI_Comm_free(&g->row);
    if (g->col != MPI_COMM_NULL)
        MPI_Comm_free(&g->col);
    if (g->comm != MPI_COMM_NULL)
        MPI_Comm_free(&g->comm);
}

int hpl_grid_rank_of(const hpl_grid *g, int row, int col)
{
    return g->colmajor ? col * g->p + row : row * g->q + col;
}

int64_t hpl_lda(int64_t m)
{
    int64_t lda = m < 1 ? 1 : m;
    lda = (lda + 7) / 8 * 8; /* 64-byte columns */
    if ((lda * 8) % 4096 == 0)
        lda += 8; /* avoid columns mapping onto the same cache sets */
    return lda;
}

uint64_t hpl_bytes_per_rank(int64_t n, int64_t nb, int p, int q, int depth)
{
    /* Process (0, 0) owns the most rows and columns. */
    int64_t mloc = hpl_numroc(n, nb, 0, p);
    int64_t nloc = hpl_numroc(n + 1, nb, 0, q);
    uint64_t a = (uint64_t)hpl_lda(mloc) * (uint64_t)(nloc > 0 ? nloc : 1);
    /* depth + 2 panel buffers of (mloc + 2 nb + 1) x nb */
    uint64_t panels = (uint64_t)(depth + 2) * (uint64_t)(mloc + 2 * nb + 1) * (uint64_t)nb;
    /* update work space (U^T chunk, swap staging) and the solution vector */
    uint64_t work = 4u * 1024u * (uint64_t)nb + (uint64_t)n + 3u * (uint64_t)mloc + 64u * 1024u;
    return 8u * (a + panels + work);
}
