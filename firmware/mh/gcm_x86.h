/* SPDX-License-Identifier: MIT */
/*
 * AES-256-GCM's bulk passes with AES-NI and PCLMULQDQ, eight blocks at a
 * time (gcm_x86.c): what makes the Migration Handler's records as fast as
 * the host's OpenSSL. record.c composes GCM from these as it does from
 * BearSSL's CTR and GHASH; BearSSL still makes the key schedule and H, and
 * stays the fallback and the reference the unit tests compare against.
 *
 * Only for CPUs with AES-NI, PCLMULQDQ, SSSE3 and SSE4.1: the caller
 * checks (record.c takes BearSSL's x86ni and pclmul probes, whose code
 * needs the same). Built with those extensions enabled; CPL3 only.
 */
#ifndef SEVM_FIRMWARE_MH_GCM_X86_H
#define SEVM_FIRMWARE_MH_GCM_X86_H

#include <stddef.h>
#include <stdint.h>

#define MH_GCM_X86_ROUNDS 14 /* AES-256 */
#define MH_GCM_X86_LANES 8   /* blocks per step, and powers of H kept */
#define MH_GCM_X86_PAGE 4096 /* a guest page */

struct mh_gcm_x86 {
	/* Encryption round keys 0..14, as AESENC takes them. */
	uint8_t rk[MH_GCM_X86_ROUNDS + 1][16] __attribute__((aligned(16)));
	/* H^1..H^8, byte-reversed (the order PCLMULQDQ multiplies in). */
	uint8_t hpow[MH_GCM_X86_LANES][16] __attribute__((aligned(16)));
	/* Each power's two halves xored (Karatsuba's middle operand). */
	uint8_t hfold[MH_GCM_X86_LANES][16] __attribute__((aligned(16)));
};

/* Keep the round keys (BearSSL's AES-NI schedule for a 256-bit key) and
 * derive the powers of H = AES(K, 0^128) (GCM byte order). */
void mh_gcm_x86_init(struct mh_gcm_x86 *k, const uint8_t round_keys[(MH_GCM_X86_ROUNDS + 1) * 16],
		     const uint8_t h[16]);

/*
 * The three passes, each with the calling convention of its BearSSL
 * counterpart: y is the GHASH state in GCM byte order; data is hashed as
 * if zero-padded to whole blocks; the counter block is nonce (12 bytes) |
 * big-endian cc, and the counter after the last whole block is returned.
 *   ctr:   data ^= keystream (encrypt or decrypt in place)
 *   ghash: y = GHASH(y, data)
 *   seal:  ctr, then ghash of the resulting ciphertext, in one pass
 */
uint32_t mh_gcm_x86_ctr(const struct mh_gcm_x86 *k, const uint8_t nonce[12], uint32_t cc,
			void *data, size_t len);
void mh_gcm_x86_ghash(const struct mh_gcm_x86 *k, uint8_t y[16], const void *data, size_t len);
uint32_t mh_gcm_x86_seal(const struct mh_gcm_x86 *k, const uint8_t nonce[12], uint32_t cc,
			 void *data, size_t len, uint8_t y[16]);

/*
 * A guest page's CTR, from src (read once) into dst, with counters cc ..
 * cc + 255; meanwhile, if hash is not NULL, y = GHASH(y, hash[0..4096)).
 * Returns the OR of src's words as read: 0 for a page of zeros.
 */
uint64_t mh_gcm_x86_seal_page(const struct mh_gcm_x86 *k, const uint8_t nonce[12], uint32_t cc,
			      const uint8_t *src, uint8_t *dst, const uint8_t *hash, uint8_t y[16]);

/* y = y * H^m in GF(2^128): what GHASH's state before m more blocks
 * contributes after them, so that a stream can be hashed before the
 * additional data that precedes it is final. */
void mh_gcm_x86_mul_hpow(const struct mh_gcm_x86 *k, uint8_t y[16], uint64_t m);

#endif
