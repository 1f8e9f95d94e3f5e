/* SPDX-License-Identifier: MIT */
/*
 * An address space (port I/O or MMIO) on which devices register ranges.
 * Dispatch finds the range by binary search and hands the handler the
 * offset into its range. Accesses nobody claimed read as all-ones and
 * writes to them are dropped, as on a PC with nothing on the bus.
 */
#ifndef SEVM_SRC_VMM_BUS_H
#define SEVM_SRC_VMM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef void (*bus_io_fn)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			  bool is_write);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_io_fn fn;
	void *opaque;
	const char *name;
};

struct bus {
	const char *name;	  /* "pio" or "mmio", for messages */
	struct bus_range *ranges; /* sorted by base, never overlapping */
	unsigned nr;
	unsigned long unclaimed; /* accesses that hit no range */
};

void bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);
/* -EEXIST when [base, base+len) overlaps a registered range; -EINVAL for len 0 or wrap. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_io_fn fn, void *opaque,
		 const char *name) __attribute__((warn_unused_result));
/* Returns true when a device claimed the access. Registration happens before
 * vCPUs start, so dispatch needs no lock; devices lock their own state. */
bool bus_dispatch(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len, bool is_write);
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr);

#endif
