/* baseline_cmd.c — `benchaas baseline set|list|delete`: their options and help; baseline.c (results/) keeps the baselines. */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "cli.h"
#include "query.h"
#include "text.h"

/* What baseline was told. */
typedef struct {
    const char *action; /* "set", "list" or "delete" */
    qfilter f;
    baseline_set_opts set;
    const char *ids, *format; /* delete --id, list --format */
} baseline_args;

#define B(name, syn, help) {name, 0, CLI_STRING, CLI_HANDLER, syn, NULL, help, NULL}
#define DB B("--db", "--db FILE", "the database (default: $BENCHAAS_DB, else ./benchaas.db)")

/* set's options of its own (its help lists them). */
static const cli_opt set_own[] = {
    B("--name", "--name NAME", "a set of baselines (default: default); check --baseline NAME"),
    B("--tolerance", "--tolerance PCT", "how much worse is still fine (default 5 %)"),
    {"--scope", 0, CLI_ENUM, CLI_HANDLER, "--scope S", "host|class|any",
     "host: per host; class (default): per CPU model; any", NULL},
    B("--note", "--note TEXT", "stored with the baseline"),
    CLI_END,
};

#define ID B("--id", "--id ID[,ID]", "delete: these baselines")
#define FORMAT {"--format", 0, CLI_ENUM, CLI_HANDLER, "--format table|csv|json", "table|csv|json", \
                "list: how", NULL}

static const cli_opt set_opts[] = {
    CLI_INCLUDE(set_own),
    CLI_INCLUDE(cli_filter_opts),
    DB,
    CLI_END,
};

/* list and delete: --db, --plugin and their own; the other filters are refused by name. */
static const cli_opt list_opts[] = {
    B("--name", "--name NAME", "list or delete: the set of baselines"),
    ID,
    FORMAT,
    CLI_INCLUDE(cli_filter_opts),
    DB,
    CLI_END,
};

/* Every option of the three, as the help lists them, for the man page and the completion. */
static const cli_opt all_opts[] = {
    CLI_INCLUDE(set_own),
    CLI_TEXT("list: the stored baselines.  delete: by name (and plugin) or by id.\n"),
    ID,
    FORMAT,
    DB,
    CLI_INCLUDE_QUIET(cli_filter_opts), /* (the filters of query) */
    CLI_END,
};

const cli_spec cli_baseline_spec = {
    "baseline",
    "baseline set [SELECTOR] [filters] [--name] [--tolerance]\n"
    " [--scope host|class|any] [--note]\n"
    "baseline list [--name] [--plugin P] [--format]\n"
    "baseline delete --name [--plugin P] | --id",
    "A baseline is the reference value `benchaas check` holds a metric to, for one\n"
    "configuration (plugin, parameters, ranks, threads) and a host, a host class\n"
    "(same CPU model) or any host.\n"
    "\n"
    "set: from the ok runs of SELECTOR (a run id, tag:T, FROM..TO, ...; see\n"
    "`benchaas compare --help`) and the filters, one baseline per configuration,\n"
    "scope and metric whose direction is higher or lower (or every --metric\n"
    "named): the median of the runs' values.  Setting it again replaces it.\n",
    all_opts,
    22,
    "\n"
    "Exit status: 0, or 2 for bad options or a selection without ok runs.\n",
    NULL,
};
/* What set, list and delete parse; their --help is baseline's. */
static const cli_spec set_spec = {"baseline", NULL, NULL, set_opts, 0, NULL, &cli_baseline_spec};
static const cli_spec list_spec = {"baseline", NULL, NULL, list_opts, 0, NULL, &cli_baseline_spec};

/* --name or --note: printable text, or a usage error (2). */
static int printable(const char *opt, const char *val)
{
    char why[128];
    if (text_check(val, why, sizeof why) == 0)
        return 0;
    char shown[256];
    text_escape(val, shown, sizeof shown);
    return query_usage_error("baseline",
                             "%s \"%s\": %s; names and notes must be printable UTF-8 text", opt,
                             shown, why);
}

