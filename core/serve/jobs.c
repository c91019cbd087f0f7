/* jobs.c — jobs: validation through the configuration code, storage, JSON (see jobs.h). */
#define _GNU_SOURCE
#include "jobs.h"

#include <ctype.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apart.h"
#include "headline.h"
#include "policy.h"
#include "util.h"

/* ---- JSON -> libconfig text ------------------------------------------------ */

typedef struct cfgtext {
    char *buf;
    size_t len, cap;
    int line;         /* the line being written (1-based) */
    char **field;     /* field name of each line (index = line) */
    int nfield;
    int bad;          /* a key that is not a libconfig name */
    char badkey[128];
} cfgtext;

static void put(cfgtext *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->buf = xrealloc(t->buf, t->cap);
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
    for (const char *p = s; *p; p++)
        if (*p == '\n')
            t->line++;
}

static void set_field(cfgtext *t, const char *field)
{
    if (t->line >= t->nfield) {
        int n = t->line + 16;
        t->field = xrealloc(t->field, (size_t)n * sizeof *t->field);
        for (int i = t->nfield; i < n; i++)
            t->field[i] = NULL;
        t->nfield = n;
    }
    free(t->field[t->line]);
    t->field[t->line] = xstrdup(field);
}

static int name_ok(const char *k)
{
    if (!k || !(isalpha((unsigned char)k[0]) || k[0] == '*'))
        return 0;
    for (const char *p = k; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '*')
            return 0;
    return strlen(k) < 100;
}

static void put_value(cfgtext *t, const cJSON *v);

static void put_string(cfgtext *t, const char *s)
{
    put(t, "\"");
    char b[8];
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            b[0] = '\\';
            b[1] = (char)*p;
            b[2] = '\0';
        } else if (*p < 0x20) {
            snprintf(b, sizeof b, "\\x%02x", *p);
        } else {
            b[0] = (char)*p;
            b[1] = '\0';
        }
        put(t, b);
    }
    put(t, "\"");
}

static void put_members(cfgtext *t, const cJSON *obj, const char *prefix, int lines)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        if (!name_ok(it->string)) {
            if (!t->bad)
                snprintf(t->badkey, sizeof t->badkey, "%s%s", prefix,
                         it->string ? it->string : "");
            t->bad = 1;
            continue;
        }
        if (lines) {
            char *f = xasprintf("%s%s", prefix, it->string);
            set_field(t, f);
            free(f);
        }
        put(t, it->string);
        put(t, " = ");
        put_value(t, it);
        put(t, lines ? ";\n" : "; ");
    }
}

