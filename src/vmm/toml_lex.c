// SPDX-License-Identifier: MIT
/*
 * Lexical layer of the vm.toml parser: positions and error reporting, UTF-8
 * validation, whitespace and comments, strings and integers.
 */
#include "toml_lex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
	char *b;
	size_t len, cap;
};

/* ---- positions and errors ---- */

struct toml_pos toml_lex_pos(const struct parser *p, size_t off)
{
	size_t lo = 0, hi = p->nlines;

	if (!p->lines)
		return (struct toml_pos){1, 1};
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (struct toml_pos){(unsigned)lo + 1, (unsigned)(off - p->lines[lo]) + 1};
}

/* Drop an incomplete UTF-8 sequence at the end of s (left by truncation). */
static void trim_partial_utf8(char *s)
{
	size_t n = strlen(s), lead = n;
	unsigned char c;

	while (lead > 0 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)s[lead - 1];
	if (n - (lead - 1) < (size_t)(c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1))
		s[lead - 1] = '\0';
}

int toml_lex_fail(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (!p->err)
		return -EINVAL;
	p->err->pos = toml_lex_pos(p, off);
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	trim_partial_utf8(p->err->msg); /* a long key path may have been cut */
	return -EINVAL;
}

int toml_lex_nomem(struct parser *p)
{
	toml_lex_fail(p, p->i, "out of memory");
	return -ENOMEM;
}

static int index_lines(struct parser *p)
{
	const char *c, *end = p->s + p->len;
	size_t n = 1;

	for (c = p->s; c < end && (c = memchr(c, '\n', end - c)); c++)
		n++;
	p->lines = malloc(n * sizeof(*p->lines));
	if (!p->lines)
		return toml_lex_nomem(p);
	p->lines[p->nlines++] = 0;
	for (c = p->s; c < end && (c = memchr(c, '\n', end - c)); c++)
		p->lines[p->nlines++] = c - p->s + 1;
	return 0;
}

/* Decode the (already validated) UTF-8 sequence at off. */
static uint32_t decode_at(const struct parser *p, size_t off)
{
	const unsigned char *s = (const unsigned char *)p->s + off;
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
	uint32_t cp = n == 1 ? s[0] : s[0] & (0x7f >> n);

	for (size_t k = 1; k < n && off + k < p->len; k++)
		cp = cp << 6 | (s[k] & 0x3f);
	return cp;
}

static int check_utf8(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (i < p->len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 2;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 3;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 4;
			min = 0x10000;
		} else {
			return toml_lex_fail(p, i, "invalid UTF-8 sequence");
		}
		cp = s[i] & (0x7f >> n);
		for (k = 1; k < n; k++) {
			if (i + k >= p->len || (s[i + k] & 0xc0) != 0x80)
				return toml_lex_fail(p, i, "invalid UTF-8 sequence");
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return toml_lex_fail(p, i, "invalid UTF-8 sequence");
		i += n;
	}
	return 0;
}

/* Index the lines of the input and check it is valid UTF-8. */
int toml_lex_init(struct parser *p)
{
	int rc = index_lines(p);

	if (!rc)
		rc = check_utf8(p);
	if (!rc && p->len >= 3 && !memcmp(p->s, "\xef\xbb\xbf", 3))
		p->i = 3; /* byte order mark */
	return rc;
}

/* Describe the character at off for a message: 'x', U+0001 or end of input. */
const char *toml_lex_describe(const struct parser *p, size_t off, char buf[24])
{
	uint32_t cp;

	if (off >= p->len)
		return "end of input";
	cp = decode_at(p, off);
	if (cp >= 0x20 && cp < 0x7f)
		snprintf(buf, 24, "'%c'", (char)cp);
	else
		snprintf(buf, 24, "U+%04X", (unsigned)cp);
	return buf;
}

/* ---- characters, whitespace and comments ---- */

