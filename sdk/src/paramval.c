/* paramval.c — parameter values: parsing, range and choice checks, did-you-mean. */
#include "paramval.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "benchaas/sdk.h"

const bx_param *bxp_find(const bx_param *table, const char *name)
{
    if (!table || !name)
        return NULL;
    for (const bx_param *p = table; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

const char *bxp_kind_name(const bx_param *p)
{
    switch (p->flags & BX_PARAM_KIND_MASK) {
    case BX_PARAM_PATH_READ:
        return "path_read";
    case BX_PARAM_PATH_WRITE:
        return "path_write";
    case BX_PARAM_HOST:
        return "host";
    default:
        return NULL;
    }
}

const char *bxp_type_name(bx_type t)
{
    switch (t) {
    case BX_BOOL: return "bool";
    case BX_INT: return "int";
    case BX_DOUBLE: return "double";
    case BX_SIZE: return "size";
    case BX_STRING: return "string";
    case BX_ENUM: return "enum";
    }
    return "?";
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void bxp_value_free(bxp_value *v)
{
    if (v) {
        free(v->text);
        v->text = NULL;
    }
}

int bxp_has_range(const bx_param *p)
{
    if (p->flags & BX_PARAM_RANGE)
        return 1;
    return p->min <= p->max && !(p->min == 0 && p->max == 0);
}
#define has_range bxp_has_range

static void fmt_num(char *buf, size_t len, double v)
{
    if (fabs(v) < 9.0e15 && v == (double)(int64_t)v)
        snprintf(buf, len, "%lld", (long long)v);
    else
        snprintf(buf, len, "%g", v);
}

const char *bxp_describe_range(const bx_param *p, char *buf, size_t len)
{
    buf[0] = '\0';
    if (p->type == BX_ENUM && p->choices) {
        size_t off = (size_t)snprintf(buf, len, "one of:");
        for (const char *const *c = p->choices; *c && off < len; c++)
            off += (size_t)snprintf(buf + off, len - off, "%s %s", c == p->choices ? "" : ",", *c);
    } else if (p->type == BX_BOOL) {
        snprintf(buf, len, "true|false");
    } else if (has_range(p) && p->type != BX_STRING) {
        char lo[48], hi[48];
        fmt_num(lo, sizeof lo, p->min);
        fmt_num(hi, sizeof hi, p->max);
        snprintf(buf, len, "%s .. %s", lo, hi);
    }
    return buf;
}

static const char *skip_ws(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

static int trailing_ws_only(const char *s)
{
    return *skip_ws(s) == '\0';
}

static int range_error(const bx_param *p, const char *text, char *err, size_t errlen)
{
    char r[128];
    snprintf(err, errlen, "value '%s' for '%s' is out of range (allowed: %s)", text, p->name,
             bxp_describe_range(p, r, sizeof r));
    return BX_EINVAL;
}

int bxp_parse(const bx_param *p, const char *text, bxp_value *out, char *err, size_t errlen)
{
    char buf[64];
    memset(out, 0, sizeof *out);
    out->type = p->type;
    if (!text) {
        snprintf(err, errlen, "parameter '%s' has no value", p->name);
        return BX_EINVAL;
    }
    switch (p->type) {
    case BX_BOOL: {
        const char *t = skip_ws(text);
        static const char *const yes[] = {"true", "yes", "on", "1", NULL};
        static const char *const no[] = {"false", "no", "off", "0", NULL};
        int v = -1;
        for (int i = 0; yes[i]; i++) {
            if (strcasecmp(t, yes[i]) == 0)
                v = 1;
            if (strcasecmp(t, no[i]) == 0)
                v = 0;
        }
        if (v < 0) {
            snprintf(err, errlen, "value '%s' for '%s' is not a boolean (use true or false)", text,
                     p->name);
            return BX_EINVAL;
        }
        out->i = v;
        out->d = v;
        out->text = dupstr(v ? "true" : "false");
        break;
    }
    case BX_INT: {
        char *end;
        errno = 0;
        const char *t = skip_ws(text);
        long long v = strtoll(t, &end, 10);
        if (end == t || !trailing_ws_only(end)) {
            /* accept 1e6-style integers written as doubles, when exact */
            double d = strtod(t, &end);
            if (end == t || !trailing_ws_only(end) || d != floor(d) || fabs(d) > 9.0e18) {
                snprintf(err, errlen, "value '%s' for '%s' is not an integer", text, p->name);
                return BX_EINVAL;
            }
            v = (long long)d;
        } else if (errno == ERANGE) {
            snprintf(err, errlen, "value '%s' for '%s' does not fit in 64 bits", text, p->name);
            return BX_EINVAL;
        }
        if (has_range(p) && ((double)v < p->min || (double)v > p->max))
            return range_error(p, text, err, errlen);
        out->i = v;
        out->d = (double)v;
        snprintf(buf, sizeof buf, "%lld", v);
        out->text = dupstr(buf);
        break;
    }
    case BX_DOUBLE: {
        char *end;
        const char *t = skip_ws(text);
        double v = strtod(t, &end);
        if (end == t || !trailing_ws_only(end) || !isfinite(v)) {
            snprintf(err, errlen, "value '%s' for '%s' is not a finite number", text, p->name);
            return BX_EINVAL;
        }
        if (has_range(p) && (v < p->min || v > p->max))
            return range_error(p, text, err, errlen);
        out->d = v;
        /* the integer view, saturated: converting an out-of-range double is undefined */
        out->i = v >= 9.2e18 ? INT64_MAX : v <= -9.2e18 ? INT64_MIN : (int64_t)v;
        snprintf(buf, sizeof buf, "%.17g", v);
        out->text = dupstr(buf);
        break;
    }
    case BX_SIZE: {
        uint64_t v;
        if (bx_parse_size(text, &v) != 0 || v > (uint64_t)INT64_MAX) {
            snprintf(err, errlen,
                     "value '%s' for '%s' is not a size (a whole number of bytes, optionally "
                     "with a k, m, g or t suffix)",
                     text, p->name);
            return BX_EINVAL;
        }
        if (has_range(p) && ((double)v < p->min || (double)v > p->max))
            return range_error(p, text, err, errlen);
        out->i = (int64_t)v;
        out->d = (double)v;
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
        out->text = dupstr(buf);
        break;
    }
    case BX_STRING:
        out->text = dupstr(text);
        break;
    case BX_ENUM: {
        int idx = -1, k = 0;
        for (const char *const *c = p->choices; c && *c; c++, k++)
            if (strcasecmp(*c, text) == 0)
                idx = k;
        if (idx < 0) {
            char r[256];
            snprintf(err, errlen, "value '%s' for '%s' is not allowed (%s)", text, p->name,
                     bxp_describe_range(p, r, sizeof r));
            return BX_EINVAL;
        }
        out->i = idx;
        out->d = idx;
        out->text = dupstr(p->choices[idx]);
        break;
    }
    default:
        snprintf(err, errlen, "parameter '%s' has an unknown type %d", p->name, (int)p->type);
        return BX_EINVAL;
    }
    if (!out->text) {
        snprintf(err, errlen, "out of memory");
        return BX_ENOMEM;
    }
    return 0;
}

int bxp_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int c = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int m = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < m)
                m = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + c < m)
                m = d[i - 1][j - 1] + c;
            d[i][j] = m;
        }
    return d[la][lb];
}

