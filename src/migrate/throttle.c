// SPDX-License-Identifier: MIT
/*
 * Auto-converge's vCPU throttle (throttle.h).
 */
#include "throttle.h"
#include "vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void add_ms(struct timespec *ts, long ms)
{
	ts->tv_nsec += (ms % 1000) * 1000000L;
	ts->tv_sec += ms / 1000 + ts->tv_nsec / 1000000000L;
	ts->tv_nsec %= 1000000000L;
}

/* Until deadline or stop, under t->lock; whether to go on. */
static bool wait_until(struct throttle *t, const struct timespec *deadline)
{
	while (!t->stop && pthread_cond_timedwait(&t->cond, &t->lock, deadline) != ETIMEDOUT)
		;
	return !t->stop;
}

/* Pause the running vCPUs, noting which; resume only those: a vCPU that
 * was not running (paused by someone else, or the VM ending) is left as
 * it is. */
static void set_paused(struct throttle *t, bool pause)
{
	for (unsigned int i = 0; i < t->nr_vcpus; i++) {
		struct vcpu *v = &t->vm->vcpus[i];

		if (pause) {
			t->paused[i] = vcpu_request_pause(v) == 0;
		} else {
			if (t->paused[i]) {
				int ret = vcpu_resume(v);

				(void)ret; /* -EINVAL: it stopped meanwhile (the VM ended) */
			}
			t->paused[i] = false;
		}
	}
}

/* Each period: paused for pct percent, then running for the rest. The
 * waits are the throttle's duty cycle, not a stand-in for an event. */
static void *run(void *arg)
{
	struct throttle *t = arg;
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	pthread_mutex_lock(&t->lock);
	for (;;) {
		unsigned int pct = t->pct;
		long paused_ms = (long)(THROTTLE_PERIOD_MS * pct / 100);

		if (paused_ms) {
			set_paused(t, true);
			add_ms(&at, paused_ms);
			bool go_on = wait_until(t, &at);
			set_paused(t, false);
			if (!go_on)
				break;
		}
		add_ms(&at, THROTTLE_PERIOD_MS - paused_ms);
		if (!wait_until(t, &at))
			break;
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

void throttle_init(struct throttle *t, struct vm *vm, unsigned int nr_vcpus)
{
	pthread_condattr_t ca;

	memset(t, 0, sizeof(*t));
	t->vm = vm;
	t->nr_vcpus = nr_vcpus;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
}

int throttle_set(struct throttle *t, unsigned int pct)
{
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	t->pct = pct > THROTTLE_MAX_PCT ? THROTTLE_MAX_PCT : pct;
	if (t->pct && !t->started) {
		if (!t->paused && !(t->paused = calloc(t->nr_vcpus, sizeof(bool)))) {
			pthread_mutex_unlock(&t->lock);
			return -ENOMEM;
		}
		ret = -pthread_create(&t->thread, NULL, run, t);
		t->started = ret == 0;
		if (t->started)
			pthread_setname_np(t->thread, "throttle");
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

void throttle_stop(struct throttle *t)
{
	if (!t->vm)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	if (t->started)
		pthread_join(t->thread, NULL);
	t->started = false;
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t->paused);
	t->paused = NULL;
	t->vm = NULL;
}
