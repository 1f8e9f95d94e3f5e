// SPDX-License-Identifier: MIT
/*
 * Unit tests for VMSA <-> KVM vCPU state (src/sev/emu_cpu.c), against the
 * real /dev/kvm: skipped, saying why, when it cannot be opened.
 *
 * Expected VMSA values are written out here from the register values set
 * and the layout in AMD APM vol. 2 Table B-4 / sev/vmsa.h; XSAVE offsets
 * follow the Intel SDM vol. 1 §10.5.1 and §13.4.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "sev/emu_cpu.h"
#include "sev/emu_launch.h"
#include "sev/vmsa.h"
#include "vmm/cpuid.h"
#include "vmm/kvm.h"
#include "vmm/resetstate.h"

#define SIG 0x800f12u	  /* EPYC-v4 family/model/stepping */
#define AP_RESET 0x80b004 /* an SEV-ES AP reset address (CS base | IP) */

#define XCR0_AVX (1u << 2)

struct kvm_env {
	int kvm, vm;
	struct kvm_cpuid2 *cpuid;
	bool avx, tsc_aux;
	int nr_vcpus;
};

static struct kvm_env env = {.kvm = -1, .vm = -1};

static int group_setup(void **state)
{
	struct kvm_cpuid_entry2 *e;
	int ret;

	(void)state;
	ret = kvm_open_dev("/dev/kvm", &env.kvm);
	if (ret) {
		fprintf(stderr, "test_emu_cpu: cannot open /dev/kvm: %s; skipping\n",
			strerror(-ret));
		env.kvm = -1;
		return 0;
	}
	if (kvm_create_vm(env.kvm, 0, &env.vm) || kvm_get_supported_cpuid(env.kvm, &env.cpuid))
		return -1;
	/*
	 * KVM accepts an XCR0 within CPUID.(0xD,0).EAX of the vCPU's CPUID
	 * (api.rst KVM_SET_XCRS; guest_supported_xcr0). Leaf 1 is not asked:
	 * PVM's table has AVX/XSAVE clear there yet lists them in leaf 0xD.
	 */
	e = cpuid_find(env.cpuid, 0xd, 0);
	env.avx = e && (e->eax & XCR0_AVX);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(env.cpuid);
	if (env.vm >= 0)
		close(env.vm);
	if (env.kvm >= 0)
		close(env.kvm);
	return 0;
}

static void need_kvm(void)
{
	if (env.kvm < 0)
		skip();
}

/* A fresh vCPU with everything KVM supports in its CPUID (XSAVE, AVX...). */
static int new_vcpu(void)
{
	int fd;

	assert_int_equal(kvm_create_vcpu(env.vm, (unsigned long)env.nr_vcpus++, &fd), 0);
	assert_int_equal(kvm_set_cpuid2(fd, env.cpuid), 0);
	return fd;
}

/* ---- Distinctive 64-bit state, set through KVM ---- */

#define CR0_LM 0x80050033ull /* PG AM WP NE ET MP PE */
#define CR4_LM 0x406a0ull    /* OSXSAVE OSXMMEXCPT OSFXSR PGE PAE */
#define EFER_LM 0xd01ull     /* NXE LMA LME SCE */
#define CR3_VAL 0x1234000ull
#define CR2_VAL 0xdead0000beefull
#define RIP_VAL 0xffffffff81000123ull
#define RFLAGS_VAL 0x10283ull /* RF SF IF CF + fixed bit 1 */
#define GDT_BASE 0xfffffe0000001000ull
#define IDT_BASE 0xfffffe0000000000ull
#define TR_BASE 0xfffffe0000003000ull
#define FS_BASE 0x7f1234567000ull
#define GS_BASE 0xffff888011112000ull
#define DR7_VAL 0x0f0755ull /* L0-L3 LE GE, bit 10; DR0 R/W = LEN = 11b */
#define DR6_VAL 0xffff4ff1ull
#define FCW_VAL 0x027f
#define FSW_VAL 0x3800 /* TOP = 7 */
#define FTW_VAL 0x81   /* abridged: physical R0 and R7 valid */
#define FOP_VAL 0x05d9
#define FIP_VAL 0xffffffff81234567ull
#define FDP_VAL 0x7ffd00001000ull
#define MXCSR_VAL 0x1fa0 /* all masked, PE, DAZ clear */

struct msr_val {
	uint32_t index;
	unsigned int off;
	uint64_t val;
};

