/*
 * iperf.c — the "iperf" BenchaaS plugin: TCP and UDP throughput in the
 * spirit of iperf3 (its options and metrics), with its own control
 * protocol (README.md).  This file holds the parameter and metric tables,
 * check(), and the four modes:
 *
 *   loopback  a server thread and the client in one process (127.0.0.1)
 *   client    one test against a server at host:port
 *   server    serve `tests` tests (or until `duration`) on bind:port
 *   pairs     rank i measures against rank i+N/2, all pairs at once (pairs.c)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchaas/plugin.h"
#include "benchaas/sdk.h"
#include "iperf_int.h"

enum { M_LOOPBACK, M_CLIENT, M_SERVER, M_PAIRS };

static const char *const modes[] = {"loopback", "client", "server", "pairs", NULL};
static const char *const protocols[] = {"tcp", "udp", NULL};

static const bx_param params[] = {
    {"mode", BX_ENUM, "loopback", BX_NORANGE, modes,
     "loopback: server and client in this process on `bind` (a node's self-test); client: "
     "measure against a server at host:port; server: serve tests on bind:port; pairs: rank i "
     "measures against rank i+N/2 over MPI-exchanged addresses, all pairs at once", 0},
    {"host", BX_STRING, NULL, BX_NORANGE, NULL, "client mode: name or address of the server", BX_PARAM_HOST},
    {"bind", BX_STRING, "127.0.0.1", BX_NORANGE, NULL,
     "server and loopback: local address to listen on (0.0.0.0 or :: for every interface)", 0},
    {"port", BX_INT, "5201", BX_RANGE(0, 65535), NULL,
     "TCP port of the server's control and data connections (UDP data uses ports the server "
     "picks and announces); loopback: 0 lets the kernel pick a free one", 0},
    {"duration", BX_DOUBLE, "10", BX_RANGE(0, 604800), NULL,
     "seconds measured (iperf3 -t), after the omit period; server mode: seconds during which "
     "new tests are accepted", 0},
    {"omit", BX_DOUBLE, "0", BX_RANGE(0, 3600), NULL,
     "seconds of warm-up at the start of each test, not counted (iperf3 -O)", 0},
    {"interval", BX_DOUBLE, "1", BX_RANGE(0.01, 3600), NULL,
     "seconds per throughput sample (iperf3 -i)", 0},
    {"streams", BX_INT, "1", BX_RANGE(1, BXI_MAX_STREAMS), NULL,
     "parallel streams, one thread each on both sides (iperf3 -P)", 0},
    {"length", BX_SIZE, NULL, BX_RANGE(1, BXI_TCP_MAXLEN), NULL,
     "bytes per send/recv call (iperf3 -l); default 128k for TCP, 1460 for UDP (the datagram "
     "size, 32..65507)", 0},
    {"window", BX_SIZE, NULL, BX_RANGE(1024, 1 << 30), NULL,
     "socket buffer size, SO_SNDBUF and SO_RCVBUF on both sides (iperf3 -w); default: the "
     "kernel's autotuning, except a 256 KiB send buffer when both ends are on one host", 0},
    {"reverse", BX_BOOL, "false", BX_NORANGE, NULL,
     "the server sends and the client receives (iperf3 -R)", 0},
    {"protocol", BX_ENUM, "tcp", BX_NORANGE, protocols, "tcp or udp", 0},
    {"rate", BX_STRING, NULL, BX_NORANGE, NULL,
     "target bit/s per stream (iperf3 -b): a number with an optional k, m, g or t suffix in "
     "powers of 1000 (network units, unlike sizes), e.g. 500m or 2.5g; 0 = unlimited; default "
     "1m for UDP, unlimited for TCP", 0},
    {"tests", BX_INT, "1", BX_RANGE(0, 1000000), NULL,
     "server mode: tests to serve before the run ends (0: as many as come within duration)", 0},
    {"interface", BX_STRING, NULL, BX_NORANGE, NULL,
     "pairs mode: network interface (e.g. ib0) whose address server ranks listen on and "
     "publish; default: every interface, published as the address the host name resolves to", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

static const bx_metric_def metrics[] = {
    {"throughput", "Gbit/s", BX_BETTER_HIGHER,
     "payload rate counted by the receiver, 1e9 bit/s (pairs: sum over pairs); samples: one "
     "per interval", BX_METRIC_HEADLINE},
    {"retransmits", "", BX_BETTER_LOWER, "TCP: segments the sender retransmitted (TCP_INFO)", 0},
    {"rtt", "us", BX_BETTER_LOWER, "TCP: the sender's smoothed round-trip time (TCP_INFO)", 0},
    {"jitter", "ms", BX_BETTER_LOWER, "UDP: the receiver's RFC 3550 interarrival jitter", 0},
    {"lost_percent", "%", BX_BETTER_LOWER, "UDP: datagrams lost, of those sent", 0},
    {"cpu_client", "%", BX_BETTER_NONE,
     "CPU time (user+system) of the client's threads per second of the test, percent of one core", 0},
    {"cpu_server", "%", BX_BETTER_NONE,
     "CPU time (user+system) of the server's threads per second of the test, percent of one core", 0},
    {"pair_throughput", "Gbit/s", BX_BETTER_HIGHER,
     "pairs mode: each pair's throughput as samples; the value is the slowest pair", 0},
    {NULL, NULL, 0, NULL, 0},
};

typedef struct iperf_state {
    int mode;
    bxi_config cfg;
    bxi_addr target; /* client and loopback: where the server is */
    bxi_server srv;
    int have_srv;
    bxi_pairs *pairs;
    bxi_stats *reps; /* one entry per repetition (server mode: per test served) */
    size_t nreps, capreps;
} iperf_state;

