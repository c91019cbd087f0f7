/*
 * spec.h — the run spec: what the runner hands the worker (docs/formats.md).
 */
#ifndef BENCHAAS_SPEC_H
#define BENCHAAS_SPEC_H

#include <cjson/cJSON.h>

#include "util.h"

#define SPEC_VERSION 1
#define RESULT_VERSION 1

typedef struct runspec {
    char *uuid;
    char *plugin, *plugin_path, *plugin_version;
    char *experiment;
    int point;
    strvec pnames, pvalues; /* canonical text, parallel arrays */
    strvec ptypes;          /* declared types ("int", "size", ...), parallel; may be empty */
    int ranks, threads;
    unsigned repetitions;  /* with spread_target: the most */
    double spread_target;  /* > 0: stop once the headline's spread is below it (fraction) */
    int warmup;        /* 1: one warm-up run before the repetitions */
    double timeout;    /* seconds */
    char *launcher;    /* local | mpi | slurm */
    int mpi;           /* 1: the worker initialises MPI */
    strvec tags;
    strvec mpirun_args;/* extra arguments for mpirun (config: mpirun_args) */
    char *result_path;
    char *created_at;
    int verbose;       /* 1: the plugin's info messages are printed */
    cJSON *sandbox;    /* owned; NULL, or sandbox.h's JSON: the worker confines itself
                          with it before loading the plugin (the service's jobs) */
} runspec;

cJSON *spec_to_json(const runspec *s);
/* Parse and check a spec document; BX_EINVAL with the reason. */
int spec_from_json(const cJSON *doc, runspec *s, char *err, size_t errlen);
void spec_free(runspec *s);
/*
 * The worker writes only "<uuid>.result.json" in the folder holding its spec
 * file (the spool): 0 when s->result_path is that file (and the uuid a
 * UUID), BX_EINVAL with the reason otherwise.
 */
int spec_check_result_path(const runspec *s, const char *spec_file, char *err, size_t errlen);
/* 1 when u is a UUID in the canonical lower-case form uuid_v4() writes. */
int spec_uuid_ok(const char *u);

/* Small cJSON helpers. */
const char *json_str(const cJSON *o, const char *key);         /* NULL if absent or not a string */
int json_num(const cJSON *o, const char *key, double *out);    /* 0 if a number */
void json_add_strvec(cJSON *o, const char *key, const strvec *sv);

#endif
