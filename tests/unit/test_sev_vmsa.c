// SPDX-License-Identifier: MIT
/*
 * Unit tests for the SEV-ES VMSA layout and reset state (src/sev/vmsa.c).
 *
 * Offsets: written out here independently from torvalds/linux
 * arch/x86/include/asm/svm.h (commit 01f492e1817e858d1712f2489d0afbaa552f417b),
 * struct sev_es_save_area, by compiling that struct and printing offsetof().
 *
 * Reset VMSA: checked two ways.
 *  - An expected page built here field by field with raw little-endian byte
 *    writes at literal offsets, compared with the whole 4096-byte page (so
 *    every other byte must be zero).
 *  - SHA-256 of the page for the BSP and for an AP, taken from
 *    virtee/sev-snp-measure (commit 8f2b337e38bc83f87cd30f3253cdfe8e3e12cc3a)
 *    sevsnpmeasure/vmsa.py:
 *
 *      sig = vcpu_types.CPU_SIGS["EPYC-v4"]            # 0x800f12
 *      v = VMSA(SevMode.SEV_ES, 0x80b004, sig, 0)       # QEMU VMM type
 *      sha256(bytes(v.bsp_save_area)), sha256(bytes(v.ap_save_area))
 *
 *    0x80b004 is the SEV-ES AP reset address of sev-snp-measure's fixture
 *    tests/fixtures/ovmf_AmdSev_suffix.bin. With these pages substituted for
 *    vmsa.py's, sev-snp-measure's published SEV-ES launch digests
 *    (tests/test_guest.py test_seves 13810ae6... for 1 vCPU and
 *    test_seves_with_multiple_vcpus 0dccbcab... for 4) were reproduced; the
 *    firmware fixture is too large to carry here, so the per-page hashes
 *    stand in for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/kvm.h>

#include "sev/crypto/measure.h"
#include "sev/vmsa.h"

#define EPYC_V4_SIG 0x800f12u
#define OVMF_AP_EIP 0x80b004u

static void le(uint8_t *page, unsigned int off, uint64_t val, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		page[off + i] = (uint8_t)(val >> (8 * i));
}

static void seg(uint8_t *page, unsigned int off, uint16_t sel, uint16_t attr, uint32_t limit,
		uint64_t base)
{
	le(page, off, sel, 2);
	le(page, off + 2, attr, 2);
	le(page, off + 4, limit, 4);
	le(page, off + 8, base, 8);
}

/* The reset page written out from vmsa.py's build_save_area() (QEMU). */
static void expected_reset(uint8_t *page, uint32_t eip, uint32_t sig)
{
	memset(page, 0, 4096);
	seg(page, 0x000, 0, 0x93, 0xffff, 0);			  /* es */
	seg(page, 0x010, 0xf000, 0x9b, 0xffff, eip & 0xffff0000); /* cs */
	seg(page, 0x020, 0, 0x93, 0xffff, 0);			  /* ss */
	seg(page, 0x030, 0, 0x93, 0xffff, 0);			  /* ds */
	seg(page, 0x040, 0, 0x93, 0xffff, 0);			  /* fs */
	seg(page, 0x050, 0, 0x93, 0xffff, 0);			  /* gs */
	seg(page, 0x060, 0, 0, 0xffff, 0);			  /* gdtr */
	seg(page, 0x070, 0, 0x82, 0xffff, 0);			  /* ldtr */
	seg(page, 0x080, 0, 0, 0xffff, 0);			  /* idtr */
	seg(page, 0x090, 0, 0x8b, 0xffff, 0);			  /* tr */
	le(page, 0x0d0, 0x1000, 8);				  /* efer */
	le(page, 0x148, 0x40, 8);				  /* cr4 */
	le(page, 0x158, 0x10, 8);				  /* cr0 */
	le(page, 0x160, 0x400, 8);				  /* dr7 */
	le(page, 0x168, 0xffff0ff0, 8);				  /* dr6 */
	le(page, 0x170, 0x2, 8);				  /* rflags */
	le(page, 0x178, eip & 0xffff, 8);			  /* rip */
	le(page, 0x268, 0x0007040600070406ull, 8);		  /* g_pat */
	le(page, 0x310, sig, 8);				  /* rdx */
	le(page, 0x3e8, 0x1, 8);				  /* xcr0 */
	le(page, 0x408, 0x1f80, 4);				  /* mxcsr */
	le(page, 0x410, 0x37f, 2);				  /* x87_fcw */
}