const char *bxp_suggest(const bx_param *table, const char *name)
{
    const char *best = NULL;
    int bestd = 99;
    if (!table || !name)
        return NULL;
    for (const bx_param *p = table; p->name; p++) {
        int d = bxp_edit_distance(p->name, name);
        if (d < bestd) {
            bestd = d;
            best = p->name;
        }
    }
    size_t len = strlen(name);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    return bestd <= limit ? best : NULL;
}

/* snprintf into err and return BX_EINVAL. */
static int bad(char *err, size_t errlen, const char *fmt, ...) BX_PRINTF(3, 4);
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return BX_EINVAL;
}

int bxp_check_stamp(uint32_t magic, unsigned major, unsigned minor, uint32_t struct_size,
                    char *err, size_t errlen)
{
    if (magic != BX_ABI_MAGIC)
        return bad(err, errlen, "bad magic 0x%08x (expected 0x%08x): not a BenchaaS plugin",
                   (unsigned)magic, BX_ABI_MAGIC);
    if (major != BX_ABI_MAJOR || minor > BX_ABI_MINOR)
        return bad(err, errlen, "built for ABI %u.%u, this SDK provides %d.%d; rebuild the plugin "
                   "against this SDK",
                   major, minor, BX_ABI_MAJOR, BX_ABI_MINOR);
    if (struct_size < BXP_PLUGIN_MIN_SIZE)
        return bad(err, errlen, "descriptor struct_size %u is smaller than ABI %d.0's %zu",
                   (unsigned)struct_size, BX_ABI_MAJOR, (size_t)BXP_PLUGIN_MIN_SIZE);
    return 0;
}

