/*
 * test_unit — the iperf plugin's pieces without a network:
 *   proto    message parsing: valid messages, every malformed shape, fuzz
 *   config   the TEST message: round trip and type confusion in each field
 *   rate     bxi_parse_rate
 *   check    bad input refused by the parameter table or check() (exit 2)
 *   lowat    the TCP receiver's wake-up threshold against the rate
 *   same_host  which address pairs count as one host (bxi_same_host_addrs)
 *
 *     test_unit proto|config|rate|check|lowat|same_host
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchaas/mock.h"
#include "iperf_int.h"
#include "proto.h"

const bx_plugin *benchaas_plugin_entry(const bx_host *host);

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

static int parse(const char *body, bxi_msg *m, char *err)
{
    return bxi_msg_parse(m, body, strlen(body), err, 256);
}

static void test_proto(void)
{
    bxi_msg m;
    char err[256];
    uint64_t v;
    double d;

    CHECK(parse("TEST\nstreams=4\nprotocol=tcp\n", &m, err) == 0, "%s", err);
    CHECK(bxi_msg_is(&m, "TEST") && m.nfields == 2, "type/fields");
    CHECK(bxi_msg_u64(&m, "streams", 1, 128, &v, err, sizeof err) == 0 && v == 4, "%s", err);
    CHECK(strcmp(bxi_msg_get(&m, "protocol"), "tcp") == 0, "get");
    CHECK(parse("DONE", &m, err) == 0 && m.nfields == 0, "no trailing newline is fine");

    /* malformed shapes */
    static const char *const bad[] = {
        "",                       /* empty */
        "\n",                     /* empty type */
        "test\n",                 /* lower-case type */
        "TOOLONGMESSAGETYPE\n",   /* type > 15 */
        "TEST\nstreams\n",        /* no '=' */
        "TEST\n\nstreams=1\n",    /* empty line */
        "TEST\n=1\n",             /* empty key */
        "TEST\nStreams=1\n",      /* capital in key */
        "TEST\nstr-eams=1\n",     /* bad char in key */
        "TEST\na=1\na=2\n",       /* duplicate */
        "TEST\na=\x01\n",         /* control character */
        "TEST\na=\xff\n",         /* non-ASCII */
        "TEST\r\na=1\n",          /* CR */
        NULL};
    for (int i = 0; bad[i]; i++)
        CHECK(parse(bad[i], &m, err) != 0, "accepted bad message #%d", i);
    CHECK(bxi_msg_parse(&m, "TEST\na=1\0b=2", 12, err, sizeof err) != 0, "NUL accepted");
    CHECK(bxi_msg_parse(&m, "X", 0, err, sizeof err) != 0, "length 0 accepted");
    char big[BXI_MAX_FRAME + 10];
    memset(big, 'A', sizeof big);
    CHECK(bxi_msg_parse(&m, big, BXI_MAX_FRAME + 1, err, sizeof err) != 0, "oversize accepted");

    /* a value longer than the cap; too many fields */
    char lv[2000];
    snprintf(lv, sizeof lv, "TEST\na=%01100d\n", 0);
    CHECK(parse(lv, &m, err) != 0, "long value accepted");
    char many[2000] = "TEST\n";
    for (int i = 0; i < BXI_MAX_FIELDS + 1; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "k%d=1\n", i);
    CHECK(parse(many, &m, err) != 0, "too many fields accepted");

    /* numbers: type confusion and ranges */
    CHECK(parse("T\na=abc\nb=-1\nc=1e3\nd=99999999999999999999999\ne=\nf=12\ng= 1\nh=0x10\n", &m,
                err) == 0,
          "%s", err);
    static const char *const notint[] = {"a", "b", "c", "d", "e", "g", "h", "missing", NULL};
    for (int i = 0; notint[i]; i++)
        CHECK(bxi_msg_u64(&m, notint[i], 0, UINT64_MAX, &v, err, sizeof err) != 0,
              "'%s' taken as an integer", notint[i]);
    CHECK(bxi_msg_u64(&m, "f", 0, 11, &v, err, sizeof err) != 0, "range not checked");
    CHECK(bxi_msg_u64(&m, "f", 12, 12, &v, err, sizeof err) == 0 && v == 12, "12");
    CHECK(parse("T\na=nan\nb=inf\nc=1e400\nd=1.5\ne=-2\nf=.\ng=1.2.3\n", &m, err) == 0, "%s", err);
    static const char *const notdbl[] = {"a", "b", "c", "f", "g", NULL};
    for (int i = 0; notdbl[i]; i++)
        CHECK(bxi_msg_dbl(&m, notdbl[i], -1e9, 1e9, &d, err, sizeof err) != 0,
              "'%s' taken as a number", notdbl[i]);
    CHECK(bxi_msg_dbl(&m, "d", 0, 2, &d, err, sizeof err) == 0 && d == 1.5, "1.5");
    CHECK(bxi_msg_dbl(&m, "e", 0, 2, &d, err, sizeof err) != 0, "negative accepted");

    /* builder: values are sanitised and the frame header is big-endian */
    bxi_msgw w;
    size_t len;
    bxi_msgw_begin(&w, "ERROR");
    bxi_msgw_str(&w, "reason", "bad\nline\x01");
    const char *f = bxi_msgw_frame(&w, &len);
    CHECK(f && len == 4 + strlen("ERROR\nreason=bad?line?\n"), "frame length %zu", len);
    CHECK(f && (unsigned char)f[3] == len - 4 && f[0] == 0, "header");
    CHECK(f && bxi_msg_parse(&m, f + 4, len - 4, err, sizeof err) == 0, "%s", err);

    /* fuzz: random bodies never crash and are either rejected or well-formed */
    srand(12345);
    for (int it = 0; it < 20000; it++) {
        char b[64];
        size_t n = (size_t)(rand() % (int)sizeof b) + 1;
        for (size_t k = 0; k < n; k++) {
            static const char alpha[] = "TESTab=1\n\x00\xff-9";
            b[k] = alpha[rand() % (int)(sizeof alpha - 1)];
        }
        if (bxi_msg_parse(&m, b, n, err, sizeof err) == 0) {
            CHECK(m.type != NULL, "parsed without a type");
            for (int k = 0; k < m.nfields; k++)
                CHECK(m.key[k][0] != '\0', "empty key");
        }
    }

    /* the reader refuses a huge announced length before reading a body byte */
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0, "socketpair");
    unsigned char hdr[4] = {0xff, 0xff, 0xff, 0xff};
    CHECK(write(sv[0], hdr, 4) == 4, "write");
    bxi_reader *r = malloc(sizeof *r);
    bxi_reader_reset(r);
    int se = 0;
    CHECK(bxi_reader_feed(r, sv[1], &se) == BXI_RD_TOOBIG, "0xffffffff length accepted");
    bxi_reader_reset(r);
    unsigned char zero[4] = {0, 0, 0, 0};
    CHECK(write(sv[0], zero, 4) == 4, "write");
    CHECK(bxi_reader_feed(r, sv[1], &se) == BXI_RD_TOOBIG, "zero length accepted");
    /* a frame delivered in pieces */
    bxi_reader_reset(r);
    unsigned char part[] = {0, 0, 0, 5, 'D', 'O'};
    CHECK(write(sv[0], part, sizeof part) == (ssize_t)sizeof part, "write");
    CHECK(bxi_reader_feed(r, sv[1], &se) == BXI_RD_MORE, "partial frame");
    CHECK(write(sv[0], "NE\n", 3) == 3, "write");
    CHECK(bxi_reader_feed(r, sv[1], &se) == BXI_RD_FRAME, "completed frame");
    CHECK(bxi_reader_msg(r, &m, err, sizeof err) == 0 && bxi_msg_is(&m, "DONE"), "%s", err);
    close(sv[0]);
    bxi_reader_reset(r);
    CHECK(bxi_reader_feed(r, sv[1], &se) == BXI_RD_EOF, "EOF");
    close(sv[1]);
    free(r);
}