static const struct msr_val msr_vals[] = {
    {0xc0000081, VMSA_STAR, 0x0023001000000000ull},
    {0xc0000082, VMSA_LSTAR, 0xffffffff81a00000ull},
    {0xc0000083, VMSA_CSTAR, 0xffffffff81a00100ull},
    {0xc0000084, VMSA_SFMASK, 0x47700ull},
    {0xc0000102, VMSA_KERNEL_GS_BASE, 0xffff888012345000ull},
    {0x174, VMSA_SYSENTER_CS, 0x10},
    {0x175, VMSA_SYSENTER_ESP, 0xfffffe0000005000ull},
    {0x176, VMSA_SYSENTER_EIP, 0xffffffff81a01000ull},
    {0x277, VMSA_G_PAT, 0x0407050600070106ull},
};
#define NR_MSR_VALS (sizeof(msr_vals) / sizeof(msr_vals[0]))
#define TSC_AUX_VAL 0x5

static struct kvm_segment seg64(uint16_t sel, uint8_t type, uint64_t base, bool code)
{
	return (struct kvm_segment){.base = base,
				    .limit = 0xffffffff,
				    .selector = sel,
				    .type = type,
				    .present = 1,
				    .s = 1,
				    .l = code,
				    .db = !code,
				    .g = 1};
}

static void set_sregs64(int fd)
{
	struct kvm_sregs s;

	assert_int_equal(kvm_get_sregs(fd, &s), 0);
	s.cs = seg64(0x10, 0xb, 0, true);
	s.ss = seg64(0x18, 0x3, 0, false);
	s.ds = seg64(0x18, 0x3, 0, false);
	s.es = seg64(0x2b, 0x3, 0, false);
	s.es.dpl = 3;
	s.fs = seg64(0, 0x3, FS_BASE, false);
	s.gs = seg64(0, 0x3, GS_BASE, false);
	s.tr = (struct kvm_segment){
	    .base = TR_BASE, .limit = 0x4087, .selector = 0x40, .type = 0xb, .present = 1};
	s.ldt = (struct kvm_segment){
	    .base = 0x5000, .limit = 0xfff, .selector = 0x50, .type = 0x2, .present = 1};
	s.gdt.base = GDT_BASE;
	s.gdt.limit = 0x7f;
	s.idt.base = IDT_BASE;
	s.idt.limit = 0xfff;
	s.cr0 = CR0_LM;
	s.cr2 = CR2_VAL;
	s.cr3 = CR3_VAL;
	s.cr4 = CR4_LM;
	s.efer = EFER_LM;
	assert_int_equal(kvm_set_sregs(fd, &s), 0);
}

static uint64_t gpr_val(unsigned int i)
{
	return 0x0101010101010101ull * (i + 1) ^ 0x8000000000000000ull;
}

static void set_regs64(int fd)
{
	struct kvm_regs r = {
	    .rax = gpr_val(0),
	    .rbx = gpr_val(1),
	    .rcx = gpr_val(2),
	    .rdx = gpr_val(3),
	    .rsi = gpr_val(4),
	    .rdi = gpr_val(5),
	    .rsp = gpr_val(6),
	    .rbp = gpr_val(7),
	    .r8 = gpr_val(8),
	    .r9 = gpr_val(9),
	    .r10 = gpr_val(10),
	    .r11 = gpr_val(11),
	    .r12 = gpr_val(12),
	    .r13 = gpr_val(13),
	    .r14 = gpr_val(14),
	    .r15 = gpr_val(15),
	};

	r.rip = RIP_VAL;
	r.rflags = RFLAGS_VAL;
	assert_int_equal(kvm_set_regs(fd, &r), 0);
}

static void set_dregs(int fd)
{
	struct kvm_debugregs d;

	memset(&d, 0, sizeof(d));
	for (unsigned int i = 0; i < 4; i++)
		d.db[i] = 0xffffffff81000000ull + 0x100 * i;
	d.dr6 = DR6_VAL;
	d.dr7 = DR7_VAL;
	assert_int_equal(kvm_set_debugregs(fd, &d), 0);
}

static void set_msrs(int fd)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[NR_MSR_VALS + 1];
	} m;
	unsigned int n = NR_MSR_VALS;

	memset(&m, 0, sizeof(m));
	for (unsigned int i = 0; i < NR_MSR_VALS; i++) {
		m.e[i].index = msr_vals[i].index;
		m.e[i].data = msr_vals[i].val;
	}
	m.hdr.nmsrs = n;
	assert_int_equal(kvm_set_msrs(fd, &m.hdr), (int)n);

	/* TSC_AUX where KVM takes it (PVM does without RDTSCP in CPUID). */
	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e[0].index = 0xc0000103;
	m.e[0].data = TSC_AUX_VAL;
	env.tsc_aux = kvm_set_msrs(fd, &m.hdr) == 1;
}

