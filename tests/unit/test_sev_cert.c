// SPDX-License-Identifier: MIT
/*
 * Unit tests for AMD SEV certificates (src/sev/cert.c) and the emu
 * platform identity (src/sev/emu_identity.c).
 *
 * Evidence for the format: the published Naples OCA, PEK and PDH
 * certificates from virtee/sev (commit
 * 9cf2adbffa209cc5becf7ff89ffdf624e7278ced, tests/naples/{oca,pek,pdh}.cert,
 * 2084 bytes each) are embedded below as their non-zero byte ranges, rebuilt,
 * checked against the files' SHA-256, parsed, and their chain verified with
 * this code.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sev/cert.h"
#include "sev/crypto/measure.h"
#include "sev/emu_identity.h"
#include "sev/emu_launch.h"

struct chunk {
	unsigned int off;
	const char *hex;
};

static const struct chunk naples_oca[] = {
    {
	0x000,
	"010000000010000001100000020000000200000069d3d4e9f4b1b2329cd481f6"
	"0b748aa4d3a15ced40d54bd72ca278e84cfcdd5542a7847d1c891319df4e6896"
	"b0be103c",
    },
    {
	0x05c,
	"121318cbc65f8dc478dc36eab474dfade7a2a70c3db1241017758ce3d6d8e4ad"
	"a5c397e53516cc0cfd7a38ac218e210a",
    },
    {
	0x414,
	"0110000002000000bf466ce040420cd64d985bb072a2134d91cd1029351c5d25"
	"65bd0c4b245f6133109fe60dfeb57e8fa41015697c591faa",
    },
    {
	0x464,
	"2c277ce9002f5a5b719f3fd9756106f2d61841d9e2d0b98f6d9608a5ff8fb675"
	"68f538b389e9efe681735025dfd25295",
    },
    {
	0x61d,
	"10",
    },
    {0, NULL},
};

static const char naples_oca_sha256[] =
    "dfa8331592774030cc38716ee0d436aba269d7c17c78e2a261f19e967377c34c";

static const struct chunk naples_pek[] = {
    {
	0x000,
	"01000000001000000210000002000000020000002b5331da2f7add5ffb24f636"
	"6c321fb8fb717367fa0ac4d880cb44379333007c162d3cc270fe2da64f8c35ba"
	"54f262b1",
    },
    {
	0x05c,
	"97ef43e336163153ac92f9289a31e09968641d57d27c66898d4fbd21fd7b72f2"
	"e80edfd7373ee7ac65f8e8b7539caea2",
    },
    {
	0x414,
	"01100000020000005415e535158b6fdaa86d9a93d115660d559e69cfaccddb73"
	"cb85ffcfef7856f8d588b0c3fa1ee64754c5ee96427a9cda",
    },
    {
	0x464,
	"040ba28ac7d9401463bbf397d259334c52cb6f307062d946fd6075e4b762075e"
	"28e56207f4dd69784b238743f471446c",
    },
    {
	0x61c,
	"0410000002000000846e900295da9e5cc0f0361a33e9411e737c3036d6504283"
	"bab26f1be75b2beded3f0151fcc191522a604866d438067e",
    },
    {
	0x66c,
	"2b87bd339de8209ff35a623d70903f41c7a1c4afa927684c3c971c68a999252b"
	"17d3be6d1c7559dd1801f5f2cde17d84",
    },
    {0, NULL},
};

static const char naples_pek_sha256[] =
    "31243368c2046fbf48e51a73075c33e69600cee1876919869f0383a94e8df558";

static const struct chunk naples_pdh[] = {
    {
	0x000,
	"010000000010000003100000030000000200000095522057542425d53ac6e94f"
	"8f5f2477e6089e1919f11062ac87b4fe3a3fc1ae9ec352f6afc9c134a1b6d5d6"
	"08490236",
    },
    {
	0x05c,
	"036ff19f20ab2ae9841dd2f63617a450b45be0a126d79d71195c5ec44bf44045"
	"f4821911b405586997421b11b29bc83e",
    },
    {
	0x414,
	"0210000002000000e5b25c29237ad43aa0e2e1bce829b7eca875bca50f02e2fd"
	"c51e0a2c224118351790f13ba85169f34d409dadd2cd2809",
    },
    {
	0x464,
	"9eb612d9b6d5f8e7bca7f72c6304a5c6ebe1f1b6ebe8460903d2215b858160a7"
	"11427fbfcb672f7817ade58175645350",
    },
    {
	0x61d,
	"10",
    },
    {0, NULL},
};

static const char naples_pdh_sha256[] =
    "34b11563c32bd17b4e2b4b8205301af64e7bd06a85e2a6ada789bc9d5dfd9932";

static const struct sev_build t_fw = {.api_major = 0, .api_minor = 24, .build = 17};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Rebuild a published certificate and check it against the file's SHA-256. */
static void rebuild(const struct chunk *c, const char *sha256_hex, uint8_t out[SEV_CERT_SIZE])
{
	uint8_t md[32];
	unsigned int md_len = 0;
	char hex[65];

	memset(out, 0, SEV_CERT_SIZE);
	for (; c->hex; c++) {
		size_t n = strlen(c->hex);

		assert_int_equal(n % 2, 0);
		assert_true(c->off + n / 2 <= SEV_CERT_SIZE);
		for (size_t i = 0; i < n / 2; i++) {
			int hi = hexval(c->hex[2 * i]), lo = hexval(c->hex[2 * i + 1]);

			assert_true(hi >= 0 && lo >= 0);
			out[c->off + i] = (uint8_t)(hi << 4 | lo);
		}
	}
	assert_int_equal(EVP_Digest(out, SEV_CERT_SIZE, md, &md_len, EVP_sha256(), NULL), 1);
	assert_int_equal(md_len, 32);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(hex, sha256_hex);
}