/* An option of `baseline set` (cli_take_fn). */
static int set_take(void *opts, const cli_opt *o, const char *val)
{
    baseline_args *ba = opts;
    int fr = cli_selector_or_filter("baseline", &ba->f, &ba->set.sel, o, val);
    if (fr != 1)
        return fr;
    if ((strcmp(o->name, "--name") == 0 || strcmp(o->name, "--note") == 0) &&
        printable(o->name, val))
        return 2;
    if (strcmp(o->name, "--name") == 0) {
        if (!*val)
            return query_usage_error("baseline", "--name needs a name");
        ba->set.name = val;
    } else if (strcmp(o->name, "--tolerance") == 0) {
        return cli_percent("baseline", "--tolerance", val, &ba->set.tolerance);
    } else if (strcmp(o->name, "--scope") == 0) {
        return cli_scope("baseline", val, &ba->set.scope);
    } else if (strcmp(o->name, "--note") == 0) {
        ba->set.note = val;
    }
    return 0;
}

/* An option of `baseline list` or `baseline delete` (cli_take_fn). */
static int list_take(void *opts, const cli_opt *o, const char *val)
{
    baseline_args *ba = opts;
    int delete = strcmp(ba->action, "delete") == 0;
    if (!o)
        return query_usage_error("baseline", "unexpected argument '%s'", val);
    if (strcmp(o->name, "--db") == 0 || strcmp(o->name, "--plugin") == 0) {
        if (qfilter_option(&ba->f, o->name, val))
            return 2;
    } else if (strcmp(o->name, "--name") == 0) {
        ba->set.name = val;
    } else if (strcmp(o->name, "--id") == 0 && delete) {
        if (strspn(val, "0123456789,") != strlen(val) || !*val)
            return query_usage_error("baseline", "--id '%s': baseline ids, comma-separated", val);
        ba->ids = val;
    } else if (strcmp(o->name, "--format") == 0 && !delete) {
        if (strcmp(val, "table") && strcmp(val, "csv") && strcmp(val, "json"))
            return query_usage_error("baseline", "unknown --format '%s' (table, csv or json)", val);
        ba->format = val;
    } else {
        return query_usage_error("baseline", "%s is not an option of baseline %s", o->name,
                                 ba->action);
    }
    return 0;
}

/* `baseline set`, after its options were read: the runs to take, then baseline_set(). */
static int set_main(baseline_args *ba)
{
    qfilter *f = &ba->f;
    if (!ba->set.sel && !check_filter_given(f))
        return query_usage_error("baseline", "from which runs? give a run id, tag:NAME, a time "
                                             "window FROM..TO, or filters");
    qfilter_finish(f);
    if (f->statuses.n)
        return query_usage_error("baseline", "baselines are made from ok runs only; drop --status");
    qfilter_option(f, "--status", "ok");
    if (ba->set.sel && analyze_selector(f, ba->set.sel))
        return 2;
    return baseline_set(f, &ba->set, stdout);
}

int cmd_baseline(int argc, char **argv)
{
    const char *action = argc > 1 ? argv[1] : NULL;
    if (!action || strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0) {
        cli_help(&cli_baseline_spec, action ? stdout : stderr);
        return action ? 0 : 2;
    }
    baseline_args ba;
    memset(&ba, 0, sizeof ba);
    ba.action = action;
    ba.format = "table";
    ba.set = (baseline_set_opts){"default", NULL, NULL, 0.05, SCOPE_CLASS};
    int set = strcmp(action, "set") == 0, delete = strcmp(action, "delete") == 0;
    if (!set && !delete && strcmp(action, "list") != 0)
        return query_usage_error("baseline", "unknown action '%s' (set, list or delete)", action);
    ba.f.cmd = set ? "baseline set" : delete ? "baseline delete" : "baseline list";
    if (!set)
        ba.set.name = NULL;
    int code = cli_parse(set ? &set_spec : &list_spec, argc - 1, argv + 1, &ba,
                         set ? set_take : list_take);
    if (code < 0)
        code = 0;
    else if (code == 0 && set)
        code = set_main(&ba);
    else if (code == 0 && delete && !ba.set.name && !ba.ids)
        code = query_usage_error("baseline", "delete which? give --name NAME or --id ID");
    else if (code == 0)
        code = delete ? baseline_delete(&ba.f, ba.set.name, ba.ids, stdout)
                      : baseline_list(&ba.f, ba.set.name, ba.format, stdout);
    qfilter_free(&ba.f);
    return code;
}
