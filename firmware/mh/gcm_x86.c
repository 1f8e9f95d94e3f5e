// SPDX-License-Identifier: MIT
/*
 * AES-256-GCM's bulk passes with AES-NI and PCLMULQDQ (gcm_x86.h).
 *
 * Why not BearSSL's: its AES-NI CTR runs four blocks at a time and its
 * GHASH is a separate pass, about 1.2 cycles per byte together here, while
 * OpenSSL, our yardstick, needs about 0.55. Eight independent AES blocks
 * keep the AES unit busy, and GHASH over eight blocks costs one reduction:
 *
 *   Y' = (Y + X1) H^8 + X2 H^7 + ... + X8 H       (NIST SP 800-38D, 6.4)
 *
 * The eight 256-bit carry-less products are summed unreduced (Karatsuba,
 * three PCLMULQDQs each) and reduced once, since the reduction is linear.
 *
 * GF(2^128) arithmetic follows Gueron and Kounavis, "Intel Carry-Less
 * Multiplication Instruction and its Usage for Computing the GCM Mode"
 * (Intel, rev. 2.02, 2014), section 4: blocks are byte-reversed, so that
 * GCM's reflected bit order becomes PCLMULQDQ's; the product of two
 * reflected values is then the reflected product shifted right by one,
 * which one left shift of the 256-bit product corrects before the
 * reduction modulo x^128 + x^7 + x^2 + x + 1 (in two phases of shifts).
 */
#define _MM_MALLOC_H_INCLUDED /* freestanding: xmmintrin.h must not pull in stdlib.h */
#include <smmintrin.h>
#include <tmmintrin.h>
#include <wmmintrin.h>

#include <string.h>

#include "gcm_x86.h"

/* Unrolled, the eight blocks stay in registers (GCC's -O2 would keep an
 * array of them in memory and reload it every round). */
#define LANES_UNROLLED _Pragma("GCC unroll 8")
#define ROUNDS_UNROLLED _Pragma("GCC unroll 14")

#define GROUP (16 * MH_GCM_X86_LANES)

/* ---- GHASH ---- */

/*
 * A 256-bit carry-less product in Karatsuba form: lo = a0 b0, hi = a1 b1,
 * mid = (a0 + a1)(b0 + b1). Sums of products stay in this form; reduce()
 * recovers the middle term once.
 */
struct wide {
	__m128i lo, mid, hi;
};

static inline struct wide wide_zero(void)
{
	return (struct wide){_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
}

static inline __m128i bswap128(__m128i x)
{
	return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* The xor of a value's two halves, in its low half. */
static inline __m128i fold(__m128i x)
{
	return _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4e));
}

/* w += a * b, with b_fold = fold(b) (precomputed for the powers of H). */
static inline void clmul_add(struct wide *w, __m128i a, __m128i b, __m128i b_fold)
{
	w->lo = _mm_xor_si128(w->lo, _mm_clmulepi64_si128(a, b, 0x00));
	w->hi = _mm_xor_si128(w->hi, _mm_clmulepi64_si128(a, b, 0x11));
	w->mid = _mm_xor_si128(w->mid, _mm_clmulepi64_si128(fold(a), b_fold, 0x00));
}

/* The reduced product, in the byte-reversed domain. */
static inline __m128i reduce(const struct wide *w)
{
	__m128i mid = _mm_xor_si128(w->mid, _mm_xor_si128(w->lo, w->hi));
	__m128i lo = _mm_xor_si128(w->lo, _mm_slli_si128(mid, 8));
	__m128i hi = _mm_xor_si128(w->hi, _mm_srli_si128(mid, 8));

	/* <hi:lo> <<= 1 (the reflected product is one bit short). */
	__m128i lo_top = _mm_srli_epi32(lo, 31), hi_top = _mm_srli_epi32(hi, 31);
	lo = _mm_or_si128(_mm_slli_epi32(lo, 1), _mm_slli_si128(lo_top, 4));
	hi = _mm_or_si128(_mm_slli_epi32(hi, 1), _mm_slli_si128(hi_top, 4));
	hi = _mm_or_si128(hi, _mm_srli_si128(lo_top, 12));

	/* First phase: fold the low 128 bits' x^127, x^126, x^121 terms. */
	__m128i a = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi32(lo, 31), _mm_slli_epi32(lo, 30)),
				  _mm_slli_epi32(lo, 25));
	__m128i carry = _mm_srli_si128(a, 4);
	lo = _mm_xor_si128(lo, _mm_slli_si128(a, 12));

	/* Second phase. */
	__m128i b = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi32(lo, 1), _mm_srli_epi32(lo, 2)),
				  _mm_srli_epi32(lo, 7));
	lo = _mm_xor_si128(lo, _mm_xor_si128(b, carry));
	return _mm_xor_si128(hi, lo);
}

