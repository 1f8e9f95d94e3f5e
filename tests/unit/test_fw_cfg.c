// SPDX-License-Identifier: MIT
/*
 * Unit tests for the firmware configuration interface (src/devices/fw_cfg.c),
 * realized on a real port I/O bus with a fake device_host whose 16 MiB of
 * fake guest memory at GPA 0 holds the DMA descriptors and buffers. Ports,
 * item numbers and the descriptor layout are written out here from
 * docs/firmware.md and fw_abi.h's comments rather than taken from its macros
 * where it matters, so a changed ABI shows up as a failing test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bus.h"
#include "devices/fw_cfg.h"
#include "fake_host.h"

#define PORT_SEL 0x510
#define PORT_DATA 0x511
#define PORT_DMA 0x514

#define ITEM_SIGNATURE 0x0000
#define ITEM_INTERFACE 0x0001
#define ITEM_BOOT_CONFIG 0x0010
#define ITEM_KERNEL 0x0011
#define ITEM_INITRD 0x0012
#define ITEM_CMDLINE 0x0013

#define DMA_READ 0x2u
#define DMA_ERROR 0x1u

/* struct fw_cfg_dma, little-endian. */
#define DESC_CONTROL 0
#define DESC_LENGTH 4
#define DESC_ADDRESS 8
#define DESC_OFFSET 16
#define DESC_ITEM 24
#define DESC_SIZE 32

_Static_assert(sizeof(struct fw_cfg_dma) == DESC_SIZE, "fw_cfg_dma size");
_Static_assert(offsetof(struct fw_cfg_dma, control) == DESC_CONTROL, "control");
_Static_assert(offsetof(struct fw_cfg_dma, length) == DESC_LENGTH, "length");
_Static_assert(offsetof(struct fw_cfg_dma, address) == DESC_ADDRESS, "address");
_Static_assert(offsetof(struct fw_cfg_dma, offset) == DESC_OFFSET, "offset");
_Static_assert(offsetof(struct fw_cfg_dma, item) == DESC_ITEM, "item");
_Static_assert(FW_CFG_PORT_SELECTOR == PORT_SEL && FW_CFG_PORT_DATA == PORT_DATA &&
		   FW_CFG_PORT_DMA == PORT_DMA,
	       "ports");
_Static_assert(FW_CFG_DMA_READ == DMA_READ && FW_CFG_DMA_ERROR == DMA_ERROR, "control bits");
_Static_assert(FW_CFG_KERNEL == ITEM_KERNEL && FW_CFG_CMDLINE == ITEM_CMDLINE, "items");

#define MEM_SIZE (16u << 20)
#define SHARED 0x00800000u   /* 8 MiB */
#define SHARED_SIZE 0x10000u /* 64 KiB */
#define KERNEL_LEN 10000u

static uint8_t kernel[KERNEL_LEN];
static const char cmdline[] = "console=ttyS0 quiet";
static const uint8_t boot_config[48] = {'W', 'C', 'F', 'G', 1};

static uint8_t kernel_byte(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 8) + 1);
}

/* The items a VM with firmware serves; the initrd is empty. */
static void set_items(struct fw_cfg *c)
{
	for (size_t i = 0; i < KERNEL_LEN; i++)
		kernel[i] = kernel_byte(i);
	fw_cfg_set_item(c, FW_CFG_BOOT_CONFIG, boot_config, sizeof(boot_config));
	fw_cfg_set_item(c, FW_CFG_KERNEL, kernel, KERNEL_LEN);
	fw_cfg_set_item(c, FW_CFG_INITRD, "", 0);
	fw_cfg_set_item(c, FW_CFG_CMDLINE, cmdline, sizeof(cmdline));
}

static int fw_cfg_init(void *dev)
{
	struct fw_cfg *c = dev;

	c->shared_base = SHARED;
	c->shared_size = SHARED_SIZE;
	set_items(c);
	return 0;
}

static const struct fake_dev_type fw_cfg_type = {
    .ops = &fw_cfg_ops, .size = sizeof(struct fw_cfg), .init = fw_cfg_init, .mem_size = MEM_SIZE};
#define FW_CFG_TEST(f) FAKE_DEV_TEST(f, &fw_cfg_type)

