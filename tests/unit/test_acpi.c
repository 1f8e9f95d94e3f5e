// SPDX-License-Identifier: MIT
/*
 * Unit tests for the ACPI tables (src/vmm/acpi.c). The bytes are parsed here
 * with offsets taken from the ACPI 6.4 specification, not from acpi.c, so a
 * wrong offset there shows up as a failure here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi.h"

/* ---- ACPI 6.4 layouts ---- */

/* §5.2.5.3 RSDP structure (Table 5.3). */
#define RSDP_SIGNATURE 0
#define RSDP_CHECKSUM 8
#define RSDP_OEMID 9
#define RSDP_REVISION 15
#define RSDP_RSDT_ADDRESS 16
#define RSDP_LENGTH 20
#define RSDP_XSDT_ADDRESS 24
#define RSDP_EXT_CHECKSUM 32
#define RSDP_RESERVED 33
#define RSDP_SIZE 36
#define RSDP_V1_SIZE 20

/* §5.2.6 system description table header (Table 5.4). */
#define SDT_SIGNATURE 0
#define SDT_LENGTH 4
#define SDT_REVISION 8
#define SDT_CHECKSUM 9
#define SDT_HEADER_SIZE 36

/* §5.2.3.2 Generic Address Structure (Table 5.1). */
#define GAS_SPACE_ID 0
#define GAS_BIT_WIDTH 1
#define GAS_BIT_OFFSET 2
#define GAS_ACCESS_SIZE 3
#define GAS_ADDRESS 4
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1

/* §5.2.9 FADT (Table 5.9). */
#define F_DSDT 40
#define F_SCI_INT 46
#define F_SMI_CMD 48
#define F_PM1A_EVT_BLK 56
#define F_PM1A_CNT_BLK 64
#define F_PM_TMR_BLK 76
#define F_CENTURY 108
#define F_IAPC_BOOT_ARCH 109
#define F_FLAGS 112
#define F_RESET_REG 116
#define F_RESET_VALUE 128
#define F_MINOR_VERSION 131
#define F_X_DSDT 140
#define F_X_PM1A_EVT_BLK 148
#define F_X_PM1A_CNT_BLK 172
#define F_X_PM_TMR_BLK 208
#define F_SLEEP_CONTROL_REG 244
#define F_SLEEP_STATUS_REG 256
#define F_SIZE 276
#define F_FLAG_RESET_REG_SUP (1u << 10)
#define F_FLAG_HW_REDUCED_ACPI (1u << 20)
#define BOOT_ARCH_8042 (1u << 1) /* Table 5.10 */

/* §5.2.12 MADT (Table 5.19) and its entries. */
#define M_LAPIC_ADDRESS 36
#define M_FLAGS 40
#define M_ENTRIES 44
#define M_PCAT_COMPAT 1u
#define E_TYPE 0
#define E_LENGTH 1
#define E_LAPIC 0 /* Table 5.22 */
#define E_LAPIC_UID 2
#define E_LAPIC_ID 3
#define E_LAPIC_FLAGS 4
#define E_LAPIC_SIZE 8
#define E_LAPIC_ENABLED 1u
#define E_IOAPIC 1 /* Table 5.24 */
#define E_IOAPIC_ID 2
#define E_IOAPIC_RESERVED 3
#define E_IOAPIC_ADDRESS 4
#define E_IOAPIC_GSI_BASE 8
#define E_IOAPIC_SIZE 12
#define E_ISO 2 /* Interrupt Source Override, Table 5.26 */
#define E_ISO_BUS 2
#define E_ISO_SOURCE 3
#define E_ISO_GSI 4
#define E_ISO_FLAGS 8
#define E_ISO_SIZE 10
#define E_LAPIC_NMI 4 /* Table 5.30 */
#define E_NMI_UID 2
#define E_NMI_FLAGS 3
#define E_NMI_LINT 5
#define E_NMI_SIZE 6

/* The register numbers the rest of sevm uses (src/devices/). */
#define SLEEP_CONTROL_PORT 0x600
#define SLEEP_STATUS_PORT 0x601
#define I8042_COMMAND_PORT 0x64
#define I8042_PULSE_RESET 0xfe
#define CMOS_CENTURY 0x32

#define FOUR_GIB 0x100000000ULL

