/*
 * solver.h — the state shared by panel.c, bcast.c, update.c and lu.c.
 */
#ifndef HPL_SOLVER_H
#define HPL_SOLVER_H

#include "hpl.h"

/* One step of a panel broadcast: a send or receive of buf[off, off+count). */
typedef struct bc_op {
    int peer;     /* rank in the row communicator (= process column) */
    int send;     /* 1 send, 0 receive */
    int stage;    /* ops of stage s start once every op of stage s-1 is done */
    size_t off, count;
} bc_op;

/* The broadcast of one panel along my process row, as a small state machine
 * advanced by hpl_progress(): nothing ever blocks on it. */
typedef struct bc_state {
    bc_op *ops;        /* this process's part of the plan, sorted by stage */
    int nops, cap;
    int next;          /* first op not yet posted */
    int recv_stage;    /* the panel is complete here once this stage is done */
    int cur_stage;     /* stage whose requests are in flight (-1: none yet) */
    MPI_Request *req;  /* one per op of the current stage */
    int nreq;
    int active;        /* posted and not yet finished */
    int have;          /* the whole panel is in the buffer */
    int gate_stage;    /* this stage waits for hpl_bcast_release() (-1: none) */
    int released;
} bc_state;

/*
 * A factored panel k: the message that is broadcast along the process row.
 *   buf[0, jb)                the pivots: global row indices, as doubles
 *   buf[jb, jb + jb*jb)       Utop: the jb pivot rows restricted to the panel
 *                             (unit-lower L11 and upper U11), leading dim jb
 *   buf[jb + jb*jb, +jb*jb)   L11^-1 (unit lower), so that U = L11^-1 A is a
 *                             DTRMM, three times faster than DTRSM here
 *   buf[jb + 2*jb*jb, ...)    L: my local rows with global index >= k*NB,
 *                             mlive x jb, leading dimension ldl; on the
 *                             process row owning block row k its first jb
 *                             rows are the (meaningless) pivot positions.
 */
typedef struct hpl_panel {
    int64_t k;      /* block index, -1 when the slot is free */
    int jb, ntop;   /* ntop = jb on the process row owning block row k, else 0 */
    int root;       /* process column that factors it */
    int64_t mlive, ldl;
    double *buf;    /* the panel: own, or the root's slot in shared mode */
    double *own;    /* this process's slot (owned unless in the window) */
    size_t cap, len;
    bc_state bc;
    /* The row interchanges of the panel as a permutation (update.c): top
     * row t receives global row src[t]; global row dpos[d] (outside the top
     * rows) receives the original top row dorig[d].  Arrays of NB entries. */
    int64_t *src, *dpos;
    int *dorig;
    int ndisp, planned;
} hpl_panel;

struct hpl_solver {
    hpl_cfg c;
    const hpl_grid *g;
    hpl_rng rng;
    int64_t mloc, nloc, lda, nblk;
    double *a;        /* local part of [A | b], mloc x nloc */
    hpl_panel *slot;  /* depth + 2 panel slots */
    int nslots;
    /* Shared mode (the whole process row on one node, cfg.shm): the panel
     * slots live in an MPI shared-memory window; a receiver reads the
     * root's slot in place, told by a 0-byte message that it is ready, and
     * answers with a 0-byte release when it no longer needs it. */
    int shared;
    MPI_Comm shmcomm; /* the row, as a shared-memory communicator */
    MPI_Win win;
    double **peer;    /* peer[col]: first slot of process column col */
    /* update work space */
    int64_t chunk;    /* columns per update chunk */
    double *ut;       /* U^T of one chunk: chunk x NB */
    double *stage;    /* P > 1: U rows in transit, chunk x NB */
    double *disp;     /* P > 1: displaced rows in transit, chunk x NB */
    double *tmp;      /* NB + 2*NB + 2 scratch for the pivot search */
    double *piv;      /* pivot reduction buffers (P > 1): 2 x (2 + 2*NB) */
    /* back substitution / verification */
    double *x;        /* N, replicated */
    double *w;        /* 3 * mloc */
    int singular;     /* a zero pivot was met */
    int yield;        /* more ranks than cores on this node: yield while waiting */
    double prof[HPL_PROF_N]; /* seconds per phase of the last solve (hpl.h) */
    int swap_alg;     /* the swap variant of the current update (mix resolved) */
};

/* Time a statement into s->prof[cat]. */
#define HPL_TIMED(s, cat, stmt)                      \
    do {                                             \
        double t0_ = MPI_Wtime();                    \
        stmt;                                        \
        (s)->prof[cat] += MPI_Wtime() - t0_;         \
    } while (0)

/* bcast.c */
void hpl_bcast_plan(hpl_solver *s, hpl_panel *pn);           /* build the plan for pn */
void hpl_bcast_start(hpl_solver *s, hpl_panel *pn);          /* post its first stage */
void hpl_progress(hpl_solver *s);                            /* advance every broadcast */
void hpl_bcast_wait_have(hpl_solver *s, hpl_panel *pn);      /* until pn is complete here */
void hpl_bcast_wait_done(hpl_solver *s, hpl_panel *pn);      /* until all its ops finished */
void hpl_bcast_release(hpl_solver *s, hpl_panel *pn);        /* this process is done with pn */
/* Wait for requests while keeping the broadcasts moving. */
void hpl_waitall(hpl_solver *s, int n, MPI_Request *req);

/* panel.c: factor panel pn (its L part already copied into pn->buf). */
void hpl_panel_factor(hpl_solver *s, hpl_panel *pn);

/* update.c: apply panel pn to my local columns [c0, c1). */
void hpl_update(hpl_solver *s, hpl_panel *pn, int64_t c0, int64_t c1);

/* The parts of a panel buffer. */
static inline double *pn_utop(const hpl_panel *pn) { return pn->buf + pn->jb; }
static inline double *pn_linv(const hpl_panel *pn) { return pn->buf + pn->jb + (size_t)pn->jb * pn->jb; }
static inline double *pn_l(const hpl_panel *pn) { return pn->buf + pn->jb + 2 * (size_t)pn->jb * pn->jb; }

/* Index helpers on the solver's grid. */
static inline int64_t sv_rows_before(const hpl_solver *s, int64_t g)
{
    return hpl_numroc(g, s->c.nb, s->g->myrow, s->g->p);
}
static inline int64_t sv_cols_before(const hpl_solver *s, int64_t g)
{
    return hpl_numroc(g, s->c.nb, s->g->mycol, s->g->q);
}
/* Global row of my local row lr. */
static inline int64_t sv_grow(const hpl_solver *s, int64_t lr)
{
    int64_t nb = s->c.nb;
    return (lr / nb * s->g->p + s->g->myrow) * nb + lr % nb;
}

#endif /* HPL_SOLVER_H */
