/*
 * filters.c — the run filters of the result commands (query, export,
 * compare, baseline set, check, report, push), declared once.  Their values
 * go to the command's handler, which hands them to qfilter_option()
 * (results/query.c); cli_selector_or_filter() is that handler's first step
 * for the commands that take one selector.
 */
#include "cli.h"
#include "query.h"

#define F(name, letter, type, syn, help) {name, letter, type, CLI_HANDLER, syn, NULL, help, NULL}

const cli_opt cli_filter_opts[] = {
    F("--plugin", 0, CLI_LIST, "--plugin NAME[,NAME]", "runs of these plugins"),
    F("--param", 'p', CLI_LIST, "-p, --param NAME=VALUE",
      "runs whose parameter NAME has VALUE (compared with the\n"
      "stored canonical value: sizes in bytes, 128k works too)"),
    F("--metric", 0, CLI_LIST, "--metric NAME[,NAME]",
      "runs that report NAME; only those metrics are shown"),
    {"--status", 0, CLI_LIST, CLI_HANDLER, "--status S[,S...]",
     "ok|failed|crashed|timeout|interrupted|queued|running",
     "ok, failed, crashed, timeout, interrupted, queued, running", NULL},
    F("--tag", 0, CLI_LIST, "--tag T", "runs labelled T (repeated: every tag)"),
    F("--host", 0, CLI_LIST, "--host H[,H...]", "runs on these hosts"),
    F("--job", 0, CLI_LIST, "--job ID[,ID...]", "runs of these Slurm job ids"),
    F("--prov", 0, CLI_LIST, "--prov KEY=VALUE",
      "runs whose provenance KEY was VALUE (--prov kernel=6.1.0-25-amd64)"),
    F("--since", 0, CLI_STRING, "--since TIME", "started at or after TIME"),
    F("--until", 0, CLI_STRING, "--until TIME",
      "started at or before TIME (a date: that whole day)\n"
      "TIME: 2026-11-21, 2026-11-21T10:12[:17][Z|+01:00] (UTC\n"
      "unless an offset is given), or an age: 30m, 24h, 7d, 2w"),
    F("--run", 0, CLI_LIST, "--run ID[,ID...]", "these run ids"),
    F("--limit", 0, CLI_INT, "--limit N", "only the N most recent matching runs"),
    F("--all-metrics", 0, CLI_FLAG, NULL,
      "the table shows every metric of a run (default: its headline\n"
      "metric, the first its plugin declares; csv and json always\n"
      "have every metric)"),
    F("--latest", 0, CLI_FLAG, NULL,
      "of the matching runs, only the newest of each configuration\n"
      "(plugin, parameters, ranks, threads) and host"),
    CLI_END,
};

int cli_selector_or_filter(const char *cmd, qfilter *f, const char **sel, const cli_opt *o,
                           const char *val)
{
    if (!o) {
        if (*sel)
            return query_usage_error(cmd, "unexpected argument '%s' (one selector; join terms "
                                          "with '+')",
                                     val);
        *sel = val;
        return 0;
    }
    return qfilter_option(f, o->name, val);
}
