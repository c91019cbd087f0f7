/*
 * bx_test.h — the table, the command line and the checks of the C unit tests
 * (tests/README.md).  A program's source holds its table
 *
 *   #define TESTS(X) X(LIBRARY, FILE, NAME) ...
 *
 * (read by bx_table_tests in tests/CMakeLists.txt: one ctest per entry), then
 *
 *   BX_TEST_TABLE(TESTS)
 *   int main(int argc, char **argv) { return bx_test_main(argc, argv, bx_tests, BX_NTESTS, NULL); }
 *
 * A test is a function `int test_NAME(void)` returning 0 when it passed; a failed
 * CHECK prints file:line and the expression on stderr and returns 1 from it.  A
 * program whose tests are `void test_NAME(void)` counting their failures in a
 * variable of its own (the SDK's, with their own CHECK) defines BX_TEST_COUNTED
 * as that variable's name before including this header: the checks below are
 * then left out and each test is judged by whether it added to the count.
 */
#ifndef BX_TEST_H
#define BX_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

/* one entry of the table: the test's NAME and what runs it */
struct bx_test {
    const char *name;
    int (*fn)(void);
};

/* `int test_NAME(void);` for each entry, when the tests are in other files */
#define BX_TEST_DECLARE(lib, file, name) int test_##name(void);

#ifdef BX_TEST_COUNTED
#define BX_TEST_WRAP_(lib, file, name)                                                \
    static int bx_counted_##name(void)                                                \
    {                                                                                 \
        int before_ = BX_TEST_COUNTED;                                                \
        test_##name();                                                                \
        return BX_TEST_COUNTED != before_;                                            \
    }
#define BX_TEST_ENTRY_(lib, file, name) {#name, bx_counted_##name},
#define BX_TEST_TABLE(TESTS)                                                          \
    TESTS(BX_TEST_WRAP_)                                                              \
    static const struct bx_test bx_tests[] = {TESTS(BX_TEST_ENTRY_)};
#else
#define BX_TEST_ENTRY_(lib, file, name) {#name, test_##name},
/* bx_tests[]: the entries of the table TESTS */
#define BX_TEST_TABLE(TESTS) static const struct bx_test bx_tests[] = {TESTS(BX_TEST_ENTRY_)};
#endif
#define BX_NTESTS (sizeof bx_tests / sizeof bx_tests[0])

/*
 * The command line of every test program:
 *   PROGRAM NAME   runs the test NAME (through run when not NULL: a temporary
 *                  folder around it, say); exit 0 passed, 1 failed, 2 no such test
 *   PROGRAM        lists the names, one a line
 */
static inline int bx_test_main(int argc, char **argv, const struct bx_test *tests, size_t n,
                               int (*run)(const struct bx_test *t))
{
    if (argc < 2) {
        for (size_t i = 0; i < n; i++)
            puts(tests[i].name);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], tests[i].name) == 0)
            return (run ? run(&tests[i]) : tests[i].fn()) ? 1 : 0;
    fprintf(stderr, "%s: no test named '%s' (run without arguments for the list)\n", argv[0],
            argv[1]);
    return 2;
}

#ifndef BX_TEST_COUNTED

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
            return 1;                                                                 \
        }                                                                             \
    } while (0)

/* CHECK with a message printed on failure (err buffers, captured output). */
#define CHECKM(cond, msg)                                                             \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n  (%s)\n", __FILE__, __LINE__,  \
                    #cond, (msg));                                                    \
            return 1;                                                                 \
        }                                                                             \
    } while (0)

/* a and b differ by at most tol */
#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))
#endif /* BX_TEST_COUNTED */

#endif
