// SPDX-License-Identifier: MIT
#include "sev/crypto/crypto.h"

#include <errno.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

int sev_hmac_sha256(const uint8_t *key, size_t key_len, const struct sev_iov *parts, size_t nparts,
		    uint8_t out[SEV_MAC_SIZE])
{
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
	    OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t n = 0;
	int ret = -EIO;

	if (!key || !key_len)
		return -EINVAL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx || !EVP_MAC_init(ctx, key, key_len, params))
		goto out;
	for (size_t i = 0; i < nparts; i++) {
		if (parts[i].len && !EVP_MAC_update(ctx, parts[i].base, parts[i].len))
			goto out;
	}
	if (EVP_MAC_final(ctx, out, &n, SEV_MAC_SIZE) && n == SEV_MAC_SIZE)
		ret = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

int sev_aes128_ctr(const uint8_t key[SEV_KEY_SIZE], const uint8_t iv[SEV_IV_SIZE],
		   const uint8_t *in, uint8_t *out, size_t len)
{
	EVP_CIPHER_CTX *ctx;
	int ret = -EIO;
	int n, tail;

	if (len > INT_MAX)
		return -EINVAL;
	if (!len)
		return 0;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	/* CTR is a stream mode: update emits every byte, final emits none. */
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) &&
	    EVP_EncryptUpdate(ctx, out, &n, in, (int)len) && (size_t)n == len &&
	    EVP_EncryptFinal_ex(ctx, out + n, &tail) && tail == 0)
		ret = 0;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int sev_crypto_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void sev_crypto_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

const char *sev_crypto_strerror(int err)
{
	switch (-err) {
	case SEV_CRYPTO_EBADWRAP:
		return "session blob wrap MAC mismatch (wrong owner key, platform key or nonce)";
	case SEV_CRYPTO_EBADPOLICY:
		return "session blob policy MAC mismatch (policy differs from the owner's)";
	case SEV_CRYPTO_EBADMEASURE:
		return "launch measurement mismatch";
	case SEV_CRYPTO_EBADSECRET:
		return "LAUNCH_SECRET packet MAC mismatch";
	default:
		return strerror(-err);
	}
}

bool sev_key_is_p384_private(EVP_PKEY *k)
{
	BIGNUM *priv = NULL;
	char group[32];
	bool ok;

	if (!EVP_PKEY_is_a(k, "EC"))
		return false;
	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    NULL))
		return false;
	if (strcmp(group, "P-384") && strcmp(group, "secp384r1"))
		return false;
	ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1;
	BN_clear_free(priv);
	return ok;
}

int sev_p384_from_point(const uint8_t point[SEV_P384_POINT_SIZE], EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM params[3];
	char group[] = "P-384";
	int ret = -ENOMEM;

	*out = NULL;
	if (point[0] != 0x04)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point,
						      SEV_P384_POINT_SIZE);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(ctx) == 1)
		ret = EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1 ? 0 : -EINVAL;
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int sev_p384_point(EVP_PKEY *k, uint8_t point[SEV_P384_POINT_SIZE])
{
	size_t len = 0;

	if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, point, SEV_P384_POINT_SIZE,
					    &len) != 1 ||
	    len != SEV_P384_POINT_SIZE || point[0] != 0x04)
		return -EINVAL;
	return 0;
}

int sev_ecdh_p384(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t z[SEV_P384_Z_SIZE])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv, NULL);
	size_t zlen = SEV_P384_Z_SIZE;
	int ret = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	/* validate_peer: the point must lie on the curve. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) != 1) {
		ret = -EINVAL;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, z, &zlen) == 1 && zlen == SEV_P384_Z_SIZE)
		ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int sev_sha256(const void *data, size_t len, uint8_t out[SEV_DIGEST_SIZE])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == SEV_DIGEST_SIZE
		   ? 0
		   : -EIO;
}
