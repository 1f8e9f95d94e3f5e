/* SPDX-License-Identifier: MIT */
/*
 * The SEV-ES VM save area (VMSA): the 4 KiB page holding a vCPU's register
 * state, encrypted with the guest's key and measured by LAUNCH_UPDATE_VMSA.
 *
 * Layout: AMD APM vol. 2 Table B-4 ("VMSA Layout, State Save Area for
 * SEV-ES"), as Linux encodes it in struct sev_es_save_area (1648 bytes used,
 * the rest of the page zero). Every offset below was checked against
 * torvalds/linux arch/x86/include/asm/svm.h at commit
 * 01f492e1817e858d1712f2489d0afbaa552f417b by compiling that struct and
 * printing offsetof() for each field; they agree with virtee/sev-snp-measure
 * sevsnpmeasure/vmsa.py (SevEsSaveArea) at commit
 * 8f2b337e38bc83f87cd30f3253cdfe8e3e12cc3a.
 *
 * The page is little-endian and unaligned-access safe: every accessor goes
 * through byte copies, so a VMSA may live anywhere in memory.
 */
#ifndef SEVM_SEV_VMSA_H
#define SEVM_SEV_VMSA_H

#include <stdint.h>

struct kvm_segment;

#define VMSA_PAGE_SIZE 4096
#define VMSA_USED_SIZE 1648 /* sizeof(struct sev_es_save_area) */

/* Segment registers: struct vmcb_seg, 16 bytes each. */
#define VMSA_SEG_SIZE 16
#define VMSA_ES 0x000
#define VMSA_CS 0x010
#define VMSA_SS 0x020
#define VMSA_DS 0x030
#define VMSA_FS 0x040
#define VMSA_GS 0x050
#define VMSA_GDTR 0x060
#define VMSA_LDTR 0x070
#define VMSA_IDTR 0x080
#define VMSA_TR 0x090

/* Within a segment. */
#define VMSA_SEG_SELECTOR 0x0 /* u16 */
#define VMSA_SEG_ATTRIB 0x2   /* u16 */
#define VMSA_SEG_LIMIT 0x4    /* u32 */
#define VMSA_SEG_BASE 0x8     /* u64 */

/* Shadow stack and CET (u64). */
#define VMSA_PL0_SSP 0x0a0
#define VMSA_PL1_SSP 0x0a8
#define VMSA_PL2_SSP 0x0b0
#define VMSA_PL3_SSP 0x0b8
#define VMSA_U_CET 0x0c0

#define VMSA_VMPL 0x0ca /* u8 */
#define VMSA_CPL 0x0cb	/* u8 */

/* Control, debug and flag registers (u64). */
#define VMSA_EFER 0x0d0
#define VMSA_XSS 0x140
#define VMSA_CR4 0x148
#define VMSA_CR3 0x150
#define VMSA_CR0 0x158
#define VMSA_DR7 0x160
#define VMSA_DR6 0x168
#define VMSA_RFLAGS 0x170
#define VMSA_RIP 0x178
#define VMSA_DR0 0x180
#define VMSA_DR1 0x188
#define VMSA_DR2 0x190
#define VMSA_DR3 0x198
#define VMSA_DR0_ADDR_MASK 0x1a0
#define VMSA_DR1_ADDR_MASK 0x1a8
#define VMSA_DR2_ADDR_MASK 0x1b0
#define VMSA_DR3_ADDR_MASK 0x1b8
#define VMSA_RSP 0x1d8
#define VMSA_S_CET 0x1e0
#define VMSA_SSP 0x1e8
#define VMSA_ISST_ADDR 0x1f0
#define VMSA_RAX 0x1f8

