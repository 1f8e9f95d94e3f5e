/* SPDX-License-Identifier: MIT */
/*
 * A check that runs before libcbor sees untrusted bytes (the guest owner's
 * protocol, the migration stream): libcbor allocates what a head announces
 * before it reads the items, so a few bytes claiming 2^60 map entries
 * would make it try. Both protocols use only flat maps.
 */
#ifndef SEVM_SRC_VMM_CBOR_FLAT_H
#define SEVM_SRC_VMM_CBOR_FLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True when body is one definite CBOR map (RFC 8949) of at most max_pairs
 * pairs whose keys and values are unsigned integers, byte strings and text
 * strings, each announced size within the bytes that remain.
 */
bool cbor_flat_map_ok(const uint8_t *body, size_t len, uint64_t max_pairs);

#endif
