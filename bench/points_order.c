/*
 * points_order.c — N runs of one series (hpl gflops on node01, NB=192, one hour apart)
 * stored one transaction each into a new database, newest first, oldest first or in a fixed
 * shuffled order; prints the wall and CPU time of the ingest and the series' chunk rows.
 * For bench/points_order.sh, which runs it against the same program built on an earlier
 * version of the store.  Uses only the store's public calls, so it builds on either.
 *
 *     points_order N newest|oldest|shuffled NEW_DB_FILE
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "store.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    int n = argc == 4 ? atoi(argv[1]) : 0;
    if (n <= 0 || (strcmp(argv[2], "newest") && strcmp(argv[2], "oldest") &&
                   strcmp(argv[2], "shuffled"))) {
        fprintf(stderr, "usage: points_order N newest|oldest|shuffled NEW_DB_FILE\n");
        return 2;
    }
    int *order = malloc((size_t)n * sizeof *order);
    if (!order)
        return 1;
    for (int i = 0; i < n; i++)
        order[i] = strcmp(argv[2], "newest") == 0 ? n - 1 - i : i;
    if (strcmp(argv[2], "shuffled") == 0) {
        unsigned x = 12345;
        for (int i = n - 1; i > 0; i--) {
            x = x * 1103515245u + 12345u;
            int j = (int)((x >> 8) % (unsigned)(i + 1)), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
    store *s;
    char err[512];
    if (store_open(argv[3], STORE_CREATE, &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t0 = now_ms();
    for (int k = 0; k < n; k++) {
        int i = order[k];
        char uuid[32], when[32];
        snprintf(uuid, sizeof uuid, "r%d", i);
        time_t t = 1577836800 + 3600 * (time_t)i;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "result_version", 1);
        cJSON_AddStringToObject(d, "uuid", uuid);
        cJSON_AddStringToObject(d, "plugin", "hpl");
        cJSON_AddStringToObject(d, "plugin_version", "1.0.0");
        cJSON_AddStringToObject(d, "status", "ok");
        cJSON_AddNullToObject(d, "error");
        cJSON_AddStringToObject(d, "started_at", when);
        cJSON_AddStringToObject(d, "finished_at", when);
        cJSON_AddStringToObject(d, "host", "node01");
        cJSON_AddNullToObject(d, "job_id");
        cJSON_AddStringToObject(d, "launcher", "local");
        cJSON_AddNumberToObject(d, "ranks", 1);
        cJSON_AddNumberToObject(d, "threads", 1);
        cJSON_AddNumberToObject(d, "repetitions", 1);
        cJSON *p = cJSON_AddObjectToObject(d, "params");
        cJSON *nb = cJSON_AddObjectToObject(p, "NB");
        cJSON_AddStringToObject(nb, "value", "192");
        cJSON_AddStringToObject(nb, "type", "int");
        cJSON *m = cJSON_AddObjectToObject(cJSON_AddObjectToObject(d, "metrics"), "gflops");
        cJSON_AddNumberToObject(m, "value", 40 + i % 13);
        cJSON_AddStringToObject(m, "unit", "GFLOP/s");
        cJSON_AddStringToObject(m, "better", "higher");
        cJSON_AddArrayToObject(d, "tags");
        int64_t id;
        if (store_ingest(s, d, &id, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        cJSON_Delete(d);
    }
    free(order);
    double ms = now_ms() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(store_db(s), "SELECT count(*), max(n) FROM series_points", -1, &st, NULL);
    sqlite3_step(st);
    printf("%s %d runs: %.0f ms (CPU %.0f ms), %d chunks, largest %d points\n", argv[2], n, ms, cpu,
           sqlite3_column_int(st, 0), sqlite3_column_int(st, 1));
    sqlite3_finalize(st);
    store_close(s);
    return 0;
}
