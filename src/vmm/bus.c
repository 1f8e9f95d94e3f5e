// SPDX-License-Identifier: MIT
#include "bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr = 0;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_io_fn fn, void *opaque,
		 const char *name)
{
	struct bus_range *r;
	unsigned at = 0;

	if (len == 0 || base + len - 1 < base || !fn)
		return -EINVAL;
	while (at < bus->nr && bus->ranges[at].base < base)
		at++;
	/* Overlap with the neighbour below or the one at the insertion point. */
	if (at > 0 && bus->ranges[at - 1].base + bus->ranges[at - 1].len - 1 >= base)
		return -EEXIST;
	if (at < bus->nr && bus->ranges[at].base <= base + len - 1)
		return -EEXIST;
	r = realloc(bus->ranges, (bus->nr + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	bus->ranges = r;
	memmove(&r[at + 1], &r[at], (bus->nr - at) * sizeof(*r));
	r[at] = (struct bus_range){base, len, fn, opaque, name};
	bus->nr++;
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr)
{
	unsigned lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

bool bus_dispatch(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len, bool is_write)
{
	const struct bus_range *r = bus_find(bus, addr);

	if (!r) {
		__atomic_fetch_add(&bus->unclaimed, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	r->fn(r->opaque, addr - r->base, data, len, is_write);
	return true;
}