static bxi_config good_config(void)
{
    bxi_config c = {.udp = 0, .streams = 2, .length = 131072, .window = 0, .reverse = 1,
                    .rate = 0, .duration_ms = 1000, .omit_ms = 0, .interval_ms = 1000};
    return c;
}

/* A TEST message with one field replaced (or removed if value is NULL). */
static int test_with(const char *key, const char *value, char *err)
{
    bxi_config c = good_config(), out;
    bxi_msgw w;
    bxi_msg m;
    size_t len;
    bxi_config_to_msg(&c, &w);
    const char *f = bxi_msgw_frame(&w, &len);
    if (bxi_msg_parse(&m, f + 4, len - 4, err, 256))
        return -2;
    /* rebuild from the parsed fields, swapping one */
    bxi_msgw_begin(&w, "TEST");
    for (int i = 0; i < m.nfields; i++) {
        if (strcmp(m.key[i], key) == 0) {
            if (value)
                bxi_msgw_str(&w, key, value);
        } else {
            bxi_msgw_str(&w, m.key[i], m.val[i]);
        }
    }
    if (!bxi_msg_get(&m, key) && value)
        bxi_msgw_str(&w, key, value);
    f = bxi_msgw_frame(&w, &len);
    if (bxi_msg_parse(&m, f + 4, len - 4, err, 256))
        return -2;
    return bxi_config_from_msg(&m, &out, err, 256);
}