static int get_mode(bx_ctx *ctx)
{
    const char *m = bx_param_str(ctx, "mode");
    for (int i = 0; modes[i]; i++)
        if (strcmp(m, modes[i]) == 0)
            return i;
    return M_LOOPBACK;
}

/* The parameters as a test configuration (check() and init()). */
static int read_config(bx_ctx *ctx, bxi_config *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->udp = strcmp(bx_param_str(ctx, "protocol"), "udp") == 0;
    c->streams = (uint32_t)bx_param_int(ctx, "streams");
    c->length = bx_param_isset(ctx, "length") ? (uint32_t)bx_param_int(ctx, "length")
                                              : (c->udp ? BXI_UDP_DEFLEN : 128u * 1024u);
    c->window = bx_param_isset(ctx, "window") ? (uint64_t)bx_param_int(ctx, "window") : 0;
    c->reverse = bx_param_bool(ctx, "reverse");
    if (bx_param_isset(ctx, "rate")) {
        const char *r = bx_param_str(ctx, "rate");
        if (bxi_parse_rate(r, &c->rate)) {
            snprintf(err, errlen,
                     "rate '%s' is not a bit rate: use a number of bit/s with an optional k, m, "
                     "g or t suffix (powers of 1000), e.g. 500m; 0 for unlimited",
                     r);
            return -1;
        }
    } else {
        c->rate = c->udp ? 1000000u : 0; /* iperf3's UDP default */
    }
    double d = bx_param_double(ctx, "duration"), o = bx_param_double(ctx, "omit");
    double iv = bx_param_double(ctx, "interval");
    if (!(d > 0)) {
        snprintf(err, errlen, "duration must be greater than 0 s (got %g)", d);
        return -1;
    }
    c->duration_ms = (uint32_t)llround(d * 1000);
    c->omit_ms = (uint32_t)llround(o * 1000);
    c->interval_ms = (uint32_t)llround(iv * 1000);
    if (c->duration_ms < 1) {
        snprintf(err, errlen, "duration %g s is shorter than 1 ms", d);
        return -1;
    }
    if (c->interval_ms > c->duration_ms)
        c->interval_ms = c->duration_ms; /* at least one sample */
    return bxi_config_validate(c, err, errlen);
}

/* A wildcard listening address is reached through the loopback address. */
static void loopback_target(const bxi_addr *listen_addr, bxi_addr *t)
{
    *t = *listen_addr;
    if (t->ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&t->ss;
        if (a->sin_addr.s_addr == htonl(INADDR_ANY))
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (t->ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&t->ss;
        if (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr))
            a->sin6_addr = in6addr_loopback;
    }
}

