/* dbpath.c — which database a command uses. */
#include <stdlib.h>

#include "dbpath.h"

const char *default_db(const char *given)
{
    if (given && *given)
        return given;
    const char *e = getenv("BENCHAAS_DB");
    return e && *e ? e : "benchaas.db";
}