static void put_value(cfgtext *t, const cJSON *v)
{
    char b[64];
    if (cJSON_IsString(v)) {
        put_string(t, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsBool(v)) {
        put(t, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 2147483647.0)
            snprintf(b, sizeof b, "%d", (int)d);
        else if (d == floor(d) && fabs(d) < 9.0e15)
            snprintf(b, sizeof b, "%lldL", (long long)d);
        else {
            snprintf(b, sizeof b, "%.17g", d);
            if (!strpbrk(b, ".eEn"))
                strcat(b, ".0");
        }
        put(t, b);
    } else if (cJSON_IsArray(v)) {
        put(t, "(");
        const cJSON *it;
        int first = 1;
        cJSON_ArrayForEach(it, v)
        {
            if (!first)
                put(t, ", ");
            first = 0;
            put_value(t, it);
        }
        put(t, ")");
    } else if (cJSON_IsObject(v)) {
        put(t, "{ ");
        put_members(t, v, "", 0);
        put(t, "}");
    } else {
        put(t, "\"\""); /* null: an empty string, refused where a value is needed */
    }
}

static void cfgtext_free(cfgtext *t)
{
    free(t->buf);
    for (int i = 0; i < t->nfield; i++)
        free(t->field[i]);
    free(t->field);
}

/* The libconfig text of one experiment; the field of each line in t->field. */
static void experiment_text(const cJSON *exp, cfgtext *t)
{
    memset(t, 0, sizeof *t);
    t->line = 1;
    put(t, "experiments = (\n{\n");
    const cJSON *it;
    cJSON_ArrayForEach(it, exp)
    {
        /* each_node is the service's (benchaas submit --each-node), not a setting */
        if (it->string && strcmp(it->string, "each_node") == 0)
            continue;
        if (it->string && (strcmp(it->string, "params") == 0 || strcmp(it->string, "slurm") == 0) &&
            cJSON_IsObject(it)) {
            set_field(t, it->string);
            put(t, it->string);
            put(t, " = {\n");
            char *prefix = xasprintf("%s.", it->string);
            put_members(t, it, prefix, 1);
            free(prefix);
            put(t, "};\n");
            continue;
        }
        if (!name_ok(it->string)) {
            if (!t->bad)
                snprintf(t->badkey, sizeof t->badkey, "%s", it->string ? it->string : "");
            t->bad = 1;
            continue;
        }
        set_field(t, it->string);
        put(t, it->string);
        put(t, " = ");
        put_value(t, it);
        put(t, ";\n");
    }
    put(t, "}\n);\n");
}

/* "job:7: message" -> field of line 7 and "message". */
static void split_message(const cfgtext *t, const char *msg, char *err, size_t errlen,
                          char *field, size_t fieldlen)
{
    snprintf(field, fieldlen, "experiment");
    const char *p = msg;
    if (strncmp(p, "job:", 4) == 0 && isdigit((unsigned char)p[4])) {
        char *end;
        long line = strtol(p + 4, &end, 10);
        if (line > 0 && line < t->nfield && t->field[line])
            snprintf(field, fieldlen, "%s", t->field[line]);
        p = end;
        if (p[0] == ':' && p[1] == ' ')
            p += 2;
        else if (p[0] == ' ')
            p += 1;
    }
    snprintf(err, errlen, "%s", p);
}

/* 1 when word w stands alone in msg (no letter, digit or '_' on either side). */
static int has_word(const char *msg, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = msg; n && (p = strstr(p, w)); p++) {
        int before = p > msg && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = isalnum((unsigned char)p[n]) || p[n] == '_';
        if (!before && !after)
            return 1;
    }
    return 0;
}

/*
 * A plugin's own check() names no field: put its message on the parameter
 * it names, else the one whose value (or the value's folder) it quotes, so
 * that the error sits beside that field.  field unchanged when none.
 */
static void check_field(const config *cfg, const char *msg, char *field, size_t fieldlen)
{
    if ((strcmp(field, "experiment") != 0 && strcmp(field, "plugin") != 0) || cfg->nexps != 1)
        return;
    const experiment *e = &cfg->exps[0];
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < e->ndims; k++) {
            const dim *d = &e->dims[k];
            int hit = (d->kind & 0xff) == DIM_PARAM && pass == 0 && has_word(msg, d->name);
            for (size_t i = 0; !hit && pass == 1 && (d->kind & 0xff) == DIM_PARAM &&
                               i < d->values.n; i++) {
                const char *v = d->values.v[i], *slash = strrchr(v, '/');
                hit = (strlen(v) > 1 && strstr(msg, v)) ||
                      (slash && slash - v > 1 &&
                       memmem(msg, strlen(msg), v, (size_t)(slash - v)));
            }
            if (hit) {
                snprintf(field, fieldlen, "params.%s", d->name);
                return;
            }
        }
}

