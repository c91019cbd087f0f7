/* sqlcmd.h — `benchaas sql` (sqlcmd.c). */
#ifndef BENCHAAS_SQLCMD_H
#define BENCHAAS_SQLCMD_H

/* `benchaas sql "SELECT ..."`: read-only SQL; argv[0] = "sql".  0, or 2. */
int cmd_sql(int argc, char **argv);

#endif
