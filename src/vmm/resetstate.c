// SPDX-License-Identifier: MIT
#include "resetstate.h"

#include <string.h>

#define CR0_ET 0x10  /* the VMSA's CR0 (sev-facts.md) */
#define CR4_MCE 0x40 /* the VMSA's CR4 */
#define SEG_TYPE_CODE_XR_A 0xb
#define SEG_TYPE_DATA_RW_A 0x3
#define SEG_TYPE_TSS_BUSY 0xb
#define SEG_TYPE_LDT 0x2

static struct kvm_segment real_seg(uint16_t sel, uint64_t base, uint8_t type, uint8_t s)
{
	return (struct kvm_segment){
	    .base = base, .limit = 0xffff, .selector = sel, .type = type, .present = 1, .s = s};
}

uint32_t resetstate_ap_eip(uint32_t ap_reset)
{
	return (ap_reset & 0xffff0000u) | (ap_reset & 0xffffu);
}

void resetstate_sregs(struct kvm_sregs *s, uint32_t eip)
{
	struct kvm_segment data = real_seg(0, 0, SEG_TYPE_DATA_RW_A, 1);

	/* CS = {selector 0xf000, base eip & 0xffff0000}: IP then is eip & 0xffff. */
	s->cs = real_seg(0xf000, eip & 0xffff0000u, SEG_TYPE_CODE_XR_A, 1);
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->ldt = real_seg(0, 0, SEG_TYPE_LDT, 0);
	s->tr = real_seg(0, 0, SEG_TYPE_TSS_BUSY, 0);
	s->gdt.base = 0;
	s->gdt.limit = 0xffff;
	s->idt.base = 0;
	s->idt.limit = 0xffff;
	s->cr0 = CR0_ET;
	s->cr2 = s->cr3 = 0;
	s->cr4 = CR4_MCE;
	/* The VMSA's EFER is SVME only, which belongs to the hardware's world
	 * switch, not to the guest's view: the guest starts with EFER 0. */
	s->efer = 0;
}

void resetstate_regs(struct kvm_regs *r, uint32_t eip, uint32_t cpuid_signature)
{
	memset(r, 0, sizeof(*r));
	r->rip = eip & 0xffffu;
	r->rdx = cpuid_signature; /* as after RESET: family/model/stepping */
	r->rflags = 0x2;
}
