/* cmd.c — `benchaas serve`, `user`, `token` (see serve.h). */
#define _GNU_SOURCE
#include "serve.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "accounts.h"
#include "cfgsrc.h"
#include "api.h"
#include "apart.h"
#include "policy.h"
#include "dbpath.h"
#include "http.h"
#include "launch.h"
#include "pages.h"
#include "scheduler.h"
#include "util.h"
#include "webhook.h"

static int usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage(const char *cmd, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "benchaas %s: %s\nTry `benchaas %s --help`.\n", cmd, buf, cmd);
    return 2;
}

/* --opt VALUE or --opt=VALUE; NULL if argv[*i] is not opt (*missing when its value is). */
static const char *opt(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n])
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

static store *open_db(const char *cmd, const char *db)
{
    char err[1024];
    store *st;
    if (store_check_file(db, err, sizeof err) != 0 ||
        store_open(db, STORE_CREATE, &st, err, sizeof err) != 0) {
        fprintf(stderr, "benchaas %s: %s\n", cmd, err);
        return NULL;
    }
    return st;
}

/* A password: from stdin (one line) or asked twice on the terminal. */
static int read_password(const char *cmd, int from_stdin, char *out, size_t len)
{
    if (from_stdin || !isatty(STDIN_FILENO)) {
        if (!fgets(out, (int)len, stdin)) {
            usage(cmd, "no password on stdin");
            return 2;
        }
        out[strcspn(out, "\r\n")] = '\0';
        return 0;
    }
    char again[1100];
    struct termios t, quiet;
    tcgetattr(STDIN_FILENO, &t);
    quiet = t;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fprintf(stderr, "Password: ");
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    char *a = fgets(out, (int)len, stdin);
    fprintf(stderr, "\nAgain: ");
    char *b = fgets(again, sizeof again, stdin);
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
    fprintf(stderr, "\n");
    if (!a || !b) {
        usage(cmd, "no password given");
        return 2;
    }
    out[strcspn(out, "\r\n")] = '\0';
    again[strcspn(again, "\r\n")] = '\0';
    if (strcmp(out, again) != 0) {
        usage(cmd, "the two passwords differ");
        return 2;
    }
    return 0;
}

/* ---- user ------------------------------------------------------------------------ */

static const char *user_help =
    "usage: benchaas user add NAME [--role admin|member|viewer] [--password-stdin]\n"
    "       benchaas user list | passwd NAME [--password-stdin] | remove NAME\n"
    "\n"
    "Accounts of `benchaas serve`, in the database (--db FILE, BENCHAAS_DB, ./benchaas.db).\n"
    "Roles: viewer reads everything; member also submits and cancels its own jobs and\n"
    "uploads results; admin also manages users and cancels any job.  The password is\n"
    "asked twice on a terminal, or read as one line from stdin (--password-stdin).\n";

