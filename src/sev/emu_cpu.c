// SPDX-License-Identifier: MIT
/*
 * VMSA <-> KVM vCPU state (see emu_cpu.h).
 *
 * What has no KVM counterpart, and so is zero on save and ignored on load:
 * the CET/shadow-stack fields, VMPL, the DR0-3 address masks (AMD
 * breakpoint-mask MSRs), DBGCTL and the LBR fields, TSC scale/offset, the
 * exit information, SEV_FEATURES, VINTR_CTRL, virtual TOM, TLB/PCPU IDs,
 * EVENTINJ, and x87_cs/x87_ds (see save_fpu()). The selector and attribute
 * words of GDTR/IDTR are not part of those registers.
 */
#include "sev/emu_cpu.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sev/crypto/crypto.h"
#include "vmm/cpuid.h"
#include "vmm/kvm.h"
#include "vmm/msr_index.h"

#define CR0_PE (1ull << 0)
#define RFLAGS_VM (1ull << 17)
#define EFER_SVME (1ull << 12)

/*
 * The XSAVE legacy region, which is the FXSAVE image in its 64-bit form
 * (Intel SDM vol. 1 §10.5.1 Table 10-2 and §13.4.1): KVM_GET/SET_XSAVE use
 * the standard (non-compacted) XSAVE format (api.rst 4.42).
 */
#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4 /* abridged tag, one byte; byte 5 is reserved */
#define FX_FOP 6
#define FX_FIP 8  /* 64-bit FPU IP: no separate FCS in this form */
#define FX_FDP 16 /* 64-bit FPU DP: no separate FDS */
#define FX_MXCSR 24
#define FX_ST 32 /* ST(i) in bytes 0-9 of 16 at FX_ST + 16 * i */
#define FX_ST_STRIDE 16
#define FX_XMM 160
#define XSAVE_XSTATE_BV 512 /* the XSAVE header follows the legacy region */

/* XSAVE state components (Intel SDM vol. 1 §13.1). */
#define XFEATURE_X87 (1ull << 0)
#define XFEATURE_SSE (1ull << 1)
#define XFEATURE_AVX (1ull << 2)
#define XFEATURE_PKRU (1ull << 9)


struct msr_field {
	uint32_t index;
	unsigned int off;
	unsigned int size; /* bytes in the VMSA: 4 or 8 */
};

/* Every KVM has these on x86-64 (api.rst 4.3, KVM_GET_MSR_INDEX_LIST). */
static const struct msr_field base_msrs[] = {
    {MSR_STAR, VMSA_STAR, 8},
    {MSR_LSTAR, VMSA_LSTAR, 8},
    {MSR_CSTAR, VMSA_CSTAR, 8},
    {MSR_SFMASK, VMSA_SFMASK, 8},
    {MSR_KERNEL_GS_BASE, VMSA_KERNEL_GS_BASE, 8},
    {MSR_IA32_SYSENTER_CS, VMSA_SYSENTER_CS, 8},
    {MSR_IA32_SYSENTER_ESP, VMSA_SYSENTER_ESP, 8},
    {MSR_IA32_SYSENTER_EIP, VMSA_SYSENTER_EIP, 8},
    {MSR_IA32_CR_PAT, VMSA_G_PAT, 8},
};

/* KVM has these only when the vCPU's CPUID has RDTSCP/RDPID resp. XSAVES. */
static const struct msr_field optional_msrs[] = {
    {MSR_TSC_AUX, VMSA_TSC_AUX, 4},
    {MSR_IA32_XSS, VMSA_XSS, 8},
};

#define NR_BASE_MSRS (sizeof(base_msrs) / sizeof(base_msrs[0]))
#define NR_OPTIONAL_MSRS (sizeof(optional_msrs) / sizeof(optional_msrs[0]))

struct msr_list {
	struct kvm_msrs hdr;
	struct kvm_msr_entry entries[NR_BASE_MSRS];
};