static void test_config(void)
{
    char err[256];
    bxi_config c = good_config(), out;
    bxi_msgw w;
    bxi_msg m;
    size_t len;
    bxi_config_to_msg(&c, &w);
    const char *f = bxi_msgw_frame(&w, &len);
    CHECK(bxi_msg_parse(&m, f + 4, len - 4, err, sizeof err) == 0, "%s", err);
    CHECK(bxi_config_from_msg(&m, &out, err, sizeof err) == 0, "%s", err);
    CHECK(memcmp(&c, &out, sizeof c) == 0, "round trip differs");

    CHECK(test_with("streams", "2", err) == 0, "%s", err);
    static const char *const hostile[][2] = {
        {"version", "2"},          {"version", "0"},           {"version", NULL},
        {"streams", "0"},          {"streams", "129"},         {"streams", "abc"},
        {"streams", "-1"},         {"streams", "4294967297"},  {"streams", "[1]"},
        {"streams", "{\"a\":1}"},  {"streams", "1.0"},         {"streams", NULL},
        {"protocol", "sctp"},      {"protocol", "1"},          {"protocol", ""},
        {"length", "0"},           {"length", "99999999999"},  {"reverse", "2"},
        {"reverse", "true"},       {"duration_ms", "0"},       {"duration_ms", "1e3"},
        {"omit_ms", "3600001"},    {"interval_ms", "1"},       {"rate", "-5"},
        {"window", "2147483648"},  {"extra", "1"},             {NULL, NULL}};
    for (int i = 0; hostile[i][0]; i++)
        CHECK(test_with(hostile[i][0], hostile[i][1], err) == -1, "%s=%s accepted",
              hostile[i][0], hostile[i][1] ? hostile[i][1] : "(missing)");
    CHECK(test_with("version", "2", err) == -1 && strstr(err, "version 2"), "version error: %s",
          err);
    /* UDP datagram bounds and the buffer cap */
    c = good_config();
    c.udp = 1;
    c.length = 70000;
    CHECK(bxi_config_validate(&c, err, sizeof err) != 0, "UDP 70000 accepted");
    c.length = 31;
    CHECK(bxi_config_validate(&c, err, sizeof err) != 0, "UDP 31 accepted");
    c = good_config();
    c.streams = 128;
    c.length = 64u << 20;
    CHECK(bxi_config_validate(&c, err, sizeof err) != 0, "8 GiB of buffers accepted");
    c.streams = 5;
    CHECK(bxi_config_validate(&c, err, sizeof err) != 0, "320 MiB of buffers accepted");
    c.streams = 4;
    CHECK(bxi_config_validate(&c, err, sizeof err) == 0, "256 MiB of buffers refused: %s", err);
    c = good_config();
    c.duration_ms = 604800000u;
    c.interval_ms = 10;
    CHECK(bxi_config_validate(&c, err, sizeof err) != 0, "too many intervals accepted");
}

static void test_rate(void)
{
    uint64_t v;
    CHECK(bxi_parse_rate("1000", &v) == 0 && v == 1000, "1000");
    CHECK(bxi_parse_rate("100m", &v) == 0 && v == 100000000u, "100m");
    CHECK(bxi_parse_rate("2.5G", &v) == 0 && v == 2500000000u, "2.5G");
    CHECK(bxi_parse_rate("1k", &v) == 0 && v == 1000, "1k (powers of 1000)");
    CHECK(bxi_parse_rate("0", &v) == 0 && v == 0, "0");
    static const char *const bad[] = {"", "m", "-1m", "1x", "1mm", "nan", "inf", "1e400", "2e15",
                                      NULL};
    for (int i = 0; bad[i]; i++)
        CHECK(bxi_parse_rate(bad[i], &v) != 0, "rate '%s' accepted", bad[i]);
}