int cmd_user(int argc, char **argv)
{
    const char *db = NULL, *role = "member", *name = NULL, *sub = NULL;
    int pw_stdin = 0;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("%s", user_help);
            return 0;
        } else if ((v = opt(argc, argv, &i, "--db", &missing))) {
            db = v;
        } else if ((v = opt(argc, argv, &i, "--role", &missing))) {
            role = v;
        } else if (strcmp(argv[i], "--password-stdin") == 0) {
            pw_stdin = 1;
        } else if (missing) {
            return usage("user", "%s needs a value", argv[i]);
        } else if (argv[i][0] == '-') {
            return usage("user", "unknown option '%s'", argv[i]);
        } else if (!sub) {
            sub = argv[i];
        } else if (!name) {
            name = argv[i];
        } else {
            return usage("user", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!sub)
        return usage("user", "what to do? add, list, passwd or remove");
    int is_list = strcmp(sub, "list") == 0;
    if (!is_list && strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "remove"))
        return usage("user", "unknown subcommand '%s' (add, list, passwd, remove)", sub);
    if (!is_list && !name)
        return usage("user", "%s needs a user NAME", sub);
    if (is_list && name)
        return usage("user", "list takes no NAME");
    int r = account_role_parse(role);
    if (r < 0)
        return usage("user", "--role %s: one of admin, member, viewer", role);
    char err[1024];
    if (!is_list && strcmp(sub, "remove") && account_name_ok(name, err, sizeof err) != 0)
        return usage("user", "%s", err);
    store *st = open_db("user", default_db(db));
    if (!st)
        return 2;
    int rc = 0;
    if (is_list) {
        sqlite3_stmt *s;
        sqlite3_prepare_v2(store_db(st),
                           "SELECT name, role, created_at, (SELECT count(*) FROM tokens t WHERE "
                           "t.user_id = u.id AND t.kind = 'api' AND t.revoked_at IS NULL) FROM "
                           "users u ORDER BY name",
                           -1, &s, NULL);
        printf("%-24s %-7s %-21s %s\n", "USER", "ROLE", "CREATED", "TOKENS");
        while (s && sqlite3_step(s) == SQLITE_ROW)
            printf("%-24s %-7s %-21s %d\n", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1),
                   sqlite3_column_text(s, 2), sqlite3_column_int(s, 3));
        sqlite3_finalize(s);
    } else if (strcmp(sub, "remove") == 0) {
        if (account_remove(st, name, err, sizeof err) != 0) {
            fprintf(stderr, "benchaas user: %s\n", err);
            rc = 2;
        } else {
            fprintf(stderr, "benchaas user: removed %s and its tokens\n", name);
        }
    } else {
        char pw[1100];
        rc = read_password("user", pw_stdin, pw, sizeof pw);
        if (rc == 0) {
            int e = strcmp(sub, "add") == 0 ? account_add(st, name, pw, r, NULL, err, sizeof err)
                                            : account_set_password(st, name, pw, err, sizeof err);
            if (e) {
                fprintf(stderr, "benchaas user: %s\n", err);
                rc = 2;
            } else if (strcmp(sub, "add") == 0) {
                fprintf(stderr, "benchaas user: added %s (%s)\n", name, account_role_name(r));
            } else {
                fprintf(stderr, "benchaas user: new password for %s (its sessions ended)\n", name);
            }
        }
        memset(pw, 0, sizeof pw);
    }
    store_close(st);
    return rc;
}

/* ---- token ------------------------------------------------------------------------ */

static const char *token_help =
    "usage: benchaas token create NAME [--scope read|submit|upload] [--expires 30d]\n"
    "       benchaas token list [NAME] | revoke ID\n"
    "\n"
    "API tokens of `benchaas serve` (--db FILE, BENCHAAS_DB, ./benchaas.db).  A token is\n"
    "printed once, on stdout; only its hash is stored.  Scopes: read (GET only), submit\n"
    "(everything the user's role allows; the default), upload (read and POST\n"
    "/api/v1/results).  --expires: 45s, 90m, 12h, 30d, 2w (default: never).\n";

