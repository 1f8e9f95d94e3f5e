// SPDX-License-Identifier: MIT
/*
 * Unit tests for the AML encoder (src/vmm/aml.c). Expected bytes come from
 * ACPI 6.4 chapter 20 (opcodes, NameSeg, PkgLength) and §6.4.2 (resource
 * descriptors), written out by hand here rather than derived from aml.c.
 * Every buffer is followed by a guard region that must stay untouched.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aml.h"
#include "tracked.h"

/* ---- ACPI 6.4 encodings (§20.2) ---- */

#define ZERO_OP 0x00
#define ONE_OP 0x01
#define NAME_OP 0x08
#define BYTE_PREFIX 0x0a
#define WORD_PREFIX 0x0b
#define DWORD_PREFIX 0x0c
#define STRING_PREFIX 0x0d
#define QWORD_PREFIX 0x0e
#define SCOPE_OP 0x10
#define BUFFER_OP 0x11
#define PACKAGE_OP 0x12
#define EXT_OP_PREFIX 0x5b
#define DEVICE_OP 0x82
#define ROOT_CHAR 0x5c

/* How many scopes struct aml can keep open at once. */
#define MAX_DEPTH (sizeof(((struct aml *)0)->open) / sizeof(((struct aml *)0)->open[0]))

/* ---- buffers with a guard region ---- */

#define GUARD 64
#define FILL 0xa5

struct out {
	struct aml a;
	uint8_t *mem; /* cap bytes for the encoder, then GUARD bytes of FILL */
	size_t cap;
};

static void out_init(struct out *o, size_t cap)
{
	o->cap = cap;
	o->mem = track(malloc(cap + GUARD));
	memset(o->mem, FILL, cap + GUARD);
	aml_init(&o->a, o->mem, cap);
}

static void assert_guard_intact(const struct out *o)
{
	for (size_t i = 0; i < GUARD; i++)
		if (o->mem[o->cap + i] != FILL)
			fail_msg("byte %zu past cap (%zu) was written: 0x%02x", i, o->cap,
				 o->mem[o->cap + i]);
}

static void out_free(struct out *o)
{
	assert_guard_intact(o);
	release(o->mem);
	o->mem = NULL;
}

static void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	assert_int_equal(got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		if (got[i] != want[i])
			fail_msg("byte %zu: got 0x%02x, want 0x%02x", i, got[i], want[i]);
}

/* aml_finish() succeeds with exactly want[]. */
static void assert_output(struct out *o, const uint8_t *want, size_t want_len)
{
	int n = aml_finish(&o->a);

	assert_true(n >= 0);
	assert_bytes(o->mem, (size_t)n, want, want_len);
	assert_guard_intact(o);
}

#define ASSERT_OUTPUT(o, ...)                                                                      \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		assert_output(o, want_, sizeof(want_));                                            \
	} while (0)

/*
 * PkgLength (§20.2.4), decoded independently of aml.c: bits 7:6 of the lead
 * byte count the bytes that follow; with none, bits 5:0 are the length;
 * otherwise bits 5:4 are zero, bits 3:0 the low nibble, and each following
 * byte the next 8 bits. *nbytes is the encoding's size.
 */
static size_t decode_pkglen(const uint8_t *p, size_t avail, size_t *nbytes)
{
	unsigned follow = p[0] >> 6;
	size_t len;

	assert_true(avail >= 1 + (size_t)follow);
	*nbytes = 1 + follow;
	if (!follow)
		return p[0] & 0x3f;
	if (p[0] & 0x30)
		fail_msg("PkgLength lead byte 0x%02x: bits 5:4 must be zero", p[0]);
	len = p[0] & 0x0f;
	for (unsigned i = 1; i <= follow; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	return len;
}

/* The PkgLength at p must say exactly how many bytes (itself included) the
 * object has, and be encoded in the fewest bytes that can hold it. */
static size_t assert_pkglen(const uint8_t *p, size_t avail, size_t want_total)
{
	size_t nbytes, len = decode_pkglen(p, avail, &nbytes);
	size_t shortest = want_total < 0x40	  ? 1
			  : want_total < 0x1000	  ? 2
			  : want_total < 0x100000 ? 3
						  : 4;

	assert_int_equal(len, want_total);
	assert_int_equal(nbytes, shortest);
	return nbytes;
}

/* ---- integers, strings, names ---- */

static void check_integer(uint64_t v, const uint8_t *want, size_t want_len)
{
	struct out o;

	out_init(&o, 16);
	aml_integer(&o.a, v);
	assert_output(&o, want, want_len);
	out_free(&o);
}

#define CHECK_INTEGER(v, ...)                                                                      \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		check_integer(v, want_, sizeof(want_));                                            \
	} while (0)

