/*
 * ior_io.c — the two back ends of the ior plugin behind one interface.
 *
 * posix: open / pwrite / pread / fsync / close, O_DIRECT when asked.
 * mpiio: MPI_File_open on MPI_COMM_WORLD (shared file) or MPI_COMM_SELF (file
 *        per process), explicit-offset I/O (MPI_File_write_at / read_at, or
 *        their _all collective forms), MPI_File_sync, MPI_File_close.
 *
 * Errors become one sentence in ior_ioerr: the call, the file, the offset
 * and the reason, so the run's error text says exactly what failed.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ior.h"

/* Linux moves at most this much in one read/write call. */
#define MAX_SYSCALL_BYTES 0x7ffff000ul

static int posix_fail(ior_ioerr *e, const char *call, const char *name, uint64_t off, int err)
{
    e->nospace = err == ENOSPC || err == EDQUOT;
    if (off == UINT64_MAX)
        snprintf(e->msg, sizeof e->msg, "%s('%s') failed: %s", call, name, strerror(err));
    else
        snprintf(e->msg, sizeof e->msg, "%s('%s') at offset %llu failed: %s", call, name,
                 (unsigned long long)off, strerror(err));
    return BX_EIO;
}

static int mpi_fail(ior_ioerr *e, const char *call, const char *name, uint64_t off, int rc)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0, cls = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error %d", rc);
    MPI_Error_class(rc, &cls);
    e->nospace = cls == MPI_ERR_NO_SPACE || cls == MPI_ERR_QUOTA;
    if (off == UINT64_MAX)
        snprintf(e->msg, sizeof e->msg, "%s('%s') failed: %s", call, name, text);
    else
        snprintf(e->msg, sizeof e->msg, "%s('%s') at offset %llu failed: %s", call, name,
                 (unsigned long long)off, text);
    return BX_EIO;
}

int ior_io_create(const ior_cfg *cfg, const char *name, ior_ioerr *e)
{
    (void)cfg;
    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        int err = errno;
        if (err == EEXIST) {
            snprintf(e->msg, sizeof e->msg,
                     "'%s' already exists and this run did not create it; ior writes only new "
                     "files and removes only its own (remove it, or choose another path)",
                     name);
            e->nospace = 0;
            return BX_EIO;
        }
        return posix_fail(e, "open", name, UINT64_MAX, err);
    }
    close(fd);
    return 0;
}

int ior_io_open(const ior_cfg *cfg, const char *name, int writing, ior_file *f, ior_ioerr *e)
{
    f->fd = -1;
    f->mpi = NULL;
    if (cfg->api == IOR_API_POSIX) {
        int flags = writing ? O_WRONLY : O_RDONLY; /* created by ior_io_create */
        if (cfg->direct)
            flags |= O_DIRECT;
        f->fd = open(name, flags | O_CLOEXEC, 0644);
        if (f->fd < 0)
            return posix_fail(e, "open", name, UINT64_MAX, errno);
        return 0;
    }
    MPI_File *fh = malloc(sizeof *fh);
    if (!fh) {
        snprintf(e->msg, sizeof e->msg, "out of memory opening '%s'", name);
        e->nospace = 0;
        return BX_ENOMEM;
    }
    MPI_Comm comm = cfg->file_per_process ? MPI_COMM_SELF : MPI_COMM_WORLD;
    int amode = writing ? MPI_MODE_WRONLY : MPI_MODE_RDONLY; /* created by ior_io_create */
    /* MPI_File_open takes a char * in MPI-2 headers: hand it a copy. */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", name);
    int rc = MPI_File_open(comm, path, amode, MPI_INFO_NULL, fh);
    if (rc != MPI_SUCCESS) {
        free(fh);
        return mpi_fail(e, "MPI_File_open", name, UINT64_MAX, rc);
    }
    /* Errors of this file come back as return codes, not an abort. */
    MPI_File_set_errhandler(*fh, MPI_ERRORS_RETURN);
    f->mpi = fh;
    return 0;
}

