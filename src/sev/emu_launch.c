// SPDX-License-Identifier: MIT
/*
 * The emu backend's SEV-ES launch state machine (see emu_launch.h).
 */
#include "sev/emu_launch.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "sev/crypto/crypto.h"
#include "sev/crypto/secret.h"
#include "sev/crypto/session.h"
#include "sev/emu_cpu.h"
#include "sev/vmsa.h"
#include "vmm/kvm.h"

#define P384_Z_SIZE SEV_P384_Z_SIZE

struct emu_launch {
	struct sev_platform plat; /* first: container of the ops' argument */
	EVP_PKEY *pdh;
	struct sev_build fw;
	enum sev_guest_state state;
	uint32_t policy;
	unsigned int nr_vmsa;
	struct sev_transport_keys tk;
	struct sev_launch_digest ld;
	uint8_t measure[SEV_MAC_SIZE];
	/* The VM this platform plays the CPU for (init); no vCPUs before. */
	bool bound;
	struct sev_vm_binding vm;
};

static struct emu_launch *to_emu(struct sev_platform *p)
{
	return (struct emu_launch *)((char *)p - offsetof(struct emu_launch, plat));
}

/* The platform refused: name the status, report it as KVM does (-EIO). */
static int refuse(unsigned int *fw_error, enum sev_status st)
{
	*fw_error = st;
	return -EIO;
}

/*
 * Z = ECDH(PDH private key, owner's point): the shared X coordinate,
 * big-endian, as OpenSSL (and so virtee/sev's owner tooling) derives it.
 * Returns 0, 1 when the owner's point is not a valid P-384 public key, or
 * -errno.
 */
static int ecdh_z(EVP_PKEY *pdh, const uint8_t pub[SEV_OWNER_PUB_SIZE], uint8_t z[P384_Z_SIZE])
{
	EVP_PKEY *peer;
	int ret = sev_p384_from_point(pub, &peer);

	if (ret)
		return ret == -EINVAL ? 1 : ret;
	ret = sev_ecdh_p384(pdh, peer, z);
	EVP_PKEY_free(peer);
	return ret == -EINVAL ? 1 : ret;
}

static int emu_init(struct sev_platform *p, const struct sev_vm_binding *vm,
		    unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);

	*fw_error = 0;
	if (!vm || (vm->nr_vcpus && !vm->vmsa_pages))
		return -EINVAL;
	if (e->bound || e->state != SEV_GUEST_STATE_UNINIT)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	e->vm = *vm;
	e->bound = true;
	return 0;
}

static uint8_t *vmsa_page_of(struct emu_launch *e, unsigned int vcpu_index)
{
	return e->vm.vmsa_pages + (size_t)vcpu_index * VMSA_PAGE_SIZE;
}

static bool api_supported(const struct sev_build *fw, uint32_t policy)
{
	unsigned int major = SEV_POLICY_API_MAJOR(policy), minor = SEV_POLICY_API_MINOR(policy);

	return fw->api_major > major || (fw->api_major == major && fw->api_minor >= minor);
}

static int emu_launch_start(struct sev_platform *p, const struct sev_launch_start *ls,
			    unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);
	struct sev_transport_keys tk;
	uint8_t z[P384_Z_SIZE];
	int ret;

	*fw_error = 0;
	if (!ls || !ls->session)
		return -EINVAL;
	if (e->state != SEV_GUEST_STATE_UNINIT)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);

	ret = ecdh_z(e->pdh, ls->owner_pub, z);
	if (ret > 0)
		return refuse(fw_error, SEV_STATUS_INVALID_CERTIFICATE);
	if (ret < 0)
		return ret;
	ret = sev_session_unwrap(z, sizeof(z), ls->session, ls->policy, &tk);
	sev_crypto_wipe(z, sizeof(z));
	if (ret == -SEV_CRYPTO_EBADWRAP || ret == -SEV_CRYPTO_EBADPOLICY)
		return refuse(fw_error, SEV_STATUS_BAD_MEASUREMENT);
	if (ret)
		return ret;

	if (!api_supported(&e->fw, ls->policy) || (ls->policy & SEV_POLICY_RESERVED) ||
	    !(ls->policy & SEV_POLICY_ES)) {
		sev_crypto_wipe(&tk, sizeof(tk));
		return refuse(fw_error, SEV_STATUS_POLICY_FAILURE);
	}

	ret = sev_launch_digest_init(&e->ld);
	if (ret) {
		sev_crypto_wipe(&tk, sizeof(tk));
		return ret;
	}
	e->tk = tk;
	sev_crypto_wipe(&tk, sizeof(tk));
	e->policy = ls->policy;
	e->nr_vmsa = 0;
	e->state = SEV_GUEST_STATE_LUPDATE;
	return 0;
}

