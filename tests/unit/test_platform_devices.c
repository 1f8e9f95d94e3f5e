// SPDX-License-Identifier: MIT
/*
 * Unit tests for the platform devices (src/devices/): the CMOS RTC, the PCI
 * host bridge and the ACPI sleep registers. Each is realized on a real port
 * I/O bus with a fake device_host that records end requests; the RTC reads a
 * fake clock the tests move by hand.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "bus.h"
#include "devices/acpi_pm.h"
#include "devices/pci_host.h"
#include "devices/rtc.h"
#include "fake_host.h"

/* ---- RTC ---- */

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

/* MC146818A registers and the PC's century byte. */
#define R_SEC 0x00
#define R_SEC_ALARM 0x01
#define R_MIN 0x02
#define R_MIN_ALARM 0x03
#define R_HOUR 0x04
#define R_HOUR_ALARM 0x05
#define R_WDAY 0x06
#define R_MDAY 0x07
#define R_MONTH 0x08
#define R_YEAR 0x09
#define R_A 0x0a
#define R_B 0x0b
#define R_C 0x0c
#define R_D 0x0d
#define R_CENTURY 0x32

#define A_UIP 0x80
#define A_DV_MASK 0x70
#define A_DV_32K 0x20
#define B_24H 0x02
#define B_DM_BINARY 0x04
#define D_VRT 0x80

/* Thursday 2026-11-26 17:05:09 UTC. */
#define T0 ((time_t)1795712709)
#define MINUTE 60
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

static time_t fake_time;

static time_t fake_now(void)
{
	return fake_time;
}

static int rtc_init(void *dev)
{
	struct rtc *r = dev;

	fake_time = T0;
	r->now = fake_now;
	return 0;
}

static const struct fake_dev_type rtc_type = {
    .ops = &rtc_ops, .size = sizeof(struct rtc), .init = rtc_init};
#define RTC_TEST(f) FAKE_DEV_TEST(f, &rtc_type)

static uint8_t cmos_read(struct fake_dev *t, uint8_t reg)
{
	outb(&t->pio, CMOS_INDEX, reg);
	return inb(&t->pio, CMOS_DATA);
}

static void cmos_write(struct fake_dev *t, uint8_t reg, uint8_t v)
{
	outb(&t->pio, CMOS_INDEX, reg);
	outb(&t->pio, CMOS_DATA, v);
}

/* Reads the date and time registers and checks them against the values. */
static void check_time(struct fake_dev *t, const uint8_t want[8])
{
	static const uint8_t regs[8] = {R_SEC,	R_MIN,	 R_HOUR, R_WDAY,
					R_MDAY, R_MONTH, R_YEAR, R_CENTURY};

	for (int i = 0; i < 8; i++) {
		uint8_t got = cmos_read(t, regs[i]);

		if (got != want[i])
			fail_msg("CMOS register %#x: got %#x, want %#x", (unsigned)regs[i],
				 (unsigned)got, (unsigned)want[i]);
	}
}

