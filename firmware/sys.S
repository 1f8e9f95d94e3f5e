/* SPDX-License-Identifier: MIT */
/*
 * Static system tables and the privilege transitions of the firmware.
 *
 * The page tables, GDT, TSS and IDT are assembled as constant data at the
 * fixed addresses of fw_layout.h: on PVM every CPL0 instruction is emulated
 * (test-environment.md), so tables that exist before the first instruction
 * cost nothing, and they are part of the measured image.
 *
 * CPL0 -> CPL3: fw_user_call(job) saves the callee-saved registers and the
 * stack pointer, then IRETQs to fw_user_entry (user.S) on the CPL3 stack.
 * CPL3 -> CPL0: int 0x80 FW_SYS_DONE (PVM delivers it as #UD, see trap.c)
 * reaches fw_trap on the trap stack (TSS.RSP0), which calls fw_user_resume:
 * back on the saved stack, fw_user_call returns the job's result.
 */
#include "fw_layout.h"

/* ---- page tables: Intel SDM Vol. 3A §4.5, 2 MiB pages (PS) ---- */
	.section .fw.pt, "aw", @progbits
	/* FW_PML4 */
	.quad	FW_PDPT + PTE_P + PTE_W + PTE_U
	.fill	511, 8, 0
	/* FW_PDPT: 0-4 GiB identity; 4-8 GiB the Migration Handler's alias
	 * of the same (FW_MH_RAM_ALIAS), through the same PDs: RAM below
	 * 3 GiB and, in the image, the VMSA pages (user pages below). */
	i = 0
	.rept	4
	.quad	FW_PD + i * FW_PAGE + PTE_P + PTE_W + PTE_U
	i = i + 1
	.endr
	i = 0
	.rept	4
	.quad	FW_PD + i * FW_PAGE + PTE_P + PTE_W + PTE_U
	i = i + 1
	.endr
	.fill	504, 8, 0
	/* FW_PD: 0-3 GiB RAM for CPL3 to fill, the 3-4 GiB hole unmapped but
	 * for the last 2 MiB, which FW_PT maps page by page. */
	i = 0
	.rept	1536
	.quad	(i << 21) + PTE_P + PTE_W + PTE_U + PTE_PS
	i = i + 1
	.endr
	.fill	511, 8, 0
	.quad	FW_PT + PTE_P + PTE_W + PTE_U
	/* FW_PT: the image (upper 1 MiB of the last 2 MiB); user pages only
	 * in [FW_USER, FW_USER_END) and the VMSA pages, which the Migration
	 * Handler reads (source) and writes after a verified commit (target):
	 * CPL3 cannot touch the secret, page tables, descriptor tables or
	 * CPL0 data. */
	.fill	256, 8, 0
	i = 0
	.rept	256
	a = FW_IMAGE_BASE + i * FW_PAGE
	.if	((a >= FW_USER) && (a < FW_USER_END)) || (a < FW_VMSA_BASE + FW_VMSA_MAX * FW_PAGE)
	.quad	a + PTE_P + PTE_W + PTE_U
	.else
	.quad	a + PTE_P + PTE_W
	.endif
	i = i + 1
	.endr
	/* FW_OS_PML4, FW_OS_PDPT, FW_OS_PD: 0-4 GiB identity for the kernel
	 * (boot.rst 64-bit protocol), supervisor only. */
	.quad	FW_OS_PDPT + PTE_P + PTE_W
	.fill	511, 8, 0
	i = 0
	.rept	4
	.quad	FW_OS_PD + i * FW_PAGE + PTE_P + PTE_W
	i = i + 1
	.endr
	.fill	508, 8, 0
	i = 0
	.rept	2048
	.quad	(i << 21) + PTE_P + PTE_W + PTE_PS
	i = i + 1
	.endr

/* ---- GDT, TSS, the kernel's boot GDT, descriptor-table registers ---- */
	.section .fw.sys, "aw", @progbits
	.globl	fw_gdt
fw_gdt:	/* flat descriptors (Intel SDM Vol. 3A §3.4.5), accessed bit preset */
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x08 code, 64-bit */
	.quad	0x00cf93000000ffff	/* 0x10 data */
	.quad	0x00cf9b000000ffff	/* 0x18 code, 32-bit: real -> protected mode */
	.quad	0x00cffb000000ffff	/* 0x20 user code, 32-bit (unused) */
	.quad	0x00cff3000000ffff	/* 0x2b user data */
	.quad	0x00affb000000ffff	/* 0x33 user code, 64-bit */
	/* 0x38: 64-bit TSS, type 9, limit 0x67 (Intel SDM Vol. 3A §8.2.3) */
	.word	0x67, FW_TSS & 0xffff
	.byte	(FW_TSS >> 16) & 0xff, 0x89, 0, (FW_TSS >> 24) & 0xff
	.long	0, 0
	/* 0x48 + 16 * h: handler h's TSS (FW_MH_TSS), loaded by that vCPU. */
	h = 0
	.rept	FW_MH_TSS_MAX
	t = FW_MH_TSS + h * FW_MH_TSS_SIZE
	.word	0x67, t & 0xffff
	.byte	(t >> 16) & 0xff, 0x89, 0, (t >> 24) & 0xff
	.long	0, 0
	h = h + 1
	.endr

	/* 16-bit LGDTL reads limit and a 32-bit base, 64-bit LGDT 64 bits. */
	.org	FW_GDT_DESC - FW_SYS
	.word	FW_GDT_ENTRIES * 8 - 1
	.quad	FW_GDT

	.org	FW_TSS - FW_SYS
	.long	0
	.quad	FW_TRAP_STACK_TOP	/* RSP0 */
	.quad	0, 0, 0			/* RSP1, RSP2, reserved */
	.fill	7, 8, 0			/* IST1-7: unused */
	.quad	0
	.word	0, 0x68			/* I/O map base beyond the limit: no bitmap */

	.org	FW_OS_GDT - FW_SYS
	.quad	0, 0
	.quad	0x00af9b000000ffff	/* __BOOT_CS */
	.quad	0x00cf93000000ffff	/* __BOOT_DS */
	.org	FW_OS_GDT_DESC - FW_SYS
	.word	4 * 8 - 1
	.quad	FW_OS_GDT

	.org	FW_IDT_DESC - FW_SYS
	.word	FW_IDT_ENTRIES * 16 - 1
	.quad	FW_IDT

	/* Handler TSSes: RSP0 is written by the handler vCPU before LTR. */
	h = 0
	.rept	FW_MH_TSS_MAX
	.org	FW_MH_TSS + h * FW_MH_TSS_SIZE - FW_SYS
	.long	0
	.quad	0			/* RSP0: set at run time (mhboot.c) */
	.quad	0, 0, 0
	.fill	7, 8, 0
	.quad	0
	.word	0, 0x68
	h = h + 1
	.endr

