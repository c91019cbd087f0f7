/*
 * serve.h — the commands of the service: `serve`, `user`, `token`, `push`.
 * Each takes argv with argv[0] = the command name and returns the CLI exit
 * code (0 success, 1 failure, 2 bad usage or input).
 */
#ifndef BENCHAAS_SERVE_H
#define BENCHAAS_SERVE_H

int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_push(int argc, char **argv);

#endif
