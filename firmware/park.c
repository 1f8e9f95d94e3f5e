// SPDX-License-Identifier: MIT
/*
 * Every vCPU but the BSP ends up here, on its own stack (reset.S), with
 * interrupts off. OS APs wait for the OS's INIT/SIPI/SIPI (Intel MP spec
 * 1.4 B.4), which KVM delivers to a halted vCPU as on hardware. Handler
 * vCPUs (APIC IDs os_vcpus.. , absent from the MP table and MADT) wait
 * for the BSP to set up the Migration Handler, enter it at CPL3
 * (mhboot.c), and count as parked once it has set up and gone quiet (its
 * doorbell, or its halt without a key). Every AP first waits (briefly:
 * the BSP reads the configuration first) to learn which kind it is. The
 * BSP waits for the handler vCPUs before it boots the OS, so the OS never
 * runs beside a handler that is still starting.
 */
#include "fw.h"

#define PARK_TIMEOUT_S 10 /* generous: a loaded host may run a vCPU thread late */
#define HV_LEAF_BASE 0x40000000
#define HV_LEAF_TSC 0x40000010 /* EAX: TSC kHz (KVM, sevm's cpuid.c) */
#define TSC_HZ_GUESS 3000000000ull

volatile uint8_t fw_parked[FW_VMSA_MAX];

NORETURN void park_self(uint32_t apic_id)
{
	__atomic_store_n(&fw_parked[apic_id], 1, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("hlt" ::: "memory");
}

/* Handler vCPUs do not return from mh_ap_wait(): they enter the MH, and
 * count as parked only once it is quiet (trap.c, mark_quiet). */
NORETURN void fw_ap_main(uint32_t apic_id)
{
	mh_ap_wait(apic_id);
	park_self(apic_id);
}

/* The wait is a bound, not a measurement: a host that lies about the
 * TSC rate only makes the firmware give up sooner or later. */
static uint64_t tsc_hz(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (r[2] & (1u << 31)) { /* hypervisor present */
		cpuid(HV_LEAF_BASE, r);
		if (r[0] >= HV_LEAF_TSC) {
			cpuid(HV_LEAF_TSC, r);
			if (r[0])
				return r[0] * 1000ull;
		}
	}
	return TSC_HZ_GUESS;
}

static unsigned parked_handlers(const struct fw_boot_config *cfg)
{
	unsigned n = 0;

	for (uint32_t i = cfg->os_vcpus; i < cfg->os_vcpus + cfg->handler_vcpus; i++)
		n += __atomic_load_n(&fw_parked[i], __ATOMIC_ACQUIRE);
	return n;
}

void park_wait_handlers(const struct fw_boot_config *cfg)
{
	uint64_t t0 = rdtsc(), limit = PARK_TIMEOUT_S * tsc_hz();
	unsigned n;
	LINE(l);

	while ((n = parked_handlers(cfg)) < cfg->handler_vcpus) {
		if (rdtsc() - t0 > limit) {
			line_dec(&l, n);
			line_str(&l, " of ");
			line_dec(&l, cfg->handler_vcpus);
			line_str(&l, " handler vCPU(s) parked");
			fw_refuse_line(FW_EXIT_BOOT_CONFIG, &l);
		}
		for (unsigned i = 0; i < 64; i++)
			cpu_relax();
	}
	line_str(&l, "firmware: ");
	line_dec(&l, n);
	line_str(&l, " handler vCPU(s) parked");
	line_print(&l);
}
