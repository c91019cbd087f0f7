/*
 * run_cmd.c — `benchaas run`, `submit` and `worker`: run's options and help;
 * the runner library (plan.c, run.c, slurm.c) plans and runs.
 *
 * Exit codes: 0 success, 1 a benchmark ran but failed (validation, crash,
 * timeout), 2 bad usage, configuration or input (nothing was run or written).
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dbpath.h"
#include "launch.h"
#include "loader.h"
#include "paramval.h"
#include "plan.h"
#include "query.h"
#include "run.h"
#include "slurm.h"
#include "store.h"
#include "text.h"

/* ---- run -------------------------------------------------------------- */

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

static int is_config_path(const char *a)
{
    size_t n = strlen(a);
    return strchr(a, '/') || (n > 4 && strcmp(a + n - 4, ".cfg") == 0) ||
           (n > 5 && strcmp(a + n - 5, ".conf") == 0);
}

/* The runs `run` and `submit --wait` stored: the table, or {"runs": [...]} for --json. */
static void show_runs(store *st, const int64_t *ids, size_t n, int json)
{
    if (json) {
        cJSON *out = NULL;
        if (query_runs_json(st, ids, n, &out) == 0 && out) {
            char *txt = cJSON_Print(out);
            text_put_json(stdout, txt); /* valid UTF-8, no raw control */
            putchar('\n');
            free(txt);
            cJSON_Delete(out);
        }
    } else {
        query_print_table(st, ids, n, stdout);
    }
}


#define V(name, letter, type, syn, help) {name, letter, type, CLI_HANDLER, syn, NULL, help, NULL}
#define F(name, letter, help) {name, letter, CLI_FLAG, CLI_HANDLER, NULL, NULL, help, NULL}

static const cli_opt run_opts_table[] = {
    CLI_TEXT("Options:\n"),
    V("--param", 'p', CLI_LIST, "-p, --param NAME=VALUE", "a parameter (repeatable)"),
    V("--only", 0, CLI_STRING, "--only NAME", "only this experiment of the configuration"),
    V("--db", 0, CLI_STRING, "--db FILE", "the result database (BENCHAAS_DB; default ./benchaas.db)"),
    {"--launcher", 0, CLI_ENUM, CLI_HANDLER, "--launcher L", "local|mpi|slurm",
     "local, mpi or slurm (default: local, or mpi when\n"
     "--ranks > 1 or the plugin needs MPI)", NULL},
    V("--ranks", 0, CLI_INT, "--ranks N", "MPI ranks (default 1)"),
    V("--threads", 0, CLI_INT, "--threads N", "threads per rank: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS"),
    V("--repetitions", 0, CLI_STRING, "--repetitions N|auto[:MAX]",
      "timed repetitions after one warm-up\n"
      "(default: plugin's); auto: repeat until the headline\n"
      "metric's spread (sample standard deviation / mean) is\n"
      "below --spread-target, at least 3 and at most MAX (20)\n"
      "times"),
    V("--spread-target", 0, CLI_DOUBLE, "--spread-target PCT", "the spread auto repetitions stop at (3.5 %)"),
    V("--timeout", 0, CLI_DOUBLE, "--timeout SECONDS",
      "kill a run still going then, record it as timeout (3600)"),
    V("--plugin-path", 0, CLI_LIST, "--plugin-path DIR",
      "extra plugin folders, searched first (repeatable, or a:b)"),
    V("--tag", 0, CLI_LIST, "--tag NAME", "a label stored with the runs (repeatable)"),
    V("--mpirun-arg", 0, CLI_LIST, "--mpirun-arg ARG", "an extra argument for mpirun (repeatable)"),
    F("--json", 0, "print the results as one JSON document on stdout"),
    F("--dry-run", 0, "print the run specs (Slurm: the batch scripts); run,\n"
                      "submit and write nothing"),
    F("--progress", 0, "a line per point on stderr even when it is not a terminal"),
    F("--quiet", 'q', "no progress lines"),
    F("--verbose", 'v', "show the plugins' informational messages"),
    F("--keep-spool", 0, "keep the spec and result files after they are stored"),
    CLI_TEXT("\n"),
    CLI_HEADING("Slurm (`benchaas submit CONFIG` is `run --launcher slurm`):\n"),
    F("--wait", 0, "wait for the jobs (polling with back-off), then collect"),
    F("--retry-failed", 0, "submit only the points not already stored as ok"),
    F("--each-node", 0, "every point once on every node: one job per experiment\n"
                        "and node (sbatch --nodelist), runs tagged node=NODE;\n"
                        "then `benchaas check --across-nodes` names the outliers"),
    V("--nodes", 0, CLI_STRING, "--nodes LIST", "with --each-node: these nodes (n1,n2 or n[1-4])"),
    V("--partition", 0, CLI_STRING, "--partition P",
      "with --each-node: the nodes of partition P, submitted to P\n"
      "(default: every node sinfo lists)"),
    CLI_END,
};

