/* SPDX-License-Identifier: MIT */
/*
 * The CPUID a guest sees: what KVM supports on this host, cut down to the
 * config's CPU model, with a consistent one-socket topology and each vCPU's
 * own APIC ID. Leaf and bit numbers: Intel SDM vol. 2A, CPUID.
 */
#ifndef SEVM_SRC_VMM_CPUID_H
#define SEVM_SRC_VMM_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

enum cpu_model {
	/* Everything KVM supports on this host. */
	CPU_MODEL_HOST,
	/* x86-64 with SSE up to SSE4.2, AES and PCLMUL but no AVX, AVX-512, AMX or
	 * XSAVE: all FPU/vector state fits fxsave's 512 bytes, so it migrates
	 * between unlike hosts and within what an SEV-ES VMSA carries. */
	CPU_MODEL_BASELINE,
};

#define CPU_MODEL_NAMES "\"host\" or \"baseline\""

int cpu_model_parse(const char *name, enum cpu_model *out) __attribute__((warn_unused_result));
const char *cpu_model_name(enum cpu_model model);

/* Builds the VM-wide table from KVM's supported one. tsc_khz (non-zero) is
 * advertised in the hypervisor timing leaf 0x40000010. Caller frees *out. */
int cpuid_build(const struct kvm_cpuid2 *supported, enum cpu_model model, unsigned nr_vcpus,
		uint32_t tsc_khz, struct kvm_cpuid2 **out) __attribute__((warn_unused_result));
/* Patches a copy of the VM-wide table with one vCPU's APIC ID. */
void cpuid_set_apic_id(struct kvm_cpuid2 *c, uint32_t apic_id);
/* Entry for (function, index), or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index);

/*
 * This host CPU's CPUID leaf/subleaf into r[0..3] = EAX, EBX, ECX, EDX; false
 * (r zeroed) when leaf is above the CPU's highest basic leaf. (Its own, as
 * <cpuid.h> is shadowed by this header on sevm's include path.)
 */
bool host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4]);

#endif
