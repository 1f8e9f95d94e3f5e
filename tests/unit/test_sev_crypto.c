// SPDX-License-Identifier: MIT
/*
 * Unit tests for the SEV channel cryptography (src/sev/crypto/).
 *
 * Two kinds of known answers:
 *  - published vectors from virtee/sev (github.com/virtee/sev, commit
 *    9cf2adbffa209cc5becf7ff89ffdf624e7278ced): src/session/key.rs tests
 *    `derive` and `mac`, src/session/mod.rs tests `initialized::session` and
 *    `initialized::verify`. These tie us to an implementation that has talked
 *    to real AMD firmware.
 *  - vectors for what virtee does not cover (multi-block KDF, a session blob
 *    with non-zero inputs, the launch digest, LAUNCH_SECRET packets), computed
 *    independently with Python 3's hmac/hashlib and the `cryptography`
 *    package's AES-CTR, straight from the formulas in the headers:
 *
 *      def kdf(key, label, ctx, n):
 *          out, i = b'', 1
 *          while len(out) < n:
 *              out += hmac.new(key, struct.pack('<I', i) + label + b'\0' + ctx +
 *                              struct.pack('<I', n * 8), sha256).digest()
 *              i += 1
 *          return out[:n]
 *      ctr = lambda k, iv, d: Cipher(AES(k), CTR(iv)).encryptor().update(d)
 *
 *    The same script reproduces the virtee vectors above, which checks the
 *    script itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sev/crypto/crypto.h"
#include "sev/crypto/kdf.h"
#include "sev/crypto/measure.h"
#include "sev/crypto/secret.h"
#include "sev/crypto/session.h"

static void fill_seq(uint8_t *p, size_t len, uint8_t first)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(first + i);
}

/* ---- virtee/sev published vectors ---- */

/* virtee/sev src/session/key.rs, test `derive`. */
static void test_kdf_virtee_master(void **state)
{
	static const uint8_t zero[16];
	static const uint8_t expect[16] = {
	    0xab, 0x4d, 0x26, 0x9f, 0xcc, 0x62, 0xbe, 0xdb,
	    0x45, 0x11, 0xd5, 0x6c, 0x38, 0x6c, 0xe7, 0x06,
	};
	uint8_t out[16];

	(void)state;
	assert_int_equal(sev_kdf(zero, 16, "sev-master-secret", zero, 16, out, 16), 0);
	assert_memory_equal(out, expect, 16);
}

/* virtee/sev src/session/key.rs, test `mac`: HMAC(zero key, 4 zero bytes). */
static const uint8_t virtee_zero_mac[32] = {
    0xaa, 0x78, 0x55, 0xe1, 0x38, 0x39, 0xdd, 0x76, 0x7c, 0xd5, 0xda, 0x7c, 0x1f, 0xf5, 0x03, 0x65,
    0x40, 0xc9, 0x26, 0x4b, 0x7a, 0x80, 0x30, 0x29, 0x31, 0x5e, 0x55, 0x37, 0x52, 0x87, 0xb4, 0xaf,
};

static void test_hmac_virtee(void **state)
{
	static const uint8_t zero[16];
	const struct sev_iov part = {zero, 4};
	uint8_t out[32];

	(void)state;
	assert_int_equal(sev_hmac_sha256(zero, 16, &part, 1, out), 0);
	assert_memory_equal(out, virtee_zero_mac, 32);
}

/*
 * virtee/sev src/session/mod.rs, test `initialized::session`: Z, nonce, iv,
 * TEK and TIK all 16 zero bytes, default policy (0).
 */