static void test_naples_fields(void **state)
{
	uint8_t oca[SEV_CERT_SIZE], pek[SEV_CERT_SIZE], pdh[SEV_CERT_SIZE];
	const uint8_t *certs[] = {oca, pek, pdh};
	EVP_PKEY *k;

	(void)state;
	rebuild(naples_oca, naples_oca_sha256, oca);
	rebuild(naples_pek, naples_pek_sha256, pek);
	rebuild(naples_pdh, naples_pdh_sha256, pdh);

	for (unsigned int i = 0; i < 3; i++) {
		const uint8_t *c = certs[i];

		assert_int_equal(sev_cert_version(c), 1);
		assert_int_equal(c[SEV_CERT_OFF_API_MAJOR], 0);
		assert_int_equal(c[SEV_CERT_OFF_API_MINOR], 16);
		assert_int_equal(c[SEV_CERT_OFF_CURVE], SEV_CERT_CURVE_P384);
		/* P-384 coordinates fill 48 of the 72 bytes; the rest of the key area is zero. */
		for (unsigned int j = SEV_CERT_OFF_QY + SEV_CERT_P384_SIZE; j < SEV_CERT_BODY_SIZE;
		     j++)
			assert_int_equal(c[j], 0);
		assert_int_equal(sev_cert_pubkey(c, &k), 0);
		assert_true(EVP_PKEY_is_a(k, "EC"));
		assert_int_equal(EVP_PKEY_get_bits(k), 384);
		EVP_PKEY_free(k);
	}
	assert_int_equal(sev_cert_usage(oca), SEV_USAGE_OCA);
	assert_int_equal(sev_cert_algo(oca), SEV_ALGO_ECDSA_SHA256);
	assert_int_equal(sev_cert_usage(pek), SEV_USAGE_PEK);
	assert_int_equal(sev_cert_algo(pek), SEV_ALGO_ECDSA_SHA256);
	assert_int_equal(sev_cert_usage(pdh), SEV_USAGE_PDH);
	assert_int_equal(sev_cert_algo(pdh), SEV_ALGO_ECDH_SHA256);

	assert_int_equal(sev_cert_sig_usage(oca, 0), SEV_USAGE_OCA);
	assert_int_equal(sev_cert_sig_algo(oca, 0), SEV_ALGO_ECDSA_SHA256);
	assert_int_equal(sev_cert_sig_usage(oca, 1), SEV_USAGE_INVALID);
	assert_int_equal(sev_cert_sig_algo(oca, 1), SEV_ALGO_NONE);
	assert_int_equal(sev_cert_sig_usage(pek, 0), SEV_USAGE_OCA);
	assert_int_equal(sev_cert_sig_usage(pek, 1), SEV_USAGE_CEK);
	assert_int_equal(sev_cert_sig_algo(pek, 1), SEV_ALGO_ECDSA_SHA256);
	assert_int_equal(sev_cert_sig_usage(pdh, 0), SEV_USAGE_PEK);
	assert_int_equal(sev_cert_sig_algo(pdh, 0), SEV_ALGO_ECDSA_SHA256);
	assert_int_equal(sev_cert_sig_usage(pdh, 1), SEV_USAGE_INVALID);
}