/* A shared region whose last page lies beyond guest memory. */
#define EDGE_SHARED (MEM_SIZE - 0x1000u)

static int fw_cfg_edge_init(void *dev)
{
	struct fw_cfg *c = dev;

	c->shared_base = EDGE_SHARED;
	c->shared_size = 0x2000;
	set_items(c);
	return 0;
}

static const struct fake_dev_type fw_cfg_edge_type = {.ops = &fw_cfg_ops,
						      .size = sizeof(struct fw_cfg),
						      .init = fw_cfg_edge_init,
						      .mem_size = MEM_SIZE};

/* ---- helpers ---- */

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Writes a descriptor into fake guest memory at gpa. */
static void put_desc(struct fake_dev *t, uint64_t gpa, uint32_t control, uint32_t length,
		     uint64_t address, uint64_t offset, uint16_t item)
{
	uint8_t *d;

	assert_true(gpa + DESC_SIZE <= t->vm.mem_size);
	d = t->vm.mem + gpa;
	memset(d, 0, DESC_SIZE);
	le32(d + DESC_CONTROL, control);
	le32(d + DESC_LENGTH, length);
	le64(d + DESC_ADDRESS, address);
	le64(d + DESC_OFFSET, offset);
	le16(d + DESC_ITEM, item);
}

static uint32_t desc_control(struct fake_dev *t, uint64_t gpa)
{
	return rd32(t->vm.mem + gpa + DESC_CONTROL);
}

/* Fills [gpa, gpa + len) with a sentinel. */
static void poison(struct fake_dev *t, uint64_t gpa, size_t len)
{
	memset(t->vm.mem + gpa, 0xa5, len);
}

static void assert_poisoned(struct fake_dev *t, uint64_t gpa, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (t->vm.mem[gpa + i] != 0xa5)
			fail_msg("byte at %#llx was written", (unsigned long long)(gpa + i));
}

/* Starts the request whose descriptor is at desc (a 32-bit port write). */
static void dma(struct fake_dev *t, uint32_t desc)
{
	fake_mem_clear_log(&t->vm);
	outl(&t->pio, PORT_DMA, desc);
}

static void select_item(struct fake_dev *t, uint16_t key)
{
	outw(&t->pio, PORT_SEL, key);
}

static void assert_mem_call(struct fake_dev *t, unsigned i, bool is_write, uint64_t gpa,
			    uint64_t len)
{
	const struct fake_mem_call *m = &t->vm.mem_log[i];

	assert_true(i < t->vm.mem_reads + t->vm.mem_writes);
	assert_int_equal(m->is_write, is_write);
	assert_int_equal(m->gpa, gpa);
	assert_int_equal(m->len, len);
}

/* A request that failed: ERROR stored back into the descriptor, nothing
 * else written. */
static void assert_dma_error(struct fake_dev *t, uint64_t desc)
{
	struct fw_cfg *c = t->dev;

	assert_int_equal(desc_control(t, desc), DMA_ERROR);
	assert_int_equal(t->vm.mem_writes, 1);
	assert_mem_call(t, t->vm.mem_reads + t->vm.mem_writes - 1, true, desc, 4);
	assert_int_equal(c->dma_errors, 1);
	assert_int_equal(c->dma_requests, 1);
}

/* ---- port I/O ---- */

