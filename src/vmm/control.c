// SPDX-License-Identifier: MIT
/*
 * The control socket (see control.h, docs/control.md).
 *
 * Requests:  "COMMAND ARG ...\n", for mh-open followed by the record.
 * Answers:   "ok KEY=VALUE ...\n" or "error MESSAGE\n"; an answer with
 *            "len=N" is followed by N bytes.
 */
#include "control.h"
#include "mh_link.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sev/platform.h"
#include "sevm/fw_abi.h"
#include "vm.h"
#include "util.h"

#define MAX_ARGS (MH_BATCH_PAGES + 2)
#define HASH_PAGES_MAX 4096

/* ---- I/O with the client ---- */

static int read_exact(int fd, void *buf, size_t len)
{
	long long deadline = monotonic_ms() + CONTROL_TIMEOUT_MS;
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - monotonic_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		n = recv(fd, p, len, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One line, without its newline, NUL-terminated. */
static int read_line(int fd, char *line, size_t max)
{
	size_t n = 0;

	for (;;) {
		int ret = read_exact(fd, line + n, 1);

		if (ret)
			return ret;
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
		if (++n == max)
			return -EMSGSIZE;
	}
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

__attribute__((format(printf, 2, 3))) static int reply(struct control *c, const char *fmt, ...)
{
	char line[CONTROL_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	return write_all(c->client_fd, line, (size_t)n);
}

static int reply_data(struct control *c, const char *head, const void *data, size_t len)
{
	int ret = reply(c, "ok %slen=%zu", head, len);

	return ret ?: write_all(c->client_fd, data, len);
}

/* ---- helpers ---- */

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

static int parse_hex(const char *s, uint8_t *out, size_t len)
{
	if (strlen(s) != 2 * len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* ---- commands ---- */

static int cmd_status(struct control *c, int argc, char **argv)
{
	struct vm *vm = c->vm;
	char mig[400];

	(void)argc, (void)argv;
	migration_job_describe(&c->job, mig, sizeof(mig));
	return reply(c,
		     "ok name=%s vcpus=%u os_vcpus=%u handlers=%u parked=%u sev=%s memory=%llu %s",
		     vm->cfg->name, vm->nr_vcpus, vm->nr_os_vcpus, vm->nr_vcpus - vm->nr_os_vcpus,
		     __atomic_load_n(&vm->mh_parked, __ATOMIC_RELAXED),
		     vm->sev ? vm->sev->ops->name : "none", (unsigned long long)vm->mem.size, mig);
}

/* migrate HOST:PORT [DOWNTIME_MS]: the answer is a line per round, then
 * "ok ..." or "error ..." (docs/control.md); the job takes the client. */
static int cmd_migrate(struct control *c, int argc, char **argv)
{
	uint64_t downtime = c->vm->cfg->downtime_ms;
	int ret;

	if (argc < 2 || argc > 3 ||
	    (argc == 3 && (parse_u64(argv[2], &downtime) || !downtime || downtime > 60000)))
		return reply(c, "error usage: migrate HOST:PORT [DOWNTIME_MS]");
	ret = reply(c, "started to=%s downtime_ms=%llu", argv[1], (unsigned long long)downtime);
	if (ret)
		return ret;
	ret = migration_job_start(&c->job, argv[1], (unsigned int)downtime, c->client_fd);
	if (ret)
		return reply(c, "error %s",
			     ret == -EBUSY ? "a migration is running already" : strerror(-ret));
	c->client_fd = -1; /* the job's now; the next client may ask for status */
	return 0;
}

static int cmd_mh_attach(struct control *c, int argc, char **argv)
{
	char err[200], nonce[33] = "";
	uint32_t error;

	(void)argc, (void)argv;
	if (mh_link_attach(&c->mh, c->vm, CONTROL_MH_TIMEOUT_MS, err, sizeof(err)))
		return reply(c, "error %s", err);
	c->mh_attached = true;
	if (c->mh.role == MH_ROLE_TARGET) {
		uint8_t n[16];

		memcpy(n, (const void *)c->mh.mb->target_nonce, sizeof(n));
		hex(n, sizeof(n), nonce);
	}
	return reply(c, "ok role=%s handlers=%u slots=%u ready=%u%s%s",
		     c->mh.role == MH_ROLE_TARGET ? "target" : "source", c->mh.nr_handlers,
		     c->mh.nr_slots, mh_host_ready(&c->mh, &error), *nonce ? " nonce=" : "", nonce);
}

static int cmd_mh_handlers(struct control *c, int argc, char **argv)
{
	int ret;

	(void)argc;
	ret = vm_mh_run(c->vm, !strcmp(argv[0], "mh-resume"));
	return ret ? reply(c, "error %s: %s", argv[0], strerror(-ret)) : reply(c, "ok");
}

/* Post one request, wait for it, answer with its record (or refusal). */
static int mh_exchange(struct control *c, const struct mh_request *req)
{
	struct mh_result r;
	char err[200];
	int slot, ret;

	if (!c->mh_attached)
		return reply(c, "error mh-attach first");
	if (mh_link_call(&c->mh, req, CONTROL_MH_TIMEOUT_MS, &r, &slot, err, sizeof(err)))
		return reply(c, "error %s", err);
	if (r.status != MH_OK) {
		ret = reply(c, "error refused code=%u detail=%u %s", r.status, r.detail,
			    mh_error_text(r.status));
	} else {
		char head[64];

		snprintf(head, sizeof(head), "seq=%" PRIu64 " ", r.seq);
		ret = req->op == MH_OP_OPEN ? reply(c, "ok seq=%" PRIu64, r.seq)
					    : reply_data(c, head, r.record, r.record_len);
	}
	mh_host_release(&c->mh, slot);
	return ret;
}

static int cmd_mh_begin(struct control *c, int argc, char **argv)
{
	struct mh_request req = {.op = MH_OP_BEGIN};

	if (argc != 2 || parse_hex(argv[1], req.target_nonce, sizeof(req.target_nonce)))
		return reply(c, "error usage: mh-begin TARGET_NONCE (32 hex digits)");
	return mh_exchange(c, &req);
}

/* mh-seal GPA...: a PAGES record; mh-seal-vmsa VCPU...: a VMSA record of
 * those OS vCPUs' VMSA pages. */
static int cmd_mh_seal(struct control *c, int argc, char **argv)
{
	bool vmsa = !strcmp(argv[0], "mh-seal-vmsa");
	const char *what = vmsa ? "VCPU" : "GPA";
	uint64_t list[MH_BATCH_PAGES];
	struct mh_request req = {.op = vmsa ? MH_OP_SEAL_VMSA : MH_OP_SEAL, .gpa = list};

	if (argc < 2 || argc - 1 > MH_BATCH_PAGES)
		return reply(c, "error usage: %s %s... (1 to %d)", argv[0], what, MH_BATCH_PAGES);
	for (int i = 1; i < argc; i++)
		if (parse_u64(argv[i], &list[i - 1]))
			return reply(c, "error '%s' is not a %s", argv[i], what);
	req.nr_pages = (unsigned int)argc - 1;
	return mh_exchange(c, &req);
}

/*
 * vmsa-save: pause the OS vCPUs, have the SEV platform save each into its
 * VMSA page (as at convergence), and let them run on. For tests of the
 * VMSA records; the migration engine does the same without resuming.
 */
static int cmd_vmsa_save(struct control *c, int argc, char **argv)
{
	struct vm *vm = c->vm;
	unsigned int fw_error = 0;
	int ret = 0;

	(void)argc, (void)argv;
	if (!vm->sev || !vm->sev->ops->save_vcpu_vmsa)
		return reply(c, "error this VM's platform cannot save vCPUs into VMSAs");
	for (unsigned int i = 0; !ret && i < vm->nr_os_vcpus; i++) {
		ret = vcpu_pause(&vm->vcpus[i]);
		ret = ret ?: vm->sev->ops->save_vcpu_vmsa(vm->sev, i, &fw_error);
		int r = vcpu_resume(&vm->vcpus[i]);
		ret = ret ?: r;
	}
	if (ret)
		return reply(c, "error saving a vCPU: %s (platform status %#x)", strerror(-ret),
			     fw_error);
	return reply(c, "ok vcpus=%u", vm->nr_os_vcpus);
}

static int cmd_mh_commit(struct control *c, int argc, char **argv)
{
	struct mh_request req = {.op = MH_OP_COMMIT};

	(void)argc, (void)argv;
	return mh_exchange(c, &req);
}

static int cmd_mh_open(struct control *c, int argc, char **argv)
{
	struct mh_request req = {.op = MH_OP_OPEN};
	uint64_t len;
	uint8_t *rec;
	int ret;

	if (argc != 2 || parse_u64(argv[1], &len) || !len ||
	    len > MH_SLOT_SIZE - MH_SLOT_RECORD_OFFSET)
		return reply(c, "error usage: mh-open LEN (then LEN bytes, at most %d)",
			     MH_SLOT_SIZE - MH_SLOT_RECORD_OFFSET);
	rec = malloc(len);
	if (!rec)
		return -ENOMEM;
	ret = read_exact(c->client_fd, rec, len);
	if (!ret) {
		req.record = rec;
		req.record_len = len;
		ret = mh_exchange(c, &req);
	}
	free(rec);
	return ret;
}

static int cmd_dirty(struct control *c, int argc, char **argv)
{
	struct vm *vm = c->vm;
	int ret;

	(void)argc;
	if (!strcmp(argv[0], "dirty-start")) {
		dirty_map_free(&c->dirty);
		ret = dirty_map_init(&c->dirty, &vm->mem);
		ret = ret ?: dirty_log_start(&vm->mem, vm->vm_fd);
		c->dirty_on = !ret;
		return ret ? reply(c, "error dirty logging: %s", strerror(-ret)) : reply(c, "ok");
	}
	if (!c->dirty_on)
		return reply(c, "error dirty-start first");
	ret = dirty_log_fetch(&vm->mem, vm->vm_fd, &c->dirty, NULL, NULL, NULL);
	if (ret)
		return reply(c, "error dirty log: %s", strerror(-ret));
	return reply_data(c, "", c->dirty.bits, (c->dirty.nr_pfns + 7) / 8);
}

/*
 * SHA-256 of guest pages through the platform's DBG_DECRYPT: only for a
 * guest whose policy allows debugging (tests compare two guests' memory
 * this way); the VMM reads nothing private itself.
 */
static int cmd_page_hashes(struct control *c, int argc, char **argv)
{
	struct vm *vm = c->vm;
	uint64_t gpa, count;
	uint8_t *out, page[4096];
	unsigned int fw, n;
	int ret = 0;

	if (argc != 3 || parse_u64(argv[1], &gpa) || parse_u64(argv[2], &count) || gpa % 4096 ||
	    !count || count > HASH_PAGES_MAX)
		return reply(c, "error usage: page-hashes GPA COUNT (page aligned, 1 to %d)",
			     HASH_PAGES_MAX);
	if (!vm->sev || !vm->sev->ops->debug_decrypt)
		return reply(c, "error page-hashes needs an SEV platform with DBG_DECRYPT");
	out = malloc(count * 32);
	if (!out)
		return -ENOMEM;
	for (uint64_t i = 0; i < count && !ret; i++) {
		const void *src = mem_gpa_to_hva(&vm->mem, gpa + i * 4096, 4096);

		if (!src) {
			free(out);
			return reply(c, "error %#" PRIx64 " is not guest memory", gpa + i * 4096);
		}
		ret = vm->sev->ops->debug_decrypt(vm->sev, src, page, sizeof(page), &fw);
		if (ret) {
			free(out);
			return reply(c, "error DBG_DECRYPT refused by the SEV platform: %s",
				     fw ? sev_status_name(fw) : strerror(-ret));
		}
		EVP_Digest(page, sizeof(page), out + i * 32, &n, EVP_sha256(), NULL);
	}
	ret = reply_data(c, "", out, count * 32);
	free(out);
	return ret;
}

/*
 * Seal COUNT pages from GPA on with every slot in flight, discarding the
 * records: the Migration Handler's own throughput, for bench/mh. Needs an
 * epoch (mh-begin) and a range clear of firmware-private memory.
 */
static int cmd_mh_seal_bench(struct control *c, int argc, char **argv)
{
	uint64_t gpa, count, posted = 0, done = 0, bytes = 0, gpas[MH_BATCH_PAGES];
	struct {
		int slot;
		unsigned int pages;
	} fifo[MH_MAX_SLOTS];
	unsigned int head = 0, n = 0;
	struct mh_result r;
	long long t0;

	if (argc != 3 || parse_u64(argv[1], &gpa) || parse_u64(argv[2], &count) || gpa % 4096 ||
	    !count)
		return reply(c, "error usage: mh-seal-bench GPA COUNT");
	if (!c->mh_attached)
		return reply(c, "error mh-attach first");
	t0 = monotonic_ms();
	while (done < count) {
		/* Keep every slot busy: post until they are all in flight. */
		while (posted < count && n < c->mh.nr_slots) {
			unsigned int k = count - posted < MH_BATCH_PAGES
					     ? (unsigned int)(count - posted)
					     : MH_BATCH_PAGES;
			struct mh_request req = {.op = MH_OP_SEAL, .nr_pages = k, .gpa = gpas};
			int slot;

			for (unsigned int i = 0; i < k; i++)
				gpas[i] = gpa + (posted + i) * 4096;
			slot = mh_host_post(&c->mh, &req);
			if (slot < 0)
				break;
			fifo[(head + n) % MH_MAX_SLOTS].slot = slot;
			fifo[(head + n) % MH_MAX_SLOTS].pages = k;
			n++;
			posted += k;
		}
		if (!n)
			return reply(c, "error no free slot");
		if (mh_host_wait(&c->mh, fifo[head].slot, CONTROL_MH_TIMEOUT_MS, &r))
			return reply(c, "error the Migration Handler did not answer");
		mh_host_release(&c->mh, fifo[head].slot);
		if (r.status != MH_OK)
			return reply(c, "error refused code=%u detail=%u %s", r.status, r.detail,
				     mh_error_text(r.status));
		done += fifo[head].pages;
		bytes += r.record_len;
		head = (head + 1) % MH_MAX_SLOTS;
		n--;
	}
	return reply(c, "ok pages=%" PRIu64 " bytes=%" PRIu64 " ms=%lld", count, bytes,
		     monotonic_ms() - t0);
}

static const struct {
	const char *name;
	int (*fn)(struct control *c, int argc, char **argv);
} commands[] = {
    {"status", cmd_status},	      {"mh-attach", cmd_mh_attach},
    {"mh-resume", cmd_mh_handlers},   {"mh-pause", cmd_mh_handlers},
    {"mh-begin", cmd_mh_begin},	      {"mh-seal", cmd_mh_seal},
    {"mh-commit", cmd_mh_commit},     {"mh-open", cmd_mh_open},
    {"dirty-start", cmd_dirty},	      {"dirty-fetch", cmd_dirty},
    {"page-hashes", cmd_page_hashes}, {"mh-seal-bench", cmd_mh_seal_bench},
    {"migrate", cmd_migrate},	      {"mh-seal-vmsa", cmd_mh_seal},
    {"vmsa-save", cmd_vmsa_save},
};

/* ---- the socket ---- */

int control_open(struct control *c, struct vm *vm, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	memset(c, 0, sizeof(*c));
	c->listen_fd = c->client_fd = -1;
	c->vm = vm;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--control %s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		int e = errno;

		snprintf(err, errlen, "--control %s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	c->listen_fd = fd;
	strcpy(c->path, path);
	migration_job_init(&c->job, vm);
	return 0;
}

int control_poll_fd(const struct control *c)
{
	return c->client_fd >= 0 ? c->client_fd : c->listen_fd;
}

static void drop_client(struct control *c)
{
	close(c->client_fd);
	c->client_fd = -1;
}

void control_serve(struct control *c)
{
	char line[CONTROL_LINE_MAX], *argv[MAX_ARGS + 1], *save = NULL;
	int argc = 0, ret;
	size_t i;

	if (c->client_fd < 0) {
		c->client_fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		return;
	}
	ret = read_line(c->client_fd, line, sizeof(line));
	if (ret) {
		drop_client(c);
		return;
	}
	for (char *t = strtok_r(line, " ", &save); t && argc <= MAX_ARGS;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	if (!argc || argc > MAX_ARGS) {
		ret = reply(c, "error %s", argc ? "too many arguments" : "empty command");
	} else {
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(commands[i].name, argv[0]))
				break;
		/* A migration owns the dirty log, the vCPUs and the mailbox. */
		if (i < sizeof(commands) / sizeof(commands[0]) && commands[i].fn != cmd_status &&
		    migration_job_running(&c->job))
			ret = reply(c, "error a migration is running: only 'status' now");
		else
			ret = i < sizeof(commands) / sizeof(commands[0])
				  ? commands[i].fn(c, argc, argv)
				  : reply(c, "error unknown command '%.64s'", argv[0]);
	}
	if (ret)
		drop_client(c);
}

void control_close(struct control *c)
{
	migration_job_finish(&c->job);
	if (c->client_fd >= 0)
		close(c->client_fd);
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		unlink(c->path);
	}
	dirty_map_free(&c->dirty);
	c->listen_fd = c->client_fd = -1;
}
