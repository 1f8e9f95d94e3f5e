// SPDX-License-Identifier: MIT
/* Unit tests for the I/O bus (src/vmm/bus.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bus.h"

/* What a device saw of its last access. */
struct rec {
	int calls;
	uint64_t offset;
	uint32_t len;
	bool is_write;
	uint8_t data[8];
	uint8_t tag; /* reads return tag + offset + i */
};

static void rec_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct rec *r = opaque;

	r->calls++;
	r->offset = offset;
	r->len = len;
	r->is_write = is_write;
	if (is_write) {
		memcpy(r->data, data, len < sizeof(r->data) ? len : sizeof(r->data));
	} else {
		for (uint32_t i = 0; i < len; i++)
			data[i] = (uint8_t)(r->tag + offset + i);
	}
}

static void nop_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	(void)offset;
	(void)data;
	(void)len;
	(void)is_write;
}

static void test_register_and_find(void **state)
{
	struct bus bus;
	struct rec a = {0};
	const struct bus_range *r;

	(void)state;
	bus_init(&bus, "pio");
	assert_string_equal(bus.name, "pio");
	assert_int_equal(bus.nr, 0);
	assert_null(bus_find(&bus, 0));
	assert_int_equal(bus_register(&bus, 0x3f8, 8, rec_io, &a, "uart"), 0);
	assert_int_equal(bus.nr, 1);

	r = bus_find(&bus, 0x3f8);
	assert_non_null(r);
	assert_int_equal(r->base, 0x3f8);
	assert_int_equal(r->len, 8);
	assert_ptr_equal(r->opaque, &a);
	assert_string_equal(r->name, "uart");
	assert_ptr_equal(bus_find(&bus, 0x3ff), r);
	assert_null(bus_find(&bus, 0x3f7));
	assert_null(bus_find(&bus, 0x400));
	bus_destroy(&bus);
	assert_int_equal(bus.nr, 0);
	assert_null(bus.ranges);
}

static void test_overlap_rejected(void **state)
{
	struct bus bus;

	(void)state;
	bus_init(&bus, "pio");
	assert_int_equal(bus_register(&bus, 0x100, 0x10, nop_io, NULL, "a"), 0);
	assert_int_equal(bus_register(&bus, 0x200, 0x10, nop_io, NULL, "b"), 0);

	/* Into the neighbour below: its last byte. */
	assert_int_equal(bus_register(&bus, 0x10f, 2, nop_io, NULL, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0x10f, 1, nop_io, NULL, "x"), -EEXIST);
	/* Into the neighbour above: its first byte. */
	assert_int_equal(bus_register(&bus, 0x1f0, 0x11, nop_io, NULL, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0xf0, 0x11, nop_io, NULL, "x"), -EEXIST);
	/* Both neighbours at once, the same base, inside, around everything. */
	assert_int_equal(bus_register(&bus, 0x10f, 0xf2, nop_io, NULL, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0x100, 0x10, nop_io, NULL, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0x100, 1, nop_io, NULL, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0x204, 4, nop_io, NULL, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0x20f, 0x100, nop_io, NULL, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0, 0x10000, nop_io, NULL, "x"), -EEXIST);
	assert_int_equal(bus.nr, 2);

	/* Exactly adjacent on either side is fine, and so is filling the gap. */
	assert_int_equal(bus_register(&bus, 0xf0, 0x10, nop_io, NULL, "below"), 0);
	assert_int_equal(bus_register(&bus, 0x210, 1, nop_io, NULL, "above"), 0);
	assert_int_equal(bus_register(&bus, 0x110, 0xf0, nop_io, NULL, "gap"), 0);
	assert_int_equal(bus.nr, 5);
	assert_string_equal(bus_find(&bus, 0xff)->name, "below");
	assert_string_equal(bus_find(&bus, 0x100)->name, "a");
	assert_string_equal(bus_find(&bus, 0x10f)->name, "a");
	assert_string_equal(bus_find(&bus, 0x110)->name, "gap");
	assert_string_equal(bus_find(&bus, 0x1ff)->name, "gap");
	assert_string_equal(bus_find(&bus, 0x200)->name, "b");
	assert_string_equal(bus_find(&bus, 0x210)->name, "above");
	assert_null(bus_find(&bus, 0x211));
	assert_null(bus_find(&bus, 0xef));
	bus_destroy(&bus);
}

static void test_invalid_ranges(void **state)
{
	struct bus bus;

	(void)state;
	bus_init(&bus, "mmio");
	assert_int_equal(bus_register(&bus, 0x1000, 0, nop_io, NULL, "empty"), -EINVAL);
	assert_int_equal(bus_register(&bus, UINT64_MAX - 1, 3, nop_io, NULL, "wrap"), -EINVAL);
	assert_int_equal(bus_register(&bus, 2, UINT64_MAX, nop_io, NULL, "wrap"), -EINVAL);
	assert_int_equal(bus_register(&bus, 0x1000, 4, NULL, NULL, "no handler"), -EINVAL);
	assert_int_equal(bus.nr, 0);

	/* Up to the very last address, and the whole space, are fine. */
	assert_int_equal(bus_register(&bus, UINT64_MAX - 1, 2, nop_io, NULL, "top"), 0);
	assert_string_equal(bus_find(&bus, UINT64_MAX)->name, "top");
	assert_null(bus_find(&bus, UINT64_MAX - 2));
	bus_destroy(&bus);
	bus_init(&bus, "mmio");
	assert_int_equal(bus_register(&bus, 0, UINT64_MAX, nop_io, NULL, "all"), 0);
	assert_string_equal(bus_find(&bus, UINT64_MAX - 1)->name, "all");
	assert_null(bus_find(&bus, UINT64_MAX));
	bus_destroy(&bus);
}

