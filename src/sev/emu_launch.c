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

#define P384_Z_SIZE 48

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
	EVP_PKEY_CTX *fctx = NULL, *dctx = NULL;
	EVP_PKEY *peer = NULL;
	OSSL_PARAM params[3];
	char group[] = "P-384";
	size_t zlen = P384_Z_SIZE;
	int ret = -ENOMEM;

	if (pub[0] != 0x04)
		return 1;
	fctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!fctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub,
						      SEV_OWNER_PUB_SIZE);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(fctx) != 1)
		goto out;
	if (EVP_PKEY_fromdata(fctx, &peer, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		ret = 1;
		goto out;
	}
	dctx = EVP_PKEY_CTX_new(pdh, NULL);
	if (!dctx || EVP_PKEY_derive_init(dctx) != 1)
		goto out;
	/* validate_peer: the point must lie on the curve. */
	if (EVP_PKEY_derive_set_peer_ex(dctx, peer, 1) != 1) {
		ret = 1;
		goto out;
	}
	if (EVP_PKEY_derive(dctx, z, &zlen) != 1 || zlen != P384_Z_SIZE) {
		ret = -EIO;
		goto out;
	}
	ret = 0;
out:
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_CTX_free(fctx);
	return ret;
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
	if (!len)
		return refuse(fw_error, SEV_STATUS_INVALID_LENGTH);
	ret = sev_launch_digest_add_data(&e->ld, buf, len);
	return ret;
}

static int emu_launch_update_vmsa(struct sev_platform *p, unsigned int vcpu_index,
				  uint8_t *vmsa_page, unsigned int *fw_error)
{
	struct emu_launch *e = to_emu(p);
	int ret;

	(void)vcpu_index;
	*fw_error = 0;
	if (!vmsa_page)
		return -EINVAL;
	if (e->state != SEV_GUEST_STATE_LUPDATE)
		return refuse(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
	ret = sev_launch_digest_add_vmsa(&e->ld, vmsa_page);
	if (ret)
		return ret;
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

static const struct sev_platform_ops emu_ops = {
    .name = "emu",
    .launch_start = emu_launch_start,
    .launch_update_data = emu_launch_update_data,
    .launch_update_vmsa = emu_launch_update_vmsa,
    .launch_measure = emu_launch_measure,
    .launch_secret = emu_launch_secret,
    .launch_finish = emu_launch_finish,
    .guest_status = emu_guest_status,
    /* save_vcpu_vmsa, resume_vcpu_from_vmsa: not implemented yet. */
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
