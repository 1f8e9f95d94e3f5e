// SPDX-License-Identifier: MIT
/*
 * AMD SEV certificates (format and sources: cert.h). ECDSA signatures are
 * made and checked through OpenSSL's DER form; the certificate stores r and
 * s as little-endian 72-byte fields.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sev/cert.h"
#include "sev/crypto/crypto.h"

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t sev_cert_version(const uint8_t cert[SEV_CERT_SIZE])
{
	return get_le32(cert + SEV_CERT_OFF_VERSION);
}

uint32_t sev_cert_usage(const uint8_t cert[SEV_CERT_SIZE])
{
	return get_le32(cert + SEV_CERT_OFF_USAGE);
}

uint32_t sev_cert_algo(const uint8_t cert[SEV_CERT_SIZE])
{
	return get_le32(cert + SEV_CERT_OFF_ALGO);
}

uint32_t sev_cert_sig_usage(const uint8_t cert[SEV_CERT_SIZE], unsigned int slot)
{
	if (slot >= SEV_CERT_SIG_SLOTS)
		return SEV_USAGE_INVALID;
	return get_le32(cert + SEV_CERT_OFF_SIG(slot) + SEV_CERT_SIG_OFF_USAGE);
}

uint32_t sev_cert_sig_algo(const uint8_t cert[SEV_CERT_SIZE], unsigned int slot)
{
	if (slot >= SEV_CERT_SIG_SLOTS)
		return SEV_ALGO_NONE;
	return get_le32(cert + SEV_CERT_OFF_SIG(slot) + SEV_CERT_SIG_OFF_ALGO);
}

static bool is_p384(EVP_PKEY *k)
{
	char group[32];

	if (!k || !EVP_PKEY_is_a(k, "EC"))
		return false;
	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    NULL))
		return false;
	return !strcmp(group, "P-384") || !strcmp(group, "secp384r1");
}

static const EVP_MD *ecdsa_md(uint32_t algo)
{
	switch (algo) {
	case SEV_ALGO_ECDSA_SHA256:
		return EVP_sha256();
	case SEV_ALGO_ECDSA_SHA384:
		return EVP_sha384();
	default:
		return NULL;
	}
}

static bool is_sig_usage(uint32_t usage)
{
	switch (usage) {
	case SEV_USAGE_ARK:
	case SEV_USAGE_ASK:
	case SEV_USAGE_OCA:
	case SEV_USAGE_PEK:
	case SEV_USAGE_PDH:
	case SEV_USAGE_CEK:
		return true;
	default:
		return false;
	}
}

static void empty_slot(uint8_t *sig)
{
	memset(sig, 0, SEV_CERT_SIG_SLOT_SIZE);
	sev_put_le32(sig + SEV_CERT_SIG_OFF_USAGE, SEV_USAGE_INVALID);
	sev_put_le32(sig + SEV_CERT_SIG_OFF_ALGO, SEV_ALGO_NONE);
}

int sev_cert_build(uint8_t out[SEV_CERT_SIZE], uint32_t usage, uint32_t algo, EVP_PKEY *pub,
		   uint8_t api_major, uint8_t api_minor)
{
	BIGNUM *x = NULL, *y = NULL;
	int ret = -EINVAL;

	switch (usage) {
	case SEV_USAGE_OCA:
	case SEV_USAGE_PEK:
	case SEV_USAGE_PDH:
	case SEV_USAGE_CEK:
		break;
	default:
		return -EINVAL;
	}
	switch (algo) {
	case SEV_ALGO_ECDSA_SHA256:
	case SEV_ALGO_ECDSA_SHA384:
	case SEV_ALGO_ECDH_SHA256:
	case SEV_ALGO_ECDH_SHA384:
		break;
	default:
		return -EINVAL;
	}
	if (!is_p384(pub))
		return -EINVAL;
	if (EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
		goto out;

	memset(out, 0, SEV_CERT_SIZE);
	sev_put_le32(out + SEV_CERT_OFF_VERSION, SEV_CERT_VERSION);
	out[SEV_CERT_OFF_API_MAJOR] = api_major;
	out[SEV_CERT_OFF_API_MINOR] = api_minor;
	sev_put_le32(out + SEV_CERT_OFF_USAGE, usage);
	sev_put_le32(out + SEV_CERT_OFF_ALGO, algo);
	sev_put_le32(out + SEV_CERT_OFF_CURVE, SEV_CERT_CURVE_P384);
	if (BN_bn2lebinpad(x, out + SEV_CERT_OFF_QX, SEV_CERT_ECC_FIELD_SIZE) < 0 ||
	    BN_bn2lebinpad(y, out + SEV_CERT_OFF_QY, SEV_CERT_ECC_FIELD_SIZE) < 0) {
		memset(out, 0, SEV_CERT_SIZE);
		goto out;
	}
	for (unsigned int i = 0; i < SEV_CERT_SIG_SLOTS; i++)
		empty_slot(out + SEV_CERT_OFF_SIG(i));
	ret = 0;
out:
	BN_free(x);
	BN_free(y);
	return ret;
}

int sev_cert_sign(uint8_t cert[SEV_CERT_SIZE], unsigned int slot, uint32_t signer_usage,
		  uint32_t algo, EVP_PKEY *signer)
{
	const EVP_MD *md = ecdsa_md(algo);
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	const BIGNUM *r, *s;
	uint8_t *sig;
	size_t der_len = 0;
	int ret = -EINVAL;

	if (slot >= SEV_CERT_SIG_SLOTS || !md || !is_sig_usage(signer_usage) || !is_p384(signer))
		return -EINVAL;
	if (sev_cert_version(cert) != SEV_CERT_VERSION)
		return -EINVAL;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, signer) != 1 ||
	    EVP_DigestSign(ctx, NULL, &der_len, cert, SEV_CERT_BODY_SIZE) != 1)
		goto out;
	der = OPENSSL_malloc(der_len);
	if (!der) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_DigestSign(ctx, der, &der_len, cert, SEV_CERT_BODY_SIZE) != 1)
		goto out;
	p = der;
	es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!es)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);

	sig = cert + SEV_CERT_OFF_SIG(slot);
	memset(sig, 0, SEV_CERT_SIG_SLOT_SIZE);
	sev_put_le32(sig + SEV_CERT_SIG_OFF_USAGE, signer_usage);
	sev_put_le32(sig + SEV_CERT_SIG_OFF_ALGO, algo);
	if (BN_bn2lebinpad(r, sig + SEV_CERT_SIG_OFF_R, SEV_CERT_ECC_FIELD_SIZE) < 0 ||
	    BN_bn2lebinpad(s, sig + SEV_CERT_SIG_OFF_S, SEV_CERT_ECC_FIELD_SIZE) < 0) {
		empty_slot(sig);
		goto out;
	}
	ret = 0;
out:
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* 1 valid, 0 invalid, negative on error. */
static int verify_slot(const uint8_t cert[SEV_CERT_SIZE], const uint8_t *sig, EVP_PKEY *pub)
{
	const EVP_MD *md = ecdsa_md(get_le32(sig + SEV_CERT_SIG_OFF_ALGO));
	BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *es = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL;
	int der_len, ret = -ENOMEM;

	if (!md)
		return 0;
	r = BN_lebin2bn(sig + SEV_CERT_SIG_OFF_R, SEV_CERT_ECC_FIELD_SIZE, NULL);
	s = BN_lebin2bn(sig + SEV_CERT_SIG_OFF_S, SEV_CERT_ECC_FIELD_SIZE, NULL);
	es = ECDSA_SIG_new();
	if (!r || !s || !es)
		goto out;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL; /* owned by es */
	der_len = i2d_ECDSA_SIG(es, &der);
	if (der_len <= 0)
		goto out;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto out;
	if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) != 1) {
		ret = -EINVAL;
		goto out;
	}
	ret = EVP_DigestVerify(ctx, der, (size_t)der_len, cert, SEV_CERT_BODY_SIZE) == 1;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	return ret;
}

