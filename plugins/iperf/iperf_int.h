/*
 * iperf_int.h — internals of the iperf plugin shared by its source files.
 *
 *   iperf.c    the plugin: parameters, check(), modes, metrics
 *   session.c  one running test on one side: stream threads, intervals, results
 *   server.c   the server: accepts and vets connections, runs one test at a time
 *   client.c   the client side of one test
 *   pairs.c    mode=pairs: address exchange and result gathering over MPI
 *   proto.c    control messages; net.c socket helpers
 *
 * Nothing in session/server/client calls the bx_* host functions (they run
 * on threads of their own in loopback mode): they report through return
 * codes, error strings and the structs below.
 */
#ifndef BXI_IPERF_INT_H
#define BXI_IPERF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "benchaas/plugin.h"
#include "net.h"
#include "proto.h"

#define BXI_MAX_STREAMS 128
#define BXI_MAX_INTERVALS 100000u           /* per test: duration / interval */
#define BXI_TCP_MAXLEN (64u << 20)          /* length for TCP */
#define BXI_UDP_HDR 32                      /* datagram header, see README */
#define BXI_UDP_MAXLEN 65507                /* largest IPv4 UDP payload */
#define BXI_UDP_DEFLEN 1460                 /* fits an Ethernet frame */
#define BXI_MAX_BUFFERS (256ull << 20)      /* streams * length, on each side */
#define BXI_MAX_DURATION_MS 604800000u      /* a week */
#define BXI_UDP_MAGIC 0x42584955u           /* "BXIU" */

/* Timeouts (s). */
#define BXI_CONNECT_TIMEOUT 10.0 /* TCP connect of the client */
#define BXI_HELLO_TIMEOUT 5.0    /* a new connection must send its first message */
#define BXI_SETUP_TIMEOUT 10.0   /* every stream must connect after ACCEPT */
#define BXI_REPLY_TIMEOUT 10.0   /* any expected control message outside a test */
#define BXI_GRACE 5.0            /* after the planned end (+10% of duration) */

/* What the client asks for: the fields of the TEST message. */
typedef struct bxi_config {
    int udp;              /* 0 TCP, 1 UDP */
    uint32_t streams;     /* 1..BXI_MAX_STREAMS */
    uint32_t length;      /* bytes per send/recv (UDP: datagram payload) */
    uint64_t window;      /* SO_SNDBUF/SO_RCVBUF, 0: kernel default */
    int reverse;          /* 1: the server sends */
    uint64_t rate;        /* bit/s per stream, 0: unlimited */
    uint32_t duration_ms; /* measured time after the omit period */
    uint32_t omit_ms;     /* warm-up not counted */
    uint32_t interval_ms; /* reporting interval */
} bxi_config;

/* 0, or -1 and why (used by check() and by the server on every TEST). */
int bxi_config_validate(const bxi_config *c, char *err, size_t errlen);
/* Room for the per-interval samples of a test with this config. */
size_t bxi_config_intervals(const bxi_config *c);

/* One side's numbers for one test: what the RESULTS message carries. */
typedef struct bxi_side {
    uint64_t bytes;       /* payload bytes moved after the omit period */
    uint64_t usec;        /* receiver: omit mark to last byte; sender: omit mark to end */
    uint64_t retransmits; /* TCP sender: sum of tcpi_total_retrans */
    uint64_t rtt_us;      /* TCP sender: mean smoothed RTT of the streams */
    double jitter_ms;     /* UDP receiver: mean of the streams' RFC 3550 jitter */
    uint64_t lost;        /* UDP receiver: datagrams missing from the sequence */
    uint64_t expected;    /* UDP receiver: datagrams the sequence numbers span */
    uint64_t packets;     /* UDP: datagrams sent (sender) or received (receiver) */
    double cpu;           /* percent of one core (user+system) during the test */
    uint64_t window;      /* effective socket buffer size of the first stream */
} bxi_side;

