// SPDX-License-Identifier: MIT
/*
 * The guest owner service (see serve.h).
 */
#include "sev/owner/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sev/owner/channel.h"
#include "sev/owner/proto.h"

static int listen_on(const char *addr, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
	char host[256], port[16];
	int fd, gai, one = 1;

	if (owner_split_addr(addr, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "--listen '%s' is not HOST:PORT", addr);
		return -EINVAL;
	}
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		snprintf(err, errlen, "--listen %s: %s", addr, gai_strerror(gai));
		return -EINVAL;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 16)) {
		int e = errno;

		snprintf(err, errlen, "--listen %s: %s", addr, strerror(e));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -e;
	}
	freeaddrinfo(res);
	return fd;
}

static void sockaddr_text(const struct sockaddr_storage *sa, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, len, "%s:%u", host, port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, len, "[%s]:%u", host, port);
	} else {
		snprintf(out, len, "?");
	}
}

static void reply_error(int fd, enum owner_refusal r, const char *detail)
{
	struct owner_msg m = {.type = OWNER_MSG_ERROR};

	snprintf(m.u.error.code, sizeof(m.u.error.code), "%s", owner_refusal_code(r));
	if (r == OWNER_BAD_REQUEST && detail && *detail)
		snprintf(m.u.error.message, sizeof(m.u.error.message), "%s: %s",
			 owner_refusal_text(r), detail);
	else
		snprintf(m.u.error.message, sizeof(m.u.error.message), "%s", owner_refusal_text(r));
	/* Best effort: the client may be gone already. */
	(void)!owner_msg_send(fd, &m, OWNER_SERVE_TIMEOUT_MS);
}

/* Receive a message of type want; log and answer anything else. */
static int expect_msg(int fd, const char *peer, enum owner_msg_type want, struct owner_msg *m,
		      FILE *log)
{
	char why[160] = "";
	int ret = owner_msg_recv(fd, m, OWNER_SERVE_TIMEOUT_MS, why, sizeof(why));

	if (ret == -EBADMSG) {
		fprintf(log, "owner: %s: refused: malformed request: %s\n", peer, why);
		reply_error(fd, OWNER_BAD_REQUEST, why);
		return ret;
	}
	if (ret) {
		fprintf(log, "owner: %s: %s\n", peer,
			ret == -ECONNRESET ? "closed the connection" : strerror(-ret));
		return ret;
	}
	if (m->type != want) {
		snprintf(why, sizeof(why), "'%s' where '%s' was due", owner_msg_type_name(m->type),
			 owner_msg_type_name(want));
		fprintf(log, "owner: %s: refused: malformed request: %s\n", peer, why);
		reply_error(fd, OWNER_BAD_REQUEST, why);
		return -EBADMSG;
	}
	return 0;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void serve_one(const struct owner *o, int fd, const char *peer, FILE *log)
{
	struct owner_launch l = {0};
	struct owner_msg m, r;
	enum owner_refusal why;
	char detail[160] = "", digest[2 * SEV_DIGEST_SIZE + 1];

	if (expect_msg(fd, peer, OWNER_MSG_START, &m, log))
		goto out;
	r.type = OWNER_MSG_SESSION;
	why = owner_start(o, &l, &m.u.start, &r.u.session, detail, sizeof(detail));
	if (why) {
		fprintf(log, "owner: %s: refused: %s (%s)\n", peer, owner_refusal_text(why), detail);
		reply_error(fd, why, detail);
		goto out;
	}
	if (owner_msg_send(fd, &r, OWNER_SERVE_TIMEOUT_MS)) {
		fprintf(log, "owner: %s: could not send the session\n", peer);
		goto out;
	}
	if (expect_msg(fd, peer, OWNER_MSG_MEASURE, &m, log))
		goto out;
	r.type = OWNER_MSG_SECRET;
	why = owner_verify(o, &l, &m.u.measure, &r.u.secret, detail, sizeof(detail));
	if (why) {
		fprintf(log, "owner: %s: refused: %s (%s)\n", peer, owner_refusal_text(why), detail);
		reply_error(fd, why, detail);
		goto out;
	}
	hex(r.u.secret.table_sha256, SEV_DIGEST_SIZE, digest);
	if (owner_msg_send(fd, &r, OWNER_SERVE_TIMEOUT_MS))
		fprintf(log, "owner: %s: could not send the secret\n", peer);
	else
		fprintf(log,
			"owner: %s: measurement verified (%s); released secret table sha256=%s\n",
			peer, o->pin_oca ? "platform pinned" : "platform NOT pinned", digest);
out:
	owner_launch_end(&l);
	sev_crypto_wipe(&r, sizeof(r));
	fflush(log);
}

struct conn {
	const struct owner *o;
	int fd;
	char peer[80];
	FILE *log;
};

/* Connections being served; the service waits for none left before it returns. */
static pthread_mutex_t active_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t active_done = PTHREAD_COND_INITIALIZER;
static unsigned int active;

/* A slot for one more connection; waits while all are taken, so further
 * clients queue in the listen backlog instead of being turned away. */
static void active_get(void)
{
	pthread_mutex_lock(&active_lock);
	while (active >= OWNER_SERVE_MAX_CONNS)
		pthread_cond_wait(&active_done, &active_lock);
	active++;
	pthread_mutex_unlock(&active_lock);
}

static void active_put(void)
{
	pthread_mutex_lock(&active_lock);
	active--;
	pthread_cond_broadcast(&active_done);
	pthread_mutex_unlock(&active_lock);
}

/* Each launch ends within its message timeouts, so this wait is bounded. */
static void active_wait(void)
{
	pthread_mutex_lock(&active_lock);
	while (active)
		pthread_cond_wait(&active_done, &active_lock);
	pthread_mutex_unlock(&active_lock);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;

	serve_one(c->o, c->fd, c->peer, c->log);
	close(c->fd);
	free(c);
	active_put();
	return NULL;
}

/* Each connection on its own thread, so a stalled client holds up no one else. */
static void start_conn(const struct owner *o, int fd, const char *peer, FILE *log)
{
	struct conn *c;
	pthread_attr_t attr;
	pthread_t t;
	int ret = -1;

	/* Each connection's messages have deadlines, so a wait here is bounded. */
	active_get();
	c = malloc(sizeof(*c));
	if (!c)
		goto fail;
	*c = (struct conn){.o = o, .fd = fd, .log = log};
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	if (!pthread_attr_init(&attr)) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		ret = pthread_create(&t, &attr, conn_main, c);
		pthread_attr_destroy(&attr);
	}
	if (!ret)
		return;
	free(c);
	fprintf(log, "owner: %s: no thread to serve it\n", peer);
fail:
	fflush(log);
	close(fd);
	active_put();
}

