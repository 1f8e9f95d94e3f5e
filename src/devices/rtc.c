// SPDX-License-Identifier: MIT
#include "rtc.h"
#include "vmm/bus.h"

#include <string.h>

/* MC146818A register map. */
enum {
	REG_SECONDS = 0x00,
	REG_MINUTES = 0x02,
	REG_HOURS = 0x04,
	REG_DAY_OF_WEEK = 0x06,
	REG_DAY_OF_MONTH = 0x07,
	REG_MONTH = 0x08,
	REG_YEAR = 0x09,
	REG_A = 0x0a,
	REG_B = 0x0b,
	REG_C = 0x0c,
	REG_D = 0x0d,
	REG_CENTURY = 0x32, /* PC convention (IBM PC/AT CMOS map) */
};

#define A_DIVIDER_32K 0x20 /* 32.768 kHz time base */
#define A_RATE_1K 0x06	   /* 1024 Hz periodic rate, the PC default */
#define B_24H 0x02
#define B_BINARY 0x04 /* data mode: binary instead of BCD */
#define B_SET 0x80    /* updates stopped while the guest sets the time */
#define D_VRT 0x80    /* valid RAM and time: the battery is fine */

static unsigned to_bcd(unsigned v)
{
	return (v / 10) << 4 | (v % 10);
}

static unsigned from_bcd(unsigned v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

static void guest_tm(struct rtc *r, struct tm *tm)
{
	time_t t = r->now() + (time_t)r->offset;

	gmtime_r(&t, tm);
}

static uint8_t encode(const struct rtc *r, unsigned v)
{
	return (uint8_t)(r->cmos[REG_B] & B_BINARY ? v : to_bcd(v));
}

static unsigned decode(const struct rtc *r, uint8_t v)
{
	return r->cmos[REG_B] & B_BINARY ? v : from_bcd(v);
}

static uint8_t hours_field(const struct rtc *r, int hour)
{
	unsigned h;

	if (r->cmos[REG_B] & B_24H)
		return encode(r, (unsigned)hour);
	/* 12-hour mode: 1-12 with bit 7 for PM. */
	h = hour % 12 ? (unsigned)hour % 12 : 12;
	return (uint8_t)(encode(r, h) | (hour >= 12 ? 0x80 : 0));
}

static uint8_t read_reg(struct rtc *r, uint8_t reg)
{
	struct tm tm;

	if (reg > REG_YEAR && reg != REG_CENTURY)
		return reg == REG_C ? 0 : r->cmos[reg];
	if (reg % 2 && reg < REG_DAY_OF_WEEK)
		return r->cmos[reg]; /* alarm registers */
	guest_tm(r, &tm);
	switch (reg) {
	case REG_SECONDS:
		return encode(r, (unsigned)tm.tm_sec);
	case REG_MINUTES:
		return encode(r, (unsigned)tm.tm_min);
	case REG_HOURS:
		return hours_field(r, tm.tm_hour);
	case REG_DAY_OF_WEEK:
		return encode(r, (unsigned)tm.tm_wday + 1);
	case REG_DAY_OF_MONTH:
		return encode(r, (unsigned)tm.tm_mday);
	case REG_MONTH:
		return encode(r, (unsigned)tm.tm_mon + 1);
	case REG_YEAR:
		return encode(r, (unsigned)(tm.tm_year % 100));
	default: /* REG_CENTURY */
		return encode(r, (unsigned)(tm.tm_year + 1900) / 100);
	}
}

/* The guest set one time field: move the offset so that field reads back. */
static void set_time_field(struct rtc *r, uint8_t reg, uint8_t v)
{
	struct tm tm;
	unsigned d;
	time_t t;

	guest_tm(r, &tm);
	if (reg == REG_HOURS && !(r->cmos[REG_B] & B_24H)) {
		d = decode(r, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
	} else {
		d = decode(r, v);
	}
	switch (reg) {
	case REG_SECONDS:
		tm.tm_sec = (int)d;
		break;
	case REG_MINUTES:
		tm.tm_min = (int)d;
		break;
	case REG_HOURS:
		tm.tm_hour = (int)d;
		break;
	case REG_DAY_OF_MONTH:
		tm.tm_mday = (int)d;
		break;
	case REG_MONTH:
		tm.tm_mon = (int)d - 1;
		break;
	case REG_YEAR:
		tm.tm_year = tm.tm_year / 100 * 100 + (int)d;
		break;
	case REG_CENTURY:
		tm.tm_year = ((int)d - 19) * 100 + tm.tm_year % 100;
		break;
	default:
		return; /* the day of week follows from the date */
	}
	t = timegm(&tm);
	if (t != (time_t)-1)
		r->offset = (int64_t)t - (int64_t)r->now();
}

static void write_reg(struct rtc *r, uint8_t reg, uint8_t v)
{
	switch (reg) {
	case REG_C:
	case REG_D:
		return; /* read-only */
	case REG_A:
		r->cmos[REG_A] = v & 0x7f; /* UIP is read-only */
		return;
	default:
		break;
	}
	if (reg <= REG_YEAR && !(reg % 2 && reg < REG_DAY_OF_WEEK))
		set_time_field(r, reg, v);
	else if (reg == REG_CENTURY)
		set_time_field(r, reg, v);
	else
		r->cmos[reg] = v;
}

static void rtc_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct rtc *r = opaque;

	pthread_mutex_lock(&r->lock);
	for (uint32_t i = 0; i < len; i++) {
		if (offset + i == 0) {
			/* Index port; bit 7 is the NMI mask, which is not modelled. */
			if (is_write)
				r->index = data[i] & 0x7f;
			else
				data[i] = 0xff;
		} else if (is_write) {
			write_reg(r, r->index, data[i]);
		} else {
			data[i] = read_reg(r, r->index);
		}
	}
	pthread_mutex_unlock(&r->lock);
}

static void rtc_reset(void *dev)
{
	struct rtc *r = dev;

	pthread_mutex_lock(&r->lock);
	memset(r->cmos, 0, sizeof(r->cmos));
	r->cmos[REG_A] = A_DIVIDER_32K | A_RATE_1K;
	r->cmos[REG_B] = B_24H;
	r->cmos[REG_D] = D_VRT;
	r->index = 0;
	pthread_mutex_unlock(&r->lock);
}

static time_t host_now(void)
{
	return time(NULL);
}

static int rtc_realize(void *dev, const struct device_host *host, struct bus *pio, struct bus *mmio)
{
	struct rtc *r = dev;

	(void)mmio;
	r->host = *host;
	if (!r->now)
		r->now = host_now;
	r->offset = 0;
	pthread_mutex_init(&r->lock, NULL);
	rtc_reset(r);
	return bus_register(pio, RTC_INDEX_PORT, 2, rtc_io, r, "rtc");
}

static void rtc_unrealize(void *dev)
{
	struct rtc *r = dev;

	pthread_mutex_destroy(&r->lock);
}

const struct device_ops rtc_ops = {
    .name = "rtc",
    .realize = rtc_realize,
    .reset = rtc_reset,
    .unrealize = rtc_unrealize,
};
