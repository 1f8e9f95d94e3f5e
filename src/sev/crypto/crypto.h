/* SPDX-License-Identifier: MIT */
/*
 * Primitives shared by the SEV channel code: HMAC-SHA256 over a list of
 * parts, AES-128-CTR, constant-time comparison, and the error codes of
 * src/sev/crypto/. Both sides of the channel (the guest owner's tooling and
 * the emulated secure processor) use these, so a format is written once.
 */
#ifndef SEVM_SEV_CRYPTO_CRYPTO_H
#define SEVM_SEV_CRYPTO_CRYPTO_H

#include <openssl/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEV_KEY_SIZE 16	   /* TEK, TIK, KEK, KIK, master secret */
#define SEV_MAC_SIZE 32	   /* HMAC-SHA256 */
#define SEV_DIGEST_SIZE 32 /* SHA-256 */
#define SEV_NONCE_SIZE 16
#define SEV_IV_SIZE 16

/*
 * The module's own negative return codes, beyond -errno. Values sit above
 * the errno range so the two can never be confused.
 */
enum sev_crypto_err {
	SEV_CRYPTO_EBADWRAP = 4096, /* session blob: wrap_mac does not verify (wrong Z or nonce) */
	SEV_CRYPTO_EBADPOLICY,	    /* session blob: policy_mac does not match the policy */
	SEV_CRYPTO_EBADMEASURE,	    /* launch measurement does not match */
	SEV_CRYPTO_EBADSECRET,	    /* LAUNCH_SECRET packet MAC does not verify */
};

/* A message is MAC'd as the concatenation of its parts. */
struct sev_iov {
	const void *base;
	size_t len;
};

int sev_hmac_sha256(const uint8_t *key, size_t key_len, const struct sev_iov *parts, size_t nparts,
		    uint8_t out[SEV_MAC_SIZE]) __attribute__((warn_unused_result));

/* AES-128 in counter mode, 128-bit big-endian counter block starting at iv. */
int sev_aes128_ctr(const uint8_t key[SEV_KEY_SIZE], const uint8_t iv[SEV_IV_SIZE],
		   const uint8_t *in, uint8_t *out, size_t len) __attribute__((warn_unused_result));

/* SHA-256 of len bytes at data. Returns 0 or -EIO. */
int sev_sha256(const void *data, size_t len, uint8_t out[SEV_DIGEST_SIZE])
    __attribute__((warn_unused_result));

/* Constant-time equality: true when the len bytes at a and b are equal. */
int sev_crypto_equal(const void *a, const void *b, size_t len);

/* Zero key material so the compiler cannot elide the store. */
void sev_crypto_wipe(void *p, size_t len);

/* A message for a return code of this module: -errno or -enum sev_crypto_err. */
const char *sev_crypto_strerror(int err);

/* True for an EC key on P-384 that holds its private part: what the SEV
 * platform's PDH and the emu identity's keys must be. */
bool sev_key_is_p384_private(EVP_PKEY *k);

#define SEV_P384_POINT_SIZE 97 /* SEC1 uncompressed: 0x04 | X[48] | Y[48] */
#define SEV_P384_Z_SIZE 48

/* A P-384 public key from a SEC1 uncompressed point; -EINVAL when the point
 * is malformed or not on the curve, -ENOMEM. */
int sev_p384_from_point(const uint8_t point[SEV_P384_POINT_SIZE], EVP_PKEY **out)
    __attribute__((warn_unused_result));
/* The SEC1 uncompressed point of a P-384 key. Returns 0 or -EINVAL. */
int sev_p384_point(EVP_PKEY *k, uint8_t point[SEV_P384_POINT_SIZE])
    __attribute__((warn_unused_result));
/* ECDH: Z, the shared X coordinate (big-endian), of priv and peer's public
 * key; the peer is validated to lie on the curve. Returns 0, -EINVAL, -EIO. */
int sev_ecdh_p384(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t z[SEV_P384_Z_SIZE])
    __attribute__((warn_unused_result));

static inline void sev_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif
