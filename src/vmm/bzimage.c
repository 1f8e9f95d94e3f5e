// SPDX-License-Identifier: MIT
#include "bzimage.h"
#include "bootparams.h"
#include "e820.h"
#include "layout.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PROTOCOL_64BIT_MIN 0x020c /* 2.12: xloadflags, XLF_KERNEL_64 */

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage *k, char *why, size_t whylen)
{
	unsigned setup_sects;
	size_t setup_len;

	memset(k, 0, sizeof(*k));
	if (len < HDR_MIN_SIZE)
		return why_invalid(why, whylen, "not a bzImage (only %zu bytes)", len);
	if (get_le32(img + HDR_HEADER) != HDR_MAGIC)
		return why_invalid(why, whylen, "not a bzImage (no 'HdrS' signature)");
	if (get_le16(img + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		return why_invalid(why, whylen, "not a bzImage (boot_flag is not 0xaa55)");
	k->version = get_le16(img + HDR_VERSION);
	if (k->version < PROTOCOL_64BIT_MIN)
		return why_invalid(
		    why, whylen, "boot protocol %u.%02u is too old: direct 64-bit boot needs 2.12",
		    k->version >> 8, k->version & 0xff);
	if (!(get_le16(img + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return why_invalid(why, whylen,
				   "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");
	if (!(img[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH))
		return why_invalid(why, whylen,
				   "kernel does not load at 1 MiB (LOADED_HIGH clear)");
	setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	setup_len = (setup_sects + 1) * 512u;
	if (setup_len >= len)
		return why_invalid(why, whylen, "truncated bzImage: setup is %zu bytes, file %zu",
				   setup_len, len);
	k->image = img;
	k->image_len = len;
	k->payload = img + setup_len;
	k->payload_len = len - setup_len;
	k->header_len = (size_t)(HDR_JUMP + 2 + img[HDR_JUMP + 1]) - HDR_START;
	if (HDR_START + k->header_len > setup_len || HDR_START + k->header_len > BP_SIZE)
		return why_invalid(why, whylen, "setup header runs past the setup code");
	k->load_addr = get_le64(img + HDR_PREF_ADDRESS);
	if (k->load_addr < LAYOUT_HIGH_START)
		k->load_addr = LAYOUT_HIGH_START;
	k->init_size = get_le32(img + HDR_INIT_SIZE);
	if (k->init_size < k->payload_len)
		k->init_size = (uint32_t)k->payload_len;
	/* The kernel's limit, or the room sevm gives the command line if smaller. */
	k->cmdline_size = get_le32(img + HDR_CMDLINE_SIZE);
	if (k->cmdline_size > LAYOUT_CMDLINE_MAX - 1)
		k->cmdline_size = LAYOUT_CMDLINE_MAX - 1;
	k->initrd_addr_max = get_le32(img + HDR_INITRD_ADDR_MAX);
	return 0;
}

int initrd_check(const uint8_t *d, size_t len, char *why, size_t whylen)
{
	/* Formats Linux's initramfs unpacker accepts (init/initramfs.c, lib/decompress.c). */
	static const struct {
		const char *magic;
		size_t len;
	} formats[] = {
	    {"070701", 6},
	    {"070702", 6},   /* newc cpio, with and without CRC */
	    {"\x1f\x8b", 2}, /* gzip */
	    {"\xfd"
	     "7zXZ\0",
	     6},		     /* xz */
	    {"\x28\xb5\x2f\xfd", 4}, /* zstd */
	    {"BZh", 3},		     /* bzip2 */
	    {"\x5d\x00\x00", 3},     /* lzma */
	    {"\x02\x21\x4c\x18", 4}, /* lz4 legacy */
	    {"\x89LZO", 4},	     /* lzop */
	};

	if (len == 0)
		return why_invalid(why, whylen, "initrd is empty");
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (len >= formats[i].len && !memcmp(d, formats[i].magic, formats[i].len))
			return 0;
	return why_invalid(why, whylen,
			   "not an initramfs (neither a newc cpio archive nor compressed)");
}

int bzimage_load(struct guest_mem *m, const struct bzimage *k, const uint8_t *initrd,
		 size_t initrd_len, const char *cmdline, struct boot_entry *out, char *why,
		 size_t whylen)
{
	uint8_t zp[BP_SIZE] = {0};
	struct e820_entry map[BP_E820_MAX];
	uint64_t low_end = m->ram[0].size, kernel_end = k->load_addr + k->init_size;
	size_t cmd_len = strlen(cmdline);
	int n;

	if (kernel_end > low_end)
		return why_invalid(why, whylen,
				   "kernel needs RAM up to %#llx but low RAM ends at %#llx",
				   (unsigned long long)kernel_end, (unsigned long long)low_end);
	if (cmd_len > k->cmdline_size)
		return why_invalid(why, whylen,
				   "command line is %zu bytes; the kernel takes at most %u",
				   cmd_len, k->cmdline_size);
	if (mem_write(m, k->load_addr, k->payload, k->payload_len) ||
	    mem_write(m, LAYOUT_CMDLINE, cmdline, cmd_len + 1))
		return why_invalid(why, whylen, "kernel does not fit in guest RAM");

	memcpy(zp + HDR_START, k->image + HDR_START, k->header_len);
	zp[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_UNDEFINED;
	put_le32(zp + HDR_CMD_LINE_PTR, (uint32_t)LAYOUT_CMDLINE);
	put_le32(zp + BP_EXT_CMD_LINE_PTR, 0);

	if (initrd) {
		/* Highest page-aligned spot under both initrd_addr_max and low RAM's end. */
		uint64_t limit = (uint64_t)k->initrd_addr_max + 1;
		uint64_t addr;

		if (limit > low_end)
			limit = low_end;
		if (initrd_len > limit)
			return why_invalid(why, whylen,
					   "initrd of %zu bytes does not fit below %#llx",
					   initrd_len, (unsigned long long)limit);
		addr = ALIGN_DOWN(limit - initrd_len, MEM_PAGE_SIZE);
		if (addr < ALIGN_UP(kernel_end, MEM_PAGE_SIZE))
			return why_invalid(
			    why, whylen,
			    "initrd of %zu bytes does not fit between the kernel and %#llx",
			    initrd_len, (unsigned long long)limit);
		if (mem_write(m, addr, initrd, initrd_len))
			return why_invalid(why, whylen, "initrd does not fit in guest RAM");
		put_le32(zp + HDR_RAMDISK_IMAGE, (uint32_t)addr);
		put_le32(zp + HDR_RAMDISK_SIZE, (uint32_t)initrd_len);
	}

	n = e820_build(m->ram, m->nr_ram, map, BP_E820_MAX);
	if (n < 0)
		return why_invalid(why, whylen, "guest RAM too small for a memory map");
	e820_store(zp, map, (unsigned)n);
	if (mem_write(m, LAYOUT_ZERO_PAGE, zp, sizeof(zp)))
		return why_invalid(why, whylen, "zero page does not fit in guest RAM");
	out->rip = k->load_addr + BOOT_ENTRY64_OFFSET;
	out->zero_page = LAYOUT_ZERO_PAGE;
	return 0;
}