/* System-call and other MSRs (u64). */
#define VMSA_STAR 0x200
#define VMSA_LSTAR 0x208
#define VMSA_CSTAR 0x210
#define VMSA_SFMASK 0x218
#define VMSA_KERNEL_GS_BASE 0x220
#define VMSA_SYSENTER_CS 0x228
#define VMSA_SYSENTER_ESP 0x230
#define VMSA_SYSENTER_EIP 0x238
#define VMSA_CR2 0x240
#define VMSA_G_PAT 0x268
#define VMSA_DBGCTL 0x270
#define VMSA_BR_FROM 0x278
#define VMSA_BR_TO 0x280
#define VMSA_LAST_EXCP_FROM 0x288
#define VMSA_LAST_EXCP_TO 0x290
#define VMSA_PKRU 0x2e8	   /* u32 */
#define VMSA_TSC_AUX 0x2ec /* u32 */
#define VMSA_TSC_SCALE 0x2f0
#define VMSA_TSC_OFFSET 0x2f8

/* General-purpose registers (u64); RSP is at VMSA_RSP, 0x320 is reserved. */
#define VMSA_RCX 0x308
#define VMSA_RDX 0x310
#define VMSA_RBX 0x318
#define VMSA_RBP 0x328
#define VMSA_RSI 0x330
#define VMSA_RDI 0x338
#define VMSA_R8 0x340
#define VMSA_R9 0x348
#define VMSA_R10 0x350
#define VMSA_R11 0x358
#define VMSA_R12 0x360
#define VMSA_R13 0x368
#define VMSA_R14 0x370
#define VMSA_R15 0x378

/* Exit information and SEV-ES controls (u64). */
#define VMSA_GUEST_EXIT_INFO_1 0x390
#define VMSA_GUEST_EXIT_INFO_2 0x398
#define VMSA_GUEST_EXIT_INT_INFO 0x3a0
#define VMSA_GUEST_NRIP 0x3a8
#define VMSA_SEV_FEATURES 0x3b0
#define VMSA_VINTR_CTRL 0x3b8
#define VMSA_GUEST_EXIT_CODE 0x3c0
#define VMSA_VIRTUAL_TOM 0x3c8
#define VMSA_TLB_ID 0x3d0
#define VMSA_PCPU_ID 0x3d8
#define VMSA_EVENT_INJ 0x3e0
#define VMSA_XCR0 0x3e8

/* Floating-point area. */
#define VMSA_X87_DP 0x400  /* u64 */
#define VMSA_MXCSR 0x408   /* u32 */
#define VMSA_X87_FTW 0x40c /* u16 */
#define VMSA_X87_FSW 0x40e /* u16 */
#define VMSA_X87_FCW 0x410 /* u16 */
#define VMSA_X87_FOP 0x412 /* u16 */
#define VMSA_X87_DS 0x414  /* u16 */
#define VMSA_X87_CS 0x416  /* u16 */
#define VMSA_X87_RIP 0x418 /* u64 */
/*
 * ST0-ST7, 80 bytes: bytes 0-7 of each register at 8 * i, then bytes 8-9 of
 * each at 64 + 2 * i (not 8 x 10 bytes; Linux arch/x86/kvm/svm/sev.c,
 * sev_es_sync_vmsa). Use vmsa_get_x87_st/vmsa_put_x87_st.
 */
#define VMSA_FPREG_X87 0x420
#define VMSA_FPREG_X87_SIZE 80
#define VMSA_FPREG_XMM 0x470 /* XMM0-XMM15, 16 bytes each */
#define VMSA_FPREG_XMM_SIZE 256
#define VMSA_FPREG_YMM 0x570 /* upper halves of YMM0-YMM15 */
#define VMSA_FPREG_YMM_SIZE 256

/*
 * Segment attributes in the VMCB's packed form (Linux SVM_SELECTOR_*):
 * type[3:0], S[4], DPL[6:5], P[7], AVL[8], L[9], DB[10], G[11], i.e.
 * descriptor bits 40-47 and 52-55 squeezed together.
 */
#define VMSA_ATTR_TYPE_MASK 0x000f
#define VMSA_ATTR_S (1u << 4)
#define VMSA_ATTR_DPL_SHIFT 5
#define VMSA_ATTR_DPL_MASK (3u << VMSA_ATTR_DPL_SHIFT)
#define VMSA_ATTR_P (1u << 7)
#define VMSA_ATTR_AVL (1u << 8)
#define VMSA_ATTR_L (1u << 9)
#define VMSA_ATTR_DB (1u << 10)
#define VMSA_ATTR_G (1u << 11)

