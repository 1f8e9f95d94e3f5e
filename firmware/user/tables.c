// SPDX-License-Identifier: MIT
/*
 * What the OS learns about the machine (FW_JOB_TABLES, CPL3), built by the
 * firmware from the validated boot configuration, never taken from the
 * host: the e820 map, an MP table and ACPI tables listing only the OS
 * vCPUs (handler vCPUs stay hidden, design.md §5), and the zero page
 * (boot.rst "64-bit boot protocol", zero-page.rst). The builders are
 * sevm's own (src/vmm/e820.c, mptable.c, acpi.c, aml.c, compiled
 * freestanding) at the addresses of sevm's direct boot (src/vmm/layout.h,
 * docs/boot.md). They run here rather than at CPL0 because CPL0 is
 * emulated on PVM: the DSDT alone took 15-25 ms there.
 */
#include "acpi.h"
#include "bootparams.h"
#include "e820.h"
#include "fw_job.h"
#include "fw_layout.h"
#include "layout.h"
#include "mptable.h"

#include <string.h>

#define MPTABLE_ROOM 0x10000 /* 0xf0000 to 1 MiB */
#define PROTOCOL_RSDP 0x020e /* 2.14: acpi_rsdp_addr */

static struct e820_entry map[BP_E820_MAX], out[BP_E820_MAX];

/* Turns [base, base + size) into a reserved entry, cutting it out of any
 * RAM entry; the map stays sorted. Returns the new count, or -1. */
static int reserve(unsigned n, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t a = map[i].addr, b = map[i].addr + map[i].size;

		if (k + 3 > BP_E820_MAX)
			return -1;
		if (map[i].type != E820_TYPE_RAM || b <= base || a >= end) {
			out[k++] = map[i];
			continue;
		}
		if (a < base)
			out[k++] = (struct e820_entry){a, base - a, E820_TYPE_RAM};
		if (b > end)
			out[k++] = (struct e820_entry){end, b - end, E820_TYPE_RAM};
	}
	out[k++] = (struct e820_entry){base, size, E820_TYPE_RESERVED};
	for (unsigned i = 0; i < k; i++) {
		unsigned j = i;

		for (; j > 0 && map[j - 1].addr > out[i].addr; j--)
			map[j] = map[j - 1];
		map[j] = out[i];
	}
	return (int)k;
}

/* mem_layout() (src/vmm/mem.c): RAM below the 3 GiB hole, the rest at 4 GiB;
 * the legacy holes come from e820_build(), the firmware's own from here:
 * the shared region, the Migration Handler's private region (mh/mh.h) and
 * the image. */
static int build_e820(uint8_t *zp, uint64_t ram_size, uint64_t mh_base, uint64_t mh_size)
{
	uint64_t low = ram_size < MEM_HOLE_START ? ram_size : MEM_HOLE_START;
	struct mem_range ram[2] = {{0, low}, {MEM_4G, ram_size - low}};
	int n = e820_build(ram, ram_size > low ? 2 : 1, map, BP_E820_MAX);

	if (n >= 0)
		n = reserve((unsigned)n, FW_SHARED_BASE, FW_SHARED_SIZE);
	if (n >= 0 && mh_size)
		n = reserve((unsigned)n, mh_base, mh_size);
	if (n >= 0)
		n = reserve((unsigned)n, FW_IMAGE_BASE, FW_IMAGE_SIZE);
	if (n >= 0)
		e820_store(zp, map, (unsigned)n);
	return n;
}

static uint16_t build_mp_acpi(const struct fw_tables *t)
{
	struct mptable_cpu_info mp = {
	    .nr_cpus = t->os_vcpus, .signature = t->cpuid_signature, .features = t->cpuid_features};
	/* IOAPIC ID = number of CPUs, as mptable_build() has it. */
	struct acpi_info acpi = {.nr_cpus = t->os_vcpus,
				 .ioapic_id = (uint8_t)t->os_vcpus,
				 .ioapic_addr = (uint32_t)LAYOUT_IOAPIC_BASE,
				 .lapic_addr = (uint32_t)LAYOUT_LAPIC_BASE};

	if (mptable_build((uint8_t *)LAYOUT_MPTABLE, MPTABLE_ROOM, LAYOUT_MPTABLE, &mp) < 0)
		return FW_TABLES_ERR_MPTABLE;
	if (acpi_build((uint8_t *)LAYOUT_ACPI, LAYOUT_MPTABLE - LAYOUT_ACPI, LAYOUT_ACPI, &acpi) <
	    0)
		return FW_TABLES_ERR_ACPI;
	return 0;
}

/* The zero page was cleared before loading (main.c); the setup header
 * comes from the hashed copy of the kernel's real-mode part. */
void fw_user_tables(struct fw_tables *t)
{
	uint8_t *zp = (uint8_t *)FW_ZERO_PAGE;

	if (build_e820(zp, t->ram_size, t->mh_base, t->mh_size) < 0) {
		t->error = FW_TABLES_ERR_E820;
		return;
	}
	t->error = build_mp_acpi(t);
	if (t->error)
		return;
	memcpy(zp + HDR_START, (const uint8_t *)FW_SETUP + HDR_START, t->header_len);
	zp[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_UNDEFINED;
	put_le32(zp + HDR_CMD_LINE_PTR, FW_CMDLINE);
	put_le32(zp + BP_EXT_CMD_LINE_PTR, 0);
	put_le32(zp + HDR_RAMDISK_IMAGE, (uint32_t)t->initrd_addr);
	put_le32(zp + HDR_RAMDISK_SIZE, (uint32_t)t->initrd_size);
	if (t->version >= PROTOCOL_RSDP)
		put_le64(zp + BP_ACPI_RSDP_ADDR, LAYOUT_ACPI);
}
