/*
 * fuzz_config.c — configuration files (libconfig text) through
 * config_load_text() and, when they parse, plan_build() against the test
 * plugin `trivial` (sweep expansion, parameter validation, the plugin's
 * check()).  Whatever the text, the result is a plan or an error message.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "plan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Only the test plugins: no built-in plugin is loaded or run. */
    setenv("BENCHAAS_PLUGIN_PATH", FUZZ_TEST_PLUGINS, 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 16))
        return 0;
    char *text = fuzz_cstr(data, size);
    config cfg;
    char err[4096];
    err[0] = '\0';
    if (config_load_text("fuzz.cfg", text, size, &cfg, err, sizeof err) == 0) {
        cli_overrides ov;
        memset(&ov, 0, sizeof ov);
        settings_init(&ov.set);
        plan pl;
        if (plan_build(&cfg, &ov, &pl, err, sizeof err) == 0) {
            fuzz_note("plan", pl.npoints > 1 ? "several points" : "one point");
            FUZZ_CHECK(pl.npoints > 0, "a plan without points");
            for (size_t i = 0; i < pl.npoints; i++)
                FUZZ_CHECK(pl.points[i].ranks >= 1 && pl.points[i].threads >= 1 &&
                               pl.points[i].timeout > 0 && pl.points[i].launcher,
                           "a point with unchecked settings");
            plan_free(&pl);
        } else {
            fuzz_note("plan_build refused", err);
            FUZZ_CHECK(err[0] != '\0', "plan_build failed without a message");
        }
        settings_free(&ov.set);
    } else {
        fuzz_note("config_load_text refused", err);
        FUZZ_CHECK(err[0] != '\0', "config_load_text failed without a message");
    }
    config_free(&cfg);
    free(text);
    return 0;
}