/* job_plan here, in this process; pure: no plugin code (cli_overrides.no_plugin_code). */
static int plan_here(const cJSON *exp, const char *launcher, int pure, config *cfg, plan *pl,
                     char *err, size_t errlen, char *field, size_t fieldlen)
{
    memset(pl, 0, sizeof *pl);
    memset(cfg, 0, sizeof *cfg);
    settings_init(&cfg->defaults);
    snprintf(field, fieldlen, "experiment");
    if (!cJSON_IsObject(exp))
        return errf(err, errlen, BX_EINVAL, "an experiment is a JSON object");
    const cJSON *pg = cJSON_GetObjectItemCaseSensitive(exp, "plugin");
    if (!cJSON_IsString(pg)) {
        snprintf(field, fieldlen, "plugin");
        return errf(err, errlen, BX_EINVAL, "'plugin' (a plugin name) is missing");
    }
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(exp, "launcher");
    if (cJSON_IsString(l) && strcmp(l->valuestring, "slurm") == 0 &&
        strcmp(launcher, "slurm") != 0) {
        snprintf(field, fieldlen, "launcher");
        return errf(err, errlen, BX_EINVAL,
                    "this service runs jobs here (--launcher local): launcher 'slurm' is not "
                    "available");
    }
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(exp, "each_node");
    if (en && (!cJSON_IsBool(en) || (cJSON_IsTrue(en) && strcmp(launcher, "slurm") != 0))) {
        snprintf(field, fieldlen, "each_node");
        return errf(err, errlen, BX_EINVAL,
                    cJSON_IsBool(en) ? "each_node runs every point on every node through Slurm: "
                                       "this service runs jobs here (--launcher local)"
                                     : "each_node must be true or false");
    }
    cfgtext t;
    experiment_text(exp, &t);
    if (t.bad) {
        snprintf(field, fieldlen, "%s", t.badkey[0] ? t.badkey : "experiment");
        int rc = errf(err, errlen, BX_EINVAL,
                      "'%s' is not a setting name (letters, digits, '-' and '_')", t.badkey);
        cfgtext_free(&t);
        return rc;
    }
    char msg[4096];
    int rc = config_load_text("job", t.buf, t.len, cfg, msg, sizeof msg);
    if (rc == 0) {
        cli_overrides ov;
        memset(&ov, 0, sizeof ov);
        settings_init(&ov.set);
        strvec none = {0};
        ov.plugin_dirs = &none;
        if (strcmp(launcher, "slurm") == 0)
            ov.set.launcher = xstrdup("slurm");
        ov.no_plugin_code = pure;
        rc = plan_build(cfg, &ov, pl, msg, sizeof msg);
        settings_free(&ov.set);
    }
    if (rc != 0) {
        split_message(&t, msg, err, errlen, field, fieldlen);
        check_field(cfg, err, field, fieldlen);
    }
    cfgtext_free(&t);
    return rc;
}

/*
 * Under the site's policy (the service): the core's checks here, the values
 * that name paths and hosts against the policy, then the plugin's own code
 * (check, expand) in a confined child working in dir (NULL: a fresh empty
 * folder), whose points replace ours.
 */
int job_plan_in(const cJSON *exp, const char *launcher, const char *dir, config *cfg, plan *pl,
                char *err, size_t errlen, char *field, size_t fieldlen)
{
    const site_policy *p = policy_current();
    int rc = plan_here(exp, launcher, p != NULL, cfg, pl, err, errlen, field, fieldlen);
    if (rc && p)
        policy_hide_paths(p, err, errlen);
    if (rc || !p)
        return rc;
    if (cfg->nexps != 1 || pl->nplugins != 1 || !pl->npoints)
        return errf(err, errlen, BX_EINVAL, "a job is one experiment");
    rc = policy_check_experiment(p, &cfg->exps[0], pl->plugins[0].desc, field, fieldlen, err,
                                 errlen);
    if (rc)
        return rc;
    char *tmp = dir ? NULL : policy_check_dir(p, err, errlen);
    if (!dir && !tmp)
        return BX_EIO;
    cJSON *points = NULL;
    rc = apart_plan(p, exp, launcher, dir ? dir : tmp, &points, err, errlen, field, fieldlen);
    policy_dir_remove(tmp);
    free(tmp);
    if (rc == 0)
        rc = plan_adopt(pl, points, err, errlen);
    cJSON_Delete(points);
    if (rc)
        policy_hide_paths(p, err, errlen);
    return rc;
}

int job_plan(const cJSON *exp, const char *launcher, config *cfg, plan *pl, char *err,
             size_t errlen, char *field, size_t fieldlen)
{
    return job_plan_in(exp, launcher, NULL, cfg, pl, err, errlen, field, fieldlen);
}

/* The points exp asks for, from its lists alone (before anything is expanded):
 * the product of the lengths, or the longest list with "sweep":"zip". */
long job_count_points(const cJSON *exp)
{
    const cJSON *sw = cJSON_GetObjectItemCaseSensitive(exp, "sweep");
    int zip = cJSON_IsString(sw) && strcmp(sw->valuestring, "zip") == 0;
    const cJSON *lists[] = {cJSON_GetObjectItemCaseSensitive(exp, "params"),
                            cJSON_GetObjectItemCaseSensitive(exp, "ranks"),
                            cJSON_GetObjectItemCaseSensitive(exp, "threads")};
    double total = 1, longest = 1;
    for (size_t k = 0; k < 3; k++) {
        const cJSON *it;
        if (cJSON_IsArray(lists[k])) {
            double n = cJSON_GetArraySize(lists[k]);
            total *= n > 0 ? n : 1;
            longest = n > longest ? n : longest;
            continue;
        }
        if (k != 0 || !cJSON_IsObject(lists[k]))
            continue;
        cJSON_ArrayForEach(it, lists[k])
        {
            double n = cJSON_IsArray(it) ? cJSON_GetArraySize(it) : 1;
            total *= n > 0 ? n : 1;
            longest = n > longest ? n : longest;
        }
    }
    double n = zip ? longest : total;
    return n > 1e15 ? (long)1e15 : (long)n;
}

