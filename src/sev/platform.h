/* SPDX-License-Identifier: MIT */
/*
 * The SEV platform interface (design brief §2, §4, §5): the secure
 * processor's guest commands as an ops table, implemented by the `emu`
 * backend (src/sev/emu_launch.c, a software model) and later by `kvm-sev`
 * (real hardware through KVM_MEMORY_ENCRYPT_OP).
 *
 * Conventions for every operation:
 *  - returns 0, or a negative errno;
 *  - *fw_error is always written: 0 on success and on failures that never
 *    reached the platform (bad arguments, out of memory), otherwise the
 *    enum sev_status the platform refused the command with; a refusal
 *    returns -EIO (as KVM does when the firmware fails a command);
 *  - a refused command leaves the guest state as it was.
 */
#ifndef SEVM_SEV_PLATFORM_H
#define SEVM_SEV_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "sev/crypto/crypto.h"
#include "sev/crypto/secret.h"
#include "sev/crypto/session.h"
#include "sev/status.h"

/* Guest policy bits (AMD SEV API "Guest Policy"; AMD-ASPFW sev_guest.h). */
#define SEV_POLICY_NODBG (1u << 0)
#define SEV_POLICY_NOKS (1u << 1)
#define SEV_POLICY_ES (1u << 2)
#define SEV_POLICY_NOSEND (1u << 3)
#define SEV_POLICY_DOMAIN (1u << 4)
#define SEV_POLICY_SEV (1u << 5)
#define SEV_POLICY_RESERVED 0x0000ffc0u /* bits 15:6 must be zero */
#define SEV_POLICY_API_MAJOR_SHIFT 16
#define SEV_POLICY_API_MINOR_SHIFT 24
#define SEV_POLICY_API_MAJOR(p) (((p) >> SEV_POLICY_API_MAJOR_SHIFT) & 0xffu)
#define SEV_POLICY_API_MINOR(p) (((p) >> SEV_POLICY_API_MINOR_SHIFT) & 0xffu)

/* Guest states as GUEST_STATUS reports them (AMD-ASPFW sev_guest.h). */
enum sev_guest_state {
	SEV_GUEST_STATE_UNINIT = 0,
	SEV_GUEST_STATE_LUPDATE = 1, /* after LAUNCH_START */
	SEV_GUEST_STATE_LSECRET = 2, /* after LAUNCH_MEASURE */
	SEV_GUEST_STATE_RUNNING = 3, /* after LAUNCH_FINISH */
};

/*
 * The owner's ECDH public key: a P-384 point in SEC1 uncompressed form,
 * 0x04 | X[48] | Y[48], big-endian coordinates (what OpenSSL writes for
 * OSSL_PKEY_PARAM_PUB_KEY). The platform computes Z = ECDH(PDH private key,
 * this point); kvm-sev will carry it to the firmware in the owner's
 * Diffie-Hellman certificate (LAUNCH_START dh_cert).
 */
#define SEV_OWNER_PUB_SIZE 97

struct sev_launch_start {
	uint32_t policy;
	const struct sev_session_blob *session;
	uint8_t owner_pub[SEV_OWNER_PUB_SIZE];
};

/* LAUNCH_MEASURE's output, exactly as the firmware writes it. */
struct sev_launch_measure {
	uint8_t measure[SEV_MAC_SIZE];
	uint8_t mnonce[SEV_NONCE_SIZE];
};

_Static_assert(sizeof(struct sev_launch_measure) == 48, "measure layout");

/*
 * LAUNCH_SECRET: a packet from sev_secret_build(). target is where the
 * plaintext lands in guest memory (16-byte aligned); packet_len bytes of
 * ciphertext become packet_len bytes at target.
 */
struct sev_launch_secret {
	const struct sev_secret_header *hdr;
	const void *packet;
	size_t packet_len;
	void *target;
};

struct sev_guest_status {
	uint32_t state; /* enum sev_guest_state */
	uint32_t policy;
};

/*
 * The VM a platform instance serves, given to init. vmsa_pages is where
 * the firmware keeps one VMSA page per vCPU (design brief §3: host
 * address of vCPU 0's page, vCPU i at + i * 4096), or NULL where the
 * platform keeps VMSAs itself (kvm-sev: KVM allocates them).
 */
