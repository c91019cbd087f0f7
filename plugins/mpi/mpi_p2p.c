/*
 * mpi_p2p.c — the point-to-point tests between two ranks a and b, as the
 * OSU micro-benchmarks define them:
 *
 *   latency  a sends a message with MPI_Send, b receives it and sends one
 *            of the same size back; the latency is half the average round
 *            trip of the timed iterations (osu_latency); also the best
 *            batch's half round trip (r->lat_best, see latency()).
 *   bw       a posts `window` MPI_Isend of the message, waits for all, and
 *            waits for a 4-byte reply b sends once it has received the
 *            whole window; bandwidth = size x window x iterations / time,
 *            in MB/s = 1e6 B/s (osu_bw); also the fastest iteration's
 *            size x window / its time (r->bw_best, NetPIPE's kind of figure).
 *   bibw     both post `window` MPI_Irecv and `window` MPI_Isend and wait
 *            for all; twice the bytes over the time (osu_bibw).
 *
 * The clock starts when the warm-up iterations are done.  latency runs in
 * batches (a ring of send and one of receive buffers, see latency()): the
 * stamping and the checks are between batches, off the clock.  Each batch is
 * timed alone: the average of all timed batches is OSU's figure, the fastest
 * batch's average NetPIPE's kind (the best of several short trials).  Each window's
 * receives land in separate slots (mpi_slots(): the window, at most
 * MPI_SLOT_BYTES together; a window of more messages reuses them, every
 * message of one iteration carrying the same data), and every slot is
 * checked after the window; in bw, b has two banks of slots, each with its
 * window of receives posted a window ahead, and checks one after its reply
 * while the next window arrives in the other (messages of MPI_SLOT_BYTES and
 * more: one bank, checked and posted again before the reply).
 */
#include <mpi.h>
#include <string.h>

#include "mpi_int.h"

#define TAG_DATA 100
#define TAG_ACK 101
#define TAG_SYNC 102