static void test_integer_boundaries(void **state)
{
	(void)state;
	CHECK_INTEGER(0, ZERO_OP);
	CHECK_INTEGER(1, ONE_OP);
	CHECK_INTEGER(2, BYTE_PREFIX, 0x02);
	CHECK_INTEGER(0xff, BYTE_PREFIX, 0xff);
	CHECK_INTEGER(0x100, WORD_PREFIX, 0x00, 0x01);
	CHECK_INTEGER(0xffff, WORD_PREFIX, 0xff, 0xff);
	CHECK_INTEGER(0x10000, DWORD_PREFIX, 0x00, 0x00, 0x01, 0x00);
	CHECK_INTEGER(0xffffffff, DWORD_PREFIX, 0xff, 0xff, 0xff, 0xff);
	CHECK_INTEGER(0x100000000ULL, QWORD_PREFIX, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	CHECK_INTEGER(UINT64_MAX, QWORD_PREFIX, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
}

/* Distinct bytes catch a wrong byte order at every width. */
static void test_integer_little_endian(void **state)
{
	(void)state;
	CHECK_INTEGER(0x5a, BYTE_PREFIX, 0x5a);
	CHECK_INTEGER(0x1234, WORD_PREFIX, 0x34, 0x12);
	CHECK_INTEGER(0x12345678, DWORD_PREFIX, 0x78, 0x56, 0x34, 0x12);
	CHECK_INTEGER(0x0123456789abcdefULL, QWORD_PREFIX, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23,
		      0x01);
}

static void test_integers_append(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 32);
	aml_integer(&o.a, 0);
	aml_integer(&o.a, 1);
	aml_integer(&o.a, 0x300);
	aml_integer(&o.a, 7);
	ASSERT_OUTPUT(&o, ZERO_OP, ONE_OP, WORD_PREFIX, 0x00, 0x03, BYTE_PREFIX, 0x07);
	out_free(&o);
}

static void test_string(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 32);
	aml_string(&o.a, "sevm 1");
	aml_string(&o.a, "");
	ASSERT_OUTPUT(&o, STRING_PREFIX, 's', 'e', 'v', 'm', ' ', '1', 0x00, STRING_PREFIX, 0x00);
	out_free(&o);
}

static void check_name(const char *name, const uint8_t *want, size_t want_len)
{
	struct out o;

	out_init(&o, 16);
	aml_name(&o.a, name);
	assert_output(&o, want, want_len);
	out_free(&o);
}

#define CHECK_NAME(name, ...)                                                                      \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		check_name(name, want_, sizeof(want_));                                            \
	} while (0)

static void test_name_seg(void **state)
{
	(void)state;
	CHECK_NAME("COM1", 'C', 'O', 'M', '1');
	CHECK_NAME("RTC", 'R', 'T', 'C', '_');
	CHECK_NAME("KBD", 'K', 'B', 'D', '_');
	CHECK_NAME("_S5", '_', 'S', '5', '_');
	CHECK_NAME("A", 'A', '_', '_', '_');
	CHECK_NAME("_HID", '_', 'H', 'I', 'D');
}

static void test_name_root(void **state)
{
	(void)state;
	CHECK_NAME("\\_SB_", ROOT_CHAR, '_', 'S', 'B', '_');
	CHECK_NAME("\\_SB", ROOT_CHAR, '_', 'S', 'B', '_');
	CHECK_NAME("\\PCI0", ROOT_CHAR, 'P', 'C', 'I', '0');
}

static void test_name_decl(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 32);
	aml_name_decl(&o.a, "_UID");
	aml_integer(&o.a, 0);
	aml_name_decl(&o.a, "RTC");
	aml_string(&o.a, "x");
	ASSERT_OUTPUT(&o, NAME_OP, '_', 'U', 'I', 'D', ZERO_OP, NAME_OP, 'R', 'T', 'C', '_',
		      STRING_PREFIX, 'x', 0x00);
	out_free(&o);
}