/* Name (_S5, Package () { 5, 0 }) in AML. */
static const uint8_t s5_aml[] = {0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static unsigned sum8(const uint8_t *p, size_t len)
{
	unsigned s = 0;

	while (len--)
		s += *p++;
	return s & 0xff;
}

/* ---- fixture: tables built for one CPU count ---- */

#define SLACK 64 /* buffer bytes past acpi_size(); must stay untouched */
#define FILL 0xa5

struct acpi_fx {
	unsigned nr_cpus;
	struct acpi_info info;
	uint64_t gpa; /* 16-byte aligned, deliberately not page aligned */
	uint8_t *buf;
	size_t cap;
	int len; /* acpi_build's result */
};

static const unsigned cpus_1 = 1, cpus_2 = 2, cpus_64 = 64, cpus_255 = 255;

static int acpi_setup(void **state)
{
	const unsigned *nr = *state;
	struct acpi_fx *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->nr_cpus = *nr;
	t->info.nr_cpus = *nr;
	t->info.ioapic_id = (uint8_t)(0x10 + *nr);
	t->info.ioapic_addr = 0xfec00000;
	t->info.lapic_addr = 0xfee00000;
	t->gpa = 0x9a010;
	t->cap = acpi_size(*nr) + SLACK;
	t->buf = malloc(t->cap);
	if (!t->buf)
		return -1;
	memset(t->buf, FILL, t->cap);
	t->len = acpi_build(t->buf, t->cap, t->gpa, &t->info);
	*state = t;
	return 0;
}

static int acpi_teardown(void **state)
{
	struct acpi_fx *t = *state;

	free(t->buf);
	free(t);
	return 0;
}

/*
 * The table the guest finds at guest-physical address pa: inside the built
 * area, 16-byte aligned, with the given signature, a length that fits and a
 * checksum that sums to zero.
 */
static const uint8_t *table_at(const struct acpi_fx *t, uint64_t pa, const char *sig)
{
	const uint8_t *p;
	uint32_t len;

	assert_true(t->len > 0);
	assert_true(pa >= t->gpa);
	assert_true(pa + SDT_HEADER_SIZE <= t->gpa + (uint64_t)t->len);
	assert_int_equal(pa % 16, 0);
	p = t->buf + (pa - t->gpa);
	assert_memory_equal(p + SDT_SIGNATURE, sig, 4);
	len = rd32(p + SDT_LENGTH);
	assert_true(len >= SDT_HEADER_SIZE);
	assert_true(pa + len <= t->gpa + (uint64_t)t->len);
	assert_int_equal(sum8(p, len), 0);
	return p;
}

static uint64_t xsdt_pa(const struct acpi_fx *t)
{
	return rd64(t->buf + RSDP_XSDT_ADDRESS);
}

static const uint8_t *xsdt(const struct acpi_fx *t)
{
	return table_at(t, xsdt_pa(t), "XSDT");
}

static const uint8_t *fadt(const struct acpi_fx *t)
{
	return table_at(t, rd64(xsdt(t) + SDT_HEADER_SIZE), "FACP");
}

static const uint8_t *madt(const struct acpi_fx *t)
{
	return table_at(t, rd64(xsdt(t) + SDT_HEADER_SIZE + 8), "APIC");
}

static const uint8_t *dsdt(const struct acpi_fx *t)
{
	return table_at(t, rd64(fadt(t) + F_X_DSDT), "DSDT");
}

/* ---- tests over a built table set ---- */

static void test_build_result(void **state)
{
	struct acpi_fx *t = *state;

	assert_int_equal(t->len, acpi_size(t->nr_cpus));
	assert_true((size_t)t->len <= t->cap - SLACK);
	/* Nothing written past the bytes it says it used. */
	for (size_t i = (size_t)t->len; i < t->cap; i++)
		assert_int_equal(t->buf[i], FILL);
}

static void test_rsdp(void **state)
{
	struct acpi_fx *t = *state;
	const uint8_t *r = t->buf; /* the RSDP comes first, at gpa */

	assert_memory_equal(r + RSDP_SIGNATURE, "RSD PTR ", 8);
	assert_int_equal(r[RSDP_REVISION], 2);
	assert_int_equal(sum8(r, RSDP_V1_SIZE), 0);
	assert_int_equal(rd32(r + RSDP_LENGTH), RSDP_SIZE);
	assert_int_equal(sum8(r, RSDP_SIZE), 0);
	assert_memory_equal(r + RSDP_RESERVED, "\0\0\0", 3);
	/* OEM ID is printable ASCII. */
	for (int i = 0; i < 6; i++)
		assert_in_range(r[RSDP_OEMID + i], 0x20, 0x7e);
	/* No RSDT, or one that is really there. */
	if (rd32(r + RSDP_RSDT_ADDRESS))
		table_at(t, rd32(r + RSDP_RSDT_ADDRESS), "RSDT");
	assert_int_equal(xsdt_pa(t) % 16, 0);
	assert_true(xsdt_pa(t) >= t->gpa + RSDP_SIZE);
}

static void test_xsdt(void **state)
{
	struct acpi_fx *t = *state;
	const uint8_t *x = xsdt(t);

	/* Header plus exactly two 64-bit entries. */
	assert_int_equal(rd32(x + SDT_LENGTH), SDT_HEADER_SIZE + 2 * 8);
	assert_int_equal(x[SDT_REVISION], 1);
	table_at(t, rd64(x + SDT_HEADER_SIZE), "FACP");
	table_at(t, rd64(x + SDT_HEADER_SIZE + 8), "APIC");
}

static void check_gas_io_byte(const uint8_t *g, uint16_t port)
{
	assert_int_equal(g[GAS_SPACE_ID], GAS_SYSTEM_IO);
	assert_int_equal(g[GAS_BIT_WIDTH], 8);
	assert_int_equal(g[GAS_BIT_OFFSET], 0);
	assert_int_equal(g[GAS_ACCESS_SIZE], GAS_ACCESS_BYTE);
	assert_int_equal(rd64(g + GAS_ADDRESS), port);
}

static void test_fadt(void **state)
{
	struct acpi_fx *t = *state;
	const uint8_t *f = fadt(t);
	uint64_t dsdt_pa = rd64(f + F_X_DSDT);
	uint32_t flags = rd32(f + F_FLAGS);

	assert_int_equal(rd32(f + SDT_LENGTH), F_SIZE);
	assert_int_equal(f[SDT_REVISION], 6);
	assert_int_equal(f[F_MINOR_VERSION], 4);
	/* DSDT and X_DSDT agree and point at the DSDT. */
	assert_int_equal(rd32(f + F_DSDT), dsdt_pa);
	table_at(t, rd32(f + F_DSDT), "DSDT");
	table_at(t, dsdt_pa, "DSDT");

	assert_int_equal(flags & F_FLAG_HW_REDUCED_ACPI, F_FLAG_HW_REDUCED_ACPI);
	assert_int_equal(flags & F_FLAG_RESET_REG_SUP, F_FLAG_RESET_REG_SUP);
	check_gas_io_byte(f + F_RESET_REG, I8042_COMMAND_PORT);
	assert_int_equal(f[F_RESET_VALUE], I8042_PULSE_RESET);
	check_gas_io_byte(f + F_SLEEP_CONTROL_REG, SLEEP_CONTROL_PORT);
	check_gas_io_byte(f + F_SLEEP_STATUS_REG, SLEEP_STATUS_PORT);
	assert_int_equal(rd16(f + F_IAPC_BOOT_ARCH) & BOOT_ARCH_8042, BOOT_ARCH_8042);
	assert_int_equal(f[F_CENTURY], CMOS_CENTURY);

	/* Hardware-reduced: no SCI, no SMI handshake, no fixed PM blocks. */
	assert_int_equal(rd16(f + F_SCI_INT), 0);
	assert_int_equal(rd32(f + F_SMI_CMD), 0);
	assert_int_equal(rd32(f + F_PM1A_EVT_BLK), 0);
	assert_int_equal(rd32(f + F_PM1A_CNT_BLK), 0);
	assert_int_equal(rd32(f + F_PM_TMR_BLK), 0);
	for (int i = 0; i < 12; i++) {
		assert_int_equal(f[F_X_PM1A_EVT_BLK + i], 0);
		assert_int_equal(f[F_X_PM1A_CNT_BLK + i], 0);
		assert_int_equal(f[F_X_PM_TMR_BLK + i], 0);
	}
}

static void test_madt(void **state)
{
	struct acpi_fx *t = *state;
	const uint8_t *m = madt(t);
	uint32_t len = rd32(m + SDT_LENGTH);
	unsigned lapics = 0, ioapics = 0, nmis = 0, isos = 0;
	uint16_t iso_seen = 0; /* ISA IRQs that have an override */
	uint32_t off, entries = 0;

	assert_int_equal(m[SDT_REVISION], 5);
	assert_int_equal(rd32(m + M_LAPIC_ADDRESS), t->info.lapic_addr);
	/* Only PCAT_COMPAT (bit 0) is defined. */
	assert_int_equal(rd32(m + M_FLAGS) & ~M_PCAT_COMPAT, 0);
	assert_true(len >= M_ENTRIES + t->nr_cpus * E_LAPIC_SIZE + E_IOAPIC_SIZE + E_NMI_SIZE);

	for (off = M_ENTRIES; off < len; off += m[off + E_LENGTH]) {
		const uint8_t *e = m + off;

		/* The entry header itself lies inside the table. */
		assert_true(off + 2 <= len);
		assert_true(e[E_LENGTH] >= 2);
		assert_true(off + e[E_LENGTH] <= len);
		entries += e[E_LENGTH];
		switch (e[E_TYPE]) {
		case E_LAPIC:
			/* The n-th processor has UID and APIC ID n. */
			assert_int_equal(e[E_LENGTH], E_LAPIC_SIZE);
			assert_int_equal(e[E_LAPIC_UID], lapics);
			assert_int_equal(e[E_LAPIC_ID], lapics);
			assert_int_equal(rd32(e + E_LAPIC_FLAGS), E_LAPIC_ENABLED);
			lapics++;
			break;
		case E_IOAPIC:
			assert_int_equal(e[E_LENGTH], E_IOAPIC_SIZE);
			assert_int_equal(e[E_IOAPIC_ID], t->info.ioapic_id);
			assert_int_equal(e[E_IOAPIC_RESERVED], 0);
			assert_int_equal(rd32(e + E_IOAPIC_ADDRESS), t->info.ioapic_addr);
			assert_int_equal(rd32(e + E_IOAPIC_GSI_BASE), 0);
			ioapics++;
			break;
		case E_ISO: {
			uint16_t flags = rd16(e + E_ISO_FLAGS);

			/* Optional: ISA IRQ n is IOAPIC pin n (GSI base 0), so an
			 * override can only restate that, once per IRQ. */
			assert_int_equal(e[E_LENGTH], E_ISO_SIZE);
			assert_int_equal(e[E_ISO_BUS], 0); /* ISA */
			assert_true(e[E_ISO_SOURCE] < 16);
			assert_int_equal(rd32(e + E_ISO_GSI), e[E_ISO_SOURCE]);
			assert_int_equal(iso_seen & (1u << e[E_ISO_SOURCE]), 0);
			iso_seen |= (uint16_t)(1u << e[E_ISO_SOURCE]);
			/* Polarity (bits 1:0) and trigger mode (3:2): 2 is reserved. */
			assert_int_not_equal(flags & 3, 2);
			assert_int_not_equal((flags >> 2) & 3, 2);
			assert_int_equal(flags >> 4, 0);
			isos++;
			break;
		}
		case E_LAPIC_NMI:
			assert_int_equal(e[E_LENGTH], E_NMI_SIZE);
			assert_int_equal(e[E_NMI_UID], 0xff); /* all processors */
			assert_int_equal(rd16(e + E_NMI_FLAGS), 0);
			assert_int_equal(e[E_NMI_LINT], 1);
			nmis++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u at offset %u", (unsigned)e[E_TYPE],
				 (unsigned)off);
		}
	}
	/* The entries fill the table exactly. */
	assert_int_equal(off, len);
	assert_int_equal(M_ENTRIES + entries, len);
	assert_int_equal(len, M_ENTRIES + t->nr_cpus * E_LAPIC_SIZE + E_IOAPIC_SIZE + E_NMI_SIZE +
				  isos * E_ISO_SIZE);
	assert_int_equal(lapics, t->nr_cpus);
	assert_int_equal(ioapics, 1);
	assert_int_equal(nmis, 1);
}

