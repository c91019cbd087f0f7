/*
 * netguard.h — limit where a confined process may connect (docs/serve.md, "Outgoing
 * connections"): a seccomp filter hands every connect(), and every sendto(),
 * sendmsg() and sendmmsg() that names an address, to a small supervisor process,
 * which checks the address against the allowed networks and, for internet sockets,
 * makes the call itself on a duplicate of the caller's socket (pidfd_getfd): the
 * address it checked is the address used, whatever the caller's memory holds a
 * moment later.  Unix sockets go on unchanged (the kernel decides, with Landlock).
 * io_uring cannot be set up (it would bypass the filter); TCP Fast Open sends are
 * refused (they connect).  Loopback (127.0.0.1 and ::1: the run's own MPI and
 * worker traffic) is always allowed; the rest of 127.0.0.0/8 only when listed.
 *
 * Started once, in a single-threaded process or one whose threads may all be
 * filtered (TSYNC), after no_new_privs and the rest of the sandbox; children
 * inherit it.  The supervisor ends when the last process under the filter does.
 */
#ifndef BENCHAAS_NETGUARD_H
#define BENCHAAS_NETGUARD_H

#include <stddef.h>

#include "util.h"

/* Check one allowed network ("10.0.0.0/8", "::1/128", an address alone): 0 or
 * BX_EINVAL with the reason. */
int netguard_check_cidr(const char *cidr, char *err, size_t errlen);

/* 1 when this kernel can run the guard (seccomp user notification, pidfd_getfd:
 * Linux 5.9 or later). */
int netguard_supported(void);

/* Start the guard with the networks `allow` (strings as above): 0, or BX_EIO /
 * BX_EINVAL with the reason (the caller must not go on). */
int netguard_start(const strvec *allow, char *err, size_t errlen);

#endif
