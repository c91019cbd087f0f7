/*
 * hostile — plays malicious and broken clients against an iperf server
 * running in another process (tests/hostile.sh starts it), and checks that
 * the server answers each one sensibly, closes the connection, and stays
 * available.  The script then runs a real test against the same server.
 *
 *     hostile PORT
 *
 * The cases are iperf3's CVE classes plus protocol abuse: a 0xffffffff
 * length, a peer that sends less than it announced, type confusion in each
 * kind of field, wrong version, wrong first message, bad cookie, a message
 * before START, out-of-range INTERVAL and RESULTS values, a second client
 * while a test runs (BUSY), a client that vanishes mid-test (RST), a client
 * that goes silent mid-test, and a flood of idle connections.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchaas/sdk.h"
#include "iperf_int.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

static bxi_addr server;
static bxi_reader rd;
static bxi_msg msg;

static int conn(void)
{
    int fd, se;
    if (bxi_connect(&server, SOCK_STREAM, 0, 3, &fd, &se)) {
        fprintf(stderr, "connect: %s\n", strerror(se));
        return -1;
    }
    return fd;
}

/* The next message, within `wait` seconds: its type, or "" on EOF/timeout. */
static const char *next(int fd, double wait)
{
    char e[256];
    bxi_reader_reset(&rd);
    if (bxi_recv_msg(fd, &rd, &msg, bx_now() + wait, e, sizeof e) != 0)
        return "";
    return msg.type;
}

static const char *reason(void)
{
    const char *r = bxi_msg_get(&msg, "reason");
    return r ? r : "";
}

/* A connection greeted with HELLO, or -1. */
static int greeted(void)
{
    int fd = conn();
    if (fd < 0)
        return -1;
    const char *t = next(fd, 3);
    CHECK(strcmp(t, "HELLO") == 0, "greeting was '%s'", t);
    return fd;
}

static void raw(int fd, const void *p, size_t n)
{
    char e[128];
    CHECK(bxi_send_all(fd, p, n, bx_now() + 3, e, sizeof e) == 0, "send: %s", e);
}

static void body(int fd, const char *b)
{
    unsigned char h[4];
    uint32_t n = (uint32_t)strlen(b);
    h[0] = (unsigned char)(n >> 24);
    h[1] = (unsigned char)(n >> 16);
    h[2] = (unsigned char)(n >> 8);
    h[3] = (unsigned char)n;
    raw(fd, h, 4);
    raw(fd, b, n);
}

/* The server closes fd (EOF or reset) within `wait` s, maybe after a message. */
static int closed_within(int fd, double wait)
{
    double end = bx_now() + wait;
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return 1;
        if (n > 0)
            continue;
        double left = end - bx_now();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        poll(&p, 1, (int)(left * 1000) + 1);
    }
}

/* Send one hostile first message; expect ERROR mentioning `what`, then a close. */
static void expect_error(const char *name, const char *b, const char *what)
{
    int fd = greeted();
    if (fd < 0) {
        CHECK(0, "%s: no connection", name);
        return;
    }
    body(fd, b);
    const char *t = next(fd, 3);
    CHECK(strcmp(t, "ERROR") == 0, "%s: answer '%s'", name, t);
    CHECK(!what || strstr(reason(), what), "%s: reason '%s' lacks '%s'", name, reason(), what);
    CHECK(closed_within(fd, 3), "%s: connection left open", name);
    close(fd);
}

static const char *test_msg(const char *over_key, const char *over_val, int reverse,
                            unsigned duration_ms)
{
    static char b[1024];
    const char *keys[] = {"version", "protocol", "streams", "length", "window", "reverse",
                          "rate", "duration_ms", "omit_ms", "interval_ms", NULL};
    char vals[10][32] = {"1", "tcp", "1", "65536", "0", "0", "0", "1000", "0", "500"};
    snprintf(vals[5], sizeof vals[5], "%d", reverse);
    snprintf(vals[7], sizeof vals[7], "%u", duration_ms);
    size_t off = (size_t)snprintf(b, sizeof b, "TEST\n");
    for (int i = 0; keys[i]; i++) {
        const char *v = vals[i];
        if (over_key && strcmp(over_key, keys[i]) == 0) {
            if (!over_val)
                continue;
            v = over_val;
        }
        off += (size_t)snprintf(b + off, sizeof b - off, "%s=%s\n", keys[i], v);
    }
    return b;
}