static void test_session_virtee(void **state)
{
	static const uint8_t zero[16];
	static const uint8_t wrap_tk[32] = {
	    0x21, 0x37, 0xbc, 0x7f, 0x9b, 0xb8, 0xbd, 0x7c, 0x3e, 0x55, 0xa5,
	    0x76, 0xa1, 0x5d, 0x34, 0x54, 0xb3, 0x85, 0x6b, 0x8b, 0xa2, 0x7a,
	    0xfa, 0xdf, 0x46, 0xdc, 0xfe, 0xe9, 0xf0, 0x2c, 0x02, 0xc4,
	};
	static const uint8_t wrap_mac[32] = {
	    0x31, 0x76, 0xc0, 0x75, 0x27, 0x38, 0xbd, 0x9d, 0x5e, 0x86, 0x68,
	    0x95, 0x34, 0x02, 0x0f, 0x52, 0x8c, 0x08, 0x8f, 0x16, 0x23, 0x88,
	    0x26, 0xb0, 0x00, 0xb3, 0x27, 0xde, 0xe6, 0xae, 0xed, 0x7d,
	};
	struct sev_transport_keys tk, back;
	struct sev_session_blob blob;

	(void)state;
	memset(&tk, 0, sizeof(tk));
	assert_int_equal(sev_session_build(zero, 16, zero, zero, &tk, 0, &blob), 0);
	assert_memory_equal(blob.nonce, zero, 16);
	assert_memory_equal(blob.wrap_iv, zero, 16);
	assert_memory_equal(blob.wrap_tk, wrap_tk, 32);
	assert_memory_equal(blob.wrap_mac, wrap_mac, 32);
	assert_memory_equal(blob.policy_mac, virtee_zero_mac, 32);

	assert_int_equal(sev_session_unwrap(zero, 16, &blob, 0, &back), 0);
	assert_memory_equal(&back, &tk, sizeof(tk));
}

/*
 * virtee/sev src/session/mod.rs, test `initialized::verify`: LD is SHA-256 of
 * nothing, firmware 0.18 build 15, policy 0.
 */
static const uint8_t virtee_ld[32] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};
static const uint8_t virtee_measure[32] = {
    0x6f, 0xaa, 0xb2, 0xda, 0xae, 0x38, 0x9b, 0xcd, 0x34, 0x05, 0xa0, 0x5d, 0x6c, 0xaf, 0xe3, 0x3c,
    0x04, 0x14, 0xf7, 0xbe, 0xdd, 0x0b, 0xae, 0x19, 0xba, 0x5f, 0x38, 0xb7, 0xfd, 0x16, 0x64, 0xea,
};
static const uint8_t virtee_mnonce[16] = {
    0x4f, 0xbe, 0x0b, 0xed, 0xba, 0xd6, 0xc8, 0x6a, 0xe8, 0xf6, 0x89, 0x71, 0xd1, 0x03, 0xe5, 0x54,
};
static const uint8_t virtee_tik[16] = {
    0x66, 0x32, 0x0d, 0xb7, 0x31, 0x58, 0xa3, 0x5a, 0x25, 0x5d, 0x05, 0x17, 0x58, 0xe9, 0x5e, 0xd4,
};
static const struct sev_build virtee_build = {.api_major = 0x00, .api_minor = 0x12, .build = 0x0f};

static void test_measure_virtee(void **state)
{
	struct sev_launch_digest ld;
	uint8_t digest[32], out[32];

	(void)state;
	/* An empty launch digest is SHA-256 of nothing. */
	assert_int_equal(sev_launch_digest_init(&ld), 0);
	assert_int_equal(sev_launch_digest_final(&ld, digest), 0);
	assert_memory_equal(digest, virtee_ld, 32);

	assert_int_equal(
	    sev_measure_compute(virtee_tik, &virtee_build, 0, digest, virtee_mnonce, out), 0);
	assert_memory_equal(out, virtee_measure, 32);
	assert_int_equal(
	    sev_measure_verify(virtee_tik, &virtee_build, 0, digest, virtee_mnonce, virtee_measure),
	    0);
}

/* ---- independently computed vectors (see the file comment) ---- */

