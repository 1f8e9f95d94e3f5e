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

/*
 * Migration Handler vCPUs (mhboot.c, fw_mh_enter): RDI = handler index,
 * RSI = the MH state, RSP = the handler's own 16-byte aligned CPL3 stack
 * in the MH region. mh_main never returns.
 */
	.globl	fw_mh_entry
fw_mh_entry:
	call	mh_main
	ud2

/* long fw_mh_syscall(long nr, long arg): FW_SYS_MH_DOORBELL, FW_SYS_MH_PARK.
 * On PVM the INT arrives as #UD at it; trap.c steps over it and returns. */
	.globl	fw_mh_syscall
fw_mh_syscall:
	mov	%rdi, %rax
	mov	%rsi, %rdi
	int	$FW_SYSCALL_VECTOR
	ret

	.section .note.GNU-stack, "", @progbits
