/* spec.c — run specs to and from JSON (docs/formats.md). */
#define _GNU_SOURCE
#include "spec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int json_num(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return BX_EINVAL;
    *out = v->valuedouble;
    return 0;
}

void json_add_strvec(cJSON *o, const char *key, const strvec *sv)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; i < sv->n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(sv->v[i]));
}

cJSON *spec_to_json(const runspec *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "spec_version", SPEC_VERSION);
    cJSON_AddStringToObject(o, "uuid", s->uuid);
    cJSON_AddStringToObject(o, "plugin", s->plugin);
    cJSON_AddStringToObject(o, "plugin_path", s->plugin_path);
    if (s->plugin_version)
        cJSON_AddStringToObject(o, "plugin_version", s->plugin_version);
    cJSON_AddStringToObject(o, "experiment", s->experiment ? s->experiment : s->plugin);
    cJSON_AddNumberToObject(o, "point", s->point);
    cJSON *p = cJSON_AddObjectToObject(o, "params");
    for (size_t i = 0; i < s->pnames.n; i++)
        cJSON_AddStringToObject(p, s->pnames.v[i], s->pvalues.v[i]);
    if (s->ptypes.n == s->pnames.n && s->ptypes.n) {
        cJSON *t = cJSON_AddObjectToObject(o, "param_types");
        for (size_t i = 0; i < s->pnames.n; i++)
            cJSON_AddStringToObject(t, s->pnames.v[i], s->ptypes.v[i]);
    }
    cJSON_AddNumberToObject(o, "ranks", s->ranks);
    cJSON_AddNumberToObject(o, "threads", s->threads);
    cJSON_AddNumberToObject(o, "repetitions", s->repetitions);
    if (s->spread_target > 0)
        cJSON_AddNumberToObject(o, "spread_target", s->spread_target);
    cJSON_AddBoolToObject(o, "warmup", s->warmup);
    cJSON_AddNumberToObject(o, "timeout", s->timeout);
    cJSON_AddStringToObject(o, "launcher", s->launcher ? s->launcher : "local");
    cJSON_AddBoolToObject(o, "mpi", s->mpi);
    json_add_strvec(o, "tags", &s->tags);
    if (s->mpirun_args.n)
        json_add_strvec(o, "mpirun_args", &s->mpirun_args);
    cJSON_AddStringToObject(o, "result", s->result_path ? s->result_path : "");
    if (s->created_at)
        cJSON_AddStringToObject(o, "created_at", s->created_at);
    cJSON_AddBoolToObject(o, "verbose", s->verbose);
    if (s->sandbox)
        cJSON_AddItemToObject(o, "sandbox", cJSON_Duplicate(s->sandbox, 1));
    return o;
}

static int read_strvec(const cJSON *o, const char *key, strvec *sv, char *err, size_t errlen)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!a)
        return 0;
    if (!cJSON_IsArray(a))
        return errf(err, errlen, BX_EINVAL, "spec: '%s' must be an array of strings", key);
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsString(e))
            return errf(err, errlen, BX_EINVAL, "spec: '%s' must be an array of strings", key);
        strvec_push(sv, e->valuestring);
    }
    return 0;
}

