/*
 * client.c — the client side of one test: handshake, streams, then the
 * session.  Every answer of the server is read with a deadline and checked
 * as strictly as the server checks the client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchaas/plugin.h"
#include "benchaas/sdk.h"
#include "iperf_int.h"

static int connect_error(const char *as, int se, char *err, size_t errlen)
{
    switch (se) {
    case ECONNREFUSED:
        snprintf(err, errlen,
                 "connection to %s refused (no server listening there? start one with "
                 "mode=server, or check host and port)",
                 as);
        break;
    case ETIMEDOUT:
        snprintf(err, errlen,
                 "connection to %s timed out after %.0f s (host down, or a firewall dropping "
                 "packets?)",
                 as, BXI_CONNECT_TIMEOUT);
        break;
    default: snprintf(err, errlen, "cannot connect to %s: %s", as, strerror(se)); break;
    }
    return BX_ECOMM;
}

/* The server's answer was not the expected type: say what it was. */
static int unexpected(const char *as, const bxi_msg *m, const char *wanted, char *err,
                      size_t errlen)
{
    const char *r = bxi_msg_get(m, "reason");
    if (bxi_msg_is(m, "BUSY"))
        snprintf(err, errlen, "server %s is busy running another test; try again when it ends", as);
    else if (bxi_msg_is(m, "ERROR"))
        snprintf(err, errlen, "server %s refused the test: %.300s", as, r ? r : "(no reason)");
    else
        snprintf(err, errlen, "server %s answered %s where %s was expected", as, m->type, wanted);
    return BX_ECOMM;
}

/* Read the server's greeting on a fresh connection: 0 when it is HELLO version 1. */
static int greeting(int fd, const char *as, bxi_reader *rd, bxi_msg *m, char *err, size_t errlen)
{
    char e[256];
    uint64_t v;
    bxi_reader_reset(rd);
    int rc = bxi_recv_msg(fd, rd, m, bx_now() + BXI_REPLY_TIMEOUT, e, sizeof e);
    if (rc != 0) {
        snprintf(err, errlen, "no greeting from %s: %s (is it a BenchaaS iperf server?)", as, e);
        return BX_ECOMM;
    }
    if (!bxi_msg_is(m, "HELLO"))
        return unexpected(as, m, "HELLO", err, errlen);
    if (bxi_msg_u64(m, "version", 0, UINT32_MAX, &v, e, sizeof e) || v != BXI_PROTO_VERSION) {
        snprintf(err, errlen, "server %s speaks protocol version %s, this client %d", as,
                 bxi_msg_get(m, "version") ? bxi_msg_get(m, "version") : "?", BXI_PROTO_VERSION);
        return BX_ECOMM;
    }
    return 0;
}

