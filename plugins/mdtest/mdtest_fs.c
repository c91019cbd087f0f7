/*
 * mdtest_fs.c — the parameters, the checks of `path`, the run's folders,
 * the phases and the clean-up.  No collectives here.
 *
 * The rules (those of the ior plugin): the run writes only what it makes
 * new — its own folder (mkdir), files opened with O_CREAT | O_EXCL — and
 * removes only what it made, so whatever was in `path` before is never
 * touched, and a name that appears under the run's feet is refused, not
 * overwritten or removed.  Items are reached relative to a descriptor of
 * their folder (openat, fstatat, mkdirat, unlinkat).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mdtest.h"

#ifdef MDTEST_TEST_HOOKS
void (*md_test_before_phase)(md_state *s, int p, unsigned rep);
#endif

static const char *const phase_names[P_COUNT] = {
    "dir_create", "dir_stat", "dir_remove", "file_create", "file_stat", "file_read",
    "file_remove"};

const char *md_phase_name(int p) { return p >= 0 && p < P_COUNT ? phase_names[p] : "?"; }

int md_phase_on(const md_cfg *cfg, int p)
{
    int dir = p <= P_DIR_REMOVE;
    return dir ? !cfg->files_only : !cfg->dirs_only;
}

int md_cfg_load(bx_ctx *ctx, md_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->nranks = bx_nranks(ctx) < 1 ? 1 : bx_nranks(ctx);
    const char *path = bx_param_str(ctx, "path");
    if (!*path)
        path = ".";
    if (strlen(path) + 64 >= sizeof cfg->path)
        return bx_error(ctx, BX_EINVAL, "path is too long (%zu characters)", strlen(path));
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    cfg->items = bx_param_int(ctx, "items");
    cfg->unique_dir = bx_param_bool(ctx, "unique_dir");
    cfg->write_bytes = (uint64_t)bx_param_int(ctx, "write_bytes");
    cfg->read_bytes = (uint64_t)bx_param_int(ctx, "read_bytes");
    cfg->files_only = bx_param_bool(ctx, "files_only");
    cfg->dirs_only = bx_param_bool(ctx, "dirs_only");
    cfg->sync_file = bx_param_bool(ctx, "sync_file");
    if (cfg->items < 1)
        return bx_error(ctx, BX_EINVAL, "items must be at least 1");
    if (cfg->files_only && cfg->dirs_only)
        return bx_error(ctx, BX_EINVAL, "files_only and dirs_only together leave nothing to do; "
                                        "choose one (or neither: both kinds)");
    if (cfg->read_bytes > cfg->write_bytes)
        return bx_error(ctx, BX_EINVAL,
                        "read_bytes (%llu) is larger than write_bytes (%llu): the read phase "
                        "reads back (and checks) what the create phase wrote",
                        (unsigned long long)cfg->read_bytes,
                        (unsigned long long)cfg->write_bytes);
    return 0;
}

int md_check(bx_ctx *ctx)
{
    md_cfg cfg;
    int rc = md_cfg_load(ctx, &cfg);
    if (rc || bx_rank(ctx) != 0)
        return rc;
    struct stat st;
    if (stat(cfg.path, &st) != 0)
        return bx_error(ctx, BX_EINVAL, "path '%s' %s; create the folder or choose another path",
                        cfg.path, errno == ENOENT ? "does not exist" : strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return bx_error(ctx, BX_EINVAL, "path '%s' is not a folder: mdtest makes its own "
                                        "folder inside the folder path names",
                        cfg.path);
    struct statvfs vfs;
    if (statvfs(cfg.path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
        return bx_error(ctx, BX_EINVAL, "'%s' is on a read-only file system; choose a writable "
                                        "path",
                        cfg.path);
    if (access(cfg.path, W_OK | X_OK) != 0)
        return bx_error(ctx, BX_EINVAL, "the folder '%s' is not writable (%s)", cfg.path,
                        strerror(errno));
    /* inodes: the items of every rank at once, the rank folders and the run's folder */
    double inodes = (double)cfg.items * (double)cfg.nranks + (double)cfg.nranks + 1;
    if (statvfs(cfg.path, &vfs) == 0 && vfs.f_files > 0 && (double)vfs.f_favail < inodes)
        return bx_error(ctx, BX_EINVAL,
                        "not enough free inodes in '%s': this run makes %.0f files or folders "
                        "at once (%d rank%s x %lld items) but only %llu are free; use fewer items",
                        cfg.path, inodes, cfg.nranks, cfg.nranks == 1 ? "" : "s",
                        (long long)cfg.items, (unsigned long long)vfs.f_favail);
    double bytes = (double)cfg.items * (double)cfg.nranks * (double)cfg.write_bytes;
    if (statvfs(cfg.path, &vfs) == 0 && bytes > (double)vfs.f_bavail * (double)vfs.f_frsize)
        return bx_error(ctx, BX_EINVAL, "not enough free space in '%s' for %.0f bytes "
                                        "(items x ranks x write_bytes)",
                        cfg.path, bytes);
    return 0;
}

