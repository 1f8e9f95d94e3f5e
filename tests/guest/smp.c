// SPDX-License-Identifier: MIT
/*
 * Start the application processors topology.c found with INIT-SIPI-SIPI
 * (Intel MP spec 1.4, B.4) into the real-mode trampoline.  APs are started
 * one at a time: each one takes ap_boot_index/ap_boot_stack and reports
 * "alive" before the next starts.
 * The BSP is always index 0; APs get 1, 2, ... in table order.
 */
#include "kernel.h"
#include "x86.h"

#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_BUSY (1u << 12)
#define ICR_INIT 0x00004500 /* delivery mode INIT, level assert */
#define ICR_SIPI 0x00004600 /* delivery mode start-up, vector in bits 7:0 */
#define TRAMP_DEFAULT 0x8000

static u64 lapic;

static void send_ipi(u32 apic_id, u32 icr)
{
	u32 spins = 0;

	while ((mmio_read32(lapic + LAPIC_ICR_LO) & ICR_BUSY) && ++spins < 100000)
		cpu_relax();
	mmio_write32(lapic + LAPIC_ICR_HI, apic_id << 24);
	mmio_write32(lapic + LAPIC_ICR_LO, icr);
}

static u64 tramp_page(void)
{
	if (mm_is_ram(TRAMP_DEFAULT, PAGE_SIZE))
		return TRAMP_DEFAULT;
	for (u64 a = 0x9f000; a >= 0x1000; a -= PAGE_SIZE) {
		if (mm_is_ram(a, PAGE_SIZE))
			return a;
	}
	return 0;
}

static bool wait_alive(struct cpu *c, u64 us)
{
	u64 t0 = rdtsc(), ticks = us * tsc_khz / 1000;

	while (!c->alive) {
		if (rdtsc() - t0 >= ticks)
			return false;
		cpu_relax();
	}
	return true;
}

static bool start_ap(u32 index, u32 apic_id, u64 tramp)
{
	struct cpu *c = &cpus[index];

	cpu_prepare(index);
	ap_boot_index = index;
	ap_boot_stack = cpu_kstack_top(index);
	send_ipi(apic_id, ICR_INIT);
	tsc_delay_us(10000);
	send_ipi(apic_id, ICR_SIPI | (u32)(tramp >> 12));
	if (wait_alive(c, 200))
		return true;
	send_ipi(apic_id, ICR_SIPI | (u32)(tramp >> 12));
	if (wait_alive(c, 1000000))
		return true;
	/* Park it again so it cannot wake up later on another CPU's stack. */
	send_ipi(apic_id, ICR_INIT);
	return false;
}

u32 smp_boot(u32 *failed)
{
	u32 ids[MAX_CPUS], r[4], n, dropped, started = 1;
	u64 tramp;

	cpuid(1, 0, r);
	n = topology_find_cpus(r[1] >> 24, ids, MAX_CPUS, &dropped);
	cpus[0].apic_id = ids[0];
	*failed = 0;
	if (dropped)
		kputs("testguest: more CPUs than MAX_CPUS, extra ones left idle\n");
	if (n == 1)
		return 1;

	tramp = tramp_page();
	if (!tramp) {
		kputs("testguest: no RAM page below 1 MiB for the AP trampoline\n");
		*failed = n - 1;
		return 1;
	}
	memcpy((void *)tramp, tramp_start, (size_t)(tramp_end - tramp_start));

	lapic = rdmsr(MSR_APIC_BASE) & 0xffffffffff000ull;
	/* Software-enable the LAPIC (SVR bit 8), spurious vector 0xff. */
	mmio_write32(lapic + LAPIC_SVR, mmio_read32(lapic + LAPIC_SVR) | 0x1ff);

	for (u32 i = 1; i < n; i++) {
		cpus[started].apic_id = ids[i];
		if (start_ap(started, ids[i], tramp))
			started++;
		else
			(*failed)++;
	}
	return started;
}