static void check_eisaid(const char *id, const uint8_t *want, size_t want_len)
{
	struct out o;

	out_init(&o, 16);
	aml_eisaid(&o.a, id);
	assert_output(&o, want, want_len);
	out_free(&o);
}

#define CHECK_EISAID(id, ...)                                                                      \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		check_eisaid(id, want_, sizeof(want_));                                            \
	} while (0)

/*
 * EisaId (§19.6.35): bit 31 zero, three 5-bit letters ('A' = 1), four hex
 * digits; the resulting 32-bit value is stored byte-swapped, so the bytes
 * read in the order of the text. What iasl emits for EisaId ("PNP0501").
 */
static void test_eisaid(void **state)
{
	(void)state;
	CHECK_EISAID("PNP0501", DWORD_PREFIX, 0x41, 0xd0, 0x05, 0x01);
	CHECK_EISAID("PNP0B00", DWORD_PREFIX, 0x41, 0xd0, 0x0b, 0x00);
	CHECK_EISAID("PNP0303", DWORD_PREFIX, 0x41, 0xd0, 0x03, 0x03);
	/* Three different letters pin down each letter's bit position. */
	CHECK_EISAID("ABC1234", DWORD_PREFIX, 0x04, 0x43, 0x12, 0x34);
	CHECK_EISAID("ZZZFFFF", DWORD_PREFIX, 0x6b, 0x5a, 0xff, 0xff);
	CHECK_EISAID("PNP0c0f", DWORD_PREFIX, 0x41, 0xd0, 0x0c, 0x0f);
}

/* ---- PkgLength ---- */

/*
 * A Package whose body (everything after the PkgLength: NumElements and the
 * elements) is body bytes; the elements are raw filler i & 0xff.
 */
static void check_package_body(size_t body)
{
	struct out o;
	size_t nbytes;
	int n;

	out_init(&o, body + 16);
	aml_package(&o.a, 0x5e);
	for (size_t i = 1; i < body; i++) {
		uint8_t b = (uint8_t)i;

		aml_bytes(&o.a, &b, 1);
	}
	aml_close(&o.a);
	n = aml_finish(&o.a);
	assert_true(n > 0);
	assert_int_equal(o.mem[0], PACKAGE_OP);
	/* The PkgLength counts every byte after the opcode, itself included. */
	nbytes = assert_pkglen(o.mem + 1, (size_t)n - 1, (size_t)n - 1);
	assert_int_equal((size_t)n, 1 + nbytes + body);
	/* The body survived the PkgLength's compaction unchanged. */
	assert_int_equal(o.mem[1 + nbytes], 0x5e);
	for (size_t i = 1; i < body; i++)
		if (o.mem[1 + nbytes + i] != (uint8_t)i)
			fail_msg("body byte %zu: got 0x%02x, want 0x%02x", i, o.mem[1 + nbytes + i],
				 (uint8_t)i);
	out_free(&o);
}

static void test_pkglen_sizes(void **state)
{
	static const size_t bodies[] = {
	    1,	      2,       61,   62, /* total 63: the largest 1-byte form */
	    63,				 /* total 65: 64 does not fit in 6 bits */
	    64,	      100,     4093,	 /* total 4095: the largest 2-byte form */
	    4094,			 /* total 4097 */
	    5000,     0xffffc,		 /* total 0xfffff: the largest 3-byte form */
	    0xffffd,			 /* total 0x100001 */
	    0x100000,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		check_package_body(bodies[i]);
}

/* The exact bytes at the 1/2/3/4-byte transitions. */
static void check_pkglen_bytes(size_t body, const uint8_t *want, size_t want_len)
{
	struct out o;
	int n;

	out_init(&o, body + 16);
	aml_package(&o.a, 0);
	for (size_t i = 1; i < body; i++)
		aml_bytes(&o.a, "", 1);
	aml_close(&o.a);
	n = aml_finish(&o.a);
	assert_int_equal(n, (int)(1 + want_len + body));
	assert_bytes(o.mem + 1, want_len, want, want_len);
	out_free(&o);
}

#define CHECK_PKGLEN(body, ...)                                                                    \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		check_pkglen_bytes(body, want_, sizeof(want_));                                    \
	} while (0)