static void st_val(unsigned int i, uint8_t st[10])
{
	for (unsigned int b = 0; b < 10; b++)
		st[b] = (uint8_t)(0x10 * i + b + 1);
}

static uint8_t xmm_byte(unsigned int reg, unsigned int b)
{
	return (uint8_t)(0xa0 ^ (reg << 4) ^ b);
}

static uint8_t ymm_byte(unsigned int reg, unsigned int b)
{
	return (uint8_t)(0x5b ^ (reg << 3) ^ (b * 7));
}

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Host CPUID 0xD sub-leaf i. */
static void cpuid_d(unsigned int i, unsigned int r[4])
{
	host_cpuid(0xd, i, r);
}

static void set_fpu(int fd)
{
	unsigned int r[4];
	struct kvm_xcrs x;
	uint8_t *xs;
	size_t size = sizeof(struct kvm_xsave);

	cpuid_d(0, r);
	if (r[2] > size)
		size = r[2];
	xs = calloc(1, size);
	assert_non_null(xs);

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].value = env.avx ? 0x7 : 0x3;
	assert_int_equal(kvm_set_xcrs(fd, &x), 0);

	assert_int_equal(kvm_get_xsave(fd, (struct kvm_xsave *)xs), 0);
	put_le(xs + 0, FCW_VAL, 2);
	put_le(xs + 2, FSW_VAL, 2);
	xs[4] = FTW_VAL;
	put_le(xs + 6, FOP_VAL, 2);
	put_le(xs + 8, FIP_VAL, 8);
	put_le(xs + 16, FDP_VAL, 8);
	put_le(xs + 24, MXCSR_VAL, 4);
	for (unsigned int i = 0; i < 8; i++)
		st_val(i, xs + 32 + 16 * i);
	for (unsigned int r = 0; r < 16; r++)
		for (unsigned int b = 0; b < 16; b++)
			xs[160 + 16 * r + b] = xmm_byte(r, b);
	xs[512] = 0x3; /* XSTATE_BV: x87, SSE */
	if (env.avx) {
		cpuid_d(2, r); /* EBX: the YMM_Hi128 offset */
		for (unsigned int reg = 0; reg < 16; reg++)
			for (unsigned int b = 0; b < 16; b++)
				xs[r[1] + 16 * reg + b] = ymm_byte(reg, b);
		xs[512] |= 0x4;
	}
	assert_int_equal(kvm_set_xsave(fd, (struct kvm_xsave *)xs), 0);
	free(xs);
}

static void set_distinctive_state(int fd)
{
	set_sregs64(fd);
	set_regs64(fd);
	set_dregs(fd);
	set_msrs(fd);
	set_fpu(fd);
}

