// SPDX-License-Identifier: MIT
/* The fake device_host and port accessors of fake_host.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_host.h"

static int fake_irq_line(void *vm, unsigned irq, int level)
{
	struct fake_vm *f = vm;

	f->irq_total++;
	if (irq >= FAKE_IRQS) {
		f->bad_irq_calls++;
		return -EINVAL;
	}
	f->level[irq] = level;
	f->irq_calls[irq]++;
	return 0;
}

static void fake_request_end(void *vm, enum vm_end why, uint32_t status, const char *msg)
{
	struct fake_vm *f = vm;

	if (!f->end_msg_optional)
		assert_non_null(msg);
	f->end_calls++;
	f->end_why = why;
	f->end_status = status;
}

/* Logs the access and checks it against the fake memory; 0 if it may go ahead. */
static int fake_mem_access(struct fake_vm *f, bool is_write, uint64_t gpa, uint64_t len)
{
	unsigned n = f->mem_reads + f->mem_writes;
	int ret = 0;

	if (f->mem_error)
		ret = f->mem_error;
	else if (!f->mem || gpa > f->mem_size || len > f->mem_size - gpa)
		ret = -EFAULT;
	if (is_write)
		f->mem_writes++;
	else
		f->mem_reads++;
	if (ret)
		f->mem_faults++;
	if (n < FAKE_MEM_CALLS)
		f->mem_log[n] = (struct fake_mem_call){is_write, gpa, len, ret};
	return ret;
}

static int fake_mem_read(void *vm, uint64_t gpa, void *dst, uint64_t len)
{
	struct fake_vm *f = vm;
	int ret = fake_mem_access(f, false, gpa, len);

	if (!ret && len)
		memcpy(dst, f->mem + gpa, len);
	return ret;
}

static int fake_mem_write(void *vm, uint64_t gpa, const void *src, uint64_t len)
{
	struct fake_vm *f = vm;
	int ret = fake_mem_access(f, true, gpa, len);

	if (!ret && len)
		memcpy(f->mem + gpa, src, len);
	return ret;
}

void fake_mem_clear_log(struct fake_vm *vm)
{
	vm->mem_reads = vm->mem_writes = vm->mem_faults = 0;
	memset(vm->mem_log, 0, sizeof(vm->mem_log));
}

int fake_dev_setup(void **state)
{
	const struct fake_dev_type *type = *state;
	struct fake_dev *t = calloc(1, sizeof(*t));
	struct device_host host = {.irq_line = fake_irq_line,
				   .mem_read = fake_mem_read,
				   .mem_write = fake_mem_write,
				   .request_end = fake_request_end};

	if (!t)
		return -1;
	t->type = type;
	t->vm.end_msg_optional = type->end_msg_optional;
	host.vm = &t->vm;
	bus_init(&t->pio, "pio");
	if (type->mem_size) {
		t->vm.mem = calloc(1, type->mem_size);
		if (!t->vm.mem)
			goto err;
		t->vm.mem_size = type->mem_size;
	}
	t->dev = calloc(1, type->size);
	if (!t->dev)
		goto err;
	if (type->init && type->init(t->dev))
		goto err;
	if (type->ops->realize(t->dev, &host, &t->pio, NULL)) {
		if (type->fini)
			type->fini(t->dev);
		goto err;
	}
	*state = t;
	return 0;
err:
	free(t->dev);
	free(t->vm.mem);
	bus_destroy(&t->pio);
	free(t);
	return -1;
}

int fake_dev_teardown(void **state)
{
	struct fake_dev *t = *state;

	t->type->ops->unrealize(t->dev);
	bus_destroy(&t->pio);
	if (t->type->fini)
		t->type->fini(t->dev);
	free(t->dev);
	free(t->vm.mem);
	free(t);
	return 0;
}

const struct bus_range *assert_claimed(struct fake_dev *t, uint64_t base, uint64_t len)
{
	const struct bus_range *r = bus_find(&t->pio, base);

	assert_non_null(r);
	assert_int_equal(r->base, base);
	assert_int_equal(r->len, len);
	assert_ptr_equal(r->opaque, t->dev);
	return r;
}

static void out_n(struct bus *pio, uint64_t port, uint32_t v, uint32_t len)
{
	uint8_t b[4];

	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	assert_true(bus_dispatch(pio, port, b, len, true));
}

static uint32_t in_n(struct bus *pio, uint64_t port, uint32_t len)
{
	uint8_t b[4] = {0x5a, 0x5a, 0x5a, 0x5a};
	uint32_t v = 0;

	assert_true(bus_dispatch(pio, port, b, len, false));
	for (uint32_t i = 0; i < len; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

void outb(struct bus *pio, uint64_t port, uint8_t v)
{
	out_n(pio, port, v, 1);
}

void outw(struct bus *pio, uint64_t port, uint16_t v)
{
	out_n(pio, port, v, 2);
}

void outl(struct bus *pio, uint64_t port, uint32_t v)
{
	out_n(pio, port, v, 4);
}

uint8_t inb(struct bus *pio, uint64_t port)
{
	return (uint8_t)in_n(pio, port, 1);
}

uint16_t inw(struct bus *pio, uint64_t port)
{
	return (uint16_t)in_n(pio, port, 2);
}

uint32_t inl(struct bus *pio, uint64_t port)
{
	return in_n(pio, port, 4);
}
