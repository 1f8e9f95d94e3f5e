// SPDX-License-Identifier: MIT
/*
 * The kvm-sev backend (see kvm_sev.h): each platform op fills the KVM
 * command struct of Linux Documentation/virt/kvm/x86/amd-memory-encryption.rst
 * and issues it through sev_ioctl_encrypt_op().
 */
#include "sev/kvm_sev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sev/status.h"

struct kvm_sev {
	struct sev_platform platform;
	int vm_fd, sev_fd;
	bool have_init2;
	uint32_t handle;
	uint8_t *owner_cert;
	size_t owner_cert_len;
	unsigned int vmsa_recorded; /* launch_update_vmsa calls awaiting the ioctl */
	bool vmsa_issued;
};

#define to_kvm_sev(p) ((struct kvm_sev *)((char *)(p)-offsetof(struct kvm_sev, platform)))

static uint64_t uaddr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Issue one command; log a failure once, naming the command and the status. */
static int encrypt_op(struct kvm_sev *k, uint32_t id, const char *name, void *data,
		      unsigned int *fw_error)
{
	uint32_t fw = 0;
	int ret = sev_ioctl_encrypt_op(k->vm_fd, id, data, k->sev_fd, &fw);

	*fw_error = ret < 0 ? fw : 0;
	if (ret < 0) {
		if (fw)
			fprintf(stderr, "kvm-sev: %s: %s (firmware status %s, 0x%02x)\n", name,
				strerror(-ret), sev_status_name(fw), fw);
		else
			fprintf(stderr, "kvm-sev: %s: %s\n", name, strerror(-ret));
	}
	return ret;
}

/* A failure that never reached the platform. */
static int refuse(const char *name, const char *why, unsigned int *fw_error)
{
	*fw_error = 0;
	fprintf(stderr, "kvm-sev: %s: %s\n", name, why);
	return -EINVAL;
}

int kvm_sev_init(struct kvm_sev *k, unsigned int *fw_error)
{
	if (k->have_init2) {
		struct kvm_sev_init init = {0}; /* vmsa_features 0, flags 0, ghcb_version 0 */

		return encrypt_op(k, KVM_SEV_INIT2, "KVM_SEV_INIT2", &init, fw_error);
	}
	return encrypt_op(k, KVM_SEV_ES_INIT, "KVM_SEV_ES_INIT", NULL, fw_error);
}

static int init_op(struct sev_platform *p, const struct sev_vm_binding *vm, unsigned int *fw_error)
{
	struct kvm_sev *k = to_kvm_sev(p);

	/* KVM keeps the VMSAs itself; only the VM fd matters, and it must be ours. */
	if (!vm || vm->vm_fd != k->vm_fd)
		return refuse("init", "binding names another VM", fw_error);
	return kvm_sev_init(k, fw_error);
}

/* KVM_SEV_DBG_DECRYPT: KVM itself checks the policy's NODBG through the firmware. */
static int debug_decrypt(struct sev_platform *p, const void *src, void *dst, size_t len,
			 unsigned int *fw_error)
{
	struct kvm_sev_dbg dbg;

	if (!src || !dst || len == 0 || len > UINT32_MAX)
		return refuse("KVM_SEV_DBG_DECRYPT", "bad buffer", fw_error);
	dbg = (struct kvm_sev_dbg){.src_uaddr = uaddr(src), .dst_uaddr = uaddr(dst),
				   .len = (uint32_t)len};
	return encrypt_op(to_kvm_sev(p), KVM_SEV_DBG_DECRYPT, "KVM_SEV_DBG_DECRYPT", &dbg,
			  fw_error);
}

static int launch_start(struct sev_platform *p, const struct sev_launch_start *ls,
			unsigned int *fw_error)
{
	struct kvm_sev *k = to_kvm_sev(p);
	struct kvm_sev_launch_start start;
	int ret;

	if (!ls || !ls->session)
		return refuse("KVM_SEV_LAUNCH_START", "no session blob", fw_error);
	if (!k->owner_cert)
		return refuse("KVM_SEV_LAUNCH_START",
			      "no owner certificate (kvm_sev_set_owner_cert)", fw_error);
	start = (struct kvm_sev_launch_start){
	    .handle = 0, /* the firmware creates a new guest */
	    .policy = ls->policy,
	    .dh_uaddr = uaddr(k->owner_cert),
	    .dh_len = (uint32_t)k->owner_cert_len,
	    .session_uaddr = uaddr(ls->session),
	    .session_len = sizeof(*ls->session),
	};
	ret = encrypt_op(k, KVM_SEV_LAUNCH_START, "KVM_SEV_LAUNCH_START", &start, fw_error);
	if (ret == 0)
		k->handle = start.handle;
	return ret;
}