static void test_rtc_ports(void **state)
{
	struct fake_dev *t = *state;

	assert_claimed(t, CMOS_INDEX, 2);
	assert_null(bus_find(&t->pio, 0x6f));
	assert_null(bus_find(&t->pio, 0x72));
	assert_int_equal(t->vm.irq_total, 0);
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_rtc_status_registers(void **state)
{
	struct fake_dev *t = *state;
	uint8_t a = cmos_read(t, R_A);

	assert_int_equal(cmos_read(t, R_D), D_VRT);
	assert_int_equal(cmos_read(t, R_B), B_24H); /* 24-hour, BCD */
	assert_int_equal(a & A_UIP, 0);
	assert_int_equal(a & A_DV_MASK, A_DV_32K);
	assert_int_equal(cmos_read(t, R_C), 0);
	/* Reading them again changes nothing (C has nothing to clear). */
	assert_int_equal(cmos_read(t, R_C), 0);
	assert_int_equal(cmos_read(t, R_D), D_VRT);
	assert_int_equal(t->vm.irq_total, 0);
}

static void test_rtc_time_bcd(void **state)
{
	struct fake_dev *t = *state;
	/* Thursday is day 5 (Sunday is 1). */
	static const uint8_t want[8] = {0x09, 0x05, 0x17, 0x05, 0x26, 0x11, 0x26, 0x20};
	static const uint8_t later[8] = {0x10, 0x05, 0x17, 0x05, 0x26, 0x11, 0x26, 0x20};
	static const uint8_t next_day[8] = {0x10, 0x05, 0x17, 0x06, 0x27, 0x11, 0x26, 0x20};

	check_time(t, want);
	fake_time = T0 + 1;
	check_time(t, later);
	fake_time = T0 + 1 + DAY;
	check_time(t, next_day);
}

static void test_rtc_time_binary(void **state)
{
	struct fake_dev *t = *state;
	static const uint8_t want[8] = {9, 5, 17, 5, 26, 11, 26, 20};

	cmos_write(t, R_B, B_24H | B_DM_BINARY);
	assert_int_equal(cmos_read(t, R_B), B_24H | B_DM_BINARY);
	check_time(t, want);
	fake_time = T0 + 50;
	assert_int_equal(cmos_read(t, R_SEC), 59);
	/* Back to BCD. */
	cmos_write(t, R_B, B_24H);
	assert_int_equal(cmos_read(t, R_SEC), 0x59);
}

static void test_rtc_12_hour(void **state)
{
	struct fake_dev *t = *state;
	const time_t midnight = T0 - 17 * HOUR - 5 * MINUTE - 9;

	/* 12-hour, BCD. */
	cmos_write(t, R_B, 0);
	assert_int_equal(cmos_read(t, R_HOUR), 0x85); /* 5 PM */
	assert_int_equal(cmos_read(t, R_MIN), 0x05);
	fake_time = midnight + 30 * MINUTE;
	assert_int_equal(cmos_read(t, R_HOUR), 0x12); /* 12:30 AM */
	fake_time = midnight + 9 * HOUR;
	assert_int_equal(cmos_read(t, R_HOUR), 0x09); /* 9 AM */
	fake_time = midnight + 11 * HOUR + 59 * MINUTE;
	assert_int_equal(cmos_read(t, R_HOUR), 0x11); /* 11 AM */
	fake_time = midnight + 12 * HOUR;
	assert_int_equal(cmos_read(t, R_HOUR), 0x92); /* 12 noon is PM */
	fake_time = midnight + 23 * HOUR;
	assert_int_equal(cmos_read(t, R_HOUR), 0x91); /* 11 PM */

	cmos_write(t, R_B, B_DM_BINARY); /* 12-hour, binary */
	assert_int_equal(cmos_read(t, R_HOUR), 0x80 | 11);
	fake_time = midnight + 12 * HOUR;
	assert_int_equal(cmos_read(t, R_HOUR), 0x80 | 12);
	fake_time = midnight;
	assert_int_equal(cmos_read(t, R_HOUR), 12);
}

static void test_rtc_set_minutes(void **state)
{
	struct fake_dev *t = *state;
	static const uint8_t set[8] = {0x09, 0x42, 0x17, 0x05, 0x26, 0x11, 0x26, 0x20};
	static const uint8_t run[8] = {0x12, 0x43, 0x17, 0x05, 0x26, 0x11, 0x26, 0x20};

	cmos_write(t, R_MIN, 0x42);
	check_time(t, set);
	/* The guest's clock keeps running from the time it set. */
	fake_time = T0 + MINUTE + 3;
	check_time(t, run);
}

static void test_rtc_set_year(void **state)
{
	struct fake_dev *t = *state;
	/* 2027-11-26 is a Friday. */
	static const uint8_t set[8] = {0x09, 0x05, 0x17, 0x06, 0x26, 0x11, 0x27, 0x20};
	static const uint8_t run[8] = {0x09, 0x05, 0x17, 0x07, 0x27, 0x11, 0x27, 0x20};

	cmos_write(t, R_YEAR, 0x27);
	check_time(t, set);
	fake_time = T0 + DAY;
	check_time(t, run);
}

static void test_rtc_set_century(void **state)
{
	struct fake_dev *t = *state;
	/* 2126-11-26 is a Tuesday. */
	static const uint8_t want[8] = {0x09, 0x05, 0x17, 0x03, 0x26, 0x11, 0x26, 0x21};

	cmos_write(t, R_CENTURY, 0x21);
	check_time(t, want);
}

static void test_rtc_set_binary_and_12_hour(void **state)
{
	struct fake_dev *t = *state;
	static const uint8_t want[8] = {0x09, 0x59, 0x13, 0x05, 0x26, 0x11, 0x26, 0x20};

	cmos_write(t, R_B, B_DM_BINARY); /* 12-hour, binary */
	cmos_write(t, R_MIN, 59);
	assert_int_equal(cmos_read(t, R_MIN), 59);
	cmos_write(t, R_HOUR, 0x80 | 1); /* 1 PM */
	assert_int_equal(cmos_read(t, R_HOUR), 0x81);
	cmos_write(t, R_B, B_24H); /* 24-hour, BCD */
	check_time(t, want);
}

static void test_rtc_alarm_and_ram(void **state)
{
	struct fake_dev *t = *state;
	static const uint8_t want[8] = {0x09, 0x05, 0x17, 0x05, 0x26, 0x11, 0x26, 0x20};

	cmos_write(t, R_SEC_ALARM, 0x11);
	cmos_write(t, R_MIN_ALARM, 0x22);
	cmos_write(t, R_HOUR_ALARM, 0x23);
	cmos_write(t, 0x0e, 0x3c);
	cmos_write(t, 0x40, 0xa5);
	cmos_write(t, 0x7f, 0x5a);
	assert_int_equal(cmos_read(t, R_SEC_ALARM), 0x11);
	assert_int_equal(cmos_read(t, R_MIN_ALARM), 0x22);
	assert_int_equal(cmos_read(t, R_HOUR_ALARM), 0x23);
	assert_int_equal(cmos_read(t, 0x0e), 0x3c);
	assert_int_equal(cmos_read(t, 0x40), 0xa5);
	assert_int_equal(cmos_read(t, 0x7f), 0x5a);
	assert_int_equal(cmos_read(t, 0x41), 0x00);
	/* None of that moved the clock. */
	check_time(t, want);
	/* The alarm bytes do not follow the clock. */
	fake_time = T0 + 2 * HOUR;
	assert_int_equal(cmos_read(t, R_HOUR_ALARM), 0x23);
	assert_int_equal(t->vm.irq_total, 0);
}

static void test_rtc_read_only(void **state)
{
	struct fake_dev *t = *state;

	cmos_write(t, R_C, 0xff);
	assert_int_equal(cmos_read(t, R_C), 0);
	cmos_write(t, R_D, 0x00);
	assert_int_equal(cmos_read(t, R_D), D_VRT);
	cmos_write(t, R_D, 0x7f);
	assert_int_equal(cmos_read(t, R_D), D_VRT);
	/* UIP in register A is status, not storage. */
	cmos_write(t, R_A, A_UIP | A_DV_32K | 0x06);
	assert_int_equal(cmos_read(t, R_A), A_DV_32K | 0x06);
}

static void test_rtc_index_port(void **state)
{
	struct fake_dev *t = *state;

	assert_int_equal(inb(&t->pio, CMOS_INDEX), 0xff);
	outb(&t->pio, CMOS_INDEX, R_D);
	assert_int_equal(inb(&t->pio, CMOS_INDEX), 0xff);
	/* Reading the index port does not disturb the selected register. */
	assert_int_equal(inb(&t->pio, CMOS_DATA), D_VRT);
	/* The data port keeps reading the latched register. */
	assert_int_equal(inb(&t->pio, CMOS_DATA), D_VRT);
}

static void test_rtc_nmi_mask_bit(void **state)
{
	struct fake_dev *t = *state;

	outb(&t->pio, CMOS_INDEX, 0x80 | R_D);
	assert_int_equal(inb(&t->pio, CMOS_DATA), D_VRT);
	outb(&t->pio, CMOS_INDEX, 0x80 | R_SEC);
	assert_int_equal(inb(&t->pio, CMOS_DATA), 0x09);
	outb(&t->pio, CMOS_INDEX, 0x80 | 0x40);
	outb(&t->pio, CMOS_DATA, 0x77);
	assert_int_equal(cmos_read(t, 0x40), 0x77);
	outb(&t->pio, CMOS_INDEX, 0x80 | 0x40);
	assert_int_equal(inb(&t->pio, CMOS_DATA), 0x77);
}

static void test_rtc_reset(void **state)
{
	struct fake_dev *t = *state;

	cmos_write(t, R_B, B_DM_BINARY);
	outb(&t->pio, CMOS_INDEX, R_SEC);
	rtc_ops.reset(t->dev);
	assert_int_equal(cmos_read(t, R_B), B_24H);
	assert_int_equal(cmos_read(t, R_D), D_VRT);
	assert_int_equal(cmos_read(t, R_SEC), 0x09); /* BCD again */
}

/* ---- PCI host bridge ---- */

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define CFG(bus, dev, fn, reg)                                                                     \
	(0x80000000u | (uint32_t)(bus) << 16 | (uint32_t)(dev) << 11 | (uint32_t)(fn) << 8 |       \
	 (uint32_t)(reg))

static const struct fake_dev_type pci_type = {.ops = &pci_host_ops,
					      .size = sizeof(struct pci_host)};
#define PCI_TEST(f) FAKE_DEV_TEST(f, &pci_type)

static uint32_t cfg_read32(struct fake_dev *t, uint32_t addr)
{
	outl(&t->pio, CONFIG_ADDRESS, addr);
	return inl(&t->pio, CONFIG_DATA);
}

static void test_pci_ports(void **state)
{
	struct fake_dev *t = *state;

	assert_claimed(t, CONFIG_ADDRESS, 4);
	assert_claimed(t, CONFIG_DATA, 4);
	assert_null(bus_find(&t->pio, 0xcf7));
	assert_null(bus_find(&t->pio, 0xd00));
	/* Power-on: nothing latched. */
	assert_int_equal(inl(&t->pio, CONFIG_ADDRESS), 0);
}

static void test_pci_address_latch(void **state)
{
	struct fake_dev *t = *state;

	outl(&t->pio, CONFIG_ADDRESS, 0xffffffff);
	assert_int_equal(inl(&t->pio, CONFIG_ADDRESS), 0x80fffffc);
	outl(&t->pio, CONFIG_ADDRESS, 0x12345678);
	assert_int_equal(inl(&t->pio, CONFIG_ADDRESS), 0x00345678);
	outl(&t->pio, CONFIG_ADDRESS, 0x80000000);
	assert_int_equal(inl(&t->pio, CONFIG_ADDRESS), 0x80000000);
	/* Narrow accesses do not reach CONFIG_ADDRESS. */
	outb(&t->pio, CONFIG_ADDRESS, 0x44);
	outb(&t->pio, CONFIG_ADDRESS + 3, 0x00);
	outw(&t->pio, CONFIG_ADDRESS, 0x1234);
	outw(&t->pio, CONFIG_ADDRESS + 2, 0x0000);
	assert_int_equal(inl(&t->pio, CONFIG_ADDRESS), 0x80000000);
	assert_int_equal(inb(&t->pio, CONFIG_ADDRESS), 0xff);
	assert_int_equal(inb(&t->pio, CONFIG_ADDRESS + 3), 0xff);
	assert_int_equal(inw(&t->pio, CONFIG_ADDRESS), 0xffff);
	assert_int_equal(inw(&t->pio, CONFIG_ADDRESS + 2), 0xffff);
	/* A dword access that starts past 0xcf8 is not CONFIG_ADDRESS either. */
	outl(&t->pio, CONFIG_ADDRESS + 1, 0x00000000);
	assert_int_equal(inl(&t->pio, CONFIG_ADDRESS), 0x80000000);
}

static void test_pci_bridge_ids(void **state)
{
	struct fake_dev *t = *state;

	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x00)), 0x00081b36);
	/* Class 06 (bridge), subclass 00 (host), prog-if 00, revision 0. */
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x08)), 0x06000000);
	/* Header type (byte 0x0e) 0: type 0, single function. */
	assert_int_equal((cfg_read32(t, CFG(0, 0, 0, 0x0c)) >> 16) & 0xff, 0);
	/* No BARs, no interrupt. */
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x10)), 0);
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x3c)), 0);
}

