/*
 * update.c — applying a factored panel to trailing columns.
 *
 * For panel k (rows and columns from gbase = k*NB, jb wide) and a range of
 * my local columns, in chunks:
 *   1. row interchanges: the jb pivot rows become the top rows and the
 *      top rows they displace go where the pivot rows were.  With P == 1
 *      this is done in place in A.  With P > 1 the rows are spread over
 *      the process column: every process packs the U rows it owns into
 *      s->ut's staging (U transposed, each row contiguous, as it travels)
 *      and they are all-gathered (`swap`: binary exchange — recursive
 *      doubling, log2 P steps — or long — a ring, P-1 steps of 1/P of the
 *      data; mix picks binexch up to `swap_threshold` columns), while the
 *      process row owning the top rows sends the displaced rows directly
 *      to their new owners;
 *   2. U = L11^-1 U (a DTRMM with the inverse the panel carries,
 *      redundantly on each process of the column);
 *   3. the top rows get U (that is the final U, kept for the back solve);
 *   4. A22 -= L21 U (DGEMM), then the broadcasts in flight are advanced.
 */
#include <cblas.h>
#include <string.h>

#include "solver.h"

#ifdef HPL_TEST_HOOKS
int hpl_test_corrupt = 0;
#endif

/* Turn the pivot sequence into the permutation of the rows it touches. */
static void plan_swaps(hpl_solver *s, hpl_panel *pn)
{
    const int jb = pn->jb;
    const int64_t gbase = pn->k * s->c.nb;
    int64_t *cur = pn->src; /* original row now at top position t */
    int n = 0;              /* displaced positions so far, in dpos/dorig */
    int64_t dval[jb > 0 ? jb : 1];
    for (int t = 0; t < jb; t++)
        cur[t] = gbase + t;
    for (int j = 0; j < jb; j++) {
        int64_t b = (int64_t)pn->buf[j];
#ifdef HPL_TEST_HOOKS
        if (hpl_test_corrupt == 2 && j == 0)
            b = gbase; /* forget the first interchange */
#endif
        if (b == gbase + j)
            continue;
        if (b < gbase + jb) { /* both rows in the top block */
            int64_t t = cur[j];
            cur[j] = cur[b - gbase];
            cur[b - gbase] = t;
            continue;
        }
        int d = 0;
        while (d < n && pn->dpos[d] != b)
            d++;
        if (d == n) { /* first time: position b still holds row b */
            pn->dpos[n] = b;
            dval[n++] = b;
        }
        int64_t t = cur[j];
        cur[j] = dval[d];
        dval[d] = t;
    }
    /* A displaced position always ends up holding an original top row.
     * Sorted by position (insertion sort: n <= NB, once per panel). */
    for (int d = 0; d < n; d++) {
        int64_t p = pn->dpos[d], v = dval[d];
        int e = d;
        for (; e > 0 && pn->dpos[e - 1] > p; e--) {
            pn->dpos[e] = pn->dpos[e - 1];
            dval[e] = dval[e - 1];
        }
        pn->dpos[e] = p;
        dval[e] = v;
    }
    for (int d = 0; d < n; d++)
        pn->dorig[d] = (int)(dval[d] - gbase);
    pn->ndisp = n;
    pn->planned = 1;
}

/* ---- P == 1: every row is local ----------------------------------------- */

/* Permute the rows of columns [c, c+w) in place.  All the accesses of a
 * column stay inside it, but the displaced rows are scattered: they miss
 * the caches, so the next column's are prefetched while this one is done
 * (dpos is sorted, so they also come in address order). */