struct msr_one {
	struct kvm_msrs hdr;
	struct kvm_msr_entry entry;
};

static const unsigned int vmsa_segs[] = {VMSA_ES, VMSA_CS, VMSA_SS,   VMSA_DS,
					 VMSA_FS, VMSA_GS, VMSA_LDTR, VMSA_TR};

static struct kvm_segment *kvm_seg(struct kvm_sregs *s, unsigned int vmsa_off)
{
	switch (vmsa_off) {
	case VMSA_ES:
		return &s->es;
	case VMSA_CS:
		return &s->cs;
	case VMSA_SS:
		return &s->ss;
	case VMSA_DS:
		return &s->ds;
	case VMSA_FS:
		return &s->fs;
	case VMSA_GS:
		return &s->gs;
	case VMSA_LDTR:
		return &s->ldt;
	default:
		return &s->tr;
	}
}

/* ---- Byte access to the XSAVE buffer (little-endian, like the VMSA). ---- */

static uint64_t xs_get(const uint8_t *xs, unsigned int off, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)xs[off + i] << (8 * i);
	return v;
}

static void xs_put(uint8_t *xs, unsigned int off, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		xs[off + i] = (uint8_t)(v >> (8 * i));
}

/*
 * Where KVM's XSAVE image keeps the components beyond the legacy region.
 * KVM lays out its uABI buffer with the host kernel's standard-format
 * offsets, which are the host CPU's CPUID.(EAX=0DH,ECX=i).EBX (Intel SDM
 * vol. 1 §13.4.3); an offset of 0 means the host lacks the component.
 */
struct xsave_layout {
	size_t size; /* bytes to allocate: KVM_SET_XSAVE may read them all */
	unsigned int ymm_off;
	unsigned int pkru_off;
};

/* The host's CPUID leaf 0xD sub-leaf i, or false when the CPU has no such leaf. */
static bool host_cpuid_xsave(unsigned int i, unsigned int r[4])
{
	return host_cpuid(0xd, i, r);
}

static unsigned int xcomp_offset(unsigned int i, unsigned int min_size)
{
	unsigned int r[4];

	if (!host_cpuid_xsave(i, r) || r[0] < min_size)
		return 0;
	/* Only a component that fits the 4096 bytes KVM_GET_XSAVE fills. */
	return r[1] + r[0] <= sizeof(struct kvm_xsave) ? r[1] : 0;
}