int cmd_token(int argc, char **argv)
{
    const char *db = NULL, *scope = "submit", *expires = NULL, *sub = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("%s", token_help);
            return 0;
        } else if ((v = opt(argc, argv, &i, "--db", &missing))) {
            db = v;
        } else if ((v = opt(argc, argv, &i, "--scope", &missing))) {
            scope = v;
        } else if ((v = opt(argc, argv, &i, "--expires", &missing))) {
            expires = v;
        } else if (missing) {
            return usage("token", "%s needs a value", argv[i]);
        } else if (argv[i][0] == '-') {
            return usage("token", "unknown option '%s'", argv[i]);
        } else if (!sub) {
            sub = argv[i];
        } else if (!name) {
            name = argv[i];
        } else {
            return usage("token", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!sub || (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke")))
        return usage("token", "what to do? create NAME, list or revoke ID");
    if (account_scope_parse(scope) < 0)
        return usage("token", "--scope %s: one of read, submit, upload", scope);
    int64_t life = 0;
    if (expires && account_parse_duration(expires, &life) != 0)
        return usage("token", "--expires %s: a period like 45s, 90m, 12h, 30d or 2w", expires);
    long rid = 0;
    if (strcmp(sub, "create") == 0 && !name)
        return usage("token", "create needs a user NAME");
    if (strcmp(sub, "revoke") == 0 && (!name || parse_long(name, 1, 1L << 53, &rid) != 0))
        return usage("token", "revoke needs a token ID (see `benchaas token list`)");
    store *st = open_db("token", default_db(db));
    if (!st)
        return 2;
    char err[1024];
    int rc = 0;
    if (strcmp(sub, "create") == 0) {
        char tok[ACCOUNT_TOKEN_TEXT], exp[32];
        int64_t id;
        if (account_token_create(st, name, "api", scope, life, tok, &id, exp, sizeof exp, err,
                                 sizeof err) != 0) {
            fprintf(stderr, "benchaas token: %s\n", err);
            rc = 2;
        } else {
            printf("%s\n", tok);
            fprintf(stderr,
                    "benchaas token: token %lld for %s, scope %s, %s%s (shown only this once)\n",
                    (long long)id, name, scope, exp[0] ? "expires " : "never expires", exp);
        }
        memset(tok, 0, sizeof tok);
    } else if (strcmp(sub, "revoke") == 0) {
        if (account_token_revoke(st, rid, err, sizeof err) != 0) {
            fprintf(stderr, "benchaas token: %s\n", err);
            rc = 2;
        } else if (sqlite3_changes(store_db(st)) == 0) {
            fprintf(stderr, "benchaas token: no live token %ld\n", rid);
            rc = 2;
        }
    } else {
        sqlite3_stmt *s;
        sqlite3_prepare_v2(store_db(st),
                           "SELECT t.id, u.name, t.kind, t.scope, t.created_at, "
                           "coalesce(t.expires_at, 'never'), coalesce(t.revoked_at, '') FROM "
                           "tokens t JOIN users u ON u.id = t.user_id WHERE ?1 IS NULL OR u.name "
                           "= ?1 ORDER BY t.id",
                           -1, &s, NULL);
        sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
        printf("%-6s %-20s %-8s %-7s %-21s %-21s %s\n", "ID", "USER", "KIND", "SCOPE", "CREATED",
               "EXPIRES", "REVOKED");
        while (sqlite3_step(s) == SQLITE_ROW)
            printf("%-6lld %-20s %-8s %-7s %-21s %-21s %s\n",
                   (long long)sqlite3_column_int64(s, 0), sqlite3_column_text(s, 1),
                   sqlite3_column_text(s, 2), sqlite3_column_text(s, 3),
                   sqlite3_column_text(s, 4), sqlite3_column_text(s, 5),
                   sqlite3_column_text(s, 6));
        sqlite3_finalize(s);
    }
    store_close(st);
    return rc;
}

/* ---- serve -------------------------------------------------------------------------- */

static const char *serve_help =
    "usage: benchaas serve [--listen HOST:PORT] [--db FILE] [--config FILE]\n"
    "                      [--launcher local|slurm] [--slots N] [--signup]\n"
    "                      [--tls-cert FILE --tls-key FILE] [--webhook URL]\n"
    "                      [--header-timeout SECONDS] [--max-conns N]\n"
    "                      [--max-conns-per-address N] [--trusted-proxy CIDR] [--no-confirm]\n"
    "                      [--plugin-path DIR]...\n"
    "\n"
    "BenchaaS as a service: the JSON API of docs/serve.md over the same database, plugins\n"
    "and pipeline as the CLI, and a scheduler that runs submitted jobs, --slots points at\n"
    "a time (default 1), round-robin across users.  Default --listen 127.0.0.1:8080;\n"
    "port 0 lets the kernel choose.  When ready it prints\n"
    "  benchaas serve: listening on http://HOST:PORT\n"
    "on stderr.  SIGINT/SIGTERM stop it; a restart resumes every job.\n"
    "--plugin-path DIR (repeatable): plugin folders searched first, as `run` takes them.\n"
    "--launcher slurm: each job is submitted with `benchaas submit` (its runs tagged\n"
    "benchaas-job=ID) and collected with `benchaas collect` every few seconds.\n"
    "A `serve = { listen = \"...\"; signup = true; slots = 1; launcher = \"local\";\n"
    "webhook = \"https://...\"; quotas = { jobs = 50; points = 1000; ranks = 1024; }; };`\n"
    "block of --config gives the same settings; the command line wins.\n"
    "A regression a scheduled check finds queues one confirmation run of that point and\n"
    "alerts only when it holds; --no-confirm (confirm = false;) alerts at once.\n"
    "Accounts: `benchaas user add NAME --role admin` makes the first admin.\n"
    "Limits (docs/api.md, Security limits): a request's head must arrive within\n"
    "--header-timeout seconds (default 10) or the connection is closed; at most\n"
    "--max-conns connections (default 1000), --max-conns-per-address from one address\n"
    "(default 32).  --trusted-proxy CIDR: a reverse proxy in that network; its\n"
    "X-Forwarded-For (the last address) is the client's address for the sign-in lock-out\n"
    "and the log.  From anyone else X-Forwarded-For is ignored.  Schedules per user:\n"
    "quotas = { schedules = 20; } in the serve block (over it: 429).\n"
    "\n"
    "Site policy (docs/serve.md): what members submit runs apart from the server, as\n"
    "--run-as USER (default nobody when started as root), confined by Landlock to the\n"
    "job's own folder and the folders given with --allow-path DIR\n"
    "(repeatable).  A parameter naming a host must resolve inside an --allow-host CIDR\n"
    "(repeatable; none by default).  --scratch DIR: where the jobs' folders go (default\n"
    "DB.scratch).  Also allow_paths, allow_hosts, run_as and scratch in the serve block.\n";

static volatile sig_atomic_t g_stop;
static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
}

typedef struct serve_opts {
    char *listen, *db, *launcher, *webhook, *tls_cert, *tls_key, *trusted_proxy;
    int slots, signup, threads;
    int header_timeout, max_conns, per_ip; /* 0: http.h's defaults */
    long max_schedules;
    double peak_gflops; /* a node's theoretical peak, set by the site (0: derived) */
    int no_confirm; /* alert without a confirmation run */
    job_quotas quotas;
    strvec allow_paths, allow_hosts; /* --allow-path, --allow-host */
    char *run_as, *scratch;
} serve_opts;

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = v ? xstrdup(v) : NULL;
}

