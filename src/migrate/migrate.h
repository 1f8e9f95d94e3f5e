/* SPDX-License-Identifier: MIT */
/*
 * Live migration of a running VM (docs/migration.md; the stream in
 * docs/protocol.md). Plain mode (no [sev]): the host copies guest memory
 * and the vCPUs' state itself.
 *
 * Source: pre-copy rounds under KVM's dirty log until what is left fits
 * the downtime budget (or the round limit), then the vCPUs pause, the last
 * pages and the VM's state go, and the source waits for the target's
 * acknowledgement. It gives the VM up only then: on any failure before it
 * (target gone, connection closed or stalled, a refusal) the vCPUs run on
 * and nothing is lost; the migration can be tried again.
 *
 * Target: receives into a VM created from the same configuration whose
 * vCPUs have not run, loads the state, acknowledges, and only then runs
 * the vCPUs. A target that fails never starts the guest.
 */
#ifndef SEVM_SRC_MIGRATE_MIGRATE_H
#define SEVM_SRC_MIGRATE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

struct migrate_opts {
	const char *to; /* HOST:PORT */
	unsigned int downtime_ms;
	unsigned int max_rounds;
	bool auto_converge; /* throttle the vCPUs of a guest that dirties too fast */
	int timeout_ms;	    /* for the peer to make progress */
};

struct migrate_stats {
	unsigned int round;	   /* 0: the full copy; then dirty rounds */
	uint64_t pages;		   /* sent, all rounds (zero pages included) */
	uint64_t zero_pages;	   /* sent as a bit, without data */
	uint64_t deferred_pages;   /* left out of round 0: dirty again, in round 1 */
	uint64_t bytes;		   /* on the wire */
	uint64_t remaining;	   /* pages dirty at the end of the last round */
	uint64_t total_pages;	   /* guest memory, pages */
	double gib_s;		   /* the last round's throughput */
	double dirty_pages_s;	   /* the guest's dirty rate, last round */
	unsigned int throttle_pct; /* auto-converge: CPU time taken from the vCPUs */
	long long total_ms, downtime_ms;
};

/* Progress for whoever started the migration: called after each round and
 * at the end; done is true for the final call. */
typedef void (*migrate_progress_fn)(void *arg, const struct migrate_stats *s, int done);

/* 0 when the target has acknowledged (the caller then ends this VM);
 * -errno with err otherwise, the VM running as before. */
int migrate_source(struct vm *vm, const struct migrate_opts *o, migrate_progress_fn progress,
		   void *arg, struct migrate_stats *stats, char *err, size_t errlen);

/* Listen on listen_at, receive one migration into vm (not started), 0 once
 * the state is loaded and acknowledged. stop_fd (-1: none) becoming
 * readable, e.g. a signalfd, gives up waiting for the source (-EINTR). */
int migrate_target(struct vm *vm, const char *listen_at, int timeout_ms, int stop_fd, char *err,
		   size_t errlen);

#endif
