/* SPDX-License-Identifier: MIT */
/*
 * The kvm-sev backend: the SEV platform ops (platform.h) on real hardware,
 * through KVM_MEMORY_ENCRYPT_OP on a VM created as KVM_X86_SEV_ES_VM
 * (kvm_create_vm(kvm_fd, KVM_X86_SEV_ES_VM, ...), Linux >= 6.10) or, on
 * older kernels, as a default VM turned SEV-ES by KVM_SEV_ES_INIT.
 *
 *   kvm_sev_new -> kvm_sev_init (INIT2 or ES_INIT) -> kvm_sev_set_owner_cert
 *   -> LAUNCH_START -> LAUNCH_UPDATE_DATA* -> LAUNCH_UPDATE_VMSA (all vCPUs)
 *   -> LAUNCH_MEASURE -> LAUNCH_SECRET* -> LAUNCH_FINISH
 *
 * Differences from the emu backend a caller must know:
 *  - The owner's key reaches the firmware inside the owner's PDH certificate
 *    (LAUNCH_START dh_cert, SEV API §6.2), which struct sev_launch_start
 *    does not carry: set it with kvm_sev_set_owner_cert() before
 *    launch_start. sev_launch_start.owner_pub is not used here.
 *  - KVM's LAUNCH_UPDATE_VMSA takes no vCPU: one command builds every
 *    vCPU's VMSA from the registers KVM holds (sev_es_sync_vmsa) and
 *    encrypts them in vCPU order. launch_update_vmsa therefore only records
 *    the call (indices must arrive 0, 1, 2, ...) and ignores vmsa_page; the
 *    one ioctl is issued by the next launch_measure, just before
 *    LAUNCH_MEASURE, so its firmware status is reported by launch_measure.
 *    The vCPUs' registers must be set (KVM_SET_REGS/SREGS/...) before then:
 *    afterwards KVM refuses those ioctls with -EINVAL.
 *  - A launch_update_data after a launch_update_vmsa is refused (-EINVAL)
 *    because the deferred VMSA command would otherwise be measured after it.
 */
#ifndef SEVM_SEV_KVM_SEV_H
#define SEVM_SEV_KVM_SEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sev/platform.h"
#include "sev/sev_ioctl.h"

struct kvm_sev;

/*
 * A backend for the VM vm_fd; sev_fd is an open /dev/sev (the caller keeps
 * owning both fds). have_init2: the kernel offers KVM_SEV_INIT2 (the VM was
 * created as KVM_X86_SEV_ES_VM); otherwise KVM_SEV_ES_INIT is used.
 * Returns 0, -EINVAL or -ENOMEM.
 */
int kvm_sev_new(int vm_fd, int sev_fd, bool have_init2, struct kvm_sev **out)
    __attribute__((warn_unused_result));

/* Release the backend (not the fds); NULL is fine. */
void kvm_sev_free(struct kvm_sev *k);

/*
 * Make the VM an SEV-ES guest: KVM_SEV_INIT2 {vmsa_features 0, flags 0,
 * ghcb_version 0 (KVM's default)} or KVM_SEV_ES_INIT. Once, before
 * launch_start. Returns 0 or -errno; *fw_error as in platform.h.
 */
int kvm_sev_init(struct kvm_sev *k, unsigned int *fw_error) __attribute__((warn_unused_result));

/*
 * The owner's PDH certificate for LAUNCH_START (SEV_CERT_SIZE bytes for a
 * P-384 SEV certificate, see cert.h); copied. Returns 0, -EINVAL or -ENOMEM.
 */
int kvm_sev_set_owner_cert(struct kvm_sev *k, const void *cert, size_t len)
    __attribute__((warn_unused_result));

/* The firmware's guest handle from LAUNCH_START (0 before). */
uint32_t kvm_sev_handle(const struct kvm_sev *k);

/* The platform interface of this instance (ops name "kvm-sev"). */
struct sev_platform *kvm_sev_platform(struct kvm_sev *k);

#endif
