/*
 * ior_test.c — tests of the ior plugin on the mock host.
 *
 *     ior_test GROUP...        (under mpirun -np N for every group but badinput)
 *
 * Groups:
 *   badinput  every bad input refused by check() with what was wrong (no MPI)
 *   io        both APIs, shared file and file per process, IOR's layout, samples
 *   verify    a corrupted byte is caught (hook between phases, and kept files)
 *   reorder   reads of another rank's data, verified
 *   readonly  phases=read of kept files; cleanup after a failed read
 *   direct    O_DIRECT (skipped when the test folder's file system lacks it)
 *   fullfs    a 4 MiB tmpfs: free-space refusal, a disk that fills up, read-only
 *             (root only; skipped otherwise)
 *
 * Files go to a fresh folder under $IOR_TEST_DIR (default /var/tmp, a real
 * disk, so O_DIRECT works), which every case checks is empty afterwards.
 * Exit 0 passed, 1 failed, 77 skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/mock.h"
#include "ior.h"

const bx_plugin *benchaas_plugin_entry(const bx_host *host);

static int g_rank = 0, g_size = 1, g_mpi = 0, g_failed = 0;
static char g_dir[PATH_MAX];

#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "FAIL rank %d %s:%d: %s: ", g_rank, __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                                     \
            fputc('\n', stderr);                                                              \
            g_failed = 1;                                                                     \
        }                                                                                     \
    } while (0)

static void barrier(void)
{
    if (g_mpi)
        MPI_Barrier(MPI_COMM_WORLD);
}

/* A mock with the world of this process and the given "name=value" settings. */
static bx_mock *mk(unsigned reps, ...)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_world(m, g_rank, g_size);
    bx_mock_set_repetitions(m, reps);
    bx_mock_set_verbose(m, getenv("IOR_TEST_VERBOSE") != NULL);
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/f", g_dir);
    bx_mock_set(m, "path", path);
    va_list ap;
    va_start(ap, reps);
    int rc = bx_mock_vset(m, ap);
    va_end(ap);
    CHECK(rc == 0, "%s", bx_mock_error(m));
    return m;
}

/* Entries of a folder, "." and ".." aside. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void expect_empty(const char *what)
{
    barrier();
    if (g_rank == 0) {
        int n = entries(g_dir);
        CHECK(n == 0, "%s: %d file(s) left in %s", what, n, g_dir);
    }
    barrier();
}

static void remove_all(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char p[PATH_MAX + 300];
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
}

static double metric(bx_mock *m, const char *name)
{
    double v = -1;
    bx_mock_metric(m, name, &v);
    return v;
}

/* Rank 0: remove the test folder (idempotent). */
static void cleanup(void)
{
    if (g_rank == 0 && g_dir[0]) {
        remove_all(g_dir);
        rmdir(g_dir);
    }
}

/* ---- badinput --------------------------------------------------------- */

/* check() of a mock must refuse with BX_EINVAL and a message containing `want`. */
static void refuse(bx_mock *m, const char *want, const char *what)
{
    int rc = bx_mock_check(m);
    CHECK(rc == BX_EINVAL, "%s: check returned %d, expected BX_EINVAL", what, rc);
    CHECK(strstr(bx_mock_error(m), want) != NULL, "%s: message '%s' lacks '%s'", what,
          bx_mock_error(m), want);
    bx_mock_free(m);
}

/* Setting the value must already fail (type, range, choices), as the runner does. */
static void refuse_set(const char *name, const char *value, const char *want)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    int rc = bx_mock_set(m, name, value);
    CHECK(rc == BX_EINVAL, "%s=%s accepted", name, value);
    CHECK(strstr(bx_mock_error(m), want) != NULL, "%s=%s: message '%s' lacks '%s'", name, value,
          bx_mock_error(m), want);
    bx_mock_free(m);
}