int sev_cert_verify(const uint8_t cert[SEV_CERT_SIZE], uint32_t signer_usage, EVP_PKEY *signer_pub)
{
	if (sev_cert_version(cert) != SEV_CERT_VERSION || !is_p384(signer_pub) ||
	    !is_sig_usage(signer_usage))
		return -EINVAL;
	for (unsigned int i = 0; i < SEV_CERT_SIG_SLOTS; i++) {
		const uint8_t *sig = cert + SEV_CERT_OFF_SIG(i);
		int ok;

		if (get_le32(sig + SEV_CERT_SIG_OFF_USAGE) != signer_usage)
			continue;
		ok = verify_slot(cert, sig, signer_pub);
		if (ok < 0)
			return ok;
		if (ok)
			return 0;
	}
	/* OpenSSL may queue errors for a malformed signature; they are not ours to keep. */
	ERR_clear_error();
	return -EBADMSG;
}

int sev_cert_verify_by(const uint8_t cert[SEV_CERT_SIZE], const uint8_t signer[SEV_CERT_SIZE])
{
	EVP_PKEY *pub = NULL;
	int ret;

	switch (sev_cert_algo(signer)) {
	case SEV_ALGO_ECDSA_SHA256:
	case SEV_ALGO_ECDSA_SHA384:
		break;
	default:
		return -EINVAL; /* not a signing key */
	}
	ret = sev_cert_pubkey(signer, &pub);
	if (ret)
		return ret;
	ret = sev_cert_verify(cert, sev_cert_usage(signer), pub);
	EVP_PKEY_free(pub);
	return ret;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return !acc;
}

