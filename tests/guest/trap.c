// SPDX-License-Identifier: MIT
/*
 * CPL0 entry point from entry.S.  Any exception is fatal: report vector,
 * error code, RIP (and CR2) on COM1 and power off with status 1.  System
 * calls run with the user's registers saved in the frame; this C code
 * never touches SSE/x87 (-mgeneral-regs-only), so those survive as well.
 *
 * On PVM, "int 0x80" at CPL3 never reaches IDT vector 0x80: KVM emulates
 * the instruction, its emulator cannot do protected-mode INT n, and the
 * guest gets #UD with RIP at the instruction.  So a #UD from CPL3 on the
 * bytes CD 80 is taken as the same system call, returning past it.  On
 * hardware virtualization the DPL-3 gate at vector 0x80 is used directly.
 */
#include "fmt.h"
#include "kernel.h"
#include "x86.h"

static NORETURN void trap_fatal(struct trapframe *f)
{
	char line[192];
	struct buf b = BUF(line);

	buf_str(&b, "testguest: exception vector=");
	buf_dec(&b, f->vector);
	buf_str(&b, " err=");
	buf_hex(&b, f->error);
	buf_str(&b, " rip=");
	buf_hex(&b, f->rip);
	buf_str(&b, " cs=");
	buf_hex(&b, f->cs);
	buf_str(&b, " rsp=");
	buf_hex(&b, f->rsp);
	buf_str(&b, " cr2=");
	buf_hex(&b, read_cr2());
	buf_str(&b, " cpu=");
	buf_dec(&b, cpu_index_from_sp((u64)f));
	buf_char(&b, '\n');
	serial_write(line, b.len);
	power_off(1);
}

static bool user_range_ok(u64 p, u64 n)
{
	/*
	 * All memory is identity-mapped and user-visible; only reject wraps
	 * and what lies beyond the map, so a bad pointer cannot fault here.
	 */
	return p + n >= p && p + n <= (u64)MAX_GB << 30;
}

static void syscall_dispatch(struct trapframe *f)
{
	switch (f->rax) {
	case SYS_WRITE:
		if (user_range_ok(f->rdi, f->rsi)) {
			serial_write((const char *)f->rdi, f->rsi);
			f->rax = f->rsi;
			return;
		}
		break;
	case SYS_GETC:
		f->rax = (u64)(long)serial_getc();
		return;
	case SYS_EXIT:
		power_off((u32)f->rdi);
	case SYS_HALT:
		/* KVM parks a halted vCPU in the kernel: no host CPU used. */
		for (;;)
			__asm__ volatile("cli; hlt" ::: "memory");
	case SYS_RDMSRS:
		if (user_range_ok(f->rdi, 24)) {
			u64 *out = (u64 *)f->rdi;

			out[0] = rdmsr(MSR_FS_BASE);
			out[1] = rdmsr(MSR_GS_BASE);
			out[2] = rdmsr(MSR_KERNEL_GS_BASE);
			f->rax = 0;
			return;
		}
		break;
	}
	f->rax = (u64)-1;
}

void trap_entry(struct trapframe *f)
{
	if (f->vector == SYSCALL_VECTOR) {
		syscall_dispatch(f);
		return;
	}
	if (f->vector == 6 && (f->cs & 3) == 3 && user_range_ok(f->rip, 2) &&
	    load16((const void *)f->rip) == (0x80 << 8 | 0xcd)) {
		f->rip += 2;
		syscall_dispatch(f);
		return;
	}
	trap_fatal(f);
}
