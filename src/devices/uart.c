// SPDX-License-Identifier: MIT
#include "uart.h"
#include "vmm/bus.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Register offsets (PC16550D Table II). */
enum {
	REG_RBR_THR = 0, /* DLL when LCR.DLAB */
	REG_IER = 1,	 /* DLM when LCR.DLAB */
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_RDI 0x01  /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI 0x08  /* modem status */
#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_FIFO_ON 0xc0
#define FCR_FIFO_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80
#define MSR_IDLE (MSR_DCD | MSR_DSR | MSR_CTS) /* a terminal is always attached */

/* Highest-priority pending interrupt (PC16550D Table IV), or IIR_NO_INT. */
static uint8_t pending_iir(const struct uart *u)
{
	if ((u->r.ier & IER_RLSI) && (u->r.lsr & LSR_OE))
		return IIR_RLSI;
	if ((u->r.ier & IER_RDI) && u->rx_len)
		return IIR_RDI;
	if ((u->r.ier & IER_THRI) && u->r.iir_thri_pending)
		return IIR_THRI;
	if ((u->r.ier & IER_MSI) && (u->r.msr & 0x0f))
		return IIR_MSI;
	return IIR_NO_INT;
}

static void update_irq(struct uart *u)
{
	int level = pending_iir(u) != IIR_NO_INT;

	if (level != u->irq_level && u->host.irq_line) {
		u->irq_level = level;
		u->host.irq_line(u->host.vm, u->irq, level);
	}
}

static void rx_push(struct uart *u, uint8_t b)
{
	if (u->rx_len == UART_RX_BUF) {
		u->r.lsr |= LSR_OE;
		return;
	}
	u->rx[(u->rx_head + u->rx_len) % UART_RX_BUF] = b;
	u->rx_len++;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t b;

	if (!u->rx_len)
		return 0;
	b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_BUF;
	u->rx_len--;
	return b;
}

static void transmit(struct uart *u, uint8_t b)
{
	if (u->r.mcr & MCR_LOOP) {
		rx_push(u, b);
	} else if (u->out_fd >= 0) {
		ssize_t n;

		do
			n = write(u->out_fd, &b, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			u->tx_errors++;
	}
	/* The byte left at once: THR is empty again. */
	u->r.iir_thri_pending = 1;
}

/* In loopback the modem inputs follow the modem outputs (PC16550D, MCR bit 4). */
static uint8_t read_msr(struct uart *u)
{
	uint8_t m = u->r.mcr;

	if (m & MCR_LOOP)
		return (uint8_t)((m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
				 (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0));
	return u->r.msr;
}

static uint8_t reg_read(struct uart *u, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case REG_RBR_THR:
		if (u->r.lcr & LCR_DLAB)
			return u->r.dll;
		return rx_pop(u);
	case REG_IER:
		return u->r.lcr & LCR_DLAB ? u->r.dlm : u->r.ier;
	case REG_IIR_FCR:
		v = pending_iir(u);
		/* Reading IIR while it reports THRE clears that source. */
		if (v == IIR_THRI)
			u->r.iir_thri_pending = 0;
		return (uint8_t)(v | (u->r.fcr & FCR_FIFO_ENABLE ? IIR_FIFO_ON : 0));
	case REG_LCR:
		return u->r.lcr;
	case REG_MCR:
		return u->r.mcr;
	case REG_LSR:
		v = (uint8_t)(u->r.lsr | LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0));
		u->r.lsr &= (uint8_t)~LSR_OE; /* cleared by reading */
		return v;
	case REG_MSR:
		v = read_msr(u);
		u->r.msr &= 0xf0; /* delta bits clear on read */
		return v;
	default:
		return u->r.scr;
	}
}

static void reg_write(struct uart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case REG_RBR_THR:
		if (u->r.lcr & LCR_DLAB)
			u->r.dll = v;
		else
			transmit(u, v);
		break;
	case REG_IER:
		if (u->r.lcr & LCR_DLAB) {
			u->r.dlm = v;
		} else {
			/* Enabling THRE interrupts with THR empty raises one at once. */
			if ((v & IER_THRI) && !(u->r.ier & IER_THRI))
				u->r.iir_thri_pending = 1;
			u->r.ier = v & 0x0f;
		}
		break;
	case REG_IIR_FCR:
		if (v & FCR_CLEAR_RX)
			u->rx_len = 0;
		u->r.fcr = v & 0xc9; /* enable, DMA mode, trigger level */
		break;
	case REG_LCR:
		u->r.lcr = v;
		break;
	case REG_MCR:
		u->r.mcr = v & 0x1f;
		break;
	case REG_SCR:
		u->r.scr = v;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
}

static void uart_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct uart *u = opaque;

	pthread_mutex_lock(&u->lock);
	/* The registers are bytes; a wider access touches consecutive ones. */
	for (uint32_t i = 0; i < len && offset + i < UART_NR_PORTS; i++) {
		if (is_write)
			reg_write(u, (unsigned)(offset + i), data[i]);
		else
			data[i] = reg_read(u, (unsigned)(offset + i));
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t room;

	pthread_mutex_lock(&u->lock);
	room = UART_RX_BUF - u->rx_len;
	if (len > room)
		u->r.lsr |= LSR_OE;
	for (size_t i = 0; i < len && i < room; i++)
		rx_push(u, buf[i]);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return len < room ? len : room;
}

static void uart_reset(void *dev)
{
	struct uart *u = dev;

	pthread_mutex_lock(&u->lock);
	memset(&u->r, 0, sizeof(u->r));
	u->r.msr = MSR_IDLE;
	u->r.dll = 0x0c; /* 9600 baud, the BIOS default */
	u->rx_len = 0;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static int uart_realize(void *dev, const struct device_host *host, struct bus *pio,
			struct bus *mmio)
{
	struct uart *u = dev;

	(void)mmio;
	u->host = *host;
	u->irq = UART_COM1_IRQ;
	pthread_mutex_init(&u->lock, NULL);
	uart_reset(u);
	return bus_register(pio, UART_COM1_BASE, UART_NR_PORTS, uart_io, u, "uart com1");
}

static void uart_unrealize(void *dev)
{
	struct uart *u = dev;

	pthread_mutex_destroy(&u->lock);
}

const struct device_ops uart_ops = {
    .name = "uart",
    .realize = uart_realize,
    .reset = uart_reset,
    .unrealize = uart_unrealize,
};
