/*
 * session.c — one running test on one side.
 *
 * Each data stream has a thread of its own that only sends or only
 * receives, and counts the payload bytes it moved in an atomic counter.
 * The calling thread (the "control thread") watches the control socket,
 * samples the counters at every interval (on the receiving side, which is
 * the side whose count is the result), stops the test on a deadline or when
 * the peer misbehaves, and finally exchanges RESULTS with the peer.
 *
 * The data path is kept minimal on purpose: a sender does send() of
 * `length` bytes from one buffer in a loop and checks the clock once per
 * call; a receiver does non-blocking recv() of `length` bytes and poll()s
 * when nothing is queued, asking the kernel (SO_RCVLOWAT) to wake it only
 * once about a millisecond of data is queued.  A sender whose receiver is
 * on the same host keeps a small send buffer (BXI_SAME_HOST_SNDBUF) instead
 * of the kernel's autotuned one.  See README.md ("Performance") for what was
 * measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/sdk.h"
#include "iperf_int.h"

#define STREAM_STACK (1u << 20)

typedef struct bxi_stream {
    /* written by the stream thread, read by the control thread at ticks;
       on a cache line of its own so the two do not contend */
    _Alignas(64) _Atomic uint64_t bytes;
    char pad_[64 - sizeof(uint64_t)];

    struct bxi_session *s;
    int idx, fd;
    int started; /* the thread exists */
    pthread_t th;
    char *buf;

    /* set by the thread before it signals its end */
    uint64_t t_last_ns; /* receiver: last byte (EOF or last datagram); sender: loop end */
    double cpu;         /* thread CPU seconds */
    int err;            /* errno of a send/recv failure, 0 if none */
    uint64_t packets;   /* UDP: datagrams sent, or received after the omit mark */
    uint64_t retrans, rtt_us;
    int have_info;
    /* UDP receiver */
    int seen;                /* a datagram arrived after the omit mark */
    uint64_t first, max;     /* sequence numbers after the omit mark */
    double jitter_ns;        /* RFC 3550 running estimate */
    int64_t prev_transit;
    int have_prev;
} bxi_stream;

struct bxi_session {
    bxi_config cfg;
    int is_server, sender;
    int ctl, efd;
    uint64_t tag;
    int n;
    bxi_stream *st; /* n streams, 64-byte aligned */
    uint64_t t0_ns, end_ns;
    _Atomic int stop;        /* abort: every thread returns as soon as it can */
    _Atomic int draining;    /* UDP receivers: the sender is done, stop at the first lull */
    _Atomic int omit_passed; /* UDP receivers: count loss from now on */
    bxi_reader rd;
    bxi_msg msg;
    double *iv; /* receiver's intervals, Gbit/s: measured here or sent by the peer */
    size_t niv, ivcap;
    int peer_done;         /* the peer (sender) said DONE */
    int have_peer_side;    /* the server got the client's RESULTS early */
    bxi_side peer_side;
};

/* ---- byte order ------------------------------------------------------------ */

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}
static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}
static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* ---- stream threads -------------------------------------------------------- */

static void stream_done(bxi_stream *t, double cpu0)
{
    t->cpu = bxi_thread_cpu() - cpu0;
    uint64_t one = 1;
    /* wakes the control thread; an eventfd write of 1 cannot fail short */
    (void)!write(t->s->efd, &one, sizeof one);
}

