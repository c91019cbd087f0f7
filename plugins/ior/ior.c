/*
 * ior.c — a parallel I/O benchmark in the spirit of IOR, as a BenchaaS plugin.
 *
 * One repetition:
 *   write phase  (phases has write)  remove old files; settle (below);
 *                barrier; every rank opens, writes segments x block_size
 *                bytes in transfer_size pieces, fsyncs (fsync=true) and closes
 *   read phase   (phases has read)   barrier; every rank opens, reads the data
 *                of rank (r + shift) % N (shift = 0, or with reorder=true the
 *                ranks of one node, 1 on a single node) and closes
 *   verify pass  (verify=true)       untimed: read everything again and compare
 *                every byte with the pattern its writer stored
 *   cleanup      remove the files unless keep=true (also after a failure)
 *
 * Bandwidth as IOR defines it: bytes moved by all ranks divided by the time
 * from the earliest open start to the latest close end (open, fsync and
 * close included).  Each rank measures from its own clock reading taken when
 * the barrier before the phase releases it, so clocks of different nodes
 * need not agree.
 *
 * Settle.  A timed write that starts right after this run removed a large
 * file (the previous repetition's, or a kept one) fills the page cache with
 * the memory that removal has just freed.  On a virtual machine whose
 * balloon driver hands free memory back to the host (free page reporting),
 * that memory is still backed for about a second and the write runs up to
 * five times faster than a write into memory the host must supply again, so
 * the best repetition measured memory recycling rather than the file
 * system.  So when the files removed since the last timed write held
 * IOR_SETTLE_BYTES or more, every rank syncs its file system (the removal's
 * journal commit and discards stay out of the timed region) and the write
 * waits until IOR_SETTLE_S seconds have passed since the removal: then every
 * repetition starts from the state the first one had.  Untimed.
 *
 * Every rank must take the same path through the collective calls, so each
 * step ends with an agreement (agree()) on whether some rank failed; the
 * lowest failing rank's message then becomes every rank's error text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ior.h"

#ifdef IOR_TEST_HOOKS
void (*ior_test_between_phases)(const char *file0, int rank, unsigned rep);
void (*ior_test_in_timed)(const char *what, int rank);
uint64_t ior_test_settle_bytes = IOR_SETTLE_BYTES;
double ior_test_settle_s = IOR_SETTLE_S;
#define SETTLE_BYTES ior_test_settle_bytes
#define SETTLE_S ior_test_settle_s
#define IN_TIMED(what, rank)                                                                  \
    do {                                                                                      \
        if (ior_test_in_timed)                                                                \
            ior_test_in_timed((what), (rank));                                                \
    } while (0)
#else
#define SETTLE_BYTES IOR_SETTLE_BYTES
#define SETTLE_S IOR_SETTLE_S
#define IN_TIMED(what, rank) ((void)0)
#endif

/* ---- descriptor ------------------------------------------------------- */

static const char *const api_choices[] = {"posix", "mpiio", NULL};
static const char *const phase_choices[] = {"write,read", "write", "read", "write+read", NULL};

