/* SPDX-License-Identifier: MIT */
/*
 * Reading the GUIDed table at the end of a firmware image (QEMU
 * docs/specs/sev-guest-firmware.rst; include/sevm/fw_abi.h): the only place
 * sevm learns the firmware's addresses.
 */
#ifndef SEVM_SRC_VMM_FW_TABLE_H
#define SEVM_SRC_VMM_FW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "sevm/fw_abi.h"

#define FW_IMAGE_MAX (16u << 20)

struct fw_layout {
	uint64_t image_base; /* 4 GiB - image size */
	uint32_t ap_reset; /* SEV-ES reset block: CS base >> 16 | IP */
	struct fw_region secret;
	struct fw_region hashes;
	struct fw_sevm_info info;
};

/* Data of the entry with this GUID: 0 with data and len set, -ENOENT if absent,
 * -EINVAL if the table itself is malformed. */
int fw_table_find(const uint8_t *img, size_t img_len, const uint8_t guid[FW_GUID_SIZE],
		  const uint8_t **data, size_t *len) __attribute__((warn_unused_result));
/* Reads and checks every entry sevm needs; on failure -EINVAL and a reason. */
int fw_table_parse(const uint8_t *img, size_t img_len, struct fw_layout *out, char *why,
		   size_t whylen) __attribute__((warn_unused_result));

#endif
