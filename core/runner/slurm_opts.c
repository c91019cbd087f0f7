/*
 * slurm_opts.c — the slurm = {...} settings of a configuration file and of
 * its experiments: checked values for #SBATCH lines and the batch script.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paramval.h"
#include "slurm_opts.h"

/* ---- settings --------------------------------------------------------- */

static const char *const slurm_keys[] = {"partition", "account", "qos",     "time_limit",
                                         "memory",    "nodes",   "extra",   "modules",
                                         "env",       "launch",  "mpi",     "pack",
                                         "spool",     "job_name", "network", "sandbox",
                                         NULL};

void slurm_opts_free(slurm_opts *o)
{
    free(o->partition);
    free(o->account);
    free(o->qos);
    free(o->time_limit);
    free(o->memory);
    free(o->launch);
    free(o->mpi);
    free(o->network);
    free(o->spool);
    free(o->sandbox);
    free(o->job_name);
    strvec_free(&o->extra);
    strvec_free(&o->modules);
    strvec_free(&o->env);
    memset(o, 0, sizeof *o);
}

static int line_of(const cJSON *grp, const char *key)
{
    char k[128];
    snprintf(k, sizeof k, "%s#line", key);
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(grp, k);
    return cJSON_IsNumber(l) ? l->valueint : 0;
}

/* Characters allowed in a value that goes on an #SBATCH line. */
static int safe_token(const char *s, const char *extra_chars)
{
    if (!*s)
        return 0;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr(extra_chars, *c))
            return 0;
    return 1;
}

static int set_str(char **dst, const cJSON *v, const char *where, const char *key,
                   const char *allowed, const char *what, char *err, size_t errlen)
{
    if (!cJSON_IsString(v))
        return errf(err, errlen, BX_EINVAL, "%s: slurm.%s must be a string", where, key);
    if (allowed && !safe_token(v->valuestring, allowed))
        return errf(err, errlen, BX_EINVAL, "%s: slurm.%s = '%s' is not %s", where, key,
                    v->valuestring, what);
    free(*dst);
    *dst = xstrdup(v->valuestring);
    return 0;
}

static int set_strs(strvec *dst, const cJSON *v, const char *where, const char *key, char *err,
                    size_t errlen)
{
    strvec_free(dst);
    if (cJSON_IsString(v)) {
        strvec_push(dst, v->valuestring);
        return 0;
    }
    if (!cJSON_IsArray(v))
        return errf(err, errlen, BX_EINVAL, "%s: slurm.%s must be a string or a list of strings",
                    where, key);
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        if (!cJSON_IsString(e))
            return errf(err, errlen, BX_EINVAL, "%s: slurm.%s must hold only strings", where,
                        key);
        for (const char *c = e->valuestring; *c; c++)
            if ((unsigned char)*c < 0x20)
                return errf(err, errlen, BX_EINVAL,
                            "%s: slurm.%s: a control character (newline?) in '%s'", where, key,
                            e->valuestring);
        strvec_push(dst, e->valuestring);
    }
    return 0;
}

