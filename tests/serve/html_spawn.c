/*
 * html_spawn.c — `serve_units NAME`: unit tests of core/serve/html.c (the pages'
 * escaping formatter and tables) and core/runner/spawn.c (the one spawner), each a
 * ctest serve.html.NAME or runner.spawn.NAME (the TESTS table below).
 *
 *   html_escapes    htmlf's %s escapes & < > " and %U percent-encodes; fails when %s
 *                   writes its argument as it is (the formatter stops escaping).
 *   html_table      a table from column descriptions: the head row, the id, the end;
 *                   fails when html_table_begin drops a column or its scope.
 *   spawn_capture   stdout and stderr captured apart, the exit code kept; fails when the
 *                   streams are swapped or the exit code lost.
 *   spawn_missing   a program that is not there: an error, not a child exiting 127;
 *                   fails when exec failure is reported as a run.
 *   spawn_deadline  a helper past its deadline is stopped and said so; fails when the
 *                   deadline is ignored (the test then hangs until ctest's timeout).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bx_test.h"
#include "html.h"
#include "spawn.h"
#include "util.h"

static char *render(void (*fn)(FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f);
    fclose(f);
    return buf;
}

static void escapes(FILE *f)
{
    htmlf(f, "<td title=\"%s\">%s</td><a href=\"/x/%U\">%d %lld %zu %.2f %%</a>%H",
          "a\"b", "<script>&", "a b/c", -3, 1234567890123LL, (size_t)7, 2.5, "<br>");
}

static int test_html_escapes(void)
{
    char *got = render(escapes);
    const char *want = "<td title=\"a&quot;b\">&lt;script&gt;&amp;</td><a href=\"/x/a%20b%2Fc\">"
                       "-3 1234567890123 7 2.50 %</a><br>";
    int ok = strcmp(got, want) == 0;
    CHECKM(ok, got);
    free(got);
    return 0;
}

static void table(FILE *f)
{
    static const html_col cols[] = {{"Job"}, {"A & B"}, {NULL}};
    html_table_begin(f, "jobs", cols);
    html_table_end(f);
}

static int test_html_table(void)
{
    char *got = render(table);
    const char *want = "<div class=\"scroll\"><table id=\"jobs\"><thead><tr><th scope=\"col\">"
                       "Job</th><th scope=\"col\">A &amp; B</th></tr></thead><tbody>"
                       "</tbody></table></div>";
    int ok = strcmp(got, want) == 0;
    CHECKM(ok, got);
    free(got);
    return 0;
}

static int test_spawn_capture(void)
{
    char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    spawn_opts o = {.timeout = 30, .capture = 1};
    spawn_result r;
    char err[256];
    CHECKM(spawn_run(argv, &o, &r, err, sizeof err) == 0, err);
    int ok = r.exited && r.exit_code == 3 && !r.timed_out && strcmp(r.out, "out\n") == 0 &&
             strcmp(r.err, "err\n") == 0;
    spawn_result_free(&r);
    CHECK(ok);
    return 0;
}

static int test_spawn_missing(void)
{
    char *argv[] = {"/nonexistent/benchaas-no-such-helper", NULL};
    spawn_opts o = {.timeout = 30, .capture = 1};
    spawn_result r;
    char err[256] = "";
    CHECK(spawn_run(argv, &o, &r, err, sizeof err) == BX_EIO);
    CHECKM(strstr(err, "cannot run") != NULL, err);
    return 0;
}

static int test_spawn_deadline(void)
{
    char *argv[] = {"sleep", "30", NULL};
    spawn_opts o = {.timeout = 0.5, .capture = 0};
    spawn_result r;
    char err[256];
    double t0 = mono_now();
    CHECKM(spawn_run(argv, &o, &r, err, sizeof err) == 0, err);
    double took = mono_now() - t0;
    spawn_result_free(&r);
    CHECK(r.timed_out && !r.exited);
    CHECK(took < 10);
    return 0;
}

/* X(LIBRARY, FILE, NAME): test_NAME tests core/LIBRARY/FILE.c (the sdk: sdk/src/FILE.c);
 * its ctest is LIBRARY.FILE.NAME, less a leading "FILE_" of NAME (tests/CMakeLists.txt,
 * bx_table_tests). */
#define TESTS(X) \
    X(serve, html, html_escapes) \
    X(serve, html, html_table) \
    X(runner, spawn, spawn_capture) \
    X(runner, spawn, spawn_missing) \
    X(runner, spawn, spawn_deadline)

BX_TEST_TABLE(TESTS)

int main(int argc, char **argv)
{
    return bx_test_main(argc, argv, bx_tests, BX_NTESTS, NULL);
}
