/*
 * ior_check.c — turn the parameters into an ior_cfg and refuse every bad
 * input before any rank writes: sizes, combinations, the target folder,
 * the files a read-only run needs, O_DIRECT support and alignment, and the
 * free space.  Nothing here calls MPI (check() runs in the runner too).
 */
#define _GNU_SOURCE /* O_DIRECT, statx */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ior.h"

/* ---- layout ------------------------------------------------------------ */

void ior_file_name(const ior_cfg *cfg, int rank, char *buf, size_t len)
{
    if (cfg->file_per_process)
        snprintf(buf, len, "%s.%08d", cfg->path, rank);
    else
        snprintf(buf, len, "%s", cfg->path);
}

uint64_t ior_file_bytes(const ior_cfg *cfg)
{
    uint64_t per_rank = cfg->segments * cfg->block_size;
    return cfg->file_per_process ? per_rank : per_rank * (uint64_t)cfg->nranks;
}

uint64_t ior_offset(const ior_cfg *cfg, int rank, uint64_t i)
{
    uint64_t per_block = cfg->block_size / cfg->transfer_size;
    uint64_t seg = i / per_block, in_block = (i % per_block) * cfg->transfer_size;
    if (cfg->file_per_process)
        return seg * cfg->block_size + in_block;
    return (seg * (uint64_t)cfg->nranks + (uint64_t)rank) * cfg->block_size + in_block;
}

/* ---- parameters ---------------------------------------------------------- */

static const char *fmt_size(uint64_t bytes, char *buf, size_t len)
{
    return bx_format_size(bytes, buf, len);
}

/* The folder part of path ("." when there is none). */
static void folder_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == path)
        snprintf(buf, len, "/");
    else
        snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

