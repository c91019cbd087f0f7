/* safefile.c — which files we may write and read (see safefile.h). */
#define _GNU_SOURCE
#include "safefile.h"

#include <elf.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stdio.h>

#include "benchaas/plugin.h" /* BX_E* */

/* Self-contained (no util.c): the store's unit tests link this file alone. */
static int errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

static void *xmem(void *p)
{
    if (!p) {
        fputs("benchaas: out of memory\n", stderr);
        abort();
    }
    return p;
}
#define xstrdup(s) ((char *)xmem(strdup(s)))
#define xrealloc(p, n) xmem(realloc((p), (n)))
static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return xmem(n < 0 ? NULL : s);
}

/* ---- paths --------------------------------------------------------------- */

/* realpath of path's folder + "/" + its last element (the element itself is
 * not resolved); NULL when the folder does not exist.  Caller frees. */
static char *canon_parent(const char *path)
{
    char *copy = xstrdup(path);
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    char *slash = strrchr(copy, '/');
    const char *dir = ".", *base = copy;
    if (slash) {
        *slash = '\0';
        dir = slash == copy ? "/" : copy;
        base = slash + 1;
    }
    char real[PATH_MAX];
    char *out = NULL;
    if (realpath(dir, real))
        out = xasprintf("%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
    free(copy);
    return out;
}

typedef struct protected_db {
    char *canon;    /* canonical path of the database (see canon_parent) */
    dev_t dev;      /* its inode, when it existed at the time */
    ino_t ino;
    int have_inode;
} protected_db;

static protected_db *g_dbs;
static size_t g_ndbs;

void safefile_protect_db(const char *db)
{
    if (!db || !*db)
        return;
    char *c = canon_parent(db);
    if (!c)
        return;
    for (size_t i = 0; i < g_ndbs; i++)
        if (strcmp(g_dbs[i].canon, c) == 0) {
            free(c);
            return;
        }
    g_dbs = xrealloc(g_dbs, (g_ndbs + 1) * sizeof *g_dbs);
    protected_db *p = &g_dbs[g_ndbs++];
    memset(p, 0, sizeof *p);
    p->canon = c;
    struct stat st;
    if (stat(db, &st) == 0) {
        p->dev = st.st_dev;
        p->ino = st.st_ino;
        p->have_inode = 1;
    }
}

/* The companion of database `db` that `canon` names, or NULL. */
static const char *companion_of(const char *db, const char *canon)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal", ".spool", NULL};
    size_t n = strlen(db);
    if (strncmp(canon, db, n) != 0)
        return NULL;
    for (const char *const *s = suffix; *s; s++) {
        size_t k = strlen(*s);
        if (strncmp(canon + n, *s, k) == 0 && (canon[n + k] == '\0' ||
                                               (strcmp(*s, ".spool") == 0 && canon[n + k] == '/')))
            return **s ? *s : "the database itself";
    }
    return NULL;
}

static const char *type_name(mode_t m)
{
    return S_ISDIR(m)    ? "a folder"
           : S_ISFIFO(m) ? "a FIFO (named pipe)"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
           : S_ISLNK(m)  ? "a symbolic link"
                         : "not a regular file";
}

