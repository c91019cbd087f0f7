/*
 * cli.c — `benchaas`: the command-line contract of docs/cli.md.
 *
 * Exit codes: 0 success, 1 a benchmark ran but failed (validation, crash,
 * timeout), 2 bad usage, configuration or input (nothing was run or written).
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <libconfig.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "compare.h"
#include "dbpath.h"
#include "launch.h"
#include "loader.h"
#include "nodes.h"
#include "paramval.h"
#include "plan.h"
#include "query.h"
#include "report.h"
#include "run.h"
#include "serve.h"
#include "slurm.h"
#include "sqlcmd.h"
#include "store.h"
#include "text.h"

static const char *run_help =
    "usage: benchaas run PLUGIN [-p NAME=VALUE]... [options]\n"
    "       benchaas run CONFIG.cfg [--only NAME] [options]\n"
    "\n"
    "Run a benchmark, or the experiments of a libconfig file, and store the results.\n"
    "A -p value with commas is a sweep (-p NB=128,192 runs two points); see\n"
    "`benchaas describe PLUGIN` for the parameters.\n"
    "\n"
    "Options:\n"
    "  -p, --param NAME=VALUE  a parameter (repeatable)\n"
    "  --only NAME             only this experiment of the configuration\n"
    "  --db FILE               the result database (BENCHAAS_DB; default ./benchaas.db)\n"
    "  --launcher L            local, mpi or slurm (default: local, or mpi when\n"
    "                          --ranks > 1 or the plugin needs MPI)\n"
    "  --ranks N               MPI ranks (default 1)\n"
    "  --threads N             threads per rank: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS\n"
    "  --repetitions N         timed repetitions after one warm-up (default: plugin's)\n"
    "  --repetitions auto[:MAX]  repeat until the headline metric's spread (sample\n"
    "                          standard deviation / mean) is below --spread-target,\n"
    "                          at least 3 and at most MAX (20) times\n"
    "  --spread-target PCT     the spread auto repetitions stop at (3.5 %)\n"
    "  --timeout SECONDS       kill a run still going then, record it as timeout (3600)\n"
    "  --plugin-path DIR       extra plugin folders, searched first (repeatable, or a:b)\n"
    "  --tag NAME              a label stored with the runs (repeatable)\n"
    "  --mpirun-arg ARG        an extra argument for mpirun (repeatable)\n"
    "  --json                  print the results as one JSON document on stdout\n"
    "  --dry-run               print the run specs; run and write nothing\n"
    "  --progress              a line per point on stderr even when it is not a terminal\n"
    "  --quiet                 no progress lines\n"
    "  -v, --verbose           show the plugins' informational messages\n"
    "  --keep-spool            keep the spec and result files after they are stored\n"
    "\n"
    "Slurm (`benchaas submit CONFIG` is `run --launcher slurm`):\n"
    "  --wait                  wait for the jobs (polling with back-off), then collect\n"
    "  --retry-failed          submit only the points not already stored as ok\n"
    "  --each-node             every point once on every node: one job per experiment\n"
    "                          and node (sbatch --nodelist), runs tagged node=NODE;\n"
    "                          then `benchaas check --across-nodes` names the outliers\n"
    "  --nodes LIST            with --each-node: these nodes (n1,n2 or n[1-4])\n"
    "  --partition P           with --each-node: the nodes of partition P, submitted to P\n"
    "                          (default: every node sinfo lists)\n"
    "  --dry-run               print the batch scripts; submit nothing\n";

static void usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void usage_error(const char *cmd, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "benchaas %s: %s\nTry `benchaas %s --help`.\n", cmd, buf, cmd);
}

/* ---- --version -------------------------------------------------------- */

static int cmd_version(void)
{
    printf("benchaas %s (git %s)\n", BENCHAAS_VERSION, BENCHAAS_GIT_REVISION);
    printf("plugin ABI %d.%d\n", BX_ABI_MAJOR, BX_ABI_MINOR);
    printf("libconfig %d.%d.%d, SQLite %s, cJSON %s", LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR,
           LIBCONFIG_VER_REVISION, sqlite3_libversion(), cJSON_Version());
#ifdef BENCHAAS_MPI_VERSION
    printf(", MPI %s", BENCHAAS_MPI_VERSION);
#endif
#ifdef BENCHAAS_OPENBLAS_VERSION
    printf(", OpenBLAS %s", BENCHAAS_OPENBLAS_VERSION);
#endif
    printf("\n");
    return 0;
}

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