int spec_from_json(const cJSON *o, runspec *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    double d;
    if (!cJSON_IsObject(o))
        return errf(err, errlen, BX_EINVAL, "spec: not a JSON object");
    if (json_num(o, "spec_version", &d) != 0 || d != SPEC_VERSION)
        return errf(err, errlen, BX_EINVAL, "spec: spec_version must be %d", SPEC_VERSION);
    const char *req[] = {"uuid", "plugin", "plugin_path", "result"};
    for (size_t i = 0; i < 4; i++)
        if (!json_str(o, req[i]) || !*json_str(o, req[i]))
            return errf(err, errlen, BX_EINVAL, "spec: missing string '%s'", req[i]);
    s->uuid = xstrdup(json_str(o, "uuid"));
    s->plugin = xstrdup(json_str(o, "plugin"));
    s->plugin_path = xstrdup(json_str(o, "plugin_path"));
    s->result_path = xstrdup(json_str(o, "result"));
    s->experiment = xstrdup(json_str(o, "experiment") ? json_str(o, "experiment") : s->plugin);
    if (json_str(o, "plugin_version"))
        s->plugin_version = xstrdup(json_str(o, "plugin_version"));
    s->launcher = xstrdup(json_str(o, "launcher") ? json_str(o, "launcher") : "local");
    if (json_str(o, "created_at"))
        s->created_at = xstrdup(json_str(o, "created_at"));
    const cJSON *sb = cJSON_GetObjectItemCaseSensitive(o, "sandbox");
    if (cJSON_IsObject(sb))
        s->sandbox = cJSON_Duplicate(sb, 1);
    /* Range-check the numbers before converting them: a double outside an
     * int's range does not convert (found by tests/fuzz/fuzz_spec.c). */
    double point = json_num(o, "point", &d) == 0 ? d : 0;
    double ranks = json_num(o, "ranks", &d) == 0 ? d : 1;
    double threads = json_num(o, "threads", &d) == 0 ? d : 1;
    s->repetitions = json_num(o, "repetitions", &d) == 0 && d >= 0 && d < 1e9 ? (unsigned)d : 1;
    s->timeout = json_num(o, "timeout", &d) == 0 ? d : 3600;
    s->spread_target = json_num(o, "spread_target", &d) == 0 && d > 0 && d < 1 ? d : 0;
    if (!(ranks >= 1 && ranks <= 1000000) || !(threads >= 1 && threads <= 100000) ||
        s->repetitions < 1 || !(s->timeout > 0))
        return errf(err, errlen, BX_EINVAL,
                    "spec: ranks, threads, repetitions and timeout must be positive");
    if (!(point >= -2147483648.0 && point <= 2147483647.0))
        return errf(err, errlen, BX_EINVAL, "spec: point %g is not an index", point);
    s->point = (int)point;
    s->ranks = (int)ranks;
    s->threads = (int)threads;
    s->warmup = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "warmup"));
    s->mpi = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "mpi"));
    s->verbose = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "verbose"));
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "params");
    if (p && !cJSON_IsObject(p))
        return errf(err, errlen, BX_EINVAL, "spec: 'params' must be an object");
    const cJSON *e;
    cJSON_ArrayForEach(e, p)
    {
        if (!cJSON_IsString(e))
            return errf(err, errlen, BX_EINVAL, "spec: parameter '%s' must be a string",
                        e->string);
        strvec_push(&s->pnames, e->string);
        strvec_push(&s->pvalues, e->valuestring);
    }
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(o, "param_types");
    if (cJSON_IsObject(types)) {
        for (size_t i = 0; i < s->pnames.n; i++) {
            const char *t = json_str(types, s->pnames.v[i]);
            strvec_push(&s->ptypes, t ? t : "string");
        }
    }
    int rc = read_strvec(o, "tags", &s->tags, err, errlen);
    if (!rc)
        rc = read_strvec(o, "mpirun_args", &s->mpirun_args, err, errlen);
    return rc;
}

void spec_free(runspec *s)
{
    free(s->uuid);
    free(s->plugin);
    free(s->plugin_path);
    free(s->plugin_version);
    free(s->experiment);
    free(s->launcher);
    free(s->result_path);
    free(s->created_at);
    strvec_free(&s->pnames);
    strvec_free(&s->pvalues);
    strvec_free(&s->ptypes);
    strvec_free(&s->tags);
    strvec_free(&s->mpirun_args);
    cJSON_Delete(s->sandbox);
    memset(s, 0, sizeof *s);
}

int spec_uuid_ok(const char *u)
{
    if (!u || strlen(u) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f')))
            return 0;
    }
    return 1;
}

/* realpath of the folder holding `path` (caller frees), or NULL. */
static char *folder_of(const char *path)
{
    char *d = xstrdup(path), *slash = strrchr(d, '/');
    const char *dir = ".";
    if (slash) {
        *slash = '\0';
        dir = slash == d ? "/" : d;
    }
    char *r = realpath(dir, NULL);
    free(d);
    return r;
}

int spec_check_result_path(const runspec *s, const char *spec_file, char *err, size_t errlen)
{
    if (!spec_uuid_ok(s->uuid))
        return errf(err, errlen, BX_EINVAL, "spec: uuid '%s' is not a UUID", s->uuid);
    const char *r = s->result_path, *base = strrchr(r, '/');
    base = base ? base + 1 : r;
    char want[64];
    snprintf(want, sizeof want, "%s.result.json", s->uuid);
    if (strcmp(base, want) != 0)
        return errf(err, errlen, BX_EINVAL,
                    "spec: result '%s' is not named %s; a worker writes only its own result "
                    "document in its spool folder",
                    r, want);
    char *rdir = folder_of(r), *sdir = folder_of(spec_file);
    int same = rdir && sdir && strcmp(rdir, sdir) == 0;
    int rc = same ? 0
                  : errf(err, errlen, BX_EINVAL,
                         "spec: result '%s' is not in the spool folder that holds the spec (%s); "
                         "a worker writes only there",
                         r, sdir ? sdir : spec_file);
    free(rdir);
    free(sdir);
    return rc;
}