static int iperf_check(bx_ctx *ctx)
{
    char e[512];
    bxi_config c;
    if (read_config(ctx, &c, e, sizeof e))
        return bx_error(ctx, BX_EINVAL, "%s", e);
    int mode = get_mode(ctx), nr = bx_nranks(ctx);
    int port = (int)bx_param_int(ctx, "port");
    if (mode == M_PAIRS) {
        if (nr < 2 || nr % 2)
            return bx_error(ctx, BX_EINVAL,
                            "mode=pairs needs an even number of ranks (got %d): rank i measures "
                            "against rank i+N/2; run with --ranks 2, 4, ...",
                            nr);
        return 0;
    }
    if (nr > 1)
        return bx_error(ctx, BX_EINVAL,
                        "mode=%s runs in one process (got %d ranks); use --ranks 1, or "
                        "mode=pairs to measure between ranks",
                        modes[mode], nr);
    if (port == 0 && mode != M_LOOPBACK)
        return bx_error(ctx, BX_EINVAL,
                        "port=0 (a free port the kernel picks) works only in mode=loopback, "
                        "where the client learns it; mode=%s needs a port both sides know: "
                        "-p port=1..65535",
                        modes[mode]);
    if (mode == M_CLIENT) {
        bxi_addr a;
        const char *h = bx_param_str(ctx, "host");
        if (!*h)
            return bx_error(ctx, BX_EINVAL,
                            "mode=client needs the server's address: -p host=NAME");
        if (bxi_resolve(h, port, 0, &a, e, sizeof e))
            return bx_error(ctx, BX_EINVAL, "%s; check -p host=", e);
        return 0;
    }
    /* server and loopback: the address must be ours and the port free */
    bxi_addr a;
    int fd, se;
    if (bxi_resolve(bx_param_str(ctx, "bind"), port, 1, &a, e, sizeof e))
        return bx_error(ctx, BX_EINVAL, "%s; check -p bind=", e);
    if (bxi_listen(&a, &fd, &se, e, sizeof e))
        return bx_error(ctx, BX_EINVAL, "%s", e);
    close(fd); /* init() listens for real */
    return 0;
}

static void iperf_fini(void *state);

/* init() proper; iperf_init frees the state when this fails (fini is not called then). */
static int init_state(bx_ctx *ctx, iperf_state *st)
{
    char e[512];
    st->mode = get_mode(ctx);
    if (read_config(ctx, &st->cfg, e, sizeof e))
        return bx_error(ctx, BX_EINVAL, "%s", e);
    int port = (int)bx_param_int(ctx, "port");
    bx_meta(ctx, "mode", modes[st->mode]);
    switch (st->mode) {
    case M_CLIENT:
        if (bxi_resolve(bx_param_str(ctx, "host"), port, 0, &st->target, e, sizeof e))
            return bx_error(ctx, BX_EINVAL, "%s", e);
        break;
    case M_LOOPBACK:
    case M_SERVER: {
        bxi_addr a;
        int se;
        if (bxi_resolve(bx_param_str(ctx, "bind"), port, 1, &a, e, sizeof e))
            return bx_error(ctx, BX_EINVAL, "%s", e);
        if (bxi_server_open(&st->srv, &a, &se, e, sizeof e))
            return bx_error(ctx, BX_EIO, "%s", e);
        st->have_srv = 1;
        loopback_target(&st->srv.addr, &st->target);
        break;
    }
    case M_PAIRS: {
        const char *ifn = bx_param_isset(ctx, "interface") ? bx_param_str(ctx, "interface") : NULL;
        return bxi_pairs_init(ctx, &st->cfg, ifn, &st->pairs);
    }
    }
    char as[80];
    bx_meta(ctx, st->mode == M_SERVER ? "listen" : "server",
            bxi_addr_str(&st->target, as, sizeof as));
    return 0;
}

static int iperf_init(bx_ctx *ctx, void **state)
{
    iperf_state *st = calloc(1, sizeof *st);
    *state = NULL;
    if (!st)
        return bx_error(ctx, BX_ENOMEM, "out of memory");
    st->srv.lfd = st->srv.wake = -1;
    int rc = init_state(ctx, st);
    if (rc)
        iperf_fini(st);
    else
        *state = st;
    return rc;
}

void bxi_stats_from_outcome(const bxi_outcome *o, bxi_stats *st)
{
    const bxi_side *snd = bxi_sender(o), *rcv = bxi_receiver(o);
    memset(st, 0, sizeof *st);
    st->gbps = bxi_outcome_gbps(o);
    st->retransmits = (double)snd->retransmits;
    st->rtt_us = (double)snd->rtt_us;
    st->jitter_ms = rcv->jitter_ms;
    st->lost_percent = bxi_outcome_lost_percent(o);
    st->cpu_client = bxi_client_side(o)->cpu;
    st->cpu_server = bxi_server_side(o)->cpu;
}

