/*
 * fuzz_job.c — jobs of `benchaas serve`: JSON experiments through
 * job_plan() (JSON -> libconfig text -> config_load_text + plan_build, the
 * CLI's validation) against the test plugin `trivial`.  Properties: a job is
 * planned into exactly one experiment with points, or refused with a
 * message and the field it concerns; no string in the JSON can add
 * settings or experiments to the generated configuration.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "jobs.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("BENCHAAS_PLUGIN_PATH", FUZZ_TEST_PLUGINS, 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 16))
        return 0;
    cJSON *exp = cJSON_ParseWithLength((const char *)data, size);
    if (!exp)
        return 0;
    config cfg;
    plan pl;
    char err[4096], field[256];
    err[0] = field[0] = '\0';
    if (job_plan(exp, "local", &cfg, &pl, err, sizeof err, field, sizeof field) == 0) {
        FUZZ_CHECK(cfg.nexps == 1, "a job became several experiments");
        FUZZ_CHECK(pl.npoints > 0, "a planned job without points");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(exp, "name");
        if (cJSON_IsString(name))
            FUZZ_CHECK(strcmp(cfg.exps[0].name, name->valuestring) == 0,
                       "the experiment's name changed on the way");
        fuzz_note("planned", cfg.exps[0].name);
    } else {
        FUZZ_CHECK(err[0] != '\0', "refused without a message");
        FUZZ_CHECK(field[0] != '\0', "refused without a field");
        FUZZ_CHECK(strncmp(err, "job:", 4) != 0, "the generated file's name leaked");
        fuzz_note("refused", err);
    }
    plan_free(&pl);
    config_free(&cfg);
    cJSON_Delete(exp);
    return 0;
}
