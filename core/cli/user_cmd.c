/* user_cmd.c — `benchaas user add|list|passwd|remove`: its options and help; cmd.c (serve/) acts. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "cli.h"
#include "serve.h"

/* What user was told. */
typedef struct {
    const char *db, *role, *sub, *name;
    int pw_stdin;
} user_args;

static const cli_opt user_opts[] = {
    {"--role", 0, CLI_ENUM, offsetof(user_args, role), "--role admin|member|viewer",
     "admin|member|viewer", "add: the account's role (default member)", NULL},
    {"--password-stdin", 0, CLI_FLAG, offsetof(user_args, pw_stdin), NULL, NULL,
     "add, passwd: read the password as one line from\n"
     "stdin (default: asked twice on a terminal)", NULL},
    {"--db", 0, CLI_STRING, offsetof(user_args, db), "--db FILE", NULL,
     "the service's database (default: $BENCHAAS_DB,\n"
     "else ./benchaas.db)", NULL},
    CLI_END,
};

const cli_spec cli_user_spec = {
    "user",
    "user add NAME [--role] [--password-stdin]\n"
    " [--db]\n"
    "user list [--db]\n"
    "user passwd NAME [--password-stdin] [--db]\n"
    "user remove NAME [--db]",
    "Accounts of `benchaas serve`, in its database.  Roles: viewer reads everything;\n"
    "member also submits and cancels its own jobs and uploads results; admin also\n"
    "manages users and cancels any job.  passwd ends the account's sessions;\n"
    "remove also removes its tokens.\n"
    "\n",
    user_opts,
    30,
    NULL,
    NULL,
};

/* The subcommand, then its NAME (cli_take_fn). */
static int user_take(void *opts, const cli_opt *o, const char *val)
{
    user_args *u = opts;
    (void)o;
    if (!u->sub)
        u->sub = val;
    else if (!u->name)
        u->name = val;
    else
        return cli_usage_error(&cli_user_spec, "unexpected argument '%s'", val);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    user_args u = {NULL, "member", NULL, NULL, 0};
    int pr = cli_parse(&cli_user_spec, argc, argv, &u, user_take);
    if (pr)
        return pr < 0 ? 0 : 2;
    const cli_spec *s = &cli_user_spec;
    if (!u.sub)
        return cli_usage_error(s, "what to do? add, list, passwd or remove");
    int is_list = strcmp(u.sub, "list") == 0;
    if (!is_list && strcmp(u.sub, "add") && strcmp(u.sub, "passwd") && strcmp(u.sub, "remove"))
        return cli_usage_error(s, "unknown subcommand '%s' (add, list, passwd, remove)", u.sub);
    if (!is_list && !u.name)
        return cli_usage_error(s, "%s needs a user NAME", u.sub);
    if (is_list && u.name)
        return cli_usage_error(s, "list takes no NAME");
    int r = account_role_parse(u.role);
    if (r < 0)
        return cli_usage_error(s, "--role %s: one of admin, member, viewer", u.role);
    char err[1024];
    if (!is_list && strcmp(u.sub, "remove") && account_name_ok(u.name, err, sizeof err) != 0)
        return cli_usage_error(s, "%s", err);
    return serve_user(u.db, u.sub, u.name, r, u.pw_stdin, stdout);
}
