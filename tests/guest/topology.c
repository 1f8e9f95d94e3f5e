// SPDX-License-Identifier: MIT
/*
 * Which CPUs exist: the APIC IDs of all enabled processors, the BSP first.
 *
 * Sources, in this order:
 *   - Intel MP table (MP spec 1.4, chapter 4), what sevm provides;
 *   - ACPI MADT (ACPI 6.5, 5.2.5 RSDP, 5.2.7/5.2.8 RSDT/XSDT, 5.2.12 MADT),
 *     used when it lists more CPUs.  Needed under QEMU: SeaBIOS puts only
 *     the first logical CPU of each package in its MP table.
 * Neither found: one CPU.
 */
#include "kernel.h"
#include "x86.h"

#define MPF_SIG 0x5f504d5f	       /* "_MP_" */
#define PCMP_SIG 0x504d4350	       /* "PCMP" */
#define RSDP_SIG 0x2052545020445352ull /* "RSD PTR " */
#define MADT_SIG 0x43495041	       /* "APIC" */

struct cpulist {
	u32 *ids;
	u32 n;
	u32 max;
	u32 dropped;
};

static bool sum_ok(const u8 *p, u32 len)
{
	u8 s = 0;

	while (len--)
		s = (u8)(s + *p++);
	return s == 0;
}

static void add(struct cpulist *l, u32 apic_id)
{
	if (apic_id == l->ids[0])
		return; /* the BSP is already entry 0 */
	if (l->n < l->max)
		l->ids[l->n++] = apic_id;
	else
		l->dropped++;
}

/* 16-byte aligned signature with a valid checksum over len bytes. */
static const u8 *scan(u64 base, u64 size, u64 sig, u32 sig_len, u32 len)
{
	for (u64 a = base; a + len <= base + size; a += 16) {
		u64 v = sig_len == 8 ? load64((const void *)a) : load32((const void *)a);

		if (v == sig && sum_ok((const u8 *)a, len))
			return (const u8 *)a;
	}
	return NULL;
}

/* MP spec 4: EBDA's first KiB, the last KiB of base memory, 0xF0000-0xFFFFF. */
static const u8 *find_low(u64 sig, u32 sig_len, u32 len, u64 bios_base)
{
	u64 ebda = (u64)load16((const void *)0x40e) << 4;
	u64 basemem = (u64)load16((const void *)0x413) << 10;
	const u8 *p = NULL;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		p = scan(ebda, 1024, sig, sig_len, len);
	if (!p && basemem >= 0x80000 && basemem <= 0xa0000)
		p = scan(basemem - 1024, 1024, sig, sig_len, len);
	if (!p)
		p = scan(0x9fc00, 1024, sig, sig_len, len);
	if (!p)
		p = scan(bios_base, 0x100000 - bios_base, sig, sig_len, len);
	return p;
}

static void from_mptable(struct cpulist *l)
{
	const u8 *mpf = find_low(MPF_SIG, 4, 16, 0xf0000), *t, *e, *end;

	if (!mpf)
		return;
	if (!load32(mpf + 4)) {
		/* MP spec 5: the default configurations have CPUs 0 and 1. */
		if (mpf[11])
			add(l, l->ids[0] ? 0 : 1);
		return;
	}
	t = (const u8 *)(u64)load32(mpf + 4);
	if (load32(t) != PCMP_SIG || !sum_ok(t, load16(t + 4)))
		return;
	end = t + load16(t + 4);
	/* MP spec 4.3: processor entries are 20 bytes long, the others 8. */
	for (e = t + 44; e < end && e[0] <= 4; e += e[0] ? 8 : 20) {
		if (e[0] == 0 && (e[3] & 1))
			add(l, e[1]);
	}
}

static const u8 *madt_from(const u8 *sdt, u32 entry_size)
{
	u32 len = load32(sdt + 4);

	if (len < 36 || !sum_ok(sdt, len))
		return NULL;
	for (u32 off = 36; off + entry_size <= len; off += entry_size) {
		u64 a = entry_size == 8 ? load64(sdt + off) : load32(sdt + off);
		const u8 *t = (const u8 *)a;

		if (a && a < (4ull << 30) && load32(t) == MADT_SIG && sum_ok(t, load32(t + 4)))
			return t;
	}
	return NULL;
}

static void from_madt(struct cpulist *l)
{
	const u8 *rsdp = find_low(RSDP_SIG, 8, 20, 0xe0000), *madt = NULL, *e, *end;
	u64 xsdt;

	if (!rsdp)
		return;
	xsdt = rsdp[15] >= 2 ? load64(rsdp + 24) : 0;
	if (xsdt && xsdt < (4ull << 30))
		madt = madt_from((const u8 *)xsdt, 8);
	if (!madt && load32(rsdp + 16))
		madt = madt_from((const u8 *)(u64)load32(rsdp + 16), 4);
	if (!madt)
		return;
	end = madt + load32(madt + 4);
	/* 5.2.12.2: type 0, Processor Local APIC; flags bit 0 = enabled. */
	for (e = madt + 44; e + 2 <= end && e[1] >= 2; e += e[1]) {
		if (e[0] == 0 && (load32(e + 4) & 1))
			add(l, e[3]);
	}
}

u32 topology_find_cpus(u32 bsp_id, u32 *ids, u32 max, u32 *dropped)
{
	u32 acpi_ids[MAX_CPUS];
	struct cpulist mp = {ids, 1, max, 0};
	struct cpulist acpi = {acpi_ids, 1, max, 0};

	ids[0] = acpi_ids[0] = bsp_id;
	from_mptable(&mp);
	from_madt(&acpi);
	if (acpi.n + acpi.dropped > mp.n + mp.dropped) {
		memcpy(ids, acpi_ids, acpi.n * sizeof(u32));
		mp = acpi;
	}
	*dropped = mp.dropped;
	return mp.n;
}
