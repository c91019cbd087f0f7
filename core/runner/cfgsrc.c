/* cfgsrc.c — configuration text: @include expansion and integer literals (see cfgsrc.h). */
#define _GNU_SOURCE
#include "cfgsrc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_DEPTH 10
#define MAX_TEXT ((size_t)16 << 20)

typedef struct growbuf {
    char *s;
    size_t n, cap;
} growbuf;

static void gb_add(growbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void add_line_map(cfgsrc *src, int file, int line)
{
    src->file_of = xrealloc(src->file_of, (src->nlines + 1) * sizeof *src->file_of);
    src->line_of = xrealloc(src->line_of, (src->nlines + 1) * sizeof *src->line_of);
    src->file_of[src->nlines] = file;
    src->line_of[src->nlines] = line;
    src->nlines++;
}

/* `@include "name"` alone on its line: 0 and the name (into buf), else -1. */
static int include_line(const char *l, size_t n, char *buf, size_t buflen)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)l[i]))
        i++;
    if (n - i < 8 || strncmp(l + i, "@include", 8) != 0)
        return -1;
    i += 8;
    while (i < n && isspace((unsigned char)l[i]))
        i++;
    if (i >= n || l[i] != '"')
        return -2; /* an @include we do not understand: an error, not libconfig's guess */
    size_t start = ++i;
    while (i < n && l[i] != '"')
        i++;
    if (i >= n || i - start >= buflen)
        return -2;
    memcpy(buf, l + start, i - start);
    buf[i - start] = '\0';
    return 0;
}

static int expand(cfgsrc *src, growbuf *out, int file, const char *text, size_t len, int depth,
                  char *err, size_t errlen)
{
    const char *path = src->files[file];
    int line = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        line++;
        char name[PATH_MAX];
        int inc = include_line(text + pos, n, name, sizeof name);
        if (inc == -2)
            return errf(err, errlen, BX_EINVAL,
                        "%s:%d: @include needs a file name in double quotes, alone on its line",
                        path, line);
        if (inc == 0) {
            if (depth >= MAX_DEPTH)
                return errf(err, errlen, BX_EINVAL,
                            "%s:%d: @include \"%s\": includes nest more than %d deep (does a "
                            "file include itself?)",
                            path, line, name, MAX_DEPTH);
            char *full;
            const char *slash = strrchr(path, '/');
            if (name[0] == '/' || !slash)
                full = xstrdup(name);
            else
                full = xasprintf("%.*s/%s", (int)(slash - path), path, name);
            char *sub = NULL;
            size_t sublen = 0;
            char why[1024];
            if (read_file(full, MAX_TEXT, &sub, &sublen, why, sizeof why) != 0) {
                int rc = errf(err, errlen, BX_EINVAL, "%s:%d: @include \"%s\": %s", path, line,
                              name, why);
                free(full);
                return rc;
            }
            if (memchr(sub, '\0', sublen)) {
                free(sub);
                int rc = errf(err, errlen, BX_EINVAL,
                              "%s:%d: @include \"%s\": %s is not a text file (a NUL byte)", path,
                              line, name, full);
                free(full);
                return rc;
            }
            src->files = xrealloc(src->files, (src->nfiles + 1) * sizeof *src->files);
            src->files[src->nfiles] = full;
            int sf = (int)src->nfiles++;
            int rc = expand(src, out, sf, sub, sublen, depth + 1, err, errlen);
            free(sub);
            if (rc)
                return rc;
            /* the included text ends its own last line; this line is blank */
            if (out->n && out->s[out->n - 1] != '\n') {
                gb_add(out, "\n", 1);
                add_line_map(src, sf, -1);
            }
            gb_add(out, "\n", 1);
            add_line_map(src, file, line);
        } else {
            gb_add(out, text + pos, n);
            gb_add(out, "\n", 1);
            add_line_map(src, file, line);
        }
        pos += n + (nl ? 1 : 0);
    }
    return 0;
}

/* Where `line` (1-based, of the expanded text) came from, for messages. */
static void where(const cfgsrc *src, int line, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%d", cfgsrc_file(src, line, "?"), cfgsrc_line(src, line));
}

