/* query_cmd.c — `benchaas query` and `benchaas export`. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aggregate.h"
#include "benchaas/plugin.h"
#include "cli.h"
#include "query.h"
#include "tradeoff.h"

static const char query_help[] =
    "usage: benchaas query [filters] [--format table|csv|json|jsonl] [--db FILE]\n"
    "       benchaas query [filters] --group-by FIELD[,FIELD] [--stat S[,S]] [--over runs|samples]\n"
    "\n"
    "Print stored results, oldest first.  Filters (all must match; repeat an\n"
    "option for more values):\n"
    "  --plugin NAME[,NAME]  runs of these plugins\n"
    "  -p, --param NAME=VALUE  runs whose parameter NAME has VALUE (compared with the\n"
    "                        stored canonical value: sizes in bytes, 128k works too)\n"
    "  --metric NAME[,NAME]  runs that report NAME; only those metrics are shown\n"
    "  --status S[,S...]     ok, failed, crashed, timeout, interrupted, queued, running\n"
    "  --tag T               runs labelled T (repeated: every tag)\n"
    "  --host H[,H...]       runs on these hosts\n"
    "  --job ID[,ID...]      runs of these Slurm job ids\n"
    "  --prov KEY=VALUE      runs whose provenance KEY was VALUE (--prov kernel=6.1.0-25-amd64)\n"
    "  --since TIME          started at or after TIME\n"
    "  --until TIME          started at or before TIME (a date: that whole day)\n"
    "                        TIME: 2026-11-21, 2026-11-21T10:12[:17][Z|+01:00] (UTC\n"
    "                        unless an offset is given), or an age: 30m, 24h, 7d, 2w\n"
    "  --run ID[,ID...]      these run ids\n"
    "  --limit N             only the N most recent matching runs\n"
    "  --all-metrics         the table shows every metric of a run (default: its headline\n"
    "                        metric, the first its plugin declares; csv and json always\n"
    "                        have every metric)\n"
    "  --latest              of the matching runs, only the newest of each configuration\n"
    "                        (plugin, parameters, ranks, threads) and host\n"
    "A --metric or --param name that no stored run has is an error (exit 2).\n"
    "Resource trade-off:\n"
    "  --tradeoff            per configuration run with several resource requests\n"
    "                        (ranks x threads): run time, queue wait and their sum\n"
    "                        (median and spread), speedup and parallel efficiency\n"
    "                        against the smallest request (ok runs unless --status)\n"
    "Statistics (one row per group and metric):\n"
    "  --group-by F[,F...]   group the runs by these fields: a parameter (NB, or\n"
    "                        param:NB), a run field (plugin, plugin_version, status,\n"
    "                        host, cpu_model, job_id, experiment, launcher, ranks,\n"
    "                        threads, repetitions, tag, day, week, month, year) or a\n"
    "                        provenance key (prov:kernel)\n"
    "  --stat S[,S...]       count, runs, min, median, mean, max, stddev (sample, n-1),\n"
    "                        p5, p95 or any pNN (default: count,median,min,max)\n"
    "  --over runs|samples   runs (default): each run's value of the metric (for rates\n"
    "                        its best repetition); samples: every repetition's value (a\n"
    "                        metric without samples counts its run value once)\n"
    "Output:\n"
    "  --format table|csv|json|jsonl  table (default): one line per run and metric;\n"
    "                        csv: the columns of the `results` view; json: the\n"
    "                        document {\"runs\": [...]} of `run --json`; jsonl: one run\n"
    "                        object per line.  Grouped: a column per group field, metric,\n"
    "                        unit, better and statistic; json is {\"groups\": [...]}\n"
    "  -o, --output FILE     write to FILE instead of stdout (see `benchaas export`)\n"
    "  --db FILE             the database (default: $BENCHAAS_DB, else ./benchaas.db)\n"
    "\n"
    "Exit status: 0 (also when nothing matches), 2 for bad options, unknown names,\n"
    "or a database that is missing or not a BenchaaS database.  SQL users: see\n"
    "`benchaas sql` and docs/database.md.\n";

static const char export_help[] =
    "usage: benchaas export [filters] [--group-by F --stat S ...] -o FILE [--format csv|json|jsonl]\n"
    "\n"
    "Write the result of a query to FILE, for pandas, R or a spreadsheet.  Takes\n"
    "every option of `benchaas query` (see `benchaas query --help`); the format\n"
    "defaults to FILE's extension (.csv, .json, .jsonl; otherwise csv).  FILE is\n"
    "written completely or not at all (a temporary file renamed at the end).\n"
    "\n"
    "  pandas: pd.read_csv(FILE)  or  pd.read_json(FILE, lines=True) for jsonl\n"
    "\n"
    "Exit status: 0, or 2 for bad options or a database that cannot be read.\n";

/* The format a file name suggests: its extension, else csv. */
static const char *format_of_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && strchr(dot, '/') == NULL) {
        if (strcasecmp(dot, ".json") == 0)
            return "json";
        if (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0)
            return "jsonl";
    }
    return "csv";
}

