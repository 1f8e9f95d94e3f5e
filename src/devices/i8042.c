// SPDX-License-Identifier: MIT
#include "i8042.h"
#include "vmm/bus.h"

#include <string.h>

#define STATUS_OBF 0x01	     /* output buffer full */
#define STATUS_SYS 0x04	     /* system flag: self-test passed */
#define STATUS_CMD 0x08	     /* last write went to the command port */
#define STATUS_UNLOCKED 0x10 /* keyboard inhibit switch off (no keylock) */

#define CMD_READ_CTR 0x20
#define CMD_WRITE_CTR 0x60
#define CMD_DISABLE_AUX 0xa7
#define CMD_ENABLE_AUX 0xa8
#define CMD_TEST_AUX 0xa9
#define CMD_SELF_TEST 0xaa
#define CMD_TEST_KBD 0xab
#define CMD_DISABLE_KBD 0xad
#define CMD_ENABLE_KBD 0xae
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_PULSE_RESET 0xfe

#define CTR_DEFAULT 0x30 /* both ports disabled, no interrupts */
#define SELF_TEST_OK 0x55

static void put_out(struct i8042 *k, uint8_t v)
{
	k->out = v;
	k->out_full = true;
}

static void command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_CTR:
		put_out(k, k->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT:
		k->pending_cmd = cmd;
		break;
	case CMD_SELF_TEST:
		put_out(k, SELF_TEST_OK);
		break;
	case CMD_TEST_KBD:
	case CMD_TEST_AUX:
		put_out(k, 0x00); /* interface test passed */
		break;
	case CMD_DISABLE_KBD:
		k->ctr |= 0x10;
		break;
	case CMD_ENABLE_KBD:
		k->ctr &= (uint8_t)~0x10;
		break;
	case CMD_DISABLE_AUX:
		k->ctr |= 0x20;
		break;
	case CMD_ENABLE_AUX:
		k->ctr &= (uint8_t)~0x20;
		break;
	case CMD_PULSE_RESET:
		k->host.request_end(k->host.vm, VM_END_RESET, 0, "keyboard controller reset");
		break;
	default:
		break; /* unknown commands are ignored, as by a real 8042 */
	}
}

static void data_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending_cmd;

	k->pending_cmd = 0;
	if (cmd == CMD_WRITE_CTR)
		k->ctr = v;
	else if (cmd == CMD_WRITE_OUTPUT && !(v & 1))
		/* Output port bit 0 low holds the CPU in reset. */
		k->host.request_end(k->host.vm, VM_END_RESET, 0, "keyboard controller reset");
	/* Bytes for a keyboard: none is attached, so they go nowhere. */
}

static void i8042_io(struct i8042 *k, uint16_t port, uint8_t *data, uint32_t len, bool is_write)
{
	if (len != 1) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&k->lock);
	if (port == I8042_CMD_PORT && is_write) {
		k->last_write_cmd = true;
		command(k, data[0]);
	} else if (port == I8042_CMD_PORT) {
		data[0] = (uint8_t)(STATUS_SYS | STATUS_UNLOCKED | (k->out_full ? STATUS_OBF : 0) |
				    (k->last_write_cmd ? STATUS_CMD : 0));
	} else if (is_write) {
		k->last_write_cmd = false;
		data_write(k, data[0]);
	} else {
		data[0] = k->out;
		k->out_full = false;
	}
	pthread_mutex_unlock(&k->lock);
}

static void data_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)offset;
	i8042_io(opaque, I8042_DATA_PORT, data, len, is_write);
}

static void cmd_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)offset;
	i8042_io(opaque, I8042_CMD_PORT, data, len, is_write);
}

static void i8042_reset(void *dev)
{
	struct i8042 *k = dev;

	pthread_mutex_lock(&k->lock);
	k->ctr = CTR_DEFAULT;
	k->out = 0;
	k->out_full = false;
	k->pending_cmd = 0;
	k->last_write_cmd = false;
	pthread_mutex_unlock(&k->lock);
}

static int i8042_realize(void *dev, const struct device_host *host, struct bus *pio,
			 struct bus *mmio)
{
	struct i8042 *k = dev;
	int ret;

	(void)mmio;
	k->host = *host;
	pthread_mutex_init(&k->lock, NULL);
	i8042_reset(k);
	/* Two single ports: 0x61 between them is the PIT gate, which KVM's
	 * in-kernel PIT handles. */
	ret = bus_register(pio, I8042_DATA_PORT, 1, data_io, k, "i8042 data");
	return ret ?: bus_register(pio, I8042_CMD_PORT, 1, cmd_io, k, "i8042 command");
}

static void i8042_unrealize(void *dev)
{
	struct i8042 *k = dev;

	pthread_mutex_destroy(&k->lock);
}

const struct device_ops i8042_ops = {
    .name = "i8042",
    .realize = i8042_realize,
    .reset = i8042_reset,
    .unrealize = i8042_unrealize,
};