static void check_saved_fields(const uint8_t *v)
{
	static const unsigned int gpr_off[16] = {
	    VMSA_RAX, VMSA_RBX, VMSA_RCX, VMSA_RDX, VMSA_RSI, VMSA_RDI, VMSA_RSP, VMSA_RBP,
	    VMSA_R8,  VMSA_R9,	VMSA_R10, VMSA_R11, VMSA_R12, VMSA_R13, VMSA_R14, VMSA_R15};
	struct vmsa_segment seg;
	uint8_t st[10], want[10];

	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(vmsa_get_u64(v, gpr_off[i]), gpr_val(i));
	assert_int_equal(vmsa_get_u64(v, VMSA_RIP), RIP_VAL);
	assert_int_equal(vmsa_get_u64(v, VMSA_RFLAGS), RFLAGS_VAL);

	/* CS: type 0xb, S, P, L, G packed as VMCB attributes. */
	vmsa_get_segment(v, VMSA_CS, &seg);
	assert_int_equal(seg.selector, 0x10);
	assert_int_equal(seg.attrib, 0xa9b);
	vmsa_get_segment(v, VMSA_ES, &seg);
	assert_int_equal(seg.selector, 0x2b);
	assert_int_equal(seg.attrib, 0xcf3); /* G DB P DPL3 S type 3 */
	assert_int_equal(seg.limit, 0xffffffff);
	vmsa_get_segment(v, VMSA_GS, &seg);
	assert_int_equal(seg.base, GS_BASE);
	vmsa_get_segment(v, VMSA_TR, &seg);
	assert_int_equal(seg.selector, 0x40);
	assert_int_equal(seg.attrib, 0x8b);
	assert_int_equal(seg.limit, 0x4087);
	assert_int_equal(seg.base, TR_BASE);
	vmsa_get_segment(v, VMSA_GDTR, &seg);
	assert_int_equal(seg.base, GDT_BASE);
	assert_int_equal(seg.limit, 0x7f);
	assert_int_equal(seg.attrib, 0);
	vmsa_get_segment(v, VMSA_IDTR, &seg);
	assert_int_equal(seg.base, IDT_BASE);
	assert_int_equal(seg.limit, 0xfff);
	assert_int_equal(v[VMSA_CPL], 0);

	assert_int_equal(vmsa_get_u64(v, VMSA_CR0), CR0_LM);
	assert_int_equal(vmsa_get_u64(v, VMSA_CR2), CR2_VAL);
	assert_int_equal(vmsa_get_u64(v, VMSA_CR3), CR3_VAL);
	assert_int_equal(vmsa_get_u64(v, VMSA_CR4), CR4_LM);
	assert_int_equal(vmsa_get_u64(v, VMSA_EFER), EFER_LM | 0x1000); /* + SVME */
	assert_int_equal(vmsa_get_u64(v, VMSA_DR7), DR7_VAL);
	assert_int_equal(vmsa_get_u64(v, VMSA_DR6), DR6_VAL);
	assert_int_equal(vmsa_get_u64(v, VMSA_DR3), 0xffffffff81000300ull);

	for (unsigned int i = 0; i < NR_MSR_VALS; i++)
		assert_int_equal(vmsa_get_u64(v, msr_vals[i].off), msr_vals[i].val);
	assert_int_equal(vmsa_get_u32(v, VMSA_TSC_AUX), env.tsc_aux ? TSC_AUX_VAL : 0);

	assert_int_equal(vmsa_get_u16(v, VMSA_X87_FCW), FCW_VAL);
	assert_int_equal(vmsa_get_u16(v, VMSA_X87_FSW), FSW_VAL);
	assert_int_equal(vmsa_get_u16(v, VMSA_X87_FTW), FTW_VAL);
	assert_int_equal(vmsa_get_u16(v, VMSA_X87_FOP), FOP_VAL);
	assert_int_equal(vmsa_get_u64(v, VMSA_X87_RIP), FIP_VAL);
	assert_int_equal(vmsa_get_u64(v, VMSA_X87_DP), FDP_VAL);
	assert_int_equal(vmsa_get_u32(v, VMSA_MXCSR), MXCSR_VAL);
	for (unsigned int i = 0; i < 8; i++) {
		vmsa_get_x87_st(v, i, st);
		st_val(i, want);
		assert_memory_equal(st, want, 10);
	}
	/* ST(1) bytes 8-9 live in the second block (vmsa.h). */
	assert_int_equal(v[VMSA_FPREG_X87 + 64 + 2], 0x19);
	assert_int_equal(v[VMSA_FPREG_XMM + 16 * 5 + 3], xmm_byte(5, 3));
	assert_int_equal(v[VMSA_FPREG_XMM + 16 * 15 + 15], xmm_byte(15, 15));
	if (env.avx) {
		assert_int_equal(v[VMSA_FPREG_YMM + 16 * 7 + 9], ymm_byte(7, 9));
		assert_int_equal(v[VMSA_FPREG_YMM + 16 * 15 + 15], ymm_byte(15, 15));
	}
	assert_int_equal(vmsa_get_u64(v, VMSA_XCR0), env.avx ? 0x7 : 0x3);
	assert_int_equal(vmsa_get_u64(v, VMSA_SEV_FEATURES), 0);
}

