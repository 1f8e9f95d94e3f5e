/* SPDX-License-Identifier: MIT */
/*
 * Test guest CPL0 side: interfaces between its modules.  CPL0 code is
 * emulated on PVM (test-environment.md), so everything here runs once or
 * rarely and is kept short in instruction count.
 */
#ifndef SEVM_TESTS_GUEST_KERNEL_H
#define SEVM_TESTS_GUEST_KERNEL_H

#include "guest.h"

/* Built by entry.S: pushes in reverse order of these fields. */
struct trapframe {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rdi, rsi, rbp, rbx, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* bootinfo.c */
void bootinfo_parse(u32 kind, u64 info);

/* cmdline.c */
void cmdline_parse(const char *s, struct config *c);

/* serial.c: COM1 output under a lock, input, debug-exit */
void serial_init(void);
void serial_write(const char *s, size_t n);
int serial_getc(void);
void kputs(const char *s);
NORETURN void power_off(u32 status);

/* mm.c */
extern u64 pml4[512];
void mm_map_identity(u64 lapic_base);
u64 mm_image_end(void);
u64 mm_assign_slices(u32 ncpus, u64 mem);
bool mm_is_ram(u64 base, u64 size);

/* cpu.c */
void cpu_tables_init(void);
void cpu_prepare(u32 index);
void cpu_setup(u32 index);
u32 cpu_index_from_sp(u64 sp);
u64 cpu_kstack_top(u32 cpu);
NORETURN void cpu_enter_user(u32 index);

/* tsc.c */
extern u64 tsc_khz;
u64 tsc_khz_detect(void);
void tsc_delay_us(u64 us);

/* topology.c */
u32 topology_find_cpus(u32 bsp_id, u32 *ids, u32 max, u32 *dropped);

/* smp.c */
u32 smp_boot(u32 *failed);

/* trap.c */
void trap_entry(struct trapframe *f);

/* boot.c */
NORETURN void boot_main(u32 kind, u64 info);
NORETURN void ap_main(u32 index);

/* entry.S, head.S, trampoline.S, link.ld */
extern char isr_stubs[];
extern char isr_syscall[];
extern char user_start[];
extern char tramp_start[], tramp_end[];
extern u64 gdt[];
extern volatile u64 ap_boot_stack;
extern volatile u32 ap_boot_index;
extern char __image_start[], __image_end[];
NORETURN void enter_user(u64 rip, u64 rsp, u64 arg);

#endif
