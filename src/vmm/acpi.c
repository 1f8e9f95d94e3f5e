// SPDX-License-Identifier: MIT
#include "acpi.h"
#include "aml.h"
#include "bootparams.h"
#include "util.h"

#include <errno.h>
#include <string.h>

/* ACPI 6.4 §5.2.6: every system description table starts with this header. */
#define HDR_LEN 36
#define RSDP_LEN 36
#define FADT_LEN 276
#define FADT_REVISION 6
#define FADT_MINOR 4
#define MADT_REVISION 5
#define OEM_ID "SEVM  "
#define OEM_TABLE_ID "SEVMVM  "
#define CREATOR_ID "SEVM"

/* FADT fields (§5.2.9, Table 5.9). */
#define FADT_DSDT 40
#define FADT_PM_PROFILE 45
#define FADT_CENTURY 108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR_VERSION 131
#define FADT_X_DSDT 140
#define FADT_SLEEP_CONTROL_REG 244
#define FADT_SLEEP_STATUS_REG 256
#define FADT_HYPERVISOR_ID 268

#define BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define BOOT_ARCH_8042 (1u << 1)
#define BOOT_ARCH_VGA_NOT_PRESENT (1u << 2)
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PWR_BUTTON (1u << 4) /* no fixed-feature power button */
#define FADT_F_SLP_BUTTON (1u << 5)
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)
#define PM_PROFILE_ENTERPRISE_SERVER 4

/* Generic Address Structure (§5.2.3.2). */
#define GAS_SPACE_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1

/* MADT (§5.2.12). */
#define MADT_PCAT_COMPAT 1u
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_NMI 4
#define MADT_LAPIC_LEN 8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN 10
#define MADT_LAPIC_NMI_LEN 6

/*
 * ISA IRQs of sevm's devices: keyboard controller, COM1, RTC. Each gets an
 * identity Interrupt Source Override (§5.2.12.5): a hardware-reduced guest
 * has no legacy PIC, and Linux then maps ISA IRQs to IOAPIC pins only
 * where the MADT says so.
 */
static const uint8_t isa_irqs[] = {1, 4, 8};
#define MADT_ENABLED 1u

/* CMOS register holding the century (src/devices/rtc.c). */
#define RTC_CENTURY_REGISTER 0x32

/* i8042 command that pulses the reset line (the FADT's reset register). */
#define KBD_CMD_PORT 0x64
#define KBD_CMD_RESET 0xfe

#define DSDT_MAX 512

/* A legacy ISA device as a hardware-reduced guest must learn of it: through
 * the namespace, with its ports and IRQ (the PIC-less guest maps ISA IRQs
 * only for devices it is told about). */
static void isa_device(struct aml *a, const char *name, const char *hid, uint16_t port0,
		       uint8_t len0, uint16_t port1, uint8_t len1, uint8_t irq)
{
	aml_device(a, name);
	aml_name_decl(a, "_HID");
	aml_eisaid(a, hid);
	aml_name_decl(a, "_UID");
	aml_integer(a, 0);
	aml_name_decl(a, "_CRS");
	aml_resource_template(a);
	aml_io(a, port0, len0);
	if (len1)
		aml_io(a, port1, len1);
	aml_irq(a, irq);
	aml_resource_end(a);
	aml_close(a);
}

/*
 * The DSDT's AML:
 *   Name (_S5, Package () { 5, 0 })       soft-off sleep type (§7.4.2)
 *   Scope (\_SB) { COM1, RTC, KBD }        the ISA devices and their IRQs
 */
static int build_dsdt_aml(uint8_t *buf, size_t cap)
{
	struct aml a;

	aml_init(&a, buf, cap);
	aml_name_decl(&a, "_S5_");
	aml_package(&a, 2);
	aml_integer(&a, ACPI_S5_SLEEP_TYPE);
	aml_integer(&a, 0);
	aml_close(&a);
	aml_scope(&a, "\\_SB_");
	isa_device(&a, "COM1", "PNP0501", 0x3f8, 8, 0, 0, 4);
	isa_device(&a, "RTC", "PNP0B00", 0x70, 2, 0, 0, 8);
	isa_device(&a, "KBD", "PNP0303", 0x60, 1, 0x64, 1, 1);
	aml_close(&a);
	return aml_finish(&a);
}

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put_le32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	put_le32(t + 24, 1); /* OEM revision */
	memcpy(t + 28, CREATOR_ID, 4);
	put_le32(t + 32, 1); /* creator revision */
}

static void seal(uint8_t *t)
{
	t[9] = 0;
	t[9] = (uint8_t)-acpi_checksum(t, get_le32(t + 4));
}

static void gas_io_byte(uint8_t *g, uint16_t port)
{
	g[0] = GAS_SPACE_SYSTEM_IO;
	g[1] = 8; /* register bit width */
	g[2] = 0; /* bit offset */
	g[3] = GAS_ACCESS_BYTE;
	put_le64(g + 4, port);
}

static size_t madt_size(unsigned nr_cpus)
{
	return HDR_LEN + 8 + nr_cpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
	       sizeof(isa_irqs) * MADT_ISO_LEN + MADT_LAPIC_NMI_LEN;
}

size_t acpi_size(unsigned nr_cpus)
{
	uint8_t aml[DSDT_MAX];
	int aml_len = build_dsdt_aml(aml, sizeof(aml));

	/* RSDP, XSDT with two entries, FADT, MADT, DSDT; each 16-byte aligned. */
	return ALIGN_UP((size_t)RSDP_LEN, 16) + ALIGN_UP((size_t)HDR_LEN + 16, 16) +
	       ALIGN_UP((size_t)FADT_LEN, 16) + ALIGN_UP(madt_size(nr_cpus), 16) +
	       ALIGN_UP(HDR_LEN + (size_t)(aml_len > 0 ? aml_len : 0), 16);
}

