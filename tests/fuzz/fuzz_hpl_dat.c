/*
 * fuzz_hpl_dat.c — the HPL plugin's HPL.dat reader (plugins/hpl/hpl_dat.c,
 * compiled in as it is): hpl_dat_read() on the input, then every
 * combination through hpl_dat_foreach().  Accepted files stay within the
 * documented limits; every combination is a list of NAME=VALUE pairs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "hpl_dat.h"

/* hpl_dat.c names enum values through the plugin's tables (plugin.c, not
 * compiled in here): the same spellings. */
const char *const hpl_fact_names[] = {"left", "crout", "right", NULL};
const char *const hpl_bcast_names[] = {"1ring", "1ringM", "2ring", "2ringM", "long", "longM", NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static int each(void *user, const char *const *kv)
{
    size_t *n = user;
    (*n)++;
    for (size_t i = 0; kv[i]; i++) {
        const char *eq = strchr(kv[i], '=');
        FUZZ_CHECK(eq && eq != kv[i] && eq[1], "a combination item is not NAME=VALUE");
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 17))
        return 0;
    char path[64], err[4096] = "";
    int fd = fuzz_memfd(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    hpl_dat d;
    if (hpl_dat_read(path, &d, err, sizeof err) == 0) {
        uint64_t want = hpl_dat_count(&d);
        FUZZ_CHECK(want >= 1 && want <= HPL_DAT_MAXPOINTS, "an accepted file outside the limits");
        size_t n = 0;
        FUZZ_CHECK(hpl_dat_foreach(&d, each, &n) == 0, "hpl_dat_foreach stopped");
        FUZZ_CHECK(n == want, "hpl_dat_foreach and hpl_dat_count disagree");
    } else {
        FUZZ_CHECK(err[0] != '\0', "a refused HPL.dat without a message");
    }
    close(fd);
    return 0;
}