/* The TCP receiver's wake-up threshold against the rate it received at. */
static void test_lowat(void)
{
    const uint64_t ms10 = 10000000u; /* the receiver's estimate window */
    /* bytes in 10 ms at a rate of R bytes/s = R / 100 */
    CHECK(bxi_rcvlowat_for(0, ms10) == 1, "nothing received: %d", bxi_rcvlowat_for(0, ms10));
    CHECK(bxi_rcvlowat_for(1u << 30, 0) == 1, "no time: %d", bxi_rcvlowat_for(1u << 30, 0));
    /* 100 Mbit/s (12.5 MB/s): 12.5 KB a millisecond, under the minimum */
    CHECK(bxi_rcvlowat_for(125000, ms10) == 1, "100 Mbit/s: %d", bxi_rcvlowat_for(125000, ms10));
    /* 2 Gbit/s (250 MB/s): 250 000 bytes a millisecond, down to whole 4 KiB */
    CHECK(bxi_rcvlowat_for(2500000, ms10) == 61 * 4096, "2 Gbit/s: %d",
          bxi_rcvlowat_for(2500000, ms10));
    /* just under and at the minimum (128 KiB a millisecond) */
    CHECK(bxi_rcvlowat_for(10ull * (128u << 10) - 10, ms10) == 1, "just under the minimum");
    CHECK(bxi_rcvlowat_for(10ull * (128u << 10), ms10) == (128 << 10), "the minimum: %d",
          bxi_rcvlowat_for(10ull * (128u << 10), ms10));
    /* 25 Gbit/s and 400 Gbit/s: capped */
    CHECK(bxi_rcvlowat_for(31250000, ms10) == (int)BXI_RCVLOWAT_MAX, "25 Gbit/s: %d",
          bxi_rcvlowat_for(31250000, ms10));
    CHECK(bxi_rcvlowat_for(500000000, ms10) == (int)BXI_RCVLOWAT_MAX, "400 Gbit/s: %d",
          bxi_rcvlowat_for(500000000, ms10));
    /* a longer window than planned (the receiver slept): the rate, not the total */
    CHECK(bxi_rcvlowat_for(2500000 * 10ull, 10 * ms10) == 61 * 4096, "a 100 ms window: %d",
          bxi_rcvlowat_for(2500000 * 10ull, 10 * ms10));
}

/* Whether two addresses are one host (the same-host send buffer's rule). */
static int same(const char *local, int lport, const char *peer, int pport)
{
    bxi_addr l, p;
    char e[256];
    if (bxi_resolve(local, lport, 0, &l, e, sizeof e) ||
        bxi_resolve(peer, pport, 0, &p, e, sizeof e)) {
        CHECK(0, "cannot resolve %s or %s: %s", local, peer, e);
        return -1;
    }
    return bxi_same_host_addrs(&l, &p);
}

static void test_same_host(void)
{
    /* loopback peers, whatever the local address says */
    CHECK(same("127.0.0.1", 40000, "127.0.0.1", 5201) == 1, "127.0.0.1");
    CHECK(same("198.18.0.1", 40000, "127.0.0.2", 5201) == 1, "127.0.0.2 is loopback");
    CHECK(same("::1", 40000, "::1", 5201) == 1, "::1");
    CHECK(same("fd00::1", 40000, "::ffff:127.0.0.1", 5201) == 1, "v4-mapped loopback");
    /* the host's own address on both ends (another port) */
    CHECK(same("198.18.0.1", 40000, "198.18.0.1", 5201) == 1, "same IPv4 address");
    CHECK(same("fd00::1", 40000, "fd00::1", 5201) == 1, "same IPv6 address");
    /* two hosts: the kernel's autotuning stays */
    CHECK(same("198.18.0.1", 5201, "198.18.0.2", 5201) == 0, "198.18.0.1 and .2");
    CHECK(same("198.18.0.1", 40000, "198.19.0.1", 5201) == 0, "198.18.0.1 and 198.19.0.1");
    CHECK(same("fd00::1", 40000, "fd00::2", 5201) == 0, "fd00::1 and ::2");
    CHECK(same("fd00::1", 40000, "::ffff:198.18.0.2", 5201) == 0, "v4-mapped other host");
    CHECK(same("198.18.0.1", 40000, "fd00::1", 5201) == 0, "two families");
}

