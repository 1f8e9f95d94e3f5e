/* SPDX-License-Identifier: MIT */
/*
 * The host's own VM state on the migration stream (docs/protocol.md,
 * "State"): the in-kernel irqchip, PIT and kvmclock, every vCPU's KVM
 * state (all of it in plain mode), and sevm's device models. Sent once the
 * vCPUs are paused; the target loads each message as it comes, before any
 * vCPU runs.
 */
#ifndef SEVM_SRC_MIGRATE_STATE_H
#define SEVM_SRC_MIGRATE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"
#include "wire.h"

struct vm;

/* Every state message, in order, for the first nr_vcpus vCPUs with what
 * scope allows (snapshot.h); 0 or -errno with err. Those vCPUs must be
 * paused. */
int state_send(struct xport *x, struct vm *vm, int scope, unsigned int nr_vcpus, char *err,
	       size_t errlen);

/* Which parts of the state arrived. */
struct state_seen {
	unsigned int nr_migrating; /* set by the caller: vCPUs 0 .. nr_migrating-1 migrate */
	unsigned int parts;  /* a bit per kind of message */
	unsigned int vcpus;  /* vcpu-state messages, each for a new vCPU */
	uint8_t vcpu[1024]; /* which */
};

/*
 * If m is a state message, load it into vm and return 1 (noting it in
 * seen), 0 if it is not one, -errno (with err) if it is malformed, comes
 * twice, or does not fit this VM.
 */
int state_load(struct vm *vm, const struct wire_msg *m, struct state_seen *seen, char *err,
	       size_t errlen);
/* Whether seen covers every part a complete state has for vm; if not,
 * err names what is missing. */
bool state_complete(const struct state_seen *seen, unsigned int nr_vcpus, char *err,
		    size_t errlen);

#endif
