/* SPDX-License-Identifier: MIT */
/*
 * CPL3 entry and exits (sys.S: fw_user_call, fw_trap). fw_user_call IRETQs
 * here with RDI = the job and RSP = FW_USER_END (16-byte aligned, so the
 * call below meets the SysV ABI, which BearSSL's SSE code relies on).
 * System calls are int 0x80, which PVM turns into #UD (trap.c).
 */
#include "fw_layout.h"

	.text
	.globl	fw_user_entry
fw_user_entry:
	call	fw_user_main
	mov	%rax, %rdi
	mov	$FW_SYS_DONE, %eax
	int	$FW_SYSCALL_VECTOR
	ud2

/* noreturn void fw_user_abort(void): a CPL3 check failed. */
	.globl	fw_user_abort
fw_user_abort:
	mov	$FW_SYS_ABORT, %eax
	int	$FW_SYSCALL_VECTOR
	ud2

	.section .note.GNU-stack, "", @progbits