static int emu_launch_update_data(struct sev_platform *p, void *buf, size_t len,
				  unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);
	int ret;

	*fw_error = 0;
	if (!buf)
		return -EINVAL;
	if (e->state != SEV_GUEST_STATE_LUPDATE || e->nr_vmsa)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	/* SEV API LAUNCH_UPDATE_DATA: 16-byte aligned address and length. */
	if ((uintptr_t)buf % 16)
		return refuse(fw_error, SEV_STATUS_INVALID_ADDRESS);
	if (!len || len % 16)
		return refuse(fw_error, SEV_STATUS_INVALID_LENGTH);
	ret = sev_launch_digest_add_data(&e->ld, buf, len);
	return ret;
}

static int emu_launch_update_vmsa(struct sev_platform *p, unsigned int vcpu_index,
				  uint8_t *vmsa_page, unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);
	int ret;

	*fw_error = 0;
	if (!vmsa_page || vcpu_index >= e->vm.nr_vcpus)
		return -EINVAL;
	if (e->state != SEV_GUEST_STATE_LUPDATE)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	/*
	 * As the CPU: the page becomes the vCPU's VMSA (in the firmware's
	 * VMSA page for it) and the state the vCPU starts from. Load first,
	 * so a vCPU KVM refuses leaves the digest untouched.
	 */
	ret = e->vm.vcpu_fds ? emu_cpu_load(e->vm.vcpu_fds[vcpu_index], vmsa_page) : 0;
	if (ret)
		return ret;
	ret = sev_launch_digest_add_vmsa(&e->ld, vmsa_page);
	if (ret)
		return ret;
	if (vmsa_page_of(e, vcpu_index) != vmsa_page)
		memcpy(vmsa_page_of(e, vcpu_index), vmsa_page, VMSA_PAGE_SIZE);
	e->nr_vmsa++;
	return 0;
}

static int emu_launch_measure(struct sev_platform *p, struct sev_launch_measure *out,
			      unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);
	uint8_t ld[SEV_DIGEST_SIZE], mnonce[SEV_NONCE_SIZE], measure[SEV_MAC_SIZE];
	int ret;

	*fw_error = 0;
	if (!out)
		return -EINVAL;
	if (e->state != SEV_GUEST_STATE_LUPDATE)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	if (RAND_bytes(mnonce, sizeof(mnonce)) != 1)
		return -EIO;
	ret = sev_launch_digest_final(&e->ld, ld);
	if (!ret)
		ret = sev_measure_compute(e->tk.tik, &e->fw, e->policy, ld, mnonce, measure);
	if (ret) {
		/* The digest is spent: this guest cannot be measured again. */
		sev_launch_digest_free(&e->ld);
		return ret;
	}
	memcpy(e->measure, measure, sizeof(measure));
	memcpy(out->measure, measure, sizeof(measure));
	memcpy(out->mnonce, mnonce, sizeof(mnonce));
	e->state = SEV_GUEST_STATE_LSECRET;
	return 0;
}

static int emu_launch_secret(struct sev_platform *p, const struct sev_launch_secret *s,
			     unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);
	int ret;

	*fw_error = 0;
	if (!s || !s->hdr || !s->packet || !s->target)
		return -EINVAL;
	if (e->state != SEV_GUEST_STATE_LSECRET)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	if ((uintptr_t)s->target % 16)
		return refuse(fw_error, SEV_STATUS_INVALID_ADDRESS);
	if (!s->packet_len || s->packet_len % 16 || s->packet_len > UINT32_MAX)
		return refuse(fw_error, SEV_STATUS_INVALID_LENGTH);
	/* One page at most, as KVM checks before the firmware sees it. */
	if ((uintptr_t)s->target % 4096 + s->packet_len > 4096)
		return -EINVAL;
	ret = sev_secret_open(&e->tk, e->measure, s->hdr, s->packet, s->packet_len, s->packet_len,
			      s->target);
	if (ret == -SEV_CRYPTO_EBADSECRET)
		return refuse(fw_error, SEV_STATUS_BAD_MEASUREMENT);
	if (ret == -EOPNOTSUPP)
		return refuse(fw_error, SEV_STATUS_UNSUPPORTED);
	if (ret == -EINVAL)
		return refuse(fw_error, SEV_STATUS_INVALID_LENGTH);
	return ret;
}

