/* SPDX-License-Identifier: MIT */
/*
 * Test guest CPL3 side: the workload, its checks, and its system calls.
 * This code runs natively on PVM; all of it is built with rbx, rbp,
 * r12-r15 reserved and without SSE/x87 so the held register state is never
 * touched by the compiler.
 */
#ifndef SEVM_TESTS_GUEST_USER_H
#define SEVM_TESTS_GUEST_USER_H

#include "guest.h"

/* System call: the kernel preserves every register except RAX. */
static inline long sys1(u64 nr, u64 a)
{
	long r;

	__asm__ volatile("int %[v]"
			 : "=a"(r)
			 : [v] "i"(SYSCALL_VECTOR), "a"(nr), "D"(a)
			 : "memory");
	return r;
}

static inline long sys2(u64 nr, u64 a, u64 b)
{
	long r;

	__asm__ volatile("int %[v]"
			 : "=a"(r)
			 : [v] "i"(SYSCALL_VECTOR), "a"(nr), "D"(a), "S"(b)
			 : "memory");
	return r;
}

/* user.c */
NORETURN void user_main(struct cpu *c);
void uputs(const char *s);

/* pattern.c: the CPU's memory slice */
void pattern_fill(struct cpu *c);
void pattern_dirty_one(struct cpu *c);
void pattern_corrupt(struct cpu *c);
void pattern_verify(struct cpu *c);

/* regs.c: held register state */
void regs_check(struct cpu *c, u16 flags);
void regs_check_msrs(struct cpu *c);
void fail_record(struct cpu *c, u16 kind, u16 flags, u32 index, u64 addr, const u64 expect[2],
		 const u64 found[2]);

/* report.c: BSP turns the CPUs' records into lines */
/* Print the self-check's result for every CPU; true when it passed. */
bool report(void);
NORETURN void report_and_exit(void);

/* entry.S */
void user_snapshot(struct regsnap *s);
void user_corrupt_reg(void);

#endif
