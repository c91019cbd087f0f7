/*
 * apart.h — a member's experiment is interpreted apart from the server.
 *
 * The plugin code that planning runs (check(), expand(): an HPL.dat read,
 * IOR's free-space check) runs in a child, `benchaas serve --plan-child`,
 * confined by the site policy's sandbox (policy.h) in the job's folder; the
 * server gets back only the points it made, or a message and the field it
 * concerns.  The child never opens the database.
 */
#ifndef BENCHAAS_APART_H
#define BENCHAAS_APART_H

#include <cjson/cJSON.h>

#include "policy.h"

/*
 * Plan experiment exp in a confined child working in folder dir.  0 and
 * *points (plan_points_json's list; cJSON_Delete it); BX_EINVAL with err and
 * field (the child refused it); BX_EIO when the child could not run.
 */
int apart_plan(const site_policy *p, const cJSON *exp, const char *launcher, const char *dir,
               cJSON **points, char *err, size_t errlen, char *field, size_t fieldlen);

/*
 * Describe the plugin file at path in the same kind of child (confined likewise, with read
 * access to the plugin folders): the loader's checks, then its descriptor's data
 * (desc_json.h) in *desc (cJSON_Delete it).  BX_EINVAL and the loader's message when it
 * refused the file; BX_EIO when the child could not run.  No plugin code runs in the
 * server, and every call reads the file afresh (the server's own dynamic loader would hand
 * out a version it opened before).
 */
int apart_describe(const site_policy *p, const char *path, cJSON **desc, char *err,
                   size_t errlen);

/* The child's side (of both): the request on stdin, planned by plan_fn (job_plan: this
 * module sits below jobs.c), the answer on stdout; the exit code. */
typedef int (*apart_planner)(const cJSON *exp, const char *launcher, config *cfg, plan *pl,
                             char *err, size_t errlen, char *field, size_t fieldlen);
int apart_plan_child(apart_planner plan_fn);

#endif
