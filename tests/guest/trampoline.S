/* SPDX-License-Identifier: MIT */
/*
 * AP start-up trampoline.  smp.c copies tramp_start..tramp_end to a page
 * below 1 MiB and sends INIT-SIPI-SIPI with that page as the vector (Intel
 * MP spec 1.4 B.4); the AP starts here in real mode with CS = page >> 4,
 * IP = 0.  It only loads the guest's GDT and enters 32-bit protected mode;
 * ap_entry32 in head.S (an absolute address in the image) does the rest.
 * Position-independent: data is addressed relative to tramp_start via DS.
 */
#include "layout.h"

	.section .rodata.tramp, "a"
	.code16
	.globl	tramp_start, tramp_end
tramp_start:
	cli
	mov	%cs, %ax
	mov	%ax, %ds
	/* 32-bit operand size: load the full 32-bit GDT base. */
	lgdtl	(tramp_gdt_desc - tramp_start)
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$SEL_KCODE32, $ap_entry32

	.balign	4
tramp_gdt_desc:
	.word	GDT_ENTRIES * 8 - 1
	.long	gdt
tramp_end:
