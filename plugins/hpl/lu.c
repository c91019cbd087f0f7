/*
 * lu.c — the solver: storage, the look-ahead loop, back substitution and
 * the residual check.
 *
 * Look-ahead of depth d.  Invariant at the start of iteration k: panels
 * k .. k+d-1 are factored (and on their way along the process rows), and
 * every column right of block k+d-1 has the updates of panels < k.  In
 * iteration k the process column owning block la = k+d applies panels
 * k .. la-1 to that block only, factors it and starts its broadcast; then
 * every process applies panel k to the rest of its trailing columns (those
 * right of block la).  The DGEMM of the big update therefore runs while
 * panel la travels, and the process that factors the next panel does so
 * before its big update rather than after.  d = 0 is the plain algorithm.
 */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "solver.h"

/* 64-byte aligned; big blocks on 2 MiB boundaries and backed by huge pages
 * where the kernel allows (THP "madvise"): the row interchanges touch a few
 * rows of every column, one TLB miss each with 4 KiB pages. */
static void *alloc_doubles(size_t n)
{
    void *p = NULL;
    size_t bytes = (n ? n : 1) * sizeof(double);
    size_t align = bytes >= (4u << 20) ? (2u << 20) : 64;
    if (posix_memalign(&p, align, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (align > 64)
        madvise(p, bytes, MADV_HUGEPAGE); /* advice only: failure is harmless */
#endif
    return p;
}

int hpl_solver_new(const hpl_cfg *c, const hpl_grid *g, hpl_solver **out, char *err, size_t errlen)
{
    *out = NULL;
    hpl_solver *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory for the solver state");
        return -1;
    }
    s->c = *c;
    s->g = g;
    hpl_rng_init(&s->rng, c->seed);
    s->mloc = hpl_numroc(c->n, c->nb, g->myrow, g->p);
    s->nloc = hpl_numroc(c->n + 1, c->nb, g->mycol, g->q);
    s->lda = hpl_lda(s->mloc);
    s->nblk = (c->n + c->nb - 1) / c->nb;
    /* Chunks of the trailing update: wide enough for DGEMM to run at full
     * speed, narrow enough to poll the broadcasts often. */
    s->chunk = 4 * c->nb;
    if (s->chunk < 512)
        s->chunk = 512;
    if (s->chunk > 2048)
        s->chunk = c->nb > 2048 ? c->nb : 2048;
    s->nslots = c->depth + 2;
    s->a = alloc_doubles((size_t)s->lda * (size_t)(s->nloc > 0 ? s->nloc : 1));
    s->slot = calloc((size_t)s->nslots, sizeof *s->slot);
    s->tmp = alloc_doubles((size_t)(4 * c->nb + 4));
    s->piv = alloc_doubles((size_t)(2 * (2 + 2 * c->nb)));
    s->x = alloc_doubles((size_t)c->n);
    s->w = alloc_doubles((size_t)(3 * (s->mloc + 1)));
    int bad = !s->a || !s->slot || !s->tmp || !s->piv || !s->x || !s->w;
    if (g->p > 1) { /* the exchanges of U rows go through these, chunk by chunk */
        s->ut = alloc_doubles((size_t)(s->chunk * c->nb));
        s->stage = alloc_doubles((size_t)(s->chunk * c->nb));
        s->disp = alloc_doubles((size_t)(s->chunk * c->nb));
        bad = bad || !s->ut || !s->stage || !s->disp;
    }
    {
        MPI_Comm node;
        int here = 1;
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        MPI_Comm_split_type(g->comm, MPI_COMM_TYPE_SHARED, g->rank, MPI_INFO_NULL, &node);
        MPI_Comm_size(node, &here);
        MPI_Comm_free(&node);
        s->yield = cores > 0 && here > cores;
    }
    const size_t cap = (size_t)c->nb * (size_t)(1 + 2 * c->nb + (s->mloc > 0 ? s->mloc : 1));
    s->shmcomm = MPI_COMM_NULL;
    s->win = MPI_WIN_NULL;
    if (!bad && c->shm && g->q > 1) {
        /* Shared mode when my whole process row is on this node (then every
         * process of the row finds the same). */
        int n = 0;
        MPI_Comm_split_type(g->row, MPI_COMM_TYPE_SHARED, g->mycol, MPI_INFO_NULL, &s->shmcomm);
        MPI_Comm_size(s->shmcomm, &n);
        s->shared = n == g->q;
        if (!s->shared)
            MPI_Comm_free(&s->shmcomm);
    }
    if (!bad && s->shared) {
        double *base = NULL;
        MPI_Info info;
        MPI_Info_create(&info);
        MPI_Info_set(info, "alloc_shared_noncontig", "true");
        /* A full /dev/shm must be an error message, not an abort. */
        MPI_Comm_set_errhandler(s->shmcomm, MPI_ERRORS_RETURN);
        size_t bytes = cap * (size_t)s->nslots * sizeof(double);
        int ok = MPI_Win_allocate_shared((MPI_Aint)bytes, sizeof(double), info, s->shmcomm, &base, &s->win) ==
                 MPI_SUCCESS;
        MPI_Info_free(&info);
        MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, s->shmcomm);
        if (!ok) {
            snprintf(err, errlen,
                     "could not allocate %.0f MiB of shared memory for the panels of each rank (is /dev/shm "
                     "full or small?); run with -p shm=false",
                     (double)bytes / 1048576.0);
            s->win = MPI_WIN_NULL; /* leaked if some ranks got theirs: the run stops here */
            s->shared = 0;
            hpl_solver_free(s);
            return -1;
        }
        s->peer = calloc((size_t)g->q, sizeof *s->peer);
        bad = !s->peer;
        for (int col = 0; !bad && col < g->q; col++) {
            MPI_Aint size;
            int unit;
            MPI_Win_shared_query(s->win, col, &size, &unit, &s->peer[col]);
        }
        /* Load/store access to the window for the whole run; MPI_Win_sync
         * orders it with the 0-byte messages (bcast.c). */
        MPI_Win_lock_all(MPI_MODE_NOCHECK, s->win);
    }
    /* With P == 1 the chunks exist only to poll broadcast messages; with
     * shared panels (or Q == 1) there are none, and one DGEMM per update
     * saves re-packing L for every chunk. */
    if (g->p == 1 && (s->shared || g->q == 1))
        s->chunk = s->nloc > 0 ? s->nloc : 1;
    for (int i = 0; !bad && i < s->nslots; i++) {
        hpl_panel *pn = &s->slot[i];
        pn->k = -1;
        pn->cap = cap;
        pn->own = s->shared ? s->peer[g->mycol] + (size_t)i * cap : alloc_doubles(pn->cap);
        pn->buf = pn->own;
        pn->src = malloc((size_t)c->nb * sizeof *pn->src);
        pn->dpos = malloc((size_t)c->nb * sizeof *pn->dpos);
        pn->dorig = malloc((size_t)c->nb * sizeof *pn->dorig);
        bad = !pn->own || !pn->src || !pn->dpos || !pn->dorig;
    }
    if (bad) {
        snprintf(err, errlen, "out of memory allocating the local matrix (%lld x %lld) and work space",
                 (long long)s->mloc, (long long)s->nloc);
        hpl_solver_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void hpl_solver_free(hpl_solver *s)
{
    if (!s)
        return;
    for (int i = 0; s->slot && i < s->nslots; i++) {
        if (!s->shared)
            free(s->slot[i].own);
        free(s->slot[i].src);
        free(s->slot[i].dpos);
        free(s->slot[i].dorig);
        free(s->slot[i].bc.ops);
        free(s->slot[i].bc.req);
    }
    free(s->slot);
    if (s->win != MPI_WIN_NULL) {
        MPI_Win_unlock_all(s->win);
        MPI_Win_free(&s->win);
    }
    if (s->shmcomm != MPI_COMM_NULL)
        MPI_Comm_free(&s->shmcomm);
    free(s->peer);
    free(s->a);
    free(s->ut);
    free(s->stage);
    free(s->disp);
    free(s->tmp);
    free(s->piv);
    free(s->x);
    free(s->w);
    free(s);
}

void hpl_solver_generate(hpl_solver *s) { hpl_generate(&s->rng, &s->c, s->g, s->a, s->lda); }

/* ---- factorisation ------------------------------------------------------- */

static int64_t block_width(const hpl_solver *s, int64_t k)
{
    int64_t left = s->c.n - k * s->c.nb;
    return left < s->c.nb ? left : s->c.nb;
}

/* Take the slot of panel k (waiting for the broadcast of its previous
 * occupant to finish) and describe panel k in it. */
static hpl_panel *panel_setup(hpl_solver *s, int64_t k)
{
    hpl_panel *pn = &s->slot[k % s->nslots];
    if (pn->k >= 0)
        HPL_TIMED(s, HPL_PROF_WAIT, hpl_bcast_wait_done(s, pn));
    const int64_t nb = s->c.nb, gbase = k * nb;
    pn->k = k;
    pn->jb = (int)block_width(s, k);
    pn->root = (int)(k % s->g->q);
    pn->mlive = s->mloc - sv_rows_before(s, gbase);
    pn->ldl = pn->mlive > 0 ? pn->mlive : 1;
    pn->ntop = hpl_owner(gbase, nb, s->g->p) == s->g->myrow ? pn->jb : 0;
    pn->len = (size_t)pn->jb * (size_t)(1 + 2 * pn->jb + pn->mlive);
    pn->planned = 0;
    /* shared mode: read the root's slot in place */
    pn->buf = s->shared && pn->root != s->g->mycol ? s->peer[pn->root] + (size_t)(k % s->nslots) * pn->cap
                                                   : pn->own;
    hpl_bcast_plan(s, pn);
    return pn;
}

static hpl_panel *panel_of(hpl_solver *s, int64_t k) { return &s->slot[k % s->nslots]; }

/* My local columns of the panel columns of block j. */
static void block_cols(const hpl_solver *s, int64_t j, int64_t *c0, int64_t *c1)
{
    *c0 = sv_cols_before(s, j * s->c.nb);
    *c1 = *c0 + block_width(s, j);
}

/* On the process column of panel k: factor it, keep U11, send it. */
static void factor_and_send(hpl_solver *s, hpl_panel *pn)
{
    const int jb = pn->jb;
    const int64_t r0 = s->mloc - pn->mlive, lda = s->lda;
    int64_t c0, c1;
    block_cols(s, pn->k, &c0, &c1);
    double *l = pn_l(pn);
    for (int j = 0; j < jb; j++)
        memcpy(l + j * pn->ldl, s->a + r0 + (c0 + j) * lda, (size_t)pn->mlive * sizeof *l);
    hpl_panel_factor(s, pn);
    /* L11^-1, once here rather than a DTRSM per update chunk everywhere */
    double *li = pn_linv(pn);
    memset(li, 0, (size_t)jb * jb * sizeof *li);
    for (int j = 0; j < jb; j++)
        li[j + (size_t)j * jb] = 1.0;
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, jb, jb, 1.0, pn_utop(pn), jb, li,
                jb);
    if (pn->ntop) { /* U11 (and L11 below it) into A for the back solve */
        const double *u = pn_utop(pn);
        for (int j = 0; j < jb; j++)
            memcpy(s->a + r0 + (c0 + j) * lda, u + (size_t)j * jb, (size_t)jb * sizeof *u);
    }
    hpl_bcast_start(s, pn);
}

/* Get panel j ready: factor it here (after applying panels from .. j-1 to
 * its columns) or post its receive. */
static void prepare_panel(hpl_solver *s, int64_t j, int64_t from)
{
    hpl_panel *pn = panel_setup(s, j);
    if (s->g->mycol != pn->root) {
        hpl_bcast_start(s, pn);
        return;
    }
    int64_t c0, c1;
    block_cols(s, j, &c0, &c1);
    for (int64_t i = from; i < j; i++) {
        hpl_panel *pi = panel_of(s, i);
        HPL_TIMED(s, HPL_PROF_WAIT, hpl_bcast_wait_have(s, pi));
        hpl_update(s, pi, c0, c1);
    }
    HPL_TIMED(s, HPL_PROF_FACT, factor_and_send(s, pn));
}

static void factor(hpl_solver *s)
{
    const int64_t nblk = s->nblk, d = s->c.depth, nb = s->c.nb;
    for (int i = 0; i < s->nslots; i++)
        s->slot[i].k = -1;
    memset(s->prof, 0, sizeof s->prof);
    for (int64_t j = 0; j < d && j < nblk; j++)
        prepare_panel(s, j, 0);
    for (int64_t k = 0; k < nblk; k++) {
        int64_t la = k + d;
        if (la < nblk)
            prepare_panel(s, la, k);
        hpl_panel *pn = panel_of(s, k);
        HPL_TIMED(s, HPL_PROF_WAIT, hpl_bcast_wait_have(s, pn));
        int64_t g = (la + 1) * nb < s->c.n ? (la + 1) * nb : s->c.n;
        hpl_update(s, pn, sv_cols_before(s, g), s->nloc);
        hpl_bcast_release(s, pn); /* panel k is not needed here any more */
    }
    double t0 = MPI_Wtime();
    for (int i = 0; i < s->nslots; i++)
        if (s->slot[i].k >= 0)
            hpl_bcast_wait_done(s, &s->slot[i]);
    s->prof[HPL_PROF_WAIT] += MPI_Wtime() - t0;
}

/* ---- back substitution --------------------------------------------------- */

/*
 * Column N now holds y = L^-1 P b and the upper triangle of A is U.  From
 * the last block up: the process row owning block k sums its partial
 * products U(k, j>k) x_j with y_k onto the diagonal process, which solves
 * U_kk x_k = rhs and broadcasts x_k; the process column of block k then
 * adds U(0:k, k) x_k to its partial products.  x ends up on every rank.
 *
 * Only the rows of block k-1 are needed at once, so a process adds those
 * first and defers the rest of its product to the next step, where it runs
 * while the diagonal process solves (the chain of small solves is the
 * critical path here).
 */
typedef struct pending {
    int64_t k, rows; /* w[0, rows) += U(0:rows, block k) x_k still to do */
} pending;

static void add_products(hpl_solver *s, pending *p)
{
    if (p->rows > 0) {
        const int64_t gk = p->k * s->c.nb, lc = sv_cols_before(s, gk);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)p->rows, (int)block_width(s, p->k), 1.0,
                    s->a + lc * s->lda, (int)s->lda, s->x + gk, 1, 1.0, s->w, 1);
    }
    p->rows = 0;
}

