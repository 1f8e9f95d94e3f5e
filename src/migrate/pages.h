/* SPDX-License-Identifier: MIT */
/*
 * The "pages" message of plain-mode migration (docs/protocol.md): up to
 * MIG_BATCH_PAGES GPAs (u64 little-endian), a bit per page that is all
 * zeros (LSB first; such a page has no data), then the data of the others
 * in order as the payload.
 */
#ifndef SEVM_SRC_MIGRATE_PAGES_H
#define SEVM_SRC_MIGRATE_PAGES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bootparams.h" /* get_le64, put_le64 */

#define MIG_BATCH_PAGES 64
#define MIG_ZERO_BYTES (MIG_BATCH_PAGES / 8)

/* Whether the 4 KiB page at p is all zeros (reads all of it: no early exit
 * that would make the time depend on where the data is). */
static inline bool mig_page_is_zero(const uint8_t *p)
{
	uint64_t acc = 0, w;

	for (unsigned int i = 0; i < 4096; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	return acc == 0;
}

#endif
