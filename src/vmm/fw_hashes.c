// SPDX-License-Identifier: MIT
#include "fw_hashes.h"
#include "bootparams.h"
#include "sev/crypto/crypto.h"

#include <errno.h>
#include <string.h>

static uint8_t *put_entry(uint8_t *p, const uint8_t guid[FW_GUID_SIZE], const uint8_t *hash)
{
	memcpy(p, guid, FW_GUID_SIZE);
	put_le16(p + FW_GUID_SIZE, FW_HASH_ENTRY_SIZE);
	memcpy(p + FW_GUID_SIZE + 2, hash, FW_HASH_SIZE);
	return p + FW_HASH_ENTRY_SIZE;
}

int fw_hashes_build(uint8_t out[FW_HASHES_TABLE_PADDED], const uint8_t *kernel, size_t kernel_len,
		    const uint8_t *initrd, size_t initrd_len, const char *cmdline)
{
	static const uint8_t header[] = FW_GUID_HASHES_HEADER;
	static const uint8_t g_cmdline[] = FW_GUID_HASH_CMDLINE;
	static const uint8_t g_initrd[] = FW_GUID_HASH_INITRD;
	static const uint8_t g_kernel[] = FW_GUID_HASH_KERNEL;
	uint8_t h_cmdline[FW_HASH_SIZE], h_initrd[FW_HASH_SIZE], h_kernel[FW_HASH_SIZE];
	uint8_t *p = out;
	int ret;

	/* The command line is hashed with its terminating NUL. */
	ret = sev_sha256(cmdline, strlen(cmdline) + 1, h_cmdline);
	ret = ret ?: sev_sha256(initrd ? (const void *)initrd : "", initrd ? initrd_len : 0, h_initrd);
	ret = ret ?: sev_sha256(kernel, kernel_len, h_kernel);
	if (ret)
		return ret;
	memset(out, 0, FW_HASHES_TABLE_PADDED);
	memcpy(p, header, FW_GUID_SIZE);
	put_le16(p + FW_GUID_SIZE, FW_HASHES_TABLE_LEN);
	p += FW_GUID_SIZE + 2;
	p = put_entry(p, g_cmdline, h_cmdline);
	p = put_entry(p, g_initrd, h_initrd);
	put_entry(p, g_kernel, h_kernel);
	return 0;
}