static void test_realize(void **state)
{
	struct fake_dev *t = *state;

	assert_claimed(t, PORT_SEL, 1);
	assert_claimed(t, PORT_DATA, 1);
	assert_claimed(t, PORT_DMA, 4);
	assert_null(bus_find(&t->pio, 0x50f));
	assert_null(bus_find(&t->pio, 0x512));
	assert_null(bus_find(&t->pio, 0x513));
	assert_null(bus_find(&t->pio, 0x518));
	assert_int_equal(t->vm.mem_reads + t->vm.mem_writes, 0);
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_signature(void **state)
{
	struct fake_dev *t = *state;

	/* Item 0 is selected at power-on; select it explicitly anyway. */
	select_item(t, ITEM_SIGNATURE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'S');
	assert_int_equal(inb(&t->pio, PORT_DATA), 'E');
	assert_int_equal(inb(&t->pio, PORT_DATA), 'V');
	assert_int_equal(inb(&t->pio, PORT_DATA), 'M');
	/* Past the end: zeros, however far. */
	for (int i = 0; i < 8; i++)
		assert_int_equal(inb(&t->pio, PORT_DATA), 0);
	/* The signature is not NUL-terminated data: exactly four bytes. */
	select_item(t, ITEM_SIGNATURE);
	assert_int_equal(inw(&t->pio, PORT_DATA), 'S' | 'E' << 8);
	assert_int_equal(inw(&t->pio, PORT_DATA), 'V' | 'M' << 8);
	assert_int_equal(inw(&t->pio, PORT_DATA), 0);
}

static void test_power_on_selects_signature(void **state)
{
	struct fake_dev *t = *state;

	assert_int_equal(inb(&t->pio, PORT_DATA), 'S');
	assert_int_equal(inb(&t->pio, PORT_DATA), 'E');
}

static void test_interface(void **state)
{
	struct fake_dev *t = *state;

	select_item(t, ITEM_INTERFACE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 1);
	assert_int_equal(inb(&t->pio, PORT_DATA), 0);
	assert_int_equal(inb(&t->pio, PORT_DATA), 0);
	assert_int_equal(inb(&t->pio, PORT_DATA), 0);
	assert_int_equal(inb(&t->pio, PORT_DATA), 0);
	select_item(t, ITEM_INTERFACE);
	assert_int_equal(inl(&t->pio, PORT_DATA), 1);
}

static void test_items_read_back(void **state)
{
	struct fake_dev *t = *state;

	select_item(t, ITEM_CMDLINE);
	for (size_t i = 0; i < sizeof(cmdline); i++)
		assert_int_equal(inb(&t->pio, PORT_DATA), (uint8_t)cmdline[i]);
	assert_int_equal(inb(&t->pio, PORT_DATA), 0);

	select_item(t, ITEM_KERNEL);
	for (size_t i = 0; i < KERNEL_LEN; i++)
		if (inb(&t->pio, PORT_DATA) != kernel_byte(i))
			fail_msg("kernel byte %zu differs", i);
	assert_int_equal(inb(&t->pio, PORT_DATA), 0);

	/* An empty item reads as zeros from the start. */
	select_item(t, ITEM_INITRD);
	assert_int_equal(inl(&t->pio, PORT_DATA), 0);

	select_item(t, ITEM_BOOT_CONFIG);
	assert_int_equal(inl(&t->pio, PORT_DATA), 0x47464357); /* "WCFG" */
	assert_int_equal(inl(&t->pio, PORT_DATA), 1);
}

static void test_unknown_items(void **state)
{
	static const uint16_t keys[] = {0x0002, 0x0005, 0x000f, 0x0014, 0x0100, 0x8000, 0xffff};
	struct fake_dev *t = *state;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		select_item(t, keys[k]);
		for (int i = 0; i < 6; i++)
			assert_int_equal(inb(&t->pio, PORT_DATA), 0);
		assert_int_equal(inl(&t->pio, PORT_DATA), 0);
	}
	/* Setting an item the device has no slot for is ignored. */
	fw_cfg_set_item(t->dev, (enum fw_cfg_item)0x0100, "x", 1);
	select_item(t, 0x0100);
	assert_int_equal(inb(&t->pio, PORT_DATA), 0);
}

static void test_select_resets_offset(void **state)
{
	struct fake_dev *t = *state;

	select_item(t, ITEM_SIGNATURE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'S');
	assert_int_equal(inb(&t->pio, PORT_DATA), 'E');
	select_item(t, ITEM_SIGNATURE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'S');
	/* Through another item and back. */
	select_item(t, ITEM_CMDLINE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'c');
	select_item(t, ITEM_SIGNATURE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'S');
	/* Past the end, then selected again: from the start. */
	for (int i = 0; i < 10; i++)
		(void)inb(&t->pio, PORT_DATA);
	select_item(t, ITEM_SIGNATURE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'S');
}

static void test_selector_port(void **state)
{
	struct fake_dev *t = *state;

	select_item(t, ITEM_CMDLINE);
	assert_int_equal(inw(&t->pio, PORT_SEL), ITEM_CMDLINE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'c');
	/* A byte write is not a selection: the item and offset stay. */
	outb(&t->pio, PORT_SEL, ITEM_SIGNATURE);
	assert_int_equal(inw(&t->pio, PORT_SEL), ITEM_CMDLINE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'o');
	select_item(t, 0xabcd);
	assert_int_equal(inw(&t->pio, PORT_SEL), 0xabcd);
}