/* A finished test as one side saw it. */
typedef struct bxi_outcome {
    bxi_config cfg;
    int local_sender;  /* this side sent the data */
    int local_server;  /* this side was the server */
    bxi_side local, remote;
    double *iv;        /* receiver's per-interval rates, Gbit/s (owned) */
    size_t niv;
    char peer[80];     /* the other side's control address */
} bxi_outcome;

void bxi_outcome_free(bxi_outcome *o);
const bxi_side *bxi_receiver(const bxi_outcome *o);
const bxi_side *bxi_sender(const bxi_outcome *o);
const bxi_side *bxi_client_side(const bxi_outcome *o);
const bxi_side *bxi_server_side(const bxi_outcome *o);
double bxi_gbps(uint64_t bytes, uint64_t usec);
/* The receiver's rate, Gbit/s (1e9 bit/s). */
double bxi_outcome_gbps(const bxi_outcome *o);
double bxi_outcome_lost_percent(const bxi_outcome *o);

/* ---- session.c: one test on one side ------------------------------------ */

typedef struct bxi_session bxi_session;

/*
 * A test on one side.  ctl: the connected, non-blocking control socket
 * (owned by the session from now on).  tag: the UDP datagram tag derived
 * from the cookie.
 */
bxi_session *bxi_session_new(const bxi_config *c, int is_server, int ctl, uint64_t tag, char *err,
                             size_t errlen);
/* Hand data socket fd (blocking or not; owned by the session) to stream i. */
void bxi_session_set_stream(bxi_session *s, int i, int fd);
/*
 * Run the test from START to the exchange of RESULTS: start one thread per
 * stream, send or receive until the end, report intervals, exchange
 * results.  busy_fd >= 0: a listening socket whose new connections get a
 * BUSY answer meanwhile (counted in *busy_count if not NULL).  stop_fd >= 0:
 * readable means abort.  0 and *out filled (free with bxi_outcome_free), or
 * -1 and err.
 */
int bxi_session_run(bxi_session *s, int busy_fd, unsigned long *busy_count, int stop_fd,
                    bxi_outcome *out, char *err, size_t errlen);
/* Close every socket and free. */
void bxi_session_free(bxi_session *s);

/*
 * A TCP receiver's wake-up threshold (SO_RCVLOWAT) after it received `bytes`
 * in the last `ns` nanoseconds: about BXI_RCVLOWAT_NS worth of data at that
 * rate, in whole 4 KiB, at most BXI_RCVLOWAT_MAX; 1 (the kernel's default:
 * any byte) when that is under BXI_RCVLOWAT_MIN.  A receiver woken for every
 * 64 KiB segment costs the sender's CPU a wake-up each time; one woken per
 * megabyte moved about 1.5x the bytes of one loopback stream (README.md,
 * "Performance").  The receiver re-estimates every BXI_RCVLOWAT_EVERY_NS and
 * waits at most BXI_RCVLOWAT_POLL_MS while a threshold is set, so bytes wait
 * uncounted at most that long when the rate falls.
 */
#define BXI_RCVLOWAT_NS 1000000u        /* a millisecond of data */
#define BXI_RCVLOWAT_MIN (128u << 10)
#define BXI_RCVLOWAT_MAX (1u << 20)
#define BXI_RCVLOWAT_EVERY_NS 10000000u /* 10 ms */
#define BXI_RCVLOWAT_POLL_MS 10
int bxi_rcvlowat_for(uint64_t bytes, uint64_t ns);

/*
 * The send buffer (SO_SNDBUF; the kernel caps it at net.core.wmem_max and
 * doubles it) of a TCP sender whose receiver is on the same host
 * (bxi_same_host) and whose user set no `window`.  Such a path has no
 * network to keep full: bytes in flight only wait in memory, most likely
 * out of the core's cache by the time the receiver copies them out.  The
 * kernel's autotuning grows the buffer to tcp_wmem's maximum (4 MiB); with
 * this one a loopback stream moved 1.6-2x the bytes when both ends share a
 * core (README.md, "Performance").  Connections between hosts keep the
 * kernel's autotuning.
 */
#define BXI_SAME_HOST_SNDBUF (256u << 10)

/* The 64-bit tag in every datagram of a test: the cookie's first 16 hex digits. */
uint64_t bxi_cookie_tag(const char *cookie);

