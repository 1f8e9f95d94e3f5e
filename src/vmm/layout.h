/* SPDX-License-Identifier: MIT */
/*
 * Where sevm places what it hands a directly booted guest, in low RAM.
 * Everything here lies below the EBDA and is ordinary RAM in the e820 map:
 * the guest may reuse it once it has taken over (as Linux does).
 */
#ifndef SEVM_SRC_VMM_LAYOUT_H
#define SEVM_SRC_VMM_LAYOUT_H

#define LAYOUT_GDT 0x0500ULL	   /* boot GDT: null, null, code64 0x10, data 0x18, TSS 0x20 */
#define LAYOUT_TSS 0x0600ULL	   /* 104-byte 64-bit TSS for TR */
#define LAYOUT_ZERO_PAGE 0x7000ULL /* struct boot_params */
#define LAYOUT_PML4 0x9000ULL
#define LAYOUT_PDPT 0xa000ULL
#define LAYOUT_PD 0xb000ULL /* four page directories: 0..4 GiB in 2 MiB pages */
#define LAYOUT_CMDLINE 0x20000ULL
#define LAYOUT_CMDLINE_MAX 0x10000ULL
#define LAYOUT_EBDA 0x9fc00ULL /* 0x9fc00..0xa0000 reserved, as on a PC */
#define LAYOUT_VGA_START 0xa0000ULL
#define LAYOUT_BIOS_START 0xe0000ULL  /* 0xe0000..0x100000 reserved, as PC firmware's */
#define LAYOUT_ACPI LAYOUT_BIOS_START /* RSDP first: where guests scan for it */
#define LAYOUT_MPTABLE 0xf0000ULL
#define LAYOUT_HIGH_START 0x100000ULL /* 1 MiB: the protected-mode kernel */

#define LAYOUT_IOAPIC_BASE 0xfec00000ULL
#define LAYOUT_LAPIC_BASE 0xfee00000ULL

#define BOOT_CS 0x10
#define BOOT_DS 0x18
#define BOOT_TSS 0x20

#endif
