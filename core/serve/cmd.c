/* cmd.c — what `benchaas serve`, `user`, `token` do (see serve.h; their command lines: core/cli/). */
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
#include "plugin_kept.h"
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
    fprintf(stderr, "benchaas %s: %s (see benchaas %s --help)\n", cmd, buf, cmd);
    return 2;
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


int serve_user(const char *db, const char *sub, const char *name, int r, int pw_stdin, FILE *out)
{
    char err[1024];
    int is_list = strcmp(sub, "list") == 0;
    store *st = open_db("user", default_db(db));
    if (!st)
        return 2;
    int rc = 0;
    if (is_list) {
        account_info *v;
        size_t n;
        if (account_list(st, &v, &n, err, sizeof err) != 0) {
            fprintf(stderr, "benchaas user: %s\n", err);
            rc = 1;
        } else {
            fprintf(out, "%-24s %-7s %-21s %s\n", "USER", "ROLE", "CREATED", "TOKENS");
            for (size_t i = 0; i < n; i++)
                fprintf(out, "%-24s %-7s %-21s %d\n", v[i].name, v[i].role, v[i].created_at,
                        v[i].api_tokens);
            account_list_free(v, n);
        }
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


int serve_token(const char *db, const char *sub, const char *name, const char *scope,
                int64_t life, long rid, FILE *out)
{
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
            fprintf(out, "%s\n", tok);
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
        account_token_info *v;
        size_t n;
        if (account_token_list(st, name, &v, &n, err, sizeof err) != 0) {
            fprintf(stderr, "benchaas token: %s\n", err);
            rc = 1;
        } else {
            fprintf(out, "%-6s %-20s %-8s %-7s %-21s %-21s %s\n", "ID", "USER", "KIND", "SCOPE",
                    "CREATED", "EXPIRES", "REVOKED");
            for (size_t i = 0; i < n; i++)
                fprintf(out, "%-6lld %-20s %-8s %-7s %-21s %-21s %s\n", (long long)v[i].id,
                        v[i].user, v[i].kind, v[i].scope, v[i].created_at, v[i].expires_at,
                        v[i].revoked_at);
            account_token_list_free(v, n);
        }
    }
    store_close(st);
    return rc;
}

/* ---- serve -------------------------------------------------------------------------- */


static volatile sig_atomic_t g_stop;
static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
}


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

/* --plugin-path DIR: searched before the other plugin folders by everything the server
 * does, in-process and in its children (workers, checks), as `run --plugin-path` is:
 * put first in BENCHAAS_PLUGIN_PATH, absolute.  0, or 2 after saying why. */
int serve_plugin_path(const char *dir)
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
    pol->job_quota = o->job_disk_quota;
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

void serve_opts_init(serve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->quotas = (job_quotas){50, 1000, 1024};
    o->max_schedules = 20;
    o->job_disk_quota = SERVE_JOB_DISK_QUOTA;
}

int serve_plan_child(void)
{
    return apart_plan_child(job_plan); /* internal: the confined check of a job (apart.h) */
}

int serve_main(serve_opts *op, serve_opts *givenp, const char *cfgpath)
{
    serve_opts o = *op, given = *givenp;
    site_policy pol;
    memset(&pol, 0, sizeof pol);
    int rc = 2;
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
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    serve_app app = {.launcher = o.launcher, .quotas = o.quotas, .session_s = 7 * 86400,
                     .max_schedules = (int)o.max_schedules, .peak_gflops = o.peak_gflops};
    sched_config sc = {.db = db, .root = root, .slots = o.slots ? o.slots : 1, .launcher = o.launcher,
                       .webhook = o.webhook, .confirm = !o.no_confirm, .quotas = o.quotas};
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
    plugin_kept_clear();           /* the plugins the pages kept */
    fprintf(stderr, "benchaas serve: stopped\n");
    rc = 0;
out:
    policy_install(NULL);
    if (pol.scratch_root)
        rmdir(pol.scratch_root); /* when no job's folder is left in it */
    policy_free(&pol);
    serve_opts_free(&o, &given);
    return rc;
}

void serve_opts_free(serve_opts *o, serve_opts *given)
{
    strvec_free(&o->allow_paths);
    strvec_free(&o->allow_hosts);
    strvec_free(&given->allow_paths);
    strvec_free(&given->allow_hosts);
    free(o->run_as);
    free(o->scratch);
    free(o->listen);
    free(o->db);
    free(o->launcher);
    free(o->webhook);
    free(o->tls_cert);
    free(o->tls_key);
    free(o->trusted_proxy);
}
