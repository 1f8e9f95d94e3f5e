/* SPDX-License-Identifier: MIT */
/*
 * The SEV key derivation function: NIST SP 800-108 §5.1 KDF in counter mode
 * with HMAC-SHA256 as the PRF (AMD SEV API, "Key Derivation Function").
 */
#ifndef SEVM_SEV_CRYPTO_KDF_H
#define SEVM_SEV_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Derive out_len bytes from key. Block i (from 1) is
 *   HMAC-SHA256(key, LE32(i) | label | 0x00 | ctx | LE32(out_len * 8))
 * and the output is the blocks concatenated, truncated to out_len.
 * ctx may be NULL when ctx_len is 0. Returns 0 or -errno.
 */
int sev_kdf(const uint8_t *key, size_t key_len, const char *label, const uint8_t *ctx,
	    size_t ctx_len, uint8_t *out, size_t out_len) __attribute__((warn_unused_result));

#endif