static void test_data_writes_ignored(void **state)
{
	struct fake_dev *t = *state;

	select_item(t, ITEM_CMDLINE);
	outb(&t->pio, PORT_DATA, 'X');
	outw(&t->pio, PORT_DATA, 0x5858);
	/* Neither the item nor the offset changed. */
	assert_int_equal(inb(&t->pio, PORT_DATA), 'c');
	assert_int_equal(inb(&t->pio, PORT_DATA), 'o');
	select_item(t, ITEM_CMDLINE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'c');
	assert_int_equal(t->vm.mem_reads + t->vm.mem_writes, 0);
}

static void test_reset(void **state)
{
	struct fake_dev *t = *state;

	select_item(t, ITEM_CMDLINE);
	(void)inb(&t->pio, PORT_DATA);
	fw_cfg_ops.reset(t->dev);
	assert_int_equal(inw(&t->pio, PORT_SEL), ITEM_SIGNATURE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'S');
}

/* ---- DMA ---- */

static void test_dma_read(void **state)
{
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;
	const uint64_t dst = SHARED + 0x1000;
	uint8_t before[DESC_SIZE];

	poison(t, dst - 16, 100 + 32);
	put_desc(t, SHARED, DMA_READ, 100, dst, 10, ITEM_KERNEL);
	memcpy(before, t->vm.mem + SHARED, DESC_SIZE);
	dma(t, SHARED);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(t->vm.mem[dst + i], kernel_byte(10 + i));
	assert_poisoned(t, dst - 16, 16);
	assert_poisoned(t, dst + 100, 16);
	/* control is 0; the rest of the descriptor is untouched. */
	assert_int_equal(desc_control(t, SHARED), 0);
	assert_memory_equal(t->vm.mem + SHARED + 4, before + 4, DESC_SIZE - 4);
	/* Read the descriptor, write the data, then the result. */
	assert_int_equal(t->vm.mem_reads, 1);
	assert_int_equal(t->vm.mem_writes, 2);
	assert_int_equal(t->vm.mem_faults, 0);
	assert_mem_call(t, 0, false, SHARED, DESC_SIZE);
	assert_mem_call(t, 1, true, dst, 100);
	assert_mem_call(t, 2, true, SHARED, 4);
	assert_int_equal(c->dma_requests, 1);
	assert_int_equal(c->dma_errors, 0);
}

static void test_dma_whole_items(void **state)
{
	struct fake_dev *t = *state;
	const uint64_t desc = SHARED + SHARED_SIZE - DESC_SIZE; /* the last 32 bytes */
	const uint64_t dst = SHARED;

	put_desc(t, desc, DMA_READ, KERNEL_LEN, dst, 0, ITEM_KERNEL);
	dma(t, (uint32_t)desc);
	assert_int_equal(desc_control(t, desc), 0);
	for (size_t i = 0; i < KERNEL_LEN; i++)
		if (t->vm.mem[dst + i] != kernel_byte(i))
			fail_msg("kernel byte %zu differs", i);

	put_desc(t, desc, DMA_READ, 4, dst, 0, ITEM_SIGNATURE);
	dma(t, (uint32_t)desc);
	assert_int_equal(desc_control(t, desc), 0);
	assert_memory_equal(t->vm.mem + dst, "SEVM", 4);

	put_desc(t, desc, DMA_READ, sizeof(cmdline), dst, 0, ITEM_CMDLINE);
	dma(t, (uint32_t)desc);
	assert_int_equal(desc_control(t, desc), 0);
	assert_memory_equal(t->vm.mem + dst, cmdline, sizeof(cmdline));

	put_desc(t, desc, DMA_READ, 4, dst, 0, ITEM_INTERFACE);
	dma(t, (uint32_t)desc);
	assert_int_equal(desc_control(t, desc), 0);
	assert_int_equal(rd32(t->vm.mem + dst), 1);

	/* The tail of an item, up to its very end. */
	put_desc(t, desc, DMA_READ, 3, dst, KERNEL_LEN - 3, ITEM_KERNEL);
	dma(t, (uint32_t)desc);
	assert_int_equal(desc_control(t, desc), 0);
	assert_int_equal(t->vm.mem[dst], kernel_byte(KERNEL_LEN - 3));
	assert_int_equal(t->vm.mem[dst + 2], kernel_byte(KERNEL_LEN - 1));
	assert_int_equal(((struct fw_cfg *)t->dev)->dma_errors, 0);
}