static void test_naples_chain(void **state)
{
	uint8_t oca[SEV_CERT_SIZE], pek[SEV_CERT_SIZE], pdh[SEV_CERT_SIZE];

	(void)state;
	rebuild(naples_oca, naples_oca_sha256, oca);
	rebuild(naples_pek, naples_pek_sha256, pek);
	rebuild(naples_pdh, naples_pdh_sha256, pdh);

	assert_int_equal(sev_cert_verify_by(oca, oca), 0);
	assert_int_equal(sev_cert_verify_by(pek, oca), 0);
	assert_int_equal(sev_cert_verify_by(pdh, pek), 0);
	/* Not signed by those keys. */
	assert_int_equal(sev_cert_verify_by(pek, pek), -EBADMSG);
	assert_int_equal(sev_cert_verify_by(pdh, oca), -EBADMSG);
	assert_int_equal(sev_cert_verify_by(oca, pek), -EBADMSG);
	/* The PDH is an ECDH key, not a signer. */
	assert_int_equal(sev_cert_verify_by(pek, pdh), -EINVAL);

	/* One bit of the signed body changed. */
	pek[SEV_CERT_OFF_QX] ^= 1;
	assert_int_equal(sev_cert_verify_by(pek, oca), -EBADMSG);
	pek[SEV_CERT_OFF_QX] ^= 1;
	pdh[SEV_CERT_BODY_SIZE - 1] ^= 0x80;
	assert_int_equal(sev_cert_verify_by(pdh, pek), -EBADMSG);
}

static EVP_PKEY *gen_key(const char *curve)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	assert_non_null(k);
	return k;
}

