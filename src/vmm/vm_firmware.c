// SPDX-License-Identifier: MIT
/*
 * Booting through sevm's firmware (docs/firmware.md): the image goes at the
 * top of 4 GiB, the kernel hashes into its hashes block (so that a launch
 * measures them), the kernel, initrd and command line behind the fw_cfg
 * device, and every vCPU into the SEV-ES reset state. From here on the
 * firmware, not sevm, describes the machine to the OS.
 */
#include "bootparams.h"
#include "sev/launch_inputs.h"
#include "kvm.h"
#include "resetstate.h"
#include "vm.h"
#include "vcpu_regs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FAULT_ENV "SEVM_TEST_FAULT"

/* The shared region must be plain low RAM, clear of the legacy areas. */
static int check_shared(const struct vm *vm, char *err, size_t errlen)
{
	const struct fw_sevm_info *i = &vm->cfg->firmware.info;

	if (i->shared_base < 0x100000 ||
	    (uint64_t)i->shared_base + i->shared_size > vm->mem.ram[0].size)
		return vm_error(
		    err, errlen, 0,
		    "firmware's shared region [%#x, +%#x) is not inside low RAM (%llu MiB)",
		    i->shared_base, i->shared_size,
		    (unsigned long long)(vm->mem.ram[0].size >> 20));
	return 0;
}

static void encode_boot_config(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	uint8_t *b = vm->fw_boot_config;

	memset(b, 0, sizeof(vm->fw_boot_config));
	put_le32(b + offsetof(struct fw_boot_config, magic), FW_BOOT_CONFIG_MAGIC);
	put_le32(b + offsetof(struct fw_boot_config, version), FW_BOOT_CONFIG_VERSION);
	put_le32(b + offsetof(struct fw_boot_config, os_vcpus), vm->nr_os_vcpus);
	put_le32(b + offsetof(struct fw_boot_config, handler_vcpus), cfg->handler_vcpus);
	put_le64(b + offsetof(struct fw_boot_config, ram_size), cfg->memory);
	put_le64(b + offsetof(struct fw_boot_config, kernel_size), cfg->kernel_len);
	put_le64(b + offsetof(struct fw_boot_config, initrd_size), cfg->initrd_len);
	put_le32(b + offsetof(struct fw_boot_config, cmdline_size),
		 (uint32_t)strlen(cfg->cmdline) + 1);
	put_le32(b + offsetof(struct fw_boot_config, flags),
		 vm->migration_target ? FW_BOOT_MIGRATION_TARGET : 0);
}

/*
 * SEVM_TEST_FAULT (docs/testing.md) makes sevm misbehave the way a
 * malicious host could, so tests can watch the firmware refuse: serve a
 * kernel, initrd or command line other than the one hashed, a wrong
 * signature, an impossible boot configuration, or failing DMA.
 */
static int apply_fault(struct vm *vm, char *err, size_t errlen)
{
	const char *f = getenv(FAULT_ENV);
	struct fw_cfg_blob *it = NULL;

	/* sev:* faults belong to the SEV launch (vm_sev.c). */
	if (!f || !*f || !strncmp(f, "sev:", 4))
		return 0;
	if (!strcmp(f, "fw_cfg:kernel"))
		it = &vm->fw_cfg.items[FW_CFG_KERNEL];
	else if (!strcmp(f, "fw_cfg:initrd"))
		it = &vm->fw_cfg.items[FW_CFG_INITRD];
	else if (!strcmp(f, "fw_cfg:cmdline"))
		it = &vm->fw_cfg.items[FW_CFG_CMDLINE];
	else if (!strcmp(f, "fw_cfg:signature"))
		fw_cfg_set_item(&vm->fw_cfg, FW_CFG_SIGNATURE, "QEMU", 4);
	else if (!strcmp(f, "fw_cfg:boot_config"))
		put_le32(vm->fw_boot_config + offsetof(struct fw_boot_config, os_vcpus), 0);
	else if (!strcmp(f, "fw_cfg:dma"))
		vm->fw_cfg.fault = FW_CFG_FAULT_DMA;
	else
		return vm_error(err, errlen, 0, "%s=%s is not a known fault", FAULT_ENV, f);
	if (it) {
		/* Flip one bit in the middle of a copy: same size, other hash. */
		if (!it->size)
			return vm_error(err, errlen, 0, "%s=%s: that item is empty", FAULT_ENV, f);
		vm->fw_tampered = malloc(it->size);
		if (!vm->fw_tampered)
			return vm_error(err, errlen, -ENOMEM, "%s", FAULT_ENV);
		memcpy(vm->fw_tampered, it->data, it->size);
		vm->fw_tampered[it->size / 2] ^= 0x01;
		it->data = vm->fw_tampered;
	}
	return 0;
}