/* The serve = {...} block of a configuration file (only settings not given on the command line). */
/*
 * An integer setting NAME of group g, when there: lo..hi, else 2 after saying
 * file:line and the value as written.  0 and *out (unchanged when absent).
 */
static int serve_int(const cfgsrc *src, const char *path, config_setting_t *g, const char *name,
                     long lo, long hi, long *out)
{
    config_setting_t *m = config_setting_get_member(g, name);
    if (!m)
        return 0;
    int t = config_setting_type(m), raw = (int)config_setting_source_line(m);
    long long v = t == CONFIG_TYPE_INT64 ? config_setting_get_int64(m)
                  : t == CONFIG_TYPE_INT ? config_setting_get_int(m)
                                         : 0;
    if ((t != CONFIG_TYPE_INT64 && t != CONFIG_TYPE_INT) || v < lo || v > hi) {
        char lit[64];
        if (cfgsrc_literal(src, raw, name, lit, sizeof lit) != 0)
            snprintf(lit, sizeof lit, "%lld", v);
        fprintf(stderr, "benchaas serve: %s:%d: '%s' = %s: expected a whole number from %ld to %ld\n",
                cfgsrc_file(src, raw, path), cfgsrc_line(src, raw), name, lit, lo, hi);
        return 2;
    }
    *out = (long)v;
    return 0;
}

/* A list of strings NAME of group g into out, unless the command line gave some (skip). */
static int serve_strings(const cfgsrc *src, const char *path, config_setting_t *g,
                         const char *name, size_t skip, strvec *out)
{
    config_setting_t *m = config_setting_get_member(g, name);
    if (!m || skip)
        return 0;
    int raw = (int)config_setting_source_line(m);
    if (!config_setting_is_aggregate(m)) {
        fprintf(stderr, "benchaas serve: %s:%d: '%s': expected a list of strings [\"...\"]\n",
                cfgsrc_file(src, raw, path), cfgsrc_line(src, raw), name);
        return 2;
    }
    for (int i = 0; i < config_setting_length(m); i++) {
        const char *v = config_setting_get_string_elem(m, i);
        if (!v) {
            fprintf(stderr, "benchaas serve: %s:%d: '%s': expected a list of strings\n",
                    cfgsrc_file(src, raw, path), cfgsrc_line(src, raw), name);
            return 2;
        }
        strvec_push(out, v);
    }
    return 0;
}