static void test_dma_length_zero(void **state)
{
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	/* Nothing to copy, at the start, at the end of an item, and of an empty one. */
	put_desc(t, SHARED, DMA_READ, 0, SHARED + 0x100, 0, ITEM_KERNEL);
	dma(t, SHARED);
	assert_int_equal(desc_control(t, SHARED), 0);
	assert_int_equal(t->vm.mem_writes, 1); /* the result only */

	put_desc(t, SHARED, DMA_READ, 0, SHARED + 0x100, KERNEL_LEN, ITEM_KERNEL);
	dma(t, SHARED);
	assert_int_equal(desc_control(t, SHARED), 0);

	put_desc(t, SHARED, DMA_READ, 0, SHARED + 0x100, 0, ITEM_INITRD);
	dma(t, SHARED);
	assert_int_equal(desc_control(t, SHARED), 0);
	assert_int_equal(c->dma_requests, 3);
	assert_int_equal(c->dma_errors, 0);
}

static void test_dma_destination_bounds(void **state)
{
	struct fake_dev *t = *state;
	const uint64_t end = SHARED + SHARED_SIZE;
	const uint64_t desc = SHARED;

	/* Ending exactly at the end of the shared region: fine. */
	put_desc(t, desc, DMA_READ, 64, end - 64, 0, ITEM_KERNEL);
	dma(t, desc);
	assert_int_equal(desc_control(t, desc), 0);
	assert_int_equal(t->vm.mem[end - 1], kernel_byte(63));
}

static void dma_bad_destination(struct fake_dev *t, uint64_t dst, uint32_t len)
{
	struct fw_cfg *c = t->dev;

	c->dma_errors = c->dma_requests = 0;
	/* The sentinel covers what a wrong copy would hit inside fake memory. */
	poison(t, SHARED - 0x1000, 0x1000);
	poison(t, SHARED + SHARED_SIZE, 0x1000);
	poison(t, 0x1000, 0x1000);
	put_desc(t, SHARED, DMA_READ, len, dst, 0, ITEM_KERNEL);
	dma(t, SHARED);
	assert_dma_error(t, SHARED);
	assert_poisoned(t, SHARED - 0x1000, 0x1000);
	assert_poisoned(t, SHARED + SHARED_SIZE, 0x1000);
	assert_poisoned(t, 0x1000, 0x1000);
}

static void test_dma_destination_outside(void **state)
{
	struct fake_dev *t = *state;
	const uint64_t end = SHARED + SHARED_SIZE;

	dma_bad_destination(t, 0x1000, 64);		       /* below, in RAM */
	dma_bad_destination(t, end, 64);		       /* just past the end */
	dma_bad_destination(t, end - 63, 64);		       /* straddling the end */
	dma_bad_destination(t, SHARED - 1, 64);		       /* straddling the start */
	dma_bad_destination(t, SHARED - 64, 64);	       /* just below */
	dma_bad_destination(t, SHARED, SHARED_SIZE + 1);       /* longer than the region */
	dma_bad_destination(t, 0xfffffffffffff000ULL, 0x2000); /* wrapping around */
	dma_bad_destination(t, SHARED + 0x100000000ULL, 64);   /* above 4 GiB */
}