static void test_pci_narrow_reads(void **state)
{
	struct fake_dev *t = *state;

	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x00));
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 0), 0x36);
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 1), 0x1b);
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 2), 0x08);
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 3), 0x00);
	assert_int_equal(inw(&t->pio, CONFIG_DATA + 0), 0x1b36);
	assert_int_equal(inw(&t->pio, CONFIG_DATA + 2), 0x0008);
	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x08));
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 3), 0x06); /* class */
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 2), 0x00); /* subclass */
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 1), 0x00); /* prog-if */
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 0), 0x00); /* revision */
	assert_int_equal(inw(&t->pio, CONFIG_DATA + 2), 0x0600);
	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x0c));
	assert_int_equal(inb(&t->pio, CONFIG_DATA + 2), 0x00); /* header type */
}

static void test_pci_absent_functions(void **state)
{
	struct fake_dev *t = *state;
	static const uint32_t absent[] = {
	    0x80000800, /* 00:01.0 */
	    0x80010000, /* 01:00.0 */
	    0x80000100, /* 00:00.1 */
	    0x80000700, /* 00:00.7 */
	    0x8000f800, /* 00:1f.0 */
	    0x80ff0000, /* ff:00.0 */
	    0x00000000, /* 00:00.0 but enable clear */
	    0x00000008, /* class code, enable clear */
	    0x7ffffffc, /* everything but enable */
	};

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		outl(&t->pio, CONFIG_ADDRESS, absent[i]);
		assert_int_equal(inl(&t->pio, CONFIG_DATA), 0xffffffff);
		assert_int_equal(inw(&t->pio, CONFIG_DATA + 2), 0xffff);
		assert_int_equal(inb(&t->pio, CONFIG_DATA + 1), 0xff);
		/* Writes to them are dropped, and do not reach the bridge. */
		outl(&t->pio, CONFIG_DATA, 0x00000007);
		outw(&t->pio, CONFIG_DATA, 0x0007);
		assert_int_equal(inl(&t->pio, CONFIG_DATA), 0xffffffff);
	}
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x04)), 0);
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x00)), 0x00081b36);
}

