/*
 * api_util.c — small helpers the JSON API's files share (api_int.h): members of a request
 * body, errors that name their field, a count.
 */
#include <string.h>

#include "api_int.h"

/* Only the listed members may be in o: 0, or 400 in out naming the first other one. */
int api_only_members(const cJSON *o, const char *const *allowed, http_resp *out)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= it->string && strcmp(it->string, *a) == 0;
        if (!ok) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, it->string ? it->string : "?", "unknown field");
            http_error(out, 400, "unknown field in the request", f);
            return 400;
        }
    }
    return 0;
}

const char *api_str_member(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int api_field_error(http_resp *o, int status, const char *field, const char *msg)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, field, msg);
    return http_error(o, status, msg, f);
}

/* The count sql (one ?1, bound to arg) gives; -1 when it fails. */
int api_count_where(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *s;
    int n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return n;
}

