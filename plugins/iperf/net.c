/* net.c — socket helpers (see net.h). */
#define _GNU_SOURCE
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/sdk.h"

int bxi_resolve(const char *host, int port, int passive, bxi_addr *out, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : AI_ADDRCONFIG);
    char serv[16];
    snprintf(serv, sizeof serv, "%d", port);
    if (host && !*host)
        host = NULL;
    int rc = getaddrinfo(host, serv, &hints, &res);
    if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
        /* AI_ADDRCONFIG hides ::1 / 127.0.0.1 on hosts with no other address */
        hints.ai_flags &= ~AI_ADDRCONFIG;
        rc = getaddrinfo(host, serv, &hints, &res);
    }
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve host '%s': %s", host ? host : "",
                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    memset(out, 0, sizeof *out);
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

const char *bxi_addr_str(const bxi_addr *a, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    int port = bxi_addr_port(a);
    if (a->ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, host, sizeof host);
        snprintf(buf, len, "%s:%d", host, port);
    } else if (a->ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, host, sizeof host);
        snprintf(buf, len, "[%s]:%d", host, port);
    } else {
        snprintf(buf, len, "(unknown address family %d)", (int)a->ss.ss_family);
    }
    return buf;
}

int bxi_addr_port(const bxi_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return 0;
}

void bxi_addr_set_port(bxi_addr *a, int port)
{
    if (a->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
    else if (a->ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

int bxi_set_nonblock(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, fl);
}

void bxi_set_window(int fd, uint64_t window)
{
    if (window == 0)
        return;
    int v = window > (uint64_t)INT32_MAX / 2 ? INT32_MAX / 2 : (int)window;
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
}

uint64_t bxi_get_window(int fd)
{
    int s = 0, r = 0;
    socklen_t l = sizeof s;
    (void)getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s, &l);
    l = sizeof r;
    (void)getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &r, &l);
    return (uint64_t)(s > r ? s : r);
}

int bxi_listen(const bxi_addr *a, int *fd, int *sys_errno, char *err, size_t errlen)
{
    char as[80];
    *fd = -1;
    int s = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) {
        *sys_errno = errno;
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    (void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (const struct sockaddr *)&a->ss, a->len) != 0 || listen(s, 128) != 0) {
        *sys_errno = errno;
        if (errno == EADDRINUSE)
            snprintf(err, errlen,
                     "port %d on %s is already in use (another server running?); choose another "
                     "with -p port=N",
                     bxi_addr_port(a), bxi_addr_str(a, as, sizeof as));
        else if (errno == EADDRNOTAVAIL)
            snprintf(err, errlen, "cannot listen on %s: not an address of this host",
                     bxi_addr_str(a, as, sizeof as));
        else
            snprintf(err, errlen, "cannot listen on %s: %s", bxi_addr_str(a, as, sizeof as),
                     strerror(errno));
        close(s);
        return -1;
    }
    *fd = s;
    return 0;
}

int bxi_local_addr(int fd, bxi_addr *out)
{
    memset(out, 0, sizeof *out);
    out->len = sizeof out->ss;
    return getsockname(fd, (struct sockaddr *)&out->ss, &out->len);
}

int bxi_peer_addr(int fd, bxi_addr *out)
{
    memset(out, 0, sizeof *out);
    out->len = sizeof out->ss;
    return getpeername(fd, (struct sockaddr *)&out->ss, &out->len);
}

static int loopback_addr(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    if (a->ss_family == AF_INET6) {
        const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(x) || (IN6_IS_ADDR_V4MAPPED(x) && x->s6_addr[12] == 127);
    }
    return 0;
}

int bxi_same_host_addrs(const bxi_addr *local, const bxi_addr *peer)
{
    if (loopback_addr(&peer->ss))
        return 1;
    if (local->ss.ss_family != peer->ss.ss_family)
        return 0;
    if (peer->ss.ss_family == AF_INET)
        return ((const struct sockaddr_in *)&local->ss)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)&peer->ss)->sin_addr.s_addr;
    if (peer->ss.ss_family == AF_INET6)
        return IN6_ARE_ADDR_EQUAL(&((const struct sockaddr_in6 *)&local->ss)->sin6_addr,
                                  &((const struct sockaddr_in6 *)&peer->ss)->sin6_addr);
    return 0;
}

int bxi_same_host(int fd)
{
    bxi_addr l, p;
    return bxi_local_addr(fd, &l) == 0 && bxi_peer_addr(fd, &p) == 0 &&
           bxi_same_host_addrs(&l, &p);
}

int bxi_connect(const bxi_addr *a, int type, uint64_t window, double timeout, int *fd,
                int *sys_errno)
{
    *fd = -1;
    int s = socket(a->ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) {
        *sys_errno = errno;
        return -1;
    }
    bxi_set_window(s, window);
    if (connect(s, (const struct sockaddr *)&a->ss, a->len) != 0) {
        if (errno != EINPROGRESS) {
            *sys_errno = errno;
            close(s);
            return -1;
        }
        double deadline = bx_now() + timeout;
        for (;;) {
            struct pollfd p = {.fd = s, .events = POLLOUT};
            double left = deadline - bx_now();
            if (left <= 0) {
                *sys_errno = ETIMEDOUT;
                close(s);
                return -1;
            }
            int rc = poll(&p, 1, (int)(left * 1000) + 1);
            if (rc < 0 && errno == EINTR)
                continue;
            if (rc < 0) {
                *sys_errno = errno;
                close(s);
                return -1;
            }
            if (rc > 0)
                break;
        }
        int e = 0;
        socklen_t l = sizeof e;
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l) != 0)
            e = errno;
        if (e) {
            *sys_errno = e;
            close(s);
            return -1;
        }
    }
    *fd = s;
    return 0;
}

/* Wait for events on one fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, double deadline)
{
    for (;;) {
        double left = deadline - bx_now();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int rc = poll(&p, 1, (int)(left * 1000) + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return -1;
        if (rc > 0)
            return 1;
    }
}

int bxi_send_all(int fd, const void *buf, size_t len, double deadline, char *err, size_t errlen)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = wait_fd(fd, POLLOUT, deadline);
            if (w > 0)
                continue;
            snprintf(err, errlen, w == 0 ? "the peer does not read (send timed out)" : "poll: %s",
                     strerror(errno));
            return -1;
        }
        snprintf(err, errlen, "send failed: %s", n < 0 ? strerror(errno) : "no progress");
        return -1;
    }
    return 0;
}

int bxi_send_msg(int fd, bxi_msgw *w, double deadline, char *err, size_t errlen)
{
    size_t len;
    const char *f = bxi_msgw_frame(w, &len);
    if (!f) {
        snprintf(err, errlen, "internal error: message too long");
        return -1;
    }
    return bxi_send_all(fd, f, len, deadline, err, errlen);
}

int bxi_recv_msg(int fd, bxi_reader *r, bxi_msg *m, double deadline, char *err, size_t errlen)
{
    for (;;) {
        int e = 0;
        int rd = bxi_reader_feed(r, fd, &e);
        if (rd == BXI_RD_FRAME) {
            int rc = bxi_reader_msg(r, m, err, errlen);
            bxi_reader_reset(r);
            return rc;
        }
        if (rd != BXI_RD_MORE) {
            bxi_rd_what(rd, e, err, errlen);
            return -1;
        }
        int w = wait_fd(fd, POLLIN, deadline);
        if (w == 0) {
            snprintf(err, errlen, "no answer (timed out)");
            return 1;
        }
        if (w < 0) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            return -1;
        }
    }
}

int bxi_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t k = getrandom(p, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

double bxi_thread_cpu(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