static void test_round_trip(void **state)
{
	uint8_t a[VMSA_PAGE_SIZE], b0[VMSA_PAGE_SIZE], b1[VMSA_PAGE_SIZE];
	struct kvm_sregs s;
	struct kvm_regs r;
	int va, vb;

	(void)state;
	need_kvm();
	if (!env.avx)
		fprintf(stderr, "test_emu_cpu: no AVX in KVM's CPUID: YMM not exercised\n");
	va = new_vcpu();
	vb = new_vcpu();
	set_distinctive_state(va);

	memset(a, 0xcc, sizeof(a));
	assert_int_equal(emu_cpu_save(va, a), 0);
	check_saved_fields(a);
	/* Whole page rewritten: nothing past the used area. */
	for (unsigned int i = VMSA_USED_SIZE; i < VMSA_PAGE_SIZE; i++)
		assert_int_equal(a[i], 0);

	/* The fresh vCPU must start elsewhere, or the round trip proves nothing. */
	assert_int_equal(emu_cpu_save(vb, b0), 0);
	assert_int_not_equal(vmsa_get_u64(b0, VMSA_CR3), CR3_VAL);
	assert_int_not_equal(vmsa_get_u64(b0, VMSA_RAX), gpr_val(0));
	assert_int_not_equal(vmsa_get_u16(b0, VMSA_X87_FCW), FCW_VAL);
	assert_int_not_equal(vmsa_get_u64(b0, VMSA_LSTAR), msr_vals[1].val);
	assert_int_not_equal(b0[VMSA_FPREG_XMM], a[VMSA_FPREG_XMM]);

	assert_int_equal(emu_cpu_load(vb, a), 0);
	/* Straight from KVM, not only through emu_cpu_save. */
	assert_int_equal(kvm_get_sregs(vb, &s), 0);
	assert_int_equal(s.cr3, CR3_VAL);
	assert_int_equal(s.efer, EFER_LM);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(kvm_get_regs(vb, &r), 0);
	assert_int_equal(r.rip, RIP_VAL);
	assert_int_equal(r.r15, gpr_val(15));

	memset(b1, 0x5a, sizeof(b1));
	assert_int_equal(emu_cpu_save(vb, b1), 0);
	assert_memory_equal(a, b1, VMSA_PAGE_SIZE);
	close(va);
	close(vb);
}

/* CPL comes from SS.DPL outside real mode, and goes back into it. */
static void test_cpl3(void **state)
{
	uint8_t a[VMSA_PAGE_SIZE], b[VMSA_PAGE_SIZE];
	struct kvm_sregs s;
	int va, vb;

	(void)state;
	need_kvm();
	va = new_vcpu();
	vb = new_vcpu();
	set_distinctive_state(va);
	assert_int_equal(kvm_get_sregs(va, &s), 0);
	s.cs = seg64(0x33, 0xb, 0, true);
	s.cs.dpl = 3;
	s.ss = seg64(0x2b, 0x3, 0, false);
	s.ss.dpl = 3;
	assert_int_equal(kvm_set_sregs(va, &s), 0);
	assert_int_equal(emu_cpu_save(va, a), 0);
	assert_int_equal(a[VMSA_CPL], 3);
	assert_int_equal(vmsa_get_u16(a, VMSA_SS + VMSA_SEG_ATTRIB), 0xcf3);

	assert_int_equal(emu_cpu_load(vb, a), 0);
	assert_int_equal(kvm_get_sregs(vb, &s), 0);
	assert_int_equal(s.ss.dpl, 3);
	assert_int_equal(emu_cpu_save(vb, b), 0);
	assert_memory_equal(a, b, VMSA_PAGE_SIZE);
	close(va);
	close(vb);
}

/*
 * The VMSA's CPL field wins over SS.DPL (APM vol. 2 §15.5.1): a page whose
 * SS attributes say DPL 0 but whose CPL is 3 gives a vCPU at CPL 3.
 */
static void test_cpl_field_wins(void **state)
{
	uint8_t a[VMSA_PAGE_SIZE];
	struct kvm_sregs s;
	int va, vb;

	(void)state;
	need_kvm();
	va = new_vcpu();
	vb = new_vcpu();
	set_distinctive_state(va);
	assert_int_equal(emu_cpu_save(va, a), 0);
	assert_int_equal(vmsa_get_u16(a, VMSA_SS + VMSA_SEG_ATTRIB) & VMSA_ATTR_DPL_MASK, 0);
	a[VMSA_CPL] = 3;
	assert_int_equal(emu_cpu_load(vb, a), 0);
	assert_int_equal(kvm_get_sregs(vb, &s), 0);
	assert_int_equal(s.ss.dpl, 3);
	assert_int_equal(s.cs.dpl, 0);
	assert_int_equal(emu_cpu_save(vb, a), 0);
	assert_int_equal(a[VMSA_CPL], 3);
	close(va);
	close(vb);
}

static void assert_seg_equal(const struct kvm_segment *got, const struct kvm_segment *want)
{
	assert_int_equal(got->selector, want->selector);
	assert_int_equal(got->base, want->base);
	assert_int_equal(got->limit, want->limit);
	assert_int_equal(got->type, want->type);
	assert_int_equal(got->s, want->s);
	assert_int_equal(got->dpl, want->dpl);
	assert_int_equal(got->present, want->present);
	assert_int_equal(got->avl, want->avl);
	assert_int_equal(got->l, want->l);
	assert_int_equal(got->db, want->db);
	assert_int_equal(got->g, want->g);
}