static void test_dma_descriptor_outside(void **state)
{
	static const uint64_t descs[] = {
	    0x1000,		       /* RAM, not shared */
	    SHARED - DESC_SIZE,	       /* right below */
	    SHARED - 16,	       /* straddling the start */
	    SHARED + SHARED_SIZE - 16, /* straddling the end */
	    SHARED + SHARED_SIZE,      /* right above */
	    0xfffffff0u,	       /* top of the 32-bit space */
	};
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	for (size_t i = 0; i < sizeof(descs) / sizeof(descs[0]); i++) {
		const uint64_t d = descs[i];
		bool in_mem = d + DESC_SIZE <= MEM_SIZE;

		poison(t, SHARED + 0x100, 0x100);
		if (in_mem)
			put_desc(t, d, DMA_READ, 16, SHARED + 0x100, 0, ITEM_KERNEL);
		dma(t, (uint32_t)d);
		/* Not even read, and no result stored: the host may not touch it. */
		assert_int_equal(t->vm.mem_reads, 0);
		assert_int_equal(t->vm.mem_writes, 0);
		if (in_mem)
			assert_int_equal(desc_control(t, d), DMA_READ);
		assert_poisoned(t, SHARED + 0x100, 0x100);
		assert_int_equal(c->dma_requests, i + 1);
		assert_int_equal(c->dma_errors, i + 1);
	}
}

static void test_dma_beyond_item(void **state)
{
	static const struct {
		uint16_t item;
		uint32_t len;
		uint64_t off;
	} bad[] = {
	    {ITEM_KERNEL, KERNEL_LEN + 1, 0},
	    {ITEM_KERNEL, 2, KERNEL_LEN - 1},
	    {ITEM_KERNEL, 0, KERNEL_LEN + 1},
	    {ITEM_KERNEL, 1, UINT64_MAX},
	    {ITEM_KERNEL, KERNEL_LEN, 1},
	    {ITEM_KERNEL, 16, 0xfffffffffffffff8ULL},
	    {ITEM_SIGNATURE, 5, 0},
	    {ITEM_CMDLINE, sizeof(cmdline) + 1, 0},
	    {ITEM_INITRD, 1, 0},
	};
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c->dma_errors = c->dma_requests = 0;
		poison(t, SHARED + 0x1000, 0x4000);
		put_desc(t, SHARED, DMA_READ, bad[i].len, SHARED + 0x1000, bad[i].off, bad[i].item);
		dma(t, SHARED);
		assert_dma_error(t, SHARED);
		assert_poisoned(t, SHARED + 0x1000, 0x4000);
	}
}

static void test_dma_unknown_item(void **state)
{
	static const uint16_t keys[] = {0x0002, 0x0005, 0x000f, 0x0014, 0x0100, 0xffff};
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		c->dma_errors = c->dma_requests = 0;
		put_desc(t, SHARED, DMA_READ, 0, SHARED + 0x100, 0, keys[k]);
		dma(t, SHARED);
		assert_dma_error(t, SHARED);
	}
}

static void test_dma_control(void **state)
{
	static const uint32_t controls[] = {0, DMA_ERROR, 0x10 /* QEMU's WRITE */, 0x8};
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	for (size_t k = 0; k < sizeof(controls) / sizeof(controls[0]); k++) {
		c->dma_errors = c->dma_requests = 0;
		poison(t, SHARED + 0x100, 16);
		put_desc(t, SHARED, controls[k], 16, SHARED + 0x100, 0, ITEM_KERNEL);
		dma(t, SHARED);
		assert_dma_error(t, SHARED);
		assert_poisoned(t, SHARED + 0x100, 16);
	}
}

static void test_dma_fault(void **state)
{
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	c->fault = FW_CFG_FAULT_DMA;
	poison(t, SHARED + 0x100, 16);
	put_desc(t, SHARED, DMA_READ, 16, SHARED + 0x100, 0, ITEM_KERNEL);
	dma(t, SHARED);
	assert_dma_error(t, SHARED);
	assert_poisoned(t, SHARED + 0x100, 16);
	/* Port I/O still works. */
	select_item(t, ITEM_SIGNATURE);
	assert_int_equal(inb(&t->pio, PORT_DATA), 'S');
}

static void test_dma_after_error(void **state)
{
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	put_desc(t, SHARED, DMA_READ, 16, SHARED + 0x100, 0, 0x0100);
	dma(t, SHARED);
	assert_int_equal(desc_control(t, SHARED), DMA_ERROR);
	/* A failed request leaves nothing behind: the next one succeeds. */
	put_desc(t, SHARED, DMA_READ, 16, SHARED + 0x100, 0, ITEM_KERNEL);
	dma(t, SHARED);
	assert_int_equal(desc_control(t, SHARED), 0);
	assert_int_equal(t->vm.mem[SHARED + 0x100 + 15], kernel_byte(15));
	assert_int_equal(c->dma_requests, 2);
	assert_int_equal(c->dma_errors, 1);
}

