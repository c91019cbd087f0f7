/*
 * mpi_cfg.c — the parameters of the mpi plugin as an mpi_cfg: which tests,
 * which ranks, the message sizes and the iteration rules.  No MPI here
 * (check() runs in the runner too).
 */
#include <stdio.h>
#include <string.h>

#include "mpi_int.h"

static const char *const test_names[T_COUNT] = {"latency", "bw", "bibw",
                                                "allreduce", "alltoall", "bcast"};

const char *mpi_test_name(int test)
{
    return test >= 0 && test < T_COUNT ? test_names[test] : "?";
}

uint64_t mpi_test_min_size(int test) { return test == T_ALLREDUCE ? 4 : 1; }

size_t mpi_sizes(uint64_t min, uint64_t max, uint64_t *out, size_t cap)
{
    size_t n = 0;
    for (uint64_t s = min; s >= 1 && s <= max && n < cap; s *= 2) {
        out[n++] = s;
        if (s > UINT64_MAX / 2)
            break;
    }
    return n;
}

/* The OSU defaults of one kind of test: small and large iterations, small and large warm-up. */
typedef struct iter_rule {
    long iters, iters_large, skip, skip_large;
} iter_rule;

static const iter_rule rule_latency = {10000, 1000, 100, 10};
static const iter_rule rule_bw = {100, 20, 10, 2};
static const iter_rule rule_coll = {1000, 100, 100, 10};

/* The large-message count of a user's small-message count: the same ratio. */
static long scaled(int64_t user, long small, long large, long floor)
{
    long v = (long)(user * large / small);
    return v < floor ? floor : v;
}

void mpi_iters(int test, uint64_t size, int64_t iterations, int64_t warmup, long *iters,
               long *skip)
{
    const iter_rule *ru = test == T_LATENCY ? &rule_latency
                          : (test == T_BW || test == T_BIBW) ? &rule_bw
                                                             : &rule_coll;
    int large = size > MPI_LARGE_SIZE;
    if (iterations >= 1)
        *iters = large ? scaled(iterations, ru->iters, ru->iters_large, 1) : (long)iterations;
    else
        *iters = large ? ru->iters_large : ru->iters;
    if (warmup >= 0)
        *skip = large ? scaled(warmup, ru->skip, ru->skip_large, warmup > 0) : (long)warmup;
    else
        *skip = large ? ru->skip_large : ru->skip;
}

/* test=NAME -> bits of tests. */
static unsigned tests_of(const char *name)
{
    if (strcmp(name, "pt2pt") == 0)
        return T_P2P_MASK;
    if (strcmp(name, "collective") == 0)
        return T_COLL_MASK;
    if (strcmp(name, "all") == 0)
        return T_P2P_MASK | T_COLL_MASK;
    for (int t = 0; t < T_COUNT; t++)
        if (strcmp(name, test_names[t]) == 0)
            return 1u << t;
    return 0;
}

uint64_t mpi_slots(const mpi_cfg *cfg, uint64_t size)
{
    uint64_t slots = (uint64_t)cfg->window;
    if (slots * size > MPI_SLOT_BYTES)
        slots = size >= MPI_SLOT_BYTES ? 1 : MPI_SLOT_BYTES / size;
    return slots;
}

uint64_t mpi_ring(uint64_t size)
{
    uint64_t bytes = size < MPI_RING_SMALL ? MPI_RING_SMALL_BYTES : MPI_RING_BYTES;
    uint64_t slots = bytes / (size ? size : 1);
    return slots < 1 ? 1 : slots > MPI_RING_MAX ? MPI_RING_MAX : slots;
}

uint64_t mpi_buf_bytes(const mpi_cfg *cfg, int nranks)
{
    uint64_t bytes = cfg->max_size;
    for (size_t i = 0; i < cfg->nsizes && (cfg->tests & (1u << T_LATENCY)); i++)
        if (mpi_ring(cfg->sizes[i]) * cfg->sizes[i] > bytes)
            bytes = mpi_ring(cfg->sizes[i]) * cfg->sizes[i];
    uint64_t banks = (cfg->tests & (1u << T_BW)) ? 2 : 1; /* bw's receiver: two banks */
    for (size_t i = 0; i < cfg->nsizes && (cfg->tests & T_P2P_MASK); i++)
        if (banks * mpi_slots(cfg, cfg->sizes[i]) * cfg->sizes[i] > bytes)
            bytes = banks * mpi_slots(cfg, cfg->sizes[i]) * cfg->sizes[i];
    if ((cfg->tests & (1u << T_ALLTOALL)) && cfg->max_size * (uint64_t)nranks > bytes)
        bytes = cfg->max_size * (uint64_t)nranks;
    return bytes;
}

int mpi_cfg_load(bx_ctx *ctx, mpi_cfg *cfg)
{
    char a[32], b[32];
    memset(cfg, 0, sizeof *cfg);
    const char *test = bx_param_str(ctx, "test");
    cfg->tests = tests_of(test);
    if (!cfg->tests)
        return bx_error(ctx, BX_EINVAL, "unknown test '%s'", test);
    cfg->mode = strcmp(bx_param_str(ctx, "mode"), "pairs") == 0 ? MODE_PAIRS : MODE_PAIR;
    int64_t mn = bx_param_int(ctx, "min_size"), mx = bx_param_int(ctx, "max_size");
    if (mn < 1 || mx < 1)
        return bx_error(ctx, BX_EINVAL, "min_size and max_size must be at least 1 byte");
    if (mn > mx)
        return bx_error(ctx, BX_EINVAL,
                        "min_size (%s) is larger than max_size (%s): the sizes run from "
                        "min_size to max_size by powers of two (OSU's -m MIN:MAX)",
                        bx_format_size((uint64_t)mn, a, sizeof a),
                        bx_format_size((uint64_t)mx, b, sizeof b));
    cfg->min_size = (uint64_t)mn;
    cfg->max_size = (uint64_t)mx;
    cfg->nsizes = mpi_sizes(cfg->min_size, cfg->max_size, cfg->sizes, MPI_MAX_SIZES);
    if (cfg->tests == (1u << T_ALLREDUCE) && cfg->max_size < 4)
        return bx_error(ctx, BX_EINVAL, "allreduce sums 4-byte integers: max_size must be at "
                                        "least 4 bytes");
    cfg->iterations = bx_param_isset(ctx, "iterations") ? bx_param_int(ctx, "iterations") : -1;
    cfg->warmup = bx_param_isset(ctx, "warmup") ? bx_param_int(ctx, "warmup") : -1;
    cfg->window = (int)bx_param_int(ctx, "window");

    int nranks = bx_nranks(ctx);
    if ((cfg->tests & T_P2P_MASK) && nranks < 2)
        return bx_error(ctx, BX_EINVAL,
                        "test=%s needs at least 2 ranks (a pair exchanges the messages); run "
                        "with --ranks 2 or more",
                        test);
    uint64_t per = mpi_buf_bytes(cfg, nranks);
    if (cfg->max_size > (1ull << 30) || per > (8ull << 30))
        return bx_error(ctx, BX_EINVAL,
                        "max_size %s needs %s of buffers per rank; use max_size of at most "
                        "1 GiB and fewer ranks for alltoall",
                        bx_format_size(cfg->max_size, a, sizeof a),
                        bx_format_size(2 * per, b, sizeof b));
    return 0;
}