static void assert_sregs_equal(const struct kvm_sregs *got, const struct kvm_sregs *want)
{
	assert_seg_equal(&got->cs, &want->cs);
	assert_seg_equal(&got->ds, &want->ds);
	assert_seg_equal(&got->es, &want->es);
	assert_seg_equal(&got->fs, &want->fs);
	assert_seg_equal(&got->gs, &want->gs);
	assert_seg_equal(&got->ss, &want->ss);
	assert_seg_equal(&got->tr, &want->tr);
	assert_seg_equal(&got->ldt, &want->ldt);
	assert_int_equal(got->gdt.base, want->gdt.base);
	assert_int_equal(got->gdt.limit, want->gdt.limit);
	assert_int_equal(got->idt.base, want->idt.base);
	assert_int_equal(got->idt.limit, want->idt.limit);
	assert_int_equal(got->cr0, want->cr0);
	assert_int_equal(got->cr2, want->cr2);
	assert_int_equal(got->cr3, want->cr3);
	assert_int_equal(got->cr4, want->cr4);
	assert_int_equal(got->efer, want->efer);
	assert_int_equal(got->apic_base, want->apic_base);
}

/*
 * The initial VMSA loaded through emu_cpu_load must give the vCPU that
 * resetstate.c sets up without SEV: compared with the values it produces
 * and with what KVM reports for a second vCPU set up that way.
 */
static void check_reset(uint32_t eip)
{
	uint8_t page[VMSA_PAGE_SIZE];
	struct kvm_sregs got_s, want_s, ref_s;
	struct kvm_regs got_r, want_r, ref_r;
	int v = new_vcpu(), ref = new_vcpu();

	/* Start from elsewhere, so that a load doing nothing fails. */
	set_distinctive_state(v);

	vmsa_init_reset(page, eip, SIG);
	assert_int_equal(emu_cpu_load(v, page), 0);
	assert_int_equal(kvm_get_sregs(v, &got_s), 0);
	assert_int_equal(kvm_get_regs(v, &got_r), 0);

	/* resetstate's own values. */
	want_s = got_s;
	resetstate_sregs(&want_s, eip);
	resetstate_regs(&want_r, eip, SIG);
	assert_sregs_equal(&got_s, &want_s);
	assert_memory_equal(&got_r, &want_r, sizeof(got_r));
	assert_int_equal(got_s.cs.base, eip & 0xffff0000u);
	assert_int_equal(got_r.rip, eip & 0xffffu);
	assert_int_equal(got_r.rdx, SIG);

	/* And as KVM holds them when set the resetstate way. */
	assert_int_equal(kvm_get_sregs(ref, &ref_s), 0);
	resetstate_sregs(&ref_s, eip);
	assert_int_equal(kvm_set_sregs(ref, &ref_s), 0);
	resetstate_regs(&ref_r, eip, SIG);
	assert_int_equal(kvm_set_regs(ref, &ref_r), 0);
	assert_int_equal(kvm_get_sregs(ref, &ref_s), 0);
	assert_int_equal(kvm_get_regs(ref, &ref_r), 0);
	assert_sregs_equal(&got_s, &ref_s);
	assert_memory_equal(&got_r, &ref_r, sizeof(got_r));

	/* The FP and MSR parts of the page arrived too. */
	assert_int_equal(emu_cpu_save(v, page), 0);
	assert_int_equal(vmsa_get_u16(page, VMSA_X87_FCW), 0x37f);
	assert_int_equal(vmsa_get_u16(page, VMSA_X87_FTW), 0);
	assert_int_equal(vmsa_get_u32(page, VMSA_MXCSR), 0x1f80);
	assert_int_equal(vmsa_get_u64(page, VMSA_XCR0), 1);
	assert_int_equal(vmsa_get_u64(page, VMSA_G_PAT), VMSA_RESET_G_PAT);
	assert_int_equal(vmsa_get_u64(page, VMSA_LSTAR), 0);
	assert_int_equal(vmsa_get_u64(page, VMSA_DR7), 0x400);
	assert_int_equal(vmsa_get_u64(page, VMSA_DR3), 0);
	for (unsigned int i = 0; i < VMSA_FPREG_XMM_SIZE + VMSA_FPREG_YMM_SIZE; i++)
		assert_int_equal(page[VMSA_FPREG_XMM + i], 0);
	close(v);
	close(ref);
}