static void swap_local(hpl_solver *s, hpl_panel *pn, int64_t c, int64_t w)
{
    const int jb = pn->jb, nd = pn->ndisp;
    const int64_t lda = s->lda, gbase = pn->k * s->c.nb;
    const int64_t *dpos = pn->dpos;
    const int *dorig = pn->dorig;
    /* Split the gather by where the row comes from, so the inner loops
     * have no data-dependent branch: ti[] from the saved top block,
     * to[] from rows below it. */
    int ti[jb], to[jb], nti = 0, nto = 0;
    int64_t from[jb];
    for (int t = 0; t < jb; t++) {
        if (pn->src[t] < gbase + jb) {
            ti[nti] = t;
            from[nti++] = pn->src[t] - gbase;
        } else {
            to[nto++] = t;
        }
    }
    double save[jb];
    for (int cc = 0; cc < 2 && cc < w; cc++)
        for (int d = 0; d < nd; d++)
            __builtin_prefetch(s->a + (c + cc) * lda + dpos[d], 1, 3);
    for (int64_t cc = 0; cc < w; cc++) {
        double *col = s->a + (c + cc) * lda;
        double *top = col + gbase;
        if (cc + 2 < w) /* two columns ahead: enough misses in flight */
            for (int d = 0; d < nd; d++)
                __builtin_prefetch(col + 2 * lda + dpos[d], 1, 3);
        memcpy(save, top, (size_t)jb * sizeof *save);
        for (int i = 0; i < nti; i++)
            top[ti[i]] = save[from[i]];
        for (int i = 0; i < nto; i++)
            top[to[i]] = col[pn->src[to[i]]];
        for (int d = 0; d < nd; d++)
            col[dpos[d]] = save[dorig[d]];
    }
}

/* ---- P > 1 -------------------------------------------------------------- */

/* Exchange whole pieces [q0, q1) of the staging buffer with `peer`. */
static int xchg_range(hpl_solver *s, MPI_Request *rq, int peer, const int *off, int q0, int q1,
                      int64_t w, int send)
{
    int rows = off[q1] - off[q0];
    if (rows <= 0 || q1 <= q0)
        return 0;
    double *p = s->stage + (int64_t)off[q0] * w;
    if (send)
        MPI_Isend(p, (int)(rows * w), MPI_DOUBLE, peer, 2, s->g->col, rq);
    else
        MPI_Irecv(p, (int)(rows * w), MPI_DOUBLE, peer, 2, s->g->col, rq);
    return 1;
}

/* All-gather the pieces: piece q (rows of process row q) sits at rows
 * off[q] .. off[q+1] of s->stage, w doubles per row. */
static void allgather_pieces(hpl_solver *s, const int *off, int64_t w, int alg)
{
    const int p = s->g->p, me = s->g->myrow;
    MPI_Request rq[4];
    int n;
    if (alg == HPL_SWAP_LONG) { /* ring: pass along what came in last */
        int next = (me + 1) % p, prev = (me + p - 1) % p;
        for (int st = 0; st < p - 1; st++) {
            int out = ((me - st) % p + p) % p, in = ((me - st - 1) % p + p) % p;
            n = xchg_range(s, rq, next, off, out, out + 1, w, 1);
            n += xchg_range(s, rq + n, prev, off, in, in + 1, w, 0);
            hpl_waitall(s, n, rq);
        }
        return;
    }
    /* binary exchange: recursive doubling, ranks >= pw folded onto me - pw */
    int pw = 1;
    while (pw * 2 <= p)
        pw *= 2;
    if (me >= pw) {
        n = xchg_range(s, rq, me - pw, off, me, me + 1, w, 1);
        hpl_waitall(s, n, rq);
        n = xchg_range(s, rq, me - pw, off, 0, me, w, 0);
        n += xchg_range(s, rq + n, me - pw, off, me + 1, p, w, 0);
        hpl_waitall(s, n, rq);
        return;
    }
    if (me + pw < p) {
        n = xchg_range(s, rq, me + pw, off, me + pw, me + pw + 1, w, 0);
        hpl_waitall(s, n, rq);
    }
    for (int mask = 1; mask < pw; mask <<= 1) {
        int partner = me ^ mask;
        int mb = me & ~(mask - 1), pb = partner & ~(mask - 1);
        /* what I hold: ranks [mb, mb+mask) and their folded partners */
        int me0 = mb + pw, me1 = mb + mask + pw, pe0 = pb + pw, pe1 = pb + mask + pw;
        me1 = me1 < p ? me1 : p;
        pe1 = pe1 < p ? pe1 : p;
        n = xchg_range(s, rq, partner, off, mb, mb + mask, w, 1);
        n += xchg_range(s, rq + n, partner, off, pb, pb + mask, w, 0);
        if (me0 < me1)
            n += xchg_range(s, rq + n, partner, off, me0, me1, w, 1);
        if (pe0 < pe1)
            n += xchg_range(s, rq + n, partner, off, pe0, pe1, w, 0);
        hpl_waitall(s, n, rq);
    }
    if (me + pw < p) {
        int x = me + pw;
        n = xchg_range(s, rq, x, off, 0, x, w, 1);
        n += xchg_range(s, rq + n, x, off, x + 1, p, w, 1);
        hpl_waitall(s, n, rq);
    }
}

