// SPDX-License-Identifier: MIT
/*
 * TSC frequency.  Preferred: the hypervisor's CPUID leaf 0x40000010 (EAX =
 * TSC kHz), offered when leaf 0x40000000 says it exists.  Otherwise count
 * TSC ticks across a 10 ms one-shot of PIT channel 2 (Intel 8254 data
 * sheet, mode 0), gated through port 0x61 bit 0 and observed on bit 5.
 */
#include "kernel.h"
#include "x86.h"

#define PIT_HZ 1193182ull
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61		   /* bit 0: gate 2, bit 1: speaker, bit 5: OUT2 */
#define CALIB_COUNT (PIT_HZ / 100) /* 10 ms */
#define CALIB_SPIN_MAX 2000000u
#define FALLBACK_KHZ 1000000ull

u64 tsc_khz;

static u64 pit_broken(u8 saved, const char *why)
{
	outb(PORT_B, saved);
	kputs("testguest: PIT channel 2 ");
	kputs(why);
	kputs(", assuming a 1 GHz TSC\n");
	return FALLBACK_KHZ;
}

static u64 pit_calibrate(void)
{
	u8 saved = inb(PORT_B);
	u32 spins = 0;
	u64 t0, t1;

	outb(PORT_B, (u8)((saved & ~0x02) | 0x01));
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, CALIB_COUNT & 0xff);
	outb(PIT_CH2, (u8)(CALIB_COUNT >> 8));
	t0 = rdtsc();
	/* Mode 0 drives OUT low when programmed; high right away is no PIT. */
	if (inb(PORT_B) & 0x20)
		return pit_broken(saved, "output does not follow the counter");
	while (!(inb(PORT_B) & 0x20)) {
		if (++spins == CALIB_SPIN_MAX)
			return pit_broken(saved, "never fired");
	}
	t1 = rdtsc();
	outb(PORT_B, saved);
	return (t1 - t0) * PIT_HZ / (CALIB_COUNT * 1000);
}

u64 tsc_khz_detect(void)
{
	u32 r[4];

	cpuid(1, 0, r);
	if (r[2] & (1u << 31)) { /* hypervisor present: 0x4000000x are its leaves */
		cpuid(0x40000000, 0, r);
		if (r[0] >= 0x40000010 && r[0] < 0x40000100) {
			cpuid(0x40000010, 0, r);
			if (r[0])
				return r[0];
		}
	}
	return pit_calibrate();
}

void tsc_delay_us(u64 us)
{
	u64 t0 = rdtsc(), ticks = us * tsc_khz / 1000;

	while (rdtsc() - t0 < ticks)
		cpu_relax();
}