static void test_dma_port_widths(void **state)
{
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	put_desc(t, SHARED, DMA_READ, 16, SHARED + 0x100, 0, ITEM_KERNEL);
	poison(t, SHARED + 0x100, 16);
	fake_mem_clear_log(&t->vm);
	/* The address is one 32-bit write to 0x514: anything else does nothing. */
	outb(&t->pio, PORT_DMA, (uint8_t)SHARED);
	outw(&t->pio, PORT_DMA, (uint16_t)SHARED);
	outb(&t->pio, PORT_DMA + 1, (uint8_t)(SHARED >> 8));
	outw(&t->pio, PORT_DMA + 2, (uint16_t)(SHARED >> 16));
	assert_int_equal(t->vm.mem_reads + t->vm.mem_writes, 0);
	assert_int_equal(c->dma_requests, 0);
	assert_int_equal(desc_control(t, SHARED), DMA_READ);
	assert_poisoned(t, SHARED + 0x100, 16);
	/* The port reads as zeros. */
	assert_int_equal(inl(&t->pio, PORT_DMA), 0);
	assert_int_equal(inb(&t->pio, PORT_DMA + 3), 0);
	/* And a proper write after all that works. */
	dma(t, SHARED);
	assert_int_equal(desc_control(t, SHARED), 0);
}

static void test_dma_guest_memory_fault(void **state)
{
	struct fake_dev *t = *state;
	struct fw_cfg *c = t->dev;

	/* Shared, but beyond guest memory: the copy fails, and says so. */
	put_desc(t, EDGE_SHARED, DMA_READ, 16, MEM_SIZE, 0, ITEM_KERNEL);
	dma(t, EDGE_SHARED);
	assert_int_equal(desc_control(t, EDGE_SHARED), DMA_ERROR);
	assert_int_equal(t->vm.mem_faults, 1);
	assert_mem_call(t, 1, true, MEM_SIZE, 16);
	assert_mem_call(t, 2, true, EDGE_SHARED, 4);
	assert_int_equal(c->dma_errors, 1);

	/* A descriptor that cannot be read is an error, and nothing is copied. */
	fake_mem_clear_log(&t->vm);
	outl(&t->pio, PORT_DMA, MEM_SIZE);
	assert_int_equal(t->vm.mem_reads, 1);
	assert_int_equal(c->dma_errors, 2);

	/* Within guest memory, the same region works. */
	put_desc(t, EDGE_SHARED, DMA_READ, 16, EDGE_SHARED + 0x100, 0, ITEM_KERNEL);
	dma(t, EDGE_SHARED);
	assert_int_equal(desc_control(t, EDGE_SHARED), 0);
	assert_int_equal(t->vm.mem[EDGE_SHARED + 0x100], kernel_byte(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FW_CFG_TEST(test_realize),
	    FW_CFG_TEST(test_signature),
	    FW_CFG_TEST(test_power_on_selects_signature),
	    FW_CFG_TEST(test_interface),
	    FW_CFG_TEST(test_items_read_back),
	    FW_CFG_TEST(test_unknown_items),
	    FW_CFG_TEST(test_select_resets_offset),
	    FW_CFG_TEST(test_selector_port),
	    FW_CFG_TEST(test_data_writes_ignored),
	    FW_CFG_TEST(test_reset),
	    FW_CFG_TEST(test_dma_read),
	    FW_CFG_TEST(test_dma_whole_items),
	    FW_CFG_TEST(test_dma_length_zero),
	    FW_CFG_TEST(test_dma_destination_bounds),
	    FW_CFG_TEST(test_dma_destination_outside),
	    FW_CFG_TEST(test_dma_descriptor_outside),
	    FW_CFG_TEST(test_dma_beyond_item),
	    FW_CFG_TEST(test_dma_unknown_item),
	    FW_CFG_TEST(test_dma_control),
	    FW_CFG_TEST(test_dma_fault),
	    FW_CFG_TEST(test_dma_after_error),
	    FW_CFG_TEST(test_dma_port_widths),
	    FAKE_DEV_TEST(test_dma_guest_memory_fault, &fw_cfg_edge_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