static int set_reset_state(struct vm *vm, char *err, size_t errlen)
{
	struct kvm_cpuid_entry2 *leaf1 = cpuid_find(vm->cpuid, 1, 0);
	uint32_t ap_eip = resetstate_ap_eip(vm->cfg->firmware.ap_reset);

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		uint32_t eip = i == 0 ? FW_RESET_VECTOR_GPA : ap_eip;
		struct kvm_sregs sregs;
		struct kvm_regs regs;
		int ret = vcpu_get_sregs(&vm->vcpus[i], &sregs);

		if (ret)
			return vm_error(err, errlen, ret, "vCPU %u: KVM_GET_SREGS", i);
		resetstate_sregs(&sregs, eip);
		ret = vcpu_set_sregs(&vm->vcpus[i], &sregs);
		if (ret)
			return vm_error(err, errlen, ret, "vCPU %u: KVM_SET_SREGS", i);
		resetstate_regs(&regs, eip, leaf1 ? leaf1->eax : 0);
		ret = vcpu_set_regs(&vm->vcpus[i], &regs);
		if (ret)
			return vm_error(err, errlen, ret, "vCPU %u: KVM_SET_REGS", i);
		/* Under SEV-ES every vCPU runs from its VMSA at once: no SIPI. */
		if (i > 0 && (ret = kvm_set_mp_state(vm->vcpus[i].fd, KVM_MP_STATE_RUNNABLE)))
			return vm_error(err, errlen, ret, "vCPU %u: KVM_SET_MP_STATE", i);
	}
	return 0;
}

int vm_boot_firmware(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	uint8_t *image;
	size_t len;
	int ret = check_shared(vm, err, errlen);

	if (ret)
		return ret;
	/* The very bytes an SEV launch measures and the owner recomputes. */
	ret = sev_launch_image(cfg, &image, &len);
	if (ret)
		return vm_error(err, errlen, ret, "firmware image with kernel hashes");
	ret = mem_write(&vm->mem, vm->mem.fw.gpa, image, len);
	free(image);
	if (ret)
		return vm_error(err, errlen, ret, "firmware image");

	encode_boot_config(vm);
	vm->fw_cfg.shared_base = cfg->firmware.info.shared_base;
	vm->fw_cfg.shared_size = cfg->firmware.info.shared_size;
	fw_cfg_set_item(&vm->fw_cfg, FW_CFG_BOOT_CONFIG, vm->fw_boot_config,
			sizeof(vm->fw_boot_config));
	fw_cfg_set_item(&vm->fw_cfg, FW_CFG_KERNEL, cfg->kernel_data, cfg->kernel_len);
	fw_cfg_set_item(&vm->fw_cfg, FW_CFG_INITRD,
			cfg->initrd_data ? cfg->initrd_data : (const uint8_t *)"", cfg->initrd_len);
	fw_cfg_set_item(&vm->fw_cfg, FW_CFG_CMDLINE, cfg->cmdline, strlen(cfg->cmdline) + 1);
	ret = apply_fault(vm, err, errlen);
	return ret ?: set_reset_state(vm, err, errlen);
}