static inline __m128i gf_mul(__m128i a, __m128i b)
{
	struct wide w = wide_zero();

	clmul_add(&w, a, b, fold(b));
	return reduce(&w);
}

static inline __m128i hpow(const struct mh_gcm_x86 *k, unsigned int i)
{
	return _mm_load_si128((const __m128i *)k->hpow[i]);
}

static inline __m128i hfold(const struct mh_gcm_x86 *k, unsigned int i)
{
	return _mm_load_si128((const __m128i *)k->hfold[i]);
}

/* w += block i of the group of eight at p, times its power of H; the
 * running Y joins block 0. */
static inline void ghash_lane(const struct mh_gcm_x86 *k, struct wide *w, __m128i y,
			      const uint8_t *p, unsigned int i)
{
	__m128i x = bswap128(_mm_loadu_si128((const __m128i *)p + i));

	if (i == 0)
		x = _mm_xor_si128(x, y);
	clmul_add(w, x, hpow(k, MH_GCM_X86_LANES - 1 - i), hfold(k, MH_GCM_X86_LANES - 1 - i));
}

/* Y after the eight blocks at p (Y byte-reversed, in and out). */
static inline __m128i ghash8(const struct mh_gcm_x86 *k, __m128i y, const uint8_t *p)
{
	struct wide w = wide_zero();

	LANES_UNROLLED
	for (unsigned int i = 0; i < MH_GCM_X86_LANES; i++)
		ghash_lane(k, &w, y, p, i);
	return reduce(&w);
}

/* Blocks beyond the last group of eight, the last one zero-padded. */
static __m128i ghash_tail(const struct mh_gcm_x86 *k, __m128i y, const uint8_t *p, size_t len)
{
	for (; len >= 16; p += 16, len -= 16)
		y = gf_mul(_mm_xor_si128(y, bswap128(_mm_loadu_si128((const __m128i *)p))),
			   hpow(k, 0));
	if (len) {
		uint8_t last[16] = {0};

		memcpy(last, p, len);
		y = gf_mul(_mm_xor_si128(y, bswap128(_mm_loadu_si128((const __m128i *)last))),
			   hpow(k, 0));
	}
	return y;
}

/* ---- AES-CTR ---- */

static inline __m128i rk(const struct mh_gcm_x86 *k, unsigned int r)
{
	return _mm_load_si128((const __m128i *)k->rk[r]);
}

static inline __m128i counter(__m128i base, uint32_t cc)
{
	return _mm_insert_epi32(base, (int)__builtin_bswap32(cc), 3);
}

static inline __m128i aes_block(const struct mh_gcm_x86 *k, __m128i x)
{
	x = _mm_xor_si128(x, rk(k, 0));
	for (unsigned int r = 1; r < MH_GCM_X86_ROUNDS; r++)
		x = _mm_aesenc_si128(x, rk(k, r));
	return _mm_aesenclast_si128(x, rk(k, MH_GCM_X86_ROUNDS));
}

/* The eight counter blocks cc .. cc+7, whitened with round key 0. */
static inline void aes8_start(const struct mh_gcm_x86 *k, __m128i base, uint32_t cc, __m128i ks[8])
{
	LANES_UNROLLED
	for (unsigned int i = 0; i < MH_GCM_X86_LANES; i++)
		ks[i] = _mm_xor_si128(counter(base, cc + i), rk(k, 0));
}