static void sleep_until_ns(uint64_t t)
{
    struct timespec ts = {.tv_sec = (time_t)(t / 1000000000u), .tv_nsec = (long)(t % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/*
 * Rate limit: 1 when the stream is ahead of `rate` and slept instead of
 * sending (the caller re-checks the clock), 0 when it may send now.
 */
static int pace(const bxi_session *s, uint64_t sent_bytes, uint64_t now)
{
    uint64_t due = s->t0_ns + (uint64_t)((double)sent_bytes * 8e9 / (double)s->cfg.rate);
    if (due <= now)
        return 0;
    sleep_until_ns(due < s->end_ns ? due : s->end_ns);
    return 1;
}

static void tcp_info(bxi_stream *t)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(t->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
        t->retrans = ti.tcpi_total_retrans;
        t->rtt_us = ti.tcpi_rtt;
        t->have_info = 1;
    }
}

static void *tcp_sender(void *arg)
{
    bxi_stream *t = arg;
    bxi_session *s = t->s;
    const double cpu0 = bxi_thread_cpu();
    const size_t len = s->cfg.length;
    uint64_t sent = 0;
    if (s->cfg.window == 0 && bxi_same_host(t->fd)) {
        int v = (int)BXI_SAME_HOST_SNDBUF; /* why: iperf_int.h */
        (void)setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    }
    for (;;) {
        if (atomic_load_explicit(&s->stop, memory_order_relaxed))
            break;
        uint64_t now = bx_now_ns();
        if (now >= s->end_ns)
            break;
        if (s->cfg.rate && pace(s, sent, now))
            continue;
        ssize_t n = send(t->fd, t->buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            t->err = errno;
            break;
        }
        sent += (uint64_t)n;
        atomic_fetch_add_explicit(&t->bytes, (uint64_t)n, memory_order_relaxed);
    }
    t->t_last_ns = bx_now_ns();
    tcp_info(t);
    /* FIN after the last byte: the receiver's EOF marks the end of the stream */
    shutdown(t->fd, SHUT_WR);
    stream_done(t, cpu0);
    return NULL;
}

int bxi_rcvlowat_for(uint64_t bytes, uint64_t ns)
{
    uint64_t want = ns ? bytes * BXI_RCVLOWAT_NS / ns : 0;
    if (want < BXI_RCVLOWAT_MIN)
        return 1;
    return want > BXI_RCVLOWAT_MAX ? (int)BXI_RCVLOWAT_MAX : (int)(want & ~(uint64_t)4095);
}

static void *tcp_receiver(void *arg)
{
    bxi_stream *t = arg;
    bxi_session *s = t->s;
    const double cpu0 = bxi_thread_cpu();
    const size_t len = s->cfg.length;
    /* Wake up for about a millisecond of data (bxi_rcvlowat_for), starting
       high: the first estimate of the rate comes BXI_RCVLOWAT_EVERY_NS later.
       A window set by the user keeps the kernel's wake-ups. */
    const int tune = s->cfg.window == 0;
    int lowat = BXI_RCVLOWAT_MAX;
    if (!tune || setsockopt(t->fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat) != 0)
        lowat = 1;
    uint64_t win_bytes = 0, win_t0 = bx_now_ns();
    for (;;) {
        /* Non-blocking reads, and poll() when the queue is empty, as iperf3's
           select() loop does: a recv() that sleeps inside the socket call moved
           5-10 % fewer bytes on loopback (README.md, "Performance"). */
        ssize_t n = recv(t->fd, t->buf, len, MSG_DONTWAIT);
        if (n > 0) {
            atomic_fetch_add_explicit(&t->bytes, (uint64_t)n, memory_order_relaxed);
            win_bytes += (uint64_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            uint64_t now = bx_now_ns();
            if (tune && now - win_t0 >= BXI_RCVLOWAT_EVERY_NS) {
                int want = bxi_rcvlowat_for(win_bytes, now - win_t0);
                /* the kernel caps it at half the receive buffer */
                if (want != lowat &&
                    setsockopt(t->fd, SOL_SOCKET, SO_RCVLOWAT, &want, sizeof want) == 0)
                    lowat = want;
                win_bytes = 0;
                win_t0 = now;
            }
            /* stop_streams' shutdown() ends the wait (POLLHUP), as EOF does */
            struct pollfd pf = {.fd = t->fd, .events = POLLIN};
            (void)poll(&pf, 1, lowat > 1 ? BXI_RCVLOWAT_POLL_MS : -1);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && !atomic_load(&s->stop))
            t->err = errno;
        break; /* EOF: the sender is done */
    }
    t->t_last_ns = bx_now_ns();
    stream_done(t, cpu0);
    return NULL;
}

/* Datagram header (big-endian): magic, flags (1: hello), tag, sequence, send time. */
static void *udp_sender(void *arg)
{
    bxi_stream *t = arg;
    bxi_session *s = t->s;
    const double cpu0 = bxi_thread_cpu();
    const size_t len = s->cfg.length;
    unsigned char *b = (unsigned char *)t->buf;
    put32(b, BXI_UDP_MAGIC);
    put32(b + 4, 0);
    put64(b + 8, s->tag);
    uint64_t seq = 0, sent = 0;
    for (;;) {
        if (atomic_load_explicit(&s->stop, memory_order_relaxed))
            break;
        uint64_t now = bx_now_ns();
        if (now >= s->end_ns)
            break;
        if (s->cfg.rate && pace(s, sent, now))
            continue;
        put64(b + 16, seq);
        put64(b + 24, now);
        ssize_t n = send(t->fd, b, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) {
                /* full queue, or an ICMP error from an earlier datagram: the
                   control connection tells whether the peer is gone */
                sleep_until_ns(bx_now_ns() + 100000);
                continue;
            }
            t->err = errno;
            break;
        }
        seq++;
        sent += (uint64_t)n;
        atomic_fetch_add_explicit(&t->bytes, (uint64_t)n, memory_order_relaxed);
    }
    t->packets = seq;
    t->t_last_ns = bx_now_ns();
    stream_done(t, cpu0);
    return NULL;
}

static void *udp_receiver(void *arg)
{
    bxi_stream *t = arg;
    bxi_session *s = t->s;
    const double cpu0 = bxi_thread_cpu();
    const size_t len = s->cfg.length;
    unsigned char *b = (unsigned char *)t->buf;
    /* wake up every 100 ms to notice the end (draining) or an abort */
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
    (void)setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    t->t_last_ns = s->t0_ns;
    for (;;) {
        ssize_t n = recv(t->fd, b, len, 0);
        if (atomic_load_explicit(&s->stop, memory_order_relaxed))
            break;
        if (n < 0) {
            if (errno == EINTR || errno == ECONNREFUSED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (atomic_load(&s->draining))
                    break; /* the sender is done and nothing came for 100 ms */
                continue;
            }
            t->err = errno;
            break;
        }
        if ((size_t)n < BXI_UDP_HDR || get32(b) != BXI_UDP_MAGIC || get32(b + 4) != 0 ||
            get64(b + 8) != s->tag)
            continue; /* a hello, or not ours */
        uint64_t now = bx_now_ns();
        uint64_t seq = get64(b + 16), sent_ns = get64(b + 24);
        atomic_fetch_add_explicit(&t->bytes, (uint64_t)n, memory_order_relaxed);
        t->t_last_ns = now;
        if (atomic_load_explicit(&s->omit_passed, memory_order_relaxed)) {
            if (!t->seen) {
                t->seen = 1;
                t->first = t->max = seq;
                t->packets = 1;
            } else {
                t->packets++;
                if (seq > t->max)
                    t->max = seq;
            }
        }
        /* RFC 3550 6.4.1: J += (|D| - J) / 16, D the change in transit time;
           the clocks' offset cancels out */
        int64_t transit = (int64_t)(now - sent_ns);
        if (t->have_prev) {
            int64_t d = transit - t->prev_transit;
            t->jitter_ns += ((double)(d < 0 ? -d : d) - t->jitter_ns) / 16.0;
        }
        t->prev_transit = transit;
        t->have_prev = 1;
    }
    stream_done(t, cpu0);
    return NULL;
}

/* ---- the session ----------------------------------------------------------- */

bxi_session *bxi_session_new(const bxi_config *c, int is_server, int ctl, uint64_t tag, char *err,
                             size_t errlen)
{
    bxi_session *s = calloc(1, sizeof *s);
    if (!s) {
        close(ctl);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = *c;
    s->is_server = is_server;
    s->sender = is_server ? c->reverse : !c->reverse;
    s->ctl = ctl;
    s->tag = tag;
    s->n = (int)c->streams;
    s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    s->ivcap = bxi_config_intervals(c);
    s->iv = calloc(s->ivcap, sizeof *s->iv);
    size_t stbytes = sizeof(bxi_stream) * (size_t)s->n;
    s->st = aligned_alloc(64, stbytes);
    if (s->efd < 0 || !s->iv || !s->st) {
        snprintf(err, errlen, "cannot set up the test: %s", s->efd < 0 ? strerror(errno) : "out of memory");
        if (!s->st)
            s->n = 0;
        bxi_session_free(s);
        return NULL;
    }
    memset(s->st, 0, stbytes);
    for (int i = 0; i < s->n; i++) {
        s->st[i].s = s;
        s->st[i].idx = i;
        s->st[i].fd = -1;
    }
    bxi_reader_reset(&s->rd);
    return s;
}

void bxi_session_set_stream(bxi_session *s, int i, int fd)
{
    if (s->st[i].fd >= 0)
        close(s->st[i].fd);
    s->st[i].fd = fd;
}

void bxi_session_free(bxi_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++) {
        if (s->st[i].fd >= 0)
            close(s->st[i].fd);
        free(s->st[i].buf);
    }
    if (s->ctl >= 0)
        close(s->ctl);
    if (s->efd >= 0)
        close(s->efd);
    free(s->st);
    free(s->iv);
    free(s);
}

static uint64_t sum_bytes(const bxi_session *s)
{
    uint64_t b = 0;
    for (int i = 0; i < s->n; i++)
        b += atomic_load_explicit(&s->st[i].bytes, memory_order_relaxed);
    return b;
}

/* Stop every stream thread and wait for them. */
static void stop_streams(bxi_session *s, int abort)
{
    if (abort) {
        atomic_store(&s->stop, 1);
        /* wakes threads blocked in send/recv (EOF or EPIPE) */
        for (int i = 0; i < s->n; i++)
            if (s->st[i].fd >= 0)
                shutdown(s->st[i].fd, SHUT_RDWR);
    }
    for (int i = 0; i < s->n; i++)
        if (s->st[i].started) {
            pthread_join(s->st[i].th, NULL);
            s->st[i].started = 0;
        }
}

static int start_streams(bxi_session *s, char *err, size_t errlen)
{
    void *(*fn)(void *) = s->cfg.udp ? (s->sender ? udp_sender : udp_receiver)
                                     : (s->sender ? tcp_sender : tcp_receiver);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, STREAM_STACK);
    for (int i = 0; i < s->n; i++) {
        bxi_stream *t = &s->st[i];
        /* the sockets are blocking from here on: one thread per stream */
        bxi_set_nonblock(t->fd, 0);
        if (posix_memalign((void **)&t->buf, 4096, s->cfg.length) != 0) {
            t->buf = NULL;
            snprintf(err, errlen, "out of memory for a %u-byte buffer", s->cfg.length);
            pthread_attr_destroy(&attr);
            return -1;
        }
        /* a pattern, not zeros: nothing on the path may compress the payload */
        for (uint32_t k = 0; k < s->cfg.length; k++)
            t->buf[k] = (char)(k * 131u + (uint32_t)i * 7u + 1u);
        int rc = pthread_create(&t->th, &attr, fn, t);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start the thread of stream %d: %s", i, strerror(rc));
            pthread_attr_destroy(&attr);
            return -1;
        }
        t->started = 1;
    }
    pthread_attr_destroy(&attr);
    return 0;
}

