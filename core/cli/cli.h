/*
 * cli.h — the commands of the command line, a file each (NAME_cmd.c).  Each
 * takes argv with argv[0] = the command name, prints its output on stdout
 * and its messages on stderr, and returns the exit code.
 */
#ifndef BENCHAAS_CLI_H
#define BENCHAAS_CLI_H

#include "opt.h"

/* The run filters of the result commands, declared once (filters.c). */
extern const cli_opt cli_filter_opts[];

struct qfilter;
/*
 * The first step of a handler of check or baseline set: a positional
 * argument is the selector (a second one is a usage error of cmd), a filter
 * goes to f.  0 taken, 1 neither (an option of the command's own), 2 after
 * a usage error.
 */
int cli_selector_or_filter(const char *cmd, struct qfilter *f, const char **sel,
                           const cli_opt *o, const char *val);

/* What each declared command takes (its file), for cmdtab.c, the man page and the completion. */
extern const cli_spec cli_query_spec, cli_export_spec, cli_collect_spec, cli_plugins_spec,
    cli_describe_spec, cli_sql_spec, cli_compare_spec, cli_status_spec, cli_report_spec,
    cli_push_spec, cli_check_spec, cli_check_nodes_spec, cli_baseline_spec, cli_serve_spec,
    cli_user_spec, cli_token_spec, cli_run_spec, cli_submit_spec;

/*
 * A command of `benchaas`: its name, its entry point (argv[0] is the
 * command's name; returns the exit code), how the main help shows it, and
 * its declared options (NULL: none; `worker` hands argv to the worker
 * binary, which reads its own).  A row without fn is a second
 * line of the main help for the command above it (its spec: that command's).
 */
typedef struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *synopsis; /* "report --html": its options as cli_synopsis() writes them */
    const char *summary;  /* one line, or more for the main help */
    const cli_spec *spec;
} cli_cmd;

/* The commands, in the main help's order; a row with a NULL name ends it (cmdtab.c). */
extern const cli_cmd cli_commands[];

/* `benchaas` without a command, --help, or a command that is not one (cmdtab.c). */
void cli_main_help(FILE *to);

/* `benchaas --man` and `benchaas --completion`: benchaas.1 and the bash completion (man.c). */
void cli_write_man(FILE *to);
void cli_write_completion(FILE *to);
/* `benchaas --list-options`: "COMMAND" and "COMMAND OPTION" lines, from the tables (man.c). */
void cli_list_options(void);

/* `benchaas run`, `submit` (run_cmd.c) and `worker` (worker_cmd.c). */
int cmd_run(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_worker(int argc, char **argv);

/* `benchaas status`: submitted runs and their Slurm jobs (status_cmd.c).  0, or 2. */
int cmd_status(int argc, char **argv);

/* `benchaas compare A B`: two runs or groups, per metric (compare_cmd.c).  0, or 2. */
int cmd_compare(int argc, char **argv);

/* `benchaas sql "SELECT ..."`: read-only SQL (sql_cmd.c). */
int cmd_sql(int argc, char **argv);

/* `benchaas plugins` and `benchaas describe` (plugins_cmd.c). */
int cmd_plugins(int argc, char **argv);
int cmd_describe(int argc, char **argv);

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

/* `benchaas report --html FILE [filters]`: the HTML report (report_cmd.c).  0, or 2. */
int cmd_report(int argc, char **argv);

/* `benchaas push --server URL [filters]`: runs to another service (push_cmd.c).  0, 1, or 2. */
int cmd_push(int argc, char **argv);

/* `benchaas check` (with --across-nodes: every node against its fleet) (check_cmd.c).
 * 0, 1 a regression or an outlier, 2, 3 nothing judged. */
int cmd_check(int argc, char **argv);

/* `benchaas baseline set|list|delete` (baseline_cmd.c).  0, or 2. */
int cmd_baseline(int argc, char **argv);

/* --scope host|class|any, and a percentage ("5", "5%": 0.05), as check and
 * baseline read them (check_cmd.c).  0, or 2 after a usage error of cmd. */
int cli_scope(const char *cmd, const char *val, int *scope);
int cli_percent(const char *cmd, const char *opt, const char *val, double *out);

/* `benchaas serve`, `user` and `token`: the service and its accounts (serve_cmd.c,
 * user_cmd.c, token_cmd.c). */
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);

/* `benchaas collect`: ingest finished result documents from the spool (collect_cmd.c). */
int cmd_collect(int argc, char **argv);

#endif
