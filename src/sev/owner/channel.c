// SPDX-License-Identifier: MIT
/*
 * sevm's side of the guest owner conversation (see channel.h).
 */
#include "sev/owner/channel.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sev/owner/proto.h"

#define CONNECT_TIMEOUT_MS 10000

int owner_split_addr(const char *addr, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon = strrchr(addr, ':'), *h = addr;
	size_t hl;

	if (!colon || !colon[1] || strlen(colon + 1) >= portlen)
		return -EINVAL;
	hl = (size_t)(colon - addr);
	/* "[v6]:port"; otherwise the host holds no colon (a bare v6 address is ambiguous). */
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']')
		h = addr + 1, hl -= 2;
	else if (memchr(addr, ':', hl))
		return -EINVAL;
	if (!hl || hl >= hostlen)
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	strcpy(port, colon + 1);
	for (const char *p = port; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	return 0;
}

/* A non-blocking connect bounded by CONNECT_TIMEOUT_MS. */
static int connect_one(const struct addrinfo *ai)
{
	struct pollfd p;
	socklen_t len = sizeof(int);
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	int err = 0, n;

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	p = (struct pollfd){.fd = fd, .events = POLLOUT};
	do
		n = poll(&p, 1, CONNECT_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		err = -ETIMEDOUT;
	else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = -errno;
	else
		err = -err;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int open_remote(struct owner_channel *ch, const char *addr, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char host[256], port[16];
	int fd = -EHOSTUNREACH, gai;

	if (owner_split_addr(addr, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "guest owner address '%s' is not HOST:PORT", addr);
		return -EINVAL;
	}
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		snprintf(err, errlen, "guest owner %s: %s", addr, gai_strerror(gai));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "guest owner %s: %s", addr, strerror(-fd));
		return fd;
	}
	ch->fd = fd;
	snprintf(ch->name, sizeof(ch->name), "guest owner %s", addr);
	return 0;
}

int owner_channel_open(struct owner_channel *ch, const struct vm_config *cfg, char *err,
		       size_t errlen)
{
	int ret;

	memset(ch, 0, sizeof(*ch));
	ch->fd = -1;
	if (cfg->sev.owner_addr)
		return open_remote(ch, cfg->sev.owner_addr, err, errlen);
	/* A local owner expects what this very config describes. */
	ret = owner_open(&ch->owner, cfg->sev.owner_dir, cfg, true, err, errlen);
	if (ret)
		/* A key file problem is a local error, not a refusal. */
		return ret == -EACCES ? -EPERM : ret;
	/* It runs in this (untrusted) host process and checks only against
	 * this very config: it proves the launch sequence, not the host. */
	ch->owner.trust_any = true;
	fprintf(stderr, "sevm: warning: the guest owner runs inside sevm (sev.owner_dir): "
			"for development only, the host holds the transport key\n");
	ch->local = true;
	snprintf(ch->name, sizeof(ch->name), "local guest owner %s", cfg->sev.owner_dir);
	return 0;
}

/* The owner's reason, printable ASCII only: a peer must not forge lines on our stderr. */
static int refused(const char *reason, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; reason[i] && i + 1 < errlen; i++)
		err[i] = reason[i] >= 0x20 && reason[i] < 0x7f ? reason[i] : '?';
	if (errlen)
		err[i] = '\0';
	return -EACCES;
}

/* Send one message and receive the reply of type want (or an error). */
static int exchange(struct owner_channel *ch, const struct owner_msg *req,
		    enum owner_msg_type want, struct owner_msg *reply, char *err, size_t errlen)
{
	char why[160] = "";
	int ret = owner_msg_send(ch->fd, req, OWNER_CHANNEL_TIMEOUT_MS);

	if (!ret)
		ret = owner_msg_recv(ch->fd, reply, OWNER_CHANNEL_TIMEOUT_MS, why, sizeof(why));
	if (ret == -EBADMSG) {
		snprintf(err, errlen, "%s: malformed reply: %s", ch->name, why);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", ch->name,
			 ret == -ECONNRESET ? "closed the connection" : strerror(-ret));
		return ret;
	}
	if (reply->type == OWNER_MSG_ERROR)
		return refused(reply->u.error.message, err, errlen);
	if (reply->type != want) {
		snprintf(err, errlen, "%s: sent '%s' where '%s' was due", ch->name,
			 owner_msg_type_name(reply->type), owner_msg_type_name(want));
		return -EBADMSG;
	}
	return 0;
}

int owner_channel_start(struct owner_channel *ch, const struct owner_start_req *req,
			struct owner_session *out, char *err, size_t errlen)
{
	struct owner_msg q = {.type = OWNER_MSG_START}, r;
	int ret;

	if (ch->local) {
		enum owner_refusal why = owner_start(&ch->owner, &ch->launch, req, out, NULL, 0);

		return why ? refused(owner_refusal_text(why), err, errlen) : 0;
	}
	q.u.start = *req;
	ret = exchange(ch, &q, OWNER_MSG_SESSION, &r, err, errlen);
	if (!ret)
		*out = r.u.session;
	return ret;
}

int owner_channel_verify(struct owner_channel *ch, const struct sev_launch_measure *m,
			 struct owner_secret *out, char *err, size_t errlen)
{
	struct owner_msg q = {.type = OWNER_MSG_MEASURE}, r;
	int ret;

	if (ch->local) {
		enum owner_refusal why = owner_verify(&ch->owner, &ch->launch, m, out, NULL, 0);

		return why ? refused(owner_refusal_text(why), err, errlen) : 0;
	}
	q.u.measure = *m;
	ret = exchange(ch, &q, OWNER_MSG_SECRET, &r, err, errlen);
	if (!ret)
		*out = r.u.secret;
	sev_crypto_wipe(&r, sizeof(r));
	return ret;
}

void owner_channel_close(struct owner_channel *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	if (ch->local) {
		owner_launch_end(&ch->launch);
		owner_close(&ch->owner);
	}
	memset(ch, 0, sizeof(*ch));
	ch->fd = -1;
}
