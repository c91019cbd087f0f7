/* sql_cmd.c — `benchaas sql "SELECT ..."`: its options and help; sqlcmd.c (results/) runs it. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "query.h"
#include "sqlcmd.h"

static const cli_opt sql_opts[] = {
    {"--db", 0, CLI_STRING, CLI_HANDLER, "--db FILE", NULL,
     "the database (default: $BENCHAAS_DB, else ./benchaas.db)", NULL},
    {"--format", 0, CLI_ENUM, CLI_HANDLER, "--format F", "table|csv|json|jsonl",
     "table (default), csv (with a header line), json\n"
     "({\"columns\": [...], \"rows\": [[...], ...]}) or jsonl\n"
     "(one object per row)", NULL},
    {"--output", 'o', CLI_STRING, offsetof(sql_request, output), "-o, --output FILE", NULL,
     "write to FILE (atomically) instead of stdout", NULL},
    CLI_OPERAND("-", "read the SQL from standard input"),
    CLI_END,
};

const cli_spec cli_sql_spec = {
    "sql",
    "sql [--db] [--format table|csv|json|jsonl] [-o] \"SELECT ...\"",
    "Run read-only SQL against the result database and print the rows.  Query the\n"
    "documented views (results, runs_view, samples_view, timeline_view) — their\n"
    "columns are stable — and the tables behind them (docs/database.md).  Several\n"
    "statements separated by ';' run in order.\n"
    "\n",
    sql_opts,
    24,
    "\n"
    "The database is opened read-only: a statement that would write (INSERT,\n"
    "UPDATE, DELETE, CREATE, DROP, ATTACH, a writing PRAGMA, ...) is refused\n"
    "before anything runs.\n"
    "Exit status: 0, or 2 for bad options, SQL errors, a writing statement, or a\n"
    "database that is missing or not a BenchaaS database.\n",
    NULL,
};

/* The SQL (the one positional argument), --db and --format (cli_take_fn). */
static int sql_take(void *opts, const cli_opt *o, const char *val)
{
    sql_request *r = opts;
    if (!o) {
        if (r->text)
            return query_usage_error("sql", "give the SQL as one argument (quote it)");
        r->text = val;
    } else if (strcmp(o->name, "--db") == 0) {
        if (!*val)
            return query_usage_error("sql", "--db needs a file name");
        r->db = val;
    } else {
        if (strcmp(val, "table") && strcmp(val, "csv") && strcmp(val, "json") &&
            strcmp(val, "jsonl"))
            return query_usage_error("sql", "unknown --format '%s' (use table, csv, json or "
                                            "jsonl)",
                                     val);
        r->format = val;
    }
    return 0;
}

int cmd_sql(int argc, char **argv)
{
    sql_request r = {0};
    int pr = cli_parse(&cli_sql_spec, argc, argv, &r, sql_take);
    if (pr)
        return pr < 0 ? 0 : 2;
    if (!r.text)
        return query_usage_error("sql", "which SQL? give it as one argument: benchaas sql "
                                        "\"SELECT * FROM results LIMIT 5\"");
    return sql_command(&r, stdout);
}
