// SPDX-License-Identifier: MIT
/*
 * The fw_cfg-style configuration interface of fw_abi.h. The host is not
 * trusted: every value is range-checked before use, DMA only ever targets
 * the shared region, and data it delivers is copied to private memory
 * before anything looks at it (load.c).
 *
 * Tiny items (signature, interface version, boot configuration) are read
 * byte by byte from the data port; kernel, initrd and command line by DMA
 * (fwcfg_dma), chunk by chunk, into the bounce buffer.
 */
#include "fw.h"

#define MAX_HANDLER_VCPUS 8
#define MAX_OS_VCPUS 254 /* xAPIC IDs; mptable.h MPTABLE_MAX_CPUS */
#define MIN_RAM (16 * MIB)
#define MAX_RAM (1024 * GIB)
#define MAX_KERNEL (256 * MIB) /* the host's BZIMAGE_MAX_SIZE */
#define MAX_INITRD (1 * GIB)   /* the host's INITRD_MAX_SIZE */
#define SIGNATURE 0x4d564553u  /* FW_CFG_SIGNATURE_VALUE, "SEVM" little-endian */

static void read_item(uint16_t item, void *buf, size_t n)
{
	uint8_t *p = buf;

	outw(FW_CFG_PORT_SELECTOR, item);
	for (size_t i = 0; i < n; i++)
		p[i] = inb(FW_CFG_PORT_DATA);
}

void fwcfg_dma(uint16_t item, uint64_t off, uint32_t len)
{
	volatile struct fw_cfg_dma *d = (volatile struct fw_cfg_dma *)FW_DMA_DESC;

	if (len > FW_BOUNCE_SIZE)
		fw_refuse(FW_EXIT_INTERNAL, "DMA request too large");
	d->length = len;
	d->address = FW_BOUNCE;
	d->offset = off;
	d->item = item;
	d->reserved[0] = d->reserved[1] = d->reserved[2] = 0;
	d->control = FW_CFG_DMA_READ;
	/* The host completes the copy before the OUT returns (fw_abi.h). */
	outl(FW_CFG_PORT_DMA, FW_DMA_DESC);
	if (d->control != 0)
		fw_refuse(FW_EXIT_FW_CFG, "DMA error");
}

static void check_config(const struct fw_boot_config *c)
{
	uint64_t low_end;

	if (c->magic != FW_BOOT_CONFIG_MAGIC)
		fw_refuse(FW_EXIT_BOOT_CONFIG, "magic");
	if (c->version != FW_BOOT_CONFIG_VERSION)
		fw_refuse(FW_EXIT_BOOT_CONFIG, "version");
	if (c->handler_vcpus > MAX_HANDLER_VCPUS)
		fw_refuse(FW_EXIT_BOOT_CONFIG, "handler_vcpus");
	if (c->os_vcpus < 1 || c->os_vcpus > FW_VMSA_MAX - c->handler_vcpus ||
	    c->os_vcpus > MAX_OS_VCPUS)
		fw_refuse(FW_EXIT_BOOT_CONFIG, "os_vcpus");
	if (c->ram_size < MIN_RAM || c->ram_size > MAX_RAM || c->ram_size % MIB)
		fw_refuse(FW_EXIT_BOOT_CONFIG, "ram_size");
	if (c->flags & ~FW_BOOT_FLAGS_KNOWN)
		fw_refuse(FW_EXIT_BOOT_CONFIG, "flags");
	/* A migration target runs the MH and loads nothing (fw_abi.h). */
	if (c->flags & FW_BOOT_MIGRATION_TARGET) {
		if (!c->handler_vcpus)
			fw_refuse(FW_EXIT_BOOT_CONFIG, "handler_vcpus");
		return;
	}

	/* Sizes of the fw_cfg items: each on its own first, so no sum wraps. */
	low_end = ram_low_end(c->ram_size);
	if (!c->kernel_size || c->kernel_size > MAX_KERNEL || c->kernel_size >= low_end)
		fw_refuse(FW_EXIT_FW_CFG, "kernel_size");
	if (c->initrd_size > MAX_INITRD || c->initrd_size >= low_end)
		fw_refuse(FW_EXIT_FW_CFG, "initrd_size");
	if (c->kernel_size + c->initrd_size >= low_end)
		fw_refuse(FW_EXIT_FW_CFG, "kernel and initrd exceed RAM");
	if (!c->cmdline_size || c->cmdline_size > FW_CMDLINE_MAX)
		fw_refuse(FW_EXIT_FW_CFG, "cmdline_size");
}

void fwcfg_read_config(struct fw_boot_config *cfg)
{
	uint32_t sig, iface;

	read_item(FW_CFG_SIGNATURE, &sig, sizeof(sig));
	if (sig != SIGNATURE)
		fw_refuse(FW_EXIT_FW_CFG, "signature");
	read_item(FW_CFG_INTERFACE, &iface, sizeof(iface));
	if (iface != FW_CFG_VERSION)
		fw_refuse(FW_EXIT_FW_CFG, "interface version");
	read_item(FW_CFG_BOOT_CONFIG, cfg, sizeof(*cfg));
	check_config(cfg);
}
