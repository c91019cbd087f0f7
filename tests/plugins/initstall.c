/*
 * initstall.c — an LD_PRELOAD shim for worker.worker.mpi_init_race.  In the rank named by
 * BENCHAAS_TEST_STALL_RANK (SLURM_PROCID), the first usleep() that OpenMPI's MPI_Init calls
 * (in its wait for the fence that exchanges the ranks' addresses, before it sets its message
 * handlers) sleeps 2 s and then lets OpenMPI make progress for 5 s.  The other ranks are
 * through MPI_Init by then unless something holds them, and whatever they send in those
 * seconds is read in that progress: OpenMPI 4 calls a handler it has not set (SIGSEGV).  Inert in any other
 * process or rank.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

__attribute__((visibility("default"))) int usleep(useconds_t us)
{
    static int (*real)(useconds_t);
    static int done;
    if (!real)
        real = (int (*)(useconds_t))dlsym(RTLD_NEXT, "usleep");
    const char *want = getenv("BENCHAAS_TEST_STALL_RANK");
    const char *me = getenv("SLURM_PROCID");
    Dl_info di;
    if (!done && real && want && me && strcmp(want, me) == 0 &&
        dladdr(__builtin_return_address(0), &di) && di.dli_sname &&
        strcmp(di.dli_sname, "ompi_mpi_init") == 0) {
        done = 1;
        struct timespec two = {2, 0};
        nanosleep(&two, NULL);
        int (*progress)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "opal_progress");
        for (int i = 0; progress && i < 5000; i++) {
            progress();
            real(1000);
        }
    }
    return real ? real(us) : 0;
}
