/* push.c — stored runs to another service (`benchaas push`, core/cli/push_cmd.c). */
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

/*
 * Send the runs of filter f (finished here) to server with token,
 * reporting on log.  0 every run accepted, 1 not, 2 the database could not
 * be read (said).  (core/cli/push_cmd.c reads the command line.)
 */
int push_runs(qfilter *f, const char *server, const char *token, FILE *log)
{
    int rc = 2;
    qfilter_finish(f);
    store *st;
    if (query_open_store(f, &st) != 0)
        goto out;
    int64_t *ids = NULL;
    size_t n = 0;
    if (qfilter_select_ids(st, f, &ids, &n) != 0) {
        store_close(st);
        goto out;
    }
    char *url = xasprintf("%.*s/api/v1/results", (int)(strlen(server) - (server[strlen(server) - 1] == '/')), server);
    size_t sent = 0, fresh = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        char err[1024], *answer = NULL;
        cJSON *doc = store_export_run(st, ids[i], err, sizeof err);
        if (!doc) {
            fprintf(log, "benchaas push: run %lld: %s\n", (long long)ids[i], err);
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
            fprintf(log, "benchaas push: run %lld: %s%s%s\n", (long long)ids[i], err,
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
    fprintf(log, "benchaas push: %zu of %zu runs accepted by %s (%zu new, %zu there already)\n",
            sent, n, server, fresh, sent - fresh);
    free(url);
    free(ids);
    store_close(st);
    rc = bad ? 1 : 0;
out:
    return rc;
}
