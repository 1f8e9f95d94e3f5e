// SPDX-License-Identifier: MIT
#include "mptable.h"
#include "bootparams.h"
#include "layout.h"

#include <errno.h>
#include <string.h>

/* MP spec 1.4 §4.1 floating pointer, §4.2 header, §4.3 entries. */
#define MPF_SIZE 16
#define MPC_HEADER_SIZE 44
#define MPC_PROCESSOR_SIZE 20
#define MPC_SMALL_SIZE 8 /* bus, IOAPIC, I/O and local interrupt entries */
#define MP_SPEC_REV 4	 /* 1.4 */
#define NR_ISA_IRQS 16

enum { ENTRY_PROCESSOR, ENTRY_BUS, ENTRY_IOAPIC, ENTRY_IO_INT, ENTRY_LOCAL_INT };
enum { INT_TYPE_INT = 0, INT_TYPE_NMI = 1, INT_TYPE_EXTINT = 3 };

#define CPU_FLAG_ENABLED 0x01
#define CPU_FLAG_BSP 0x02
#define LAPIC_VERSION 0x14
#define IOAPIC_VERSION 0x11

uint8_t mptable_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static size_t entries_size(unsigned nr_cpus)
{
	/* CPUs, one ISA bus, one IOAPIC, 16 ISA interrupts, LINT0 and LINT1. */
	return nr_cpus * MPC_PROCESSOR_SIZE + (1 + 1 + NR_ISA_IRQS + 2) * MPC_SMALL_SIZE;
}

size_t mptable_size(unsigned nr_cpus)
{
	return MPF_SIZE + MPC_HEADER_SIZE + entries_size(nr_cpus);
}

static uint8_t *small_entry(uint8_t *p, uint8_t type, uint8_t a, uint8_t b, uint8_t c, uint8_t d,
			    uint8_t e, uint8_t f, uint8_t g)
{
	const uint8_t e8[MPC_SMALL_SIZE] = {type, a, b, c, d, e, f, g};

	memcpy(p, e8, sizeof(e8));
	return p + MPC_SMALL_SIZE;
}

int mptable_build(uint8_t *buf, size_t cap, uint64_t gpa, const struct mptable_cpu_info *info)
{
	const uint8_t ioapic_id = (uint8_t)info->nr_cpus;
	size_t len = mptable_size(info->nr_cpus);
	uint8_t *mpc = buf + MPF_SIZE, *p;
	unsigned count = 0;

	if (info->nr_cpus == 0 || info->nr_cpus > MPTABLE_MAX_CPUS || cap < len ||
	    gpa > 0x100000000ULL - len)
		return -EINVAL;
	memset(buf, 0, len);

	/* Floating pointer (§4.1): points at the configuration table right after it. */
	memcpy(buf, "_MP_", 4);
	put_le32(buf + 4, (uint32_t)(gpa + MPF_SIZE));
	buf[8] = 1; /* length in 16-byte units */
	buf[9] = MP_SPEC_REV;
	buf[10] = (uint8_t)-mptable_sum(buf, MPF_SIZE);

	p = mpc + MPC_HEADER_SIZE;
	for (unsigned i = 0; i < info->nr_cpus; i++, count++) {
		p[0] = ENTRY_PROCESSOR;
		p[1] = (uint8_t)i; /* local APIC ID */
		p[2] = LAPIC_VERSION;
		p[3] = CPU_FLAG_ENABLED | (i == 0 ? CPU_FLAG_BSP : 0);
		put_le32(p + 4, info->signature);
		put_le32(p + 8, info->features);
		p += MPC_PROCESSOR_SIZE;
	}
	p = small_entry(p, ENTRY_BUS, 0, 'I', 'S', 'A', ' ', ' ', ' ');
	count++;
	/* IOAPIC entry: id, version, flags (enabled), 32-bit address. */
	p[0] = ENTRY_IOAPIC;
	p[1] = ioapic_id;
	p[2] = IOAPIC_VERSION;
	p[3] = 1;
	put_le32(p + 4, (uint32_t)LAYOUT_IOAPIC_BASE);
	p += MPC_SMALL_SIZE;
	count++;
	/* ISA IRQ n drives IOAPIC pin n: KVM's default GSI routing does the same. */
	for (uint8_t irq = 0; irq < NR_ISA_IRQS; irq++, count++)
		p = small_entry(p, ENTRY_IO_INT, INT_TYPE_INT, 0, 0, 0, irq, ioapic_id, irq);
	/* LINT0 in virtual-wire mode (ExtINT from the PIC), LINT1 as NMI, all CPUs. */
	p = small_entry(p, ENTRY_LOCAL_INT, INT_TYPE_EXTINT, 0, 0, 0, 0, 0xff, 0);
	p = small_entry(p, ENTRY_LOCAL_INT, INT_TYPE_NMI, 0, 0, 0, 0, 0xff, 1);
	count += 2;

	memcpy(mpc, "PCMP", 4);
	put_le16(mpc + 4, (uint16_t)(MPC_HEADER_SIZE + entries_size(info->nr_cpus)));
	mpc[6] = MP_SPEC_REV;
	memcpy(mpc + 8, "SEVM    ", 8);	      /* OEM ID */
	memcpy(mpc + 16, "SEVM VM     ", 12); /* product ID */
	put_le16(mpc + 34, (uint16_t)count);
	put_le32(mpc + 36, (uint32_t)LAYOUT_LAPIC_BASE);
	mpc[7] = (uint8_t)-mptable_sum(mpc, MPC_HEADER_SIZE + entries_size(info->nr_cpus));
	(void)p;
	return (int)len;
}
