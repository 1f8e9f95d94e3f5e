// SPDX-License-Identifier: MIT
/*
 * The Migration Handler's CPL0 side (design.md §5; mh/mh.h): it only sets
 * the MH up, since CPL0 is emulated on PVM and the MH's data path belongs
 * at CPL3 anyway.
 *
 *   BSP: mh_configure() right after the boot configuration is read: the
 *        private region's place (a pure function of ram_size and
 *        handler_vcpus), and the APs learn who they are (OS APs halt).
 *        mh_start() after the secret table: clear the MH state (CPL3 job),
 *        hand over role, layout, transport key and launch id, let the
 *        handlers in.
 *   handler vCPU h: its own TSS (RSP0 = its CPL0 stack, which it leaves
 *        for good), FS base = its TLS block with a fresh canary, then IRETQ
 *        to mh_main(h, state) on its own CPL3 stack. About 30 instructions.
 *
 * The key: the secret table stays supervisor-only (the OS may want its
 * other entries; the MH needs two). CPL0 copies the transport key and the
 * launch id, and nothing else, into the MH's private memory once, before
 * any handler runs: four and two qword moves, and the MH never maps the
 * secret page.
 */
#include "fw.h"
#include "fw_job.h"
#include "mh/mh.h"

#define CANARY_MIX 0x9e3779b97f4a7c15ull

enum { GO_WAIT = 0, GO_CONFIG = 1, GO_HANDLERS = 2, GO_STOP = 3 };

static struct mh_layout layout;
static uint32_t os_vcpus, handlers;
static volatile uint32_t go;

void mh_configure(const struct fw_boot_config *cfg)
{
	mh_layout(cfg->ram_size, cfg->handler_vcpus, cfg->os_vcpus, &layout);
	if (layout.size && layout.base < FW_SHARED_BASE + FW_SHARED_SIZE)
		fw_refuse(FW_EXIT_BOOT_CONFIG, "ram_size too small for the Migration Handler");
	os_vcpus = cfg->os_vcpus;
	handlers = cfg->handler_vcpus;
	__atomic_store_n(&go, GO_CONFIG, __ATOMIC_RELEASE);
}

uint64_t mh_load_end(void)
{
	return layout.base;
}

uint64_t mh_region_base(void)
{
	return layout.base;
}

uint64_t mh_region_size(void)
{
	return layout.size;
}

static void copy_qwords(void *d, const void *s, size_t qwords)
{
	for (size_t i = 0; i < qwords; i++) {
		uint64_t v = ld64((const uint8_t *)s + 8 * i);

		__builtin_memcpy((uint8_t *)d + 8 * i, &v, 8);
	}
}

void mh_start(const struct fw_boot_config *cfg)
{
	struct mh_state *st = (struct mh_state *)(uintptr_t)layout.base;

	if (!handlers) {
		__atomic_store_n(&go, GO_HANDLERS, __ATOMIC_RELEASE);
		return;
	}
	/* Pre-launch RAM is not measured: the state starts from zeros. */
	fw_job.op = FW_JOB_ZERO;
	fw_job.flags = 0;
	fw_job.nr_segs = 1;
	fw_job.seg[0] = (struct fw_seg){0, layout.base, MH_STATE_SIZE, 0};
	fw_user_call(&fw_job);

	st->boot.role = cfg->flags & FW_BOOT_MIGRATION_TARGET ? MH_ROLE_TARGET : MH_ROLE_SOURCE;
	st->boot.nr_handlers = handlers;
	st->boot.layout = layout;
	st->boot.ram_alias = FW_MH_RAM_ALIAS;
	st->boot.shared_base = FW_SHARED_BASE;
	st->boot.shared_size = FW_SHARED_SIZE;
	st->boot.vmsa_base = FW_VMSA_BASE;
	if (fw_transport_key) {
		copy_qwords(st->boot.key, fw_transport_key, MH_KEY_SIZE / 8);
		st->boot.have_key = 1;
	}
	if (fw_launch_id) {
		copy_qwords(st->boot.launch_id, fw_launch_id, FW_SECRET_LAUNCH_ID_SIZE / 8);
		st->boot.have_launch_id = 1;
	}
	__atomic_store_n(&go, GO_HANDLERS, __ATOMIC_RELEASE);
}

static NORETURN void enter(uint32_t apic_id, uint32_t h)
{
	uint64_t blk = mh_handler_block(&layout, h);
	struct mh_handler_page *pg = (struct mh_handler_page *)(uintptr_t)blk;
	uint64_t rsp0 = FW_STACKS + (apic_id + 1) * (uint64_t)FW_STACK_SIZE;
	uint8_t *tss = (uint8_t *)(uintptr_t)(FW_MH_TSS + h * FW_MH_TSS_SIZE);

	/* TSS.RSP0 at offset 4 (Intel SDM Vol. 3A §8.7), then LTR. */
	__builtin_memcpy(tss + 4, &rsp0, 8);
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)(SEL_MH_TSS + 16 * h)) : "memory");
	pg->tls[0] = blk;
	pg->tls[5] = (rdtsc() * CANARY_MIX) & ~0xffull;
	wrmsr(MSR_FS_BASE, blk);
	fw_mh_enter(h, FW_MH_RAM_ALIAS + layout.base, blk + MH_STAGING_OFF);
}

void mh_stop(void)
{
	__atomic_store_n(&go, GO_STOP, __ATOMIC_RELEASE);
}

/* The waits are short: the BSP reads the configuration first thing, and
 * sets the MH up right after the secret table. */
void mh_ap_wait(uint32_t apic_id)
{
	uint32_t g;

	while ((g = __atomic_load_n(&go, __ATOMIC_ACQUIRE)) == GO_WAIT)
		cpu_relax();
	if (g == GO_STOP || apic_id < os_vcpus || apic_id - os_vcpus >= handlers)
		return;
	while ((g = __atomic_load_n(&go, __ATOMIC_ACQUIRE)) == GO_CONFIG)
		cpu_relax();
	if (g == GO_HANDLERS)
		enter(apic_id, apic_id - os_vcpus);
}