/* kdf(bytes(range(48)), b'sevm-test', b'context', 40): two HMAC blocks. */
static void test_kdf_multiblock(void **state)
{
	static const uint8_t expect[40] = {
	    0x07, 0x91, 0xa6, 0xab, 0x56, 0x3b, 0x0e, 0xb3, 0x9f, 0x2c, 0x1a, 0x38, 0x18, 0x96,
	    0x11, 0xe1, 0x36, 0xe9, 0x55, 0x19, 0x4d, 0x49, 0x7e, 0x7b, 0xbf, 0x70, 0x00, 0x92,
	    0x54, 0x7b, 0x3b, 0xba, 0x3a, 0x83, 0x1f, 0xed, 0xf4, 0xfa, 0xce, 0xc9,
	};
	static const uint8_t ctx[] = "context";
	uint8_t key[48], out[40], shorter[16];

	(void)state;
	fill_seq(key, sizeof(key), 0);
	assert_int_equal(sev_kdf(key, sizeof(key), "sevm-test", ctx, 7, out, sizeof(out)), 0);
	assert_memory_equal(out, expect, sizeof(out));

	/* L is part of every block, so a shorter output is not a prefix. */
	assert_int_equal(sev_kdf(key, sizeof(key), "sevm-test", ctx, 7, shorter, 16), 0);
	assert_memory_not_equal(shorter, expect, 16);
}

static void test_kdf_bad_args(void **state)
{
	uint8_t key[16] = {1}, out[16];

	(void)state;
	assert_int_equal(sev_kdf(NULL, 16, "l", NULL, 0, out, 16), -EINVAL);
	assert_int_equal(sev_kdf(key, 0, "l", NULL, 0, out, 16), -EINVAL);
	assert_int_equal(sev_kdf(key, 16, NULL, NULL, 0, out, 16), -EINVAL);
	assert_int_equal(sev_kdf(key, 16, "l", NULL, 4, out, 16), -EINVAL);
	assert_int_equal(sev_kdf(key, 16, "l", NULL, 0, out, 0), -EINVAL);
	/* An empty context is legal: KEK and KIK use one. */
	assert_int_equal(sev_kdf(key, 16, "l", NULL, 0, out, 16), 0);
}

/* A P-384 sized Z and distinct nonce, iv, TEK, TIK; policy NODBG|ES, API 5.0. */
#define T_POLICY 0x00050005u

static void session_inputs(uint8_t z[48], uint8_t nonce[16], uint8_t iv[16],
			   struct sev_transport_keys *tk)
{
	fill_seq(z, 48, 0x80);
	fill_seq(nonce, 16, 0x40);
	fill_seq(iv, 16, 0x50);
	fill_seq(tk->tek, 16, 0x00);
	fill_seq(tk->tik, 16, 0x10);
}

static void test_session_vector(void **state)
{
	static const uint8_t wrap_tk[32] = {
	    0xd7, 0xfa, 0xc1, 0x8b, 0x61, 0x18, 0x38, 0x93, 0x3d, 0xd4, 0xc4,
	    0x7e, 0x2a, 0xfa, 0x82, 0x61, 0x2c, 0xfa, 0x3c, 0x71, 0x34, 0x1a,
	    0x01, 0x78, 0x54, 0x00, 0xc4, 0xbc, 0xd4, 0x9e, 0x94, 0x43,
	};
	static const uint8_t wrap_mac[32] = {
	    0x8e, 0xeb, 0x15, 0x43, 0xdf, 0xab, 0xf0, 0x75, 0x25, 0x4a, 0xc4,
	    0x31, 0xf4, 0xb2, 0x07, 0x63, 0x0d, 0x63, 0x43, 0xe9, 0x20, 0xcf,
	    0x03, 0x05, 0x3c, 0x8b, 0x39, 0x4d, 0x4e, 0x53, 0xa4, 0xf4,
	};
	static const uint8_t policy_mac[32] = {
	    0xa4, 0x80, 0xc4, 0xf5, 0xaa, 0x9a, 0xe4, 0x61, 0x81, 0x60, 0x9d,
	    0xb5, 0x0c, 0x9f, 0xf2, 0xb1, 0xbf, 0xa8, 0xfb, 0x8e, 0x99, 0x6f,
	    0xdc, 0x62, 0x3e, 0x9a, 0x70, 0x19, 0xbd, 0xaf, 0x80, 0x99,
	};
	uint8_t z[48], nonce[16], iv[16];
	struct sev_transport_keys tk;
	struct sev_session_blob blob;

	(void)state;
	session_inputs(z, nonce, iv, &tk);
	assert_int_equal(sev_session_build(z, sizeof(z), nonce, iv, &tk, T_POLICY, &blob), 0);
	assert_memory_equal(blob.nonce, nonce, 16);
	assert_memory_equal(blob.wrap_iv, iv, 16);
	assert_memory_equal(blob.wrap_tk, wrap_tk, 32);
	assert_memory_equal(blob.wrap_mac, wrap_mac, 32);
	assert_memory_equal(blob.policy_mac, policy_mac, 32);
}

