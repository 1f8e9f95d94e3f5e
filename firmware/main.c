// SPDX-License-Identifier: MIT
/*
 * The BSP's boot sequence (docs/firmware.md, "Boot sequence"), entered
 * from reset.S in 64-bit mode at CPL0:
 *
 *   banner -> fw_cfg signature and boot configuration (the APs learn
 *   their kind) -> hashes table -> secret table, if injected (check and
 *   hash at CPL3, report) -> Migration Handler set up, handler vCPUs let in
 *   -> clear the legacy areas -> kernel, initrd, command line: fetch,
 *   place, hash at CPL3, compare -> e820, MP, ACPI, zero page (CPL3)
 *   -> wait for the handler vCPUs to park -> the kernel's 64-bit entry.
 *
 * As a migration target (FW_BOOT_MIGRATION_TARGET) it stops after the
 * secret table and the MH: no OS is loaded, the BSP parks.
 *
 * Everything that loops goes to CPL3 as a job (fw_job.h): CPL0 code is
 * emulated on PVM, about a microsecond per instruction.
 *
 * Any check that fails ends the VM with one "firmware: <reason>" line and
 * FW_EXIT_BASE | reason on port 0xf4 (console.c).
 */
#include "bootparams.h"
#include "fw.h"
#include "fw_job.h"
#include "layout.h"

#ifndef SEVM_VERSION
#define SEVM_VERSION "unknown"
#endif

#define CANARY_MIX 0x9e3779b97f4a7c15ull

/* CPL3 runs BearSSL, built with the stack protector: FS base -> a block
 * whose offset 0x28 holds the canary (x86-64 ABI TLS layout, as glibc). */
void fw_user_init(void)
{
	/* Low byte zero, as glibc: a string overread stops at the canary. */
	fw_user_tls[5] = (rdtsc() * CANARY_MIX) & ~0xffull;
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)fw_user_tls);
}

/* Clears what the OS will scan or read (IVT and BDA, zero page, EBDA, BIOS
 * area) before the firmware's tables go there: RAM contents from before
 * launch are not measured and must not pass for tables. */
static void clear_legacy_areas(void)
{
	static const struct {
		uint64_t base, size;
	} areas[FW_JOB_SEGS] = {
	    {0, FW_PAGE},
	    {FW_ZERO_PAGE, BP_SIZE},
	    {LAYOUT_EBDA, LAYOUT_VGA_START - LAYOUT_EBDA},
	    {LAYOUT_BIOS_START, LAYOUT_HIGH_START - LAYOUT_BIOS_START},
	};

	fw_job.op = FW_JOB_ZERO;
	fw_job.flags = 0;
	fw_job.nr_segs = FW_JOB_SEGS;
	for (unsigned i = 0; i < FW_JOB_SEGS; i++)
		fw_job.seg[i] = (struct fw_seg){0, areas[i].base, areas[i].size, 0};
	fw_user_call(&fw_job);
}

static void build_tables(const struct fw_boot_config *cfg, const struct loaded *l)
{
	uint32_t r[4];

	cpuid(1, r);
	fw_job.op = FW_JOB_TABLES;
	fw_job.tables = (struct fw_tables){.ram_size = cfg->ram_size,
					   .header_len = l->k.header_len,
					   .initrd_addr = l->initrd_addr,
					   .initrd_size = l->initrd_size,
					   .mh_base = mh_region_base(),
					   .mh_size = mh_region_size(),
					   .os_vcpus = cfg->os_vcpus,
					   .cpuid_signature = r[0],
					   .cpuid_features = r[3],
					   .version = (uint16_t)l->k.version};
	fw_user_call(&fw_job);
	if (fw_job.tables.error)
		fw_refuse(FW_EXIT_INTERNAL, "building the OS tables");
}

static void print_verified(const struct loaded *l)
{
	LINE(line);

	line_str(&line, "firmware: kernel ");
	line_dec(&line, l->k.size);
	line_str(&line, " initrd ");
	line_dec(&line, l->initrd_size);
	line_str(&line, " cmdline ");
	line_dec(&line, l->cmdline_size);
	line_str(&line, " verified");
	line_print(&line);
}

NORETURN void fw_main(void)
{
	struct fw_boot_config cfg;
	struct fw_hashes want;
	struct loaded l;

	con_puts("firmware: sevm-fw " SEVM_VERSION "\n");
	fw_user_init();
	fwcfg_read_config(&cfg);
	mh_configure(&cfg);
	if (cfg.flags & FW_BOOT_MIGRATION_TARGET) {
		/* design.md §5 "Target startup": no OS; the MH receives. The BSP
		 * and OS APs stay parked (later: held for the trampoline). */
		secret_read();
		mh_start(&cfg);
		park_wait_handlers(&cfg);
		con_puts("firmware: migration target: waiting for records\n");
		park_self(0);
	}
	hashes_read(&want);
	secret_read();
	mh_start(&cfg);
	clear_legacy_areas();
	load_all(&cfg, &want, &l);
	print_verified(&l);
	build_tables(&cfg, &l);
	park_wait_handlers(&cfg);
	wrmsr(MSR_FS_BASE, 0);
	fw_boot_kernel(l.k.load + BOOT_ENTRY64_OFFSET, FW_ZERO_PAGE);
}