/* Value of --opt VALUE or --opt=VALUE; NULL if argv[*i] is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, int *missing)
{
    size_t n = strlen(opt);
    if (strncmp(argv[*i], opt, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
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

/* What `run` and `submit` were asked to do. */
typedef struct run_cli {
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

/* `run`/`submit` options into r: -1 go on, 0 after --help (printed), 2 after a usage error. */
static int run_args(int argc, char **argv, run_cli *r)
{
    const char *cmd = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0;
        long n;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("%s", run_help);
            return 0;
        } else if (strcmp(a, "-p") == 0 || strcmp(a, "--param") == 0) {
            if (i + 1 >= argc) {
                usage_error(cmd, "%s needs NAME=VALUE", a);
                return 2;
            }
            strvec_push(&r->pargs, argv[++i]);
        } else if (strncmp(a, "-p", 2) == 0 && a[2] && a[1] != '-') {
            strvec_push(&r->pargs, a + 2);
        } else if ((v = opt_value(argc, argv, &i, "--param", &missing))) {
            strvec_push(&r->pargs, v);
        } else if ((v = opt_value(argc, argv, &i, "--db", &missing))) {
            r->db = v;
        } else if ((v = opt_value(argc, argv, &i, "--only", &missing))) {
            r->only = v;
        } else if ((v = opt_value(argc, argv, &i, "--launcher", &missing))) {
            if (!launcher_find(v)) {
                char names[64];
                usage_error(cmd, "--launcher %s: expected %s", v,
                            launcher_names(names, sizeof names, ", ", " or "));
                return 2;
            }
            free(r->ov.set.launcher);
            r->ov.set.launcher = xstrdup(v);
        } else if ((v = opt_value(argc, argv, &i, "--ranks", &missing))) {
            if (parse_long(v, 1, 1000000, &n)) {
                usage_error(cmd, "--ranks %s: expected a whole number from 1 to 1000000", v);
                return 2;
            }
            r->ov.set.ranks = n;
        } else if ((v = opt_value(argc, argv, &i, "--threads", &missing))) {
            if (parse_long(v, 1, 100000, &n)) {
                usage_error(cmd, "--threads %s: expected a whole number from 1 to 100000", v);
                return 2;
            }
            r->ov.set.threads = n;
        } else if ((v = opt_value(argc, argv, &i, "--repetitions", &missing))) {
            r->reps_auto = plan_auto_reps(v, &n) == 0;
            if (!r->reps_auto && parse_long(v, 1, 1000000, &n)) {
                usage_error(cmd, "--repetitions %s: expected a whole number from 1 to 1000000, "
                                 "or auto[:MAX] (MAX from 3)", v);
                return 2;
            }
            r->ov.set.repetitions = n;
        } else if ((v = opt_value(argc, argv, &i, "--spread-target", &missing))) {
            char *end;
            errno = 0;
            double t = strtod(v, &end);
            if (end != v && *end == '%')
                end++;
            if (end == v || *end || errno || !(t > 0) || !(t < 100)) {
                usage_error(cmd, "--spread-target %s: a percentage above 0 and below 100", v);
                return 2;
            }
            r->spread = t / 100;
        } else if ((v = opt_value(argc, argv, &i, "--timeout", &missing))) {
            char *end;
            errno = 0;
            double t = strtod(v, &end);
            if (end == v || *end || errno || !(t > 0) || t > 31 * 86400.0) {
                usage_error(cmd, "--timeout %s: expected seconds, more than 0 and at most 31 days", v);
                return 2;
            }
            r->ov.set.timeout = t;
        } else if ((v = opt_value(argc, argv, &i, "--plugin-path", &missing))) {
            strvec_push(&r->user_dirs, v);
        } else if ((v = opt_value(argc, argv, &i, "--tag", &missing))) {
            strvec_push(&r->ov.set.tags, v);
        } else if ((v = opt_value(argc, argv, &i, "--mpirun-arg", &missing))) {
            strvec_push(&r->ov.set.mpirun_args, v);
        } else if (strcmp(a, "--json") == 0) {
            r->o.json = 1;
        } else if (strcmp(a, "--dry-run") == 0) {
            r->o.dry_run = 1;
        } else if (strcmp(a, "--progress") == 0) {
            r->progress = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            r->progress = 0;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            r->o.verbose = 1;
        } else if (strcmp(a, "--keep-spool") == 0) {
            r->o.keep_spool = 1;
        } else if (strcmp(a, "--wait") == 0) {
            r->wait = 1;
        } else if (strcmp(a, "--retry-failed") == 0) {
            r->retry = 1;
        } else if (strcmp(a, "--each-node") == 0) {
            r->each_node = 1;
        } else if ((v = opt_value(argc, argv, &i, "--nodes", &missing))) {
            r->nodes = v;
        } else if ((v = opt_value(argc, argv, &i, "--partition", &missing))) {
            r->partition = v;
        } else if (missing) {
            usage_error(cmd, "%s needs a value", a);
            return 2;
        } else if (a[0] == '-' && a[1]) {
            usage_error(cmd, "unknown option '%s'", a);
            return 2;
        } else if (!r->target) {
            r->target = a;
        } else {
            usage_error(cmd, "unexpected argument '%s' (one plugin or configuration file)", a);
            return 2;
        }
        if (missing) {
            usage_error(cmd, "%s needs a value", a);
            return 2;
        }
    }
    if (!r->target) {
        usage_error(cmd, "what to run? a plugin name (see `benchaas plugins`) or a CONFIG.cfg");
        return 2;
    }
    if (r->spread > 0 && !r->reps_auto) {
        usage_error(cmd, "--spread-target goes with --repetitions auto[:MAX]");
        return 2;
    }
    if (r->reps_auto)
        r->ov.set.spread_target = r->spread > 0 ? r->spread : PLAN_SPREAD_TARGET;
    if ((r->nodes || r->partition) && !r->each_node) {
        usage_error(cmd, "%s goes with --each-node", r->nodes ? "--nodes" : "--partition");
        return 2;
    }
    if (r->each_node && strcmp(cmd, "submit") != 0) {
        usage_error(cmd, "--each-node runs each point on every node through Slurm: use "
                         "`benchaas submit`");
        return 2;
    }
    if (r->nodes && r->partition) {
        usage_error(cmd, "--nodes or --partition, not both");
        return 2;
    }
    return -1;
}