/* Both ranks of the pair are here before a size starts. */
static void pair_sync(int peer)
{
    char x = 0, y;
    MPI_Sendrecv(&x, 0, MPI_BYTE, peer, TAG_SYNC, &y, 0, MPI_BYTE, peer, TAG_SYNC,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

/* After the timed loop: one message each way, filled and checked byte for byte. */
static void full_exchange(mpi_run *r, int test, size_t n, int a, int b, uint64_t iter)
{
    int me = r->rank, peer = me == a ? b : a;
    mpi_where w = {test, n, iter, peer, 1};
    for (int leg = 0; leg < 2; leg++) {
        int src = leg == 0 ? a : b, dst = leg == 0 ? b : a;
        uint64_t seed = mpi_seed(test, iter, src, dst, n);
        if (me == src) {
            mpi_send_fill(r, r->sbuf, n, seed, 1);
            MPI_Send(r->sbuf, (int)n, MPI_BYTE, dst, TAG_DATA, MPI_COMM_WORLD);
        } else {
            MPI_Recv(r->rbuf, (int)n, MPI_BYTE, src, TAG_DATA, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            mpi_recv_check(r, r->rbuf, seed, &w);
        }
    }
}

/* Stamp the ring's send slots for iterations i0 .. i0 + k - 1 (untimed). */
static void stamp_ring(mpi_run *r, size_t n, uint64_t base, long i0, long k)
{
    for (long j = 0; j < k; j++)
        mpi_stamp(r, r->sbuf + (size_t)j * n, n, mpi_seed_at(base, (uint64_t)(i0 + j)), 0);
}

/* Check the ring's receive slots of iterations i0 .. i0 + k - 1 (untimed). */
static void check_ring(mpi_run *r, size_t n, int peer, uint64_t base, long i0, long k)
{
    for (long j = 0; j < k; j++) {
        mpi_where w = {T_LATENCY, n, (uint64_t)(i0 + j), peer, 0};
        mpi_recv_check(r, r->rbuf + (size_t)j * n, mpi_seed_at(base, (uint64_t)(i0 + j)), &w);
    }
}

/* One batch of k round trips, each from and into its own slot of the rings.  Nothing but
 * the two MPI calls per iteration unless the delay hook is set for this rank. */
static void ping_pong(mpi_run *r, size_t n, int a, int b, long k)
{
    int peer = r->rank == a ? b : a, first = r->rank == a, cnt = (int)n;
    int hook = r->delay_rank == r->rank && r->delay_us > 0;
    unsigned char *out = r->sbuf, *in = r->rbuf;
    for (long j = 0; j < k; j++, out += n, in += n) {
        if (!first)
            MPI_Recv(in, cnt, MPI_BYTE, peer, TAG_DATA, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (hook)
            mpi_send_delay(r);
        MPI_Send(out, cnt, MPI_BYTE, peer, TAG_DATA, MPI_COMM_WORLD);
        if (first)
            MPI_Recv(in, cnt, MPI_BYTE, peer, TAG_DATA, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
}

/*
 * The iterations run in batches of a ring's worth (mpi_ring(): warm-up and
 * timed ones never share a batch).  Before a batch both ranks stamp the
 * batch's messages into their send ring and meet; after it each checks every
 * message its receive ring got.  Only the round trips are timed.  Returns the
 * half round trip averaged over the timed iterations; r->lat_best gets the
 * fastest timed batch's (its time over its round trips, halved), in us.
 */
static double latency(mpi_run *r, size_t n, int a, int b, long iters, long skip)
{
    int me = r->rank, peer = me == a ? b : a;
    uint64_t mine = mpi_seed_base(T_LATENCY, me, peer, n);
    uint64_t theirs = mpi_seed_base(T_LATENCY, peer, me, n);
    long ring = (long)mpi_ring(n);
    double timed = 0, best = -1;
    for (long i0 = 0; i0 < iters + skip;) {
        long end = i0 < skip ? skip : iters + skip;
        long k = end - i0 < ring ? end - i0 : ring;
        stamp_ring(r, n, mine, i0, k);
        pair_sync(peer);
        double t0 = bx_now();
        ping_pong(r, n, a, b, k);
        double dt = bx_now() - t0;
        if (i0 >= skip) {
            timed += dt;
            if (best < 0 || dt / (double)k < best)
                best = dt / (double)k;
        }
        check_ring(r, n, peer, theirs, i0, k);
        i0 += k;
    }
    double avg = timed * 1e6 / (2.0 * (double)iters);
    r->lat_best = best * 1e6 / 2.0;
    if (r->lat_best > avg) /* (one batch: the same time, rounded another way) */
        r->lat_best = avg;
    return avg;
}

/* Post the window's receives from peer into the slots at buf. */
static void post_recvs(mpi_run *r, MPI_Request *req, size_t n, int peer, uint64_t slots,
                       unsigned char *buf)
{
    for (int j = 0; j < r->cfg.window; j++)
        MPI_Irecv(buf + (size_t)((uint64_t)j % slots) * n, (int)n, MPI_BYTE, peer, TAG_DATA,
                  MPI_COMM_WORLD, &req[j]);
}

static void post_sends(mpi_run *r, MPI_Request *req, size_t n, int peer)
{
    for (int j = 0; j < r->cfg.window; j++)
        MPI_Isend(r->sbuf, (int)n, MPI_BYTE, peer, TAG_DATA, MPI_COMM_WORLD, &req[j]);
}

/* Check every slot at buf a window filled. */
static void check_slots(mpi_run *r, int test, size_t n, int peer, long i, uint64_t slots,
                        uint64_t base, const unsigned char *buf)
{
    uint64_t seed = mpi_seed_at(base, (uint64_t)i);
    mpi_where w = {test, n, (uint64_t)i, peer, 0};
    uint64_t used = slots < (uint64_t)r->cfg.window ? slots : (uint64_t)r->cfg.window;
    for (uint64_t k = 0; k < used; k++)
        mpi_recv_check(r, buf + (size_t)k * n, seed, &w);
}

/*
 * bw's receiving rank b for messages of MPI_SLOT_BYTES and more: one slot, one
 * bank.  Posting a window of receives is nothing next to such a window's time,
 * and a second bank would make the two ranks' footprint 3 messages instead of
 * 2 (NetPIPE's), past what the cache keeps.  The check
 * and the next window's receives come before the reply.
 */
static void bw_receiver_large(mpi_run *r, size_t n, int a, long total, uint64_t base)
{
    int W = r->cfg.window;
    MPI_Request *req = r->reqs;
    char ack[4] = {0};
    post_recvs(r, req, n, a, 1, r->rbuf);
    for (long i = 0; i < total; i++) {
        MPI_Waitall(W, req, MPI_STATUSES_IGNORE);
        check_slots(r, T_BW, n, a, i, 1, base, r->rbuf);
        if (i + 1 < total)
            post_recvs(r, req, n, a, 1, r->rbuf);
        MPI_Send(ack, 4, MPI_BYTE, a, TAG_ACK, MPI_COMM_WORLD);
    }
}

/*
 * bw's receiving rank b (below MPI_SLOT_BYTES): two banks of slots, each with
 * its window of receives posted a window ahead.  Once window i has arrived, b
 * replies at once (the sender's next window finds its receives already
 * posted, in the other bank), then, while that window is on its way, checks
 * bank i & 1 and posts window i + 2's receives into it.  Nothing but the wait
 * and the reply is on the sender's clock.
 */
static void bw_receiver(mpi_run *r, size_t n, int a, long total, uint64_t base)
{
    if (n >= MPI_SLOT_BYTES) {
        bw_receiver_large(r, n, a, total, base);
        return;
    }
    int W = r->cfg.window;
    MPI_Request *req = r->reqs;
    uint64_t slots = mpi_slots(&r->cfg, n);
    unsigned char *bank[2] = {r->rbuf, r->rbuf + (size_t)slots * n};
    char ack[4] = {0};
    for (long i = 0; i < total && i < 2; i++)
        post_recvs(r, req + (i & 1) * W, n, a, slots, bank[i & 1]);
    for (long i = 0; i < total; i++) {
        MPI_Request *q = req + (i & 1) * W;
        MPI_Waitall(W, q, MPI_STATUSES_IGNORE);
        MPI_Send(ack, 4, MPI_BYTE, a, TAG_ACK, MPI_COMM_WORLD);
        check_slots(r, T_BW, n, a, i, slots, base, bank[i & 1]);
        if (i + 2 < total)
            post_recvs(r, q, n, a, slots, bank[i & 1]);
    }
}

static double bandwidth(mpi_run *r, int test, size_t n, int a, int b, long iters, long skip)
{
    int me = r->rank, peer = me == a ? b : a, W = r->cfg.window;
    MPI_Request *req = r->reqs;
    uint64_t slots = mpi_slots(&r->cfg, n);
    char ack[4] = {0};
    uint64_t mine_base = mpi_seed_base(test, me, peer, n);
    uint64_t their_base = mpi_seed_base(test, peer, me, n);
    if (test == T_BW && me == b) {
        bw_receiver(r, n, a, iters + skip, their_base);
        return 0;
    }
    double t0 = bx_now(), prev = t0, best = -1;
    for (long i = 0; i < iters + skip; i++) {
        if (i == skip)
            prev = t0 = bx_now();
        mpi_send_fill(r, r->sbuf, n, mpi_seed_at(mine_base, (uint64_t)i), 0);
        if (test == T_BIBW) {
            post_recvs(r, req, n, peer, slots, r->rbuf);
            post_sends(r, req + W, n, peer);
            MPI_Waitall(2 * W, req, MPI_STATUSES_IGNORE);
            check_slots(r, test, n, peer, i, slots, their_base, r->rbuf);
        } else {
            post_sends(r, req, n, peer);
            MPI_Waitall(W, req, MPI_STATUSES_IGNORE);
            MPI_Recv(ack, 4, MPI_BYTE, b, TAG_ACK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        double now = bx_now();
        if (i >= skip && (best < 0 || now - prev < best))
            best = now - prev;
        prev = now;
    }
    double t = prev - t0;
    double bytes = (double)n * (double)W * (test == T_BIBW ? 2.0 : 1.0);
    double avg = bytes * (double)iters / t / 1e6;
    r->bw_best = bytes / best / 1e6;
    if (r->bw_best < avg) /* (one iteration: the same time, rounded another way) */
        r->bw_best = avg;
    return avg;
}

double mpi_p2p(mpi_run *r, int test, uint64_t size, int a, int b)
{
    long iters, skip;
    mpi_iters(test, size, r->cfg.iterations, r->cfg.warmup, &iters, &skip);
    int peer = r->rank == a ? b : a;
    size_t n = (size_t)size;
    pair_sync(peer);
    double v = test == T_LATENCY ? latency(r, n, a, b, iters, skip)
                                 : bandwidth(r, test, n, a, b, iters, skip);
    full_exchange(r, test, n, a, b, (uint64_t)(iters + skip));
    return r->rank == a ? v : 0;
}