cJSON *job_tagged_experiment(const cJSON *exp, int64_t job)
{
    cJSON *e = cJSON_Duplicate(exp, 1);
    if (!e)
        return NULL;
    cJSON *tags = cJSON_GetObjectItemCaseSensitive(e, "tags");
    if (cJSON_IsString(tags)) {
        cJSON *one = cJSON_CreateArray();
        cJSON_AddItemToArray(one, cJSON_CreateString(tags->valuestring));
        cJSON_ReplaceItemInObjectCaseSensitive(e, "tags", one);
        tags = one;
    } else if (!cJSON_IsArray(tags)) {
        cJSON_DeleteItemFromObjectCaseSensitive(e, "tags");
        tags = cJSON_AddArrayToObject(e, "tags");
    }
    char tag[64];
    job_tag(job, tag, sizeof tag);
    cJSON_AddItemToArray(tags, cJSON_CreateString(tag));
    return e;
}

void job_tag(int64_t job, char *buf, size_t len)
{
    snprintf(buf, len, "benchaas-job=%lld", (long long)job);
}

/* ---- storing ------------------------------------------------------------------ */

static int64_t one_int(sqlite3 *db, const char *sql, const char *a, int64_t b)
{
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_bind_parameter_count(s) >= 1)
        sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, b);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

int job_submit(store *st, const char *user, const cJSON *exp, const char *launcher,
               const job_quotas *q, int64_t schedule_id, int64_t *id, cJSON **fields, char *err,
               size_t errlen)
{
    config cfg;
    plan pl;
    char field[256];
    *fields = NULL;
    long want = cJSON_IsObject(exp) ? job_count_points(exp) : 0;
    if (q->points > 0 && want > q->points) { /* counted before anything is expanded */
        errf(err, errlen, 0, "the job has %ld points; the quota is %ld per job", want, q->points);
        return 429;
    }
    if (job_plan(exp, launcher, &cfg, &pl, err, errlen, field, sizeof field) != 0) {
        *fields = cJSON_CreateObject();
        cJSON_AddStringToObject(*fields, field, err);
        plan_free(&pl);
        config_free(&cfg);
        return 400;
    }
    int status = 0;
    sqlite3 *db = store_db(st);
    if (q->points > 0 && (long)pl.npoints > q->points) {
        errf(err, errlen, 0, "the job has %zu points; the quota is %ld per job", pl.npoints,
             q->points);
        status = 429;
    }
    for (size_t i = 0; !status && i < pl.npoints; i++)
        if (q->ranks > 0 && pl.points[i].ranks > q->ranks) {
            errf(err, errlen, 0, "a point asks for %d ranks; the quota is %ld per point",
                 pl.points[i].ranks, q->ranks);
            status = 429;
        }
    if (!status && q->queued_jobs > 0 &&
        one_int(db, "SELECT count(*) FROM jobs WHERE user = ?1 AND state IN ('queued','running')",
                user, 0) >= q->queued_jobs) {
        errf(err, errlen, 0, "%s has %ld jobs queued or running already (the quota)", user,
             q->queued_jobs);
        status = 429;
    }
    if (status) {
        plan_free(&pl);
        config_free(&cfg);
        return status;
    }
    char now[32], *text = cJSON_PrintUnformatted(exp);
    iso_now(now, sizeof now);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO jobs(user, plugin, name, experiment_json, state, "
                                "npoints, schedule_id, created_at) VALUES (?1,?2,?3,?4,'queued',"
                                "?5,?6,?7)",
                                -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, pl.points[0].plugin->desc->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, cfg.exps[0].name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 5, (int64_t)pl.npoints);
        if (schedule_id > 0)
            sqlite3_bind_int64(s, 6, schedule_id);
        sqlite3_bind_text(s, 7, now, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_finalize(s);
        s = NULL;
    }
    int64_t jid = sqlite3_last_insert_rowid(db);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO job_points(job_id, idx, label, state) VALUES "
                                "(?1,?2,?3,'queued')",
                                -1, &s, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < pl.npoints; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, jid);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        sqlite3_bind_text(s, 3, pl.points[i].label, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        errf(err, errlen, 0, "cannot store the job: %s", sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        status = 500;
    } else {
        *id = jid;
    }
    free(text);
    plan_free(&pl);
    config_free(&cfg);
    return status;
}

