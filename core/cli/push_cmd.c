/* push_cmd.c — `benchaas push --server URL [filters]`: its options and help; push.c (serve/) sends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "query.h"
#include "serve.h"

/* What push was told. */
typedef struct {
    qfilter f;
    const char *server, *token;
} push_args;

static const cli_opt push_opts[] = {
    {"--server", 0, CLI_STRING, CLI_HANDLER, "--server URL", NULL,
     "the service to send the runs to: http://HOST:PORT or\n"
     "https://... (needed)", NULL},
    {"--token", 0, CLI_STRING, CLI_HANDLER, "--token TOKEN", NULL,
     "an API token of that service, of scope upload or submit\n"
     "(default: $BENCHAAS_TOKEN)", NULL},
    {"--db", 0, CLI_STRING, CLI_HANDLER, "--db FILE", NULL,
     "the database (default: $BENCHAAS_DB, else ./benchaas.db)", NULL},
    CLI_INCLUDE_QUIET(cli_filter_opts), /* (the intro points at query's help) */
    CLI_END,
};

const cli_spec cli_push_spec = {
    "push",
    "push --server [--token] [filters] [--db]",
    "Send the stored runs that match the filters (those of `benchaas query --help`:\n"
    "--plugin, --tag, --host, --status, --since, --until, --run, --limit, ...) to\n"
    "another BenchaaS service, as result documents (POST URL/api/v1/results).  The\n"
    "service stores each uuid once: pushing again is harmless.\n"
    "\n",
    push_opts,
    18,
    "\n"
    "Exit status: 0 when every run was accepted, 1 otherwise, 2 for bad options or a\n"
    "database that cannot be read.\n",
    NULL,
};

/* A filter, --server or --token (cli_take_fn). */
static int push_take(void *opts, const cli_opt *o, const char *val)
{
    push_args *pa = opts;
    if (!o)
        return query_usage_error("push", "unexpected argument '%s'", val);
    if (strcmp(o->name, "--server") == 0)
        pa->server = val;
    else if (strcmp(o->name, "--token") == 0)
        pa->token = val;
    else if (qfilter_option(&pa->f, o->name, val) != 0)
        return 2;
    return 0;
}

int cmd_push(int argc, char **argv)
{
    push_args pa;
    memset(&pa, 0, sizeof pa);
    pa.f.cmd = "push";
    pa.token = getenv("BENCHAAS_TOKEN");
    int rc = cli_parse(&cli_push_spec, argc, argv, &pa, push_take);
    if (rc) {
        rc = rc < 0 ? 0 : 2;
    } else if (!pa.server) {
        rc = query_usage_error("push", "--server URL is needed (the service to send the runs to)");
    } else if (strncmp(pa.server, "http://", 7) != 0 && strncmp(pa.server, "https://", 8) != 0) {
        rc = query_usage_error("push", "--server %s: expected http://HOST:PORT or https://...",
                               pa.server);
    } else if (!pa.token || !*pa.token) {
        rc = query_usage_error("push", "a token is needed: --token or BENCHAAS_TOKEN");
    } else {
        rc = push_runs(&pa.f, pa.server, pa.token, stderr);
    }
    qfilter_free(&pa.f);
    return rc;
}
