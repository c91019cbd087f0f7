/*
 * netguard.c — a confined process's outgoing connections, limited to the allowed
 * networks at run time (netguard.h).
 */
#define _GNU_SOURCE
#include "netguard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NG_ARCH AUDIT_ARCH_X86_64
#define NG_X32 0x40000000u /* x32 system calls: refused */
#elif defined(__aarch64__)
#define NG_ARCH AUDIT_ARCH_AARCH64
#define NG_X32 0xffffffffu /* none */
#endif

#define NG_MAX_SEND 65536 /* bytes of one datagram the supervisor sends for the caller */
#define NG_MAX_IOV 64
#define NG_MAX_MMSG 64

typedef struct net {
    int family;
    unsigned char addr[16];
    int bits;
} net;

static int parse_cidr(const char *s, net *n)
{
    char a[64];
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if (len == 0 || len >= sizeof a)
        return -1;
    memcpy(a, s, len);
    a[len] = '\0';
    memset(n, 0, sizeof *n);
    if (inet_pton(AF_INET, a, n->addr) == 1)
        n->family = AF_INET, n->bits = 32;
    else if (inet_pton(AF_INET6, a, n->addr) == 1)
        n->family = AF_INET6, n->bits = 128;
    else
        return -1;
    if (slash) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || b < 0 || b > n->bits)
            return -1;
        n->bits = (int)b;
    }
    return 0;
}

int netguard_check_cidr(const char *cidr, char *err, size_t errlen)
{
    net n;
    if (parse_cidr(cidr, &n) != 0)
        return errf(err, errlen, BX_EINVAL, "'%s' is not a network (10.0.0.0/8, ::1/128)", cidr);
    return 0;
}

static int in_net(const net *n, int family, const unsigned char *a)
{
    if (n->family != family)
        return 0;
    int full = n->bits / 8, rest = n->bits % 8;
    if (memcmp(n->addr, a, (size_t)full) != 0)
        return 0;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return rest == 0 || (n->addr[full] & mask) == (a[full] & mask);
}

typedef struct guard {
    net *nets;
    size_t n;
} guard;

/* 1 when the address (its family checked, a v4-mapped v6 address as v4) is allowed. */
static int allowed(const guard *g, const struct sockaddr_storage *ss, socklen_t len, char *shown,
                   size_t shownlen)
{
    unsigned char a[16];
    int family = ss->ss_family, port = 0;
    snprintf(shown, shownlen, "an address of family %d", family);
    if (family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        memcpy(a, &in->sin_addr, 4);
        port = ntohs(in->sin_port);
    } else if (family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        memcpy(a, &in6->sin6_addr, 16);
        port = ntohs(in6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            memmove(a, a + 12, 4);
            family = AF_INET;
        }
    } else {
        return 0;
    }
    char txt[INET6_ADDRSTRLEN] = "?";
    inet_ntop(family, a, txt, sizeof txt);
    snprintf(shown, shownlen, "%s port %d", txt, port);
    for (size_t i = 0; i < g->n; i++)
        if (in_net(&g->nets[i], family, a))
            return 1;
    return 0;
}

/* ---- the filter ---------------------------------------------------------------------- */

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

static int install_filter(void)
{
    /* the jumps count the instructions they skip; the numbers are the indexes */
    struct sock_filter f[] = {
        /*  0 */ LD(offsetof(struct seccomp_data, arch)),
        /*  1 */ JEQ(NG_ARCH, 1, 0),
        /*  2 */ RET(SECCOMP_RET_KILL_PROCESS),
        /*  3 */ LD(offsetof(struct seccomp_data, nr)),
        /*  4 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, NG_X32, 0, 1),
        /*  5 */ RET(SECCOMP_RET_ERRNO | ENOSYS),
        /*  6 */ JEQ(__NR_io_uring_setup, 0, 1),
        /*  7 */ RET(SECCOMP_RET_ERRNO | ENOSYS),
        /*  8 */ JEQ(__NR_connect, 16, 0),  /* -> 25 */
        /*  9 */ JEQ(__NR_sendmsg, 2, 0),   /* -> 12 */
        /* 10 */ JEQ(__NR_sendmmsg, 3, 0),  /* -> 14 */
        /* 11 */ JEQ(__NR_sendto, 4, 11),   /* -> 16, else 23 */
        /* 12 */ LD(ARG_LO(2)),             /* sendmsg's flags */
        /* 13 */ BPF_JUMP(BPF_JMP | BPF_JA, 8, 0, 0), /* -> 22 */
        /* 14 */ LD(ARG_LO(3)),             /* sendmmsg's flags */
        /* 15 */ BPF_JUMP(BPF_JMP | BPF_JA, 6, 0, 0), /* -> 22 */
        /* 16 */ LD(ARG_LO(3)),             /* sendto's flags */
        /* 17 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MSG_FASTOPEN, 6, 0), /* -> 24 */
        /* 18 */ LD(ARG_LO(4)),             /* sendto's address: none is allowed as is */
        /* 19 */ JEQ(0, 0, 5),              /* -> 20, else 25 */
        /* 20 */ LD(ARG_HI(4)),
        /* 21 */ JEQ(0, 1, 3),              /* -> 23, else 25 */
        /* 22 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MSG_FASTOPEN, 1, 2), /* -> 24, else 25 */
        /* 23 */ RET(SECCOMP_RET_ALLOW),
        /* 24 */ RET(SECCOMP_RET_ERRNO | EPERM),
        /* 25 */ RET(SECCOMP_RET_USER_NOTIF),
    };
    struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC |
                          SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
                      &prog);
    if (fd < 0 && errno == EINVAL) /* an older kernel: this thread and its children only */
        fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    return (int)fd;
}

