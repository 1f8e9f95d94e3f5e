// SPDX-License-Identifier: MIT
/*
 * Exceptions and system calls (IDT in sys.S). Three things arrive here:
 *
 *  - int 0x80 from CPL3, the end of a job (FW_SYS_DONE) or a failed
 *    stack-protector/fortify check (FW_SYS_ABORT); from a Migration
 *    Handler vCPU also its doorbell (FW_SYS_MH_DOORBELL, back to CPL3)
 *    and its end (FW_SYS_MH_PARK). On PVM the INT never
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

/* A handler vCPU traps on its own CPL0 stack (its TSS, mhboot.c); the BSP
 * on the trap stack. Only the BSP has a job to resume. */
static bool on_handler_stack(const struct trapframe *f)
{
	uintptr_t a = (uintptr_t)f;

	return a >= FW_STACKS && a < FW_STACKS + FW_VMSA_MAX * FW_STACK_SIZE;
}

/*
 * A handler vCPU is quiet from its doorbell on (the VMM stops running it)
 * or once it halts: only then does it count as parked, and only then does
 * the BSP hand the machine to the OS (park_wait_handlers). Its APIC ID is
 * where its CPL0 stack is.
 */
static void mark_quiet(const struct trapframe *f)
{
	uintptr_t apic_id = ((uintptr_t)f - FW_STACKS) / FW_STACK_SIZE;

	__atomic_store_n(&fw_parked[apic_id], 1, __ATOMIC_RELEASE);
}

static void mh_syscall(struct trapframe *f)
{
	if (f->rax == FW_SYS_MH_DOORBELL) {
		mark_quiet(f);
		outl(FW_MH_DOORBELL_PORT, (uint32_t)f->rdi);
		/* #UD leaves RIP at the INT (2 bytes); a real INT after it. */
		if (f->vector == VEC_UD)
			f->rip += 2;
		return;
	}
	if (f->rax == FW_SYS_MH_PARK) {
		mark_quiet(f);
		for (;;)
			__asm__ volatile("cli; hlt" ::: "memory");
	}
	fw_refuse(FW_EXIT_INTERNAL, "CPL3 stack or buffer check failed");
}

void fw_trap(struct trapframe *f)
{
	if (f->vector == VEC_NMI)
		return;
	if (is_syscall(f)) {
		if (on_handler_stack(f))
			mh_syscall(f);
		else if (f->rax == FW_SYS_DONE)
			fw_user_resume((long)f->rdi);
		else
			fw_refuse(FW_EXIT_INTERNAL, "CPL3 stack or buffer check failed");
		return;
	}
	fatal(f);
}
