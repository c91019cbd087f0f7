/*
 * launch.h — launchers: how a run spec's worker is started and watched.
 *
 * A launcher turns a spec into an argv (and environment) and the shared
 * child code runs it in its own process group with a deadline: a worker
 * that outlives the spec's timeout is sent SIGTERM, then SIGKILL, as a
 * whole group (mpirun and its ranks included).  Its stderr is passed
 * through to ours and the last few KiB are kept for the error text.
 *
 * The Slurm launcher does not run the worker here: it writes a batch
 * script and submits it (slurm.c); results come back through
 * `collect`.
 */
#ifndef BENCHAAS_LAUNCH_H
#define BENCHAAS_LAUNCH_H

#include "sandbox.h"
#include "spec.h"
#include "util.h"

typedef struct launch_result {
    int exited;       /* exited normally with exit_code */
    int exit_code;
    int signaled;     /* killed by signal `sig` */
    int sig;
    int timed_out;    /* we killed it at the deadline */
    int interrupted;  /* we killed it because we were interrupted (SIGINT/SIGTERM) */
    int over_quota;   /* we killed it: its folder passed the sandbox's quota */
    double quota;     /* that quota, in bytes */
    double elapsed;   /* seconds */
    char tail[4096];  /* the last lines it wrote on stderr */
} launch_result;

/*
 * How to start the worker for one spec.  The table of launchers (launch.c)
 * is the one list of their names: local and mpi start the worker here
 * (command); slurm is a batch launcher (no command): slurm.c writes and
 * submits batch scripts, and `collect` brings the results back.
 */
typedef struct launcher {
    const char *name;
    /* argv for the spec (owned strings, NULL-terminated) and extra environment "K=V". */
    int (*command)(const runspec *spec, const char *worker, const char *spec_path, strvec *argv,
                   strvec *env, char *err, size_t errlen);
} launcher;

/* Any launcher of the table; NULL for an unknown name. */
const launcher *launcher_find(const char *name);
/* A launcher that starts the worker here (local, mpi); NULL otherwise. */
const launcher *launcher_by_name(const char *name);
/* The launchers' names in buf: "local" SEP "mpi" LAST "slurm" (", " and " or "). */
const char *launcher_names(char *buf, size_t len, const char *sep, const char *last);

/* Path of the worker executable next to the runner (benchaas-worker-mpi
 * when mpi is set). Caller frees. */
char *worker_path(int mpi);

/*
 * Run argv with env added, in its own process group, until it exits or the
 * timeout passes; it is also stopped (res->interrupted) when *cancel becomes
 * non-zero (cancel may be NULL) or g_interrupted is set.  0, with *res filled;
 * BX_EIO if it could not be started.
 *
 * The child first enters folder cwd (NULL: ours) and sandbox sb
 * (NULL: none; sandbox.h), before it executes argv: the service's jobs.  With a
 * quota in sb, the watcher measures what cwd holds (the blocks of every file
 * beneath it, at most LAUNCH_QUOTA_FILES of them, on its own file system) every
 * LAUNCH_QUOTA_EVERY seconds (less often when a walk takes over a twentieth of
 * that: its cost stays under 5 % of a core) and kills the group when it passes
 * (over_quota); it removes nothing. */
#define LAUNCH_QUOTA_EVERY 0.5
#define LAUNCH_QUOTA_FILES 100000
int launch_run_confined(char *const *argv, const strvec *env, double timeout,
                        const volatile int *cancel, const char *cwd, const sandbox *sb,
                        launch_result *res, char *err, size_t errlen);

/* Set by the runner's SIGINT/SIGTERM handler; launch_run_confined stops the child. */
extern volatile int g_interrupted;

#endif