static int read_serve_config(const char *path, serve_opts *o, const serve_opts *given)
{
    /* Read as every configuration is (cfgsrc.h): a regular file within its cap,
     * without blocking, @include beside it, integers whole (never wrapped). */
    char err[4096], *text = NULL;
    size_t len = 0;
    cfgsrc src;
    if (read_file(path, 16u << 20, &text, &len, err, sizeof err) != 0) {
        fprintf(stderr, "benchaas serve: %s\n", err);
        return 2;
    }
    int brc = cfgsrc_build(&src, path, text, len, err, sizeof err);
    free(text);
    if (brc != 0) {
        fprintf(stderr, "benchaas serve: %s\n", err);
        cfgsrc_free(&src);
        return 2;
    }
    config_t c;
    config_init(&c);
    if (!config_read_string(&c, src.text)) {
        int el = config_error_line(&c);
        fprintf(stderr, "benchaas serve: %s:%d: %s\n", cfgsrc_file(&src, el, path),
                cfgsrc_line(&src, el), config_error_text(&c));
        config_destroy(&c);
        cfgsrc_free(&src);
        return 2;
    }
    config_setting_t *s = config_lookup(&c, "serve");
    const char *str;
    int iv;
    if (s) {
        static const char *const keys[] = {"listen", "signup", "slots", "launcher", "webhook",
                                           "quotas", "database", "threads", "allow_paths",
                                           "allow_hosts", "run_as", "scratch", "confirm",
                                           "peak_gflops", NULL};
        for (int i = 0; i < config_setting_length(s); i++) {
            config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
            int ok = 0;
            for (const char *const *k = keys; *k; k++)
                ok |= strcmp(config_setting_name(m), *k) == 0;
            if (!ok) {
                int raw = (int)config_setting_source_line(m);
                fprintf(stderr, "benchaas serve: %s:%d: unknown setting '%s' in serve (allowed: "
                                "listen, signup, slots, launcher, webhook, quotas, database, "
                                "threads, allow_paths, allow_hosts, run_as, scratch, confirm, "
                                "peak_gflops)\n",
                        cfgsrc_file(&src, raw, path), cfgsrc_line(&src, raw),
                        config_setting_name(m));
                config_destroy(&c);
                cfgsrc_free(&src);
                return 2;
            }
        }
        if (!given->listen && config_setting_lookup_string(s, "listen", &str))
            set_str(&o->listen, str);
        if (!given->db && config_setting_lookup_string(s, "database", &str))
            set_str(&o->db, str);
        if (!given->launcher && config_setting_lookup_string(s, "launcher", &str))
            set_str(&o->launcher, str);
        if (!given->webhook && config_setting_lookup_string(s, "webhook", &str))
            set_str(&o->webhook, str);
        if (!given->signup && config_setting_lookup_bool(s, "signup", &iv))
            o->signup = iv;
        if (!given->run_as && config_setting_lookup_string(s, "run_as", &str))
            set_str(&o->run_as, str);
        if (!given->scratch && config_setting_lookup_string(s, "scratch", &str))
            set_str(&o->scratch, str);
        if (serve_strings(&src, path, s, "allow_paths", given->allow_paths.n, &o->allow_paths) ||
            serve_strings(&src, path, s, "allow_hosts", given->allow_hosts.n, &o->allow_hosts)) {
            config_destroy(&c);
            cfgsrc_free(&src);
            return 2;
        }
        if (!given->no_confirm && config_setting_lookup_bool(s, "confirm", &iv))
            o->no_confirm = !iv;
        config_setting_t *pk = config_setting_get_member(s, "peak_gflops");
        if (pk) { /* HPL's yardstick, when the derived peak is wrong for this site */
            o->peak_gflops = config_setting_type(pk) == CONFIG_TYPE_INT
                                 ? config_setting_get_int(pk)
                                 : config_setting_get_float(pk);
            if (!(o->peak_gflops > 0) || o->peak_gflops > 1e12) {
                int raw = (int)config_setting_source_line(pk);
                fprintf(stderr, "benchaas serve: %s:%d: peak_gflops must be a number of GFLOP/s "
                                "above 0 (a node's theoretical peak)\n",
                        cfgsrc_file(&src, raw, path), cfgsrc_line(&src, raw));
                config_destroy(&c);
                cfgsrc_free(&src);
                return 2;
            }
        }
        long slots = o->slots, threads = o->threads;
        int bad = (!given->slots && serve_int(&src, path, s, "slots", 1, 100000, &slots)) ||
                  serve_int(&src, path, s, "threads", 1, 100000, &threads);
        o->slots = (int)slots;
        o->threads = (int)threads;
        config_setting_t *q = config_setting_get_member(s, "quotas");
        if (!bad && q)
            bad = serve_int(&src, path, q, "jobs", 1, 1000000, &o->quotas.queued_jobs) ||
                  serve_int(&src, path, q, "points", 1, 100000000, &o->quotas.points) ||
                  serve_int(&src, path, q, "ranks", 1, 1000000, &o->quotas.ranks) ||
                  serve_int(&src, path, q, "schedules", 1, 1000000, &o->max_schedules);
        if (bad) {
            config_destroy(&c);
            cfgsrc_free(&src);
            return 2;
        }
    }
    if (!o->db && config_lookup_string(&c, "database", &str))
        set_str(&o->db, str);
    config_destroy(&c);
    cfgsrc_free(&src);
    return 0;
}

