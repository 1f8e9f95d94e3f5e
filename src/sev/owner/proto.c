// SPDX-License-Identifier: MIT
/*
 * The guest owner protocol's encoding and framing (see proto.h). Each
 * message type is a table of fields, so encoder and decoder cannot drift
 * apart and the decoder checks every field the same way.
 */
#include "sev/owner/proto.h"
#include "vmm/cbor_flat.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cbor.h>

#include "util.h"

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum field_kind {
	F_U8,	 /* CBOR unsigned, at most 255, into a uint8_t */
	F_U32,	 /* CBOR unsigned, at most 2^32-1, into a uint32_t */
	F_BYTES, /* CBOR byte string of exactly size bytes */
	F_VAR,	 /* CBOR byte string of 16..size bytes, a multiple of 16; length at len_off */
	F_TEXT,	 /* CBOR text string shorter than size, no NUL inside */
};

struct field {
	const char *name;
	enum field_kind kind;
	size_t off, size, len_off;
};

#define OWNER_MAX_PAIRS 32 /* more than any message has */
#define U(st, f) offsetof(struct owner_msg, u.st.f)
#define FIELD_BYTES(st, name, f) {name, F_BYTES, U(st, f), sizeof(((struct owner_msg *)0)->u.st.f), 0}

static const struct field start_fields[] = {
    {"policy", F_U32, U(start, policy), 4, 0},
    {"api_major", F_U8, U(start, build.api_major), 1, 0},
    {"api_minor", F_U8, U(start, build.api_minor), 1, 0},
    {"build", F_U8, U(start, build.build), 1, 0},
    FIELD_BYTES(start, "oca", oca),
    FIELD_BYTES(start, "pek", pek),
    FIELD_BYTES(start, "pdh", pdh),
};

static const struct field session_fields[] = {
    {"policy", F_U32, U(session, policy), 4, 0},
    FIELD_BYTES(session, "session", blob),
    FIELD_BYTES(session, "owner_pub", owner_pub),
    FIELD_BYTES(session, "owner_cert", owner_cert),
};

static const struct field measure_fields[] = {
    FIELD_BYTES(measure, "measure", measure),
    FIELD_BYTES(measure, "mnonce", mnonce),
};

/* The header travels as the 52 bytes LAUNCH_SECRET takes (x86: little-endian flags). */
static const struct field secret_fields[] = {
    FIELD_BYTES(secret, "header", hdr),
    {"ciphertext", F_VAR, U(secret, ciphertext), FW_SECRET_TABLE_MAX, U(secret, len)},
};

static const struct field error_fields[] = {
    {"code", F_TEXT, U(error, code), sizeof(((struct owner_msg *)0)->u.error.code), 0},
    {"message", F_TEXT, U(error, message), sizeof(((struct owner_msg *)0)->u.error.message), 0},
};

static const struct {
	const char *name;
	const struct field *fields;
	size_t n;
} schemas[] = {
    [OWNER_MSG_START] = {"start", start_fields, ARRAY_SIZE(start_fields)},
    [OWNER_MSG_SESSION] = {"session", session_fields, ARRAY_SIZE(session_fields)},
    [OWNER_MSG_MEASURE] = {"measure", measure_fields, ARRAY_SIZE(measure_fields)},
    [OWNER_MSG_SECRET] = {"secret", secret_fields, ARRAY_SIZE(secret_fields)},
    [OWNER_MSG_ERROR] = {"error", error_fields, ARRAY_SIZE(error_fields)},
};

const char *owner_msg_type_name(enum owner_msg_type t)
{
	return (unsigned)t < ARRAY_SIZE(schemas) ? schemas[t].name : "?";
}

/* ---- encoding ---- */

static bool add(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	cbor_item_t *k = cbor_build_string(key);
	bool ok = k && value &&
		  cbor_map_add(map, (struct cbor_pair){.key = k, .value = value});

	if (k)
		cbor_decref(&k);
	if (value)
		cbor_decref(&value);
	return ok;
}

static cbor_item_t *encode_field(const struct owner_msg *m, const struct field *f)
{
	const uint8_t *p = (const uint8_t *)m + f->off;
	uint32_t v32;
	size_t len;

	switch (f->kind) {
	case F_U8:
		return cbor_build_uint8(*p);
	case F_U32:
		memcpy(&v32, p, sizeof(v32));
		return cbor_build_uint32(v32);
	case F_BYTES:
		return cbor_build_bytestring(p, f->size);
	case F_VAR:
		memcpy(&len, (const uint8_t *)m + f->len_off, sizeof(len));
		return len <= f->size ? cbor_build_bytestring(p, len) : NULL;
	case F_TEXT:
		return cbor_build_string((const char *)p);
	}
	return NULL;
}