struct sev_vm_binding {
	int vm_fd;
	unsigned int nr_vcpus;
	const int *vcpu_fds; /* nr_vcpus KVM vCPU fds, index = vCPU index */
	uint8_t *vmsa_pages;
};

struct sev_platform;

struct sev_platform_ops {
	const char *name; /* "emu", "kvm-sev" */

	/*
	 * Bind the platform to a VM and make it an SEV-ES guest (kvm-sev:
	 * KVM_SEV_INIT2 or KVM_SEV_ES_INIT). Once, before launch_start; the
	 * binding's arrays must outlive the instance.
	 */
	int (*init)(struct sev_platform *p, const struct sev_vm_binding *vm,
		    unsigned int *fw_error);

	/* LAUNCH_START: bind the guest to policy and the owner's session. */
	int (*launch_start)(struct sev_platform *p, const struct sev_launch_start *ls,
			    unsigned int *fw_error);
	/*
	 * LAUNCH_UPDATE_DATA: measure (and on hardware encrypt in place) len
	 * bytes of guest memory at buf. Every data region precedes every VMSA.
	 */
	int (*launch_update_data)(struct sev_platform *p, void *buf, size_t len,
				  unsigned int *fw_error);
	/*
	 * LAUNCH_UPDATE_VMSA: measure vCPU vcpu_index's initial VMSA (a
	 * 4096-byte page the caller built, vmsa.h) and make it the state the
	 * vCPU starts from. Callers issue it for vCPUs in index order (KVM
	 * encrypts all VMSAs in one command, in that order). From here on
	 * the caller must treat the vCPU's registers as sealed.
	 */
	int (*launch_update_vmsa)(struct sev_platform *p, unsigned int vcpu_index,
				  uint8_t *vmsa_page, unsigned int *fw_error);
	/* LAUNCH_MEASURE: MEASURE and a fresh mnonce; LUPDATE -> LSECRET. */
	int (*launch_measure)(struct sev_platform *p, struct sev_launch_measure *out,
			      unsigned int *fw_error);
	/* LAUNCH_SECRET: verify the packet against MEASURE, decrypt to target. */
	int (*launch_secret)(struct sev_platform *p, const struct sev_launch_secret *s,
			     unsigned int *fw_error);
	/* LAUNCH_FINISH: LSECRET -> RUNNING; registers are sealed from here. */
	int (*launch_finish)(struct sev_platform *p, unsigned int *fw_error);
	/* GUEST_STATUS: the guest's state and policy. */
	int (*guest_status)(struct sev_platform *p, struct sev_guest_status *st,
			    unsigned int *fw_error);

	/*
	 * DBG_DECRYPT: copy len bytes of guest memory at src (host address of
	 * private guest memory) to dst in the clear. Refused with
	 * POLICY_FAILURE when the policy has NODBG.
	 */
	int (*debug_decrypt)(struct sev_platform *p, const void *src, void *dst, size_t len,
			     unsigned int *fw_error);

	/*
	 * Migration (design brief §5). Only after LAUNCH_FINISH; refused with
	 * POLICY_FAILURE when the policy has NOSEND. A backend without them
	 * (kvm-sev: no mainline KVM interface exists) leaves them NULL, and
	 * callers must check.
	 *
	 * save_vcpu_vmsa: with vCPU vcpu_index stopped (its thread out of
	 * KVM_RUN), write its full state into its VMSA page (SEV-ES "VMExit to
	 * update VMSA").
	 * resume_vcpu_from_vmsa: with vCPU vcpu_index stopped, load the state
	 * in its VMSA page into it and make it runnable (as VMRUN does).
	 */
	int (*save_vcpu_vmsa)(struct sev_platform *p, unsigned int vcpu_index,
			      unsigned int *fw_error);
	int (*resume_vcpu_from_vmsa)(struct sev_platform *p, unsigned int vcpu_index,
				     unsigned int *fw_error);
};

/* A backend instance; backends embed it and recover themselves by container_of. */
struct sev_platform {
	const struct sev_platform_ops *ops;
};

#endif
