// SPDX-License-Identifier: MIT
#include "mem.h"
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void mem_layout(uint64_t size, struct mem_range ram[2], unsigned *nr_ram)
{
	uint64_t low = size < MEM_HOLE_START ? size : MEM_HOLE_START;

	ram[0] = (struct mem_range){.gpa = 0, .size = low};
	*nr_ram = 1;
	if (size > low) {
		ram[1] = (struct mem_range){.gpa = MEM_4G, .size = size - low};
		*nr_ram = 2;
	}
}

/* The firmware region stays above 0xff000000: clear of the IOAPIC, the
 * LAPIC and the pages below them that KVM keeps for itself (vm.c). */
#define MEM_FW_MAX (MEM_4G - 0xff000000ULL)

int mem_create(struct guest_mem *m, uint64_t size)
{
	return mem_create_with_firmware(m, size, 0);
}

/* A 2 MiB-aligned anonymous mapping of len bytes, or MAP_FAILED. */
static uint8_t *map_aligned(uint64_t len)
{
	uint8_t *raw = mmap(NULL, len + MEM_HUGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *at;

	if (raw == MAP_FAILED)
		return raw;
	at = (uint8_t *)(((uintptr_t)raw + MEM_HUGE_SIZE - 1) & ~(uintptr_t)(MEM_HUGE_SIZE - 1));
	/* The slack before and after: at lies in [raw, raw + MEM_HUGE_SIZE). */
	if (at > raw)
		munmap(raw, (size_t)(at - raw));
	munmap(at + len, (size_t)(raw + MEM_HUGE_SIZE - at));
	return at;
}

int mem_create_with_firmware(struct guest_mem *m, uint64_t size, uint64_t fw_size)
{
	uint64_t total = size + fw_size, pages = total / MEM_PAGE_SIZE;

	memset(m, 0, sizeof(*m));
	m->pagemap = -1;
	if (size == 0 || size % MEM_PAGE_SIZE || fw_size % MEM_PAGE_SIZE || fw_size > MEM_FW_MAX)
		return -EINVAL;
	/* MAP_NORESERVE: RAM is committed as the guest touches it. */
	m->base = map_aligned(total);
	if (m->base == MAP_FAILED) {
		m->base = NULL;
		return -errno;
	}
	/* Transparent huge pages where the host allows them (its "madvise"
	 * default): KVM then maps guest RAM 2 MiB at a time, so a guest, or
	 * a Migration Handler sweeping RAM, takes one fault per 2 MiB, not
	 * per 4 KiB (docs/migration.md, "Guest memory"). Only speed rides
	 * on it: EINVAL where the kernel has no THP. */
	(void)madvise(m->base, total, MADV_HUGEPAGE);
	/* Which pages were ever written (mem_page_is_hole); without /proc,
	 * every page counts as written. */
	m->pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	m->size = size;
	mem_layout(size, m->ram, &m->nr_ram);
	if (fw_size)
		m->fw = (struct mem_range){.gpa = MEM_4G - fw_size, .size = fw_size};
	m->vmm_dirty = calloc((pages + 63) / 64, sizeof(uint64_t));
	if (!m->vmm_dirty) {
		mem_destroy(m);
		return -ENOMEM;
	}
	return 0;
}

int mem_register(struct guest_mem *m, int vm_fd)
{
	uint64_t offset = 0;

	for (unsigned i = 0; i < m->nr_ram; i++) {
		struct kvm_userspace_memory_region r = {
		    .slot = i,
		    .guest_phys_addr = m->ram[i].gpa,
		    .memory_size = m->ram[i].size,
		    .userspace_addr = (uint64_t)(uintptr_t)(m->base + offset),
		};
		int ret = kvm_set_user_memory_region(vm_fd, &r);

		if (ret < 0)
			return ret;
		offset += m->ram[i].size;
	}
	if (m->fw.size) {
		struct kvm_userspace_memory_region r = {
		    .slot = m->nr_ram,
		    .guest_phys_addr = m->fw.gpa,
		    .memory_size = m->fw.size,
		    .userspace_addr = (uint64_t)(uintptr_t)(m->base + m->size),
		};

		return kvm_set_user_memory_region(vm_fd, &r);
	}
	return 0;
}

void mem_destroy(struct guest_mem *m)
{
	if (m->base)
		munmap(m->base, m->size + m->fw.size);
	if (m->pagemap >= 0)
		close(m->pagemap);
	free(m->vmm_dirty);
	memset(m, 0, sizeof(*m));
	m->pagemap = -1;
}

/* Offset into the mapping of [gpa, gpa+len), or -1 when not wholly in one range. */
static int64_t gpa_to_offset(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t offset = 0;

	for (unsigned i = 0; i < m->nr_ram; i++) {
		const struct mem_range *r = &m->ram[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return (int64_t)(offset + gpa - r->gpa);
		offset += r->size;
	}
	if (m->fw.size && gpa >= m->fw.gpa && gpa - m->fw.gpa <= m->fw.size &&
	    len <= m->fw.size - (gpa - m->fw.gpa))
		return (int64_t)(m->size + gpa - m->fw.gpa);
	return -1;
}

/* /proc/PID/pagemap: one u64 per virtual page; bit 63 present, bit 62
 * swapped (Documentation/admin-guide/mm/pagemap.rst). */
#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_SWAPPED (1ULL << 62)
#define PAGEMAP_BATCH 512 /* entries per read: 2 MiB of guest memory */

bool mem_page_is_hole(const struct guest_mem *m, uint64_t gpa, struct mem_extent *c)
{
	int64_t off = gpa_to_offset(m, gpa, MEM_PAGE_SIZE);
	uint64_t e[PAGEMAP_BATCH], end = m->size + m->fw.size;
	size_t want, n, i;
	ssize_t got;
	bool hole;

	if (off < 0 || m->pagemap < 0)
		return false;
	if (off >= c->start && off < c->end)
		return c->hole;
	want = (size_t)((end - (uint64_t)off) / MEM_PAGE_SIZE);
	want = want < PAGEMAP_BATCH ? want : PAGEMAP_BATCH;
	got = pread(m->pagemap, e, want * sizeof(e[0]),
		    (off_t)((uintptr_t)(m->base + off) / MEM_PAGE_SIZE * sizeof(e[0])));
	if (got < (ssize_t)sizeof(e[0]))
		return false; /* cannot tell: treat it as data */
	n = (size_t)got / sizeof(e[0]);
	/* Neither in memory nor swapped out: never written (a read maps the
	 * zero page, which counts as data here: still correct). */
	hole = !(e[0] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED));
	for (i = 1; i < n && !(e[i] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)) == hole; i++)
		;
	*c = (struct mem_extent){off, off + (int64_t)(i * MEM_PAGE_SIZE), hole};
	return hole;
}

void *mem_gpa_to_hva(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	int64_t off = gpa_to_offset(m, gpa, len);

	return off < 0 ? NULL : m->base + off;
}

int mem_write(struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	int64_t off = gpa_to_offset(m, gpa, len);

	if (off < 0)
		return -EFAULT;
	memcpy(m->base + off, src, len);
	for (uint64_t p = (uint64_t)off / MEM_PAGE_SIZE;
	     len && p <= ((uint64_t)off + len - 1) / MEM_PAGE_SIZE; p++)
		m->vmm_dirty[p / 64] |= 1ULL << (p % 64);
	return 0;
}

bool mem_page_is_vmm_dirty(const struct guest_mem *m, uint64_t gpa)
{
	int64_t off = gpa_to_offset(m, gpa, 1);
	uint64_t p;

	if (off < 0)
		return false;
	p = (uint64_t)off / MEM_PAGE_SIZE;
	return m->vmm_dirty[p / 64] >> (p % 64) & 1;
}
