/* SPDX-License-Identifier: MIT */
/* The BIOS-style memory map a directly booted guest receives in its zero page. */
#ifndef SEVM_SRC_VMM_E820_H
#define SEVM_SRC_VMM_E820_H

#include <stdint.h>

#include "mem.h"

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820_TYPE_* (bootparams.h) */
};

/* Builds the map for RAM laid out by mem_layout(): RAM below the EBDA, the
 * EBDA and BIOS area reserved, RAM from 1 MiB, RAM above 4 GiB. Returns the
 * number of entries, or -EINVAL when low RAM does not reach past 1 MiB or
 * the map would not fit in max entries. */
int e820_build(const struct mem_range *ram, unsigned nr_ram, struct e820_entry *out, unsigned max)
    __attribute__((warn_unused_result));
/* Stores entries into a zero page (zero-page.rst: e820_entries, e820_table). */
void e820_store(uint8_t *zero_page, const struct e820_entry *e, unsigned n);

#endif
