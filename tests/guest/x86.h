/* SPDX-License-Identifier: MIT */
/*
 * Privileged x86 helpers for the test guest's CPL0 code.  All of these are
 * instructions PVM's emulator handles (test-environment.md); never add
 * xsave/xgetbv/rdtscp/popcnt here.  CPUID saves RBX by hand because the
 * guest is built with RBX reserved (-ffixed-rbx).
 */
#ifndef SEVM_TESTS_GUEST_X86_H
#define SEVM_TESTS_GUEST_X86_H

#include "guest.h"

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	u64 b;

	__asm__ volatile("mov %%rbx, %1\n\t"
			 "cpuid\n\t"
			 "xchg %%rbx, %1"
			 : "=a"(r[0]), "=&S"(b), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
	r[1] = (u32)b;
}

#define DEFINE_CR(n)                                                                               \
	static inline u64 read_cr##n(void)                                                         \
	{                                                                                          \
		u64 v;                                                                             \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(u64 v)                                                      \
	{                                                                                          \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                         \
	}
DEFINE_CR(0)
DEFINE_CR(3)
DEFINE_CR(4)

static inline u64 read_cr2(void)
{
	u64 v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u32 mmio_read32(u64 addr)
{
	return *(volatile u32 *)addr;
}

static inline void mmio_write32(u64 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

#endif
