/* serve_cmd.c — `benchaas serve`: its options and help; cmd.c (serve/) runs the service. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve.h"
#include "util.h"

#define S(name, syn, help) {name, 0, CLI_STRING, CLI_HANDLER, syn, NULL, help, NULL}
#define I(name, syn, help) {name, 0, CLI_INT, CLI_HANDLER, syn, NULL, help, NULL}
#define L(name, syn, help) {name, 0, CLI_LIST, CLI_HANDLER, syn, NULL, help, NULL}
#define F(name, help) {name, 0, CLI_FLAG, CLI_HANDLER, NULL, NULL, help, NULL}

static const cli_opt serve_opts_table[] = {
    S("--db", "--db FILE", "the database (default: $BENCHAAS_DB, else\n"
                           "./benchaas.db)"),
    S("--config", "--config FILE",
      "a file whose serve block gives the same settings\n"
      "(docs/serve.md, Settings); the command line wins"),
    L("--plugin-path", "--plugin-path DIR",
      "plugin folders searched first, as `run` takes them\n"
      "(repeatable)"),
    CLI_HEADING("Listening:\n"),
    S("--listen", "--listen HOST:PORT",
      "where to listen (default 127.0.0.1:8080; port 0:\n"
      "any free port, the one `listening on` names)"),
    I("--threads", "--threads N", "threads serving requests (default 4)"),
    S("--tls-cert", "--tls-cert FILE", "HTTPS: the certificate (with --tls-key)"),
    S("--tls-key", "--tls-key FILE", "HTTPS: its private key"),
    S("--trusted-proxy", "--trusted-proxy CIDR",
      "a reverse proxy in that network: its\n"
      "X-Forwarded-For (the last address) is the client's\n"
      "address for the sign-in lock-out and the log; from\n"
      "anyone else X-Forwarded-For is ignored"),
    CLI_HEADING("Accounts and limits (docs/api.md, Security limits):\n"),
    F("--signup", "anyone may create an account (`benchaas user add\n"
                  "NAME --role admin` makes the first admin)"),
    I("--slots", "--slots N",
      "points run at a time, round-robin across users\n"
      "(default 1)"),
    I("--header-timeout", "--header-timeout SECONDS",
      "a request's head must arrive within SECONDS or the\n"
      "connection is closed (default 10)"),
    I("--max-conns", "--max-conns N", "connections at most (default 1000)"),
    I("--max-conns-per-address", "--max-conns-per-address N",
      "connections from one address at most (default 32)"),
    CLI_HEADING("Scheduled checks:\n"),
    S("--webhook", "--webhook URL", "where the regressions they find are posted"),
    F("--no-confirm",
      "alert at once (default: a regression queues one\n"
      "confirmation run of that point and alerts only\n"
      "when it holds)"),
    CLI_HEADING("Site policy (what members submit; docs/serve.md):\n"),
    S("--run-as", "--run-as USER",
      "the user submitted work runs as, apart from the\n"
      "server (default nobody when started as root)"),
    L("--allow-path", "--allow-path DIR",
      "a folder submitted work may use besides the job's\n"
      "own, confined by Landlock (repeatable; none by\n"
      "default)"),
    L("--allow-host", "--allow-host CIDR",
      "a network a parameter naming a host must resolve\n"
      "into (repeatable, IPv4 or IPv6; none by default)"),
    S("--scratch", "--scratch DIR", "where the jobs' own folders go (default DB.scratch)"),
    S("--job-disk-quota", "--job-disk-quota SIZE",
      "a point whose job's folder holds more is stopped\n"
      "(measured every half second; default 10G; K, M, G,\n"
      "T: powers of 1024; 0: no cap)"),
    CLI_HEADING("Slurm:\n"),
    {"--launcher", 0, CLI_ENUM, CLI_HANDLER, "--launcher local|slurm", "local|slurm",
     "local (default; mpi for points with ranks > 1), or\n"
     "slurm: the service hands each job to sbatch, as\n"
     "`benchaas submit` would (its runs tagged\n"
     "benchaas-job=ID), and collects its results every\n"
     "few seconds, as `benchaas collect` would", NULL},
    CLI_END,
};

const cli_spec cli_serve_spec = {
    "serve",
    "serve [--db] [--config] [--plugin-path]...\n"
    " [--listen] [--threads]\n"
    " [--tls-cert --tls-key] [--trusted-proxy]\n"
    " [--signup] [--slots] [--header-timeout]\n"
    " [--max-conns] [--max-conns-per-address]\n"
    " [--webhook] [--no-confirm] [--launcher]\n"
    " [--run-as] [--scratch] [--job-disk-quota]\n"
    " [--allow-path]... [--allow-host]...",
    "BenchaaS as a service (docs/serve.md): the JSON API over the same database,\n"
    "plugins and pipeline as the CLI, and a scheduler that runs submitted jobs.\n"
    "When ready it prints\n"
    "  benchaas serve: listening on http://HOST:PORT\n"
    "on stderr.  SIGINT/SIGTERM stop it; a restart resumes every job.\n"
    "\n",
    serve_opts_table,
    29,
    "\n"
    "The serve block of --config (`serve = { listen = \"...\"; slots = 1; ... };`)\n"
    "takes listen, database, threads, signup, slots, launcher, webhook, confirm\n"
    "(false: --no-confirm), allow_paths, allow_hosts, run_as and scratch, and\n"
    "what only it sets: quotas = { jobs = 50; points = 1000; ranks = 1024;\n"
    "schedules = 20; } (over one: 429) and peak_gflops (docs/serve.md, Settings).\n",
    NULL,
};

/* What serve was told: the settings, those given explicitly again, the configuration file. */
typedef struct {
    serve_opts o, given;
    const char *cfgpath;
} serve_args;

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