/* check() as user `nobody` on a root-owned 0755 folder: not writable. */
static void not_writable(void)
{
    char sub[PATH_MAX + 8], path[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/ro", g_dir);
    snprintf(path, sizeof path, "%s/f", sub);
    mkdir(sub, 0755);
    if (geteuid() != 0) {
        chmod(sub, 0555);
        bx_mock *m = mk(1, NULL);
        bx_mock_set(m, "path", path);
        refuse(m, "is not writable", "0555 folder");
    } else {
        chmod(g_dir, 0755); /* mkdtemp made it 0700: let nobody reach ro/ */
        pid_t pid = fork();
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0)
                _exit(3);
            bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
            bx_mock_set(m, "path", path);
            int rc = bx_mock_check(m);
            int ok = rc == BX_EINVAL && strstr(bx_mock_error(m), "is not writable");
            if (!ok)
                fprintf(stderr, "as nobody: rc %d, '%s'\n", rc, bx_mock_error(m));
            _exit(ok ? 0 : 1);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
            printf("note: could not become nobody; not-writable case skipped\n");
        else
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "not-writable folder accepted");
    }
    chmod(g_dir, 0700);
    chmod(sub, 0755);
    rmdir(sub);
}

static void test_badinput(void)
{
    refuse(mk(1, "transfer_size=2m", "block_size=1m", NULL), "larger than block_size",
           "transfer > block");
    refuse(mk(1, "block_size=3m", "transfer_size=2m", NULL), "not a multiple of transfer_size",
           "block % transfer");
    refuse(mk(1, "block_size=1m", "transfer_size=12", NULL), "multiple of 8", "transfer % 8");
    refuse_set("block_size", "0", "out of range");
    refuse_set("transfer_size", "0", "out of range");
    refuse_set("segments", "0", "out of range");
    refuse_set("api", "hdf5", "posix");
    refuse_set("phases", "append", "write");
    refuse_set("block_size", "lots", "size");
    refuse_set("blocksize", "1m", "did you mean 'block_size'");
    refuse(mk(1, "api=mpiio", "direct=true", NULL), "api=posix only", "direct + mpiio");

    bx_mock *m = mk(1, NULL);
    bx_mock_set(m, "path", "/nonexistent-benchaas-folder/sub/f");
    refuse(m, "does not exist", "missing folder");
    m = mk(1, NULL);
    bx_mock_set(m, "path", "/etc/hostname/f");
    refuse(m, "is not a folder", "file as folder");
    not_writable();

    /* 4 ranks x 1e6 segments x 1 GiB: about 3.8 PiB, more than any test disk */
    m = mk(1, "block_size=1g", "transfer_size=1m", "segments=1000000", NULL);
    bx_mock_set_world(m, 0, 4);
    refuse(m, "not enough free space", "free space");
    m = mk(1, "block_size=1g", "transfer_size=1m", "segments=1000000", NULL);
    bx_mock_check(m);
    CHECK(strstr(bx_mock_error(m), "PiB") || strstr(bx_mock_error(m), "TiB"),
          "free-space message does not say how much: %s", bx_mock_error(m));
    CHECK(strstr(bx_mock_error(m), "free"), "free-space message: %s", bx_mock_error(m));
    bx_mock_free(m);

    /* phases=read needs the kept files, whole */
    refuse(mk(1, "phases=read", NULL), "does not exist", "read without files");
    char f[PATH_MAX + 8];
    snprintf(f, sizeof f, "%s/f", g_dir);
    int fd = open(f, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0 && ftruncate(fd, 1000) == 0, "making a short file");
    close(fd);
    refuse(mk(1, "phases=read", NULL), "holds 1000 B", "short kept file");
    refuse(mk(1, "phases=read", "file_per_process=true", NULL), "f.00000000",
           "read without per-rank files");
    /* large enough, but not ior's data: neither read nor (later) removed */
    CHECK(truncate(f, 64 << 20) == 0, "making a large file");
    refuse(mk(1, "phases=read", NULL), "not written by the ior plugin", "foreign kept file");
    /* a write run never overwrites or removes a file that is there */
    refuse(mk(1, NULL), "already exists", "write over an existing file");
    unlink(f);

    /* O_DIRECT alignment: 4104 bytes is a multiple of 8 but of no block size */
    m = mk(1, "direct=true", "block_size=4104", "transfer_size=4104", NULL);
    int rc = bx_mock_check(m);
    if (rc == BX_EINVAL && strstr(bx_mock_error(m), "does not support O_DIRECT")) {
        printf("note: %s; O_DIRECT alignment case skipped\n", bx_mock_error(m));
        bx_mock_free(m);
    } else {
        CHECK(rc == BX_EINVAL && strstr(bx_mock_error(m), "logical block size"),
              "unaligned direct: rc %d '%s'", rc, bx_mock_error(m));
        bx_mock_free(m);
        m = mk(1, "direct=true", "block_size=1m", "transfer_size=64k", NULL);
        CHECK(bx_mock_check(m) == 0, "aligned direct refused: %s", bx_mock_error(m));
        bx_mock_free(m);
    }

    /* an existing folder as path gets the default file name inside it */
    m = mk(1, NULL);
    bx_mock_set(m, "path", g_dir);
    CHECK(bx_mock_check(m) == 0, "folder as path: %s", bx_mock_error(m));
    bx_mock_free(m);
    expect_empty("badinput (check() must not leave files)");
}