static void xsave_layout(struct xsave_layout *l)
{
	unsigned int r[4];

	l->size = sizeof(struct kvm_xsave);
	/* ECX: the largest standard-format image any supported XCR0 needs. */
	if (host_cpuid_xsave(0, r) && r[2] > l->size)
		l->size = r[2];
	l->ymm_off = xcomp_offset(2, VMSA_FPREG_YMM_SIZE);
	l->pkru_off = xcomp_offset(9, 4);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- KVM -> VMSA ---- */

static void save_regs(uint8_t *v, const struct kvm_regs *r)
{
	vmsa_put_u64(v, VMSA_RAX, r->rax);
	vmsa_put_u64(v, VMSA_RBX, r->rbx);
	vmsa_put_u64(v, VMSA_RCX, r->rcx);
	vmsa_put_u64(v, VMSA_RDX, r->rdx);
	vmsa_put_u64(v, VMSA_RSI, r->rsi);
	vmsa_put_u64(v, VMSA_RDI, r->rdi);
	vmsa_put_u64(v, VMSA_RSP, r->rsp);
	vmsa_put_u64(v, VMSA_RBP, r->rbp);
	vmsa_put_u64(v, VMSA_R8, r->r8);
	vmsa_put_u64(v, VMSA_R9, r->r9);
	vmsa_put_u64(v, VMSA_R10, r->r10);
	vmsa_put_u64(v, VMSA_R11, r->r11);
	vmsa_put_u64(v, VMSA_R12, r->r12);
	vmsa_put_u64(v, VMSA_R13, r->r13);
	vmsa_put_u64(v, VMSA_R14, r->r14);
	vmsa_put_u64(v, VMSA_R15, r->r15);
	vmsa_put_u64(v, VMSA_RIP, r->rip);
	vmsa_put_u64(v, VMSA_RFLAGS, r->rflags);
}

/*
 * The VMCB's CPL field (APM vol. 2 §15.5.1): VMRUN takes CPL from it rather
 * than from SS, and forces 0 in real mode and 3 in virtual-8086 mode. KVM
 * keeps CPL as SS.DPL (svm_get_segment() reports SS.DPL from the CPL field),
 * so it is derived here the same way.
 */
static uint8_t cpl_of(const struct kvm_sregs *s, uint64_t rflags)
{
	if (!(s->cr0 & CR0_PE))
		return 0;
	if (rflags & RFLAGS_VM)
		return 3;
	return s->ss.dpl & 3;
}

static void save_sregs(uint8_t *v, struct kvm_sregs *s, uint64_t rflags)
{
	struct vmsa_segment seg;

	for (unsigned int i = 0; i < sizeof(vmsa_segs) / sizeof(vmsa_segs[0]); i++) {
		vmsa_segment_from_kvm(kvm_seg(s, vmsa_segs[i]), &seg);
		vmsa_put_segment(v, vmsa_segs[i], &seg);
	}
	seg = (struct vmsa_segment){.limit = s->gdt.limit, .base = s->gdt.base};
	vmsa_put_segment(v, VMSA_GDTR, &seg);
	seg = (struct vmsa_segment){.limit = s->idt.limit, .base = s->idt.base};
	vmsa_put_segment(v, VMSA_IDTR, &seg);

	vmsa_put_u64(v, VMSA_CR0, s->cr0);
	vmsa_put_u64(v, VMSA_CR2, s->cr2);
	vmsa_put_u64(v, VMSA_CR3, s->cr3);
	vmsa_put_u64(v, VMSA_CR4, s->cr4);
	/*
	 * VMRUN refuses guest state with EFER.SVME clear (APM vol. 2 §15.5.1,
	 * "Canonicalization and Consistency Checks"), so every VMSA has it,
	 * as the initial one does; KVM's guest view has no SVME here.
	 */
	vmsa_put_u64(v, VMSA_EFER, s->efer | EFER_SVME);
	v[VMSA_CPL] = cpl_of(s, rflags);
}

static void save_dregs(uint8_t *v, const struct kvm_debugregs *d)
{
	static const unsigned int dr_off[4] = {VMSA_DR0, VMSA_DR1, VMSA_DR2, VMSA_DR3};

	for (unsigned int i = 0; i < 4; i++)
		vmsa_put_u64(v, dr_off[i], d->db[i]);
	vmsa_put_u64(v, VMSA_DR6, d->dr6);
	vmsa_put_u64(v, VMSA_DR7, d->dr7);
}

static void put_msr(uint8_t *v, const struct msr_field *f, uint64_t val)
{
	if (f->size == 4)
		vmsa_put_u32(v, f->off, (uint32_t)val);
	else
		vmsa_put_u64(v, f->off, val);
}

static uint64_t get_msr(const uint8_t *v, const struct msr_field *f)
{
	return f->size == 4 ? vmsa_get_u32(v, f->off) : vmsa_get_u64(v, f->off);
}

static int save_msrs(int fd, uint8_t *v)
{
	struct msr_list l = {.hdr.nmsrs = NR_BASE_MSRS};
	int ret;

	for (unsigned int i = 0; i < NR_BASE_MSRS; i++)
		l.entries[i].index = base_msrs[i].index;
	/* KVM_GET_MSRS stops at the first MSR it does not know (api.rst 4.18). */
	ret = kvm_get_msrs(fd, &l.hdr);
	if (ret < 0)
		return ret;
	if (ret != (int)NR_BASE_MSRS)
		return -EOPNOTSUPP;
	for (unsigned int i = 0; i < NR_BASE_MSRS; i++)
		put_msr(v, &base_msrs[i], l.entries[i].data);

	for (unsigned int i = 0; i < NR_OPTIONAL_MSRS; i++) {
		struct msr_one m = {.hdr.nmsrs = 1, .entry.index = optional_msrs[i].index};

		ret = kvm_get_msrs(fd, &m.hdr);
		if (ret < 0)
			return ret;
		/* Not read: the vCPU lacks the feature, the VMSA field stays 0. */
		if (ret == 1)
			put_msr(v, &optional_msrs[i], m.entry.data);
	}
	return 0;
}

static int save_xcr0(int fd, uint8_t *v)
{
	struct kvm_xcrs x;
	int ret;

	memset(&x, 0, sizeof(x));
	ret = kvm_get_xcrs(fd, &x);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < x.nr_xcrs && i < KVM_MAX_XCRS; i++)
		if (x.xcrs[i].xcr == 0)
			vmsa_put_u64(v, VMSA_XCR0, x.xcrs[i].value);
	return 0;
}

