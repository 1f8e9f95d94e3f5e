// SPDX-License-Identifier: MIT
/*
 * Per-CPU descriptor tables, stacks and the state every CPU sets at CPL0
 * before it drops to CPL3 for good: GDT/IDT/TSS and CR0/CR4 for SSE at
 * CPL3, and the per-CPU FS/GS/KERNEL_GS base MSRs the self-check verifies.
 */
#include "expect.h"
#include "kernel.h"
#include "x86.h"

/* Intel SDM Vol. 3A 8.7, Figure 8-11: 64-bit TSS. */
struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct dtr {
	u16 limit;
	u64 base;
} __attribute__((packed));

static struct tss tss[MAX_CPUS] ALIGNED(16);
static u64 idt[2 * (SYSCALL_VECTOR + 1)] ALIGNED(16);
static u8 kstack[MAX_CPUS][KSTACK_SIZE] ALIGNED(KSTACK_SIZE) __attribute__((section(".noinit")));
static u8 ustack[MAX_CPUS][USTACK_SIZE] ALIGNED(16) __attribute__((section(".noinit")));

/* Intel SDM Vol. 3A 6.14.1, Figure 6-8: 64-bit interrupt gate. */
static void set_gate(u32 vec, u64 handler, u32 dpl)
{
	idt[2 * vec] = (handler & 0xffff) | ((u64)SEL_KCODE << 16) |
		       ((u64)(0x8e | (dpl << 5)) << 40) | (((handler >> 16) & 0xffff) << 48);
	idt[2 * vec + 1] = handler >> 32;
}

/* Intel SDM Vol. 3A 7.2.3, Figure 7-4: 16-byte TSS descriptor, type 9. */
static void set_tss_desc(u32 cpu)
{
	u64 base = (u64)&tss[cpu], limit = sizeof(struct tss) - 1;
	u32 i = GDT_TSS_INDEX + 2 * cpu;

	gdt[i] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[i + 1] = base >> 32;
}

u64 cpu_kstack_top(u32 cpu)
{
	return (u64)kstack[cpu] + KSTACK_SIZE;
}

void cpu_tables_init(void)
{
	for (u32 v = 0; v < 32; v++)
		set_gate(v, (u64)isr_stubs + 16 * v, 0);
	/* DPL 3 so that int 0x80 from CPL3 does not #GP. */
	set_gate(SYSCALL_VECTOR, (u64)isr_syscall, 3);
	for (u32 i = 0; i < MAX_CPUS; i++) {
		tss[i].rsp[0] = cpu_kstack_top(i);
		tss[i].iomap_base = sizeof(struct tss); /* no I/O bitmap */
		set_tss_desc(i);
	}
}

u32 cpu_index_from_sp(u64 sp)
{
	u64 base = (u64)kstack;

	if (sp >= base && sp < base + sizeof(kstack))
		return (u32)((sp - base) / KSTACK_SIZE);
	return 0; /* boot stack: the BSP */
}

void cpu_setup(u32 index)
{
	struct dtr g = {GDT_ENTRIES * 8 - 1, (u64)gdt};
	struct dtr i = {sizeof(idt) - 1, (u64)idt};
	u16 tr = (u16)((GDT_TSS_INDEX + 2 * index) * 8);

	__asm__ volatile("lgdt %0" : : "m"(g));
	__asm__ volatile("lidt %0" : : "m"(i));
	__asm__ volatile("ltr %0" : : "r"(tr));

	/* SSE/x87 usable at CPL3 without #NM/#UD (Intel SDM Vol. 3A 13.1.3). */
	write_cr0((read_cr0() & ~(u64)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);

	/*
	 * FS/GS stay null for good (entry.S, user_start); load them before
	 * the bases, since in 64-bit mode a selector load may rewrite them.
	 */
	__asm__ volatile("mov %0, %%fs\n\tmov %0, %%gs" : : "r"(0));
	wrmsr(MSR_FS_BASE, expect_msr(index, 0));
	wrmsr(MSR_GS_BASE, expect_msr(index, 1));
	wrmsr(MSR_KERNEL_GS_BASE, expect_msr(index, 2));
}

/* Record the values user_start loads; before the CPU can reach CPL3. */
void cpu_prepare(u32 index)
{
	struct cpu *c = &cpus[index];
	struct uinit *u = &c->init;

	c->index = index;
	c->alive = 0;
	for (u32 k = 0; k < 6; k++)
		u->gpr[k] = expect_gpr(index, k);
	for (u32 k = 0; k < 8; k++) {
		u->x87[k] = expect_x87_int(index, k);
		u->xmm[2 * k] = expect_xmm(index, 8 + k, 0);
		u->xmm[2 * k + 1] = expect_xmm(index, 8 + k, 1);
	}
	u->mxcsr = expect_mxcsr(index);
	u->fcw = expect_fcw(index);
}

NORETURN void cpu_enter_user(u32 index)
{
	enter_user((u64)user_start, (u64)ustack[index] + USTACK_SIZE, (u64)&cpus[index]);
}
