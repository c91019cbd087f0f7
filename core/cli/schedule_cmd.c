/*
 * schedule_cmd.c — `benchaas schedule add|list|remove` (schedule_cmd.h): a configuration
 * file's experiments, a suite, run by a service at a time of day or every period.  The file
 * is read here as `benchaas run` reads it (its messages, @include relative to it); what the
 * service receives is the JSON form of its experiments, which the service checks again.
 */
#include "schedule_cmd.h"

#include <cjson/cJSON.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgsrc.h"
#include "plan.h"
#include "util.h"
#include "webhook.h"

/* What schedule was told. */
typedef struct {
    const char *action, *arg; /* add CONFIG, list, remove ID */
    const char *server, *token, *every, *at;
    int now, json;
    strvec only;
} sched_args;

static const cli_opt schedule_opts[] = {
    {"--server", 0, CLI_STRING, offsetof(sched_args, server), "--server URL", NULL,
     "the service (BENCHAAS_SERVER): http://HOST:PORT", NULL},
    {"--token", 0, CLI_STRING, offsetof(sched_args, token), "--token TOKEN", NULL,
     "an API token of scope submit (BENCHAAS_TOKEN;\n`benchaas token create`)", NULL},
    {"--at", 0, CLI_STRING, offsetof(sched_args, at), "--at HH:MM", NULL,
     "add: at this time of day (UTC), every day unless --every\nsays otherwise", NULL},
    {"--every", 0, CLI_STRING, offsetof(sched_args, every), "--every PERIOD", NULL,
     "add: every PERIOD (90m, 24h, 7d; at least a minute)", NULL},
    {"--now", 0, CLI_FLAG, offsetof(sched_args, now), NULL, NULL,
     "add: the first run at once (default: it waits for its\ntime, one period from now)", NULL},
    {"--only", 0, CLI_LIST, offsetof(sched_args, only), "--only NAME", NULL,
     "add: only this experiment of the file (repeatable)", NULL},
    {"--json", 0, CLI_FLAG, offsetof(sched_args, json), NULL, NULL,
     "list: the service's JSON answer", NULL},
    CLI_END,
};

const cli_spec cli_schedule_spec = {
    "schedule",
    "schedule add CONFIG.cfg (--at | --every) [--now]\n"
    " [--only]... [--server] [--token]\n"
    "schedule list [--json] [--server] [--token]\n"
    "schedule remove ID [--server] [--token]",
    "The schedules of a BenchaaS service (`benchaas serve`).  A schedule runs the\n"
    "experiments of a configuration file, a suite, as jobs of the service: each day\n"
    "at a time of day (--at 02:30, UTC), or every period (--every 6h), or both.\n"
    "Its first run waits for its time (--now: at once).  After each run the\n"
    "service checks the results for regressions, as `benchaas check` does.\n"
    "\n",
    schedule_opts,
    24,
    "\n"
    "Exit status: 0; 1 when the service could not be reached or refused the\n"
    "request; 2 for bad usage or a configuration the service or this command\n"
    "refuses (the field is named).\n",
    NULL,
};

/* The action and its argument (cli_take_fn). */
static int schedule_take(void *opts, const cli_opt *o, const char *val)
{
    sched_args *a = opts;
    (void)o;
    if (!a->action) {
        if (strcmp(val, "add") && strcmp(val, "list") && strcmp(val, "remove"))
            return cli_usage_error(&cli_schedule_spec, "unknown action '%s' (add, list or remove)",
                                   val);
        a->action = val;
        return 0;
    }
    if (a->arg || strcmp(a->action, "list") == 0)
        return cli_usage_error(&cli_schedule_spec, "unexpected argument '%s'", val);
    a->arg = val;
    return 0;
}

/* A libconfig setting as JSON (an experiment, as the service takes it). */
static cJSON *to_json(const config_setting_t *s)
{
    int n = config_setting_length(s);
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP: {
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            cJSON_AddItemToObject(o, config_setting_name(e), to_json(e));
        }
        return o;
    }
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST: {
        cJSON *a = cJSON_CreateArray();
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(a, to_json(config_setting_get_elem(s, (unsigned)i)));
        return a;
    }
    case CONFIG_TYPE_STRING: return cJSON_CreateString(config_setting_get_string(s));
    case CONFIG_TYPE_BOOL: return cJSON_CreateBool(config_setting_get_bool(s));
    case CONFIG_TYPE_FLOAT: return cJSON_CreateNumber(config_setting_get_float(s));
    case CONFIG_TYPE_INT64: return cJSON_CreateNumber((double)config_setting_get_int64(s));
    default: return cJSON_CreateNumber(config_setting_get_int(s));
    }
}

