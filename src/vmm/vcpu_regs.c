// SPDX-License-Identifier: MIT
#include "vcpu_regs.h"
#include "kvm.h"

#include <errno.h>

void vcpu_protect_state(struct vcpu *v)
{
	__atomic_store_n(&v->state_protected, true, __ATOMIC_RELEASE);
}

bool vcpu_state_is_protected(const struct vcpu *v)
{
	return __atomic_load_n(&v->state_protected, __ATOMIC_ACQUIRE);
}

int vcpu_get_regs(struct vcpu *v, struct kvm_regs *regs)
{
	return vcpu_state_is_protected(v) ? -EPERM : kvm_get_regs(v->fd, regs);
}

int vcpu_set_regs(struct vcpu *v, const struct kvm_regs *regs)
{
	return vcpu_state_is_protected(v) ? -EPERM : kvm_set_regs(v->fd, regs);
}

int vcpu_get_sregs(struct vcpu *v, struct kvm_sregs *sregs)
{
	return vcpu_state_is_protected(v) ? -EPERM : kvm_get_sregs(v->fd, sregs);
}

int vcpu_set_sregs(struct vcpu *v, const struct kvm_sregs *sregs)
{
	return vcpu_state_is_protected(v) ? -EPERM : kvm_set_sregs(v->fd, sregs);
}