#define RUN_SPEC(name)                                                                         \
    {name,                                                                                     \
     "run PLUGIN [-p]... [options]\n"                                                          \
     "run CONFIG.cfg [--only] [options]",                                                     \
     "Run a benchmark, or the experiments of a libconfig file, and store the results.\n"       \
     "A -p value with commas is a sweep (-p NB=128,192 runs two points); see\n"                \
     "`benchaas describe PLUGIN` for the parameters.\n"                                        \
     "\n",                                                                                     \
     run_opts_table, 26, NULL, NULL}

const cli_spec cli_run_spec = RUN_SPEC("run");
const cli_spec cli_submit_spec = RUN_SPEC("submit");

/* What `run` and `submit` were asked to do. */
typedef struct run_cli {
    const cli_spec *spec;
    strvec pargs, user_dirs;
    const char *target, *db, *only;
    run_opts o;
    cli_overrides ov;
    int progress, wait, retry;
    int each_node;                   /* submit --each-node */
    const char *nodes, *partition;   /* its --nodes LIST / --partition P */
    int reps_auto;                   /* --repetitions auto[:MAX] */
    double spread;                   /* --spread-target PCT (a fraction), 0 unset */
} run_cli;

/* A number of seconds or a percentage: --timeout (0 < t <= 31 days), --spread-target. */
static int seconds_or_percent(run_cli *r, const char *name, const char *v)
{
    char *end;
    errno = 0;
    double t = strtod(v, &end);
    if (name[2] == 's') { /* --spread-target */
        if (end != v && *end == '%')
            end++;
        if (end == v || *end || errno || !(t > 0) || !(t < 100))
            return cli_usage_error(r->spec, "--spread-target %s: a percentage above 0 and below 100", v);
        r->spread = t / 100;
    } else {
        if (end == v || *end || errno || !(t > 0) || t > 31 * 86400.0)
            return cli_usage_error(r->spec, "--timeout %s: expected seconds, more than 0 and at most 31 days", v);
        r->ov.set.timeout = t;
    }
    return 0;
}

/* --launcher, --ranks, --threads, --repetitions: checked values of the settings. */
static int setting(run_cli *r, const char *name, const char *v)
{
    long n;
    if (strcmp(name, "--launcher") == 0) {
        if (!launcher_find(v)) {
            char names[64];
            return cli_usage_error(r->spec, "--launcher %s: expected %s", v,
                                   launcher_names(names, sizeof names, ", ", " or "));
        }
        free(r->ov.set.launcher);
        r->ov.set.launcher = xstrdup(v);
    } else if (strcmp(name, "--ranks") == 0) {
        if (parse_long(v, 1, 1000000, &n))
            return cli_usage_error(r->spec, "--ranks %s: expected a whole number from 1 to 1000000", v);
        r->ov.set.ranks = n;
    } else if (strcmp(name, "--threads") == 0) {
        if (parse_long(v, 1, 100000, &n))
            return cli_usage_error(r->spec, "--threads %s: expected a whole number from 1 to 100000", v);
        r->ov.set.threads = n;
    } else {
        r->reps_auto = plan_auto_reps(v, &n) == 0;
        if (!r->reps_auto && parse_long(v, 1, 1000000, &n))
            return cli_usage_error(r->spec, "--repetitions %s: expected a whole number from 1 to "
                                            "1000000, or auto[:MAX] (MAX from 3)", v);
        r->ov.set.repetitions = n;
    }
    return 0;
}

