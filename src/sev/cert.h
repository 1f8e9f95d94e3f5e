/* SPDX-License-Identifier: MIT */
/*
 * AMD's SEV (legacy/ES) certificate: the 2084-byte little-endian structure
 * the firmware uses for OCA, PEK, PDH and CEK (SEV API spec, appendix
 * "Certificates"). Only the elliptic-curve variant on P-384 is built and
 * read here; RSA certificates (ARK, ASK) are out of scope.
 *
 * Every constant and offset below was checked against two public sources:
 *  - virtee/sev, commit 9cf2adbffa209cc5becf7ff89ffdf624e7278ced:
 *    src/certs/sev/mod.rs (Usage), src/certs/sev/sev/cert/v1/algo.rs
 *    (Algorithm), .../v1/body/mod.rs (Body: ver u32, firmware {major u8,
 *    minor u8}, reserved u16, key), .../v1/body/key/mod.rs (usage, algo,
 *    union of ecc and rsa keys), .../key/ecc/mod.rs and group.rs (curve u32,
 *    x[72], y[72], little-endian; P-384 = 2), .../key/rsa.rs (the union's
 *    size: 4 + 512 + 512 = 1028), .../v1/sig/mod.rs and sig/ecdsa.rs
 *    (usage u32, algo u32, 512 bytes holding r[72], s[72] little-endian),
 *    src/certs/sev/sev/cert/mod.rs (the signed data is the body, version
 *    through public key) and src/certs/sev/crypto.rs (the hash follows the
 *    algorithm; a slot counts only when its usage equals the signer's);
 *  - the published Naples certificates in the same commit,
 *    tests/naples/{oca,pek,pdh}.cert (2084 bytes each; OCA self-signed,
 *    PEK signed by OCA and CEK, PDH signed by PEK), which
 *    tests/unit/test_sev_cert.c parses and verifies with this code. They
 *    show that an unused signature slot holds usage 0x1000 (invalid) and
 *    algorithm 0, and that AMD firmware signs with ECDSA-SHA256 (2) and
 *    marks the PDH key ECDH-SHA256 (3).
 *
 * Layout (offsets in bytes):
 *   0x000 u32 version (1)       0x004 u8 api_major   0x005 u8 api_minor
 *   0x006 u16 reserved          0x008 u32 pub_key_usage
 *   0x00c u32 pub_key_algo      0x010 public key area, 1028 bytes:
 *         0x010 u32 curve, 0x014 qx[72], 0x05c qy[72], rest zero
 *   0x414 signature 1: u32 usage, u32 algo, 512 bytes (r[72], s[72], zero)
 *   0x61c signature 2: likewise                      0x824 end
 * The signed body is bytes 0x000..0x413.
 */
#ifndef SEVM_SEV_CERT_H
#define SEVM_SEV_CERT_H

#include <stdint.h>

#include <openssl/evp.h>

#define SEV_CERT_SIZE 0x824	 /* 2084 */
#define SEV_CERT_BODY_SIZE 0x414 /* 1044: version through the public key */
#define SEV_CERT_VERSION 1

#define SEV_CERT_OFF_VERSION 0x000
#define SEV_CERT_OFF_API_MAJOR 0x004
#define SEV_CERT_OFF_API_MINOR 0x005
#define SEV_CERT_OFF_RESERVED 0x006
#define SEV_CERT_OFF_USAGE 0x008
#define SEV_CERT_OFF_ALGO 0x00c
#define SEV_CERT_OFF_PUBKEY 0x010
#define SEV_CERT_PUBKEY_SIZE 1028
#define SEV_CERT_OFF_CURVE 0x010
#define SEV_CERT_OFF_QX 0x014
#define SEV_CERT_OFF_QY 0x05c
#define SEV_CERT_OFF_SIG(slot) (0x414 + (slot)*0x208)
#define SEV_CERT_SIG_SLOT_SIZE 0x208 /* usage, algo, 512-byte area */
#define SEV_CERT_SIG_OFF_USAGE 0x000
#define SEV_CERT_SIG_OFF_ALGO 0x004
#define SEV_CERT_SIG_OFF_R 0x008
#define SEV_CERT_SIG_OFF_S 0x050
#define SEV_CERT_ECC_FIELD_SIZE 72 /* qx, qy, r, s fields */
#define SEV_CERT_P384_SIZE 48	   /* significant bytes of each on P-384 */
#define SEV_CERT_SIG_SLOTS 2

