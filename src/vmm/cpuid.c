// SPDX-License-Identifier: MIT
#include "cpuid.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BIT(n) (1u << (n))

/* CPUID.1:ECX */
#define F1_ECX_FMA BIT(12)
#define F1_ECX_XSAVE BIT(26)
#define F1_ECX_OSXSAVE BIT(27)
#define F1_ECX_AVX BIT(28)
#define F1_ECX_F16C BIT(29)
#define F1_ECX_HYPERVISOR BIT(31)
#define F1_EDX_HTT BIT(28)
/* CPUID.(7,0):EBX — AVX2 and the AVX-512 family. */
#define F7_EBX_AVX_MASK                                                                            \
	(BIT(5) | BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
/* CPUID.(7,0):ECX — AVX-512 VBMI/VNNI/..., VAES, VPCLMULQDQ, PKU/OSPKE. */
#define F7_ECX_AVX_MASK                                                                            \
	(BIT(1) | BIT(3) | BIT(4) | BIT(6) | BIT(9) | BIT(10) | BIT(11) | BIT(12) | BIT(14))
/* CPUID.(7,0):EDX — AVX-512 4VNNIW/4FMAPS/VP2INTERSECT/FP16 and AMX. */
#define F7_EDX_AVX_MASK (BIT(2) | BIT(3) | BIT(8) | BIT(22) | BIT(23) | BIT(24) | BIT(25))
/* CPUID.(7,1):EAX — SHA512, SM3, SM4, AVX-VNNI, AVX512_BF16, AMX-FP16, AVX-IFMA
 * (all VEX/EVEX encoded or AMX). */
#define F7_1_EAX_AVX_MASK (BIT(0) | BIT(1) | BIT(2) | BIT(4) | BIT(5) | BIT(21) | BIT(23))
/* CPUID.(7,1):EDX — AVX-VNNI-INT8, AVX-NE-CONVERT, AMX-COMPLEX, AVX-VNNI-INT16, AVX10. */
#define F7_1_EDX_AVX_MASK (BIT(4) | BIT(5) | BIT(8) | BIT(10) | BIT(19))
/* CPUID.80000001H:ECX — AMD XOP and FMA4 (VEX-like encodings). */
#define F81_ECX_AVX_MASK (BIT(11) | BIT(16))

#define LEAF_TOPOLOGY 0x0b
#define LEAF_TOPOLOGY_V2 0x1f
#define LEAF_XSAVE 0x0d
#define LEAF_HV_BASE 0x40000000
#define LEAF_HV_TIMING 0x40000010
#define KVM_LAPIC_BUS_KHZ 1000000 /* KVM's APIC timer counts at 1 GHz */

int cpu_model_parse(const char *name, enum cpu_model *out)
{
	if (!strcmp(name, "host"))
		*out = CPU_MODEL_HOST;
	else if (!strcmp(name, "baseline"))
		*out = CPU_MODEL_BASELINE;
	else
		return -EINVAL;
	return 0;
}

const char *cpu_model_name(enum cpu_model model)
{
	return model == CPU_MODEL_BASELINE ? "baseline" : "host";
}

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

static unsigned order_base_2(unsigned n)
{
	unsigned o = 0;

	while ((1u << o) < n)
		o++;
	return o;
}

static void drop_leaf(struct kvm_cpuid2 *c, uint32_t function)
{
	uint32_t w = 0;

	for (uint32_t r = 0; r < c->nent; r++)
		if (c->entries[r].function != function)
			c->entries[w++] = c->entries[r];
	c->nent = w;
}

static struct kvm_cpuid_entry2 *add_leaf(struct kvm_cpuid2 *c, uint32_t function, uint32_t index,
					 uint32_t flags)
{
	struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	e->flags = flags;
	return e;
}

/* The CPUID feature each user XSAVE state component depends on (SDM vol. 1
 * §13.2, vol. 2A CPUID leaf 0DH). */
static const struct {
	unsigned xfeature;
	uint32_t leaf, index;
	int reg; /* 1 ebx, 2 ecx, 3 edx */
	unsigned bit;
} xfeature_deps[] = {
    {2, 1, 0, 2, 28},  /* YMM: AVX */
    {3, 7, 0, 1, 14},  /* BNDREGS: MPX */
    {4, 7, 0, 1, 14},  /* BNDCSR: MPX */
    {5, 7, 0, 1, 16},  /* opmask: AVX512F */
    {6, 7, 0, 1, 16},  /* ZMM_Hi256: AVX512F */
    {7, 7, 0, 1, 16},  /* Hi16_ZMM: AVX512F */
    {9, 7, 0, 2, 3},   /* PKRU: PKU */
    {17, 7, 0, 3, 24}, /* XTILECFG: AMX-TILE */
    {18, 7, 0, 3, 24}, /* XTILEDATA: AMX-TILE */
};

#define XSAVE_LEGACY_AND_HEADER 576 /* 512-byte legacy area + 64-byte header */

static bool has_feature(struct kvm_cpuid2 *c, uint32_t leaf, uint32_t index, int reg, unsigned bit)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, leaf, index);
	uint32_t v;

	if (!e)
		return false;
	v = reg == 1 ? e->ebx : reg == 2 ? e->ecx : e->edx;
	return v >> bit & 1;
}

