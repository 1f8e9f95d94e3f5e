/* SPDX-License-Identifier: MIT */
/*
 * Every fixed address of sevm's firmware (docs/firmware.md, "Memory layout").
 * Plain #defines without integer suffixes, so that C, the assembler and the
 * preprocessed linker script (link.ld.S) share one source of truth.
 *
 * The image is 1 MiB and ends at 4 GiB. Everything in it sits at a fixed
 * offset, which lets the page tables, GDT, IDT and TSS be static data built
 * by the assembler: nothing has to be computed at run time by emulated CPL0
 * code (test-environment.md), and all of it is covered by the launch
 * measurement of the image.
 */
#ifndef SEVM_FIRMWARE_FW_LAYOUT_H
#define SEVM_FIRMWARE_FW_LAYOUT_H

#define FW_PAGE 0x1000
#define FW_IMAGE_SIZE 0x100000
#define FW_IMAGE_BASE 0xfff00000 /* 4 GiB - FW_IMAGE_SIZE */

/* [base, base + 0x40000): one VMSA page per vCPU (design.md §3). */
#define FW_VMSA_BASE FW_IMAGE_BASE
#define FW_VMSA_MAX 64
#define FW_SECRET_BASE (FW_IMAGE_BASE + 0x40000) /* LAUNCH_SECRET lands here */
#define FW_HASHES_BASE (FW_IMAGE_BASE + 0x41000) /* kernel hashes table */

/* Static page tables (Intel SDM Vol. 3A §4.5), 2 MiB pages except the image. */
#define FW_PML4 (FW_IMAGE_BASE + 0x42000) /* the firmware's own map */
#define FW_PDPT (FW_IMAGE_BASE + 0x43000)
#define FW_PD (FW_IMAGE_BASE + 0x44000)	     /* 4 pages: 0-3 GiB user, 3-4 GiB -> FW_PT */
#define FW_PT (FW_IMAGE_BASE + 0x48000)	     /* the image in 4 KiB pages */
#define FW_OS_PML4 (FW_IMAGE_BASE + 0x49000) /* identity map 0-4 GiB handed to the OS */
#define FW_OS_PDPT (FW_IMAGE_BASE + 0x4a000)
#define FW_OS_PD (FW_IMAGE_BASE + 0x4b000) /* 4 pages */

/* Descriptor tables (Intel SDM Vol. 3A §3.5.1, §6.14, §8.7). */
#define FW_SYS (FW_IMAGE_BASE + 0x50000)
#define FW_GDT FW_SYS
#define FW_GDT_DESC (FW_SYS + 0xe0)
#define FW_TSS (FW_SYS + 0x100)
#define FW_OS_GDT (FW_SYS + 0x200) /* boot.rst: __BOOT_CS 0x10, __BOOT_DS 0x18 */
#define FW_OS_GDT_DESC (FW_SYS + 0x280)
#define FW_IDT_DESC (FW_SYS + 0x300)
/* One TSS per handler vCPU (handler index h), so that a trap from its CPL3
 * Migration Handler lands on its own stack: TSS.RSP0 is set to the vCPU's
 * CPL0 stack (FW_STACKS), which it leaves for good when it enters CPL3. */
#define FW_MH_TSS (FW_SYS + 0x400) /* + h * FW_MH_TSS_SIZE, 8 of them */
#define FW_MH_TSS_SIZE 0x80
#define FW_MH_TSS_MAX 8 /* MH_MAX_HANDLERS */
#define FW_IDT (FW_IMAGE_BASE + 0x51000)
#define FW_IDT_ENTRIES 256
#define FW_ISR (FW_IMAGE_BASE + 0x52000) /* 16-byte stubs: vectors 0-31, then 0x80 */
#define FW_ISR_STUB 16

/* CPL0 code and data, then the BSP's stacks. */
#define FW_TEXT (FW_IMAGE_BASE + 0x53000)
#define FW_TEXT_END (FW_IMAGE_BASE + 0x80000)
#define FW_BSP_STACK_TOP (FW_IMAGE_BASE + 0x84000)  /* 16 KiB */
#define FW_TRAP_STACK_TOP (FW_IMAGE_BASE + 0x85000) /* TSS.RSP0: traps from CPL3 */

