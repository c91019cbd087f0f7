/* proto.c — control protocol framing and strict message parsing (see proto.h). */
#define _GNU_SOURCE
#include "proto.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- building ------------------------------------------------------------ */

static void put(bxi_msgw *w, const char *s, size_t n)
{
    if (w->overflow || n > BXI_MAX_FRAME - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + 4 + w->len, s, n);
    w->len += n;
}

void bxi_msgw_begin(bxi_msgw *w, const char *type)
{
    w->len = 0;
    w->overflow = 0;
    put(w, type, strlen(type));
    put(w, "\n", 1);
}

void bxi_msgw_str(bxi_msgw *w, const char *key, const char *s)
{
    char v[BXI_MAX_VALUE + 1];
    size_t n = 0;
    for (; s[n] && n < BXI_MAX_VALUE; n++)
        v[n] = (s[n] >= 0x20 && s[n] <= 0x7e) ? s[n] : '?';
    put(w, key, strlen(key));
    put(w, "=", 1);
    put(w, v, n);
    put(w, "\n", 1);
}

void bxi_msgw_u64(bxi_msgw *w, const char *key, uint64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    bxi_msgw_str(w, key, t);
}

void bxi_msgw_dbl(bxi_msgw *w, const char *key, double v)
{
    char t[64];
    if (!isfinite(v))
        v = 0;
    /* fixed notation: the parser accepts no exponents */
    snprintf(t, sizeof t, "%.6f", v);
    bxi_msgw_str(w, key, t);
}

const char *bxi_msgw_frame(bxi_msgw *w, size_t *len)
{
    if (w->overflow || w->len == 0) {
        *len = 0;
        return NULL;
    }
    uint32_t n = (uint32_t)w->len;
    w->buf[0] = (char)(n >> 24);
    w->buf[1] = (char)(n >> 16);
    w->buf[2] = (char)(n >> 8);
    w->buf[3] = (char)n;
    *len = 4 + w->len;
    return w->buf;
}

/* ---- parsing ------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
                                                      const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int bxi_msg_parse(bxi_msg *m, const void *body, size_t len, char *err, size_t errlen)
{
    m->type = NULL;
    m->nfields = 0;
    if (len == 0 || len > BXI_MAX_FRAME)
        return fail(err, errlen, "bad message length %zu", len);
    memcpy(m->buf, body, len);
    m->buf[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)m->buf[i];
        if (c != '\n' && (c < 0x20 || c > 0x7e))
            return fail(err, errlen, "non-printable byte 0x%02x at offset %zu", c, i);
    }
    char *p = m->buf;
    int line = 0;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        line++;
        if (line == 1) {
            size_t n = strlen(p);
            if (n < 1 || n > BXI_MAX_TYPE)
                return fail(err, errlen, "bad message type on line %d", line);
            for (size_t i = 0; i < n; i++)
                if (p[i] < 'A' || p[i] > 'Z')
                    return fail(err, errlen, "bad message type on line %d", line);
            m->type = p;
        } else {
            char *eq = strchr(p, '=');
            if (!eq)
                return fail(err, errlen, "line %d is not key=value", line);
            *eq = '\0';
            size_t kn = strlen(p);
            if (kn < 1 || kn > BXI_MAX_KEY)
                return fail(err, errlen, "bad key length on line %d", line);
            for (size_t i = 0; i < kn; i++) {
                char c = p[i];
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                    return fail(err, errlen, "bad character in key on line %d", line);
            }
            if (strlen(eq + 1) > BXI_MAX_VALUE)
                return fail(err, errlen, "value too long on line %d", line);
            for (int i = 0; i < m->nfields; i++)
                if (strcmp(m->key[i], p) == 0)
                    return fail(err, errlen, "duplicate key '%s' on line %d", p, line);
            if (m->nfields == BXI_MAX_FIELDS)
                return fail(err, errlen, "more than %d fields (line %d)", BXI_MAX_FIELDS, line);
            m->key[m->nfields] = p;
            m->val[m->nfields] = eq + 1;
            m->nfields++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (!m->type)
        return fail(err, errlen, "empty message");
    return 0;
}

int bxi_msg_is(const bxi_msg *m, const char *type)
{
    return m->type && strcmp(m->type, type) == 0;
}

int bxi_msg_only(const bxi_msg *m, const char *const *allowed, char *err, size_t errlen)
{
    for (int i = 0; i < m->nfields; i++) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, m->key[i]) == 0;
        if (!ok) {
            snprintf(err, errlen, "unexpected field '%s' in %s", m->key[i], m->type);
            return -1;
        }
    }
    return 0;
}

const char *bxi_msg_get(const bxi_msg *m, const char *key)
{
    for (int i = 0; i < m->nfields; i++)
        if (strcmp(m->key[i], key) == 0)
            return m->val[i];
    return NULL;
}

int bxi_msg_u64(const bxi_msg *m, const char *key, uint64_t min, uint64_t max, uint64_t *out,
                char *err, size_t errlen)
{
    const char *v = bxi_msg_get(m, key);
    if (!v) {
        snprintf(err, errlen, "field '%s' is missing from %s", key, m->type);
        return -1;
    }
    uint64_t x = 0;
    size_t n = strlen(v);
    int ok = n >= 1 && n <= 20;
    for (size_t i = 0; ok && i < n; i++) {
        if (v[i] < '0' || v[i] > '9') {
            ok = 0;
            break;
        }
        uint64_t d = (uint64_t)(v[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            ok = 0;
        else
            x = x * 10 + d;
    }
    if (!ok || x < min || x > max) {
        snprintf(err, errlen, "field '%s' of %s is '%.40s', not an integer in %llu..%llu", key,
                 m->type, v, (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = x;
    return 0;
}

int bxi_msg_dbl(const bxi_msg *m, const char *key, double min, double max, double *out, char *err,
                size_t errlen)
{
    const char *v = bxi_msg_get(m, key);
    if (!v) {
        snprintf(err, errlen, "field '%s' is missing from %s", key, m->type);
        return -1;
    }
    /* digits, at most one '.', optional leading '-': no exponents, nan or inf */
    int ok = v[0] != '\0' && strlen(v) <= 40, dots = 0, digits = 0;
    for (const char *p = v + (v[0] == '-'); ok && *p; p++) {
        if (*p == '.')
            ok = ++dots <= 1;
        else if (*p >= '0' && *p <= '9')
            digits++;
        else
            ok = 0;
    }
    double x = 0;
    if (ok && digits > 0) {
        char *end;
        x = strtod(v, &end);
        ok = *end == '\0' && isfinite(x) && x >= min && x <= max;
    } else {
        ok = 0;
    }
    if (!ok) {
        snprintf(err, errlen, "field '%s' of %s is '%.40s', not a number in %g..%g", key, m->type,
                 v, min, max);
        return -1;
    }
    *out = x;
    return 0;
}

