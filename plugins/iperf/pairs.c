/*
 * pairs.c — mode=pairs: rank i (i < N/2) is the client of rank i+N/2, every
 * pair measures at the same time (between nodes when Slurm places the two
 * halves on different nodes), and rank 0 reports the sum and each pair.
 *
 * MPI is used only here, only from the main thread, and only between tests
 * (the data threads never call it, so the level the worker asks for, SINGLE
 * unless --threads > 1, is enough): to exchange the servers' addresses, to
 * start every pair together, and to gather results.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/sdk.h"
#include "iperf_int.h"

#ifndef BXI_HAVE_MPI

int bxi_pairs_init(bx_ctx *ctx, const bxi_config *c, const char *interface, bxi_pairs **out)
{
    (void)c;
    (void)interface;
    *out = NULL;
    return bx_error(ctx, BX_ENOTSUP,
                    "this build of the iperf plugin has no MPI support, so mode=pairs is "
                    "unavailable; rebuild with MPI installed");
}

int bxi_pairs_run(bx_ctx *ctx, bxi_pairs *p, bxi_stats *agg)
{
    (void)p;
    (void)agg;
    return bx_error(ctx, BX_ENOTSUP, "mode=pairs is unavailable in this build");
}

void bxi_pairs_free(bxi_pairs *p) { (void)p; }

#else

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <math.h>
#include <mpi.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#define SERVE_WINDOW 30.0 /* s a server rank waits for its client's test */
#define ERRLEN 256

/* What a rank tells its partner (and rank 0) about itself. */
typedef struct card {
    char host[64]; /* gethostname() */
    char addr[64]; /* server: the numeric address it publishes */
    int32_t port;  /* server: its (ephemeral) port */
    int32_t ok;    /* 0: setting up failed, see err */
    char err[256];
} card;

/* One rank's result of one test, gathered to rank 0. */
enum { ROW_OK, ROW_GBPS, ROW_RETR, ROW_RTT, ROW_JIT, ROW_LOST, ROW_EXP, ROW_CPUC, ROW_CPUS, ROW_N };

struct bxi_pairs {
    bxi_config cfg;
    int rank, size, half, is_server, partner;
    int same_node;
    bxi_server srv;
    int have_srv;
    bxi_addr target;
    card *all;   /* rank 0: every rank's card */
    double *rows; /* rank 0: every rank's result row (ROW_N doubles) */
    char *errs;   /* rank 0: every rank's error text (ERRLEN chars) */
    size_t ivlen;
    double *iv, *ivsum;
};

/* The first address of a named interface (IPv4 preferred). */
static int iface_addr(const char *ifn, bxi_addr *out)
{
    struct ifaddrs *ifa, *i;
    int found = 0;
    if (getifaddrs(&ifa) != 0)
        return -1;
    for (int fam = 0; fam < 2 && !found; fam++)
        for (i = ifa; i && !found; i = i->ifa_next) {
            if (!i->ifa_addr || strcmp(i->ifa_name, ifn) != 0)
                continue;
            int f = i->ifa_addr->sa_family;
            if ((fam == 0 && f == AF_INET) || (fam == 1 && f == AF_INET6)) {
                memset(out, 0, sizeof *out);
                out->len = f == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
                memcpy(&out->ss, i->ifa_addr, out->len);
                found = 1;
            }
        }
    freeifaddrs(ifa);
    return found ? 0 : -1;
}

/*
 * The address a server rank listening on every interface publishes: what
 * its host name resolves to, else its first non-loopback IPv4 address.
 */