/*
 * x87 tag word: the VMSA's 16-bit X87_FTW field holds the FXSAVE image's
 * abridged tag (one bit per register, 1 = valid, 0 = empty; Intel SDM
 * vol. 1 §10.5.1.1) in its low byte, not the full FSTENV/FSAVE tag word
 * with two bits per register. That is how KVM fills it for the hardware
 * (Linux arch/x86/kvm/svm/sev.c sev_es_sync_vmsa() copies i387.twd), and
 * it is the only reading under which the initial VMSA's FTW of 0 means
 * "all registers empty", as after FNINIT (the full form would need
 * 0xffff). So the byte moves unchanged and no tag is recomputed.
 *
 * x87_cs/x87_ds: the 64-bit FXSAVE form KVM uses has 64-bit FIP/FDP and
 * no selectors, so they are saved as 0 (as KVM does) and ignored on load.
 */
static void save_legacy(uint8_t *v, const uint8_t *xs)
{
	uint8_t st[10];

	vmsa_put_u16(v, VMSA_X87_FCW, (uint16_t)xs_get(xs, FX_FCW, 2));
	vmsa_put_u16(v, VMSA_X87_FSW, (uint16_t)xs_get(xs, FX_FSW, 2));
	vmsa_put_u16(v, VMSA_X87_FTW, xs[FX_FTW]);
	vmsa_put_u16(v, VMSA_X87_FOP, (uint16_t)xs_get(xs, FX_FOP, 2));
	vmsa_put_u64(v, VMSA_X87_RIP, xs_get(xs, FX_FIP, 8));
	vmsa_put_u64(v, VMSA_X87_DP, xs_get(xs, FX_FDP, 8));
	vmsa_put_u32(v, VMSA_MXCSR, (uint32_t)xs_get(xs, FX_MXCSR, 4));
	for (unsigned int i = 0; i < 8; i++) {
		memcpy(st, xs + FX_ST + FX_ST_STRIDE * i, sizeof(st));
		vmsa_put_x87_st(v, i, st);
	}
	memcpy(v + VMSA_FPREG_XMM, xs + FX_XMM, VMSA_FPREG_XMM_SIZE);
}

