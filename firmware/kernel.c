// SPDX-License-Identifier: MIT
/*
 * The kernel's setup header (Linux Documentation/arch/x86/boot.rst, "The
 * real-mode kernel header", "Details of header fields") and where kernel
 * and initrd go in low RAM. The checks are those of sevm's own direct boot
 * (src/vmm/bzimage.c, docs/boot.md); the placement also keeps clear of the
 * firmware's shared region, which lies in low RAM.
 */
#include "bootparams.h"
#include "fw.h"

#define PROTOCOL_64BIT_MIN 0x020c /* 2.12: xloadflags, XLF_KERNEL_64 */
#define SHARED_END (FW_SHARED_BASE + FW_SHARED_SIZE)

static bool overlaps(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
	return a < b + m && b < a + n;
}

/* [a, a + n) inside low RAM above 1 MiB, clear of the shared region. */
static bool fits(uint64_t a, uint64_t n, uint64_t low_end)
{
	if (a < MIB || a > low_end || n > low_end - a)
		return false;
	return !overlaps(a, n, FW_SHARED_BASE, FW_SHARED_SIZE);
}

static void place(const uint8_t *img, uint64_t low_end, struct kernel_info *k)
{
	uint64_t pref = get_le64(img + HDR_PREF_ADDRESS), align;

	k->load = pref < MIB ? MIB : pref;
	if (fits(k->load, k->init_size, low_end))
		return;
	/* boot.rst: a relocatable kernel runs from any kernel_alignment multiple. */
	if (!img[HDR_RELOCATABLE])
		fw_refuse(FW_EXIT_NO_MEMORY, "kernel is not relocatable");
	align = get_le32(img + HDR_KERNEL_ALIGNMENT);
	if (align < FW_PAGE || align > GIB || (align & (align - 1)))
		align = 2 * MIB;
	k->load = FW_ALIGN_UP(MIB, align);
	if (!fits(k->load, k->init_size, low_end))
		k->load = FW_ALIGN_UP(SHARED_END, align);
	if (!fits(k->load, k->init_size, low_end))
		fw_refuse(FW_EXIT_NO_MEMORY, "kernel does not fit in low RAM");
}

void kernel_parse(const uint8_t *img, uint64_t size, uint64_t low_end, struct kernel_info *k)
{
	unsigned setup_sects;

	k->size = size;
	if (size < HDR_MIN_SIZE)
		fw_refuse(FW_EXIT_KERNEL_IMAGE, "too small");
	if (get_le32(img + HDR_HEADER) != HDR_MAGIC)
		fw_refuse(FW_EXIT_KERNEL_IMAGE, "no HdrS signature");
	if (get_le16(img + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		fw_refuse(FW_EXIT_KERNEL_IMAGE, "boot_flag is not 0xaa55");
	k->version = get_le16(img + HDR_VERSION);
	if (k->version < PROTOCOL_64BIT_MIN)
		fw_refuse(FW_EXIT_KERNEL_IMAGE, "boot protocol older than 2.12");
	if (!(get_le16(img + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		fw_refuse(FW_EXIT_KERNEL_IMAGE, "no 64-bit entry point (XLF_KERNEL_64)");
	if (!(img[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH))
		fw_refuse(FW_EXIT_KERNEL_IMAGE, "LOADED_HIGH clear");
	setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	k->setup_len = (setup_sects + 1) * 512ull;
	if (k->setup_len >= size)
		fw_refuse(FW_EXIT_KERNEL_IMAGE, "truncated");
	/* The header ends where the jump at 0x200 lands (boot.rst). */
	k->header_len = HDR_JUMP + 2 + img[HDR_JUMP + 1] - HDR_START;
	if (HDR_START + k->header_len > k->setup_len)
		fw_refuse(FW_EXIT_KERNEL_IMAGE, "setup header runs past the setup code");
	k->init_size = get_le32(img + HDR_INIT_SIZE);
	if (k->init_size < size - k->setup_len)
		k->init_size = size - k->setup_len;
	k->cmdline_max = get_le32(img + HDR_CMDLINE_SIZE);
	k->initrd_max = (uint64_t)get_le32(img + HDR_INITRD_ADDR_MAX) + 1;
	place(img, low_end, k);
}

uint64_t kernel_place_initrd(const struct kernel_info *k, uint64_t size, uint64_t low_end)
{
	/* Candidates: right below the limit, the kernel or the shared region. */
	uint64_t limit = k->initrd_max < low_end ? k->initrd_max : low_end;
	const uint64_t ends[3] = {limit, k->load, FW_SHARED_BASE};
	uint64_t best = 0;

	for (unsigned i = 0; i < 3; i++) {
		uint64_t a;

		if (ends[i] > limit || ends[i] < size)
			continue;
		a = FW_ALIGN_DOWN(ends[i] - size, FW_PAGE);
		if (fits(a, size, limit) && !overlaps(a, size, k->load, k->init_size) && a > best)
			best = a;
	}
	if (!best)
		fw_refuse(FW_EXIT_NO_MEMORY, "no room for the initrd");
	return best;
}
