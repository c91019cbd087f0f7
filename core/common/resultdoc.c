/*
 * resultdoc.c — the result document (docs/formats.md): the one module that
 * builds one for a run that wrote none, writes one atomically, reads one
 * back (size cap, JSON, the fields every reader needs) and patches its
 * status and job fields.  The worker, the runner, Slurm's collect and the
 * fuzz tests go through it; the store parses a read document's fields.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resultdoc.h"

cJSON *result_for_failure(const runspec *s, const char *status, const char *error,
                          double elapsed)
{
    char now[32], host[256];
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "result_version", RESULT_VERSION);
    cJSON_AddStringToObject(r, "uuid", s->uuid);
    cJSON_AddStringToObject(r, "plugin", s->plugin);
    cJSON_AddStringToObject(r, "plugin_version", s->plugin_version ? s->plugin_version : "");
    cJSON_AddStringToObject(r, "experiment", s->experiment ? s->experiment : s->plugin);
    cJSON_AddNumberToObject(r, "point", s->point);
    cJSON_AddStringToObject(r, "status", status);
    cJSON_AddStringToObject(r, "error", error);
    cJSON_AddStringToObject(r, "started_at", s->created_at ? s->created_at : iso_now(now, sizeof now));
    cJSON_AddStringToObject(r, "finished_at", iso_now(now, sizeof now));
    cJSON_AddStringToObject(r, "host", short_hostname(host, sizeof host));
    cJSON_AddNullToObject(r, "job_id");
    cJSON_AddNullToObject(r, "array_task_id");
    cJSON_AddStringToObject(r, "launcher", s->launcher ? s->launcher : "local");
    cJSON_AddNumberToObject(r, "ranks", s->ranks);
    cJSON_AddNumberToObject(r, "threads", s->threads);
    cJSON_AddNumberToObject(r, "repetitions", s->repetitions);
    json_add_strvec(r, "tags", &s->tags);
    cJSON *params = cJSON_AddObjectToObject(r, "params");
    for (size_t i = 0; i < s->pnames.n; i++) {
        cJSON *p = cJSON_AddObjectToObject(params, s->pnames.v[i]);
        cJSON_AddStringToObject(p, "value", s->pvalues.v[i]);
        cJSON_AddStringToObject(p, "type",
                                s->ptypes.n == s->pnames.n ? s->ptypes.v[i] : "string");
    }
    cJSON *metrics = cJSON_AddObjectToObject(r, "metrics");
    if (elapsed >= 0) {
        cJSON *m = cJSON_AddObjectToObject(metrics, "wall_time");
        cJSON_AddNumberToObject(m, "value", elapsed);
        cJSON_AddStringToObject(m, "unit", "s");
        cJSON_AddStringToObject(m, "better", "none");
    }
    cJSON_AddObjectToObject(r, "samples");
    cJSON_AddArrayToObject(r, "warnings");
    cJSON_AddObjectToObject(r, "meta");
    cJSON *prov = cJSON_AddObjectToObject(r, "provenance");
    cJSON_AddStringToObject(prov, "hostname", host);
    cJSON_AddItemToObject(r, "spec", spec_to_json(s));
    return r;
}

cJSON *result_read(const char *path, char *err, size_t errlen)
{
    char *text = NULL;
    if (read_file(path, BX_DOC_MAX, &text, NULL, err, errlen) != 0)
        return NULL;
    cJSON *doc = cJSON_ParseWithOpts(text, NULL, 1);
    free(text);
    if (!doc || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        errf(err, errlen, BX_EINVAL, "%s: not a valid JSON result document (truncated?)", path);
        return NULL;
    }
    double v;
    if (json_num(doc, "result_version", &v) != 0 || v != RESULT_VERSION || !json_str(doc, "uuid") ||
        !json_str(doc, "status") || !json_str(doc, "plugin")) {
        cJSON_Delete(doc);
        errf(err, errlen, BX_EINVAL,
             "%s: not a BenchaaS result document (result_version %d, uuid, status, plugin)", path,
             RESULT_VERSION);
        return NULL;
    }
    return doc;
}

int result_write(const char *path, const cJSON *doc, char *err, size_t errlen)
{
    char *text = cJSON_PrintUnformatted(doc);
    if (!text)
        return errf(err, errlen, BX_ENOMEM, "out of memory");
    int rc = write_file_atomic(path, text, strlen(text), err, errlen);
    free(text);
    return rc;
}

void result_set(cJSON *doc, const char *key, cJSON *value)
{
    if (cJSON_GetObjectItemCaseSensitive(doc, key))
        cJSON_ReplaceItemInObjectCaseSensitive(doc, key, value);
    else
        cJSON_AddItemToObject(doc, key, value);
}

void result_set_status(cJSON *doc, const char *status, const char *error)
{
    result_set(doc, "status", cJSON_CreateString(status));
    result_set(doc, "error", error ? cJSON_CreateString(error) : cJSON_CreateNull());
}
