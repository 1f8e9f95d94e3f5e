/* SPDX-License-Identifier: MIT */
/*
 * One virtual machine: KVM VM and vCPUs, guest RAM, the I/O buses and the
 * devices on them, and how it ended.
 */
#ifndef SEVM_SRC_VMM_VM_H
#define SEVM_SRC_VMM_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>

#include "bus.h"
#include "config.h"
#include "devices/acpi_pm.h"
#include "devices/debug_exit.h"
#include "devices/device.h"
#include "devices/fw_cfg.h"
#include "devices/i8042.h"
#include "devices/pci_host.h"
#include "devices/rtc.h"
#include "devices/uart.h"
#include "mem.h"
#include "vcpu.h"

struct emu_launch;
struct sev_platform;

struct vm {
	const struct vm_config *cfg;
	int kvm_fd;
	int vm_fd;
	struct guest_mem mem;
	struct bus pio;
	struct bus mmio;
	struct kvm_cpuid2 *cpuid;
	struct vcpu *vcpus;
	unsigned nr_vcpus; /* OS vCPUs, then the firmware's handler vCPUs */
	unsigned nr_os_vcpus;
	uint32_t tsc_khz;

	struct device_host host;
	struct uart uart;
	struct i8042 i8042;
	struct debug_exit debug_exit;
	struct acpi_pm acpi_pm;
	struct rtc rtc;
	struct pci_host pci_host;
	struct fw_cfg fw_cfg;
	uint8_t fw_boot_config[sizeof(struct fw_boot_config)];
	uint8_t *fw_tampered; /* a deliberately corrupted copy served under SEVM_TEST_FAULT */
	unsigned nr_realized; /* devices realized, for teardown */
	int console_fd;	      /* UART output */
	bool console_fd_owned;

	/* [sev]: the platform playing the secure processor (vm_sev.c). */
	/* Handler vCPUs: paused after their doorbell unless mh_run (vm_mh_run()). */
	pthread_mutex_t mh_lock;
	bool mh_run;
	unsigned mh_parked;
	bool migration_target; /* the firmware waits for records instead of booting */
	struct emu_launch *sev_emu;
	struct sev_platform *sev;
	int *sev_vcpu_fds;

	int end_fd; /* eventfd: becomes readable once the VM should end */
	pthread_mutex_t end_lock;
	enum vm_end end;
	uint32_t end_status;
	char end_msg[256];
};

/* Creates the VM, its RAM, irqchip, PIT, devices and vCPUs. On failure
 * returns -errno with a message in err (the VM is then destroyed). */
int vm_create(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Loads the kernel and sets every vCPU's initial state for direct boot. */
int vm_boot(struct vm *vm, char *err, size_t errlen) __attribute__((warn_unused_result));
int vm_start(struct vm *vm, char *err, size_t errlen) __attribute__((warn_unused_result));
/* Records why the VM ends (the first call wins) and wakes the main loop. */
void vm_request_end(struct vm *vm, enum vm_end why, uint32_t status, const char *msg);
/* Why the VM ends (VM_END_NONE while it runs), read under end_lock; with
 * msg, a copy of its message (msglen bytes at most). */
enum vm_end vm_end_reason(struct vm *vm, char *msg, size_t msglen);
/* Whether the VM is ending (a signal, the guest powered off or crashed). */
bool vm_ending(struct vm *vm);
/* Stops and joins every vCPU thread. */
void vm_stop(struct vm *vm);
void vm_destroy(struct vm *vm);

/* Formats "what: strerror(-ret)" into err; returns ret (or -EINVAL if ret >= 0). */
int vm_error(char *err, size_t errlen, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Boot through sevm's firmware (vm_firmware.c). */
int vm_boot_firmware(struct vm *vm, char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * Run (true) or stop running (false) the Migration Handler's vCPUs. Until
 * the first call with true, each handler is paused when it rings its
 * doorbell. Returns 0 or -errno.
 */
int vm_mh_run(struct vm *vm, bool run) __attribute__((warn_unused_result));

/* What vCPU threads call on exits and failures (vm_exit.c). */
extern const struct vcpu_ops vm_vcpu_ops;

#endif