/* A whole number 1..hi of option name into *out: 0, or 2 after saying what was wrong. */
static int limit_opt(const char *name, const char *v, long hi, int *out)
{
    long n;
    if (parse_long(v, 1, hi, &n) != 0)
        return usage("serve", "%s %s: a whole number from 1 to %ld", name, v, hi);
    *out = (int)n;
    return 0;
}

/* The command line of serve into o (what was given explicitly also into given, so the
   configuration file's serve block does not override it).  -1: go on; 0: --help printed;
   2: a usage error (said). */
/* --plugin-path DIR: searched before the other plugin folders by everything the server
 * does, in-process and in its children (workers, checks), as `run --plugin-path` is:
 * put first in BENCHAAS_PLUGIN_PATH, absolute.  0, or 2 after saying why. */
static int serve_plugin_path(const char *dir)
{
    char real[PATH_MAX];
    struct stat sb;
    if (!realpath(dir, real) || stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        usage("serve", "--plugin-path %s: not a folder", dir);
        return 2;
    }
    const char *old = getenv("BENCHAAS_PLUGIN_PATH");
    char *v = old && *old ? xasprintf("%s:%s", real, old) : xasprintf("%s", real);
    setenv("BENCHAAS_PLUGIN_PATH", v, 1);
    free(v);
    return 0;
}

