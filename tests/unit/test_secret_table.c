// SPDX-License-Identifier: MIT
/*
 * Unit tests for the firmware's secret table check (firmware/secret_table.c,
 * compiled hosted here, freestanding into the firmware's CPL3 code). Tables
 * are built byte by byte; the table GUID is written out from sev-facts.md
 * (Linux efi_secret's), the transport key's from fw_abi.h's definition, not
 * taken from the header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../firmware/secret_table.h"

#define BLOCK 4096
#define HDR 20	/* GUID, u32 total length */
#define EHDR 20 /* GUID, u32 entry length */
#define KEY 32

/* 1e74f542-71dd-4d66-963e-ef4287ff173b, GUID byte order. */
static const uint8_t table_guid[16] = {0x42, 0xf5, 0x74, 0x1e, 0xdd, 0x71, 0x66, 0x4d,
				       0x96, 0x3e, 0xef, 0x42, 0x87, 0xff, 0x17, 0x3b};
/* bfeaa839-91e5-4dcc-9b08-388c0081baa7 */
static const uint8_t key_guid[16] = {0x39, 0xa8, 0xea, 0xbf, 0xe5, 0x91, 0xcc, 0x4d,
				     0x9b, 0x08, 0x38, 0x8c, 0x00, 0x81, 0xba, 0xa7};
/* Any other entry: Linux's efi_secret GUIDs are the owner's business. */
static const uint8_t other_guid[16] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
				       0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

/* A secret block being filled: entries appended at used. */
struct tb {
	uint8_t b[BLOCK];
	uint32_t used;
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void tb_init(struct tb *t)
{
	memset(t->b, 0, sizeof(t->b));
	memcpy(t->b, table_guid, 16);
	t->used = HDR;
}

/* Appends an entry with data_len bytes of data (0xa5 ...) and length
 * field len_field; returns the offset of its data. */
static uint32_t tb_entry_len(struct tb *t, const uint8_t *guid, uint32_t data_len,
			     uint32_t len_field)
{
	uint32_t at = t->used;

	memcpy(t->b + at, guid, 16);
	put32(t->b + at + 16, len_field);
	memset(t->b + at + EHDR, 0xa5, data_len);
	t->used += EHDR + data_len;
	return at + EHDR;
}

static uint32_t tb_entry(struct tb *t, const uint8_t *guid, uint32_t data_len)
{
	return tb_entry_len(t, guid, data_len, EHDR + data_len);
}

/* Writes the total length: used rounded up to 16. */
static uint32_t tb_finish(struct tb *t)
{
	uint32_t total = (t->used + 15) & ~15u;

	put32(t->b + 16, total);
	return total;
}

static int check(const struct tb *t, struct secret_table_info *info, const char **why)
{
	uint32_t reason = SECRET_REASON_NONE;
	int ret;

	*why = NULL;
	memset(info, 0xee, sizeof(*info));
	ret = secret_table_check(t->b, BLOCK, info, &reason);
	/* A reason only with a refusal, and always a known one. */
	assert_true((ret == SECRET_TABLE_BAD) == (reason != SECRET_REASON_NONE));
	if (reason)
		*why = secret_table_reason_text(reason);
	return ret;
}

static void expect_bad(const struct tb *t, const char *want)
{
	struct secret_table_info info;
	const char *why;

	assert_int_equal(check(t, &info, &why), SECRET_TABLE_BAD);
	assert_non_null(why);
	assert_string_equal(why, want);
}

/* ---- valid tables ---- */

static void test_with_key(void **state)
{
	struct secret_table_info info;
	const char *why;
	struct tb t;
	uint32_t key;

	(void)state;
	tb_init(&t);
	key = tb_entry(&t, key_guid, KEY);
	assert_int_equal(t.used, 72);
	assert_int_equal(tb_finish(&t), 80); /* 8 bytes of padding */
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_OK);
	assert_null(why);
	assert_int_equal(info.total, 80);
	assert_int_equal(info.used, 72);
	assert_int_equal(info.entries, 1);
	assert_int_equal(info.key_offset, key);
	assert_int_equal(info.key_offset, HDR + EHDR);
}

/* 5d0c3c8e-2f4b-4a6e-8c1d-9b7e5230a461: the launch id the MH's nonces
 * come from. The first one of 16 bytes counts; other sizes are left alone. */
