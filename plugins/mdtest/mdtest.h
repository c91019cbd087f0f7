/*
 * mdtest.h — private declarations shared by the sources of the mdtest plugin.
 *
 *   mdtest.c     the descriptor, check/init/run/report/fini, the ranks' agreement
 *   mdtest_fs.c  the folder the run owns, the phases (create, stat, read,
 *                remove of files and of folders) and the clean-up
 *
 * Layout (as mdtest's).  The run makes one new folder inside `path`,
 * "benchaas-mdtest.<pid>.<n>" (mkdir: never one that is there), and inside it,
 * with unique_dir (mdtest -u), a folder "rank.<r>" per rank.  Rank r's items
 * are the files "file.mdtest.<r>.<i>" and the folders "dir.mdtest.<r>.<i>",
 * i < items, in its own folder or all in the run's folder.
 */
#ifndef BENCHAAS_MDTEST_H
#define BENCHAAS_MDTEST_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "benchaas/sdk.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* The phases, in the order one repetition runs them (mdtest's). */
enum { P_DIR_CREATE, P_DIR_STAT, P_DIR_REMOVE, P_FILE_CREATE, P_FILE_STAT, P_FILE_READ,
       P_FILE_REMOVE, P_COUNT };

typedef struct md_cfg {
    char path[PATH_MAX];  /* the folder the run's folder goes in */
    int64_t items;        /* -n: files (and folders) per rank */
    int unique_dir;       /* -u */
    uint64_t write_bytes; /* -w */
    uint64_t read_bytes;  /* -e */
    int files_only, dirs_only; /* -F, -D */
    int sync_file;        /* -y: fsync after writing each file */
    int nranks;
} md_cfg;

/* One rank's view of the run. */
typedef struct md_state {
    md_cfg cfg;
    int rank;
    char top[PATH_MAX];   /* the run's folder ("" until made) */
    char mine[PATH_MAX];  /* where this rank's items go: top or top/rank.<r> */
    int made_top, made_mine; /* this rank made them (and so removes them) */
    int dfd;              /* descriptor of `mine`, -1 when closed */
    int64_t file_lo, file_hi; /* files file_lo .. file_hi-1 exist: this rank made them */
    int64_t dir_lo, dir_hi;   /* the same of the folders */
    unsigned char *wbuf, *rbuf; /* write_bytes / read_bytes */
    char err[512];        /* this rank's first failure */
    double rate[P_COUNT]; /* this repetition's rates (rank 0) */
} md_state;

/* ---- mdtest_fs.c -------------------------------------------------------- */

/* Read and check the parameters; the file-system checks on rank 0.  No collectives. */
int md_cfg_load(bx_ctx *ctx, md_cfg *cfg);
int md_check(bx_ctx *ctx);
/* The name of phase p ("file_create", ...), also its metric's name. */
const char *md_phase_name(int p);
/* Whether phase p runs with this configuration. */
int md_phase_on(const md_cfg *cfg, int p);
/* Rank 0 makes the run's folder `top` (mkdir, never an existing one); 0 or BX_EIO in s->err. */
int md_make_top(md_state *s, const char *top);
/* This rank's folder (unique_dir: top/rank.<r>, made here). */
int md_make_mine(md_state *s);
/* One phase of this rank's items; 0 or BX_EIO / BX_EFAILED with s->err set. */
int md_phase(md_state *s, int p, unsigned rep);
/* Remove what this rank made and still exists (items, its folder). */
void md_remove_mine(md_state *s);
/* Rank 0, after every rank removed its own: the run's folder (left when not empty). */
int md_remove_top(md_state *s);

#ifdef MDTEST_TEST_HOOKS
/* Called by md_phase before phase p of rep (tests make a file appear, say). */
extern void (*md_test_before_phase)(md_state *s, int p, unsigned rep);
#endif

#endif /* BENCHAAS_MDTEST_H */