static void test_pci_command_word_and_byte(void **state)
{
	struct fake_dev *t = *state;

	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x04));
	assert_int_equal(inl(&t->pio, CONFIG_DATA), 0);
	outw(&t->pio, CONFIG_DATA, 0x0006); /* memory + bus master */
	assert_int_equal(inw(&t->pio, CONFIG_DATA), 0x0006);
	assert_int_equal(inl(&t->pio, CONFIG_DATA), 0x00000006); /* status 0 */
	/* Interrupt disable, in the command register's high byte. */
	outb(&t->pio, CONFIG_DATA + 1, 0x04);
	assert_int_equal(inw(&t->pio, CONFIG_DATA), 0x0406);
	outb(&t->pio, CONFIG_DATA, 0x01); /* I/O space only */
	assert_int_equal(inw(&t->pio, CONFIG_DATA), 0x0401);
	/* Status (0x06) is not storage. */
	outw(&t->pio, CONFIG_DATA + 2, 0xffff);
	assert_int_equal(inw(&t->pio, CONFIG_DATA + 2), 0);
	/* It stays latched in the bridge across address changes. */
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x00)), 0x00081b36);
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x04)), 0x00000401);
}

static void test_pci_command_dword_write(void **state)
{
	struct fake_dev *t = *state;

	/* A dword write at 0x04 covers command and status: the command half
	 * takes effect, the status half (RO / write-1-to-clear) does not. */
	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x04));
	outl(&t->pio, CONFIG_DATA, 0x00000007);
	assert_int_equal(inl(&t->pio, CONFIG_DATA), 0x00000007);
	outl(&t->pio, CONFIG_DATA, 0xffff0002);
	assert_int_equal(inw(&t->pio, CONFIG_DATA + 2), 0);
	assert_int_equal(inw(&t->pio, CONFIG_DATA), 0x0002);
}

