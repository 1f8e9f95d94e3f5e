/* SPDX-License-Identifier: MIT */
/*
 * The emu platform's vCPU half: moving a vCPU's architectural state between
 * an SEV-ES VMSA page (sev/vmsa.h) and a plain KVM vCPU. Real hardware does
 * this itself on VMRUN and #VMEXIT (AMD APM vol. 2 §15.35, "Encrypted
 * State"); the emu backend runs the guest as an ordinary KVM vCPU, so it
 * loads the VMSA into KVM before the vCPU first runs and saves it back
 * whenever the platform needs the page (measurement, migration, debug).
 *
 * Carried: GPRs, RIP, RFLAGS; ES/CS/SS/DS/FS/GS/LDTR/TR and GDTR/IDTR;
 * CR0/CR2/CR3/CR4, EFER; DR0-DR3, DR6, DR7; x87, MXCSR, XMM0-15 and the
 * upper halves of YMM0-15; XCR0; PKRU; STAR, LSTAR, CSTAR, SFMASK,
 * KERNEL_GS_BASE, SYSENTER_CS/ESP/EIP, PAT, and TSC_AUX and XSS where KVM
 * has them. Everything else in the page has no KVM counterpart (see
 * emu_cpu.c) and is written as zero, ignored on load.
 */
#ifndef SEVM_SEV_EMU_CPU_H
#define SEVM_SEV_EMU_CPU_H

#include <stdint.h>

#include "sev/vmsa.h"

/*
 * Load the state held in vmsa into KVM vCPU vcpu_fd. KVM's APIC base, CR8,
 * pending interrupts and MP state are left as they are. Returns 0 or -errno:
 * the ioctl's error, -EINVAL when KVM refuses a value, -EOPNOTSUPP when the
 * page holds state this vCPU cannot take (non-zero YMM or PKRU without the
 * feature, non-zero TSC_AUX/XSS that KVM does not carry). On failure the
 * vCPU may hold part of the new state.
 */
int emu_cpu_load(int vcpu_fd, const uint8_t vmsa[VMSA_PAGE_SIZE])
    __attribute__((warn_unused_result));

/*
 * The reverse: rewrite the whole page from KVM's state. The vCPU must not be
 * in KVM_RUN. On failure the page is left untouched.
 */
int emu_cpu_save(int vcpu_fd, uint8_t vmsa[VMSA_PAGE_SIZE]) __attribute__((warn_unused_result));

#endif