static int fail(md_state *s, int code, const char *what, const char *name, int err)
{
    if (!s->err[0])
        snprintf(s->err, sizeof s->err, "%s '%s/%s' failed: %s", what, s->mine, name,
                 strerror(err));
    return code;
}

int md_make_top(md_state *s, const char *top)
{
    snprintf(s->top, sizeof s->top, "%s", top);
    if (mkdir(top, 0755) != 0) {
        int e = errno;
        snprintf(s->err, sizeof s->err,
                 "cannot make the run's folder '%s': %s%s", top, strerror(e),
                 e == EEXIST ? " (it is not this run's: left alone)" : "");
        return BX_EIO;
    }
    s->made_top = 1;
    return 0;
}

int md_make_mine(md_state *s)
{
    if (!s->cfg.unique_dir)
        snprintf(s->mine, sizeof s->mine, "%s", s->top);
    else {
        snprintf(s->mine, sizeof s->mine, "%s/rank.%d", s->top, s->rank);
        if (mkdir(s->mine, 0755) != 0) {
            snprintf(s->err, sizeof s->err, "cannot make '%s': %s", s->mine, strerror(errno));
            return BX_EIO;
        }
        s->made_mine = 1;
    }
    s->dfd = open(s->mine, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->dfd < 0) {
        snprintf(s->err, sizeof s->err, "cannot open '%s': %s", s->mine, strerror(errno));
        return BX_EIO;
    }
    return 0;
}

/* The contents of file i: write_bytes of a pattern, its first word (rank, i). */
static void stamp(md_state *s, unsigned char *buf, size_t len, int64_t i)
{
    uint64_t w = ((uint64_t)(uint32_t)s->rank << 40) ^ (uint64_t)i ^ 0x6d64746573740000ull;
    for (size_t k = 0; k < 8 && k < len; k++)
        buf[k] = (unsigned char)(w >> (8 * k));
}