bool toml_lex_is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool is_ctrl(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

int toml_lex_skip_comment(struct parser *p)
{
	if (peek(p, 0) != '#')
		return 0;
	for (p->i++; !at_eol(p); p->i++)
		if (is_ctrl(peek(p, 0)))
			return toml_lex_fail(p, p->i, "control character U+%04X in comment",
					     peek(p, 0));
	return 0;
}

/* Skip whitespace, newlines and comments (inside arrays). */
int toml_lex_skip_ws_nl(struct parser *p)
{
	int rc;

	for (;;) {
		skip_ws(p);
		rc = toml_lex_skip_comment(p);
		if (rc)
			return rc;
		if (p->i >= p->len || !at_eol(p))
			return 0;
		skip_eol(p);
	}
}

bool toml_lex_match_word(const struct parser *p, size_t k, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->i < k + n || memcmp(p->s + p->i + k, w, n))
		return false;
	return !toml_lex_is_bare(peek(p, k + n));
}

/* ---- strings ---- */

static int sb_put(struct parser *p, struct sbuf *sb, const char *d, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 32;
		char *b;

		while (sb->len + n + 1 > cap)
			cap *= 2;
		b = realloc(sb->b, cap);
		if (!b)
			return toml_lex_nomem(p);
		sb->b = b;
		sb->cap = cap;
	}
	memcpy(sb->b + sb->len, d, n);
	sb->len += n;
	sb->b[sb->len] = '\0';
	return 0;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Handle the escape sequence at p->i (a backslash) in a basic string. */
static int parse_escape(struct parser *p, struct sbuf *sb, bool ml)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	size_t at = p->i, nd, k;
	int c = peek(p, 1), h;
	const char *simple = c > 0 ? strchr(from, c) : NULL;
	uint32_t cp = 0;
	char buf[24], enc[4];

	if (simple) {
		p->i += 2;
		return sb_put(p, sb, &to[simple - from], 1);
	}
	if (c == 'u' || c == 'U') {
		nd = c == 'u' ? 4 : 8;
		for (k = 0; k < nd; k++) {
			h = hexval(peek(p, 2 + k));
			if (h < 0)
				return toml_lex_fail(
				    p, at, "invalid escape: \\%c needs %zu hex digits", c, nd);
			cp = cp << 4 | (uint32_t)h;
		}
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return toml_lex_fail(p, at,
					     "invalid escape: U+%04X is not an allowed code point",
					     (unsigned)cp);
		p->i += 2 + nd;
		return sb_put(p, sb, enc, utf8_encode(cp, enc));
	}
	if (ml) {
		/* line-ending backslash: trim whitespace and newlines */
		for (k = 1; peek(p, k) == ' ' || peek(p, k) == '\t'; k++)
			;
		if (peek(p, k) != -1 && is_eol_at(p, k)) {
			p->i += k;
			while (peek(p, 0) == ' ' || peek(p, 0) == '\t' ||
			       (p->i < p->len && at_eol(p))) {
				if (peek(p, 0) == ' ' || peek(p, 0) == '\t')
					p->i++;
				else
					skip_eol(p);
			}
			return 0;
		}
	}
	if (c < 0) {
		p->i++; /* let the caller report the unterminated string */
		return 0;
	}
	if (c > 0x20 && c < 0x7f)
		return toml_lex_fail(p, at, "invalid escape sequence '\\%c'", c);
	return toml_lex_fail(p, at, "invalid escape sequence (backslash followed by %s)",
			     toml_lex_describe(p, at + 1, buf));
}