static void test_session_roundtrip(void **state)
{
	uint8_t z[48], nonce[16], iv[16];
	struct sev_transport_keys tk, back;
	struct sev_session_blob blob;
	uint8_t raw[SEV_SESSION_BLOB_SIZE];

	(void)state;
	session_inputs(z, nonce, iv, &tk);
	assert_int_equal(sev_session_build(z, sizeof(z), nonce, iv, &tk, T_POLICY, &blob), 0);
	/* The wire form is the struct's bytes in field order. */
	memcpy(raw, &blob, sizeof(raw));
	assert_memory_equal(raw, nonce, 16);
	assert_memory_equal(raw + 16, blob.wrap_tk, 32);
	assert_memory_equal(raw + 48, iv, 16);
	assert_memory_equal(raw + 64, blob.wrap_mac, 32);
	assert_memory_equal(raw + 96, blob.policy_mac, 32);
	/* The keys never travel in the clear. */
	assert_memory_not_equal(blob.wrap_tk, tk.tek, 16);
	assert_memory_not_equal(blob.wrap_tk + 16, tk.tik, 16);

	assert_int_equal(sev_session_unwrap(z, sizeof(z), &blob, T_POLICY, &back), 0);
	assert_memory_equal(back.tek, tk.tek, 16);
	assert_memory_equal(back.tik, tk.tik, 16);
}

/*
 * Flip every bit of the blob in turn: nonce, wrap_tk and wrap_mac break the
 * wrap MAC; wrap_iv (not covered by wrap_mac) decrypts a different TIK, and
 * policy_mac obviously, break the policy MAC. None is accepted, and the
 * output keys are wiped on refusal.
 */
static void test_session_every_bit_refused(void **state)
{
	uint8_t z[48], nonce[16], iv[16];
	struct sev_transport_keys tk, back;
	struct sev_session_blob blob, bad;
	static const uint8_t zero_keys[sizeof(struct sev_transport_keys)];

	(void)state;
	session_inputs(z, nonce, iv, &tk);
	assert_int_equal(sev_session_build(z, sizeof(z), nonce, iv, &tk, T_POLICY, &blob), 0);
	for (size_t bit = 0; bit < 8 * sizeof(blob); bit++) {
		size_t byte = bit / 8;
		int expect = byte < offsetof(struct sev_session_blob, wrap_iv) ||
				     (byte >= offsetof(struct sev_session_blob, wrap_mac) &&
				      byte < offsetof(struct sev_session_blob, policy_mac))
				 ? -SEV_CRYPTO_EBADWRAP
				 : -SEV_CRYPTO_EBADPOLICY;

		bad = blob;
		((uint8_t *)&bad)[byte] ^= (uint8_t)(1u << (bit % 8));
		memset(&back, 0xee, sizeof(back));
		assert_int_equal(sev_session_unwrap(z, sizeof(z), &bad, T_POLICY, &back), expect);
		assert_memory_equal(&back, zero_keys, sizeof(back));
	}
}