/* ---- the supervisor ------------------------------------------------------------------- */

static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
    struct iovec l = {buf, len}, r = {(void *)(uintptr_t)addr, len};
    return len == 0 || process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

static int poke(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
    struct iovec l = {(void *)buf, len}, r = {(void *)(uintptr_t)addr, len};
    return process_vm_writev(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* The process (thread group) of thread tid, from /proc (0 when unknown). */
static pid_t tgid_of(pid_t tid)
{
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
    FILE *f = fopen(path, "r");
    long g = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Tgid: %ld", &g) == 1)
            break;
    if (f)
        fclose(f);
    return (pid_t)g;
}

/* The caller's socket, duplicated here (-1 when fd is not one of its open files).  The
 * caller may be any thread: pidfd_open() wants its thread group's leader. */
static int their_fd(pid_t pid, int fd)
{
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    pid_t g;
    if (pfd < 0 && (g = tgid_of(pid)) > 0)
        pfd = (int)syscall(SYS_pidfd_open, g, 0);
    if (pfd < 0)
        return -1;
    int d = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
    close(pfd);
    return d;
}

static void refuse_note(const char *shown)
{
    fprintf(stderr, "benchaas: a connection to %s was refused: not a network the site allows "
                    "(serve --allow-host)\n", shown);
}

/* sendmsg() of the caller's message m (its pointers in the caller) on s: bytes or -errno. */
static long send_one(const guard *g, pid_t pid, int s, const struct msghdr *m, int flags)
{
    struct sockaddr_storage name;
    struct iovec iov[NG_MAX_IOV];
    static char buf[NG_MAX_SEND];
    char ctl[1024], shown[96];
    socklen_t nlen = m->msg_namelen > sizeof name ? sizeof name : m->msg_namelen;
    if (m->msg_iovlen > NG_MAX_IOV || m->msg_controllen > sizeof ctl)
        return -EMSGSIZE;
    memset(&name, 0, sizeof name);
    if (m->msg_name && nlen && peek(pid, (uintptr_t)m->msg_name, &name, nlen) != 0)
        return -EFAULT;
    if (m->msg_name && nlen && !allowed(g, &name, nlen, shown, sizeof shown)) {
        refuse_note(shown);
        return -EACCES;
    }
    if (peek(pid, (uintptr_t)m->msg_iov, iov, m->msg_iovlen * sizeof *iov) != 0)
        return -EFAULT;
    size_t total = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++) {
        if (iov[i].iov_len > sizeof buf - total)
            return -EMSGSIZE;
        if (peek(pid, (uintptr_t)iov[i].iov_base, buf + total, iov[i].iov_len) != 0)
            return -EFAULT;
        total += iov[i].iov_len;
    }
    if (m->msg_controllen && peek(pid, (uintptr_t)m->msg_control, ctl, m->msg_controllen) != 0)
        return -EFAULT;
    struct iovec one = {buf, total};
    struct msghdr mine = {.msg_name = m->msg_name && nlen ? &name : NULL,
                          .msg_namelen = m->msg_name ? nlen : 0,
                          .msg_iov = &one,
                          .msg_iovlen = 1,
                          .msg_control = m->msg_controllen ? ctl : NULL,
                          .msg_controllen = m->msg_controllen};
    ssize_t r = sendmsg(s, &mine, flags | MSG_NOSIGNAL);
    return r < 0 ? -errno : r;
}

/* A connect() of an internet socket s, made here with the address checked. */
static long do_connect(const guard *g, pid_t pid, int s, const struct seccomp_data *d)
{
    struct sockaddr_storage ss;
    char shown[96];
    socklen_t len = d->args[2] > sizeof ss ? sizeof ss : (socklen_t)d->args[2];
    memset(&ss, 0, sizeof ss);
    if (len < sizeof(sa_family_t) || peek(pid, d->args[1], &ss, len) != 0)
        return -EFAULT;
    if (ss.ss_family != AF_UNSPEC && !allowed(g, &ss, len, shown, sizeof shown)) {
        refuse_note(shown);
        return -EACCES;
    }
    return connect(s, (struct sockaddr *)&ss, len) != 0 ? -errno : 0;
}

/* A sendto() with an address on an internet datagram socket, made here. */
static long send_to(const guard *g, pid_t pid, int s, const struct seccomp_data *d)
{
    static char buf[NG_MAX_SEND];
    struct sockaddr_storage ss;
    char shown[96];
    socklen_t len = d->args[5] > sizeof ss ? sizeof ss : (socklen_t)d->args[5];
    if (d->args[2] > NG_MAX_SEND)
        return -EMSGSIZE;
    memset(&ss, 0, sizeof ss);
    if (peek(pid, d->args[4], &ss, len) != 0 || peek(pid, d->args[1], buf, d->args[2]) != 0)
        return -EFAULT;
    if (!allowed(g, &ss, len, shown, sizeof shown)) {
        refuse_note(shown);
        return -EACCES;
    }
    ssize_t r = sendto(s, buf, d->args[2], (int)d->args[3] | MSG_NOSIGNAL, (struct sockaddr *)&ss,
                       len);
    return r < 0 ? -errno : r;
}

/* The answer to one notification: *cont set when the kernel should go on as asked. */
static long answer(const guard *g, const struct seccomp_notif *req, int *cont)
{
    const struct seccomp_data *d = &req->data;
    pid_t pid = (pid_t)req->pid;
    int s = their_fd(pid, (int)d->args[0]);
    int domain = 0, type = 0;
    socklen_t l = sizeof domain;
    *cont = 0;
    if (s < 0) /* not a file of the caller's, or the caller out of reach: refused */
        return errno == EBADF ? -EBADF : -EACCES;
    if (getsockopt(s, SOL_SOCKET, SO_DOMAIN, &domain, &l) != 0 ||
        (domain != AF_INET && domain != AF_INET6)) {
        /* not an internet socket (the kernel checks a unix socket's path with Landlock) */
        close(s);
        *cont = 1;
        return 0;
    }
    l = sizeof type;
    getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &l);
    long r = 0;
    if (d->nr == __NR_connect) {
        r = do_connect(g, pid, s, d);
    } else if (type == SOCK_STREAM) {
        *cont = 1; /* a stream ignores the address (Fast Open, which would not, is refused) */
    } else if (d->nr == __NR_sendto) {
        r = send_to(g, pid, s, d);
    } else if (d->nr == __NR_sendmsg) {
        struct msghdr m;
        r = peek(pid, d->args[1], &m, sizeof m) != 0 ? -EFAULT
                                                      : send_one(g, pid, s, &m, (int)d->args[2]);
    } else { /* sendmmsg */
        unsigned n = d->args[2] > NG_MAX_MMSG ? NG_MAX_MMSG : (unsigned)d->args[2];
        long sent = 0;
        for (unsigned i = 0; i < n; i++) {
            struct mmsghdr mm;
            uint64_t at = d->args[1] + i * sizeof mm;
            if (peek(pid, at, &mm, sizeof mm) != 0) {
                r = -EFAULT;
                break;
            }
            r = send_one(g, pid, s, &mm.msg_hdr, (int)d->args[3]);
            if (r < 0)
                break;
            unsigned got = (unsigned)r;
            poke(pid, at + offsetof(struct mmsghdr, msg_len), &got, sizeof got);
            sent++;
        }
        r = sent > 0 ? sent : r;
    }
    close(s);
    return r;
}

