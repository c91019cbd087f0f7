/*
 * fuzz_common.h — helpers shared by the fuzz targets (tests/fuzz/fuzz_*.c).
 *
 * Every target defines LLVMFuzzerInitialize() and LLVMFuzzerTestOneInput().
 * Built with -DBENCHAAS_FUZZ=ON and clang they are libFuzzer programs
 * (tests/fuzz/run.sh, bench/fuzz.sh); in the normal build the same file is
 * linked with replay.c, which feeds it the seed corpus and the inputs that
 * once crashed it (tests/fuzz/regressions/), as a ctest.
 *
 * A target aborts (a crash to libFuzzer) when a property that must hold
 * does not: FUZZ_CHECK(cond, "what").
 */
#ifndef BENCHAAS_FUZZ_COMMON_H
#define BENCHAAS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a NUL-terminated string (malloc'd; embedded NULs are kept). */
char *fuzz_cstr(const uint8_t *data, size_t size);

/*
 * A file holding data, without touching the disk: a memfd, named
 * "/proc/self/fd/N" in path.  Returns the fd (close it), or -1.
 */
int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t len);

/*
 * A new folder under $TMPDIR (or /tmp), "benchaas-fuzz-NAME.XXXXXX", removed with
 * everything in it when the process exits (libFuzzer and replay.c end with exit()).
 * The path is static storage; aborts when it cannot be made.
 */
const char *fuzz_tmpdir(const char *name);

/* Abort with a message when a property does not hold. */
void fuzz_fail(const char *file, int line, const char *what);
#define FUZZ_CHECK(cond, what)                      \
    do {                                            \
        if (!(cond))                                \
            fuzz_fail(__FILE__, __LINE__, (what));  \
    } while (0)

/* FUZZ_VERBOSE=1 in the environment: say what happened to each input (seed debugging). */
void fuzz_note(const char *what, const char *msg);

/* Send stdout to /dev/null (targets that drive printing commands). */
void fuzz_quiet_stdout(void);

#endif