static void add_text(cJSON *o, const char *k, sqlite3_stmt *s, int col)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    if (t)
        cJSON_AddStringToObject(o, k, t);
    else
        cJSON_AddNullToObject(o, k);
}

cJSON *job_json(store *st, int64_t id)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, state, user, plugin, name, npoints, created_at, "
                           "started_at, ended_at, error, experiment_json, schedule_id FROM jobs "
                           "WHERE id = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(s, 1, id);
    cJSON *j = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "id", (double)sqlite3_column_int64(s, 0));
        add_text(j, "state", s, 1);
        add_text(j, "user", s, 2);
        add_text(j, "plugin", s, 3);
        add_text(j, "name", s, 4);
        cJSON_AddNumberToObject(j, "points", (double)sqlite3_column_int64(s, 5));
        add_text(j, "created_at", s, 6);
        add_text(j, "started_at", s, 7);
        add_text(j, "ended_at", s, 8);
        add_text(j, "error", s, 9);
        cJSON *exp = cJSON_Parse((const char *)sqlite3_column_text(s, 10));
        cJSON_AddItemToObject(j, "experiment", exp ? exp : cJSON_CreateNull());
        if (sqlite3_column_type(s, 11) != SQLITE_NULL)
            cJSON_AddNumberToObject(j, "schedule", (double)sqlite3_column_int64(s, 11));
    }
    sqlite3_finalize(s);
    if (!j)
        return NULL;
    cJSON *runs = cJSON_AddArrayToObject(j, "runs");
    cJSON *states = cJSON_AddObjectToObject(j, "point_states");
    if (sqlite3_prepare_v2(db,
                           "SELECT idx, state, run_id, label FROM job_points WHERE job_id = ?1 "
                           "ORDER BY idx",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (sqlite3_column_type(s, 2) != SQLITE_NULL)
                cJSON_AddItemToArray(runs,
                                     cJSON_CreateNumber((double)sqlite3_column_int64(s, 2)));
            const char *state = (const char *)sqlite3_column_text(s, 1);
            cJSON *c = cJSON_GetObjectItemCaseSensitive(states, state);
            if (c)
                cJSON_SetNumberValue(c, c->valuedouble + 1);
            else
                cJSON_AddNumberToObject(states, state, 1);
        }
        sqlite3_finalize(s);
    }
    return j;
}

int job_owner(store *st, int64_t id, char *owner, size_t len)
{
    sqlite3_stmt *s;
    int rc = BX_EINVAL;
    if (sqlite3_prepare_v2(store_db(st), "SELECT user FROM jobs WHERE id = ?1", -1, &s, NULL) !=
        SQLITE_OK)
        return BX_EIO;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(owner, len, "%s", (const char *)sqlite3_column_text(s, 0));
        rc = 0;
    }
    sqlite3_finalize(s);
    return rc;
}

