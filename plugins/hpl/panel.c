/*
 * panel.c — recursive panel factorisation with partial pivoting.
 *
 * The panel is the jb columns of block column k, restricted to the rows
 * with global index >= k*NB; it is spread over the P processes of one
 * process column, and each of them factors its rows in the panel buffer.
 * The jb pivot rows are kept replicated in Utop (see solver.h): when column
 * j is pivoted, every process learns the whole pivot row (the candidates
 * travel with the max-reduction, as HPL does), so the top rows never need
 * to be fetched again and all updates are local: only the pivot search
 * communicates.
 *
 * Frames: rpfact(s, e) factors columns [s, e).  Above nbmin columns it
 * splits them into ndiv parts and, by `rfact`, updates a part from the
 * columns left of it just before factoring it (left-looking), updates the
 * columns right of a part just after it (right-looking), or does the
 * former for the L part and the latter for the U rows (Crout).  At nbmin
 * columns or fewer, `pfact` picks the same three orders column by column.
 * All variants compute the same factorisation; they differ in memory
 * traffic and in when the columns are ready.
 */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "solver.h"

typedef struct pf {
    hpl_solver *s;
    hpl_panel *pn;
    double *L, *U, *ipiv;
    int64_t ldl, m; /* live rows */
    int jb, top;    /* top: I own block row k (my first jb live rows) */
    int64_t gbase;  /* global index of the panel's first row and column */
} pf;

/* First live row for column j: the pivot positions above j are done. */
static inline int64_t act(const pf *f, int j) { return f->top ? j : 0; }

/* The pivot reduction: keep the larger |candidate| (smaller index on a
 * tie) with its row; sum the diagonal rows (only one process has one). */
static void combine(const double *in, double *inout, int jb)
{
    if (in[0] > inout[0] || (in[0] == inout[0] && in[1] < inout[1]))
        memcpy(inout, in, (size_t)(2 + jb) * sizeof *in);
    for (int i = 0; i < jb; i++)
        inout[2 + jb + i] += in[2 + jb + i];
}

/* Allreduce of buf (2 + 2*jb doubles) over the process column by recursive
 * doubling, with non-blocking messages so panel broadcasts keep moving. */
static void column_reduce(hpl_solver *s, double *buf, double *tmp, int jb)
{
    const int p = s->g->p, me = s->g->myrow, n = 2 + 2 * jb, tag = 1;
    MPI_Comm comm = s->g->col;
    MPI_Request rq[2];
    int pw = 1;
    while (pw * 2 <= p)
        pw *= 2;
    if (me >= pw) { /* fold into me - pw, get the result back */
        MPI_Isend(buf, n, MPI_DOUBLE, me - pw, tag, comm, &rq[0]);
        MPI_Irecv(buf, n, MPI_DOUBLE, me - pw, tag, comm, &rq[1]);
        hpl_waitall(s, 2, rq);
        return;
    }
    if (me + pw < p) {
        MPI_Irecv(tmp, n, MPI_DOUBLE, me + pw, tag, comm, &rq[0]);
        hpl_waitall(s, 1, rq);
        combine(tmp, buf, jb);
    }
    for (int mask = 1; mask < pw; mask <<= 1) {
        int partner = me ^ mask;
        MPI_Irecv(tmp, n, MPI_DOUBLE, partner, tag, comm, &rq[0]);
        MPI_Isend(buf, n, MPI_DOUBLE, partner, tag, comm, &rq[1]);
        hpl_waitall(s, 2, rq);
        combine(tmp, buf, jb);
    }
    if (me + pw < p) {
        MPI_Isend(buf, n, MPI_DOUBLE, me + pw, tag, comm, &rq[0]);
        hpl_waitall(s, 1, rq);
    }
}

/* Choose the pivot of column j, swap it into place, scale column j. */
static void pivot(pf *f, int j)
{
    hpl_solver *s = f->s;
    const int jb = f->jb;
    const int64_t ldl = f->ldl, a0 = act(f, j);
    double *col = f->L + j * ldl;
    int64_t best = -1;
    double bmax = -1.0;
    if (f->m > a0) {
        best = a0 + (int64_t)cblas_idamax((int)(f->m - a0), col + a0, 1);
        bmax = fabs(col[best]);
    }
    int64_t gpiv;
    if (s->g->p == 1) {
        /* All rows are mine: local live row r is global row gbase + r. */
        if (best != j) {
            double *rj = f->L + j, *rb = f->L + best;
            for (int c = 0; c < jb; c++) {
                double t = rj[c * ldl];
                rj[c * ldl] = rb[c * ldl];
                rb[c * ldl] = t;
            }
        }
        for (int c = 0; c < jb; c++)
            f->U[j + c * jb] = f->L[j + c * ldl];
        gpiv = f->gbase + best;
    } else {
        double *w = s->piv, *tmp = s->piv + 2 + 2 * jb;
        memset(w, 0, (size_t)(2 + 2 * jb) * sizeof *w);
        w[0] = bmax;
        w[1] = best >= 0 ? (double)sv_grow(s, sv_rows_before(s, f->gbase) + best) : 1e300;
        if (best >= 0)
            for (int c = 0; c < jb; c++)
                w[2 + c] = f->L[best + c * ldl];
        if (f->top)
            for (int c = 0; c < jb; c++)
                w[2 + jb + c] = f->L[j + c * ldl];
        column_reduce(s, w, tmp, jb);
        gpiv = (int64_t)w[1];
        for (int c = 0; c < jb; c++)
            f->U[j + c * jb] = w[2 + c];
        /* The old row at position gbase+j goes where the pivot row was. */
        if (gpiv != f->gbase + j && hpl_owner(gpiv, s->c.nb, s->g->p) == s->g->myrow) {
            int64_t lr = hpl_local(gpiv, s->c.nb, s->g->p) - sv_rows_before(s, f->gbase);
            for (int c = 0; c < jb; c++)
                f->L[lr + c * ldl] = w[2 + jb + c];
        }
    }
    f->ipiv[j] = (double)gpiv;
    double pv = f->U[j + j * jb];
    int64_t a1 = act(f, j + 1);
    if (pv != 0.0) {
        if (f->m > a1)
            cblas_dscal((int)(f->m - a1), 1.0 / pv, col + a1, 1);
    } else {
        s->singular = 1;
    }
}

