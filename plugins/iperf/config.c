/*
 * config.c — a test's configuration (validation, the TEST message), the
 * outcome helpers, rate parsing and the one-shot BUSY / ERROR answers.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "iperf_int.h"

int bxi_config_validate(const bxi_config *c, char *err, size_t errlen)
{
    if (c->streams < 1 || c->streams > BXI_MAX_STREAMS) {
        snprintf(err, errlen, "streams=%u is out of range 1..%d", c->streams, BXI_MAX_STREAMS);
        return -1;
    }
    if (c->udp && (c->length < BXI_UDP_HDR || c->length > BXI_UDP_MAXLEN)) {
        snprintf(err, errlen,
                 "length=%u is not a UDP datagram size: use %d..%d bytes (a datagram carries a "
                 "%d-byte header)",
                 c->length, BXI_UDP_HDR, BXI_UDP_MAXLEN, BXI_UDP_HDR);
        return -1;
    }
    if (!c->udp && (c->length < 1 || c->length > BXI_TCP_MAXLEN)) {
        snprintf(err, errlen, "length=%u is out of range 1..%u", c->length, BXI_TCP_MAXLEN);
        return -1;
    }
    if ((uint64_t)c->streams * c->length > BXI_MAX_BUFFERS) {
        snprintf(err, errlen,
                 "streams x length = %u x %u bytes exceeds the %llu MiB limit on buffers",
                 c->streams, c->length, BXI_MAX_BUFFERS >> 20);
        return -1;
    }
    if (c->window > (1ull << 30)) {
        snprintf(err, errlen, "window=%llu exceeds 1 GiB", (unsigned long long)c->window);
        return -1;
    }
    if (c->duration_ms < 1 || c->duration_ms > BXI_MAX_DURATION_MS) {
        snprintf(err, errlen, "duration of %u ms is out of range 1 ms .. 7 days", c->duration_ms);
        return -1;
    }
    if (c->omit_ms > 3600000u) {
        snprintf(err, errlen, "omit of %u ms exceeds one hour", c->omit_ms);
        return -1;
    }
    if (c->interval_ms < 10 || c->interval_ms > 3600000u) {
        snprintf(err, errlen, "interval of %u ms is out of range 10 ms .. 1 hour", c->interval_ms);
        return -1;
    }
    if (c->duration_ms / c->interval_ms >= BXI_MAX_INTERVALS) {
        snprintf(err, errlen,
                 "duration/interval = %u intervals is too many (at most %u); raise interval",
                 c->duration_ms / c->interval_ms, BXI_MAX_INTERVALS - 1);
        return -1;
    }
    if (c->rate > 1000000000000000ull) {
        snprintf(err, errlen, "rate of %llu bit/s is implausible",
                 (unsigned long long)c->rate);
        return -1;
    }
    return 0;
}

size_t bxi_config_intervals(const bxi_config *c)
{
    /* the receiver ticks until the streams end, at the latest BXI_GRACE
       (+10%) after the planned end; a final partial one; slack */
    uint64_t span = (uint64_t)c->duration_ms * 11 / 10 + (uint64_t)(BXI_GRACE * 1000);
    return (size_t)(span / c->interval_ms) + 3;
}

void bxi_config_to_msg(const bxi_config *c, bxi_msgw *w)
{
    bxi_msgw_begin(w, "TEST");
    bxi_msgw_u64(w, "version", BXI_PROTO_VERSION);
    bxi_msgw_str(w, "protocol", c->udp ? "udp" : "tcp");
    bxi_msgw_u64(w, "streams", c->streams);
    bxi_msgw_u64(w, "length", c->length);
    bxi_msgw_u64(w, "window", c->window);
    bxi_msgw_u64(w, "reverse", (uint64_t)c->reverse);
    bxi_msgw_u64(w, "rate", c->rate);
    bxi_msgw_u64(w, "duration_ms", c->duration_ms);
    bxi_msgw_u64(w, "omit_ms", c->omit_ms);
    bxi_msgw_u64(w, "interval_ms", c->interval_ms);
}

