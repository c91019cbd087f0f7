/*
 * cmdtab.c — the commands of `benchaas`, one row each, in the order the main
 * help lists them, and the main help written from them (the options a
 * synopsis names with the values their rows declare: "report --html" shows
 * "report --html FILE").  main() (cli.c)
 * finds a command here; the man page and the completion (man.c) list them.
 */
#include <stdio.h>

#include "cli.h"
#include "schedule_cmd.h"

const cli_cmd cli_commands[] = {
    {"plugins", cmd_plugins, "plugins [--json]", "every plugin found: name, version, ABI, path",
     &cli_plugins_spec},
    {"describe", cmd_describe, "describe PLUGIN", "its parameters and metrics", &cli_describe_spec},
    {"run", cmd_run, "run PLUGIN [-p]...", "run one benchmark (-p NB=128,192 is a sweep)",
     &cli_run_spec},
    {"run", NULL, "run CONFIG.cfg [--only]", "run the experiments of a configuration file",
     &cli_run_spec},
    {"submit", cmd_submit, "submit CONFIG.cfg [--wait]", "the same through Slurm",
     &cli_submit_spec},
    {"status", cmd_status, "status", "submitted runs and their Slurm jobs",
     &cli_status_spec},
    {"collect", cmd_collect, "collect", "ingest finished result documents from the spool",
     &cli_collect_spec},
    {"query", cmd_query, "query [filters]",
     "results from the database (table, csv, json, jsonl),\n"
     "or statistics per group (--group-by NB --stat median)",
     &cli_query_spec},
    {"export", cmd_export, "export [filters] -o", "the same into a CSV/JSON file",
     &cli_export_spec},
    {"sql", cmd_sql, "sql \"SELECT ...\"", "read-only SQL against the documented views",
     &cli_sql_spec},
    {"compare", cmd_compare, "compare A B",
     "two runs or groups (tag:, host:, FROM..TO): change,\n"
     "better/worse, beyond the noise or not",
     &cli_compare_spec},
    {"baseline", cmd_baseline, "baseline set|list|delete", "reference values for check",
     &cli_baseline_spec},
    {"check", cmd_check, "check [filters] [--junit F]",
     "regressions against baselines or history (exit 1)", &cli_check_spec},
    {"report", cmd_report, "report --html", "a self-contained HTML report with SVG charts",
     &cli_report_spec},
    {"worker", cmd_worker, "worker SPEC.json", "run one spec and write its result document", NULL},
    {"serve", cmd_serve, "serve [--listen]",
     "the web service: JSON API, accounts, job queue", &cli_serve_spec},
    {"user", cmd_user, "user add|list|passwd|remove", "accounts of the service", &cli_user_spec},
    {"token", cmd_token, "token create NAME", "an API token of the service (printed once)",
     &cli_token_spec},
    {"schedule", cmd_schedule, "schedule add|list|remove",
     "a suite run by a service at a time of day or interval", &cli_schedule_spec},
    {"push", cmd_push, "push --server [filters]", "send stored runs to a service",
     &cli_push_spec},
    {NULL, NULL, NULL, NULL, NULL},
};

/* The column of the commands' summaries in the main help. */
enum { MAIN_COL = 32 };

void cli_main_help(FILE *to)
{
    fputs("usage: benchaas [--version] [--help] COMMAND [ARGS]\n"
          "\n"
          "Benchmarks for HPC systems: one runner, plugins for HPL, STREAM, network and IO,\n"
          "results in one SQLite database.\n"
          "\n"
          "Commands:\n",
          to);
    for (const cli_cmd *c = cli_commands; c->name; c++) {
        int n = fprintf(to, "  ") + cli_synopsis(c->spec, c->synopsis, to);
        fprintf(to, "%*s", n < MAIN_COL ? MAIN_COL - n : 1, "");
        for (const char *p = c->summary; *p; p++) {
            fputc(*p, to);
            if (*p == '\n')
                fprintf(to, "%*s", MAIN_COL, "");
        }
        fputc('\n', to);
    }
    fputs("\n"
          "`benchaas COMMAND --help` tells more.  Exit codes: 0 success, 1 a benchmark ran\n"
          "but failed (check: a regression), 2 bad usage or input (nothing was run).\n"
          "Environment: BENCHAAS_DB (the database), BENCHAAS_PLUGIN_PATH (plugin folders).\n",
          to);
}
