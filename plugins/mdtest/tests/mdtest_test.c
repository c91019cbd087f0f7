/*
 * mdtest_test.c — tests of the mdtest plugin on the mock host (several
 * ranks are threads of bx_mock_run_ranks, with real collectives).
 *
 *     mdtest_test GROUP...
 *
 *   badinput   every bad input refused by check(), nothing made
 *   run        1 and 3 ranks, shared and unique folders, written and read
 *              files: every phase's rate, one sample per repetition, and the
 *              folder `path` holds exactly what it held before (a file and a
 *              folder that were there are untouched)
 *   slowest    the phase time is the slowest rank's (a hook delays rank 1)
 *   exclusive  a file (and a folder) that appears where the run would make
 *              one is refused, not overwritten or removed; the run fails with
 *              its name and removes only its own items; a file changed behind
 *              the run's back fails the read check
 *
 * Files go to a fresh folder under $MDTEST_TEST_DIR (default /var/tmp).
 * Exit 0 passed, 1 failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/mock.h"
#include "mdtest.h"

static int g_failed = 0;
static char g_dir[PATH_MAX];

#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                   \
            fprintf(stderr, __VA_ARGS__);                                                     \
            fputc('\n', stderr);                                                              \
            g_failed = 1;                                                                     \
        }                                                                                     \
    } while (0)

/* A mock with path = the test folder and "name=value" settings (NULL-terminated). */
static bx_mock *mk(int nranks, unsigned reps, ...)
{
    bx_mock *m = bx_mock_new(benchaas_plugin_entry(bx_mock_host()));
    bx_mock_set_world(m, 0, nranks);
    bx_mock_set_repetitions(m, reps);
    bx_mock_set_verbose(m, getenv("MDTEST_TEST_VERBOSE") != NULL);
    bx_mock_set(m, "path", g_dir);
    va_list ap;
    va_start(ap, reps);
    int rc = bx_mock_vset(m, ap);
    va_end(ap);
    CHECK(rc == 0, "%s", bx_mock_error(m));
    return m;
}

/* The names in folder d, sorted and joined with spaces. */
static void listing(const char *d, char *out, size_t len)
{
    struct dirent **e;
    int n = scandir(d, &e, NULL, alphasort);
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(e[i]->d_name, ".") && strcmp(e[i]->d_name, "..") && used < len)
            used += (size_t)snprintf(out + used, len - used, "%s ", e[i]->d_name);
        free(e[i]);
    }
    free(e);
}

static void test_badinput(void)
{
    char p[PATH_MAX + 16];
    bx_mock *m = mk(1, 1, "files_only=true", "dirs_only=true", NULL);
    CHECK(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), "files_only"), "%s",
          bx_mock_error(m));
    bx_mock_free(m);
    m = mk(1, 1, "write_bytes=10", "read_bytes=11", NULL);
    CHECK(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), "read_bytes"), "%s",
          bx_mock_error(m));
    bx_mock_free(m);
    snprintf(p, sizeof p, "%s/nope", g_dir);
    m = mk(1, 1, NULL);
    bx_mock_set(m, "path", p);
    CHECK(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), "does not exist"), "%s",
          bx_mock_error(m));
    bx_mock_free(m);
    snprintf(p, sizeof p, "%s/afile", g_dir);
    close(open(p, O_CREAT | O_WRONLY, 0644));
    m = mk(1, 1, NULL);
    bx_mock_set(m, "path", p);
    CHECK(bx_mock_check(m) == BX_EINVAL && strstr(bx_mock_error(m), "not a folder"), "%s",
          bx_mock_error(m));
    bx_mock_free(m);
    unlink(p);
    m = mk(1, 1, NULL);
    CHECK(bx_mock_set(m, "items", "0") == BX_EINVAL, "items=0 accepted");
    bx_mock_free(m);
    char left[256];
    listing(g_dir, left, sizeof left);
    CHECK(left[0] == '\0', "refused runs left: %s", left);
}

