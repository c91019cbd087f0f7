/* token_cmd.c — `benchaas token create|list|revoke`: its options and help; cmd.c (serve/) acts. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "cli.h"
#include "serve.h"
#include "util.h"

/* What token was told. */
typedef struct {
    const char *db, *scope, *expires, *sub, *name;
} token_args;

static const cli_opt token_opts[] = {
    {"--scope", 0, CLI_ENUM, offsetof(token_args, scope), "--scope read|submit|upload",
     "read|submit|upload",
     "create: what the token may do: read (GET only),\n"
     "submit (everything the user's role allows; the\n"
     "default), upload (read, and POST /api/v1/results)", NULL},
    {"--expires", 0, CLI_STRING, offsetof(token_args, expires), "--expires PERIOD", NULL,
     "create: it expires after PERIOD: 45s, 90m, 12h,\n"
     "30d, 2w (default: never)", NULL},
    {"--db", 0, CLI_STRING, offsetof(token_args, db), "--db FILE", NULL,
     "the service's database (default: $BENCHAAS_DB,\n"
     "else ./benchaas.db)", NULL},
    CLI_END,
};

const cli_spec cli_token_spec = {
    "token",
    "token create NAME [--scope]\n"
    " [--expires] [--db]\n"
    "token list [NAME] [--db]\n"
    "token revoke ID [--db]",
    "API tokens of `benchaas serve`, in its database.  create prints a new token of\n"
    "user NAME once, on stdout (only its hash is stored); list shows every token, or\n"
    "NAME's, with its ID; revoke ID ends one.\n"
    "\n",
    token_opts,
    30,
    NULL,
    NULL,
};

/* The subcommand, then its NAME or ID (cli_take_fn). */
static int token_take(void *opts, const cli_opt *o, const char *val)
{
    token_args *t = opts;
    (void)o;
    if (!t->sub)
        t->sub = val;
    else if (!t->name)
        t->name = val;
    else
        return cli_usage_error(&cli_token_spec, "unexpected argument '%s'", val);
    return 0;
}

int cmd_token(int argc, char **argv)
{
    token_args t = {NULL, "submit", NULL, NULL, NULL};
    int pr = cli_parse(&cli_token_spec, argc, argv, &t, token_take);
    if (pr)
        return pr < 0 ? 0 : 2;
    const cli_spec *s = &cli_token_spec;
    const char *sub = t.sub;
    if (!sub || (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke")))
        return cli_usage_error(s, "what to do? create NAME, list or revoke ID");
    if (account_scope_parse(t.scope) < 0)
        return cli_usage_error(s, "--scope %s: one of read, submit, upload", t.scope);
    int64_t life = 0;
    if (t.expires && account_parse_duration(t.expires, &life) != 0)
        return cli_usage_error(s, "--expires %s: a period like 45s, 90m, 12h, 30d or 2w",
                               t.expires);
    long rid = 0;
    if (strcmp(sub, "create") == 0 && !t.name)
        return cli_usage_error(s, "create needs a user NAME");
    if (strcmp(sub, "revoke") == 0 && (!t.name || parse_long(t.name, 1, 1L << 53, &rid) != 0))
        return cli_usage_error(s, "revoke needs a token ID (see `benchaas token list`)");
    return serve_token(t.db, sub, t.name, t.scope, life, rid, stdout);
}