static void supervise(const guard *g, int listener)
{
    struct seccomp_notif_sizes sz;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) != 0)
        _exit(1);
    struct seccomp_notif *req = calloc(1, sz.seccomp_notif > sizeof *req ? sz.seccomp_notif
                                                                         : sizeof *req);
    struct seccomp_notif_resp *resp =
        calloc(1, sz.seccomp_notif_resp > sizeof *resp ? sz.seccomp_notif_resp : sizeof *resp);
    if (!req || !resp)
        _exit(1);
    for (;;) {
        struct pollfd p = {listener, POLLIN, 0};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
            break; /* nothing is left under the filter */
        memset(req, 0, sz.seccomp_notif);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0)
            continue; /* the caller went away (ENOENT), or a signal */
        int cont = 0;
        long r = answer(g, req, &cont);
        memset(resp, 0, sz.seccomp_notif_resp);
        resp->id = req->id;
        if (cont)
            resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        else if (r < 0)
            resp->error = (int)r;
        else
            resp->val = r;
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    }
    _exit(0);
}

/* In the supervisor (the starter's grandchild): take the listener from `target`
 * (its number comes over s) and serve it. */
static void supervisor_main(const guard *g, pid_t target, int s)
{
    signal(SIGPIPE, SIG_IGN);
    pid_t me = getpid();
    int fd = -1, listener = -1;
    if (write(s, &me, sizeof me) != sizeof me || read(s, &fd, sizeof fd) != sizeof fd)
        _exit(1);
    int pfd = (int)syscall(SYS_pidfd_open, target, 0);
    if (pfd >= 0)
        listener = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
    char ok = listener >= 0;
    if (write(s, &ok, 1) != 1 || !ok)
        _exit(1);
    /* nothing of the process it came from but the listener and stderr */
    for (int i = 0; i < 1024; i++)
        if (i != listener && i != STDERR_FILENO)
            close(i);
    supervise(g, listener);
}