/* Answer every waiting new connection on a listening socket with BUSY. */
static void bounce(int lfd, unsigned long *count)
{
    for (int k = 0; k < 64; k++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        bxi_say_busy(fd);
        close(fd);
        if (count)
            (*count)++;
    }
}

/* Record one interval of the receiver and tell the peer (the sender) about it. */
static int add_interval(bxi_session *s, uint64_t bytes, double seconds, char *err, size_t errlen)
{
    uint64_t usec = (uint64_t)llround(seconds * 1e6);
    if (s->niv >= s->ivcap || usec == 0)
        return 0;
    s->iv[s->niv++] = bxi_gbps(bytes, usec);
    bxi_msgw w;
    bxi_msgw_begin(&w, "INTERVAL");
    bxi_msgw_u64(&w, "index", s->niv - 1);
    bxi_msgw_u64(&w, "bytes", bytes);
    bxi_msgw_u64(&w, "usec", usec);
    return bxi_send_msg(s->ctl, &w, bx_now() + BXI_REPLY_TIMEOUT, err, errlen);
}

/* An INTERVAL from the receiving peer (we are the sender). */
static int take_interval(bxi_session *s, const bxi_msg *m, char *err, size_t errlen)
{
    static const char *const keys[] = {"index", "bytes", "usec", NULL};
    uint64_t idx, bytes, usec;
    if (!s->sender) {
        snprintf(err, errlen, "the peer sent INTERVAL but it is not the receiver");
        return -1;
    }
    if (bxi_msg_only(m, keys, err, errlen) ||
        bxi_msg_u64(m, "index", 0, s->ivcap - 1, &idx, err, errlen) ||
        bxi_msg_u64(m, "bytes", 0, 1ull << 62, &bytes, err, errlen) ||
        bxi_msg_u64(m, "usec", 1, 1000000000000ull, &usec, err, errlen))
        return -1;
    if (idx != s->niv) {
        snprintf(err, errlen, "INTERVAL %llu arrived out of order (expected %zu)",
                 (unsigned long long)idx, s->niv);
        return -1;
    }
    s->iv[s->niv++] = bxi_gbps(bytes, usec);
    return 0;
}

