/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART (National Semiconductor PC16550D data sheet) on COM1:
 * port 0x3f8, ISA IRQ 4. Transmitted bytes go straight to an output file
 * descriptor; received bytes come from the host through uart_receive().
 * Loopback mode (MCR bit 4) works as on the chip, since Linux's 8250 driver
 * probes with it.
 */
#ifndef SEVM_SRC_DEVICES_UART_H
#define SEVM_SRC_DEVICES_UART_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"

#define UART_COM1_BASE 0x3f8
#define UART_COM1_IRQ 4
#define UART_NR_PORTS 8
#define UART_RX_BUF 4096 /* host-side backlog behind the 16-byte FIFO */

/* Register state: plain data, kept apart from the runtime parts. */
struct uart_regs {
	uint8_t ier, iir_thri_pending, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
};

struct uart {
	struct device_host host;
	int out_fd; /* where transmitted bytes go; -1 discards */
	unsigned irq;
	pthread_mutex_t lock;
	struct uart_regs r;
	uint8_t rx[UART_RX_BUF];
	size_t rx_head, rx_len;
	int irq_level;
	unsigned long tx_errors;
};

extern const struct device_ops uart_ops;

/* Queues bytes the guest will read; returns how many fit (the rest overrun). */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len);

#endif
