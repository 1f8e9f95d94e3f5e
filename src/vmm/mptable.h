/* SPDX-License-Identifier: MIT */
/*
 * Intel MultiProcessor Specification 1.4 tables (chapter 4): the floating
 * pointer and the configuration table through which a guest finds its CPUs,
 * the IOAPIC and how ISA interrupts are wired.
 */
#ifndef SEVM_SRC_VMM_MPTABLE_H
#define SEVM_SRC_VMM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_MAX_CPUS                                                                           \
	254u /* xAPIC IDs are 8 bits; 0xff is broadcast, one ID is the IOAPIC's                    \
	      */

struct mptable_cpu_info {
	unsigned nr_cpus;   /* APIC IDs 0..nr_cpus-1; ID 0 is the BSP */
	uint32_t signature; /* CPUID.1:EAX */
	uint32_t features;  /* CPUID.1:EDX */
};

/* Size of the tables for nr_cpus processors. */
size_t mptable_size(unsigned nr_cpus);
/* Writes the floating pointer followed by the configuration table into buf,
 * which the guest will see at gpa. Returns the bytes used or -EINVAL
 * (too many CPUs, buffer too small). */
int mptable_build(uint8_t *buf, size_t cap, uint64_t gpa, const struct mptable_cpu_info *info)
    __attribute__((warn_unused_result));
/* 8-bit sum used by every MP table checksum (the table sums to zero). */
uint8_t mptable_sum(const uint8_t *p, size_t len);

#endif