static void test_session_wrong_policy_or_key(void **state)
{
	uint8_t z[48], nonce[16], iv[16];
	struct sev_transport_keys tk, back;
	struct sev_session_blob blob;

	(void)state;
	session_inputs(z, nonce, iv, &tk);
	assert_int_equal(sev_session_build(z, sizeof(z), nonce, iv, &tk, T_POLICY, &blob), 0);
	/* The platform was given another policy (here: debugging allowed). */
	assert_int_equal(sev_session_unwrap(z, sizeof(z), &blob, T_POLICY & ~1u, &back),
			 -SEV_CRYPTO_EBADPOLICY);
	assert_int_equal(sev_session_unwrap(z, sizeof(z), &blob, T_POLICY | (1u << 3), &back),
			 -SEV_CRYPTO_EBADPOLICY);
	/* Another platform (different Z), or a truncated Z. */
	z[47] ^= 1;
	assert_int_equal(sev_session_unwrap(z, sizeof(z), &blob, T_POLICY, &back),
			 -SEV_CRYPTO_EBADWRAP);
	z[47] ^= 1;
	assert_int_equal(sev_session_unwrap(z, 32, &blob, T_POLICY, &back), -SEV_CRYPTO_EBADWRAP);
	assert_int_equal(sev_session_unwrap(z, sizeof(z), &blob, T_POLICY, &back), 0);
	/* Messages name the failure. */
	assert_string_not_equal(sev_crypto_strerror(-SEV_CRYPTO_EBADWRAP),
				sev_crypto_strerror(-SEV_CRYPTO_EBADPOLICY));
	assert_non_null(strstr(sev_crypto_strerror(-SEV_CRYPTO_EBADPOLICY), "policy"));
}

/* Launch inputs: 3000 bytes of firmware, a 48-byte table, two VMSA pages. */
static uint8_t t_fw[3000], t_table[48], t_vmsa[2][SEV_VMSA_PAGE_SIZE];

static void launch_inputs(void)
{
	for (size_t i = 0; i < sizeof(t_fw); i++)
		t_fw[i] = (uint8_t)(i * 7 + 3);
	memset(t_table, 0x5a, sizeof(t_table));
	fill_seq(t_vmsa[0], SEV_VMSA_PAGE_SIZE, 0);
	fill_seq(t_vmsa[1], SEV_VMSA_PAGE_SIZE, 1);
}

static void launch_digest(uint8_t out[32])
{
	struct sev_launch_digest ld;

	assert_int_equal(sev_launch_digest_init(&ld), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_fw, sizeof(t_fw)), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_table, sizeof(t_table)), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, t_vmsa[0]), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, t_vmsa[1]), 0);
	assert_int_equal(sev_launch_digest_final(&ld, out), 0);
}

static const uint8_t t_ld[32] = {
    0x3e, 0x3a, 0x00, 0x93, 0x05, 0xc3, 0xb5, 0x04, 0xf8, 0x08, 0x72, 0xec, 0xf0, 0x40, 0xf3, 0xf6,
    0xb8, 0xfc, 0xb3, 0x29, 0x2f, 0xf9, 0x5e, 0x83, 0x74, 0x40, 0x92, 0x7d, 0xb0, 0x9c, 0x64, 0x4a,
};
/* MEASURE over t_ld with TIK 10..1f, API 1.55 build 21, T_POLICY, mnonce 30..3f. */
static const uint8_t t_measure[32] = {
    0x2a, 0x2e, 0x9b, 0x38, 0x1f, 0x27, 0x64, 0x4a, 0x0f, 0x0f, 0x22, 0x90, 0xfe, 0x8b, 0x9b, 0x57,
    0xe0, 0xf7, 0x7a, 0xb0, 0x32, 0x70, 0xa9, 0xfa, 0xfa, 0x58, 0x18, 0xef, 0xc1, 0xdc, 0x2b, 0x65,
};
static const struct sev_build t_build = {.api_major = 1, .api_minor = 55, .build = 21};

