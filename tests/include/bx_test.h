/*
 * bx_test.h — the checks of the core's C unit tests (tests/store,
 * tests/results).  A test is a function `int test_NAME(void)` returning 0
 * when it passed; a failed CHECK prints file:line and the expression on
 * stderr and returns 1 from it.
 */
#ifndef BX_TEST_H
#define BX_TEST_H

#include <math.h>
#include <stdio.h>

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

#endif
