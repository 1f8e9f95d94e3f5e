/* SPDX-License-Identifier: MIT */
/*
 * The host-visible state of a plain (non-SEV) VM's vCPUs and in-kernel
 * devices, as KVM keeps it: what plain-mode migration carries (design
 * brief §6) and what an SEV-ES migration carries for the devices the host
 * owns anyway (§5, convergence: LAPIC, IOAPIC, PIC, PIT, kvmclock, TSC, KVM
 * PV MSRs, vCPU events and MP state). Reference: Linux
 * Documentation/virt/kvm/api.rst, sections 4.x of each ioctl named below.
 *
 * A vCPU must be stopped (its thread out of KVM_RUN) while it is saved or
 * loaded. Loading follows the order KVM needs: special registers (APIC
 * base, EFER, control registers) before the general ones and the LAPIC,
 * the LAPIC before the TSC-deadline MSR that arms its timer, and the
 * pending events last.
 *
 * The registers in plain mode only: once an SEV-ES vCPU's state is sealed
 * the VMM must not read it (design brief §1); an SEV-ES migration saves
 * the host-owned part (SNAPSHOT_HOST_OWNED below).
 */
#ifndef SEVM_SRC_VMM_SNAPSHOT_H
#define SEVM_SRC_VMM_SNAPSHOT_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define SNAPSHOT_MAX_MSRS 64

/* The MSRs worth carrying that this KVM has (KVM_GET_MSR_INDEX_LIST). */
struct snapshot_msr_list {
	unsigned int n;
	uint32_t index[SNAPSHOT_MAX_MSRS];
};

struct vcpu_snapshot {
	int scope; /* enum snapshot_scope */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs dregs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	unsigned int nr_msrs;
	struct kvm_msr_entry msrs[SNAPSHOT_MAX_MSRS];
	size_t xsave_size; /* bytes of xsave: at least sizeof(struct kvm_xsave) */
	uint8_t *xsave;	   /* struct kvm_xsave, possibly extended (KVM_CAP_XSAVE2) */
};

struct vm_snapshot {
	struct kvm_irqchip pic_master, pic_slave, ioapic;
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
};

/* Which of the MSRs sevm carries this KVM knows. */
int snapshot_msr_list_init(int kvm_fd, struct snapshot_msr_list *list);

/* The XSAVE buffer size for this KVM (KVM_CAP_XSAVE2, at least 4096). */
size_t snapshot_xsave_size(int kvm_fd);

/* Allocate s->xsave (xsave_size bytes); 0 or -ENOMEM. */
int vcpu_snapshot_init(struct vcpu_snapshot *s, size_t xsave_size);
void vcpu_snapshot_free(struct vcpu_snapshot *s);

struct vcpu;

/* What of a vCPU a snapshot holds. */
enum snapshot_scope {
	/* Plain mode: everything KVM has. */
	SNAPSHOT_ALL,
	/*
	 * SEV-ES: only what the host owns even then: LAPIC, pending events,
	 * MP state, and the intercepted MSRs (APIC base, TSC, TSC deadline, kvmclock and
	 * the other KVM PV MSRs, MTRRs, MISC_ENABLE). Registers, FPU and the
	 * MSRs the VMSA holds travel in the VMSA, through the MH.
	 */
	SNAPSHOT_HOST_OWNED,
};

/* Whether sevm carries MSR index in scope: what a target accepts in a
 * stream's vCPU state, and nothing else. */
bool snapshot_msr_carried(uint32_t index, enum snapshot_scope scope);

/*
 * 0 or -errno, with err naming the ioctl that failed; -EPERM for
 * SNAPSHOT_ALL on a vCPU whose state is sealed (vcpu_regs.h). s->scope
 * records what was saved, and load sets exactly that.
 */
int vcpu_snapshot_save(struct vcpu *v, const struct snapshot_msr_list *msrs,
		       enum snapshot_scope scope, struct vcpu_snapshot *s, char *err,
		       size_t errlen);
int vcpu_snapshot_load(struct vcpu *v, const struct vcpu_snapshot *s, char *err, size_t errlen);

int vm_snapshot_save(int vm_fd, struct vm_snapshot *s, char *err, size_t errlen);
int vm_snapshot_load(int vm_fd, const struct vm_snapshot *s, char *err, size_t errlen);

#endif