/* The only user (U=1) pages of the image: CPL3 code, data and stack. */
#define FW_USER (FW_IMAGE_BASE + 0x90000)
#define FW_USER_STACK (FW_IMAGE_BASE + 0xac000)
#define FW_USER_END (FW_IMAGE_BASE + 0xb0000) /* also the CPL3 stack top */

/* One 4 KiB CPL0 stack per vCPU (APIC ID), for APs and handler vCPUs. */
#define FW_STACKS (FW_IMAGE_BASE + 0xb0000)
#define FW_STACK_SIZE 0x1000

/* Last page: real-mode entry, GUIDed table, reset vector. */
#define FW_RESET_PAGE (FW_IMAGE_BASE + 0xff000)
#define FW_AP_RESET FW_RESET_PAGE /* SEV-ES reset block: CS base 0xffff0000, IP 0xf000 */
#define FW_TABLE_SIZE 142	  /* four entries, length and footer GUID */
#define FW_TABLE_END 0xffffffe0
#define FW_TABLE (FW_TABLE_END - FW_TABLE_SIZE)
#define FW_RESET_VECTOR 0xfffffff0

/* Shared (host-visible) region in low RAM: fw_cfg DMA descriptor and bounce;
 * the Migration Handler's mailbox (+0x1000) and slots (+0x10000, over the
 * bounce buffer, which only boot uses), include/sevm/mh_abi.h. The MH's
 * private region (firmware/mh/mh.h, mh_layout()) lies at the top of RAM
 * below 3 GiB, placed from ram_size and handler_vcpus alone. */
#define FW_SHARED_BASE 0x800000
#define FW_SHARED_SIZE 0x400000
#define FW_DMA_DESC FW_SHARED_BASE
#define FW_BOUNCE (FW_SHARED_BASE + 0x200000)
#define FW_BOUNCE_SIZE 0x200000

/* What the firmware hands the OS in low RAM (ordinary RAM in the e820). */
#define FW_ZERO_PAGE 0x7000
#define FW_CMDLINE 0x20000 /* at most 64 KiB */
#define FW_CMDLINE_MAX 0x10000
#define FW_SETUP 0x30000 /* the kernel's real-mode part, (255 + 1) * 512 at most */
#define FW_SETUP_MAX 0x20000

/* GDT selectors. User ones follow Linux (PVM runs CPL3 on 0x2b/0x33). */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18
#define SEL_UDATA 0x2b
#define SEL_UCODE 0x33
#define SEL_TSS 0x38
#define SEL_MH_TSS 0x48 /* + 16 * h: handler h's TSS */
#define FW_GDT_ENTRIES 25	/* 9, then 8 16-byte TSS descriptors */
#define SEL_OS_CODE 0x10
#define SEL_OS_DATA 0x18

/* System calls from CPL3 (int 0x80, RAX = number, RDI = argument). */
#define FW_SYSCALL_VECTOR 0x80
#define FW_SYS_DONE 0  /* the job is done, RDI = result */
#define FW_SYS_ABORT 1 /* stack protector or fortify check failed */
/* Migration Handler vCPUs only (they never return to a saved CPL0 stack): */
#define FW_SYS_MH_DOORBELL 2 /* OUT FW_MH_DOORBELL_PORT, RDI; then back to CPL3 */
#define FW_SYS_MH_PARK 3     /* halt for good (interrupts off) */

/*
 * Migration Handler (firmware/mh/mh.h): its private region in low RAM sits
 * at the top of RAM below 3 GiB, sized from ram_size and handler_vcpus
 * (mh_layout()). The MH reaches RAM below 3 GiB, its own region included,
 * through a second map at FW_MH_RAM_ALIAS + GPA (the same page directories
 * as the identity map), so that guest page 0 is not a NULL pointer.
 */
#define FW_MH_RAM_ALIAS 0x100000000 /* PDPT entries 4-7: 4-8 GiB -> 0-4 GiB */

/* Control registers, MSRs, page-table bits (Intel SDM Vol. 3A §2.5, §4.5). */
#define CR0_PE 0x1
#define CR0_MP 0x2
#define CR0_ET 0x10
#define CR0_NE 0x20
#define CR0_WP 0x10000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define CR4_MCE 0x40
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_U 0x4
#define PTE_PS 0x80

#endif
