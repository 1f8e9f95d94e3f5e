// SPDX-License-Identifier: MIT
/*
 * Check the register state each CPU holds for its whole life at CPL3
 * (expect.h): rbx, rbp, r12-r15, xmm8-15, the x87 stack and control/status
 * words, MXCSR, the user selectors, and through one system call the FS,
 * GS and KERNEL_GS base MSRs.  user_snapshot() stores the live values
 * without changing any (FXSAVE, Intel SDM Vol. 1 10.5.1 for the layout).
 */
#include "expect.h"
#include "user.h"

#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4 /* abridged tag: one bit per register, 1 = valid */
#define FX_MXCSR 24
#define FX_ST 32	   /* ST(i) at 32 + 16 i, 80-bit */
#define FX_XMM 160	   /* XMMi at 160 + 16 i */
#define FSW_CHECKED 0x38ff /* TOP, ES, SF and the exception flags */

void fail_record(struct cpu *c, u16 kind, u16 flags, u32 index, u64 addr, const u64 expect[2],
		 const u64 found[2])
{
	if (c->nfail < MAX_FAIL) {
		struct fail *f = &c->fail[c->nfail];

		f->kind = kind;
		f->flags = flags;
		f->index = index;
		f->addr = addr;
		f->expect[0] = expect[0];
		f->expect[1] = expect[1];
		f->found[0] = found[0];
		f->found[1] = found[1];
	}
	c->nfail++;
}

static void check1(struct cpu *c, u16 kind, u16 flags, u32 index, u64 want, u64 got)
{
	if (want != got) {
		u64 e[2] = {want, 0}, f[2] = {got, 0};

		fail_record(c, kind, flags, index, 0, e, f);
	}
}

/* Extended-precision image of a positive integer: mantissa, sign|exponent. */
static void int_to_ext80(u64 v, u64 out[2])
{
	u32 msb = 63 - (u32)__builtin_clzll(v);

	out[0] = v << (63 - msb);
	out[1] = 16383 + msb;
}

void regs_check(struct cpu *c, u16 flags)
{
	const struct regsnap *s = &c->snap;
	const u8 *fx = s->fx;
	u32 cpu = c->index, before = c->nfail;

	user_snapshot(&c->snap);
	for (u32 k = 0; k < 6; k++)
		check1(c, FAIL_GPR, flags, k, expect_gpr(cpu, k), s->gpr[k]);
	for (u32 r = 8; r < 16; r++) {
		u64 e[2] = {expect_xmm(cpu, r, 0), expect_xmm(cpu, r, 1)};
		u64 f[2] = {load64(fx + FX_XMM + 16 * r), load64(fx + FX_XMM + 16 * r + 8)};

		if (e[0] != f[0] || e[1] != f[1])
			fail_record(c, FAIL_XMM, flags, r, 0, e, f);
	}
	for (u32 i = 0; i < 8; i++) {
		u64 e[2], f[2] = {load64(fx + FX_ST + 16 * i), load16(fx + FX_ST + 16 * i + 8)};

		/* Eight pushes: ST(0) is the last value loaded. */
		int_to_ext80(expect_x87_int(cpu, 7 - i), e);
		if (e[0] != f[0] || e[1] != f[1])
			fail_record(c, FAIL_ST, flags, i, 0, e, f);
	}
	check1(c, FAIL_FCW, flags, 0, expect_fcw(cpu), load16(fx + FX_FCW));
	check1(c, FAIL_FSW, flags, 0, 0, load16(fx + FX_FSW) & FSW_CHECKED);
	check1(c, FAIL_FTW, flags, 0, 0xff, fx[FX_FTW]);
	check1(c, FAIL_MXCSR, flags, 0, expect_mxcsr(cpu), load32(fx + FX_MXCSR));
	for (u32 k = 0; k < 6; k++)
		check1(c, FAIL_SEL, flags, k, expect_sel(k), s->sel[k]);

	/* A periodic check reports once; the self-check looks again anyway. */
	if ((flags & FAILF_RUN) && c->nfail != before)
		c->run_failed = 1;
}

void regs_check_msrs(struct cpu *c)
{
	u64 m[3] = {0, 0, 0};

	sys1(SYS_RDMSRS, (u64)m);
	for (u32 k = 0; k < 3; k++)
		check1(c, FAIL_MSR, 0, k, expect_msr(c->index, k), m[k]);
}
