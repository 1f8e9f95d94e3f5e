// SPDX-License-Identifier: MIT
#include "fw_cfg.h"
#include "vmm/bootparams.h"
#include "vmm/bus.h"

#include <stddef.h>
#include <string.h>

#define DMA_DESC_SIZE 32 /* struct fw_cfg_dma */

static const uint8_t signature[] = FW_CFG_SIGNATURE_VALUE;
static const uint8_t interface[4] = {FW_CFG_VERSION, 0, 0, 0};

void fw_cfg_set_item(struct fw_cfg *c, enum fw_cfg_item key, const void *data, uint64_t size)
{
	if ((unsigned)key < FW_CFG_NR_ITEMS)
		c->items[key] = (struct fw_cfg_blob){data, size};
}

static const struct fw_cfg_blob *item(const struct fw_cfg *c, uint16_t key)
{
	return key < FW_CFG_NR_ITEMS && c->items[key].data ? &c->items[key] : NULL;
}

static void selector_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct fw_cfg *c = opaque;

	pthread_mutex_lock(&c->lock);
	if (is_write && offset == 0 && len == 2) {
		c->selected = get_le16(data);
		c->offset = 0;
	} else if (!is_write) {
		memset(data, 0, len);
		if (offset == 0 && len == 2)
			put_le16(data, c->selected);
	}
	pthread_mutex_unlock(&c->lock);
}

static void data_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct fw_cfg *c = opaque;
	const struct fw_cfg_blob *it;

	(void)offset;
	if (is_write)
		return; /* items are read-only */
	pthread_mutex_lock(&c->lock);
	it = item(c, c->selected);
	/* Past the end, or no such item: zeros, as on QEMU's fw_cfg. */
	for (uint32_t i = 0; i < len; i++, c->offset++)
		data[i] = it && c->offset < it->size ? it->data[c->offset] : 0;
	pthread_mutex_unlock(&c->lock);
}

static bool in_shared(const struct fw_cfg *c, uint64_t gpa, uint64_t len)
{
	return gpa >= c->shared_base && gpa - c->shared_base <= c->shared_size &&
	       len <= c->shared_size - (gpa - c->shared_base);
}

/* Performs one request; returns the control word to store back. */
static uint32_t dma(struct fw_cfg *c, uint64_t desc_gpa)
{
	uint8_t d[DMA_DESC_SIZE];
	const struct fw_cfg_blob *it;
	uint64_t addr, off, len;

	if (c->fault == FW_CFG_FAULT_DMA)
		return FW_CFG_DMA_ERROR;
	if (!in_shared(c, desc_gpa, sizeof(d)) ||
	    c->host.mem_read(c->host.vm, desc_gpa, d, sizeof(d)))
		return FW_CFG_DMA_ERROR;
	len = get_le32(d + offsetof(struct fw_cfg_dma, length));
	addr = get_le64(d + offsetof(struct fw_cfg_dma, address));
	off = get_le64(d + offsetof(struct fw_cfg_dma, offset));
	it = item(c, get_le16(d + offsetof(struct fw_cfg_dma, item)));
	if (get_le32(d) != FW_CFG_DMA_READ || !it || off > it->size || len > it->size - off ||
	    !in_shared(c, addr, len))
		return FW_CFG_DMA_ERROR;
	if (len && c->host.mem_write(c->host.vm, addr, it->data + off, len))
		return FW_CFG_DMA_ERROR;
	return 0;
}

static void dma_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct fw_cfg *c = opaque;
	uint8_t control[4];
	uint64_t desc;

	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	if (offset != 0 || len != 4)
		return; /* the address is written as one 32-bit value */
	pthread_mutex_lock(&c->lock);
	desc = get_le32(data);
	put_le32(control, dma(c, desc));
	c->dma_requests++;
	if (get_le32(control))
		c->dma_errors++;
	/* The result goes back into the descriptor, if it is in shared memory at all. */
	if (in_shared(c, desc, DMA_DESC_SIZE))
		(void)c->host.mem_write(c->host.vm, desc, control, sizeof(control));
	pthread_mutex_unlock(&c->lock);
}

static void fw_cfg_reset(void *dev)
{
	struct fw_cfg *c = dev;

	pthread_mutex_lock(&c->lock);
	c->selected = 0;
	c->offset = 0;
	pthread_mutex_unlock(&c->lock);
}

static int fw_cfg_realize(void *dev, const struct device_host *host, struct bus *pio,
			  struct bus *mmio)
{
	struct fw_cfg *c = dev;
	int ret;

	(void)mmio;
	c->host = *host;
	pthread_mutex_init(&c->lock, NULL);
	fw_cfg_set_item(c, FW_CFG_SIGNATURE, signature, 4);
	fw_cfg_set_item(c, FW_CFG_INTERFACE, interface, sizeof(interface));
	fw_cfg_reset(c);
	/* A 16-bit selector write starts at 0x510 and reaches this range;
	 * 0x511 itself is the data port. */
	ret = bus_register(pio, FW_CFG_PORT_SELECTOR, 1, selector_io, c, "fw_cfg selector");
	ret = ret ?: bus_register(pio, FW_CFG_PORT_DATA, 1, data_io, c, "fw_cfg data");
	return ret ?: bus_register(pio, FW_CFG_PORT_DMA, 4, dma_io, c, "fw_cfg dma");
}

static void fw_cfg_unrealize(void *dev)
{
	struct fw_cfg *c = dev;

	pthread_mutex_destroy(&c->lock);
}

const struct device_ops fw_cfg_ops = {
    .name = "fw_cfg",
    .realize = fw_cfg_realize,
    .reset = fw_cfg_reset,
    .unrealize = fw_cfg_unrealize,
};
