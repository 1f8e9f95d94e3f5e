// SPDX-License-Identifier: MIT
/*
 * Boot sequence of the test guest (CPL0, BSP unless noted):
 *
 *   copy boot info -> COM1 -> identity map -> GDT/IDT/TSS -> command line
 *   -> TSC frequency -> start APs (each sets itself up and waits at CPL3)
 *   -> carve pattern memory -> boot line -> "go" -> CPL3 for good.
 *
 * Each step is short: on PVM every CPL0 instruction is emulated.
 */
#include "fmt.h"
#include "kernel.h"
#include "x86.h"

struct config config;
struct shared shared;
struct cpu cpus[MAX_CPUS];

static void print_boot_line(void)
{
	char line[160];
	struct buf b = BUF(line);

	buf_str(&b, "testguest: boot cpus=");
	buf_dec(&b, shared.ncpus);
	buf_str(&b, " mem=");
	buf_size(&b, shared.mem);
	buf_str(&b, " dirty=");
	if (shared.dirty == DIRTY_MAX)
		buf_str(&b, "max");
	else
		buf_dec(&b, shared.dirty);
	buf_str(&b, " tsc_khz=");
	buf_dec(&b, tsc_khz);
	buf_char(&b, '\n');
	serial_write(line, b.len);
}

/* "testguest: e820 <start> <end, exclusive> <type>", one line per entry of
 * the loader's map, as given (tests check the ranges a firmware reserved). */
static void print_map(void)
{
	for (u32 i = 0; i < bootinfo.nmap; i++) {
		const struct mapentry *e = &bootinfo.map[i];
		char line[96];
		struct buf b = BUF(line);

		buf_str(&b, "testguest: e820 ");
		buf_hex(&b, e->base);
		buf_char(&b, ' ');
		buf_hex(&b, e->base + e->size);
		buf_char(&b, ' ');
		buf_dec(&b, e->type);
		buf_char(&b, '\n');
		serial_write(line, b.len);
	}
}

static void warn_num(const char *what, u64 v, const char *rest)
{
	char line[160];
	struct buf b = BUF(line);

	buf_str(&b, "testguest: ");
	buf_str(&b, what);
	buf_dec(&b, v);
	buf_str(&b, rest);
	serial_write(line, b.len);
}

static void warn_mem(u64 got, u64 asked, u32 ncpus)
{
	char line[160];
	struct buf b = BUF(line);

	buf_str(&b, "testguest: mem clamped to ");
	buf_size(&b, got);
	buf_str(&b, " (asked for ");
	buf_size(&b, asked);
	buf_str(&b, "): the most RAM above the image holds in ");
	buf_dec(&b, ncpus);
	buf_str(&b, " equal slices\n");
	serial_write(line, b.len);
}

NORETURN void boot_main(u32 kind, u64 info)
{
	u32 ncpus, failed;
	u64 mem;

	bootinfo_parse(kind, info);
	serial_init();
	/* Mask both 8259s: the guest never takes an interrupt (IF stays 0). */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	mm_map_identity(rdmsr(MSR_APIC_BASE) & 0xffffffffff000ull);
	cpu_tables_init();
	cpu_prepare(0);
	cpu_setup(0);
	cmdline_parse(bootinfo.cmdline, &config);
	tsc_khz = tsc_khz_detect();

	ncpus = smp_boot(&failed);
	if (failed)
		warn_num("APs that did not start: ", failed, "\n");

	mem = mm_assign_slices(ncpus, config.mem);
	if (!mem) {
		kputs("testguest: no RAM for pattern memory\n");
		power_off(1);
	}
	/* Rounding each slice down to whole pages is not worth a warning. */
	if (mem + (u64)ncpus * PAGE_SIZE <= config.mem)
		warn_mem(mem, config.mem, ncpus);

	shared.ncpus = ncpus;
	shared.dirty = config.dirty;
	shared.check = config.check;
	shared.corrupt = config.corrupt;
	shared.idle = config.idle;
	shared.tsc_hz = tsc_khz * 1000;
	shared.mem = mem;
	print_boot_line();
	if (config.e820)
		print_map();
	shared.go = 1;
	cpu_enter_user(0);
}

/* AP, from ap_entry64 on its own kernel stack. */
NORETURN void ap_main(u32 index)
{
	cpu_setup(index);
	cpus[index].alive = 1;
	cpu_enter_user(index);
}
