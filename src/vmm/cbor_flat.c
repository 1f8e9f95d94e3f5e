// SPDX-License-Identifier: MIT
#include "cbor_flat.h"

/*
 * One CBOR head (RFC 8949 §3): major type and argument, advancing *p. Only
 * the definite forms the protocol uses; false for anything else.
 */
static bool cbor_head(const uint8_t **p, const uint8_t *end, unsigned int *major,
		      uint64_t *arg)
{
	unsigned int info, n;

	if (*p >= end)
		return false;
	*major = **p >> 5;
	info = **p & 0x1f;
	(*p)++;
	if (info < 24) {
		*arg = info;
		return true;
	}
	if (info > 27)
		return false; /* reserved, or an indefinite length */
	n = 1u << (info - 24);
	if ((size_t)(end - *p) < n)
		return false;
	*arg = 0;
	while (n--)
		*arg = *arg << 8 | *(*p)++;
	return true;
}

bool cbor_flat_map_ok(const uint8_t *p, size_t len, uint64_t max_pairs)
{
	const uint8_t *end = p + len;
	unsigned int major;
	uint64_t pairs, arg;

	if (!cbor_head(&p, end, &major, &pairs) || major != 5 || pairs > max_pairs)
		return false;
	for (uint64_t i = 0; i < 2 * pairs; i++) {
		if (!cbor_head(&p, end, &major, &arg))
			return false;
		if (major == 2 || major == 3) {
			if (arg > (uint64_t)(end - p))
				return false;
			p += arg;
		} else if (major != 0) {
			return false;
		}
	}
	return true;
}
