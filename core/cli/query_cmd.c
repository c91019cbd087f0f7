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
#include "opt.h"
#include "query.h"
#include "tradeoff.h"

#define Q(name, letter, type, syn, help) {name, letter, type, CLI_HANDLER, syn, NULL, help, NULL}

/* The trade-off and the statistics: query's and export's alike. */
static const cli_opt stats_opts[] = {
    CLI_HEADING("Resource trade-off:\n"),
    Q("--tradeoff", 0, CLI_FLAG, NULL,
      "per configuration run with several resource requests\n"
      "(ranks x threads): run time, queue wait and their sum\n"
      "(median and spread), speedup and parallel efficiency\n"
      "against the smallest request (ok runs unless --status)"),
    CLI_HEADING("Statistics (one row per group and metric):\n"),
    Q("--group-by", 0, CLI_STRING, "--group-by F[,F...]",
      "group the runs by these fields: a parameter (NB, or\n"
      "param:NB), a run field (plugin, plugin_version, status,\n"
      "host, cpu_model, job_id, experiment, launcher, ranks,\n"
      "threads, repetitions, tag, day, week, month, year) or a\n"
      "provenance key (prov:kernel)"),
    Q("--stat", 0, CLI_STRING, "--stat S[,S...]",
      "count, runs, min, median, mean, max, stddev (sample,\n"
      "n-1), p5, p95 or any pNN (default: count,median,min,max)"),
    {"--over", 0, CLI_ENUM, CLI_HANDLER, "--over runs|samples", "runs|samples",
     "runs (default): each run's value of the metric (for\n"
     "rates its best repetition); samples: every repetition's\n"
     "value (a metric without samples counts its run value\n"
     "once)", NULL},
    CLI_END,
};

static const cli_opt query_opts[] = {
    CLI_INCLUDE(cli_filter_opts),
    CLI_TEXT("A --metric or --param name that no stored run has is an error (exit 2).\n"),
    CLI_INCLUDE(stats_opts),
    CLI_HEADING("Output:\n"),
    {"--format", 0, CLI_ENUM, CLI_HANDLER, "--format table|csv|json|jsonl", "table|csv|json|jsonl",
     "table (default): one line per run and metric;\n"
     "csv: the columns of the `results` view; json: the\n"
     "document {\"runs\": [...]} of `run --json`; jsonl: one\n"
     "run object per line.  Grouped: a column per group field,\n"
     "metric, unit, better and statistic; json is\n"
     "{\"groups\": [...]}", NULL},
    Q("--output", 'o', CLI_STRING, "-o, --output FILE",
      "write to FILE instead of stdout (see `benchaas export`)"),
    Q("--db", 0, CLI_STRING, "--db FILE", "the database (default: $BENCHAAS_DB, else ./benchaas.db)"),
    CLI_END,
};

const cli_spec cli_query_spec = {
    "query",
    "query [filters] [--format] [--db]\n"
    "query [filters] --group-by [--stat]\n"
    " [--over] [-o]\n"
    "query [filters] --tradeoff [--format table|csv|json] [-o]",
    "Print stored results, oldest first.  Filters (all must match; repeat an\n"
    "option for more values):\n",
    query_opts,
    24,
    "\n"
    "Exit status: 0 (also when nothing matches), 2 for bad options, unknown names,\n"
    "or a database that is missing or not a BenchaaS database.  SQL users: see\n"
    "`benchaas sql` and docs/database.md.\n",
    NULL,
};

/* export: query's options, but its own -o (needed) and --format (no table). */
static const cli_opt export_opts[] = {
    CLI_INCLUDE_QUIET(cli_filter_opts), /* (the intro points at query's help) */
    CLI_INCLUDE(stats_opts),
    CLI_HEADING("Output:\n"),
    Q("--output", 'o', CLI_STRING, "-o, --output FILE",
      "the file to write (needed); written completely or not\n"
      "at all (a temporary file renamed at the end)"),
    {"--format", 0, CLI_ENUM, CLI_HANDLER, "--format csv|json|jsonl", "csv|json|jsonl",
     "as `query --format` writes them (default: FILE's\n"
     "extension, .csv, .json, .jsonl; otherwise csv)", NULL},
    Q("--db", 0, CLI_STRING, "--db FILE", "the database (default: $BENCHAAS_DB, else ./benchaas.db)"),
    CLI_END,
};

const cli_spec cli_export_spec = {
    "export",
    "export [filters] -o [--format] [--db]\n"
    "export [filters] --group-by [--stat]\n"
    " [--over] -o [--format]\n"
    "export [filters] --tradeoff -o [--format csv|json]",
    "Write the result of a query to FILE, for pandas, R or a spreadsheet: the runs\n"
    "the filters select (those of `benchaas query --help`: --plugin, --status,\n"
    "--since, ...; default: every run), or their statistics.\n"
    "\n",
    export_opts,
    24,
    "\n"
    "  pandas: pd.read_csv(FILE)  or  pd.read_json(FILE, lines=True) for jsonl\n"
    "\n"
    "Exit status: 0, or 2 for bad options or a database that cannot be read.\n",
    NULL,
};

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

