// SPDX-License-Identifier: MIT
/*
 * The CPL3 workload every CPU runs after boot, natively on PVM.
 *
 * Each turn of the loop: account elapsed TSC time, rewrite pages at the
 * configured rate, check the held registers every 10 ms, and on the BSP
 * print heartbeats, poll COM1 for 'v' every 100 ms and start the
 * self-check.  Time is accumulated per turn and a turn never counts more
 * than one second, so a guest paused for a migration (or a TSC that jumps
 * backwards) simply continues its heartbeats; shared.heartbeats is the
 * workload's clock and lives in guest RAM.
 *
 * Self-check: the BSP bumps shared.check_req; each CPU notices it at the
 * top of its loop (never in the middle of a page rewrite), verifies its
 * own registers, MSRs and memory, and marks itself done; the BSP then
 * reports for all CPUs and powers off ('v', check=S) or, for 'c', all go
 * on with their work (a check between migrations).
 */
#include "fmt.h"
#include "user.h"

#define REGCHECK_HZ 100
#define POLL_HZ 10
#define DIRTY_BATCH 64 /* pages per turn at most, so checks stay timely */

void uputs(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	sys2(SYS_WRITE, (u64)s, n);
}

static u64 account_time(struct cpu *c)
{
	u64 now = rdtsc(), d = now > c->last_tsc ? now - c->last_tsc : 0;

	if (d > shared.tsc_hz)
		d = shared.tsc_hz;
	c->last_tsc = now;
	c->elapsed += d;
	return d;
}

static void dirty(struct cpu *c, u64 d)
{
	u64 hz = shared.tsc_hz;

	if (shared.dirty == DIRTY_MAX) {
		pattern_dirty_one(c);
		return;
	}
	c->credit += d * shared.dirty;
	for (u32 n = 0; n < DIRTY_BATCH && c->credit >= hz; n++) {
		pattern_dirty_one(c);
		c->credit -= hz;
	}
	/* Falling behind: forget the backlog rather than burst later. */
	if (c->credit > DIRTY_BATCH * hz)
		c->credit = DIRTY_BATCH * hz;
}

static void self_check(struct cpu *c)
{
	c->check_state = CHECK_RUNNING;
	if (shared.corrupt && c->index == shared.ncpus - 1) {
		if (shared.corrupt == 1)
			pattern_corrupt(c);
		else
			user_corrupt_reg();
	}
	/* Registers after the system call: it must not have disturbed them. */
	regs_check_msrs(c);
	regs_check(c, 0);
	pattern_verify(c);
	c->check_state = CHECK_DONE;
}

static void bsp_check(struct cpu *c, bool final)
{
	u64 slice = c->npages * PAGE_SIZE;
	u64 limit = (10 + slice / (256ull << 20)) * shared.tsc_hz, t0;

	for (u32 i = 0; i < shared.ncpus; i++)
		cpus[i].check_state = CHECK_IDLE;
	shared.check_final = final;
	__atomic_store_n(&shared.check_req, shared.check_req + 1, __ATOMIC_RELEASE);
	c->check_seen = shared.check_req;
	self_check(c);
	t0 = rdtsc();
	for (u32 i = 1; i < shared.ncpus; i++) {
		while (cpus[i].check_state != CHECK_DONE && rdtsc() - t0 < limit)
			cpu_relax();
	}
	if (final)
		report_and_exit();
	(void)report();
}

static void heartbeat(void)
{
	char line[40];
	struct buf b = BUF(line);

	shared.heartbeats++;
	buf_str(&b, "heartbeat ");
	buf_dec(&b, shared.heartbeats);
	buf_char(&b, '\n');
	sys2(SYS_WRITE, (u64)line, b.len);
}

static void bsp_duties(struct cpu *c)
{
	u64 hz = shared.tsc_hz;

	if (c->elapsed >= (shared.heartbeats + 1) * hz) {
		heartbeat();
		if (shared.check && shared.heartbeats >= shared.check)
			bsp_check(c, true);
	}
	if (c->elapsed >= shared.next_poll) {
		long ch;

		shared.next_poll = c->elapsed + hz / POLL_HZ;
		while ((ch = sys1(SYS_GETC, 0)) >= 0) {
			if (ch == 'v' || ch == 'c')
				bsp_check(c, ch == 'v');
		}
	}
}

NORETURN void user_main(struct cpu *c)
{
	while (!shared.go)
		cpu_relax();
	pattern_fill(c);
	if (shared.idle) {
		static const char msg[] = "testguest: idle\n";

		if (__atomic_add_fetch(&shared.filled, 1, __ATOMIC_ACQ_REL) == shared.ncpus)
			sys2(SYS_WRITE, (u64)msg, sizeof(msg) - 1);
		sys1(SYS_HALT, 0);
	}
	c->last_tsc = rdtsc();

	for (;;) {
		u64 d = account_time(c);

		c->loops++;
		if (shared.dirty)
			dirty(c, d);
		if (c->elapsed >= c->next_regcheck) {
			c->next_regcheck = c->elapsed + shared.tsc_hz / REGCHECK_HZ;
			if (!c->run_failed)
				regs_check(c, FAILF_RUN);
		}
		if (c->index == 0) {
			bsp_duties(c);
		} else if (__atomic_load_n(&shared.check_req, __ATOMIC_ACQUIRE) != c->check_seen) {
			c->check_seen = shared.check_req;
			self_check(c);
			while (shared.check_final)
				cpu_relax();
		}
	}
}