static void test_dsdt(void **state)
{
	struct acpi_fx *t = *state;
	const uint8_t *d = dsdt(t);
	uint32_t len = rd32(d + SDT_LENGTH);

	/* Revision 2 or later: AML integers are 64 bits. */
	assert_true(d[SDT_REVISION] >= 2);
	assert_true(len >= SDT_HEADER_SIZE + sizeof(s5_aml));
	assert_non_null(memmem(d + SDT_HEADER_SIZE, len - SDT_HEADER_SIZE, s5_aml, sizeof(s5_aml)));
}

static void test_placement(void **state)
{
	struct acpi_fx *t = *state;
	const uint8_t *x = xsdt(t), *f = fadt(t), *m = madt(t), *d = dsdt(t);
	struct {
		uint64_t pa;
		uint32_t len;
	} tab[] = {
	    {t->gpa, RSDP_SIZE},
	    {xsdt_pa(t), rd32(x + SDT_LENGTH)},
	    {rd64(x + SDT_HEADER_SIZE), rd32(f + SDT_LENGTH)},
	    {rd64(x + SDT_HEADER_SIZE + 8), rd32(m + SDT_LENGTH)},
	    {rd64(f + F_X_DSDT), rd32(d + SDT_LENGTH)},
	};
	const size_t n = sizeof(tab) / sizeof(tab[0]);

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(tab[i].pa % 16, 0);
		assert_true(tab[i].pa >= t->gpa);
		assert_true(tab[i].pa + tab[i].len <= t->gpa + (uint64_t)t->len);
		/* No two tables overlap. */
		for (size_t j = 0; j < i; j++)
			assert_true(tab[i].pa + tab[i].len <= tab[j].pa ||
				    tab[j].pa + tab[j].len <= tab[i].pa);
	}
}