static int emu_launch_finish(struct sev_platform *p, unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);

	*fw_error = 0;
	if (e->state != SEV_GUEST_STATE_LSECRET)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	/* No PSP-based SEND in sevm: the transport keys have served. */
	sev_crypto_wipe(&e->tk, sizeof(e->tk));
	e->state = SEV_GUEST_STATE_RUNNING;
	return 0;
}

static int emu_guest_status(struct sev_platform *p, struct sev_guest_status *st,
			    unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);

	*fw_error = 0;
	if (!st)
		return -EINVAL;
	st->state = e->state;
	st->policy = e->policy;
	return 0;
}

static int emu_debug_decrypt(struct sev_platform *p, const void *src, void *dst, size_t len,
			     unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);

	*fw_error = 0;
	if (!src || !dst || !len)
		return -EINVAL;
	if (e->state == SEV_GUEST_STATE_UNINIT)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	if (e->policy & SEV_POLICY_NODBG)
		return refuse(fw_error, SEV_STATUS_POLICY_FAILURE);
	/* Memory is plaintext under emu (design brief §2): decrypting is a copy. */
	memmove(dst, src, len);
	return 0;
}

/* The migration operations need a launched guest and a vCPU this VM has. */
static int check_running_vcpu(struct emu_launch *e, unsigned int vcpu_index,
			      unsigned int *fw_error)
{
	*fw_error = 0;
	if (!e->vm.vcpu_fds || vcpu_index >= e->vm.nr_vcpus)
		return -EINVAL;
	if (e->state != SEV_GUEST_STATE_RUNNING)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	return 0;
}

static int emu_save_vcpu_vmsa(struct sev_platform *p, unsigned int vcpu_index,
			      unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);
	int ret = check_running_vcpu(e, vcpu_index, fw_error);

	if (ret)
		return ret;
	/* The state leaves the vCPU only to be sent: NOSEND forbids that. */
	if (e->policy & SEV_POLICY_NOSEND)
		return refuse(fw_error, SEV_STATUS_POLICY_FAILURE);
	return emu_cpu_save(e->vm.vcpu_fds[vcpu_index], vmsa_page_of(e, vcpu_index));
}

static int emu_resume_vcpu_from_vmsa(struct sev_platform *p, unsigned int vcpu_index,
				     unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);
	int fd, ret = check_running_vcpu(e, vcpu_index, fw_error);

	if (ret)
		return ret;
	fd = e->vm.vcpu_fds[vcpu_index];
	ret = emu_cpu_load(fd, vmsa_page_of(e, vcpu_index));
	return ret ?: kvm_set_mp_state(fd, KVM_MP_STATE_RUNNABLE);
}

static const struct sev_platform_ops emu_ops = {
    .name = "emu",
    .init = emu_init,
    .launch_start = emu_launch_start,
    .launch_update_data = emu_launch_update_data,
    .launch_update_vmsa = emu_launch_update_vmsa,
    .launch_measure = emu_launch_measure,
    .launch_secret = emu_launch_secret,
    .launch_finish = emu_launch_finish,
    .guest_status = emu_guest_status,
    .debug_decrypt = emu_debug_decrypt,
    .save_vcpu_vmsa = emu_save_vcpu_vmsa,
    .resume_vcpu_from_vmsa = emu_resume_vcpu_from_vmsa,
};

int emu_launch_new(EVP_PKEY *pdh, const struct sev_build *fw, struct emu_launch **out)
{
	struct emu_launch *e;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!pdh || !fw || !sev_key_is_p384_private(pdh))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (EVP_PKEY_up_ref(pdh) != 1) {
		free(e);
		return -ENOMEM;
	}
	e->plat.ops = &emu_ops;
	e->pdh = pdh;
	e->fw = *fw;
	e->state = SEV_GUEST_STATE_UNINIT;
	*out = e;
	return 0;
}

void emu_launch_free(struct emu_launch *e)
{
	if (!e)
		return;
	sev_launch_digest_free(&e->ld);
	EVP_PKEY_free(e->pdh);
	sev_crypto_wipe(e, sizeof(*e));
	free(e);
}

struct sev_platform *emu_launch_platform(struct emu_launch *e)
{
	return &e->plat;
}

bool emu_launch_allows_debug(const struct emu_launch *e)
{
	return e->state != SEV_GUEST_STATE_UNINIT && !(e->policy & SEV_POLICY_NODBG);
}

bool emu_launch_allows_send(const struct emu_launch *e)
{
	return e->state != SEV_GUEST_STATE_UNINIT && !(e->policy & SEV_POLICY_NOSEND);
}
