/* SPDX-License-Identifier: MIT */
/*
 * The state every vCPU starts in when booting through sevm's firmware: the
 * initial SEV-ES VMSA (sev-facts.md, "Initial SEV-ES VMSA"; AMD APM vol. 2
 * §14.1.3 for the x86 reset state it mirrors). The BSP starts at the reset
 * vector 0xfffffff0, the others at the AP reset address from the
 * firmware's SEV-ES reset block; all in real mode, all runnable at once.
 */
#ifndef SEVM_SRC_VMM_RESETSTATE_H
#define SEVM_SRC_VMM_RESETSTATE_H

#include <linux/kvm.h>
#include <stdint.h>

/* eip: 0xfffffff0 for the BSP; for APs (ap_reset & 0xffff0000) | (ap_reset & 0xffff). */
void resetstate_sregs(struct kvm_sregs *s, uint32_t eip);
void resetstate_regs(struct kvm_regs *r, uint32_t eip, uint32_t cpuid_signature);
/* eip for an AP from the SEV-ES reset block value (CS base >> 16 | IP). */
uint32_t resetstate_ap_eip(uint32_t ap_reset);

#endif