/* Build the TEST message of a config / read one (strictly) into a config. */
void bxi_config_to_msg(const bxi_config *c, bxi_msgw *w);
int bxi_config_from_msg(const bxi_msg *m, bxi_config *c, char *err, size_t errlen);

/* Best-effort one-shot BUSY or ERROR answer on a socket we are about to close. */
void bxi_say_busy(int fd);
void bxi_say_error(int fd, const char *reason);

/* ---- server.c ------------------------------------------------------------ */

#define BXI_SERVER_KEEP 1000 /* results of at most this many tests are kept */

typedef struct bxi_server {
    int lfd;          /* listening socket */
    int wake;         /* eventfd: bxi_server_stop() */
    bxi_addr addr;    /* where it listens */
    /* what happened (read after bxi_server_serve returns) */
    bxi_outcome *done; /* completed tests, oldest first (owned) */
    size_t ndone;
    unsigned long served, rejected, busy, aborted;
    char last_rejected[256], last_aborted[256];
} bxi_server;

/* Listen on a (port 0: any free port).  *sys_errno tells EADDRINUSE. */
int bxi_server_open(bxi_server *s, const bxi_addr *a, int *sys_errno, char *err, size_t errlen);
/*
 * Serve tests one at a time until `tests` have completed (0: no limit), no
 * test is running at `deadline` (bx_now() time), or bxi_server_stop().
 * Misbehaving peers are counted (rejected, aborted) and never end the loop.
 * 0, or -1 and err on a local failure (poll, accept, memory).
 */
int bxi_server_serve(bxi_server *s, unsigned long tests, double deadline, char *err,
                     size_t errlen);
/* Thread-safe: make bxi_server_serve return soon. */
void bxi_server_stop(bxi_server *s);
void bxi_server_close(bxi_server *s);

/* ---- client.c ------------------------------------------------------------ */

/*
 * Run one test against the server at `server`.  0 and *out filled, or a
 * BX_* code (BX_ECOMM: refused, busy, vanished peer...) and err naming the
 * address.
 */
int bxi_client_test(const bxi_config *c, const bxi_addr *server, bxi_outcome *out, char *err,
                    size_t errlen);

/* Parse a rate: "100m", "2.5g", "1000000" (bit/s; k m g t = 1e3 .. 1e12). */
int bxi_parse_rate(const char *text, uint64_t *out);

/* ---- iperf.c / pairs.c ------------------------------------------------------ */

/* The metrics of one test (or, in pairs mode, of all pairs together). */
typedef struct bxi_stats {
    double gbps;         /* receiver's rate; pairs: sum over pairs */
    double retransmits;  /* TCP sender; pairs: sum */
    double rtt_us;       /* TCP sender; pairs: mean */
    double jitter_ms;    /* UDP receiver; pairs: mean */
    double lost_percent; /* UDP receiver; pairs: of all datagrams */
    double cpu_client, cpu_server; /* percent of one core; pairs: mean */
    double slowest_pair; /* pairs: the lowest pair's gbps */
} bxi_stats;

void bxi_stats_from_outcome(const bxi_outcome *o, bxi_stats *st);
/* Metadata `socket_buffer`: the local data socket's larger of SO_SNDBUF and
 * SO_RCVBUF in a test (pairs: rank 0's, the first pair's client). */
void bxi_meta_socket_buffer(bx_ctx *ctx, const bxi_outcome *o);

typedef struct bxi_pairs bxi_pairs;
/*
 * mode=pairs.  init: listen (server ranks: i >= N/2) and exchange
 * addresses over MPI.  run: every pair measures at once; rank 0 gets the
 * aggregate in *agg and emits the per-interval (aggregate) and per-pair
 * samples itself.  Every rank returns the same code.
 */
int bxi_pairs_init(bx_ctx *ctx, const bxi_config *c, const char *interface,
                   bxi_pairs **out);
int bxi_pairs_run(bx_ctx *ctx, bxi_pairs *p, bxi_stats *agg);
void bxi_pairs_free(bxi_pairs *p);

#endif