static void test_launch_digest_vector(void **state)
{
	struct sev_launch_digest ld;
	uint8_t out[32];

	(void)state;
	launch_inputs();
	launch_digest(out);
	assert_memory_equal(out, t_ld, 32);

	/* Region boundaries do not matter, only bytes and order. */
	assert_int_equal(sev_launch_digest_init(&ld), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_fw, 1000), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_fw + 1000, 2000), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, NULL, 0), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_table, sizeof(t_table)), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, t_vmsa[0]), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, t_vmsa[1]), 0);
	assert_int_equal(sev_launch_digest_final(&ld, out), 0);
	assert_memory_equal(out, t_ld, 32);

	/* A finished digest takes nothing more; freeing it again is harmless. */
	assert_int_equal(sev_launch_digest_add_data(&ld, t_table, 1), -EINVAL);
	assert_int_equal(sev_launch_digest_final(&ld, out), -EINVAL);
	sev_launch_digest_free(&ld);

	/* Abandoning an unfinished digest releases it (checked under ASan). */
	assert_int_equal(sev_launch_digest_init(&ld), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_fw, 10), 0);
	sev_launch_digest_free(&ld);
	sev_launch_digest_free(&ld);
}

static void test_measure_vector(void **state)
{
	uint8_t tik[16], mnonce[16], out[32];

	(void)state;
	fill_seq(tik, 16, 0x10);
	fill_seq(mnonce, 16, 0x30);
	assert_int_equal(sev_measure_compute(tik, &t_build, T_POLICY, t_ld, mnonce, out), 0);
	assert_memory_equal(out, t_measure, 32);
	assert_int_equal(sev_measure_verify(tik, &t_build, T_POLICY, t_ld, mnonce, t_measure), 0);
}

static void expect_other_ld(void)
{
	uint8_t out[32];

	launch_digest(out);
	assert_memory_not_equal(out, t_ld, 32);
	launch_inputs();
}

/* Any change to any launch input changes LD, and so MEASURE. */
static void test_launch_digest_sensitive(void **state)
{
	struct sev_launch_digest ld;
	uint8_t out[32];

	(void)state;
	launch_inputs();
	t_fw[0] ^= 1;
	expect_other_ld();
	t_fw[sizeof(t_fw) - 1] ^= 0x80;
	expect_other_ld();
	t_table[20] ^= 4;
	expect_other_ld();
	t_vmsa[0][0x3b0] ^= 1;
	expect_other_ld();
	t_vmsa[1][SEV_VMSA_PAGE_SIZE - 1] ^= 1;
	expect_other_ld();

	/* Same bytes, other order: VMSAs swapped, or a region left out. */
	assert_int_equal(sev_launch_digest_init(&ld), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_fw, sizeof(t_fw)), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_table, sizeof(t_table)), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, t_vmsa[1]), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, t_vmsa[0]), 0);
	assert_int_equal(sev_launch_digest_final(&ld, out), 0);
	assert_memory_not_equal(out, t_ld, 32);

	assert_int_equal(sev_launch_digest_init(&ld), 0);
	assert_int_equal(sev_launch_digest_add_data(&ld, t_fw, sizeof(t_fw)), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, t_vmsa[0]), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, t_vmsa[1]), 0);
	assert_int_equal(sev_launch_digest_final(&ld, out), 0);
	assert_memory_not_equal(out, t_ld, 32);
}

static void expect_refused(const uint8_t tik[16], const struct sev_build *b, uint32_t policy,
			   const uint8_t ld[32], const uint8_t mnonce[16])
{
	uint8_t out[32];

	assert_int_equal(sev_measure_compute(tik, b, policy, ld, mnonce, out), 0);
	assert_memory_not_equal(out, t_measure, 32);
	assert_int_equal(sev_measure_verify(tik, b, policy, ld, mnonce, t_measure),
			 -SEV_CRYPTO_EBADMEASURE);
}