static int posix_xfer(int fd, const char *name, int writing, unsigned char *buf, size_t len,
                      uint64_t off, ior_ioerr *e)
{
    size_t done = 0;
    while (done < len) {
        size_t n = len - done;
        if (n > MAX_SYSCALL_BYTES)
            n = MAX_SYSCALL_BYTES;
        ssize_t got = writing ? pwrite(fd, buf + done, n, (off_t)(off + done))
                              : pread(fd, buf + done, n, (off_t)(off + done));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return posix_fail(e, writing ? "pwrite" : "pread", name, off + done, errno);
        }
        if (got == 0) { /* end of file while reading; a write of 0 bytes means no space */
            if (writing)
                return posix_fail(e, "pwrite", name, off + done, ENOSPC);
            snprintf(e->msg, sizeof e->msg,
                     "pread('%s') at offset %llu hit the end of the file: it is shorter than "
                     "this run's layout (block_size, segments, ranks)",
                     name, (unsigned long long)(off + done));
            e->nospace = 0;
            return BX_EIO;
        }
        done += (size_t)got;
    }
    return 0;
}

int ior_io_xfer(const ior_cfg *cfg, ior_file *f, const char *name, int writing, void *buf,
                size_t len, uint64_t off, ior_ioerr *e)
{
    if (cfg->api == IOR_API_POSIX)
        return posix_xfer(f->fd, name, writing, buf, len, off, e);

    MPI_File fh = *(MPI_File *)f->mpi;
    MPI_Status st;
    int rc, count = (int)len; /* transfer_size <= 1 GiB, checked */
    if (writing)
        rc = cfg->collective ? MPI_File_write_at_all(fh, (MPI_Offset)off, buf, count, MPI_BYTE, &st)
                             : MPI_File_write_at(fh, (MPI_Offset)off, buf, count, MPI_BYTE, &st);
    else
        rc = cfg->collective ? MPI_File_read_at_all(fh, (MPI_Offset)off, buf, count, MPI_BYTE, &st)
                             : MPI_File_read_at(fh, (MPI_Offset)off, buf, count, MPI_BYTE, &st);
    const char *call = writing ? (cfg->collective ? "MPI_File_write_at_all" : "MPI_File_write_at")
                               : (cfg->collective ? "MPI_File_read_at_all" : "MPI_File_read_at");
    if (rc != MPI_SUCCESS)
        return mpi_fail(e, call, name, off, rc);
    int moved = 0;
    MPI_Get_count(&st, MPI_BYTE, &moved);
    if (moved != count) {
        e->nospace = writing; /* a short write: the file system is full */
        snprintf(e->msg, sizeof e->msg, "%s('%s') at offset %llu moved %d of %d bytes%s", call,
                 name, (unsigned long long)off, moved, count,
                 writing ? " (no space left on device?)"
                         : ": the file is shorter than this run's layout (block_size, "
                           "segments, ranks)");
        return BX_EIO;
    }
    return 0;
}

int ior_io_sync(const ior_cfg *cfg, ior_file *f, const char *name, ior_ioerr *e)
{
    if (cfg->api == IOR_API_POSIX) {
        if (fsync(f->fd) != 0)
            return posix_fail(e, "fsync", name, UINT64_MAX, errno);
        return 0;
    }
    int rc = MPI_File_sync(*(MPI_File *)f->mpi);
    return rc == MPI_SUCCESS ? 0 : mpi_fail(e, "MPI_File_sync", name, UINT64_MAX, rc);
}

int ior_io_close(const ior_cfg *cfg, ior_file *f, const char *name, ior_ioerr *e)
{
    int ret = 0;
    if (f->fd >= 0) {
        if (close(f->fd) != 0)
            ret = posix_fail(e, "close", name, UINT64_MAX, errno);
        f->fd = -1;
    }
    if (f->mpi) {
        int rc = MPI_File_close((MPI_File *)f->mpi);
        if (rc != MPI_SUCCESS)
            ret = mpi_fail(e, "MPI_File_close", name, UINT64_MAX, rc);
        free(f->mpi);
        f->mpi = NULL;
    }
    (void)cfg;
    return ret;
}
