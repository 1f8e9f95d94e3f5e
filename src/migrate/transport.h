/* SPDX-License-Identifier: MIT */
/*
 * The migration stream's TCP connection, driven through io_uring
 * (liburing): every send and receive is linked to a timeout, so a peer
 * that stalls is a clear error (-ETIMEDOUT) rather than a hang, and a
 * send takes its bytes straight from where they lie (guest memory, the
 * Migration Handler's slots) through an iovec, without a copy in sevm.
 */
#ifndef SEVM_SRC_MIGRATE_TRANSPORT_H
#define SEVM_SRC_MIGRATE_TRANSPORT_H

#include <liburing.h>
#include <stddef.h>
#include <sys/uio.h>

struct xport {
	int fd;
	int timeout_ms; /* for each send or receive to make progress */
	struct io_uring ring;
	unsigned long long sent, received; /* bytes */
};

/* "HOST:PORT" ("[v6]:PORT" too) into a socket address; 0 or -EINVAL with err. */
int xport_resolve(const char *hostport, struct sockaddr_storage *sa, unsigned int *salen,
		  char *err, size_t errlen);

/* Connect (within timeout_ms) or accept one connection on listen_fd. */
int xport_connect(struct xport *x, const char *hostport, int timeout_ms, char *err,
		  size_t errlen);
int xport_listen(const char *hostport, int *listen_fd, char *err, size_t errlen);
/* timeout_ms < 0: wait for the source as long as it takes. */
int xport_accept(struct xport *x, int listen_fd, int timeout_ms, char *err, size_t errlen);

/* All of the bytes, or -errno: -ETIMEDOUT (stalled), -EPIPE/-ECONNRESET
 * (peer gone), and for recv -ENODATA on a clean close before the first byte. */
int xport_send(struct xport *x, const struct iovec *iov, int iovcnt);
int xport_recv(struct xport *x, void *buf, size_t len);
/* All of the iovecs' bytes, scattered in place (one receive per call where
 * the kernel has them). */
int xport_recvv(struct xport *x, const struct iovec *iov, int iovcnt);

/* Drive an already connected stream socket (tests: a socketpair). */
int xport_init_fd(struct xport *x, int fd, int timeout_ms);

void xport_close(struct xport *x);

#endif
