// SPDX-License-Identifier: MIT
#include "transport.h"

#include <errno.h>
#include <stdbool.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RING_ENTRIES 8
#define MAX_IOV 256
#define OP_DATA 1
#define TIMEOUT_DATA 2

int xport_resolve(const char *hostport, struct sockaddr_storage *sa, unsigned int *salen, char *err,
		  size_t errlen)
{
	char host[256];
	const char *colon = strrchr(hostport, ':'), *h = hostport;
	size_t hlen;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	int r;

	if (!colon || colon == hostport || !colon[1]) {
		snprintf(err, errlen, "%s: expected HOST:PORT", hostport);
		return -EINVAL;
	}
	hlen = (size_t)(colon - hostport);
	if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') /* [v6]:port */
		h++, hlen -= 2;
	if (hlen >= sizeof(host)) {
		snprintf(err, errlen, "%s: host name too long", hostport);
		return -EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = 0;
	r = getaddrinfo(host, colon + 1, &hints, &ai);
	if (r || !ai) {
		snprintf(err, errlen, "%s: %s", hostport, r ? gai_strerror(r) : "no address");
		return -EINVAL;
	}
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void set_ms(struct __kernel_timespec *ts, int ms)
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (long long)(ms % 1000) * 1000000;
}

/* Submit the prepared operation (linked to a timeout when ms >= 0) and
 * return its result; a timeout that fired is -ETIMEDOUT. */
static int run(struct io_uring *ring, struct io_uring_sqe *op, int ms)
{
	struct __kernel_timespec ts;
	int res = -EIO, want = 1;

	io_uring_sqe_set_data64(op, OP_DATA);
	if (ms >= 0) {
		struct io_uring_sqe *t = io_uring_get_sqe(ring);

		op->flags |= IOSQE_IO_LINK;
		set_ms(&ts, ms);
		io_uring_prep_link_timeout(t, &ts, 0);
		io_uring_sqe_set_data64(t, TIMEOUT_DATA);
		want = 2;
	}
	int r = io_uring_submit(ring);
	if (r < 0)
		return r;
	for (int i = 0; i < want; i++) {
		struct io_uring_cqe *cqe;

		r = io_uring_wait_cqe(ring, &cqe);
		if (r < 0)
			return r;
		if (io_uring_cqe_get_data64(cqe) == OP_DATA)
			res = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	return res == -ECANCELED ? -ETIMEDOUT : res;
}

static int ring_init(struct xport *x, int fd, int timeout_ms)
{
	int r = io_uring_queue_init(RING_ENTRIES, &x->ring, 0);

	if (r < 0)
		return r;
	x->fd = fd;
	x->timeout_ms = timeout_ms;
	x->sent = x->received = 0;
	/* Small control messages must not wait for a full segment. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	return 0;
}

int xport_init_fd(struct xport *x, int fd, int timeout_ms)
{
	return ring_init(x, fd, timeout_ms);
}

/* A TCP socket for hostport's address family; fd, or -errno with err. */
static int tcp_socket(const char *hostport, struct sockaddr_storage *sa, unsigned int *salen,
		      char *err, size_t errlen)
{
	int r = xport_resolve(hostport, sa, salen, err, errlen), fd;

	if (r)
		return r;
	fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: socket: %s", hostport, strerror(-r));
		return r;
	}
	return fd;
}

int xport_connect(struct xport *x, const char *hostport, int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_storage sa;
	unsigned int salen;
	int fd = tcp_socket(hostport, &sa, &salen, err, errlen), r;

	if (fd < 0)
		return fd;
	if ((r = ring_init(x, fd, timeout_ms))) {
		snprintf(err, errlen, "connect to %s: io_uring: %s", hostport, strerror(-r));
		close(fd);
		return r;
	}
	struct io_uring_sqe *sqe = io_uring_get_sqe(&x->ring);
	io_uring_prep_connect(sqe, fd, (struct sockaddr *)&sa, salen);
	r = run(&x->ring, sqe, timeout_ms);
	if (r < 0) {
		snprintf(err, errlen, "connect to %s: %s", hostport, strerror(-r));
		xport_close(x);
		return r;
	}
	return 0;
}

int xport_listen(const char *hostport, int *listen_fd, char *err, size_t errlen)
{
	struct sockaddr_storage sa;
	unsigned int salen;
	int fd = tcp_socket(hostport, &sa, &salen, err, errlen), r;

	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
	if (bind(fd, (struct sockaddr *)&sa, salen) || listen(fd, 1)) {
		r = -errno;
		snprintf(err, errlen, "listen on %s: %s", hostport, strerror(-r));
		close(fd);
		return r;
	}
	*listen_fd = fd;
	return 0;
}

int xport_accept(struct xport *x, int listen_fd, int timeout_ms, char *err, size_t errlen)
{
	struct io_uring ring;
	int r = io_uring_queue_init(RING_ENTRIES, &ring, 0);

	if (r < 0) {
		snprintf(err, errlen, "io_uring: %s", strerror(-r));
		return r;
	}
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accept(sqe, listen_fd, NULL, NULL, SOCK_CLOEXEC);
	r = run(&ring, sqe, timeout_ms);
	io_uring_queue_exit(&ring);
	if (r < 0) {
		snprintf(err, errlen, "waiting for the source: %s", strerror(-r));
		return r;
	}
	int fd = r;
	if ((r = ring_init(x, fd, x->timeout_ms ? x->timeout_ms : 10000))) {
		close(fd);
		snprintf(err, errlen, "io_uring: %s", strerror(-r));
		return r;
	}
	return 0;
}

/*
 * All of the iovecs' bytes out (sendmsg) or in (recvmsg, in place), as many
 * calls as the kernel needs. A peer that closes: -EPIPE sending;
 * receiving, -ENODATA before the first byte, -ECONNRESET after.
 */
static int transfer(struct xport *x, const struct iovec *iov, int iovcnt, bool out)
{
	struct iovec v[MAX_IOV];
	int n = 0;
	bool any = false;

	if (iovcnt > MAX_IOV)
		return -E2BIG;
	for (int i = 0; i < iovcnt; i++)
		if (iov[i].iov_len)
			v[n++] = iov[i];
	for (int first = 0; first < n;) {
		struct msghdr msg = {.msg_iov = v + first, .msg_iovlen = (size_t)(n - first)};
		struct io_uring_sqe *sqe = io_uring_get_sqe(&x->ring);
		int r;

		if (out)
			io_uring_prep_sendmsg(sqe, x->fd, &msg, MSG_NOSIGNAL);
		else
			io_uring_prep_recvmsg(sqe, x->fd, &msg, MSG_WAITALL);
		r = run(&x->ring, sqe, x->timeout_ms);
		if (r < 0)
			return r;
		if (r == 0)
			return out ? -EPIPE : any ? -ECONNRESET : -ENODATA;
		any = true;
		*(out ? &x->sent : &x->received) += (unsigned long long)r;
		for (size_t left = (size_t)r; left;) { /* skip what went through */
			size_t take = left < v[first].iov_len ? left : v[first].iov_len;

			v[first].iov_base = (char *)v[first].iov_base + take;
			v[first].iov_len -= take;
			left -= take;
			if (!v[first].iov_len)
				first++;
		}
	}
	return 0;
}

int xport_send(struct xport *x, const struct iovec *iov, int iovcnt)
{
	return transfer(x, iov, iovcnt, true);
}

int xport_recv(struct xport *x, void *buf, size_t len)
{
	struct iovec iov = {buf, len};

	return transfer(x, &iov, 1, false);
}

int xport_recvv(struct xport *x, const struct iovec *iov, int iovcnt)
{
	return transfer(x, iov, iovcnt, false);
}

void xport_close(struct xport *x)
{
	if (x->fd >= 0) {
		io_uring_queue_exit(&x->ring);
		close(x->fd);
	}
	x->fd = -1;
}
