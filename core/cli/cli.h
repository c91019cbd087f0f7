/*
 * cli.h — the commands of the command line that live in their own files
 * (the others are in cli.c).  Each takes argv with argv[0] = the command
 * name, prints its output on stdout and its messages on stderr, and returns
 * the exit code.
 */
#ifndef BENCHAAS_CLI_H
#define BENCHAAS_CLI_H

/*
 * `benchaas query [filters] [--format table|csv|json]`; argv[0] is "query".
 * Prints the results on stdout, messages on stderr.  Returns the exit code:
 * 0 ok (also when nothing matched), 2 bad usage, a bad filter, a missing
 * database or a file that is not ours (nothing is written then).
 * (query_cmd.c)
 */
int cmd_query(int argc, char **argv);

/*
 * `benchaas export [filters] --output FILE [--format csv|json|jsonl]`: the
 * output of the same query written to FILE (atomically: FILE.tmp, then
 * renamed).  The format defaults to FILE's extension.  Exit codes as query.
 * (query_cmd.c)
 */
int cmd_export(int argc, char **argv);

/* `benchaas collect`: ingest finished result documents from the spool (collect_cmd.c). */
int cmd_collect(int argc, char **argv);

#endif