/* ---- io ---------------------------------------------------------------- */

static void io_case(const char *api, const char *fpp, const char *coll)
{
    char a[32], b[40], c[40];
    snprintf(a, sizeof a, "api=%s", api);
    snprintf(b, sizeof b, "file_per_process=%s", fpp);
    snprintf(c, sizeof c, "collective=%s", coll);
    unsigned reps = 2;
    bx_mock *m = mk(reps, a, b, c, "block_size=256k", "transfer_size=64k", "segments=2",
                    "verify=true", NULL);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "%s %s %s: rc %d: %s", api, b, c, rc, bx_mock_error(m));
    const char *ms[] = {"write_bw", "read_bw", "write_iops", "read_iops", "write_open_time",
                        "write_transfer_time", "write_close_time", "read_open_time",
                        "read_transfer_time", "read_close_time"};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) {
        size_t n = 0;
        const double *v = bx_mock_samples(m, ms[i], &n);
        CHECK(n == reps, "%s %s: %zu samples of %s, expected %u", api, b, n, ms[i], reps);
        for (size_t k = 0; v && k < n; k++)
            CHECK(v[k] >= 0 && (strstr(ms[i], "time") || v[k] > 0), "%s = %g", ms[i], v[k]);
    }
    CHECK(metric(m, "verified") == 1, "%s %s %s: verified %g", api, b, c, metric(m, "verified"));
    /* bandwidth = iops x transfer_size */
    double bw = metric(m, "write_bw"), iops = metric(m, "write_iops");
    CHECK(bw > 0 && iops > 0 && iops * 65536 / 1048576 / bw > 0.999 &&
              iops * 65536 / 1048576 / bw < 1.001,
          "write_bw %g inconsistent with write_iops %g", bw, iops);
    char want[32];
    snprintf(want, sizeof want, "%d", g_size * 2 * 256 * 1024);
    const char *agg = bx_mock_meta(m, "aggregate_bytes");
    CHECK(agg && strcmp(agg, want) == 0, "aggregate_bytes %s, expected %s", agg ? agg : "-",
          want);
    bx_mock_free(m);
    expect_empty("io case (files must be removed)");
}