static void one_run(int nranks, const char *unique, const char *wb, const char *rb)
{
    char before[512], after[512];
    listing(g_dir, before, sizeof before);
    bx_mock *m = mk(nranks, 2, "items=50", unique, wb, rb, NULL);
    int rc = nranks > 1 ? bx_mock_run_ranks(m, nranks) : bx_mock_run(m);
    CHECK(rc == 0, "%d ranks %s %s: %d %s", nranks, unique, wb, rc, bx_mock_error(m));
    for (int p = 0; p < P_COUNT && rc == 0; p++) {
        size_t n = 0;
        const double *v = bx_mock_samples(m, md_phase_name(p), &n);
        double best = 0;
        CHECK(n == 2 && v && v[0] > 0 && v[1] > 0, "%s: %zu samples", md_phase_name(p), n);
        CHECK(bx_mock_metric(m, md_phase_name(p), &best) == 0 && best > 0, "%s value",
              md_phase_name(p));
    }
    const char *folder = bx_mock_meta(m, "folder");
    CHECK(folder && strstr(folder, "/benchaas-mdtest."), "folder meta %s", folder ? folder : "-");
    bx_mock_free(m);
    listing(g_dir, after, sizeof after);
    CHECK(strcmp(before, after) == 0, "path held '%s', now '%s'", before, after);
}

static void test_run(void)
{
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/keep.txt", g_dir);
    FILE *f = fopen(p, "w");
    fputs("mine\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/keepdir", g_dir);
    mkdir(p, 0755);
    one_run(1, "unique_dir=false", "write_bytes=0", "read_bytes=0");
    one_run(3, "unique_dir=false", "write_bytes=100", "read_bytes=100");
    one_run(3, "unique_dir=true", "write_bytes=4k", "read_bytes=10");
    snprintf(p, sizeof p, "%s/keep.txt", g_dir);
    char buf[16] = "";
    f = fopen(p, "r");
    CHECK(f && fgets(buf, sizeof buf, f) && strcmp(buf, "mine\n") == 0, "keep.txt changed");
    if (f)
        fclose(f);
    unlink(p);
    snprintf(p, sizeof p, "%s/keepdir", g_dir);
    CHECK(rmdir(p) == 0, "keepdir: %s", strerror(errno));
}

/* The hook: before phase `g_phase`, put an item named g_name (a folder when g_isdir) where
 * rank 0 works, or (g_tamper) change file 2's first byte. */
static int g_phase, g_isdir, g_tamper;
static const char *g_name;
static char g_alien[PATH_MAX + 128];

static void before_phase(md_state *s, int p, unsigned rep)
{
    if (s->rank != 0 || p != g_phase || rep != 1)
        return;
    if (g_tamper) {
        snprintf(g_alien, sizeof g_alien, "%s/file.mdtest.0.2", s->mine);
        int fd = open(g_alien, O_WRONLY);
        CHECK(fd >= 0 && pwrite(fd, "X", 1, 0) == 1, "tamper %s", g_alien);
        close(fd);
        return;
    }
    snprintf(g_alien, sizeof g_alien, "%s/%s", s->mine, g_name);
    if (g_isdir)
        CHECK(mkdir(g_alien, 0700) == 0, "mkdir %s", g_alien);
    else {
        int fd = open(g_alien, O_CREAT | O_EXCL | O_WRONLY, 0600);
        CHECK(fd >= 0 && write(fd, "alien", 5) == 5, "create %s", g_alien);
        close(fd);
    }
}

/* A run with the hook set fails with `want`; afterwards only the alien item is left. */
static void alien_case(int nranks, const char *unique, const char *want)
{
    md_test_before_phase = before_phase;
    bx_mock *m = mk(nranks, 1, "items=20", unique, "write_bytes=8", "read_bytes=8", NULL);
    int rc = nranks > 1 ? bx_mock_run_ranks(m, nranks) : bx_mock_run(m);
    md_test_before_phase = NULL;
    CHECK(rc != 0 && strstr(bx_mock_error(m), want), "%s %s: rc %d '%s' lacks '%s'", g_name,
          unique, rc, bx_mock_error(m), want);
    bx_mock_free(m);
    char top[PATH_MAX], in[256];
    snprintf(top, sizeof top, "%s", g_alien);
    *strrchr(top, '/') = '\0'; /* the folder the alien is in */
    listing(top, in, sizeof in);
    char want_left[200];
    snprintf(want_left, sizeof want_left, "%s ", strrchr(g_alien, '/') + 1);
    CHECK(strcmp(in, want_left) == 0, "left in %s: '%s', want only '%s'", top, in, want_left);
    if (!g_isdir) {
        char buf[8] = "";
        int fd = open(g_alien, O_RDONLY);
        CHECK(fd >= 0 && read(fd, buf, 5) == 5 && memcmp(buf, "alien", 5) == 0,
              "the alien file was changed");
        close(fd);
        unlink(g_alien);
    } else
        rmdir(g_alien);
    /* the folders the run could not remove because of the alien */
    while (strcmp(top, g_dir) != 0 && rmdir(top) == 0)
        *strrchr(top, '/') = '\0';
    listing(g_dir, in, sizeof in);
    CHECK(in[0] == '\0', "left in the test folder: %s", in);
}

