/*
 * docread.c — a result document (docs/formats.md) read and checked before anything
 * is written: every member's type and shape, so that ingest's transaction cannot fail
 * on the document's form.
 */
#include "store_int.h"
#include "timefmt.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h" /* BX_E* codes */


/* A timeline: a list of [seconds, rss_mib or null, cpu_percent or null]. */
static int timeline_valid(const cJSON *arr)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *t = cJSON_GetArrayItem(it, 0), *rss = cJSON_GetArrayItem(it, 1),
                    *cpu = cJSON_GetArrayItem(it, 2);
        if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 3 || !cJSON_IsNumber(t) ||
            !isfinite(t->valuedouble) || !(cJSON_IsNumber(rss) || cJSON_IsNull(rss)) ||
            !(cJSON_IsNumber(cpu) || cJSON_IsNull(cpu)))
            return 0;
    }
    return 1;
}

int store__is_final(const char *status)
{
    return strcmp(status, "queued") != 0 && strcmp(status, "running") != 0;
}

/* An optional string member: NULL when absent or null; error when another type. */
int store__opt_str(const cJSON *o, const char *key, const char **out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring) {
        store__err(err, errlen, "result document: \"%s\" must be a string", key);
        return BX_EINVAL;
    }
    *out = v->valuestring;
    return 0;
}

/* An optional whole number (JSON number, or a string of digits if allow_text). */
/* A repetition, an index or a count of ranks: a whole number the store keeps as an
   integer (a double beyond int64's range, cast, is undefined behaviour; found by fuzzing). */
static int is_count(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 2147483647.0 &&
           v->valuedouble == floor(v->valuedouble);
}

int store__opt_int(const cJSON *o, const char *key, int *has, int64_t *out, char *err,
                   size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *has = 0;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
        fabs(v->valuedouble) < 9.0e15) {
        *out = (int64_t)v->valuedouble;
        *has = 1;
        return 0;
    }
    if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
        char *end;
        errno = 0;
        long long x = strtoll(v->valuestring, &end, 10);
        if (*end == '\0' && errno == 0) {
            *out = x;
            *has = 1;
            return 0;
        }
    }
    store__err(err, errlen, "result document: \"%s\" must be a whole number", key);
    return BX_EINVAL;
}

/* An optional time member, normalised to "YYYY-MM-DDTHH:MM:SSZ" in out ("" if absent). */
static int opt_time(const cJSON *o, const char *key, char *out, size_t outlen, char *err,
                    size_t errlen)
{
    const char *t;
    int64_t epoch;
    out[0] = '\0';
    if (store__opt_str(o, key, &t, err, errlen) != 0)
        return BX_EINVAL;
    if (!t)
        return 0;
    if (time_parse_utc(t, &epoch, NULL) != 0) {
        store__err(err, errlen,
                   "result document: \"%s\" is '%s', not an ISO 8601 time like "
                   "2026-11-21T10:12:17Z",
                   key, t);
        return BX_EINVAL;
    }
    time_format_utc(epoch, out, outlen);
    return 0;
}

/* An optional member of JSON type `type` (cJSON_Object / cJSON_Array). */
static int opt_kind(const cJSON *o, const char *key, int type, const cJSON **out, char *err,
                    size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if ((v->type & 0xFF) != type) {
        store__err(err, errlen, "result document: \"%s\" must be %s", key,
                   type == cJSON_Object ? "an object" : "a list");
        return BX_EINVAL;
    }
    *out = v;
    return 0;
}

/* The document's identity: an object of result_version 1 with uuid, plugin and a known status. */
static int read_doc_identity(const cJSON *j, doc *d, char *err, size_t errlen)
{
    static const char *const statuses[] = {"ok",      "failed", "crashed", "timeout",
                                           "interrupted", "queued", "running", NULL};
    memset(d, 0, sizeof *d);
    if (!cJSON_IsObject(j)) {
        store__err(err, errlen, "result document: not a JSON object");
        return BX_EINVAL;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "result_version");
    if (!cJSON_IsNumber(ver)) {
        store__err(err, errlen, "not a result document (no \"result_version\")");
        return BX_EINVAL;
    }
    if (ver->valuedouble != 1) {
        store__err(err, errlen,
                   "result document version %g is not understood by this benchaas (it reads "
                   "version 1)",
                   ver->valuedouble);
        return BX_EINVAL;
    }
    if (store__opt_str(j, "uuid", &d->uuid, err, errlen) ||
        store__opt_str(j, "plugin", &d->plugin, err, errlen) ||
        store__opt_str(j, "status", &d->status, err, errlen))
        return BX_EINVAL;
    if (!d->uuid || !*d->uuid || !d->plugin || !*d->plugin || !d->status) {
        store__err(err, errlen, "result document: \"%s\" is missing",
                   !d->uuid || !*d->uuid       ? "uuid"
                   : !d->plugin || !*d->plugin ? "plugin"
                                               : "status");
        return BX_EINVAL;
    }
    int known = 0;
    for (int i = 0; statuses[i]; i++)
        known |= strcmp(statuses[i], d->status) == 0;
    if (!known) {
        store__err(err, errlen,
                   "result document: status '%s' is not one of ok, failed, crashed, timeout, "
                   "interrupted, queued, running",
                   d->status);
        return BX_EINVAL;
    }
    return 0;
}