static int save_fpu(int fd, uint8_t *v)
{
	struct xsave_layout l;
	uint64_t xstate_bv;
	uint8_t *xs;
	int ret;

	xsave_layout(&l);
	xs = calloc(1, l.size);
	if (!xs)
		return -ENOMEM;
	ret = kvm_get_xsave(fd, (struct kvm_xsave *)xs);
	if (ret < 0)
		goto out;
	save_legacy(v, xs);
	/* A component whose XSTATE_BV bit is clear is in its initial state,
	 * all zero for both of these (SDM vol. 1 §13.6), whatever the
	 * buffer holds there. */
	xstate_bv = xs_get(xs, XSAVE_XSTATE_BV, 8);
	if (l.ymm_off && (xstate_bv & XFEATURE_AVX))
		memcpy(v + VMSA_FPREG_YMM, xs + l.ymm_off, VMSA_FPREG_YMM_SIZE);
	if (l.pkru_off && (xstate_bv & XFEATURE_PKRU))
		vmsa_put_u32(v, VMSA_PKRU, (uint32_t)xs_get(xs, l.pkru_off, 4));
	ret = save_xcr0(fd, v);
out:
	/* Guest FPU state is guest-private: leave none of it on the heap. */
	sev_crypto_wipe(xs, l.size);
	free(xs);
	return ret;
}

int emu_cpu_save(int vcpu_fd, uint8_t vmsa[VMSA_PAGE_SIZE])
{
	uint8_t page[VMSA_PAGE_SIZE];
	struct kvm_debugregs dregs;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	memset(page, 0, sizeof(page));
	ret = kvm_get_regs(vcpu_fd, &regs);
	if (!ret)
		ret = kvm_get_sregs(vcpu_fd, &sregs);
	if (!ret)
		ret = kvm_get_debugregs(vcpu_fd, &dregs);
	if (!ret)
		ret = save_msrs(vcpu_fd, page);
	if (!ret)
		ret = save_fpu(vcpu_fd, page);
	if (!ret) {
		save_regs(page, &regs);
		save_sregs(page, &sregs, regs.rflags);
		save_dregs(page, &dregs);
		memcpy(vmsa, page, VMSA_PAGE_SIZE);
	}
	/* The copies on this stack are the guest's registers. */
	sev_crypto_wipe(page, sizeof(page));
	sev_crypto_wipe(&regs, sizeof(regs));
	sev_crypto_wipe(&sregs, sizeof(sregs));
	return ret < 0 ? ret : 0;
}

/* ---- VMSA -> KVM ---- */

static void load_regs(const uint8_t *v, struct kvm_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rax = vmsa_get_u64(v, VMSA_RAX);
	r->rbx = vmsa_get_u64(v, VMSA_RBX);
	r->rcx = vmsa_get_u64(v, VMSA_RCX);
	r->rdx = vmsa_get_u64(v, VMSA_RDX);
	r->rsi = vmsa_get_u64(v, VMSA_RSI);
	r->rdi = vmsa_get_u64(v, VMSA_RDI);
	r->rsp = vmsa_get_u64(v, VMSA_RSP);
	r->rbp = vmsa_get_u64(v, VMSA_RBP);
	r->r8 = vmsa_get_u64(v, VMSA_R8);
	r->r9 = vmsa_get_u64(v, VMSA_R9);
	r->r10 = vmsa_get_u64(v, VMSA_R10);
	r->r11 = vmsa_get_u64(v, VMSA_R11);
	r->r12 = vmsa_get_u64(v, VMSA_R12);
	r->r13 = vmsa_get_u64(v, VMSA_R13);
	r->r14 = vmsa_get_u64(v, VMSA_R14);
	r->r15 = vmsa_get_u64(v, VMSA_R15);
	r->rip = vmsa_get_u64(v, VMSA_RIP);
	r->rflags = vmsa_get_u64(v, VMSA_RFLAGS);
}

/* s holds KVM's current sregs: APIC base, CR8 and the pending-interrupt
 * bitmap stay as they are. */
