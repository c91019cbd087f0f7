/* compare_cmd.c — `benchaas compare A B`: its options and help; compare.c (results/) compares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "benchaas/plugin.h"
#include "cli.h"
#include "compare.h"
#include "query.h"

static const cli_opt compare_opts_table[] = {
    CLI_TEXT(analyze_selector_help),
    CLI_TEXT("\n"
             "Filters (`benchaas query --help`) apply to both sides; without --status\n"
             "only runs with status ok are compared.\n"
             "Options:\n"),
    {"--metric", 0, CLI_LIST, CLI_HANDLER, "--metric M[,M]", NULL,
     "only these metrics (default: the headline metric of each\n"
     "plugin, the first it declares)", NULL},
    {"--all-metrics", 0, CLI_FLAG, CLI_HANDLER, NULL, NULL, "every metric", NULL},
    {"--per-host", 0, CLI_FLAG, CLI_HANDLER, NULL, NULL,
     "compare host by host (default: the hosts are pooled)", NULL},
    {"--alpha", 0, CLI_DOUBLE, CLI_HANDLER, "--alpha P", NULL,
     "significance level of the test (default 0.05)", NULL},
    {"--min-change", 0, CLI_DOUBLE, CLI_HANDLER, "--min-change PCT", NULL,
     "a significant change smaller than PCT % is still called\n"
     "'same' (default 0: the test alone decides)", NULL},
    CLI_TEXT("A change is 'inconclusive', never 'same', when the sides have too few samples for\n"
             "the test to ever reach --alpha (e.g. one run against one run); the reason is shown.\n"),
    {"--format", 0, CLI_ENUM, CLI_HANDLER, "--format table|csv|json", "table|csv|json",
     "how to print the comparison (default table)", NULL},
    {"--db", 0, CLI_STRING, CLI_HANDLER, "--db FILE", NULL,
     "the database (default: $BENCHAAS_DB, else ./benchaas.db)", NULL},
    CLI_INCLUDE_QUIET(cli_filter_opts),
    CLI_END,
};

const cli_spec cli_compare_spec = {
    "compare",
    "compare A B [filters] [--metric M] [--per-host] [--alpha]\n"
    " [--min-change] [--format]",
    "Compare two runs (`benchaas compare 17 42`) or two groups of runs\n"
    "(`benchaas compare tag:before tag:after`, `compare 2026-10-01..2026-10-31\n"
    "2026-11-01..`, `compare host:node01 host:node02`).  For each configuration\n"
    "(plugin, parameters, ranks, threads) found on both sides and each metric:\n"
    "the median of each side over its repetitions, the change from A to B in %,\n"
    "whether that is better or worse by the metric's direction, and whether it\n"
    "is beyond the noise: a Mann–Whitney U rank test over the repetitions (p <\n"
    "--alpha).  When each side holds one configuration of a plugin, those two\n"
    "are compared even if their parameters differ.\n"
    "\n",
    compare_opts_table,
    24,
    "\n"
    "Exit status: 0 (whatever the differences), 2 for bad options, a side that\n"
    "selects no run, or nothing comparable.  `benchaas check` fails on regressions.\n",
    NULL,
};

/* What compare was told. */
typedef struct {
    qfilter *common;   /* the filters of both sides */
    const char *sel[2]; /* A and B */
    compare_opts *o;
    const char *format;
} compare_args;

/* A selector, a filter, or one of compare's options (cli_take_fn). */
static int compare_take(void *opts, const cli_opt *opt, const char *val)
{
    compare_args *ca = opts;
    if (!opt) {
        if (ca->sel[1])
            return query_usage_error("compare", "unexpected argument '%s' (compare takes "
                                                "two selectors, A and B)",
                                     val);
        ca->sel[ca->sel[0] ? 1 : 0] = val;
        return 0;
    }
    const char *name = opt->name;
    int fr = qfilter_option(ca->common, name, val);
    if (fr != 1)
        return fr;
    char *end;
    if (strcmp(name, "--per-host") == 0) {
        ca->o->per_host = 1;
    } else if (strcmp(name, "--alpha") == 0) {
        errno = 0;
        ca->o->alpha = strtod(val, &end);
        if (end == val || *end || errno || !(ca->o->alpha > 0 && ca->o->alpha < 1))
            return query_usage_error("compare", "--alpha '%s': a probability between 0 "
                                                "and 1, like 0.05",
                                     val);
    } else if (strcmp(name, "--min-change") == 0) {
        errno = 0;
        ca->o->min_change = strtod(val, &end);
        if (end != val && *end == '%')
            end++;
        if (end == val || *end || errno || !(ca->o->min_change >= 0 && ca->o->min_change < 1e6))
            return query_usage_error("compare", "--min-change '%s': a percentage, like 2 or 2%%",
                                     val);
    } else if (strcmp(name, "--format") == 0) {
        if (strcmp(val, "table") && strcmp(val, "csv") && strcmp(val, "json"))
            return query_usage_error("compare", "unknown --format '%s' (use table, csv or json)",
                                     val);
        ca->format = val;
    }
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    qfilter common, fa, fb;
    const char *sel[2] = {NULL, NULL}, *format = "table";
    compare_opts o = {0.05, 0, 0};
    int code = 2;
    store *s = NULL;
    compare_result r;
    char err[2048];
    memset(&common, 0, sizeof common);
    memset(&fa, 0, sizeof fa);
    memset(&fb, 0, sizeof fb);
    memset(&r, 0, sizeof r);
    common.cmd = "compare";
    compare_args ca = {&common, {NULL, NULL}, &o, "table"};
    int a = cli_parse(&cli_compare_spec, argc, argv, &ca, compare_take);
    if (a == 0 && !ca.sel[1])
        a = query_usage_error("compare", "give two selectors: benchaas compare RUN_A RUN_B, "
                                         "or tag:before tag:after");
    if (a) {
        code = a < 0 ? 0 : 2;
        goto out;
    }
    sel[0] = ca.sel[0];
    sel[1] = ca.sel[1];
    format = ca.format;
    qfilter_finish(&common);
    if (common.statuses.n == 0 && qfilter_option(&common, "--status", "ok") != 0)
        goto out;
    if (qfilter_copy(&fa, &common) || qfilter_copy(&fb, &common)) {
        fprintf(stderr, "benchaas: out of memory\n");
        goto out;
    }
    if (analyze_selector(&fa, sel[0]) || analyze_selector(&fb, sel[1]))
        goto out;
    if (query_open_store(&common, &s) || qfilter_check_names(s, &fa) ||
        qfilter_check_names(s, &fb))
        goto out;
    int rc = compare_run(s, &common, &fa, &fb, sel, &o, &r, err, sizeof err);
    if (rc == 0) {
        if (strcmp(format, "json") == 0)
            rc = compare_render_json(&r, sel[0], sel[1], o.alpha, stdout);
        else if (strcmp(format, "csv") == 0)
            compare_render_csv(&r, stdout);
        else
            rc = compare_render_table(&r, sel[0], sel[1], o.alpha, stdout);
        if (rc)
            snprintf(err, sizeof err, "out of memory");
    }
    if (rc) {
        if (err[0])
            fprintf(stderr, rc == BX_ENOMEM ? "benchaas: %s\n" : "benchaas compare: %s\n", err);
        goto out;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "benchaas compare: writing the results failed: %s\n", strerror(errno));
        goto out;
    }
    code = 0;
out:
    compare_result_free(&r);
    store_close(s);
    qfilter_free(&fa);
    qfilter_free(&fb);
    qfilter_free(&common);
    return code;
}
