/* collect.c — ingest the finished result documents of a spool folder (`benchaas collect`). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "launch.h"
#include "run.h"

/*
 * A local or mpi run whose spec has no result and no owner: its runner
 * held the spec's lock for the whole run and is gone (kill -9, a crash, a
 * reboot), and with it the worker (launch.c).  Record the run as
 * `interrupted`, once, and remove the spec.  Slurm's specs are left to the
 * reconciliation with Slurm's job states (the job may still be queued).
 * 1 if it could not be recorded, else 0.
 */
static int collect_orphan(store *st, const char *spec_path, int keep, int verbose,
                          size_t *ingested)
{
    char *result = xasprintf("%.*s.result.json", (int)(strlen(spec_path) - 10), spec_path);
    int has_result = access(result, F_OK) == 0;
    free(result);
    if (has_result)
        return 0; /* in flight, or a document refused above */
    int lock = spool_lock_spec(spec_path);
    if (lock < 0)
        return 0; /* in flight (SPOOL_BUSY), or gone since we listed it */
    char err[2048], *text = NULL;
    cJSON *j = NULL;
    runspec s;
    memset(&s, 0, sizeof s);
    int64_t id;
    int rc = 0;
    if (read_file(spec_path, BX_DOC_MAX, &text, NULL, err, sizeof err) != 0 ||
        !(j = cJSON_ParseWithOpts(text, NULL, 1)) || spec_from_json(j, &s, err, sizeof err) != 0) {
        /* Not a spec we can read: leave it alone (and say nothing, as before). */
    } else if (!launcher_by_name(s.launcher)) {
        /* a batch launcher's (slurm): reconcile() decides */
    } else if (store_find_run(st, s.uuid, &id, err, sizeof err) == 0) {
        /* already stored (its result was collected, or kept with --keep-spool) */
    } else {
        cJSON *doc = result_for_failure(&s, "interrupted",
                                        "its runner stopped before the run finished (killed?); "
                                        "recorded by `benchaas collect`",
                                        -1);
        if (store_ingest(st, doc, &id, err, sizeof err) != 0) {
            say("not recorded: %s: %s", spec_path, err);
            rc = 1;
        } else {
            (*ingested)++;
            if (verbose)
                fprintf(stderr, "benchaas: stored run %lld from %s: interrupted (no runner)\n",
                        (long long)id, spec_path);
            if (!keep)
                unlink(spec_path);
        }
        cJSON_Delete(doc);
    }
    spec_free(&s);
    cJSON_Delete(j);
    free(text);
    close(lock);
    return rc;
}

/*
 * Documents ingested in the open batch: their files are removed, and the
 * runs reported, only once the batch is committed (a crash or a failed
 * commit leaves every one of them in the spool for the next collect).
 */
typedef struct pending {
    strvec results, specs; /* files to remove after the commit (not with --keep-spool) */
    int64_t *ids;
    size_t n, cap;
    int open; /* store_batch_begin succeeded */
} pending;

/* Documents per transaction: one commit writes each shared page once (store.h). */
#define COLLECT_BATCH 256

static void pending_add(pending *p, const char *result, const char *spec, int64_t id)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->ids = xrealloc(p->ids, p->cap * sizeof *p->ids);
    }
    p->ids[p->n++] = id;
    strvec_push(&p->results, result);
    strvec_push(&p->specs, spec);
}

/* Commit the batch, then clean up after its documents. Returns how many failed (all or none). */
static int pending_commit(store *st, pending *p, int keep, int verbose, size_t *ingested)
{
    char err[2048];
    int bad = 0;
    if (p->open && store_batch_commit(st, err, sizeof err) != 0) {
        say("not ingested: the %zu result(s) of this batch stay in the spool: %s", p->n, err);
        bad = (int)p->n;
    } else {
        for (size_t i = 0; i < p->n; i++) {
            if (!keep) {
                unlink(p->results.v[i]);
                unlink(p->specs.v[i]);
            }
            if (verbose)
                fprintf(stderr, "benchaas: stored run %lld from %s\n", (long long)p->ids[i],
                        p->results.v[i]);
        }
        *ingested += p->n;
    }
    p->open = 0;
    strvec_free(&p->results);
    strvec_free(&p->specs);
    p->n = 0;
    return bad;
}

int collect_spool(store *st, const char *spool, int keep, int verbose, size_t *ingested)
{
    DIR *d = opendir(spool);
    *ingested = 0;
    if (!d)
        return 0;
    strvec files = {0}, specs = {0};
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n > 12 && strcmp(de->d_name + n - 12, ".result.json") == 0)
            strvec_push_owned(&files, xasprintf("%s/%s", spool, de->d_name));
        else if (n > 10 && strcmp(de->d_name + n - 10, ".spec.json") == 0)
            strvec_push_owned(&specs, xasprintf("%s/%s", spool, de->d_name));
    }
    closedir(d);
    int bad = 0;
    pending batch = {0};
    for (size_t i = 0; i < files.n; i++) {
        char err[2048];
        char *spec = spec_path_for_result(files.v[i]);
        /* A run in flight: its runner holds the spec's lock and stores it. */
        int lock = spool_lock_spec(spec);
        if (lock == SPOOL_BUSY || access(files.v[i], F_OK) != 0) {
            /* in flight, or stored and removed by its runner since we listed it */
            free(spec);
            if (lock >= 0)
                close(lock);
            continue;
        }
        cJSON *doc = result_read(files.v[i], err, sizeof err);
        const char *u = doc ? json_str(doc, "uuid") : NULL;
        const char *base = strrchr(files.v[i], '/');
        base = base ? base + 1 : files.v[i];
        if (!doc) {
            say("not ingested: %s", err);
            bad++;
        } else if (!u || strlen(base) != strlen(u) + 12 || strncmp(base, u, strlen(u)) != 0) {
            /* Its spool files are named after its uuid; another name is not ours to remove. */
            say("not ingested: %s: the document names run %s, not %.*s", files.v[i], u ? u : "?",
                (int)(strlen(base) - 12), base);
            bad++;
        } else {
            int64_t id;
            int rc = batch.open ? 0 : store_batch_begin(st, err, sizeof err);
            batch.open |= rc == 0;
            if (rc == 0)
                rc = store_ingest(st, doc, &id, err, sizeof err);
            if (rc != 0) {
                say("not ingested: %s: %s", files.v[i], err);
                bad++;
            } else {
                pending_add(&batch, files.v[i], spec, id);
            }
            if (batch.n >= COLLECT_BATCH)
                bad += pending_commit(st, &batch, keep, verbose, ingested);
        }
        if (lock >= 0)
            close(lock);
        free(spec);
        cJSON_Delete(doc);
    }
    bad += pending_commit(st, &batch, keep, verbose, ingested);
    free(batch.ids);
    for (size_t i = 0; i < specs.n; i++)
        bad += collect_orphan(st, specs.v[i], keep, verbose, ingested);
    strvec_free(&files);
    strvec_free(&specs);
    return bad;
}
