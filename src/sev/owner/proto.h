/* SPDX-License-Identifier: MIT */
/*
 * The guest owner protocol (docs/attestation.md, "Wire format"): one TCP
 * connection per launch, four messages, each a CBOR map (RFC 8949) framed
 * by its length as a big-endian u32:
 *
 *   sevm  -> owner  "start"    version, policy, api_major, api_minor, build,
 *                              oca, pek, pdh (2084-byte SEV certificates)
 *   owner -> sevm   "session"  version, policy, session (128 bytes),
 *                              owner_pub (97-byte P-384 point), owner_cert
 *   sevm  -> owner  "measure"  version, measure (32 bytes), mnonce (16)
 *   owner -> sevm   "secret"   version, header (52 bytes), ciphertext
 *                              (16..4096 bytes, a multiple of 16)
 *   owner -> sevm   "error"    version, code, message   (instead of either reply)
 *
 * Every map has text keys: "type", "version" (1) and exactly the fields of
 * its type, each of its exact CBOR type and size; anything else is
 * malformed. A frame is at most OWNER_PROTO_MAX_FRAME bytes.
 */
#ifndef SEVM_SEV_OWNER_PROTO_H
#define SEVM_SEV_OWNER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "sev/owner/owner.h"

#define OWNER_PROTO_VERSION 1
#define OWNER_PROTO_MAX_FRAME 16384

enum owner_msg_type {
	OWNER_MSG_START,
	OWNER_MSG_SESSION,
	OWNER_MSG_MEASURE,
	OWNER_MSG_SECRET,
	OWNER_MSG_ERROR,
};

struct owner_msg_error {
	char code[32];
	char message[160];
};

struct owner_msg {
	enum owner_msg_type type;
	union {
		struct owner_start_req start;
		struct owner_session session;
		struct sev_launch_measure measure;
		struct owner_secret secret; /* table_sha256 is not sent */
		struct owner_msg_error error;
	} u;
};

/*
 * Encode m into buf (at most len bytes). Returns the frame's length
 * (length prefix included), or -EINVAL / -ENOMEM / -EMSGSIZE.
 */
long owner_msg_encode(const struct owner_msg *m, uint8_t *buf, size_t len)
    __attribute__((warn_unused_result));

/*
 * Decode one CBOR message body (without the length prefix). Returns 0, or
 * -EBADMSG with the reason in why.
 */
int owner_msg_decode(const uint8_t *body, size_t len, struct owner_msg *m, char *why,
		     size_t whylen) __attribute__((warn_unused_result));

/*
 * Send m on fd / receive one message from fd, each within timeout_ms.
 * Return 0, -ETIMEDOUT, -ECONNRESET (peer closed), -EBADMSG (malformed,
 * reason in why) or -errno.
 */
int owner_msg_send(int fd, const struct owner_msg *m, int timeout_ms)
    __attribute__((warn_unused_result));
int owner_msg_recv(int fd, struct owner_msg *m, int timeout_ms, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* "start", "session", ... */
const char *owner_msg_type_name(enum owner_msg_type t);

#endif