static void test_pkglen_encoding(void **state)
{
	(void)state;
	CHECK_PKGLEN(1, 0x02);
	CHECK_PKGLEN(62, 0x3f);
	CHECK_PKGLEN(63, 0x41, 0x04);		       /* 65 = 0x041 */
	CHECK_PKGLEN(64, 0x42, 0x04);		       /* 66 = 0x042 */
	CHECK_PKGLEN(4093, 0x4f, 0xff);		       /* 4095 = 0xfff */
	CHECK_PKGLEN(4094, 0x81, 0x00, 0x01);	       /* 4097 = 0x1001 */
	CHECK_PKGLEN(5000, 0x8b, 0x38, 0x01);	       /* 5003 = 0x138b */
	CHECK_PKGLEN(0xffffd, 0xc1, 0x00, 0x00, 0x01); /* 0x100001 */
}

/* Name (_S5, Package () { 5, 0 }), as in sevm's DSDT. */
static void test_package_s5(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 32);
	aml_name_decl(&o.a, "_S5");
	aml_package(&o.a, 2);
	aml_integer(&o.a, 5);
	aml_integer(&o.a, 0);
	aml_close(&o.a);
	ASSERT_OUTPUT(&o, NAME_OP, '_', 'S', '5', '_', PACKAGE_OP, 0x05, 0x02, BYTE_PREFIX, 0x05,
		      ZERO_OP);
	out_free(&o);
}

/* Scope (\_SB) { Device (COM1) { Name (_UID, Zero) } } */
static void test_scope_device_nested(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64);
	aml_scope(&o.a, "\\_SB_");
	aml_device(&o.a, "COM1");
	aml_name_decl(&o.a, "_UID");
	aml_integer(&o.a, 0);
	aml_close(&o.a);
	aml_close(&o.a);
	ASSERT_OUTPUT(&o, SCOPE_OP, 0x13, ROOT_CHAR, '_', 'S', 'B', '_',  /* 19 after opcode */
		      EXT_OP_PREFIX, DEVICE_OP, 0x0b, 'C', 'O', 'M', '1', /* 11 after opcode */
		      NAME_OP, '_', 'U', 'I', 'D', ZERO_OP);
	out_free(&o);
}

/* Siblings after a closed device land in the enclosing scope. */
static void test_scope_siblings(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64);
	aml_scope(&o.a, "\\_SB_");
	aml_device(&o.a, "A");
	aml_close(&o.a);
	aml_device(&o.a, "B");
	aml_close(&o.a);
	aml_close(&o.a);
	aml_integer(&o.a, 1);
	ASSERT_OUTPUT(&o, SCOPE_OP, 0x14, ROOT_CHAR, '_', 'S', 'B', '_', EXT_OP_PREFIX, DEVICE_OP,
		      0x05, 'A', '_', '_', '_', EXT_OP_PREFIX, DEVICE_OP, 0x05, 'B', '_', '_', '_',
		      ONE_OP);
	out_free(&o);
}

/*
 * An inner device large enough for a 2-byte PkgLength inside a scope that
 * then also needs one: each level's length must match what follows it.
 */
static void test_nested_multibyte(void **state)
{
	struct out o;
	size_t inner_body = 4 + 100, n1, n2, pos;
	int n;

	(void)state;
	out_init(&o, 512);
	aml_scope(&o.a, "\\_SB_");
	aml_device(&o.a, "DEV0");
	for (unsigned i = 0; i < 100; i++) {
		uint8_t b = (uint8_t)(0x80 + i);

		aml_bytes(&o.a, &b, 1);
	}
	aml_close(&o.a);
	aml_integer(&o.a, 0x1234);
	aml_close(&o.a);
	n = aml_finish(&o.a);
	assert_true(n > 0);
	assert_int_equal(o.mem[0], SCOPE_OP);
	n1 = assert_pkglen(o.mem + 1, (size_t)n - 1, (size_t)n - 1);
	pos = 1 + n1;
	assert_bytes(o.mem + pos, 5, (const uint8_t[]){ROOT_CHAR, '_', 'S', 'B', '_'}, 5);
	pos += 5;
	assert_int_equal(o.mem[pos], EXT_OP_PREFIX);
	assert_int_equal(o.mem[pos + 1], DEVICE_OP);
	pos += 2;
	n2 = assert_pkglen(o.mem + pos, (size_t)n - pos, inner_body + 2);
	assert_int_equal(n2, 2);
	pos += n2;
	assert_bytes(o.mem + pos, 4, (const uint8_t *)"DEV0", 4);
	pos += 4;
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(o.mem[pos + i], 0x80 + i);
	pos += 100;
	assert_bytes(o.mem + pos, 3, (const uint8_t[]){WORD_PREFIX, 0x34, 0x12}, 3);
	assert_int_equal(pos + 3, (size_t)n);
	out_free(&o);
}

