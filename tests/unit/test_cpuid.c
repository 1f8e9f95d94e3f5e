// SPDX-License-Identifier: MIT
/*
 * Unit tests for the guest CPUID table (src/vmm/cpuid.c). The "supported"
 * input is a synthetic KVM_GET_SUPPORTED_CPUID table shaped like a recent
 * Intel server part with AVX-512 and PKU; leaf and bit numbers follow the
 * Intel SDM vol. 2A (CPUID) and vol. 1 ch. 13 (XSAVE), written out here
 * rather than taken from cpuid.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpuid.h"
#include "tracked.h"

#define BIT(n) (1u << (n))

/* CPUID.1 */
#define L1_ECX_SSE3 BIT(0)
#define L1_ECX_PCLMUL BIT(1)
#define L1_ECX_SSSE3 BIT(9)
#define L1_ECX_FMA BIT(12)
#define L1_ECX_CX16 BIT(13)
#define L1_ECX_SSE41 BIT(19)
#define L1_ECX_SSE42 BIT(20)
#define L1_ECX_X2APIC BIT(21)
#define L1_ECX_MOVBE BIT(22)
#define L1_ECX_POPCNT BIT(23)
#define L1_ECX_AES BIT(25)
#define L1_ECX_XSAVE BIT(26)
#define L1_ECX_OSXSAVE BIT(27)
#define L1_ECX_AVX BIT(28)
#define L1_ECX_F16C BIT(29)
#define L1_ECX_RDRAND BIT(30)
#define L1_ECX_HYPERVISOR BIT(31)
#define L1_EDX_HTT BIT(28)

#define L1_EAX 0x000806f8u
/* Initial APIC ID 0x5a, 0x20 logical CPUs, CLFLUSH line 8 qwords, brand 0x03:
 * the host's values, which the guest's must replace where they differ. */
#define L1_EBX 0x5a200803u
#define L1_ECX_VECTOR (L1_ECX_FMA | L1_ECX_XSAVE | L1_ECX_OSXSAVE | L1_ECX_AVX | L1_ECX_F16C)
#define L1_ECX_SCALAR                                                                              \
	(L1_ECX_SSE3 | L1_ECX_PCLMUL | L1_ECX_SSSE3 | L1_ECX_CX16 | L1_ECX_SSE41 | L1_ECX_SSE42 |  \
	 L1_ECX_X2APIC | L1_ECX_MOVBE | L1_ECX_POPCNT | L1_ECX_AES | L1_ECX_RDRAND)
#define L1_EDX 0x078bfbffu /* FPU..SSE2 without HTT */

/* CPUID.(7,0) */
#define L7_EBX_FSGSBASE BIT(0)
#define L7_EBX_BMI1 BIT(3)
#define L7_EBX_AVX2 BIT(5)
#define L7_EBX_SMEP BIT(7)
#define L7_EBX_BMI2 BIT(8)
#define L7_EBX_ERMS BIT(9)
#define L7_EBX_AVX512F BIT(16)
#define L7_EBX_AVX512DQ BIT(17)
#define L7_EBX_RDSEED BIT(18)
#define L7_EBX_ADX BIT(19)
#define L7_EBX_SMAP BIT(20)
#define L7_EBX_AVX512IFMA BIT(21)
#define L7_EBX_CLFLUSHOPT BIT(23)
#define L7_EBX_CLWB BIT(24)
#define L7_EBX_AVX512PF BIT(26)
#define L7_EBX_AVX512ER BIT(27)
#define L7_EBX_AVX512CD BIT(28)
#define L7_EBX_SHA BIT(29)
#define L7_EBX_AVX512BW BIT(30)
#define L7_EBX_AVX512VL BIT(31)
#define L7_EBX_VECTOR                                                                              \
	(L7_EBX_AVX2 | L7_EBX_AVX512F | L7_EBX_AVX512DQ | L7_EBX_AVX512IFMA | L7_EBX_AVX512PF |    \
	 L7_EBX_AVX512ER | L7_EBX_AVX512CD | L7_EBX_AVX512BW | L7_EBX_AVX512VL)
#define L7_EBX_SCALAR                                                                              \
	(L7_EBX_FSGSBASE | L7_EBX_BMI1 | L7_EBX_SMEP | L7_EBX_BMI2 | L7_EBX_ERMS | L7_EBX_RDSEED | \
	 L7_EBX_ADX | L7_EBX_SMAP | L7_EBX_CLFLUSHOPT | L7_EBX_CLWB | L7_EBX_SHA)

#define L7_ECX_AVX512VBMI BIT(1)
#define L7_ECX_UMIP BIT(2)
#define L7_ECX_PKU BIT(3)
#define L7_ECX_OSPKE BIT(4)
#define L7_ECX_AVX512VBMI2 BIT(6)
#define L7_ECX_GFNI BIT(8)
#define L7_ECX_VAES BIT(9)
#define L7_ECX_VPCLMULQDQ BIT(10)
#define L7_ECX_AVX512VNNI BIT(11)
#define L7_ECX_AVX512BITALG BIT(12)
#define L7_ECX_AVX512VPOPCNTDQ BIT(14)
#define L7_ECX_RDPID BIT(22)
#define L7_ECX_VECTOR                                                                              \
	(L7_ECX_AVX512VBMI | L7_ECX_AVX512VBMI2 | L7_ECX_VAES | L7_ECX_VPCLMULQDQ |                \
	 L7_ECX_AVX512VNNI | L7_ECX_AVX512BITALG | L7_ECX_AVX512VPOPCNTDQ)
