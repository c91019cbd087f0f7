/*
 * qsbuf.h — a growable string for the result commands' text and SQL (query.c,
 * qfilter.c): appends never fail loudly, an allocation failure sets oom and
 * later appends do nothing, the caller checks oom once at the end.
 */
#ifndef BENCHAAS_RESULTS_QSBUF_H
#define BENCHAAS_RESULTS_QSBUF_H

#include <stdlib.h>
#include <string.h>

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static inline void sb_add(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

#endif