static void test_build_layout(void **state)
{
	uint8_t cert[SEV_CERT_SIZE], sig[SEV_CERT_SIG_SLOT_SIZE];
	EVP_PKEY *k = gen_key("P-384");
	BIGNUM *x = NULL;
	uint8_t be[SEV_CERT_P384_SIZE];

	(void)state;
	memset(cert, 0xa5, sizeof(cert));
	assert_int_equal(sev_cert_build(cert, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256, k, 1, 52), 0);
	assert_int_equal(sev_cert_version(cert), 1);
	assert_int_equal(cert[SEV_CERT_OFF_API_MAJOR], 1);
	assert_int_equal(cert[SEV_CERT_OFF_API_MINOR], 52);
	assert_int_equal(cert[SEV_CERT_OFF_RESERVED], 0);
	assert_int_equal(cert[SEV_CERT_OFF_RESERVED + 1], 0);
	assert_int_equal(sev_cert_usage(cert), SEV_USAGE_PDH);
	assert_int_equal(sev_cert_algo(cert), SEV_ALGO_ECDH_SHA256);
	assert_int_equal(cert[SEV_CERT_OFF_CURVE], 2);
	for (unsigned int j = SEV_CERT_OFF_QY + SEV_CERT_P384_SIZE; j < SEV_CERT_BODY_SIZE; j++)
		assert_int_equal(cert[j], 0);

	/* qx is little-endian. */
	assert_int_equal(EVP_PKEY_get_bn_param(k, "qx", &x), 1);
	assert_int_equal(BN_bn2binpad(x, be, sizeof(be)), (int)sizeof(be));
	for (unsigned int i = 0; i < SEV_CERT_P384_SIZE; i++)
		assert_int_equal(cert[SEV_CERT_OFF_QX + i], be[SEV_CERT_P384_SIZE - 1 - i]);
	BN_free(x);

	/* Empty slots look like AMD's: usage 0x1000, algorithm 0, zeros. */
	memset(sig, 0, sizeof(sig));
	sig[1] = 0x10;
	for (unsigned int s = 0; s < SEV_CERT_SIG_SLOTS; s++)
		assert_memory_equal(cert + SEV_CERT_OFF_SIG(s), sig, sizeof(sig));
	assert_int_equal(SEV_CERT_OFF_SIG(2), SEV_CERT_SIZE);
	EVP_PKEY_free(k);
}

static void test_sign_verify(void **state)
{
	uint8_t cert[SEV_CERT_SIZE], copy[SEV_CERT_SIZE];
	EVP_PKEY *subj = gen_key("P-384"), *oca = gen_key("P-384"), *other = gen_key("P-384");
	static const unsigned int body_offs[] = {
	    0x000, 0x004, 0x008, 0x00c, 0x010, 0x014, 0x05c, 0x0a4, 0x200, SEV_CERT_BODY_SIZE - 1};
	const unsigned int sig0 = SEV_CERT_OFF_SIG(0);

	(void)state;
	assert_int_equal(sev_cert_build(cert, SEV_USAGE_PEK, SEV_ALGO_ECDSA_SHA256, subj, 0, 24),
			 0);
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_OCA, oca), -EBADMSG);
	assert_int_equal(sev_cert_sign(cert, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, oca), 0);
	assert_int_equal(sev_cert_sig_usage(cert, 0), SEV_USAGE_OCA);
	assert_int_equal(sev_cert_sig_algo(cert, 0), SEV_ALGO_ECDSA_SHA256);
	assert_int_equal(sev_cert_sig_usage(cert, 1), SEV_USAGE_INVALID);
	for (unsigned int j = sig0 + SEV_CERT_SIG_OFF_R + SEV_CERT_P384_SIZE;
	     j < sig0 + SEV_CERT_SIG_OFF_S; j++)
		assert_int_equal(cert[j], 0);
	for (unsigned int j = sig0 + SEV_CERT_SIG_OFF_S + SEV_CERT_P384_SIZE;
	     j < SEV_CERT_OFF_SIG(1); j++)
		assert_int_equal(cert[j], 0);
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_OCA, oca), 0);

	/* Wrong key, or the right key under another usage. */
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_OCA, other), -EBADMSG);
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_CEK, oca), -EBADMSG);

	for (unsigned int i = 0; i < sizeof(body_offs) / sizeof(body_offs[0]); i++) {
		memcpy(copy, cert, sizeof(copy));
		copy[body_offs[i]] ^= 0x01;
		assert_int_equal(sev_cert_verify(copy, SEV_USAGE_OCA, oca),
				 body_offs[i] < 4 ? -EINVAL : -EBADMSG);
	}
	memcpy(copy, cert, sizeof(copy));
	copy[sig0 + SEV_CERT_SIG_OFF_R] ^= 0x01;
	assert_int_equal(sev_cert_verify(copy, SEV_USAGE_OCA, oca), -EBADMSG);
	memcpy(copy, cert, sizeof(copy));
	copy[sig0 + SEV_CERT_SIG_OFF_S + 20] ^= 0x40;
	assert_int_equal(sev_cert_verify(copy, SEV_USAGE_OCA, oca), -EBADMSG);
	memcpy(copy, cert, sizeof(copy));
	copy[sig0 + SEV_CERT_SIG_OFF_ALGO] = SEV_ALGO_ECDSA_SHA384 & 0xff;
	copy[sig0 + SEV_CERT_SIG_OFF_ALGO + 1] = SEV_ALGO_ECDSA_SHA384 >> 8;
	assert_int_equal(sev_cert_verify(copy, SEV_USAGE_OCA, oca), -EBADMSG);

	/* Second slot, SHA-384, another signer: both signatures stand. */
	assert_int_equal(sev_cert_sign(cert, 1, SEV_USAGE_CEK, SEV_ALGO_ECDSA_SHA384, other), 0);
	assert_int_equal(sev_cert_sig_algo(cert, 1), SEV_ALGO_ECDSA_SHA384);
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_OCA, oca), 0);
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_CEK, other), 0);
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_CEK, oca), -EBADMSG);

	EVP_PKEY_free(subj);
	EVP_PKEY_free(oca);
	EVP_PKEY_free(other);
}