int job_cancel(store *st, int64_t id, char *err, size_t errlen)
{
    sqlite3 *db = store_db(st);
    char now[32];
    iso_now(now, sizeof now);
    sqlite3_stmt *s;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    int changed = 0, rc = 0;
    if (sqlite3_prepare_v2(db,
                           "UPDATE jobs SET state = 'cancelled', ended_at = ?2 WHERE id = ?1 AND "
                           "state IN ('queued','running')",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : BX_EIO;
        changed = sqlite3_changes(db);
        sqlite3_finalize(s);
    } else {
        rc = BX_EIO;
    }
    if (rc == 0 && changed &&
        sqlite3_prepare_v2(db,
                           "UPDATE job_points SET state = 'cancelled' WHERE job_id = ?1 AND "
                           "state = 'queued'",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : BX_EIO;
        sqlite3_finalize(s);
    }
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return changed ? 0 : 1;
    errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return BX_EIO;
}

/* ---- what the pages list ---------------------------------------------------------- */

static char *col_dup(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    return xstrdup(t ? t : "");
}

int job_list(store *st, const char *state, const char *user, int newest, int limit,
             job_row **out, size_t *n, char *err, size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    *out = NULL;
    *n = 0;
    char *sql = xasprintf("SELECT j.id, j.user, j.plugin, j.name, j.state, j.npoints, (SELECT "
                          "count(*) FROM job_points p WHERE p.job_id = j.id AND p.state = "
                          "'done'), j.created_at FROM jobs j WHERE (?1 IS NULL OR j.state = ?1) "
                          "AND (?2 IS NULL OR j.user = ?2) ORDER BY j.id %s LIMIT ?3",
                          newest ? "DESC" : "ASC");
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    free(sql);
    if (rc != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, limit);
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        job_row *j = &(*out)[(*n)++];
        j->id = sqlite3_column_int64(s, 0);
        j->user = col_dup(s, 1);
        j->plugin = col_dup(s, 2);
        j->name = col_dup(s, 3);
        j->state = col_dup(s, 4);
        j->npoints = sqlite3_column_int(s, 5);
        j->done = sqlite3_column_int(s, 6);
        j->created_at = col_dup(s, 7);
    }
    sqlite3_finalize(s);
    return 0;
}

void job_rows_free(job_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].user);
        free(v[i].plugin);
        free(v[i].name);
        free(v[i].state);
        free(v[i].created_at);
    }
    free(v);
}

int job_count(store *st, const char *state)
{
    sqlite3_stmt *s;
    int n = -1;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM jobs WHERE state = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, state, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

int job_points_done(store *st, int64_t job)
{
    sqlite3_stmt *s;
    int n = 0;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT count(*) FROM job_points WHERE job_id = ?1 AND state = 'done'",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, job);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

int job_oldest_queued(store *st, int64_t *id, char *created_at, size_t len)
{
    sqlite3_stmt *s;
    int found = 0;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT id, created_at FROM jobs WHERE state = 'queued' ORDER BY id "
                           "LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 1);
        *id = sqlite3_column_int64(s, 0);
        snprintf(created_at, len, "%s", t ? t : "");
        found = 1;
    }
    sqlite3_finalize(s);
    return found;
}

int job_point_rows(store *st, int64_t job, job_point_row **out, size_t *n, char *err,
                   size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT p.idx, p.label, p.state, r.id, r.status, m.name, m.value, "
                           "m.unit, r.error, coalesce((SELECT value FROM provenance WHERE "
                           "run_id = r.id AND key = 'nodes'), (SELECT name FROM hosts WHERE "
                           "id = r.host_id)) FROM job_points p LEFT JOIN runs r ON r.id = "
                           "p.run_id" HEADLINE_JOIN "WHERE p.job_id = ?1 ORDER BY p.idx",
                           -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "%s", sqlite3_errmsg(db));
    sqlite3_bind_int64(s, 1, job);
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        job_point_row *p = &(*out)[(*n)++];
        p->idx = sqlite3_column_int(s, 0);
        p->label = col_dup(s, 1);
        p->state = col_dup(s, 2);
        p->run_id = sqlite3_column_type(s, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 3);
        p->run_status = col_dup(s, 4);
        p->metric = col_dup(s, 5);
        p->has_value = sqlite3_column_type(s, 6) != SQLITE_NULL;
        p->value = sqlite3_column_double(s, 6);
        p->unit = col_dup(s, 7);
        p->error = sqlite3_column_type(s, 8) == SQLITE_NULL ? NULL : col_dup(s, 8);
        p->nodes = col_dup(s, 9);
    }
    sqlite3_finalize(s);
    return 0;
}

void job_point_rows_free(job_point_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].label);
        free(v[i].state);
        free(v[i].run_status);
        free(v[i].metric);
        free(v[i].unit);
        free(v[i].error);
        free(v[i].nodes);
    }
    free(v);
}

char *job_ok_runs_selector(store *st, int64_t job)
{
    sqlite3_stmt *s;
    char *out = NULL;
    if (sqlite3_prepare_v2(store_db(st), "SELECT 'run:' || group_concat(id) FROM (SELECT id "
                                         "FROM runs WHERE job = ?1 AND status = 'ok' ORDER BY "
                                         "id LIMIT 1000)",
                           -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(s, 1, job);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        out = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}