static void test_measure_sensitive(void **state)
{
	uint8_t tik[16], mnonce[16], ld[32];
	struct sev_build b = t_build;

	(void)state;
	fill_seq(tik, 16, 0x10);
	fill_seq(mnonce, 16, 0x30);
	memcpy(ld, t_ld, 32);

	tik[15] ^= 1;
	expect_refused(tik, &b, T_POLICY, ld, mnonce);
	tik[15] ^= 1;
	b.api_major++;
	expect_refused(tik, &b, T_POLICY, ld, mnonce);
	b = t_build;
	b.api_minor++;
	expect_refused(tik, &b, T_POLICY, ld, mnonce);
	b = t_build;
	b.build++;
	expect_refused(tik, &b, T_POLICY, ld, mnonce);
	b = t_build;
	expect_refused(tik, &b, T_POLICY ^ 1, ld, mnonce);
	expect_refused(tik, &b, T_POLICY ^ (1u << 24), ld, mnonce);
	ld[31] ^= 1;
	expect_refused(tik, &b, T_POLICY, ld, mnonce);
	ld[31] ^= 1;
	mnonce[0] ^= 0x80;
	expect_refused(tik, &b, T_POLICY, ld, mnonce);
	mnonce[0] ^= 0x80;
	assert_int_equal(sev_measure_verify(tik, &b, T_POLICY, ld, mnonce, t_measure), 0);
}

/* ---- LAUNCH_SECRET ---- */

static const char t_secret[] = "sevm migration transport key: 0123456"; /* 37 bytes */
#define T_SECRET_LEN (sizeof(t_secret) - 1)

static const uint8_t t_secret_ct[T_SECRET_LEN] = {
    0xde, 0xbb, 0x1e, 0x9a, 0x8d, 0x24, 0x1b, 0x0f, 0xa1, 0x7b, 0x79, 0xb4, 0x33,
    0x1a, 0x90, 0xfb, 0x8c, 0xda, 0xa8, 0x5e, 0xed, 0x6e, 0x04, 0x1e, 0xe8, 0x80,
    0x5a, 0x36, 0x4d, 0xf6, 0x6b, 0xc9, 0xdd, 0xb6, 0x0d, 0x05, 0x5f,
};
static const uint8_t t_secret_mac[32] = {
    0xd0, 0xda, 0x3f, 0xdc, 0x20, 0x8d, 0x74, 0x7b, 0xd8, 0x2e, 0x2f, 0x33, 0x7b, 0xef, 0xa1, 0xf8,
    0x26, 0xba, 0x2f, 0xc6, 0xc1, 0x6d, 0xee, 0x75, 0x9f, 0xae, 0xf6, 0xb3, 0xd7, 0xc9, 0xf8, 0x6d,
};

struct packet {
	struct sev_transport_keys tk;
	struct sev_secret_header hdr;
	uint8_t ct[T_SECRET_LEN];
};

/* TEK 00..0f, TIK 10..1f, iv 60..6f, flags 0, bound to t_measure. */
static void build_packet(struct packet *p)
{
	uint8_t iv[16];

	fill_seq(p->tk.tek, 16, 0x00);
	fill_seq(p->tk.tik, 16, 0x10);
	fill_seq(iv, 16, 0x60);
	assert_int_equal(
	    sev_secret_build(&p->tk, t_measure, 0, iv, t_secret, T_SECRET_LEN, &p->hdr, p->ct), 0);
}

static void test_secret_vector_roundtrip(void **state)
{
	struct packet p;
	uint8_t out[T_SECRET_LEN], iv[16];

	(void)state;
	build_packet(&p);
	fill_seq(iv, 16, 0x60);
	assert_int_equal(p.hdr.flags, 0);
	assert_memory_equal(p.hdr.iv, iv, 16);
	assert_memory_equal(p.ct, t_secret_ct, T_SECRET_LEN);
	assert_memory_equal(p.hdr.mac, t_secret_mac, 32);

	assert_int_equal(
	    sev_secret_open(&p.tk, t_measure, &p.hdr, p.ct, T_SECRET_LEN, T_SECRET_LEN, out), 0);
	assert_memory_equal(out, t_secret, T_SECRET_LEN);
}

