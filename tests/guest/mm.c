// SPDX-License-Identifier: MIT
/*
 * Physical memory: the identity map every CPU runs on, and the carving of
 * pattern memory into per-CPU slices.
 *
 * The map uses 2 MiB pages only (Intel SDM Vol. 3A 4.5, PDE with PS=1);
 * 1 GiB pages triple-fault on PVM.  0..4 GiB is always mapped, so the MP
 * table and the LAPIC are reachable wherever the platform put them; above
 * 4 GiB only 2 MiB chunks that hold RAM, up to MAX_GB.  The LAPIC's chunk
 * is uncached (PCD|PWT).  Every entry is user-accessible: the CPL3
 * workload touches the image, its stacks and the pattern memory, and there
 * is nothing to protect from it.
 */
#include "kernel.h"
#include "x86.h"

#define GIB (1ull << 30)
#define CHUNK (2ull << 20)
#define PT_FLAGS (PTE_P | PTE_W | PTE_U)

/* Written in full before use, so they need not be zeroed at boot. */
u64 pml4[512] ALIGNED(PAGE_SIZE) __attribute__((section(".noinit")));
static u64 pdpt[512] ALIGNED(PAGE_SIZE) __attribute__((section(".noinit")));
static u64 pd[MAX_GB][512] ALIGNED(PAGE_SIZE) __attribute__((section(".noinit")));

static bool overlaps_ram(u64 base, u64 size)
{
	for (u32 i = 0; i < bootinfo.nram; i++) {
		const struct memrange *r = &bootinfo.ram[i];

		if (base < r->base + r->size && r->base < base + size)
			return true;
	}
	return false;
}

bool mm_is_ram(u64 base, u64 size)
{
	for (u32 i = 0; i < bootinfo.nram; i++) {
		const struct memrange *r = &bootinfo.ram[i];

		if (base >= r->base && base + size <= r->base + r->size)
			return true;
	}
	return false;
}

void mm_map_identity(u64 lapic_base)
{
	u64 top = 4 * GIB;
	u32 gbs;

	if (bootinfo.nram) {
		const struct memrange *r = &bootinfo.ram[bootinfo.nram - 1];

		if (r->base + r->size > top)
			top = r->base + r->size;
	}
	gbs = (u32)((top + GIB - 1) / GIB);
	if (gbs > MAX_GB)
		gbs = MAX_GB;

	for (u32 i = 0; i < 512; i++) {
		pml4[i] = 0;
		pdpt[i] = i < gbs ? (u64)pd[i] | PT_FLAGS : 0;
	}
	pml4[0] = (u64)pdpt | PT_FLAGS;

	for (u32 g = 0; g < gbs; g++) {
		for (u32 e = 0; e < 512; e++) {
			u64 a = (u64)g * GIB + (u64)e * CHUNK;

			pd[g][e] = g < 4 || overlaps_ram(a, CHUNK) ? a | PT_FLAGS | PTE_PS : 0;
		}
	}
	if (lapic_base < (u64)gbs * GIB)
		pd[lapic_base / GIB][(lapic_base % GIB) / CHUNK] |= PTE_PCD | PTE_PWT;

	write_cr3((u64)pml4);
}

u64 mm_image_end(void)
{
	return ((u64)__image_end + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
}

/* Slice layout: a u32 generation per page first, then the pattern pages. */
static void set_slice(struct cpu *c, u64 base, u64 size)
{
	u64 total = size / PAGE_SIZE;
	u64 gen_pages = (total + 1024) / 1025;

	c->gen = (u32 *)base;
	c->pages = base + gen_pages * PAGE_SIZE;
	c->npages = total - gen_pages;
}

/* Usable part of RAM range i: above the image, below MAX_GB, page-aligned. */
static bool usable(u32 i, u64 *start, u64 *end)
{
	const struct memrange *r = &bootinfo.ram[i];
	u64 floor = mm_image_end(), limit = (u64)MAX_GB * GIB;
	u64 s = r->base > floor ? r->base : floor;
	u64 e = r->base + r->size;

	s = (s + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
	e = (e < limit ? e : limit) & ~(u64)(PAGE_SIZE - 1);
	*start = s;
	*end = e;
	return s < e;
}

/* Place ncpus contiguous slices first-fit into RAM above the image. */
static bool place(u32 ncpus, u64 slice)
{
	u32 cpu = 0;

	for (u32 i = 0; i < bootinfo.nram && cpu < ncpus; i++) {
		u64 cur, end;

		if (!usable(i, &cur, &end))
			continue;
		while (cpu < ncpus && end - cur >= slice) {
			set_slice(&cpus[cpu++], cur, slice);
			cur += slice;
		}
	}
	return cpu == ncpus;
}

/*
 * Split mem evenly, shrinking it to what fits.  Returns the bytes in use
 * (0 if not even two pages per CPU fit).
 */
u64 mm_assign_slices(u32 ncpus, u64 mem)
{
	u64 avail = 0, slice;

	for (u32 i = 0; i < bootinfo.nram; i++) {
		u64 s, e;

		if (usable(i, &s, &e))
			avail += e - s;
	}
	if (mem > avail)
		mem = avail;
	slice = (mem / ncpus) & ~(u64)(PAGE_SIZE - 1);

	while (slice >= 2 * PAGE_SIZE) {
		u64 step;

		if (place(ncpus, slice))
			return slice * ncpus;
		step = (slice / 16) & ~(u64)(PAGE_SIZE - 1);
		slice -= step ? step : PAGE_SIZE;
	}
	return 0;
}