static void load_sregs(const uint8_t *v, struct kvm_sregs *s)
{
	struct vmsa_segment seg;

	for (unsigned int i = 0; i < sizeof(vmsa_segs) / sizeof(vmsa_segs[0]); i++) {
		vmsa_get_segment(v, vmsa_segs[i], &seg);
		vmsa_segment_to_kvm(&seg, kvm_seg(s, vmsa_segs[i]));
	}
	vmsa_get_segment(v, VMSA_GDTR, &seg);
	s->gdt.base = seg.base;
	s->gdt.limit = (uint16_t)seg.limit;
	vmsa_get_segment(v, VMSA_IDTR, &seg);
	s->idt.base = seg.base;
	s->idt.limit = (uint16_t)seg.limit;

	s->cr0 = vmsa_get_u64(v, VMSA_CR0);
	s->cr2 = vmsa_get_u64(v, VMSA_CR2);
	s->cr3 = vmsa_get_u64(v, VMSA_CR3);
	s->cr4 = vmsa_get_u64(v, VMSA_CR4);
	/* SVME belongs to the world switch (see save_sregs()), as in
	 * resetstate_sregs(): the guest's EFER does not have it. */
	s->efer = vmsa_get_u64(v, VMSA_EFER) & ~EFER_SVME;
	/* The CPL field is authoritative outside real and V86 mode; KVM
	 * holds it as SS.DPL (see cpl_of()). */
	if ((s->cr0 & CR0_PE) && !(vmsa_get_u64(v, VMSA_RFLAGS) & RFLAGS_VM))
		s->ss.dpl = v[VMSA_CPL] & 3;
}

static void load_dregs(const uint8_t *v, struct kvm_debugregs *d)
{
	static const unsigned int dr_off[4] = {VMSA_DR0, VMSA_DR1, VMSA_DR2, VMSA_DR3};

	memset(d, 0, sizeof(*d));
	for (unsigned int i = 0; i < 4; i++)
		d->db[i] = vmsa_get_u64(v, dr_off[i]);
	d->dr6 = vmsa_get_u64(v, VMSA_DR6);
	d->dr7 = vmsa_get_u64(v, VMSA_DR7);
}

static int load_msrs(int fd, const uint8_t *v)
{
	struct msr_list l = {.hdr.nmsrs = NR_BASE_MSRS};
	int ret;

	for (unsigned int i = 0; i < NR_BASE_MSRS; i++) {
		l.entries[i].index = base_msrs[i].index;
		l.entries[i].data = get_msr(v, &base_msrs[i]);
	}
	/* KVM_SET_MSRS stops at the first value it refuses (api.rst 4.19). */
	ret = kvm_set_msrs(fd, &l.hdr);
	if (ret < 0)
		return ret;
	if (ret != (int)NR_BASE_MSRS)
		return -EINVAL;

	for (unsigned int i = 0; i < NR_OPTIONAL_MSRS; i++) {
		struct msr_one m = {.hdr.nmsrs = 1,
				    .entry = {.index = optional_msrs[i].index,
					      .data = get_msr(v, &optional_msrs[i])}};

		ret = kvm_set_msrs(fd, &m.hdr);
		if (ret < 0)
			return ret;
		/* Refused 0 means the vCPU lacks the MSR, which then reads as
		 * 0 anyway; anything else would be lost. */
		if (ret != 1 && m.entry.data)
			return -EOPNOTSUPP;
	}
	return 0;
}

static int load_xcr0(int fd, const uint8_t *v)
{
	struct kvm_xcrs x;

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = vmsa_get_u64(v, VMSA_XCR0);
	return kvm_set_xcrs(fd, &x);
}

static void load_legacy(const uint8_t *v, uint8_t *xs)
{
	uint8_t st[10];

	xs_put(xs, FX_FCW, vmsa_get_u16(v, VMSA_X87_FCW), 2);
	xs_put(xs, FX_FSW, vmsa_get_u16(v, VMSA_X87_FSW), 2);
	/* Abridged tag (see save_legacy()); the high byte has no meaning. */
	xs[FX_FTW] = (uint8_t)vmsa_get_u16(v, VMSA_X87_FTW);
	xs[FX_FTW + 1] = 0;
	xs_put(xs, FX_FOP, vmsa_get_u16(v, VMSA_X87_FOP), 2);
	xs_put(xs, FX_FIP, vmsa_get_u64(v, VMSA_X87_RIP), 8);
	xs_put(xs, FX_FDP, vmsa_get_u64(v, VMSA_X87_DP), 8);
	xs_put(xs, FX_MXCSR, vmsa_get_u32(v, VMSA_MXCSR), 4);
	for (unsigned int i = 0; i < 8; i++) {
		vmsa_get_x87_st(v, i, st);
		memset(xs + FX_ST + FX_ST_STRIDE * i, 0, FX_ST_STRIDE);
		memcpy(xs + FX_ST + FX_ST_STRIDE * i, st, sizeof(st));
	}
	memcpy(xs + FX_XMM, v + VMSA_FPREG_XMM, VMSA_FPREG_XMM_SIZE);
}

