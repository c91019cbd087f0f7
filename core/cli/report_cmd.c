/* report_cmd.c — `benchaas report --html FILE`: its options and help; report.c (results/) writes the page. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"
#include "cli.h"
#include "query.h"
#include "report.h"

/* What report was told. */
typedef struct {
    qfilter f;
    const char *html, *title;
    long max_runs, max_timelines, max_series;
} report_args;

#define R(name, syn, help) {name, 0, CLI_STRING, CLI_HANDLER, syn, NULL, help, NULL}

static const cli_opt report_opts_table[] = {
    R("--html", "--html FILE", "where to write it (written completely or not at all)"),
    R("--title", "--title TEXT", "the page title (default: BenchaaS report)"),
    {"--max-runs", 0, CLI_INT, CLI_HANDLER, "--max-runs N", NULL, "runs in the table of runs (200)", NULL},
    {"--timelines", 0, CLI_INT, CLI_HANDLER, "--timelines N", NULL, "resource timelines shown (6)", NULL},
    {"--series", 0, CLI_INT, CLI_HANDLER, "--series N", NULL,
     "configurations per over-time chart (8; the most-run ones)", NULL},
    R("--db", "--db FILE", "the database (default: $BENCHAAS_DB, else ./benchaas.db)"),
    CLI_TEXT("Charts show ok runs unless --status says otherwise.\n"),
    CLI_INCLUDE_QUIET(cli_filter_opts), /* (the intro points at query's help) */
    CLI_END,
};

const cli_spec cli_report_spec = {
    "report",
    "report --html [filters] [--title] [--max-runs]\n"
    " [--timelines] [--series]",
    "Write one self-contained HTML file (inline CSS and SVG charts; no script, no\n"
    "network) about the runs the filters select (`benchaas query --help`; default:\n"
    "every run): per plugin, each higher/lower-is-better metric over time with the\n"
    "band `benchaas check` holds the next run to (or the baseline), sweep charts\n"
    "(a metric against each parameter that varies), hosts side by side; the\n"
    "resource timelines (memory and CPU) of the newest runs; the failed runs with\n"
    "their error text; the newest runs with their provenance.\n"
    "\n",
    report_opts_table,
    22,
    "\n"
    "Exit status: 0, or 2 for bad options or a database that cannot be read.\n",
    NULL,
};

/* A filter or one of report's options (cli_take_fn). */
static int report_take(void *opts, const cli_opt *o, const char *val)
{
    report_args *ra = opts;
    if (!o)
        return query_usage_error("report", "unexpected argument '%s'", val);
    int fr = qfilter_option(&ra->f, o->name, val);
    if (fr != 1)
        return fr;
    long *target = strcmp(o->name, "--max-runs") == 0    ? &ra->max_runs
                   : strcmp(o->name, "--timelines") == 0 ? &ra->max_timelines
                   : strcmp(o->name, "--series") == 0    ? &ra->max_series
                                                         : NULL;
    if (target) {
        char *end;
        errno = 0;
        long v = strtol(val, &end, 10);
        if (end == val || *end || errno || v < 0 || v > 100000)
            return query_usage_error("report", "%s '%s': a whole number from 0 to 100000",
                                     o->name, val);
        *target = v;
    } else if (strcmp(o->name, "--html") == 0) {
        if (!*val)
            return query_usage_error("report", "--html needs a file name");
        ra->html = val;
    } else if (strcmp(o->name, "--title") == 0) {
        ra->title = val;
    }
    return 0;
}

/* "benchaas report ...", the command line the page shows. */
static char *command_line(int argc, char **argv)
{
    char *cmdline = NULL;
    size_t cmdlen = 0;
    FILE *cl = open_memstream(&cmdline, &cmdlen);
    if (cl) {
        fputs("benchaas", cl);
        for (char **a = argv; a < argv + argc; a++)
            fprintf(cl, " %s", *a);
        fclose(cl);
    }
    return cmdline;
}

int cmd_report(int argc, char **argv)
{
    report_args ra;
    memset(&ra, 0, sizeof ra);
    ra.f.cmd = "report";
    ra.title = "BenchaaS report";
    ra.max_runs = 200;
    ra.max_timelines = 6;
    ra.max_series = 8;
    int code = 2;
    store *s = NULL;
    query_out out = {0};
    char *cmdline = NULL;
    int pr = cli_parse(&cli_report_spec, argc, argv, &ra, report_take);
    if (pr) {
        code = pr < 0 ? 0 : 2;
        goto done;
    }
    if (!ra.html) {
        query_usage_error("report", "where to? give --html FILE");
        goto done;
    }
    if (ra.max_series < 1)
        ra.max_series = 1;
    qfilter_finish(&ra.f);
    if (query_open_store(&ra.f, &s) || qfilter_check_names(s, &ra.f))
        goto done;
    cmdline = command_line(argc, argv);
    if (query_out_open(&out, "report", ra.html) != 0)
        goto done;
    report_opts ro = {ra.title, (int)ra.max_runs, (int)ra.max_timelines, (size_t)ra.max_series,
                      cmdline};
    char err[1024];
    int rc = report_render_html(out.f, s, &ra.f, &ro, err, sizeof err);
    if (rc)
        fprintf(stderr, rc == BX_ENOMEM ? "benchaas: %s\n" : "benchaas report: %s\n", err);
    if (query_out_close(&out, "report", rc == 0) != 0 || rc != 0)
        goto done;
    fprintf(stderr, "benchaas report: wrote %s\n", ra.html);
    code = 0;
done:
    if (out.f)
        query_out_close(&out, "report", 0);
    free(cmdline);
    store_close(s);
    qfilter_free(&ra.f);
    return code;
}