static void sha256_page(const uint8_t *page, uint8_t out[32])
{
	struct sev_launch_digest ld;

	assert_int_equal(sev_launch_digest_init(&ld), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&ld, page), 0);
	assert_int_equal(sev_launch_digest_final(&ld, out), 0);
}

static void test_offsets(void **state)
{
	(void)state;
	assert_int_equal(VMSA_PAGE_SIZE, 4096);
	assert_int_equal(VMSA_USED_SIZE, 1648);
	assert_int_equal(VMSA_SEG_SIZE, 16);
	assert_int_equal(sizeof(struct vmsa_segment), 16);
	assert_int_equal(VMSA_SEG_SELECTOR, 0);
	assert_int_equal(VMSA_SEG_ATTRIB, 2);
	assert_int_equal(VMSA_SEG_LIMIT, 4);
	assert_int_equal(VMSA_SEG_BASE, 8);

	assert_int_equal(VMSA_ES, 0x000);
	assert_int_equal(VMSA_CS, 0x010);
	assert_int_equal(VMSA_SS, 0x020);
	assert_int_equal(VMSA_DS, 0x030);
	assert_int_equal(VMSA_FS, 0x040);
	assert_int_equal(VMSA_GS, 0x050);
	assert_int_equal(VMSA_GDTR, 0x060);
	assert_int_equal(VMSA_LDTR, 0x070);
	assert_int_equal(VMSA_IDTR, 0x080);
	assert_int_equal(VMSA_TR, 0x090);
	assert_int_equal(VMSA_PL0_SSP, 0x0a0);
	assert_int_equal(VMSA_PL1_SSP, 0x0a8);
	assert_int_equal(VMSA_PL2_SSP, 0x0b0);
	assert_int_equal(VMSA_PL3_SSP, 0x0b8);
	assert_int_equal(VMSA_U_CET, 0x0c0);
	assert_int_equal(VMSA_VMPL, 0x0ca);
	assert_int_equal(VMSA_CPL, 0x0cb);
	assert_int_equal(VMSA_EFER, 0x0d0);

	assert_int_equal(VMSA_XSS, 0x140);
	assert_int_equal(VMSA_CR4, 0x148);
	assert_int_equal(VMSA_CR3, 0x150);
	assert_int_equal(VMSA_CR0, 0x158);
	assert_int_equal(VMSA_DR7, 0x160);
	assert_int_equal(VMSA_DR6, 0x168);
	assert_int_equal(VMSA_RFLAGS, 0x170);
	assert_int_equal(VMSA_RIP, 0x178);
	assert_int_equal(VMSA_DR0, 0x180);
	assert_int_equal(VMSA_DR1, 0x188);
	assert_int_equal(VMSA_DR2, 0x190);
	assert_int_equal(VMSA_DR3, 0x198);
	assert_int_equal(VMSA_DR0_ADDR_MASK, 0x1a0);
	assert_int_equal(VMSA_DR1_ADDR_MASK, 0x1a8);
	assert_int_equal(VMSA_DR2_ADDR_MASK, 0x1b0);
	assert_int_equal(VMSA_DR3_ADDR_MASK, 0x1b8);
	assert_int_equal(VMSA_RSP, 0x1d8);
	assert_int_equal(VMSA_S_CET, 0x1e0);
	assert_int_equal(VMSA_SSP, 0x1e8);
	assert_int_equal(VMSA_ISST_ADDR, 0x1f0);
	assert_int_equal(VMSA_RAX, 0x1f8);

	assert_int_equal(VMSA_STAR, 0x200);
	assert_int_equal(VMSA_LSTAR, 0x208);
	assert_int_equal(VMSA_CSTAR, 0x210);
	assert_int_equal(VMSA_SFMASK, 0x218);
	assert_int_equal(VMSA_KERNEL_GS_BASE, 0x220);
	assert_int_equal(VMSA_SYSENTER_CS, 0x228);
	assert_int_equal(VMSA_SYSENTER_ESP, 0x230);
	assert_int_equal(VMSA_SYSENTER_EIP, 0x238);
	assert_int_equal(VMSA_CR2, 0x240);
	assert_int_equal(VMSA_G_PAT, 0x268);
	assert_int_equal(VMSA_DBGCTL, 0x270);
	assert_int_equal(VMSA_BR_FROM, 0x278);
	assert_int_equal(VMSA_BR_TO, 0x280);
	assert_int_equal(VMSA_LAST_EXCP_FROM, 0x288);
	assert_int_equal(VMSA_LAST_EXCP_TO, 0x290);
	assert_int_equal(VMSA_PKRU, 0x2e8);
	assert_int_equal(VMSA_TSC_AUX, 0x2ec);
	assert_int_equal(VMSA_TSC_SCALE, 0x2f0);
	assert_int_equal(VMSA_TSC_OFFSET, 0x2f8);

	assert_int_equal(VMSA_RCX, 0x308);
	assert_int_equal(VMSA_RDX, 0x310);
	assert_int_equal(VMSA_RBX, 0x318);
	assert_int_equal(VMSA_RBP, 0x328);
	assert_int_equal(VMSA_RSI, 0x330);
	assert_int_equal(VMSA_RDI, 0x338);
	assert_int_equal(VMSA_R8, 0x340);
	assert_int_equal(VMSA_R9, 0x348);
	assert_int_equal(VMSA_R10, 0x350);
	assert_int_equal(VMSA_R11, 0x358);
	assert_int_equal(VMSA_R12, 0x360);
	assert_int_equal(VMSA_R13, 0x368);
	assert_int_equal(VMSA_R14, 0x370);
	assert_int_equal(VMSA_R15, 0x378);

	assert_int_equal(VMSA_GUEST_EXIT_INFO_1, 0x390);
	assert_int_equal(VMSA_GUEST_EXIT_INFO_2, 0x398);
	assert_int_equal(VMSA_GUEST_EXIT_INT_INFO, 0x3a0);
	assert_int_equal(VMSA_GUEST_NRIP, 0x3a8);
	assert_int_equal(VMSA_SEV_FEATURES, 0x3b0);
	assert_int_equal(VMSA_VINTR_CTRL, 0x3b8);
	assert_int_equal(VMSA_GUEST_EXIT_CODE, 0x3c0);
	assert_int_equal(VMSA_VIRTUAL_TOM, 0x3c8);
	assert_int_equal(VMSA_TLB_ID, 0x3d0);
	assert_int_equal(VMSA_PCPU_ID, 0x3d8);
	assert_int_equal(VMSA_EVENT_INJ, 0x3e0);
	assert_int_equal(VMSA_XCR0, 0x3e8);

	assert_int_equal(VMSA_X87_DP, 0x400);
	assert_int_equal(VMSA_MXCSR, 0x408);
	assert_int_equal(VMSA_X87_FTW, 0x40c);
	assert_int_equal(VMSA_X87_FSW, 0x40e);
	assert_int_equal(VMSA_X87_FCW, 0x410);
	assert_int_equal(VMSA_X87_FOP, 0x412);
	assert_int_equal(VMSA_X87_DS, 0x414);
	assert_int_equal(VMSA_X87_CS, 0x416);
	assert_int_equal(VMSA_X87_RIP, 0x418);
	assert_int_equal(VMSA_FPREG_X87, 0x420);
	assert_int_equal(VMSA_FPREG_X87_SIZE, 80);
	assert_int_equal(VMSA_FPREG_XMM, 0x470);
	assert_int_equal(VMSA_FPREG_XMM_SIZE, 256);
	assert_int_equal(VMSA_FPREG_YMM, 0x570);
	assert_int_equal(VMSA_FPREG_YMM_SIZE, 256);
	assert_int_equal(VMSA_FPREG_YMM + VMSA_FPREG_YMM_SIZE, VMSA_USED_SIZE);
}