static int launch_update_data(struct sev_platform *p, void *buf, size_t len, unsigned int *fw_error)
{
	struct kvm_sev *k = to_kvm_sev(p);
	struct kvm_sev_launch_update_data upd;

	if (!buf || len == 0 || len > UINT32_MAX)
		return refuse("KVM_SEV_LAUNCH_UPDATE_DATA", "bad region", fw_error);
	if (k->vmsa_recorded || k->vmsa_issued)
		return refuse("KVM_SEV_LAUNCH_UPDATE_DATA", "data after a VMSA", fw_error);
	upd = (struct kvm_sev_launch_update_data){.uaddr = uaddr(buf), .len = (uint32_t)len};
	return encrypt_op(k, KVM_SEV_LAUNCH_UPDATE_DATA, "KVM_SEV_LAUNCH_UPDATE_DATA", &upd,
			  fw_error);
}

/* Recorded only; see kvm_sev.h for why the ioctl waits for launch_measure. */
static int launch_update_vmsa(struct sev_platform *p, unsigned int vcpu_index, uint8_t *vmsa_page,
			      unsigned int *fw_error)
{
	struct kvm_sev *k = to_kvm_sev(p);

	(void)vmsa_page; /* KVM builds the VMSA from its own vCPU state */
	if (k->vmsa_issued)
		return refuse("KVM_SEV_LAUNCH_UPDATE_VMSA", "VMSAs already encrypted", fw_error);
	if (vcpu_index != k->vmsa_recorded)
		return refuse("KVM_SEV_LAUNCH_UPDATE_VMSA", "vCPUs out of order", fw_error);
	k->vmsa_recorded++;
	*fw_error = 0;
	return 0;
}

static int flush_vmsa(struct kvm_sev *k, unsigned int *fw_error)
{
	int ret;

	*fw_error = 0;
	if (!k->vmsa_recorded || k->vmsa_issued)
		return 0;
	ret =
	    encrypt_op(k, KVM_SEV_LAUNCH_UPDATE_VMSA, "KVM_SEV_LAUNCH_UPDATE_VMSA", NULL, fw_error);
	if (ret == 0)
		k->vmsa_issued = true;
	return ret;
}

/*
 * Two steps, as the kernel documents: with len 0 KVM only asks the firmware
 * for the blob's size (the firmware answers INVALID_LENGTH, which KVM
 * returns as -EIO, but writes len all the same); then the real command.
 */
static int launch_measure(struct sev_platform *p, struct sev_launch_measure *out,
			  unsigned int *fw_error)
{
	struct kvm_sev *k = to_kvm_sev(p);
	struct kvm_sev_launch_measure m = {0};
	uint32_t fw = 0;
	int ret;

	if (!out)
		return refuse("KVM_SEV_LAUNCH_MEASURE", "no output", fw_error);
	ret = flush_vmsa(k, fw_error);
	if (ret < 0)
		return ret;

	ret = sev_ioctl_encrypt_op(k->vm_fd, KVM_SEV_LAUNCH_MEASURE, &m, k->sev_fd, &fw);
	if (m.len == 0) {
		if (ret == 0)
			ret = -EPROTO;
		*fw_error = ret < 0 ? fw : 0;
		fprintf(stderr, "kvm-sev: KVM_SEV_LAUNCH_MEASURE (size query): %s", strerror(-ret));
		if (fw)
			fprintf(stderr, " (firmware status %s, 0x%02x)", sev_status_name(fw), fw);
		fputc('\n', stderr);
		return ret;
	}
	if (m.len != sizeof(*out)) {
		fprintf(stderr, "kvm-sev: KVM_SEV_LAUNCH_MEASURE: blob of %u bytes, expected %zu\n",
			m.len, sizeof(*out));
		*fw_error = 0;
		return -EPROTO;
	}
	m.uaddr = uaddr(out);
	return encrypt_op(k, KVM_SEV_LAUNCH_MEASURE, "KVM_SEV_LAUNCH_MEASURE", &m, fw_error);
}

