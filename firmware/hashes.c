// SPDX-License-Identifier: MIT
/*
 * The kernel hashes table in the hashes block (sev-facts.md; the layout of
 * QEMU target/i386/sev.c, struct SevHashTable): a header GUID and u16
 * length 168, then three entries {GUID, u16 length 50, SHA-256} for the
 * command line, initrd and kernel. The host writes it before launch, so it
 * is part of the launch measurement (and private memory afterwards); the
 * firmware trusts it only after checking every length and GUID.
 */
#include "bootparams.h"
#include "fw.h"

void hashes_read(struct fw_hashes *h)
{
	static const uint8_t header[FW_GUID_SIZE] = FW_GUID_HASHES_HEADER;
	static const uint8_t guids[3][FW_GUID_SIZE] = {FW_GUID_HASH_KERNEL, FW_GUID_HASH_INITRD,
						       FW_GUID_HASH_CMDLINE};
	uint8_t *const dst[3] = {h->kernel, h->initrd, h->cmdline};
	const uint8_t *t = (const uint8_t *)(uintptr_t)FW_HASHES_BASE;
	unsigned seen = 0;

	if (!eq_qwords(t, header, 2) || get_le16(t + FW_GUID_SIZE) != FW_HASHES_TABLE_LEN)
		fw_refuse(FW_EXIT_HASHES_TABLE, "header");
	for (const uint8_t *e = t + FW_GUID_SIZE + 2; e < t + FW_HASHES_TABLE_LEN;
	     e += FW_HASH_ENTRY_SIZE) {
		unsigned i = 0;

		if (get_le16(e + FW_GUID_SIZE) != FW_HASH_ENTRY_SIZE)
			fw_refuse(FW_EXIT_HASHES_TABLE, "entry length");
		while (i < 3 && !eq_qwords(e, guids[i], 2))
			i++;
		if (i == 3)
			fw_refuse(FW_EXIT_HASHES_TABLE, "unknown entry");
		if (seen & 1u << i)
			fw_refuse(FW_EXIT_HASHES_TABLE, "duplicate entry");
		seen |= 1u << i;
		__builtin_memcpy(dst[i], e + FW_GUID_SIZE + 2, FW_HASH_SIZE);
	}
	/* 168 bytes hold exactly three entries, all distinct: all are there. */
}