int netguard_supported(void)
{
#ifndef NG_ARCH
    return 0;
#else
    struct seccomp_notif_sizes sz;
    errno = 0;
    return syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0 &&
           syscall(SYS_pidfd_getfd, -1, 0, 0) < 0 && errno == EBADF;
#endif
}

int netguard_start(const strvec *allow, char *err, size_t errlen)
{
#ifndef NG_ARCH
    (void)allow;
    return errf(err, errlen, BX_EIO, "the network guard is not built for this architecture");
#else
    static guard g; /* the supervisor's copy lives as long as it does */
    static const char *const loop[] = {"127.0.0.1/32", "::1/128"};
    g.n = 0;
    g.nets = calloc(allow->n + 2, sizeof *g.nets);
    if (!g.nets)
        return errf(err, errlen, BX_EIO, "out of memory");
    for (size_t i = 0; i < 2; i++)
        parse_cidr(loop[i], &g.nets[g.n++]);
    for (size_t i = 0; i < allow->n; i++)
        if (parse_cidr(allow->v[i], &g.nets[g.n++]) != 0)
            return errf(err, errlen, BX_EINVAL, "'%s' is not a network", allow->v[i]);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return errf(err, errlen, BX_EIO, "cannot set no_new_privs: %s", strerror(errno));
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return errf(err, errlen, BX_EIO, "network guard: %s", strerror(errno));
    pid_t target = getpid(), mid = fork();
    if (mid == 0) {
        close(sv[0]);
        pid_t sup = fork();
        if (sup != 0)
            _exit(sup < 0);
        supervisor_main(&g, target, sv[1]);
        _exit(1);
    }
    close(sv[1]);
    int status = 0;
    pid_t sup = 0;
    if (mid < 0 || waitpid(mid, &status, 0) != mid || status != 0 ||
        read(sv[0], &sup, sizeof sup) != sizeof sup) {
        close(sv[0]);
        return errf(err, errlen, BX_EIO, "network guard: the supervisor did not start");
    }
    /* the supervisor, our own user's, may read our memory and take our sockets */
    prctl(PR_SET_PTRACER, sup, 0, 0, 0);
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    int fd = install_filter();
    char ok = 0;
    int e = errno;
    if (fd < 0) {
        close(sv[0]); /* the supervisor reads nothing and ends */
        return errf(err, errlen, BX_EIO, "network guard: seccomp: %s", strerror(e));
    }
    if (write(sv[0], &fd, sizeof fd) != sizeof fd || read(sv[0], &ok, 1) != 1 || !ok) {
        close(sv[0]);
        close(fd);
        /* the filter is in place with no one to answer: every connect now fails */
        return errf(err, errlen, BX_EIO, "network guard: the supervisor took no listener");
    }
    close(fd);
    close(sv[0]);
    return 0;
#endif
}