/* Reset state values (sev-snp-measure vmsa.py, QEMU VMM type). */
#define VMSA_BSP_EIP 0xfffffff0u
#define VMSA_RESET_CS_ATTR 0x9b	  /* P, S, code exec/read, accessed */
#define VMSA_RESET_DATA_ATTR 0x93 /* P, S, data read/write, accessed */
#define VMSA_RESET_LDTR_ATTR 0x82 /* P, LDT */
#define VMSA_RESET_TR_ATTR 0x8b	  /* P, busy 32-bit TSS */
#define VMSA_RESET_G_PAT 0x0007040600070406ull

/* One segment as the VMSA stores it (struct vmcb_seg). */
struct vmsa_segment {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

/*
 * Fill a VMSA page with the initial SEV-ES vCPU state, byte for byte what
 * sev-snp-measure's VMSA.build_save_area() produces for SEV-ES with the
 * default QEMU VMM type and sev_features 0:
 *  - CS {0xf000, 0x9b, 0xffff, eip & 0xffff0000}, RIP = eip & 0xffff;
 *  - ES/SS/DS/FS/GS {0, 0x93, 0xffff, 0}; GDTR/IDTR {0, 0, 0xffff, 0};
 *    LDTR {0, 0x82, 0xffff, 0}; TR {0, 0x8b, 0xffff, 0};
 *  - EFER 0x1000 (SVME), CR4 0x40 (MCE), CR0 0x10, DR7 0x400,
 *    DR6 0xffff0ff0, RFLAGS 0x2, G_PAT 0x0007040600070406, XCR0 0x1,
 *    RDX = cpuid_signature, MXCSR 0x1f80, x87 FCW 0x37f;
 *  - every other byte of the page zero.
 * eip is VMSA_BSP_EIP for the BSP and the firmware's SEV-ES AP reset address
 * for APs.
 */
void vmsa_init_reset(uint8_t vmsa[VMSA_PAGE_SIZE], uint32_t eip, uint32_t cpuid_signature);

/* Little-endian field access by offset; the field must lie inside the page. */
uint64_t vmsa_get_u64(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off);
void vmsa_put_u64(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off, uint64_t val);
uint32_t vmsa_get_u32(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off);
void vmsa_put_u32(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off, uint32_t val);
uint16_t vmsa_get_u16(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off);
void vmsa_put_u16(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off, uint16_t val);

/* A segment at off (VMSA_ES ... VMSA_TR). */
void vmsa_get_segment(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off,
		      struct vmsa_segment *seg);
void vmsa_put_segment(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int off,
		      const struct vmsa_segment *seg);

/* x87 register ST(i), i < 8, as its 10-byte extended-precision value. */
void vmsa_get_x87_st(const uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int i, uint8_t st[10]);
void vmsa_put_x87_st(uint8_t vmsa[VMSA_PAGE_SIZE], unsigned int i, const uint8_t st[10]);

/* Packed attributes <-> KVM's unpacked fields. */
uint16_t vmsa_attrib_from_kvm(const struct kvm_segment *kvm);

/*
 * KVM segment -> VMSA segment, as current KVM's svm_set_segment()
 * (arch/x86/kvm/svm/svm.c) packs it: every field as is, except that P is
 * cleared when the segment is unusable.
 */
void vmsa_segment_from_kvm(const struct kvm_segment *kvm, struct vmsa_segment *seg);

/*
 * VMSA segment -> KVM segment, as KVM's svm_get_segment() unpacks it
 * (unusable = !P), without KVM's cross-vendor fixups (G from the limit, TR
 * busy bit, SS DB), so that a round trip is exact.
 */
void vmsa_segment_to_kvm(const struct vmsa_segment *seg, struct kvm_segment *kvm);

#endif
