/* chase.c — building and walking the pointer chain (see chase.h). */
#include "chase.h"

#include <stdlib.h>

/* splitmix64: a small, good-enough generator for shuffling (not crypto). */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

int chase_build(void *buf, size_t nlines, size_t line, int pattern, uint64_t seed)
{
    /* order[k] is the k-th slot of the tour; linking order[k] -> order[k+1]
     * and the last back to the first makes one cycle through every slot. */
    size_t *order = malloc(nlines * sizeof *order);
    if (!order)
        return -1;
    for (size_t k = 0; k < nlines; k++)
        order[k] = k;
    if (pattern == CHASE_RANDOM) {
        /* Fisher-Yates shuffle: every tour is equally likely.  The modulo
         * bias of a 64-bit draw is negligible for any buffer that fits. */
        uint64_t state = seed;
        for (size_t k = nlines - 1; k > 0; k--) {
            size_t j = (size_t)(next_random(&state) % (uint64_t)(k + 1));
            size_t t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
    }
    char *base = buf;
    for (size_t k = 0; k < nlines; k++) {
        char *from = base + order[k] * line;
        char *to = base + order[(k + 1) % nlines] * line;
        *(void **)from = to;
    }
    free(order);
    return 0;
}

void *chase_walk(void *start, uint64_t loads)
{
    void **p = start;
    /* Unrolled by 8 so the loop counter costs little next to the loads;
     * each load still waits for the one before it. */
    for (uint64_t i = loads / 8; i > 0; i--) {
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
    }
    for (uint64_t i = loads % 8; i > 0; i--)
        p = (void **)*p;
    return p;
}

size_t chase_cycle_length(void *start, size_t limit)
{
    void **p = start;
    for (size_t steps = 1; steps <= limit; steps++) {
        p = (void **)*p;
        if ((void *)p == start)
            return steps;
    }
    return limit + 1;
}
