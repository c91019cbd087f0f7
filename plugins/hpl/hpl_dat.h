/*
 * hpl_dat.h — reading a netlib HPL.dat (the input file of HPL 2.x; HPCC's
 * hpccinf.txt has the same first lines) and enumerating its combinations.
 */
#ifndef HPL_DAT_H
#define HPL_DAT_H

#include <stddef.h>
#include <stdint.h>

#define HPL_DAT_MAXLIST 64      /* values per list */
#define HPL_DAT_MAXPOINTS 10000 /* combinations per file */

typedef struct hpl_dat {
    int nn, nnb, ngrid, npfact, nnbmin, nndiv, nrfact, nbcast, ndepth;
    int64_t n[HPL_DAT_MAXLIST], nb[HPL_DAT_MAXLIST];
    int p[HPL_DAT_MAXLIST], q[HPL_DAT_MAXLIST];
    int pfact[HPL_DAT_MAXLIST], nbmin[HPL_DAT_MAXLIST], ndiv[HPL_DAT_MAXLIST];
    int rfact[HPL_DAT_MAXLIST], bcast[HPL_DAT_MAXLIST], depth[HPL_DAT_MAXLIST];
    int pmap;             /* 0 row-major, 1 column-major */
    double threshold;     /* <= 0 in HPL means "skip the check": ignored here */
    int swap, swap_threshold;
    /* Line numbers (1-based) of the lists, for error messages. */
    int line_n, line_nb, line_p, line_depth;
} hpl_dat;

/*
 * Parse `path`.  On error returns -1 and writes "PATH:LINE: what is wrong"
 * (or "PATH: why it cannot be read") into err.
 */
int hpl_dat_read(const char *path, hpl_dat *d, char *err, size_t errlen);

/* Number of combinations (product of the list lengths, grids counted once). */
uint64_t hpl_dat_count(const hpl_dat *d);

/*
 * Call fn once per combination with "name=value" strings named as the
 * plugin's parameters (N, NB, P, Q, pmap, depth, bcast, rfact, ndiv, nbmin,
 * pfact, swap, swap_threshold and threshold when positive), NULL-terminated.
 * Stops at and returns the first non-zero return of fn.
 */
typedef int (*hpl_dat_fn)(void *user, const char *const *kv);
int hpl_dat_foreach(const hpl_dat *d, hpl_dat_fn fn, void *user);

#endif /* HPL_DAT_H */