#define L7_ECX_SCALAR (L7_ECX_UMIP | L7_ECX_GFNI | L7_ECX_RDPID)

#define L7_EDX_AVX512_4VNNIW BIT(2)
#define L7_EDX_AVX512_4FMAPS BIT(3)
#define L7_EDX_FSRM BIT(4)
#define L7_EDX_AVX512_VP2INTERSECT BIT(8)
#define L7_EDX_MD_CLEAR BIT(10)
#define L7_EDX_SERIALIZE BIT(14)
#define L7_EDX_AMX_BF16 BIT(22)
#define L7_EDX_AVX512_FP16 BIT(23)
#define L7_EDX_AMX_TILE BIT(24)
#define L7_EDX_AMX_INT8 BIT(25)
#define L7_EDX_IBRS BIT(26)
#define L7_EDX_VECTOR                                                                              \
	(L7_EDX_AVX512_4VNNIW | L7_EDX_AVX512_4FMAPS | L7_EDX_AVX512_VP2INTERSECT |                \
	 L7_EDX_AMX_BF16 | L7_EDX_AVX512_FP16 | L7_EDX_AMX_TILE | L7_EDX_AMX_INT8)
#define L7_EDX_SCALAR (L7_EDX_FSRM | L7_EDX_MD_CLEAR | L7_EDX_SERIALIZE | L7_EDX_IBRS)

/* CPUID.(7,1) */
#define L7_1_EAX_SHA512 BIT(0)
#define L7_1_EAX_SM3 BIT(1)
#define L7_1_EAX_SM4 BIT(2)
#define L7_1_EAX_AVX_VNNI BIT(4)
#define L7_1_EAX_AVX512_BF16 BIT(5)
#define L7_1_EAX_CMPCCXADD BIT(7)
#define L7_1_EAX_FZRM BIT(10)
#define L7_1_EAX_AMX_FP16 BIT(21)
#define L7_1_EAX_AVX_IFMA BIT(23)
#define L7_1_EDX_AVX_VNNI_INT8 BIT(4)
#define L7_1_EDX_AVX_NE_CONVERT BIT(5)
#define L7_1_EDX_AMX_COMPLEX BIT(8)
#define L7_1_EDX_AVX_VNNI_INT16 BIT(10)
#define L7_1_EDX_PREFETCHI BIT(14)
#define L7_1_EDX_AVX10 BIT(19)

/* CPUID.80000001H:ECX, AMD's VEX/XOP-encoded vector extensions. */
#define LX1_ECX_LAHF BIT(0)
#define LX1_ECX_ABM BIT(5)
#define LX1_ECX_XOP BIT(11)
#define LX1_ECX_FMA4 BIT(16)

/* Leaf 0BH level types (ECX[15:8]). */
#define TOPO_INVALID 0
#define TOPO_SMT 1
#define TOPO_CORE 2

/* XSAVE state components (SDM vol. 1 §13.1) as on real hardware: YMM_Hi128
 * right after the 576-byte legacy area and header, AVX-512 and PKRU in the
 * standard (non-compacted) layout. */
#define XSAVE_HDR_END 576
#define X_AVX 2
#define X_OPMASK 5
#define X_ZMM_HI256 6
#define X_HI16_ZMM 7
#define X_PKRU 9
#define XCR0_SUPPORTED                                                                             \
	(BIT(0) | BIT(1) | BIT(X_AVX) | BIT(X_OPMASK) | BIT(X_ZMM_HI256) | BIT(X_HI16_ZMM) |       \
	 BIT(X_PKRU))
#define AVX_OFF 576
#define AVX_SIZE 256
#define OPMASK_OFF 0x440
#define OPMASK_SIZE 64
#define ZMM_HI256_OFF 0x480
#define ZMM_HI256_SIZE 512
#define HI16_ZMM_OFF 0x680
#define HI16_ZMM_SIZE 1024
#define PKRU_OFF 0xa80
#define PKRU_SIZE 8
#define XSAVE_MAX (PKRU_OFF + PKRU_SIZE) /* 0xa88 */

#define HV_BASE 0x40000000u
#define HV_FEATURES 0x40000001u
#define HV_TIMING 0x40000010u
#define LAPIC_BUS_KHZ 1000000u

#define MAX_ENTRIES 64

/* ---- the synthetic "supported" table ---- */

static struct kvm_cpuid2 *table_new(void)
{
	return track(
	    calloc(1, sizeof(struct kvm_cpuid2) + MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2)));
}

static bool indexed(uint32_t function)
{
	return function == 4 || function == 7 || function == 0xb || function == 0xd ||
	       function == 0x1f;
}

static struct kvm_cpuid_entry2 *put(struct kvm_cpuid2 *c, uint32_t function, uint32_t index,
				    uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	struct kvm_cpuid_entry2 *e;

	assert_true(c->nent < MAX_ENTRIES);
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	e->flags = indexed(function) ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
	e->eax = eax;
	e->ebx = ebx;
	e->ecx = ecx;
	e->edx = edx;
	return e;
}

/* Leaf 4 EAX as the host reports it: type, level, self-initializing, and
 * the host's own sharing (bits 25:14) and core count (bits 31:26). */
#define CACHE_EAX(type, level, host_sharing)                                                       \
	((type) | (level) << 5 | BIT(8) | (uint32_t)(host_sharing) << 14 | 0x3fu << 26)

