/*
 * bcast.c — broadcast of a factored panel along the process row.
 *
 * Every variant is written as a plan: for this process, a list of sends and
 * receives grouped in stages (a stage starts when the previous one has
 * finished).  hpl_progress() advances the plans of every panel in flight;
 * it is called between the chunks of the trailing update and inside every
 * wait, so a process forwards a panel as soon as it has it and the
 * broadcast overlaps the DGEMM (the look-ahead of HPL).
 *
 * Variants (relative to the root, the process column that factored the
 * panel; receivers 1 .. Q-1):
 *   1ring   root -> 1 -> 2 -> ... -> Q-1
 *   1ringM  root -> 1 (which factors the next panel and forwards nothing),
 *           root -> 2 -> 3 -> ... -> Q-1
 *   2ring   root -> 1 -> ... -> h and root -> h+1 -> ... -> Q-1
 *   2ringM  root -> 1, then two rings over 2 .. Q-1
 *   long    the root spreads the message in Q-1 pieces, one per receiver,
 *           and the receivers roll the pieces around a ring (Q-2 steps):
 *           the root sends the data once instead of Q-1 times
 *   longM   root -> 1 whole, then long over 2 .. Q-1
 *
 * Shared mode (solver.h): nothing is copied.  The root tells every
 * receiver with a 0-byte message that its slot holds the panel; each
 * receiver reads it in place and sends a 0-byte release when it has
 * applied it; the root reuses the slot only after every release.  The
 * broadcast variant does not matter then: all receivers are told at once.
 */
#include <limits.h>
#include <sched.h>
#include <stdlib.h>

#include "solver.h"

static void add_op(bc_state *bc, int peer, int send, int stage, size_t off, size_t count)
{
    if (bc->nops == bc->cap) {
        int cap = bc->cap ? 2 * bc->cap : 8;
        bc_op *o = realloc(bc->ops, (size_t)cap * sizeof *o);
        MPI_Request *r = realloc(bc->req, (size_t)cap * sizeof *r);
        if (!o || !r) {
            /* Out of memory for a few dozen bytes: nothing sensible to do. */
            MPI_Abort(MPI_COMM_WORLD, 3);
        }
        bc->ops = o;
        bc->req = r;
        bc->cap = cap;
    }
    bc->ops[bc->nops++] = (bc_op){.peer = peer, .send = send, .stage = stage, .off = off, .count = count};
}

/* A chain root -> rcv[0] -> rcv[1] -> ... ; `me` and rcv[] are relative. */
static void plan_chain(bc_state *bc, int me, const int *rcv, int n, size_t len, int q, int root)
{
    if (n <= 0)
        return;
    if (me == 0) {
        add_op(bc, (root + rcv[0]) % q, 1, 0, 0, len);
        return;
    }
    for (int i = 0; i < n; i++) {
        if (rcv[i] != me)
            continue;
        add_op(bc, (root + (i ? rcv[i - 1] : 0)) % q, 0, 0, 0, len);
        bc->recv_stage = 0;
        if (i + 1 < n)
            add_op(bc, (root + rcv[i + 1]) % q, 1, 1, 0, len);
    }
}

/* Spread and roll over the receivers rcv[0..n). */
static void plan_long(bc_state *bc, int me, const int *rcv, int n, size_t len, int q, int root)
{
    if (n <= 1) {
        plan_chain(bc, me, rcv, n, len, q, root);
        return;
    }
    size_t base = len / (size_t)n, rem = len % (size_t)n;
#define PIECE_OFF(i) ((size_t)(i) * base + ((size_t)(i) < rem ? (size_t)(i) : rem))
#define PIECE_LEN(i) (base + ((size_t)(i) < rem ? 1u : 0u))
    if (me == 0) {
        for (int i = 0; i < n; i++)
            add_op(bc, (root + rcv[i]) % q, 1, 0, PIECE_OFF(i), PIECE_LEN(i));
        return;
    }
    for (int i = 0; i < n; i++) {
        if (rcv[i] != me)
            continue;
        int next = (root + rcv[(i + 1) % n]) % q, prev = (root + rcv[(i + n - 1) % n]) % q;
        add_op(bc, root, 0, 0, PIECE_OFF(i), PIECE_LEN(i));
        for (int st = 1; st < n; st++) {
            int out = ((i - st + 1) % n + n) % n, in = ((i - st) % n + n) % n;
            add_op(bc, next, 1, st, PIECE_OFF(out), PIECE_LEN(out));
            add_op(bc, prev, 0, st, PIECE_OFF(in), PIECE_LEN(in));
        }
        bc->recv_stage = n - 1;
    }
#undef PIECE_OFF
#undef PIECE_LEN
}

