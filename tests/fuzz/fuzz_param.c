/*
 * fuzz_param.c — `-p NAME=VALUE` values.  The input is lines:
 *   - each line is parsed by bxp_parse() as every type of a synthetic
 *     table (bool, int, double, size, string, enum with a comma choice);
 *     an accepted value's canonical text must parse again to itself;
 *   - bx_parse_size() and bxp_suggest() see each line too;
 *   - the lines containing '=' become the -p list of `run trivial`
 *     (config_from_cli + plan_build with the test plugin: sweeps, commas,
 *     duplicates, unknown names).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "paramval.h"
#include "plan.h"

static const char *const choices[] = {"alpha", "Beta", "write,read", "x y", NULL};
static const bx_param table[] = {
    {"flag", BX_BOOL, "false", BX_NORANGE, NULL, "a boolean", 0},
    {"count", BX_INT, "1", BX_RANGE(-1e6, 1e18), NULL, "an integer", 0},
    {"anyint", BX_INT, NULL, BX_NORANGE, NULL, "an integer, no range", 0},
    {"ratio", BX_DOUBLE, "0.5", BX_RANGE(-1e300, 1e300), NULL, "a number", 0},
    {"anyd", BX_DOUBLE, NULL, BX_NORANGE, NULL, "a number, no range", 0},
    {"bytes", BX_SIZE, "1k", BX_RANGE(0, 1.8e19), NULL, "a size", 0},
    {"anysize", BX_SIZE, NULL, BX_NORANGE, NULL, "a size, no range", 0},
    {"text", BX_STRING, NULL, BX_NORANGE, NULL, "free text", 0},
    {"pick", BX_ENUM, "alpha", BX_NORANGE, choices, "a choice", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("BENCHAAS_PLUGIN_PATH", FUZZ_TEST_PLUGINS, 1);
    return 0;
}

static void one_value(const char *text)
{
    for (const bx_param *p = table; p->name; p++) {
        bxp_value v, again;
        char err[512];
        if (bxp_parse(p, text, &v, err, sizeof err) != 0)
            continue;
        FUZZ_CHECK(v.text != NULL, "an accepted value without canonical text");
        FUZZ_CHECK(bxp_parse(p, v.text, &again, err, sizeof err) == 0,
                   "the canonical text of an accepted value is refused");
        FUZZ_CHECK(strcmp(again.text, v.text) == 0, "the canonical text is not stable");
        FUZZ_CHECK(again.i == v.i, "the canonical text changes the value");
        bxp_value_free(&again);
        bxp_value_free(&v);
    }
    uint64_t sz;
    (void)bx_parse_size(text, &sz);
    (void)bxp_suggest(table, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *text = fuzz_cstr(data, size);
    strvec pargs = {0};
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        one_value(line);
        if (strchr(line, '=') && pargs.n < 16)
            strvec_push(&pargs, line);
    }
    config cfg;
    char err[4096] = "";
    if (config_from_cli("trivial", &pargs, &cfg, err, sizeof err) == 0) {
        cli_overrides ov;
        memset(&ov, 0, sizeof ov);
        settings_init(&ov.set);
        plan pl;
        if (plan_build(&cfg, &ov, &pl, err, sizeof err) == 0) {
            fuzz_note("plan", NULL);
            plan_free(&pl);
        } else {
            fuzz_note("plan_build refused", err);
            FUZZ_CHECK(err[0] != '\0', "plan_build failed without a message");
        }
        settings_free(&ov.set);
    }
    else
        fuzz_note("config_from_cli refused", err);
    config_free(&cfg);
    strvec_free(&pargs);
    free(text);
    return 0;
}
