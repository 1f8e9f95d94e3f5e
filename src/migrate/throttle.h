/* SPDX-License-Identifier: MIT */
/*
 * Auto-converge (docs/migration.md): when the guest dirties memory faster
 * than pre-copy can send it, the source takes CPU time from the OS vCPUs,
 * pausing them for pct percent of every THROTTLE_PERIOD_MS, so that the
 * dirty set shrinks and the last round fits the downtime budget. Under
 * SEV-ES the host schedules the vCPUs anyway; this reads nothing of the
 * guest. A thread does the pausing; the guest's clock runs on meanwhile.
 */
#ifndef SEVM_SRC_MIGRATE_THROTTLE_H
#define SEVM_SRC_MIGRATE_THROTTLE_H

#include <pthread.h>
#include <stdbool.h>

struct vm;

#define THROTTLE_PERIOD_MS 20
/* The first step, and each next one (QEMU's auto-converge starts at 20 and
 * adds 10; sevm's SEV-ES rounds are slower, so it climbs faster). */
#define THROTTLE_INITIAL_PCT 30
#define THROTTLE_STEP_PCT 20
/* ...or straight to what the dirty rate just seen needs, plus this much
 * (source.c). Measured, SEV-ES, 256 MiB dirtied, total time: steps only
 * 0.84-0.94 s, margin 10 0.62-0.91 s, margin 20 0.67-0.82 s. */
#define THROTTLE_MARGIN_PCT 20
#define THROTTLE_MAX_PCT 99
/* How often the source compares the guest's dirty rate with its own. */
#define THROTTLE_CHECK_MS 100

struct throttle {
	struct vm *vm;
	unsigned int nr_vcpus; /* the OS vCPUs, 0.. */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC: pct changed, or stop */
	unsigned int pct;    /* 0..99, under lock */
	bool stop, started;
	bool *paused; /* nr_vcpus: by the throttle, this period */
};

void throttle_init(struct throttle *t, struct vm *vm, unsigned int nr_vcpus);
/* Pause the vCPUs for pct (0..THROTTLE_MAX_PCT) percent of each period from now on;
 * the first non-zero pct starts the thread. 0 or -errno (no thread). */
int throttle_set(struct throttle *t, unsigned int pct) __attribute__((warn_unused_result));
/* Stop throttling, the vCPUs left running, and release t; a second call
 * does nothing. */
void throttle_stop(struct throttle *t);

#endif
