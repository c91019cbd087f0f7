/*
 * mpi_int.h — private declarations shared by the sources of the mpi plugin.
 *
 *   mpi_plugin.c   the descriptor (parameters, metrics) and check/init/run/report/fini
 *   mpi_cfg.c      parameters -> mpi_cfg: the tests, the sizes, the iteration rules
 *   mpi_pattern.c  the data every message carries and the check of what arrived
 *   mpi_p2p.c      latency (ping-pong), bw (a window of non-blocking sends), bibw
 *   mpi_coll.c     allreduce, alltoall, bcast over all ranks
 *
 * The tests follow the published definitions of the OSU micro-benchmarks
 * (osu_latency, osu_bw, osu_bibw, osu_allreduce, osu_alltoall, osu_bcast);
 * no code of theirs is used.
 */
#ifndef BENCHAAS_MPI_INT_H
#define BENCHAAS_MPI_INT_H

#include <stddef.h>
#include <stdint.h>

#include "benchaas/sdk.h"

/* The tests, in the order they run and are reported. */
enum { T_LATENCY, T_BW, T_BIBW, T_ALLREDUCE, T_ALLTOALL, T_BCAST, T_COUNT };
#define T_P2P_MASK ((1u << T_LATENCY) | (1u << T_BW) | (1u << T_BIBW))
#define T_COLL_MASK ((1u << T_ALLREDUCE) | (1u << T_ALLTOALL) | (1u << T_BCAST))

/* Which ranks run the point-to-point tests. */
enum { MODE_PAIR, MODE_PAIRS };

/* OSU's LARGE_MESSAGE_SIZE: above it the iteration counts are scaled down. */
#define MPI_LARGE_SIZE 8192u
/* Sizes are min_size * 2^k <= max_size: at most this many. */
#define MPI_MAX_SIZES 48
/* The receive slots of one bw/bibw window hold at most this many bytes together (bw's two
 * banks of them: twice that), so they stay in a core's L2 cache, as the references' single
 * receive buffer does. */
#define MPI_SLOT_BYTES (512u << 10)
/* latency: the ring of send and of receive buffers of one batch of iterations holds at most
 * this many bytes (each), and at most MPI_RING_MAX messages: the two stay in the L1 cache
 * beside the MPI library's own buffers.  Messages under MPI_RING_SMALL take at most
 * MPI_RING_SMALL_BYTES: 16 KiB rings put 64 B-2 KiB round trips 5-20 % above 4 KiB ones. */
#define MPI_RING_BYTES (16u << 10)
#define MPI_RING_SMALL 4096u
#define MPI_RING_SMALL_BYTES (4u << 10)
#define MPI_RING_MAX 256u

typedef struct mpi_cfg {
    unsigned tests;      /* bits 1 << T_* */
    int mode;            /* MODE_* */
    uint64_t min_size, max_size;
    int64_t iterations;  /* -i; -1: the references' defaults */
    int64_t warmup;      /* -x; -1: the references' defaults */
    int window;          /* -W */
    size_t nsizes;
    uint64_t sizes[MPI_MAX_SIZES];
} mpi_cfg;

/* ---- mpi_cfg.c ------------------------------------------------------- */

/* Read and check the parameters (no MPI; check() and init()).  0 or BX_EINVAL. */
int mpi_cfg_load(bx_ctx *ctx, mpi_cfg *cfg);
/* Receive slots of a bw/bibw window of messages of `size` bytes (window, capped). */
uint64_t mpi_slots(const mpi_cfg *cfg, uint64_t size);
/* latency: messages of `size` bytes per batch (the ring's slots: 1 .. MPI_RING_MAX). */
uint64_t mpi_ring(uint64_t size);
/* Bytes of each of a rank's two buffers (send, receive). */
uint64_t mpi_buf_bytes(const mpi_cfg *cfg, int nranks);
/* min, 2 min, 4 min, ... <= max into out (at most cap); returns how many. */
size_t mpi_sizes(uint64_t min, uint64_t max, uint64_t *out, size_t cap);
/* The smallest size test t runs (allreduce needs one 4-byte element). */
uint64_t mpi_test_min_size(int test);
/*
 * Timed and warm-up iterations of test t at message size `size`.  The OSU
 * defaults (latency 10000 + 100 warm-up, bw/bibw 100 + 10, collectives
 * 1000 + 100; above MPI_LARGE_SIZE: 1000 + 10, 20 + 2, 100 + 10).  A user
 * count (iterations, warmup >= 0) replaces the small-message count, and the
 * large-message count is scaled from it in the same ratio (at least 1
 * timed iteration; a warm-up of 0 stays 0).
 */
void mpi_iters(int test, uint64_t size, int64_t iterations, int64_t warmup, long *iters,
               long *skip);
/* The name of test t ("latency", "bw", ...). */
const char *mpi_test_name(int test);

/* ---- mpi_pattern.c ---------------------------------------------------- */

