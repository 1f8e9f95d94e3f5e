/* SPDX-License-Identifier: MIT */
/*
 * The PC keyboard controller, reduced to what a guest without a keyboard
 * needs: controller commands answer as a real 8042 with nothing attached,
 * and command 0xFE (pulse the reset line) resets the VM — the way Linux's
 * `reboot=k` and most x86 guests reboot.
 * Reference: IBM PC/AT Technical Reference, keyboard controller commands.
 */
#ifndef SEVM_SRC_DEVICES_I8042_H
#define SEVM_SRC_DEVICES_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "device.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64

struct i8042 {
	struct device_host host;
	pthread_mutex_t lock;
	uint8_t ctr; /* controller configuration byte */
	uint8_t out; /* output buffer */
	bool out_full;
	uint8_t pending_cmd; /* command waiting for its data byte, or 0 */
	bool last_write_cmd; /* status bit 3: the last write went to port 0x64 */
};

extern const struct device_ops i8042_ops;

#endif