/* ---- acpi_build's argument checks and acpi_size ---- */

static struct acpi_info info_for(unsigned nr_cpus)
{
	return (struct acpi_info){.nr_cpus = nr_cpus,
				  .ioapic_id = 1,
				  .ioapic_addr = 0xfec00000,
				  .lapic_addr = 0xfee00000};
}

/* acpi_build into a buffer of exactly cap bytes (so ASan sees any overrun);
 * returns its result and checks that a failure leaves the buffer alone. */
static int build_exact(unsigned nr_cpus, size_t cap, uint64_t gpa)
{
	struct acpi_info info = info_for(nr_cpus);
	uint8_t *buf = malloc(cap ? cap : 1);
	int ret;

	assert_non_null(buf);
	memset(buf, FILL, cap);
	ret = acpi_build(buf, cap, gpa, &info);
	if (ret < 0) {
		for (size_t i = 0; i < cap; i++)
			assert_int_equal(buf[i], FILL);
	}
	free(buf);
	return ret;
}

static void test_reject_cpu_count(void **state)
{
	(void)state;
	assert_int_equal(build_exact(0, acpi_size(1) + 4096, 0x10000), -EINVAL);
	assert_int_equal(build_exact(256, acpi_size(256) + 4096, 0x10000), -EINVAL);
	assert_int_equal(build_exact(1000, acpi_size(1000) + 4096, 0x10000), -EINVAL);
	/* The limits themselves are fine. */
	assert_int_equal(build_exact(1, acpi_size(1), 0x10000), acpi_size(1));
	assert_int_equal(build_exact(255, acpi_size(255), 0x10000), acpi_size(255));
}