/* `query` and `export` (is_export: --output required, no table). */
static int query_main(int argc, char **argv, int is_export)
{
    static const char *const valued[] = {"--format", "--group-by", "--stat", "--over",
                                         "--output", "-o", NULL};
    const char *cmd = is_export ? "export" : "query";
    qfilter f;
    qgroup g;
    const char *format = NULL, *output = NULL;
    store *s = NULL;
    size_t n = 0;
    int code = 0, rc = 0;
    query_out out = {0};
    int tradeoff = 0;
    static const char *const flags[] = {"--tradeoff", NULL};
    memset(&f, 0, sizeof f);
    memset(&g, 0, sizeof g);
    f.cmd = cmd;

    for (int i = 1; i < argc; i++) {
        char name[32];
        const char *val;
        int a = query_next_arg(cmd, argc, argv, &i, valued, flags, name, &val);
        if (a < 0) {
            fputs(is_export ? export_help : query_help, stdout);
            goto out;
        }
        if (a == 1) {
            code = query_usage_error(cmd, "unexpected argument '%s'", val);
            goto out;
        }
        if (a == 2) {
            code = 2;
            goto out;
        }
        int fr = qfilter_option(&f, name, val);
        if (fr == 2) {
            code = 2;
            goto out;
        }
        if (fr == 0)
            continue;
        if (strcmp(name, "--tradeoff") == 0) {
            tradeoff = 1;
        } else if (strcmp(name, "--format") == 0) {
            if (strcmp(val, "table") && strcmp(val, "csv") && strcmp(val, "json") &&
                strcmp(val, "jsonl")) {
                code = query_usage_error(cmd, "unknown --format '%s' (use %s)", val,
                                         is_export ? "csv, json or jsonl"
                                                   : "table, csv, json or jsonl");
                goto out;
            }
            if (is_export && strcmp(val, "table") == 0) {
                code = query_usage_error(cmd, "export writes csv, json or jsonl, not a table");
                goto out;
            }
            format = val;
        } else if (strcmp(name, "--output") == 0 || strcmp(name, "-o") == 0) {
            if (!*val) {
                code = query_usage_error(cmd, "%s needs a file name", name);
                goto out;
            }
            output = val;
        } else {
            int gr = qgroup_option(&g, &f, name, val);
            if (gr) {
                code = 2;
                goto out;
            }
        }
    }
    qfilter_finish(&f);
    if (is_export && !output) {
        code = query_usage_error(cmd, "where to? give --output FILE");
        goto out;
    }
    if (!format)
        format = output ? format_of_path(output) : "table";
    if (tradeoff && (qgroup_active(&g) || strcmp(format, "jsonl") == 0)) {
        code = query_usage_error(cmd, "--tradeoff is a table of its own: not with --group-by, "
                                      "--stat or --format jsonl");
        goto out;
    }
    if (tradeoff && f.statuses.n == 0)
        qfilter_option(&f, "--status", "ok");
    if ((code = query_open_store(&f, &s)) != 0)
        goto out;
    if ((code = qfilter_check_names(s, &f)) != 0)
        goto out;
    if (qgroup_active(&g) && (code = qgroup_resolve(&g, s, &f)) != 0)
        goto out;
    if (output && query_out_open(&out, cmd, output) != 0) {
        code = 2;
        goto out;
    }
    FILE *to = output ? out.f : stdout;

    if (tradeoff) {
        tradeoff_result tr;
        char err[512] = "";
        rc = tradeoff_analyze(s, &f, &tr, err, sizeof err);
        if (rc)
            fprintf(stderr, "benchaas %s: %s\n", cmd, err);
        else if (tr.n == 0 && strcmp(format, "table") == 0)
            fprintf(stderr, "benchaas %s: no configuration in %s ran with two resource requests "
                            "or more (ranks x threads); sweep them: ranks = [1, 2, 4];\n",
                    cmd, f.db);
        else
            rc = tradeoff_render(&tr, format, to);
        tradeoff_free(&tr);
    } else if (qgroup_active(&g)) {
        rc = query_grouped(s, &f, &g, format, to);
    } else {
        rc = query_print_runs(s, &f, format, to, &n);
        if (rc == 0 && n == 0 && strcmp(format, "table") == 0)
            fprintf(stderr, "benchaas %s: no runs match in %s\n", cmd, f.db);
    }
    if (output) {
        if (query_out_close(&out, cmd, rc == 0) != 0 && rc == 0)
            rc = BX_EIO;
    } else if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "benchaas %s: writing the results failed: %s\n", cmd, strerror(errno));
        rc = BX_EIO;
    }
    code = rc ? 2 : 0;
out:
    if (out.f)
        query_out_close(&out, cmd, 0);
    store_close(s);
    qgroup_free(&g);
    qfilter_free(&f);
    return code;
}

int cmd_query(int argc, char **argv) { return query_main(argc, argv, 0); }

int cmd_export(int argc, char **argv) { return query_main(argc, argv, 1); }