/* ---- IDT: 64-bit interrupt gates (Intel SDM Vol. 3A §6.14.1) ---- */
	.section .fw.idt, "aw", @progbits
	v = 0
	.rept	FW_IDT_ENTRIES
	.if	v < 32
	h = FW_ISR + v * FW_ISR_STUB
	dpl = 0
	.else
	h = FW_ISR + 32 * FW_ISR_STUB
	dpl = 3				/* int 0x80 from CPL3 */
	.endif
	.if	(v < 32) || (v == FW_SYSCALL_VECTOR)
	.word	h & 0xffff, SEL_CODE64
	.byte	0, 0x8e | (dpl << 5)
	.word	(h >> 16) & 0xffff
	.long	h >> 32, 0
	.else
	.quad	0, 0
	.endif
	v = v + 1
	.endr

/* ---- exception and system-call stubs, 16 bytes apart ---- */
	.section .fw.isr, "ax", @progbits
	.code64
	v = 0
	.rept	32
	.balign	FW_ISR_STUB
	/* Vectors with an error code: Intel SDM Vol. 3A §6.15, Table 6-1. */
	.if	(v == 8) || (v == 10) || (v == 11) || (v == 12) || (v == 13) || (v == 14) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
	.else
	pushq	$0
	.endif
	pushq	$v
	jmp	fw_isr_common
	v = v + 1
	.endr
	.balign	FW_ISR_STUB
	pushq	$0
	pushq	$FW_SYSCALL_VECTOR
	jmp	fw_isr_common

	.balign	FW_ISR_STUB
	.globl	fw_isr_common
fw_isr_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rbx
	push	%rbp
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	/* The CPU aligned RSP to 16 before its 5 pushes; with our 17 the
	 * frame is 22 qwords, so the call below is aligned (SysV ABI). */
	mov	%rsp, %rdi
	cld
	call	fw_trap
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rbp
	pop	%rbx
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp
	iretq

	.text
/* long fw_user_call(struct fw_job *job): run the job at CPL3 (RDI kept). */
	.globl	fw_user_call
fw_user_call:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, fw_user_saved_rsp(%rip)
	/* IRETQ frame; 32-bit immediates via EAX, since PUSH sign-extends. */
	mov	$SEL_UDATA, %eax
	push	%rax
	mov	$FW_USER_END, %eax
	push	%rax
	push	$0x2			/* RFLAGS: IF = 0, IOPL = 0 */
	push	$SEL_UCODE
	mov	$fw_user_entry, %eax
	push	%rax
	iretq

/*
 * noreturn void fw_mh_enter(u64 handler, u64 state, u64 rsp): a handler
 * vCPU enters its CPL3 Migration Handler for good (mhboot.c): IRETQ to
 * fw_mh_entry (user.S) on its own CPL3 stack, RDI and RSI kept.
 */
	.globl	fw_mh_enter
fw_mh_enter:
	mov	$SEL_UDATA, %eax
	push	%rax
	push	%rdx
	push	$0x2			/* RFLAGS: IF = 0, IOPL = 0 */
	push	$SEL_UCODE
	mov	$fw_mh_entry, %eax
	push	%rax
	iretq

/* noreturn void fw_user_resume(long result): from fw_trap, on the trap stack. */
	.globl	fw_user_resume
fw_user_resume:
	mov	fw_user_saved_rsp(%rip), %rsp
	mov	%rdi, %rax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

/*
 * noreturn void fw_boot_kernel(u64 entry, u64 zero_page): boot.rst "64-bit
 * boot protocol": identity map, GDT with __BOOT_CS/__BOOT_DS, interrupts
 * off, RSI = boot_params. Runs from the image, which both maps cover.
 */
	.globl	fw_boot_kernel
fw_boot_kernel:
	cli
	mov	$FW_OS_GDT_DESC, %eax
	lgdt	(%rax)
	mov	$FW_OS_PML4, %eax
	mov	%rax, %cr3
	mov	$SEL_OS_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	push	$SEL_OS_CODE
	push	%rdi
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%ebx, %ebx
	xor	%ebp, %ebp
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d
	lretq

	.bss
	.balign	8
fw_user_saved_rsp:
	.skip	8

	.section .note.GNU-stack, "", @progbits