/* keep=true: the files are there, as IOR lays them out. */
static void layout_case(int fpp)
{
    bx_mock *m = mk(1, "block_size=64k", "transfer_size=16k", "segments=3", "keep=true",
                    fpp ? "file_per_process=true" : "file_per_process=false", NULL);
    int rc = bx_mock_run(m);
    CHECK(rc == 0, "keep run: %s", bx_mock_error(m));
    barrier();
    if (g_rank == 0) {
        const uint64_t bs = 65536;
        for (int r = 0; r < g_size; r++)
            for (uint64_t seg = 0; seg < 3; seg++) {
                char name[PATH_MAX + 16];
                uint64_t off = fpp ? seg * bs : (seg * (uint64_t)g_size + (uint64_t)r) * bs;
                if (fpp)
                    snprintf(name, sizeof name, "%s/f.%08d", g_dir, r);
                else
                    snprintf(name, sizeof name, "%s/f", g_dir);
                int fd = open(name, O_RDONLY);
                CHECK(fd >= 0, "kept file %s missing", name);
                unsigned char buf[16];
                unsigned rep = 99;
                CHECK(pread(fd, buf, 16, (off_t)off) == 16, "short %s", name);
                CHECK(ior_pattern_rep(buf, 16, r, &rep) == 0 && rep == 1,
                      "%s offset %llu: not rank %d's segment %llu", name,
                      (unsigned long long)off, r, (unsigned long long)seg);
                struct stat st;
                fstat(fd, &st);
                uint64_t size = fpp ? 3 * bs : 3 * bs * (uint64_t)g_size;
                CHECK((uint64_t)st.st_size == size, "%s is %lld bytes, expected %llu", name,
                      (long long)st.st_size, (unsigned long long)size);
                close(fd);
            }
        CHECK(entries(g_dir) == (fpp ? g_size : 1), "%d files kept", entries(g_dir));
        remove_all(g_dir);
    }
    bx_mock_free(m);
    barrier();
}

static void test_io(void)
{
    io_case("posix", "false", "false");
    io_case("posix", "true", "false");
    io_case("mpiio", "false", "false");
    io_case("mpiio", "false", "true");
    io_case("mpiio", "true", "false");
    io_case("mpiio", "true", "true");
    layout_case(0);
    layout_case(1);
}

/* ---- verify ------------------------------------------------------------- */

static uint64_t g_corrupt_at;

/* Between the phases: rank 0 flips one byte of rank 0's file. */
static void corrupt_hook(const char *file0, int rank, unsigned rep)
{
    if (rank != 0 || rep != 1)
        return;
    int fd = open(file0, O_RDWR);
    unsigned char c = 0;
    CHECK(fd >= 0 && pread(fd, &c, 1, (off_t)g_corrupt_at) == 1, "reading %s", file0);
    c ^= 0x20;
    CHECK(pwrite(fd, &c, 1, (off_t)g_corrupt_at) == 1, "corrupting %s", file0);
    close(fd);
}

static void verify_case(const char *api, const char *fpp, uint64_t at)
{
    char a[32], b[40], want[64];
    snprintf(a, sizeof a, "api=%s", api);
    snprintf(b, sizeof b, "file_per_process=%s", fpp);
    g_corrupt_at = at;
    ior_test_between_phases = corrupt_hook;
    bx_mock *m = mk(2, a, b, "block_size=128k", "transfer_size=32k", "segments=2",
                    "verify=true", NULL);
    int rc = bx_mock_run(m);
    ior_test_between_phases = NULL;
    CHECK(rc == BX_EFAILED, "%s %s: corrupted byte not caught (rc %d)", api, b, rc);
    CHECK(metric(m, "verified") == 0, "verified = %g", metric(m, "verified"));
    snprintf(want, sizeof want, "offset %llu ", (unsigned long long)at);
    CHECK(strstr(bx_mock_error(m), want) && strstr(bx_mock_error(m), "1 bad byte in all"),
          "%s %s: message '%s' lacks '%s'", api, b, bx_mock_error(m), want);
    bx_mock_free(m);
    expect_empty("failed verification (files must be removed)");
}

