/*
 * chase.h — the measuring kernel of the `latency` plugin: a pointer chase.
 *
 * The buffer is cut into `nlines` slots of `line` bytes.  The first word of
 * every slot holds the address of the next slot to visit, and the slots form
 * ONE cycle through the whole buffer.  Following the chain is a sequence of
 * dependent loads: the next address is known only when the previous load has
 * completed, so the time per step is the load latency of the memory level
 * the buffer fits in (L1, L2, L3 or DRAM).
 *
 * With a random cycle the hardware prefetchers cannot guess the next
 * address; with the sequential one (slot k -> k+1) they can, which shows how
 * much they hide.
 *
 * These functions are private to the plugin (hidden visibility): only
 * benchaas_plugin_entry is exported from latency.so.
 */
#ifndef LATENCY_CHASE_H
#define LATENCY_CHASE_H

#include <stddef.h>
#include <stdint.h>

/* The order in which the slots are linked. */
enum { CHASE_RANDOM = 0, CHASE_SEQUENTIAL = 1 };

/*
 * Link the slots of buf (nlines * line bytes, line a multiple of
 * sizeof(void *), buf aligned to it) into one cycle.  CHASE_RANDOM visits
 * them in an order drawn from `seed` (the same seed gives the same chain).
 * Returns 0, or -1 when the temporary order array cannot be allocated.
 */
int chase_build(void *buf, size_t nlines, size_t line, int pattern, uint64_t seed);

/* Follow `loads` links from `start`; returns where the walk ended. */
void *chase_walk(void *start, uint64_t loads);

/*
 * Steps until the walk from `start` first comes back to it, or limit + 1
 * if it has not after `limit` steps.  A chain built by chase_build returns
 * exactly nlines: every slot is on the cycle, each once.
 */
size_t chase_cycle_length(void *start, size_t limit);

#endif
