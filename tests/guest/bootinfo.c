// SPDX-License-Identifier: MIT
/*
 * Copy what the loader told us into struct bootinfo, first thing at boot:
 * boot_params, multiboot info and the command line may sit anywhere in
 * RAM, including where the pattern memory or the AP trampoline will go.
 *
 * Linux boot.rst / zero-page.rst: boot_params.e820_entries at 0x1e8,
 * e820_table (20-byte entries) at 0x2d0, hdr.cmd_line_ptr at 0x228,
 * ext_cmd_line_ptr (bits 63:32) at 0x0c8.
 * Multiboot 0.6.96 3.3: flags at 0, mem_lower/upper at 4/8 (bit 0),
 * cmdline at 16 (bit 2), mmap_length/addr at 44/48 (bit 6).
 */
#include "kernel.h"

#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define E820_RAM 1

#define MBI_FLAG_MEM (1u << 0)
#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_FLAG_MMAP (1u << 6)

struct bootinfo bootinfo;

static u32 rd32(u64 addr)
{
	return load32((const void *)addr);
}

static u64 rd64(u64 addr)
{
	return load64((const void *)addr);
}

static void add_ram(u64 base, u64 size)
{
	u64 end = base + size;
	u32 i;

	if (!size || end < base || bootinfo.nram == MAX_RAM)
		return;
	/* Keep the list sorted and merged: later code walks it in order. */
	for (i = 0; i < bootinfo.nram; i++) {
		struct memrange *r = &bootinfo.ram[i];

		if (end >= r->base && base <= r->base + r->size) {
			u64 rend = r->base + r->size;

			r->base = base < r->base ? base : r->base;
			r->size = (end > rend ? end : rend) - r->base;
			return;
		}
		if (base < r->base)
			break;
	}
	memmove(&bootinfo.ram[i + 1], &bootinfo.ram[i],
		(bootinfo.nram - i) * sizeof(bootinfo.ram[0]));
	bootinfo.ram[i].base = base;
	bootinfo.ram[i].size = size;
	bootinfo.nram++;
}

static void add_map(u64 base, u64 size, u32 type)
{
	if (bootinfo.nmap < MAX_MAP)
		bootinfo.map[bootinfo.nmap++] = (struct mapentry){base, size, type};
}

static void copy_cmdline(u64 addr)
{
	const char *s = (const char *)addr;
	u32 n = 0;

	if (!addr)
		return;
	while (n < CMDLINE_MAX - 1 && s[n]) {
		bootinfo.cmdline[n] = s[n];
		n++;
	}
	bootinfo.cmdline[n] = '\0';
}

static void parse_boot_params(u64 bp, bool ext)
{
	u32 n = *(const u8 *)(bp + BP_E820_ENTRIES);
	u64 cmdline = rd32(bp + BP_CMD_LINE_PTR);

	if (n > BP_E820_MAX)
		n = BP_E820_MAX;
	for (u32 i = 0; i < n; i++) {
		u64 e = bp + BP_E820_TABLE + 20 * i;

		add_map(rd64(e), rd64(e + 8), rd32(e + 16));
		if (rd32(e + 16) == E820_RAM)
			add_ram(rd64(e), rd64(e + 8));
	}
	if (ext)
		cmdline |= (u64)rd32(bp + BP_EXT_CMD_LINE_PTR) << 32;
	copy_cmdline(cmdline);
}

static void parse_multiboot(u64 mbi)
{
	u32 flags = rd32(mbi);

	if (flags & MBI_FLAG_MMAP) {
		u64 p = rd32(mbi + 48);
		u64 end = p + rd32(mbi + 44);

		/* Each entry: u32 size (not counting itself), u64 base, u64 length, u32 type. */
		while (p + 24 <= end) {
			add_map(rd64(p + 4), rd64(p + 12), rd32(p + 20));
			if (rd32(p + 20) == E820_RAM)
				add_ram(rd64(p + 4), rd64(p + 12));
			p += rd32(p) + 4;
		}
	} else if (flags & MBI_FLAG_MEM) {
		add_ram(0, (u64)rd32(mbi + 4) << 10);
		add_ram(0x100000, (u64)rd32(mbi + 8) << 10);
	}
	if (flags & MBI_FLAG_CMDLINE)
		copy_cmdline(rd32(mbi + 16));
}

/* A merge in add_ram() can make a range reach its successor: join them. */
static void merge_ram(void)
{
	u32 i = 0;

	while (i + 1 < bootinfo.nram) {
		struct memrange *a = &bootinfo.ram[i], *b = a + 1;

		if (b->base > a->base + a->size) {
			i++;
			continue;
		}
		if (b->base + b->size > a->base + a->size)
			a->size = b->base + b->size - a->base;
		memmove(b, b + 1, (bootinfo.nram - i - 2) * sizeof(*b));
		bootinfo.nram--;
	}
}

void bootinfo_parse(u32 kind, u64 info)
{
	bootinfo.kind = kind;
	if (kind == BOOT_MULTIBOOT)
		parse_multiboot(info);
	else
		parse_boot_params(info, kind == BOOT_LINUX64);
	merge_ram();
}