int sev_cert_pubkey(const uint8_t cert[SEV_CERT_SIZE], EVP_PKEY **out)
{
	uint8_t point[1 + 2 * SEV_CERT_P384_SIZE];
	char group[] = "P-384";
	EVP_PKEY_CTX *fctx = NULL, *cctx = NULL;
	EVP_PKEY *k = NULL;
	OSSL_PARAM params[3];
	int ret = -EINVAL;

	*out = NULL;
	if (sev_cert_version(cert) != SEV_CERT_VERSION)
		return -EINVAL;
	switch (sev_cert_algo(cert)) {
	case SEV_ALGO_ECDSA_SHA256:
	case SEV_ALGO_ECDSA_SHA384:
	case SEV_ALGO_ECDH_SHA256:
	case SEV_ALGO_ECDH_SHA384:
		break;
	default:
		return -EINVAL;
	}
	if (get_le32(cert + SEV_CERT_OFF_CURVE) != SEV_CERT_CURVE_P384 ||
	    !all_zero(cert + SEV_CERT_OFF_QX + SEV_CERT_P384_SIZE,
		      SEV_CERT_ECC_FIELD_SIZE - SEV_CERT_P384_SIZE) ||
	    !all_zero(cert + SEV_CERT_OFF_QY + SEV_CERT_P384_SIZE,
		      SEV_CERT_ECC_FIELD_SIZE - SEV_CERT_P384_SIZE))
		return -EINVAL;

	/* Uncompressed SEC1 point: 0x04 || X || Y, big-endian. */
	point[0] = 0x04;
	for (size_t i = 0; i < SEV_CERT_P384_SIZE; i++) {
		point[1 + i] = cert[SEV_CERT_OFF_QX + SEV_CERT_P384_SIZE - 1 - i];
		point[1 + SEV_CERT_P384_SIZE + i] =
		    cert[SEV_CERT_OFF_QY + SEV_CERT_P384_SIZE - 1 - i];
	}

	fctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!fctx) {
		ret = -ENOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] =
	    OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(fctx) != 1 ||
	    EVP_PKEY_fromdata(fctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	cctx = EVP_PKEY_CTX_new(k, NULL);
	if (!cctx) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_PKEY_public_check(cctx) != 1)
		goto out;
	*out = k;
	k = NULL;
	ret = 0;
out:
	if (ret)
		ERR_clear_error();
	EVP_PKEY_CTX_free(cctx);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(fctx);
	return ret;
}
