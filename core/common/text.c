/* text.c — valid UTF-8 without control characters (see text.h). */
#define _GNU_SOURCE
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if ((c & 0xe0) == 0xc0)
        n = 2, v = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0)
        n = 3, v = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0)
        n = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0; /* overlong, beyond Unicode, or a surrogate */
    *cp = v;
    return n;
}

static int is_control(uint32_t cp) { return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0); }

int text_check(const char *s, char *why, size_t whylen)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t off = 0;
    while (p[off]) {
        uint32_t cp;
        size_t n = utf8_len(p + off, &cp);
        if (n == 0) {
            if (why)
                snprintf(why, whylen, "byte %zu (0x%02x) is not valid UTF-8", off + 1, p[off]);
            return -1;
        }
        if (is_control(cp)) {
            if (why)
                snprintf(why, whylen, "character %zu is a control character (U+%04X)", off + 1,
                         (unsigned)cp);
            return -1;
        }
        off += n;
    }
    return 0;
}

int text_needs_escape(const char *s) { return s && text_check(s, NULL, 0) != 0; }

/* One escaped unit for the byte/character at p (n bytes of a valid sequence, or 0). */
static size_t escape_unit(const unsigned char *p, size_t n, uint32_t cp, char *buf)
{
    if (n == 0)
        return (size_t)snprintf(buf, 8, "\\x%02x", p[0]);
    if (is_control(cp)) {
        switch (cp) {
        case '\n': return (size_t)snprintf(buf, 8, "\\n");
        case '\r': return (size_t)snprintf(buf, 8, "\\r");
        case '\t': return (size_t)snprintf(buf, 8, "\\t");
        case 0x1b: return (size_t)snprintf(buf, 8, "\\e");
        default:
            if (cp < 0x100)
                return (size_t)snprintf(buf, 8, "\\x%02x", (unsigned)cp);
            return (size_t)snprintf(buf, 8, "\\u%04x", (unsigned)cp);
        }
    }
    if (cp == '\\')
        return (size_t)snprintf(buf, 8, "\\\\");
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n;
}

void text_escape(const char *s, char *out, size_t outlen)
{
    if (!outlen)
        return;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t o = 0;
    while (*p) {
        uint32_t cp = 0;
        size_t n = utf8_len(p, &cp);
        char unit[8];
        size_t k = escape_unit(p, n, cp, unit);
        if (o + k >= outlen)
            break;
        memcpy(out + o, unit, k);
        o += k;
        p += n ? n : 1;
    }
    out[o] = '\0';
}

void text_escape_to(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        uint32_t cp = 0;
        size_t n = utf8_len(p, &cp);
        char unit[8];
        size_t k = escape_unit(p, n, cp, unit);
        fwrite(unit, 1, k, f);
        p += n ? n : 1;
    }
}

char *text_escaped_dup(const char *s)
{
    if (!s)
        s = "";
    if (!text_needs_escape(s))
        return strdup(s);
    size_t cap = strlen(s) * 6 + 1; /* the longest unit, \u00XX, per byte */
    char *out = malloc(cap);
    if (out)
        text_escape(s, out, cap);
    return out;
}

void text_put(FILE *f, const char *s)
{
    if (text_needs_escape(s))
        text_escape_to(f, s);
    else if (s)
        fputs(s, f);
}

size_t text_utf8_at(const char *s, unsigned *cp)
{
    uint32_t v = 0;
    size_t n = utf8_len((const unsigned char *)s, &v);
    *cp = v;
    return n;
}

int text_is_control(unsigned cp) { return is_control(cp); }

char *text_json_fix(const char *json)
{
    size_t cap = strlen(json) * 6 + 1, o = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)json;
    while (*p) {
        uint32_t cp = 0;
        size_t n = utf8_len(p, &cp);
        if (n == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            p++;
        } else if (cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", (unsigned)cp);
            p += n;
        } else {
            memcpy(out + o, p, n);
            o += n;
            p += n;
        }
    }
    out[o] = '\0';
    return out;
}

void text_put_json(FILE *f, const char *json)
{
    char *fixed = json ? text_json_fix(json) : NULL;
    fputs(fixed ? fixed : json ? json : "", f);
    free(fixed);
}
