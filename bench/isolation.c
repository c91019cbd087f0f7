/*
 * isolation.c — what running a service point apart costs (docs/performance.md,
 * "Cost of the isolation").  bench/isolation.sh runs it.
 *
 *   isolation_bench N PLUGIN [NAME=VALUE...]
 *
 * For N rounds, alternating the order each round, one point of PLUGIN is
 * planned and run twice through the same code as the service's scheduler
 * (job_plan_in, run_point):
 *   plain     no site policy: planned here, the worker launched as today;
 *   isolated  the default site policy: planned by a confined `serve
 *             --plan-child`, the worker started as the run-as user under
 *             Landlock in the job's folder;
 *   quota     the same with the default disk quota of a job's folder
 *             (serve --job-disk-quota): the watcher measures the folder
 *             every half second.
 * It prints the median and the interquartile range of each (milliseconds per
 * point, plan + run + ingest) and their ratio.  Run it from the build tree
 * (BENCHAAS_SELF: the benchaas binary, for the plan child).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs.h"
#include "launch.h"
#include "policy.h"
#include "run.h"
#include "serve.h"
#include "stats.h"

static double one_point(store *st, const char *db, const cJSON *exp, const site_policy *pol)
{
    char err[4096], field[256];
    double t0 = mono_now();
    policy_install(pol);
    char *dir = pol ? policy_job_dir(pol, 1, err, sizeof err) : NULL;
    config cfg;
    plan pl;
    int rc = job_plan_in(exp, "local", dir, &cfg, &pl, err, sizeof err, field, sizeof field);
    if (rc != 0) {
        fprintf(stderr, "isolation_bench: %s: %s\n", field, err);
        exit(1);
    }
    char *spool = dir ? xstrdup(dir) : spool_dir_for(db);
    mkdir_p(spool, err, sizeof err);
    char *w0 = worker_path(0), *w1 = worker_path(1);
    cJSON *box = NULL;
    if (pol) {
        strvec dirs = {0};
        plugin_search_path(NULL, &dirs);
        sandbox sb;
        policy_sandbox(pol, dir, &dirs, &sb);
        box = sandbox_to_json(&sb);
        sandbox_free(&sb);
        strvec_free(&dirs);
    }
    point_ctx ctx = {.st = st, .spool = spool, .workers = {w0, w1}, .user = "bench",
                     .sandbox = box};
    cJSON *doc = NULL;
    int64_t id = 0;
    run_point(&pl.points[0], &ctx, &doc, &id);
    const char *status = json_str(doc, "status");
    if (!status || strcmp(status, "ok") != 0) {
        fprintf(stderr, "isolation_bench: the point ended %s: %s\n", status ? status : "?",
                json_str(doc, "error") ? json_str(doc, "error") : "");
        exit(1);
    }
    cJSON_Delete(doc);
    cJSON_Delete(box);
    free(w0);
    free(w1);
    free(spool);
    plan_free(&pl);
    config_free(&cfg);
    policy_dir_remove(dir);
    free(dir);
    policy_install(NULL);
    return (mono_now() - t0) * 1000.0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: isolation_bench N PLUGIN [NAME=VALUE...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    cJSON *exp = cJSON_CreateObject(), *ps = cJSON_AddObjectToObject(exp, "params");
    cJSON_AddStringToObject(exp, "plugin", argv[2]);
    cJSON_AddNumberToObject(exp, "repetitions", 1);
    for (int i = 3; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq) {
            *eq = '\0';
            cJSON_AddStringToObject(ps, argv[i], eq + 1);
        }
    }
    const char *db = "isolation-bench.db";
    char err[4096];
    store *st = NULL;
    if (store_open(db, STORE_CREATE, &st, err, sizeof err) != 0) {
        fprintf(stderr, "isolation_bench: %s\n", err);
        return 1;
    }
    site_policy pol;
    memset(&pol, 0, sizeof pol);
    if (policy_finish(&pol, db, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "isolation_bench: %s\n", err);
        return 1;
    }
    const char *self = getenv("BENCHAAS_SELF");
    if (self) {
        free(pol.self_exe);
        pol.self_exe = xstrdup(self);
    }
    site_policy quota = pol; /* the same, with the default cap (shares pol's strings) */
    quota.job_quota = SERVE_JOB_DISK_QUOTA;
    double *plain = xcalloc((size_t)n, sizeof *plain), *iso = xcalloc((size_t)n, sizeof *iso);
    double *capped = xcalloc((size_t)n, sizeof *capped);
    one_point(st, db, exp, NULL); /* warm the caches once each */
    one_point(st, db, exp, &pol);
    one_point(st, db, exp, &quota);
    for (int i = 0; i < n; i++) { /* each in each place of the order, in turn */
        for (int k = 0; k < 3; k++) {
            int which = (i + k) % 3;
            if (which == 0)
                plain[i] = one_point(st, db, exp, NULL);
            else if (which == 1)
                iso[i] = one_point(st, db, exp, &pol);
            else
                capped[i] = one_point(st, db, exp, &quota);
        }
    }
    double pm = stats_pct_select(plain, (size_t)n, 50), im = stats_pct_select(iso, (size_t)n, 50);
    printf("points: %d of %s each, alternating\n", n, argv[2]);
    printf("plain     median %.2f ms per point (p25 %.2f, p75 %.2f)\n", pm,
           stats_pct_select(plain, (size_t)n, 25), stats_pct_select(plain, (size_t)n, 75));
    printf("isolated  median %.2f ms per point (p25 %.2f, p75 %.2f)\n", im,
           stats_pct_select(iso, (size_t)n, 25), stats_pct_select(iso, (size_t)n, 75));
    printf("cost      +%.2f ms per point, ratio %.2f\n", im - pm, im / pm);
    double qm = stats_pct_select(capped, (size_t)n, 50);
    printf("quota     median %.2f ms per point (p25 %.2f, p75 %.2f)\n", qm,
           stats_pct_select(capped, (size_t)n, 25), stats_pct_select(capped, (size_t)n, 75));
    printf("watcher   %+.2f ms per point over isolated\n", qm - im);
    free(capped);
    free(plain);
    free(iso);
    cJSON_Delete(exp);
    policy_free(&pol);
    store_close(st);
    return 0;
}
