/* SPDX-License-Identifier: MIT */
/*
 * A vCPU and the thread that runs it. Other threads pause, resume and stop
 * it by setting the request under the vCPU's lock, then kicking it out of
 * KVM_RUN: `immediate_exit` makes a KVM_RUN that has not started yet return
 * at once, and SIGUSR1 interrupts one that has (api.rst, "immediate_exit").
 * A vCPU only reports PAUSED after a KVM_RUN that returned EINTR, so an
 * I/O exit it had begun is complete and its state can be saved
 * (conventions.md §6).
 */
#ifndef SEVM_SRC_VMM_VCPU_H
#define SEVM_SRC_VMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "vcpu_state.h"

struct vcpu;

struct vcpu_ops {
	/* Handles one exit; returns 0 to keep running, anything else ends the thread. */
	int (*on_exit)(struct vcpu *v, void *opaque);
	/* KVM_RUN failed with err (-errno); the thread ends after this. */
	void (*on_run_error)(struct vcpu *v, int err, void *opaque);
};

struct vcpu {
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	const struct vcpu_ops *ops;
	void *opaque;

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vcpu_state state;
	bool io_pending; /* last exit was I/O: KVM_RUN must run once more to finish it */
	int run_error;
	bool state_protected; /* see vcpu_regs.h */	 /* -errno of a failed KVM_RUN that ended the thread */
};

/* Installs the kick signal's handler; call once before any vcpu_start(). */
int vcpu_init_signals(void) __attribute__((warn_unused_result));
int vcpu_create(struct vcpu *v, int kvm_fd, int vm_fd, unsigned id, const struct vcpu_ops *ops,
		void *opaque) __attribute__((warn_unused_result));
int vcpu_start(struct vcpu *v) __attribute__((warn_unused_result));
/* Blocks until the vCPU is PAUSED (0) or has stopped on its own (-ESRCH). */
int vcpu_pause(struct vcpu *v) __attribute__((warn_unused_result));
int vcpu_resume(struct vcpu *v) __attribute__((warn_unused_result));
/*
 * Ask v to pause without waiting for it: from v's own exit handler (the
 * thread completes the exit's I/O, then pauses) or from any thread.
 * Returns 0, or -EINVAL when v is not running.
 */
int vcpu_request_pause(struct vcpu *v) __attribute__((warn_unused_result));
/* After vcpu_request_pause(): until the vCPU's thread has stopped (0), or
 * -ESRCH if it ended instead. Kicking every vCPU first and waiting after
 * stops them all in the time of the slowest, not of the sum. */
int vcpu_wait_paused(struct vcpu *v) __attribute__((warn_unused_result));
/* Stops the thread (if any) and waits for it. Safe to call more than once. */
void vcpu_stop(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
enum vcpu_state vcpu_get_state(struct vcpu *v);

#endif
