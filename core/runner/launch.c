/* launch.c — the local and mpi launchers and the child-process watcher. */
#define _GNU_SOURCE
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int g_interrupted;

char *worker_path(int mpi)
{
    const char *env = getenv(mpi ? "BENCHAAS_WORKER_MPI" : "BENCHAAS_WORKER");
    if (env && *env)
        return xstrdup(env);
    char *d = exe_dir();
    char *p = xasprintf("%s/benchaas-worker%s", d, mpi ? "-mpi" : "");
    free(d);
    return p;
}

static void env_default(strvec *env, const char *key, const char *value)
{
    if (!getenv(key))
        strvec_push_owned(env, xasprintf("%s=%s", key, value));
}

/* Environment every worker gets: threads, OpenMP binding, OpenMPI as root. */
static void launch_common_env(const runspec *spec, strvec *env)
{
    strvec_push_owned(env, xasprintf("OMP_NUM_THREADS=%d", spec->threads));
    strvec_push_owned(env, xasprintf("OPENBLAS_NUM_THREADS=%d", spec->threads));
    if (spec->threads > 1) {
        env_default(env, "OMP_PROC_BIND", "spread");
        env_default(env, "OMP_PLACES", "cores");
    }
    if (geteuid() == 0) {
        /* OpenMPI refuses root unless told twice; the user asked us to run it. */
        strvec_push(env, "OMPI_ALLOW_RUN_AS_ROOT=1");
        strvec_push(env, "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1");
    }
}

static int local_command(const runspec *spec, const char *worker, const char *spec_path,
                         strvec *argv, strvec *env, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    strvec_push(argv, worker);
    strvec_push(argv, spec_path);
    launch_common_env(spec, env);
    return 0;
}

/* 1 unless Yama restricts ptrace among processes of the same user. */
static int ptrace_allowed(void)
{
    FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
    if (!f)
        return 1;
    int v = 0;
    if (fscanf(f, "%d", &v) != 1)
        v = 0;
    fclose(f);
    return v == 0;
}