static void check_reset(uint32_t eip, uint32_t sig, const uint8_t *sha)
{
	static uint8_t page[4096], want[4096];
	uint8_t digest[32];

	memset(page, 0xa5, sizeof(page)); /* every byte must be written */
	vmsa_init_reset(page, eip, sig);
	expected_reset(want, eip, sig);
	assert_memory_equal(page, want, sizeof(page));
	if (sha) {
		sha256_page(page, digest);
		assert_memory_equal(digest, sha, 32);
	}
}

static void test_reset_bsp(void **state)
{
	static const uint8_t sha[32] = {
	    0x82, 0x95, 0xce, 0xf5, 0x59, 0xb5, 0x71, 0x30, 0x39, 0x1d, 0x59,
	    0x60, 0x58, 0x90, 0xef, 0x93, 0x29, 0x77, 0x20, 0xb4, 0x8b, 0xef,
	    0x9a, 0x8c, 0x3c, 0x98, 0x5b, 0x9c, 0x3f, 0xb0, 0x78, 0x8c,
	};

	(void)state;
	check_reset(VMSA_BSP_EIP, EPYC_V4_SIG, sha);
}

static void test_reset_ap(void **state)
{
	static const uint8_t sha[32] = {
	    0x7f, 0xf7, 0x23, 0xda, 0x33, 0xf3, 0x9d, 0xed, 0xbe, 0x83, 0x36,
	    0xbb, 0x69, 0x7e, 0x0a, 0x2f, 0x76, 0x47, 0x16, 0x90, 0x07, 0x4d,
	    0x59, 0x02, 0xe1, 0xa8, 0x17, 0x7c, 0xd5, 0x31, 0x2c, 0x95,
	};

	(void)state;
	check_reset(OVMF_AP_EIP, EPYC_V4_SIG, sha);
}

