// SPDX-License-Identifier: MIT
/*
 * COM1 output (16550 at 0x3f8, polled, no initialisation: a VMM's UART
 * needs none and a real one keeps its reset defaults) and the refusal path.
 * Every byte costs an I/O exit, so lines are few and short.
 */
#include "fw.h"

#define COM1 0x3f8
#define UART_LSR 5
#define LSR_THRE 0x20	     /* transmit holding register empty */
#define DEBUG_EXIT_PORT 0xf4 /* QEMU isa-debug-exit, sevm's debug exit */
#define THRE_SPINS 100000    /* a UART that never drains must not hang us */

static void con_putc(char c)
{
	for (unsigned i = 0; i < THRE_SPINS && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

void line_str(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

void line_dec(struct line *l, uint64_t v)
{
	char d[20];
	unsigned n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = d[--n];
}

void line_hex(struct line *l, uint64_t v)
{
	int shift = 60;

	line_str(l, "0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0 && l->len < sizeof(l->buf) - 1; shift -= 4)
		l->buf[l->len++] = "0123456789abcdef"[(v >> shift) & 0xf];
}

void line_print(struct line *l)
{
	for (unsigned i = 0; i < l->len; i++)
		con_putc(l->buf[i]);
	con_putc('\n');
	l->len = 0;
}

void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

NORETURN void fw_refuse_line(enum fw_exit_reason why, struct line *detail)
{
	unsigned r = (unsigned)why;
	const char *reason = fw_exit_reason_text(r);
	LINE(l);

	if (!reason) {
		r = FW_EXIT_INTERNAL;
		reason = fw_exit_reason_text(r);
	}
	line_str(&l, "firmware: ");
	line_str(&l, reason);
	if (detail && detail->len) {
		line_str(&l, ": ");
		for (unsigned i = 0; i < detail->len && l.len < sizeof(l.buf) - 1; i++)
			l.buf[l.len++] = detail->buf[i];
	}
	line_print(&l);
	mh_stop(); /* APs still waiting for the BSP halt */
	outl(DEBUG_EXIT_PORT, FW_EXIT_BASE | r);
	/* No debug-exit device: stop here, interrupts off. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

NORETURN void fw_refuse(enum fw_exit_reason why, const char *detail)
{
	LINE(d);

	if (detail)
		line_str(&d, detail);
	fw_refuse_line(why, &d);
}