int ior_cfg_load(bx_ctx *ctx, ior_cfg *cfg)
{
    char a[32], b[32];
    memset(cfg, 0, sizeof *cfg);
    cfg->nranks = bx_nranks(ctx);
    if (cfg->nranks < 1)
        cfg->nranks = 1;

    const char *api = bx_param_str(ctx, "api");
    if (strcmp(api, "posix") == 0)
        cfg->api = IOR_API_POSIX;
    else if (strcmp(api, "mpiio") == 0)
        cfg->api = IOR_API_MPIIO;
    else
        return bx_error(ctx, BX_EINVAL, "unknown api '%s': use posix or mpiio", api);

    const char *ph = bx_param_str(ctx, "phases");
    if (strcmp(ph, "write") == 0)
        cfg->phases = IOR_PHASE_WRITE;
    else if (strcmp(ph, "read") == 0)
        cfg->phases = IOR_PHASE_READ;
    else if (strcmp(ph, "write,read") == 0 || strcmp(ph, "write+read") == 0)
        cfg->phases = IOR_PHASE_WRITE | IOR_PHASE_READ;
    else
        return bx_error(ctx, BX_EINVAL, "unknown phases '%s': use write, read or write,read", ph);

    int64_t bs = bx_param_int(ctx, "block_size"), ts = bx_param_int(ctx, "transfer_size");
    int64_t segs = bx_param_int(ctx, "segments");
    if (bs <= 0)
        return bx_error(ctx, BX_EINVAL, "block_size must be greater than 0 (it is the bytes each "
                                        "rank writes per segment), e.g. block_size=16m");
    if (ts <= 0)
        return bx_error(ctx, BX_EINVAL, "transfer_size must be greater than 0 (it is the bytes "
                                        "of one I/O call), e.g. transfer_size=1m");
    if (segs < 1)
        return bx_error(ctx, BX_EINVAL, "segments must be at least 1 (got %lld)", (long long)segs);
    cfg->block_size = (uint64_t)bs;
    cfg->transfer_size = (uint64_t)ts;
    cfg->segments = (uint64_t)segs;
    if (cfg->transfer_size > cfg->block_size)
        return bx_error(ctx, BX_EINVAL,
                        "transfer_size (%s) is larger than block_size (%s): each rank writes "
                        "block_size bytes per segment in transfer_size pieces; make "
                        "transfer_size <= block_size",
                        fmt_size(cfg->transfer_size, a, sizeof a),
                        fmt_size(cfg->block_size, b, sizeof b));
    if (cfg->transfer_size % IOR_WORD != 0)
        return bx_error(ctx, BX_EINVAL,
                        "transfer_size (%llu bytes) must be a multiple of %u bytes",
                        (unsigned long long)cfg->transfer_size, IOR_WORD);
    if (cfg->block_size % cfg->transfer_size != 0)
        return bx_error(ctx, BX_EINVAL,
                        "block_size (%llu bytes) is not a multiple of transfer_size (%llu "
                        "bytes): each block is moved in whole transfers",
                        (unsigned long long)cfg->block_size,
                        (unsigned long long)cfg->transfer_size);
    /* total bytes (shared file) must fit in a signed 64-bit file offset */
    const uint64_t max_off = (uint64_t)INT64_MAX;
    if (cfg->segments > max_off / cfg->block_size / (uint64_t)cfg->nranks)
        return bx_error(ctx, BX_EINVAL,
                        "segments x block_size x ranks exceeds the largest file offset; "
                        "use fewer segments or a smaller block_size");

    cfg->file_per_process = bx_param_bool(ctx, "file_per_process");
    cfg->fsync = bx_param_bool(ctx, "fsync");
    cfg->reorder = bx_param_bool(ctx, "reorder");
    cfg->direct = bx_param_bool(ctx, "direct");
    cfg->verify = bx_param_bool(ctx, "verify");
    cfg->keep = bx_param_bool(ctx, "keep");
    cfg->collective = bx_param_bool(ctx, "collective");

    if (cfg->direct && cfg->api != IOR_API_POSIX)
        return bx_error(ctx, BX_EINVAL,
                        "direct=true (O_DIRECT) is supported with api=posix only; MPI-IO "
                        "libraries choose their own caching");

    /* path: a file name (or prefix); an existing folder gets IOR_DEFAULT_FILE inside it */
    const char *path = bx_param_str(ctx, "path");
    if (!*path)
        path = IOR_DEFAULT_FILE;
    struct stat st;
    int n;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        n = snprintf(cfg->path, sizeof cfg->path, "%s%s%s", path,
                     path[strlen(path) - 1] == '/' ? "" : "/", IOR_DEFAULT_FILE);
    else
        n = snprintf(cfg->path, sizeof cfg->path, "%s", path);
    if (n < 0 || (size_t)n + 16 >= sizeof cfg->path) /* room for ".%08d" */
        return bx_error(ctx, BX_EINVAL, "path is too long (%zu characters)", strlen(path));
    if (cfg->path[strlen(cfg->path) - 1] == '/')
        return bx_error(ctx, BX_EINVAL,
                        "path '%s' ends with '/' but that folder does not exist; create it or "
                        "choose another path",
                        cfg->path);
    return 0;
}

/* ---- the file system ----------------------------------------------------- */

double ior_free_bytes(const char *path)
{
    char dir[PATH_MAX];
    folder_of(path, dir, sizeof dir);
    struct statvfs vfs;
    if (statvfs(dir, &vfs) != 0)
        return -1;
    return (double)vfs.f_bavail * (double)vfs.f_frsize;
}

/* Space the existing target files occupy (freed when the write phase replaces them). */
static double existing_bytes(const ior_cfg *cfg)
{
    char name[PATH_MAX];
    double sum = 0;
    int nfiles = cfg->file_per_process ? cfg->nranks : 1;
    for (int r = 0; r < nfiles; r++) {
        struct stat st;
        ior_file_name(cfg, r, name, sizeof name);
        if (stat(name, &st) == 0 && S_ISREG(st.st_mode))
            sum += (double)st.st_blocks * 512.0;
    }
    return sum;
}

/*
 * The file-offset alignment O_DIRECT needs on fd's file system: statx()'s
 * STATX_DIOALIGN when the kernel gives it (Linux >= 6.1), otherwise the
 * smallest of 512..64k bytes that a direct read or write of that size at
 * offset 0 accepts.  Returns 0 when it could not be found.
 */
static unsigned dio_alignment(int fd, int writing)
{
#ifdef STATX_DIOALIGN
    struct statx sx;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 &&
        (sx.stx_mask & STATX_DIOALIGN) && sx.stx_dio_offset_align > 0)
        return sx.stx_dio_offset_align;