int bxi_config_from_msg(const bxi_msg *m, bxi_config *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"version", "protocol", "streams",     "length",
                                       "window",  "reverse",  "rate",        "duration_ms",
                                       "omit_ms", "interval_ms", NULL};
    uint64_t v;
    memset(c, 0, sizeof *c);
    if (!bxi_msg_is(m, "TEST")) {
        snprintf(err, errlen, "expected a TEST message, got %s", m->type);
        return -1;
    }
    /* the version first: a newer client gets a clear answer, not a field error */
    if (bxi_msg_u64(m, "version", 0, UINT32_MAX, &v, err, errlen) != 0)
        return -1;
    if (v != BXI_PROTO_VERSION) {
        snprintf(err, errlen, "protocol version %llu is not supported (this server speaks %d)",
                 (unsigned long long)v, BXI_PROTO_VERSION);
        return -1;
    }
    if (bxi_msg_only(m, keys, err, errlen) != 0)
        return -1;
    const char *proto = bxi_msg_get(m, "protocol");
    if (!proto || (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)) {
        snprintf(err, errlen, "field 'protocol' must be tcp or udp");
        return -1;
    }
    c->udp = strcmp(proto, "udp") == 0;
    if (bxi_msg_u64(m, "streams", 1, BXI_MAX_STREAMS, &v, err, errlen))
        return -1;
    c->streams = (uint32_t)v;
    if (bxi_msg_u64(m, "length", 1, BXI_TCP_MAXLEN, &v, err, errlen))
        return -1;
    c->length = (uint32_t)v;
    if (bxi_msg_u64(m, "window", 0, 1ull << 30, &c->window, err, errlen))
        return -1;
    if (bxi_msg_u64(m, "reverse", 0, 1, &v, err, errlen))
        return -1;
    c->reverse = (int)v;
    if (bxi_msg_u64(m, "rate", 0, 1000000000000000ull, &c->rate, err, errlen))
        return -1;
    if (bxi_msg_u64(m, "duration_ms", 1, BXI_MAX_DURATION_MS, &v, err, errlen))
        return -1;
    c->duration_ms = (uint32_t)v;
    if (bxi_msg_u64(m, "omit_ms", 0, 3600000u, &v, err, errlen))
        return -1;
    c->omit_ms = (uint32_t)v;
    if (bxi_msg_u64(m, "interval_ms", 10, 3600000u, &v, err, errlen))
        return -1;
    c->interval_ms = (uint32_t)v;
    return bxi_config_validate(c, err, errlen);
}

int bxi_parse_rate(const char *text, uint64_t *out)
{
    if (!text)
        return -1;
    while (isspace((unsigned char)*text))
        text++;
    if (!isdigit((unsigned char)*text) && *text != '.')
        return -1; /* no sign, no "inf" or "nan" */
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno == ERANGE || !isfinite(v) || v < 0)
        return -1;
    double mult = 1;
    switch (tolower((unsigned char)*end)) {
    case 'k': mult = 1e3; end++; break;
    case 'm': mult = 1e6; end++; break;
    case 'g': mult = 1e9; end++; break;
    case 't': mult = 1e12; end++; break;
    default: break;
    }
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    v *= mult;
    if (v > 1e15)
        return -1;
    *out = (uint64_t)llround(v);
    return 0;
}

uint64_t bxi_cookie_tag(const char *cookie)
{
    uint64_t t = 0;
    for (int i = 0; i < 16 && cookie[i]; i++) {
        char c = cookie[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
        t = t << 4 | (uint64_t)d;
    }
    return t;
}

/* A best-effort, non-blocking answer on a socket about to be closed. */
static void say(int fd, const char *type, const char *reason)
{
    bxi_msgw w;
    size_t len;
    bxi_msgw_begin(&w, type);
    bxi_msgw_u64(&w, "version", BXI_PROTO_VERSION);
    bxi_msgw_str(&w, "reason", reason);
    const char *f = bxi_msgw_frame(&w, &len);
    if (f)
        (void)!send(fd, f, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void bxi_say_busy(int fd)
{
    say(fd, "BUSY", "the server is running another test; try again when it ends");
}

void bxi_say_error(int fd, const char *reason) { say(fd, "ERROR", reason); }

/* ---- outcomes -------------------------------------------------------------- */

void bxi_outcome_free(bxi_outcome *o)
{
    if (o) {
        free(o->iv);
        o->iv = NULL;
        o->niv = 0;
    }
}

const bxi_side *bxi_receiver(const bxi_outcome *o)
{
    return o->local_sender ? &o->remote : &o->local;
}

const bxi_side *bxi_sender(const bxi_outcome *o)
{
    return o->local_sender ? &o->local : &o->remote;
}

const bxi_side *bxi_client_side(const bxi_outcome *o)
{
    return o->local_server ? &o->remote : &o->local;
}

const bxi_side *bxi_server_side(const bxi_outcome *o)
{
    return o->local_server ? &o->local : &o->remote;
}

double bxi_gbps(uint64_t bytes, uint64_t usec)
{
    return usec ? (double)bytes * 8.0 / ((double)usec * 1e3) : 0.0;
}

double bxi_outcome_gbps(const bxi_outcome *o)
{
    const bxi_side *r = bxi_receiver(o);
    return bxi_gbps(r->bytes, r->usec);
}

double bxi_outcome_lost_percent(const bxi_outcome *o)
{
    const bxi_side *r = bxi_receiver(o);
    return r->expected ? 100.0 * (double)r->lost / (double)r->expected : 0.0;
}
