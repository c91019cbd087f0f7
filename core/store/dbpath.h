/* dbpath.h — which database a command uses (dbpath.c). */
#ifndef BENCHAAS_DBPATH_H
#define BENCHAAS_DBPATH_H

/* --db, else BENCHAAS_DB, else ./benchaas.db */
const char *default_db(const char *given);

#endif
