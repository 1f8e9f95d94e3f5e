// SPDX-License-Identifier: MIT
#include "mem.h"
#include "kvm.h"

#include <errno.h>
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

int mem_create_with_firmware(struct guest_mem *m, uint64_t size, uint64_t fw_size)
{
	uint64_t total = size + fw_size, pages = total / MEM_PAGE_SIZE;
	int ret;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (size == 0 || size % MEM_PAGE_SIZE || fw_size % MEM_PAGE_SIZE || fw_size > MEM_FW_MAX)
		return -EINVAL;
	m->fd = memfd_create("sevm-guest-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, (off_t)total) < 0)
		goto fail_errno;
	/* MAP_NORESERVE: RAM is committed as the guest touches it. */
	m->base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->fd, 0);
	if (m->base == MAP_FAILED) {
		m->base = NULL;
		goto fail_errno;
	}
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

fail_errno:
	ret = -errno;
	mem_destroy(m);
	return ret;
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
	if (m->fd >= 0)
		close(m->fd);
	free(m->vmm_dirty);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/* Offset into the memfd of [gpa, gpa+len), or -1 when not wholly in one range. */
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

bool mem_page_is_hole(const struct guest_mem *m, uint64_t gpa, struct mem_extent *c)
{
	int64_t off = gpa_to_offset(m, gpa, MEM_PAGE_SIZE), next;

	if (off < 0)
		return false;
	if (off >= c->start && off < c->end)
		return c->hole;
	next = lseek(m->fd, off, SEEK_DATA);
	if (next < 0 && errno != ENXIO)
		return false; /* cannot tell: treat it as data */
	if (next < 0 || next > off) { /* ENXIO: no data from off on */
		*c = (struct mem_extent){off, next < 0 ? INT64_MAX : next, true};
		return true;
	}
	next = lseek(m->fd, off, SEEK_HOLE);
	*c = (struct mem_extent){off, next > off ? next : off + (int64_t)MEM_PAGE_SIZE, false};
	return false;
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
