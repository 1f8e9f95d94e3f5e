/* SPDX-License-Identifier: MIT */
/*
 * Test guest: types and the state shared between its CPL0 kernel and the
 * CPL3 workload.  Everything lives in guest RAM so that a migrated guest
 * carries it along and a later self-check means something.
 */
#ifndef SEVM_TESTS_GUEST_GUEST_H
#define SEVM_TESTS_GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define ALIGNED(n) __attribute__((aligned(n)))
#define NORETURN __attribute__((noreturn))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- boot information, copied out of boot_params / multiboot info ---- */

#define MAX_RAM 64
#define MAX_MAP 32	 /* memory-map entries kept as given, for the e820 option */
#define CMDLINE_MAX 1024 /* boot.rst cmdline_size is CMDLINE_MAX - 1 */

struct memrange {
	u64 base;
	u64 size;
};

struct mapentry {
	u64 base;
	u64 size;
	u32 type; /* E820 type: 1 RAM, 2 reserved, ... */
};

struct bootinfo {
	u32 kind; /* BOOT_* */
	u32 nram;
	struct memrange ram[MAX_RAM]; /* usable RAM, sorted, merged */
	u32 nmap;
	struct mapentry map[MAX_MAP]; /* the loader's map, all types, in its order */
	char cmdline[CMDLINE_MAX];
};

/* ---- kernel command line ---- */

#define DIRTY_MAX 0xffffffffu /* dirty=max */
#define DIRTY_LIMIT 10000000u /* highest numeric rate accepted */

struct config {
	u64 mem;     /* requested pattern bytes, all CPUs together */
	u32 dirty;   /* pages per second per CPU, or DIRTY_MAX */
	u32 check;   /* heartbeats until the self-check, 0 = never */
	u32 corrupt; /* 1: flip a memory word, 2: flip a register */
	bool e820;   /* print the memory map after the boot line */
	bool idle;   /* halt every CPU once the pattern is in memory */
};

/* ---- self-check results, reported by each CPU through memory ---- */

enum fail_kind {
	FAIL_MEM = 1, /* index = word, addr = page, expect/found[1] = gen */
	FAIL_GEN,     /* sum of generations != pages rewritten */
	FAIL_GPR,     /* index = 0..5: rbx, rbp, r12..r15 */
	FAIL_XMM,     /* index = 8..15 */
	FAIL_ST,      /* index = 0..7: ST(i), 80-bit values */
	FAIL_FCW,
	FAIL_FSW,
	FAIL_FTW,
	FAIL_MXCSR,
	FAIL_SEL,    /* index = 0..5: cs, ss, ds, es, fs, gs */
	FAIL_MSR,    /* index = 0..2: fs_base, gs_base, kernel_gs_base */
	FAIL_NORESP, /* CPU did not answer the self-check request */
};

#define FAILF_RUN 1 /* seen by a periodic check, before the self-check */
#define MAX_FAIL 8  /* records kept per CPU; nfail counts all */

struct fail {
	u16 kind;
	u16 flags;
	u32 index;
	u64 addr;
	u64 expect[2];
	u64 found[2];
};

/* ---- per-CPU state ---- */

/* Register values user_start (entry.S) loads; offsets in layout.h. */
struct uinit {
	u64 gpr[6];
	u64 x87[8];
	u64 xmm[16];
	u32 mxcsr;
	u16 fcw;
	u16 pad;
	u64 pad2;
};

/* What user_snapshot (entry.S) stores; offsets in layout.h. */
struct regsnap {
	u8 fx[512];
	u64 gpr[6];
	u16 sel[6];
	u32 pad[1];
} ALIGNED(16);

_Static_assert(offsetof(struct uinit, gpr) == UINIT_GPR, "entry.S");
_Static_assert(offsetof(struct uinit, x87) == UINIT_X87, "entry.S");
_Static_assert(offsetof(struct uinit, xmm) == UINIT_XMM, "entry.S");
_Static_assert(offsetof(struct uinit, mxcsr) == UINIT_MXCSR, "entry.S");
_Static_assert(offsetof(struct uinit, fcw) == UINIT_FCW, "entry.S");
_Static_assert(sizeof(struct uinit) == UINIT_SIZE, "entry.S");
_Static_assert(offsetof(struct regsnap, fx) == SNAP_FX, "entry.S");
_Static_assert(offsetof(struct regsnap, gpr) == SNAP_GPR, "entry.S");
_Static_assert(offsetof(struct regsnap, sel) == SNAP_SEL, "entry.S");
_Static_assert(sizeof(struct regsnap) == SNAP_SIZE, "entry.S");

enum { CHECK_IDLE, CHECK_RUNNING, CHECK_DONE };

struct cpu {
	struct uinit init; /* must stay first: entry.S uses RDI + UINIT_* */
	struct regsnap snap;
	u32 index;
	u32 apic_id;
	volatile u32 alive; /* AP finished its CPL0 setup */

	/* Memory slice: generation table, then the pattern pages. */
	u32 *gen;
	u64 pages; /* physical address of the first pattern page */
	u64 npages;

	/* Workload state (CPL3). */
	u64 last_tsc;
	u64 elapsed; /* TSC ticks of running time seen by this CPU */
	u64 credit;  /* dirty-rate accumulator, in ticks * pages */
	u64 next_regcheck;
	u64 dirty_pos;
	u64 dirtied;
	u64 loops;
	u32 run_failed;
	volatile u32 check_state;
	u32 check_seen; /* the last check_req this CPU answered */
	u32 nfail;
	struct fail fail[MAX_FAIL];
} ALIGNED(64);

/*
 * Guest-wide state.  heartbeats is the workload's clock (seconds of
 * running time, counted from cpus[0].elapsed); a migrated guest carries it
 * along and continues counting.
 */
struct shared {
	u32 ncpus;
	u32 dirty;
	u32 check;
	u32 corrupt;
	u64 tsc_hz;
	u64 mem; /* pattern bytes actually in use */
	volatile u32 go;
	volatile u32 check_req; /* bumped by the BSP for each self-check */
	volatile u32 check_final; /* this one powers off after the report */
	u64 heartbeats;
	u64 next_poll;
	u32 idle;
	u32 filled; /* CPUs done with pattern_fill (idle only) */
};

extern struct bootinfo bootinfo;
extern struct config config;
extern struct shared shared;
extern struct cpu cpus[MAX_CPUS];

/* ---- helpers usable at any privilege level ---- */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Unaligned-safe loads; __builtin_memcpy stays inline under -ffreestanding. */
static inline u64 load64(const void *p)
{
	u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline u32 load32(const void *p)
{
	u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline u16 load16(const void *p)
{
	u16 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