static void back_solve(hpl_solver *s)
{
    const hpl_grid *g = s->g;
    const int64_t n = s->c.n, nb = s->c.nb, lda = s->lda;
    const int qb = hpl_owner(n, nb, g->q);
    const int64_t lcn = hpl_local(n, nb, g->q);
    double *w = s->w, *rhs = s->tmp;
    pending later = {0, 0};
    memset(w, 0, (size_t)s->mloc * sizeof *w);
    memset(s->x, 0, (size_t)n * sizeof *s->x);
    for (int64_t k = s->nblk - 1; k >= 0; k--) {
        const int jb = (int)block_width(s, k);
        const int64_t gk = k * nb;
        const int pr = hpl_owner(gk, nb, g->p), pc = (int)(k % g->q);
        double *xk = s->x + gk;
        if (g->myrow == pr) {
            const int64_t lr = sv_rows_before(s, gk);
            for (int t = 0; t < jb; t++)
                rhs[t] = -w[lr + t] + (g->mycol == qb ? s->a[lr + t + lcn * lda] : 0.0);
            if (g->q > 1)
                MPI_Reduce(g->mycol == pc ? MPI_IN_PLACE : rhs, rhs, jb, MPI_DOUBLE, MPI_SUM, pc, g->row);
            if (g->mycol == pc) {
                const int64_t lc = sv_cols_before(s, gk);
                cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, jb,
                            s->a + lr + lc * lda, (int)lda, rhs, 1);
                memcpy(xk, rhs, (size_t)jb * sizeof *xk);
            }
        }
        if (g->mycol != pc || g->myrow != pr)
            add_products(s, &later); /* while the diagonal process solves */
        if (g->p * g->q > 1)
            MPI_Bcast(xk, jb, MPI_DOUBLE, hpl_grid_rank_of(g, pr, pc), g->comm);
        add_products(s, &later);
        if (g->mycol == pc) {
            const int64_t nr = sv_rows_before(s, gk), lc = sv_cols_before(s, gk);
            later.k = k;
            later.rows = nr;
            if (k > 0 && hpl_owner(gk - nb, nb, g->p) == g->myrow && nr >= nb) {
                /* block k-1's rows are my last nb rows before gk: now */
                cblas_dgemv(CblasColMajor, CblasNoTrans, (int)nb, jb, 1.0, s->a + (nr - nb) + lc * lda, (int)lda,
                            xk, 1, 1.0, w + (nr - nb), 1);
                later.rows = nr - nb;
            }
        }
    }
    add_products(s, &later);
}

