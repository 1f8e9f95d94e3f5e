// SPDX-License-Identifier: MIT
/*
 * KVM's dirty log over guest RAM (see dirty.h).
 */
#include "dirty.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvm.h"

#define PAGE 4096ull

/* RAM slot i as mem_register() made it, with flags. */
static int set_slot(const struct guest_mem *m, int vm_fd, unsigned int i, uint32_t flags)
{
	uint64_t offset = 0;

	for (unsigned int k = 0; k < i; k++)
		offset += m->ram[k].size;
	struct kvm_userspace_memory_region r = {
	    .slot = i,
	    .flags = flags,
	    .guest_phys_addr = m->ram[i].gpa,
	    .memory_size = m->ram[i].size,
	    .userspace_addr = (uint64_t)(uintptr_t)(m->base + offset),
	};
	return kvm_set_user_memory_region(vm_fd, &r);
}

int dirty_log_start(struct guest_mem *m, int vm_fd)
{
	for (unsigned int i = 0; i < m->nr_ram; i++) {
		int ret = set_slot(m, vm_fd, i, KVM_MEM_LOG_DIRTY_PAGES);

		if (ret)
			return ret;
	}
	return 0;
}

int dirty_log_stop(struct guest_mem *m, int vm_fd)
{
	for (unsigned int i = 0; i < m->nr_ram; i++) {
		int ret = set_slot(m, vm_fd, i, 0);

		if (ret)
			return ret;
	}
	return 0;
}

int dirty_map_init(struct dirty_map *d, const struct guest_mem *m)
{
	const struct mem_range *last = &m->ram[m->nr_ram - 1];

	d->nr_pfns = (last->gpa + last->size) / PAGE;
	d->bits = calloc((d->nr_pfns + 63) / 64, sizeof(uint64_t));
	return d->bits ? 0 : -ENOMEM;
}

void dirty_map_free(struct dirty_map *d)
{
	free(d->bits);
	d->bits = NULL;
	d->nr_pfns = 0;
}

int dirty_log_fetch(const struct guest_mem *m, int vm_fd, struct dirty_map *d, uint64_t *added,
		    bool (*ignore)(const void *arg, uint64_t pfn), const void *arg)
{
	if (added)
		*added = 0;
	for (unsigned int i = 0; i < m->nr_ram; i++) {
		uint64_t pages = m->ram[i].size / PAGE, first = m->ram[i].gpa / PAGE;
		/* KVM writes whole longs: round the slot's bitmap up to 64 bits. */
		uint64_t *slot = calloc((pages + 63) / 64, sizeof(uint64_t));
		int ret;

		if (!slot)
			return -ENOMEM;
		ret = kvm_get_dirty_log(vm_fd, i, slot);
		/* Mostly clean words in the last rounds: visit only the set bits. */
		for (uint64_t w = 0; !ret && w < (pages + 63) / 64; w++)
			for (uint64_t bits = slot[w]; bits; bits &= bits - 1) {
				uint64_t p = w * 64 + (uint64_t)__builtin_ctzll(bits);

				if (p >= pages)
					continue;
				uint64_t *word = &d->bits[(first + p) / 64],
					 bit = 1ull << ((first + p) % 64);
				if (added && !(*word & bit) && !(ignore && ignore(arg, first + p)))
					(*added)++;
				*word |= bit;
			}
		free(slot);
		if (ret)
			return ret;
	}
	return 0;
}
