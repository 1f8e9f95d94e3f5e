// SPDX-License-Identifier: MIT
#include "sev/crypto/secret.h"

#include <errno.h>
#include <string.h>

static int packet_mac(const uint8_t tik[SEV_KEY_SIZE], const uint8_t measure[SEV_MAC_SIZE],
		      uint32_t flags, const uint8_t iv[SEV_IV_SIZE], uint32_t guest_len,
		      const uint8_t *ciphertext, uint32_t trans_len, uint8_t out[SEV_MAC_SIZE])
{
	uint8_t ctx = SEV_SECRET_CTX_SECRET, le_flags[4], lens[8];
	const struct sev_iov parts[] = {
	    {&ctx, 1},
	    {le_flags, sizeof(le_flags)},
	    {iv, SEV_IV_SIZE},
	    {lens, sizeof(lens)},
	    {ciphertext, trans_len},
	    {measure, SEV_MAC_SIZE},
	};

	sev_put_le32(le_flags, flags);
	sev_put_le32(lens, guest_len);
	sev_put_le32(lens + 4, trans_len);
	return sev_hmac_sha256(tik, SEV_KEY_SIZE, parts, sizeof(parts) / sizeof(parts[0]), out);
}

int sev_secret_build(const struct sev_transport_keys *tk, const uint8_t measure[SEV_MAC_SIZE],
		     uint32_t flags, const uint8_t iv[SEV_IV_SIZE], const void *data, size_t len,
		     struct sev_secret_header *hdr, uint8_t *ciphertext)
{
	int ret;

	if (!len || len > UINT32_MAX || !data || !ciphertext)
		return -EINVAL;
	hdr->flags = flags;
	memcpy(hdr->iv, iv, SEV_IV_SIZE);
	ret = sev_aes128_ctr(tk->tek, iv, data, ciphertext, len);
	ret = ret
		  ?: packet_mac(tk->tik, measure, flags, iv, (uint32_t)len, ciphertext,
				(uint32_t)len, hdr->mac);
	if (ret) {
		memset(hdr, 0, sizeof(*hdr));
		sev_crypto_wipe(ciphertext, len);
	}
	return ret;
}

int sev_secret_open(const struct sev_transport_keys *tk, const uint8_t measure[SEV_MAC_SIZE],
		    const struct sev_secret_header *hdr, const uint8_t *ciphertext,
		    size_t trans_len, size_t guest_len, uint8_t *out)
{
	uint8_t mac[SEV_MAC_SIZE];
	int ret;

	if (!trans_len || trans_len > UINT32_MAX || guest_len > UINT32_MAX || !ciphertext || !out)
		return -EINVAL;
	if (hdr->flags & SEV_SECRET_FLAG_COMPRESSED)
		return -EOPNOTSUPP;
	/* Counter mode keeps lengths equal; anything else is malformed. */
	if (guest_len != trans_len)
		return -EINVAL;
	ret = packet_mac(tk->tik, measure, hdr->flags, hdr->iv, (uint32_t)guest_len, ciphertext,
			 (uint32_t)trans_len, mac);
	if (ret)
		return ret;
	if (!sev_crypto_equal(mac, hdr->mac, SEV_MAC_SIZE))
		return -SEV_CRYPTO_EBADSECRET;
	return sev_aes128_ctr(tk->tek, hdr->iv, ciphertext, out, trans_len);
}
