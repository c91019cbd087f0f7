/* dbpath.h — which database a command uses (dbpath.c). */
#ifndef BENCHAAS_DBPATH_H
#define BENCHAAS_DBPATH_H

/*
 * The one rule for every command: --db (given; NULL or "" when not given),
 * else BENCHAAS_DB, else ./benchaas.db.
 */
const char *default_db(const char *given);
/* The same with the configuration file's `database` before ./benchaas.db (`run`, `submit`). */
const char *default_db_or(const char *given, const char *configured);

#endif