static int launch_secret(struct sev_platform *p, const struct sev_launch_secret *s,
			 unsigned int *fw_error)
{
	struct kvm_sev *k = to_kvm_sev(p);
	struct kvm_sev_launch_secret sec;

	if (!s || !s->hdr || !s->packet || !s->target || s->packet_len == 0 ||
	    s->packet_len > UINT32_MAX)
		return refuse("KVM_SEV_LAUNCH_SECRET", "bad packet", fw_error);
	/* CTR needs no padding: guest_len == trans_len (secret.h). */
	sec = (struct kvm_sev_launch_secret){
	    .hdr_uaddr = uaddr(s->hdr),
	    .hdr_len = sizeof(*s->hdr),
	    .guest_uaddr = uaddr(s->target),
	    .guest_len = (uint32_t)s->packet_len,
	    .trans_uaddr = uaddr(s->packet),
	    .trans_len = (uint32_t)s->packet_len,
	};
	return encrypt_op(k, KVM_SEV_LAUNCH_SECRET, "KVM_SEV_LAUNCH_SECRET", &sec, fw_error);
}

static int launch_finish(struct sev_platform *p, unsigned int *fw_error)
{
	return encrypt_op(to_kvm_sev(p), KVM_SEV_LAUNCH_FINISH, "KVM_SEV_LAUNCH_FINISH", NULL,
			  fw_error);
}

static int guest_status(struct sev_platform *p, struct sev_guest_status *st, unsigned int *fw_error)
{
	struct kvm_sev *k = to_kvm_sev(p);
	struct kvm_sev_guest_status gs = {0};
	int ret;

	if (!st)
		return refuse("KVM_SEV_GUEST_STATUS", "no output", fw_error);
	ret = encrypt_op(k, KVM_SEV_GUEST_STATUS, "KVM_SEV_GUEST_STATUS", &gs, fw_error);
	if (ret == 0) {
		/* The firmware's state numbering is enum sev_guest_state's. */
		st->state = gs.state;
		st->policy = gs.policy;
	}
	return ret;
}

static const struct sev_platform_ops kvm_sev_ops = {
    .name = "kvm-sev",
    .init = init_op,
    .launch_start = launch_start,
    .launch_update_data = launch_update_data,
    .launch_update_vmsa = launch_update_vmsa,
    .launch_measure = launch_measure,
    .launch_secret = launch_secret,
    .launch_finish = launch_finish,
    .guest_status = guest_status,
    .debug_decrypt = debug_decrypt,
    /* save_vcpu_vmsa, resume_vcpu_from_vmsa: mainline KVM has no SEV-ES
     * interface for either (sev-facts.md); left NULL (platform.h). */
};

int kvm_sev_new(int vm_fd, int sev_fd, bool have_init2, struct kvm_sev **out)
{
	struct kvm_sev *k;

	if (vm_fd < 0 || sev_fd < 0 || !out)
		return -EINVAL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->platform.ops = &kvm_sev_ops;
	k->vm_fd = vm_fd;
	k->sev_fd = sev_fd;
	k->have_init2 = have_init2;
	*out = k;
	return 0;
}

void kvm_sev_free(struct kvm_sev *k)
{
	if (!k)
		return;
	free(k->owner_cert);
	free(k);
}

int kvm_sev_set_owner_cert(struct kvm_sev *k, const void *cert, size_t len)
{
	uint8_t *copy;

	if (!cert || len == 0 || len > UINT32_MAX)
		return -EINVAL;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, cert, len);
	free(k->owner_cert);
	k->owner_cert = copy;
	k->owner_cert_len = len;
	return 0;
}

uint32_t kvm_sev_handle(const struct kvm_sev *k)
{
	return k->handle;
}

struct sev_platform *kvm_sev_platform(struct kvm_sev *k)
{
	return &k->platform;
}
