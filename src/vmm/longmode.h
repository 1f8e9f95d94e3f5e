/* SPDX-License-Identifier: MIT */
/*
 * The state a vCPU starts in for direct boot: 64-bit long mode with an
 * identity map of the first 4 GiB in 2 MiB pages (1 GiB pages do not work
 * on every host, see test-environment.md), the boot GDT of boot.rst's 64-bit
 * protocol (__BOOT_CS 0x10, __BOOT_DS 0x18) and a busy 64-bit TSS in TR.
 */
#ifndef SEVM_SRC_VMM_LONGMODE_H
#define SEVM_SRC_VMM_LONGMODE_H

#include <linux/kvm.h>
#include <stdint.h>

#include "mem.h"

/* Writes page tables, GDT and TSS into guest RAM at the layout.h addresses. */
int longmode_write_tables(struct guest_mem *m) __attribute__((warn_unused_result));
/* Fills special registers for long mode, keeping fields KVM filled (APIC base, ...). */
void longmode_sregs(struct kvm_sregs *s);
/* Registers for entering at rip with RSI = zero page (boot.rst 64-bit protocol). */
void longmode_regs(struct kvm_regs *r, uint64_t rip, uint64_t zero_page);

#endif