static void test_launch_id(void **state)
{
	static const uint8_t id_guid[16] = {0x8e, 0x3c, 0x0c, 0x5d, 0x4b, 0x2f, 0x6e, 0x4a,
					    0x8c, 0x1d, 0x9b, 0x7e, 0x52, 0x30, 0xa4, 0x61};
	struct secret_table_info info;
	const char *why;
	struct tb t;
	uint32_t id;

	(void)state;
	tb_init(&t);
	tb_entry(&t, id_guid, 8);
	tb_entry(&t, key_guid, KEY);
	id = tb_entry(&t, id_guid, 16);
	tb_entry(&t, id_guid, 16);
	tb_finish(&t);
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_OK);
	assert_int_equal(info.entries, 4);
	assert_int_equal(info.launch_id_offset, id);

	tb_init(&t);
	tb_entry(&t, key_guid, KEY);
	tb_finish(&t);
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_OK);
	assert_int_equal(info.launch_id_offset, 0);
}

static void test_without_key(void **state)
{
	struct secret_table_info info;
	const char *why;
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_entry(&t, other_guid, 12);
	tb_entry(&t, other_guid, 0);
	assert_int_equal(tb_finish(&t), 80);
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_OK);
	assert_int_equal(info.entries, 2);
	assert_int_equal(info.key_offset, 0);
	assert_int_equal(info.used, 72);
}

static void test_header_only(void **state)
{
	struct secret_table_info info;
	const char *why;
	struct tb t;

	(void)state;
	tb_init(&t);
	assert_int_equal(tb_finish(&t), 32);
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_OK);
	assert_int_equal(info.entries, 0);
	assert_int_equal(info.key_offset, 0);
	assert_int_equal(info.used, HDR);
}

/* The key among other entries, its offset where its data is. */
static void test_key_among_others(void **state)
{
	struct secret_table_info info;
	const char *why;
	struct tb t;
	uint32_t key;

	(void)state;
	tb_init(&t);
	tb_entry(&t, other_guid, 100);
	key = tb_entry(&t, key_guid, KEY);
	tb_entry(&t, other_guid, 7);
	tb_finish(&t);
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_OK);
	assert_int_equal(info.entries, 3);
	assert_int_equal(info.key_offset, key);
	assert_memory_equal(t.b + info.key_offset - EHDR, key_guid, 16);
}

/* Padding of every length 0..15 is accepted, and only up to total is read. */
static void test_padding_lengths(void **state)
{
	(void)state;
	for (uint32_t data = 0; data < 16; data++) {
		struct secret_table_info info;
		const char *why;
		struct tb t;
		uint32_t total;

		tb_init(&t);
		tb_entry(&t, key_guid, KEY);
		tb_entry(&t, other_guid, data);
		total = tb_finish(&t);
		assert_int_equal(total - t.used, (16 - t.used % 16) % 16);
		t.b[total] = 0xff; /* beyond the table: none of its business */
		assert_int_equal(check(&t, &info, &why), SECRET_TABLE_OK);
		assert_int_equal(info.total, total);
		assert_int_equal(info.used, t.used);
		assert_int_equal(info.entries, 2);
	}
}

/* One entry filling the whole block. */
static void test_full_block(void **state)
{
	struct secret_table_info info;
	const char *why;
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_entry(&t, other_guid, BLOCK - HDR - EHDR);
	assert_int_equal(tb_finish(&t), BLOCK);
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_OK);
	assert_int_equal(info.entries, 1);
	assert_int_equal(info.used, BLOCK);
}

/* ---- nothing injected ---- */

static void test_none(void **state)
{
	struct secret_table_info info;
	uint32_t reason;
	const char *why;
	struct tb t;

	(void)state;
	memset(t.b, 0, sizeof(t.b));
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_NONE);
	assert_null(why);
	/* One byte off the GUID is no table either. */
	tb_init(&t);
	tb_entry(&t, key_guid, KEY);
	tb_finish(&t);
	t.b[15] ^= 1;
	assert_int_equal(check(&t, &info, &why), SECRET_TABLE_NONE);
	/* Too small a buffer to hold the GUID. */
	assert_int_equal(secret_table_check(t.b, 15, &info, &reason), SECRET_TABLE_NONE);
}