/* The configuration of r->target: a file, or a plugin and its -p values.  0, or 2 (said). */
static int run_config(const char *cmd, const run_cli *r, config *cfg)
{
    char err[4096];
    if (plugin_dirs_check(&r->user_dirs, err, sizeof err) != 0) {
        say("%s", err); /* a --plugin-path that is not there is a typo, not a fallback */
        return 2;
    }
    if (is_config_path(r->target)) {
        if (r->pargs.n) {
            usage_error(cmd, "-p applies to `run PLUGIN`; put parameters in %s", r->target);
            return 2;
        }
        if (config_load(r->target, cfg, err, sizeof err) != 0) {
            say("%s", err);
            config_free(cfg);
            return 2;
        }
    } else {
        if (r->only) {
            usage_error(cmd, "--only applies to a configuration file");
            return 2;
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
    const char *cmd = argv[0];
    run_cli r;
    memset(&r, 0, sizeof r);
    settings_init(&r.ov.set);
    r.progress = -1;
    int rc = run_args(argc, argv, &r);
    if (rc >= 0)
        goto out;
    rc = 2;
    char err[4096];
    config cfg;
    if (run_config(cmd, &r, &cfg) != 0)
        goto out;
    if (submit) {
        free(r.ov.set.launcher);
        r.ov.set.launcher = xstrdup("slurm");
    }
    r.ov.only = r.only;
    r.ov.plugin_dirs = &r.user_dirs;
    r.o.db = default_db_or(r.db, cfg.database);
    r.o.show = show_runs;
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

/* ---- worker ----------------------------------------------------------- */

int cmd_worker(int argc, char **argv)
{
    /* The MPI build of the worker runs every spec; the plain one only non-MPI ones. */
    char *w = worker_path(1);
    if (access(w, X_OK) != 0) {
        free(w);
        w = worker_path(0);
    }
    argv[0] = w;
    execv(w, argv);
    say("cannot start the worker %s: %s", w, strerror(errno));
    free(w);
    return 2;
}

int cmd_run(int argc, char **argv) { return cmd_run_like(argc, argv, 0); }

int cmd_submit(int argc, char **argv) { return cmd_run_like(argc, argv, 1); }

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_main_help(stderr);
        return 2;
    }
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
        cli_main_help(stdout);
        return 0;
    }
    if (strcmp(c, "--version") == 0 || strcmp(c, "version") == 0)
        return cmd_version();
    if (strcmp(c, "--man") == 0 || strcmp(c, "--completion") == 0) {
        /* (hidden: the build writes benchaas.1 and the bash completion with them) */
        (c[2] == 'm' ? cli_write_man : cli_write_completion)(stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (strcmp(c, "--list-options") == 0) { /* (hidden: for the test of the two) */
        cli_list_options();
        return fflush(stdout) == 0 ? 0 : 1;
    }
    for (const cli_cmd *t = cli_commands; t->name; t++)
        if (t->fn && strcmp(c, t->name) == 0)
            return t->fn(argc - 1, argv + 1);
    fprintf(stderr, "benchaas: unknown command '%s'\n\n", c);
    cli_main_help(stderr);
    return 2;
}
