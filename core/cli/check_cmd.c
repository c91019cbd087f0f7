/*
 * check_cmd.c — `benchaas check` and `benchaas check --across-nodes`: their
 * options and help; check.c and nodes.c (results/) judge and render, the
 * Slurm actions of --drain / --resume are runner/slurm.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "benchaas/plugin.h"
#include "check.h"
#include "checkcp.h"
#include "cli.h"
#include "nodes.h"
#include "query.h"
#include "safefile.h"
#include "slurm.h"
#include "store.h"

/* What check (either kind) was told. */
typedef struct {
    qfilter f;
    const char *sel, *junit, *format;
    check_opts o;        /* check */
    int allow_nothing;   /* check --allow-nothing-judged */
    nodes_opts no;       /* check --across-nodes */
    int drain, resume;   /* its --drain, --resume */
} check_args;

#define V(name, syn, help) {name, 0, CLI_STRING, CLI_HANDLER, syn, NULL, help, NULL}
#define N(name, syn, help) {name, 0, CLI_DOUBLE, CLI_HANDLER, syn, NULL, help, NULL}
#define F(name, help) {name, 0, CLI_FLAG, CLI_HANDLER, NULL, NULL, help, NULL}
#define FORMAT {"--format", 0, CLI_ENUM, CLI_HANDLER, "--format table|json", "table|json", \
                "the report on stdout", NULL}

/* The options only --across-nodes takes (check alone refuses them, naming --across-nodes):
 * --min-nodes, and --drain and --resume, which check --across-nodes --help lists. */
static const cli_opt nodes_told[] = {
    N("--min-nodes", "--min-nodes N", "a smaller fleet is not judged (4)"),
    CLI_END,
};

static const cli_opt nodes_listed[] = {
    F("--drain", "drain every outlier node in Slurm, with a reason that says\n"
                 "what was measured (\"benchaas: hpl gflops -26 % vs fleet\n"
                 "median\"); a node someone else drained is left alone"),
    F("--resume", "return to service the nodes BenchaaS drained that pass now\n"
                  "(judged, and an outlier nowhere); never another's drain"),
    CLI_END,
};

static const cli_opt nodes_only[] = {
    CLI_INCLUDE(nodes_told),
    CLI_INCLUDE(nodes_listed),
    CLI_END,
};

/* How check judges: the options its intro refers to. */
static const cli_opt check_told[] = {
    V("--baseline", "--baseline NAME", "the baseline set to hold the runs to (default: default)"),
    N("--history", "--history N", "ok runs of the history looked at (30)"),
    N("--k", "--k K", "the band: K scaled MADs around the history's median (3)"),
    N("--min-history", "--min-history M", "fewer runs before it: no reference (5)"),
    N("--floor", "--floor PCT", "the band is at least PCT of the median (1 %)"),
    {"--scope", 0, CLI_ENUM, CLI_HANDLER, "--scope host|class|any", "host|class|any",
     "the history of the same host, host class (default) or any", NULL},
    V("--min-change", "--min-change [PLUGIN.METRIC=]PCT",
      "a shift for the worse of at least PCT is a regression (2 %)"),
    F("--fail-on-outlier", "an outlier fails the check too"),
    F("--allow-nothing-judged", "exit 0, not 3, when no value had a reference"),
    CLI_END,
};

#define DB V("--db", "--db FILE", "the database (default: $BENCHAAS_DB, else ./benchaas.db)")

static const cli_opt check_opts_table[] = {
    F("--across-nodes", "instead, every node against the fleet's median for the same\n"
                        "configuration (see benchaas check --across-nodes --help)"),
    DB,
    CLI_HEADING("How runs are judged:\n"),
    CLI_INCLUDE(check_told),
    CLI_HEADING("Output:\n"),
    V("--junit", "--junit FILE",
      "also write the results as JUnit XML (one test case per run\n"
      "and metric; regressions and failed runs are failures, no\n"
      "reference is skipped) for Jenkins, GitLab, GitHub, ..."),
    FORMAT,
    CLI_INCLUDE_QUIET(nodes_only), /* (check --across-nodes --help tells them) */
    CLI_INCLUDE_QUIET(cli_filter_opts),
    CLI_TEXT("\n"
             "Exit status: 0 no regression, 1 a regression or a failed run, 2 bad options or\n"
             "no run to check, 3 nothing could be judged (no value had a reference; 0 with\n"
             "--allow-nothing-judged).\n\n"),
    CLI_TEXT(analyze_selector_help),
    CLI_END,
};

