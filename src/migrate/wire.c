// SPDX-License-Identifier: MIT
#include "wire.h"
#include "cbor_flat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

static int put(cbor_item_t *map, const char *key, cbor_item_t *v)
{
	cbor_item_t *k = cbor_build_string(key);
	bool ok = k && v && cbor_map_add(map, (struct cbor_pair){.key = k, .value = v});

	if (k)
		cbor_decref(&k);
	if (v)
		cbor_decref(&v);
	return ok ? 0 : -ENOMEM;
}

cbor_item_t *wire_new(const char *type, size_t pairs)
{
	cbor_item_t *map = cbor_new_definite_map(pairs + 2);

	if (map && put(map, "t", cbor_build_string(type)))
		cbor_decref(&map);
	return map;
}

int wire_put_u(cbor_item_t *map, const char *key, uint64_t v)
{
	return put(map, key, cbor_build_uint64(v));
}

int wire_put_bytes(cbor_item_t *map, const char *key, const void *p, size_t len)
{
	return put(map, key, cbor_build_bytestring(p, len));
}

int wire_put_text(cbor_item_t *map, const char *key, const char *s)
{
	return put(map, key, cbor_build_string(s));
}

int wire_send(struct xport *x, cbor_item_t *map, const struct iovec *payload, int n)
{
	unsigned char *buf = NULL, len4[4];
	size_t cap = 0, len;
	uint64_t total = 0;
	int ret = 0;

	for (int i = 0; i < n; i++)
		total += payload[i].iov_len;
	if (n && wire_put_u(map, "payload", total))
		ret = -ENOMEM;
	len = ret ? 0 : cbor_serialize_alloc(map, &buf, &cap);
	cbor_decref(&map);
	if (!len)
		return ret ? ret : -ENOMEM;
	if (len > WIRE_MAX_HEADER) {
		free(buf);
		return -EMSGSIZE;
	}
	len4[0] = (unsigned char)(len >> 24), len4[1] = (unsigned char)(len >> 16);
	len4[2] = (unsigned char)(len >> 8), len4[3] = (unsigned char)len;

	struct iovec v[2 + 254];
	int nv = 0;
	v[nv++] = (struct iovec){len4, 4};
	v[nv++] = (struct iovec){buf, len};
	if (n > 254) {
		free(buf);
		return -E2BIG;
	}
	for (int i = 0; i < n; i++)
		v[nv++] = payload[i];
	ret = xport_send(x, v, nv);
	free(buf);
	return ret;
}

static const cbor_item_t *field(const struct wire_msg *m, const char *key)
{
	const struct cbor_pair *p = cbor_map_handle(m->map);
	size_t n = cbor_map_size(m->map), klen = strlen(key);

	for (size_t i = 0; i < n; i++)
		if (cbor_isa_string(p[i].key) && cbor_string_length(p[i].key) == klen &&
		    !memcmp(cbor_string_handle(p[i].key), key, klen))
			return p[i].value;
	return NULL;
}

int wire_get_u(const struct wire_msg *m, const char *key, uint64_t max, uint64_t *out, char *why,
	       size_t whylen)
{
	const cbor_item_t *v = field(m, key);

	if (!v || !cbor_isa_uint(v))
		return bad(why, whylen, "'%s' lacks the unsigned integer '%s'", m->type, key);
	*out = cbor_get_int(v);
	if (*out > max)
		return bad(why, whylen, "'%s': %s = %llu is above %llu", m->type, key,
			   (unsigned long long)*out, (unsigned long long)max);
	return 0;
}

int wire_get_bytes(const struct wire_msg *m, const char *key, const uint8_t **p, size_t *len,
		   char *why, size_t whylen)
{
	const cbor_item_t *v = field(m, key);

	if (!v || !cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
		return bad(why, whylen, "'%s' lacks the byte string '%s'", m->type, key);
	*p = cbor_bytestring_handle(v);
	*len = cbor_bytestring_length(v);
	return 0;
}

int wire_get_exact(const struct wire_msg *m, const char *key, void *dst, size_t len, char *why,
		   size_t whylen)
{
	const uint8_t *p;
	size_t n;
	int ret = wire_get_bytes(m, key, &p, &n, why, whylen);

	if (ret)
		return ret;
	if (n != len)
		return bad(why, whylen, "'%s': %s is %zu bytes, not %zu", m->type, key, n, len);
	if (len)
		memcpy(dst, p, len);
	return 0;
}

int wire_get_text(const struct wire_msg *m, const char *key, char *dst, size_t cap, char *why,
		  size_t whylen)
{
	const cbor_item_t *v = field(m, key);
	size_t n;

	if (!v || !cbor_isa_string(v) || !cbor_string_is_definite(v))
		return bad(why, whylen, "'%s' lacks the text '%s'", m->type, key);
	n = cbor_string_length(v);
	if (n >= cap)
		return bad(why, whylen, "'%s': %s is too long", m->type, key);
	memcpy(dst, cbor_string_handle(v), n);
	dst[n] = 0;
	/* The peer's words end up in messages and in the control socket's
	 * one-line answers: nothing that could break a line or a terminal. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
	return 0;
}

int wire_recv(struct xport *x, struct wire_msg *m, char *why, size_t whylen)
{
	unsigned char len4[4], *buf;
	struct cbor_load_result res;
	size_t len;
	int ret;

	memset(m, 0, sizeof(*m));
	if ((ret = xport_recv(x, len4, 4)))
		return ret;
	len = (size_t)len4[0] << 24 | (size_t)len4[1] << 16 | (size_t)len4[2] << 8 | len4[3];
	if (len == 0 || len > WIRE_MAX_HEADER)
		return bad(why, whylen, "a message of %zu bytes (at most %d)", len,
			   WIRE_MAX_HEADER);
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	if ((ret = xport_recv(x, buf, len))) {
		free(buf);
		return ret;
	}
	if (!cbor_flat_map_ok(buf, len, WIRE_MAX_PAIRS)) {
		free(buf);
		return bad(why, whylen, "not a flat CBOR map within its length");
	}
	m->map = cbor_load(buf, len, &res);
	free(buf);
	if (!m->map || res.read != len || !cbor_isa_map(m->map)) {
		wire_msg_free(m);
		return bad(why, whylen, "malformed CBOR message");
	}
	strcpy(m->type, "message");
	if ((ret = wire_get_text(m, "t", m->type, sizeof(m->type), why, whylen))) {
		wire_msg_free(m);
		return ret;
	}
	if (field(m, "payload") &&
	    (ret = wire_get_u(m, "payload", WIRE_MAX_PAYLOAD, &m->payload, why, whylen))) {
		wire_msg_free(m);
		return ret;
	}
	return 0;
}

const char *wire_error_text(int ret, const char *peer, char *buf, size_t len)
{
	if (ret == -ETIMEDOUT)
		snprintf(buf, len, "%s stalled (timed out)", peer);
	else if (ret == -ENODATA || ret == -ECONNRESET || ret == -EPIPE)
		snprintf(buf, len, "%s closed the connection", peer);
	else
		snprintf(buf, len, "%s", strerror(-ret));
	return buf;
}

void wire_msg_free(struct wire_msg *m)
{
	if (m->map)
		cbor_decref(&m->map);
	m->map = NULL;
}
