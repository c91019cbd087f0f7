/*
 * ior.h — private declarations shared by the sources of the ior plugin.
 *
 *   ior.c          the descriptor (parameters, metrics) and init/run/report/fini
 *   ior_check.c    parameters -> ior_cfg, and check(): every bad input, before any rank writes
 *   ior_io.c       the two back ends, POSIX and MPI-IO, behind one small interface
 *   ior_pattern.c  the data pattern written and verified
 *
 * Layout (as IOR defines it).  Each of the N ranks moves `segments` x
 * `block_size` bytes in `transfer_size` pieces.  In a shared file, segment s
 * of rank r starts at  s * N * block_size + r * block_size  (the segments of
 * all ranks interleave); with file_per_process, rank r writes the file
 * "<path>.<r as 8 digits>" and its segment s starts at  s * block_size.
 */
#ifndef BENCHAAS_IOR_H
#define BENCHAAS_IOR_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "benchaas/sdk.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

enum ior_api { IOR_API_POSIX = 0, IOR_API_MPIIO = 1 };

/* bits of ior_cfg.phases */
enum { IOR_PHASE_WRITE = 1, IOR_PHASE_READ = 2 };

/* File name used inside `path` when `path` names an existing folder. */
#define IOR_DEFAULT_FILE "benchaas-ior.dat"

/* Every transfer must be a multiple of this (IOR's rule: whole 64-bit words). */
#define IOR_WORD 8u

/* The parameters of one run, read and checked once (ior_cfg_load). */
typedef struct ior_cfg {
    int api;                 /* IOR_API_* */
    char path[PATH_MAX];     /* the shared file, or the prefix of the per-rank files */
    uint64_t block_size;     /* bytes per rank per segment */
    uint64_t transfer_size;  /* bytes per I/O call */
    uint64_t segments;
    int file_per_process, fsync, reorder, direct, verify, keep, collective;
    int phases;              /* IOR_PHASE_* bits */
    int nranks;              /* bx_nranks(): what the user asked for */
} ior_cfg;

/* ---- ior_check.c ------------------------------------------------------ */

/*
 * Read the parameters into *cfg and check everything that does not need
 * the file system (sizes, combinations).  Returns 0, or BX_EINVAL after
 * bx_error() said what was wrong.  Called by check() and init().
 */
int ior_cfg_load(bx_ctx *ctx, ior_cfg *cfg);

/* The plugin's check() callback (no MPI, no threads). */
int ior_check(bx_ctx *ctx);

/* Name of the file rank `rank` writes (the shared file without file_per_process). */
void ior_file_name(const ior_cfg *cfg, int rank, char *buf, size_t len);

/* Bytes in the file(s): the shared file, or each per-rank file. */
uint64_t ior_file_bytes(const ior_cfg *cfg);

/* Offset of transfer `i` (0-based, over all segments) of rank `rank`'s data in its file. */
uint64_t ior_offset(const ior_cfg *cfg, int rank, uint64_t i);

/* Free bytes of the file system holding `path`'s folder, or -1 when unknown. */
double ior_free_bytes(const char *path);

/* ---- ior_io.c --------------------------------------------------------- */

/* An open file of either back end. */
typedef struct ior_file {
    int fd;        /* POSIX: the descriptor, -1 when closed */
    void *mpi;     /* MPI-IO: MPI_File*, NULL when closed */
} ior_file;

/*
 * Every function returns 0 or BX_EIO and then writes a sentence naming the
 * file, the call, the offset and the system's reason into err.  *nospace is
 * set to 1 when the reason is a full file system (ENOSPC, EDQUOT,
 * MPI_ERR_NO_SPACE, MPI_ERR_QUOTA).
 */
typedef struct ior_ioerr {
    char msg[1024];
    int nospace;
} ior_ioerr;

int ior_io_open(const ior_cfg *cfg, const char *name, int writing, ior_file *f, ior_ioerr *e);
/* One transfer of len bytes at offset off (len may be 0 for a collective no-op). */
int ior_io_xfer(const ior_cfg *cfg, ior_file *f, const char *name, int writing, void *buf,
                size_t len, uint64_t off, ior_ioerr *e);
int ior_io_sync(const ior_cfg *cfg, ior_file *f, const char *name, ior_ioerr *e);
/* Closes whatever is open; safe to call on a closed file. */
int ior_io_close(const ior_cfg *cfg, ior_file *f, const char *name, ior_ioerr *e);

/* ---- ior_pattern.c ---------------------------------------------------- */

/*
 * The data written: a pseudo-random base derived from the writing rank,
 * filled once, and every IOR_STAMP bytes of each transfer two words: the
 * file offset of that spot and (writer rank, repetition).  Stamping costs
 * 2 stores per 512 bytes, so writing stays cheap, and a byte read back from
 * the wrong place, the wrong rank or an older repetition never matches.
 */
#define IOR_STAMP 512u

/* Fill buf[0..len) with the base of `writer` and the (writer, rep) words. */
void ior_pattern_init(unsigned char *buf, size_t len, int writer, unsigned rep);
/* Set the offset words of buf for a transfer at file offset off. */
void ior_pattern_stamp(unsigned char *buf, size_t len, uint64_t off);
/*
 * The repetition encoded in a transfer read back from `writer`'s data, for
 * reading files an earlier run kept.  Returns 0 and sets *rep when the
 * words are there and name `writer`; -1 otherwise.
 */
int ior_pattern_rep(const unsigned char *buf, size_t len, int writer, unsigned *rep);
/* Index of the first byte where a and b differ, or len; *nbad = how many differ. */
size_t ior_pattern_compare(const unsigned char *a, const unsigned char *b, size_t len,
                           uint64_t *nbad);

/* Before a timed write, a removal of this much data (all ranks) ... */
#define IOR_SETTLE_BYTES (64ull << 20)
/* ... is given this long (seconds since the removal) to settle; see ior.c. */
#define IOR_SETTLE_S 3.0

#ifdef IOR_TEST_HOOKS
/*
 * Unit-test builds only: when set, called on every rank between the write
 * and the read phase of a repetition (after a barrier, followed by one),
 * with the name of rank 0's file.  Tests corrupt a byte there.
 */
extern void (*ior_test_between_phases)(const char *file0, int rank, unsigned rep);
/* Called inside the timed region just before fsync ("fsync") and close ("write close",
 * "read close"); tests sleep there to see the time counted. */
extern void (*ior_test_in_timed)(const char *what, int rank);
/* IOR_SETTLE_BYTES and IOR_SETTLE_S, for tests to lower. */
extern uint64_t ior_test_settle_bytes;
extern double ior_test_settle_s;
#endif

#endif /* BENCHAAS_IOR_H */
