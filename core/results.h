/*
 * results.h — the commands that answer questions about stored results
 * (besides `query` and `export`, in query.h).  Each takes argv with
 * argv[0] = the command name and returns the CLI exit code.
 */
#ifndef BENCHAAS_RESULTS_H
#define BENCHAAS_RESULTS_H

/* `benchaas sql "SELECT ..."`: read-only SQL (sqlcmd.c).  0, or 2. */
int cmd_sql(int argc, char **argv);

/* `benchaas compare A B`: two runs or groups, per metric (compare.c).  0, or 2. */
int cmd_compare(int argc, char **argv);

/* `benchaas baseline set|list|delete` (check.c).  0, or 2. */
int cmd_baseline(int argc, char **argv);

/* `benchaas check`: regressions against baselines or history (check.c).  0, 1 regression, 2. */
int cmd_check(int argc, char **argv);

/* `benchaas report --html FILE` (report.c).  0, or 2. */
int cmd_report(int argc, char **argv);

#endif