/* An option of run or submit, or the plugin or configuration to run (cli_take_fn). */
static int run_take(void *opts, const cli_opt *o, const char *v)
{
    run_cli *r = opts;
    if (!o) {
        if (r->target)
            return cli_usage_error(r->spec, "unexpected argument '%s' (one plugin or "
                                            "configuration file)", v);
        r->target = v;
        return 0;
    }
    const char *name = o->name;
    /* where a value or a flag goes */
    const struct { const char *name; strvec *list; const char **str; int *flag, val; } rows[] = {
        {"--param", &r->pargs, NULL, NULL, 0},
        {"--plugin-path", &r->user_dirs, NULL, NULL, 0},
        {"--tag", &r->ov.set.tags, NULL, NULL, 0},
        {"--mpirun-arg", &r->ov.set.mpirun_args, NULL, NULL, 0},
        {"--db", NULL, &r->db, NULL, 0},
        {"--only", NULL, &r->only, NULL, 0},
        {"--nodes", NULL, &r->nodes, NULL, 0},
        {"--partition", NULL, &r->partition, NULL, 0},
        {"--json", NULL, NULL, &r->o.json, 1},
        {"--dry-run", NULL, NULL, &r->o.dry_run, 1},
        {"--progress", NULL, NULL, &r->progress, 1},
        {"--quiet", NULL, NULL, &r->progress, 0},
        {"--verbose", NULL, NULL, &r->o.verbose, 1},
        {"--keep-spool", NULL, NULL, &r->o.keep_spool, 1},
        {"--wait", NULL, NULL, &r->wait, 1},
        {"--retry-failed", NULL, NULL, &r->retry, 1},
        {"--each-node", NULL, NULL, &r->each_node, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (strcmp(rows[i].name, name) != 0)
            continue;
        if (rows[i].list)
            strvec_push(rows[i].list, v);
        else if (rows[i].str)
            *rows[i].str = v;
        else
            *rows[i].flag = rows[i].val;
        return 0;
    }
    if (strcmp(name, "--timeout") == 0 || strcmp(name, "--spread-target") == 0)
        return seconds_or_percent(r, name, v);
    return setting(r, name, v);
}

/* What the options say together: 0 go on, 2 after a usage error. */
static int run_check(run_cli *r)
{
    const cli_spec *s = r->spec;
    if (!r->target)
        return cli_usage_error(s, "what to run? a plugin name (see `benchaas plugins`) or a "
                                  "CONFIG.cfg");
    if (r->spread > 0 && !r->reps_auto)
        return cli_usage_error(s, "--spread-target goes with --repetitions auto[:MAX]");
    if (r->reps_auto)
        r->ov.set.spread_target = r->spread > 0 ? r->spread : PLAN_SPREAD_TARGET;
    if ((r->nodes || r->partition) && !r->each_node)
        return cli_usage_error(s, "%s goes with --each-node", r->nodes ? "--nodes" : "--partition");
    if (r->each_node && strcmp(s->name, "submit") != 0)
        return cli_usage_error(s, "--each-node runs each point on every node through Slurm: use "
                                  "`benchaas submit`");
    if (r->nodes && r->partition)
        return cli_usage_error(s, "--nodes or --partition, not both");
    return 0;
}
/* The configuration of r->target: a file, or a plugin and its -p values.  0, or 2 (said). */
static int run_config(const run_cli *r, config *cfg)
{
    char err[4096];
    if (plugin_dirs_check(&r->user_dirs, err, sizeof err) != 0) {
        say("%s", err); /* a --plugin-path that is not there is a typo, not a fallback */
        return 2;
    }
    if (is_config_path(r->target)) {
        if (r->pargs.n) {
            return cli_usage_error(r->spec, "-p applies to `run PLUGIN`; put parameters in %s",
                                   r->target);
        }
        if (config_load(r->target, cfg, err, sizeof err) != 0) {
            say("%s", err);
            config_free(cfg);
            return 2;
        }
    } else {
        if (r->only) {
            return cli_usage_error(r->spec, "--only applies to a configuration file");
        }
        if (config_from_cli(r->target, &r->pargs, cfg, err, sizeof err) != 0) {
            say("%s", err);
            config_free(cfg);
            return 2;
        }
    }
    return 0;
}

/* SIGINT, SIGTERM and SIGHUP stop the run cleanly; a closed pipe is an error, not a signal. */
static void run_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a closed terminal or ssh session: stop cleanly too */
    signal(SIGPIPE, SIG_IGN);
}