static struct kvm_cpuid2 *supported_table(void)
{
	struct kvm_cpuid2 *c = table_new();

	put(c, 0, 0, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69); /* GenuineIntel */
	put(c, 1, 0, L1_EAX, L1_EBX, L1_ECX_SCALAR | L1_ECX_VECTOR, L1_EDX);
	put(c, 4, 0, CACHE_EAX(1, 1, 1), 0x02c0003f, 0x3f, 0);	    /* L1d */
	put(c, 4, 1, CACHE_EAX(2, 1, 1), 0x01c0003f, 0x3f, 0);	    /* L1i */
	put(c, 4, 2, CACHE_EAX(3, 2, 1), 0x03c0003f, 0x7ff, 0);	    /* L2 */
	put(c, 4, 3, CACHE_EAX(3, 3, 0x7f), 0x03c0003f, 0xdfff, 4); /* L3 */
	put(c, 4, 4, 0, 0, 0, 0);				    /* no more caches */
	put(c, 7, 0, 1, L7_EBX_SCALAR | L7_EBX_VECTOR, L7_ECX_SCALAR | L7_ECX_VECTOR | L7_ECX_PKU,
	    L7_EDX_SCALAR | L7_EDX_VECTOR);
	put(c, 7, 1, L7_1_EAX_AVX_VNNI | L7_1_EAX_AVX512_BF16 | L7_1_EAX_FZRM, 0, 0, 0);
	put(c, 0xb, 0, 1, 2, 0 | TOPO_SMT << 8, 0x5a);
	put(c, 0xb, 1, 7, 96, 1 | TOPO_CORE << 8, 0x5a);
	put(c, 0xb, 2, 0, 0, 2, 0x5a);
	put(c, 0xd, 0, XCR0_SUPPORTED, XSAVE_MAX, XSAVE_MAX, 0);
	put(c, 0xd, 1, 0xf, 0, 0, 0);
	put(c, 0xd, X_AVX, AVX_SIZE, AVX_OFF, 0, 0);
	put(c, 0xd, X_OPMASK, OPMASK_SIZE, OPMASK_OFF, 0, 0);
	put(c, 0xd, X_ZMM_HI256, ZMM_HI256_SIZE, ZMM_HI256_OFF, 0, 0);
	put(c, 0xd, X_HI16_ZMM, HI16_ZMM_SIZE, HI16_ZMM_OFF, 0, 0);
	put(c, 0xd, X_PKRU, PKRU_SIZE, PKRU_OFF, 0, 0);
	put(c, 0x1f, 0, 1, 2, 0 | TOPO_SMT << 8, 0x5a);
	put(c, 0x1f, 1, 7, 96, 1 | TOPO_CORE << 8, 0x5a);
	put(c, 0x1f, 2, 0, 0, 2, 0x5a);
	put(c, HV_BASE, 0, HV_FEATURES, 0x4b4d564b, 0x564b4d56, 0x4d); /* KVMKVMKVM */
	put(c, HV_FEATURES, 0, 0x01007afb, 0, 0, 0);
	put(c, 0x80000000, 0, 0x80000008, 0, 0, 0);
	put(c, 0x80000001, 0, 0, 0, LX1_ECX_LAHF | LX1_ECX_ABM | BIT(8), 0x2c100800);
	put(c, 0x80000008, 0, 0x3030, 0, 0, 0);
	return c;
}

/* ---- looking at a built table (independently of cpuid_find) ---- */

/* The one entry for (function, index); fails on a duplicate. */
static struct kvm_cpuid_entry2 *lookup(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	struct kvm_cpuid_entry2 *found = NULL;

	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		if (found)
			fail_msg("leaf 0x%x.%u appears twice", function, index);
		found = e;
	}
	return found;
}

static struct kvm_cpuid_entry2 *must(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	struct kvm_cpuid_entry2 *e = lookup(c, function, index);

	if (!e)
		fail_msg("leaf 0x%x.%u missing", function, index);
	return e;
}

static unsigned count_leaf(const struct kvm_cpuid2 *c, uint32_t function)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < c->nent; i++)
		n += c->entries[i].function == function;
	return n;
}

/* Every (function, index) at most once. */
static void assert_unique(const struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++)
		for (uint32_t j = i + 1; j < c->nent; j++)
			if (c->entries[i].function == c->entries[j].function &&
			    c->entries[i].index == c->entries[j].index)
				fail_msg("leaf 0x%x.%u appears twice", c->entries[i].function,
					 c->entries[i].index);
}

static struct kvm_cpuid2 *build(const struct kvm_cpuid2 *sup, enum cpu_model model, unsigned n,
				uint32_t tsc_khz)
{
	struct kvm_cpuid2 *out = NULL;

	assert_int_equal(cpuid_build(sup, model, n, tsc_khz, &out), 0);
	track(out);
	assert_unique(out);
	return out;
}

static unsigned ceil_log2(unsigned n)
{
	return n <= 1 ? 0 : 32 - (unsigned)__builtin_clz(n - 1);
}

#define assert_bits_set(v, mask) assert_int_equal((v) & (mask), (mask))
#define assert_bits_clear(v, mask) assert_int_equal((v) & (mask), 0)

/* ---- cpu_model_parse, cpuid_find ---- */