static void side_to_msg(const bxi_side *d, bxi_msgw *w)
{
    bxi_msgw_begin(w, "RESULTS");
    bxi_msgw_u64(w, "bytes", d->bytes);
    bxi_msgw_u64(w, "usec", d->usec);
    bxi_msgw_u64(w, "retransmits", d->retransmits);
    bxi_msgw_u64(w, "rtt_us", d->rtt_us);
    bxi_msgw_dbl(w, "jitter_ms", d->jitter_ms);
    bxi_msgw_u64(w, "lost", d->lost);
    bxi_msgw_u64(w, "expected", d->expected);
    bxi_msgw_u64(w, "packets", d->packets);
    bxi_msgw_dbl(w, "cpu", d->cpu);
    bxi_msgw_u64(w, "window", d->window);
}

static int side_from_msg(const bxi_msg *m, bxi_side *d, char *err, size_t errlen)
{
    static const char *const keys[] = {"bytes", "usec",     "retransmits", "rtt_us",
                                       "jitter_ms", "lost", "expected",    "packets",
                                       "cpu",   "window",   NULL};
    const uint64_t big = 1ull << 62;
    memset(d, 0, sizeof *d);
    if (bxi_msg_only(m, keys, err, errlen) ||
        bxi_msg_u64(m, "bytes", 0, big, &d->bytes, err, errlen) ||
        bxi_msg_u64(m, "usec", 0, 1000000000000ull, &d->usec, err, errlen) ||
        bxi_msg_u64(m, "retransmits", 0, big, &d->retransmits, err, errlen) ||
        bxi_msg_u64(m, "rtt_us", 0, 1000000000ull, &d->rtt_us, err, errlen) ||
        bxi_msg_dbl(m, "jitter_ms", 0, 1e9, &d->jitter_ms, err, errlen) ||
        bxi_msg_u64(m, "expected", 0, big, &d->expected, err, errlen) ||
        bxi_msg_u64(m, "lost", 0, d->expected, &d->lost, err, errlen) ||
        bxi_msg_u64(m, "packets", 0, big, &d->packets, err, errlen) ||
        bxi_msg_dbl(m, "cpu", 0, 1e6, &d->cpu, err, errlen) ||
        bxi_msg_u64(m, "window", 0, big, &d->window, err, errlen))
        return -1;
    return 0;
}