/* Apply one slurm = {...} group (the file's, then the experiment's) onto o. */
int slurm_opts_apply(slurm_opts *o, const cJSON *grp, const char *file, char *err, size_t errlen)
{
    if (!grp)
        return 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, grp)
    {
        const char *k = it->string;
        if (strstr(k, "#line"))
            continue;
        char where[PATH_MAX + 32];
        snprintf(where, sizeof where, "%s:%d", file ? file : "slurm", line_of(grp, k));
        int known = 0;
        for (const char *const *s = slurm_keys; *s; s++)
            known |= strcmp(*s, k) == 0;
        if (!known) {
            bx_param tbl[20];
            size_t n = 0;
            for (; slurm_keys[n]; n++) {
                memset(&tbl[n], 0, sizeof tbl[n]);
                tbl[n].name = slurm_keys[n];
            }
            memset(&tbl[n], 0, sizeof tbl[n]);
            const char *sug = bxp_suggest(tbl, k);
            return errf(err, errlen, BX_EINVAL, "%s: unknown slurm setting '%s'%s%s%s", where, k,
                        sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
        }
        int rc = 0;
        if (!strcmp(k, "partition"))
            rc = set_str(&o->partition, it, where, k, "._-,", "a partition name", err, errlen);
        else if (!strcmp(k, "account"))
            rc = cJSON_IsString(it) && !*it->valuestring
                     ? 0
                     : set_str(&o->account, it, where, k, "._-", "an account name", err, errlen);
        else if (!strcmp(k, "qos"))
            rc = cJSON_IsString(it) && !*it->valuestring
                     ? 0
                     : set_str(&o->qos, it, where, k, "._-", "a QOS name", err, errlen);
        else if (!strcmp(k, "time_limit"))
            rc = set_str(&o->time_limit, it, where, k, ":-", "a time limit (MM, HH:MM:SS, D-HH:MM)",
                         err, errlen);
        else if (!strcmp(k, "memory"))
            rc = set_str(&o->memory, it, where, k, "", "a memory size (4096, 4G, 500M)", err,
                         errlen);
        else if (!strcmp(k, "job_name"))
            rc = set_str(&o->job_name, it, where, k, "._-", "a job name (letters, digits, . _ -)",
                         err, errlen);
        else if (!strcmp(k, "launch")) {
            rc = set_str(&o->launch, it, where, k, NULL, NULL, err, errlen);
            if (!rc && strcmp(o->launch, "srun") && strcmp(o->launch, "mpirun"))
                rc = errf(err, errlen, BX_EINVAL, "%s: slurm.launch must be 'srun' or 'mpirun'",
                          where);
        } else if (!strcmp(k, "mpi"))
            rc = set_str(&o->mpi, it, where, k, "._-", "an srun --mpi type (pmix, pmi2)", err,
                         errlen);
        else if (!strcmp(k, "spool"))
            rc = set_str(&o->spool, it, where, k, NULL, NULL, err, errlen);
        else if (!strcmp(k, "sandbox"))
            rc = set_str(&o->sandbox, it, where, k, NULL, NULL, err, errlen);
        else if (!strcmp(k, "network"))
            rc = set_str(&o->network, it, where, k, "./:_-,",
                         "a network (198.18.0.0/24) or interface names (ib0,eth1)", err, errlen);
        else if (!strcmp(k, "nodes")) {
            if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 100000 ||
                it->valuedouble != floor(it->valuedouble))
                rc = errf(err, errlen, BX_EINVAL, "%s: slurm.nodes must be a whole number >= 1",
                          where);
            else
                o->nodes = (long)it->valuedouble;
        } else if (!strcmp(k, "pack")) {
            if (!cJSON_IsBool(it))
                rc = errf(err, errlen, BX_EINVAL, "%s: slurm.pack must be true or false", where);
            else
                o->pack = cJSON_IsTrue(it);
        } else if (!strcmp(k, "extra")) {
            rc = set_strs(&o->extra, it, where, k, err, errlen);
            for (size_t i = 0; !rc && i < o->extra.n; i++)
                if (o->extra.v[i][0] != '-')
                    rc = errf(err, errlen, BX_EINVAL,
                              "%s: slurm.extra: '%s' is not an sbatch option (it must start with -)",
                              where, o->extra.v[i]);
        } else if (!strcmp(k, "modules")) {
            rc = set_strs(&o->modules, it, where, k, err, errlen);
        } else if (!strcmp(k, "env")) {
            if (!cJSON_IsObject(it)) {
                rc = errf(err, errlen, BX_EINVAL, "%s: slurm.env must be a group { NAME = \"value\"; }",
                          where);
            } else {
                const cJSON *e;
                cJSON_ArrayForEach(e, it)
                {
                    if (strstr(e->string, "#line"))
                        continue;
                    if (!safe_token(e->string, "_") || isdigit((unsigned char)e->string[0]))
                        return errf(err, errlen, BX_EINVAL,
                                    "%s: slurm.env: '%s' is not a variable name", where, e->string);
                    char *val = cJSON_IsString(e) ? xstrdup(e->valuestring)
                                : cJSON_IsNumber(e) ? xasprintf("%.17g", e->valuedouble)
                                : cJSON_IsBool(e)   ? xstrdup(cJSON_IsTrue(e) ? "1" : "0")
                                                    : NULL;
                    if (!val)
                        return errf(err, errlen, BX_EINVAL,
                                    "%s: slurm.env.%s must be a plain value", where, e->string);
                    strvec_push_owned(&o->env, xasprintf("%s=%s", e->string, val));
                    free(val);
                }
            }
        }
        if (rc)
            return rc;
    }
    if (o->memory) {
        char *end;
        strtoull(o->memory, &end, 10);
        if (end == o->memory || (*end && !(strchr("KMGTkmgt", *end) && !end[1])))
            return errf(err, errlen, BX_EINVAL,
                        "%s: slurm.memory = '%s' is not a memory size (4096, 500M, 4G)",
                        file ? file : "slurm", o->memory);
    }
    return 0;
}

long slurm_nodes(const cJSON *file_slurm, const cJSON *exp_slurm)
{
    slurm_opts so = {0};
    char err[512];
    long nodes = 0;
    /* A bad group is reported by the submission itself; here it only means "not known". */
    if (slurm_opts_apply(&so, file_slurm, "", err, sizeof err) == 0 &&
        slurm_opts_apply(&so, exp_slurm, "", err, sizeof err) == 0)
        nodes = so.nodes;
    slurm_opts_free(&so);
    return nodes;
}
