/*
 * server.c — the iperf server: one test at a time, whatever peers do.
 *
 * One thread, one poll() loop.  Every accepted connection is greeted with
 * HELLO and must send its first message (TEST or STREAM) within
 * BXI_HELLO_TIMEOUT; at most MAX_PENDING such connections wait at a time.
 * A TEST that passes every check becomes the running test: it gets a fresh
 * random cookie and has BXI_SETUP_TIMEOUT to connect its streams, then
 * bxi_session_run() takes over until the results are exchanged, answering
 * newcomers with BUSY.  Whatever goes wrong with a peer is counted and
 * logged in the bxi_server struct, and the loop goes on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchaas/sdk.h"
#include "iperf_int.h"

#define MAX_PENDING 32

typedef struct pending {
    int fd; /* -1: free slot */
    double deadline;
    char peer[80];
    bxi_reader rd;
} pending;

/* The test accepted and waiting for its streams. */
typedef struct setup {
    int active;
    bxi_session *sess; /* owns ctl and the stream sockets */
    bxi_config cfg;
    char cookie[BXI_COOKIE_LEN + 1];
    uint64_t tag;
    int ctl;
    int udp[BXI_MAX_STREAMS];
    unsigned char ready[BXI_MAX_STREAMS];
    unsigned nready;
    double deadline;
    char peer[80];
    bxi_reader rd;
} setup;

static void note(char *dst, size_t len, const char *peer, const char *what)
{
    snprintf(dst, len, "%s: %s", peer, what);
}

static void reject(bxi_server *srv, int fd, const char *peer, const char *reason)
{
    bxi_say_error(fd, reason);
    close(fd);
    srv->rejected++;
    note(srv->last_rejected, sizeof srv->last_rejected, peer, reason);
}

int bxi_server_open(bxi_server *s, const bxi_addr *a, int *sys_errno, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->lfd = s->wake = -1;
    if (bxi_listen(a, &s->lfd, sys_errno, err, errlen))
        return -1;
    s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->wake < 0) {
        *sys_errno = errno;
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        bxi_server_close(s);
        return -1;
    }
    bxi_local_addr(s->lfd, &s->addr);
    return 0;
}

void bxi_server_stop(bxi_server *s)
{
    uint64_t one = 1;
    (void)!write(s->wake, &one, sizeof one);
}

void bxi_server_close(bxi_server *s)
{
    if (s->lfd >= 0)
        close(s->lfd);
    if (s->wake >= 0)
        close(s->wake);
    s->lfd = s->wake = -1;
    for (size_t i = 0; i < s->ndone; i++)
        bxi_outcome_free(&s->done[i]);
    free(s->done);
    s->done = NULL;
    s->ndone = 0;
}

static void keep_outcome(bxi_server *srv, bxi_outcome *o)
{
    if (!srv->done) {
        srv->done = calloc(BXI_SERVER_KEEP, sizeof *srv->done);
        if (!srv->done) {
            bxi_outcome_free(o);
            return;
        }
    }
    if (srv->ndone == BXI_SERVER_KEEP) {
        bxi_outcome_free(&srv->done[0]);
        memmove(srv->done, srv->done + 1, (BXI_SERVER_KEEP - 1) * sizeof *srv->done);
        srv->ndone--;
    }
    srv->done[srv->ndone++] = *o;
}

static void setup_end(setup *su)
{
    bxi_session_free(su->sess);
    memset(su, 0, sizeof *su);
}

static void setup_abort(bxi_server *srv, setup *su, const char *why)
{
    bxi_say_error(su->ctl, why);
    srv->aborted++;
    note(srv->last_aborted, sizeof srv->last_aborted, su->peer, why);
    setup_end(su);
}