/* As deep as the encoder tracks: every PkgLength right, innermost first. */
static void test_deep_nesting(void **state)
{
	struct out o;
	size_t pos = 0, nbytes;
	int n;

	(void)state;
	out_init(&o, 64 + 10 * MAX_DEPTH);
	for (size_t i = 0; i < MAX_DEPTH; i++)
		aml_scope(&o.a, "S");
	aml_integer(&o.a, 1);
	for (size_t i = 0; i < MAX_DEPTH; i++)
		aml_close(&o.a);
	n = aml_finish(&o.a);
	assert_true(n > 0);
	/* Each level: opcode, PkgLength, "S___"; then One. */
	for (size_t i = 0; i < MAX_DEPTH; i++) {
		assert_int_equal(o.mem[pos], SCOPE_OP);
		nbytes = assert_pkglen(o.mem + pos + 1, (size_t)n - pos - 1, (size_t)n - pos - 1);
		pos += 1 + nbytes;
		assert_bytes(o.mem + pos, 4, (const uint8_t *)"S___", 4);
		pos += 4;
	}
	assert_int_equal(o.mem[pos], ONE_OP);
	assert_int_equal(pos + 1, (size_t)n);
	out_free(&o);
}

/* ---- resource templates ---- */

static void test_resource_template_com1(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64);
	aml_resource_template(&o.a);
	aml_io(&o.a, 0x3f8, 8);
	aml_irq(&o.a, 4);
	aml_resource_end(&o.a);
	/* BufferSize 13 = IO (8) + IRQNoFlags (3) + EndTag (2); PkgLength 17 =
	 * itself + the WordConst (3) + 13. */
	ASSERT_OUTPUT(&o, BUFFER_OP, 0x11, WORD_PREFIX, 0x0d, 0x00, 0x47, 0x01, 0xf8, 0x03, 0xf8,
		      0x03, 0x01, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00);
	out_free(&o);
}

/* The keyboard controller's two ports; an IRQ mask in the high byte. */
static void test_resource_template_kbd_rtc(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64);
	aml_resource_template(&o.a);
	aml_io(&o.a, 0x60, 1);
	aml_io(&o.a, 0x64, 1);
	aml_irq(&o.a, 1);
	aml_resource_end(&o.a);
	aml_resource_template(&o.a);
	aml_io(&o.a, 0x70, 2);
	aml_irq(&o.a, 8);
	aml_resource_end(&o.a);
	ASSERT_OUTPUT(&o, BUFFER_OP, 0x19, WORD_PREFIX, 0x15, 0x00, /* 21 = 8 + 8 + 3 + 2 */
		      0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01, 0x47, 0x01, 0x64, 0x00, 0x64,
		      0x00, 0x01, 0x01, 0x22, 0x02, 0x00, 0x79, 0x00, BUFFER_OP, 0x11, WORD_PREFIX,
		      0x0d, 0x00, 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02, 0x22, 0x00, 0x01,
		      0x79, 0x00);
	out_free(&o);
}

static void test_irq_masks(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64);
	aml_irq(&o.a, 0);
	aml_irq(&o.a, 7);
	aml_irq(&o.a, 15);
	ASSERT_OUTPUT(&o, 0x22, 0x01, 0x00, 0x22, 0x80, 0x00, 0x22, 0x00, 0x80);
	out_free(&o);
}

/* A template over 63 bytes: the size word is filled in before the
 * PkgLength shrinks, and must still be right after the body moves. */
