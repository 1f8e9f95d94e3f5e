// SPDX-License-Identifier: MIT
#include "vm.h"
#include "vm_sev.h"
#include "vcpu_regs.h"
#include "acpi.h"
#include "bootparams.h"
#include "bzimage.h"
#include "cpuid.h"
#include "kvm.h"
#include "layout.h"
#include "longmode.h"
#include "mptable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Pages in the 32-bit hole that nothing else uses — below the firmware
 * image (which ends at 4 GiB), above the LAPIC — for the TSS and identity
 * map that VMX needs to run real mode; KVM backs them with a private slot. */
#define KVM_TSS_GPA 0xfeffd000ULL
#define KVM_IDENTITY_MAP_GPA 0xfeffc000ULL

/* Local APIC registers (SDM vol. 3A §11.5.1, LVT). */
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_DM_EXTINT 0x700
#define APIC_DM_NMI 0x400
#define APIC_LVT_MASKED 0x10000

int vm_error(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (ret < 0 && n < errlen)
		snprintf(err + n, errlen - n, ": %s", strerror(-ret));
	return ret < 0 ? ret : -EINVAL;
}

#define fail vm_error

static int host_mem_read(void *opaque, uint64_t gpa, void *dst, uint64_t len)
{
	struct vm *vm = opaque;
	const void *src = mem_gpa_to_hva(&vm->mem, gpa, len);

	if (!src)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

static int host_mem_write(void *opaque, uint64_t gpa, const void *src, uint64_t len)
{
	struct vm *vm = opaque;

	return mem_write(&vm->mem, gpa, src, len);
}

static int host_irq_line(void *opaque, unsigned irq, int level)
{
	struct vm *vm = opaque;

	return kvm_irq_line(vm->vm_fd, irq, level);
}

static void host_request_end(void *opaque, enum vm_end why, uint32_t status, const char *msg)
{
	vm_request_end(opaque, why, status, msg);
}

void vm_request_end(struct vm *vm, enum vm_end why, uint32_t status, const char *msg)
{
	uint64_t one = 1;
	ssize_t n;

	pthread_mutex_lock(&vm->end_lock);
	if (vm->end == VM_END_NONE) {
		vm->end = why;
		vm->end_status = status;
		snprintf(vm->end_msg, sizeof(vm->end_msg), "%s", msg ? msg : "");
	}
	pthread_mutex_unlock(&vm->end_lock);
	n = write(vm->end_fd, &one, sizeof(one));
	(void)n; /* an eventfd counter cannot overflow from these few writes */
}

enum vm_end vm_end_reason(struct vm *vm, char *msg, size_t msglen)
{
	pthread_mutex_lock(&vm->end_lock);
	enum vm_end why = vm->end;

	if (msg && msglen)
		snprintf(msg, msglen, "%s", vm->end_msg);
	pthread_mutex_unlock(&vm->end_lock);
	return why;
}

bool vm_ending(struct vm *vm)
{
	return vm_end_reason(vm, NULL, 0) != VM_END_NONE;
}

static const struct {
	const struct device_ops *ops;
	size_t offset;
} devices[] = {
    {&uart_ops, offsetof(struct vm, uart)},
    {&i8042_ops, offsetof(struct vm, i8042)},
    {&debug_exit_ops, offsetof(struct vm, debug_exit)},
    {&acpi_pm_ops, offsetof(struct vm, acpi_pm)},
    {&rtc_ops, offsetof(struct vm, rtc)},
    {&pci_host_ops, offsetof(struct vm, pci_host)},
    {&fw_cfg_ops, offsetof(struct vm, fw_cfg)},
};

static int open_console(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;

	vm->console_fd = -1;
	if (cfg->console == CONSOLE_STDIO) {
		vm->console_fd = STDOUT_FILENO;
	} else if (cfg->console == CONSOLE_FILE) {
		vm->console_fd =
		    open(cfg->console_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (vm->console_fd < 0)
			return fail(err, errlen, -errno, "console file '%s'", cfg->console_path);
		vm->console_fd_owned = true;
	}
	return 0;
}

static int realize_devices(struct vm *vm, char *err, size_t errlen)
{
	int ret;

	vm->host = (struct device_host){.vm = vm,
					.irq_line = host_irq_line,
					.mem_read = host_mem_read,
					.mem_write = host_mem_write,
					.request_end = host_request_end};
	ret = open_console(vm, err, errlen);
	if (ret)
		return ret;
	vm->uart.out_fd = vm->console_fd;
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		void *dev = (char *)vm + devices[i].offset;

		ret = devices[i].ops->realize(dev, &vm->host, &vm->pio, &vm->mmio);
		if (ret)
			return fail(err, errlen, ret, "device %s", devices[i].ops->name);
		vm->nr_realized++;
	}
	return 0;
}

static int check_caps(struct vm *vm, char *err, size_t errlen)
{
	static const struct {
		long cap;
		const char *name;
	} needed[] = {
	    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
	    {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
	    {KVM_CAP_PIT2, "KVM_CAP_PIT2"},
	    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
	    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
	};
	int ret = kvm_api_version(vm->kvm_fd);

	if (ret != KVM_API_VERSION)
		return fail(err, errlen, ret < 0 ? ret : 0, "KVM_GET_API_VERSION: got %d, need %d",
			    ret, KVM_API_VERSION);
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (kvm_check_extension(vm->kvm_fd, needed[i].cap) <= 0)
			return fail(err, errlen, 0, "this KVM lacks %s", needed[i].name);
	return 0;
}

static int setup_vcpu(struct vm *vm, struct vcpu *v, char *err, size_t errlen)
{
	size_t size = sizeof(*vm->cpuid) + vm->cpuid->nent * sizeof(vm->cpuid->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	struct kvm_lapic_state lapic;
	int ret;

	if (!c)
		return fail(err, errlen, -ENOMEM, "vCPU %u CPUID", v->id);
	memcpy(c, vm->cpuid, size);
	cpuid_set_apic_id(c, v->id);
	ret = kvm_set_cpuid2(v->fd, c);
	free(c);
	if (ret)
		return fail(err, errlen, ret, "vCPU %u: KVM_SET_CPUID2", v->id);
	if (vm->cfg->tsc_khz) {
		ret = kvm_set_tsc_khz(v->fd, vm->cfg->tsc_khz);
		if (ret)
			return fail(err, errlen, ret, "vCPU %u: KVM_SET_TSC_KHZ %u", v->id,
				    vm->cfg->tsc_khz);
	}
	/* LINT0 wired to the PIC (ExtINT) but masked, LINT1 to NMI. Masked,
	 * because a guest that never initialises the PIC (hardware-reduced
	 * ACPI) would otherwise take its raw vectors; a guest that wants
	 * virtual-wire mode unmasks LINT0 itself. */
	ret = kvm_get_lapic(v->fd, &lapic);
	if (ret)
		return fail(err, errlen, ret, "vCPU %u: KVM_GET_LAPIC", v->id);
	put_le32((uint8_t *)lapic.regs + APIC_LVT_LINT0, APIC_DM_EXTINT | APIC_LVT_MASKED);
	put_le32((uint8_t *)lapic.regs + APIC_LVT_LINT1, APIC_DM_NMI);
	ret = kvm_set_lapic(v->fd, &lapic);
	if (ret)
		return fail(err, errlen, ret, "vCPU %u: KVM_SET_LAPIC", v->id);
	return 0;
}

static int create_vcpus(struct vm *vm, char *err, size_t errlen)
{
	struct kvm_cpuid2 *supported;
	int ret;

	ret = kvm_get_supported_cpuid(vm->kvm_fd, &supported);
	if (ret)
		return fail(err, errlen, ret, "KVM_GET_SUPPORTED_CPUID");
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		free(supported);
		return fail(err, errlen, -ENOMEM, "vCPUs");
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].fd = -1;
	/* vCPU 0 first: the TSC rate it reports is what the guest is told. */
	ret = vcpu_create(&vm->vcpus[0], vm->kvm_fd, vm->vm_fd, 0, &vm_vcpu_ops, vm);
	if (ret) {
		free(supported);
		return fail(err, errlen, ret, "KVM_CREATE_VCPU 0");
	}
	ret = vm->cfg->tsc_khz ? (int)vm->cfg->tsc_khz : kvm_get_tsc_khz(vm->vcpus[0].fd);
	vm->tsc_khz = ret > 0 ? (uint32_t)ret : 0;
	ret = cpuid_build(supported, vm->cfg->cpu_model, vm->nr_os_vcpus, vm->tsc_khz, &vm->cpuid);
	free(supported);
	if (ret)
		return fail(err, errlen, ret, "CPUID table");
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (i > 0) {
			ret =
			    vcpu_create(&vm->vcpus[i], vm->kvm_fd, vm->vm_fd, i, &vm_vcpu_ops, vm);
			if (ret)
				return fail(err, errlen, ret, "KVM_CREATE_VCPU %u", i);
		}
		ret = setup_vcpu(vm, &vm->vcpus[i], err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = vm->console_fd = -1;
	vm->mem.pagemap = -1;
	vm->nr_vcpus = cfg->vcpus + cfg->handler_vcpus;
	vm->nr_os_vcpus = cfg->vcpus;
	pthread_mutex_init(&vm->end_lock, NULL);
	pthread_mutex_init(&vm->mh_lock, NULL);
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	vm->end_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->end_fd < 0) {
		ret = fail(err, errlen, -errno, "eventfd");
		goto out;
	}
	ret = kvm_open_dev("/dev/kvm", &vm->kvm_fd);
	if (ret) {
		ret = fail(err, errlen, ret, "/dev/kvm");
		goto out;
	}
	ret = check_caps(vm, err, errlen);
	if (ret)
		goto out;
	ret = kvm_create_vm(vm->kvm_fd, 0, &vm->vm_fd);
	if (ret) {
		ret = fail(err, errlen, ret, "KVM_CREATE_VM");
		goto out;
	}
	if (kvm_check_extension(vm->kvm_fd, KVM_CAP_SET_TSS_ADDR) > 0) {
		ret = kvm_set_tss_addr(vm->vm_fd, KVM_TSS_GPA);
		ret = ret ?: kvm_set_identity_map_addr(vm->vm_fd, KVM_IDENTITY_MAP_GPA);
		if (ret) {
			ret = fail(err, errlen, ret, "KVM_SET_TSS_ADDR");
			goto out;
		}
	}
	ret = mem_create_with_firmware(&vm->mem, cfg->memory, cfg->firmware_len);
	if (ret) {
		ret = fail(err, errlen, ret, "guest RAM (%llu MiB)",
			   (unsigned long long)(cfg->memory >> 20));
		goto out;
	}
	ret = mem_register(&vm->mem, vm->vm_fd);
	if (ret) {
		ret = fail(err, errlen, ret, "KVM_SET_USER_MEMORY_REGION");
		goto out;
	}
	ret = kvm_create_irqchip(vm->vm_fd);
	if (ret) {
		ret = fail(err, errlen, ret, "KVM_CREATE_IRQCHIP");
		goto out;
	}
	/* Flags 0: KVM also models port 0x61, the PIT channel 2 gate guests calibrate with. */
	ret = kvm_create_pit2(vm->vm_fd, 0);
	if (ret) {
		ret = fail(err, errlen, ret, "KVM_CREATE_PIT2");
		goto out;
	}
	ret = realize_devices(vm, err, errlen);
	ret = ret ?: create_vcpus(vm, err, errlen);
out:
	if (ret)
		vm_destroy(vm);
	return ret;
}

/* ACPI tables at LAYOUT_ACPI; kernels of boot protocol 2.14+ are also told
 * where the RSDP is, the rest find it by scanning the BIOS area. */
static int write_acpi(struct vm *vm, uint64_t zero_page)
{
	struct acpi_info info = {.nr_cpus = vm->nr_vcpus,
				 .ioapic_id = (uint8_t)vm->nr_vcpus,
				 .ioapic_addr = (uint32_t)LAYOUT_IOAPIC_BASE,
				 .lapic_addr = (uint32_t)LAYOUT_LAPIC_BASE};
	uint8_t tables[4096], rsdp[8];
	int len = acpi_build(tables, sizeof(tables), LAYOUT_ACPI, &info);

	if (len < 0)
		return len;
	if (LAYOUT_ACPI + (uint64_t)len > LAYOUT_MPTABLE)
		return -ENOSPC;
	len = mem_write(&vm->mem, LAYOUT_ACPI, tables, (uint64_t)len);
	if (len || vm->cfg->kernel.version < 0x020e)
		return len;
	put_le64(rsdp, LAYOUT_ACPI);
	return mem_write(&vm->mem, zero_page + BP_ACPI_RSDP_ADDR, rsdp, sizeof(rsdp));
}

/* Direct boot: sevm loads the kernel and describes the machine itself. */
static int boot_direct(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct mptable_cpu_info info = {.nr_cpus = vm->nr_vcpus};
	struct kvm_cpuid_entry2 *leaf1 = cpuid_find(vm->cpuid, 1, 0);
	uint8_t mp[4096];
	struct boot_entry entry;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	char why[200];
	int ret;

	if (bzimage_load(&vm->mem, &cfg->kernel, cfg->initrd_data, cfg->initrd_len, cfg->cmdline,
			 &entry, why, sizeof(why)))
		return fail(err, errlen, 0, "kernel '%s': %s", cfg->kernel_path, why);
	ret = longmode_write_tables(&vm->mem);
	if (ret)
		return fail(err, errlen, ret, "boot page tables");
	if (leaf1) {
		info.signature = leaf1->eax;
		info.features = leaf1->edx;
	}
	ret = mptable_build(mp, sizeof(mp), LAYOUT_MPTABLE, &info);
	if (ret < 0)
		return fail(err, errlen, ret, "MP table for %u vCPUs", vm->nr_vcpus);
	ret = mem_write(&vm->mem, LAYOUT_MPTABLE, mp, (uint64_t)ret);
	if (ret)
		return fail(err, errlen, ret, "MP table");
	ret = write_acpi(vm, entry.zero_page);
	if (ret)
		return fail(err, errlen, ret, "ACPI tables for %u vCPUs", vm->nr_vcpus);

	/* Only the BSP starts at the kernel; APs wait for INIT/SIPI from it. */
	ret = vcpu_get_sregs(&vm->vcpus[0], &sregs);
	if (ret)
		return fail(err, errlen, ret, "KVM_GET_SREGS");
	longmode_sregs(&sregs);
	ret = vcpu_set_sregs(&vm->vcpus[0], &sregs);
	if (ret)
		return fail(err, errlen, ret, "KVM_SET_SREGS");
	longmode_regs(&regs, entry.rip, entry.zero_page);
	ret = vcpu_set_regs(&vm->vcpus[0], &regs);
	if (ret)
		return fail(err, errlen, ret, "KVM_SET_REGS");
	return 0;
}

int vm_boot(struct vm *vm, char *err, size_t errlen)
{
	return vm->cfg->firmware_data ? vm_boot_firmware(vm, err, errlen)
				      : boot_direct(vm, err, errlen);
}

int vm_start(struct vm *vm, char *err, size_t errlen)
{
	int ret = vcpu_init_signals();

	if (ret)
		return fail(err, errlen, ret, "signal handler");
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret)
			return fail(err, errlen, ret, "vCPU %u thread", i);
	}
	return 0;
}

void vm_stop(struct vm *vm)
{
	for (unsigned i = 0; vm->vcpus && i < vm->nr_vcpus; i++)
		vcpu_stop(&vm->vcpus[i]);
}

void vm_destroy(struct vm *vm)
{
	vm_stop(vm);
	vm_sev_destroy(vm);
	for (unsigned i = 0; vm->vcpus && i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].fd >= 0 || vm->vcpus[i].run)
			vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	while (vm->nr_realized > 0) {
		vm->nr_realized--;
		devices[vm->nr_realized].ops->unrealize((char *)vm +
							devices[vm->nr_realized].offset);
	}
	if (vm->console_fd_owned)
		close(vm->console_fd);
	free(vm->cpuid);
	vm->cpuid = NULL;
	free(vm->fw_tampered);
	vm->fw_tampered = NULL;
	mem_destroy(&vm->mem);
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->end_fd >= 0)
		close(vm->end_fd);
	vm->vm_fd = vm->kvm_fd = vm->end_fd = -1;
	pthread_mutex_destroy(&vm->end_lock);
	pthread_mutex_destroy(&vm->mh_lock);
}
