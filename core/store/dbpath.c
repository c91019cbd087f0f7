/* dbpath.c — which database a command uses. */
#include <stdlib.h>

#include "dbpath.h"

const char *default_db_or(const char *given, const char *configured)
{
    if (given && *given)
        return given;
    const char *e = getenv("BENCHAAS_DB");
    if (e && *e)
        return e;
    return configured && *configured ? configured : "benchaas.db";
}

const char *default_db(const char *given) { return default_db_or(given, NULL); }
