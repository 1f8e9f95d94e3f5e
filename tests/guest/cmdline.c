// SPDX-License-Identifier: MIT
/*
 * Kernel command line: space-separated key=value tokens.  Unknown keys and
 * malformed values are ignored (the loader may add its own tokens; QEMU's
 * multiboot loader prepends the kernel's file name).
 *
 *   mem=SIZE     pattern memory for all CPUs together, K/M/G suffix (16M)
 *   dirty=N|max  pages rewritten per second per CPU (0)
 *   check=S      self-check after S heartbeats, then power off (0 = never)
 *   corrupt=N    test the failure path: 1 flips a memory word, 2 a register
 *   e820         print the loader's memory map after the boot line
 *   idle         fill the pattern, print "testguest: idle", then halt every
 *                CPU for good (benchmarks that need the host's cores)
 */
#include "kernel.h"

static bool is_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n';
}

/* Decimal or 0x-hex number; *end is left after the last digit. */
static bool parse_num(const char *s, const char **end, u64 *out)
{
	u64 v = 0, base = 10;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++) {
		u64 d;

		if (*p >= '0' && *p <= '9')
			d = (u64)(*p - '0');
		else if (base == 16 && (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			d = (u64)((*p | 0x20) - 'a' + 10);
		else
			break;
		if (v > (~0ull - d) / base)
			return false;
		v = v * base + d;
	}
	if (p == s || (base == 16 && p == s + 2))
		return false;
	*end = p;
	*out = v;
	return true;
}

static bool parse_size(const char *s, u64 *out)
{
	const char *p;
	u64 v;
	u32 shift = 0;

	if (!parse_num(s, &p, &v))
		return false;
	switch (*p | 0x20) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	}
	if (shift)
		p++;
	if (!is_end(*p) || v > (~0ull >> shift))
		return false;
	*out = v << shift;
	return true;
}

static bool parse_u32(const char *s, u32 limit, u32 *out)
{
	const char *p;
	u64 v;

	if (!parse_num(s, &p, &v) || !is_end(*p) || v > limit)
		return false;
	*out = (u32)v;
	return true;
}

static bool key_is(const char *tok, const char *key, const char **val)
{
	while (*key) {
		if (*tok++ != *key++)
			return false;
	}
	*val = tok;
	return true;
}

void cmdline_parse(const char *s, struct config *c)
{
	c->mem = 16ull << 20;
	c->dirty = 0;
	c->check = 0;
	c->corrupt = 0;
	c->e820 = false;
	c->idle = false;

	while (*s) {
		const char *v;
		u64 size;
		u32 n;

		if (key_is(s, "mem=", &v)) {
			if (parse_size(v, &size))
				c->mem = size;
		} else if (key_is(s, "dirty=", &v)) {
			if (v[0] == 'm' && v[1] == 'a' && v[2] == 'x' && is_end(v[3]))
				c->dirty = DIRTY_MAX;
			else if (parse_u32(v, DIRTY_LIMIT, &n))
				c->dirty = n;
		} else if (key_is(s, "check=", &v)) {
			if (parse_u32(v, 1000000, &n))
				c->check = n;
		} else if (key_is(s, "corrupt=", &v)) {
			if (parse_u32(v, 2, &n))
				c->corrupt = n;
		} else if (key_is(s, "e820", &v) && is_end(*v)) {
			c->e820 = true;
		} else if (key_is(s, "idle", &v) && is_end(*v)) {
			c->idle = true;
		}
		while (!is_end(*s))
			s++;
		while (*s && is_end(*s))
			s++;
	}
}
