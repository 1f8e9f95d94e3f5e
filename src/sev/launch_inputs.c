// SPDX-License-Identifier: MIT
/*
 * What an SEV-ES launch measures (see launch_inputs.h).
 */
#include "sev/launch_inputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sev/crypto/measure.h"
#include "sevm/fw_abi.h"
#include "vmm/cpuid.h"
#include "vmm/fw_hashes.h"
#include "vmm/resetstate.h"

unsigned int sev_launch_vcpus(const struct vm_config *cfg)
{
	return cfg->vcpus + cfg->handler_vcpus;
}

uint32_t sev_launch_cpu_signature(const struct vm_config *cfg, uint32_t vm_signature)
{
	return cfg->sev.cpu_signature_set ? cfg->sev.cpu_signature : vm_signature;
}

uint32_t sev_host_cpu_signature(void)
{
	uint32_t r[4];

	host_cpuid(1, 0, r);
	return r[0];
}

int sev_launch_image(const struct vm_config *cfg, uint8_t **image, size_t *len)
{
	const struct fw_layout *l = &cfg->firmware;
	uint8_t hashes[FW_HASHES_TABLE_PADDED];
	uint64_t off = l->hashes.base - l->image_base;
	uint8_t *img;
	int ret;

	*image = NULL;
	if (!cfg->firmware_data || off + sizeof(hashes) > cfg->firmware_len)
		return -EINVAL;
	ret = fw_hashes_build(hashes, cfg->kernel_data, cfg->kernel_len, cfg->initrd_data,
			      cfg->initrd_len, cfg->cmdline);
	if (ret)
		return ret;
	img = malloc(cfg->firmware_len);
	if (!img)
		return -ENOMEM;
	memcpy(img, cfg->firmware_data, cfg->firmware_len);
	memcpy(img + off, hashes, sizeof(hashes));
	*image = img;
	*len = cfg->firmware_len;
	return 0;
}

void sev_launch_initial_vmsa(const struct vm_config *cfg, unsigned int i, uint32_t cpu_signature,
			     uint8_t page[VMSA_PAGE_SIZE])
{
	uint32_t eip = i == 0 ? FW_RESET_VECTOR_GPA : resetstate_ap_eip(cfg->firmware.ap_reset);

	vmsa_init_reset(page, eip, cpu_signature);
}

int sev_launch_expected_digest(const struct vm_config *cfg, uint32_t cpu_signature,
			       uint8_t ld[SEV_DIGEST_SIZE])
{
	struct sev_launch_digest d;
	uint8_t page[VMSA_PAGE_SIZE];
	uint8_t *img;
	size_t len;
	int ret = sev_launch_image(cfg, &img, &len);

	if (ret)
		return ret;
	ret = sev_launch_digest_init(&d);
	ret = ret ?: sev_launch_digest_add_data(&d, img, len);
	free(img);
	for (unsigned int i = 0; !ret && i < sev_launch_vcpus(cfg); i++) {
		sev_launch_initial_vmsa(cfg, i, cpu_signature, page);
		ret = sev_launch_digest_add_vmsa(&d, page);
	}
	if (ret) {
		sev_launch_digest_free(&d);
		return ret;
	}
	return sev_launch_digest_final(&d, ld);
}