/* Handle one control message during the test.  0 fine, -1 abort (err set). */
static int on_message(bxi_session *s, const bxi_msg *m, char *err, size_t errlen)
{
    if (bxi_msg_is(m, "INTERVAL"))
        return take_interval(s, m, err, errlen);
    if (bxi_msg_is(m, "DONE") && !s->sender && !s->peer_done && m->nfields == 0) {
        s->peer_done = 1;
        atomic_store(&s->draining, 1);
        return 0;
    }
    /* a sending client follows DONE with its RESULTS at once, maybe while
       the server still drains its receive queues */
    if (bxi_msg_is(m, "RESULTS") && s->is_server && s->peer_done && !s->have_peer_side) {
        char e[256];
        if (side_from_msg(m, &s->peer_side, e, sizeof e)) {
            snprintf(err, errlen, "bad RESULTS from the peer: %s", e);
            return -1;
        }
        s->have_peer_side = 1;
        return 0;
    }
    if (bxi_msg_is(m, "ERROR")) {
        const char *r = bxi_msg_get(m, "reason");
        snprintf(err, errlen, "the peer reported an error: %.300s", r ? r : "(no reason)");
        return -1;
    }
    snprintf(err, errlen, "unexpected %s message from the peer during the test", m->type);
    return -1;
}

