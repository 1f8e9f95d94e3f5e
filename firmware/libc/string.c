// SPDX-License-Identifier: MIT
/*
 * memcpy and friends for the firmware, plus the two hooks Debian's BearSSL
 * (built with -fstack-protector-strong and _FORTIFY_SOURCE) calls:
 * __stack_chk_fail and __memcpy_chk. Linked into the user pages: CPL3 uses
 * them for bulk work, CPL0 for small tables. Large copies use REP MOVS/STOS,
 * which run at full speed natively at CPL3; small ones are plain loops,
 * because on PVM each REP string instruction at CPL0 costs tens of
 * microseconds (measured: about 50 us, as much as 20 emulated loop turns
 * of a 1 KiB copy). Never SSE, which CPL0 must not use.
 */
#define SEVM_FIRMWARE_LIBC_IMPL /* defines what string.h maps to builtins */
#include <stdint.h>
#include <string.h>

#define REP_MIN 256 /* below this, a loop is cheaper at CPL0 on PVM */

void fw_user_abort(void) __attribute__((noreturn));
void __stack_chk_fail(void) __attribute__((noreturn));
void *__memcpy_chk(void *d, const void *s, size_t n, size_t dlen);

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	void *ret = d;
	size_t q = n / 8, r = n % 8;

	if (n < REP_MIN) {
		uint8_t *dp = d;
		const uint8_t *sp = s;

		while (n--)
			*dp++ = *sp++;
		return ret;
	}

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) : : "memory");
	return ret;
}

void *memset(void *d, int c, size_t n)
{
	void *ret = d;
	uint64_t v = (uint8_t)c * 0x0101010101010101ull;
	size_t q = n / 8, r = n % 8;

	if (n < REP_MIN) {
		uint8_t *dp = d;

		while (n--)
			*dp++ = (uint8_t)c;
		return ret;
	}

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *ap = a, *bp = b;

	for (; n; n--, ap++, bp++)
		if (*ap != *bp)
			return *ap < *bp ? -1 : 1;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const uint8_t *p = s;

	for (; n; n--, p++)
		if (*p == (uint8_t)c)
			return (void *)(uintptr_t)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Only reached from CPL3 (BearSSL): a failed check ends the boot. */
void __stack_chk_fail(void)
{
	fw_user_abort();
}

void *__memcpy_chk(void *d, const void *s, size_t n, size_t dlen)
{
	if (n > dlen)
		fw_user_abort();
	return memcpy(d, s, n);
}