static void test_verify(void)
{
    /* in rank 0's second segment, past the stamps of a 512-byte stretch */
    uint64_t shared = (uint64_t)g_size * 128 * 1024 + 3 * 32768 + 777;
    verify_case("posix", "false", shared);
    verify_case("mpiio", "false", shared);
    verify_case("posix", "true", 128 * 1024 + 3);
    verify_case("mpiio", "true", 8); /* the (rank, repetition) word of the first stamp */

    /* kept files: write, corrupt, then a read-only run catches it */
    bx_mock *m = mk(1, "phases=write", "keep=true", "block_size=64k", "transfer_size=8k", NULL);
    CHECK(bx_mock_run(m) == 0, "write keep: %s", bx_mock_error(m));
    bx_mock_free(m);
    barrier();
    g_corrupt_at = 4000;
    if (g_rank == 0) {
        char f[PATH_MAX + 8];
        snprintf(f, sizeof f, "%s/f", g_dir);
        corrupt_hook(f, 0, 1);
    }
    barrier();
    m = mk(1, "phases=read", "verify=true", "block_size=64k", "transfer_size=8k", NULL);
    CHECK(bx_mock_run(m) == BX_EFAILED, "corruption in a kept file not caught");
    CHECK(strstr(bx_mock_error(m), "offset 4000 "), "message: %s", bx_mock_error(m));
    bx_mock_free(m);
    expect_empty("read-only run without keep removes the files");
}

/* ---- reorder ----------------------------------------------------------- */

static void test_reorder(void)
{
    for (int fpp = 0; fpp < 2; fpp++)
        for (int api = 0; api < 2; api++) {
            bx_mock *m = mk(1, api ? "api=mpiio" : "api=posix", "reorder=true", "verify=true",
                            fpp ? "file_per_process=true" : "file_per_process=false",
                            "block_size=128k", "transfer_size=32k", "segments=2", NULL);
            int rc = bx_mock_run(m);
            CHECK(rc == 0, "reorder: %s", bx_mock_error(m));
            CHECK(metric(m, "verified") == 1, "reorder verified %g", metric(m, "verified"));
            const char *shift = bx_mock_meta(m, "reorder_shift");
            CHECK(shift && atoi(shift) == (g_size > 1 ? 1 : 0), "reorder_shift %s with %d ranks",
                  shift ? shift : "-", g_size);
            if (g_size == 1) {
                const char *w = NULL;
                bx_mock_warnings(m, &w);
                CHECK(w && strstr(w, "reorder"), "no warning about reorder with one rank");
            }
            bx_mock_free(m);
            expect_empty("reorder");
        }
    if (g_size < 2)
        return;
    /* who reads what: a byte of rank 1's block is read back (and caught) by rank 0 */
    g_corrupt_at = 128 * 1024 + 100; /* shared file: rank 1's first block */
    ior_test_between_phases = corrupt_hook;
    bx_mock *m = mk(1, "reorder=true", "verify=true", "block_size=128k", "transfer_size=32k",
                    "segments=2", NULL);
    CHECK(bx_mock_run(m) == BX_EFAILED, "reorder: corruption not caught");
    CHECK(strstr(bx_mock_error(m), "written by rank 1, read back by rank 0"),
          "reorder: rank 0 did not read rank 1's data: %s", bx_mock_error(m));
    ior_test_between_phases = NULL;
    bx_mock_free(m);
    expect_empty("reorder after failed verification");
}

/* ---- readonly / cleanup after failure ------------------------------------ */

static void truncate_hook(const char *file0, int rank, unsigned rep)
{
    (void)rep;
    if (rank == 0)
        CHECK(truncate(file0, 4096) == 0, "truncating %s", file0);
}

