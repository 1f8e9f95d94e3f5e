/* SPDX-License-Identifier: MIT */
/*
 * The life of a vCPU thread as a pure state machine, kept apart from the
 * threading so every transition can be unit-tested.
 *
 *   CREATED --start--> RUNNING --pause--> PAUSING --paused--> PAUSED
 *                        ^  ^                |                  |
 *                        |  +----resume------+                  |
 *                        +-------------------resume-------------+
 *   any live state --stop--> STOPPING --exited--> STOPPED
 *   RUNNING/PAUSING --exited--> STOPPED   (the guest or an error ended it)
 *   CREATED --stop--> STOPPED             (never started)
 */
#ifndef SEVM_SRC_VMM_VCPU_STATE_H
#define SEVM_SRC_VMM_VCPU_STATE_H

enum vcpu_state {
	VCPU_CREATED,
	VCPU_RUNNING,
	VCPU_PAUSING, /* asked to pause, not yet out of KVM_RUN */
	VCPU_PAUSED,
	VCPU_STOPPING,
	VCPU_STOPPED,
};

enum vcpu_event {
	VCPU_EV_START,
	VCPU_EV_PAUSE,	/* request from another thread */
	VCPU_EV_PAUSED, /* the vCPU thread acknowledges */
	VCPU_EV_RESUME,
	VCPU_EV_STOP,
	VCPU_EV_EXITED, /* the vCPU thread has left its loop */
};

/* 0 and *next on a legal transition, -EINVAL otherwise (state unchanged). */
int vcpu_state_next(enum vcpu_state cur, enum vcpu_event ev, enum vcpu_state *next)
    __attribute__((warn_unused_result));
const char *vcpu_state_name(enum vcpu_state s);

#endif