static int serve_args(int argc, char **argv, serve_opts *o, serve_opts *given,
                      const char **cfgpath)
{
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        long n;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("%s", serve_help);
            return 0;
        } else if ((v = opt(argc, argv, &i, "--listen", &missing))) {
            set_str(&o->listen, v);
            given->listen = o->listen;
        } else if ((v = opt(argc, argv, &i, "--db", &missing))) {
            set_str(&o->db, v);
            given->db = o->db;
        } else if ((v = opt(argc, argv, &i, "--config", &missing))) {
            *cfgpath = v;
        } else if ((v = opt(argc, argv, &i, "--launcher", &missing))) {
            set_str(&o->launcher, v);
            given->launcher = o->launcher;
        } else if ((v = opt(argc, argv, &i, "--webhook", &missing))) {
            set_str(&o->webhook, v);
            given->webhook = o->webhook;
        } else if ((v = opt(argc, argv, &i, "--tls-cert", &missing))) {
            set_str(&o->tls_cert, v);
        } else if ((v = opt(argc, argv, &i, "--tls-key", &missing))) {
            set_str(&o->tls_key, v);
        } else if ((v = opt(argc, argv, &i, "--slots", &missing))) {
            if (parse_long(v, 1, 64, &n) != 0) {
                usage("serve", "--slots %s: a whole number from 1 to 64", v);
                return 2;
            }
            o->slots = given->slots = (int)n;
        } else if ((v = opt(argc, argv, &i, "--threads", &missing))) {
            if (parse_long(v, 1, 256, &n) != 0) {
                usage("serve", "--threads %s: a whole number from 1 to 256", v);
                return 2;
            }
            o->threads = (int)n;
        } else if ((v = opt(argc, argv, &i, "--header-timeout", &missing))) {
            if (limit_opt("--header-timeout", v, 3600, &o->header_timeout))
                return 2;
        } else if ((v = opt(argc, argv, &i, "--max-conns-per-address", &missing))) {
            if (limit_opt("--max-conns-per-address", v, 100000, &o->per_ip))
                return 2;
        } else if ((v = opt(argc, argv, &i, "--max-conns", &missing))) {
            if (limit_opt("--max-conns", v, 100000, &o->max_conns))
                return 2;
        } else if ((v = opt(argc, argv, &i, "--trusted-proxy", &missing))) {
            set_str(&o->trusted_proxy, v);
        } else if (strcmp(argv[i], "--signup") == 0) {
            o->signup = given->signup = 1;
        } else if ((v = opt(argc, argv, &i, "--allow-path", &missing))) {
            strvec_push(&o->allow_paths, v);
            strvec_push(&given->allow_paths, v);
        } else if ((v = opt(argc, argv, &i, "--allow-host", &missing))) {
            strvec_push(&o->allow_hosts, v);
            strvec_push(&given->allow_hosts, v);
        } else if ((v = opt(argc, argv, &i, "--scratch", &missing))) {
            set_str(&o->scratch, v);
            given->scratch = o->scratch;
        } else if ((v = opt(argc, argv, &i, "--run-as", &missing))) {
            set_str(&o->run_as, v);
            given->run_as = o->run_as;
        } else if ((v = opt(argc, argv, &i, "--plugin-path", &missing))) {
            if (serve_plugin_path(v))
                return 2;
        } else if (strcmp(argv[i], "--no-confirm") == 0) {
            o->no_confirm = given->no_confirm = 1;
        } else if (missing) {
            usage("serve", "%s needs a value", argv[i]);
            return 2;
        } else {
            usage("serve", "unexpected argument '%s'", argv[i]);
            return 2;
        }
    }
    return -1;
}

