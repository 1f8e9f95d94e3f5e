/* SPDX-License-Identifier: MIT */
/*
 * The SEV-ES launch of a VM whose config has [sev] (design brief §4;
 * docs/attestation.md): after the firmware, its hashes table and the
 * reset state are in place, and before any vCPU runs.
 *
 *   guest owner: session  ->  LAUNCH_START  ->  LAUNCH_UPDATE_DATA (image)
 *   ->  LAUNCH_UPDATE_VMSA (each vCPU; its registers sealed from here)
 *   ->  LAUNCH_MEASURE  ->  guest owner verifies, returns the secret
 *   ->  LAUNCH_SECRET (secret table into the secret block)  ->  LAUNCH_FINISH
 */
#ifndef SEVM_SRC_VMM_VM_SEV_H
#define SEVM_SRC_VMM_VM_SEV_H

#include <stddef.h>

struct vm;

/*
 * Launch vm through its SEV platform. Returns 0; -EACCES when the guest
 * owner or the platform refused (err: "attestation failed: ..." or the
 * command and the SEV status); other -errno for other failures.
 */
int vm_sev_launch(struct vm *vm, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Release the platform (after the vCPUs stopped). */
void vm_sev_destroy(struct vm *vm);

#endif
