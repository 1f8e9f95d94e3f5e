// SPDX-License-Identifier: MIT
/*
 * The emu platform's persistent identity (see emu_identity.h).
 */
#include <errno.h>
#include <string.h>

#include "sev/emu_identity.h"
#include "sev/keyfile.h"

static int build_chain(struct emu_identity *id, const struct sev_build *fw)
{
	int ret;

	ret = sev_cert_build(id->oca_cert, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, id->oca,
			     fw->api_major, fw->api_minor);
	if (!ret)
		ret = sev_cert_sign(id->oca_cert, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, id->oca);
	if (!ret)
		ret = sev_cert_build(id->pek_cert, SEV_USAGE_PEK, SEV_ALGO_ECDSA_SHA256, id->pek,
				     fw->api_major, fw->api_minor);
	if (!ret)
		ret = sev_cert_sign(id->pek_cert, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, id->oca);
	if (!ret)
		ret = sev_cert_build(id->pdh_cert, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256, id->pdh,
				     fw->api_major, fw->api_minor);
	if (!ret)
		ret = sev_cert_sign(id->pdh_cert, 0, SEV_USAGE_PEK, SEV_ALGO_ECDSA_SHA256, id->pek);
	return ret;
}

int emu_identity_load_or_create(const char *dir, const struct sev_build *fw,
				struct emu_identity *id)
{
	int ret;

	memset(id, 0, sizeof(*id));
	if (!dir || !*dir || !fw)
		return -EINVAL;
	ret = sev_keydir(dir);
	if (!ret)
		ret = sev_keyfile_p384(dir, "oca.pem", &id->oca);
	if (!ret)
		ret = sev_keyfile_p384(dir, "pek.pem", &id->pek);
	if (!ret)
		ret = sev_keyfile_p384(dir, "pdh.pem", &id->pdh);
	if (!ret)
		ret = build_chain(id, fw);
	if (ret)
		emu_identity_free(id);
	return ret;
}

void emu_identity_free(struct emu_identity *id)
{
	if (!id)
		return;
	EVP_PKEY_free(id->oca);
	EVP_PKEY_free(id->pek);
	EVP_PKEY_free(id->pdh);
	memset(id, 0, sizeof(*id));
}
