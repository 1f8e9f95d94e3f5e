// SPDX-License-Identifier: MIT
#include "sev/vmsa.h"

#include <assert.h>
#include <linux/kvm.h>
#include <string.h>

static void put_le(uint8_t *p, uint64_t val, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(val >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int n)
{
	uint64_t val = 0;

	for (unsigned int i = 0; i < n; i++)
		val |= (uint64_t)p[i] << (8 * i);
	return val;
}

uint64_t vmsa_get_u64(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off)
{
	assert(off <= VMSA_PAGE_SIZE - 8);
	return get_le(vmsa + off, 8);
}

void vmsa_put_u64(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off, uint64_t val)
{
	assert(off <= VMSA_PAGE_SIZE - 8);
	put_le(vmsa + off, val, 8);
}

uint32_t vmsa_get_u32(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off)
{
	assert(off <= VMSA_PAGE_SIZE - 4);
	return (uint32_t)get_le(vmsa + off, 4);
}

void vmsa_put_u32(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off, uint32_t val)
{
	assert(off <= VMSA_PAGE_SIZE - 4);
	put_le(vmsa + off, val, 4);
}

uint16_t vmsa_get_u16(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off)
{
	assert(off <= VMSA_PAGE_SIZE - 2);
	return (uint16_t)get_le(vmsa + off, 2);
}

void vmsa_put_u16(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off, uint16_t val)
{
	assert(off <= VMSA_PAGE_SIZE - 2);
	put_le(vmsa + off, val, 2);
}

void vmsa_get_segment(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off,
		      struct vmsa_segment *seg)
{
	assert(off <= VMSA_PAGE_SIZE - VMSA_SEG_SIZE);
	seg->selector = vmsa_get_u16(vmsa, off + VMSA_SEG_SELECTOR);
	seg->attrib = vmsa_get_u16(vmsa, off + VMSA_SEG_ATTRIB);
	seg->limit = vmsa_get_u32(vmsa, off + VMSA_SEG_LIMIT);
	seg->base = vmsa_get_u64(vmsa, off + VMSA_SEG_BASE);
}

void vmsa_put_segment(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off,
		      const struct vmsa_segment *seg)
{
	assert(off <= VMSA_PAGE_SIZE - VMSA_SEG_SIZE);
	vmsa_put_u16(vmsa, off + VMSA_SEG_SELECTOR, seg->selector);
	vmsa_put_u16(vmsa, off + VMSA_SEG_ATTRIB, seg->attrib);
	vmsa_put_u32(vmsa, off + VMSA_SEG_LIMIT, seg->limit);
	vmsa_put_u64(vmsa, off + VMSA_SEG_BASE, seg->base);
}

void vmsa_get_x87_st(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int i, uint8_t st[10])
{
	assert(i < 8);
	memcpy(st, vmsa + VMSA_FPREG_X87 + 8 * i, 8);
	memcpy(st + 8, vmsa + VMSA_FPREG_X87 + 64 + 2 * i, 2);
}

void vmsa_put_x87_st(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int i, const uint8_t st[10])
{
	assert(i < 8);
	memcpy(vmsa + VMSA_FPREG_X87 + 8 * i, st, 8);
	memcpy(vmsa + VMSA_FPREG_X87 + 64 + 2 * i, st + 8, 2);
}

void vmsa_init_reset(uint8_t vmsa[VMSA_PAGE_SIZE], uint32_t eip, uint32_t cpuid_signature)
{
	static const unsigned int data_segs[] = {VMSA_ES, VMSA_SS, VMSA_DS, VMSA_FS, VMSA_GS};
	struct vmsa_segment seg = {.selector = 0, .limit = 0xffff, .base = 0};

	memset(vmsa, 0, VMSA_PAGE_SIZE);

	seg.attrib = VMSA_RESET_DATA_ATTR;
	for (unsigned int i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++)
		vmsa_put_segment(vmsa, data_segs[i], &seg);
	seg.attrib = 0;
	vmsa_put_segment(vmsa, VMSA_GDTR, &seg);
	vmsa_put_segment(vmsa, VMSA_IDTR, &seg);
	seg.attrib = VMSA_RESET_LDTR_ATTR;
	vmsa_put_segment(vmsa, VMSA_LDTR, &seg);
	seg.attrib = VMSA_RESET_TR_ATTR;
	vmsa_put_segment(vmsa, VMSA_TR, &seg);

	seg.selector = 0xf000;
	seg.attrib = VMSA_RESET_CS_ATTR;
	seg.base = eip & 0xffff0000u;
	vmsa_put_segment(vmsa, VMSA_CS, &seg);
	vmsa_put_u64(vmsa, VMSA_RIP, eip & 0xffffu);

	vmsa_put_u64(vmsa, VMSA_EFER, 0x1000); /* SVME: KVM sets it for SVM guests */
	vmsa_put_u64(vmsa, VMSA_CR4, 0x40);    /* MCE */
	vmsa_put_u64(vmsa, VMSA_CR0, 0x10);    /* ET */
	vmsa_put_u64(vmsa, VMSA_DR7, 0x400);
	vmsa_put_u64(vmsa, VMSA_DR6, 0xffff0ff0);
	vmsa_put_u64(vmsa, VMSA_RFLAGS, 0x2);
	vmsa_put_u64(vmsa, VMSA_G_PAT, VMSA_RESET_G_PAT);
	vmsa_put_u64(vmsa, VMSA_RDX, cpuid_signature);
	vmsa_put_u64(vmsa, VMSA_SEV_FEATURES, 0);
	vmsa_put_u64(vmsa, VMSA_XCR0, 0x1);
	vmsa_put_u32(vmsa, VMSA_MXCSR, 0x1f80);
	vmsa_put_u16(vmsa, VMSA_X87_FCW, 0x37f);
}

uint16_t vmsa_attrib_from_kvm(const struct kvm_segment *kvm)
{
	unsigned int a;

	a = kvm->type & VMSA_ATTR_TYPE_MASK;
	a |= (kvm->s & 1u) << 4;
	a |= (kvm->dpl & 3u) << VMSA_ATTR_DPL_SHIFT;
	a |= ((kvm->present & 1u) && !kvm->unusable) << 7;
	a |= (kvm->avl & 1u) << 8;
	a |= (kvm->l & 1u) << 9;
	a |= (kvm->db & 1u) << 10;
	a |= (kvm->g & 1u) << 11;
	return (uint16_t)a;
}

void vmsa_segment_from_kvm(const struct kvm_segment *kvm, struct vmsa_segment *seg)
{
	seg->selector = kvm->selector;
	seg->attrib = vmsa_attrib_from_kvm(kvm);
	seg->limit = kvm->limit;
	seg->base = kvm->base;
}

void vmsa_segment_to_kvm(const struct vmsa_segment *seg, struct kvm_segment *kvm)
{
	unsigned int a = seg->attrib;

	memset(kvm, 0, sizeof(*kvm));
	kvm->base = seg->base;
	kvm->limit = seg->limit;
	kvm->selector = seg->selector;
	kvm->type = a & VMSA_ATTR_TYPE_MASK;
	kvm->s = !!(a & VMSA_ATTR_S);
	kvm->dpl = (a & VMSA_ATTR_DPL_MASK) >> VMSA_ATTR_DPL_SHIFT;
	kvm->present = !!(a & VMSA_ATTR_P);
	kvm->avl = !!(a & VMSA_ATTR_AVL);
	kvm->l = !!(a & VMSA_ATTR_L);
	kvm->db = !!(a & VMSA_ATTR_DB);
	kvm->g = !!(a & VMSA_ATTR_G);
	kvm->unusable = !kvm->present;
}
