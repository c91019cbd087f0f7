/*
 * serve.h — what the commands of the service do (`serve`, `user`, `token`:
 * cmd.c; `push`: push.c) once core/cli/ has read their command lines.  Each
 * returns the CLI exit code (0 success, 1 failure, 2 bad usage or input).
 */
#ifndef BENCHAAS_SERVE_H
#define BENCHAAS_SERVE_H

#include <stdint.h>
#include <stdio.h>

#include "jobs.h"
#include "query.h"
#include "util.h"

/* What `benchaas serve` was told (the strings are owned: xstrdup'ed). */
typedef struct serve_opts {
    char *listen, *db, *launcher, *webhook, *tls_cert, *tls_key, *trusted_proxy;
    int slots, signup, threads;
    int header_timeout, max_conns, per_ip; /* 0: http.h's defaults */
    long max_schedules;
    double peak_gflops; /* a node's theoretical peak, set by the site (0: derived) */
    int no_confirm; /* alert without a confirmation run */
    job_quotas quotas;
    strvec allow_paths, allow_hosts; /* --allow-path, --allow-host */
    char *run_as, *scratch;
    double job_disk_quota; /* --job-disk-quota in bytes (0: no cap) */
} serve_opts;

/* o's defaults: quotas 50 jobs, 1000 points, 1024 ranks; 20 schedules; a job's folder
 * 10 GiB (SERVE_JOB_DISK_QUOTA); the rest 0. */
#define SERVE_JOB_DISK_QUOTA (10.0 * 1024 * 1024 * 1024)
void serve_opts_init(serve_opts *o);

/*
 * The service: o's settings, those of the serve block of cfgpath (when not
 * NULL) where `given` (what the command line set) does not hold one; runs
 * until SIGINT or SIGTERM.  Frees what o and given hold.
 */
int serve_main(serve_opts *o, serve_opts *given, const char *cfgpath);

/* Free what o and given (the options of serve_main) hold; given's strings are o's. */
void serve_opts_free(serve_opts *o, serve_opts *given);

/* `serve --plugin-path DIR`: DIR first in BENCHAAS_PLUGIN_PATH, absolute.  0, or 2 (said). */
int serve_plugin_path(const char *dir);

/* `serve --plan-child` (internal): the confined check of a job (apart.h). */
int serve_plan_child(void);

/*
 * `benchaas user SUB [NAME]` with its arguments checked: sub is add, list,
 * passwd or remove, role an account_role_parse() value, the password read
 * from stdin (pw_stdin or no terminal) or asked twice.  The list on out.
 */
int serve_user(const char *db, const char *sub, const char *name, int role, int pw_stdin,
               FILE *out);

/*
 * `benchaas token SUB` with its arguments checked: create NAME (the token on
 * out, once), list [NAME] (on out), revoke (token rid).  life: seconds, 0
 * never expires.
 */
int serve_token(const char *db, const char *sub, const char *name, const char *scope,
                int64_t life, long rid, FILE *out);

/*
 * Send the runs of filter f (qfilter_finish is called here) to the service at
 * server (http:// or https://) with token, each result document POSTed to
 * server/api/v1/results; progress and errors on log.  Returns 0 when every
 * run was accepted, 1 otherwise, 2 when the database could not be read (said
 * on stderr).  (push.c; the command is core/cli/push_cmd.c)
 */
int push_runs(qfilter *f, const char *server, const char *token, FILE *log);

#endif
