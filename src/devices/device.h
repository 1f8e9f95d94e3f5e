/* SPDX-License-Identifier: MIT */
/*
 * What every device model looks like (conventions.md §5): one .c file that
 * exports one `struct device_ops`. A device claims its I/O ranges on the
 * buses in realize() and reaches the VM only through `struct device_host`,
 * so it can be unit-tested with a fake host. Saved state for migration
 * joins the ops table with the migration work.
 */
#ifndef SEVM_SRC_DEVICES_DEVICE_H
#define SEVM_SRC_DEVICES_DEVICE_H

#include <stdint.h>

struct bus;

/* How the guest asked the VM to end. */
enum vm_end {
	VM_END_NONE,
	VM_END_POWEROFF, /* debug-exit port: status is the guest's value */
	VM_END_RESET,	 /* keyboard-controller reset or reset request */
	VM_END_CRASH,	 /* triple fault, emulation failure, ... */
	VM_END_SIGNAL,	 /* SIGINT/SIGTERM on the host */
	VM_END_ERROR,	 /* sevm itself failed */
	VM_END_MIGRATED, /* the target took the VM over (its acknowledgement came) */
};

struct device_host {
	void *vm;
	/* Drives ISA IRQ line irq to level (0 or 1). */
	int (*irq_line)(void *vm, unsigned irq, int level);
	/* Copies between guest memory and the host (-EFAULT outside guest
	 * memory). Only for memory the guest shares with the host, such as a
	 * DMA descriptor and buffer it placed in its shared region. */
	int (*mem_read)(void *vm, uint64_t gpa, void *dst, uint64_t len);
	int (*mem_write)(void *vm, uint64_t gpa, const void *src, uint64_t len);
	/* Ends the VM; the first request wins. */
	void (*request_end)(void *vm, enum vm_end why, uint32_t status, const char *msg);
};

struct device_ops {
	const char *name;
	/* Claims I/O ranges; dev is the device's own struct. */
	int (*realize)(void *dev, const struct device_host *host, struct bus *pio,
		       struct bus *mmio);
	/* Back to power-on state. */
	void (*reset)(void *dev);
	/* Releases what realize() took (not the bus ranges: buses die with the VM). */
	void (*unrealize)(void *dev);
};

#endif
