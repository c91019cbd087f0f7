/* worker_cmd.c — `benchaas worker SPEC.json`: the worker binary, which reads its own arguments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "launch.h"
#include "util.h"

int cmd_worker(int argc, char **argv)
{
    /* The MPI build of the worker runs every spec; the plain one only non-MPI ones. */
    char *w = worker_path(1);
    if (access(w, X_OK) != 0) {
        free(w);
        w = worker_path(0);
    }
    argv[0] = w;
    execv(w, argv);
    say("cannot start the worker %s: %s", w, strerror(errno));
    free(w);
    return 2;
}

