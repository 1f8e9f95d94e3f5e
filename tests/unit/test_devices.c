// SPDX-License-Identifier: MIT
/*
 * Unit tests for the device models (src/devices/): each is realized on a real
 * port I/O bus with a fake device_host that records IRQ levels and end
 * requests.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus.h"
#include "devices/debug_exit.h"
#include "devices/i8042.h"
#include "devices/uart.h"
#include "fake_host.h"

/* ---- UART ---- */

#define COM1 UART_COM1_BASE
#define RBR (COM1 + 0)
#define THR (COM1 + 0)
#define DLL (COM1 + 0)
#define IER (COM1 + 1)
#define DLM (COM1 + 1)
#define IIR (COM1 + 2)
#define FCR (COM1 + 2)
#define LCR (COM1 + 3)
#define MCR (COM1 + 4)
#define LSR (COM1 + 5)
#define MSR (COM1 + 6)
#define SCR (COM1 + 7)

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

/* The UART and the pipe it transmits into. */
struct uart_fx {
	struct uart u; /* first: realize() and the tests use it as the device */
	int pipe[2];   /* the UART writes to [1]; the test reads [0] */
};

static int uart_init(void *dev)
{
	struct uart_fx *f = dev;

	if (pipe2(f->pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	f->u.out_fd = f->pipe[1];
	return 0;
}

static void uart_fini(void *dev)
{
	struct uart_fx *f = dev;

	close(f->pipe[0]);
	close(f->pipe[1]);
}

static const struct fake_dev_type uart_type = {
    .ops = &uart_ops, .size = sizeof(struct uart_fx), .init = uart_init, .fini = uart_fini};
#define UART_TEST(f) FAKE_DEV_TEST(f, &uart_type)

/* Reads what the UART sent to the pipe so far. */
static size_t drain(struct fake_dev *t, uint8_t *buf, size_t cap)
{
	struct uart_fx *f = t->dev;
	ssize_t n = read(f->pipe[0], buf, cap);

	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		return 0;
	}
	return (size_t)n;
}

static void test_uart_realize(void **state)
{
	struct fake_dev *t = *state;

	assert_claimed(t, 0x3f8, 8);
	assert_null(bus_find(&t->pio, 0x3f7));
	assert_null(bus_find(&t->pio, 0x400));
	/* Power-on state: nothing pending, IRQ line never raised. */
	assert_int_equal(inb(&t->pio, IIR), 0x01);
	assert_int_equal(inb(&t->pio, IER), 0x00);
	assert_int_equal(inb(&t->pio, LCR), 0x00);
	assert_int_equal(inb(&t->pio, MCR), 0x00);
	assert_int_equal(inb(&t->pio, MSR), 0xb0); /* DCD, DSR, CTS */
	assert_int_equal(t->vm.level[UART_COM1_IRQ], 0);
	assert_int_equal(t->vm.bad_irq_calls, 0);
}

static void test_uart_transmit(void **state)
{
	struct fake_dev *t = *state;
	struct uart *u = t->dev;
	uint8_t buf[64];

	assert_int_equal(inb(&t->pio, LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
	assert_int_equal(drain(t, buf, sizeof(buf)), 0);
	for (const char *s = "hello\r\n"; *s; s++) {
		outb(&t->pio, THR, (uint8_t)*s);
		/* The byte leaves at once: THR and the shifter are empty again. */
		assert_int_equal(inb(&t->pio, LSR), LSR_THRE | LSR_TEMT);
	}
	assert_int_equal(drain(t, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "hello\r\n", 7);
	assert_int_equal(u->tx_errors, 0);
	/* Transmitting raises no interrupt while IER is 0. */
	assert_int_equal(t->vm.irq_calls[UART_COM1_IRQ], 0);
}

static void test_uart_receive(void **state)
{
	struct fake_dev *t = *state;

	assert_int_equal(inb(&t->pio, LSR) & LSR_DR, 0);
	assert_int_equal(uart_receive(t->dev, (const uint8_t *)"abc", 3), 3);
	assert_int_equal(inb(&t->pio, LSR), LSR_DR | LSR_THRE | LSR_TEMT);
	assert_int_equal(inb(&t->pio, RBR), 'a');
	assert_int_equal(inb(&t->pio, LSR) & LSR_DR, LSR_DR);
	assert_int_equal(inb(&t->pio, RBR), 'b');
	assert_int_equal(uart_receive(t->dev, (const uint8_t *)"d", 1), 1);
	assert_int_equal(inb(&t->pio, RBR), 'c');
	assert_int_equal(inb(&t->pio, RBR), 'd');
	assert_int_equal(inb(&t->pio, LSR) & LSR_DR, 0);
	/* Nothing interrupts with IER clear. */
	assert_int_equal(t->vm.irq_calls[UART_COM1_IRQ], 0);
	assert_int_equal(inb(&t->pio, IIR), 0x01);
}

static void test_uart_thre_interrupt(void **state)
{
	struct fake_dev *t = *state;
	const unsigned irq = UART_COM1_IRQ;

	/* Enabling THRE interrupts with THR empty raises one at once. */
	outb(&t->pio, IER, 0x02);
	assert_int_equal(inb(&t->pio, IER), 0x02);
	assert_int_equal(t->vm.level[irq], 1);
	assert_int_equal(t->vm.irq_calls[irq], 1);
	/* IIR says THRE; reading it clears that source and the line drops. */
	assert_int_equal(inb(&t->pio, IIR), 0x02);
	assert_int_equal(t->vm.level[irq], 0);
	assert_int_equal(t->vm.irq_calls[irq], 2);
	assert_int_equal(inb(&t->pio, IIR), 0x01);
	assert_int_equal(t->vm.irq_calls[irq], 2); /* no change, no call */

	/* Each transmitted byte empties THR again: a new THRE interrupt. */
	outb(&t->pio, THR, 'x');
	assert_int_equal(t->vm.level[irq], 1);
	assert_int_equal(inb(&t->pio, IIR), 0x02);
	assert_int_equal(t->vm.level[irq], 0);

	/* Re-writing IER with THRI still set does not re-arm it. */
	outb(&t->pio, IER, 0x02);
	assert_int_equal(t->vm.level[irq], 0);
	assert_int_equal(inb(&t->pio, IIR), 0x01);
	/* Masking THRI lowers the line even while the source is pending. */
	outb(&t->pio, THR, 'y');
	assert_int_equal(t->vm.level[irq], 1);
	outb(&t->pio, IER, 0x00);
	assert_int_equal(t->vm.level[irq], 0);
	assert_int_equal(inb(&t->pio, IIR), 0x01);
	assert_int_equal(t->vm.bad_irq_calls, 0);
}

static void test_uart_rx_interrupt_and_priority(void **state)
{
	struct fake_dev *t = *state;
	const unsigned irq = UART_COM1_IRQ;

	outb(&t->pio, IER, 0x01); /* RDI only */
	assert_int_equal(t->vm.level[irq], 0);
	assert_int_equal(uart_receive(t->dev, (const uint8_t *)"hi", 2), 2);
	assert_int_equal(t->vm.level[irq], 1);
	assert_int_equal(inb(&t->pio, IIR), 0x04);
	assert_int_equal(inb(&t->pio, IIR), 0x04); /* reading IIR does not clear RDI */
	assert_int_equal(inb(&t->pio, RBR), 'h');
	assert_int_equal(t->vm.level[irq], 1);
	assert_int_equal(inb(&t->pio, RBR), 'i');
	assert_int_equal(t->vm.level[irq], 0);
	assert_int_equal(inb(&t->pio, IIR), 0x01);

	/* RDI outranks THRE; THRE shows once the data is read. */
	outb(&t->pio, IER, 0x03);
	assert_int_equal(uart_receive(t->dev, (const uint8_t *)"z", 1), 1);
	assert_int_equal(inb(&t->pio, IIR), 0x04);
	assert_int_equal(inb(&t->pio, RBR), 'z');
	assert_int_equal(t->vm.level[irq], 1);
	assert_int_equal(inb(&t->pio, IIR), 0x02);
	assert_int_equal(t->vm.level[irq], 0);

	/* A line status error (overrun) outranks received data. */
	outb(&t->pio, IER, 0x07);
	{
		static uint8_t flood[UART_RX_BUF + 1];

		assert_int_equal(uart_receive(t->dev, flood, sizeof(flood)), UART_RX_BUF);
	}
	assert_int_equal(t->vm.level[irq], 1);
	assert_int_equal(inb(&t->pio, IIR), 0x06);
	assert_int_equal(inb(&t->pio, LSR) & LSR_OE, LSR_OE);
	assert_int_equal(inb(&t->pio, IIR), 0x04);
	outb(&t->pio, FCR, 0x02); /* clear RX */
	assert_int_equal(inb(&t->pio, IIR), 0x01);
	assert_int_equal(t->vm.level[irq], 0);
	assert_int_equal(t->vm.bad_irq_calls, 0);
}

static void test_uart_dlab(void **state)
{
	struct fake_dev *t = *state;
	uint8_t buf[8];

	outb(&t->pio, IER, 0x05);
	outb(&t->pio, LCR, 0x83); /* DLAB, 8N1 */
	assert_int_equal(inb(&t->pio, LCR), 0x83);
	assert_int_equal(inb(&t->pio, DLL), 0x0c); /* 9600 baud after reset */
	assert_int_equal(inb(&t->pio, DLM), 0x00);
	outb(&t->pio, DLL, 0x01); /* 115200 baud */
	outb(&t->pio, DLM, 0x02);
	assert_int_equal(inb(&t->pio, DLL), 0x01);
	assert_int_equal(inb(&t->pio, DLM), 0x02);
	assert_int_equal(drain(t, buf, sizeof(buf)), 0); /* DLL writes are not data */

	outb(&t->pio, LCR, 0x03);
	assert_int_equal(inb(&t->pio, IER), 0x05); /* untouched by the DLM write */
	outb(&t->pio, THR, 'Q');
	assert_int_equal(drain(t, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'Q');
	assert_int_equal(uart_receive(t->dev, (const uint8_t *)"R", 1), 1);
	assert_int_equal(inb(&t->pio, RBR), 'R');

	outb(&t->pio, LCR, 0x80);
	assert_int_equal(inb(&t->pio, DLL), 0x01);
	assert_int_equal(inb(&t->pio, DLM), 0x02);
	outb(&t->pio, LCR, 0x03);
}

static void test_uart_loopback(void **state)
{
	struct fake_dev *t = *state;
	uint8_t buf[8];

	/* Linux's 8250 probe: loopback with OUT2 and RTS must read back MSR 0x9X. */
	outb(&t->pio, MCR, 0x1a);
	assert_int_equal(inb(&t->pio, MCR), 0x1a);
	assert_int_equal(inb(&t->pio, MSR) & 0xf0, 0x90);
	outb(&t->pio, MCR, 0x1f); /* all outputs: CTS, DSR, RI, DCD */
	assert_int_equal(inb(&t->pio, MSR) & 0xf0, 0xf0);
	outb(&t->pio, MCR, 0x15); /* DTR, OUT1 */
	assert_int_equal(inb(&t->pio, MSR) & 0xf0, 0x60);
	outb(&t->pio, MCR, 0x10);
	assert_int_equal(inb(&t->pio, MSR) & 0xf0, 0x00);

	/* Transmitted bytes come back on RBR, not out of the port. */
	outb(&t->pio, THR, 0x55);
	outb(&t->pio, THR, 0xaa);
	assert_int_equal(inb(&t->pio, LSR) & LSR_DR, LSR_DR);
	assert_int_equal(inb(&t->pio, RBR), 0x55);
	assert_int_equal(inb(&t->pio, RBR), 0xaa);
	assert_int_equal(inb(&t->pio, LSR) & LSR_DR, 0);
	assert_int_equal(drain(t, buf, sizeof(buf)), 0);

	/* Out of loopback the port transmits again and MSR is the idle line. */
	outb(&t->pio, MCR, 0x0b);
	assert_int_equal(inb(&t->pio, MSR), 0xb0);
	outb(&t->pio, THR, 'k');
	assert_int_equal(drain(t, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'k');
	assert_int_equal(inb(&t->pio, LSR) & LSR_DR, 0);
}

static void test_uart_overrun(void **state)
{
	struct fake_dev *t = *state;
	static uint8_t in[UART_RX_BUF + 100];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + i / 256);
	/* Exactly full: no overrun. */
	assert_int_equal(uart_receive(t->dev, in, UART_RX_BUF), UART_RX_BUF);
	assert_int_equal(inb(&t->pio, LSR) & (LSR_OE | LSR_DR), LSR_DR);
	/* One more byte overruns, and so does a partial fit. */
	assert_int_equal(uart_receive(t->dev, in + UART_RX_BUF, 1), 0);
	assert_int_equal(inb(&t->pio, LSR) & (LSR_OE | LSR_DR), LSR_OE | LSR_DR);
	/* Reading LSR cleared OE. */
	assert_int_equal(inb(&t->pio, LSR) & LSR_OE, 0);

	for (size_t i = 0; i < 10; i++)
		assert_int_equal(inb(&t->pio, RBR), in[i]);
	assert_int_equal(uart_receive(t->dev, in + UART_RX_BUF, 100), 10);
	assert_int_equal(inb(&t->pio, LSR) & LSR_OE, LSR_OE);
	assert_int_equal(inb(&t->pio, LSR) & LSR_OE, 0);
	/* The FIFO holds the oldest bytes in order, then the ones that fit. */
	for (size_t i = 10; i < UART_RX_BUF; i++)
		if (inb(&t->pio, RBR) != in[i])
			fail_msg("RBR byte %zu differs", i);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(inb(&t->pio, RBR), in[UART_RX_BUF + i]);
	assert_int_equal(inb(&t->pio, LSR) & (LSR_OE | LSR_DR), 0);
	assert_int_equal(inb(&t->pio, RBR), 0); /* empty reads as 0 */

	/* Overrun through loopback too. */
	assert_int_equal(uart_receive(t->dev, in, UART_RX_BUF), UART_RX_BUF);
	outb(&t->pio, MCR, 0x10);
	outb(&t->pio, THR, 0x42);
	assert_int_equal(inb(&t->pio, LSR) & LSR_OE, LSR_OE);
	outb(&t->pio, MCR, 0x00);
}

static void test_uart_fcr_and_scratch(void **state)
{
	struct fake_dev *t = *state;

	assert_int_equal(uart_receive(t->dev, (const uint8_t *)"0123456789", 10), 10);
	outb(&t->pio, FCR, 0x01); /* FIFO on, nothing cleared */
	assert_int_equal(inb(&t->pio, IIR), 0xc1);
	assert_int_equal(inb(&t->pio, LSR) & LSR_DR, LSR_DR);
	assert_int_equal(inb(&t->pio, RBR), '0');
	outb(&t->pio, FCR, 0x03); /* FIFO on, clear RX */
	assert_int_equal(inb(&t->pio, LSR) & LSR_DR, 0);
	assert_int_equal(inb(&t->pio, RBR), 0);
	assert_int_equal(inb(&t->pio, IIR), 0xc1);
	/* The FIFO still works after clearing. */
	assert_int_equal(uart_receive(t->dev, (const uint8_t *)"AB", 2), 2);
	assert_int_equal(inb(&t->pio, RBR), 'A');
	assert_int_equal(inb(&t->pio, RBR), 'B');
	outb(&t->pio, FCR, 0x00);
	assert_int_equal(inb(&t->pio, IIR), 0x01);

	outb(&t->pio, SCR, 0xa5);
	assert_int_equal(inb(&t->pio, SCR), 0xa5);
	outb(&t->pio, SCR, 0x5a);
	assert_int_equal(inb(&t->pio, SCR), 0x5a);
	/* LSR and MSR ignore writes. */
	outb(&t->pio, LSR, 0xff);
	outb(&t->pio, MSR, 0x00);
	assert_int_equal(inb(&t->pio, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(inb(&t->pio, MSR), 0xb0);
}

static void test_uart_wide_access_and_reset(void **state)
{
	struct fake_dev *t = *state;
	uint8_t v[2] = {0x03, 0x0b};

	/* A 2-byte write at LCR sets LCR and MCR. */
	assert_true(bus_dispatch(&t->pio, LCR, v, 2, true));
	assert_int_equal(inb(&t->pio, LCR), 0x03);
	assert_int_equal(inb(&t->pio, MCR), 0x0b);
	outb(&t->pio, IER, 0x02);
	assert_int_equal(t->vm.level[UART_COM1_IRQ], 1);
	assert_int_equal(uart_receive(t->dev, (const uint8_t *)"x", 1), 1);

	uart_ops.reset(t->dev);
	assert_int_equal(t->vm.level[UART_COM1_IRQ], 0);
	assert_int_equal(inb(&t->pio, IER), 0);
	assert_int_equal(inb(&t->pio, LCR), 0);
	assert_int_equal(inb(&t->pio, MCR), 0);
	assert_int_equal(inb(&t->pio, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(inb(&t->pio, IIR), 0x01);
	outb(&t->pio, LCR, 0x80);
	assert_int_equal(inb(&t->pio, DLL), 0x0c);
	outb(&t->pio, LCR, 0x00);
}

/* ---- i8042 ---- */

#define KBD_DATA I8042_DATA_PORT
#define KBD_CMD I8042_CMD_PORT
#define ST_OBF 0x01
#define ST_SYS 0x14 /* system flag, and the keylock switch off */
#define ST_CMD 0x08
/* Bit 3 is left out where only OBF and SYS matter: on a real 8042 it tracks
 * whether the last write went to port 0x64, which this model approximates. */
#define ST_MASK (ST_OBF | ST_SYS)

static const struct fake_dev_type kbd_type = {.ops = &i8042_ops, .size = sizeof(struct i8042)};
#define KBD_TEST(f) FAKE_DEV_TEST(f, &kbd_type)

static void test_i8042_ports(void **state)
{
	struct fake_dev *t = *state;
	uint8_t two[2] = {0, 0};

	assert_non_null(bus_find(&t->pio, 0x60));
	assert_non_null(bus_find(&t->pio, 0x64));
	assert_null(bus_find(&t->pio, 0x61)); /* the PIT gate is KVM's */
	assert_null(bus_find(&t->pio, 0x63));
	assert_null(bus_find(&t->pio, 0x65));
	assert_int_equal(inb(&t->pio, KBD_CMD), ST_SYS);
	/* Only byte accesses do anything. */
	assert_true(bus_dispatch(&t->pio, KBD_CMD, two, 2, false));
	assert_memory_equal(two, "\xff\xff", 2);
	two[0] = 0xfe;
	two[1] = 0x00;
	assert_true(bus_dispatch(&t->pio, KBD_CMD, two, 2, true));
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_i8042_self_test(void **state)
{
	struct fake_dev *t = *state;

	outb(&t->pio, KBD_CMD, 0xaa);
	assert_int_equal(inb(&t->pio, KBD_CMD) & ST_MASK, ST_SYS | ST_OBF);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x55);
	assert_int_equal(inb(&t->pio, KBD_CMD) & ST_MASK, ST_SYS);
	/* Interface tests pass with 0x00. */
	outb(&t->pio, KBD_CMD, 0xab);
	assert_int_equal(inb(&t->pio, KBD_CMD) & ST_OBF, ST_OBF);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x00);
	outb(&t->pio, KBD_CMD, 0xa9);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x00);
	assert_int_equal(inb(&t->pio, KBD_CMD) & ST_OBF, 0);
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_i8042_ctr(void **state)
{
	struct fake_dev *t = *state;

	outb(&t->pio, KBD_CMD, 0x20);
	/* Status bit 3: the last write went to the command port. */
	assert_int_equal(inb(&t->pio, KBD_CMD), ST_SYS | ST_OBF | ST_CMD);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x30);

	outb(&t->pio, KBD_CMD, 0x60);
	assert_int_equal(inb(&t->pio, KBD_CMD), ST_SYS | ST_CMD); /* waiting for data */
	outb(&t->pio, KBD_DATA, 0x47);
	assert_int_equal(inb(&t->pio, KBD_CMD), ST_SYS); /* data went to the controller */
	outb(&t->pio, KBD_CMD, 0x20);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x47);

	/* A data byte with no command pending does not touch the CTR. */
	outb(&t->pio, KBD_DATA, 0xf4);
	outb(&t->pio, KBD_CMD, 0x20);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x47);

	/* Port enable/disable commands edit CTR bits 4 and 5. */
	outb(&t->pio, KBD_CMD, 0xad);
	outb(&t->pio, KBD_CMD, 0xa7);
	outb(&t->pio, KBD_CMD, 0x20);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x77);
	outb(&t->pio, KBD_CMD, 0xae);
	outb(&t->pio, KBD_CMD, 0xa8);
	outb(&t->pio, KBD_CMD, 0x20);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x47);

	i8042_ops.reset(t->dev);
	outb(&t->pio, KBD_CMD, 0x20);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x30);
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_i8042_pulse_reset(void **state)
{
	struct fake_dev *t = *state;

	outb(&t->pio, KBD_CMD, 0xfe);
	assert_int_equal(t->vm.end_calls, 1);
	assert_int_equal(t->vm.end_why, VM_END_RESET);
	assert_int_equal(t->vm.end_status, 0);
}

static void test_i8042_output_port_reset(void **state)
{
	struct fake_dev *t = *state;

	/* Bit 0 set keeps the CPU running. */
	outb(&t->pio, KBD_CMD, 0xd1);
	assert_int_equal(inb(&t->pio, KBD_CMD) & ST_CMD, ST_CMD);
	outb(&t->pio, KBD_DATA, 0xdf);
	assert_int_equal(t->vm.end_calls, 0);
	/* A data byte after the command was used up is not another output-port write. */
	outb(&t->pio, KBD_DATA, 0xfe);
	assert_int_equal(t->vm.end_calls, 0);
	/* Bit 0 clear holds the CPU in reset. */
	outb(&t->pio, KBD_CMD, 0xd1);
	outb(&t->pio, KBD_DATA, 0xfe);
	assert_int_equal(t->vm.end_calls, 1);
	assert_int_equal(t->vm.end_why, VM_END_RESET);
	/* The controller state itself is unharmed: CTR unchanged. */
	outb(&t->pio, KBD_CMD, 0x20);
	assert_int_equal(inb(&t->pio, KBD_DATA), 0x30);
}

/* ---- debug exit ---- */

/* Its request_end() carries the guest's status, with no message. */
static const struct fake_dev_type dbg_type = {
    .ops = &debug_exit_ops, .size = sizeof(struct debug_exit), .end_msg_optional = true};
#define DBG_TEST(f) FAKE_DEV_TEST(f, &dbg_type)

static void test_debug_exit_ports(void **state)
{
	struct fake_dev *t = *state;
	uint8_t v[4] = {0};

	assert_claimed(t, 0xf4, 4);
	assert_null(bus_find(&t->pio, 0xf3));
	assert_null(bus_find(&t->pio, 0xf8));
	assert_true(bus_dispatch(&t->pio, 0xf4, v, 4, false));
	assert_memory_equal(v, "\xff\xff\xff\xff", 4);
	assert_int_equal(inb(&t->pio, 0xf4), 0xff);
	assert_int_equal(inb(&t->pio, 0xf7), 0xff);
	assert_int_equal(t->vm.end_calls, 0);
}

static void test_debug_exit_write32(void **state)
{
	struct fake_dev *t = *state;
	uint8_t v[4] = {3, 0, 0, 0};

	assert_true(bus_dispatch(&t->pio, 0xf4, v, 4, true));
	assert_int_equal(t->vm.end_calls, 1);
	assert_int_equal(t->vm.end_why, VM_END_POWEROFF);
	assert_int_equal(t->vm.end_status, 3);

	/* Wider writes carry all their bits, little-endian. */
	memcpy(v, "\x78\x56\x34\x12", 4);
	assert_true(bus_dispatch(&t->pio, 0xf4, v, 4, true));
	assert_int_equal(t->vm.end_calls, 2);
	assert_int_equal(t->vm.end_status, 0x12345678);
}

static void test_debug_exit_narrow_writes(void **state)
{
	struct fake_dev *t = *state;
	uint8_t v[2] = {0x34, 0x12};

	outb(&t->pio, 0xf4, 0x2a);
	assert_int_equal(t->vm.end_calls, 1);
	assert_int_equal(t->vm.end_why, VM_END_POWEROFF);
	assert_int_equal(t->vm.end_status, 0x2a);
	assert_true(bus_dispatch(&t->pio, 0xf4, v, 2, true));
	assert_int_equal(t->vm.end_calls, 2);
	assert_int_equal(t->vm.end_status, 0x1234);
	/* Writes that miss the port's first byte do nothing. */
	outb(&t->pio, 0xf5, 1);
	outb(&t->pio, 0xf7, 1);
	assert_int_equal(t->vm.end_calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UART_TEST(test_uart_realize),
	    UART_TEST(test_uart_transmit),
	    UART_TEST(test_uart_receive),
	    UART_TEST(test_uart_thre_interrupt),
	    UART_TEST(test_uart_rx_interrupt_and_priority),
	    UART_TEST(test_uart_dlab),
	    UART_TEST(test_uart_loopback),
	    UART_TEST(test_uart_overrun),
	    UART_TEST(test_uart_fcr_and_scratch),
	    UART_TEST(test_uart_wide_access_and_reset),
	    KBD_TEST(test_i8042_ports),
	    KBD_TEST(test_i8042_self_test),
	    KBD_TEST(test_i8042_ctr),
	    KBD_TEST(test_i8042_pulse_reset),
	    KBD_TEST(test_i8042_output_port_reset),
	    DBG_TEST(test_debug_exit_ports),
	    DBG_TEST(test_debug_exit_write32),
	    DBG_TEST(test_debug_exit_narrow_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