static int cmd_run_like(int argc, char **argv, int submit)
{
    run_cli r;
    memset(&r, 0, sizeof r);
    r.spec = submit ? &cli_submit_spec : &cli_run_spec;
    settings_init(&r.ov.set);
    r.progress = -1;
    int rc = cli_parse(r.spec, argc, argv, &r, run_take);
    if (rc == 0)
        rc = run_check(&r);
    if (rc) {
        rc = rc < 0 ? 0 : 2;
        goto out;
    }
    rc = 2;
    char err[4096];
    config cfg;
    if (run_config(&r, &cfg) != 0)
        goto out;
    if (submit) {
        free(r.ov.set.launcher);
        r.ov.set.launcher = xstrdup("slurm");
    }
    r.ov.only = r.only;
    r.ov.plugin_dirs = &r.user_dirs;
    r.o.db = default_db_or(r.db, cfg.database);
    r.o.show = show_runs;
    r.o.out = stdout;
    r.o.cfg = &cfg;
    plan pl;
    if (plan_build(&cfg, &r.ov, &pl, err, sizeof err) != 0) {
        say("%s", err);
        config_free(&cfg);
        goto out;
    }
    /* everything knowable before a run: the database and the spool (run.h) */
    char *spool0 = spool_dir_for(r.o.db);
    int pre = r.o.dry_run ? 0 : run_preflight(r.o.db, spool0, err, sizeof err);
    free(spool0);
    if (pre != 0) {
        say("%s", err);
        plan_free(&pl);
        config_free(&cfg);
        goto out;
    }
    r.o.progress = r.progress >= 0 ? r.progress : isatty(STDERR_FILENO);
    run_signals();
    int uses_slurm = 0;
    for (size_t i = 0; i < pl.npoints; i++)
        uses_slurm |= strcmp(pl.points[i].launcher, "slurm") == 0;
    strvec nodes = {0};
    if (r.each_node && slurm_resolve_nodes(r.nodes, r.partition, &nodes, err, sizeof err) != 0) {
        say("%s", err);
        rc = 2;
    } else if (r.each_node) {
        rc = slurm_submit_plan_nodes(&pl, &r.o, r.wait, r.retry, &nodes, r.partition);
    } else if (uses_slurm)
        rc = slurm_submit_plan_ex(&pl, &r.o, r.wait, r.retry);
    else
        rc = run_plan(&pl, &r.o);
    strvec_free(&nodes);
    plan_free(&pl);
    config_free(&cfg);
out:
    strvec_free(&r.pargs);
    strvec_free(&r.user_dirs);
    settings_free(&r.ov.set);
    return rc;
}

int cmd_run(int argc, char **argv) { return cmd_run_like(argc, argv, 0); }

int cmd_submit(int argc, char **argv) { return cmd_run_like(argc, argv, 1); }
