// SPDX-License-Identifier: MIT
#include "acpi_pm.h"
#include "vmm/acpi.h"
#include "vmm/bus.h"

#include <string.h>

static void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct acpi_pm *pm = opaque;
	uint8_t v = data[0];

	if (!is_write) {
		/* Sleep status: WAK_STS never set, the guest never wakes from S5. */
		memset(data, 0, len);
		return;
	}
	if (offset != 0 || !(v & ACPI_SLP_EN)) /* offset 0: the control register */
		return;
	if (((v & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT) == ACPI_S5_SLEEP_TYPE)
		pm->host.request_end(pm->host.vm, VM_END_POWEROFF, 0, "ACPI S5 (soft off)");
	/* Other sleep states (S1-S4) are not offered in the DSDT; ignore them. */
}

static int acpi_pm_realize(void *dev, const struct device_host *host, struct bus *pio,
			   struct bus *mmio)
{
	struct acpi_pm *pm = dev;

	(void)mmio;
	pm->host = *host;
	return bus_register(pio, ACPI_SLEEP_CONTROL_PORT,
			    ACPI_SLEEP_STATUS_PORT - ACPI_SLEEP_CONTROL_PORT + 1, acpi_pm_io, pm,
			    "acpi sleep");
}

static void acpi_pm_noop(void *dev)
{
	(void)dev;
}

const struct device_ops acpi_pm_ops = {
    .name = "acpi-pm",
    .realize = acpi_pm_realize,
    .reset = acpi_pm_noop,
    .unrealize = acpi_pm_noop,
};