static void test_reset_bsp(void **state)
{
	(void)state;
	need_kvm();
	check_reset(VMSA_BSP_EIP);
}

static void test_reset_ap(void **state)
{
	(void)state;
	need_kvm();
	check_reset(resetstate_ap_eip(AP_RESET));
}

/* A page from vmsa_init_reset round-trips byte for byte: every field it
 * sets is one KVM carries (EFER.SVME included, see emu_cpu.c). */
static void test_reset_round_trip(void **state)
{
	uint8_t in[VMSA_PAGE_SIZE], out[VMSA_PAGE_SIZE];
	int v;

	(void)state;
	need_kvm();
	v = new_vcpu();
	set_distinctive_state(v);
	vmsa_init_reset(in, VMSA_BSP_EIP, SIG);
	assert_int_equal(emu_cpu_load(v, in), 0);
	assert_int_equal(emu_cpu_save(v, out), 0);
	assert_memory_equal(in, out, VMSA_PAGE_SIZE);
	close(v);
}

static void test_bad_fd(void **state)
{
	uint8_t page[VMSA_PAGE_SIZE], copy[VMSA_PAGE_SIZE];

	(void)state;
	vmsa_init_reset(page, VMSA_BSP_EIP, SIG);
	memcpy(copy, page, sizeof(page));
	assert_int_equal(emu_cpu_load(-1, page), -EBADF);
	assert_int_equal(emu_cpu_save(-1, page), -EBADF);
	/* A failed save leaves the page alone. */
	assert_memory_equal(page, copy, sizeof(page));
}

/* A page KVM refuses: an error, not a crash and not a silent success. */
static void test_bad_page(void **state)
{
	uint8_t page[VMSA_PAGE_SIZE];
	int v;

	(void)state;
	need_kvm();
	v = new_vcpu();
	vmsa_init_reset(page, VMSA_BSP_EIP, SIG);
	vmsa_put_u64(page, VMSA_XCR0, 0); /* x87 must always be enabled */
	assert_int_equal(emu_cpu_load(v, page), -EINVAL);
	vmsa_init_reset(page, VMSA_BSP_EIP, SIG);
	vmsa_put_u32(page, VMSA_MXCSR, 0xffffffff); /* reserved bits set */
	assert_int_equal(emu_cpu_load(v, page), -EINVAL);
	/* XSS bit 0 (x87) is never a supervisor component (SDM vol. 1 §13.3):
	 * KVM refuses it, or lacks XSS altogether as PVM does. */
	vmsa_init_reset(page, VMSA_BSP_EIP, SIG);
	vmsa_put_u64(page, VMSA_XSS, 1);
	assert_int_equal(emu_cpu_load(v, page), -EOPNOTSUPP);
	close(v);
}

/* ---- The emu platform's migration operations on real vCPUs ---- */

/* An emu platform bound to fds, launched to RUNNING under policy. */
static struct emu_launch *launched_emu(const int *fds, uint8_t (*pages)[VMSA_PAGE_SIZE],
				       uint32_t policy)
{
	static const struct sev_build fw_build = {.api_major = 0, .api_minor = 24, .build = 1};
	struct sev_vm_binding b = {.vm_fd = env.vm, .nr_vcpus = 2, .vcpu_fds = fds,
				   .vmsa_pages = pages[0]};
	EVP_PKEY *pdh = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY *owner = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	struct sev_transport_keys tk;
	struct sev_session_blob blob;
	struct sev_launch_start ls = {.policy = policy, .session = &blob};
	struct sev_launch_measure m;
	uint8_t z[SEV_P384_Z_SIZE], nonce[16] = {1}, iv[16] = {2}, data[64] = {3}, page[VMSA_PAGE_SIZE];
	struct emu_launch *e;
	struct sev_platform *p;
	unsigned int fw;

	assert_non_null(pdh);
	assert_non_null(owner);
	memset(&tk, 0x77, sizeof(tk));
	assert_int_equal(sev_ecdh_p384(owner, pdh, z), 0);
	assert_int_equal(sev_session_build(z, sizeof(z), nonce, iv, &tk, policy, &blob), 0);
	assert_int_equal(sev_p384_point(owner, ls.owner_pub), 0);
	assert_int_equal(emu_launch_new(pdh, &fw_build, &e), 0);
	p = emu_launch_platform(e);
	assert_int_equal(p->ops->init(p, &b, &fw), 0);
	/* Before the launch there is nothing to save or resume. */
	assert_int_equal(p->ops->save_vcpu_vmsa(p, 0, &fw), -EIO);
	assert_int_equal(fw, SEV_STATUS_INVALID_GUEST_STATE);
	assert_int_equal(p->ops->launch_start(p, &ls, &fw), 0);
	assert_int_equal(p->ops->launch_update_data(p, data, sizeof(data), &fw), 0);
	for (unsigned int i = 0; i < 2; i++) {
		vmsa_init_reset(page, i ? resetstate_ap_eip(AP_RESET) : VMSA_BSP_EIP, SIG);
		assert_int_equal(p->ops->launch_update_vmsa(p, i, page, &fw), 0);
		assert_memory_equal(pages[i], page, VMSA_PAGE_SIZE);
	}
	assert_int_equal(p->ops->launch_measure(p, &m, &fw), 0);
	assert_int_equal(p->ops->launch_finish(p, &fw), 0);
	EVP_PKEY_free(pdh);
	EVP_PKEY_free(owner);
	return e;
}