/* A valid TEST from an idle server's point of view: create the session, answer ACCEPT. */
static void setup_begin(bxi_server *srv, setup *su, int fd, const char *peer, const bxi_config *c)
{
    char err[256];
    unsigned char rnd[BXI_COOKIE_LEN / 2];
    memset(su, 0, sizeof *su);
    if (bxi_random(rnd, sizeof rnd)) {
        reject(srv, fd, peer, "the server cannot make a random cookie");
        return;
    }
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(su->cookie + 2 * i, 3, "%02x", rnd[i]);
    su->cfg = *c;
    su->tag = bxi_cookie_tag(su->cookie);
    su->ctl = fd;
    snprintf(su->peer, sizeof su->peer, "%s", peer);
    su->sess = bxi_session_new(c, 1, fd, su->tag, err, sizeof err);
    if (!su->sess) { /* it closed fd */
        srv->aborted++;
        note(srv->last_aborted, sizeof srv->last_aborted, peer, err);
        memset(su, 0, sizeof *su);
        return;
    }
    su->active = 1;
    bxi_reader_reset(&su->rd);
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    bxi_msgw w;
    bxi_msgw_begin(&w, "ACCEPT");
    bxi_msgw_u64(&w, "version", BXI_PROTO_VERSION);
    bxi_msgw_str(&w, "cookie", su->cookie);
    if (c->udp) {
        /* one UDP socket per stream, on the address the client reached us at */
        bxi_addr local;
        char ports[BXI_MAX_VALUE + 1] = "";
        size_t off = 0;
        if (bxi_local_addr(fd, &local) != 0) {
            setup_abort(srv, su, "getsockname failed");
            return;
        }
        bxi_addr_set_port(&local, 0);
        for (unsigned i = 0; i < c->streams; i++) {
            int u = socket(local.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            bxi_addr ua;
            if (u < 0 || bind(u, (struct sockaddr *)&local.ss, local.len) != 0 ||
                bxi_local_addr(u, &ua) != 0) {
                snprintf(err, sizeof err, "cannot open a UDP socket: %s", strerror(errno));
                if (u >= 0)
                    close(u);
                setup_abort(srv, su, err);
                return;
            }
            bxi_set_window(u, c->window);
            bxi_session_set_stream(su->sess, (int)i, u);
            su->udp[i] = u;
            off += (size_t)snprintf(ports + off, sizeof ports - off, "%s%d", i ? "," : "",
                                    bxi_addr_port(&ua));
        }
        bxi_msgw_str(&w, "udp_ports", ports);
    }
    if (bxi_send_msg(fd, &w, bx_now() + BXI_REPLY_TIMEOUT, err, sizeof err)) {
        setup_abort(srv, su, err);
        return;
    }
    su->deadline = bx_now() + BXI_SETUP_TIMEOUT;
}

/* The first message of a new connection.  fd is consumed (kept or closed). */
static void on_first(bxi_server *srv, setup *su, int fd, const char *peer, const bxi_msg *m,
                     double deadline)
{
    char err[300];
    if (bxi_msg_is(m, "TEST")) {
        bxi_config c;
        if (su->active) {
            bxi_say_busy(fd);
            close(fd);
            srv->busy++;
        } else if (bx_now() >= deadline) {
            reject(srv, fd, peer, "the server is shutting down");
        } else if (bxi_config_from_msg(m, &c, err, sizeof err)) {
            reject(srv, fd, peer, err);
        } else {
            setup_begin(srv, su, fd, peer, &c);
        }
        return;
    }
    if (bxi_msg_is(m, "STREAM")) {
        static const char *const keys[] = {"cookie", "index", NULL};
        uint64_t idx;
        const char *ck = bxi_msg_get(m, "cookie");
        if (bxi_msg_only(m, keys, err, sizeof err) ||
            bxi_msg_u64(m, "index", 0, BXI_MAX_STREAMS - 1, &idx, err, sizeof err)) {
            reject(srv, fd, peer, err);
        } else if (!su->active || su->cfg.udp || !ck || strcmp(ck, su->cookie) != 0) {
            reject(srv, fd, peer, "no test with this cookie is waiting for streams");
        } else if (idx >= su->cfg.streams || su->ready[idx]) {
            reject(srv, fd, peer, "bad or duplicate stream index");
        } else {
            bxi_set_window(fd, su->cfg.window);
            bxi_session_set_stream(su->sess, (int)idx, fd);
            su->ready[idx] = 1;
            su->nready++;
        }
        return;
    }
    snprintf(err, sizeof err, "expected TEST or STREAM as the first message, got %s", m->type);
    reject(srv, fd, peer, err);
}

static void accept_new(bxi_server *srv, pending *pd)
{
    for (int k = 0; k < 16; k++) {
        bxi_addr pa;
        pa.len = sizeof pa.ss;
        int fd = accept4(srv->lfd, (struct sockaddr *)&pa.ss, &pa.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int slot = -1;
        for (int i = 0; i < MAX_PENDING && slot < 0; i++)
            if (pd[i].fd < 0)
                slot = i;
        if (slot < 0) { /* a flood of silent connections: the newest get turned away */
            bxi_say_busy(fd);
            close(fd);
            srv->busy++;
            continue;
        }
        pending *p = &pd[slot];
        p->fd = fd;
        p->deadline = bx_now() + BXI_HELLO_TIMEOUT;
        bxi_addr_str(&pa, p->peer, sizeof p->peer);
        bxi_reader_reset(&p->rd);
        /* the server speaks first, so a client never has unread data in our
           queue when we turn it away (close() would then send a RST and the
           client might not see our answer) */
        bxi_msgw w;
        size_t len;
        bxi_msgw_begin(&w, "HELLO");
        bxi_msgw_u64(&w, "version", BXI_PROTO_VERSION);
        const char *f = bxi_msgw_frame(&w, &len);
        (void)!send(fd, f, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
}

/* A UDP hello of the test in setup: remember where the client's stream is. */
static void on_udp(setup *su, unsigned i)
{
    unsigned char b[64];
    bxi_addr from;
    for (int k = 0; k < 64; k++) {
        from.len = sizeof from.ss;
        ssize_t n = recvfrom(su->udp[i], b, sizeof b, MSG_TRUNC, (struct sockaddr *)&from.ss,
                             &from.len);
        if (n < 0)
            return;
        if (n < BXI_UDP_HDR)
            continue;
        uint32_t magic = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        uint64_t tag = 0, seq = 0;
        for (int j = 0; j < 8; j++) {
            tag = tag << 8 | b[8 + j];
            seq = seq << 8 | b[16 + j];
        }
        int hello = b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 1;
        if (magic != BXI_UDP_MAGIC || !hello || tag != su->tag || seq != i || su->ready[i])
            continue;
        if (connect(su->udp[i], (struct sockaddr *)&from.ss, from.len) == 0) {
            su->ready[i] = 1;
            su->nready++;
            return;
        }
    }
}

/* Every stream is connected: START, then run the test to its end. */
static void run_test(bxi_server *srv, setup *su, pending *pd, unsigned long *completed)
{
    char err[512];
    bxi_msgw w;
    bxi_msgw_begin(&w, "START");
    if (bxi_send_msg(su->ctl, &w, bx_now() + BXI_REPLY_TIMEOUT, err, sizeof err)) {
        setup_abort(srv, su, err);
        return;
    }
    /* whoever else is waiting was not part of this test */
    for (int i = 0; i < MAX_PENDING; i++)
        if (pd[i].fd >= 0) {
            bxi_say_busy(pd[i].fd);
            close(pd[i].fd);
            pd[i].fd = -1;
            srv->busy++;
        }
    bxi_outcome o;
    if (bxi_session_run(su->sess, srv->lfd, &srv->busy, srv->wake, &o, err, sizeof err) == 0) {
        keep_outcome(srv, &o);
        srv->served++;
        (*completed)++;
    } else {
        srv->aborted++;
        note(srv->last_aborted, sizeof srv->last_aborted, su->peer, err);
    }
    setup_end(su);
}

int bxi_server_serve(bxi_server *srv, unsigned long tests, double deadline, char *err,
                     size_t errlen)
{
    enum { NFIX = 2 };
    pending *pd = calloc(MAX_PENDING, sizeof *pd);
    setup *su = calloc(1, sizeof *su);
    bxi_msg *m = malloc(sizeof *m);
    struct pollfd *pf = calloc(NFIX + MAX_PENDING + 1 + BXI_MAX_STREAMS, sizeof *pf);
    int rc = 0;
    unsigned long completed = 0;
    if (!pd || !su || !m || !pf) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        goto out;
    }
    for (int i = 0; i < MAX_PENDING; i++)
        pd[i].fd = -1;

    for (;;) {
        double now = bx_now();
        if (!su->active && ((tests && completed >= tests) || now >= deadline))
            break;
        /* poll set: wake, listener, pending connections, then the test in setup */
        int np = 0, pidx[MAX_PENDING];
        double until = su->active ? su->deadline : deadline;
        pf[np++] = (struct pollfd){.fd = srv->wake, .events = POLLIN};
        pf[np++] = (struct pollfd){.fd = srv->lfd, .events = POLLIN};
        for (int i = 0; i < MAX_PENDING; i++)
            if (pd[i].fd >= 0) {
                pidx[np - NFIX] = i;
                pf[np++] = (struct pollfd){.fd = pd[i].fd, .events = POLLIN};
                if (pd[i].deadline < until)
                    until = pd[i].deadline;
            }
        int npend = np - NFIX, ctl_at = -1, udp_at = -1;
        if (su->active) {
            ctl_at = np;
            pf[np++] = (struct pollfd){.fd = su->ctl, .events = POLLIN};
            if (su->cfg.udp) {
                udp_at = np;
                for (unsigned i = 0; i < su->cfg.streams; i++)
                    pf[np++] = (struct pollfd){.fd = su->udp[i], .events = POLLIN};
            }
        }
        int ms = (int)ceil((until - now) * 1000);
        int n = poll(pf, (nfds_t)np, ms < 0 ? 0 : ms > 1000 ? 1000 : ms);
        if (n < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            rc = -1;
            break;
        }
        now = bx_now();
        if (n > 0 && pf[0].revents)
            break; /* bxi_server_stop() */
        /* pending connections first: their EOFs free slots for newcomers */
        for (int k = 0; k < npend; k++) {
            pending *p = &pd[pidx[k]];
            if (p->fd < 0)
                continue;
            if (n > 0 && pf[NFIX + k].revents) {
                int se = 0;
                int rd = bxi_reader_feed(&p->rd, p->fd, &se);
                if (rd == BXI_RD_FRAME) {
                    char e[300];
                    int fd = p->fd;
                    p->fd = -1;
                    if (bxi_reader_msg(&p->rd, m, e, sizeof e))
                        reject(srv, fd, p->peer, e);
                    else
                        on_first(srv, su, fd, p->peer, m, deadline);
                    continue;
                }
                if (rd != BXI_RD_MORE) {
                    char e[160];
                    bxi_rd_what(rd, se, e, sizeof e);
                    reject(srv, p->fd, p->peer, e);
                    p->fd = -1;
                    continue;
                }
            }
            if (now >= p->deadline) {
                reject(srv, p->fd, p->peer, "no first message within the time limit");
                p->fd = -1;
            }
        }
        if (n > 0 && (pf[1].revents & POLLIN))
            accept_new(srv, pd);
        if (su->active && n > 0 && ctl_at >= 0 && pf[ctl_at].revents) {
            /* the client must stay quiet until START */
            int se = 0;
            int rd = bxi_reader_feed(&su->rd, su->ctl, &se);
            if (rd == BXI_RD_FRAME) {
                setup_abort(srv, su, "the client sent a message before START");
            } else if (rd != BXI_RD_MORE) {
                char e[200], w[160];
                snprintf(e, sizeof e, "before the test started: %s", bxi_rd_what(rd, se, w, sizeof w));
                setup_abort(srv, su, e);
            }
        }
        if (su->active && n > 0 && udp_at >= 0)
            for (unsigned i = 0; i < su->cfg.streams; i++)
                if (pf[udp_at + (int)i].revents)
                    on_udp(su, i);
        if (su->active && su->nready == su->cfg.streams) {
            run_test(srv, su, pd, &completed);
        } else if (su->active && now >= su->deadline) {
            char e[160];
            snprintf(e, sizeof e, "only %u of %u streams connected within %.0f s", su->nready,
                     su->cfg.streams, BXI_SETUP_TIMEOUT);
            setup_abort(srv, su, e);
        }
    }

out:
    if (su && su->active)
        setup_abort(srv, su, "the server is shutting down");
    if (pd)
        for (int i = 0; i < MAX_PENDING; i++)
            if (pd[i].fd >= 0) {
                bxi_say_error(pd[i].fd, "the server is shutting down");
                close(pd[i].fd);
            }
    /* a stop request is used up by this call */
    uint64_t v;
    (void)!read(srv->wake, &v, sizeof v);
    free(pd);
    free(su);
    free(m);
    free(pf);
    return rc;
}
