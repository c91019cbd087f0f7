/* fuzz_common.c — helpers shared by the fuzz targets (see fuzz_common.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fuzz_common.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

static char g_tmpdir[4096];

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path); /* go on after a failure: remove as much as can be removed */
    return 0;
}

static void remove_tmpdir(void)
{
    if (g_tmpdir[0])
        nftw(g_tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(const char *name)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/benchaas-fuzz-%s.XXXXXX", base, name);
    if (!mkdtemp(g_tmpdir))
        fuzz_fail(__FILE__, __LINE__, "mkdtemp");
    atexit(remove_tmpdir);
    return g_tmpdir;
}

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
    abort();
}

void fuzz_note(const char *what, const char *msg)
{
    static int verbose = -1;
    if (verbose < 0) {
        const char *v = getenv("FUZZ_VERBOSE");
        verbose = v && *v && strcmp(v, "0") != 0;
    }
    if (verbose)
        fprintf(stderr, "fuzz: %s%s%s\n", what, msg && *msg ? ": " : "", msg ? msg : "");
}

void fuzz_quiet_stdout(void)
{
    fflush(stdout);
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        close(fd);
    }
}

/*
 * cli.c defines default_db(); the targets link the core's library without
 * cli.c, so give objects that refer to it (collect.c) the same behaviour.
 * Weak: a definition in the library wins.
 */
const char *default_db(const char *given) __attribute__((weak));
const char *default_db(const char *given)
{
    if (given && *given)
        return given;
    const char *e = getenv("BENCHAAS_DB");
    return e && *e ? e : "benchaas.db";
}