const cli_spec cli_check_spec = {
    "check",
    "check [SELECTOR] [filters] [--baseline] [--history]\n"
    " [--k] [--min-history] [--floor] [--scope]\n"
    " [--min-change] [--fail-on-outlier]\n"
    " [--allow-nothing-judged] [--junit] [--format]",
    "Hold runs to their references and fail on a regression.  The runs checked:\n"
    "those of SELECTOR and the filters (e.g. `check tag:nightly-42`, `check --since\n"
    "1d`); with neither, the newest run of every configuration and host.  For each\n"
    "of their headline metrics (the first its plugin declares; every metric with\n"
    "--all-metrics) that has a direction (higher or lower is better; or every\n"
    "--metric named), the reference is:\n"
    "  - the baseline set with `benchaas baseline set` (--baseline NAME, default\n"
    "    'default') for the run's configuration and host, host class or any host,\n"
    "    allowing its tolerance;\n"
    "  - otherwise the history: the last N (--history, 30) ok runs of the same\n"
    "    configuration on the same host class (--scope), started before.  With 7 or\n"
    "    more, the series (history, then the run) is searched for a shift of its\n"
    "    level (a rank scan with a permutation test, docs/results.md): a shift for\n"
    "    the worse of at least --min-change (2 %; per PLUGIN.METRIC or METRIC too)\n"
    "    is a regression, named with the first run of the new level, the last of\n"
    "    the old and what differs between them.  A run beyond the band (K, --k 3,\n"
    "    scaled MADs around the median, at least --floor, 1 %) without a shift is\n"
    "    an outlier: reported, a failure only with --fail-on-outlier.  With fewer\n"
    "    runs the band alone decides; fewer than --min-history (5): no reference,\n"
    "    reported and skipped.\n"
    "A run that did not finish ok is a failure too.\n"
    "\n",
    check_opts_table,
    22,
    NULL, /* (the table ends with the exit status and the selectors) */
    NULL,
};

/* check --across-nodes's option that its usage line tells. */
static const cli_opt nodes_intro[] = {
    F("--across-nodes", "every node against the fleet's median"),
    CLI_END,
};

static const cli_opt nodes_opts_table[] = {
    CLI_INCLUDE_QUIET(nodes_intro),
    DB,
    CLI_HEADING("How nodes are judged:\n"),
    N("--k", "--k K", "allowed: K scaled MADs of the nodes' values (3)"),
    N("--floor", "--floor PCT", "and at least PCT of the median (5 %)"),
    CLI_INCLUDE(nodes_told),
    CLI_HEADING("Output:\n"),
    V("--junit", "--junit FILE",
      "also write JUnit XML: one test case per node (an outlier\n"
      "fails it, a node only in too small fleets is skipped)"),
    FORMAT,
    CLI_HEADING("Slurm:\n"),
    CLI_INCLUDE(nodes_listed),
    CLI_INCLUDE_QUIET(cli_filter_opts),
    CLI_END,
};

/* `check --across-nodes`: its own help and options (the man page lists them under check). */
const cli_spec cli_check_nodes_spec = {
    "check",
    "check --across-nodes [SELECTOR] [filters] [--k] [--floor]\n"
    " [--min-nodes] [--junit] [--format]\n"
    " [--drain] [--resume]",
    "Every node against its fleet: for each configuration (plugin, parameters,\n"
    "ranks, threads) and headline metric (--all-metrics: every metric) with a\n"
    "direction (or every --metric named), each\n"
    "node's value (the median of its selected ok runs; by default its newest run)\n"
    "is held to the median of all nodes' values.  Allowed: K (--k, 3) times the\n"
    "scaled MAD of the nodes' values (1.4826 x median absolute deviation), and at\n"
    "least --floor (5 %) of the median.  A node beyond that on the worse side is an\n"
    "OUTLIER; beyond it on the better side is reported, not failed.  A fleet of fewer\n"
    "than --min-nodes (4) nodes is too small to judge: reported, never an outlier.\n"
    "\n",
    nodes_opts_table,
    22,
    "\n"
    "Exit status: 0 no outlier, 1 an outlier (or a drain/resume failed), 2 bad options\n"
    "or no run to check.\n",
    NULL,
};

/* The number VAL of option OPT, from lo to hi: 0, or 2 after a usage error. */
static int number(const char *opt, const char *val, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (end == val || *end || errno || !(v >= lo && v <= hi))
        return query_usage_error("check", "%s '%s': a number from %g to %g", opt, val, lo, hi);
    *out = v;
    return 0;
}

/* --junit and --format, the same for both kinds: 0 taken, 1 neither, 2 a usage error. */
static int junit_or_format(check_args *ca, const char *name, const char *val)
{
    if (strcmp(name, "--junit") == 0) {
        if (!*val)
            return query_usage_error("check", "--junit needs a file name");
        ca->junit = val;
    } else if (strcmp(name, "--format") == 0) {
        if (strcmp(val, "table") && strcmp(val, "json"))
            return query_usage_error("check", "unknown --format '%s' (table or json)", val);
        ca->format = val;
    } else {
        return 1;
    }
    return 0;
}

