// SPDX-License-Identifier: MIT
#include "sev/crypto/kdf.h"
#include "sev/crypto/crypto.h"

#include <errno.h>
#include <string.h>

int sev_kdf(const uint8_t *key, size_t key_len, const char *label, const uint8_t *ctx,
	    size_t ctx_len, uint8_t *out, size_t out_len)
{
	static const uint8_t sep;
	uint8_t counter[4], lbits[4], block[SEV_MAC_SIZE];
	size_t done = 0;
	int ret = 0;

	if (!key || !key_len || !label || (!ctx && ctx_len) || !out || !out_len)
		return -EINVAL;
	/* L is a 32-bit count of bits (SP 800-108 §5: [L]2 with r = 32). */
	if (out_len > UINT32_MAX / 8)
		return -EINVAL;
	sev_put_le32(lbits, (uint32_t)(out_len * 8));

	for (uint32_t i = 1; done < out_len; i++) {
		const struct sev_iov parts[] = {
		    {counter, sizeof(counter)}, {label, strlen(label)}, {&sep, 1}, {ctx, ctx_len},
		    {lbits, sizeof(lbits)},
		};
		size_t n = out_len - done < sizeof(block) ? out_len - done : sizeof(block);

		sev_put_le32(counter, i);
		ret = sev_hmac_sha256(key, key_len, parts, sizeof(parts) / sizeof(parts[0]), block);
		if (ret)
			break;
		memcpy(out + done, block, n);
		done += n;
	}
	sev_crypto_wipe(block, sizeof(block));
	if (ret)
		sev_crypto_wipe(out, out_len);
	return ret;
}