static void swap_dist(hpl_solver *s, hpl_panel *pn, int64_t c, int64_t w, double *ut)
{
    const int jb = pn->jb, p = s->g->p, me = s->g->myrow;
    const int64_t nb = s->c.nb, lda = s->lda, gbase = pn->k * nb;
    const int pr = hpl_owner(gbase, nb, p);
    const int64_t tl = sv_rows_before(s, gbase); /* my local row of gbase, on pr */
    int off[p + 1], cnt[p], dcnt[p], doff[p + 1];
    int idx[jb]; /* position of U row t inside its piece */
    memset(cnt, 0, sizeof cnt);
    memset(dcnt, 0, sizeof dcnt);
    for (int t = 0; t < jb; t++) {
        int q = hpl_owner(pn->src[t], nb, p);
        idx[t] = cnt[q]++;
    }
    for (int d = 0; d < pn->ndisp; d++)
        dcnt[hpl_owner(pn->dpos[d], nb, p)]++;
    off[0] = doff[0] = 0;
    for (int q = 0; q < p; q++) {
        off[q + 1] = off[q] + cnt[q];
        doff[q + 1] = doff[q] + dcnt[q];
    }
    /* 1. pack my U rows (and, on pr, the displaced top rows) before writing
     * anything.  A is column-major: walk it column by column, the packed
     * rows (w long, a few hundred KiB in all) stay in cache. */
    int64_t lrow[2 * jb]; /* local rows of A to read */
    int64_t brow[2 * jb]; /* their row in the staging buffer */
    double *bufs[2] = {s->stage, s->disp};
    int nown = 0, ndsp = 0;
    for (int t = 0; t < jb; t++)
        if (hpl_owner(pn->src[t], nb, p) == me) {
            lrow[nown] = hpl_local(pn->src[t], nb, p);
            brow[nown++] = off[me] + idx[t];
        }
    if (me == pr) {
        int fill[p];
        memcpy(fill, doff, sizeof fill);
        for (int d = 0; d < pn->ndisp; d++) {
            lrow[nown + ndsp] = tl + pn->dorig[d];
            brow[nown + ndsp++] = fill[hpl_owner(pn->dpos[d], nb, p)]++;
        }
    }
    for (int64_t cc = 0; cc < w; cc++) {
        const double *col = s->a + (c + cc) * lda;
        for (int i = 0; i < nown + ndsp; i++)
            bufs[i >= nown][brow[i] * w + cc] = col[lrow[i]];
    }
    MPI_Request rq[p + 1];
    int nrq = 0;
    if (me == pr) {
        for (int q = 0; q < p; q++)
            if (q != me && dcnt[q] > 0)
                MPI_Isend(s->disp + (int64_t)doff[q] * w, (int)(dcnt[q] * w), MPI_DOUBLE, q, 3,
                          s->g->col, &rq[nrq++]);
    } else if (dcnt[me] > 0) {
        MPI_Irecv(s->disp + (int64_t)doff[me] * w, (int)(dcnt[me] * w), MPI_DOUBLE, pr, 3, s->g->col,
                  &rq[nrq++]);
    }
    /* 2. everyone gets every U row */
    allgather_pieces(s, off, w, s->swap_alg);
    hpl_waitall(s, nrq, rq);
    /* 3. the displaced rows land in their new places (column by column) */
    int nmine = 0;
    for (int d = 0; d < pn->ndisp; d++)
        if (hpl_owner(pn->dpos[d], nb, p) == me) {
            lrow[nmine] = hpl_local(pn->dpos[d], nb, p);
            brow[nmine] = doff[me] + nmine;
            nmine++;
        }
    for (int64_t cc = 0; cc < w && nmine > 0; cc++) {
        double *col = s->a + (c + cc) * lda;
        for (int i = 0; i < nmine; i++)
            col[lrow[i]] = s->disp[brow[i] * w + cc];
    }
    /* 4. U^T in pivot order */
    for (int t = 0; t < jb; t++) {
        int q = hpl_owner(pn->src[t], nb, p);
        memcpy(ut + (int64_t)t * w, s->stage + (int64_t)(off[q] + idx[t]) * w, (size_t)w * sizeof *ut);
    }
}