/*
 * Start from KVM's own image, so that what the VMSA does not describe
 * (MXCSR_MASK, XCOMP_BV) is as KVM wants it, then mark only x87, SSE and,
 * when not in their initial state, AVX and PKRU present: every other
 * component (AVX-512, AMX...) is not in an SEV-ES VMSA and is loaded in its
 * initial state (SDM vol. 1 §13.8, XRSTOR with XSTATE_BV bits clear).
 */
static int load_fpu(int fd, const uint8_t *v)
{
	const uint8_t *ymm = v + VMSA_FPREG_YMM;
	uint32_t pkru = vmsa_get_u32(v, VMSA_PKRU);
	uint64_t xstate_bv = XFEATURE_X87 | XFEATURE_SSE;
	struct xsave_layout l;
	uint8_t *xs;
	int ret;

	xsave_layout(&l);
	if ((!l.ymm_off && !all_zero(ymm, VMSA_FPREG_YMM_SIZE)) || (!l.pkru_off && pkru))
		return -EOPNOTSUPP;
	xs = calloc(1, l.size);
	if (!xs)
		return -ENOMEM;
	ret = kvm_get_xsave(fd, (struct kvm_xsave *)xs);
	if (ret < 0)
		goto out;
	load_legacy(v, xs);
	if (!all_zero(ymm, VMSA_FPREG_YMM_SIZE)) {
		memcpy(xs + l.ymm_off, ymm, VMSA_FPREG_YMM_SIZE);
		xstate_bv |= XFEATURE_AVX;
	}
	if (pkru) {
		xs_put(xs, l.pkru_off, pkru, 4);
		xstate_bv |= XFEATURE_PKRU;
	}
	xs_put(xs, XSAVE_XSTATE_BV, xstate_bv, 8);
	ret = kvm_set_xsave(fd, (struct kvm_xsave *)xs);
out:
	sev_crypto_wipe(xs, l.size);
	free(xs);
	return ret;
}

int emu_cpu_load(int vcpu_fd, const uint8_t vmsa[VMSA_PAGE_SIZE])
{
	struct kvm_debugregs dregs;
	struct kvm_sregs sregs;
	struct kvm_regs regs = {0};
	int ret;

	ret = kvm_get_sregs(vcpu_fd, &sregs);
	if (ret < 0)
		return ret;
	load_sregs(vmsa, &sregs);
	/* Control registers first: XCR0 and the FP image are checked
	 * against CR4 and CPUID, the MSRs against EFER. */
	ret = kvm_set_sregs(vcpu_fd, &sregs);
	if (!ret) {
		load_regs(vmsa, &regs);
		ret = kvm_set_regs(vcpu_fd, &regs);
	}
	if (!ret)
		ret = load_xcr0(vcpu_fd, vmsa);
	if (!ret)
		ret = load_fpu(vcpu_fd, vmsa);
	if (!ret) {
		load_dregs(vmsa, &dregs);
		ret = kvm_set_debugregs(vcpu_fd, &dregs);
	}
	if (!ret)
		ret = load_msrs(vcpu_fd, vmsa);
	sev_crypto_wipe(&regs, sizeof(regs));
	sev_crypto_wipe(&sregs, sizeof(sregs));
	return ret < 0 ? ret : 0;
}