/* A whole number lo..hi of option name into *out: 0, or 2 after saying what was wrong. */
static int whole(const char *name, const char *v, long hi, int *out)
{
    long n;
    if (parse_long(v, 1, hi, &n) != 0)
        return cli_usage_error(&cli_serve_spec, "%s %s: a whole number from 1 to %ld", name, v, hi);
    *out = (int)n;
    return 0;
}

/* SIZE of --job-disk-quota (digits, then K, M, G or T, powers of 1024) into *out. */
static int disk_size(const char *v, double *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end == 'k' || *end == 'm' || *end == 'g' || *end == 't'
                                             ? *end - 'a' + 'A'
                                             : *end)
                         : NULL;
    if (errno || end == v || v[0] == '-' || (*end && (!u || !*u || end[1])) || n > (1ULL << 40))
        return cli_usage_error(&cli_serve_spec,
                               "--job-disk-quota %s: a size such as 500M or 10G (0: no cap)", v);
    double b = (double)n;
    for (const char *k = units; u && k <= u; k++)
        b *= 1024.0;
    *out = b;
    return 0;
}

/* The string options: where each goes, and whether the serve block may override it. */
static char **string_field(serve_args *a, const char *name, char ***given)
{
    serve_opts *o = &a->o, *g = &a->given;
    static const struct {
        const char *name;
        size_t off;
        int tracked; /* (the serve block must not override it) */
    } rows[] = {
        {"--listen", offsetof(serve_opts, listen), 1},
        {"--db", offsetof(serve_opts, db), 1},
        {"--launcher", offsetof(serve_opts, launcher), 1},
        {"--webhook", offsetof(serve_opts, webhook), 1},
        {"--tls-cert", offsetof(serve_opts, tls_cert), 0},
        {"--tls-key", offsetof(serve_opts, tls_key), 0},
        {"--trusted-proxy", offsetof(serve_opts, trusted_proxy), 0},
        {"--scratch", offsetof(serve_opts, scratch), 1},
        {"--run-as", offsetof(serve_opts, run_as), 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(rows[i].name, name) == 0) {
            *given = rows[i].tracked ? (char **)((char *)g + rows[i].off) : NULL;
            return (char **)((char *)o + rows[i].off);
        }
    return NULL;
}

/* An option of serve (cli_take_fn). */
static int serve_take(void *opts, const cli_opt *opt, const char *v)
{
    serve_args *a = opts;
    serve_opts *o = &a->o, *g = &a->given;
    if (!opt)
        return cli_usage_error(&cli_serve_spec, "unexpected argument '%s'", v);
    const char *name = opt->name;
    char **field, **given = NULL;
    if ((field = string_field(a, name, &given))) {
        set_str(field, v);
        if (given)
            *given = *field;
    } else if (strcmp(name, "--config") == 0) {
        a->cfgpath = v;
    } else if (strcmp(name, "--slots") == 0) {
        if (whole("--slots", v, 64, &o->slots))
            return 2;
        g->slots = o->slots;
    } else if (strcmp(name, "--threads") == 0) {
        return whole("--threads", v, 256, &o->threads);
    } else if (strcmp(name, "--header-timeout") == 0) {
        return whole(name, v, 3600, &o->header_timeout);
    } else if (strcmp(name, "--max-conns-per-address") == 0) {
        return whole(name, v, 100000, &o->per_ip);
    } else if (strcmp(name, "--max-conns") == 0) {
        return whole(name, v, 100000, &o->max_conns);
    } else if (strcmp(name, "--signup") == 0) {
        o->signup = g->signup = 1;
    } else if (strcmp(name, "--no-confirm") == 0) {
        o->no_confirm = g->no_confirm = 1;
    } else if (strcmp(name, "--allow-path") == 0 || strcmp(name, "--allow-host") == 0) {
        int path = name[8] == 'p';
        strvec_push(path ? &o->allow_paths : &o->allow_hosts, v);
        strvec_push(path ? &g->allow_paths : &g->allow_hosts, v);
    } else if (strcmp(name, "--job-disk-quota") == 0) {
        return disk_size(v, &o->job_disk_quota);
    } else if (strcmp(name, "--plugin-path") == 0) {
        return serve_plugin_path(v);
    }
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    if (argc == 2 && cli_has_flag(argc, argv, "--plan-child"))
        return serve_plan_child();
    serve_args a;
    memset(&a, 0, sizeof a);
    serve_opts_init(&a.o);
    int rc = cli_parse(&cli_serve_spec, argc, argv, &a, serve_take);
    if (rc == 0)
        return serve_main(&a.o, &a.given, a.cfgpath);
    serve_opts_free(&a.o, &a.given);
    return rc < 0 ? 0 : 2;
}