#endif
    unsigned ret = 0;
    void *buf = NULL;
    if (posix_memalign(&buf, 65536, 65536) != 0)
        return 0;
    memset(buf, 0, 65536);
    for (unsigned sz = 512; sz <= 65536 && !ret; sz *= 2) {
        ssize_t got = writing ? pwrite(fd, buf, sz, 0) : pread(fd, buf, sz, 0);
        if (got >= 0)
            ret = sz;
        else if (errno != EINVAL)
            break;
    }
    free(buf);
    return ret;
}

/*
 * direct=true: is O_DIRECT supported where the files go, and are the sizes
 * aligned to what it needs?  A write run probes with a small temporary file
 * in the folder; a read-only run opens rank 0's existing file.
 */
static int check_direct(bx_ctx *ctx, const ior_cfg *cfg, const char *dir)
{
    char probe[PATH_MAX];
    int writing = (cfg->phases & IOR_PHASE_WRITE) != 0;
    int fd;
    if (writing) {
        snprintf(probe, sizeof probe, "%s/.benchaas-ior-probe.%ld", dir, (long)getpid());
        fd = open(probe, O_RDWR | O_CREAT | O_EXCL | O_DIRECT | O_CLOEXEC, 0600);
    } else {
        ior_file_name(cfg, 0, probe, sizeof probe);
        fd = open(probe, O_RDONLY | O_DIRECT | O_CLOEXEC);
    }
    if (fd < 0) {
        int err = errno;
        if (writing && err != EEXIST)
            unlink(probe); /* O_CREAT may have made it before O_DIRECT was refused; an
                              existing file (EEXIST) is not ours */
        if (err == EINVAL)
            return bx_error(ctx, BX_EINVAL,
                            "direct=true: the file system of '%s' does not support O_DIRECT "
                            "(tmpfs before Linux 6.6 does not, for one); use direct=false or a "
                            "path on another file system",
                            dir);
        return bx_error(ctx, BX_EINVAL, "direct=true: cannot open '%s' with O_DIRECT: %s", probe,
                        strerror(err));
    }
    unsigned align = dio_alignment(fd, writing);
    close(fd);
    if (writing)
        unlink(probe);
    if (align == 0) {
        bx_warn(ctx, "direct=true: could not learn the O_DIRECT alignment of '%s'; assuming "
                     "4096 bytes", dir);
        align = 4096;
    }
    if (cfg->transfer_size % align != 0)
        return bx_error(ctx, BX_EINVAL,
                        "direct=true needs transfer_size to be a multiple of the device's "
                        "logical block size, %u bytes for '%s'; transfer_size is %llu bytes "
                        "(e.g. use transfer_size=%llu)",
                        align, dir, (unsigned long long)cfg->transfer_size,
                        (unsigned long long)((cfg->transfer_size + align - 1) / align * align));
    return 0;
}