static void test_resource_template_large(void **state)
{
	struct out o;
	size_t nbytes, pos;
	int n;

	(void)state;
	out_init(&o, 256);
	aml_resource_template(&o.a);
	for (unsigned i = 0; i < 8; i++)
		aml_io(&o.a, (uint16_t)(0x1000 + 0x10 * i), (uint8_t)(i + 1));
	aml_irq(&o.a, 5);
	aml_resource_end(&o.a);
	n = aml_finish(&o.a);
	assert_true(n > 0);
	assert_int_equal(o.mem[0], BUFFER_OP);
	nbytes = assert_pkglen(o.mem + 1, (size_t)n - 1, (size_t)n - 1);
	assert_int_equal(nbytes, 2);
	pos = 1 + nbytes;
	assert_int_equal(o.mem[pos], WORD_PREFIX);
	assert_int_equal(o.mem[pos + 1] | o.mem[pos + 2] << 8, 8 * 8 + 3 + 2);
	pos += 3;
	assert_int_equal((size_t)n - pos, 8 * 8 + 3 + 2);
	for (unsigned i = 0; i < 8; i++, pos += 8) {
		uint16_t base = (uint16_t)(0x1000 + 0x10 * i);
		const uint8_t want[] = {0x47,	       0x01,
					(uint8_t)base, (uint8_t)(base >> 8),
					(uint8_t)base, (uint8_t)(base >> 8),
					0x01,	       (uint8_t)(i + 1)};

		assert_bytes(o.mem + pos, 8, want, 8);
	}
	assert_bytes(o.mem + pos, 5, (const uint8_t[]){0x22, 0x20, 0x00, 0x79, 0x00}, 5);
	out_free(&o);
}

/* ---- errors ---- */

/* What acpi.c's DSDT does; used to try every buffer size. */
static void emit_dsdt_like(struct aml *a)
{
	aml_name_decl(a, "_S5");
	aml_package(a, 2);
	aml_integer(a, 5);
	aml_integer(a, 0);
	aml_close(a);
	aml_scope(a, "\\_SB_");
	aml_device(a, "COM1");
	aml_name_decl(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name_decl(a, "_UID");
	aml_integer(a, 0x100000000ULL);
	aml_name_decl(a, "_STR");
	aml_string(a, "serial port");
	aml_name_decl(a, "_CRS");
	aml_resource_template(a);
	aml_io(a, 0x3f8, 8);
	aml_irq(a, 4);
	aml_resource_end(a);
	aml_close(a);
	aml_close(a);
}

/*
 * Every capacity too small fails with -ENOSPC and writes nothing past cap;
 * every capacity that works gives the same bytes. Open scopes reserve
 * their longest PkgLength, so success may need a few bytes more than the
 * result (at most 3 per scope open at once, here 3).
 */
static void test_overflow_every_size(void **state)
{
	uint8_t ref[256];
	struct aml a;
	size_t min_ok = 0;
	int len;

	(void)state;
	aml_init(&a, ref, sizeof(ref));
	emit_dsdt_like(&a);
	len = aml_finish(&a);
	assert_true(len > 0);

	for (size_t cap = 0; cap <= (size_t)len + 16; cap++) {
		struct out o;
		int n;

		out_init(&o, cap);
		emit_dsdt_like(&o.a);
		n = aml_finish(&o.a);
		if (n < 0) {
			assert_int_equal(n, -ENOSPC);
			if (min_ok)
				fail_msg("cap %zu fails although cap %zu worked", cap, min_ok);
		} else {
			if (!min_ok)
				min_ok = cap;
			assert_bytes(o.mem, (size_t)n, ref, (size_t)len);
		}
		out_free(&o);
	}
	assert_true(min_ok >= (size_t)len);
	assert_true(min_ok <= (size_t)len + 3 * 3);
}

static void test_overflow_integer(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 4);
	aml_integer(&o.a, 0x12345678); /* 5 bytes */
	assert_int_equal(aml_finish(&o.a), -ENOSPC);
	out_free(&o);

	out_init(&o, 0);
	aml_integer(&o.a, 0);
	assert_int_equal(aml_finish(&o.a), -ENOSPC);
	out_free(&o);
}

/* The overflow is remembered: later writes that would fit change nothing
 * and the result is still an error. */
static void test_overflow_sticky(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 6);
	aml_integer(&o.a, 1);
	aml_bytes(&o.a, "0123456789", 10); /* does not fit: nothing of it is written */
	aml_integer(&o.a, 0);
	aml_integer(&o.a, 0);
	assert_int_equal(aml_finish(&o.a), -ENOSPC);
	assert_int_equal(o.mem[0], ONE_OP);
	for (size_t i = 1; i < o.cap; i++)
		assert_int_equal(o.mem[i], FILL);
	out_free(&o);

	/* An item cut short is not completed by later ones either. */
	out_init(&o, 6);
	aml_integer(&o.a, 1);
	aml_string(&o.a, "toolong");
	aml_integer(&o.a, 0);
	aml_integer(&o.a, 0);
	assert_int_equal(aml_finish(&o.a), -ENOSPC);
	for (size_t i = 2; i < o.cap; i++)
		assert_int_equal(o.mem[i], FILL);
	out_free(&o);
}