/* L[act(c0):, c0:c1] -= L[act(c0):, r0:r1] * U[r0:r1, c0:c1] */
static void update_cols(pf *f, int r0, int r1, int c0, int c1)
{
    int64_t a = act(f, c0);
    if (f->m <= a || r1 <= r0 || c1 <= c0)
        return;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)(f->m - a), c1 - c0, r1 - r0, -1.0,
                f->L + a + r0 * f->ldl, (int)f->ldl, f->U + r0 + (size_t)c0 * f->jb, f->jb, 1.0,
                f->L + a + c0 * f->ldl, (int)f->ldl);
}

/* U[r0:r1, c0:c1] = L11(r0:r1)^-1 U[r0:r1, c0:c1] (unit lower L11 in U) */
static void trsm_rows(pf *f, int r0, int r1, int c0, int c1)
{
    if (r1 <= r0 || c1 <= c0)
        return;
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, r1 - r0, c1 - c0, 1.0,
                f->U + r0 + (size_t)r0 * f->jb, f->jb, f->U + r0 + (size_t)c0 * f->jb, f->jb);
}

/* Unblocked factorisation of columns [s0, e) in the order of `pfact`. */
static void base(pf *f, int s0, int e)
{
    const int variant = f->s->c.pfact, jb = f->jb;
    const int64_t ldl = f->ldl;
    for (int j = s0; j < e; j++) {
        if (j > s0 && variant != HPL_RIGHT) {
            if (variant == HPL_LEFT) /* U[s0:j, j] from the raw pivot rows */
                cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasUnit, j - s0,
                            f->U + s0 + (size_t)s0 * jb, jb, f->U + s0 + (size_t)j * jb, 1);
            int64_t a = act(f, j);
            if (f->m > a)
                cblas_dgemv(CblasColMajor, CblasNoTrans, (int)(f->m - a), j - s0, -1.0,
                            f->L + a + s0 * ldl, (int)ldl, f->U + s0 + (size_t)j * jb, 1, 1.0,
                            f->L + a + j * ldl, 1);
        }
        pivot(f, j);
        if (j + 1 >= e)
            continue;
        if (variant == HPL_RIGHT) {
            int64_t a = act(f, j + 1);
            if (f->m > a)
                cblas_dger(CblasColMajor, (int)(f->m - a), e - j - 1, -1.0, f->L + a + j * ldl, 1,
                           f->U + j + (size_t)(j + 1) * jb, jb, f->L + a + (j + 1) * ldl, (int)ldl);
        } else if (variant == HPL_CROUT && j > s0) {
            /* row j of U right of the diagonal, from the rows above it */
            cblas_dgemv(CblasColMajor, CblasTrans, j - s0, e - j - 1, -1.0,
                        f->U + s0 + (size_t)(j + 1) * jb, jb, f->U + j + (size_t)s0 * jb, jb, 1.0,
                        f->U + j + (size_t)(j + 1) * jb, jb);
        }
    }
}

static void rpfact(pf *f, int s0, int e)
{
    const hpl_cfg *c = &f->s->c;
    int n = e - s0;
    if (n <= c->nbmin || n <= 1) {
        base(f, s0, e);
        return;
    }
    int nparts = c->ndiv < n ? c->ndiv : n;
    int ps = n / nparts;
    for (int i = 0; i < nparts; i++) {
        int a = s0 + i * ps, b = i == nparts - 1 ? e : a + ps;
        if (a > s0 && c->rfact != HPL_RIGHT) {
            if (c->rfact == HPL_LEFT)
                trsm_rows(f, s0, a, a, b);
            update_cols(f, s0, a, a, b);
        }
        rpfact(f, a, b);
        if (b < e && c->rfact != HPL_LEFT) {
            if (c->rfact == HPL_CROUT && a > s0)
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, b - a, e - b, a - s0, -1.0,
                            f->U + a + (size_t)s0 * f->jb, f->jb, f->U + s0 + (size_t)b * f->jb, f->jb,
                            1.0, f->U + a + (size_t)b * f->jb, f->jb);
            trsm_rows(f, a, b, b, e);
            if (c->rfact == HPL_RIGHT)
                update_cols(f, a, b, b, e);
        }
    }
}

void hpl_panel_factor(hpl_solver *s, hpl_panel *pn)
{
    pf f = {
        .s = s,
        .pn = pn,
        .ipiv = pn->buf,
        .U = pn_utop(pn),
        .L = pn_l(pn),
        .ldl = pn->ldl,
        .m = pn->mlive,
        .jb = pn->jb,
        .top = pn->ntop > 0,
        .gbase = pn->k * s->c.nb,
    };
    rpfact(&f, 0, pn->jb);
}