static int is_cookie(const char *s)
{
    if (!s || strlen(s) != BXI_COOKIE_LEN)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

/* "5301,5302" -> n ports in 1..65535, exactly. */
static int parse_ports(const char *s, unsigned n, int *ports)
{
    unsigned k = 0;
    if (!s)
        return -1;
    while (*s) {
        long v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 6) {
            v = v * 10 + (*s++ - '0');
            digits++;
        }
        if (!digits || v < 1 || v > 65535 || k == n)
            return -1;
        ports[k++] = (int)v;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return k == n ? 0 : -1;
}

typedef struct client_io {
    bxi_reader rd;
    bxi_msg m;
} client_io;

static int handshake(const bxi_config *c, const bxi_addr *server, const char *as, client_io *io,
                     bxi_session **out_sess, char *err, size_t errlen)
{
    char e[300];
    int fd, se, rc;
    uint64_t v;
    *out_sess = NULL;
    if (bxi_connect(server, SOCK_STREAM, 0, BXI_CONNECT_TIMEOUT, &fd, &se))
        return connect_error(as, se, err, errlen);
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if ((rc = greeting(fd, as, &io->rd, &io->m, err, errlen)) != 0) {
        close(fd);
        return rc;
    }
    bxi_msgw w;
    bxi_config_to_msg(c, &w);
    if (bxi_send_msg(fd, &w, bx_now() + BXI_REPLY_TIMEOUT, e, sizeof e) ||
        bxi_recv_msg(fd, &io->rd, &io->m, bx_now() + BXI_REPLY_TIMEOUT, e, sizeof e)) {
        close(fd);
        snprintf(err, errlen, "test request to %s failed: %s", as, e);
        return BX_ECOMM;
    }
    if (!bxi_msg_is(&io->m, "ACCEPT")) {
        close(fd);
        return unexpected(as, &io->m, "ACCEPT", err, errlen);
    }
    static const char *const keys[] = {"version", "cookie", "udp_ports", NULL};
    const char *cookie = bxi_msg_get(&io->m, "cookie");
    int ports[BXI_MAX_STREAMS];
    if (bxi_msg_only(&io->m, keys, e, sizeof e) ||
        bxi_msg_u64(&io->m, "version", BXI_PROTO_VERSION, BXI_PROTO_VERSION, &v, e, sizeof e) ||
        !is_cookie(cookie) ||
        (c->udp && parse_ports(bxi_msg_get(&io->m, "udp_ports"), c->streams, ports))) {
        close(fd);
        snprintf(err, errlen, "server %s sent a malformed ACCEPT%s%s", as, e[0] ? ": " : "", e);
        return BX_ECOMM;
    }
    char ck[BXI_COOKIE_LEN + 1];
    snprintf(ck, sizeof ck, "%s", cookie);
    bxi_session *s = bxi_session_new(c, 0, fd, bxi_cookie_tag(ck), e, sizeof e);
    if (!s) { /* it closed fd */
        snprintf(err, errlen, "%s", e);
        return BX_ENOMEM;
    }
    *out_sess = s;

    int dfd[BXI_MAX_STREAMS];
    for (unsigned i = 0; i < c->streams; i++) {
        if (c->udp) {
            bxi_addr ua = *server;
            bxi_addr_set_port(&ua, ports[i]);
            if (bxi_connect(&ua, SOCK_DGRAM, c->window, BXI_CONNECT_TIMEOUT, &dfd[i], &se)) {
                snprintf(err, errlen, "cannot open UDP stream %u to %s: %s", i, as, strerror(se));
                return BX_ECOMM;
            }
            bxi_session_set_stream(s, (int)i, dfd[i]);
            continue;
        }
        if (bxi_connect(server, SOCK_STREAM, c->window, BXI_CONNECT_TIMEOUT, &dfd[i], &se))
            return connect_error(as, se, err, errlen);
        bxi_session_set_stream(s, (int)i, dfd[i]);
        if ((rc = greeting(dfd[i], as, &io->rd, &io->m, err, errlen)) != 0)
            return rc;
        bxi_msgw_begin(&w, "STREAM");
        bxi_msgw_str(&w, "cookie", ck);
        bxi_msgw_u64(&w, "index", i);
        if (bxi_send_msg(dfd[i], &w, bx_now() + BXI_REPLY_TIMEOUT, e, sizeof e)) {
            snprintf(err, errlen, "opening stream %u to %s: %s", i, as, e);
            return BX_ECOMM;
        }
    }

    /* START; a UDP client repeats its hellos until then (datagrams may be lost) */
    unsigned char hello[BXI_UDP_HDR];
    memset(hello, 0, sizeof hello);
    uint64_t tag = bxi_cookie_tag(ck);
    uint32_t magic = BXI_UDP_MAGIC;
    for (int j = 0; j < 4; j++)
        hello[j] = (unsigned char)(magic >> (24 - 8 * j));
    hello[7] = 1;
    for (int j = 0; j < 8; j++)
        hello[8 + j] = (unsigned char)(tag >> (56 - 8 * j));
    double deadline = bx_now() + BXI_SETUP_TIMEOUT + BXI_REPLY_TIMEOUT;
    bxi_reader_reset(&io->rd);
    for (;;) {
        if (c->udp)
            for (unsigned i = 0; i < c->streams; i++) {
                hello[23] = (unsigned char)i; /* the sequence field carries the index */
                (void)!send(dfd[i], hello, sizeof hello, MSG_DONTWAIT);
            }
        double until = c->udp ? bx_now() + 0.05 : deadline;
        rc = bxi_recv_msg(fd, &io->rd, &io->m, until < deadline ? until : deadline, e, sizeof e);
        if (rc == 0)
            break;
        if (rc < 0 || bx_now() >= deadline) {
            snprintf(err, errlen, "waiting for %s to start the test: %s", as, e);
            return BX_ECOMM;
        }
    }
    if (!bxi_msg_is(&io->m, "START"))
        return unexpected(as, &io->m, "START", err, errlen);
    return 0;
}

int bxi_client_test(const bxi_config *c, const bxi_addr *server, bxi_outcome *out, char *err,
                    size_t errlen)
{
    char as[80], e[512];
    bxi_addr_str(server, as, sizeof as);
    memset(out, 0, sizeof *out);
    if (bxi_config_validate(c, e, sizeof e)) {
        snprintf(err, errlen, "%s", e);
        return BX_EINVAL;
    }
    client_io *io = malloc(sizeof *io);
    if (!io) {
        snprintf(err, errlen, "out of memory");
        return BX_ENOMEM;
    }
    bxi_session *s;
    int rc = handshake(c, server, as, io, &s, err, errlen);
    free(io);
    if (rc == 0 && bxi_session_run(s, -1, NULL, -1, out, e, sizeof e) != 0) {
        snprintf(err, errlen, "test with %s failed: %s", as, e);
        rc = BX_ECOMM;
    }
    bxi_session_free(s);
    return rc;
}
