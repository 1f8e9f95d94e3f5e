/* SPDX-License-Identifier: MIT */
/*
 * Thin wrappers over every raw KVM ioctl sevm issues (conventions.md §4).
 * Each returns 0 (or a non-negative result) on success and -errno on failure;
 * none of them logs, so the caller can name the operation in its message.
 * Reference: Linux Documentation/virt/kvm/api.rst.
 */
#ifndef SEVM_SRC_VMM_KVM_H
#define SEVM_SRC_VMM_KVM_H

#include <linux/kvm.h>
#include <stdint.h>

#define KVM_WUR __attribute__((warn_unused_result))

int kvm_open_dev(const char *path, int *fd) KVM_WUR;
int kvm_api_version(int kvm_fd) KVM_WUR;
int kvm_check_extension(int fd, long cap) KVM_WUR;
int kvm_create_vm(int kvm_fd, unsigned long type, int *vm_fd) KVM_WUR;
int kvm_vcpu_mmap_size(int kvm_fd) KVM_WUR;
/* Returns a malloc'd table the caller frees. */
int kvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out) KVM_WUR;

int kvm_set_user_memory_region(int vm_fd, const struct kvm_userspace_memory_region *r) KVM_WUR;
/* KVM_GET_DIRTY_LOG: the slot's bitmap (one bit per page, cleared in KVM). */
int kvm_get_dirty_log(int vm_fd, uint32_t slot, void *bitmap) KVM_WUR;
int kvm_set_tss_addr(int vm_fd, uint64_t gpa) KVM_WUR;
int kvm_set_identity_map_addr(int vm_fd, uint64_t gpa) KVM_WUR;
int kvm_create_irqchip(int vm_fd) KVM_WUR;
int kvm_create_pit2(int vm_fd, uint32_t flags) KVM_WUR;
int kvm_irq_line(int vm_fd, uint32_t irq, int level) KVM_WUR;
int kvm_create_vcpu(int vm_fd, unsigned long id, int *vcpu_fd) KVM_WUR;

int kvm_run(int vcpu_fd) KVM_WUR;
int kvm_set_cpuid2(int vcpu_fd, const struct kvm_cpuid2 *cpuid) KVM_WUR;
/*
 * vCPU register state. The VMM proper goes through vcpu_regs.c, which
 * refuses once the state is sealed (design brief §1); only the SEV
 * platform (src/sev/, playing the CPU under emu) calls these directly.
 */
int kvm_get_regs(int vcpu_fd, struct kvm_regs *regs) KVM_WUR;
int kvm_set_regs(int vcpu_fd, const struct kvm_regs *regs) KVM_WUR;
int kvm_get_sregs(int vcpu_fd, struct kvm_sregs *sregs) KVM_WUR;
int kvm_set_sregs(int vcpu_fd, const struct kvm_sregs *sregs) KVM_WUR;
int kvm_set_fpu(int vcpu_fd, const struct kvm_fpu *fpu) KVM_WUR;
/* Returns the number of MSRs read, which may be fewer than asked. */
int kvm_get_msrs(int vcpu_fd, struct kvm_msrs *msrs) KVM_WUR;
/* Returns the number of MSRs written, which may be fewer than asked. */
int kvm_set_msrs(int vcpu_fd, const struct kvm_msrs *msrs) KVM_WUR;
int kvm_get_lapic(int vcpu_fd, struct kvm_lapic_state *lapic) KVM_WUR;
int kvm_set_lapic(int vcpu_fd, const struct kvm_lapic_state *lapic) KVM_WUR;
int kvm_set_tsc_khz(int vcpu_fd, uint32_t khz) KVM_WUR;
int kvm_set_mp_state(int vcpu_fd, uint32_t state) KVM_WUR;
int kvm_get_tsc_khz(int vcpu_fd) KVM_WUR;
int kvm_get_debugregs(int vcpu_fd, struct kvm_debugregs *dregs) KVM_WUR;
int kvm_set_debugregs(int vcpu_fd, const struct kvm_debugregs *dregs) KVM_WUR;
int kvm_get_xcrs(int vcpu_fd, struct kvm_xcrs *xcrs) KVM_WUR;
int kvm_set_xcrs(int vcpu_fd, const struct kvm_xcrs *xcrs) KVM_WUR;
/*
 * KVM_GET_XSAVE fills 4096 bytes; KVM_SET_XSAVE reads as many bytes as
 * KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) reports when that exceeds 4096
 * (api.rst 4.42/4.43), so the buffer behind xs must be that large.
 */
int kvm_get_xsave(int vcpu_fd, struct kvm_xsave *xs) KVM_WUR;
int kvm_set_xsave(int vcpu_fd, const struct kvm_xsave *xs) KVM_WUR;
/* KVM_GET_XSAVE2: as many bytes as KVM_CAP_XSAVE2 reports (api.rst 4.136). */
int kvm_get_xsave2(int vcpu_fd, struct kvm_xsave *xs) KVM_WUR;
/* KVM_GET_MSR_INDEX_LIST into list (nmsrs in: room, out: count); -E2BIG if short. */
int kvm_get_msr_index_list(int kvm_fd, struct kvm_msr_list *list) KVM_WUR;
int kvm_get_mp_state(int vcpu_fd, struct kvm_mp_state *mp) KVM_WUR;
int kvm_get_vcpu_events(int vcpu_fd, struct kvm_vcpu_events *ev) KVM_WUR;
int kvm_set_vcpu_events(int vcpu_fd, const struct kvm_vcpu_events *ev) KVM_WUR;

/* VM-wide device state of the in-kernel irqchip, PIT and kvmclock. */
int kvm_get_irqchip(int vm_fd, struct kvm_irqchip *chip) KVM_WUR;
int kvm_set_irqchip(int vm_fd, const struct kvm_irqchip *chip) KVM_WUR;
int kvm_get_pit2(int vm_fd, struct kvm_pit_state2 *pit) KVM_WUR;
int kvm_set_pit2(int vm_fd, const struct kvm_pit_state2 *pit) KVM_WUR;
int kvm_get_clock(int vm_fd, struct kvm_clock_data *clock) KVM_WUR;
int kvm_set_clock(int vm_fd, const struct kvm_clock_data *clock) KVM_WUR;

#endif