/* Overflow while a scope is open, then closing it: still no write past cap. */
static void test_overflow_in_scope(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 12);
	aml_scope(&o.a, "\\_SB_");
	aml_device(&o.a, "COM1");
	aml_string(&o.a, "0123456789");
	aml_close(&o.a);
	aml_close(&o.a);
	assert_int_equal(aml_finish(&o.a), -ENOSPC);
	out_free(&o);
}

static void test_unclosed_scope(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64);
	aml_scope(&o.a, "\\_SB_");
	aml_device(&o.a, "COM1");
	aml_close(&o.a);
	assert_true(aml_finish(&o.a) < 0);
	out_free(&o);

	out_init(&o, 64);
	aml_package(&o.a, 1);
	aml_integer(&o.a, 0);
	assert_true(aml_finish(&o.a) < 0);
	out_free(&o);

	out_init(&o, 64);
	aml_resource_template(&o.a);
	aml_irq(&o.a, 4);
	assert_true(aml_finish(&o.a) < 0);
	out_free(&o);
}

static void test_close_without_scope(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64);
	aml_close(&o.a);
	assert_true(aml_finish(&o.a) < 0);
	out_free(&o);

	/* One close too many after a balanced pair. */
	out_init(&o, 64);
	aml_scope(&o.a, "\\_SB_");
	aml_close(&o.a);
	aml_close(&o.a);
	assert_true(aml_finish(&o.a) < 0);
	out_free(&o);
}

/* Like aml_close(), an aml_resource_end() with nothing open is a builder
 * bug and must make aml_finish() fail rather than emit a stray end tag. */
static void test_resource_end_without_template(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64);
	aml_integer(&o.a, 1);
	aml_resource_end(&o.a);
	assert_true(aml_finish(&o.a) < 0);
	out_free(&o);
}

/* Nesting deeper than the encoder tracks fails cleanly, without writing
 * outside struct aml (ASan) or the buffer (guard). */
static void test_too_deep(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 64 + 10 * MAX_DEPTH);
	for (size_t i = 0; i < MAX_DEPTH + 1; i++)
		aml_scope(&o.a, "S");
	for (size_t i = 0; i < MAX_DEPTH + 1; i++)
		aml_close(&o.a);
	assert_true(aml_finish(&o.a) < 0);
	out_free(&o);
}

/* aml_init() forgets everything about a previous use. */
static void test_init_resets(void **state)
{
	struct out o;

	(void)state;
	out_init(&o, 8);
	aml_scope(&o.a, "\\_SB_");
	aml_string(&o.a, "overflowing");
	assert_true(aml_finish(&o.a) < 0);
	aml_init(&o.a, o.mem, o.cap);
	aml_integer(&o.a, 2);
	ASSERT_OUTPUT(&o, BYTE_PREFIX, 0x02);
	out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_integer_boundaries),
	    TEST(test_integer_little_endian),
	    TEST(test_integers_append),
	    TEST(test_string),
	    TEST(test_name_seg),
	    TEST(test_name_root),
	    TEST(test_name_decl),
	    TEST(test_eisaid),
	    TEST(test_pkglen_sizes),
	    TEST(test_pkglen_encoding),
	    TEST(test_package_s5),
	    TEST(test_scope_device_nested),
	    TEST(test_scope_siblings),
	    TEST(test_nested_multibyte),
	    TEST(test_deep_nesting),
	    TEST(test_resource_template_com1),
	    TEST(test_resource_template_kbd_rtc),
	    TEST(test_irq_masks),
	    TEST(test_resource_template_large),
	    TEST(test_overflow_every_size),
	    TEST(test_overflow_integer),
	    TEST(test_overflow_sticky),
	    TEST(test_overflow_in_scope),
	    TEST(test_unclosed_scope),
	    TEST(test_close_without_scope),
	    TEST(test_resource_end_without_template),
	    TEST(test_too_deep),
	    TEST(test_init_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
