/* SPDX-License-Identifier: MIT */
/*
 * Raw SEV ioctls (conventions.md §4): KVM_MEMORY_ENCRYPT_OP on a VM fd and
 * opening /dev/sev. Nothing else in sevm issues these; the kvm-sev backend
 * (kvm_sev.c) builds the command structs and calls through here, and unit
 * tests replace this module with a mock (tests/unit/mock_sev_ioctl.c).
 *
 * The command ABI is Linux's Documentation/virt/kvm/x86/amd-memory-encryption.rst
 * and include/uapi/linux/kvm.h (arch/x86/include/uapi/asm/kvm.h since v6.9).
 * The VM types are created with kvm_create_vm() (src/vmm/kvm.c), which
 * already takes the type: no extra raw ioctl is needed for them.
 */
#ifndef SEVM_SEV_SEV_IOCTL_H
#define SEVM_SEV_SEV_IOCTL_H

#include <stdint.h>

#include <linux/kvm.h>

/*
 * What Debian 12's headers (Linux 6.1) lack. KVM_SEV_INIT2, struct
 * kvm_sev_init and the KVM_X86_SEV_VM / KVM_X86_SEV_ES_VM VM types came
 * together in Linux v6.10 (Paolo Bonzini, "KVM: SEV: define VM types for SEV
 * and SEV-ES" and "KVM: SEV: introduce KVM_SEV_INIT2 operation"); the same
 * release split kvm_sev_init's pad[9] into ghcb_version, pad1 and pad2[8]
 * (Michael Roth, "KVM: SEV: Allow per-guest configuration of GHCB protocol
 * version"), which leaves the layout unchanged. Newer headers define
 * KVM_X86_SEV_VM and all of these, so its absence selects the local copies.
 */
#ifndef KVM_X86_SEV_VM
#define KVM_X86_SEV_VM 2
#define KVM_X86_SEV_ES_VM 3
/* enum sev_cmd_id: the entry after KVM_SEV_SEND_CANCEL (21). */
#define KVM_SEV_INIT2 22

struct kvm_sev_init {
	__u64 vmsa_features; /* initial VMSA SEV_FEATURES; 0 for plain SEV-ES */
	__u32 flags;	     /* must be 0 */
	__u16 ghcb_version;  /* highest GHCB protocol the guest may use; 0: KVM's default */
	__u16 pad1;
	__u32 pad2[8];
};
#endif

/*
 * KVM_MEMORY_ENCRYPT_OP with struct kvm_sev_cmd {id, data, error, sev_fd}.
 * Returns 0 or -errno (EINTR is retried); *fw_error receives the command's
 * error field, the SEV firmware status (enum sev_status), 0 when the
 * command never reached the firmware. KVM reports a firmware refusal as
 * -EIO with a non-zero status.
 */
int sev_ioctl_encrypt_op(int vm_fd, uint32_t id, void *data, int sev_fd, uint32_t *fw_error)
    __attribute__((warn_unused_result));

/* Open the SEV device (normally /dev/sev) read-write. Returns 0 or -errno. */
int sev_ioctl_open_sev(const char *path, int *fd) __attribute__((warn_unused_result));

#endif
