// SPDX-License-Identifier: MIT
#include "migration_job.h"
#include "vm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PEER_TIMEOUT_MS 10000

static const char *state_name(enum migration_state s)
{
	switch (s) {
	case MIGRATION_RUNNING:
		return "running";
	case MIGRATION_DONE:
		return "done";
	case MIGRATION_FAILED:
		return "failed";
	default:
		return "none";
	}
}

/* A line to the client; it may have gone away, which is no error. */
static void say(int fd, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void progress(void *arg, const struct migrate_stats *s, int done)
{
	struct migration_job *j = arg;
	/* Pages sent, resent ones included: 100% once all went at least once. */
	double pct = s->total_pages ? 100.0 * (double)s->pages / (double)s->total_pages : 0;

	if (pct > 100)
		pct = 100;

	pthread_mutex_lock(&j->lock);
	j->stats = *s;
	pthread_mutex_unlock(&j->lock);
	if (done)
		return;
	say(j->client_fd,
	    "progress round=%u sent_pct=%.1f gib_s=%.3f dirty_pages_s=%.0f remaining=%llu "
	    "bytes=%llu throttle_pct=%u",
	    s->round, pct, s->gib_s, s->dirty_pages_s, (unsigned long long)s->remaining,
	    (unsigned long long)s->bytes, s->throttle_pct);
}

static void *run(void *arg)
{
	struct migration_job *j = arg;
	struct migrate_stats st = {0};
	char err[320];
	int ret = migrate_source(j->vm, &j->opts, progress, j, &st, err, sizeof(err));

	pthread_mutex_lock(&j->lock);
	j->stats = st;
	j->state = ret ? MIGRATION_FAILED : MIGRATION_DONE;
	snprintf(j->error, sizeof(j->error), "%s", ret ? err : "");
	pthread_mutex_unlock(&j->lock);
	if (ret) {
		fprintf(stderr, "sevm: migration to %s failed: %s; the VM runs on here\n", j->to,
			err);
		say(j->client_fd, "error migration failed: %s", err);
	} else {
		say(j->client_fd,
		    "ok total_ms=%lld downtime_ms=%lld bytes=%llu rounds=%u pages=%llu "
		    "zero_pages=%llu deferred_pages=%llu",
		    st.total_ms, st.downtime_ms, (unsigned long long)st.bytes, st.round,
		    (unsigned long long)st.pages, (unsigned long long)st.zero_pages,
		    (unsigned long long)st.deferred_pages);
		char msg[300];
		snprintf(msg, sizeof(msg), "migrated to %s (downtime %lld ms)", j->to,
			 st.downtime_ms);
		vm_request_end(j->vm, VM_END_MIGRATED, 0, msg);
	}
	if (j->client_fd >= 0)
		close(j->client_fd);
	j->client_fd = -1;
	return NULL;
}

void migration_job_init(struct migration_job *j, struct vm *vm)
{
	memset(j, 0, sizeof(*j));
	pthread_mutex_init(&j->lock, NULL);
	j->vm = vm;
	j->client_fd = -1;
}

int migration_job_start(struct migration_job *j, const char *to, unsigned int downtime_ms,
			int client_fd)
{
	int ret;

	pthread_mutex_lock(&j->lock);
	if (j->state == MIGRATION_RUNNING) {
		pthread_mutex_unlock(&j->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&j->lock);
	if (j->thread_live) { /* the last one ended: reap it */
		pthread_join(j->thread, NULL);
		j->thread_live = false;
	}
	if (strlen(to) >= sizeof(j->to))
		return -ENAMETOOLONG;
	strcpy(j->to, to);
	j->opts = (struct migrate_opts){.to = j->to,
					.downtime_ms = downtime_ms,
					.max_rounds = j->vm->cfg->max_rounds,
					.auto_converge = j->vm->cfg->auto_converge,
					.timeout_ms = PEER_TIMEOUT_MS};
	j->client_fd = client_fd;
	j->state = MIGRATION_RUNNING;
	j->error[0] = 0;
	memset(&j->stats, 0, sizeof(j->stats));
	ret = pthread_create(&j->thread, NULL, run, j);
	if (!ret)
		pthread_setname_np(j->thread, "migrate");
	if (ret) {
		j->state = MIGRATION_FAILED;
		j->client_fd = -1;
		return -ret;
	}
	j->thread_live = true;
	return 0;
}

void migration_job_describe(struct migration_job *j, char *buf, size_t len)
{
	pthread_mutex_lock(&j->lock);
	snprintf(buf, len, "migration=%s%s%s round=%u pages=%llu bytes=%llu", state_name(j->state),
		 j->state != MIGRATION_NONE ? " to=" : "", j->state != MIGRATION_NONE ? j->to : "",
		 j->stats.round, (unsigned long long)j->stats.pages,
		 (unsigned long long)j->stats.bytes);
	pthread_mutex_unlock(&j->lock);
}

bool migration_job_running(struct migration_job *j)
{
	pthread_mutex_lock(&j->lock);
	bool running = j->state == MIGRATION_RUNNING;
	pthread_mutex_unlock(&j->lock);
	return running;
}

void migration_job_finish(struct migration_job *j)
{
	if (!j->thread_live)
		return;
	/* The VM is ending (a signal, the guest powered off): a migration
	 * still running sees it before it converges or hands over (source.c,
	 * vm_ending), or fails within its peer timeout. */
	pthread_join(j->thread, NULL);
	j->thread_live = false;
}
