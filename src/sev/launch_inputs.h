/* SPDX-License-Identifier: MIT */
/*
 * What an SEV-ES launch of a vm.toml measures (design brief §4), written
 * once for both sides: sevm's launch (src/vmm/vm_sev.c) feeds these bytes
 * to the platform, and the guest owner recomputes the launch digest from
 * its own copy of the same files.
 *
 *   LD = SHA-256( firmware image with the kernel hashes table in its
 *                 hashes block            -- one LAUNCH_UPDATE_DATA
 *               | VMSA of vCPU 0 | ... | VMSA of vCPU n-1 )
 *                                         -- LAUNCH_UPDATE_VMSA each
 *
 * n counts OS and Migration-Handler vCPUs. vCPU 0 starts at the reset
 * vector, every other at the firmware's SEV-ES AP reset address, all with
 * RDX = the CPU signature (sev-facts.md, "Initial SEV-ES VMSA").
 */
#ifndef SEVM_SEV_LAUNCH_INPUTS_H
#define SEVM_SEV_LAUNCH_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "sev/crypto/crypto.h"
#include "sev/vmsa.h"
#include "vmm/config.h"

/* Every vCPU the launch measures a VMSA for. */
unsigned int sev_launch_vcpus(const struct vm_config *cfg);

/*
 * RDX at reset: sev.cpu_signature when the config pins it, else
 * vm_signature (CPUID leaf 1 EAX as the VM sees it, for sevm; the owner's
 * own CPU's, for an owner on the same kind of host).
 */
uint32_t sev_launch_cpu_signature(const struct vm_config *cfg, uint32_t vm_signature);

/* This CPU's CPUID leaf 1 EAX (family, model, stepping). */
uint32_t sev_host_cpu_signature(void);

/*
 * The image exactly as LAUNCH_UPDATE_DATA measures it: a malloc'd copy of
 * the firmware with the kernel hashes table of cfg's kernel, initrd and
 * command line in its hashes block. Returns 0, -EINVAL or -ENOMEM.
 */
int sev_launch_image(const struct vm_config *cfg, uint8_t **image, size_t *len)
    __attribute__((warn_unused_result));

/* vCPU i's initial VMSA page. */
void sev_launch_initial_vmsa(const struct vm_config *cfg, unsigned int i, uint32_t cpu_signature,
			     uint8_t page[VMSA_PAGE_SIZE]);

/* The whole launch digest of cfg. Returns 0, -EINVAL or -ENOMEM. */
int sev_launch_expected_digest(const struct vm_config *cfg, uint32_t cpu_signature,
			       uint8_t ld[SEV_DIGEST_SIZE]) __attribute__((warn_unused_result));

#endif
