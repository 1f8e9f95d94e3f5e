// SPDX-License-Identifier: MIT
/*
 * COM1 (16550 at 0x3f8) and the debug-exit port.  Only CPL0 touches ports;
 * the workload prints through SYS_WRITE.  A lock serialises lines, because
 * a dying AP may print an exception report while the BSP prints.
 */
#include "kernel.h"
#include "x86.h"

#define COM1 0x3f8
#define UART_THR 0 /* write: transmit holding register */
#define UART_RBR 0 /* read: receive buffer */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LCR_DLAB 0x80

/* QEMU's isa-debug-exit,iobase=0xf4,iosize=4: a 32-bit write powers off. */
#define DEBUG_EXIT_PORT 0xf4

static volatile u32 print_lock;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0); /* we poll; no interrupts */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_THR, 1); /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0x07); /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

void serial_write(const char *s, size_t n)
{
	lock();
	for (size_t i = 0; i < n; i++) {
		while (!(inb(COM1 + UART_LSR) & LSR_THRE))
			cpu_relax();
		outb(COM1 + UART_THR, (u8)s[i]);
	}
	unlock();
}

void kputs(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	serial_write(s, n);
}

int serial_getc(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}

NORETURN void power_off(u32 status)
{
	outl(DEBUG_EXIT_PORT, status);
	/* No debug-exit device: stop here, interrupts are off for good. */
	for (;;)
		__asm__ volatile("cli; hlt");
}
