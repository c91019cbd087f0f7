/*
 * hpl.h — internal declarations of the HPL plugin (not installed).
 *
 * The solver follows the published High-Performance Linpack algorithm:
 * the N x (N+1) matrix [A | b] is distributed 2-D block-cyclically with
 * NB x NB blocks over a P x Q process grid; a right-looking blocked LU with
 * partial pivoting factors it panel by panel (recursive panel
 * factorisation, panel broadcast along process rows, row interchanges and U
 * broadcast along process columns, look-ahead of `depth` panels); b rides
 * along as column N, so after the factorisation column N holds L^-1 P b and
 * a distributed back substitution gives x.
 *
 * Files:
 *   plugin.c   descriptor, parameters, check/init/run/report, describe, expand
 *   hpl_dat.c  netlib HPL.dat reader and the enumeration of its combinations
 *   rng.c      the jump-ahead linear congruential generator and matrix fill
 *   grid.c     process grid, block-cyclic index helpers, memory estimate
 *   panel.c    recursive panel factorisation with the pivot reduction
 *   bcast.c    panel broadcast along process rows (ring/long variants)
 *   update.c   row interchanges (binexch/long/mix), U broadcast, DTRSM, DGEMM
 *   lu.c       the look-ahead driver, back substitution and verification
 */
#ifndef HPL_H
#define HPL_H

#include <stddef.h>
#include <stdint.h>

#include <mpi.h>

/* ---- enumerations (values match the codes of netlib HPL.dat) ---------- */
enum { HPL_LEFT = 0, HPL_CROUT = 1, HPL_RIGHT = 2 };
enum { HPL_1RING = 0, HPL_1RINGM = 1, HPL_2RING = 2, HPL_2RINGM = 3, HPL_LONG = 4, HPL_LONGM = 5 };
enum { HPL_SWAP_BINEXCH = 0, HPL_SWAP_LONG = 1, HPL_SWAP_MIX = 2 };

/* Names as the plugin's ENUM parameters spell them, indexed by the codes. */
extern const char *const hpl_fact_names[];  /* left, crout, right */
extern const char *const hpl_bcast_names[]; /* 1ring ... longM */
extern const char *const hpl_swap_names[];  /* binexch, long, mix (+ spread-roll alias) */

/* One problem: everything the solver needs, already validated. */
typedef struct hpl_cfg {
    int64_t n, nb;
    int p, q;
    int colmajor; /* process mapping: 0 row-major (rank = row*Q + col), 1 column-major */
    int depth;    /* look-ahead depth, >= 0 */
    int pfact, rfact, nbmin, ndiv;
    int bcast, swap, swap_threshold;
    uint64_t seed;
    double threshold;
    int shm;      /* share panels through memory between the ranks of a node */
} hpl_cfg;

/* ---- grid.c ------------------------------------------------------------ */
typedef struct hpl_grid {
    MPI_Comm comm;       /* the P*Q grid ranks (MPI_COMM_NULL on idle ranks) */
    MPI_Comm row, col;   /* my process row (ranked by column), my process column */
    int p, q, myrow, mycol, rank;
    int colmajor;        /* process mapping, as hpl_cfg */
    int active;          /* 0 on ranks beyond P*Q */
} hpl_grid;

/* Split `world` into the grid; idle ranks get active = 0.  Collective. */
int hpl_grid_init(hpl_grid *g, MPI_Comm world, int p, int q, int colmajor);
void hpl_grid_free(hpl_grid *g);
/* Grid rank of process (row, col). */
int hpl_grid_rank_of(const hpl_grid *g, int row, int col);

/* How many of the indices [0, n) a process `iproc` of `nprocs` owns when
 * they are dealt in blocks of nb (ScaLAPACK's NUMROC with source 0). */
static inline int64_t hpl_numroc(int64_t n, int64_t nb, int iproc, int nprocs)
{
    int64_t nblocks = n / nb;
    int64_t r = (nblocks / nprocs) * nb;
    int64_t extra = nblocks % nprocs;
    if (iproc < extra)
        r += nb;
    else if (iproc == extra)
        r += n % nb;
    return r;
}
/* Owner and local index of global index g. */
static inline int hpl_owner(int64_t g, int64_t nb, int nprocs) { return (int)((g / nb) % nprocs); }
static inline int64_t hpl_local(int64_t g, int64_t nb, int nprocs)
{
    return (g / nb) / nprocs * nb + g % nb;
}

/* Bytes one rank (the largest) needs for problem cfg (matrix, panels, work). */
uint64_t hpl_bytes_per_rank(int64_t n, int64_t nb, int p, int q, int depth);
/* Leading dimension used for a local matrix of m rows (padded). */
int64_t hpl_lda(int64_t m);

/* ---- rng.c ------------------------------------------------------------- */
/*
 * Entry (i, j) of the N x (N+1) matrix [A | b] is the (j*N + i)-th number
 * of a 64-bit LCG stream selected by `seed`, mapped to (-0.5, 0.5]; any
 * rank can jump to any position in O(64), so A depends on N and seed only.
 */
typedef struct hpl_rng { uint64_t mul[64], add[64]; uint64_t start; } hpl_rng;
void hpl_rng_init(hpl_rng *r, uint64_t seed);
uint64_t hpl_rng_jump(const hpl_rng *r, uint64_t state, uint64_t steps);
/* Fill the local part of [A | b] (mloc x nloc, leading dimension lda). */
void hpl_generate(const hpl_rng *r, const hpl_cfg *c, const hpl_grid *g, double *a, int64_t lda);

/* ---- the distributed solve (lu.c and friends) -------------------------- */
typedef struct hpl_solver hpl_solver;

/* Allocate the local matrix and work space.  Collective over the grid. */
int hpl_solver_new(const hpl_cfg *c, const hpl_grid *g, hpl_solver **out, char *err, size_t errlen);
void hpl_solver_free(hpl_solver *s);
/* Fill [A | b] from the generator (untimed). */
void hpl_solver_generate(hpl_solver *s);
/* Factor and solve; x is left replicated on every grid rank.  Collective. */
int hpl_solver_solve(hpl_solver *s, char *err, size_t errlen);
/* Regenerate A and b and compute the scaled residual (and the norms). */
typedef struct hpl_check {
    double resid;            /* ||Ax-b||_oo / (eps*(||A||_oo*||x||_oo+||b||_oo)*N) */
    double rnorm, anorm, xnorm, bnorm;
} hpl_check;
int hpl_solver_verify(hpl_solver *s, hpl_check *out);

/* Where this rank's time went in the last solve (seconds). */
enum { HPL_PROF_FACT, HPL_PROF_SWAP, HPL_PROF_TRSM, HPL_PROF_GEMM, HPL_PROF_WAIT, HPL_PROF_SOLVE, HPL_PROF_N };
extern const char *const hpl_prof_names[]; /* "fact", "swap", ... */
void hpl_solver_profile(const hpl_solver *s, double out[HPL_PROF_N]);
/* 1 when the panels travel through shared memory (shm mode), 0 as messages. */
int hpl_solver_shared(const hpl_solver *s);

/*
 * Test hooks (built only with -DHPL_TEST_HOOKS, as the unit tests are):
 * 1 perturbs x after the solve, 2 drops the first row interchange of the
 * trailing update, so the verification has something real to catch.
 */
#ifdef HPL_TEST_HOOKS
extern int hpl_test_corrupt;
#endif

#endif /* HPL_H */