int store__read_doc(const cJSON *j, doc *d, char *err, size_t errlen)
{
    int irc = read_doc_identity(j, d, err, errlen);
    if (irc)
        return irc;
    d->final = store__is_final(d->status);
    if (store__opt_str(j, "plugin_version", &d->plugin_version, err, errlen) ||
        store__opt_str(j, "error", &d->error, err, errlen) ||
        store__opt_str(j, "host", &d->host, err, errlen) ||
        store__opt_str(j, "experiment", &d->experiment, err, errlen) ||
        store__opt_str(j, "launcher", &d->launcher, err, errlen) ||
        store__opt_str(j, "user", &d->user, err, errlen) ||
        store__opt_int(j, "job", &d->has_service_job, &d->service_job, err, errlen) ||
        store__opt_int(j, "point", &d->has_point, &d->point, err, errlen) ||
        store__opt_int(j, "ranks", &d->has_ranks, &d->ranks, err, errlen) ||
        store__opt_int(j, "threads", &d->has_threads, &d->threads, err, errlen) ||
        store__opt_int(j, "repetitions", &d->has_reps, &d->reps, err, errlen) ||
        store__opt_int(j, "array_task_id", &d->has_task, &d->task_id, err, errlen) ||
        opt_time(j, "queued_at", d->queued_at, sizeof d->queued_at, err, errlen) ||
        opt_time(j, "started_at", d->started_at, sizeof d->started_at, err, errlen) ||
        opt_time(j, "finished_at", d->finished_at, sizeof d->finished_at, err, errlen) ||
        opt_kind(j, "params", cJSON_Object, &d->params, err, errlen) ||
        opt_kind(j, "metrics", cJSON_Object, &d->metrics, err, errlen) ||
        opt_kind(j, "samples", cJSON_Object, &d->samples, err, errlen) ||
        opt_kind(j, "tags", cJSON_Array, &d->tags, err, errlen) ||
        opt_kind(j, "warnings", cJSON_Array, &d->warnings, err, errlen) ||
        opt_kind(j, "meta", cJSON_Object, &d->meta, err, errlen) ||
        opt_kind(j, "provenance", cJSON_Object, &d->provenance, err, errlen) ||
        opt_kind(j, "spec", cJSON_Object, &d->spec, err, errlen) ||
        opt_kind(j, "timeline", cJSON_Array, &d->timeline, err, errlen) ||
        opt_kind(j, "timeline_nodes", cJSON_Array, &d->timeline_nodes, err, errlen))
        return BX_EINVAL;
    /* Slurm job ids are integers; keep any other text as it is. */
    const cJSON *job = cJSON_GetObjectItemCaseSensitive(j, "job_id");
    if (cJSON_IsString(job) && job->valuestring && *job->valuestring) {
        if (store__opt_int(j, "job_id", &d->has_job, &d->job_id, err, errlen) != 0)
            d->job_text = job->valuestring;
    } else if (store__opt_int(j, "job_id", &d->has_job, &d->job_id, err, errlen) != 0) {
        return BX_EINVAL;
    }
    if (!d->queued_at[0] && d->spec) /* a queued run: when the runner wrote its spec */
        opt_time(d->spec, "created_at", d->queued_at, sizeof d->queued_at, err, errlen);
    if (!d->host && d->provenance)
        store__opt_str(d->provenance, "hostname", &d->host, err, errlen);

    /* Shapes of the nested members, so the transaction below cannot fail on them. */
    const cJSON *it;
    cJSON_ArrayForEach(it, d->metrics)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "unit");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(it, "better");
        if (!cJSON_IsObject(it) || (v && !cJSON_IsNumber(v) && !cJSON_IsNull(v)) ||
            (u && !cJSON_IsString(u) && !cJSON_IsNull(u)) ||
            (b && !cJSON_IsNull(b) &&
             (!cJSON_IsString(b) || (strcmp(b->valuestring, "higher") != 0 &&
                                     strcmp(b->valuestring, "lower") != 0 &&
                                     strcmp(b->valuestring, "none") != 0)))) {
            store__err(err, errlen,
                       "result document: metric '%s' must be {\"value\": number, \"unit\": text, "
                       "\"better\": \"higher\"|\"lower\"|\"none\"}",
                       it->string ? it->string : "?");
            return BX_EINVAL;
        }
    }
    cJSON_ArrayForEach(it, d->samples)
    {
        const cJSON *triple, *list = cJSON_IsArray(it) ? it : NULL;
        int bad = list == NULL;
        cJSON_ArrayForEach(triple, list)
        {
            if (!cJSON_IsArray(triple) || cJSON_GetArraySize(triple) != 3 ||
                !is_count(cJSON_GetArrayItem(triple, 0)) ||
                !is_count(cJSON_GetArrayItem(triple, 1)) ||
                !(cJSON_IsNumber(cJSON_GetArrayItem(triple, 2)) ||
                  cJSON_IsNull(cJSON_GetArrayItem(triple, 2))))
                bad = 1;
        }
        if (bad) {
            store__err(err, errlen,
                       "result document: samples of '%s' must be a list of [repetition, index, "
                       "value], repetition and index whole numbers from 0 to 2147483647",
                       it->string ? it->string : "?");
            return BX_EINVAL;
        }
    }
    if (!timeline_valid(d->timeline)) {
        store__err(err, errlen,
                   "result document: \"timeline\" must be a list of [seconds, rss_mib, "
                   "cpu_percent]");
        return BX_EINVAL;
    }
    cJSON_ArrayForEach(it, d->timeline_nodes)
    {
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(it, "node"),
                    *ranks = cJSON_GetObjectItemCaseSensitive(it, "ranks"),
                    *tl = cJSON_GetObjectItemCaseSensitive(it, "timeline");
        if (!cJSON_IsObject(it) || !cJSON_IsString(node) || !node->valuestring[0] ||
            !(ranks == NULL || is_count(ranks)) || !cJSON_IsArray(tl) ||
            !timeline_valid(tl)) {
            store__err(err, errlen,
                       "result document: \"timeline_nodes\" must be a list of {\"node\": NAME, "
                       "\"ranks\": N, \"timeline\": [[seconds, rss_mib, cpu_percent], ...]} (N a "
                       "whole number from 0 to 2147483647)");
            return BX_EINVAL;
        }
    }
    cJSON_ArrayForEach(it, d->tags)
    {
        if (!cJSON_IsString(it)) {
            store__err(err, errlen, "result document: \"tags\" must be a list of strings");
            return BX_EINVAL;
        }
    }
    cJSON_ArrayForEach(it, d->warnings)
    {
        if (!cJSON_IsString(it)) {
            store__err(err, errlen, "result document: \"warnings\" must be a list of strings");
            return BX_EINVAL;
        }
    }
    cJSON_ArrayForEach(it, d->params)
    {
        const cJSON *v = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "value") : it;
        const cJSON *t = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "type") : NULL;
        if (!(cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v)) ||
            (t && !cJSON_IsString(t))) {
            store__err(err, errlen,
                       "result document: parameter '%s' must be {\"value\": text, \"type\": text}",
                       it->string ? it->string : "?");
            return BX_EINVAL;
        }
    }
    return 0;
}

/*
 * The text form of a scalar JSON value (provenance, meta, parameters):
 * strings as they are, numbers shortest-exact, booleans true/false, other
 * values as compact JSON.  Returns a pointer into buf or to the string, or
 * to *heap (malloc'd, caller frees) for objects and arrays; NULL for null.
 */
const char *store_value_text(const cJSON *v, char *buf, size_t len, char **heap)
{
    *heap = NULL;
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9.0e15)
            snprintf(buf, len, "%" PRId64, (int64_t)d);
        else {
            snprintf(buf, len, "%.15g", d);
            if (strtod(buf, NULL) != d)
                snprintf(buf, len, "%.17g", d);
        }
        return buf;
    }
    *heap = cJSON_PrintUnformatted(v);
    return *heap;
}