static void test_model_parse(void **state)
{
	static const char *const bad[] = {"",	   "Host",  "HOST", "base",   "baseline ",
					  " host", "hostx", "max",  "qemu64", "host\n"};
	enum cpu_model m = CPU_MODEL_BASELINE;

	(void)state;
	assert_int_equal(cpu_model_parse("host", &m), 0);
	assert_int_equal(m, CPU_MODEL_HOST);
	assert_int_equal(cpu_model_parse("baseline", &m), 0);
	assert_int_equal(m, CPU_MODEL_BASELINE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = (enum cpu_model)42;
		assert_int_equal(cpu_model_parse(bad[i], &m), -EINVAL);
		assert_int_equal(m, 42);
	}
	assert_string_equal(cpu_model_name(CPU_MODEL_HOST), "host");
	assert_string_equal(cpu_model_name(CPU_MODEL_BASELINE), "baseline");
}

static void test_find(void **state)
{
	struct kvm_cpuid2 *c = supported_table();

	(void)state;
	assert_ptr_equal(cpuid_find(c, 0, 0), &c->entries[0]);
	assert_ptr_equal(cpuid_find(c, 1, 0), &c->entries[1]);
	/* Without KVM_CPUID_FLAG_SIGNIFCANT_INDEX the index does not matter. */
	assert_ptr_equal(cpuid_find(c, 1, 7), &c->entries[1]);
	assert_ptr_equal(cpuid_find(c, 0x80000008, 3), &c->entries[c->nent - 1]);
	/* With it, it does. */
	assert_int_equal(cpuid_find(c, 4, 3)->ebx, 0x03c0003f);
	assert_int_equal(cpuid_find(c, 4, 3)->ecx, 0xdfff);
	assert_int_equal(cpuid_find(c, 0xd, X_PKRU)->ebx, PKRU_OFF);
	assert_int_equal(cpuid_find(c, 7, 1)->eax & L7_1_EAX_FZRM, L7_1_EAX_FZRM);
	assert_null(cpuid_find(c, 4, 5));
	assert_null(cpuid_find(c, 0xd, 3));
	assert_null(cpuid_find(c, 0x12345, 0));
	assert_null(cpuid_find(c, HV_TIMING, 0));
	c->nent = 0;
	assert_null(cpuid_find(c, 0, 0));
	release(c);
}

/* ---- cpuid_build: arguments and the input ---- */

static void test_build_rejects_zero_vcpus(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out = NULL;

	(void)state;
	assert_int_equal(cpuid_build(sup, CPU_MODEL_HOST, 0, 0, &out), -EINVAL);
	assert_null(out);
	release(sup);
}

static void test_build_leaves_input_alone(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *copy = table_new(), *out;
	size_t size = sizeof(*sup) + MAX_ENTRIES * sizeof(sup->entries[0]);

	(void)state;
	memcpy(copy, sup, size);
	out = build(sup, CPU_MODEL_BASELINE, 4, 1000000);
	assert_memory_equal(sup, copy, size);
	release(out);
	out = build(sup, CPU_MODEL_HOST, 4, 1000000);
	assert_memory_equal(sup, copy, size);
	release(out);
	release(copy);
	release(sup);
}

/* Leaves sevm has no business with pass through unchanged. */
static void test_build_passes_other_leaves(void **state)
{
	static const uint32_t fns[] = {0, HV_FEATURES, 0x80000000, 0x80000001, 0x80000008};
	struct kvm_cpuid2 *sup = supported_table();

	(void)state;
	for (int model = CPU_MODEL_HOST; model <= CPU_MODEL_BASELINE; model++) {
		struct kvm_cpuid2 *out = build(sup, (enum cpu_model)model, 3, 0);

		for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
			struct kvm_cpuid_entry2 *want = lookup(sup, fns[i], 0);

			assert_memory_equal(must(out, fns[i], 0), want, sizeof(*want));
		}
		release(out);
	}
	release(sup);
}

/* ---- CPU models ---- */

static void test_host_keeps_vector_features(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;
	struct kvm_cpuid_entry2 *e;

	(void)state;
	out = build(sup, CPU_MODEL_HOST, 2, 0);
	e = must(out, 1, 0);
	assert_bits_set(e->ecx, L1_ECX_SCALAR | L1_ECX_VECTOR);
	e = must(out, 7, 0);
	assert_int_equal(e->ebx, L7_EBX_SCALAR | L7_EBX_VECTOR);
	assert_int_equal(e->ecx, L7_ECX_SCALAR | L7_ECX_VECTOR | L7_ECX_PKU);
	assert_int_equal(e->edx, L7_EDX_SCALAR | L7_EDX_VECTOR);
	assert_int_equal(must(out, 7, 1)->eax,
			 L7_1_EAX_AVX_VNNI | L7_1_EAX_AVX512_BF16 | L7_1_EAX_FZRM);
	assert_int_equal(must(out, 0xd, 0)->eax, XCR0_SUPPORTED);
	assert_int_equal(count_leaf(out, 0xd), 7);
	release(out);
	release(sup);
}

static void test_baseline_clears_vector_features(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;
	struct kvm_cpuid_entry2 *e;

	(void)state;
	out = build(sup, CPU_MODEL_BASELINE, 2, 0);
	e = must(out, 1, 0);
	assert_bits_clear(e->ecx, L1_ECX_VECTOR);
	assert_bits_set(e->ecx, L1_ECX_SCALAR); /* SSE up to 4.2, AES, PCLMUL stay */
	assert_int_equal(e->eax, L1_EAX);
	e = must(out, 7, 0);
	assert_int_equal(e->eax, 1);
	assert_int_equal(e->ebx, L7_EBX_SCALAR);
	/* PKU goes too: PKRU is XSAVE state. */
	assert_int_equal(e->ecx, L7_ECX_SCALAR);
	assert_int_equal(e->edx, L7_EDX_SCALAR);
	assert_int_equal(must(out, 7, 1)->eax, L7_1_EAX_FZRM);
	assert_int_equal(count_leaf(out, 0xd), 0);
	assert_null(cpuid_find(out, 0xd, 0));
	release(out);
	release(sup);
}