/* The local side's numbers once every stream thread has ended. */
static void local_results(bxi_session *s, uint64_t base, double snap_t, double t_start,
                          double cpu_ctl, bxi_side *d)
{
    memset(d, 0, sizeof *d);
    uint64_t last = 0;
    double cpu = cpu_ctl, jit = 0;
    int njit = 0, ninfo = 0;
    for (int i = 0; i < s->n; i++) {
        bxi_stream *t = &s->st[i];
        if (t->t_last_ns > last)
            last = t->t_last_ns;
        cpu += t->cpu;
        if (s->sender) {
            d->packets += t->packets;
            if (t->have_info) {
                d->retransmits += t->retrans;
                d->rtt_us += t->rtt_us;
                ninfo++;
            }
        } else if (s->cfg.udp) {
            d->packets += t->packets;
            if (t->seen) {
                uint64_t span = t->max - t->first + 1;
                d->expected += span;
                d->lost += span > t->packets ? span - t->packets : 0;
            }
            if (t->have_prev) {
                jit += t->jitter_ns;
                njit++;
            }
        }
    }
    if (ninfo)
        d->rtt_us /= (uint64_t)ninfo;
    d->jitter_ms = njit ? jit / njit / 1e6 : 0;
    d->bytes = sum_bytes(s) - base;
    double t_last = (double)last * 1e-9;
    d->usec = t_last > snap_t ? (uint64_t)llround((t_last - snap_t) * 1e6) : 1;
    double wall = bx_now() - t_start;
    d->cpu = wall > 0 ? 100.0 * cpu / wall : 0;
    d->window = bxi_get_window(s->st[0].fd);
}

static int exchange_results(bxi_session *s, const bxi_side *mine, bxi_side *theirs, char *err,
                            size_t errlen)
{
    bxi_msgw w;
    double deadline = bx_now() + BXI_REPLY_TIMEOUT;
    side_to_msg(mine, &w);
    /* the client speaks first, the server answers */
    if (!s->is_server && bxi_send_msg(s->ctl, &w, deadline, err, errlen))
        return -1;
    if (s->have_peer_side)
        *theirs = s->peer_side;
    while (!s->have_peer_side) {
        char e[256];
        int rc = bxi_recv_msg(s->ctl, &s->rd, &s->msg, deadline, e, sizeof e);
        if (rc != 0) {
            snprintf(err, errlen, "waiting for the peer's RESULTS: %s", e);
            return -1;
        }
        if (bxi_msg_is(&s->msg, "RESULTS")) {
            if (side_from_msg(&s->msg, theirs, e, sizeof e)) {
                snprintf(err, errlen, "bad RESULTS from the peer: %s", e);
                return -1;
            }
            break;
        }
        if (on_message(s, &s->msg, e, sizeof e)) {
            snprintf(err, errlen, "%s", e);
            return -1;
        }
    }
    if (s->is_server && bxi_send_msg(s->ctl, &w, deadline, err, errlen))
        return -1;
    return 0;
}