/* The site policy of o for database db (policy.h); 0, or 2 after saying why. */
static int serve_policy(const serve_opts *o, const char *db, site_policy *pol)
{
    char err[2048];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < o->allow_paths.n; i++)
        rc = policy_add_path(pol, o->allow_paths.v[i], err, sizeof err);
    for (size_t i = 0; rc == 0 && i < o->allow_hosts.n; i++)
        rc = policy_add_host(pol, o->allow_hosts.v[i], err, sizeof err);
    if (rc == 0)
        rc = policy_finish(pol, db, o->run_as, o->scratch, err, sizeof err);
    if (rc) {
        usage("serve", "%s", err);
        return 2;
    }
    if (sandbox_landlock_abi() <= 0)
        fprintf(stderr, "benchaas serve: warning: Landlock is not available on this kernel: "
                        "submitted work runs as %s, in its job's folder, but is NOT confined to "
                        "the allowed folders (the values are still checked)\n",
                pol->run_as);
    policy_install(pol);
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--plan-child") == 0)
        return apart_plan_child(job_plan); /* internal: the confined check of a job (apart.h) */
    serve_opts o, given;
    site_policy pol;
    memset(&pol, 0, sizeof pol);
    memset(&o, 0, sizeof o);
    memset(&given, 0, sizeof given);
    o.quotas = (job_quotas){50, 1000, 1024};
    o.max_schedules = 20;
    const char *cfgpath = NULL;
    int rc = serve_args(argc, argv, &o, &given, &cfgpath);
    if (rc >= 0)
        goto out;
    rc = 2;
    if (cfgpath && read_serve_config(cfgpath, &o, &given) != 0)
        goto out;
    if (!o.listen)
        o.listen = xstrdup("127.0.0.1:8080");
    if (!o.launcher)
        o.launcher = xstrdup("local");
    if (strcmp(o.launcher, "local") != 0 && strcmp(o.launcher, "slurm") != 0) {
        usage("serve", "--launcher %s: expected local (mpi for points with ranks > 1) or slurm",
              o.launcher);
        goto out;
    }
    char *colon = strrchr(o.listen, ':');
    long port;
    if (!colon || colon == o.listen || parse_long(colon + 1, 0, 65535, &port) != 0) {
        usage("serve", "--listen %s: expected HOST:PORT (port 0: any free port)", o.listen);
        goto out;
    }
    *colon = '\0';
    const char *db = default_db(o.db);
    char err[2048];
    if (store_check_file(db, err, sizeof err) != 0) {
        fprintf(stderr, "benchaas serve: %s\n", err);
        goto out;
    }
    if (serve_policy(&o, db, &pol) != 0)
        goto out;
    if (accounts_init(err, sizeof err) != 0) {
        fprintf(stderr, "benchaas serve: %s\n", err);
        rc = 1;
        goto out;
    }
    /* Create or migrate the database (the process's first connection; every
     * other one comes from it), then what a previous server left running. */
    store *root = NULL;
    if (store_open(db, STORE_CREATE, &root, err, sizeof err) == 0)
        http_tune_store(root);
    if (!root || sched_recover(root, db, err, sizeof err) != 0) {
        fprintf(stderr, "benchaas serve: %s\n", err);
        store_close(root);
        goto out;
    }
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    self[sl > 0 ? sl : 0] = '\0';

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    serve_app app = {.launcher = o.launcher, .quotas = o.quotas, .session_s = 7 * 86400,
                     .max_schedules = (int)o.max_schedules, .peak_gflops = o.peak_gflops};
    sched_config sc = {.db = db, .root = root, .slots = o.slots ? o.slots : 1, .launcher = o.launcher,
                       .webhook = o.webhook, .self_exe = sl > 0 ? self : NULL,
                       .confirm = !o.no_confirm, .quotas = o.quotas};
    app.sched = sched_start(&sc, err, sizeof err);
    if (!app.sched) {
        fprintf(stderr, "benchaas serve: %s\n", err);
        store_close(root);
        rc = 1;
        goto out;
    }
    webhook_sender *wh = o.webhook ? webhook_start(root, o.webhook) : NULL;
    http_config hc = {.host = o.listen, .port = (int)port, .db = db, .root = root, .threads = o.threads,
                      .tls_cert = o.tls_cert, .tls_key = o.tls_key, .signup = o.signup,
                      .header_timeout_s = o.header_timeout, .max_conns = o.max_conns,
                      .per_ip = o.per_ip, .trusted_proxy = o.trusted_proxy,
                      .app = &app, .page_refused = pages_refused,
                      .page_not_found = pages_not_found};
    http_server *srv = http_server_new(&hc);
    size_t nroutes;
    const http_route *routes = api_route_table(&nroutes);
    http_server_routes(srv, routes, nroutes);
    routes = pages_route_table(&nroutes);
    http_server_routes(srv, routes, nroutes);
    int real_port = 0;
    if (http_server_start(srv, &real_port, err, sizeof err) != 0) {
        fprintf(stderr, "benchaas serve: %s\n", err);
        http_server_free(srv);
        webhook_stop(wh);
        sched_stop(app.sched);
        store_close(root);
        rc = 2;
        goto out;
    }
    fprintf(stderr, "benchaas serve: listening on http%s://%s:%d\n", o.tls_cert ? "s" : "",
            o.listen, real_port);
    fflush(stderr);
    while (!g_stop)
        usleep(100000);
    fprintf(stderr, "benchaas serve: stopping\n");
    http_server_free(srv);         /* finish requests in flight */
    g_interrupted = 1;             /* running points end as interrupted, stored */
    sched_stop(app.sched);
    webhook_stop(wh);
    store_close(root);
    fprintf(stderr, "benchaas serve: stopped\n");
    rc = 0;
out:
    policy_install(NULL);
    if (pol.scratch_root)
        rmdir(pol.scratch_root); /* when no job's folder is left in it */
    policy_free(&pol);
    strvec_free(&o.allow_paths);
    strvec_free(&o.allow_hosts);
    strvec_free(&given.allow_paths);
    strvec_free(&given.allow_hosts);
    free(o.run_as);
    free(o.scratch);
    free(o.listen);
    free(o.db);
    free(o.launcher);
    free(o.webhook);
    free(o.tls_cert);
    free(o.tls_key);
    free(o.trusted_proxy);
    return rc;
}