static int mpi_command(const runspec *spec, const char *worker, const char *spec_path,
                       strvec *argv, strvec *env, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const char *mpirun = getenv("BENCHAAS_MPIRUN");
    strvec_push(argv, mpirun && *mpirun ? mpirun : "mpirun");
    strvec_push(argv, "-np");
    strvec_push_owned(argv, xasprintf("%d", spec->ranks));
    /* More ranks than cores is normal on a workstation or in CI. */
    strvec_push(argv, "--oversubscribe");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (spec->threads > 1 || (long)spec->ranks * spec->threads > cores) {
        /* Binding ranks to single cores would squeeze a rank's threads onto one. */
        strvec_push(argv, "--bind-to");
        strvec_push(argv, "none");
    }
    for (size_t i = 0; i < spec->mpirun_args.n; i++)
        strvec_push(argv, spec->mpirun_args.v[i]);
    strvec_push(argv, worker);
    strvec_push(argv, spec_path);
    launch_common_env(spec, env);
    /* Cross-memory attach (single copy between ranks on a node) needs ptrace
     * rights among sibling processes; Yama's ptrace_scope >= 1 forbids that and
     * vader's transfers would fail.  Only then fall back to copy-in/copy-out,
     * which is several times slower for large messages. */
    if (!ptrace_allowed())
        env_default(env, "OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    return 0;
}

static const launcher launchers[] = {
    {"local", local_command},
    {"mpi", mpi_command},
    {"slurm", NULL}, /* batch jobs: slurm.c */
};
enum { NLAUNCHERS = sizeof launchers / sizeof launchers[0] };

const launcher *launcher_find(const char *name)
{
    for (size_t i = 0; i < NLAUNCHERS; i++)
        if (strcmp(launchers[i].name, name) == 0)
            return &launchers[i];
    return NULL;
}

const launcher *launcher_by_name(const char *name)
{
    const launcher *l = launcher_find(name);
    return l && l->command ? l : NULL;
}

const char *launcher_names(char *buf, size_t len, const char *sep, const char *last)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NLAUNCHERS && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s",
                         i == 0 ? "" : i + 1 == NLAUNCHERS ? last : sep, launchers[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

/* Keep the last part of what the child wrote, and pass it through. */
static void tail_append(launch_result *r, const char *buf, size_t n)
{
    size_t cap = sizeof r->tail - 1, have = strlen(r->tail);
    if (n >= cap) {
        memcpy(r->tail, buf + n - cap, cap);
        r->tail[cap] = '\0';
        return;
    }
    if (have + n > cap) {
        size_t drop = have + n - cap;
        memmove(r->tail, r->tail + drop, have - drop + 1);
        have -= drop;
    }
    memcpy(r->tail + have, buf, n);
    r->tail[have + n] = '\0';
}

static void kill_group(pid_t pid, int sig)
{
    if (kill(-pid, sig) != 0)
        kill(pid, sig);
}

/* The walk of folder_usage: nftw has no argument for its callback. */
static _Thread_local double walk_bytes;
static _Thread_local long walk_files;

static int add_usage(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    walk_bytes += (double)st->st_blocks * 512.0;
    return ++walk_files > LAUNCH_QUOTA_FILES;
}

/* The bytes dir holds (allocated blocks, so a sparse file counts what it uses);
 * more files than LAUNCH_QUOTA_FILES count as past any quota. */
static double folder_usage(const char *dir)
{
    walk_bytes = 0;
    walk_files = 0;
    if (nftw(dir, add_usage, 16, FTW_PHYS | FTW_MOUNT) > 0)
        return 1e300;
    return walk_bytes;
}

/* The child's side of launch_run_confined: its output on out, an errno on efd if
 * it cannot start argv.  Never returns. */
static void child_exec(char *const *argv, const strvec *env, pid_t parent, int out, int efd,
                       const char *cwd, const sandbox_ready *box)
{
    setpgid(0, 0);
    /* Nothing we start may outlive us: if the runner dies (kill -9, a
     * closed terminal), the kernel kills the worker or mpirun, whose
     * ranks then end too.  The flag survives execve. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127); /* the runner died before prctl() */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    dup2(out, STDERR_FILENO);
    dup2(out, STDOUT_FILENO);
    for (size_t i = 0; env && i < env->n; i++) {
        char *kv = env->v[i], *eq = strchr(kv, '=');
        if (eq) {
            *eq = '\0';
            setenv(kv, eq + 1, 1);
            *eq = '=';
        }
    }
    int e = cwd && chdir(cwd) != 0 ? errno : 0;
    if (box) /* a confined child inherits no descriptor of ours beyond 0-2 */
        syscall(SYS_close_range, 3, ~0U, 1U << 2 /* CLOSE_RANGE_CLOEXEC */);
    if (!e && box) {
        e = -sandbox_enter(box);
        if (!e && getppid() != parent)
            _exit(127); /* the runner died before the parent-death signal was set again */
    }
    if (!e) {
        execvp(argv[0], argv);
        e = errno;
    }
    ssize_t w = write(efd, &e, sizeof e);
    (void)w;
    _exit(127);
}

int launch_run_confined(char *const *argv, const strvec *env, double timeout,
                        const volatile int *cancel, const char *cwd, const sandbox *sb,
                        launch_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    sandbox_ready box = {.ruleset = -1};
    if (sb && sandbox_prepare(sb, &box, err, errlen) != 0)
        return BX_EIO;
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        sandbox_ready_close(&box);
        return errf(err, errlen, BX_EIO, "pipe: %s", strerror(errno));
    }
    int efd[2]; /* exec error reporting */
    if (pipe2(efd, O_CLOEXEC) != 0) {
        close(pfd[0]);
        close(pfd[1]);
        sandbox_ready_close(&box);
        return errf(err, errlen, BX_EIO, "pipe: %s", strerror(errno));
    }
    double t0 = mono_now();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        close(efd[0]);
        close(efd[1]);
        sandbox_ready_close(&box);
        return errf(err, errlen, BX_EIO, "fork: %s", strerror(errno));
    }
    if (pid == 0)
        child_exec(argv, env, parent, pfd[1], efd[1], cwd, sb ? &box : NULL);
    setpgid(pid, pid); /* both sides, to win the race */
    sandbox_ready_close(&box);
    close(pfd[1]);
    close(efd[1]);
    int exec_errno = 0;
    ssize_t got = read(efd[0], &exec_errno, sizeof exec_errno);
    close(efd[0]);
    if (got == (ssize_t)sizeof exec_errno) {
        close(pfd[0]);
        waitpid(pid, NULL, 0);
        return errf(err, errlen, BX_EIO, "cannot start %s%s: %s", argv[0],
                    sb ? " confined, in its job's folder" : "", strerror(exec_errno));
    }

    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int status = 0, done = 0, pipe_open = 1;
    double deadline = t0 + timeout, kill_at = 0;
    double quota = sb && cwd ? sb->quota : 0, measure_at = t0 + LAUNCH_QUOTA_EVERY;
    int term_sent = 0;
    while (!done) {
        double now = mono_now();
        if (quota > 0 && !term_sent && now >= measure_at) {
            double used = folder_usage(cwd), walk = mono_now() - now;
            /* a folder of many files: the walk takes at most a twentieth of a core */
            measure_at = now + (20 * walk > LAUNCH_QUOTA_EVERY ? 20 * walk : LAUNCH_QUOTA_EVERY);
            if (used > quota) {
                /* at once: every moment more fills the disk */
                res->over_quota = 1;
                res->quota = quota;
                kill_group(pid, SIGKILL);
                term_sent = 1;
            }
        }
        int stop = g_interrupted || (cancel && *cancel);
        if (!term_sent && (now >= deadline || stop)) {
            if (stop)
                res->interrupted = 1;
            else
                res->timed_out = 1;
            kill_group(pid, SIGTERM);
            term_sent = 1;
            kill_at = now + 3.0;
        } else if (term_sent && kill_at > 0 && now >= kill_at) {
            kill_group(pid, SIGKILL);
            kill_at = 0;
        }
        struct pollfd fds[2];
        int nf = 0;
        if (pipe_open)
            fds[nf++] = (struct pollfd){.fd = pfd[0], .events = POLLIN};
        if (pidfd >= 0)
            fds[nf++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        double until = term_sent ? (kill_at > 0 ? kill_at : now + 0.1) : deadline;
        if (quota > 0 && !term_sent && measure_at < until)
            until = measure_at;
        int ms = (int)((until - now) * 1000.0) + 1;
        if (pidfd < 0 && ms > 20)
            ms = 20; /* no pidfd: poll the child */
        if (ms > 1000)
            ms = 1000;
        if (ms < 0)
            ms = 0;
        int pr = nf ? poll(fds, (nfds_t)nf, ms) : (usleep((useconds_t)ms * 1000), 0);
        if (pr < 0 && errno != EINTR)
            break;
        if (pipe_open && pr > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            char buf[8192];
            ssize_t n = read(pfd[0], buf, sizeof buf);
            if (n > 0) {
                tail_append(res, buf, (size_t)n);
                ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
                (void)w;
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                pipe_open = 0;
            }
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            done = 1;
        }
    }
    /* Drain what is left in the pipe (without blocking on grandchildren). */
    if (pipe_open) {
        fcntl(pfd[0], F_SETFL, O_NONBLOCK);
        char buf[8192];
        ssize_t n;
        while ((n = read(pfd[0], buf, sizeof buf)) > 0) {
            tail_append(res, buf, (size_t)n);
            ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
            (void)w;
        }
    }
    /* Nothing of the group may outlive the run. */
    kill_group(pid, SIGKILL);
    close(pfd[0]);
    if (pidfd >= 0)
        close(pidfd);
    res->elapsed = mono_now() - t0;
    if (WIFEXITED(status)) {
        res->exited = 1;
        res->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->signaled = 1;
        res->sig = WTERMSIG(status);
    }
    return 0;
}
