// SPDX-License-Identifier: MIT
/*
 * The four functions gcc may emit calls to even in freestanding code.
 * Plain byte loops: they run rarely, and at CPL0 fewer distinct
 * instructions are easier on PVM's emulator than clever ones.
 */
#include "guest.h"

void *memset(void *d, int c, size_t n)
{
	u8 *p = d;

	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *ap = a, *bp = b;

	for (; n; n--, ap++, bp++) {
		if (*ap != *bp)
			return *ap < *bp ? -1 : 1;
	}
	return 0;
}
