/*
 * resultdoc.h — the result document (resultdoc.c, docs/formats.md): build,
 * write atomically, read with a size cap, patch.
 */
#ifndef BENCHAAS_RESULTDOC_H
#define BENCHAAS_RESULTDOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "spec.h"
#include "util.h"

/*
 * A result document for a run that never wrote its own (crash, timeout,
 * interrupt, a job Slurm cancelled, a queued Slurm point): status and error
 * from the caller, the spec's identity and parameters, wall_time when
 * elapsed >= 0.  Owned by the caller.
 */
cJSON *result_for_failure(const runspec *s, const char *status, const char *error,
                          double elapsed);

/* Read and check a result document (size cap BX_DOC_MAX, JSON, result_version, uuid,
 * status, plugin).  NULL + err. */
cJSON *result_read(const char *path, char *err, size_t errlen);

/* Write doc to path atomically (path.tmp, fsync, rename).  0 or BX_E* + err. */
int result_write(const char *path, const cJSON *doc, char *err, size_t errlen);

/* Set member key of doc to value (owned by doc from now on), replacing what was there. */
void result_set(cJSON *doc, const char *key, cJSON *value);
/* The run's status and error text (NULL: no error, JSON null). */
void result_set_status(cJSON *doc, const char *status, const char *error);

#endif
