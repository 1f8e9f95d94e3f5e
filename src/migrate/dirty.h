/* SPDX-License-Identifier: MIT */
/*
 * Which guest RAM pages the guest wrote: KVM's dirty log on the RAM slots
 * (KVM_MEM_LOG_DIRTY_PAGES, KVM_GET_DIRTY_LOG; Linux Documentation/virt/
 * kvm/api.rst 4.8, 4.35). Writes sevm itself makes (mem_write) are not in
 * KVM's log; mem.h keeps those.
 */
#ifndef SEVM_SRC_MIGRATE_DIRTY_H
#define SEVM_SRC_MIGRATE_DIRTY_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"

/* A bitmap over guest frame numbers 0 .. nr_pfns-1 (RAM above 4 GiB included). */
struct dirty_map {
	uint64_t *bits;
	uint64_t nr_pfns;
};

/* Turn on logging for every RAM slot; the log starts clean. Returns 0 or -errno. */
int dirty_log_start(struct guest_mem *m, int vm_fd) __attribute__((warn_unused_result));
/* Turn it off again. */
int dirty_log_stop(struct guest_mem *m, int vm_fd) __attribute__((warn_unused_result));

int dirty_map_init(struct dirty_map *d, const struct guest_mem *m)
    __attribute__((warn_unused_result));
void dirty_map_free(struct dirty_map *d);

/*
 * OR the pages written since the last fetch (or start) into d, and clear
 * KVM's log; *added (if not NULL): how many of them were not in d yet,
 * leaving out pfns for which ignore(arg, pfn) holds (if given). Returns 0
 * or -errno.
 */
int dirty_log_fetch(const struct guest_mem *m, int vm_fd, struct dirty_map *d, uint64_t *added,
		    bool (*ignore)(const void *arg, uint64_t pfn), const void *arg)
    __attribute__((warn_unused_result));

static inline int dirty_map_test(const struct dirty_map *d, uint64_t pfn)
{
	return pfn < d->nr_pfns && (d->bits[pfn / 64] >> (pfn % 64) & 1);
}

#endif
