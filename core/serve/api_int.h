/*
 * api_int.h — what the JSON API's files share (api.c and its families, api_sched.c):
 * small helpers for request bodies and the schedules' handlers.
 */
#ifndef BENCHAAS_API_INT_H
#define BENCHAAS_API_INT_H

#include <sqlite3.h>

#include <cjson/cJSON.h>
#include "http.h"

/* 400 in out, naming the first member of o not in allowed (NULL-terminated); else 0. */
int api_only_members(const cJSON *o, const char *const *allowed, http_resp *out);
/* The string member k of o, or NULL. */
const char *api_str_member(const cJSON *o, const char *k);
/* An error answer naming its field. */
int api_field_error(http_resp *o, int status, const char *field, const char *msg);
/* The count sql (one ?1, bound to arg) gives; -1 when it fails. */
int api_count_where(sqlite3 *db, const char *sql, const char *arg);

/* The schedules' routes (api_sched.c). */
int h_schedules_new(http_req *r, http_resp *o);
int h_schedules_list(http_req *r, http_resp *o);
int h_schedule_delete(http_req *r, http_resp *o);
/* The DELETE route's owner check: the schedule's owner into owner, or 404 in o. */
int own_schedule(http_req *r, char *owner, size_t len, http_resp *o);

#define APP(r) ((serve_app *)http_app(r))

#endif
