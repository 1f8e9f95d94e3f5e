/* SPDX-License-Identifier: MIT */
/*
 * The outgoing migration of a running VM, on a thread of its own so that
 * the main loop keeps serving the console, signals and `status` meanwhile
 * (control command `migrate`, docs/control.md). Progress goes to the
 * control client that asked, one line per round; on success the VM ends
 * (VM_END_MIGRATED), on failure it runs on.
 */
#ifndef SEVM_SRC_VMM_MIGRATION_JOB_H
#define SEVM_SRC_VMM_MIGRATION_JOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "migrate.h"

struct vm;

enum migration_state { MIGRATION_NONE, MIGRATION_RUNNING, MIGRATION_DONE, MIGRATION_FAILED };

struct migration_job {
	pthread_mutex_t lock;
	bool thread_live;
	pthread_t thread;
	enum migration_state state;
	struct vm *vm;
	char to[256];
	struct migrate_opts opts;
	int client_fd; /* progress goes here; the job closes it */
	struct migrate_stats stats;
	char error[320];
};

void migration_job_init(struct migration_job *j, struct vm *vm);
/* Start migrating to `to` (HOST:PORT); the job takes client_fd. 0, or
 * -EBUSY while one runs, or -errno. */
int migration_job_start(struct migration_job *j, const char *to, unsigned int downtime_ms,
			int client_fd);
/* "state=... round=... ..." for `status`. */
void migration_job_describe(struct migration_job *j, char *buf, size_t len);
/* Whether a migration runs now. */
bool migration_job_running(struct migration_job *j);
/* Wait for a running job (the VM is ending); it notices and fails. */
void migration_job_finish(struct migration_job *j);

#endif
