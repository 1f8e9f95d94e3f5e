/* SPDX-License-Identifier: MIT */
/* Test guest: a bounded line buffer, the only formatting it needs. */
#ifndef SEVM_TESTS_GUEST_FMT_H
#define SEVM_TESTS_GUEST_FMT_H

#include "guest.h"

struct buf {
	char *p;
	u32 len;
	u32 cap; /* includes room for the terminating NUL */
};

static inline struct buf buf_init(char *p, u32 cap)
{
	struct buf b = {p, 0, cap};

	p[0] = '\0';
	return b;
}

#define BUF(arr) buf_init((arr), sizeof(arr))

void buf_char(struct buf *b, char c);
void buf_str(struct buf *b, const char *s);
void buf_dec(struct buf *b, u64 v);
void buf_hex(struct buf *b, u64 v);		      /* 0x-prefixed */
void buf_hex_fixed(struct buf *b, u64 v, u32 digits); /* no prefix */
void buf_size(struct buf *b, u64 bytes);	      /* 64M, 1G, 4K or bytes */

#endif
