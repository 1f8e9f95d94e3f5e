/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for a directly booted guest (ACPI 6.4, chapter 5): RSDP, XSDT,
 * FADT, MADT and a DSDT. Many kernels find their CPUs and the IOAPIC only
 * through the MADT (Debian's cloud kernel is built without MP table
 * support). The platform is "hardware-reduced" (§4.1): no PM timer, no SCI,
 * no fixed-feature registers; the FADT's sleep control register, written
 * with the DSDT's \_S5 sleep type, powers the VM off, and its reset
 * register resets it through the keyboard controller.
 */
#ifndef SEVM_SRC_VMM_ACPI_H
#define SEVM_SRC_VMM_ACPI_H

#include <stddef.h>
#include <stdint.h>

/* I/O ports of the hardware-reduced sleep registers (sevm's choice). */
#define ACPI_SLEEP_CONTROL_PORT 0x600
#define ACPI_SLEEP_STATUS_PORT 0x601
/* Sleep type of S5 (soft off) in the DSDT's \_S5 package. */
#define ACPI_S5_SLEEP_TYPE 5
/* Sleep control register fields (§4.8.3.7). */
#define ACPI_SLP_TYP_SHIFT 2
#define ACPI_SLP_TYP_MASK 0x1c
#define ACPI_SLP_EN 0x20

struct acpi_info {
	unsigned nr_cpus; /* local APIC IDs 0..nr_cpus-1 */
	uint8_t ioapic_id;
	uint32_t ioapic_addr;
	uint32_t lapic_addr;
};

/* Space the tables need for nr_cpus CPUs. */
size_t acpi_size(unsigned nr_cpus);
/* Builds all tables into buf, which the guest sees at gpa (16-byte aligned,
 * below 4 GiB); the RSDP comes first, at gpa. Returns the bytes used or
 * -EINVAL. */
int acpi_build(uint8_t *buf, size_t cap, uint64_t gpa, const struct acpi_info *info)
    __attribute__((warn_unused_result));
/* Sum of bytes mod 256: every table sums to zero with its checksum. */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

#endif
