/* SPDX-License-Identifier: MIT */
/*
 * Privilege transitions of the test guest.
 *
 * CPL3 -> CPL0: exceptions and int 0x80 system calls (SYSCALL arrives
 * still at CPL3 on PVM, see test-environment.md; int 0x80 arrives there as
 * #UD, see trap.c) all build one struct trapframe (kernel.h) and go to
 * trap_entry(), which either handles a system call and returns here, or
 * reports the exception and powers off.
 * Every GPR is saved and restored and no x87/SSE state is touched, so the
 * user's registers survive a call; only RAX carries the result.
 *
 * CPL0 -> CPL3: enter_user iretq's to user_start, which loads the per-CPU
 * register constants (struct uinit) and calls user_main for good.
 * user_snapshot stores what the self-check compares.
 */
#include "layout.h"

	.text
	.code64

/* Stubs are 16 bytes apart; cpu.c points IDT entry v at isr_stubs + 16 v. */
	.balign	16
	.globl	isr_stubs
isr_stubs:
	vec = 0
	.rept	32
	.balign	16
	/* Vectors with an error code: Intel SDM Vol. 3A 6.15 (Table 6-1). */
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	push	$0
	.endif
	push	$vec
	jmp	isr_common
	vec = vec + 1
	.endr

.macro SAVE_GPRS
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
.endm

	.balign	16
	.globl	isr_syscall
isr_syscall:
	push	$0
	push	$SYSCALL_VECTOR
isr_common:
	SAVE_GPRS
	/*
	 * 64-bit delivery aligned RSP to 16 before its 5 (or 6, with an
	 * error code) pushes; with ours the frame is 22 qwords: aligned.
	 */
	mov	%rsp, %rdi
	call	trap_entry
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

/* enter_user(rip, rsp, arg): IRETQ to CPL3 with IF = 0 and IOPL = 0. */
	.globl	enter_user
enter_user:
	push	$SEL_UDATA
	push	%rsi
	push	$0x2
	push	$SEL_UCODE
	push	%rdi
	mov	%rdx, %rdi
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	iretq

/*
 * user_start(struct cpu *c), CPL3: load the per-CPU constants and run the
 * workload.  From here on rbx, rbp, r12-r15, xmm8-15, the x87 stack and
 * MXCSR are never written again: all C code is built with those GPRs
 * reserved (-ffixed-*) and with -mgeneral-regs-only.
 *
 * Data selectors: DS, ES, FS and GS are null at CPL3, as in 64-bit Linux
 * user space.  FS and GS are null since boot and keep the bases cpu_setup
 * wrote; DS and ES are nulled here, at CPL3, because on PVM selector loads
 * done at CPL0 (emulated) do not reach user mode.  Null is also the only
 * user data selector that survives a KVM state save/restore on PVM:
 * KVM_GET_SREGS there reports stale CPL0 values while the vCPU is at CPL3.
 */
	.globl	user_start
user_start:
	xor	%eax, %eax
	mov	%eax, %ds
	mov	%eax, %es
	fninit
	fldcw	UINIT_FCW(%rdi)
	fildq	UINIT_X87 + 0x00(%rdi)
	fildq	UINIT_X87 + 0x08(%rdi)
	fildq	UINIT_X87 + 0x10(%rdi)
	fildq	UINIT_X87 + 0x18(%rdi)
	fildq	UINIT_X87 + 0x20(%rdi)
	fildq	UINIT_X87 + 0x28(%rdi)
	fildq	UINIT_X87 + 0x30(%rdi)
	fildq	UINIT_X87 + 0x38(%rdi)
	ldmxcsr	UINIT_MXCSR(%rdi)
	movdqu	UINIT_XMM + 0x00(%rdi), %xmm8
	movdqu	UINIT_XMM + 0x10(%rdi), %xmm9
	movdqu	UINIT_XMM + 0x20(%rdi), %xmm10
	movdqu	UINIT_XMM + 0x30(%rdi), %xmm11
	movdqu	UINIT_XMM + 0x40(%rdi), %xmm12
	movdqu	UINIT_XMM + 0x50(%rdi), %xmm13
	movdqu	UINIT_XMM + 0x60(%rdi), %xmm14
	movdqu	UINIT_XMM + 0x70(%rdi), %xmm15
	mov	UINIT_GPR + 0x00(%rdi), %rbx
	mov	UINIT_GPR + 0x08(%rdi), %rbp
	mov	UINIT_GPR + 0x10(%rdi), %r12
	mov	UINIT_GPR + 0x18(%rdi), %r13
	mov	UINIT_GPR + 0x20(%rdi), %r14
	mov	UINIT_GPR + 0x28(%rdi), %r15
	call	user_main
	ud2

/* user_snapshot(struct regsnap *s): store state without changing any. */
	.globl	user_snapshot
user_snapshot:
	fxsave	SNAP_FX(%rdi)
	mov	%rbx, SNAP_GPR + 0x00(%rdi)
	mov	%rbp, SNAP_GPR + 0x08(%rdi)
	mov	%r12, SNAP_GPR + 0x10(%rdi)
	mov	%r13, SNAP_GPR + 0x18(%rdi)
	mov	%r14, SNAP_GPR + 0x20(%rdi)
	mov	%r15, SNAP_GPR + 0x28(%rdi)
	mov	%cs, SNAP_SEL + 0x0(%rdi)
	mov	%ss, SNAP_SEL + 0x2(%rdi)
	mov	%ds, SNAP_SEL + 0x4(%rdi)
	mov	%es, SNAP_SEL + 0x6(%rdi)
	mov	%fs, SNAP_SEL + 0x8(%rdi)
	mov	%gs, SNAP_SEL + 0xa(%rdi)
	ret

/* corrupt=2: break one held register on purpose so the check must fail. */
	.globl	user_corrupt_reg
user_corrupt_reg:
	xor	$1, %r13
	ret
