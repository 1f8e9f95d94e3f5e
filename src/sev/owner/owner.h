/* SPDX-License-Identifier: MIT */
/*
 * The guest owner (design brief §1, §4; docs/attestation.md): it holds the
 * owner key and the migration transport key, decides whom to trust, and
 * releases the secret table only to a launch whose measurement it
 * recomputed itself from its own copy of the VM's files.
 *
 * One launch, two steps, whatever carries them (the owner service over TCP,
 * or sevm itself with a local owner directory):
 *
 *   start:  platform certificates (OCA, PEK, PDH), firmware version and the
 *           policy the host asks for  ->  session blob for that policy under
 *           fresh TEK/TIK, the owner's ECDH public key and certificate
 *   verify: LAUNCH_MEASURE's measure and mnonce  ->  the LAUNCH_SECRET packet
 *           of the secret table, or a refusal
 *
 * The owner directory (made by `sevm owner init`, every file mode 0600):
 *   owner.pem      EC P-384 private key (ECDH with the platform's PDH)
 *   transport.key  32 random bytes: the migration transport key
 */
#ifndef SEVM_SEV_OWNER_OWNER_H
#define SEVM_SEV_OWNER_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "sev/cert.h"
#include "sev/crypto/measure.h"
#include "sev/crypto/secret.h"
#include "sev/crypto/session.h"
#include "sev/platform.h"
#include "sevm/fw_abi.h"
#include "vmm/config.h"

#define OWNER_KEY_FILE "owner.pem"
#define OWNER_TRANSPORT_KEY_FILE "transport.key"

/* Why the owner refused; the text is what `sevm` prints after "attestation failed: ". */
enum owner_refusal {
	OWNER_OK = 0,
	OWNER_BAD_REQUEST,	     /* "malformed request" */
	OWNER_UNTRUSTED_PLATFORM,    /* "untrusted platform certificate chain" */
	OWNER_MEASUREMENT_MISMATCH,  /* "measurement mismatch" */
	OWNER_INTERNAL,		     /* "owner internal error" */
};

const char *owner_refusal_code(enum owner_refusal r); /* "measurement-mismatch", ... */
const char *owner_refusal_text(enum owner_refusal r); /* "measurement mismatch", ... */

struct owner_start_req {
	uint32_t policy;
	struct sev_build build;
	uint8_t oca[SEV_CERT_SIZE], pek[SEV_CERT_SIZE], pdh[SEV_CERT_SIZE];
};

struct owner_session {
	uint32_t policy;
	struct sev_session_blob blob;
	uint8_t owner_pub[SEV_OWNER_PUB_SIZE];
	uint8_t owner_cert[SEV_CERT_SIZE]; /* for kvm-sev's LAUNCH_START dh_cert */
};

struct owner_secret {
	struct sev_secret_header hdr;
	uint8_t ciphertext[FW_SECRET_TABLE_MAX];
	size_t len;				  /* bytes of ciphertext, a multiple of 16 */
	uint8_t table_sha256[SEV_DIGEST_SIZE];	  /* of the plaintext table, for logs and tests */
};

/* One launch in progress. */
struct owner_launch {
	bool started;
	uint32_t policy;
	struct sev_build build;
	struct sev_transport_keys tk;
};

struct owner {
	EVP_PKEY *key;
	uint8_t transport_key[FW_TRANSPORT_KEY_SIZE];
	uint8_t expected_ld[SEV_DIGEST_SIZE];
	uint32_t expected_policy;
	/*
	 * Whom to trust: only the platform whose OCA key is oca_pubkey, or,
	 * with trust_any, any platform with a consistent chain. One of the two
	 * must be set: a platform's keys prove nothing unless the owner knows
	 * them, and whoever holds an unknown PDH could decrypt the secret.
	 */
	bool pin_oca;
	uint8_t oca_pubkey[SEV_CERT_PUBKEY_SIZE];
	bool trust_any;
	bool min_fw_set; /* refuse platforms reporting an older API version or build */
	struct sev_build min_fw;
};

/*
 * Open the owner directory dir and compute the launch the owner expects
 * from expect (a vm.toml the owner trusts, with [sev]): its firmware,
 * kernel, initrd, command line, vCPUs, policy and CPU signature
 * (sev.cpu_signature, else this CPU's). With create, missing keys are
 * made; without, a missing key is an error (-ENOENT), so that a mistyped
 * directory never yields a fresh transport key. Returns 0 or -errno with a
 * message in err.
 */
int owner_open(struct owner *o, const char *dir, const struct vm_config *expect, bool create,
	       char *err, size_t errlen) __attribute__((warn_unused_result));

/* Trust only the platform whose OCA certificate is in the file at path. */
int owner_pin_oca(struct owner *o, const char *path, char *err, size_t errlen)
    __attribute__((warn_unused_result));

void owner_close(struct owner *o);

/* Make the owner directory's keys (idempotent). Returns 0 or -errno. */
int owner_init_dir(const char *dir) __attribute__((warn_unused_result));

/* Step one. why (optional) gets detail for the owner's log. */
enum owner_refusal owner_start(const struct owner *o, struct owner_launch *l,
			       const struct owner_start_req *req, struct owner_session *out,
			       char *why, size_t whylen);

/* Step two; the launch's keys are wiped whatever the outcome. */
enum owner_refusal owner_verify(const struct owner *o, struct owner_launch *l,
				const struct sev_launch_measure *m, struct owner_secret *out,
				char *why, size_t whylen);

/* Forget a launch (wipes its keys). */
void owner_launch_end(struct owner_launch *l);

/*
 * The secret table (fw_abi.h layout) into buf: the transport key, and a
 * launch id (16 random bytes, FW_GUID_SECRET_LAUNCH_ID) so that no two
 * launches' tables, or their hashes, are alike. Returns its length (a
 * multiple of 16), or 0 if buf is too small or no random bytes came.
 */
size_t owner_secret_table(const uint8_t key[FW_TRANSPORT_KEY_SIZE], uint8_t *buf, size_t len);

#endif