/* The table entries of ABI 1.0 and 1.1 (before `flags`). */
typedef struct param_v10 {
    const char *name;
    bx_type type;
    const char *def;
    double min, max;
    const char *const *choices;
    const char *help;
} param_v10;
typedef struct metric_v10 {
    const char *name;
    const char *unit;
    bx_better better;
    const char *help;
} metric_v10;

/* The heap copy: the descriptor, then its two tables. */
typedef struct normalized {
    bx_plugin d;
    bx_param *params;
    bx_metric_def *metrics;
} normalized;

int bxp_normalize(const bx_plugin *raw, bx_plugin **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!raw)
        return bad(err, errlen, "the entry point returned no descriptor");
    int rc = bxp_check_stamp(raw->magic, raw->abi_major, raw->abi_minor, raw->struct_size, err,
                             errlen);
    if (rc)
        return rc;
    normalized *n = calloc(1, sizeof *n);
    if (!n)
        return bad(err, errlen, "out of memory");
    size_t sz = raw->struct_size < sizeof(bx_plugin) ? raw->struct_size : sizeof(bx_plugin);
    memcpy(&n->d, raw, sz); /* fields past the plugin's struct_size stay 0 */
    int old = raw->abi_minor < 2;
    size_t np = 0, nm = 0;
    if (old) {
        const param_v10 *op = (const param_v10 *)(const void *)raw->params;
        const metric_v10 *om = (const metric_v10 *)(const void *)raw->metrics;
        while (op && op[np].name)
            np++;
        while (om && om[nm].name)
            nm++;
        n->params = calloc(np + 1, sizeof *n->params);
        n->metrics = calloc(nm + 1, sizeof *n->metrics);
        if (!n->params || !n->metrics) {
            bxp_normalized_free(&n->d);
            return bad(err, errlen, "out of memory");
        }
        for (size_t i = 0; i < np; i++) {
            bx_param *p = &n->params[i];
            p->name = op[i].name;
            p->type = op[i].type;
            p->def = op[i].def;
            p->min = op[i].min;
            p->max = op[i].max;
            p->choices = op[i].choices;
            p->help = op[i].help;
            p->flags = op[i].min <= op[i].max ? BX_PARAM_RANGE : 0; /* 0 .. 0 too, as before */
        }
        for (size_t i = 0; i < nm; i++) {
            n->metrics[i].name = om[i].name;
            n->metrics[i].unit = om[i].unit;
            n->metrics[i].better = om[i].better;
            n->metrics[i].help = om[i].help;
        }
    } else {
        while (raw->params && raw->params[np].name)
            np++;
        while (raw->metrics && raw->metrics[nm].name)
            nm++;
        n->params = calloc(np + 1, sizeof *n->params);
        n->metrics = calloc(nm + 1, sizeof *n->metrics);
        if (!n->params || !n->metrics) {
            bxp_normalized_free(&n->d);
            return bad(err, errlen, "out of memory");
        }
        if (np)
            memcpy(n->params, raw->params, np * sizeof *n->params);
        for (size_t i = 0; raw->abi_minor < 3 && i < np; i++)
            n->params[i].flags &= ~BX_PARAM_KIND_MASK; /* kinds exist since 1.3 */
        if (nm)
            memcpy(n->metrics, raw->metrics, nm * sizeof *n->metrics);
    }
    /* No headline marked: the first declared metric is the headline. */
    int any = 0;
    for (size_t i = 0; i < nm; i++)
        any |= (n->metrics[i].flags & BX_METRIC_HEADLINE) != 0;
    if (!any && nm)
        n->metrics[0].flags |= BX_METRIC_HEADLINE;
    n->d.params = n->params;
    n->d.metrics = n->metrics;
    n->d.struct_size = (uint32_t)sizeof(bx_plugin);
    *out = &n->d;
    return 0;
}

