/*
 * sandbox.h — confine a process that runs someone else's values: the
 * service's plan checks and the workers of submitted jobs
 * (docs/architecture.md, "Submitted work runs apart").
 *
 * A sandbox is applied once, in a fresh single-threaded process (the worker,
 * or `serve --plan-child`), before any plugin code runs, and cannot be
 * undone: the process takes the site's run-as user (when it is root), sets
 * no_new_privs, and restricts itself with Landlock to reading the `read`
 * folders (and files) and writing the `write` ones.  Children inherit it.
 *
 * Where Landlock is missing (kernel older than 5.13, or disabled) the user
 * change still happens and sandbox_apply() says so in *note; the service
 * printed the same when it started (sandbox_landlock_abi()).
 */
#ifndef BENCHAAS_SANDBOX_H
#define BENCHAAS_SANDBOX_H

#include <cjson/cJSON.h>

#include "util.h"

typedef struct sandbox {
    int drop;          /* 1: become uid/gid (the caller is root) */
    unsigned uid, gid; /* the run-as user */
    strvec read;       /* folders and files it may read (and execute) */
    strvec write;      /* folders it may read and write (create, remove) */
    int net;           /* 1: outgoing connections limited to `hosts` (netguard.h) */
    strvec hosts;      /* the allowed networks (CIDR), loopback always added */
    double quota;      /* bytes the run's own folder may hold (0: no cap); not a kernel
                        * rule: the launcher's watcher measures it (launch.h) */
} sandbox;

/* The sandbox as JSON ({"uid","gid","drop","read":[...],"write":[...]}, and "hosts":[...]
 * when connections are limited) and back. */
cJSON *sandbox_to_json(const sandbox *sb);
int sandbox_from_json(const cJSON *j, sandbox *sb, char *err, size_t errlen);
void sandbox_free(sandbox *sb);

/* What every confined process needs to read: libraries, /proc, /sys, /dev,
 * the dynamic loader's cache; added to sb->read (paths that do not exist are
 * left out when applied). */
void sandbox_add_system(sandbox *sb);

/* The Landlock ABI this kernel offers (0: none). */
int sandbox_landlock_abi(void);

/*
 * Confine this process.  0, with *note a warning or "" (Landlock missing:
 * only the user changed); BX_EIO with the reason when the user could not be
 * changed or Landlock refused the rules (the caller must not go on).  With
 * sb->net, the network guard (netguard.h) is started last.
 */
int sandbox_apply(const sandbox *sb, char *note, size_t notelen, char *err, size_t errlen);

/*
 * The same in two steps, for a child of a threaded process: prepare in the
 * parent (opens the rules: a Landlock ruleset descriptor, -1 without
 * Landlock), enter in the child between fork and exec (raw system calls
 * only: async-signal-safe), and close the prepared rules in the parent.
 */
typedef struct sandbox_ready {
    int drop;
    unsigned uid, gid;
    int ruleset; /* -1: none */
} sandbox_ready;
int sandbox_prepare(const sandbox *sb, sandbox_ready *r, char *err, size_t errlen);
/* 0, or -errno (the child then reports it and exits). */
int sandbox_enter(const sandbox_ready *r);
void sandbox_ready_close(sandbox_ready *r);

#endif
