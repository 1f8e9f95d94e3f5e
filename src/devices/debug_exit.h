/* SPDX-License-Identifier: MIT */
/*
 * Debug-exit port: a guest writes its exit status to I/O port 0xf4 to power
 * the VM off with that status. Same port and width as QEMU's
 * isa-debug-exit,iobase=0xf4,iosize=4, so one guest runs under both; sevm
 * passes the value through unchanged where QEMU reports (value << 1) | 1.
 */
#ifndef SEVM_SRC_DEVICES_DEBUG_EXIT_H
#define SEVM_SRC_DEVICES_DEBUG_EXIT_H

#include "device.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_LEN 4

struct debug_exit {
	struct device_host host;
};

extern const struct device_ops debug_exit_ops;

#endif