#define SEV_CERT_CURVE_P256 1
#define SEV_CERT_CURVE_P384 2

enum sev_cert_usage {
	SEV_USAGE_ARK = 0x0000,
	SEV_USAGE_ASK = 0x0013,
	SEV_USAGE_INVALID = 0x1000, /* an empty signature slot */
	SEV_USAGE_OCA = 0x1001,
	SEV_USAGE_PEK = 0x1002,
	SEV_USAGE_PDH = 0x1003,
	SEV_USAGE_CEK = 0x1004,
};

enum sev_cert_algo {
	SEV_ALGO_NONE = 0x0000,
	SEV_ALGO_RSA_SHA256 = 0x0001,
	SEV_ALGO_ECDSA_SHA256 = 0x0002,
	SEV_ALGO_ECDH_SHA256 = 0x0003,
	SEV_ALGO_RSA_SHA384 = 0x0101,
	SEV_ALGO_ECDSA_SHA384 = 0x0102,
	SEV_ALGO_ECDH_SHA384 = 0x0103,
};

/*
 * Fill out with an unsigned version-1 certificate for pub (an EC P-384 key,
 * public half used), of the given usage and key algorithm (one of the ECDSA
 * or ECDH algorithms). Both signature slots are left empty (usage 0x1000,
 * algorithm 0). Returns 0, -EINVAL (bad usage, algorithm or key) or -ENOMEM.
 */
int sev_cert_build(uint8_t out[SEV_CERT_SIZE], uint32_t usage, uint32_t algo, EVP_PKEY *pub,
		   uint8_t api_major, uint8_t api_minor) __attribute__((warn_unused_result));

/*
 * Sign the body of cert into signature slot 0 or 1 with signer (an EC P-384
 * private key), recording signer_usage and algo (SEV_ALGO_ECDSA_SHA256 or
 * SEV_ALGO_ECDSA_SHA384, which picks the hash). Returns 0, -EINVAL or
 * -ENOMEM.
 */
int sev_cert_sign(uint8_t cert[SEV_CERT_SIZE], unsigned int slot, uint32_t signer_usage,
		  uint32_t algo, EVP_PKEY *signer) __attribute__((warn_unused_result));

/*
 * 0 when some signature slot whose usage is signer_usage holds a valid
 * ECDSA signature of the body by signer_pub; -EBADMSG when none does,
 * -EINVAL when cert is not a version-1 certificate or the key is unusable.
 */
int sev_cert_verify(const uint8_t cert[SEV_CERT_SIZE], uint32_t signer_usage, EVP_PKEY *signer_pub)
    __attribute__((warn_unused_result));

/* sev_cert_verify with the signer's usage and public key taken from its certificate. */
int sev_cert_verify_by(const uint8_t cert[SEV_CERT_SIZE], const uint8_t signer[SEV_CERT_SIZE])
    __attribute__((warn_unused_result));

/*
 * The certificate's public key as a new EVP_PKEY (P-384 only, point checked
 * to be on the curve). Returns 0, -EINVAL or -ENOMEM.
 */
int sev_cert_pubkey(const uint8_t cert[SEV_CERT_SIZE], EVP_PKEY **out)
    __attribute__((warn_unused_result));

/* Field readers (little-endian). */
uint32_t sev_cert_version(const uint8_t cert[SEV_CERT_SIZE]);
uint32_t sev_cert_usage(const uint8_t cert[SEV_CERT_SIZE]);
uint32_t sev_cert_algo(const uint8_t cert[SEV_CERT_SIZE]);
uint32_t sev_cert_sig_usage(const uint8_t cert[SEV_CERT_SIZE], unsigned int slot);
uint32_t sev_cert_sig_algo(const uint8_t cert[SEV_CERT_SIZE], unsigned int slot);

#endif
