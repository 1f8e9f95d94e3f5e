/* SPDX-License-Identifier: MIT */
/*
 * Guest physical memory: one anonymous mapping, 2 MiB-aligned and backed by
 * transparent huge pages where the host allows, split into at most two KVM
 * slots around the 32-bit MMIO hole:
 *
 *   [0, low_size)                RAM, low_size = min(size, MEM_HOLE_START)
 *   [MEM_HOLE_START, 4 GiB)      hole: IOAPIC, LAPIC, device MMIO
 *   [4 GiB, 4 GiB + high_size)   RAM, the rest
 *
 * Every write the VMM makes into guest RAM goes through mem_write(), which
 * marks the VMM's own dirty bitmap (conventions.md §7).
 */
#ifndef SEVM_SRC_VMM_MEM_H
#define SEVM_SRC_VMM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_PAGE_SIZE 4096ULL
#define MEM_HUGE_SIZE (2ULL << 20)   /* the mapping's alignment: one huge page */
#define MEM_HOLE_START 0xC0000000ULL /* 3 GiB */
#define MEM_4G 0x100000000ULL

struct mem_range {
	uint64_t gpa;
	uint64_t size;
};

struct guest_mem {
	int pagemap;   /* /proc/self/pagemap (mem_page_is_hole), or -1 */
	uint8_t *base; /* host mapping of all guest memory: RAM, then firmware */
	uint64_t size; /* bytes of RAM */
	struct mem_range ram[2];
	unsigned nr_ram;
	/* Firmware image region ending at 4 GiB (size 0: none); it follows RAM
	 * in the mapping. It is guest memory like RAM, only outside the e820 RAM. */
	struct mem_range fw;
	uint64_t *vmm_dirty; /* one bit per page of RAM and firmware, in mapping order */
};

/* Pure layout computation (unit-tested): splits size around the hole. */
void mem_layout(uint64_t size, struct mem_range ram[2], unsigned *nr_ram);

int mem_create(struct guest_mem *m, uint64_t size) __attribute__((warn_unused_result));
/* RAM of ram_size plus a firmware region of fw_size (4 KiB multiple, at most
 * the hole above MEM_HOLE_START and below the IOAPIC) ending at 4 GiB. */
int mem_create_with_firmware(struct guest_mem *m, uint64_t ram_size, uint64_t fw_size)
    __attribute__((warn_unused_result));
/* Registers the RAM ranges as KVM slots 0.., then the firmware region. */
int mem_register(struct guest_mem *m, int vm_fd) __attribute__((warn_unused_result));
void mem_destroy(struct guest_mem *m);

/* Host pointer for [gpa, gpa+len) if it lies wholly in one RAM range, else NULL. */
void *mem_gpa_to_hva(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/*
 * Whether the page at gpa was never written by anyone (no memory behind
 * it: it reads as zeros), without touching it; false when that cannot be
 * told. Migration skips such pages on both ends. A huge page is written
 * as a whole: its first write makes all of its 2 MiB data. Walking in
 * ascending order, the cursor saves most reads of /proc/self/pagemap.
 */
struct mem_extent {
	int64_t start, end; /* a known run of mapping offsets ... */
	bool hole;	    /* ... that is a hole, or data */
};
bool mem_page_is_hole(const struct guest_mem *m, uint64_t gpa, struct mem_extent *cursor);
/* Copies into guest RAM and marks the VMM dirty bitmap; -EFAULT outside RAM. */
int mem_write(struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
    __attribute__((warn_unused_result));
bool mem_page_is_vmm_dirty(const struct guest_mem *m, uint64_t gpa);

#endif