/* ---- reading ------------------------------------------------------------- */

void bxi_reader_reset(bxi_reader *r)
{
    r->have = 0;
    r->len = 0;
}

int bxi_reader_feed(bxi_reader *r, int fd, int *sys_errno)
{
    for (;;) {
        void *dst;
        size_t want;
        if (r->have < 4) {
            dst = r->hdr + r->have;
            want = 4 - r->have;
        } else {
            if (r->have - 4 == r->len)
                return BXI_RD_FRAME;
            dst = r->body + (r->have - 4);
            want = r->len - (r->have - 4);
        }
        ssize_t n = recv(fd, dst, want, 0);
        if (n == 0)
            return BXI_RD_EOF;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return BXI_RD_MORE;
            if (sys_errno)
                *sys_errno = errno;
            return BXI_RD_ERROR;
        }
        r->have += (size_t)n;
        if (r->have == 4) {
            r->len = (uint32_t)r->hdr[0] << 24 | (uint32_t)r->hdr[1] << 16 |
                     (uint32_t)r->hdr[2] << 8 | (uint32_t)r->hdr[3];
            /* the cap is checked before a single body byte is read or stored */
            if (r->len == 0 || r->len > BXI_MAX_FRAME)
                return BXI_RD_TOOBIG;
        }
    }
}

int bxi_reader_msg(bxi_reader *r, bxi_msg *m, char *err, size_t errlen)
{
    if (r->have < 4 || r->have - 4 != r->len) {
        snprintf(err, errlen, "incomplete frame");
        return -1;
    }
    return bxi_msg_parse(m, r->body, r->len, err, errlen);
}

const char *bxi_rd_what(int rd, int sys_errno, char *buf, size_t len)
{
    switch (rd) {
    case BXI_RD_EOF: snprintf(buf, len, "the peer closed the connection"); break;
    case BXI_RD_ERROR: snprintf(buf, len, "read failed: %s", strerror(sys_errno)); break;
    case BXI_RD_TOOBIG:
        snprintf(buf, len, "the peer announced a message length outside 1..%d", BXI_MAX_FRAME);
        break;
    default: snprintf(buf, len, "incomplete message"); break;
    }
    return buf;
}