static inline void aes8_round(__m128i ks[8], __m128i key)
{
	LANES_UNROLLED
	for (unsigned int i = 0; i < MH_GCM_X86_LANES; i++)
		ks[i] = _mm_aesenc_si128(ks[i], key);
}

static inline void aes8_last(const struct mh_gcm_x86 *k, __m128i ks[8])
{
	LANES_UNROLLED
	for (unsigned int i = 0; i < MH_GCM_X86_LANES; i++)
		ks[i] = _mm_aesenclast_si128(ks[i], rk(k, MH_GCM_X86_ROUNDS));
}

/* p[0..GROUP) ^= the keystream ks */
static inline void xor8(uint8_t *p, const __m128i ks[8])
{
	LANES_UNROLLED
	for (unsigned int i = 0; i < MH_GCM_X86_LANES; i++) {
		__m128i *q = (__m128i *)p + i;

		_mm_storeu_si128(q, _mm_xor_si128(_mm_loadu_si128(q), ks[i]));
	}
}

/* CTR over less than a group; returns the next counter. */
static uint32_t ctr_tail(const struct mh_gcm_x86 *k, __m128i base, uint32_t cc, uint8_t *p,
			 size_t len)
{
	for (; len >= 16; p += 16, len -= 16, cc++) {
		__m128i *q = (__m128i *)p;

		_mm_storeu_si128(q, _mm_xor_si128(_mm_loadu_si128(q), aes_block(k, counter(base, cc))));
	}
	if (len) {
		uint8_t ks[16];

		_mm_storeu_si128((__m128i *)ks, aes_block(k, counter(base, cc)));
		for (size_t i = 0; i < len; i++)
			p[i] ^= ks[i];
		memset(ks, 0, sizeof(ks));
		__asm__ volatile("" : : "r"(ks) : "memory");
	}
	return cc; /* a partial block is the last: not counted, as BearSSL's run() */
}

static __m128i counter_base(const uint8_t nonce[12])
{
	uint8_t b[16] = {0};

	memcpy(b, nonce, 12);
	return _mm_loadu_si128((const __m128i *)b);
}

/* ---- the passes ---- */

/* a * H^m, by square and multiply (m >= 1). */
static __m128i mul_hpow(const struct mh_gcm_x86 *k, __m128i a, uint64_t m)
{
	__m128i base = hpow(k, 0);

	for (; m; m >>= 1) {
		if (m & 1)
			a = gf_mul(a, base);
		if (m > 1)
			base = gf_mul(base, base);
	}
	return a;
}

void mh_gcm_x86_mul_hpow(const struct mh_gcm_x86 *k, uint8_t y[16], uint64_t m)
{
	__m128i a = bswap128(_mm_loadu_si128((const __m128i *)y));

	if (m)
		_mm_storeu_si128((__m128i *)y, bswap128(mul_hpow(k, a, m)));
}

/*
 * One guest page: src read once, each 16 bytes both ORed into the zero
 * test and encrypted into dst, so that the zero test and the ciphertext
 * agree whatever the guest writes meanwhile. The reads from guest memory
 * overlap the AES work instead of forming a pass of their own; the GHASH
 * of the page before (hash) goes between the AES rounds, as in the seal
 * pass.
 */
uint64_t mh_gcm_x86_seal_page(const struct mh_gcm_x86 *k, const uint8_t nonce[12], uint32_t cc,
			      const uint8_t *src, uint8_t *dst, const uint8_t *hash, uint8_t y[16])
{
	__m128i base = counter_base(nonce), ks[MH_GCM_X86_LANES], any = _mm_setzero_si128();
	__m128i acc = bswap128(_mm_loadu_si128((const __m128i *)y));

	for (size_t off = 0; off < MH_GCM_X86_PAGE; off += GROUP, cc += MH_GCM_X86_LANES) {
		struct wide w = wide_zero();

		aes8_start(k, base, cc, ks);
		ROUNDS_UNROLLED
		for (unsigned int r = 1; r < MH_GCM_X86_ROUNDS; r++) {
			aes8_round(ks, rk(k, r));
			if (hash && r <= MH_GCM_X86_LANES)
				ghash_lane(k, &w, acc, hash + off, r - 1);
		}
		aes8_last(k, ks);
		if (hash)
			acc = reduce(&w);
		LANES_UNROLLED
		for (unsigned int i = 0; i < MH_GCM_X86_LANES; i++) {
			__m128i x = _mm_loadu_si128((const __m128i *)(src + off) + i);

			any = _mm_or_si128(any, x);
			_mm_storeu_si128((__m128i *)(dst + off) + i, _mm_xor_si128(x, ks[i]));
		}
	}
	_mm_storeu_si128((__m128i *)y, bswap128(acc));
	return (uint64_t)_mm_cvtsi128_si64(any) | (uint64_t)_mm_extract_epi64(any, 1);
}

