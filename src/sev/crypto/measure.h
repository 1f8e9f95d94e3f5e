/* SPDX-License-Identifier: MIT */
/*
 * SEV-ES launch digest and launch measurement.
 *
 * LD      = SHA-256 over every LAUNCH_UPDATE_DATA region in command order,
 *           then every LAUNCH_UPDATE_VMSA page (4096 bytes each)
 *           (sev-snp-measure guest.py, seves_calc_launch_digest)
 * MEASURE = HMAC-SHA256(TIK, 0x04 | API_MAJOR | API_MINOR | BUILD |
 *                       LE32 POLICY | LD[32] | MNONCE[16])
 *           (AMD SEV API, LAUNCH_MEASURE; virtee/sev Session::verify)
 *
 * The platform computes both as launch proceeds; the owner recomputes them
 * from the same firmware, hashes table, VMSAs and policy and compares.
 */
#ifndef SEVM_SEV_CRYPTO_MEASURE_H
#define SEVM_SEV_CRYPTO_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "sev/crypto/crypto.h"

#define SEV_VMSA_PAGE_SIZE 4096
#define SEV_MEASURE_CTX_MEASURE 0x04 /* channel context byte for MEASURE */

/* The platform firmware version MEASURE is bound to (PLATFORM_STATUS). */
struct sev_build {
	uint8_t api_major;
	uint8_t api_minor;
	uint8_t build;
};

/* An incremental launch digest. */
struct sev_launch_digest {
	void *md; /* EVP_MD_CTX; NULL once finished or freed */
};

int sev_launch_digest_init(struct sev_launch_digest *ld) __attribute__((warn_unused_result));
/* One LAUNCH_UPDATE_DATA region. */
int sev_launch_digest_add_data(struct sev_launch_digest *ld, const void *data, size_t len)
    __attribute__((warn_unused_result));
/* One LAUNCH_UPDATE_VMSA page, after all data regions. */
int sev_launch_digest_add_vmsa(struct sev_launch_digest *ld, const uint8_t page[SEV_VMSA_PAGE_SIZE])
    __attribute__((warn_unused_result));
/* Write LD and release the context (also on failure). */
int sev_launch_digest_final(struct sev_launch_digest *ld, uint8_t out[SEV_DIGEST_SIZE])
    __attribute__((warn_unused_result));
/* Release an unfinished digest; safe to call twice or after final. */
void sev_launch_digest_free(struct sev_launch_digest *ld);

/* MEASURE from TIK, firmware build, policy, LD and the platform's mnonce. */
int sev_measure_compute(const uint8_t tik[SEV_KEY_SIZE], const struct sev_build *build,
			uint32_t policy, const uint8_t ld[SEV_DIGEST_SIZE],
			const uint8_t mnonce[SEV_NONCE_SIZE], uint8_t out[SEV_MAC_SIZE])
    __attribute__((warn_unused_result));

/*
 * Owner side: recompute MEASURE and compare it in constant time with the one
 * LAUNCH_MEASURE returned. Returns 0, -SEV_CRYPTO_EBADMEASURE or -errno.
 */
int sev_measure_verify(const uint8_t tik[SEV_KEY_SIZE], const struct sev_build *build,
		       uint32_t policy, const uint8_t ld[SEV_DIGEST_SIZE],
		       const uint8_t mnonce[SEV_NONCE_SIZE], const uint8_t measure[SEV_MAC_SIZE])
    __attribute__((warn_unused_result));

#endif