static void default_addr(const char *host, char *buf, size_t len)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(buf, len, "127.0.0.1");
    if (getaddrinfo(host, NULL, &hints, &res) == 0) {
        for (struct addrinfo *r = res; r; r = r->ai_next) {
            struct sockaddr_in *a = (struct sockaddr_in *)r->ai_addr;
            if ((ntohl(a->sin_addr.s_addr) >> 24) != 127) {
                inet_ntop(AF_INET, &a->sin_addr, buf, (socklen_t)len);
                freeaddrinfo(res);
                return;
            }
        }
        freeaddrinfo(res);
    }
    struct ifaddrs *ifa;
    if (getifaddrs(&ifa) != 0)
        return;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && (i->ifa_flags & IFF_UP) &&
            !(i->ifa_flags & IFF_LOOPBACK)) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf, (socklen_t)len);
            break;
        }
    freeifaddrs(ifa);
}

/* Every rank gets the same answer: 1 if all ok. */
static int all_ok(int ok)
{
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

static int server_setup(bxi_pairs *p, const char *ifn, card *mine)
{
    bxi_addr a;
    int se;
    char e[256];
    if (ifn) {
        if (iface_addr(ifn, &a)) {
            snprintf(mine->err, sizeof mine->err, "no interface '%s' with an address on %s", ifn,
                     mine->host);
            return -1;
        }
        bxi_addr_set_port(&a, 0);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&a.ss;
        memset(&a, 0, sizeof a);
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        a.len = sizeof *in;
    }
    /* an ephemeral port: several server ranks may share a node */
    if (bxi_server_open(&p->srv, &a, &se, e, sizeof e)) {
        snprintf(mine->err, sizeof mine->err, "%s", e);
        return -1;
    }
    p->have_srv = 1;
    mine->port = bxi_addr_port(&p->srv.addr);
    if (ifn) {
        char as[80];
        bxi_addr_str(&p->srv.addr, as, sizeof as);
        /* the numeric host part only */
        const struct sockaddr *sa = (const struct sockaddr *)&p->srv.addr.ss;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, mine->addr,
                      sizeof mine->addr);
        else
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, mine->addr,
                      sizeof mine->addr);
    } else {
        default_addr(mine->host, mine->addr, sizeof mine->addr);
    }
    return 0;
}