/* Parse any kind of string at p->i into *out. */
int toml_lex_string(struct parser *p, char **out, bool is_key)
{
	size_t start = p->i, n;
	int q = peek(p, 0), c, rc = 0;
	bool ml = peek(p, 1) == q && peek(p, 2) == q;
	struct sbuf sb = {0};

	if (ml && is_key)
		return toml_lex_fail(p, start, "multi-line strings cannot be used as keys");
	rc = sb_put(p, &sb, "", 0);
	p->i += ml ? 3 : 1;
	if (ml && peek(p, 0) != -1 && at_eol(p))
		skip_eol(p);
	while (!rc) {
		c = peek(p, 0);
		if (c == -1) {
			rc = toml_lex_fail(p, start,
					   ml ? "unterminated multi-line string"
					      : "unterminated string");
		} else if (c == q) {
			for (n = 1; n < 5 && peek(p, n) == q; n++)
				;
			if (!ml || n >= 3) {
				p->i += ml ? n : 1;
				rc = ml ? sb_put(p, &sb, p->s + p->i - n, n - 3) : 0;
				break;
			}
			rc = sb_put(p, &sb, p->s + p->i, n);
			p->i += n;
		} else if (at_eol(p)) {
			if (!ml) {
				rc = toml_lex_fail(p, p->i, "newline in single-line string");
				break;
			}
			skip_eol(p);
			rc = sb_put(p, &sb, "\n", 1);
		} else if (is_ctrl(c)) {
			rc = toml_lex_fail(p, p->i, "control character U+%04X in string", c);
		} else if (c == '\\' && q == '"') {
			rc = parse_escape(p, &sb, ml);
		} else {
			rc = sb_put(p, &sb, p->s + p->i, 1);
			p->i++;
		}
	}
	if (rc)
		free(sb.b);
	else
		*out = sb.b;
	return rc;
}

/* ---- integers ---- */

static int digit_val(int c, int base)
{
	int d = hexval(c);

	return d >= 0 && d < base ? d : -1;
}

int toml_lex_integer(struct parser *p, int64_t *out)
{
	size_t start = p->i, j = p->i, first, nd;
	bool neg = false, sign = false, over = false;
	uint64_t val = 0, limit;
	int base = 10, c, d;
	char buf[24];

	if (p->s[j] == '+' || p->s[j] == '-') {
		sign = true;
		neg = p->s[j++] == '-';
	}
	if (toml_lex_match_word(p, j - p->i, "inf") || toml_lex_match_word(p, j - p->i, "nan"))
		return toml_lex_fail(p, start, "floating-point values are not supported");
	for (nd = 0; j + nd < p->len && p->s[j + nd] >= '0' && p->s[j + nd] <= '9'; nd++)
		;
	if (j + nd < p->len &&
	    ((nd == 4 && p->s[j + nd] == '-') || (nd == 2 && p->s[j + nd] == ':')))
		return toml_lex_fail(p, start, "dates and times are not supported");
	if (j + 1 < p->len && p->s[j] == '0' && p->s[j + 1] && strchr("xob", p->s[j + 1])) {
		if (sign)
			return toml_lex_fail(p, start, "prefixed integers cannot have a sign");
		base = p->s[j + 1] == 'x' ? 16 : p->s[j + 1] == 'o' ? 8 : 2;
		j += 2;
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (first = j;; j++) {
		c = j < p->len ? (unsigned char)p->s[j] : -1;
		if (c == '_') {
			if (j == first || j + 1 >= p->len || digit_val(p->s[j + 1], base) < 0)
				return toml_lex_fail(p, j, "'_' must be between digits");
			continue;
		}
		d = digit_val(c, base);
		if (d < 0)
			break;
		if (val > (limit - (uint64_t)d) / (uint64_t)base)
			over = true;
		else
			val = val * base + d;
	}
	if (j == first)
		return toml_lex_fail(p, j, "expected a digit, found %s",
				     toml_lex_describe(p, j, buf));
	if (base == 10 && p->s[first] == '0' && j - first > 1)
		return toml_lex_fail(p, first, "leading zeros are not allowed");
	c = j < p->len ? (unsigned char)p->s[j] : -1;
	if (base == 10 && (c == '.' || c == 'e' || c == 'E'))
		return toml_lex_fail(p, start, "floating-point values are not supported");
	if (toml_lex_is_bare(c) || c == '.' || c == '+' || c == ':')
		return toml_lex_fail(p, j, "invalid character %s in integer",
				     toml_lex_describe(p, j, buf));
	if (over)
		return toml_lex_fail(p, start, "integer out of range");
	if (neg)
		*out = val > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)val;
	else
		*out = (int64_t)val;
	p->i = j;
	return 0;
}
