// SPDX-License-Identifier: MIT
#include "debug_exit.h"
#include "vmm/bus.h"

#include <string.h>

static void debug_exit_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct debug_exit *d = opaque;
	uint32_t status = 0;

	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	/* Any write to the port's first byte ends the VM; wider writes carry more bits. */
	if (offset != 0)
		return;
	memcpy(&status, data, len < sizeof(status) ? len : sizeof(status));
	d->host.request_end(d->host.vm, VM_END_POWEROFF, status, NULL);
}

static int debug_exit_realize(void *dev, const struct device_host *host, struct bus *pio,
			      struct bus *mmio)
{
	struct debug_exit *d = dev;

	(void)mmio;
	d->host = *host;
	return bus_register(pio, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, debug_exit_io, d, "debug-exit");
}

static void debug_exit_reset(void *dev)
{
	(void)dev;
}

static void debug_exit_unrealize(void *dev)
{
	(void)dev;
}

const struct device_ops debug_exit_ops = {
    .name = "debug-exit",
    .realize = debug_exit_realize,
    .reset = debug_exit_reset,
    .unrealize = debug_exit_unrealize,
};