int safefile_output_ok(const char *path, char *err, size_t errlen)
{
    if (!path || !*path)
        return errf(err, errlen, BX_EINVAL, "no output file name given");
    struct stat lst, st;
    int exists = lstat(path, &lst) == 0;
    if (exists && S_ISLNK(lst.st_mode))
        return errf(err, errlen, BX_EINVAL,
                    "'%s' is a symbolic link; refusing to replace it (give the real path, or "
                    "a new file name)",
                    path);
    if (exists && !S_ISREG(lst.st_mode))
        return errf(err, errlen, BX_EINVAL,
                    "'%s' is %s, not a regular file; refusing to write over it (give a new file "
                    "name)",
                    path, type_name(lst.st_mode));
    char *canon = canon_parent(path);
    int rc = 0;
    for (size_t i = 0; canon && i < g_ndbs && !rc; i++) {
        const char *c = companion_of(g_dbs[i].canon, canon);
        if (c && c[0] == 't')
            rc = errf(err, errlen, BX_EINVAL,
                      "'%s' is the database %s; refusing to write over it (give another file "
                      "name)",
                      path, g_dbs[i].canon);
        else if (c)
            rc = errf(err, errlen, BX_EINVAL,
                      "'%s' is the database's companion %s (%s%s); refusing to write over it "
                      "(give another file name)",
                      path, c, g_dbs[i].canon, c);
    }
    free(canon);
    if (rc || !exists)
        return rc;
    st = lst;
    for (size_t i = 0; i < g_ndbs; i++)
        if (g_dbs[i].have_inode && g_dbs[i].dev == st.st_dev && g_dbs[i].ino == st.st_ino)
            return errf(err, errlen, BX_EINVAL,
                        "'%s' is the database %s (another name of it); refusing to write over it",
                        path, g_dbs[i].canon);
    /* Any SQLite database, ours or not, is somebody's data: never an output. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        char h[16];
        ssize_t got = read(fd, h, sizeof h);
        close(fd);
        if (got == (ssize_t)sizeof h && memcmp(h, "SQLite format 3", 16) == 0)
            return errf(err, errlen, BX_EINVAL,
                        "'%s' is an SQLite database; refusing to write over it (give another "
                        "file name)",
                        path);
    }
    return 0;
}

/* ---- reading --------------------------------------------------------------- */

int safefile_open_read(const char *path, size_t cap, int *fd, char *err, size_t errlen)
{
    *fd = -1;
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (f < 0) {
        int e = errno;
        errf(err, errlen, BX_EIO, "cannot open %s: %s", path, strerror(e));
        errno = e;
        return BX_EIO;
    }
    struct stat st;
    if (fstat(f, &st) != 0) {
        int e = errno;
        close(f);
        return errf(err, errlen, BX_EIO, "cannot read %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        return errf(err, errlen, BX_EINVAL, "%s is %s, not a regular file; not read", path,
                    type_name(st.st_mode));
    }
    if ((size_t)st.st_size > cap) {
        close(f);
        return errf(err, errlen, BX_EINVAL, "%s is too large (%lld bytes, the limit is %zu)", path,
                    (long long)st.st_size, cap);
    }
    int fl = fcntl(f, F_GETFL);
    if (fl >= 0)
        fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
    *fd = f;
    return 0;
}

static int pread_all(int fd, void *buf, size_t n, off_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

#if defined(__x86_64__)
#define OUR_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define OUR_MACHINE EM_AARCH64
#elif defined(__powerpc64__)
#define OUR_MACHINE EM_PPC64
#elif defined(__riscv)
#define OUR_MACHINE EM_RISCV
#endif

int safefile_plugin_ok(const char *path, char *err, size_t errlen)
{
    int fd;
    int rc = safefile_open_read(path, (size_t)1 << 32, &fd, err, errlen);
    if (rc)
        return rc;
    struct stat st;
    fstat(fd, &st);
    uint64_t size = (uint64_t)st.st_size;
    Elf64_Ehdr h;
    const char *why = NULL;
    if (size < sizeof h || pread_all(fd, &h, sizeof h, 0) != 0)
        why = "too short for an ELF file (truncated?)";
    else if (memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
        why = "not an ELF file";
    else if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_ident[EI_DATA] != ELFDATA2LSB)
        why = "an ELF file of another kind of machine";
#ifdef OUR_MACHINE
    else if (h.e_machine != OUR_MACHINE)
        why = "an ELF file for another processor";
#endif
    else if (h.e_type != ET_DYN)
        why = "not a shared object";
    else if (h.e_phentsize != sizeof(Elf64_Phdr) || h.e_phnum == 0 ||
             h.e_phoff > size || (uint64_t)h.e_phnum * sizeof(Elf64_Phdr) > size - h.e_phoff)
        why = "its program headers lie outside the file (truncated?)";
    else if (h.e_shoff &&
             (h.e_shentsize != sizeof(Elf64_Shdr) || h.e_shoff > size ||
              (uint64_t)h.e_shnum * sizeof(Elf64_Shdr) > size - h.e_shoff))
        why = "its section headers lie outside the file (truncated?)";
    for (unsigned i = 0; !why && i < h.e_phnum; i++) {
        Elf64_Phdr ph;
        if (pread_all(fd, &ph, sizeof ph, (off_t)(h.e_phoff + (uint64_t)i * sizeof ph)) != 0)
            why = "cannot read its program headers";
        else if (ph.p_type == PT_LOAD && (ph.p_offset > size || ph.p_filesz > size - ph.p_offset))
            why = "a segment lies outside the file (truncated?)";
    }
    close(fd);
    if (why)
        return errf(err, errlen, BX_EINVAL, "%s: %s; not loaded", path, why);
    return 0;
}
