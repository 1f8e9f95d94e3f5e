// SPDX-License-Identifier: MIT
#include "sev/crypto/session.h"
#include "sev/crypto/kdf.h"

#include <errno.h>
#include <string.h>

int sev_session_derive(const uint8_t *z, size_t z_len, const uint8_t nonce[SEV_NONCE_SIZE],
		       struct sev_channel_keys *keys)
{
	uint8_t master[SEV_KEY_SIZE];
	int ret;

	ret = sev_kdf(z, z_len, "sev-master-secret", nonce, SEV_NONCE_SIZE, master, sizeof(master));
	ret = ret
		  ?: sev_kdf(master, sizeof(master), "sev-kek", NULL, 0, keys->kek,
			     sizeof(keys->kek));
	ret = ret
		  ?: sev_kdf(master, sizeof(master), "sev-kik", NULL, 0, keys->kik,
			     sizeof(keys->kik));
	sev_crypto_wipe(master, sizeof(master));
	if (ret)
		sev_crypto_wipe(keys, sizeof(*keys));
	return ret;
}

static int policy_mac(const uint8_t tik[SEV_KEY_SIZE], uint32_t policy, uint8_t out[SEV_MAC_SIZE])
{
	uint8_t le[4];
	const struct sev_iov part = {le, sizeof(le)};

	sev_put_le32(le, policy);
	return sev_hmac_sha256(tik, SEV_KEY_SIZE, &part, 1, out);
}

static int wrap_mac(const struct sev_channel_keys *keys, const uint8_t wrap_tk[2 * SEV_KEY_SIZE],
		    uint8_t out[SEV_MAC_SIZE])
{
	const struct sev_iov part = {wrap_tk, 2 * SEV_KEY_SIZE};

	return sev_hmac_sha256(keys->kik, SEV_KEY_SIZE, &part, 1, out);
}

int sev_session_build(const uint8_t *z, size_t z_len, const uint8_t nonce[SEV_NONCE_SIZE],
		      const uint8_t iv[SEV_IV_SIZE], const struct sev_transport_keys *tk,
		      uint32_t policy, struct sev_session_blob *blob)
{
	struct sev_channel_keys keys;
	uint8_t plain[2 * SEV_KEY_SIZE];
	int ret;

	memcpy(plain, tk->tek, SEV_KEY_SIZE);
	memcpy(plain + SEV_KEY_SIZE, tk->tik, SEV_KEY_SIZE);
	memcpy(blob->nonce, nonce, SEV_NONCE_SIZE);
	memcpy(blob->wrap_iv, iv, SEV_IV_SIZE);

	ret = sev_session_derive(z, z_len, nonce, &keys);
	ret = ret ?: sev_aes128_ctr(keys.kek, iv, plain, blob->wrap_tk, sizeof(plain));
	ret = ret ?: wrap_mac(&keys, blob->wrap_tk, blob->wrap_mac);
	ret = ret ?: policy_mac(tk->tik, policy, blob->policy_mac);
	sev_crypto_wipe(&keys, sizeof(keys));
	sev_crypto_wipe(plain, sizeof(plain));
	if (ret)
		memset(blob, 0, sizeof(*blob));
	return ret;
}

int sev_session_unwrap(const uint8_t *z, size_t z_len, const struct sev_session_blob *blob,
		       uint32_t policy, struct sev_transport_keys *tk)
{
	struct sev_channel_keys keys;
	uint8_t plain[2 * SEV_KEY_SIZE], mac[SEV_MAC_SIZE];
	int ret;

	ret = sev_session_derive(z, z_len, blob->nonce, &keys);
	ret = ret ?: wrap_mac(&keys, blob->wrap_tk, mac);
	/* Authenticate before decrypting: nothing unverified is ever used. */
	if (!ret && !sev_crypto_equal(mac, blob->wrap_mac, SEV_MAC_SIZE))
		ret = -SEV_CRYPTO_EBADWRAP;
	ret = ret ?: sev_aes128_ctr(keys.kek, blob->wrap_iv, blob->wrap_tk, plain, sizeof(plain));
	if (!ret) {
		memcpy(tk->tek, plain, SEV_KEY_SIZE);
		memcpy(tk->tik, plain + SEV_KEY_SIZE, SEV_KEY_SIZE);
		ret = policy_mac(tk->tik, policy, mac);
	}
	if (!ret && !sev_crypto_equal(mac, blob->policy_mac, SEV_MAC_SIZE))
		ret = -SEV_CRYPTO_EBADPOLICY;
	sev_crypto_wipe(&keys, sizeof(keys));
	sev_crypto_wipe(plain, sizeof(plain));
	if (ret)
		sev_crypto_wipe(tk, sizeof(*tk));
	return ret;
}