static int wanted(const strvec *only, const char *name)
{
    if (!only->n)
        return 1;
    for (size_t i = 0; i < only->n; i++)
        if (name && strcmp(only->v[i], name) == 0)
            return 1;
    return 0;
}

/* The experiments of the file at path, each with the file's `defaults` it does not set
 * itself: a JSON list, or NULL with the reason (as `benchaas run` words it) in err. */
static cJSON *suite_of(const char *path, const strvec *only, char *err, size_t errlen)
{
    config cfg;
    if (config_load(path, &cfg, err, errlen) != 0) { /* the checks and messages of `run` */
        config_free(&cfg);
        return NULL;
    }
    config_free(&cfg);
    char *text = NULL;
    size_t len = 0;
    if (read_file(path, 16 << 20, &text, &len, err, errlen) != 0)
        return NULL;
    cfgsrc src;
    int rc = cfgsrc_build(&src, path, text, len, err, errlen);
    free(text);
    config_t c;
    config_init(&c);
    cJSON *list = NULL;
    if (rc == 0 && config_read_string(&c, src.text) == CONFIG_TRUE) {
        const config_setting_t *root = config_root_setting(&c);
        const config_setting_t *exps = config_setting_get_member(root, "experiments");
        const config_setting_t *dflt = config_setting_get_member(root, "defaults");
        cJSON *d = dflt ? to_json(dflt) : cJSON_CreateObject();
        list = cJSON_CreateArray();
        for (int i = 0; exps && i < config_setting_length(exps); i++) {
            cJSON *e = to_json(config_setting_get_elem(exps, (unsigned)i));
            const cJSON *it;
            cJSON_ArrayForEach(it, d)
                if (!cJSON_GetObjectItemCaseSensitive(e, it->string))
                    cJSON_AddItemToObject(e, it->string, cJSON_Duplicate(it, 1));
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
            if (!cJSON_IsString(nm)) /* as `run` names it: after its plugin */
                nm = cJSON_GetObjectItemCaseSensitive(e, "plugin");
            if (wanted(only, cJSON_IsString(nm) ? nm->valuestring : NULL))
                cJSON_AddItemToArray(list, e);
            else
                cJSON_Delete(e);
        }
        cJSON_Delete(d);
        if (cJSON_GetArraySize(list) == 0) {
            errf(err, errlen, 2, "%s: no experiment named by --only", path);
            cJSON_Delete(list);
            list = NULL;
        }
    } else if (rc == 0) {
        errf(err, errlen, 2, "%s:%d: %s", path, config_error_line(&c), config_error_text(&c));
    }
    config_destroy(&c);
    cfgsrc_free(&src);
    return list;
}

/* Call the service: 0 with its answer (parsed; the caller frees), else the exit code
 * after a message (2 when it refused the input, naming the field, 1 otherwise). */
static int call(const sched_args *a, const char *method, const char *path, const char *body,
                cJSON **answer)
{
    size_t n = strlen(a->server);
    char *url = xasprintf("%.*s%s", (int)(n - (n && a->server[n - 1] == '/')), a->server, path);
    char err[1024], *text = NULL;
    long status = 0;
    int rc = http_call_json(method, url, body, a->token, 60, &status, &text, err, sizeof err);
    free(url);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (rc == 0) {
        *answer = j;
        return 0;
    }
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
    if (status == 0)
        fprintf(stderr, "benchaas schedule: %s\n", err);
    else
        fprintf(stderr, "benchaas schedule: the service answered %ld: %s\n", status,
                cJSON_IsString(msg) ? msg->valuestring : "no reason given");
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(e, "fields"))
        if (cJSON_IsString(f))
            fprintf(stderr, "  %s: %s\n", f->string, f->valuestring);
    cJSON_Delete(j);
    return status == 400 || status == 404 ? 2 : 1;
}

/* A period as it is written: "24h", "90m", "7d". */
static const char *period(long long s, char *buf, size_t len)
{
    if (s > 0 && s % 86400 == 0)
        snprintf(buf, len, "%lldd", s / 86400);
    else if (s > 0 && s % 3600 == 0)
        snprintf(buf, len, "%lldh", s / 3600);
    else if (s > 0 && s % 60 == 0)
        snprintf(buf, len, "%lldm", s / 60);
    else
        snprintf(buf, len, "%llds", s);
    return buf;
}