static int keep(bx_ctx *ctx, iperf_state *st, const bxi_stats *s)
{
    if (st->nreps == st->capreps) {
        size_t cap = st->capreps ? 2 * st->capreps : 8;
        bxi_stats *r = realloc(st->reps, cap * sizeof *r);
        if (!r)
            return bx_error(ctx, BX_ENOMEM, "out of memory");
        st->reps = r;
        st->capreps = cap;
    }
    st->reps[st->nreps++] = *s;
    /* the per-repetition values are kept as samples too */
    if (st->cfg.udp) {
        bx_sample(ctx, "jitter", s->jitter_ms);
        bx_sample(ctx, "lost_percent", s->lost_percent);
    } else {
        bx_sample(ctx, "retransmits", s->retransmits);
        bx_sample(ctx, "rtt", s->rtt_us);
    }
    bx_sample(ctx, "cpu_client", s->cpu_client);
    bx_sample(ctx, "cpu_server", s->cpu_server);
    return 0;
}

void bxi_meta_socket_buffer(bx_ctx *ctx, const bxi_outcome *o)
{
    char w[32];
    snprintf(w, sizeof w, "%llu", (unsigned long long)o->local.window);
    bx_meta(ctx, "socket_buffer", w);
}

/* One finished test: its interval samples and its numbers. */
static int record(bx_ctx *ctx, iperf_state *st, const bxi_outcome *o)
{
    for (size_t i = 0; i < o->niv; i++)
        bx_sample(ctx, "throughput", o->iv[i]);
    bxi_stats s;
    bxi_stats_from_outcome(o, &s);
    bxi_meta_socket_buffer(ctx, o);
    bx_info(ctx, "%s %.3f Gbit/s with %s", o->local_sender ? "sent" : "received", s.gbps,
            o->peer);
    return keep(ctx, st, &s);
}

static void server_summary(bx_ctx *ctx, const bxi_server *srv)
{
    char v[32];
    snprintf(v, sizeof v, "%lu", srv->served);
    bx_meta(ctx, "tests_served", v);
    if (srv->rejected) {
        snprintf(v, sizeof v, "%lu", srv->rejected);
        bx_meta(ctx, "connections_rejected", v);
        bx_warn(ctx, "%lu connection(s) rejected; last: %s", srv->rejected, srv->last_rejected);
    }
    if (srv->aborted) {
        snprintf(v, sizeof v, "%lu", srv->aborted);
        bx_meta(ctx, "tests_aborted", v);
        bx_warn(ctx, "%lu test(s) aborted; last: %s", srv->aborted, srv->last_aborted);
    }
    if (srv->busy) {
        snprintf(v, sizeof v, "%lu", srv->busy);
        bx_meta(ctx, "busy_answers", v);
    }
}

static void clear_done(bxi_server *srv)
{
    for (size_t i = 0; i < srv->ndone; i++)
        bxi_outcome_free(&srv->done[i]);
    srv->ndone = 0;
}

typedef struct lb_thread {
    bxi_server *srv;
    double deadline;
    int rc;
    char err[256];
} lb_thread;

static void *lb_server(void *arg)
{
    lb_thread *x = arg;
    x->rc = bxi_server_serve(x->srv, 1, x->deadline, x->err, sizeof x->err);
    return NULL;
}

static int run_loopback(bx_ctx *ctx, iperf_state *st)
{
    char e[768];
    lb_thread x = {.srv = &st->srv, .deadline = bx_now() + 30};
    pthread_t th;
    int prc = pthread_create(&th, NULL, lb_server, &x);
    if (prc)
        return bx_error(ctx, BX_EIO, "cannot start the server thread: %s", strerror(prc));
    bxi_outcome o;
    int rc = bxi_client_test(&st->cfg, &st->target, &o, e, sizeof e);
    if (rc)
        bxi_server_stop(&st->srv);
    pthread_join(th, NULL);
    clear_done(&st->srv);
    if (rc) {
        if (st->srv.last_aborted[0])
            return bx_error(ctx, rc, "%s (server side: %s)", e, st->srv.last_aborted);
        return bx_error(ctx, rc, "%s", e);
    }
    rc = record(ctx, st, &o);
    bxi_outcome_free(&o);
    return rc;
}

static int run_server(bx_ctx *ctx, iperf_state *st)
{
    char e[256];
    double dur = st->cfg.duration_ms / 1e3;
    unsigned long tests = (unsigned long)bx_param_int(ctx, "tests");
    unsigned long before = st->srv.served;
    char as[80];
    bx_info(ctx, "serving %lu test(s) on %s for up to %g s", tests,
            bxi_addr_str(&st->srv.addr, as, sizeof as), dur);
    if (bxi_server_serve(&st->srv, tests, bx_now() + dur, e, sizeof e))
        return bx_error(ctx, BX_EIO, "server: %s", e);
    for (size_t i = 0; i < st->srv.ndone; i++) {
        int rc = record(ctx, st, &st->srv.done[i]);
        if (rc)
            return rc;
    }
    clear_done(&st->srv);
    server_summary(ctx, &st->srv);
    if (st->srv.served == before)
        return bx_error(ctx, BX_ECOMM, "no test completed on %s within %g s%s%s", as, dur,
                        st->srv.aborted ? "; last aborted: " : "",
                        st->srv.aborted ? st->srv.last_aborted : "");
    return 0;
}