/* What query and export were told. */
typedef struct {
    const cli_spec *spec;
    int is_export;
    qfilter f;
    qgroup g;
    const char *format, *output;
    int tradeoff;
} query_args;

/* An option of query or export (cli_take_fn): a filter, or one of their own. */
static int query_take(void *opts, const cli_opt *o, const char *val)
{
    query_args *q = opts;
    const char *cmd = q->spec->name;
    if (!o)
        return query_usage_error(cmd, "unexpected argument '%s'", val);
    int fr = qfilter_option(&q->f, o->name, val);
    if (fr != 1)
        return fr;
    if (strcmp(o->name, "--tradeoff") == 0) {
        q->tradeoff = 1;
    } else if (strcmp(o->name, "--format") == 0) {
        if (strcmp(val, "table") && strcmp(val, "csv") && strcmp(val, "json") &&
            strcmp(val, "jsonl"))
            return query_usage_error(cmd, "unknown --format '%s' (use %s)", val,
                                     q->is_export ? "csv, json or jsonl"
                                                  : "table, csv, json or jsonl");
        if (q->is_export && strcmp(val, "table") == 0)
            return query_usage_error(cmd, "export writes csv, json or jsonl, not a table");
        q->format = val;
    } else if (strcmp(o->name, "--output") == 0) {
        if (!*val)
            return query_usage_error(cmd, "--output needs a file name");
        q->output = val;
    } else if (qgroup_option(&q->g, &q->f, o->name, val)) {
        return 2;
    }
    return 0;
}

/* `query` and `export` (is_export: --output required, no table). */
static int query_main(int argc, char **argv, int is_export)
{
    query_args q;
    memset(&q, 0, sizeof q);
    q.spec = is_export ? &cli_export_spec : &cli_query_spec;
    q.is_export = is_export;
    q.f.cmd = q.spec->name;
    const char *cmd = q.spec->name;
    store *s = NULL;
    size_t n = 0;
    int code = 0, rc = 0;
    query_out out = {0};
    int pr = cli_parse(q.spec, argc, argv, &q, query_take);
    if (pr) {
        code = pr < 0 ? 0 : 2;
        goto out;
    }
    qfilter_finish(&q.f);
    if (is_export && !q.output) {
        code = query_usage_error(cmd, "where to? give --output FILE");
        goto out;
    }
    if (!q.format)
        q.format = q.output ? format_of_path(q.output) : "table";
    if (q.tradeoff && (qgroup_active(&q.g) || strcmp(q.format, "jsonl") == 0)) {
        code = query_usage_error(cmd, "--tradeoff is a table of its own: not with --group-by, "
                                      "--stat or --format jsonl");
        goto out;
    }
    if (q.tradeoff && q.f.statuses.n == 0)
        qfilter_option(&q.f, "--status", "ok");
    if ((code = query_open_store(&q.f, &s)) != 0)
        goto out;
    if ((code = qfilter_check_names(s, &q.f)) != 0)
        goto out;
    if (qgroup_active(&q.g) && (code = qgroup_resolve(&q.g, s, &q.f)) != 0)
        goto out;
    if (q.output && query_out_open(&out, cmd, q.output) != 0) {
        code = 2;
        goto out;
    }
    FILE *to = q.output ? out.f : stdout;

    if (q.tradeoff) {
        tradeoff_result tr;
        char err[512] = "";
        rc = tradeoff_analyze(s, &q.f, &tr, err, sizeof err);
        if (rc)
            fprintf(stderr, "benchaas %s: %s\n", cmd, err);
        else if (tr.n == 0 && strcmp(q.format, "table") == 0)
            fprintf(stderr, "benchaas %s: no configuration in %s ran with two resource requests "
                            "or more (ranks x threads); sweep them: ranks = [1, 2, 4];\n",
                    cmd, q.f.db);
        else
            rc = tradeoff_render(&tr, q.format, to);
        tradeoff_free(&tr);
    } else if (qgroup_active(&q.g)) {
        rc = query_grouped(s, &q.f, &q.g, q.format, to);
    } else {
        rc = query_print_runs(s, &q.f, q.format, to, &n);
        if (rc == 0 && n == 0 && strcmp(q.format, "table") == 0)
            fprintf(stderr, "benchaas %s: no runs match in %s\n", cmd, q.f.db);
    }
    if (q.output) {
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
    qgroup_free(&q.g);
    qfilter_free(&q.f);
    return code;
}

int cmd_query(int argc, char **argv) { return query_main(argc, argv, 0); }

int cmd_export(int argc, char **argv) { return query_main(argc, argv, 1); }