static int create_file(md_state *s, const char *name, int64_t i)
{
    int fd = openat(s->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(s, BX_EIO, "creating", name, errno);
    s->file_hi = i + 1; /* it is ours now, whatever follows */
    size_t n = (size_t)s->cfg.write_bytes;
    if (n) {
        stamp(s, s->wbuf, n, i);
        ssize_t got = write(fd, s->wbuf, n);
        if (got != (ssize_t)n) {
            int e = got < 0 ? errno : ENOSPC;
            close(fd);
            return fail(s, BX_EIO, "writing", name, e);
        }
    }
    if (s->cfg.sync_file && fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return fail(s, BX_EIO, "fsync of", name, e);
    }
    if (close(fd) != 0)
        return fail(s, BX_EIO, "closing", name, errno);
    return 0;
}

static int read_file(md_state *s, const char *name, int64_t i)
{
    int fd = openat(s->dfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(s, BX_EIO, "opening", name, errno);
    size_t n = (size_t)s->cfg.read_bytes;
    ssize_t got = n ? read(fd, s->rbuf, n) : 0;
    int e = errno;
    close(fd);
    if (got < 0)
        return fail(s, BX_EIO, "reading", name, e);
    stamp(s, s->wbuf, (size_t)s->cfg.write_bytes, i);
    if ((size_t)got != n || memcmp(s->rbuf, s->wbuf, n) != 0) {
        if (!s->err[0])
            snprintf(s->err, sizeof s->err, "'%s/%s' read back wrong: %zd of %zu bytes, not "
                                            "what was written",
                     s->mine, name, got, n);
        return BX_EFAILED;
    }
    return 0;
}

static int stat_item(md_state *s, const char *name, int dir)
{
    struct stat st;
    if (fstatat(s->dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return fail(s, BX_EIO, "stat of", name, errno);
    if (dir ? !S_ISDIR(st.st_mode)
            : !S_ISREG(st.st_mode) || (uint64_t)st.st_size != s->cfg.write_bytes) {
        if (!s->err[0])
            snprintf(s->err, sizeof s->err, "'%s/%s' is not the %s this run made", s->mine,
                     name, dir ? "folder" : "file");
        return BX_EFAILED;
    }
    return 0;
}

/* Phase p on item i. */
static int item_op(md_state *s, int p, int64_t i)
{
    char name[96];
    int dir = p <= P_DIR_REMOVE;
    snprintf(name, sizeof name, "%s.mdtest.%d.%lld", dir ? "dir" : "file", s->rank, (long long)i);
    switch (p) {
    case P_DIR_CREATE:
        if (mkdirat(s->dfd, name, 0755) != 0)
            return fail(s, BX_EIO, "mkdir of", name, errno);
        s->dir_hi = i + 1;
        return 0;
    case P_DIR_STAT:
    case P_FILE_STAT:
        return stat_item(s, name, dir);
    case P_DIR_REMOVE:
        if (unlinkat(s->dfd, name, AT_REMOVEDIR) != 0)
            return fail(s, BX_EIO, "rmdir of", name, errno);
        s->dir_lo = i + 1;
        return 0;
    case P_FILE_CREATE:
        return create_file(s, name, i);
    case P_FILE_READ:
        return read_file(s, name, i);
    default:
        if (unlinkat(s->dfd, name, 0) != 0)
            return fail(s, BX_EIO, "unlink of", name, errno);
        s->file_lo = i + 1;
        return 0;
    }
}

int md_phase(md_state *s, int p, unsigned rep)
{
#ifdef MDTEST_TEST_HOOKS
    if (md_test_before_phase)
        md_test_before_phase(s, p, rep);
#else
    (void)rep;
#endif
    if (p == P_DIR_CREATE)
        s->dir_lo = s->dir_hi = 0;
    if (p == P_FILE_CREATE)
        s->file_lo = s->file_hi = 0;
    for (int64_t i = 0; i < s->cfg.items; i++) {
        int rc = item_op(s, p, i);
        if (rc)
            return rc;
    }
    return 0;
}

void md_remove_mine(md_state *s)
{
    char name[96];
    for (int64_t i = s->file_lo; s->dfd >= 0 && i < s->file_hi; i++) {
        snprintf(name, sizeof name, "file.mdtest.%d.%lld", s->rank, (long long)i);
        unlinkat(s->dfd, name, 0);
    }
    for (int64_t i = s->dir_lo; s->dfd >= 0 && i < s->dir_hi; i++) {
        snprintf(name, sizeof name, "dir.mdtest.%d.%lld", s->rank, (long long)i);
        unlinkat(s->dfd, name, AT_REMOVEDIR);
    }
    s->file_lo = s->file_hi = s->dir_lo = s->dir_hi = 0;
    if (s->dfd >= 0)
        close(s->dfd);
    s->dfd = -1;
    if (s->made_mine && rmdir(s->mine) != 0 && !s->err[0])
        snprintf(s->err, sizeof s->err, "'%s' could not be removed: %s", s->mine,
                 strerror(errno));
    s->made_mine = 0;
}

int md_remove_top(md_state *s)
{
    if (!s->made_top)
        return 0;
    s->made_top = 0;
    if (rmdir(s->top) != 0) {
        snprintf(s->err, sizeof s->err,
                 "the run's folder '%s' was left: %s (what is in it is not this run's)", s->top,
                 strerror(errno));
        return BX_EIO;
    }
    return 0;
}
