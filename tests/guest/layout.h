/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by the test guest's assembly and C code: physical
 * layout, GDT selectors, control-register bits and the offsets of the
 * per-CPU fields that entry.S reads.  Plain #defines only, so that both
 * gcc and gas can include it.
 */
#ifndef SEVM_TESTS_GUEST_LAYOUT_H
#define SEVM_TESTS_GUEST_LAYOUT_H

/* Linux boot.rst: code32_start / pref_address of a non-relocatable kernel. */
#define LOAD_ADDR 0x100000

#define PAGE_SIZE 4096
#define MAX_CPUS 32
#define KSTACK_SIZE 8192 /* power of two: the trap code derives the CPU from RSP */
#define USTACK_SIZE 16384
#define BOOT_STACK_SIZE 8192

/* Identity map limit: PD pages are static, one per GiB. */
#define MAX_GB 64

/* How we were entered; first argument of boot_main(). */
#define BOOT_LINUX32 1	 /* boot.rst 32-bit protocol, ESI = boot_params */
#define BOOT_LINUX64 2	 /* boot.rst 64-bit protocol, RSI = boot_params */
#define BOOT_MULTIBOOT 3 /* Multiboot 0.6.96, EBX = multiboot info */

/* Multiboot 0.6.96 section 3.1.1: magic, flags, and the value in EAX. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS ((1 << 1) | (1 << 16)) /* want mem/mmap; a.out kludge */
#define MB_BOOT_EAX 0x2BADB002

/*
 * GDT layout.  Index 3 is a 32-bit code segment for the paths that run in
 * protected mode before paging (multiboot entry, AP trampoline).  The user
 * descriptors follow the SYSRET layout (Intel SDM Vol. 2B SYSRET: 32-bit
 * CS, then SS/DS at +8, 64-bit CS at +16), which is also Linux's: PVM runs
 * guest user mode on the host's user selectors, so with this layout the
 * CS and SS read back at CPL3 are the guest's own on PVM too.  One 16-byte TSS
 * descriptor per CPU follows (Intel SDM Vol. 3A 7.2.3).
 */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_KCODE32 0x18
#define SEL_UCODE32 0x23 /* unused; keeps the layout */
#define SEL_UDATA 0x2b	 /* SS at CPL3; DS, ES, FS, GS are null there */
#define SEL_UCODE 0x33
#define GDT_TSS_INDEX 7
#define GDT_ENTRIES (GDT_TSS_INDEX + 2 * MAX_CPUS)

/* Intel SDM Vol. 3A 2.5 (control registers), Vol. 4 (MSR index). */
#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_TS (1 << 3)
#define CR0_NE (1 << 5)
#define CR0_PG 0x80000000
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_APIC_BASE 0x1B

/* Page-table entry bits (Intel SDM Vol. 3A 4.5). */
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_U 0x4
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_PS 0x80

/*
 * System calls: int 0x80, number in RAX, result in RAX (SYSCALL is broken
 * on PVM; there int 0x80 arrives as #UD instead, see trap.c).
 */
#define SYSCALL_VECTOR 0x80
#define SYS_WRITE 0  /* rdi = buffer, rsi = length */
#define SYS_GETC 1   /* returns a byte from COM1, or -1 */
#define SYS_EXIT 2   /* rdi = status for the debug-exit port */
#define SYS_RDMSRS 3 /* rdi = u64[3]: FS_BASE, GS_BASE, KERNEL_GS_BASE */
#define SYS_HALT 4   /* never returns: this CPU halts with interrupts off */

/* Offsets inside struct uinit (guest.h); entry.S loads registers from it. */
#define UINIT_GPR 0x00 /* rbx, rbp, r12, r13, r14, r15 */
#define UINIT_X87 0x30 /* 8 x u64 integers, pushed with fildq in order */
#define UINIT_XMM 0x70 /* xmm8..xmm15, 16 bytes each */
#define UINIT_MXCSR 0xf0
#define UINIT_FCW 0xf4
#define UINIT_SIZE 0x100

/* Offsets inside struct regsnap (guest.h); user_snapshot() fills it. */
#define SNAP_FX 0x000  /* 512-byte FXSAVE image, Intel SDM Vol. 1 10.5.1 */
#define SNAP_GPR 0x200 /* rbx, rbp, r12..r15 */
#define SNAP_SEL 0x230 /* cs, ss, ds, es, fs, gs as u16 */
#define SNAP_SIZE 0x240

#endif
