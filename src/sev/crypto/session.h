/* SPDX-License-Identifier: MIT */
/*
 * The LAUNCH_START session blob: how the guest owner hands the transport keys
 * (TEK, TIK) to the secure processor, bound to the guest policy.
 *
 *   Z      = ECDH P-384 shared secret (owner key x platform PDH)
 *   master = KDF(Z, "sev-master-secret", nonce)
 *   KEK    = KDF(master, "sev-kek", "")       KIK = KDF(master, "sev-kik", "")
 *   blob   = nonce[16] | wrap_tk[32] | wrap_iv[16] | wrap_mac[32] | policy_mac[32]
 *   wrap_tk    = AES-128-CTR(KEK, wrap_iv, TEK | TIK)
 *   wrap_mac   = HMAC-SHA256(KIK, wrap_tk)
 *   policy_mac = HMAC-SHA256(TIK, LE32 policy)
 *
 * (AMD SEV API, LAUNCH_START and "Transport Keys"; virtee/sev src/session.)
 * The owner builds the blob; the platform unwraps it.
 */
#ifndef SEVM_SEV_CRYPTO_SESSION_H
#define SEVM_SEV_CRYPTO_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "sev/crypto/crypto.h"

#define SEV_SESSION_BLOB_SIZE 128

/* The blob exactly as LAUNCH_START carries it; byte arrays only, no padding. */
struct sev_session_blob {
	uint8_t nonce[SEV_NONCE_SIZE];
	uint8_t wrap_tk[2 * SEV_KEY_SIZE];
	uint8_t wrap_iv[SEV_IV_SIZE];
	uint8_t wrap_mac[SEV_MAC_SIZE];
	uint8_t policy_mac[SEV_MAC_SIZE];
};

_Static_assert(sizeof(struct sev_session_blob) == SEV_SESSION_BLOB_SIZE, "session blob layout");

/* The guest's transport keys, chosen by the owner. */
struct sev_transport_keys {
	uint8_t tek[SEV_KEY_SIZE]; /* encrypts LAUNCH_SECRET payloads */
	uint8_t tik[SEV_KEY_SIZE]; /* MACs the policy, measurement and secrets */
};

/* Keys protecting the blob itself, derived from Z and the blob nonce. */
struct sev_channel_keys {
	uint8_t kek[SEV_KEY_SIZE];
	uint8_t kik[SEV_KEY_SIZE];
};

/* Derive master secret, then KEK and KIK. Returns 0 or -errno. */
int sev_session_derive(const uint8_t *z, size_t z_len, const uint8_t nonce[SEV_NONCE_SIZE],
		       struct sev_channel_keys *keys) __attribute__((warn_unused_result));

/*
 * Owner side: wrap tk for the platform sharing Z, under a fresh nonce and iv
 * the caller chose at random. Returns 0 or -errno.
 */
int sev_session_build(const uint8_t *z, size_t z_len, const uint8_t nonce[SEV_NONCE_SIZE],
		      const uint8_t iv[SEV_IV_SIZE], const struct sev_transport_keys *tk,
		      uint32_t policy, struct sev_session_blob *blob)
    __attribute__((warn_unused_result));

/*
 * Platform side: check wrap_mac, recover TEK and TIK, check policy_mac against
 * the policy LAUNCH_START was given. Returns 0, -SEV_CRYPTO_EBADWRAP,
 * -SEV_CRYPTO_EBADPOLICY or -errno; on failure tk is zeroed.
 */
int sev_session_unwrap(const uint8_t *z, size_t z_len, const struct sev_session_blob *blob,
		       uint32_t policy, struct sev_transport_keys *tk)
    __attribute__((warn_unused_result));

#endif