void hpl_bcast_plan(hpl_solver *s, hpl_panel *pn)
{
    bc_state *bc = &pn->bc;
    const int q = s->g->q, root = pn->root;
    const int me = (s->g->mycol - root + q) % q;
    bc->nops = 0;
    bc->next = 0;
    bc->nreq = 0;
    bc->cur_stage = -1;
    bc->recv_stage = -1;
    bc->active = 0;
    bc->have = me == 0;
    bc->gate_stage = -1;
    bc->released = 0;
    if (q == 1)
        return;
    if (s->shared) {
        if (me == 0) { /* "ready" to everyone, then every "release" back */
            for (int i = 1; i < q; i++)
                add_op(bc, (root + i) % q, 1, 0, 0, 0);
            for (int i = 1; i < q; i++)
                add_op(bc, (root + i) % q, 0, 0, 0, 0);
        } else {
            add_op(bc, root, 0, 0, 0, 0);
            bc->recv_stage = 0;
            add_op(bc, root, 1, 1, 0, 0);
            bc->gate_stage = 1;
        }
        return;
    }
    int rcv[q]; /* relative receivers 1 .. q-1 */
    for (int i = 1; i < q; i++)
        rcv[i - 1] = i;
    int variant = s->c.bcast;
    int n = q - 1;
    /* The modified variants send to 1 first and leave it out of the rest. */
    int modified = variant == HPL_1RINGM || variant == HPL_2RINGM || variant == HPL_LONGM;
    int *rest = rcv, nrest = n;
    if (modified && q > 2) {
        plan_chain(bc, me, rcv, 1, pn->len, q, root);
        rest = rcv + 1;
        nrest = n - 1;
    }
    switch (variant) {
    case HPL_1RING:
    case HPL_1RINGM:
        plan_chain(bc, me, rest, nrest, pn->len, q, root);
        break;
    case HPL_2RING:
    case HPL_2RINGM: {
        int h = (nrest + 1) / 2;
        plan_chain(bc, me, rest, h, pn->len, q, root);
        plan_chain(bc, me, rest + h, nrest - h, pn->len, q, root);
        break;
    }
    default: /* long, longM */
        plan_long(bc, me, rest, nrest, pn->len, q, root);
        break;
    }
    /* The root's ops are all stage 0, already in order; a receiver's were
     * added stage by stage. */
}

static void post_stage(hpl_solver *s, hpl_panel *pn)
{
    bc_state *bc = &pn->bc;
    int tag = (int)(pn->k % 16384);
    bc->nreq = 0;
    if (bc->next >= bc->nops) {
        bc->active = 0;
        return;
    }
    if (bc->ops[bc->next].stage == bc->gate_stage && !bc->released)
        return; /* stays active, nothing in flight, until released */
    bc->cur_stage = bc->ops[bc->next].stage;
    while (bc->next < bc->nops && bc->ops[bc->next].stage == bc->cur_stage) {
        const bc_op *o = &bc->ops[bc->next++];
        double *p = pn->buf + o->off;
        if (s->shared) /* releases travel back with their own tags */
            tag = (int)(pn->k % 16384) + ((o->send == (o->peer == pn->root)) ? 16384 : 0);
        if (o->send)
            MPI_Isend(p, (int)o->count, MPI_DOUBLE, o->peer, tag, s->g->row, &bc->req[bc->nreq++]);
        else
            MPI_Irecv(p, (int)o->count, MPI_DOUBLE, o->peer, tag, s->g->row, &bc->req[bc->nreq++]);
    }
}

static void advance(hpl_solver *s, hpl_panel *pn);

void hpl_bcast_start(hpl_solver *s, hpl_panel *pn)
{
    pn->bc.active = pn->bc.nops > 0;
    if (s->shared && pn->bc.have)
        MPI_Win_sync(s->win); /* the root's panel is written before "ready" */
    if (pn->bc.active)
        post_stage(s, pn);
}

void hpl_bcast_release(hpl_solver *s, hpl_panel *pn)
{
    if (pn->bc.released)
        return;
    pn->bc.released = 1;
    if (pn->bc.gate_stage >= 0)
        advance(s, pn);
}

/* Advance one broadcast as far as it goes without waiting. */
static void advance(hpl_solver *s, hpl_panel *pn)
{
    bc_state *bc = &pn->bc;
    while (bc->active) {
        int flag = 0;
        MPI_Testall(bc->nreq, bc->req, &flag, MPI_STATUSES_IGNORE);
        if (!flag)
            return;
        if (bc->cur_stage >= bc->recv_stage && !bc->have) {
            bc->have = 1;
            if (s->shared)
                MPI_Win_sync(s->win); /* see the root's writes */
        }
        int before = bc->next;
        post_stage(s, pn);
        if (bc->next == before && bc->active)
            return; /* gated: waits for hpl_bcast_release() */
    }
}

void hpl_progress(hpl_solver *s)
{
    for (int i = 0; i < s->nslots; i++)
        if (s->slot[i].k >= 0 && s->slot[i].bc.active)
            advance(s, &s->slot[i]);
}

/* Between two polls: give the core away only when this node has more
 * ranks than cores (else a competing process would take whole time slices
 * while a message pipeline needs us every microsecond). */
static inline void idle(const hpl_solver *s)
{
    if (s->yield)
        sched_yield();
}

void hpl_bcast_wait_have(hpl_solver *s, hpl_panel *pn)
{
    while (!pn->bc.have) {
        hpl_progress(s);
        if (!pn->bc.have)
            idle(s);
    }
}

void hpl_bcast_wait_done(hpl_solver *s, hpl_panel *pn)
{
    while (pn->bc.active) {
        hpl_progress(s);
        if (pn->bc.active)
            idle(s);
    }
}

void hpl_waitall(hpl_solver *s, int n, MPI_Request *req)
{
    for (;;) {
        int flag = 0;
        MPI_Testall(n, req, &flag, MPI_STATUSES_IGNORE);
        if (flag)
            return;
        hpl_progress(s);
        idle(s);
    }
}