/* check() through the mock: 0 = accepted, else the code. */
static int check_with(const char *const *kv, int nranks, char *msg, size_t len)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_world(m, 0, nranks);
    int rc = 0;
    for (int i = 0; kv[i] && rc == 0; i += 2)
        rc = bx_mock_set(m, kv[i], kv[i + 1]);
    if (rc == 0)
        rc = bx_mock_check(m);
    snprintf(msg, len, "%s", bx_mock_error(m));
    bx_mock_free(m);
    return rc;
}

static void test_check(void)
{
    char msg[2048];
    int port = 15290;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    /* refused by the parameter table (the runner does this: exit 2) */
    static const char *const table[][2] = {{"port", "70000"},    {"port", "65536"},
                                           {"port", "-1"},       {"streams", "0"},
                                           {"streams", "129"},   {"duration", "-1"},
                                           {"mode", "ring"},     {"protocol", "sctp"},
                                           {"reverse", "maybe"}, {"length", "12q"},
                                           {"nosuch", "1"},      {NULL, NULL}};
    for (int i = 0; table[i][0]; i++) {
        const char *kv[] = {table[i][0], table[i][1], NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL, "%s=%s accepted", table[i][0],
              table[i][1]);
    }
    /* refused by check() */
    {
        const char *kv[] = {"mode", "server", "port", "0", NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL && strstr(msg, "mode=loopback"),
              "server on port 0: %s", msg);
        const char *kl[] = {"port", "0", NULL};
        CHECK(check_with(kl, 1, msg, sizeof msg) == 0, "loopback on port 0: %s", msg);
    }
    {
        const char *kv[] = {"duration", "0", "port", ps, NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL && strstr(msg, "duration"),
              "duration=0: %s", msg);
    }
    {
        const char *kv[] = {"mode", "client", NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL && strstr(msg, "host"),
              "client without host: %s", msg);
    }
    {
        const char *kv[] = {"mode", "client", "host", "no-such-host.invalid", NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL && strstr(msg, "no-such-host"),
              "unresolvable host: %s", msg);
    }
    {
        const char *kv[] = {"mode", "server", "bind", "192.0.2.1", "port", ps, NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL, "foreign bind address: %s", msg);
    }
    {
        const char *kv[] = {"mode", "pairs", NULL};
        CHECK(check_with(kv, 3, msg, sizeof msg) == BX_EINVAL && strstr(msg, "even"),
              "pairs with 3 ranks: %s", msg);
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL, "pairs with 1 rank: %s", msg);
        CHECK(check_with(kv, 4, msg, sizeof msg) == 0, "pairs with 4 ranks: %s", msg);
    }
    {
        const char *kv[] = {"mode", "loopback", "port", ps, NULL};
        CHECK(check_with(kv, 2, msg, sizeof msg) == BX_EINVAL, "loopback with 2 ranks: %s", msg);
    }
    {
        const char *kv[] = {"protocol", "udp", "length", "128k", "port", ps, NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL && strstr(msg, "UDP"),
              "UDP 128k datagrams: %s", msg);
    }
    {
        const char *kv[] = {"protocol", "udp", "rate", "fast", "port", ps, NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL && strstr(msg, "rate"),
              "rate=fast: %s", msg);
    }
    {
        const char *kv[] = {"streams", "128", "length", "64m", "port", ps, NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL, "8 GiB of buffers: %s", msg);
    }
    /* a port already in use, for loopback and server */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 1) == 0,
          "cannot occupy port %d", port);
    {
        const char *kv[] = {"port", ps, NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == BX_EINVAL && strstr(msg, "in use"),
              "loopback on a busy port: %s", msg);
        const char *kv2[] = {"mode", "server", "port", ps, NULL};
        CHECK(check_with(kv2, 1, msg, sizeof msg) == BX_EINVAL && strstr(msg, "in use"),
              "server on a busy port: %s", msg);
    }
    close(fd);
    {
        const char *kv[] = {"port", ps, "streams", "4", "protocol", "udp", "rate", "10m", NULL};
        CHECK(check_with(kv, 1, msg, sizeof msg) == 0, "a good point refused: %s", msg);
    }
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "proto") == 0)
        test_proto();
    else if (strcmp(what, "config") == 0)
        test_config();
    else if (strcmp(what, "rate") == 0)
        test_rate();
    else if (strcmp(what, "check") == 0)
        test_check();
    else if (strcmp(what, "lowat") == 0)
        test_lowat();
    else if (strcmp(what, "same_host") == 0)
        test_same_host();
    else {
        fprintf(stderr, "usage: test_unit proto|config|rate|check|lowat|same_host\n");
        return 2;
    }
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
