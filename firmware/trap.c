// SPDX-License-Identifier: MIT
/*
 * Exceptions and system calls (IDT in sys.S). Three things arrive here:
 *
 *  - int 0x80 from CPL3, the end of a job (FW_SYS_DONE) or a failed
 *    stack-protector/fortify check (FW_SYS_ABORT). On PVM the INT never
 *    reaches the DPL-3 gate: KVM's emulator cannot do protected-mode INT n
 *    and raises #UD at the instruction (docs/testguest.md, PVM notes), so a
 *    #UD from CPL3 on the bytes CD 80 counts as the same call.
 *  - NMI on a parked vCPU: nothing to do yet, the park loop goes on.
 *  - anything else is a firmware bug: refuse with FW_EXIT_INTERNAL.
 */
#include "fw.h"

#define VEC_NMI 2
#define VEC_UD 6
#define VEC_PF 14
#define INT80_BYTES 0x80cd /* CD 80, little-endian */

static bool is_syscall(const struct trapframe *f)
{
	if ((f->cs & 3) != 3)
		return false;
	if (f->vector == FW_SYSCALL_VECTOR)
		return true;
	/* Only look at user code, so a wild RIP cannot fault here. */
	return f->vector == VEC_UD && f->rip >= FW_USER && f->rip + 2 <= FW_USER_STACK &&
	       *(const volatile uint16_t *)f->rip == INT80_BYTES;
}

static NORETURN void fatal(const struct trapframe *f)
{
	LINE(l);

	line_str(&l, "exception ");
	line_dec(&l, f->vector);
	line_str(&l, " at ");
	line_hex(&l, f->rip);
	if (f->vector == VEC_PF) {
		uint64_t cr2;

		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		line_str(&l, " address ");
		line_hex(&l, cr2);
	}
	fw_refuse_line(FW_EXIT_INTERNAL, &l);
}

void fw_trap(struct trapframe *f)
{
	if (f->vector == VEC_NMI)
		return;
	if (is_syscall(f)) {
		if (f->rax == FW_SYS_DONE)
			fw_user_resume((long)f->rdi);
		fw_refuse(FW_EXIT_INTERNAL, "CPL3 stack or buffer check failed");
	}
	fatal(f);
}