/* SIGINT and SIGTERM end the service cleanly, through a signalfd. */
static int stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Blocked before any connection thread exists, so all of them inherit it. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

int owner_serve(const struct owner *o, const char *listen_addr, FILE *log, char *err,
		size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char name[80];
	int sig_fd, lfd = listen_on(listen_addr, err, errlen);

	if (lfd < 0)
		return lfd;
	sig_fd = stop_signals();
	if (sig_fd < 0 || getsockname(lfd, (struct sockaddr *)&sa, &len)) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", sig_fd < 0 ? "signalfd" : "getsockname",
			 strerror(e));
		if (sig_fd >= 0)
			close(sig_fd);
		close(lfd);
		return -e;
	}
	sockaddr_text(&sa, name, sizeof(name));
	fprintf(log, "owner: listening on %s\n", name);
	fflush(log);
	for (;;) {
		struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN}, {.fd = sig_fd, .events = POLLIN}};
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			close(lfd);
			active_wait();
			fprintf(log, "owner: stopped\n");
			fflush(log);
			close(sig_fd);
			return 0;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		len = sizeof(sa);
		fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
				continue;
			/* Out of fds: report, and let running launches finish and free some. */
			fprintf(log, "owner: accept: %s\n", strerror(errno));
			fflush(log);
			if (errno == EMFILE || errno == ENFILE)
				poll(NULL, 0, 100);
			continue;
		}
		sockaddr_text(&sa, name, sizeof(name));
		start_conn(o, fd, name, log);
	}
	snprintf(err, errlen, "poll: %s", strerror(errno));
	close(sig_fd);
	close(lfd);
	/* The connection threads use the owner, which the caller frees next. */
	active_wait();
	return -EIO;
}
