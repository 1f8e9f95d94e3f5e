/* SPDX-License-Identifier: MIT */
/* `sevm run`: boot a VM from its config and serve it until it ends. */
#ifndef SEVM_SRC_VMM_RUN_H
#define SEVM_SRC_VMM_RUN_H

#include <stdbool.h>

#include "config.h"

/* Exit statuses of `sevm run` (docs/cli.md). */
enum run_status {
	RUN_OK = 0,	       /* guest powered off with status 0, reset, or host signal */
	RUN_ERROR = 1,	       /* sevm failed (KVM, resources) */
	RUN_USAGE = 2,	       /* bad command line or config */
	RUN_GUEST_FAILED = 3,  /* guest powered off with a non-zero status */
	RUN_GUEST_CRASHED = 4, /* triple fault, emulation failure, ... */
	RUN_FIRMWARE_REFUSED = 5, /* sevm's firmware refused to boot (hash mismatch, ...) */
	RUN_LAUNCH_REFUSED = 6,	  /* SEV launch: the guest owner or the platform refused */
	RUN_MIGRATION_FAILED = 7, /* --incoming: no complete migration arrived; the guest never ran */
};

/* How `sevm run` was asked to run the VM beyond its config. */
struct run_opts {
	const char *control_path; /* --control: serve a control socket there (docs/control.md) */
	bool no_control;	  /* --no-control: no socket, not even the default one */
	bool migration_target;	  /* --migration-target: the firmware waits for records */
	const char *incoming;	  /* --incoming HOST:PORT: receive a migration, then run */
};

/* How long an incoming migration's source may leave the stream idle. */
#define MIGRATION_TARGET_TIMEOUT_MS 30000

int run_vm(const struct vm_config *cfg, const struct run_opts *opts);

#endif