/* Field-level reading of the BSP page through the accessors. */
static void test_reset_fields(void **state)
{
	static uint8_t page[4096];
	struct vmsa_segment s;

	(void)state;
	vmsa_init_reset(page, 0x12345678, 0xa00f11);
	vmsa_get_segment(page, VMSA_CS, &s);
	assert_int_equal(s.selector, 0xf000);
	assert_int_equal(s.attrib, 0x9b);
	assert_int_equal(s.limit, 0xffff);
	assert_int_equal(s.base, 0x12340000);
	assert_int_equal(vmsa_get_u64(page, VMSA_RIP), 0x5678);
	assert_int_equal(vmsa_get_u64(page, VMSA_RDX), 0xa00f11);
	assert_int_equal(vmsa_get_u64(page, VMSA_G_PAT), 0x0007040600070406ull);
	assert_int_equal(vmsa_get_u64(page, VMSA_SEV_FEATURES), 0);
	assert_int_equal(vmsa_get_u32(page, VMSA_MXCSR), 0x1f80);
	assert_int_equal(vmsa_get_u16(page, VMSA_X87_FCW), 0x37f);
	vmsa_get_segment(page, VMSA_TR, &s);
	assert_int_equal(s.attrib, 0x8b);
	vmsa_get_segment(page, VMSA_GDTR, &s);
	assert_int_equal(s.attrib, 0);
	assert_int_equal(s.limit, 0xffff);
	check_reset(0x12345678, 0xa00f11, NULL);
}

static void test_accessors(void **state)
{
	static uint8_t page[4096];
	const struct vmsa_segment in = {0x1234, 0x0a9b, 0xfffff, 0xffffffff81000000ull};
	struct vmsa_segment out;
	static const uint8_t seg_bytes[16] = {
	    0x34, 0x12, 0x9b, 0x0a, 0xff, 0xff, 0x0f, 0x00,
	    0x00, 0x00, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff,
	};
	static const uint8_t u64_bytes[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};

	(void)state;
	memset(page, 0, sizeof(page));
	vmsa_put_u64(page, VMSA_RAX, 0x0102030405060708ull);
	assert_memory_equal(page + 0x1f8, u64_bytes, 8);
	assert_int_equal(vmsa_get_u64(page, VMSA_RAX), 0x0102030405060708ull);
	vmsa_put_u64(page, VMSA_PAGE_SIZE - 8, ~0ull); /* last field in the page */
	assert_int_equal(vmsa_get_u64(page, VMSA_PAGE_SIZE - 8), ~0ull);

	vmsa_put_segment(page, VMSA_FS, &in);
	assert_memory_equal(page + 0x40, seg_bytes, 16);
	vmsa_get_segment(page, VMSA_FS, &out);
	assert_int_equal(out.selector, in.selector);
	assert_int_equal(out.attrib, in.attrib);
	assert_int_equal(out.limit, in.limit);
	assert_int_equal(out.base, in.base);
	assert_int_equal(page[0x3f], 0);
	assert_int_equal(page[0x50], 0);
}

static void test_x87_st(void **state)
{
	static uint8_t page[4096];
	uint8_t st[10], back[10];

	(void)state;
	memset(page, 0, sizeof(page));
	for (unsigned int i = 0; i < 8; i++) {
		for (unsigned int b = 0; b < 10; b++)
			st[b] = (uint8_t)(0x10 * i + b + 1);
		vmsa_put_x87_st(page, i, st);
	}
	/* ST3: bytes 0-7 at 0x420 + 24, bytes 8-9 at 0x420 + 64 + 6. */
	assert_int_equal(page[0x420 + 24], 0x31);
	assert_int_equal(page[0x420 + 31], 0x38);
	assert_int_equal(page[0x420 + 70], 0x39);
	assert_int_equal(page[0x420 + 71], 0x3a);
	assert_int_equal(page[0x470], 0);
	for (unsigned int i = 0; i < 8; i++) {
		vmsa_get_x87_st(page, i, back);
		for (unsigned int b = 0; b < 10; b++)
			assert_int_equal(back[b], 0x10 * i + b + 1);
	}
}

