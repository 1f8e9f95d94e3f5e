/* SPDX-License-Identifier: MIT */
/*
 * The PC's CMOS real-time clock (Motorola MC146818A data sheet; ports 0x70
 * index, 0x71 data). It reads the host's UTC clock plus an offset the guest
 * sets by writing the time registers, so `hwclock` works both ways. No
 * alarm, periodic or update interrupts are raised; register C reads 0.
 * The other CMOS bytes are plain RAM.
 */
#ifndef SEVM_SRC_DEVICES_RTC_H
#define SEVM_SRC_DEVICES_RTC_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "device.h"

#define RTC_INDEX_PORT 0x70
#define RTC_DATA_PORT 0x71
#define RTC_CMOS_SIZE 128

struct rtc {
	struct device_host host;
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t cmos[RTC_CMOS_SIZE]; /* registers A-D and CMOS RAM; time fields unused */
	int64_t offset;		     /* guest time minus host time, seconds */
	time_t (*now)(void);	     /* the host clock; tests substitute their own */
};

extern const struct device_ops rtc_ops;

#endif