static int iperf_run(bx_ctx *ctx, void *state, unsigned rep)
{
    iperf_state *st = state;
    char e[768];
    (void)rep;
    switch (st->mode) {
    case M_LOOPBACK: return run_loopback(ctx, st);
    case M_SERVER: return run_server(ctx, st);
    case M_CLIENT: {
        bxi_outcome o;
        int rc = bxi_client_test(&st->cfg, &st->target, &o, e, sizeof e);
        if (rc)
            return bx_error(ctx, rc, "%s", e);
        rc = record(ctx, st, &o);
        bxi_outcome_free(&o);
        return rc;
    }
    case M_PAIRS: {
        bxi_stats agg;
        int rc = bxi_pairs_run(ctx, st->pairs, &agg);
        if (rc)
            return rc;
        bx_info(ctx, "all pairs: %.3f Gbit/s", agg.gbps);
        return keep(ctx, st, &agg);
    }
    }
    return bx_error(ctx, BX_EINTERNAL, "unknown mode");
}

static double median_of(const bxi_stats *r, size_t n, size_t off)
{
    double v[64];
    size_t k = n < 64 ? n : 64; /* the last 64 are plenty for a median */
    for (size_t i = 0; i < k; i++)
        v[i] = *(const double *)((const char *)&r[n - k + i] + off);
    return bx_median(v, k);
}

static int iperf_report(bx_ctx *ctx, void *state)
{
    iperf_state *st = state;
    if (st->nreps == 0)
        return bx_error(ctx, BX_EFAILED, "no test completed");
    /* a rate's value is its best repetition (as docs/results.md says); the others the median */
    size_t best = 0;
    for (size_t i = 1; i < st->nreps; i++)
        if (st->reps[i].gbps > st->reps[best].gbps)
            best = i;
    bx_metric(ctx, "throughput", st->reps[best].gbps);
    if (st->mode == M_PAIRS)
        bx_metric(ctx, "pair_throughput", st->reps[best].slowest_pair);
#define MED(field) median_of(st->reps, st->nreps, offsetof(bxi_stats, field))
    if (st->cfg.udp) {
        bx_metric(ctx, "jitter", MED(jitter_ms));
        bx_metric(ctx, "lost_percent", MED(lost_percent));
    } else {
        bx_metric(ctx, "retransmits", MED(retransmits));
        bx_metric(ctx, "rtt", MED(rtt_us));
    }
    bx_metric(ctx, "cpu_client", MED(cpu_client));
    bx_metric(ctx, "cpu_server", MED(cpu_server));
#undef MED
    return 0;
}

static void iperf_fini(void *state)
{
    iperf_state *st = state;
    if (!st)
        return;
    if (st->have_srv)
        bxi_server_close(&st->srv);
    bxi_pairs_free(st->pairs);
    free(st->reps);
    free(st);
}

static void iperf_describe(bx_ctx *ctx)
{
    bx_print(ctx, "Examples:\n"
                  "  benchaas run iperf -p duration=5                      # loopback self-test\n"
                  "  benchaas run iperf -p mode=server -p bind=0.0.0.0 -p tests=0 -p duration=3600\n"
                  "  benchaas run iperf -p mode=client -p host=node02 -p streams=4\n"
                  "  benchaas run iperf -p mode=pairs --ranks 4             # 2 pairs at once\n"
                  "The server speaks its own control protocol (see the plugin's README.md), not "
                  "iperf3's.\n");
}

static const bx_plugin iperf_plugin = {
    BX_PLUGIN_HEADER,
    .flags = BX_USES_MPI | BX_NO_WARMUP,
    .name = "iperf",
    .version = "1.0.0",
    .description = "TCP/UDP network throughput in the spirit of iperf3 (loopback, client, "
                   "server, MPI rank pairs)",
    .params = params,
    .metrics = metrics,
    .default_repetitions = 1,
    .check = iperf_check,
    .init = iperf_init,
    .run = iperf_run,
    .report = iperf_report,
    .fini = iperf_fini,
    .describe = iperf_describe,
};

BX_PLUGIN_DEFINE(iperf_plugin)