int hpl_solver_solve(hpl_solver *s, char *err, size_t errlen)
{
    s->singular = 0;
    factor(s);
    HPL_TIMED(s, HPL_PROF_SOLVE, back_solve(s));
#ifdef HPL_TEST_HOOKS
    if (hpl_test_corrupt == 1)
        s->x[s->c.n / 2] += 1e-3;
#endif
    int sing = s->singular;
    MPI_Allreduce(MPI_IN_PLACE, &sing, 1, MPI_INT, MPI_MAX, s->g->comm);
    if (sing) {
        snprintf(err, errlen, "the matrix is singular to working precision (a zero pivot)");
        return -1;
    }
    return 0;
}

const char *const hpl_prof_names[] = {"fact", "swap", "trsm", "gemm", "wait", "solve"};

void hpl_solver_profile(const hpl_solver *s, double out[HPL_PROF_N])
{
    memcpy(out, s->prof, sizeof s->prof);
}

int hpl_solver_shared(const hpl_solver *s) { return s->shared; }

/* ---- verification -------------------------------------------------------- */

int hpl_solver_verify(hpl_solver *s, hpl_check *out)
{
    const hpl_grid *g = s->g;
    const int64_t n = s->c.n, nb = s->c.nb, lda = s->lda, mloc = s->mloc;
    const int qb = hpl_owner(n, nb, g->q);
    const int64_t na = sv_cols_before(s, n); /* my columns of A (b excluded) */
    hpl_solver_generate(s);
    double *v = s->w; /* A x - b, row sums of |A|, |b|: 3 x mloc */
    memset(v, 0, (size_t)(3 * mloc) * sizeof *v);
    for (int64_t jl = 0; jl < na; jl++) {
        const double xj = s->x[(jl / nb * g->q + g->mycol) * nb + jl % nb];
        const double *col = s->a + jl * lda;
        for (int64_t i = 0; i < mloc; i++) {
            v[i] += col[i] * xj;
            v[mloc + i] += fabs(col[i]);
        }
    }
    if (g->mycol == qb) {
        const double *b = s->a + hpl_local(n, nb, g->q) * lda;
        for (int64_t i = 0; i < mloc; i++) {
            v[i] -= b[i];
            v[2 * mloc + i] = fabs(b[i]);
        }
    }
    if (g->q > 1 && mloc > 0)
        MPI_Allreduce(MPI_IN_PLACE, v, (int)(3 * mloc), MPI_DOUBLE, MPI_SUM, g->row);
    double norms[3] = {0, 0, 0}; /* ||Ax-b||, ||A||, ||b|| (infinity norms) */
    for (int64_t i = 0; i < mloc; i++) {
        norms[0] = fmax(norms[0], fabs(v[i]));
        norms[1] = fmax(norms[1], v[mloc + i]);
        norms[2] = fmax(norms[2], v[2 * mloc + i]);
        if (isnan(v[i]) || isnan(v[mloc + i]))
            norms[0] = INFINITY; /* a NaN must fail the check, and MPI_MAX can't order it */
    }
    MPI_Allreduce(MPI_IN_PLACE, norms, 3, MPI_DOUBLE, MPI_MAX, g->comm);
    double xn = 0.0;
    int xnan = 0;
    for (int64_t j = 0; j < n; j++) {
        xn = fmax(xn, fabs(s->x[j]));
        xnan |= isnan(s->x[j]);
    }
    const double eps = DBL_EPSILON / 2; /* unit roundoff, as HPL's eps */
    out->rnorm = norms[0];
    out->anorm = norms[1];
    out->bnorm = norms[2];
    out->xnorm = xn;
    out->resid = norms[0] / (eps * (norms[1] * xn + norms[2]) * (double)n);
    if (xnan || isnan(out->resid))
        out->resid = INFINITY;
    return 0;
}