/* ---- malformed ---- */

static void test_bad_total(void **state)
{
	struct secret_table_info info;
	uint32_t reason;
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_entry(&t, key_guid, KEY);
	tb_finish(&t);
	put32(t.b + 16, 0);
	expect_bad(&t, "total length below the header");
	put32(t.b + 16, 16);
	expect_bad(&t, "total length below the header");
	put32(t.b + 16, BLOCK + 16);
	expect_bad(&t, "total length exceeds the secret block");
	put32(t.b + 16, UINT32_MAX & ~15u);
	expect_bad(&t, "total length exceeds the secret block");
	put32(t.b + 16, 72); /* the used part, unpadded */
	expect_bad(&t, "total length not a multiple of 16");
	put32(t.b + 16, 81);
	expect_bad(&t, "total length not a multiple of 16");
	/* Within the block, but beyond what the caller can read. */
	put32(t.b + 16, 80);
	assert_int_equal(secret_table_check(t.b, 64, &info, &reason), SECRET_TABLE_BAD);
	assert_string_equal(secret_table_reason_text(reason), "total length exceeds the secret block");
	assert_int_equal(secret_table_check(t.b, 18, &info, &reason), SECRET_TABLE_BAD);
	assert_int_equal(reason, SECRET_REASON_TOTAL_LONG);
}

static void test_entry_too_short(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_entry_len(&t, other_guid, 12, 0); /* would loop forever if taken */
	tb_finish(&t);
	expect_bad(&t, "entry length below its header");
	tb_init(&t);
	tb_entry_len(&t, other_guid, 12, EHDR - 1);
	tb_finish(&t);
	expect_bad(&t, "entry length below its header");
}

static void test_entry_overrun(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_entry(&t, key_guid, KEY);
	tb_entry_len(&t, other_guid, 4, EHDR + 4 + 16); /* past the total */
	tb_finish(&t);
	expect_bad(&t, "entry overruns the table");
	tb_init(&t);
	tb_entry_len(&t, other_guid, 4, UINT32_MAX);
	tb_finish(&t);
	expect_bad(&t, "entry overruns the table");
}

/* 16 or more bytes after the last entry: not padding, and no entry fits. */
static void test_entry_header_overrun(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_entry(&t, other_guid, 24); /* used 64, a multiple of 16 */
	put32(t.b + 16, 80);	      /* 16 zero bytes follow */
	expect_bad(&t, "entry header overruns the table");
}

static void test_nonzero_padding(void **state)
{
	struct tb t;
	uint32_t total;

	(void)state;
	for (uint32_t i = 0; i < 8; i++) {
		tb_init(&t);
		tb_entry(&t, key_guid, KEY);
		total = tb_finish(&t);
		assert_int_equal(total - t.used, 8);
		t.b[t.used + i] = 1;
		expect_bad(&t, "nonzero padding");
	}
}

static void test_duplicate_key(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_entry(&t, key_guid, KEY);
	tb_entry(&t, other_guid, 3);
	tb_entry(&t, key_guid, KEY);
	tb_finish(&t);
	expect_bad(&t, "duplicate transport key");
}

static void test_key_size(void **state)
{
	static const uint32_t sizes[] = {0, 16, KEY - 1, KEY + 1, 64};
	struct tb t;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		tb_init(&t);
		tb_entry(&t, key_guid, sizes[i]);
		tb_finish(&t);
		expect_bad(&t, "transport key size");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_with_key),
	    cmocka_unit_test(test_without_key),
	    cmocka_unit_test(test_header_only),
	    cmocka_unit_test(test_key_among_others),
	    cmocka_unit_test(test_padding_lengths),
	    cmocka_unit_test(test_full_block),
	    cmocka_unit_test(test_none),
	    cmocka_unit_test(test_bad_total),
	    cmocka_unit_test(test_entry_too_short),
	    cmocka_unit_test(test_entry_overrun),
	    cmocka_unit_test(test_entry_header_overrun),
	    cmocka_unit_test(test_nonzero_padding),
	    cmocka_unit_test(test_duplicate_key),
	    cmocka_unit_test(test_key_size),
	    cmocka_unit_test(test_launch_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