/* Two fresh vCPUs on an emu platform launched to RUNNING under policy. */
static struct emu_launch *launched_pair(int fds[2], uint8_t (*pages)[VMSA_PAGE_SIZE],
				       uint32_t policy)
{
	need_kvm();
	fds[0] = new_vcpu();
	fds[1] = new_vcpu();
	return launched_emu(fds, pages, policy);
}

/*
 * What migration will do: the source platform saves a running vCPU into its
 * VMSA page; the page travels; the target platform resumes another vCPU
 * from it, which then holds exactly the same state.
 */
static void test_platform_save_resume(void **state)
{
	static uint8_t pages[2][VMSA_PAGE_SIZE], direct[VMSA_PAGE_SIZE], after[VMSA_PAGE_SIZE];
	struct sev_platform *p;
	struct emu_launch *e;
	unsigned int fw;
	int fds[2];

	(void)state;
	e = launched_pair(fds, pages, SEV_POLICY_ES);
	p = emu_launch_platform(e);
	/* The guest ran and changed vCPU 0's state. */
	set_distinctive_state(fds[0]);
	assert_int_equal(p->ops->save_vcpu_vmsa(p, 0, &fw), 0);
	assert_int_equal(emu_cpu_save(fds[0], direct), 0);
	assert_memory_equal(pages[0], direct, VMSA_PAGE_SIZE);
	assert_memory_not_equal(pages[1], direct, VMSA_PAGE_SIZE);
	/* The migrated VMSA lands in vCPU 1's page; the platform resumes it. */
	memcpy(pages[1], pages[0], VMSA_PAGE_SIZE);
	assert_int_equal(p->ops->resume_vcpu_from_vmsa(p, 1, &fw), 0);
	assert_int_equal(emu_cpu_save(fds[1], after), 0);
	assert_memory_equal(after, direct, VMSA_PAGE_SIZE);
	/* A vCPU the binding does not have. */
	assert_int_equal(p->ops->save_vcpu_vmsa(p, 2, &fw), -EINVAL);
	emu_launch_free(e);
	close(fds[0]);
	close(fds[1]);
}

/* NOSEND: the state never leaves the vCPU for migration; resuming is not sending. */
static void test_platform_nosend(void **state)
{
	static uint8_t pages[2][VMSA_PAGE_SIZE], before[VMSA_PAGE_SIZE];
	struct sev_platform *p;
	struct emu_launch *e;
	unsigned int fw;
	int fds[2];

	(void)state;
	e = launched_pair(fds, pages, SEV_POLICY_ES | SEV_POLICY_NOSEND);
	p = emu_launch_platform(e);
	memcpy(before, pages[0], VMSA_PAGE_SIZE);
	set_distinctive_state(fds[0]);
	assert_int_equal(p->ops->save_vcpu_vmsa(p, 0, &fw), -EIO);
	assert_int_equal(fw, SEV_STATUS_POLICY_FAILURE);
	assert_memory_equal(pages[0], before, VMSA_PAGE_SIZE);
	assert_int_equal(p->ops->resume_vcpu_from_vmsa(p, 1, &fw), 0);
	assert_false(emu_launch_allows_send(e));
	emu_launch_free(e);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),	     cmocka_unit_test(test_cpl3),
	    cmocka_unit_test(test_reset_bsp),	     cmocka_unit_test(test_reset_ap),
	    cmocka_unit_test(test_reset_round_trip), cmocka_unit_test(test_bad_fd),
	    cmocka_unit_test(test_bad_page),	     cmocka_unit_test(test_cpl_field_wins),
	    cmocka_unit_test(test_platform_save_resume), cmocka_unit_test(test_platform_nosend),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
