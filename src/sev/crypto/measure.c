// SPDX-License-Identifier: MIT
#include "sev/crypto/measure.h"

#include <errno.h>
#include <openssl/evp.h>

int sev_launch_digest_init(struct sev_launch_digest *ld)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	ld->md = NULL;
	if (!md)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return -EIO;
	}
	ld->md = md;
	return 0;
}

int sev_launch_digest_add_data(struct sev_launch_digest *ld, const void *data, size_t len)
{
	if (!ld->md || (!data && len))
		return -EINVAL;
	if (len && !EVP_DigestUpdate(ld->md, data, len))
		return -EIO;
	return 0;
}

int sev_launch_digest_add_vmsa(struct sev_launch_digest *ld, const uint8_t page[SEV_VMSA_PAGE_SIZE])
{
	if (!page)
		return -EINVAL;
	return sev_launch_digest_add_data(ld, page, SEV_VMSA_PAGE_SIZE);
}

int sev_launch_digest_final(struct sev_launch_digest *ld, uint8_t out[SEV_DIGEST_SIZE])
{
	unsigned int n = 0;
	int ret = 0;

	if (!ld->md)
		return -EINVAL;
	if (!EVP_DigestFinal_ex(ld->md, out, &n) || n != SEV_DIGEST_SIZE)
		ret = -EIO;
	sev_launch_digest_free(ld);
	return ret;
}

void sev_launch_digest_free(struct sev_launch_digest *ld)
{
	EVP_MD_CTX_free(ld->md);
	ld->md = NULL;
}

int sev_measure_compute(const uint8_t tik[SEV_KEY_SIZE], const struct sev_build *build,
			uint32_t policy, const uint8_t ld[SEV_DIGEST_SIZE],
			const uint8_t mnonce[SEV_NONCE_SIZE], uint8_t out[SEV_MAC_SIZE])
{
	uint8_t head[8];
	const struct sev_iov parts[] = {
	    {head, sizeof(head)},
	    {ld, SEV_DIGEST_SIZE},
	    {mnonce, SEV_NONCE_SIZE},
	};

	head[0] = SEV_MEASURE_CTX_MEASURE;
	head[1] = build->api_major;
	head[2] = build->api_minor;
	head[3] = build->build;
	sev_put_le32(head + 4, policy);
	return sev_hmac_sha256(tik, SEV_KEY_SIZE, parts, sizeof(parts) / sizeof(parts[0]), out);
}

int sev_measure_verify(const uint8_t tik[SEV_KEY_SIZE], const struct sev_build *build,
		       uint32_t policy, const uint8_t ld[SEV_DIGEST_SIZE],
		       const uint8_t mnonce[SEV_NONCE_SIZE], const uint8_t measure[SEV_MAC_SIZE])
{
	uint8_t mine[SEV_MAC_SIZE];
	int ret;

	ret = sev_measure_compute(tik, build, policy, ld, mnonce, mine);
	if (!ret && !sev_crypto_equal(mine, measure, SEV_MAC_SIZE))
		ret = -SEV_CRYPTO_EBADMEASURE;
	return ret;
}
