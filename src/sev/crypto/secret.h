/* SPDX-License-Identifier: MIT */
/*
 * LAUNCH_SECRET packets: a secret the owner releases into guest memory once
 * the launch measurement verified (AMD SEV API, LAUNCH_SECRET; virtee/sev
 * Session::secret).
 *
 *   header     = { u32 flags; iv[16]; mac[32] }
 *   ciphertext = AES-128-CTR(TEK, iv, secret)
 *   mac        = HMAC-SHA256(TIK, 0x01 | LE32 flags | iv | LE32 guest_len |
 *                            LE32 trans_len | ciphertext | MEASURE[32])
 *
 * CTR needs no padding, so guest_len == trans_len. Binding MEASURE means the
 * packet is only accepted by the launch the owner verified.
 */
#ifndef SEVM_SEV_CRYPTO_SECRET_H
#define SEVM_SEV_CRYPTO_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "sev/crypto/crypto.h"
#include "sev/crypto/session.h"

#define SEV_SECRET_FLAG_COMPRESSED (1u << 0)
#define SEV_SECRET_CTX_SECRET 0x01 /* channel context byte for SECRET */
#define SEV_SECRET_HEADER_SIZE 52

/* The packet header as LAUNCH_SECRET carries it; flags is little-endian. */
struct sev_secret_header {
	uint32_t flags;
	uint8_t iv[SEV_IV_SIZE];
	uint8_t mac[SEV_MAC_SIZE];
};

_Static_assert(sizeof(struct sev_secret_header) == SEV_SECRET_HEADER_SIZE, "secret header layout");

/*
 * Owner side: encrypt len bytes of data into ciphertext (len bytes) and fill
 * hdr. The caller draws iv at random for every packet. Returns 0 or -errno.
 */
int sev_secret_build(const struct sev_transport_keys *tk, const uint8_t measure[SEV_MAC_SIZE],
		     uint32_t flags, const uint8_t iv[SEV_IV_SIZE], const void *data, size_t len,
		     struct sev_secret_header *hdr, uint8_t *ciphertext)
    __attribute__((warn_unused_result));

/*
 * Platform side: verify the packet's MAC against this launch's MEASURE and
 * decrypt trans_len bytes of ciphertext into out. Returns 0,
 * -SEV_CRYPTO_EBADSECRET (out untouched), -EOPNOTSUPP for a compressed
 * packet, or -EINVAL.
 */
int sev_secret_open(const struct sev_transport_keys *tk, const uint8_t measure[SEV_MAC_SIZE],
		    const struct sev_secret_header *hdr, const uint8_t *ciphertext,
		    size_t trans_len, size_t guest_len, uint8_t *out)
    __attribute__((warn_unused_result));

#endif