void mh_gcm_x86_init(struct mh_gcm_x86 *k, const uint8_t round_keys[(MH_GCM_X86_ROUNDS + 1) * 16],
		     const uint8_t h[16])
{
	memcpy(k->rk, round_keys, sizeof(k->rk));
	__m128i h1 = bswap128(_mm_loadu_si128((const __m128i *)h)), p = h1;

	for (unsigned int i = 0; i < MH_GCM_X86_LANES; i++) {
		_mm_store_si128((__m128i *)k->hpow[i], p);
		_mm_store_si128((__m128i *)k->hfold[i], fold(p));
		p = gf_mul(p, h1);
	}
}

uint32_t mh_gcm_x86_ctr(const struct mh_gcm_x86 *k, const uint8_t nonce[12], uint32_t cc,
			void *data, size_t len)
{
	__m128i base = counter_base(nonce), ks[MH_GCM_X86_LANES];
	uint8_t *p = data;

	for (; len >= GROUP; p += GROUP, len -= GROUP, cc += MH_GCM_X86_LANES) {
		aes8_start(k, base, cc, ks);
		ROUNDS_UNROLLED
		for (unsigned int r = 1; r < MH_GCM_X86_ROUNDS; r++)
			aes8_round(ks, rk(k, r));
		aes8_last(k, ks);
		xor8(p, ks);
	}
	return ctr_tail(k, base, cc, p, len);
}

void mh_gcm_x86_ghash(const struct mh_gcm_x86 *k, uint8_t y[16], const void *data, size_t len)
{
	__m128i acc = bswap128(_mm_loadu_si128((const __m128i *)y));
	const uint8_t *p = data;

	for (; len >= GROUP; p += GROUP, len -= GROUP)
		acc = ghash8(k, acc, p);
	acc = ghash_tail(k, acc, p, len);
	_mm_storeu_si128((__m128i *)y, bswap128(acc));
}

/*
 * Software-pipelined: while the AES rounds of group n run, the GHASH of
 * group n-1's ciphertext (just stored, so in L1) goes between them, one
 * block per round. AESENC and PCLMULQDQ then share the core's cycles
 * instead of taking turns, and nothing waits on the reduction.
 */
uint32_t mh_gcm_x86_seal(const struct mh_gcm_x86 *k, const uint8_t nonce[12], uint32_t cc,
			 void *data, size_t len, uint8_t y[16])
{
	__m128i base = counter_base(nonce), ks[MH_GCM_X86_LANES];
	__m128i acc = bswap128(_mm_loadu_si128((const __m128i *)y));
	uint8_t *p = data, *prev = NULL;

	for (; len >= GROUP; prev = p, p += GROUP, len -= GROUP, cc += MH_GCM_X86_LANES) {
		struct wide w = wide_zero();

		aes8_start(k, base, cc, ks);
		ROUNDS_UNROLLED
		for (unsigned int r = 1; r < MH_GCM_X86_ROUNDS; r++) {
			aes8_round(ks, rk(k, r));
			if (prev && r <= MH_GCM_X86_LANES)
				ghash_lane(k, &w, acc, prev, r - 1);
		}
		aes8_last(k, ks);
		if (prev)
			acc = reduce(&w);
		xor8(p, ks);
	}
	if (prev)
		acc = ghash8(k, acc, prev);
	cc = ctr_tail(k, base, cc, p, len);
	acc = ghash_tail(k, acc, p, len);
	_mm_storeu_si128((__m128i *)y, bswap128(acc));
	return cc;
}