int ior_kept_file_is_ours(const ior_cfg *cfg, int rank, const char *name)
{
    int fd = open(name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    unsigned char buf[16];
    uint64_t off = ior_offset(cfg, cfg->file_per_process ? rank : 0, 0);
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             pread(fd, buf, sizeof buf, (off_t)off) == (ssize_t)sizeof buf &&
             ior_pattern_is_ours(buf, sizeof buf, off, cfg->file_per_process ? rank : 0);
    close(fd);
    return ok;
}

/* phases=read: the files an earlier run kept must be there, readable and large enough. */
static int check_kept_files(bx_ctx *ctx, const ior_cfg *cfg)
{
    char name[PATH_MAX], a[32], b[32];
    int nfiles = cfg->file_per_process ? cfg->nranks : 1;
    uint64_t need = ior_file_bytes(cfg);
    for (int r = 0; r < nfiles; r++) {
        struct stat st;
        ior_file_name(cfg, r, name, sizeof name);
        if (stat(name, &st) != 0)
            return bx_error(ctx, BX_EINVAL,
                            "phases=read reads the files an earlier run kept, but '%s' %s; "
                            "first run phases=write keep=true with the same path, block_size, "
                            "segments, file_per_process and ranks",
                            name, errno == ENOENT ? "does not exist" : strerror(errno));
        if (!S_ISREG(st.st_mode))
            return bx_error(ctx, BX_EINVAL, "'%s' is not a regular file", name);
        if (access(name, R_OK) != 0)
            return bx_error(ctx, BX_EINVAL, "'%s' is not readable: %s", name, strerror(errno));
        if ((uint64_t)st.st_size < need)
            return bx_error(ctx, BX_EINVAL,
                            "'%s' holds %s but this run reads %s from it; write it with the "
                            "same block_size, segments, file_per_process and ranks",
                            name, fmt_size((uint64_t)st.st_size, a, sizeof a),
                            fmt_size(need, b, sizeof b));
        if (!ior_kept_file_is_ours(cfg, r, name))
            return bx_error(ctx, BX_EINVAL,
                            "'%s' was not written by the ior plugin (keep=true); phases=read "
                            "reads and then removes only such files: refusing to touch it",
                            name);
    }
    return 0;
}

int ior_check(bx_ctx *ctx)
{
    ior_cfg cfg;
    int rc = ior_cfg_load(ctx, &cfg);
    if (rc)
        return rc;
    /* The file-system checks are made once, by rank 0 (and by the runner). */
    if (bx_rank(ctx) != 0)
        return 0;

    char dir[PATH_MAX], a[32], b[32];
    folder_of(cfg.path, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0)
        return bx_error(ctx, BX_EINVAL, "the folder '%s' of path '%s' %s%s; create it or choose "
                                        "another path",
                        dir, cfg.path, errno == ENOENT ? "does not exist" : "cannot be used: ",
                        errno == ENOENT ? "" : strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return bx_error(ctx, BX_EINVAL, "'%s' (the folder part of path '%s') is not a folder",
                        dir, cfg.path);

    if (cfg.phases & IOR_PHASE_WRITE) {
        struct statvfs vfs;
        if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
            return bx_error(ctx, BX_EINVAL, "the folder '%s' is on a read-only file system; "
                                            "choose a writable path",
                            dir);
        if (access(dir, W_OK | X_OK) != 0)
            return bx_error(ctx, BX_EINVAL, "the folder '%s' is not writable (%s); choose a "
                                            "path in a folder you can write",
                            dir, strerror(errno));
    } else {
        rc = check_kept_files(ctx, &cfg);
        if (rc)
            return rc;
    }

    if (cfg.direct) {
        rc = check_direct(ctx, &cfg, dir);
        if (rc)
            return rc;
    }

    if (cfg.phases & IOR_PHASE_WRITE) {
        /* A run writes only new files: whatever is at its file names is not its own. */
        int nfiles = cfg.file_per_process ? cfg.nranks : 1;
        for (int r = 0; r < nfiles; r++) {
            char name[PATH_MAX];
            struct stat lst;
            ior_file_name(&cfg, r, name, sizeof name);
            if (lstat(name, &lst) == 0)
                return bx_error(ctx, BX_EINVAL,
                                "'%s' already exists; ior writes only new files and removes only "
                                "its own: refusing to overwrite or remove it (choose another "
                                "path, or remove it yourself)",
                                name);
        }
    }
    if (cfg.phases & IOR_PHASE_WRITE) {
        /* Everything the write phase puts on the file system at once, all ranks. */
        uint64_t need = cfg.segments * cfg.block_size * (uint64_t)cfg.nranks;
        double free_now = ior_free_bytes(cfg.path);
        double reclaim = existing_bytes(&cfg); /* removed before writing */
        if (free_now >= 0 && (double)need > free_now + reclaim)
            return bx_error(ctx, BX_EINVAL,
                            "not enough free space in '%s': this run writes %s (%d rank%s x "
                            "%llu segment%s x block_size %llu bytes) but only %s %s free; "
                            "use a smaller block_size or fewer segments, or another path",
                            dir, fmt_size(need, a, sizeof a), cfg.nranks,
                            cfg.nranks == 1 ? "" : "s", (unsigned long long)cfg.segments,
                            cfg.segments == 1 ? "" : "s", (unsigned long long)cfg.block_size,
                            fmt_size((uint64_t)(free_now + reclaim), b, sizeof b),
                            reclaim > 0 ? "would be" : "is");
    }
    return 0;
}
