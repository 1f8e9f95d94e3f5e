/* SPDX-License-Identifier: MIT */
/*
 * The emu backend's launch commands: a software model of the SEV-ES secure
 * processor's guest launch (design brief §2, §4) over plain host buffers.
 *
 *   UNINIT --LAUNCH_START--> LUPDATE --LAUNCH_MEASURE--> LSECRET
 *          --LAUNCH_FINISH--> RUNNING
 *
 * LAUNCH_UPDATE_DATA/_VMSA run in LUPDATE (all data before the first VMSA),
 * LAUNCH_SECRET in LSECRET (any number of times); any other order is refused
 * with INVALID_GUEST_STATE. One emu_launch models one guest.
 *
 * Status codes, following AMD's firmware (github.com/amd/AMD-ASPFW commit
 * 3ca6650dd35d878b3fcbe5c7f58b145eed042bbf, fw/psp_bl_uapps/sev_uapp/src):
 *  - owner public key not a valid P-384 point: INVALID_CERTIFICATE (the
 *    firmware's sev_channel_open_server on a bad dh_cert);
 *  - session blob wrap_mac or policy_mac wrong: BAD_MEASUREMENT (the
 *    firmware checks both with hmac.c hmac_sha256_verify_msg, from
 *    sev_channel.c establish_channel and sev_guest.c sev_guest_verify_policy,
 *    and a mismatch there is SEV_STATUS_BAD_MEASUREMENT: the spec's status
 *    for a failed integrity check);
 *  - policy API version above the firmware's, or reserved policy bits set:
 *    POLICY_FAILURE (sev_guest.c sev_guest_verify_policy);
 *  - policy without ES: POLICY_FAILURE (sevm's rule: emu only runs SEV-ES);
 *  - LAUNCH_SECRET packet MAC wrong: BAD_MEASUREMENT (sev_channel.c via
 *    hmac_sha256_verify); compressed packet: UNSUPPORTED; length zero or not
 *    a multiple of 16: INVALID_LENGTH; target not 16-byte aligned:
 *    INVALID_ADDRESS (sev_mcmd.c sev_mcmd_launch_secret).
 */
#ifndef SEVM_SEV_EMU_LAUNCH_H
#define SEVM_SEV_EMU_LAUNCH_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "sev/crypto/measure.h"
#include "sev/platform.h"

struct emu_launch;

/*
 * A new emulated platform with one UNINIT guest. pdh is the platform's
 * Diffie-Hellman key, an EC P-384 key with its private half; the emu takes
 * its own reference. fw is the firmware version it reports and binds MEASURE
 * to. Returns 0, -EINVAL (pdh not a P-384 private key) or -ENOMEM.
 */
int emu_launch_new(EVP_PKEY *pdh, const struct sev_build *fw, struct emu_launch **out)
    __attribute__((warn_unused_result));

/*
 * The emu plays both the secure processor and the CPU: init's binding
 * gives it the vCPUs (KVM fds) whose state it loads from each VMSA at
 * LAUNCH_UPDATE_VMSA and saves and resumes for migration, and the VMSA
 * pages it keeps them in. vcpu_fds may be NULL: the emu then models only
 * the secure processor (unit tests, an owner's dry run), and the migration
 * operations are refused with -EINVAL.
 */

/* Release everything and wipe the keys; NULL is fine. */
void emu_launch_free(struct emu_launch *e);

/* The platform interface of this instance (ops name "emu"). */
struct sev_platform *emu_launch_platform(struct emu_launch *e);

/* Policy as launched: false before LAUNCH_START and when NODBG / NOSEND is set. */
bool emu_launch_allows_debug(const struct emu_launch *e);
bool emu_launch_allows_send(const struct emu_launch *e);

#endif
