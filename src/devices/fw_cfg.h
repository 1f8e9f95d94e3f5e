/* SPDX-License-Identifier: MIT */
/*
 * The firmware configuration interface (include/sevm/fw_abi.h,
 * docs/firmware.md): how sevm hands its firmware the boot configuration,
 * the kernel, the initrd and the command line. Modelled on QEMU's fw_cfg
 * (a selector port, a byte-wide data port and a DMA port) but smaller, and
 * with DMA confined to the firmware's shared region: on SEV hardware the
 * host can only write memory the guest shares.
 */
#ifndef SEVM_SRC_DEVICES_FW_CFG_H
#define SEVM_SRC_DEVICES_FW_CFG_H

#include <pthread.h>
#include <stdint.h>

#include "device.h"
#include "sevm/fw_abi.h"

#define FW_CFG_NR_ITEMS (FW_CFG_CMDLINE + 1)

struct fw_cfg_blob {
	const uint8_t *data; /* not owned */
	uint64_t size;
};

/* Deliberate faults for tests (docs/testing.md, SEVM_TEST_FAULT). */
enum fw_cfg_fault {
	FW_CFG_FAULT_NONE,
	FW_CFG_FAULT_DMA, /* every DMA request fails */
};

struct fw_cfg {
	struct device_host host;
	pthread_mutex_t lock;
	struct fw_cfg_blob items[FW_CFG_NR_ITEMS];
	uint64_t shared_base, shared_size; /* the only memory DMA may touch */
	enum fw_cfg_fault fault;
	uint16_t selected;
	uint64_t offset; /* of the next data-port byte */
	uint8_t dma_latch[4];
	unsigned long dma_requests, dma_errors;
};

extern const struct device_ops fw_cfg_ops;

/* Before realize: what item `key` serves (the data stays the caller's). */
void fw_cfg_set_item(struct fw_cfg *c, enum fw_cfg_item key, const void *data, uint64_t size);

#endif