/*
 * Leaf 0DH must only offer state components whose features the other leaves
 * offer: a guest enables components from 0DH but sizes its buffers from the
 * features it finds, and a mismatch (as KVM reports on some hosts, e.g. AVX
 * state without AVX) makes the guest distrust XSAVE. Drop what nothing backs
 * and recompute the sizes.
 */
static void make_xsave_consistent(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e0 = cpuid_find(c, LEAF_XSAVE, 0);
	uint32_t max_size = XSAVE_LEGACY_AND_HEADER;
	uint32_t w = 0, xfeatures;

	if (!e0)
		return;
	if (!has_feature(c, 1, 0, 2, 26)) { /* no XSAVE at all */
		drop_leaf(c, LEAF_XSAVE);
		return;
	}
	for (size_t i = 0; i < sizeof(xfeature_deps) / sizeof(xfeature_deps[0]); i++)
		if (!has_feature(c, xfeature_deps[i].leaf, xfeature_deps[i].index,
				 xfeature_deps[i].reg, xfeature_deps[i].bit))
			e0->eax &= ~(1u << xfeature_deps[i].xfeature);
	/* AVX-512 state extends the AVX state: without YMM it cannot be enabled. */
	if (!(e0->eax >> 2 & 1))
		e0->eax &= ~(7u << 5);
	/* Copied out: compacting the table below may move subleaf 0. */
	xfeatures = e0->eax;
	for (uint32_t r = 0; r < c->nent; r++) {
		struct kvm_cpuid_entry2 *e = &c->entries[r];

		/* Subleaves 2..31 describe user components by bit number. */
		if (e->function == LEAF_XSAVE && e->index >= 2 && e->index < 32) {
			if (!(xfeatures >> e->index & 1))
				continue;
			if (e->eax + e->ebx > max_size)
				max_size = e->eax + e->ebx;
		}
		c->entries[w++] = *e;
	}
	c->nent = w;
	e0 = cpuid_find(c, LEAF_XSAVE, 0);
	e0->ecx = max_size;
	/* EBX follows the guest's XCR0, which starts as x87 only; KVM keeps it
	 * current from there. */
	e0->ebx = XSAVE_LEGACY_AND_HEADER;
}

static void apply_baseline(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e;

	if ((e = cpuid_find(c, 1, 0)))
		e->ecx &= ~(F1_ECX_FMA | F1_ECX_XSAVE | F1_ECX_OSXSAVE | F1_ECX_AVX | F1_ECX_F16C);
	if ((e = cpuid_find(c, 7, 0))) {
		e->ebx &= ~F7_EBX_AVX_MASK;
		e->ecx &= ~F7_ECX_AVX_MASK;
		e->edx &= ~F7_EDX_AVX_MASK;
	}
	if ((e = cpuid_find(c, 7, 1))) {
		e->eax &= ~F7_1_EAX_AVX_MASK;
		e->edx &= ~F7_1_EDX_AVX_MASK;
	}
	if ((e = cpuid_find(c, 0x80000001, 0)))
		e->ecx &= ~F81_ECX_AVX_MASK;
	drop_leaf(c, LEAF_XSAVE);
}