static void test_reject_small_buffer(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 255; n += 127) {
		size_t need = acpi_size(n);

		assert_int_equal(build_exact(n, need - 1, 0x10000), -EINVAL);
		assert_int_equal(build_exact(n, need / 2, 0x10000), -EINVAL);
		assert_int_equal(build_exact(n, 0, 0x10000), -EINVAL);
		assert_int_equal(build_exact(n, need, 0x10000), need);
	}
}

static void test_reject_unaligned_gpa(void **state)
{
	size_t need = acpi_size(4);

	(void)state;
	assert_int_equal(build_exact(4, need, 0x10001), -EINVAL);
	assert_int_equal(build_exact(4, need, 0x10004), -EINVAL);
	assert_int_equal(build_exact(4, need, 0x10008), -EINVAL);
	assert_int_equal(build_exact(4, need, 0x1000f), -EINVAL);
	assert_int_equal(build_exact(4, need, 0x10010), need);
	assert_int_equal(build_exact(4, need, 0), need);
}

static void test_reject_above_4g(void **state)
{
	size_t need = acpi_size(4);

	(void)state;
	/* Ending exactly at 4 GiB is fine; one paragraph further is not. */
	assert_int_equal(build_exact(4, need, FOUR_GIB - need), need);
	assert_int_equal(build_exact(4, need, FOUR_GIB - need + 16), -EINVAL);
	assert_int_equal(build_exact(4, need, FOUR_GIB), -EINVAL);
	assert_int_equal(build_exact(4, need, 0x7fff00000000ULL), -EINVAL);
}

