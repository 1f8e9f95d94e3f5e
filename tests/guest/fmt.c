// SPDX-License-Identifier: MIT
/*
 * Test guest line formatting.  Used at both privilege levels; output is
 * truncated, never overflowed, when a line is longer than its buffer.
 */
#include "fmt.h"

void buf_char(struct buf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void buf_str(struct buf *b, const char *s)
{
	while (*s)
		buf_char(b, *s++);
}

void buf_dec(struct buf *b, u64 v)
{
	char tmp[20];
	u32 n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf_char(b, tmp[--n]);
}

void buf_hex_fixed(struct buf *b, u64 v, u32 digits)
{
	while (digits--)
		buf_char(b, "0123456789abcdef"[(v >> (4 * digits)) & 0xf]);
}

void buf_hex(struct buf *b, u64 v)
{
	u32 digits = 1;

	while (digits < 16 && (v >> (4 * digits)))
		digits++;
	buf_str(b, "0x");
	buf_hex_fixed(b, v, digits);
}

void buf_size(struct buf *b, u64 bytes)
{
	static const char suffix[] = {'G', 'M', 'K'};
	static const u32 shift[] = {30, 20, 10};

	for (u32 i = 0; i < ARRAY_SIZE(suffix); i++) {
		u64 unit = 1ull << shift[i];

		if (bytes && bytes % unit == 0) {
			buf_dec(b, bytes / unit);
			buf_char(b, suffix[i]);
			return;
		}
	}
	buf_dec(b, bytes);
}