void bxp_normalized_free(bx_plugin *d)
{
    if (!d)
        return;
    normalized *n = (normalized *)(void *)d;
    free(n->params);
    free(n->metrics);
    free(n);
}

static int check_tables(const bx_plugin *d, char *err, size_t errlen);

int bxp_check_descriptor(const bx_plugin *raw, char *err, size_t errlen)
{
    bx_plugin *d;
    int rc = bxp_normalize(raw, &d, err, errlen);
    if (rc)
        return rc;
    rc = check_tables(d, err, errlen);
    /* ABI 1.2: min > max is BX_NORANGE (1, 0) or a mistake. */
    for (const bx_param *p = d->params; rc == 0 && raw->abi_minor >= 2 && p->name; p++)
        if (p->min > p->max && !(p->min == 1 && p->max == 0) &&
            (p->type == BX_INT || p->type == BX_DOUBLE || p->type == BX_SIZE || (p->flags & BX_PARAM_RANGE)))
            rc = bad(err, errlen,
                     "parameter '%s': min %g > max %g (for no range leave both out or write "
                     "BX_NORANGE)",
                     p->name, p->min, p->max);
    /* ABI 1.3: a path or host kind is one of the three, on a STRING. */
    for (const bx_param *p = d->params; rc == 0 && p->name; p++) {
        uint32_t k = p->flags & BX_PARAM_KIND_MASK;
        if (k && (p->type != BX_STRING || (k & (k - 1))))
            rc = bad(err, errlen,
                     "parameter '%s': BX_PARAM_PATH_READ, BX_PARAM_PATH_WRITE and BX_PARAM_HOST "
                     "mark a STRING parameter, one of them at a time",
                     p->name);
    }
    bxp_normalized_free(d);
    return rc;
}

static int check_tables(const bx_plugin *d, char *err, size_t errlen)
{
    if (!d->name || !*d->name)
        return bad(err, errlen, "the descriptor has no name");
    if (!d->version || !d->description)
        return bad(err, errlen, "plugin %s: the descriptor has no version or no description",
                   d->name);
    if (!d->init || !d->run || !d->report || !d->fini)
        return bad(err, errlen, "plugin %s: missing %s callback", d->name,
                   !d->init ? "init" : !d->run ? "run" : !d->report ? "report" : "fini");
    if (!d->metrics || !d->metrics[0].name)
        return bad(err, errlen, "plugin %s declares no metrics", d->name);
    for (const bx_param *p = d->params; p && p->name; p++) {
        if (p->type < BX_BOOL || p->type > BX_ENUM)
            return bad(err, errlen, "parameter '%s' has an unknown type %d", p->name,
                       (int)p->type);
        if (p->type == BX_ENUM && (!p->choices || !p->choices[0]))
            return bad(err, errlen, "enum parameter '%s' has no choices", p->name);
        for (const bx_param *q = d->params; q < p; q++)
            if (strcmp(q->name, p->name) == 0)
                return bad(err, errlen, "parameter '%s' is declared twice", p->name);
        if (p->def) {
            char e[512];
            bxp_value v;
            if (bxp_parse(p, p->def, &v, e, sizeof e) != 0)
                return bad(err, errlen, "default of parameter '%s': %s", p->name, e);
            bxp_value_free(&v);
        }
    }
    for (const bx_metric_def *m = d->metrics; m->name; m++) {
        if (!m->unit)
            return bad(err, errlen, "metric '%s' has no unit (use \"\")", m->name);
        if (m->better > BX_BETTER_LOWER)
            return bad(err, errlen, "metric '%s' has an unknown direction %d", m->name,
                       (int)m->better);
        for (const bx_metric_def *q = d->metrics; q < m; q++)
            if (strcmp(q->name, m->name) == 0)
                return bad(err, errlen, "metric '%s' is declared twice", m->name);
    }
    return 0;
}
