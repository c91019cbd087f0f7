/*
 * rng.c — the matrix generator.
 *
 * A 64-bit linear congruential generator x' = a*x + c (mod 2^64), with
 * Knuth's MMIX multiplier and increment.  A jump of k steps is the affine
 * map x -> A_k x + C_k; the maps for k = 2^b are tabulated, so any rank
 * reaches any entry of the matrix in at most 64 multiply-adds.  Entry
 * (i, j) of [A | b] (column-major, N rows, N+1 columns) is the number at
 * position j*N + i, so the matrix does not depend on P, Q or NB.
 */
#include "hpl.h"

#define LCG_A 6364136223846793005ull
#define LCG_C 1442695040888963407ull

/* splitmix64 finaliser: turns nearby seeds into unrelated starting points. */
static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void hpl_rng_init(hpl_rng *r, uint64_t seed)
{
    uint64_t m = LCG_A, a = LCG_C;
    for (int b = 0; b < 64; b++) {
        r->mul[b] = m;
        r->add[b] = a;
        /* the map applied twice: x -> m(mx + a) + a */
        a = m * a + a;
        m = m * m;
    }
    r->start = mix(seed);
}

uint64_t hpl_rng_jump(const hpl_rng *r, uint64_t state, uint64_t steps)
{
    for (int b = 0; steps; b++, steps >>= 1)
        if (steps & 1)
            state = r->mul[b] * state + r->add[b];
    return state;
}

/* (-0.5, 0.5] from the top 53 bits. */
static inline double to_double(uint64_t x) { return 0.5 - (double)(x >> 11) * 0x1p-53; }

void hpl_generate(const hpl_rng *r, const hpl_cfg *c, const hpl_grid *g, double *a, int64_t lda)
{
    const int64_t n = c->n, nb = c->nb;
    const int64_t mloc = hpl_numroc(n, nb, g->myrow, g->p);
    const int64_t nloc = hpl_numroc(n + 1, nb, g->mycol, g->q);
    /* From the end of one of my row blocks to the start of the next. */
    const uint64_t gap = (uint64_t)((g->p - 1) * nb);
    uint64_t gm = 1, ga = 0; /* the affine map of `gap` steps */
    for (int b = 0; b < 64; b++)
        if ((gap >> b) & 1) {
            ga = r->mul[b] * ga + r->add[b];
            gm = r->mul[b] * gm;
        }
    for (int64_t jl = 0; jl < nloc; jl++) {
        int64_t j = (jl / nb * g->q + g->mycol) * nb + jl % nb; /* global column */
        double *col = a + jl * lda;
        int64_t i0 = (int64_t)g->myrow * nb; /* my first global row */
        uint64_t x = hpl_rng_jump(r, r->start, (uint64_t)(j * n + i0));
        for (int64_t il = 0; il < mloc; il += nb) {
            int64_t len = mloc - il < nb ? mloc - il : nb;
            for (int64_t t = 0; t < len; t++) {
                x = LCG_A * x + LCG_C;
                col[il + t] = to_double(x);
            }
            x = gm * x + ga;
        }
    }
}