static void test_pubkey_roundtrip(void **state)
{
	uint8_t cert[SEV_CERT_SIZE];
	EVP_PKEY *k = gen_key("P-384"), *back = NULL;

	(void)state;
	for (unsigned int i = 0; i < 8; i++) {
		EVP_PKEY *key = i ? gen_key("P-384") : k;

		assert_int_equal(
		    sev_cert_build(cert, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA384, key, 0, 1), 0);
		assert_int_equal(sev_cert_pubkey(cert, &back), 0);
		assert_int_equal(EVP_PKEY_eq(key, back), 1);
		EVP_PKEY_free(back);
		if (i)
			EVP_PKEY_free(key);
	}

	assert_int_equal(sev_cert_build(cert, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, k, 0, 1), 0);
	/* Point off the curve. */
	cert[SEV_CERT_OFF_QY] ^= 1;
	assert_int_equal(sev_cert_pubkey(cert, &back), -EINVAL);
	assert_null(back);
	cert[SEV_CERT_OFF_QY] ^= 1;
	/* P-256 curve id, a non-zero byte past 48, an RSA algorithm, version 2. */
	cert[SEV_CERT_OFF_CURVE] = SEV_CERT_CURVE_P256;
	assert_int_equal(sev_cert_pubkey(cert, &back), -EINVAL);
	cert[SEV_CERT_OFF_CURVE] = SEV_CERT_CURVE_P384;
	cert[SEV_CERT_OFF_QX + SEV_CERT_P384_SIZE] = 1;
	assert_int_equal(sev_cert_pubkey(cert, &back), -EINVAL);
	cert[SEV_CERT_OFF_QX + SEV_CERT_P384_SIZE] = 0;
	cert[SEV_CERT_OFF_ALGO] = SEV_ALGO_RSA_SHA256;
	assert_int_equal(sev_cert_pubkey(cert, &back), -EINVAL);
	cert[SEV_CERT_OFF_ALGO] = SEV_ALGO_ECDSA_SHA256;
	cert[SEV_CERT_OFF_VERSION] = 2;
	assert_int_equal(sev_cert_pubkey(cert, &back), -EINVAL);
	cert[SEV_CERT_OFF_VERSION] = 1;
	assert_int_equal(sev_cert_pubkey(cert, &back), 0);
	EVP_PKEY_free(back);
	EVP_PKEY_free(k);
}

