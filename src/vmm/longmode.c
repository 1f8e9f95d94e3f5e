// SPDX-License-Identifier: MIT
#include "longmode.h"
#include "bootparams.h"
#include "layout.h"

#include <string.h>

/* Intel SDM vol. 3A §2.5 (control registers), §4.5 (4-level paging), §3.4.5 (descriptors). */
#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_PS (1ULL << 7)
#define TSS_LIMIT 0x67
#define SEG_TYPE_CODE_XR_A 0xb
#define SEG_TYPE_DATA_RW_A 0x3
#define SEG_TYPE_TSS64_BUSY 0xb
#define SEG_TYPE_LDT 0x2

int longmode_write_tables(struct guest_mem *m)
{
	uint64_t pml4[512] = {0}, pdpt[512] = {0}, pd[512];
	uint8_t gdt[6 * 8] = {0};
	uint8_t tss[TSS_LIMIT + 1] = {0};
	int ret;

	pml4[0] = LAYOUT_PDPT | PTE_P | PTE_RW;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (LAYOUT_PD + i * 0x1000) | PTE_P | PTE_RW;
	ret = mem_write(m, LAYOUT_PML4, pml4, sizeof(pml4));
	ret = ret ?: mem_write(m, LAYOUT_PDPT, pdpt, sizeof(pdpt));
	for (unsigned i = 0; i < 4 && !ret; i++) {
		for (unsigned j = 0; j < 512; j++)
			pd[j] = ((uint64_t)(i * 512 + j) << 21) | PTE_P | PTE_RW | PTE_PS;
		ret = mem_write(m, LAYOUT_PD + i * 0x1000, pd, sizeof(pd));
	}

	/* Code: L=1, P, DPL0, S, type 0xb. Data: G, D/B, P, S, type 3. */
	put_le64(gdt + BOOT_CS, 0x00af9b000000ffffULL);
	put_le64(gdt + BOOT_DS, 0x00cf93000000ffffULL);
	/* 16-byte system descriptor for the TSS (SDM §7.2.3). */
	put_le64(gdt + BOOT_TSS, (uint64_t)TSS_LIMIT | (LAYOUT_TSS & 0xffffff) << 16 |
				     (uint64_t)(0x80 | SEG_TYPE_TSS64_BUSY) << 40 |
				     ((LAYOUT_TSS >> 24) & 0xff) << 56);
	put_le64(gdt + BOOT_TSS + 8, LAYOUT_TSS >> 32);
	/* I/O map base past the limit: no I/O permission bitmap. */
	put_le16(tss + 0x66, TSS_LIMIT + 1);
	ret = ret ?: mem_write(m, LAYOUT_GDT, gdt, sizeof(gdt));
	ret = ret ?: mem_write(m, LAYOUT_TSS, tss, sizeof(tss));
	return ret;
}

static struct kvm_segment flat(uint16_t sel, uint8_t type, uint8_t l, uint8_t db)
{
	return (struct kvm_segment){.base = 0,
				    .limit = 0xffffffff,
				    .selector = sel,
				    .type = type,
				    .present = 1,
				    .dpl = 0,
				    .db = db,
				    .s = 1,
				    .l = l,
				    .g = 1};
}

void longmode_sregs(struct kvm_sregs *s)
{
	struct kvm_segment data = flat(BOOT_DS, SEG_TYPE_DATA_RW_A, 0, 1);

	s->cs = flat(BOOT_CS, SEG_TYPE_CODE_XR_A, 1, 0);
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = (struct kvm_segment){.base = LAYOUT_TSS,
				     .limit = TSS_LIMIT,
				     .selector = BOOT_TSS,
				     .type = SEG_TYPE_TSS64_BUSY,
				     .present = 1};
	s->ldt = (struct kvm_segment){.type = SEG_TYPE_LDT, .unusable = 1};
	s->gdt.base = LAYOUT_GDT;
	s->gdt.limit = 6 * 8 - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->cr3 = LAYOUT_PML4;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
}

void longmode_regs(struct kvm_regs *r, uint64_t rip, uint64_t zero_page)
{
	memset(r, 0, sizeof(*r));
	r->rip = rip;
	r->rsi = zero_page;
	r->rflags = 0x2; /* reserved bit 1; interrupts off as boot.rst requires */
}
