/*
 * serve.h — the commands of the service: `serve`, `user`, `token`; and push.
 * Each takes argv with argv[0] = the command name and returns the CLI exit
 * code (0 success, 1 failure, 2 bad usage or input).
 */
#ifndef BENCHAAS_SERVE_H
#define BENCHAAS_SERVE_H

#include <stdio.h>

#include "query.h"

int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);

/*
 * Send the runs of filter f (qfilter_finish is called here) to the service at
 * server (http:// or https://) with token, each result document POSTed to
 * server/api/v1/results; progress and errors on log.  Returns 0 when every
 * run was accepted, 1 otherwise, 2 when the database could not be read (said
 * on stderr).  (push.c; the command is core/cli/push_cmd.c)
 */
int push_runs(qfilter *f, const char *server, const char *token, FILE *log);

#endif
