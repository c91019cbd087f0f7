/*
 * hpl_dat.c — the netlib HPL.dat reader.
 *
 * The file is line-oriented: every line holds its values first and free
 * text after them (the name of the field, a comment).  Lines 1-2 are a
 * title, 3-4 the output file and device (ignored here), then:
 *
 *    5 #N      6 Ns       7 #NB     8 NBs      9 PMAP (0 row-, 1 column-major)
 *   10 #grids 11 Ps      12 Qs     13 threshold
 *   14 #pfact 15 PFACTs  16 #nbmin 17 NBMINs  18 #ndiv 19 NDIVs
 *   20 #rfact 21 RFACTs  22 #bcast 23 BCASTs  24 #depth 25 DEPTHs
 *   26 SWAP (0 bin-exch, 1 long, 2 mix)       27 swapping threshold
 *
 * Later lines (L1/U storage, equilibration, alignment, and whatever HPCC
 * appends) do not change the result and are ignored.
 */
#include "hpl_dat.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpl.h"

#define MAX_LINES 27
#define LINE_LEN 4096

typedef struct reader {
    const char *path;
    char lines[MAX_LINES][LINE_LEN];
    int nlines;
    char *err;
    size_t errlen;
} reader;

static int fail(reader *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(reader *r, int line, const char *fmt, ...)
{
    int n = snprintf(r->err, r->errlen, "%s:%d: ", r->path, line);
    if (n < 0 || (size_t)n >= r->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* The first `count` numbers of line `ln` into out[], each in [lo, hi]. */
static int get_ints(reader *r, int ln, const char *what, int count, int64_t lo, int64_t hi, int64_t *out)
{
    if (ln > r->nlines)
        return fail(r, ln, "the file ends before this line, which should hold %s", what);
    char buf[LINE_LEN], *save = NULL;
    snprintf(buf, sizeof buf, "%s", r->lines[ln - 1]);
    char *tok = strtok_r(buf, " \t\r\n", &save);
    for (int i = 0; i < count; i++, tok = strtok_r(NULL, " \t\r\n", &save)) {
        if (!tok)
            return fail(r, ln, "expected %d value%s of %s, found %d", count, count > 1 ? "s" : "", what, i);
        char *end = NULL;
        errno = 0;
        long long v = strtoll(tok, &end, 10);
        /* a word after some numbers is where the comment starts: too few values */
        if ((errno || end == tok || *end) && i > 0 && !isdigit((unsigned char)tok[0]) && tok[0] != '-' &&
            tok[0] != '+')
            return fail(r, ln, "expected %d values of %s, found %d (then a word)", count, what, i);
        /* Messages say where and what was expected, never the file's text: the
         * service reads this file for someone who may not read it. */
        if (errno || end == tok || *end)
            return fail(r, ln, "value %d is not an integer (%s)", i + 1, what);
        if (v < lo || v > hi)
            return fail(r, ln, "%s value %d is out of range [%lld, %lld]", what, i + 1,
                        (long long)lo, (long long)hi);
        out[i] = v;
    }
    return 0;
}

static int get_count(reader *r, int ln, const char *what, int *out)
{
    int64_t v;
    if (get_ints(r, ln, what, 1, 1, HPL_DAT_MAXLIST, &v))
        return -1;
    *out = (int)v;
    return 0;
}

/* A list of ints into int storage. */
static int get_list(reader *r, int ln, const char *what, int count, int64_t lo, int64_t hi, int *out)
{
    int64_t v[HPL_DAT_MAXLIST];
    if (get_ints(r, ln, what, count, lo, hi, v))
        return -1;
    for (int i = 0; i < count; i++)
        out[i] = (int)v[i];
    return 0;
}

static int get_double(reader *r, int ln, const char *what, double *out)
{
    if (ln > r->nlines)
        return fail(r, ln, "the file ends before this line, which should hold %s", what);
    char buf[LINE_LEN], *save = NULL;
    snprintf(buf, sizeof buf, "%s", r->lines[ln - 1]);
    char *tok = strtok_r(buf, " \t\r\n", &save);
    if (!tok)
        return fail(r, ln, "expected the %s, found an empty line", what);
    char *end = NULL;
    errno = 0;
    *out = strtod(tok, &end);
    if (errno || end == tok || *end)
        return fail(r, ln, "the first value is not a number (%s)", what);
    return 0;
}

int hpl_dat_read(const char *path, hpl_dat *d, char *err, size_t errlen)
{
    reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    r->path = path;
    r->err = err;
    r->errlen = errlen;
    memset(d, 0, sizeof *d);
    int rc = -1;
    /* Without blocking (a FIFO would wait for a writer), and only a regular file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            snprintf(err, errlen, "%s: the HPL.dat is not a regular file", path);
        else
            snprintf(err, errlen, "%s: cannot open the HPL.dat: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(r);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the HPL.dat: %s", path, strerror(errno));
        close(fd);
        free(r);
        return -1;
    }
    while (r->nlines < MAX_LINES && fgets(r->lines[r->nlines], LINE_LEN, f)) {
        size_t len = strlen(r->lines[r->nlines]);
        if (len == LINE_LEN - 1 && r->lines[r->nlines][len - 1] != '\n') {
            fail(r, r->nlines + 1, "line longer than %d characters", LINE_LEN - 2);
            goto out;
        }
        r->nlines++;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        goto out;
    }
    if (r->nlines == 0) {
        snprintf(err, errlen, "%s: the file is empty; an HPL.dat has at least %d lines", path, MAX_LINES);
        goto out;
    }
    const int64_t big = 2147483647;
    int64_t v;
    if (get_count(r, 5, "the number of problem sizes (N)", &d->nn) ||
        get_ints(r, 6, "Ns", d->nn, 1, big, d->n) ||
        get_count(r, 7, "the number of block sizes (NB)", &d->nnb) ||
        get_ints(r, 8, "NBs", d->nnb, 1, 65536, d->nb) ||
        get_ints(r, 9, "PMAP (0=row-, 1=column-major)", 1, 0, 1, &v))
        goto out;
    d->pmap = (int)v;
    d->line_n = 6;
    d->line_nb = 8;
    if (get_count(r, 10, "the number of process grids (P x Q)", &d->ngrid) ||
        get_list(r, 11, "Ps", d->ngrid, 1, 65536, d->p) || get_list(r, 12, "Qs", d->ngrid, 1, 65536, d->q) ||
        get_double(r, 13, "threshold", &d->threshold))
        goto out;
    d->line_p = 11;
    if (get_count(r, 14, "the number of panel factorisations", &d->npfact) ||
        get_list(r, 15, "PFACTs (0=left, 1=Crout, 2=Right)", d->npfact, 0, 2, d->pfact) ||
        get_count(r, 16, "the number of recursive stopping criteria", &d->nnbmin) ||
        get_list(r, 17, "NBMINs", d->nnbmin, 1, 65536, d->nbmin) ||
        get_count(r, 18, "the number of panels in recursion", &d->nndiv) ||
        get_list(r, 19, "NDIVs", d->nndiv, 2, 64, d->ndiv) ||
        get_count(r, 20, "the number of recursive panel factorisations", &d->nrfact) ||
        get_list(r, 21, "RFACTs (0=left, 1=Crout, 2=Right)", d->nrfact, 0, 2, d->rfact) ||
        get_count(r, 22, "the number of broadcasts", &d->nbcast) ||
        get_list(r, 23, "BCASTs (0=1rg, 1=1rM, 2=2rg, 3=2rM, 4=Lng, 5=LnM)", d->nbcast, 0, 5, d->bcast) ||
        get_count(r, 24, "the number of look-ahead depths", &d->ndepth) ||
        get_list(r, 25, "DEPTHs", d->ndepth, 0, 16, d->depth) ||
        get_ints(r, 26, "SWAP (0=bin-exch, 1=long, 2=mix)", 1, 0, 2, &v))
        goto out;
    d->line_depth = 25;
    d->swap = (int)v;
    if (get_ints(r, 27, "swapping threshold", 1, 0, big, &v))
        goto out;
    d->swap_threshold = (int)v;
    if (hpl_dat_count(d) > HPL_DAT_MAXPOINTS) {
        snprintf(err, errlen, "%s: its lists make %llu combinations; at most %d are run from one file", path,
                 (unsigned long long)hpl_dat_count(d), HPL_DAT_MAXPOINTS);
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    free(r);
    return rc;
}

uint64_t hpl_dat_count(const hpl_dat *d)
{
    const int lists[] = {d->nn, d->nnb, d->ngrid, d->npfact, d->nnbmin, d->nndiv, d->nrfact, d->nbcast, d->ndepth};
    uint64_t n = 1;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        n *= (uint64_t)lists[i];
    return n;
}

int hpl_dat_foreach(const hpl_dat *d, hpl_dat_fn fn, void *user)
{
    static const char *const swaps[] = {"binexch", "long", "mix"};
    char s[14][48];
    const char *kv[15];
    for (int gi = 0; gi < d->ngrid; gi++)
        for (int ni = 0; ni < d->nn; ni++)
            for (int bi = 0; bi < d->nnb; bi++)
                for (int di = 0; di < d->ndepth; di++)
                    for (int ci = 0; ci < d->nbcast; ci++)
                        for (int ri = 0; ri < d->nrfact; ri++)
                            for (int vi = 0; vi < d->nndiv; vi++)
                                for (int mi = 0; mi < d->nnbmin; mi++)
                                    for (int fi = 0; fi < d->npfact; fi++) {
                                        int k = 0;
                                        snprintf(s[k++], 48, "N=%lld", (long long)d->n[ni]);
                                        snprintf(s[k++], 48, "NB=%lld", (long long)d->nb[bi]);
                                        snprintf(s[k++], 48, "P=%d", d->p[gi]);
                                        snprintf(s[k++], 48, "Q=%d", d->q[gi]);
                                        snprintf(s[k++], 48, "pmap=%s", d->pmap ? "col" : "row");
                                        snprintf(s[k++], 48, "depth=%d", d->depth[di]);
                                        snprintf(s[k++], 48, "bcast=%s", hpl_bcast_names[d->bcast[ci]]);
                                        snprintf(s[k++], 48, "rfact=%s", hpl_fact_names[d->rfact[ri]]);
                                        snprintf(s[k++], 48, "ndiv=%d", d->ndiv[vi]);
                                        snprintf(s[k++], 48, "nbmin=%d", d->nbmin[mi]);
                                        snprintf(s[k++], 48, "pfact=%s", hpl_fact_names[d->pfact[fi]]);
                                        snprintf(s[k++], 48, "swap=%s", swaps[d->swap]);
                                        snprintf(s[k++], 48, "swap_threshold=%d", d->swap_threshold);
                                        if (d->threshold > 0)
                                            snprintf(s[k++], 48, "threshold=%.17g", d->threshold);
                                        for (int i = 0; i < k; i++)
                                            kv[i] = s[i];
                                        kv[k] = NULL;
                                        int rc = fn(user, kv);
                                        if (rc)
                                            return rc;
                                    }
    return 0;
}
