/*
 * fuzz_spec.c — run specs (the worker's input, docs/formats.md) through
 * spec_from_json(); an accepted spec written back with spec_to_json() must
 * be accepted again with the same values.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "spec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 16))
        return 0;
    char *text = fuzz_cstr(data, size);
    cJSON *doc = cJSON_ParseWithOpts(text, NULL, 1);
    free(text);
    if (!doc)
        return 0;
    runspec s;
    char err[1024] = "";
    if (spec_from_json(doc, &s, err, sizeof err) == 0) {
        cJSON *back = spec_to_json(&s);
        runspec t;
        FUZZ_CHECK(spec_from_json(back, &t, err, sizeof err) == 0,
                   "a spec written by spec_to_json is refused");
        FUZZ_CHECK(same(s.uuid, t.uuid) && same(s.plugin, t.plugin) &&
                       same(s.result_path, t.result_path) && s.ranks == t.ranks &&
                       s.threads == t.threads && s.repetitions == t.repetitions &&
                       s.point == t.point && s.pnames.n == t.pnames.n && s.mpi == t.mpi,
                   "a spec does not survive spec_to_json + spec_from_json");
        spec_free(&t);
        cJSON_Delete(back);
    } else {
        FUZZ_CHECK(err[0] != '\0', "a refused spec without a message");
    }
    spec_free(&s);
    cJSON_Delete(doc);
    return 0;
}
