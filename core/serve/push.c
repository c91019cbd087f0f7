/* push.c — `benchaas push --server URL --token T [filters]`: stored runs to another service. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "query.h"
#include "serve.h"
#include "util.h"
#include "webhook.h"

static const char *push_help =
    "usage: benchaas push --server URL [--token TOKEN] [filters]\n"
    "\n"
    "Send the stored runs that match the filters (those of `benchaas query`: --plugin,\n"
    "--tag, --host, --status, --since, --until, --run, --limit, ...) to another BenchaaS\n"
    "service, as result documents (POST URL/api/v1/results).  The service stores each\n"
    "uuid once: pushing again is harmless.  The token (scope upload or submit) comes from\n"
    "--token or BENCHAAS_TOKEN.  Exit 0 when every run was accepted, 1 otherwise.\n";

int cmd_push(int argc, char **argv)
{
    static const char *const valued[] = {"--server", "--token", NULL};
    static const char *const flags[] = {NULL};
    qfilter f;
    memset(&f, 0, sizeof f);
    f.cmd = "push";
    const char *server = NULL, *token = getenv("BENCHAAS_TOKEN");
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        char name[32];
        const char *val;
        int t = query_next_arg("push", argc, argv, &i, valued, flags, name, &val);
        if (t == -1) {
            printf("%s", push_help);
            qfilter_free(&f);
            return 0;
        }
        if (t == 2)
            goto out;
        if (t == 1) {
            query_usage_error("push", "unexpected argument '%s'", val);
            goto out;
        }
        if (strcmp(name, "--server") == 0)
            server = val;
        else if (strcmp(name, "--token") == 0)
            token = val;
        else if (qfilter_option(&f, name, val) != 0)
            goto out;
    }
    if (!server) {
        query_usage_error("push", "--server URL is needed (the service to send the runs to)");
        goto out;
    }
    if (strncmp(server, "http://", 7) != 0 && strncmp(server, "https://", 8) != 0) {
        query_usage_error("push", "--server %s: expected http://HOST:PORT or https://...", server);
        goto out;
    }
    if (!token || !*token) {
        query_usage_error("push", "a token is needed: --token or BENCHAAS_TOKEN");
        goto out;
    }
    qfilter_finish(&f);
    store *st;
    if (query_open_store(&f, &st) != 0)
        goto out;
    int64_t *ids = NULL;
    size_t n = 0;
    if (qfilter_select_ids(st, &f, &ids, &n) != 0) {
        store_close(st);
        goto out;
    }
    char *url = xasprintf("%.*s/api/v1/results", (int)(strlen(server) - (server[strlen(server) - 1] == '/')), server);
    size_t sent = 0, fresh = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        char err[1024], *answer = NULL;
        cJSON *doc = store_export_run(st, ids[i], err, sizeof err);
        if (!doc) {
            fprintf(stderr, "benchaas push: run %lld: %s\n", (long long)ids[i], err);
            bad++;
            continue;
        }
        /* (the service job is this database's; the receiving service has its own) */
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "job");
        /* who ran it here means nothing there: the service stores the token's user */
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "user");
        char *body = cJSON_PrintUnformatted(doc);
        cJSON_Delete(doc);
        long status = 0;
        if (http_post_json(url, body, token, 60, &status, &answer, err, sizeof err) != 0) {
            fprintf(stderr, "benchaas push: run %lld: %s%s%s\n", (long long)ids[i], err,
                    answer ? ": " : "", answer ? answer : "");
            bad++;
            if (status == 401 || status == 403 || status == 0) {
                free(answer);
                free(body);
                break; /* every other run would fail the same way */
            }
        } else {
            sent++;
            fresh += status == 201;
        }
        free(answer);
        free(body);
    }
    fprintf(stderr, "benchaas push: %zu of %zu runs accepted by %s (%zu new, %zu there already)\n",
            sent, n, server, fresh, sent - fresh);
    free(url);
    free(ids);
    store_close(st);
    rc = bad ? 1 : 0;
out:
    qfilter_free(&f);
    return rc;
}