/* Integer literals: see the header. */
static int check_integers(cfgsrc *src, char *err, size_t errlen)
{
    growbuf out = {0};
    const char *t = src->text;
    int line = 1;
    size_t i = 0, n = strlen(t);
    while (i < n) {
        char c = t[i];
        if (c == '\n') {
            line++;
            gb_add(&out, t + i++, 1);
            continue;
        }
        if (c == '"') { /* a string, with its escapes */
            size_t j = i + 1;
            while (j < n && t[j] != '"' && t[j] != '\n')
                j += t[j] == '\\' && j + 1 < n ? 2 : 1;
            j = j < n && t[j] == '"' ? j + 1 : j;
            gb_add(&out, t + i, j - i);
            i = j;
            continue;
        }
        if (c == '#' || (c == '/' && i + 1 < n && t[i + 1] == '/')) {
            size_t j = i;
            while (j < n && t[j] != '\n')
                j++;
            gb_add(&out, t + i, j - i);
            i = j;
            continue;
        }
        if (c == '/' && i + 1 < n && t[i + 1] == '*') {
            const char *e = strstr(t + i + 2, "*/");
            size_t j = e ? (size_t)(e - t) + 2 : n;
            for (size_t k = i; k < j; k++)
                line += t[k] == '\n';
            gb_add(&out, t + i, j - i);
            i = j;
            continue;
        }
        if (c == '@') {
            char w[PATH_MAX + 16];
            where(src, line, w, sizeof w);
            free(out.s);
            return errf(err, errlen, BX_EINVAL,
                        "%s: '@' outside a string: @include \"FILE\" must stand alone on its line",
                        w);
        }
        unsigned char prev = i ? (unsigned char)t[i - 1] : ' ';
        int starts = isdigit((unsigned char)c) && !(isalnum(prev) || prev == '_' || prev == '.');
        if (!starts) {
            gb_add(&out, t + i++, 1);
            continue;
        }
        /* a number: digits, hex, a fraction or exponent (then a float: left alone) */
        size_t j = i;
        int hex = c == '0' && j + 1 < n && (t[j + 1] == 'x' || t[j + 1] == 'X');
        if (hex) {
            j += 2;
            while (j < n && isxdigit((unsigned char)t[j]))
                j++;
        } else {
            while (j < n && isdigit((unsigned char)t[j]))
                j++;
            if (j < n && (t[j] == '.' || t[j] == 'e' || t[j] == 'E')) {
                while (j < n && (isalnum((unsigned char)t[j]) || t[j] == '.' ||
                                 ((t[j] == '-' || t[j] == '+') && (t[j - 1] == 'e' || t[j - 1] == 'E'))))
                    j++;
                gb_add(&out, t + i, j - i);
                i = j;
                continue;
            }
        }
        size_t digits_end = j;
        int has_l = 0;
        while (j < n && t[j] == 'L')
            j++, has_l = 1;
        int neg = i > 0 && t[i - 1] == '-';
        char lit[64];
        size_t ll = digits_end - i < sizeof lit - 1 ? digits_end - i : sizeof lit - 1;
        memcpy(lit, t + i, ll);
        lit[ll] = '\0';
        errno = 0;
        unsigned long long v = strtoull(lit, NULL, hex ? 16 : 10);
        int too_big = errno == ERANGE || digits_end - i > 40 ||
                      (!hex && v > (neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX));
        if (too_big) {
            char w[PATH_MAX + 16];
            where(src, line, w, sizeof w);
            free(out.s);
            return errf(err, errlen, BX_EINVAL,
                        "%s: the integer %s%.*s is too large (an integer is at most "
                        "9223372036854775807)",
                        w, neg ? "-" : "", (int)(j - i), t + i);
        }
        gb_add(&out, t + i, j - i);
        /* Beyond 32 bits libconfig 1.5 wraps it: every integer is read as a
         * 64-bit one (all alike, so an array [5, 4294967298] stays one type). */
        if (!has_l)
            gb_add(&out, "L", 1);
        i = j;
    }
    free(src->text);
    src->text = out.s ? out.s : xstrdup("");
    return 0;
}

int cfgsrc_build(cfgsrc *src, const char *path, const char *text, size_t len, char *err,
                 size_t errlen)
{
    memset(src, 0, sizeof *src);
    src->files = xcalloc(1, sizeof *src->files);
    src->files[0] = xstrdup(path);
    src->nfiles = 1;
    growbuf out = {0};
    gb_add(&out, "", 0);
    int rc = expand(src, &out, 0, text, len, 0, err, errlen);
    src->text = out.s;
    if (rc == 0)
        rc = check_integers(src, err, errlen);
    return rc;
}

void cfgsrc_free(cfgsrc *src)
{
    for (size_t i = 0; i < src->nfiles; i++)
        free(src->files[i]);
    free(src->files);
    free(src->file_of);
    free(src->line_of);
    free(src->text);
    memset(src, 0, sizeof *src);
}

const char *cfgsrc_file(const cfgsrc *src, int line, const char *dflt)
{
    if (!src || line < 1 || (size_t)line > src->nlines)
        return src && src->nfiles ? src->files[0] : dflt;
    return src->files[src->file_of[line - 1]];
}

int cfgsrc_line(const cfgsrc *src, int line)
{
    if (!src || line < 1 || (size_t)line > src->nlines)
        return line;
    int l = src->line_of[line - 1];
    return l > 0 ? l : line;
}

int cfgsrc_literal(const cfgsrc *src, int line, const char *name, char *buf, size_t buflen)
{
    if (!src || !src->text || line < 1 || !name || !*name)
        return -1;
    const char *p = src->text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return -1;
    const char *end = strchr(p, '\n');
    size_t nl = strlen(name), n = end ? (size_t)(end - p) : strlen(p);
    for (size_t i = 0; i + nl <= n; i++) {
        if (strncmp(p + i, name, nl) != 0 || (i && (isalnum((unsigned char)p[i - 1]) || p[i - 1] == '_')))
            continue;
        size_t j = i + nl;
        while (j < n && (p[j] == ' ' || p[j] == '\t'))
            j++;
        if (j >= n || (p[j] != '=' && p[j] != ':'))
            continue;
        j++;
        while (j < n && (p[j] == ' ' || p[j] == '\t'))
            j++;
        size_t k = j;
        while (k < n && !strchr(";,)] \t", p[k]))
            k++;
        if (k == j || k - j >= buflen)
            return -1;
        memcpy(buf, p + j, k - j);
        buf[k - j] = '\0';
        /* the L marks 64 bits (ours or the user's); the value is the digits */
        size_t bl = strlen(buf);
        while (bl > 1 && buf[bl - 1] == 'L')
            buf[--bl] = '\0';
        return 0;
    }
    return -1;
}