static void test_dispatch(void **state)
{
	struct rec a = {.tag = 0x10}, b = {.tag = 0x80};
	uint8_t data[4] = {0xde, 0xad, 0xbe, 0xef};
	struct bus bus;

	(void)state;
	bus_init(&bus, "pio");
	assert_int_equal(bus_register(&bus, 0x60, 1, rec_io, &a, "a"), 0);
	assert_int_equal(bus_register(&bus, 0xcf8, 8, rec_io, &b, "b"), 0);

	assert_true(bus_dispatch(&bus, 0xcfc, data, 4, true));
	assert_int_equal(b.calls, 1);
	assert_int_equal(a.calls, 0);
	assert_int_equal(b.offset, 4);
	assert_int_equal(b.len, 4);
	assert_true(b.is_write);
	assert_memory_equal(b.data, "\xde\xad\xbe\xef", 4);

	memset(data, 0, sizeof(data));
	assert_true(bus_dispatch(&bus, 0xcf9, data, 2, false));
	assert_int_equal(b.calls, 2);
	assert_int_equal(b.offset, 1);
	assert_int_equal(b.len, 2);
	assert_false(b.is_write);
	assert_int_equal(data[0], 0x81);
	assert_int_equal(data[1], 0x82);
	assert_int_equal(data[2], 0);

	assert_true(bus_dispatch(&bus, 0x60, data, 1, false));
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.offset, 0);
	assert_int_equal(data[0], 0x10);
	assert_int_equal(bus.unclaimed, 0);
	bus_destroy(&bus);
}

static void test_unclaimed(void **state)
{
	struct rec a = {0};
	uint8_t data[4] = {1, 2, 3, 4};
	struct bus bus;

	(void)state;
	bus_init(&bus, "pio");
	assert_int_equal(bus_register(&bus, 0x60, 1, rec_io, &a, "a"), 0);

	assert_false(bus_dispatch(&bus, 0x61, data, 2, false));
	assert_memory_equal(data, "\xff\xff\x03\x04", 4); /* only len bytes */
	assert_int_equal(bus.unclaimed, 1);
	assert_false(bus_dispatch(&bus, 0x5f, data, 4, false));
	assert_memory_equal(data, "\xff\xff\xff\xff", 4);
	assert_int_equal(bus.unclaimed, 2);

	/* Writes nobody claims are dropped, untouched, and counted too. */
	memcpy(data, "\x11\x22\x33\x44", 4);
	assert_false(bus_dispatch(&bus, 0x1234, data, 4, true));
	assert_memory_equal(data, "\x11\x22\x33\x44", 4);
	assert_int_equal(bus.unclaimed, 3);
	assert_int_equal(a.calls, 0);
	bus_destroy(&bus);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define NR_MANY 300

static void test_many_ranges_random_order(void **state)
{
	static struct rec devs[NR_MANY];
	unsigned order[NR_MANY];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct bus bus;

	(void)state;
	/* Range i covers [i * 0x100, i * 0x100 + 1 + i % 0xff): a gap after each. */
	for (unsigned i = 0; i < NR_MANY; i++)
		order[i] = i;
	for (unsigned i = NR_MANY - 1; i > 0; i--) {
		unsigned j = (unsigned)(xorshift(&seed) % (i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	bus_init(&bus, "mmio");
	for (unsigned k = 0; k < NR_MANY; k++) {
		unsigned i = order[k];

		memset(&devs[i], 0, sizeof(devs[i]));
		devs[i].tag = (uint8_t)i;
		assert_int_equal(
		    bus_register(&bus, i * 0x100ULL, 1 + i % 0xff, rec_io, &devs[i], "dev"), 0);
		/* Re-registering any range already there fails. */
		assert_int_equal(bus_register(&bus, order[k / 2] * 0x100ULL + order[k / 2] % 0xff,
					      1, rec_io, NULL, "dup"),
				 -EEXIST);
	}
	assert_int_equal(bus.nr, NR_MANY);
	for (unsigned i = 1; i < NR_MANY; i++)
		assert_true(bus.ranges[i - 1].base + bus.ranges[i - 1].len <= bus.ranges[i].base);

	for (unsigned i = 0; i < NR_MANY; i++) {
		uint64_t base = i * 0x100ULL, len = 1 + i % 0xff;
		const struct bus_range *r = bus_find(&bus, base);
		uint8_t b;

		assert_non_null(r);
		assert_ptr_equal(r->opaque, &devs[i]);
		assert_ptr_equal(bus_find(&bus, base + len / 2), r);
		assert_ptr_equal(bus_find(&bus, base + len - 1), r);
		if (len < 0x100)
			assert_null(bus_find(&bus, base + len));
		assert_true(bus_dispatch(&bus, base + len - 1, &b, 1, false));
		assert_int_equal(devs[i].calls, 1);
		assert_int_equal(devs[i].offset, len - 1);
		assert_int_equal(b, (uint8_t)(i + len - 1));
	}
	assert_null(bus_find(&bus, NR_MANY * 0x100ULL));
	assert_int_equal(bus.unclaimed, 0);
	bus_destroy(&bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_register_and_find),
	    cmocka_unit_test(test_overlap_rejected),
	    cmocka_unit_test(test_invalid_ranges),
	    cmocka_unit_test(test_dispatch),
	    cmocka_unit_test(test_unclaimed),
	    cmocka_unit_test(test_many_ranges_random_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
