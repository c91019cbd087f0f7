/*
 * spawn.h — the one way the core starts a helper program (sbatch, squeue,
 * scontrol, sinfo, sacct, scancel) and waits for it.
 *
 * Built from the run watcher of launch.c (which starts the benchmarks'
 * workers themselves): the child gets its own process group and the
 * parent-death signal (checked against the race with our own death), an
 * exec failure comes back through a close-on-exec pipe instead of an exit
 * code, the output is captured (or discarded) while a deadline runs, and a
 * helper past its deadline gets SIGTERM, then SIGKILL, as a whole group; what a
 * helper leaves running in its group when it exits is killed too.
 * waitpid is retried on EINTR only.  No shell ever sees the arguments.
 *
 * Only async-signal-safe calls run between fork and exec: the service
 * spawns from threads that may hold locks a child would inherit.
 */
#ifndef BENCHAAS_SPAWN_H
#define BENCHAAS_SPAWN_H

#include <stddef.h>

typedef struct spawn_result {
    int exited;      /* it exited normally, with exit_code */
    int exit_code;
    int timed_out;   /* it was still running at the deadline and was killed */
    char *out;       /* its standard output (NUL-terminated, at most cap bytes), or NULL */
    char *err;       /* its standard error, the same */
} spawn_result;

typedef struct spawn_opts {
    double timeout;  /* seconds; 0: no deadline */
    int capture;     /* 1: keep stdout and stderr in the result; 0: discard both */
    size_t cap;      /* bytes kept of each stream (0: 1 MiB); the rest is read and dropped */
} spawn_opts;

/*
 * Run argv (argv[0] a program name, looked up on PATH, or a path) with the
 * options o and wait for it.  0 with *r filled (free it with
 * spawn_result_free), or BX_EIO with the reason in err when it could not be
 * started (nothing to free).
 */
int spawn_run(char *const *argv, const spawn_opts *o, spawn_result *r, char *err, size_t errlen);
void spawn_result_free(spawn_result *r);

#endif
