/*
 * net.h — socket helpers of the iperf plugin: name resolution, listening,
 * connecting with a timeout, reading and writing control messages with a
 * deadline.  Deadlines are absolute bx_now() times (CLOCK_MONOTONIC, s).
 * Every function returns 0 or -1 with a human message in err.
 */
#ifndef BXI_NET_H
#define BXI_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proto.h"

typedef struct bxi_addr {
    struct sockaddr_storage ss;
    socklen_t len;
} bxi_addr;

/*
 * host:port to an address (the first getaddrinfo gives).  passive: for
 * bind() (a NULL or empty host then means the wildcard address).
 */
int bxi_resolve(const char *host, int port, int passive, bxi_addr *out, char *err, size_t errlen);
/* "127.0.0.1:5201" or "[::1]:5201" into buf; returns buf. */
const char *bxi_addr_str(const bxi_addr *a, char *buf, size_t len);
int bxi_addr_port(const bxi_addr *a);
void bxi_addr_set_port(bxi_addr *a, int port);

/*
 * A non-blocking listening TCP socket on a (SO_REUSEADDR).  On failure
 * *sys_errno says why (EADDRINUSE: the port is taken).  Port 0 picks a
 * free port: read it back with bxi_local_addr().
 */
int bxi_listen(const bxi_addr *a, int *fd, int *sys_errno, char *err, size_t errlen);
int bxi_local_addr(int fd, bxi_addr *out);
int bxi_peer_addr(int fd, bxi_addr *out);
/*
 * Whether a connection's two ends are on this host: the peer's address is
 * a loopback one (127.0.0.0/8, ::1, ::ffff:127.x.x.x), or the same address
 * as the local end (ports aside).  bxi_same_host asks a connected socket.
 */
int bxi_same_host_addrs(const bxi_addr *local, const bxi_addr *peer);
int bxi_same_host(int fd);

/*
 * Connect a TCP socket (SOCK_STREAM) or a UDP one (SOCK_DGRAM) to a,
 * waiting at most timeout seconds.  window > 0 sets SO_SNDBUF and SO_RCVBUF
 * first.  The socket is left non-blocking.  *sys_errno: ECONNREFUSED,
 * ETIMEDOUT, ...
 */
int bxi_connect(const bxi_addr *a, int type, uint64_t window, double timeout, int *fd,
                int *sys_errno);

int bxi_set_nonblock(int fd, int on);
/* SO_SNDBUF and SO_RCVBUF (the kernel doubles and caps them). */
void bxi_set_window(int fd, uint64_t window);
/* Largest of the effective SO_SNDBUF / SO_RCVBUF, for the record. */
uint64_t bxi_get_window(int fd);

/* Write all of buf to a non-blocking socket before the deadline (MSG_NOSIGNAL). */
int bxi_send_all(int fd, const void *buf, size_t len, double deadline, char *err, size_t errlen);
int bxi_send_msg(int fd, bxi_msgw *w, double deadline, char *err, size_t errlen);
/*
 * Read one whole message from a non-blocking socket before the deadline:
 * 0 a message, 1 timed out (a partial frame stays in r for the next call),
 * -1 error.  r must have been reset once (bxi_reader_reset) for this socket.
 */
int bxi_recv_msg(int fd, bxi_reader *r, bxi_msg *m, double deadline, char *err, size_t errlen);

/* n random bytes (getrandom); 0 or -1. */
int bxi_random(void *buf, size_t n);
/* CPU time (user+system) of the calling thread, seconds. */
double bxi_thread_cpu(void);

#endif