/*
 * The baseline model promises no AVX: every VEX/EVEX-encoded extension that
 * KVM may report has to go, including the ones newer than AVX-512 (7.1
 * EAX/EDX) and AMD's XOP and FMA4. A guest that sees one of them without
 * AVX and XSAVE gets #UD on use.
 */
static void test_baseline_clears_newer_vex_extensions(void **state)
{
	const uint32_t eax7_1 = L7_1_EAX_SHA512 | L7_1_EAX_SM3 | L7_1_EAX_SM4 | L7_1_EAX_AVX_VNNI |
				L7_1_EAX_AVX512_BF16 | L7_1_EAX_AMX_FP16 | L7_1_EAX_AVX_IFMA;
	const uint32_t edx7_1 = L7_1_EDX_AVX_VNNI_INT8 | L7_1_EDX_AVX_NE_CONVERT |
				L7_1_EDX_AMX_COMPLEX | L7_1_EDX_AVX_VNNI_INT16 | L7_1_EDX_AVX10;
	struct kvm_cpuid2 *sup = supported_table(), *out;
	struct kvm_cpuid_entry2 *e;

	(void)state;
	e = lookup(sup, 7, 1);
	e->eax |= eax7_1 | L7_1_EAX_CMPCCXADD;
	e->edx |= edx7_1 | L7_1_EDX_PREFETCHI;
	lookup(sup, 0x80000001, 0)->ecx |= LX1_ECX_XOP | LX1_ECX_FMA4;
	out = build(sup, CPU_MODEL_BASELINE, 1, 0);
	e = must(out, 7, 1);
	if (e->eax & eax7_1 || e->edx & edx7_1)
		fail_msg("baseline leaves vector extensions in CPUID.(7,1): EAX 0x%08x EDX 0x%08x",
			 e->eax & eax7_1, e->edx & edx7_1);
	/* Scalar ones stay. */
	assert_bits_set(e->eax, L7_1_EAX_CMPCCXADD | L7_1_EAX_FZRM);
	assert_bits_set(e->edx, L7_1_EDX_PREFETCHI);
	e = must(out, 0x80000001, 0);
	if (e->ecx & (LX1_ECX_XOP | LX1_ECX_FMA4))
		fail_msg("baseline leaves XOP/FMA4 in CPUID.80000001H:ECX (0x%08x)", e->ecx);
	assert_bits_set(e->ecx, LX1_ECX_LAHF | LX1_ECX_ABM);
	release(out);
	release(sup);
}

/* ---- topology ---- */

static void check_leaf1(const struct kvm_cpuid2 *sup, unsigned n)
{
	struct kvm_cpuid2 *out = build(sup, CPU_MODEL_HOST, n, 0);
	struct kvm_cpuid_entry2 *e = must(out, 1, 0), *s = lookup((struct kvm_cpuid2 *)sup, 1, 0);

	assert_bits_set(e->ecx, L1_ECX_HYPERVISOR);
	assert_int_equal(e->ecx & ~L1_ECX_HYPERVISOR, s->ecx & ~L1_ECX_HYPERVISOR);
	assert_int_equal(e->eax, s->eax);
	/* EBX[23:16]: logical processors per package; the rest untouched
	 * (the APIC ID in 31:24 is cpuid_set_apic_id's). */
	assert_int_equal((e->ebx >> 16) & 0xff, n);
	assert_int_equal(e->ebx & 0xff00ffffu, s->ebx & 0xff00ffffu);
	if (n > 1)
		assert_bits_set(e->edx, L1_EDX_HTT);
	else
		assert_bits_clear(e->edx, L1_EDX_HTT);
	assert_int_equal(e->edx & ~L1_EDX_HTT, s->edx & ~L1_EDX_HTT);
	release(out);
}

static void test_leaf1_topology(void **state)
{
	struct kvm_cpuid2 *sup = supported_table();

	(void)state;
	for (unsigned n = 1; n <= 254; n++)
		check_leaf1(sup, n);
	/* A host with HTT set: one vCPU must still clear it. */
	lookup(sup, 1, 0)->edx |= L1_EDX_HTT;
	check_leaf1(sup, 1);
	check_leaf1(sup, 2);
	release(sup);
}