static void test_pci_read_only_fields(void **state)
{
	struct fake_dev *t = *state;

	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x00));
	outl(&t->pio, CONFIG_DATA, 0xdeadbeef);
	outw(&t->pio, CONFIG_DATA, 0xbeef);
	outb(&t->pio, CONFIG_DATA + 3, 0xde);
	assert_int_equal(inl(&t->pio, CONFIG_DATA), 0x00081b36);
	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x08));
	outl(&t->pio, CONFIG_DATA, 0x0c0330ff);
	assert_int_equal(inl(&t->pio, CONFIG_DATA), 0x06000000);
	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x10));
	outl(&t->pio, CONFIG_DATA, 0xffffffff); /* BAR sizing: no BAR */
	assert_int_equal(inl(&t->pio, CONFIG_DATA), 0);
}

static void test_pci_reset(void **state)
{
	struct fake_dev *t = *state;

	outl(&t->pio, CONFIG_ADDRESS, CFG(0, 0, 0, 0x04));
	outw(&t->pio, CONFIG_DATA, 0x0007);
	assert_int_equal(inw(&t->pio, CONFIG_DATA), 0x0007);
	pci_host_ops.reset(t->dev);
	assert_int_equal(inl(&t->pio, CONFIG_ADDRESS), 0);
	assert_int_equal(inl(&t->pio, CONFIG_DATA), 0xffffffff); /* enable clear */
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x04)), 0);
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x00)), 0x00081b36);
	assert_int_equal(cfg_read32(t, CFG(0, 0, 0, 0x08)), 0x06000000);
}