long owner_msg_encode(const struct owner_msg *m, uint8_t *buf, size_t len)
{
	cbor_item_t *map;
	unsigned char *out = NULL;
	size_t out_len = 0, n;
	bool ok;

	if ((unsigned)m->type >= ARRAY_SIZE(schemas))
		return -EINVAL;
	map = cbor_new_definite_map(schemas[m->type].n + 2);
	if (!map)
		return -ENOMEM;
	ok = add(map, "type", cbor_build_string(schemas[m->type].name)) &&
	     add(map, "version", cbor_build_uint8(OWNER_PROTO_VERSION));
	for (size_t i = 0; ok && i < schemas[m->type].n; i++)
		ok = add(map, schemas[m->type].fields[i].name,
			 encode_field(m, &schemas[m->type].fields[i]));
	n = ok ? cbor_serialize_alloc(map, &out, &out_len) : 0;
	cbor_decref(&map);
	if (!n) {
		free(out);
		return -ENOMEM;
	}
	if (n + 4 > len || n + 4 > OWNER_PROTO_MAX_FRAME) {
		free(out);
		return -EMSGSIZE;
	}
	put_be32(buf, (uint32_t)n);
	memcpy(buf + 4, out, n);
	free(out);
	return (long)(n + 4);
}

/* ---- decoding ---- */

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* A definite text string equal to s. */
static bool text_is(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);

	return cbor_isa_string(it) && cbor_string_is_definite(it) &&
	       cbor_string_length(it) == n && !memcmp(cbor_string_handle(it), s, n);
}

static int decode_uint(const cbor_item_t *v, const struct field *f, uint64_t max, uint64_t *out,
		       char *why, size_t whylen)
{
	if (!cbor_isa_uint(v))
		return bad(why, whylen, "'%s' is not an unsigned integer", f->name);
	*out = cbor_get_int(v);
	if (*out > max)
		return bad(why, whylen, "'%s' is %llu, more than %llu", f->name,
			   (unsigned long long)*out, (unsigned long long)max);
	return 0;
}

static int decode_field(const cbor_item_t *v, const struct field *f, struct owner_msg *m,
			char *why, size_t whylen)
{
	uint8_t *p = (uint8_t *)m + f->off;
	uint64_t u = 0;
	size_t n;
	int ret;

	switch (f->kind) {
	case F_U8:
	case F_U32:
		ret = decode_uint(v, f, f->kind == F_U8 ? UINT8_MAX : UINT32_MAX, &u, why, whylen);
		if (ret)
			return ret;
		if (f->kind == F_U8)
			*p = (uint8_t)u;
		else
			memcpy(p, &(uint32_t){(uint32_t)u}, 4);
		return 0;
	case F_BYTES:
	case F_VAR:
		if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
			return bad(why, whylen, "'%s' is not a byte string", f->name);
		n = cbor_bytestring_length(v);
		if (f->kind == F_BYTES && n != f->size)
			return bad(why, whylen, "'%s' is %zu bytes, not %zu", f->name, n, f->size);
		if (f->kind == F_VAR && (n < 16 || n > f->size || n % 16))
			return bad(why, whylen,
				   "'%s' is %zu bytes, not a multiple of 16 from 16 to %zu", f->name,
				   n, f->size);
		memcpy(p, cbor_bytestring_handle(v), n);
		if (f->kind == F_VAR)
			memcpy((uint8_t *)m + f->len_off, &n, sizeof(n));
		return 0;
	case F_TEXT:
		if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
			return bad(why, whylen, "'%s' is not a text string", f->name);
		n = cbor_string_length(v);
		if (n >= f->size || memchr(cbor_string_handle(v), 0, n))
			return bad(why, whylen, "'%s' is too long or holds a NUL", f->name);
		memcpy(p, cbor_string_handle(v), n);
		p[n] = '\0';
		return 0;
	}
	return bad(why, whylen, "internal: field kind");
}

static int find_type(const struct cbor_pair *pairs, size_t n, enum owner_msg_type *t, char *why,
		     size_t whylen)
{
	for (size_t i = 0; i < n; i++) {
		if (!text_is(pairs[i].key, "type"))
			continue;
		for (size_t s = 0; s < ARRAY_SIZE(schemas); s++) {
			if (text_is(pairs[i].value, schemas[s].name)) {
				*t = (enum owner_msg_type)s;
				return 0;
			}
		}
		return bad(why, whylen, "unknown message type");
	}
	return bad(why, whylen, "no 'type'");
}