static void test_exclusive(void)
{
    g_tamper = 0;
    g_phase = P_FILE_CREATE, g_isdir = 0, g_name = "file.mdtest.0.5";
    alien_case(1, "unique_dir=false", "creating '");
    alien_case(1, "unique_dir=false", "file.mdtest.0.5' failed: File exists");
    alien_case(3, "unique_dir=true", "rank 0: creating '");
    g_phase = P_DIR_CREATE, g_isdir = 1, g_name = "dir.mdtest.0.3";
    alien_case(3, "unique_dir=false", "mkdir of '");
    /* a file changed between create and read: the read check fails the run */
    g_tamper = 1, g_phase = P_FILE_READ;
    md_test_before_phase = before_phase;
    bx_mock *m = mk(1, 1, "items=5", "write_bytes=8", "read_bytes=8", NULL);
    int rc = bx_mock_run(m);
    md_test_before_phase = NULL;
    CHECK(rc == BX_EFAILED && strstr(bx_mock_error(m), "file.mdtest.0.2' read back wrong"),
          "tamper: %d %s", rc, bx_mock_error(m));
    bx_mock_free(m);
    char in[256];
    listing(g_dir, in, sizeof in);
    CHECK(in[0] == '\0', "left after the tampered run: %s", in);
}

/* The hook of test_slowest: rank 1 takes 0.3 s longer over its stat phase; where it works. */
static char g_mine1[PATH_MAX];

static void slow_rank1(md_state *s, int p, unsigned rep)
{
    if (s->rank != 1 || p != P_FILE_STAT || rep != 1)
        return;
    snprintf(g_mine1, sizeof g_mine1, "%s", s->mine);
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL);
}

/* The phase time is the slowest rank's: rank 1's 0.3 s caps the rate of 2 x 50 stats. */
static void test_slowest(void)
{
    md_test_before_phase = slow_rank1;
    bx_mock *m = mk(2, 1, "items=50", "unique_dir=true", "files_only=true", NULL);
    int rc = bx_mock_run_ranks(m, 2);
    md_test_before_phase = NULL;
    CHECK(rc == 0, "run: %s", bx_mock_error(m));
    double stat = 0, create = 0;
    CHECK(bx_mock_metric(m, "file_stat", &stat) == 0 && stat > 0 && stat <= 100 / 0.3,
          "file_stat %g op/s: not the slowest rank's time (100 stats, >= 0.3 s)", stat);
    CHECK(bx_mock_metric(m, "file_create", &create) == 0 && create > 100 / 0.3,
          "file_create %g op/s: the delay leaked into another phase", create);
    CHECK(strstr(g_mine1, "/rank.1") != NULL, "unique_dir: rank 1 worked in '%s'", g_mine1);
    bx_mock_free(m);
}

int main(int argc, char **argv)
{
    const char *base = getenv("MDTEST_TEST_DIR");
    snprintf(g_dir, sizeof g_dir, "%s/benchaas-mdtest-test.XXXXXX", base ? base : "/var/tmp");
    if (!mkdtemp(g_dir)) {
        fprintf(stderr, "cannot make %s: %s\n", g_dir, strerror(errno));
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        printf("== %s\n", argv[i]);
        if (strcmp(argv[i], "badinput") == 0)
            test_badinput();
        else if (strcmp(argv[i], "run") == 0)
            test_run();
        else if (strcmp(argv[i], "exclusive") == 0)
            test_exclusive();
        else if (strcmp(argv[i], "slowest") == 0)
            test_slowest();
        else {
            fprintf(stderr, "unknown test group '%s'\n", argv[i]);
            g_failed = 1;
        }
    }
    if (rmdir(g_dir) != 0) {
        fprintf(stderr, "FAIL: the test folder %s is not empty\n", g_dir);
        g_failed = 1;
    }
    printf("%s\n", g_failed ? "FAILED" : "passed");
    return g_failed;
}