static void test_reject_gpa_wrap(void **state)
{
	size_t need = acpi_size(4);

	(void)state;
	assert_true(need > 256);
	/* Near the top of the address space, with and without gpa + size
	 * wrapping past 2^64 back below 4 GiB: far above 4 GiB either way. */
	assert_int_equal(build_exact(4, need, 0xffffffff00000000ULL), -EINVAL);
	assert_int_equal(build_exact(4, need, 0xfffffffffffffff0ULL), -EINVAL);
	assert_int_equal(build_exact(4, need, 0xffffffffffffff00ULL), -EINVAL);
}

static void test_size_grows(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 255; n++) {
		/* The smallest possible tables: a DSDT with only \_S5, no optional
		 * MADT entries. */
		size_t min = RSDP_SIZE + SDT_HEADER_SIZE + 16 + F_SIZE + M_ENTRIES +
			     n * E_LAPIC_SIZE + E_IOAPIC_SIZE + E_NMI_SIZE + SDT_HEADER_SIZE +
			     sizeof(s5_aml);
		/* Each further CPU costs one Processor Local APIC entry, give or
		 * take the MADT's alignment padding. */
		size_t per_cpu = (n - 1) * E_LAPIC_SIZE;
		size_t grown = acpi_size(n) - acpi_size(1);

		assert_true(acpi_size(n) >= min);
		assert_true(acpi_size(n) >= acpi_size(1));
		assert_in_range(grown, per_cpu > 15 ? per_cpu - 15 : 0, per_cpu + 15);
		if (n > 1)
			assert_true(acpi_size(n) >= acpi_size(n - 1));
		if (n > 2)
			assert_true(acpi_size(n) > acpi_size(n - 2));
	}
	assert_true(acpi_size(1) < acpi_size(64));
	assert_true(acpi_size(64) < acpi_size(255));
}

static void test_checksum_helper(void **state)
{
	static const uint8_t bytes[] = {0x01, 0x02, 0xff, 0x80, 0x80};

	(void)state;
	assert_int_equal(acpi_checksum(bytes, 0), 0);
	assert_int_equal(acpi_checksum(bytes, 2), 0x03);
	assert_int_equal(acpi_checksum(bytes, 3), 0x02);
	assert_int_equal(acpi_checksum(bytes, 5), 0x02);
}

#define PER_CPU_COUNT(f)                                                                           \
	cmocka_unit_test_prestate_setup_teardown(f, acpi_setup, acpi_teardown, (void *)&cpus_1),   \
	    cmocka_unit_test_prestate_setup_teardown(f, acpi_setup, acpi_teardown,                 \
						     (void *)&cpus_2),                             \
	    cmocka_unit_test_prestate_setup_teardown(f, acpi_setup, acpi_teardown,                 \
						     (void *)&cpus_64),                            \
	    cmocka_unit_test_prestate_setup_teardown(f, acpi_setup, acpi_teardown,                 \
						     (void *)&cpus_255)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PER_CPU_COUNT(test_build_result),
	    PER_CPU_COUNT(test_rsdp),
	    PER_CPU_COUNT(test_xsdt),
	    PER_CPU_COUNT(test_fadt),
	    PER_CPU_COUNT(test_madt),
	    PER_CPU_COUNT(test_dsdt),
	    PER_CPU_COUNT(test_placement),
	    cmocka_unit_test(test_reject_cpu_count),
	    cmocka_unit_test(test_reject_small_buffer),
	    cmocka_unit_test(test_reject_unaligned_gpa),
	    cmocka_unit_test(test_reject_above_4g),
	    cmocka_unit_test(test_reject_gpa_wrap),
	    cmocka_unit_test(test_size_grows),
	    cmocka_unit_test(test_checksum_helper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