static int decode_map(const cbor_item_t *map, struct owner_msg *m, char *why, size_t whylen)
{
	const struct cbor_pair *pairs = cbor_map_handle(map);
	size_t n = cbor_map_size(map);
	uint32_t seen = 0;
	enum owner_msg_type t = OWNER_MSG_ERROR;
	int ret = find_type(pairs, n, &t, why, whylen);

	if (ret)
		return ret;
	m->type = t;
	for (size_t i = 0; i < n; i++) {
		const struct field *f = NULL;
		unsigned int bit;
		uint64_t version;

		if (text_is(pairs[i].key, "type")) {
			bit = 30;
		} else if (text_is(pairs[i].key, "version")) {
			bit = 31;
			if (!cbor_isa_uint(pairs[i].value) ||
			    (version = cbor_get_int(pairs[i].value)) != OWNER_PROTO_VERSION)
				return bad(why, whylen, "unsupported protocol version");
		} else {
			for (bit = 0; bit < schemas[t].n; bit++)
				if (text_is(pairs[i].key, schemas[t].fields[bit].name))
					break;
			if (bit == schemas[t].n)
				return bad(why, whylen, "unknown field in '%s'", schemas[t].name);
			f = &schemas[t].fields[bit];
		}
		if (seen & 1u << bit)
			return bad(why, whylen, "a field appears twice");
		seen |= 1u << bit;
		if (f && (ret = decode_field(pairs[i].value, f, m, why, whylen)))
			return ret;
	}
	if (seen != (((1u << schemas[t].n) - 1) | 3u << 30))
		return bad(why, whylen, "'%s' lacks a field", schemas[t].name);
	return 0;
}

int owner_msg_decode(const uint8_t *body, size_t len, struct owner_msg *m, char *why,
		     size_t whylen)
{
	struct cbor_load_result res;
	cbor_item_t *it;
	int ret;

	memset(m, 0, sizeof(*m));
	if (!len)
		return bad(why, whylen, "empty message");
	if (!cbor_flat_map_ok(body, len, OWNER_MAX_PAIRS))
		return bad(why, whylen,
			   "not a flat CBOR map of integers and strings within its length");
	it = cbor_load(body, len, &res);
	if (!it)
		return bad(why, whylen, "not CBOR");
	if (res.read != len)
		ret = bad(why, whylen, "trailing bytes after the message");
	else if (!cbor_isa_map(it) || !cbor_map_is_definite(it))
		ret = bad(why, whylen, "not a CBOR map");
	else
		ret = decode_map(it, m, why, whylen);
	cbor_decref(&it);
	return ret;
}

/* ---- framing ---- */

/* Wait until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		long long left = deadline - monotonic_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int io_all(int fd, uint8_t *buf, size_t len, bool writing, long long deadline)
{
	while (len) {
		ssize_t n;
		int ret = wait_fd(fd, writing ? POLLOUT : POLLIN, deadline);

		if (ret)
			return ret;
		n = writing ? send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT)
			    : recv(fd, buf, len, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int owner_msg_send(int fd, const struct owner_msg *m, int timeout_ms)
{
	uint8_t *buf = malloc(OWNER_PROTO_MAX_FRAME);
	long n;
	int ret;

	if (!buf)
		return -ENOMEM;
	n = owner_msg_encode(m, buf, OWNER_PROTO_MAX_FRAME);
	ret = n < 0 ? (int)n : io_all(fd, buf, (size_t)n, true, monotonic_ms() + timeout_ms);
	free(buf);
	return ret;
}

int owner_msg_recv(int fd, struct owner_msg *m, int timeout_ms, char *why, size_t whylen)
{
	long long deadline = monotonic_ms() + timeout_ms;
	uint8_t hdr[4], *body;
	uint32_t len;
	int ret = io_all(fd, hdr, sizeof(hdr), false, deadline);

	if (ret)
		return ret;
	len = get_be32(hdr);
	if (len == 0 || len > OWNER_PROTO_MAX_FRAME - 4)
		return bad(why, whylen, "frame of %u bytes (at most %d)", len,
			   OWNER_PROTO_MAX_FRAME - 4);
	body = malloc(len);
	if (!body)
		return -ENOMEM;
	ret = io_all(fd, body, len, false, deadline);
	if (!ret)
		ret = owner_msg_decode(body, len, m, why, whylen);
	free(body);
	return ret;
}