/* A manual test up to START: control fd, one TCP stream fd, the cookie. */
static int begin_test(int reverse, unsigned duration_ms, int *ctl, int *data)
{
    *ctl = *data = -1;
    /* the previous (aborted) test may still be winding down: the server must
       be ready again within a few seconds */
    int c = -1;
    for (double end = bx_now() + 3; c < 0 && bx_now() < end;) {
        c = conn();
        const char *t = c >= 0 ? next(c, 3) : "";
        if (strcmp(t, "HELLO") != 0) {
            if (c >= 0)
                close(c);
            c = -1;
            usleep(50000);
        }
    }
    if (c < 0) {
        CHECK(0, "the server did not take a new test within 3 s");
        return -1;
    }
    body(c, test_msg(NULL, NULL, reverse, duration_ms));
    const char *t = next(c, 3);
    if (strcmp(t, "ACCEPT") != 0) {
        CHECK(0, "test not accepted: %s %s", t, reason());
        close(c);
        return -1;
    }
    char cookie[64];
    snprintf(cookie, sizeof cookie, "%s", bxi_msg_get(&msg, "cookie"));
    int d = greeted();
    char b[128];
    snprintf(b, sizeof b, "STREAM\ncookie=%s\nindex=0\n", cookie);
    body(d, b);
    t = next(c, 3);
    if (strcmp(t, "START") != 0) {
        CHECK(0, "no START: %s %s", t, reason());
        close(c);
        close(d);
        return -1;
    }
    *ctl = c;
    *data = d;
    return 0;
}

static void rst_close(int fd)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