static void attrib_round_trip(uint16_t attrib, uint8_t type, uint8_t s, uint8_t dpl, uint8_t p,
			      uint8_t l, uint8_t db, uint8_t g)
{
	const struct vmsa_segment in = {0x10, attrib, 0xffffffff, 0x1000};
	struct kvm_segment k;
	struct vmsa_segment out;

	vmsa_segment_to_kvm(&in, &k);
	assert_int_equal(k.selector, 0x10);
	assert_int_equal(k.limit, 0xffffffff);
	assert_int_equal(k.base, 0x1000);
	assert_int_equal(k.type, type);
	assert_int_equal(k.s, s);
	assert_int_equal(k.dpl, dpl);
	assert_int_equal(k.present, p);
	assert_int_equal(k.avl, 0);
	assert_int_equal(k.l, l);
	assert_int_equal(k.db, db);
	assert_int_equal(k.g, g);
	assert_int_equal(k.unusable, !p);
	vmsa_segment_from_kvm(&k, &out);
	assert_int_equal(out.selector, in.selector);
	assert_int_equal(out.attrib, in.attrib);
	assert_int_equal(out.limit, in.limit);
	assert_int_equal(out.base, in.base);
}

static void test_attrib_round_trips(void **state)
{
	(void)state;
	attrib_round_trip(0x009b, 0xb, 1, 0, 1, 0, 0, 0); /* real-mode CS */
	attrib_round_trip(0x0093, 0x3, 1, 0, 1, 0, 0, 0); /* data */
	attrib_round_trip(0x0082, 0x2, 0, 0, 1, 0, 0, 0); /* LDT */
	attrib_round_trip(0x008b, 0xb, 0, 0, 1, 0, 0, 0); /* busy TSS */
	attrib_round_trip(0x029b, 0xb, 1, 0, 1, 1, 0, 0); /* 64-bit code */
	attrib_round_trip(0x0a9b, 0xb, 1, 0, 1, 1, 0, 1); /* 64-bit code, G */
	attrib_round_trip(0x0c9b, 0xb, 1, 0, 1, 0, 1, 1); /* flat 32-bit code */
	attrib_round_trip(0x0cf3, 0x3, 1, 3, 1, 0, 1, 1); /* user data, DPL 3 */
	attrib_round_trip(0x0000, 0x0, 0, 0, 0, 0, 0, 0); /* GDTR/IDTR, null */
}

static void test_kvm_to_vmsa(void **state)
{
	struct kvm_segment k;
	struct vmsa_segment s;

	(void)state;
	/* KVM's 64-bit kernel CS as KVM_GET_SREGS reports it. */
	memset(&k, 0, sizeof(k));
	k.base = 0;
	k.limit = 0xffffffff;
	k.selector = 0x10;
	k.type = 0xb;
	k.present = 1;
	k.dpl = 0;
	k.db = 0;
	k.s = 1;
	k.l = 1;
	k.g = 1;
	k.avl = 1;
	vmsa_segment_from_kvm(&k, &s);
	assert_int_equal(s.selector, 0x10);
	assert_int_equal(s.attrib, 0x0b9b);
	assert_int_equal(s.limit, 0xffffffff);
	assert_int_equal(s.base, 0);
	assert_int_equal(vmsa_attrib_from_kvm(&k), 0x0b9b);

	/* Unusable: P cleared, other bits kept (svm_set_segment). */
	k.unusable = 1;
	vmsa_segment_from_kvm(&k, &s);
	assert_int_equal(s.attrib, 0x0b1b);

	/* Out-of-range fields are masked to their width. */
	memset(&k, 0, sizeof(k));
	k.type = 0x13;
	k.dpl = 7;
	k.present = 1;
	assert_int_equal(vmsa_attrib_from_kvm(&k), 0x00e3);

	/* The other way: TR from the reset state. */
	s = (struct vmsa_segment){0x0, 0x8b, 0xffff, 0};
	vmsa_segment_to_kvm(&s, &k);
	assert_int_equal(k.type, 0xb);
	assert_int_equal(k.s, 0);
	assert_int_equal(k.present, 1);
	assert_int_equal(k.unusable, 0);
	assert_int_equal(k.limit, 0xffff);
	assert_int_equal(k.padding, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offsets),
	    cmocka_unit_test(test_reset_bsp),
	    cmocka_unit_test(test_reset_ap),
	    cmocka_unit_test(test_reset_fields),
	    cmocka_unit_test(test_accessors),
	    cmocka_unit_test(test_x87_st),
	    cmocka_unit_test(test_attrib_round_trips),
	    cmocka_unit_test(test_kvm_to_vmsa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
