/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU register values the test guest holds and verifies.  The
 * kernel uses them to set state up, the workload recomputes them to check
 * (never reading back what was loaded), so a vCPU that comes back from a
 * migration swapped with another one, or reset, is caught.  Values are
 * structured ("GPR", "XMM" tags, CPU index in bits 16..23) so a failure
 * line is readable.
 */
#ifndef SEVM_TESTS_GUEST_EXPECT_H
#define SEVM_TESTS_GUEST_EXPECT_H

#include "guest.h"

/* k = 0..5 for rbx, rbp, r12, r13, r14, r15 */
static inline u64 expect_gpr(u32 cpu, u32 k)
{
	return 0x4750520000000000ull | ((u64)k << 32) | ((u64)cpu << 16) | 0xa5a5;
}

/* reg = 8..15, half = 0 (bits 63:0) or 1 (bits 127:64) */
static inline u64 expect_xmm(u32 cpu, u32 reg, u32 half)
{
	u64 v = 0x584d4d0000000000ull | ((u64)reg << 32) | ((u64)cpu << 16) | 0x3c3c;

	return half ? ~v : v;
}

/* k-th integer pushed with fildq; after eight pushes ST(i) holds k = 7 - i */
static inline u64 expect_x87_int(u32 cpu, u32 k)
{
	return (u64)(cpu + 1) * 1000 + k + 1;
}

/* x87 control word: default 0x37f with a per-CPU rounding control (bits 11:10) */
static inline u16 expect_fcw(u32 cpu)
{
	return (u16)(0x037f | ((cpu & 3) << 10));
}

/* MXCSR: all exceptions masked, per-CPU RC (bits 14:13) and FZ (bit 15) */
static inline u32 expect_mxcsr(u32 cpu)
{
	return 0x1f80 | ((cpu & 3) << 13) | (((cpu >> 2) & 1) << 15);
}

/* k = 0..2: FS_BASE, GS_BASE, KERNEL_GS_BASE; all canonical */
static inline u64 expect_msr(u32 cpu, u32 k)
{
	u64 base = k == 0   ? 0x00007f4600000000ull
		   : k == 1 ? 0x00007f4700000000ull
			    : 0xffffa4b500000000ull;

	return base | ((u64)cpu << 12);
}

/* i = 0..5: cs, ss, ds, es, fs, gs at CPL3; data selectors are null (entry.S) */
static inline u16 expect_sel(u32 i)
{
	return i == 0 ? SEL_UCODE : i == 1 ? SEL_UDATA : 0;
}

/*
 * Memory pattern: word w of the page at physical address page, written
 * with generation gen.  Mixing address and generation into a per-page
 * base and the word index into each word catches swapped pages, swapped
 * words and stale generations alike.  Never zero in practice, so a page
 * that was lost reads back wrong.
 */
static inline u64 pattern_base(u64 page, u32 gen)
{
	u64 x = page ^ ((u64)gen << 44) ^ 0x7465737467756573ull;

	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 29;
	return x;
}

static inline u64 pattern_word(u64 base, u32 w)
{
	return base ^ ((u64)(w + 1) * 0xc2b2ae3d27d4eb4full);
}

#endif
