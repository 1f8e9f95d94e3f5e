/* SPDX-License-Identifier: MIT */
/*
 * The VMM's only door to a vCPU's registers. Once the SEV platform has
 * encrypted a vCPU's state into its VMSA (LAUNCH_UPDATE_VMSA), the host can
 * no longer read or set it: KVM's protected-state VM types fail these
 * ioctls with -EINVAL, and sevm refuses them the same way on every backend
 * (design.md §1) with -EPERM before they reach KVM. Only src/sev/, acting
 * as the platform, works with that state from then on.
 */
#ifndef SEVM_SRC_VMM_VCPU_REGS_H
#define SEVM_SRC_VMM_VCPU_REGS_H

#include <linux/kvm.h>
#include <stdbool.h>

#include "vcpu.h"

#define VCPU_PROTECTED_MSG "register state is protected (SEV-ES: it lives in the encrypted VMSA)"

int vcpu_get_regs(struct vcpu *v, struct kvm_regs *regs) __attribute__((warn_unused_result));
int vcpu_set_regs(struct vcpu *v, const struct kvm_regs *regs)
	__attribute__((warn_unused_result));
int vcpu_get_sregs(struct vcpu *v, struct kvm_sregs *sregs) __attribute__((warn_unused_result));
int vcpu_set_sregs(struct vcpu *v, const struct kvm_sregs *sregs)
	__attribute__((warn_unused_result));

/* One way: after this every accessor above returns -EPERM. Called by the
 * platform when it seals the vCPU's state into its VMSA. */
void vcpu_protect_state(struct vcpu *v);
bool vcpu_state_is_protected(const struct vcpu *v);

#endif