/* ---- ACPI sleep registers ---- */

#define SLP_CNT 0x600
#define SLP_STS 0x601
#define SLP_EN 0x20
#define SLP_TYP(n) ((n) << 2)

static const struct fake_dev_type pm_type = {.ops = &acpi_pm_ops, .size = sizeof(struct acpi_pm)};
#define PM_TEST(f) FAKE_DEV_TEST(f, &pm_type)

static void test_acpi_pm_ports(void **state)
{
	struct fake_dev *t = *state;
	const struct bus_range *r = assert_claimed(t, SLP_CNT, 2);

	assert_ptr_equal(bus_find(&t->pio, SLP_STS), r);
	assert_null(bus_find(&t->pio, 0x5ff));
	assert_null(bus_find(&t->pio, 0x602));
}

static void test_acpi_pm_poweroff(void **state)
{
	struct fake_dev *t = *state;

	assert_int_equal(SLP_TYP(5) | SLP_EN, 0x34);
	outb(&t->pio, SLP_CNT, 0x34);
	assert_int_equal(t->vm.end_calls, 1);
	assert_int_equal(t->vm.end_why, VM_END_POWEROFF);
	assert_int_equal(t->vm.end_status, 0);
	assert_int_equal(t->vm.irq_total, 0);
}

static void test_acpi_pm_s5_without_slp_en(void **state)
{
	struct fake_dev *t = *state;

	outb(&t->pio, SLP_CNT, SLP_TYP(5));
	outb(&t->pio, SLP_CNT, 0x00);
	outb(&t->pio, SLP_CNT, SLP_TYP(5) | 0xc3); /* every bit but SLP_EN */
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_acpi_pm_other_sleep_types(void **state)
{
	struct fake_dev *t = *state;

	for (unsigned typ = 0; typ < 8; typ++) {
		if (typ == 5)
			continue;
		outb(&t->pio, SLP_CNT, (uint8_t)(SLP_TYP(typ) | SLP_EN));
	}
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_acpi_pm_status_register(void **state)
{
	struct fake_dev *t = *state;

	outb(&t->pio, SLP_STS, 0x34);
	outb(&t->pio, SLP_STS, 0xff);
	outb(&t->pio, SLP_STS, SLP_EN);
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_acpi_pm_reads(void **state)
{
	struct fake_dev *t = *state;

	assert_int_equal(inb(&t->pio, SLP_CNT), 0);
	assert_int_equal(inb(&t->pio, SLP_STS), 0);
	assert_int_equal(inw(&t->pio, SLP_CNT), 0);
	assert_int_equal(t->vm.end_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    RTC_TEST(test_rtc_ports),
	    RTC_TEST(test_rtc_status_registers),
	    RTC_TEST(test_rtc_time_bcd),
	    RTC_TEST(test_rtc_time_binary),
	    RTC_TEST(test_rtc_12_hour),
	    RTC_TEST(test_rtc_set_minutes),
	    RTC_TEST(test_rtc_set_year),
	    RTC_TEST(test_rtc_set_century),
	    RTC_TEST(test_rtc_set_binary_and_12_hour),
	    RTC_TEST(test_rtc_alarm_and_ram),
	    RTC_TEST(test_rtc_read_only),
	    RTC_TEST(test_rtc_index_port),
	    RTC_TEST(test_rtc_nmi_mask_bit),
	    RTC_TEST(test_rtc_reset),
	    PCI_TEST(test_pci_ports),
	    PCI_TEST(test_pci_address_latch),
	    PCI_TEST(test_pci_bridge_ids),
	    PCI_TEST(test_pci_narrow_reads),
	    PCI_TEST(test_pci_absent_functions),
	    PCI_TEST(test_pci_command_word_and_byte),
	    PCI_TEST(test_pci_command_dword_write),
	    PCI_TEST(test_pci_read_only_fields),
	    PCI_TEST(test_pci_reset),
	    PM_TEST(test_acpi_pm_ports),
	    PM_TEST(test_acpi_pm_poweroff),
	    PM_TEST(test_acpi_pm_s5_without_slp_en),
	    PM_TEST(test_acpi_pm_other_sleep_types),
	    PM_TEST(test_acpi_pm_status_register),
	    PM_TEST(test_acpi_pm_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