/* One socket of nr cores with one thread each (SDM CPUID leaf 0BH). */
static void set_topology(struct kvm_cpuid2 *c, unsigned nr)
{
	const uint32_t sig = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	struct kvm_cpuid_entry2 *e;

	if ((e = cpuid_find(c, 1, 0))) {
		e->ebx = (e->ebx & 0xff00ffffu) | (uint32_t)(nr & 0xff) << 16;
		e->edx = nr > 1 ? e->edx | F1_EDX_HTT : e->edx & ~F1_EDX_HTT;
		e->ecx |= F1_ECX_HYPERVISOR;
	}
	/* Deterministic cache parameters: cores per package, caches per core. */
	for (uint32_t i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 4 && (e->eax & 0x1f)) {
			uint32_t level = (e->eax >> 5) & 7;
			uint32_t sharing = level >= 3 ? (1u << order_base_2(nr)) - 1 : 0;

			e->eax = (e->eax & 0x3fff) | sharing << 14 |
				 ((1u << order_base_2(nr)) - 1) << 26;
		}
	}
	drop_leaf(c, LEAF_TOPOLOGY);
	drop_leaf(c, LEAF_TOPOLOGY_V2);
	e = add_leaf(c, LEAF_TOPOLOGY, 0, sig);
	e->eax = 0, e->ebx = 1, e->ecx = 0 | 1u << 8; /* SMT level: 1 thread */
	e = add_leaf(c, LEAF_TOPOLOGY, 1, sig);
	e->eax = order_base_2(nr), e->ebx = nr, e->ecx = 1 | 2u << 8; /* core level */
	e = add_leaf(c, LEAF_TOPOLOGY, 2, sig);
	e->ecx = 2; /* level type 0: end of the list */
}

static void set_hv_timing(struct kvm_cpuid2 *c, uint32_t tsc_khz)
{
	struct kvm_cpuid_entry2 *base = cpuid_find(c, LEAF_HV_BASE, 0), *e;

	if (!base || !tsc_khz)
		return;
	if (base->eax < LEAF_HV_TIMING)
		base->eax = LEAF_HV_TIMING;
	e = cpuid_find(c, LEAF_HV_TIMING, 0);
	if (!e)
		e = add_leaf(c, LEAF_HV_TIMING, 0, 0);
	e->eax = tsc_khz;
	e->ebx = KVM_LAPIC_BUS_KHZ;
}

int cpuid_build(const struct kvm_cpuid2 *supported, enum cpu_model model, unsigned nr_vcpus,
		uint32_t tsc_khz, struct kvm_cpuid2 **out)
{
	/* Room for the leaves added here: three 0BH subleaves and 40000010H. */
	const uint32_t extra = 4;
	struct kvm_cpuid2 *c;

	if (nr_vcpus == 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c) + (supported->nent + extra) * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = supported->nent;
	memcpy(c->entries, supported->entries, supported->nent * sizeof(c->entries[0]));
	if (model == CPU_MODEL_BASELINE)
		apply_baseline(c);
	make_xsave_consistent(c);
	set_topology(c, nr_vcpus);
	set_hv_timing(c, tsc_khz);
	*out = c;
	return 0;
}

void cpuid_set_apic_id(struct kvm_cpuid2 *c, uint32_t apic_id)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (apic_id & 0xff) << 24;
		else if (e->function == LEAF_TOPOLOGY || e->function == LEAF_TOPOLOGY_V2)
			e->edx = apic_id;
	}
}

bool host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	uint32_t max, b, c, d;

	__asm__ volatile("cpuid"
			 : "=a"(max), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(leaf & 0x80000000u), "c"(0));
	r[0] = r[1] = r[2] = r[3] = 0;
	if (leaf > max)
		return false;
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(subleaf));
	return true;
}