static void test_bad_args(void **state)
{
	uint8_t cert[SEV_CERT_SIZE];
	EVP_PKEY *k = gen_key("P-384"), *p256 = gen_key("P-256");

	(void)state;
	assert_int_equal(sev_cert_build(cert, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, p256, 0, 1),
			 -EINVAL);
	assert_int_equal(sev_cert_build(cert, SEV_USAGE_INVALID, SEV_ALGO_ECDSA_SHA256, k, 0, 1),
			 -EINVAL);
	assert_int_equal(sev_cert_build(cert, SEV_USAGE_OCA, SEV_ALGO_RSA_SHA256, k, 0, 1),
			 -EINVAL);
	assert_int_equal(sev_cert_build(cert, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, k, 0, 1), 0);
	assert_int_equal(sev_cert_sign(cert, 2, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, k), -EINVAL);
	assert_int_equal(sev_cert_sign(cert, 0, SEV_USAGE_OCA, SEV_ALGO_ECDH_SHA256, k), -EINVAL);
	assert_int_equal(sev_cert_sign(cert, 0, SEV_USAGE_INVALID, SEV_ALGO_ECDSA_SHA256, k),
			 -EINVAL);
	assert_int_equal(sev_cert_sign(cert, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, p256),
			 -EINVAL);
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_OCA, p256), -EINVAL);
	assert_int_equal(sev_cert_verify(cert, SEV_USAGE_INVALID, k), -EINVAL);
	EVP_PKEY_free(k);
	EVP_PKEY_free(p256);
}

/* Identity tests run in a fresh temporary directory. */
struct idfx {
	char root[64];
	char dir[96];
};

static int id_setup(void **state)
{
	struct idfx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/sevm-cert-XXXXXX");
	if (!mkdtemp(f->root)) {
		free(f);
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "%s/identity", f->root);
	*state = f;
	return 0;
}

static const char *const key_files[] = {"oca.pem", "pek.pem", "pdh.pem"};

static void path_of(const struct idfx *f, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", f->dir, name);
}

static int id_teardown(void **state)
{
	struct idfx *f = *state;
	char p[160];

	for (unsigned int i = 0; i < 3; i++) {
		path_of(f, key_files[i], p, sizeof(p));
		unlink(p);
	}
	rmdir(f->dir);
	rmdir(f->root);
	free(f);
	return 0;
}

static void check_chain(const struct emu_identity *id)
{
	EVP_PKEY *k = NULL;

	assert_int_equal(sev_cert_verify_by(id->oca_cert, id->oca_cert), 0);
	assert_int_equal(sev_cert_verify_by(id->pek_cert, id->oca_cert), 0);
	assert_int_equal(sev_cert_verify_by(id->pdh_cert, id->pek_cert), 0);
	assert_int_equal(sev_cert_verify_by(id->pdh_cert, id->oca_cert), -EBADMSG);
	assert_int_equal(sev_cert_verify(id->pek_cert, SEV_USAGE_OCA, id->oca), 0);
	assert_int_equal(sev_cert_verify(id->pdh_cert, SEV_USAGE_PEK, id->pek), 0);
	assert_int_equal(sev_cert_usage(id->oca_cert), SEV_USAGE_OCA);
	assert_int_equal(sev_cert_usage(id->pek_cert), SEV_USAGE_PEK);
	assert_int_equal(sev_cert_usage(id->pdh_cert), SEV_USAGE_PDH);
	assert_int_equal(sev_cert_algo(id->pdh_cert), SEV_ALGO_ECDH_SHA256);
	/* Documented deviation: no CEK signature on the PEK. */
	assert_int_equal(sev_cert_sig_usage(id->pek_cert, 1), SEV_USAGE_INVALID);
	assert_int_equal(id->pdh_cert[SEV_CERT_OFF_API_MINOR], t_fw.api_minor);
	assert_int_equal(sev_cert_pubkey(id->pdh_cert, &k), 0);
	assert_int_equal(EVP_PKEY_eq(k, id->pdh), 1);
	EVP_PKEY_free(k);
}

