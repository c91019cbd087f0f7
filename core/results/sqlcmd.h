/* sqlcmd.h — read-only SQL on the result database, for `benchaas sql` (sqlcmd.c). */
#ifndef BENCHAAS_SQLCMD_H
#define BENCHAAS_SQLCMD_H

#include <stdio.h>

/* What `benchaas sql` was asked (core/cli/sql_cmd.c reads it from argv). */
typedef struct sql_request {
    const char *db;     /* NULL: $BENCHAAS_DB, else ./benchaas.db */
    const char *format; /* table (NULL), csv, json or jsonl */
    const char *text;   /* the SQL; "-": read it from standard input */
    const char *output; /* a file written atomically instead of `to`, or NULL */
} sql_request;

/*
 * Run the statements of r->text, read-only, and write their rows to `to`
 * (or r->output).  Nothing runs unless every statement prepares and is
 * read-only.  0, or 2 after the reason was printed on stderr.
 */
int sql_command(const sql_request *r, FILE *to);

#endif