void hpl_update(hpl_solver *s, hpl_panel *pn, int64_t c0, int64_t c1)
{
    if (c1 <= c0)
        return;
    if (!pn->planned)
        plan_swaps(s, pn);
    const int jb = pn->jb;
    const int64_t nb = s->c.nb, lda = s->lda, gbase = pn->k * nb;
    const int64_t r0 = sv_rows_before(s, gbase); /* first live local row */
    const int64_t m = pn->mlive - pn->ntop;        /* rows below the top block */
    const double *l21 = pn_l(pn) + pn->ntop;
    const double *linv = pn_linv(pn); /* U = L11^-1 A(top rows) */
    if (s->c.swap == HPL_SWAP_MIX)
        s->swap_alg = c1 - c0 <= s->c.swap_threshold ? HPL_SWAP_BINEXCH : HPL_SWAP_LONG;
    else
        s->swap_alg = s->c.swap;
    for (int64_t c = c0; c < c1; c += s->chunk) {
        int64_t w = c1 - c < s->chunk ? c1 - c : s->chunk;
        double *top = s->a + r0 + c * lda;
        if (s->g->p == 1) {
            /* U stays in A: swap in place, solve in place, multiply from there. */
            HPL_TIMED(s, HPL_PROF_SWAP, swap_local(s, pn, c, w));
            HPL_TIMED(s, HPL_PROF_TRSM,
                      cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, jb, (int)w, 1.0,
                                  linv, jb, top, (int)lda));
            if (m > 0)
                HPL_TIMED(s, HPL_PROF_GEMM,
                          cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)w, jb, -1.0, l21,
                                      (int)pn->ldl, top, (int)lda, 1.0, top + jb, (int)lda));
            hpl_progress(s);
            continue;
        }
        double *ut = s->ut; /* w x jb, leading dimension w */
        HPL_TIMED(s, HPL_PROF_SWAP, swap_dist(s, pn, c, w, ut));
        double t0 = MPI_Wtime();
        cblas_dtrmm(CblasColMajor, CblasRight, CblasLower, CblasTrans, CblasUnit, (int)w, jb, 1.0, linv, jb, ut,
                    (int)w);
        if (pn->ntop)
            for (int64_t cc = 0; cc < w; cc++)
                for (int t = 0; t < jb; t++)
                    top[cc * lda + t] = ut[cc + t * w];
        s->prof[HPL_PROF_TRSM] += MPI_Wtime() - t0;
        if (m > 0)
            HPL_TIMED(s, HPL_PROF_GEMM,
                      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)m, (int)w, jb, -1.0, l21,
                                  (int)pn->ldl, ut, (int)w, 1.0, top + pn->ntop, (int)lda));
        hpl_progress(s);
    }
}
