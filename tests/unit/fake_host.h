/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture for the device-model unit tests: each device is realized on
 * a port I/O bus of its own, with a fake device_host that records the IRQ
 * levels it drives, the end requests it makes and its guest memory accesses
 * (to a small fake guest memory at GPA 0, if the test asks for one). Include
 * <cmocka.h> (and what it needs) before this header.
 */
#ifndef SEVM_TESTS_UNIT_FAKE_HOST_H
#define SEVM_TESTS_UNIT_FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "devices/device.h"

#define FAKE_IRQS 16	  /* ISA IRQ lines */
#define FAKE_MEM_CALLS 16 /* mem_read()/mem_write() calls logged */

/* One mem_read() or mem_write() call. */
struct fake_mem_call {
	bool is_write;
	uint64_t gpa;
	uint64_t len;
	int ret;
};

/* What the device asked of its host. */
struct fake_vm {
	int level[FAKE_IRQS];	  /* last level driven on each ISA IRQ line */
	int irq_calls[FAKE_IRQS]; /* irq_line() calls per line */
	int irq_total;		  /* every irq_line() call, bad ones included */
	unsigned bad_irq_calls;	  /* irq >= FAKE_IRQS; these fail with -EINVAL */
	int end_calls;
	enum vm_end end_why;
	uint32_t end_status;
	bool end_msg_optional; /* else request_end() without a message fails the test */
	/* Guest memory: mem_size bytes at GPA 0; accesses outside fail with -EFAULT. */
	uint8_t *mem;
	uint64_t mem_size;
	int mem_error;			/* non-zero: every mem_read()/mem_write() fails with it */
	unsigned mem_reads, mem_writes; /* calls, failed ones included */
	unsigned mem_faults;		/* calls that failed */
	struct fake_mem_call mem_log[FAKE_MEM_CALLS]; /* the first FAKE_MEM_CALLS calls */
};

/* How to build the device a test runs against. */
struct fake_dev_type {
	const struct device_ops *ops;
	/* The device's struct, or a test's struct that starts with it. */
	size_t size;
	/* Optional: runs on the zeroed struct before realize(); non-zero fails. */
	int (*init)(void *dev);
	/* Optional: runs after unrealize(). */
	void (*fini)(void *dev);
	/* The device may call request_end() with a NULL message. */
	bool end_msg_optional;
	/* Bytes of zeroed fake guest memory at GPA 0 (0: none, every access faults). */
	uint64_t mem_size;
};

/* A test's state: one device, realized on pio with a fake host. */
struct fake_dev {
	struct fake_vm vm;
	struct bus pio;
	const struct fake_dev_type *type;
	void *dev; /* type->size bytes */
};

/* cmocka fixtures: *state is a struct fake_dev_type on entry to setup and
 * the struct fake_dev afterwards. */
int fake_dev_setup(void **state);
int fake_dev_teardown(void **state);

/* A cmocka test of f run on a fresh device of the given fake_dev_type. */
#define FAKE_DEV_TEST(f, type)                                                                     \
	cmocka_unit_test_prestate_setup_teardown(f, fake_dev_setup, fake_dev_teardown,             \
						 (void *)(type))

/* Asserts that the device claimed ports [base, base + len) as one range on
 * t->pio, and returns that range. */
const struct bus_range *assert_claimed(struct fake_dev *t, uint64_t base, uint64_t len);

/* Forgets the memory accesses recorded so far (the memory keeps its contents). */
void fake_mem_clear_log(struct fake_vm *vm);

/* Port accesses that the bus must claim (little-endian, as x86 I/O). */
void outb(struct bus *pio, uint64_t port, uint8_t v);
void outw(struct bus *pio, uint64_t port, uint16_t v);
void outl(struct bus *pio, uint64_t port, uint32_t v);
uint8_t inb(struct bus *pio, uint64_t port);
uint16_t inw(struct bus *pio, uint64_t port);
uint32_t inl(struct bus *pio, uint64_t port);

#endif