static int schedule_list(const sched_args *a)
{
    cJSON *j = NULL;
    int rc = call(a, "GET", "/api/v1/schedules", NULL, &j);
    if (rc)
        return rc;
    if (a->json) {
        char *t = cJSON_Print(j);
        puts(t ? t : "{}");
        free(t);
        cJSON_Delete(j);
        return 0;
    }
    const cJSON *s;
    printf("%-4s %-12s %-6s %-21s %-8s %s\n", "ID", "USER", "EVERY", "NEXT (UTC)", "LAST JOB",
           "EXPERIMENTS");
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(j, "schedules")) {
        const cJSON *user = cJSON_GetObjectItemCaseSensitive(s, "user");
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(s, "next_at");
        const cJSON *last = cJSON_GetObjectItemCaseSensitive(s, "last_job");
        printf("%-4.0f %-12s ", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "id")),
               cJSON_IsString(user) ? user->valuestring : "?");
        char pb[32];
        printf("%-6s %-21s ", period((long long)cJSON_GetNumberValue(
                                  cJSON_GetObjectItemCaseSensitive(s, "every_seconds")),
                              pb, sizeof pb),
               cJSON_IsString(next) ? next->valuestring : "-");
        if (cJSON_IsNumber(last))
            printf("%-8.0f ", last->valuedouble);
        else
            printf("%-8s ", "-");
        const cJSON *e;
        int k = 0;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s, "jobs")) {
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "plugin");
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
            printf("%s%s", k++ ? ", " : "", cJSON_IsString(p) ? p->valuestring : "?");
            if (cJSON_IsString(nm) && (!cJSON_IsString(p) || strcmp(nm->valuestring,
                                                                     p->valuestring)))
                printf(" (%s)", nm->valuestring);
        }
        putchar('\n');
    }
    cJSON_Delete(j);
    return 0;
}

static int schedule_add(const sched_args *a)
{
    if (!a->arg)
        return cli_usage_error(&cli_schedule_spec, "add needs a configuration file");
    if (!a->at && !a->every)
        return cli_usage_error(&cli_schedule_spec,
                               "add needs --at HH:MM or --every PERIOD (when it runs)");
    char err[4096];
    cJSON *suite = suite_of(a->arg, &a->only, err, sizeof err);
    if (!suite) {
        fprintf(stderr, "benchaas schedule: %s\n", err);
        return 2;
    }
    cJSON *b = cJSON_CreateObject();
    cJSON_AddItemToObject(b, "jobs", suite);
    if (a->every)
        cJSON_AddStringToObject(b, "every", a->every);
    if (a->at)
        cJSON_AddStringToObject(b, "at", a->at);
    if (a->now)
        cJSON_AddTrueToObject(b, "now");
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    cJSON *j = NULL;
    int rc = call(a, "POST", "/api/v1/schedules", body, &j);
    free(body);
    if (rc)
        return rc;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "schedule");
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(s, "next_at");
    char pb[32];
    printf("schedule %.0f: %.0f experiment(s) every %s, first at %s UTC\n",
           cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "id")),
           cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "experiments")),
           period((long long)cJSON_GetNumberValue(
                      cJSON_GetObjectItemCaseSensitive(s, "every_seconds")),
                  pb, sizeof pb),
           cJSON_IsString(next) ? next->valuestring : "?");
    cJSON_Delete(j);
    return 0;
}

static int schedule_remove(const sched_args *a)
{
    char *end = NULL;
    long long id = a->arg ? strtoll(a->arg, &end, 10) : 0;
    if (!a->arg || *end || id <= 0)
        return cli_usage_error(&cli_schedule_spec, "remove needs a schedule's id (a number; "
                                                   "`benchaas schedule list` shows them)");
    char *path = xasprintf("/api/v1/schedules/%lld", id);
    cJSON *j = NULL;
    int rc = call(a, "DELETE", path, NULL, &j);
    free(path);
    if (!rc)
        printf("schedule %lld removed\n", id);
    cJSON_Delete(j);
    return rc;
}

int cmd_schedule(int argc, char **argv)
{
    sched_args a;
    memset(&a, 0, sizeof a);
    int rc = cli_parse(&cli_schedule_spec, argc, argv, &a, schedule_take);
    if (rc) {
        strvec_free(&a.only);
        return rc < 0 ? 0 : 2;
    }
    if (!a.server)
        a.server = getenv("BENCHAAS_SERVER");
    if (!a.token)
        a.token = getenv("BENCHAAS_TOKEN");
    if (!a.action)
        rc = cli_usage_error(&cli_schedule_spec, "add, list or remove?");
    else if (!a.server || (strncmp(a.server, "http://", 7) && strncmp(a.server, "https://", 8)))
        rc = cli_usage_error(&cli_schedule_spec, "--server http://HOST:PORT is needed (or "
                                                 "BENCHAAS_SERVER)");
    else if (!a.token || !*a.token)
        rc = cli_usage_error(&cli_schedule_spec, "a token is needed: --token or BENCHAAS_TOKEN");
    else if (strcmp(a.action, "list") == 0)
        rc = schedule_list(&a);
    else if (strcmp(a.action, "add") == 0)
        rc = schedule_add(&a);
    else
        rc = schedule_remove(&a);
    strvec_free(&a.only);
    return rc;
}