int main(int argc, char **argv)
{
    char e[256];
    if (argc < 2 || bxi_resolve("127.0.0.1", atoi(argv[1]), 0, &server, e, sizeof e)) {
        fprintf(stderr, "usage: hostile PORT\n");
        return 2;
    }
    bxi_reader_reset(&rd);

    /* slow peers, checked later: one announces 100 bytes and sends 10, one is silent */
    double t_stall = bx_now();
    int short_fd = greeted();
    unsigned char h100[4] = {0, 0, 0, 100};
    raw(short_fd, h100, 4);
    raw(short_fd, "TEST\nversi", 10);
    int silent_fd = conn();

    /* lengths */
    {
        int fd = greeted();
        unsigned char h[4] = {0xff, 0xff, 0xff, 0xff};
        raw(fd, h, 4);
        const char *t = next(fd, 3);
        CHECK(strcmp(t, "ERROR") == 0, "0xffffffff: answer '%s'", t);
        CHECK(closed_within(fd, 3), "0xffffffff: connection left open");
        close(fd);
        fd = greeted();
        unsigned char z[4] = {0, 0, 0, 0};
        raw(fd, z, 4);
        CHECK(closed_within(fd, 3), "zero length: connection left open");
        close(fd);
        fd = greeted();
        unsigned char big[4] = {0, 0, 0x10, 0x01}; /* 4097 > cap */
        raw(fd, big, 4);
        CHECK(closed_within(fd, 3), "4097: connection left open");
        close(fd);
        /* announce 50, send 10, vanish */
        fd = greeted();
        unsigned char h50[4] = {0, 0, 0, 50};
        raw(fd, h50, 4);
        raw(fd, "TEST\nstrea", 10);
        close(fd);
    }

    /* type confusion and range abuse in a TEST */
    expect_error("streams=abc", test_msg("streams", "abc", 0, 1000), "streams");
    expect_error("streams=-1", test_msg("streams", "-1", 0, 1000), "streams");
    expect_error("streams=[1]", test_msg("streams", "[1]", 0, 1000), "streams");
    expect_error("streams=1e2", test_msg("streams", "1e2", 0, 1000), "streams");
    expect_error("streams=9999", test_msg("streams", "9999", 0, 1000), "streams");
    expect_error("streams huge", test_msg("streams", "184467440737095516160", 0, 1000), "streams");
    expect_error("protocol=1", test_msg("protocol", "1", 0, 1000), "protocol");
    expect_error("reverse=true", test_msg("reverse", "true", 0, 1000), "reverse");
    expect_error("duration 1.5", test_msg("duration_ms", "1.5", 0, 1000), "duration_ms");
    expect_error("no duration", test_msg("duration_ms", NULL, 0, 1000), "duration_ms");
    expect_error("length 0", test_msg("length", "0", 0, 1000), "length");
    expect_error("version 2", test_msg("version", "2", 0, 1000), "version 2");
    expect_error("no version", test_msg("version", NULL, 0, 1000), "version");
    expect_error("unknown field", "TEST\nversion=1\nevil=1\n", "evil");
    expect_error("duplicate", "TEST\nversion=1\nversion=1\n", "duplicate");
    expect_error("binary", "TEST\nversion=\x01\x02\n", "non-printable");
    expect_error("not key=value", "TEST\n{\"streams\": 1}\n", "key=value");
    expect_error("RESULTS first", "RESULTS\nbytes=1\n", "expected TEST or STREAM");
    expect_error("START first", "START\n", "expected TEST or STREAM");
    expect_error("bad cookie", "STREAM\ncookie=00000000000000000000000000000000\nindex=0\n",
                 "cookie");
    expect_error("stream index", "STREAM\ncookie=x\nindex=-1\n", "index");

    /* the slow peers are cut off after the first-message deadline */
    CHECK(closed_within(short_fd, BXI_HELLO_TIMEOUT + 3 - (bx_now() - t_stall)),
          "a peer that sent less than it announced was not cut off");
    CHECK(closed_within(silent_fd, BXI_HELLO_TIMEOUT + 3 - (bx_now() - t_stall)),
          "a silent peer was not cut off");
    close(short_fd);
    close(silent_fd);

    int ctl, data;
    /* a message on the control connection before START */
    {
        int c = greeted();
        body(c, test_msg(NULL, NULL, 0, 1000));
        const char *t = next(c, 3);
        CHECK(strcmp(t, "ACCEPT") == 0, "accept: %s %s", t, reason());
        body(c, "DONE\n");
        t = next(c, 3);
        CHECK(strcmp(t, "ERROR") == 0 && strstr(reason(), "before START"), "early message: %s %s",
              t, reason());
        CHECK(closed_within(c, 3), "early message: left open");
        close(c);
    }

    /* a client that vanishes mid-test (RST on both connections) */
    if (begin_test(0, 3000, &ctl, &data) == 0) {
        static char junk[65536];
        double end = bx_now() + 0.3;
        while (bx_now() < end)
            (void)!send(data, junk, sizeof junk, MSG_NOSIGNAL | MSG_DONTWAIT);
        rst_close(data);
        rst_close(ctl);
    }

    /* busy: a second client while a test runs gets BUSY at once; then the
       running test's client sends a RESULTS with a NaN */
    if (begin_test(0, 1000, &ctl, &data) == 0) {
        int b = conn();
        const char *t = next(b, 3);
        CHECK(strcmp(t, "BUSY") == 0, "second client got '%s'", t);
        CHECK(closed_within(b, 3), "busy connection left open");
        close(b);
        static char junk[65536];
        double end = bx_now() + 1.0;
        while (bx_now() < end) {
            (void)!send(data, junk, sizeof junk, MSG_NOSIGNAL | MSG_DONTWAIT);
            usleep(1000);
        }
        shutdown(data, SHUT_WR);
        body(ctl, "DONE\n");
        body(ctl, "RESULTS\nbytes=1\nusec=1\nretransmits=0\nrtt_us=0\njitter_ms=0\nlost=0\n"
                  "expected=0\npackets=0\ncpu=nan\nwindow=0\n");
        do
            t = next(ctl, 5);
        while (strcmp(t, "INTERVAL") == 0);
        CHECK(strcmp(t, "ERROR") == 0 && strstr(reason(), "cpu"), "NaN in RESULTS: %s %s", t,
              reason());
        close(data);
        close(ctl);
    }

    /* a receiving client (reverse) that sends an INTERVAL out of range */
    if (begin_test(1, 2000, &ctl, &data) == 0) {
        body(ctl, "INTERVAL\nindex=99999999\nbytes=1\nusec=1\n");
        const char *t = next(ctl, 3);
        CHECK(strcmp(t, "ERROR") == 0 && strstr(reason(), "index"), "bad INTERVAL: %s %s", t,
              reason());
        CHECK(closed_within(ctl, 3), "bad INTERVAL: left open");
        close(data);
        close(ctl);
    }

    /* a client that goes silent mid-test: the server gives up after the grace time */
    if (begin_test(0, 500, &ctl, &data) == 0) {
        double t0 = bx_now();
        const char *t;
        do /* the server, as the receiver, reports (empty) intervals meanwhile */
            t = next(ctl, 0.5 + BXI_GRACE + 3);
        while (strcmp(t, "INTERVAL") == 0);
        CHECK(strcmp(t, "ERROR") == 0, "silent client: '%s' after %.1f s", t, bx_now() - t0);
        CHECK(closed_within(ctl, 3), "silent client: left open");
        close(data);
        close(ctl);
    }

    /* a flood of idle connections: some are turned away at once, and once
       they go the server takes tests again */
    {
        enum { FLOOD = 48 };
        int fds[FLOOD], busy = 0;
        for (int i = 0; i < FLOOD; i++)
            fds[i] = conn();
        for (int i = 0; i < FLOOD; i++) {
            if (fds[i] < 0)
                continue;
            const char *t = next(fds[i], 2);
            busy += strcmp(t, "BUSY") == 0;
        }
        CHECK(busy >= FLOOD - 32, "only %d of %d flood connections turned away", busy, FLOOD);
        for (int i = 0; i < FLOOD; i++)
            if (fds[i] >= 0)
                close(fds[i]);
    }

    if (failures)
        fprintf(stderr, "hostile: %d check(s) failed\n", failures);
    else
        fprintf(stderr, "hostile: every case answered as expected\n");
    return failures ? 1 : 0;
}