static void check_leaf_b(const struct kvm_cpuid2 *sup, unsigned n)
{
	struct kvm_cpuid2 *out = build(sup, CPU_MODEL_HOST, n, 0);
	struct kvm_cpuid_entry2 *e;

	assert_int_equal(count_leaf(out, 0xb), 3);
	assert_int_equal(count_leaf(out, 0x1f), 0);
	assert_null(cpuid_find(out, 0x1f, 0));

	e = must(out, 0xb, 0); /* SMT: one thread per core */
	assert_true(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	assert_int_equal(e->eax & 0x1f, 0);
	assert_int_equal(e->ebx & 0xffff, 1);
	assert_int_equal(e->ecx & 0xff, 0);
	assert_int_equal((e->ecx >> 8) & 0xff, TOPO_SMT);

	e = must(out, 0xb, 1); /* core: n cores in the package */
	assert_true(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	assert_int_equal(e->eax & 0x1f, ceil_log2(n));
	assert_int_equal(e->ebx & 0xffff, n);
	assert_int_equal(e->ecx & 0xff, 1);
	assert_int_equal((e->ecx >> 8) & 0xff, TOPO_CORE);

	e = must(out, 0xb, 2); /* end of the list */
	assert_true(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	assert_int_equal(e->eax, 0);
	assert_int_equal(e->ebx, 0);
	assert_int_equal(e->ecx & 0xff, 2);
	assert_int_equal((e->ecx >> 8) & 0xff, TOPO_INVALID);
	release(out);
}

static void test_leaf_b_topology(void **state)
{
	struct kvm_cpuid2 *sup = supported_table();

	(void)state;
	for (unsigned n = 1; n <= 254; n++)
		check_leaf_b(sup, n);
	release(sup);
}

/* A host table without 0BH or 1FH gets 0BH all the same. */
static void test_leaf_b_added(void **state)
{
	struct kvm_cpuid2 *sup = table_new(), *out;

	(void)state;
	put(sup, 0, 0, 0xd, 0, 0, 0);
	put(sup, 1, 0, L1_EAX, L1_EBX, L1_ECX_SCALAR, L1_EDX);
	out = build(sup, CPU_MODEL_HOST, 6, 0);
	assert_int_equal(out->nent, 2 + 3);
	assert_int_equal(must(out, 0xb, 1)->ebx & 0xffff, 6);
	assert_int_equal(must(out, 0xb, 1)->eax & 0x1f, 3);
	release(out);
	release(sup);
}

static void check_leaf4(const struct kvm_cpuid2 *sup, unsigned n)
{
	struct kvm_cpuid2 *out = build(sup, CPU_MODEL_HOST, n, 0);
	uint32_t ids = (1u << ceil_log2(n)) - 1;
	uint32_t cores = ids < 63 ? ids : 63; /* a 6-bit field */

	assert_int_equal(count_leaf(out, 4), 5);
	for (uint32_t i = 0; i < 4; i++) {
		struct kvm_cpuid_entry2 *e = must(out, 4, i);
		struct kvm_cpuid_entry2 *s = lookup((struct kvm_cpuid2 *)sup, 4, i);
		uint32_t level = (s->eax >> 5) & 7;

		assert_int_equal(e->eax >> 26, cores);
		/* Sharing: one thread per core, so the L1 and L2 are private and
		 * the L3 is shared by the whole package. */
		assert_int_equal((e->eax >> 14) & 0xfff, level >= 3 ? ids : 0);
		assert_int_equal(e->eax & 0x3fff, s->eax & 0x3fff);
		assert_int_equal(e->ebx, s->ebx);
		assert_int_equal(e->ecx, s->ecx);
		assert_int_equal(e->edx, s->edx);
	}
	assert_int_equal(must(out, 4, 4)->eax, 0); /* the terminator stays "no cache" */
	release(out);
}

static void test_leaf4_topology(void **state)
{
	static const unsigned ns[] = {1,  2,  3,  4,  5,  7,   8,   9,	16,
				      17, 33, 63, 64, 65, 128, 200, 254};
	struct kvm_cpuid2 *sup = supported_table();

	(void)state;
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		check_leaf4(sup, ns[i]);
	release(sup);
}

static void test_set_apic_id(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;
	uint32_t ebx;

	(void)state;
	out = build(sup, CPU_MODEL_HOST, 8, 0);
	ebx = must(out, 1, 0)->ebx;
	cpuid_set_apic_id(out, 7);
	assert_int_equal(must(out, 1, 0)->ebx, (ebx & 0x00ffffffu) | 7u << 24);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(must(out, 0xb, i)->edx, 7);
	cpuid_set_apic_id(out, 0xfd);
	assert_int_equal(must(out, 1, 0)->ebx, (ebx & 0x00ffffffu) | 0xfdu << 24);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(must(out, 0xb, i)->edx, 0xfd);
	cpuid_set_apic_id(out, 0);
	assert_int_equal(must(out, 1, 0)->ebx, ebx & 0x00ffffffu);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(must(out, 0xb, i)->edx, 0);
	/* Nothing else moves. */
	assert_int_equal(must(out, 0, 0)->edx, 0x49656e69);
	assert_int_equal(must(out, 4, 3)->edx, 4);
	release(out);
	release(sup);
}

/* ---- hypervisor timing leaf ---- */

static void test_hv_timing(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;
	struct kvm_cpuid_entry2 *e;

	(void)state;
	out = build(sup, CPU_MODEL_HOST, 2, 2899999);
	e = must(out, HV_TIMING, 0);
	assert_int_equal(e->eax, 2899999);
	assert_int_equal(e->ebx, LAPIC_BUS_KHZ);
	assert_int_equal(e->ecx, 0);
	assert_int_equal(e->edx, 0);
	assert_int_equal(e->index, 0);
	e = must(out, HV_BASE, 0);
	assert_int_equal(e->eax, HV_TIMING);
	assert_int_equal(e->ebx, 0x4b4d564b); /* the signature stays */
	assert_int_equal(e->ecx, 0x564b4d56);
	assert_int_equal(e->edx, 0x4d);
	release(out);

	out = build(sup, CPU_MODEL_BASELINE, 1, 1);
	assert_int_equal(must(out, HV_TIMING, 0)->eax, 1);
	release(out);
	release(sup);
}

static void test_hv_timing_zero(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;

	(void)state;
	out = build(sup, CPU_MODEL_HOST, 2, 0);
	assert_null(cpuid_find(out, HV_TIMING, 0));
	assert_int_equal(count_leaf(out, HV_TIMING), 0);
	assert_int_equal(must(out, HV_BASE, 0)->eax, HV_FEATURES);
	release(out);
	release(sup);
}

/* A base leaf already past 40000010H is not lowered, and a timing leaf KVM
 * already lists is updated, not duplicated. */
static void test_hv_timing_existing(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;

	(void)state;
	lookup(sup, HV_BASE, 0)->eax = 0x40000020;
	put(sup, HV_TIMING, 0, 123, 456, 7, 8);
	out = build(sup, CPU_MODEL_HOST, 2, 3000000);
	assert_int_equal(must(out, HV_BASE, 0)->eax, 0x40000020);
	assert_int_equal(count_leaf(out, HV_TIMING), 1);
	assert_int_equal(must(out, HV_TIMING, 0)->eax, 3000000);
	assert_int_equal(must(out, HV_TIMING, 0)->ebx, LAPIC_BUS_KHZ);
	release(out);
	release(sup);
}

/* Without a hypervisor base leaf a guest could not find 40000010H. */
static void test_hv_timing_without_base(void **state)
{
	struct kvm_cpuid2 *sup = table_new(), *out;

	(void)state;
	put(sup, 0, 0, 0xd, 0, 0, 0);
	put(sup, 1, 0, L1_EAX, L1_EBX, L1_ECX_SCALAR, L1_EDX);
	out = build(sup, CPU_MODEL_HOST, 2, 2000000);
	assert_null(cpuid_find(out, HV_TIMING, 0));
	release(out);
	release(sup);
}

/* ---- XSAVE (leaf 0DH) consistency ---- */

/* The components 0DH.0 EAX offers, its sizes, and which subleaves exist. */
static void check_xsave(struct kvm_cpuid2 *out, uint32_t xcr0, uint32_t max_size)
{
	static const unsigned comps[] = {X_AVX, X_OPMASK, X_ZMM_HI256, X_HI16_ZMM, X_PKRU};
	struct kvm_cpuid_entry2 *e0 = must(out, 0xd, 0);

	assert_int_equal(e0->eax, xcr0);
	assert_int_equal(e0->edx, 0);
	assert_int_equal(e0->ebx, XSAVE_HDR_END);
	assert_int_equal(e0->ecx, max_size);
	assert_int_equal(must(out, 0xd, 1)->eax, 0xf);
	for (size_t i = 0; i < sizeof(comps) / sizeof(comps[0]); i++) {
		struct kvm_cpuid_entry2 *e = lookup(out, 0xd, comps[i]);

		if (xcr0 & BIT(comps[i])) {
			if (!e)
				fail_msg("component %u offered without its subleaf", comps[i]);
			/* The subleaf fits in the size 0DH.0 ECX announces. */
			assert_true(e->eax + e->ebx <= e0->ecx);
		} else if (e) {
			fail_msg("subleaf %u kept for a component not offered", comps[i]);
		}
	}
}

static void test_xsave_host_full(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;

	(void)state;
	out = build(sup, CPU_MODEL_HOST, 1, 0);
	check_xsave(out, XCR0_SUPPORTED, XSAVE_MAX);
	assert_int_equal(must(out, 0xd, X_AVX)->eax, AVX_SIZE);
	assert_int_equal(must(out, 0xd, X_AVX)->ebx, AVX_OFF);
	assert_int_equal(must(out, 0xd, X_HI16_ZMM)->ebx, HI16_ZMM_OFF);
	assert_int_equal(must(out, 0xd, X_PKRU)->ebx, PKRU_OFF);
	release(out);
	release(sup);
}

/* 0DH offers AVX state but leaf 1 has no AVX: bit 2 and its subleaf go. */
static void test_xsave_no_avx(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;

	(void)state;
	lookup(sup, 1, 0)->ecx &= ~(L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
	lookup(sup, 7, 0)->ebx &= ~L7_EBX_VECTOR;
	lookup(sup, 7, 0)->ecx &= ~L7_ECX_PKU;
	out = build(sup, CPU_MODEL_HOST, 1, 0);
	/* Only x87 and SSE left: the legacy area and header. */
	check_xsave(out, BIT(0) | BIT(1), XSAVE_HDR_END);
	assert_bits_set(must(out, 1, 0)->ecx, L1_ECX_XSAVE);
	release(out);

	/* With PKU still there the size ends at PKRU. */
	lookup(sup, 7, 0)->ecx |= L7_ECX_PKU;
	out = build(sup, CPU_MODEL_HOST, 1, 0);
	check_xsave(out, BIT(0) | BIT(1) | BIT(X_PKRU), PKRU_OFF + PKRU_SIZE);
	release(out);
	release(sup);
}

/* No AVX-512F: opmask, ZMM_Hi256 and Hi16_ZMM go. */
static void test_xsave_no_avx512(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;

	(void)state;
	lookup(sup, 7, 0)->ebx &= ~L7_EBX_AVX512F;
	out = build(sup, CPU_MODEL_HOST, 1, 0);
	check_xsave(out, BIT(0) | BIT(1) | BIT(X_AVX) | BIT(X_PKRU), PKRU_OFF + PKRU_SIZE);
	release(out);

	/* And without PKU the size shrinks to the end of the AVX state. */
	lookup(sup, 7, 0)->ecx &= ~L7_ECX_PKU;
	out = build(sup, CPU_MODEL_HOST, 1, 0);
	check_xsave(out, BIT(0) | BIT(1) | BIT(X_AVX), AVX_OFF + AVX_SIZE);
	release(out);
	release(sup);
}

static void test_xsave_no_pku(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;

	(void)state;
	lookup(sup, 7, 0)->ecx &= ~L7_ECX_PKU;
	out = build(sup, CPU_MODEL_HOST, 1, 0);
	check_xsave(out, XCR0_SUPPORTED & ~BIT(X_PKRU), HI16_ZMM_OFF + HI16_ZMM_SIZE);
	release(out);
	release(sup);
}

/* A subleaf whose bit 0DH.0 EAX does not set goes too. */
static void test_xsave_subleaf_without_bit(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;

	(void)state;
	lookup(sup, 0xd, 0)->eax &= ~BIT(X_PKRU);
	out = build(sup, CPU_MODEL_HOST, 1, 0);
	check_xsave(out, XCR0_SUPPORTED & ~BIT(X_PKRU), HI16_ZMM_OFF + HI16_ZMM_SIZE);
	release(out);
	release(sup);
}

/* Without XSAVE in leaf 1 nothing of 0DH remains. */
static void test_xsave_no_xsave(void **state)
{
	struct kvm_cpuid2 *sup = supported_table(), *out;

	(void)state;
	lookup(sup, 1, 0)->ecx &= ~(L1_ECX_XSAVE | L1_ECX_OSXSAVE);
	out = build(sup, CPU_MODEL_HOST, 4, 0);
	assert_int_equal(count_leaf(out, 0xd), 0);
	/* Everything else is still there: less the seven 0DH and three 1FH
	 * entries (the three 0BH ones are replaced one for one). */
	assert_int_equal(out->nent, sup->nent - 7 - 3);
	assert_non_null(lookup(out, 7, 0));
	release(out);
	release(sup);
}

static bool next_permutation(unsigned *a, size_t n)
{
	size_t i = n - 1, j = n - 1;
	unsigned t;

	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return false;
	while (a[j] <= a[i - 1])
		j--;
	t = a[i - 1];
	a[i - 1] = a[j];
	a[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
	return true;
}

/*
 * KVM_GET_SUPPORTED_CPUID promises no order. Every order of the seven 0DH
 * entries must give the same result (here: no AVX-512F, so three of them
 * go, some possibly listed before subleaf 0).
 */
static void test_xsave_any_order(void **state)
{
	struct kvm_cpuid2 *sup = supported_table();
	struct kvm_cpuid_entry2 orig[7];
	unsigned perm[7] = {0, 1, 2, 3, 4, 5, 6};
	uint32_t first = 0;
	unsigned tried = 0;

	(void)state;
	lookup(sup, 7, 0)->ebx &= ~L7_EBX_AVX512F;
	while (sup->entries[first].function != 0xd)
		first++;
	memcpy(orig, &sup->entries[first], sizeof(orig));
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(orig[i].function, 0xd);
	do {
		struct kvm_cpuid2 *out;

		for (unsigned i = 0; i < 7; i++)
			sup->entries[first + i] = orig[perm[i]];
		out = build(sup, CPU_MODEL_HOST, 1, 0);
		if (must(out, 0xd, 0)->ecx != PKRU_OFF + PKRU_SIZE || !lookup(out, 0xd, X_PKRU) ||
		    !lookup(out, 0xd, X_AVX))
			fail_msg("0DH entries in order %u.%u.%u.%u.%u.%u.%u: ECX 0x%x, "
				 "subleaf 2 %s, subleaf 9 %s",
				 orig[perm[0]].index, orig[perm[1]].index, orig[perm[2]].index,
				 orig[perm[3]].index, orig[perm[4]].index, orig[perm[5]].index,
				 orig[perm[6]].index, must(out, 0xd, 0)->ecx,
				 lookup(out, 0xd, X_AVX) ? "kept" : "dropped",
				 lookup(out, 0xd, X_PKRU) ? "kept" : "dropped");
		check_xsave(out, BIT(0) | BIT(1) | BIT(X_AVX) | BIT(X_PKRU), PKRU_OFF + PKRU_SIZE);
		release(out);
		tried++;
	} while (next_permutation(perm, 7));
	assert_int_equal(tried, 5040);
	release(sup);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_model_parse),
	    TEST(test_find),
	    TEST(test_build_rejects_zero_vcpus),
	    TEST(test_build_leaves_input_alone),
	    TEST(test_build_passes_other_leaves),
	    TEST(test_host_keeps_vector_features),
	    TEST(test_baseline_clears_vector_features),
	    TEST(test_baseline_clears_newer_vex_extensions),
	    TEST(test_leaf1_topology),
	    TEST(test_leaf_b_topology),
	    TEST(test_leaf_b_added),
	    TEST(test_leaf4_topology),
	    TEST(test_set_apic_id),
	    TEST(test_hv_timing),
	    TEST(test_hv_timing_zero),
	    TEST(test_hv_timing_existing),
	    TEST(test_hv_timing_without_base),
	    TEST(test_xsave_host_full),
	    TEST(test_xsave_no_avx),
	    TEST(test_xsave_no_avx512),
	    TEST(test_xsave_no_pku),
	    TEST(test_xsave_subleaf_without_bit),
	    TEST(test_xsave_no_xsave),
	    TEST(test_xsave_any_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
