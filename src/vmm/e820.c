// SPDX-License-Identifier: MIT
#include "e820.h"
#include "bootparams.h"
#include "layout.h"

#include <errno.h>

static int add(struct e820_entry *out, unsigned max, unsigned *n, uint64_t addr, uint64_t size,
	       uint32_t type)
{
	if (*n >= max)
		return -EINVAL;
	out[(*n)++] = (struct e820_entry){addr, size, type};
	return 0;
}

int e820_build(const struct mem_range *ram, unsigned nr_ram, struct e820_entry *out, unsigned max)
{
	unsigned n = 0;
	int ret = 0;

	if (nr_ram == 0 || ram[0].gpa != 0 || ram[0].size <= LAYOUT_HIGH_START)
		return -EINVAL;
	ret |= add(out, max, &n, 0, LAYOUT_EBDA, E820_TYPE_RAM);
	ret |= add(out, max, &n, LAYOUT_EBDA, LAYOUT_VGA_START - LAYOUT_EBDA, E820_TYPE_RESERVED);
	ret |= add(out, max, &n, LAYOUT_BIOS_START, LAYOUT_HIGH_START - LAYOUT_BIOS_START,
		   E820_TYPE_RESERVED);
	ret |= add(out, max, &n, LAYOUT_HIGH_START, ram[0].size - LAYOUT_HIGH_START, E820_TYPE_RAM);
	for (unsigned i = 1; i < nr_ram; i++)
		ret |= add(out, max, &n, ram[i].gpa, ram[i].size, E820_TYPE_RAM);
	return ret ? -EINVAL : (int)n;
}

void e820_store(uint8_t *zero_page, const struct e820_entry *e, unsigned n)
{
	/* struct boot_e820_entry is packed: u64 addr, u64 size, u32 type. */
	for (unsigned i = 0; i < n && i < BP_E820_MAX; i++) {
		uint8_t *p = zero_page + BP_E820_TABLE + 20 * i;

		put_le64(p, e[i].addr);
		put_le64(p + 8, e[i].size);
		put_le32(p + 16, e[i].type);
	}
	zero_page[BP_E820_ENTRIES] = (uint8_t)(n < BP_E820_MAX ? n : BP_E820_MAX);
}