static const bx_param ior_params[] = {
    {"api", BX_ENUM, "posix", BX_NORANGE, api_choices,
     "I/O interface: posix (open/pwrite/pread/fsync/close) or mpiio (MPI_File_*, explicit "
     "offsets)", 0},
    {"path", BX_STRING, IOR_DEFAULT_FILE, BX_NORANGE, NULL,
     "the shared file, or the prefix of the per-rank files PATH.00000000, ...; relative to the "
     "working directory; an existing folder gets " IOR_DEFAULT_FILE " inside it", BX_PARAM_PATH_WRITE},
    {"block_size", BX_SIZE, "16m", BX_RANGE(1, 1099511627776.0), NULL,
     "bytes each rank writes per segment [-b]", 0},
    {"transfer_size", BX_SIZE, "1m", BX_RANGE(8, 1073741824.0), NULL,
     "bytes per I/O call, a multiple of 8 dividing block_size [-t]", 0},
    {"segments", BX_INT, "1", BX_RANGE(1, 1e12), NULL,
     "segments per rank; in a shared file the ranks' blocks interleave per segment [-s]", 0},
    {"file_per_process", BX_BOOL, "false", BX_NORANGE, NULL,
     "one file per rank (PATH.<rank>) instead of one shared file [-F]", 0},
    {"fsync", BX_BOOL, "true", BX_NORANGE, NULL,
     "fsync (MPI_File_sync) after writing, inside the timed region [-e]", 0},
    {"reorder", BX_BOOL, "false", BX_NORANGE, NULL,
     "each rank reads what a rank on another node wrote (its neighbour on one node), so the "
     "page cache does not serve the reads [-C]", 0},
    {"direct", BX_BOOL, "false", BX_NORANGE, NULL,
     "O_DIRECT (api=posix): bypass the page cache; transfer_size must be a multiple of the "
     "device's logical block size", 0},
    {"verify", BX_BOOL, "false", BX_NORANGE, NULL,
     "read everything back after the timed phases and check every byte [-W/-R]", 0},
    {"keep", BX_BOOL, "false", BX_NORANGE, NULL,
     "leave the files (for a later phases=read run); otherwise they are removed [-k]", 0},
    {"phases", BX_ENUM, "write,read", BX_NORANGE, phase_choices,
     "write, read (the files a keep=true run left) or both (write,read or write+read) [-w/-r]", 0},
    {"collective", BX_BOOL, "false", BX_NORANGE, NULL,
     "api=mpiio: collective I/O (MPI_File_write_at_all / read_at_all) [-c]", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

static const bx_metric_def ior_metrics[] = {
    {"write_bw", "MiB/s", BX_BETTER_HIGHER, "bytes written / (last close end - first open start)", BX_METRIC_HEADLINE},
    {"read_bw", "MiB/s", BX_BETTER_HIGHER, "bytes read / (last close end - first open start)", BX_METRIC_HEADLINE},
    {"write_iops", "op/s", BX_BETTER_HIGHER, "write calls of all ranks per second, same interval", 0},
    {"read_iops", "op/s", BX_BETTER_HIGHER, "read calls of all ranks per second, same interval", 0},
    {"verified", "", BX_BETTER_NONE, "verify=true: 1 when every byte read back was right", 0},
    {"write_open_time", "s", BX_BETTER_LOWER, "write phase: longest open of any rank", 0},
    {"write_transfer_time", "s", BX_BETTER_LOWER,
     "write phase: longest writes + fsync of any rank", 0},
    {"write_close_time", "s", BX_BETTER_LOWER, "write phase: longest close of any rank", 0},
    {"read_open_time", "s", BX_BETTER_LOWER, "read phase: longest open of any rank", 0},
    {"read_transfer_time", "s", BX_BETTER_LOWER, "read phase: longest reads of any rank", 0},
    {"read_close_time", "s", BX_BETTER_LOWER, "read phase: longest close of any rank", 0},
    {NULL, NULL, 0, NULL, 0},
};

/* ---- state ------------------------------------------------------------ */

typedef struct ior_state {
    ior_cfg cfg;
    int rank, nranks;
    int nodes, shift;       /* reads take rank (rank + shift) % nranks's data */
    uint64_t nxfer;         /* transfers per rank per phase */
    unsigned char *wbuf;    /* what this rank writes: pattern + stamps (phases has write) */
    unsigned char *rbuf;    /* what a read lands in (phases has read, or verify) */
    unsigned char *ebuf;    /* what the verify pass expects (verify only) */
    char err[1100];         /* the agreed error text of the failed step */
    int mine;               /* this rank's file is ours to remove: created by this run, or
                               (phases=read) a file an earlier ior run kept, checked as such */
    int nospace;            /* ... and whether it was a full file system */
    int failed;             /* verification failed: later repetitions do nothing */
    uint64_t removed;       /* bytes of files removed (all ranks) since the last timed write */
    double removed_at;      /* bx_now() of the last removal */
    char verify_msg[1400];  /* first bad byte, for report() */
} ior_state;

/* What one timed phase measured, reduced over all ranks. */
typedef struct phase_result {
    double wall;            /* latest close end - earliest open start */
    double open, xfer, close;
    uint64_t bytes, ops;
} phase_result;

static int rank_of_reads(const ior_state *s) { return (s->rank + s->shift) % s->nranks; }

/*
 * Every rank calls this with its status of the step just done.  Returns 0
 * when all ranks succeeded; otherwise the code of the lowest failing rank,
 * whose message (prefixed by its rank when there are several) every rank
 * now has in s->err.
 */
static int agree(ior_state *s, int rc, const char *msg, int nospace)
{
    int mine = rc ? s->rank : INT_MAX, first = INT_MAX;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == INT_MAX)
        return 0;
    struct { int rc, nospace; char msg[1024]; } m;
    memset(&m, 0, sizeof m);
    if (s->rank == first) {
        m.rc = rc;
        m.nospace = nospace;
        snprintf(m.msg, sizeof m.msg, "%s", msg ? msg : "failed");
    }
    MPI_Bcast(&m, (int)sizeof m, MPI_BYTE, first, MPI_COMM_WORLD);
    if (s->nranks > 1)
        snprintf(s->err, sizeof s->err, "rank %d: %s", first, m.msg);
    else
        snprintf(s->err, sizeof s->err, "%s", m.msg);
    s->nospace = m.nospace;
    return m.rc;
}

/*
 * Remove this run's files: rank 0 the shared file, every rank its own with
 * file_per_process; only a file this rank created (or a kept ior file a
 * read-only run consumed), never one that was there before.
 */
static void remove_files(ior_state *s)
{
    char name[PATH_MAX];
    uint64_t mine = 0, all = 0;
    MPI_Barrier(MPI_COMM_WORLD); /* nobody still has them open */
    if (s->mine && (s->cfg.file_per_process || s->rank == 0)) {
        ior_file_name(&s->cfg, s->rank, name, sizeof name);
        struct stat st;
        if (stat(name, &st) == 0 && S_ISREG(st.st_mode))
            mine = (uint64_t)st.st_blocks * 512u;
        if (unlink(name) != 0 && errno != ENOENT && s->rank == 0)
            fprintf(stderr, "ior: could not remove '%s': %s\n", name, strerror(errno));
    }
    s->mine = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (all) {
        s->removed += all;
        s->removed_at = bx_now();
    }
}

/* syncfs() of the file system holding `path` (its folder); errors do not matter here. */
static void sync_fs_of(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        syncfs(fd);
        close(fd);
    }
}