/* An option of check (cli_take_fn). */
static int check_take(void *opts, const cli_opt *opt, const char *val)
{
    check_args *ca = opts;
    check_opts *o = &ca->o;
    int r = cli_selector_or_filter("check", &ca->f, &ca->sel, opt, val);
    if (r != 1 || (r = junit_or_format(ca, opt->name, val)) != 1)
        return r;
    const char *name = opt->name;
    double d = 0;
    if (strcmp(name, "--fail-on-outlier") == 0) {
        o->fail_outliers = 1;
    } else if (strcmp(name, "--allow-nothing-judged") == 0) {
        ca->allow_nothing = 1;
    } else if (strcmp(name, "--min-change") == 0) {
        return checkcp_floor_option(&o->floors, val) ? 2 : 0;
    } else if (strcmp(name, "--baseline") == 0) {
        if (!*val)
            return query_usage_error("check", "--baseline needs a name");
        o->baseline = val;
    } else if (strcmp(name, "--history") == 0 || strcmp(name, "--min-history") == 0) {
        if (number(name, val, 1, 100000, &d))
            return 2;
        *(name[2] == 'h' ? &o->history : &o->min_history) = (int)d;
    } else if (strcmp(name, "--k") == 0) {
        return number(name, val, 0.1, 100, &o->k);
    } else if (strcmp(name, "--floor") == 0) {
        return cli_percent("check", name, val, &o->floor);
    } else if (strcmp(name, "--scope") == 0) {
        return cli_scope("check", val, &o->scope);
    } else if (strcmp(name, "--min-nodes") == 0 || strcmp(name, "--drain") == 0 ||
               strcmp(name, "--resume") == 0) {
        return query_usage_error("check", "%s goes with --across-nodes", name);
    }
    return 0;
}

int cli_scope(const char *cmd, const char *val, int *scope)
{
    if (strcmp(val, "host") == 0)
        *scope = SCOPE_HOST;
    else if (strcmp(val, "class") == 0)
        *scope = SCOPE_CLASS;
    else if (strcmp(val, "any") == 0)
        *scope = SCOPE_ANY;
    else
        return query_usage_error(cmd, "--scope '%s': use host, class (same CPU model) or any",
                                 val);
    return 0;
}

int cli_percent(const char *cmd, const char *opt, const char *val, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (end != val && *end == '%')
        end++;
    if (end == val || *end || errno || !(v >= 0 && v < 1000))
        return query_usage_error(cmd, "%s '%s': a percentage, like 5 or 5%%", opt, val);
    *out = v / 100.0;
    return 0;
}

/* A number of --across-nodes (a percentage when pct): 0, or 2 after a usage error. */
static int nodes_number(const char *opt, const char *val, double lo, double hi, int pct,
                        double *out)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (pct && end != val && *end == '%')
        end++;
    if (end == val || *end || errno || !(v >= lo && v <= hi))
        return query_usage_error("check", "%s '%s': %s from %g to %g", opt, val,
                                 pct ? "a percentage" : "a number", lo, hi);
    *out = pct ? v / 100.0 : v;
    return 0;
}

/* An option of check --across-nodes (cli_take_fn). */
static int nodes_take(void *opts, const cli_opt *opt, const char *val)
{
    check_args *ca = opts;
    int r = cli_selector_or_filter("check", &ca->f, &ca->sel, opt, val);
    if (r != 1 || (r = junit_or_format(ca, opt->name, val)) != 1)
        return r;
    const char *name = opt->name;
    double d = 0;
    if (strcmp(name, "--drain") == 0)
        ca->drain = 1;
    else if (strcmp(name, "--resume") == 0)
        ca->resume = 1;
    else if (strcmp(name, "--k") == 0)
        return nodes_number(name, val, 0.1, 100, 0, &ca->no.k);
    else if (strcmp(name, "--floor") == 0)
        return nodes_number(name, val, 0, 999, 1, &ca->no.floor);
    else if (strcmp(name, "--min-nodes") == 0) {
        if (nodes_number(name, val, 2, 1000000, 0, &d))
            return 2;
        ca->no.min_nodes = (size_t)d;
    }
    return 0;
}

/* Write the JUnit XML of the verdicts to FILE (atomically).  0, or 2 (said). */
static int write_junit(const char *junit, const check_args *ca, const check_report *cr,
                       const nodes_result *nr)
{
    query_out jout = {0};
    if (query_out_open(&jout, "check", junit) != 0)
        return 2;
    if (cr)
        check_render_junit(cr, ca->f.db, jout.f);
    else
        nodes_write_junit(nr, ca->f.db, jout.f);
    return query_out_close(&jout, "check", 1) != 0 ? 2 : 0;
}

/* The drains and resumes of --across-nodes go through Slurm. */
static const nodes_actions slurm_actions = {slurm_node_state, slurm_node_drain, slurm_node_resume};