int bxi_pairs_init(bx_ctx *ctx, const bxi_config *c, const char *ifn, bxi_pairs **out)
{
    int inited = 0;
    *out = NULL;
    MPI_Initialized(&inited);
    if (!inited)
        return bx_error(ctx, BX_EINVAL,
                        "mode=pairs runs under MPI: start it with --ranks N (N even, >= 2)");
    bxi_pairs *p = calloc(1, sizeof *p);
    if (!p)
        return bx_error(ctx, BX_ENOMEM, "out of memory");
    *out = p;
    p->cfg = *c;
    p->srv.lfd = p->srv.wake = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p->size);
    if (p->size < 2 || p->size % 2)
        return bx_error(ctx, BX_EINVAL, "mode=pairs needs an even number of ranks (got %d)",
                        p->size);
    p->half = p->size / 2;
    p->is_server = p->rank >= p->half;
    p->partner = p->is_server ? p->rank - p->half : p->rank + p->half;
    p->ivlen = bxi_config_intervals(c);
    p->iv = calloc(p->ivlen, sizeof *p->iv);
    p->ivsum = calloc(p->ivlen, sizeof *p->ivsum);
    if (p->rank == 0) {
        p->all = calloc((size_t)p->size, sizeof *p->all);
        p->rows = calloc((size_t)p->size * ROW_N, sizeof *p->rows);
        p->errs = calloc((size_t)p->size, ERRLEN);
    }
    /* every later collective writes into these: all ranks stop together if one lacks them */
    if (!all_ok(p->iv && p->ivsum && (p->rank != 0 || (p->all && p->rows && p->errs))))
        return bx_error(ctx, BX_ENOMEM, "out of memory on some rank");

    card mine, theirs;
    memset(&mine, 0, sizeof mine);
    memset(&theirs, 0, sizeof theirs);
    gethostname(mine.host, sizeof mine.host - 1);
    mine.ok = 1;
    if (p->is_server)
        mine.ok = server_setup(p, ifn, &mine) == 0;

    MPI_Sendrecv(&mine, sizeof mine, MPI_BYTE, p->partner, 17, &theirs, sizeof theirs, MPI_BYTE,
                 p->partner, 17, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    theirs.host[sizeof theirs.host - 1] = theirs.addr[sizeof theirs.addr - 1] = '\0';
    theirs.err[sizeof theirs.err - 1] = '\0';
    p->same_node = strcmp(mine.host, theirs.host) == 0;
    if (!p->is_server && mine.ok && theirs.ok) {
        /* partners on one node talk over loopback unless an interface was chosen */
        const char *addr = p->same_node && !ifn ? "127.0.0.1" : theirs.addr;
        char e[256];
        if (bxi_resolve(addr, theirs.port, 0, &p->target, e, sizeof e)) {
            mine.ok = 0;
            snprintf(mine.err, sizeof mine.err, "%s", e);
        } else {
            /* for rank 0's record of the pairs: where this client connects */
            bxi_addr_str(&p->target, mine.addr, sizeof mine.addr);
        }
    }
    MPI_Gather(&mine, sizeof mine, MPI_BYTE, p->all, sizeof mine, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (!all_ok(mine.ok && theirs.ok)) {
        if (p->rank != 0)
            return bx_error(ctx, BX_ECOMM, "pairs setup failed: %s",
                            mine.err[0] ? mine.err : theirs.err);
        for (int r = 0; r < p->size; r++)
            if (!p->all[r].ok)
                return bx_error(ctx, BX_ECOMM, "pairs setup failed on rank %d (%s): %s", r,
                                p->all[r].host, p->all[r].err);
        return bx_error(ctx, BX_ECOMM, "pairs setup failed");
    }
    if (p->rank == 0)
        for (int i = 0; i < p->half; i++) {
            char k[32], v[300];
            snprintf(k, sizeof k, "pair%d", i);
            snprintf(v, sizeof v, "rank %d on %s -> rank %d on %s at %s", i, p->all[i].host,
                     i + p->half, p->all[i + p->half].host, p->all[i].addr);
            bx_meta(ctx, k, v);
        }
    return 0;
}

int bxi_pairs_run(bx_ctx *ctx, bxi_pairs *p, bxi_stats *agg)
{
    double row[ROW_N] = {0};
    char err[ERRLEN] = "";
    int niv = INT32_MAX;
    memset(agg, 0, sizeof *agg);
    memset(p->iv, 0, p->ivlen * sizeof *p->iv);
    MPI_Barrier(MPI_COMM_WORLD); /* every server listens already: go */

    bxi_outcome o;
    int have = 0;
    if (p->is_server) {
        char e[256];
        unsigned long before = p->srv.served;
        if (bxi_server_serve(&p->srv, 1, bx_now() + SERVE_WINDOW, e, sizeof e))
            snprintf(err, sizeof err, "server: %s", e);
        else if (p->srv.served == before)
            snprintf(err, sizeof err, "server: %s",
                     p->srv.last_aborted[0]    ? p->srv.last_aborted
                     : p->srv.last_rejected[0] ? p->srv.last_rejected
                                               : "no client test arrived");
        for (size_t i = 0; i < p->srv.ndone; i++)
            bxi_outcome_free(&p->srv.done[i]);
        p->srv.ndone = 0;
        row[ROW_OK] = err[0] == '\0';
    } else {
        char e[768];
        if (bxi_client_test(&p->cfg, &p->target, &o, e, sizeof e) == 0) {
            have = 1;
            row[ROW_OK] = 1;
        } else {
            snprintf(err, sizeof err, "%s", e);
        }
    }
    if (have) {
        const bxi_side *r = bxi_receiver(&o), *s = bxi_sender(&o);
        row[ROW_GBPS] = bxi_outcome_gbps(&o);
        row[ROW_RETR] = (double)s->retransmits;
        row[ROW_RTT] = (double)s->rtt_us;
        row[ROW_JIT] = r->jitter_ms;
        row[ROW_LOST] = (double)r->lost;
        row[ROW_EXP] = (double)r->expected;
        row[ROW_CPUC] = bxi_client_side(&o)->cpu;
        row[ROW_CPUS] = bxi_server_side(&o)->cpu;
        if (p->rank == 0) /* the first pair's client: the buffers between two nodes */
            bxi_meta_socket_buffer(ctx, &o);
        niv = (int)(o.niv < p->ivlen ? o.niv : p->ivlen);
        memcpy(p->iv, o.iv, (size_t)niv * sizeof *p->iv);
        bxi_outcome_free(&o);
    }

    /* the aggregate's intervals: only those every pair has */
    int minniv = 0;
    MPI_Allreduce(&niv, &minniv, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Reduce(p->iv, p->ivsum, (int)p->ivlen, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    double *rows = p->rows;
    char *errs = p->errs;
    MPI_Gather(row, ROW_N, MPI_DOUBLE, rows, ROW_N, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Gather(err, sizeof err, MPI_CHAR, errs, sizeof err, MPI_CHAR, 0, MPI_COMM_WORLD);
    int ok = all_ok(row[ROW_OK] == 1);
    int rc = 0;
    if (p->rank != 0) {
        if (!ok)
            rc = bx_error(ctx, BX_ECOMM, "a pair failed%s%s", err[0] ? ": " : "", err);
    } else if (!ok) {
        /* name the first failed pair, preferring the client's account */
        for (int i = 0; i < p->half && !rc; i++) {
            int c = i, s = i + p->half;
            if (rows[c * ROW_N + ROW_OK] == 1 && rows[s * ROW_N + ROW_OK] == 1)
                continue;
            const char *why = rows[c * ROW_N + ROW_OK] != 1 ? errs + (size_t)c * sizeof err
                                                         : errs + (size_t)s * sizeof err;
            errs[(size_t)(c + 1) * sizeof err - 1] = errs[(size_t)(s + 1) * sizeof err - 1] = 0;
            rc = bx_error(ctx, BX_ECOMM, "pair %d (rank %d on %s -> rank %d on %s) failed: %s", i,
                          c, p->all[c].host, s, p->all[s].host, why);
        }
        if (!rc)
            rc = bx_error(ctx, BX_ECOMM, "a pair failed");
    } else {
        double lost = 0, expected = 0;
        agg->slowest_pair = INFINITY;
        for (int i = 0; i < p->half; i++) {
            const double *r = rows + (size_t)i * ROW_N;
            bx_sample(ctx, "pair_throughput", r[ROW_GBPS]);
            agg->gbps += r[ROW_GBPS];
            agg->retransmits += r[ROW_RETR];
            agg->rtt_us += r[ROW_RTT] / p->half;
            agg->jitter_ms += r[ROW_JIT] / p->half;
            agg->cpu_client += r[ROW_CPUC] / p->half;
            agg->cpu_server += r[ROW_CPUS] / p->half;
            lost += r[ROW_LOST];
            expected += r[ROW_EXP];
            if (r[ROW_GBPS] < agg->slowest_pair)
                agg->slowest_pair = r[ROW_GBPS];
        }
        agg->lost_percent = expected > 0 ? 100.0 * lost / expected : 0;
        for (int i = 0; i < minniv && (size_t)i < p->ivlen; i++)
            bx_sample(ctx, "throughput", p->ivsum[i]);
    }
    return rc;
}

void bxi_pairs_free(bxi_pairs *p)
{
    if (!p)
        return;
    if (p->have_srv)
        bxi_server_close(&p->srv);
    free(p->all);
    free(p->rows);
    free(p->errs);
    free(p->iv);
    free(p->ivsum);
    free(p);
}

#endif