/*
 * Every message carries a pattern that depends on (test, iteration, sender,
 * receiver, size): byte o is byte (o % 8) of the 64-bit word
 *   seed ^ ((o / 8 + 1) * 0x9E3779B97F4A7C15)
 * (little-endian), where seed = base(test, sender, receiver, size) +
 * (iteration + 1) * 0xD1B54A32D192ED03, so two iterations differ in every
 * word.  Every message of the iterations is stamped and checked sparsely:
 * every byte of a message of at most 64 bytes, otherwise the first 8 bytes
 * of every 4 KiB and the last 8 bytes (latency does both between batches,
 * off the clock; see mpi_p2p.c).  After the timed loop one more message of each size is filled
 * and checked byte for byte, untimed.
 */
uint64_t mpi_seed(int test, uint64_t iter, int src, int dst, uint64_t size);
/* The same in two steps, for the timed loops: the base once per size, then per iteration. */
uint64_t mpi_seed_base(int test, int src, int dst, uint64_t size);
static inline uint64_t mpi_seed_at(uint64_t base, uint64_t iter)
{
    return base + (iter + 1) * 0xD1B54A32D192ED03ull;
}
uint8_t mpi_pattern_byte(uint64_t seed, uint64_t off);
/* Fill the stamped bytes (full: every byte) of buf[0..n). */
void mpi_fill(unsigned char *buf, size_t n, uint64_t seed, int full);
/* Offset of the first stamped byte that differs (full: any byte), or n. */
size_t mpi_check(const unsigned char *buf, size_t n, uint64_t seed, int full);
/* allreduce: element e (4 bytes, little-endian) of the sum of the ranks' patterns seeds[]. */
uint32_t mpi_sum_u32(const uint64_t *seeds, int nranks, size_t e);

/* ---- the state a run shares between the kernels ------------------------ */

typedef struct mpi_run {
    mpi_cfg cfg;
    int rank, nranks;
    unsigned char *sbuf, *rbuf; /* each mpi_buf_bytes() */
    void *reqs;                 /* 2 * window MPI_Requests */
    uint64_t *seeds;            /* allreduce: one seed per rank */
    int bad;                    /* this rank saw a wrong message (first one in bad_msg) */
    char bad_msg[320];
    uint64_t corrupt_size;      /* test hook: messages of this size ... */
    uint64_t corrupt_off;       /* ... sent with this byte flipped (0 size: off) ... */
    int corrupt_rank;           /* ... by this rank (-1: by every rank) */
    int delay_rank;             /* test hook: this rank (-1: none) ... */
    long delay_us;              /* ... waits this long before every send */
    double lat_best;            /* latency: the last size's fastest batch (us, half trip) */
    double bw_best;             /* bw, bibw: the last size's fastest iteration (MB/s) */
} mpi_run;

/* Stamp a message to send; the test hook flips a byte here. */
void mpi_stamp(mpi_run *r, unsigned char *buf, size_t n, uint64_t seed, int full);
/* The delay hook: called before every send of a message (nothing unless the hook is set). */
void mpi_send_delay(const mpi_run *r);
/* mpi_stamp(), then mpi_send_delay(): a message stamped just before its send. */
void mpi_send_fill(mpi_run *r, unsigned char *buf, size_t n, uint64_t seed, int full);
/* Which message a check is about, for the error text. */
typedef struct mpi_where {
    int test;
    size_t size;   /* bytes of the message */
    uint64_t iter; /* iteration (warm-up included) */
    int src;       /* sending rank, -1: a reduction's result */
    int full;      /* the byte-for-byte check after the timed loop */
} mpi_where;
/* Check a message that arrived; the first failure is recorded in r->bad / bad_msg. */
void mpi_recv_check(mpi_run *r, const unsigned char *buf, uint64_t seed, const mpi_where *w);
/* Record a wrong byte (or 32-bit element) found at offset off. */
void mpi_record_bad(mpi_run *r, const mpi_where *w, size_t off, unsigned got, unsigned want);

/* ---- mpi_p2p.c ---------------------------------------------------------- */

/*
 * One point-to-point test at one size between ranks a and b (a measures).
 * Only a and b call it.  Returns the figure on rank a (latency: us, half
 * the round trip averaged over the timed iterations; bw, bibw: MB/s =
 * 1e6 B/s) and 0 on b.  latency also leaves the fastest batch's half round
 * trip in r->lat_best, bw and bibw the fastest iteration's bandwidth in
 * r->bw_best (rank a; latency's batches: mpi_ring()).
 */
double mpi_p2p(mpi_run *r, int test, uint64_t size, int a, int b);

/* ---- mpi_coll.c --------------------------------------------------------- */

/* One collective at one size over all ranks: OSU's average latency in us (every rank). */
double mpi_coll(mpi_run *r, int test, uint64_t size);

#endif /* BENCHAAS_MPI_INT_H */