/* `check --across-nodes`, after its options were read.  0, 1 an outlier, 2. */
static int check_nodes(check_args *ca)
{
    qfilter *f = &ca->f;
    int code = 2;
    store *s = NULL;
    nodes_result r = {0};
    int given = ca->sel || f->plugins.n || f->hosts.n || f->params.n || f->tags.n || f->jobs.n ||
                f->provs.n || f->nids || f->has_since || f->has_until || f->limit > 0;
    qfilter_finish(f);
    if (!given)
        f->latest = 1; /* each node's newest run of each configuration */
    if (ca->sel && analyze_selector(f, ca->sel))
        goto out;
    if (f->statuses.n == 0)
        qfilter_option(f, "--status", "ok");
    if (query_open_store(f, &s) || qfilter_check_names(s, f))
        goto out;
    sqlite3_exec(store_db(s), "BEGIN", NULL, NULL, NULL);
    if (nodes_analyze(s, f, &ca->no, &r) != 0)
        goto out;
    sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL);
    if (r.ng == 0) {
        fprintf(stderr, "benchaas check: no ok run with a metric to compare across nodes in %s%s\n",
                f->db, given ? " matches the selection" : "");
        goto out;
    }
    if (strcmp(ca->format, "json") == 0)
        nodes_print_json(&r, stdout);
    else if (nodes_print_table(&r, stdout)) {
        fprintf(stderr, "benchaas: out of memory\n");
        goto out;
    }
    if (ca->junit && write_junit(ca->junit, ca, NULL, &r))
        goto out;
    code = r.outliers ? 1 : 0;
    if ((ca->drain || ca->resume) && nodes_act(&r, &slurm_actions, ca->drain, ca->resume, stdout))
        code = 1;
    fflush(stdout);
out:
    nodes_free(&r);
    store_close(s);
    return code;
}

/* `check`, after its options were read.  0, 1 a regression, 2, 3 nothing judged. */
static int check_main(check_args *ca)
{
    qfilter *f = &ca->f;
    int code = 2;
    store *s = NULL;
    check_report r;
    char err[2048];
    memset(&r, 0, sizeof r);
    int defaulted = !ca->sel && !check_filter_given(f);
    qfilter_finish(f);
    if (defaulted)
        f->latest = 1; /* the newest run of every configuration and host */
    if (ca->sel && analyze_selector(f, ca->sel))
        goto out;
    if (f->statuses.n == 0) /* queued and running runs have nothing to check yet */
        for (const char *const *st = (const char *const[]){"ok", "failed", "crashed", "timeout",
                                                            "interrupted", NULL};
             *st; st++)
            qfilter_option(f, "--status", *st);
    if (query_open_store(f, &s) || qfilter_check_names(s, f))
        goto out;
    if (ca->junit && safefile_output_ok(ca->junit, err, sizeof err) != 0) {
        /* known before anything is checked or printed */
        fprintf(stderr, "benchaas check: %s\n", err);
        goto out;
    }
    int rc = check_run(s, f, &ca->o, defaulted, &r, err, sizeof err);
    if (rc) {
        if (err[0])
            fprintf(stderr, rc == BX_ENOMEM ? "benchaas: %s\n" : "benchaas check: %s\n", err);
        goto out;
    }
    if (strcmp(ca->format, "json") == 0) {
        check_render_json(&r, stdout);
    } else if (check_render_table(&r, stdout)) {
        fprintf(stderr, "benchaas: out of memory\n");
        goto out;
    }
    if (ca->junit && write_junit(ca->junit, ca, &r, NULL))
        goto out;
    fflush(stdout);
    code = r.regressions || r.nfails ? 1 : check_nothing_judged(&r) && !ca->allow_nothing ? 3 : 0;
out:
    check_report_free(&r);
    store_close(s);
    return code;
}

int cmd_check(int argc, char **argv)
{
    check_args ca;
    memset(&ca, 0, sizeof ca);
    ca.f.cmd = "check";
    ca.format = "table";
    ca.o = (check_opts)CHECK_OPTS_DEFAULT;
    ca.no = (nodes_opts){3.0, 0.05, 4};
    int nodes = cli_has_flag(argc, argv, "--across-nodes");
    int code = cli_parse(nodes ? &cli_check_nodes_spec : &cli_check_spec, argc, argv, &ca,
                         nodes ? nodes_take : check_take);
    if (code == 0 && !nodes && ca.o.min_history > ca.o.history)
        code = query_usage_error("check", "--min-history %d is more than --history %d",
                                 ca.o.min_history, ca.o.history);
    if (code == 0)
        code = nodes ? check_nodes(&ca) : check_main(&ca);
    else if (code < 0)
        code = 0;
    qfilter_free(&ca.f);
    return code;
}