int bxi_session_run(bxi_session *s, int busy_fd, unsigned long *busy_count, int stop_fd,
                    bxi_outcome *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const double cpu0 = bxi_thread_cpu();
    const double ivl = s->cfg.interval_ms / 1e3;
    s->t0_ns = bx_now_ns();
    s->end_ns = s->t0_ns + ((uint64_t)s->cfg.omit_ms + s->cfg.duration_ms) * 1000000u;
    const double t0 = (double)s->t0_ns * 1e-9;
    const double omit_at = t0 + s->cfg.omit_ms / 1e3;
    const double end_at = (double)s->end_ns * 1e-9;
    const double hard = end_at + BXI_GRACE + 0.1 * s->cfg.duration_ms / 1e3;

    if (start_streams(s, err, errlen)) {
        stop_streams(s, 1);
        bxi_say_error(s->ctl, err);
        return -1;
    }

    int finished = 0, done_sent = 0, snap = 0, failed = 0;
    uint64_t base = 0, last_b = 0;
    double snap_t = omit_at, last_t = omit_at, next_tick = omit_at;
    char e[512] = "";
    for (;;) {
        double now = bx_now();
        /* the omit mark on both sides, then (receiver) one sample per interval */
        while (finished < s->n && now >= next_tick) {
            uint64_t b = sum_bytes(s);
            if (!snap) {
                snap = 1;
                base = last_b = b;
                snap_t = last_t = now;
                atomic_store(&s->omit_passed, 1);
            } else {
                if (add_interval(s, b - last_b, now - last_t, e, sizeof e)) {
                    failed = 1;
                    break;
                }
                last_b = b;
                last_t = now;
            }
            next_tick = s->sender ? INFINITY : next_tick + ivl;
            if (next_tick <= now)
                next_tick = now + ivl;
        }
        if (failed)
            break;
        if (finished == s->n) {
            for (int i = 0; i < s->n && !failed; i++)
                if (s->st[i].err) {
                    snprintf(e, sizeof e, "stream %d: %s failed: %s", i,
                             s->sender ? "send" : "receive", strerror(s->st[i].err));
                    failed = 1;
                }
            if (failed)
                break;
            if (s->sender && !done_sent) {
                bxi_msgw w;
                bxi_msgw_begin(&w, "DONE");
                if (bxi_send_msg(s->ctl, &w, now + BXI_REPLY_TIMEOUT, e, sizeof e)) {
                    failed = 1;
                    break;
                }
                done_sent = 1;
            }
            if (s->sender || s->peer_done)
                break;
        }
        if (now >= hard) {
            snprintf(e, sizeof e,
                     "the test did not end within %.0f s of its planned end (the peer stopped "
                     "sending or answering)",
                     hard - end_at);
            failed = 1;
            break;
        }
        double until = finished < s->n && next_tick < hard ? next_tick : hard;
        struct pollfd p[4] = {{.fd = s->ctl, .events = POLLIN},
                              {.fd = s->efd, .events = POLLIN},
                              {.fd = busy_fd, .events = POLLIN},
                              {.fd = stop_fd, .events = POLLIN}};
        int ms = (int)ceil((until - now) * 1000);
        int rc = poll(p, 4, ms < 0 ? 0 : ms);
        if (rc < 0 && errno != EINTR) {
            snprintf(e, sizeof e, "poll: %s", strerror(errno));
            failed = 1;
            break;
        }
        if (rc <= 0)
            continue;
        if (p[3].revents) {
            snprintf(e, sizeof e, "the test was stopped");
            failed = 1;
            break;
        }
        if (p[2].revents & POLLIN)
            bounce(busy_fd, busy_count);
        if (p[1].revents & POLLIN) {
            uint64_t v;
            if (read(s->efd, &v, sizeof v) == (ssize_t)sizeof v)
                finished += (int)v;
        }
        if (p[0].revents) {
            for (;;) {
                int se = 0;
                int rd = bxi_reader_feed(&s->rd, s->ctl, &se);
                if (rd == BXI_RD_MORE)
                    break;
                if (rd != BXI_RD_FRAME) {
                    char w[160];
                    snprintf(e, sizeof e, "control connection lost mid-test: %s",
                             bxi_rd_what(rd, se, w, sizeof w));
                    failed = 1;
                    break;
                }
                int bad = bxi_reader_msg(&s->rd, &s->msg, e, sizeof e) ||
                          on_message(s, &s->msg, e, sizeof e);
                bxi_reader_reset(&s->rd);
                if (bad) {
                    failed = 1;
                    break;
                }
            }
            if (failed)
                break;
        }
    }

    stop_streams(s, failed);
    if (failed) {
        /* tell the peer why, if it still listens; it may be the one at fault */
        bxi_say_error(s->ctl, e);
        snprintf(err, errlen, "%s", e);
        return -1;
    }
    if (!snap) {
        snprintf(err, errlen, "the data streams ended before the omit period was over");
        bxi_say_error(s->ctl, err);
        return -1;
    }
    /* the receiver's final, partial interval (the sender stops on its own clock) */
    if (!s->sender) {
        uint64_t lastns = 0;
        for (int i = 0; i < s->n; i++)
            if (s->st[i].t_last_ns > lastns)
                lastns = s->st[i].t_last_ns;
        double dt = (double)lastns * 1e-9 - last_t;
        uint64_t b = sum_bytes(s);
        if (dt >= 0.25 * ivl && b > last_b) {
            if (add_interval(s, b - last_b, dt, err, errlen))
                return -1;
        }
    }
    bxi_side mine;
    local_results(s, base, snap_t, t0, bxi_thread_cpu() - cpu0, &mine);
    bxi_side theirs;
    if (exchange_results(s, &mine, &theirs, err, errlen)) {
        bxi_say_error(s->ctl, err);
        return -1;
    }
    out->cfg = s->cfg;
    out->local_sender = s->sender;
    out->local_server = s->is_server;
    out->local = mine;
    out->remote = theirs;
    bxi_addr peer;
    if (bxi_peer_addr(s->ctl, &peer) == 0)
        bxi_addr_str(&peer, out->peer, sizeof out->peer);
    out->iv = s->iv; /* ownership moves to the outcome */
    out->niv = s->niv;
    s->iv = NULL;
    s->niv = 0;
    return 0;
}
