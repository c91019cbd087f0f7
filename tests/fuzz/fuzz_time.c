/*
 * fuzz_time.c — store_time_parse(), the time parser of result documents
 * and of query's --since/--until.  An accepted time, formatted as the
 * database stores it, must parse again to the same instant.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char *text = fuzz_cstr(data, size);
    int64_t t, t2;
    int date_only = -1;
    if (store_time_parse(text, &t, &date_only) == 0) {
        FUZZ_CHECK(date_only == 0 || date_only == 1, "date_only not set");
        char buf[64];
        store_time_format(t, buf, sizeof buf);
        FUZZ_CHECK(strlen(buf) == 20, "a stored time that is not YYYY-MM-DDTHH:MM:SSZ");
        FUZZ_CHECK(store_time_parse(buf, &t2, NULL) == 0, "a stored time does not parse");
        FUZZ_CHECK(t2 == t, "a stored time parses to another instant");
    }
    free(text);
    return 0;
}