/* Before a timed write: let a large removal settle (see "Settle" at the top). */
static void settle(ior_state *s)
{
    if (s->removed >= SETTLE_BYTES && s->removed > 0) {
        char name[PATH_MAX];
        ior_file_name(&s->cfg, s->rank, name, sizeof name);
        sync_fs_of(name);
        double left = SETTLE_S - (bx_now() - s->removed_at);
        if (left > 0) {
            struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
            }
        }
    }
    s->removed = 0;
}

/* Create this repetition's file(s) anew, exclusively; 0 or the agreed error. */
static int create_files(ior_state *s)
{
    char name[PATH_MAX];
    ior_ioerr e = {.msg = "", .nospace = 0};
    int rc = 0;
    if (s->cfg.file_per_process || s->rank == 0) {
        ior_file_name(&s->cfg, s->rank, name, sizeof name);
        rc = ior_io_create(&s->cfg, name, &e);
        s->mine = rc == 0;
    }
    return agree(s, rc, e.msg, e.nospace);
}

/*
 * One timed phase.  Writing: this rank's own data.  Reading (also the
 * untimed verify pass, check != 0): the data of rank_of_reads(), compared
 * against its pattern when checking.  Returns 0 or the agreed error.
 */
static int phase(bx_ctx *ctx, ior_state *s, int writing, int check, unsigned rep,
                 phase_result *res, uint64_t *first_bad)
{
    const ior_cfg *c = &s->cfg;
    int peer = writing ? s->rank : rank_of_reads(s);
    char name[PATH_MAX];
    ior_file_name(c, peer, name, sizeof name);
    unsigned char *buf = writing ? s->wbuf : s->rbuf;
    size_t ts = (size_t)c->transfer_size;
    ior_file f = {.fd = -1, .mpi = NULL};
    ior_ioerr e = {.msg = "", .nospace = 0};
    int rc = 0, collective = c->api == IOR_API_MPIIO && c->collective;
    uint64_t done = 0, nbad = 0;
    unsigned peer_rep = rep; /* a read-only run learns the writer's repetition from the data */
    int know_rep = (c->phases & IOR_PHASE_WRITE) != 0;
    *first_bad = UINT64_MAX;

    if (writing)
        ior_pattern_init(s->wbuf, ts, s->rank, rep);
    if (check && know_rep)
        ior_pattern_init(s->ebuf, ts, peer, rep);

    if (writing && !check)
        settle(s);
    MPI_Barrier(MPI_COMM_WORLD);
    double base = bx_now();
    double t0 = 0, t1 = 0, t2 = 0, t3 = 0;

    rc = ior_io_open(c, name, writing, &f, &e);
    t1 = bx_now() - base;
    for (uint64_t i = 0; i < s->nxfer; i++) {
        uint64_t off = ior_offset(c, peer, i);
        if (rc) {
            /* A collective call must still be made by every rank: move nothing. */
            if (collective && f.mpi) {
                ior_ioerr ignore;
                ior_io_xfer(c, &f, name, writing, buf, 0, off, &ignore);
                continue;
            }
            break;
        }
        if (writing)
            ior_pattern_stamp(buf, ts, off);
        rc = ior_io_xfer(c, &f, name, writing, buf, ts, off, &e);
        if (rc)
            continue;
        done++;
        if (check) {
            if (!know_rep) {
                if (ior_pattern_rep(buf, ts, peer, &peer_rep) != 0)
                    peer_rep = 0; /* not our data: the comparison below says where */
                ior_pattern_init(s->ebuf, ts, peer, peer_rep);
                know_rep = 1;
            }
            ior_pattern_stamp(s->ebuf, ts, off);
            uint64_t bad;
            size_t at = ior_pattern_compare(buf, s->ebuf, ts, &bad);
            if (bad) {
                if (*first_bad == UINT64_MAX) {
                    *first_bad = off + at;
                    snprintf(s->verify_msg, sizeof s->verify_msg,
                             "verification failed in repetition %u: first bad byte at offset "
                             "%llu of '%s' (written by rank %d, read back by rank %d): "
                             "expected 0x%02x, found 0x%02x",
                             rep, (unsigned long long)(off + at), name, peer, s->rank,
                             s->ebuf[at], buf[at]);
                }
                nbad += bad;
            }
        }
    }
    if (writing && c->fsync && ((f.fd >= 0 && !rc) || f.mpi)) {
        /* MPI_File_sync is collective: a rank that failed still takes part. */
        ior_ioerr ignore;
        IN_TIMED("fsync", s->rank);
        int src = ior_io_sync(c, &f, name, rc ? &ignore : &e);
        if (!rc)
            rc = src;
    }
    t2 = bx_now() - base;
    {
        ior_ioerr ignore;
        IN_TIMED(writing ? "write close" : "read close", s->rank);
        int crc = ior_io_close(c, &f, name, rc ? &ignore : &e);
        if (!rc)
            rc = crc;
    }
    t3 = bx_now() - base;

    rc = agree(s, rc, e.msg, e.nospace);
    if (rc)
        return rc;

    /* Reduce: earliest start (as -t0), longest open/transfer/close, latest end. */
    double in[5] = {-t0, t1 - t0, t2 - t1, t3 - t2, t3}, out[5];
    MPI_Allreduce(in, out, 5, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    uint64_t cnt[3] = {done * ts, done, nbad}, sum[3];
    MPI_Allreduce(cnt, sum, 3, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    res->wall = out[4] + out[0];
    res->open = out[1];
    res->xfer = out[2];
    res->close = out[3];
    res->bytes = sum[0];
    res->ops = sum[1];

    if (check && sum[2]) {
        /* The lowest bad offset, and among ranks that saw it the lowest, tells its story. */
        uint64_t lowest;
        MPI_Allreduce(first_bad, &lowest, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
        int mine = *first_bad == lowest ? s->rank : INT_MAX, teller;
        MPI_Allreduce(&mine, &teller, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        MPI_Bcast(s->verify_msg, (int)sizeof s->verify_msg, MPI_BYTE, teller, MPI_COMM_WORLD);
        size_t n = strlen(s->verify_msg);
        snprintf(s->verify_msg + n, sizeof s->verify_msg - n, "; %llu bad byte%s in all",
                 (unsigned long long)sum[2], sum[2] == 1 ? "" : "s");
        *first_bad = lowest;
    }
    (void)ctx;
    return 0;
}

static void emit_phase(bx_ctx *ctx, const char *p, const phase_result *r)
{
    char name[64];
    double wall = r->wall > 0 ? r->wall : 1e-9;
    snprintf(name, sizeof name, "%s_bw", p);
    bx_sample(ctx, name, (double)r->bytes / wall / 1048576.0);
    snprintf(name, sizeof name, "%s_iops", p);
    bx_sample(ctx, name, (double)r->ops / wall);
    snprintf(name, sizeof name, "%s_open_time", p);
    bx_sample(ctx, name, r->open);
    snprintf(name, sizeof name, "%s_transfer_time", p);
    bx_sample(ctx, name, r->xfer);
    snprintf(name, sizeof name, "%s_close_time", p);
    bx_sample(ctx, name, r->close);
}

/* ---- callbacks ---------------------------------------------------------- */

static int ior_init(bx_ctx *ctx, void **state)
{
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited)
        return bx_error(ctx, BX_EINTERNAL,
                        "MPI is not initialised: the ior plugin must be started under mpirun "
                        "by the worker (it is flagged BX_NEEDS_MPI)");
    ior_state *s = calloc(1, sizeof *s);
    if (!s)
        return bx_error(ctx, BX_ENOMEM, "out of memory");
    MPI_Comm_rank(MPI_COMM_WORLD, &s->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &s->nranks);
    int rc = ior_cfg_load(ctx, &s->cfg);
    if (rc) {
        free(s);
        return rc;
    }
    s->cfg.nranks = s->nranks; /* the ranks that are really there */
    if (!(s->cfg.phases & IOR_PHASE_WRITE) && (s->cfg.file_per_process || s->rank == 0)) {
        /* a read-only run consumes (removes, unless keep) only files ior wrote */
        char name[PATH_MAX];
        ior_file_name(&s->cfg, s->rank, name, sizeof name);
        s->mine = ior_kept_file_is_ours(&s->cfg, s->rank, name);
    }
    s->nxfer = s->cfg.segments * (s->cfg.block_size / s->cfg.transfer_size);

    /* Nodes: one shared-memory communicator per node. */
    MPI_Comm node;
    int local = 0, local_size = 1;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &local);
    MPI_Comm_size(node, &local_size);
    MPI_Comm_free(&node);
    int leader = local == 0;
    MPI_Allreduce(&leader, &s->nodes, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    /* reorder: shift by rank 0's node size (ranks placed by node), 1 on one node */
    int per_node = local_size;
    MPI_Bcast(&per_node, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (s->cfg.reorder && s->nranks > 1)
        s->shift = (s->nodes > 1 && per_node < s->nranks) ? per_node : 1;

    /* Only the buffers this run uses: transfers may be as large as 1 GiB. */
    size_t ts = (size_t)s->cfg.transfer_size, align = 4096;
    int need_w = (s->cfg.phases & IOR_PHASE_WRITE) != 0;
    int need_r = (s->cfg.phases & IOR_PHASE_READ) || s->cfg.verify;
    void *w = NULL, *r = NULL, *e = NULL;
    if ((need_w && posix_memalign(&w, align, ts)) || (need_r && posix_memalign(&r, align, ts)) ||
        (s->cfg.verify && posix_memalign(&e, align, ts))) {
        free(w);
        free(r);
        free(e);
        free(s);
        return bx_error(ctx, BX_ENOMEM, "out of memory for the %zu-byte transfer buffers", ts);
    }
    s->wbuf = w;
    s->rbuf = r;
    s->ebuf = e;
    if (r)
        memset(r, 0, ts);

    char text[64];
    bx_meta(ctx, "file", s->cfg.file_per_process ? "per process" : "shared");
    snprintf(text, sizeof text, "%llu",
             (unsigned long long)(s->cfg.segments * s->cfg.block_size * (uint64_t)s->nranks));
    bx_meta(ctx, "aggregate_bytes", text);
    snprintf(text, sizeof text, "%d", s->nodes);
    bx_meta(ctx, "nodes", text);
    snprintf(text, sizeof text, "%d", s->shift);
    bx_meta(ctx, "reorder_shift", text);

    if (s->cfg.reorder && s->nranks == 1)
        bx_warn(ctx, "reorder=true has no effect with one rank: it reads its own data");
    if (s->cfg.collective && s->cfg.api != IOR_API_MPIIO)
        bx_warn(ctx, "collective=true has no effect with api=posix");
    if ((s->cfg.phases & IOR_PHASE_READ) && (s->cfg.phases & IOR_PHASE_WRITE) &&
        !s->cfg.direct && s->nodes == 1)
        bx_warn(ctx, "the reads will likely come from the page cache of the node that wrote the "
                     "data, so read_bw measures memory rather than the file system: use "
                     "direct=true, reorder=true across nodes, or phases=read on kept files "
                     "after dropping the caches");
    if ((s->cfg.phases & IOR_PHASE_WRITE) && !s->cfg.fsync && !s->cfg.direct) {
        bx_warn(ctx, "fsync=false: the writes are timed until they reach the page cache, not the "
                     "file system, so write_bw measures memory: use fsync=true or direct=true");
        /* the leaderboard leaves such runs out of its ranking, with this reason */
        bx_meta(ctx, "caveat", "written without fsync: the write rate is the page cache's, not "
                               "the file system's");
    }
    *state = s;
    return 0;
}

static int ior_run(bx_ctx *ctx, void *state, unsigned rep)
{
    ior_state *s = state;
    const ior_cfg *c = &s->cfg;
    if (s->failed)
        return 0; /* verification already failed: report() says so */
    int writes = (c->phases & IOR_PHASE_WRITE) != 0, reads = (c->phases & IOR_PHASE_READ) != 0;
    /* A read-only run removes the kept files after its last repetition (unless keep). */
    int last = rep >= bx_repetitions(ctx);
    phase_result res;
    uint64_t bad = UINT64_MAX;
    int rc = 0;

    int writing = 0;
    if (writes) {
        remove_files(s); /* a fresh file each repetition, as after the previous cleanup */
        writing = 1;
        rc = create_files(s);
        if (!rc)
            rc = phase(ctx, s, 1, 0, rep, &res, &bad);
        if (rc)
            goto failed;
        writing = 0;
        emit_phase(ctx, "write", &res);
    }
#ifdef IOR_TEST_HOOKS
    if (ior_test_between_phases) {
        char f0[PATH_MAX];
        ior_file_name(c, 0, f0, sizeof f0);
        MPI_Barrier(MPI_COMM_WORLD);
        ior_test_between_phases(f0, s->rank, rep);
        MPI_Barrier(MPI_COMM_WORLD);
    }
#endif
    if (reads) {
        rc = phase(ctx, s, 0, 0, rep, &res, &bad);
        if (rc)
            goto failed;
        emit_phase(ctx, "read", &res);
    }
    if (c->verify) {
        rc = phase(ctx, s, 0, 1, rep, &res, &bad);
        if (rc)
            goto failed;
        if (bad != UINT64_MAX) {
            s->failed = 1;
            if (!c->keep)
                remove_files(s);
            return 0; /* report() emits verified=0 and fails the run */
        }
    }
    if (!c->keep && (writes || last))
        remove_files(s);
    return 0;

failed: {
    /* Every rank is here (agree() made the failure common): clean up and say why. */
    char dir_free[48] = "";
    double fr = ior_free_bytes(c->path);
    /* Not every MPI-IO library says "no space": a write that failed on a full disk did. */
    if (writing && fr >= 0 && fr < (double)c->transfer_size)
        s->nospace = 1;
    if (s->nospace && fr >= 0)
        bx_format_size((uint64_t)fr, dir_free, sizeof dir_free);
    if (!c->keep)
        remove_files(s);
    if (s->nospace)
        return bx_error(ctx, rc,
                        "the file system filled up during the run: %s (%s free then)%s", s->err,
                        dir_free[0] ? dir_free : "unknown",
                        c->keep ? "; keep=true: the files were left" : "; the files were removed");
    return bx_error(ctx, rc, "%s%s", s->err,
                    c->keep ? "" : " (this run's files were removed)");
}
}

static int ior_report(bx_ctx *ctx, void *state)
{
    ior_state *s = state;
    if (!s->cfg.verify)
        return 0;
    if (s->failed) {
        bx_metric(ctx, "verified", 0);
        return bx_error(ctx, BX_EFAILED, "%s", s->verify_msg);
    }
    bx_metric(ctx, "verified", 1);
    return 0;
}

static void ior_fini(void *state)
{
    ior_state *s = state;
    if (!s)
        return;
    free(s->wbuf);
    free(s->rbuf);
    free(s->ebuf);
    free(s);
}

static void ior_describe(bx_ctx *ctx)
{
    bx_print(ctx,
             "Layout as IOR: each rank moves segments x block_size bytes in transfer_size "
             "pieces; in a shared file segment s of rank r starts at (s*ranks + r)*block_size, "
             "with file_per_process rank r uses PATH.%%08d.\n"
             "Bandwidth = bytes of all ranks / (latest close end - earliest open start), "
             "MiB/s = 2^20 B/s; fsync is inside the write phase.\n"
             "Keep + read: phases=write keep=true, drop the caches, then phases=read with the "
             "same sizes and ranks measures cold reads.\n");
}

static const bx_plugin ior_plugin = {
    BX_PLUGIN_HEADER,
    .flags = BX_NEEDS_MPI | BX_NO_WARMUP,
    .name = "ior",
    .version = "1.0.0",
    .description = "parallel file-system bandwidth in the spirit of IOR (POSIX and MPI-IO), "
                   "verified",
    .params = ior_params,
    .metrics = ior_metrics,
    .default_repetitions = 3,
    .check = ior_check,
    .init = ior_init,
    .run = ior_run,
    .report = ior_report,
    .fini = ior_fini,
    .describe = ior_describe,
};

BX_PLUGIN_DEFINE(ior_plugin)