static void test_readonly(void)
{
    /* write two repetitions, keep; read them back verified (the repetition comes from the data) */
    bx_mock *m = mk(2, "phases=write", "keep=true", "file_per_process=true",
                    "block_size=128k", "transfer_size=16k", "verify=true", NULL);
    CHECK(bx_mock_run(m) == 0, "write keep: %s", bx_mock_error(m));
    CHECK(bx_mock_samples(m, "read_bw", &(size_t){0}) == NULL, "write-only run read");
    bx_mock_free(m);
    m = mk(3, "phases=read", "keep=true", "file_per_process=true", "block_size=128k",
           "transfer_size=16k", "verify=true", NULL);
    CHECK(bx_mock_run(m) == 0, "read kept: %s", bx_mock_error(m));
    size_t n = 0;
    bx_mock_samples(m, "read_bw", &n);
    CHECK(n == 3 && metric(m, "verified") == 1, "read kept: %zu samples, verified %g", n,
          metric(m, "verified"));
    CHECK(bx_mock_samples(m, "write_bw", &(size_t){0}) == NULL, "read-only run wrote");
    bx_mock_free(m);
    barrier();
    if (g_rank == 0)
        CHECK(entries(g_dir) == g_size, "keep=true read run removed files");
    barrier();
    m = mk(2, "phases=read", "file_per_process=true", "block_size=128k", "transfer_size=16k",
           NULL);
    CHECK(bx_mock_run(m) == 0, "read kept: %s", bx_mock_error(m));
    bx_mock_free(m);
    expect_empty("read-only run without keep removes the files after its last repetition");

    /* a failure mid-run (file truncated before the read phase): failed, said why, cleaned */
    ior_test_between_phases = truncate_hook;
    m = mk(1, "block_size=64k", "transfer_size=16k", NULL);
    int rc = bx_mock_run(m);
    ior_test_between_phases = NULL;
    CHECK(rc == BX_EIO, "truncated file: rc %d", rc);
    CHECK(strstr(bx_mock_error(m), "end of the file") && strstr(bx_mock_error(m), "removed"),
          "message: %s", bx_mock_error(m));
    bx_mock_free(m);
    expect_empty("failed run (files must be removed)");
}

/* ---- direct -------------------------------------------------------------- */

static int test_direct(void)
{
    bx_mock *m = mk(2, "direct=true", "block_size=256k", "transfer_size=64k", "segments=2",
                    "verify=true", "reorder=true", NULL);
    int rc = bx_mock_check(m);
    if (rc == BX_EINVAL && strstr(bx_mock_error(m), "O_DIRECT")) {
        if (g_rank == 0)
            printf("SKIP: %s (set IOR_TEST_DIR to a folder on a disk)\n", bx_mock_error(m));
        bx_mock_free(m);
        return 77;
    }
    rc = bx_mock_run(m);
    CHECK(rc == 0, "direct: %s", bx_mock_error(m));
    CHECK(metric(m, "verified") == 1 && metric(m, "read_bw") > 0, "direct verified %g",
          metric(m, "verified"));
    bx_mock_free(m);
    expect_empty("direct");

    /* buffered write kept, then O_DIRECT reads of it (the cold-read recipe) */
    m = mk(1, "phases=write", "keep=true", "block_size=256k", "transfer_size=64k", NULL);
    CHECK(bx_mock_run(m) == 0, "write: %s", bx_mock_error(m));
    bx_mock_free(m);
    m = mk(1, "phases=read", "direct=true", "verify=true", "block_size=256k",
           "transfer_size=64k", NULL);
    CHECK(bx_mock_run(m) == 0 && metric(m, "verified") == 1, "direct read: %s",
          bx_mock_error(m));
    bx_mock_free(m);
    expect_empty("direct read");
    return 0;
}

/* ---- timing -------------------------------------------------------------- */

static double g_nap_fsync, g_nap_close;

