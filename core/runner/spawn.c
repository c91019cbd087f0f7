/* spawn.c — starting a helper program and waiting for it (see spawn.h). */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* argv[0] as a path to execute: itself when it holds a '/', else the first
 * executable of that name on PATH (looked up here, before fork: the child may
 * only make async-signal-safe calls).  NULL when there is none. */
static char *find_program(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
    const char *path = getenv("PATH");
    char *dirs = xstrdup(path && *path ? path : "/usr/bin:/bin"), *found = NULL;
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char *c = xasprintf("%s/%s", *d ? d : ".", name);
        if (access(c, X_OK) == 0)
            found = c;
        else
            free(c);
    }
    free(dirs);
    return found;
}

/* The child's side: its streams on out/errfd (-1: /dev/null), an errno on efd
 * when it cannot start.  Never returns. */
static void child_exec(const char *exe, char *const *argv, pid_t parent, int out, int errfd,
                       int devnull, int efd)
{
    setpgid(0, 0);
    /* Nothing we start may outlive us; the flag survives execve. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127); /* we died before prctl() */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    dup2(devnull, STDIN_FILENO);
    dup2(out >= 0 ? out : devnull, STDOUT_FILENO);
    dup2(errfd >= 0 ? errfd : devnull, STDERR_FILENO);
    /* a helper inherits no descriptor of ours beyond 0-2 (the server's sockets, its
     * database): each is closed when it executes */
    syscall(SYS_close_range, 3, ~0U, 1U << 2 /* CLOSE_RANGE_CLOEXEC */);
    execv(exe, argv);
    int e = errno;
    ssize_t w = write(efd, &e, sizeof e);
    (void)w;
    _exit(127);
}

static void kill_group(pid_t pid, int sig)
{
    if (kill(-pid, sig) != 0)
        kill(pid, sig);
}

typedef struct stream {
    int fd;        /* -1 once closed */
    char *buf;
    size_t len, cap;
} stream;

static void stream_read(stream *s)
{
    char tmp[8192];
    ssize_t n = read(s->fd, tmp, sizeof tmp);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close(s->fd);
        s->fd = -1;
        return;
    }
    size_t take = s->len + (size_t)n > s->cap ? s->cap - s->len : (size_t)n;
    memcpy(s->buf + s->len, tmp, take);
    s->len += take;
}

/* Read both streams and reap the child, with the deadline; *status its wait status. */
static void watch(pid_t pid, stream *st, double timeout, spawn_result *r, int *status)
{
    double deadline = timeout > 0 ? mono_now() + timeout : 0, kill_at = 0;
    int done = 0;
    while (!done) {
        double now = mono_now();
        if (deadline > 0 && !r->timed_out && now >= deadline) {
            r->timed_out = 1;
            kill_group(pid, SIGTERM);
            kill_at = now + 3.0;
        } else if (kill_at > 0 && now >= kill_at) {
            kill_group(pid, SIGKILL);
            kill_at = 0;
        }
        struct pollfd fds[2];
        stream *which[2];
        int nf = 0;
        for (int i = 0; i < 2; i++)
            if (st[i].fd >= 0) {
                which[nf] = &st[i];
                fds[nf++] = (struct pollfd){.fd = st[i].fd, .events = POLLIN};
            }
        /* with the pipes open, poll them; after they close, look at the child often */
        int ms = nf ? 200 : 20;
        int pr = nf ? poll(fds, (nfds_t)nf, ms) : (usleep((useconds_t)ms * 1000), 0);
        for (int i = 0; pr > 0 && i < nf; i++)
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                stream_read(which[i]);
        /* ended? (not reaped yet: its pid, and so its group's id, cannot be reused
         * until we kill what it left in the group) */
        siginfo_t si;
        si.si_pid = 0;
        int w = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
        if ((w == 0 && si.si_pid == pid) || (w < 0 && errno != EINTR))
            done = 1;
    }
    /* what is left in the pipes, without blocking on grandchildren */
    for (int i = 0; i < 2; i++) {
        if (st[i].fd < 0)
            continue;
        fcntl(st[i].fd, F_SETFL, O_NONBLOCK);
        while (st[i].fd >= 0) {
            size_t before = st[i].len;
            stream_read(&st[i]);
            if (st[i].fd >= 0 && st[i].len == before)
                break;
        }
        if (st[i].fd >= 0)
            close(st[i].fd);
    }
    kill(-pid, SIGKILL); /* nothing of its group outlives it */
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

static void close_pair(int p[2])
{
    for (int i = 0; i < 2; i++)
        if (p[i] >= 0)
            close(p[i]);
}

int spawn_run(char *const *argv, const spawn_opts *o, spawn_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    char *exe = find_program(argv[0]);
    if (!exe)
        return errf(err, errlen, BX_EIO, "cannot run %s: not found", argv[0]);
    int po[2] = {-1, -1}, pe[2] = {-1, -1}, efd[2] = {-1, -1};
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0 || pipe2(efd, O_CLOEXEC) != 0 ||
        (o->capture && (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0))) {
        int e = errno;
        close_pair(po);
        close_pair(pe);
        close_pair(efd);
        if (devnull >= 0)
            close(devnull);
        free(exe);
        return errf(err, errlen, BX_EIO, "cannot run %s: %s", argv[0], strerror(e));
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0)
        child_exec(exe, argv, parent, po[1], pe[1], devnull, efd[1]);
    int fork_errno = errno;
    free(exe);
    close(devnull);
    close(efd[1]);
    if (po[1] >= 0)
        close(po[1]);
    if (pe[1] >= 0)
        close(pe[1]);
    int exec_errno = 0;
    ssize_t got = pid > 0 ? read(efd[0], &exec_errno, sizeof exec_errno) : 0;
    close(efd[0]);
    if (pid < 0 || got == (ssize_t)sizeof exec_errno) {
        if (po[0] >= 0)
            close(po[0]);
        if (pe[0] >= 0)
            close(pe[0]);
        while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        return errf(err, errlen, BX_EIO, "cannot run %s: %s", argv[0],
                    strerror(pid < 0 ? fork_errno : exec_errno));
    }
    setpgid(pid, pid); /* both sides, to win the race */
    size_t cap = o->cap ? o->cap : (size_t)1 << 20;
    stream st[2] = {{po[0], NULL, 0, cap}, {pe[0], NULL, 0, cap}};
    for (int i = 0; i < 2; i++)
        if (st[i].fd >= 0)
            st[i].buf = xcalloc(1, cap + 1);
    int status = 0;
    watch(pid, st, o->timeout, r, &status);
    r->out = st[0].buf;
    r->err = st[1].buf;
    if (WIFEXITED(status) && !r->timed_out) {
        r->exited = 1;
        r->exit_code = WEXITSTATUS(status);
    }
    return 0;
}

void spawn_result_free(spawn_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}