static void test_identity_create_reload(void **state)
{
	struct idfx *f = *state;
	struct emu_identity a, b;
	struct emu_launch *e = NULL;
	struct stat st;
	char p[160];

	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &a), 0);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	for (unsigned int i = 0; i < 3; i++) {
		path_of(f, key_files[i], p, sizeof(p));
		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	check_chain(&a);
	assert_int_equal(EVP_PKEY_eq(a.oca, a.pek), 0);
	assert_int_equal(EVP_PKEY_eq(a.pek, a.pdh), 0);

	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &b), 0);
	check_chain(&b);
	assert_int_equal(EVP_PKEY_eq(a.oca, b.oca), 1);
	assert_int_equal(EVP_PKEY_eq(a.pek, b.pek), 1);
	assert_int_equal(EVP_PKEY_eq(a.pdh, b.pdh), 1);
	/* Same public points in the certificates' key areas. */
	assert_memory_equal(a.oca_cert + SEV_CERT_OFF_PUBKEY, b.oca_cert + SEV_CERT_OFF_PUBKEY,
			    SEV_CERT_PUBKEY_SIZE);
	assert_memory_equal(a.pek_cert + SEV_CERT_OFF_PUBKEY, b.pek_cert + SEV_CERT_OFF_PUBKEY,
			    SEV_CERT_PUBKEY_SIZE);
	assert_memory_equal(a.pdh_cert + SEV_CERT_OFF_PUBKEY, b.pdh_cert + SEV_CERT_OFF_PUBKEY,
			    SEV_CERT_PUBKEY_SIZE);
	/* The reloaded chain verifies against the first load's keys. */
	assert_int_equal(sev_cert_verify_by(b.pdh_cert, a.pek_cert), 0);

	/* The PDH is what the emu backend takes. */
	assert_int_equal(emu_launch_new(b.pdh, &t_fw, &e), 0);
	emu_launch_free(e);

	emu_identity_free(&a);
	emu_identity_free(&b);
	emu_identity_free(&b);
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void test_identity_corrupt(void **state)
{
	static const char junk[] = "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n"
				   "-----END PRIVATE KEY-----\n";
	struct idfx *f = *state;
	struct emu_identity id;
	EVP_PKEY *p256 = gen_key("P-256");
	char p[160];
	BIO *bio;
	char *pem;
	long pem_len;

	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &id), 0);
	emu_identity_free(&id);
	path_of(f, "pek.pem", p, sizeof(p));

	/* Not PEM. */
	write_file(p, junk, sizeof(junk) - 1, 0600);
	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &id), -EBADMSG);
	assert_null(id.oca);
	/* Empty. */
	write_file(p, "", 0, 0600);
	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &id), -EBADMSG);

	/* Valid PEM, wrong curve. */
	bio = BIO_new(BIO_s_mem());
	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PrivateKey(bio, p256, NULL, NULL, 0, NULL, NULL), 1);
	pem_len = BIO_get_mem_data(bio, &pem);
	assert_true(pem_len > 0);
	write_file(p, pem, (size_t)pem_len, 0600);
	BIO_free(bio);
	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &id), -EBADMSG);

	/* A readable-by-others key file is refused, not replaced. */
	unlink(p);
	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &id), 0);
	emu_identity_free(&id);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &id), -EACCES);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &id), 0);
	emu_identity_free(&id);

	/* dir names a file. */
	path_of(f, "oca.pem", p, sizeof(p));
	assert_int_equal(emu_identity_load_or_create(p, &t_fw, &id), -ENOTDIR);
	assert_int_equal(emu_identity_load_or_create(NULL, &t_fw, &id), -EINVAL);
	EVP_PKEY_free(p256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_naples_fields),
	    cmocka_unit_test(test_naples_chain),
	    cmocka_unit_test(test_build_layout),
	    cmocka_unit_test(test_sign_verify),
	    cmocka_unit_test(test_pubkey_roundtrip),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test_setup_teardown(test_identity_create_reload, id_setup, id_teardown),
	    cmocka_unit_test_setup_teardown(test_identity_corrupt, id_setup, id_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
