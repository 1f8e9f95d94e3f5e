/* SPDX-License-Identifier: MIT */
/*
 * The emu backend's persistent platform identity (design brief §2): three
 * EC P-384 keys, OCA (owner certificate authority), PEK (platform
 * endorsement key) and PDH (platform Diffie-Hellman key), kept as PKCS#8
 * PEM files oca.pem, pek.pem and pdh.pem (mode 0600) in a directory (mode
 * 0700 when created here), made on first use and reused afterwards, and
 * the SEV certificate chain over them (src/sev/cert.h):
 *
 *   OCA: self-signed (slot 0, usage OCA, ECDSA-SHA256)
 *   PEK: signed by OCA (slot 0, usage OCA, ECDSA-SHA256)
 *   PDH: signed by PEK (slot 0, usage PEK, ECDSA-SHA256), key algorithm ECDH-SHA256
 *
 * as AMD firmware lays them out (compare virtee/sev tests/naples/{oca,pek,pdh}.cert).
 *
 * Documented deviation: on real hardware the PEK carries a second signature,
 * by the CEK, and the chain continues CEK -> ASK -> ARK up to AMD's root.
 * The emu has no AMD root and no chip key, so its PEK is signed only by the
 * OCA (the second slot stays empty) and a guest owner can only trust the
 * emu platform by trusting its OCA. The certificates are rebuilt (and
 * re-signed, ECDSA being randomised) on every load; only the keys persist.
 *
 * A key file that exists but is not readable PEM holding an EC P-384
 * private key is an error, never silently replaced; so is a key file
 * readable or writable by group or others.
 */
#ifndef SEVM_SEV_EMU_IDENTITY_H
#define SEVM_SEV_EMU_IDENTITY_H

#include <stdint.h>

#include <openssl/evp.h>

#include "sev/cert.h"
#include "sev/crypto/measure.h"

struct emu_identity {
	EVP_PKEY *oca, *pek, *pdh; /* private keys */
	uint8_t oca_cert[SEV_CERT_SIZE];
	uint8_t pek_cert[SEV_CERT_SIZE];
	uint8_t pdh_cert[SEV_CERT_SIZE];
};

/*
 * Load the keys in dir, creating dir and any missing key, and build the
 * chain with fw's API version in every certificate. Returns 0; -EBADMSG (a
 * key file is not PEM or not a P-384 private key); -EACCES (a key file's
 * mode allows group or other access); -EINVAL; -ENOMEM; or -errno from the
 * file system. On error *id holds nothing to free.
 */
int emu_identity_load_or_create(const char *dir, const struct sev_build *fw,
				struct emu_identity *id) __attribute__((warn_unused_result));

/* Release the keys and clear *id; a zeroed or already freed *id is fine. */
void emu_identity_free(struct emu_identity *id);

#endif