static void nap(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void timed_hook(const char *what, int rank)
{
    (void)rank;
    if (strcmp(what, "fsync") == 0)
        nap(g_nap_fsync);
    else if (strcmp(what, "write close") == 0)
        nap(g_nap_close);
}

/* The write phase's interval holds open, every transfer, fsync and close; a removal's
 * settle before it is not in it. */
static void test_timing(void)
{
    const double fs = 0.15, cl = 0.1;
    g_nap_fsync = fs;
    g_nap_close = cl;
    ior_test_in_timed = timed_hook;
    bx_mock *m = mk(1, "phases=write", "block_size=256k", "transfer_size=64k", NULL);
    CHECK(bx_mock_run(m) == 0, "timing: %s", bx_mock_error(m));
    double bytes = 256.0 * 1024 * g_size;
    double xfer = metric(m, "write_transfer_time"), close_t = metric(m, "write_close_time");
    double bw = metric(m, "write_bw");
    CHECK(xfer >= fs, "write_transfer_time %g does not hold the fsync (%g s in it)", xfer, fs);
    CHECK(close_t >= cl, "write_close_time %g does not hold the close (%g s in it)", close_t, cl);
    CHECK(bw > 0 && bw <= bytes / (fs + cl) / 1048576.0,
          "write_bw %g MiB/s: more than %g bytes in %g s (fsync + close left out?)", bw, bytes,
          fs + cl);
    bx_mock_free(m);
    ior_test_in_timed = NULL;
    expect_empty("timing");

    /* A repetition after a large removal waits, untimed, until the removal is settle_s old. */
    const double st = 0.5;
    ior_test_settle_bytes = 1;
    ior_test_settle_s = st;
    m = mk(2, "phases=write", "block_size=256k", "transfer_size=64k", NULL);
    double t0 = bx_now();
    CHECK(bx_mock_run(m) == 0, "settle: %s", bx_mock_error(m));
    double took = bx_now() - t0;
    CHECK(took >= st, "two repetitions took %g s: the second did not wait %g s", took, st);
    size_t n = 0;
    const double *v = bx_mock_samples(m, "write_bw", &n);
    CHECK(n == 2, "%zu write_bw samples", n);
    for (size_t k = 0; v && k < n; k++)
        CHECK(v[k] > bytes / st / 1048576.0, "repetition %zu: write_bw %g MiB/s counts the settle",
              k + 1, v[k]);
    bx_mock_free(m);
    ior_test_settle_bytes = IOR_SETTLE_BYTES;
    ior_test_settle_s = IOR_SETTLE_S;
    expect_empty("settle");
}

/* ---- fullfs -------------------------------------------------------------- */

static int test_fullfs(void)
{
    char mnt[PATH_MAX + 8], saved[PATH_MAX];
    snprintf(mnt, sizeof mnt, "%s/mnt", g_dir);
    int ok = 1;
    if (g_rank == 0) {
        if (geteuid() != 0) {
            printf("SKIP: the full file system test mounts a 4 MiB tmpfs and needs root\n");
            ok = 0;
        } else if (mkdir(mnt, 0755) != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=4m") != 0) {
            printf("SKIP: cannot mount a tmpfs on %s (%s)\n", mnt, strerror(errno));
            rmdir(mnt);
            ok = 0;
        }
    }
    if (g_mpi)
        MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!ok)
        return 77;
    memcpy(saved, g_dir, sizeof saved);
    snprintf(g_dir, sizeof g_dir, "%s", mnt);

    /* 8 MiB do not fit in 4 MiB: refused, saying how much is needed and free */
    bx_mock *m = mk(1, "block_size=8m", NULL);
    int rc = bx_mock_check(m);
    CHECK(rc == BX_EINVAL && strstr(bx_mock_error(m), "writes 8 MiB") &&
              strstr(bx_mock_error(m), "4 MiB is free"),
          "full: rc %d '%s'", rc, bx_mock_error(m));
    bx_mock_free(m);

    /* it fits when checked; something else then fills the disk; the write fails */
    for (int api = 0; api < 2; api++) {
        m = mk(1, api ? "api=mpiio" : "api=posix", "block_size=2m", "transfer_size=256k", NULL);
        CHECK(bx_mock_check(m) == 0, "2 MiB refused: %s", bx_mock_error(m));
        barrier();
        char filler[PATH_MAX + 16];
        snprintf(filler, sizeof filler, "%s/filler", g_dir);
        if (g_rank == 0) {
            int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            static char zeros[1 << 20];
            for (int i = 0; i < 3; i++)
                CHECK(write(fd, zeros, sizeof zeros) == (ssize_t)sizeof zeros, "filler");
            close(fd);
        }
        barrier();
        void *st = NULL;
        rc = bx_mock_init(m, &st);
        CHECK(rc == 0, "init: %s", bx_mock_error(m));
        if (rc == 0) {
            rc = bx_mock_run_rep(m, st, 1);
            bx_mock_fini(m, st);
        }
        if (getenv("IOR_TEST_VERBOSE"))
            printf("disk full, api %d: %s\n", api, bx_mock_error(m));
        CHECK(rc == BX_EIO && strstr(bx_mock_error(m), "filled up") &&
                  strstr(bx_mock_error(m), "files were removed"),
              "api %d: disk full not reported: rc %d '%s'", api, rc, bx_mock_error(m));
        bx_mock_free(m);
        barrier();
        if (g_rank == 0) {
            unlink(filler);
            CHECK(entries(g_dir) == 0, "files left on the full disk: %d", entries(g_dir));
        }
        barrier();
    }

    /* a read-only file system */
    if (g_rank == 0 && mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0) {
        m = mk(1, NULL);
        bx_mock_set_world(m, 0, 1);
        refuse(m, "read-only file system", "read-only mount");
    }
    if (g_rank == 0)
        CHECK(umount2(mnt, MNT_DETACH) == 0 && rmdir(mnt) == 0, "unmounting %s", mnt);
    memcpy(g_dir, saved, sizeof saved);
    return 0;
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    int need_mpi = 0;
    for (int i = 1; i < argc; i++)
        need_mpi |= strcmp(argv[i], "badinput") != 0;
    if (need_mpi) {
        int provided;
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &g_size);
        g_mpi = 1;
    }
    if (g_rank == 0) {
        const char *base = getenv("IOR_TEST_DIR");
        snprintf(g_dir, sizeof g_dir, "%s/benchaas-ior-test.XXXXXX", base ? base : "/var/tmp");
        if (mkdtemp(g_dir))
            atexit(cleanup); /* also on an early exit */
        else {
            fprintf(stderr, "cannot make a test folder %s: %s\n", g_dir, strerror(errno));
            g_dir[0] = '\0';
        }
    }
    if (g_mpi)
        MPI_Bcast(g_dir, sizeof g_dir, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (!g_dir[0]) {
        if (g_mpi)
            MPI_Finalize();
        return 1;
    }

    int skipped = 0, ran = 0;
    for (int i = 1; i < argc; i++) {
        const char *g = argv[i];
        if (g_rank == 0)
            printf("== %s (%d rank%s)\n", g, g_size, g_size == 1 ? "" : "s");
        if (strcmp(g, "badinput") == 0)
            test_badinput(), ran++;
        else if (strcmp(g, "io") == 0)
            test_io(), ran++;
        else if (strcmp(g, "verify") == 0)
            test_verify(), ran++;
        else if (strcmp(g, "reorder") == 0)
            test_reorder(), ran++;
        else if (strcmp(g, "readonly") == 0)
            test_readonly(), ran++;
        else if (strcmp(g, "direct") == 0)
            test_direct() == 77 ? skipped++ : ran++;
        else if (strcmp(g, "timing") == 0)
            test_timing(), ran++;
        else if (strcmp(g, "fullfs") == 0)
            test_fullfs() == 77 ? skipped++ : ran++;
        else {
            fprintf(stderr, "unknown test group '%s'\n", g);
            g_failed = 1;
        }
    }

    int failed = g_failed;
    if (g_mpi)
        MPI_Allreduce(&g_failed, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (g_rank == 0) {
        cleanup();
        printf("%s\n", failed ? "FAILED" : ran == 0 && skipped ? "SKIPPED" : "passed");
    }
    if (g_mpi) {
        MPI_Barrier(MPI_COMM_WORLD); /* no rank exits (and gets rank 0 killed) before that */
        MPI_Finalize();
    }
    return failed ? 1 : (ran == 0 && skipped ? 77 : 0);
}
