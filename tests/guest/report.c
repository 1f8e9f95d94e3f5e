// SPDX-License-Identifier: MIT
/*
 * BSP, CPL3: turn the failure records every CPU left in memory into
 * "selfcheck: FAIL cpu=I <what>" lines (or "selfcheck: PASS") and power
 * off through SYS_EXIT with status 1 or 0.
 */
#include "fmt.h"
#include "user.h"

static const char *const gpr_name[6] = {"rbx", "rbp", "r12", "r13", "r14", "r15"};
static const char *const sel_name[6] = {"cs", "ss", "ds", "es", "fs", "gs"};
static const char *const msr_name[3] = {"fs_base", "gs_base", "kernel_gs_base"};
static const char *const misc_name[] = {
    [FAIL_FCW] = "fcw", [FAIL_FSW] = "fsw", [FAIL_FTW] = "ftw", [FAIL_MXCSR] = "mxcsr"};

/* 128-bit values as one hex number: high word first. */
static void wide(struct buf *b, const u64 v[2], u32 hi_digits)
{
	buf_str(b, "0x");
	buf_hex_fixed(b, v[1], hi_digits);
	buf_hex_fixed(b, v[0], 16);
}

static void what(struct buf *b, const struct fail *f)
{
	switch (f->kind) {
	case FAIL_MEM:
		buf_str(b, "mem page=");
		buf_hex(b, f->addr);
		buf_str(b, " word=");
		buf_dec(b, f->index);
		buf_str(b, " gen=");
		buf_dec(b, f->expect[1]);
		break;
	case FAIL_GEN:
		buf_str(b, "generation sum (pages rewritten)");
		break;
	case FAIL_GPR:
		buf_str(b, gpr_name[f->index % 6]);
		break;
	case FAIL_XMM:
		buf_str(b, "xmm");
		buf_dec(b, f->index);
		buf_str(b, " expected=");
		wide(b, f->expect, 16);
		buf_str(b, " found=");
		wide(b, f->found, 16);
		return;
	case FAIL_ST:
		buf_str(b, "st");
		buf_dec(b, f->index);
		buf_str(b, " expected=");
		wide(b, f->expect, 4);
		buf_str(b, " found=");
		wide(b, f->found, 4);
		return;
	case FAIL_SEL:
		buf_str(b, sel_name[f->index % 6]);
		break;
	case FAIL_MSR:
		buf_str(b, msr_name[f->index % 3]);
		break;
	case FAIL_NORESP:
		buf_str(b, "no answer to the self-check request");
		return;
	default:
		if (f->kind < ARRAY_SIZE(misc_name) && misc_name[f->kind])
			buf_str(b, misc_name[f->kind]);
		else
			buf_str(b, "unknown");
		break;
	}
	buf_str(b, " expected=");
	buf_hex(b, f->expect[0]);
	buf_str(b, " found=");
	buf_hex(b, f->found[0]);
}

static void print_fail(u32 cpu, const struct fail *f, u64 more)
{
	char line[200];
	struct buf b = BUF(line);

	buf_str(&b, "selfcheck: FAIL cpu=");
	buf_dec(&b, cpu);
	buf_char(&b, ' ');
	if (more) {
		buf_dec(&b, more);
		buf_str(&b, " more failures not listed");
	} else {
		what(&b, f);
		if (f->flags & FAILF_RUN)
			buf_str(&b, " (periodic check)");
	}
	buf_char(&b, '\n');
	sys2(SYS_WRITE, (u64)line, b.len);
}

static void print_stats(void)
{
	char line[160];
	struct buf b = BUF(line);
	u64 pages = 0, dirtied = 0;

	for (u32 i = 0; i < shared.ncpus; i++) {
		pages += cpus[i].npages;
		dirtied += cpus[i].dirtied;
	}
	buf_str(&b, "testguest: checked cpus=");
	buf_dec(&b, shared.ncpus);
	buf_str(&b, " pages=");
	buf_dec(&b, pages);
	buf_str(&b, " dirtied=");
	buf_dec(&b, dirtied);
	buf_str(&b, " heartbeats=");
	buf_dec(&b, shared.heartbeats);
	buf_char(&b, '\n');
	sys2(SYS_WRITE, (u64)line, b.len);
}

bool report(void)
{
	bool failed = false;

	print_stats();
	for (u32 i = 0; i < shared.ncpus; i++) {
		const struct cpu *c = &cpus[i];

		if (c->check_state != CHECK_DONE) {
			struct fail f = {.kind = FAIL_NORESP};

			print_fail(i, &f, 0);
			failed = true;
			continue;
		}
		for (u32 j = 0; j < c->nfail && j < MAX_FAIL; j++)
			print_fail(i, &c->fail[j], 0);
		if (c->nfail > MAX_FAIL)
			print_fail(i, NULL, c->nfail - MAX_FAIL);
		if (c->nfail)
			failed = true;
	}
	if (!failed)
		uputs("selfcheck: PASS\n");
	return !failed;
}

NORETURN void report_and_exit(void)
{
	sys1(SYS_EXIT, report() ? 0 : 1);
	for (;;)
		cpu_relax();
}
