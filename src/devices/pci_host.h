/* SPDX-License-Identifier: MIT */
/*
 * A PCI host bridge with configuration mechanism #1 (PCI Local Bus
 * Specification 3.0 §3.2.2.3.2: address at port 0xcf8, data at 0xcfc-0xcff)
 * and one function on it, the bridge itself at 00:00.0. Every other
 * function reads as absent (all ones). It lets a guest find that the
 * platform has PCI configuration space and nothing behind it, instead of
 * concluding that config space access is broken.
 */
#ifndef SEVM_SRC_DEVICES_PCI_HOST_H
#define SEVM_SRC_DEVICES_PCI_HOST_H

#include <pthread.h>
#include <stdint.h>

#include "device.h"

#define PCI_CONFIG_ADDRESS_PORT 0xcf8
#define PCI_CONFIG_DATA_PORT 0xcfc
/* A generic virtual PCIe host bridge ID (Red Hat, Inc. 1b36:0008 in the PCI
 * ID database), which no guest applies chipset quirks to. */
#define PCI_HOST_VENDOR_ID 0x1b36
#define PCI_HOST_DEVICE_ID 0x0008

struct pci_host {
	struct device_host host;
	pthread_mutex_t lock;
	uint32_t address;    /* CONFIG_ADDRESS */
	uint8_t config[256]; /* the bridge's own configuration header */
};

extern const struct device_ops pci_host_ops;

#endif