static void expect_bad_packet(const struct packet *p, const uint8_t measure[32], int err)
{
	uint8_t out[T_SECRET_LEN];

	memset(out, 0xcc, sizeof(out));
	assert_int_equal(
	    sev_secret_open(&p->tk, measure, &p->hdr, p->ct, T_SECRET_LEN, T_SECRET_LEN, out), err);
	/* Nothing is decrypted from a packet that did not verify. */
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xcc);
}

static void test_secret_tamper(void **state)
{
	struct packet good, p;
	uint8_t measure[32], out[T_SECRET_LEN];

	(void)state;
	build_packet(&good);
	for (size_t bit = 0; bit < 8 * 16; bit++) {
		p = good;
		p.hdr.iv[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect_bad_packet(&p, t_measure, -SEV_CRYPTO_EBADSECRET);
	}
	for (size_t bit = 0; bit < 8 * T_SECRET_LEN; bit++) {
		p = good;
		p.ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect_bad_packet(&p, t_measure, -SEV_CRYPTO_EBADSECRET);
	}
	for (size_t bit = 0; bit < 8 * 32; bit++) {
		p = good;
		p.hdr.mac[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect_bad_packet(&p, t_measure, -SEV_CRYPTO_EBADSECRET);
	}
	/* Another launch's measurement: the packet was not meant for it. */
	for (size_t bit = 0; bit < 8 * 32; bit++) {
		memcpy(measure, t_measure, 32);
		measure[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect_bad_packet(&good, measure, -SEV_CRYPTO_EBADSECRET);
	}
	/* Flags are covered; COMPRESSED is not supported at all. */
	p = good;
	p.hdr.flags = 2;
	expect_bad_packet(&p, t_measure, -SEV_CRYPTO_EBADSECRET);
	p.hdr.flags = SEV_SECRET_FLAG_COMPRESSED;
	expect_bad_packet(&p, t_measure, -EOPNOTSUPP);
	/* Another TIK (another session). */
	p = good;
	p.tk.tik[0] ^= 1;
	expect_bad_packet(&p, t_measure, -SEV_CRYPTO_EBADSECRET);
	/* Lengths: truncated, or guest_len differing from trans_len. */
	assert_int_equal(sev_secret_open(&good.tk, t_measure, &good.hdr, good.ct, T_SECRET_LEN - 1,
					 T_SECRET_LEN - 1, out),
			 -SEV_CRYPTO_EBADSECRET);
	assert_int_equal(sev_secret_open(&good.tk, t_measure, &good.hdr, good.ct, T_SECRET_LEN,
					 T_SECRET_LEN + 16, out),
			 -EINVAL);
	assert_int_equal(sev_secret_open(&good.tk, t_measure, &good.hdr, good.ct, 0, 0, out),
			 -EINVAL);
	/* The untouched packet still opens. */
	assert_int_equal(sev_secret_open(&good.tk, t_measure, &good.hdr, good.ct, T_SECRET_LEN,
					 T_SECRET_LEN, out),
			 0);
	assert_memory_equal(out, t_secret, T_SECRET_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kdf_virtee_master),
	    cmocka_unit_test(test_hmac_virtee),
	    cmocka_unit_test(test_session_virtee),
	    cmocka_unit_test(test_measure_virtee),
	    cmocka_unit_test(test_kdf_multiblock),
	    cmocka_unit_test(test_kdf_bad_args),
	    cmocka_unit_test(test_session_vector),
	    cmocka_unit_test(test_session_roundtrip),
	    cmocka_unit_test(test_session_every_bit_refused),
	    cmocka_unit_test(test_session_wrong_policy_or_key),
	    cmocka_unit_test(test_launch_digest_vector),
	    cmocka_unit_test(test_measure_vector),
	    cmocka_unit_test(test_launch_digest_sensitive),
	    cmocka_unit_test(test_measure_sensitive),
	    cmocka_unit_test(test_secret_vector_roundtrip),
	    cmocka_unit_test(test_secret_tamper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