static void build_fadt(uint8_t *t, uint64_t dsdt)
{
	header(t, "FACP", FADT_LEN, FADT_REVISION);
	put_le32(t + FADT_DSDT, (uint32_t)dsdt);
	t[FADT_PM_PROFILE] = PM_PROFILE_ENTERPRISE_SERVER;
	t[FADT_CENTURY] = RTC_CENTURY_REGISTER;
	put_le16(t + FADT_IAPC_BOOT_ARCH,
		 BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_8042 | BOOT_ARCH_VGA_NOT_PRESENT);
	put_le32(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
				     FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED_ACPI);
	gas_io_byte(t + FADT_RESET_REG, KBD_CMD_PORT);
	t[FADT_RESET_VALUE] = KBD_CMD_RESET;
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	put_le64(t + FADT_X_DSDT, dsdt);
	gas_io_byte(t + FADT_SLEEP_CONTROL_REG, ACPI_SLEEP_CONTROL_PORT);
	gas_io_byte(t + FADT_SLEEP_STATUS_REG, ACPI_SLEEP_STATUS_PORT);
	memcpy(t + FADT_HYPERVISOR_ID, "SEVM\0\0\0\0", 8);
	seal(t);
}

static void build_madt(uint8_t *t, const struct acpi_info *info)
{
	uint8_t *e = t + HDR_LEN + 8;

	header(t, "APIC", (uint32_t)madt_size(info->nr_cpus), MADT_REVISION);
	put_le32(t + HDR_LEN, info->lapic_addr);
	put_le32(t + HDR_LEN + 4, MADT_PCAT_COMPAT);
	for (unsigned i = 0; i < info->nr_cpus; i++, e += MADT_LAPIC_LEN) {
		e[0] = MADT_LAPIC;
		e[1] = MADT_LAPIC_LEN;
		e[2] = (uint8_t)i; /* ACPI processor UID */
		e[3] = (uint8_t)i; /* APIC ID */
		put_le32(e + 4, MADT_ENABLED);
	}
	e[0] = MADT_IOAPIC;
	e[1] = MADT_IOAPIC_LEN;
	e[2] = info->ioapic_id;
	put_le32(e + 4, info->ioapic_addr);
	put_le32(e + 8, 0); /* GSI base: ISA IRQ n is GSI n, as KVM routes it */
	e += MADT_IOAPIC_LEN;
	for (size_t i = 0; i < sizeof(isa_irqs); i++, e += MADT_ISO_LEN) {
		e[0] = MADT_ISO;
		e[1] = MADT_ISO_LEN;
		e[2] = 0;		      /* bus: ISA */
		e[3] = isa_irqs[i];	      /* source IRQ */
		put_le32(e + 4, isa_irqs[i]); /* GSI: KVM routes ISA IRQ n to pin n */
		put_le16(e + 8, 0);	      /* polarity and trigger conform to ISA: high, edge */
	}
	/* NMI on LINT1 of every processor (UID 0xff), flags "conforms to bus". */
	e[0] = MADT_LAPIC_NMI;
	e[1] = MADT_LAPIC_NMI_LEN;
	e[2] = 0xff;
	put_le16(e + 3, 0);
	e[5] = 1;
	seal(t);
}

int acpi_build(uint8_t *buf, size_t cap, uint64_t gpa, const struct acpi_info *info)
{
	size_t len = acpi_size(info->nr_cpus);
	uint64_t xsdt, fadt, madt, dsdt;
	uint8_t *t, aml[DSDT_MAX];
	int aml_len;

	if (!info->nr_cpus || info->nr_cpus > 255 || cap < len || gpa % 16 ||
	    gpa > 0x100000000ULL - len)
		return -EINVAL;
	memset(buf, 0, len);
	xsdt = gpa + ALIGN_UP((size_t)RSDP_LEN, 16);
	fadt = xsdt + ALIGN_UP((size_t)HDR_LEN + 16, 16);
	madt = fadt + ALIGN_UP((size_t)FADT_LEN, 16);
	dsdt = madt + ALIGN_UP(madt_size(info->nr_cpus), 16);

	/* RSDP (§5.2.5.3), revision 2: the XSDT is what counts. */
	memcpy(buf, "RSD PTR ", 8);
	memcpy(buf + 9, OEM_ID, 6);
	buf[15] = 2;
	put_le32(buf + 16, 0); /* no RSDT */
	put_le32(buf + 20, RSDP_LEN);
	put_le64(buf + 24, xsdt);
	buf[8] = (uint8_t)-acpi_checksum(buf, 20);
	buf[32] = (uint8_t)-acpi_checksum(buf, RSDP_LEN);

	t = buf + (xsdt - gpa);
	header(t, "XSDT", HDR_LEN + 16, 1);
	put_le64(t + HDR_LEN, fadt);
	put_le64(t + HDR_LEN + 8, madt);
	seal(t);

	build_fadt(buf + (fadt - gpa), dsdt);
	build_madt(buf + (madt - gpa), info);

	/* Built aside: while a scope is open its length takes more room than
	 * it finally needs. */
	aml_len = build_dsdt_aml(aml, sizeof(aml));
	if (aml_len < 0)
		return aml_len;
	t = buf + (dsdt - gpa);
	header(t, "DSDT", (uint32_t)(HDR_LEN + (size_t)aml_len), 2);
	memcpy(t + HDR_LEN, aml, (size_t)aml_len);
	seal(t);
	return (int)len;
}
