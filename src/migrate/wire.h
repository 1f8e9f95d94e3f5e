/* SPDX-License-Identifier: MIT */
/*
 * Messages of the migration stream (docs/protocol.md): a 4-byte
 * big-endian length, that many bytes of one flat CBOR map (RFC 8949) whose
 * "t" names the message, then as many raw bytes as its "payload" says
 * (page data, straight from and into guest memory). Every received map is
 * shape-checked before libcbor parses it, and every field is checked for
 * presence, type and range when it is read.
 */
#ifndef SEVM_SRC_MIGRATE_WIRE_H
#define SEVM_SRC_MIGRATE_WIRE_H

#include <cbor.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

#define WIRE_VERSION 1
#define WIRE_MAX_HEADER 65536 /* bytes of CBOR in one message */
#define WIRE_MAX_PAIRS 48
#define WIRE_MAX_PAYLOAD (64u << 20)

struct wire_msg {
	cbor_item_t *map;
	char type[32];
	uint64_t payload; /* raw bytes that follow (still to be received) */
};

/* Building: a map with "t" = type, room for pairs more. NULL on ENOMEM. */
cbor_item_t *wire_new(const char *type, size_t pairs);
/* Each returns 0 or -ENOMEM. */
int wire_put_u(cbor_item_t *map, const char *key, uint64_t v);
int wire_put_bytes(cbor_item_t *map, const char *key, const void *p, size_t len);
int wire_put_text(cbor_item_t *map, const char *key, const char *s);

/* Send map (with "payload" set to the iovecs' total when n > 0), then the
 * iovecs. Consumes map. 0 or -errno. */
int wire_send(struct xport *x, cbor_item_t *map, const struct iovec *payload, int n);

/* Receive one message's map; the payload (m->payload bytes) is the
 * caller's to receive next. 0 or -errno with why. */
int wire_recv(struct xport *x, struct wire_msg *m, char *why, size_t whylen);
void wire_msg_free(struct wire_msg *m);

/* A stream error as the user should read it: "the target closed the
 * connection", "the source stalled (timed out)", else strerror. */
const char *wire_error_text(int ret, const char *peer, char *buf, size_t len);

/* Fields, checked: missing, of another type, or out of range is -EPROTO with why. */
int wire_get_u(const struct wire_msg *m, const char *key, uint64_t max, uint64_t *out, char *why,
	       size_t whylen);
int wire_get_bytes(const struct wire_msg *m, const char *key, const uint8_t **p, size_t *len,
		   char *why, size_t whylen);
/* Exactly len bytes into dst. */
int wire_get_exact(const struct wire_msg *m, const char *key, void *dst, size_t len, char *why,
		   size_t whylen);
/* A text field into dst (NUL-terminated, at most cap - 1 bytes). */
int wire_get_text(const struct wire_msg *m, const char *key, char *dst, size_t cap, char *why,
		  size_t whylen);

#endif
