/* SPDX-License-Identifier: MIT */
/*
 * The hardware-reduced ACPI sleep registers the FADT points at (ACPI 6.4
 * §4.8.3.7, src/vmm/acpi.h): writing the \_S5 sleep type with SLP_EN to the
 * sleep control register powers the VM off with status 0 — what a guest's
 * `poweroff` does.
 */
#ifndef SEVM_SRC_DEVICES_ACPI_PM_H
#define SEVM_SRC_DEVICES_ACPI_PM_H

#include "device.h"

struct acpi_pm {
	struct device_host host;
};

extern const struct device_ops acpi_pm_ops;

#endif
