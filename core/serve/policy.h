/*
 * policy.h — the site's policy for what members submit (docs/serve.md, "Site
 * policy and isolation"): the folders a path parameter may name, the hosts a
 * host parameter may reach, the user submitted work runs as, and the
 * sandbox of the processes that interpret a member's values.
 *
 * The service installs one policy when it starts (policy_install); the CLI
 * never does, so `benchaas run` keeps the freedom of its user.  Every
 * parameter a plugin marks BX_PARAM_PATH_READ, BX_PARAM_PATH_WRITE or
 * BX_PARAM_HOST is checked here, for every plugin, before any plugin code
 * sees the value; messages name the value as the member wrote it, never a
 * server path.
 */
#ifndef BENCHAAS_POLICY_H
#define BENCHAAS_POLICY_H

#include <sys/types.h>

#include "plan.h"
#include "sandbox.h"

typedef struct policy_cidr {
    int family;              /* AF_INET, AF_INET6 */
    unsigned char addr[16];
    int bits;
} policy_cidr;

typedef struct site_policy {
    strvec paths;       /* allowed folders, resolved (realpath) */
    strvec paths_given; /* the same as the admin wrote them (messages) */
    policy_cidr *cidrs;
    size_t ncidrs;
    char *scratch_root; /* "<db>.scratch": one folder per job inside */
    char *db;           /* the database (resolved); it and its -wal/-shm are never reachable */
    int drop;           /* 1: children become uid/gid (the server is root) */
    unsigned uid, gid;
    char *run_as;       /* the user's name, for messages */
    char *self_exe;     /* this benchaas, for `serve --plan-child` */
    double job_quota;   /* bytes a job's folder may hold (serve --job-disk-quota; 0: no cap) */
} site_policy;

/* Add `--allow-path DIR` (an existing folder) / `--allow-host CIDR` ("10.0.0.0/8",
 * "::1/128", an address alone is /32 or /128).  0 or BX_EINVAL + err. */
int policy_add_path(site_policy *p, const char *dir, char *err, size_t errlen);
int policy_add_host(site_policy *p, const char *cidr, char *err, size_t errlen);
/*
 * Complete the policy for database db: no allowed folder may hold the
 * database (compared by device and inode, folder by folder up from the
 * database); the run-as user (NULL: "nobody" when the server is root, else
 * the server's own user); the folder of the jobs' folders (scratch; NULL:
 * "<db>.scratch", or a fresh one in /tmp when the run-as user cannot reach
 * the database's folder) is created.  0 or BX_EINVAL.
 */
int policy_finish(site_policy *p, const char *db, const char *run_as, const char *scratch,
                  char *err, size_t errlen);
void policy_free(site_policy *p);

/* The service's policy (NULL: none, the CLI's freedom).  Installed once, before
 * any request; it must live until the service stops. */
void policy_install(const site_policy *p);
const site_policy *policy_current(void);

/*
 * Check every value of experiment e for plugin d (sweep lists too):
 * 0, or BX_EINVAL with the message in err and the field ("params.NAME") in
 * field.  Relative paths are relative to the job's folder.
 */
int policy_check_experiment(const site_policy *p, const experiment *e, const bx_plugin *d,
                            char *field, size_t fieldlen, char *err, size_t errlen);

/* The sandbox of a process working in folder `dir` (a job's scratch folder):
 * dir and the allowed folders writable; the system, the plugin folders and
 * the binaries readable.  sandbox_free() it. */
void policy_sandbox(const site_policy *p, const char *dir, const strvec *plugin_dirs,
                    sandbox *sb);

/* The scratch folder of job `job` ("<scratch root>/job-N"), created for the
 * run-as user (sticky, so the server's files in it stay the server's).  Free it. */
char *policy_job_dir(const site_policy *p, int64_t job, char *err, size_t errlen);
/* A fresh empty folder for checking a job not stored yet; remove it with
 * policy_dir_remove(). */
char *policy_check_dir(const site_policy *p, char *err, size_t errlen);
/* A message for a member: the plugin folders, the jobs' folders and the database
 * named by what they are, not by their server paths (the message changed in place). */
void policy_hide_paths(const site_policy *p, char *msg, size_t len);

/*
 * A job submitted through Slurm (docs/serve.md, "Jobs on a Slurm cluster"): its
 * folder (returned; free it), where its specs, scripts and results go, and the
 * sandbox every worker of the job applies on its node, in the file
 * "<spool>/service-job-N.sandbox.json"; both named in the experiment's
 * slurm.spool and slurm.sandbox.  NULL with err when the folder or file cannot
 * be made.  policy_slurm_done() removes both once the job's runs are stored.
 * The scratch root must be a folder the nodes share (serve --scratch).
 */
char *policy_slurm_job(const site_policy *p, int64_t job, const char *spool, cJSON *exp,
                       char *err, size_t errlen);
void policy_slurm_done(const site_policy *p, int64_t job, const char *spool);
/* Remove folder dir and everything in it (no symbolic link is followed). */
void policy_dir_remove(const char *dir);

#endif
