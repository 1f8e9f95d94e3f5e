// SPDX-License-Identifier: MIT
#include "pci_host.h"
#include "vmm/bootparams.h"
#include "vmm/bus.h"

#include <string.h>

#define ADDR_ENABLE 0x80000000u
#define ADDR_BUS(a) (((a) >> 16) & 0xff)
#define ADDR_DEVFN(a) (((a) >> 8) & 0xff)
#define ADDR_REG(a) ((a)&0xfc)

/* Type 0 configuration header offsets (PCI 3.0 §6.1). */
#define CFG_VENDOR_ID 0x00
#define CFG_DEVICE_ID 0x02
#define CFG_COMMAND 0x04
#define CFG_STATUS 0x06
#define CFG_CLASS_REVISION 0x08
#define CFG_HEADER_TYPE 0x0e
#define CLASS_HOST_BRIDGE 0x060000u

static void address_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_host *p = opaque;

	/* Only whole dword accesses reach CONFIG_ADDRESS; narrower ones are
	 * ordinary I/O that nothing claims (PCI 3.0 §3.2.2.3.2). */
	if (offset != 0 || len != 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (is_write)
		p->address = get_le32(data) & 0x80fffffcu;
	else
		put_le32(data, p->address);
	pthread_mutex_unlock(&p->lock);
}

static void data_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_host *p = opaque;
	uint32_t reg;
	bool bridge;

	pthread_mutex_lock(&p->lock);
	reg = ADDR_REG(p->address) + (uint32_t)offset;
	bridge = (p->address & ADDR_ENABLE) && ADDR_BUS(p->address) == 0 &&
		 ADDR_DEVFN(p->address) == 0 && reg + len <= sizeof(p->config);
	if (!is_write) {
		if (bridge)
			memcpy(data, p->config + reg, len);
		else
			memset(data, 0xff, len); /* no such function */
	} else if (bridge) {
		/* The command register is the only writable part: the bridge has
		 * no BARs, and status bits are read-only here. A dword write at
		 * 0x04 covers both; only its command half lands. */
		for (uint32_t i = 0; i < len; i++)
			if (reg + i >= CFG_COMMAND && reg + i < CFG_STATUS)
				p->config[reg + i] = data[i];
	}
	pthread_mutex_unlock(&p->lock);
}

static void pci_host_reset(void *dev)
{
	struct pci_host *p = dev;

	pthread_mutex_lock(&p->lock);
	memset(p->config, 0, sizeof(p->config));
	put_le16(p->config + CFG_VENDOR_ID, PCI_HOST_VENDOR_ID);
	put_le16(p->config + CFG_DEVICE_ID, PCI_HOST_DEVICE_ID);
	put_le32(p->config + CFG_CLASS_REVISION, CLASS_HOST_BRIDGE << 8);
	p->config[CFG_HEADER_TYPE] = 0; /* single-function, type 0 */
	p->address = 0;
	pthread_mutex_unlock(&p->lock);
}

static int pci_host_realize(void *dev, const struct device_host *host, struct bus *pio,
			    struct bus *mmio)
{
	struct pci_host *p = dev;
	int ret;

	(void)mmio;
	p->host = *host;
	pthread_mutex_init(&p->lock, NULL);
	pci_host_reset(p);
	ret = bus_register(pio, PCI_CONFIG_ADDRESS_PORT, 4, address_io, p, "pci config address");
	return ret ?: bus_register(pio, PCI_CONFIG_DATA_PORT, 4, data_io, p, "pci config data");
}

static void pci_host_unrealize(void *dev)
{
	struct pci_host *p = dev;

	pthread_mutex_destroy(&p->lock);
}

const struct device_ops pci_host_ops = {
    .name = "pci-host",
    .realize = pci_host_realize,
    .reset = pci_host_reset,
    .unrealize = pci_host_unrealize,
};
