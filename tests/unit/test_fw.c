// SPDX-License-Identifier: MIT
/*
 * Unit tests for the host side of the firmware interface: the GUIDed table
 * reader (src/vmm/fw_table.c) on synthetic images from helpers.c, the kernel
 * hashes table (src/vmm/fw_hashes.c) against SHA-256 values computed
 * independently (FIPS 180-2 vectors and sha256sum), and the reset state
 * (src/vmm/resetstate.c). GUIDs are written out from sev-facts.md here, not
 * taken from include/sevm/fw_abi.h.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fw_hashes.h"
#include "fw_table.h"
#include "helpers.h"
#include "resetstate.h"

#define MiB (1u << 20)

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- the GUIDs of fw_abi.h against sev-facts.md ---- */

static void check_guid(const uint8_t *macro, const char *str)
{
	uint8_t want[16];

	guid_parse(str, want);
	assert_memory_equal(macro, want, 16);
}

static void test_guids(void **state)
{
	static const uint8_t footer[] = FW_GUID_TABLE_FOOTER;
	static const uint8_t reset[] = FW_GUID_SEV_ES_RESET_BLOCK;
	static const uint8_t secret[] = FW_GUID_SEV_SECRET_BLOCK;
	static const uint8_t hashes[] = FW_GUID_SEV_HASHES_BLOCK;
	static const uint8_t info[] = FW_GUID_SEVM_INFO;
	/* EFI order spelled out once by hand, to check guid_parse itself. */
	static const uint8_t footer_bytes[16] = {0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
						 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};
	uint8_t g[16];

	(void)state;
	guid_parse(GUID_STR_TABLE_FOOTER, g);
	assert_memory_equal(g, footer_bytes, 16);
	check_guid(footer, GUID_STR_TABLE_FOOTER);
	check_guid(reset, GUID_STR_SEV_ES_RESET);
	check_guid(secret, GUID_STR_SEV_SECRET);
	check_guid(hashes, GUID_STR_SEV_HASHES);
	check_guid(info, GUID_STR_SEVM_INFO);
	/* The table layout constants. */
	assert_int_equal(FW_TABLE_FOOTER_GPA, 0xffffffd0u);
	assert_int_equal(FW_IMAGE_END - FW_TABLE_FOOTER_GPA, FWIMG_FOOTER_FROM_END);
	assert_int_equal(FW_RESET_VECTOR_GPA, 0xfffffff0u);
	assert_int_equal(sizeof(struct fw_sevm_info), FWIMG_INFO_LEN);
}

/* ---- fw_table_parse ---- */

static uint8_t *build(const struct fwimg *f, size_t *len)
{
	uint8_t *img = fwimg_build(f, len);

	assert_non_null(img);
	return img;
}

static void parse_ok(const struct fwimg *f, struct fw_layout *l, int tline)
{
	char why[256] = "";
	size_t len;
	uint8_t *img = build(f, &len);
	int ret = fw_table_parse(img, len, l, why, sizeof(why));

	free(img);
	if (ret)
		print_message("test line %d: unexpected failure %d: %s\n", tline, ret, why);
	assert_int_equal(ret, 0);
}

static void parse_fail(const struct fwimg *f, const char *want, int tline)
{
	char why[256] = "";
	struct fw_layout l;
	size_t len;
	uint8_t *img = build(f, &len);
	int ret = fw_table_parse(img, len, &l, why, sizeof(why));

	free(img);
	if (ret != -EINVAL || !strstr(why, want))
		print_message("test line %d: got %d \"%s\", want -EINVAL \"...%s...\"\n", tline,
			      ret, why, want);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(why, want));
}

static void parse_fail_p(const struct fwimg_params *p, const char *want, int tline)
{
	struct fwimg f;

	fwimg_init(&f, p);
	parse_fail(&f, want, tline);
}

#define PARSE_OK(f, l) parse_ok(f, l, __LINE__)
#define PARSE_FAIL(f, want) parse_fail(f, want, __LINE__)
#define PARSE_FAIL_P(p, want) parse_fail_p(p, want, __LINE__)

static void assert_default_layout(const struct fw_layout *l)
{
	assert_int_equal(l->image_base, 0x100000000ULL - FWIMG_DEFAULT_SIZE);
	assert_int_equal(l->image_base, FWIMG_DEFAULT_BASE);
	assert_int_equal(l->ap_reset, FWIMG_DEFAULT_AP_RESET);
	assert_int_equal(l->secret.base, FWIMG_DEFAULT_SECRET);
	assert_int_equal(l->secret.size, 0x1000);
	assert_int_equal(l->hashes.base, FWIMG_DEFAULT_HASHES);
	assert_int_equal(l->hashes.size, 0x1000);
	assert_int_equal(l->info.version, 1);
	assert_int_equal(l->info.image_base, FWIMG_DEFAULT_BASE);
	assert_int_equal(l->info.vmsa_base, FWIMG_DEFAULT_VMSA);
	assert_int_equal(l->info.vmsa_max, FWIMG_DEFAULT_VMSA_MAX);
	assert_int_equal(l->info.shared_base, FWIMG_DEFAULT_SHARED);
	assert_int_equal(l->info.shared_size, FWIMG_DEFAULT_SHARED_SIZE);
	assert_int_equal(l->info.runtime_base, FWIMG_DEFAULT_RUNTIME);
	assert_int_equal(l->info.runtime_size, FWIMG_DEFAULT_RUNTIME_SIZE);
}

static void test_parse_good(void **state)
{
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	memset(&l, 0x5a, sizeof(l));
	PARSE_OK(&f, &l);
	assert_default_layout(&l);
}

static void test_parse_image_sizes(void **state)
{
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f;

	(void)state;
	/* image_base follows the size: the image always ends at 4 GiB. */
	fwimg_params_default(&p);
	p.size = 2 * MiB;
	p.image_base = 0xffe00000u;
	fwimg_init(&f, &p);
	PARSE_OK(&f, &l);
	assert_int_equal(l.image_base, 0xffe00000u);

	/* The largest image. */
	p.size = 16 * MiB;
	p.image_base = 0xff000000u;
	p.vmsa_base = 0xff000000u;
	p.vmsa_max = 1024; /* 4 MiB of VMSA pages */
	fwimg_init(&f, &p);
	PARSE_OK(&f, &l);
	assert_int_equal(l.image_base, 0xff000000u);
	assert_int_equal(l.info.vmsa_max, 1024);

	/* One page more. */
	p.size = 16 * MiB + 4096;
	p.image_base = 0xfefff000u;
	PARSE_FAIL_P(&p, "at most 16 MiB");
	p.size = 32 * MiB;
	p.image_base = 0xfe000000u;
	PARSE_FAIL_P(&p, "at most 16 MiB");

	/* Not whole pages. */
	fwimg_params_default(&p);
	p.size = FWIMG_DEFAULT_SIZE + 16;
	PARSE_FAIL_P(&p, "want whole 4 KiB pages");
	p.size = FWIMG_DEFAULT_SIZE - 1;
	PARSE_FAIL_P(&p, "want whole 4 KiB pages");
}

static void test_parse_empty_image(void **state)
{
	static const uint8_t nothing[1];
	char why[128] = "";
	struct fw_layout l;

	(void)state;
	assert_int_equal(fw_table_parse(nothing, 0, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "the image is 0 bytes"));
}

static void test_parse_entry_order(void **state)
{
	static const unsigned orders[][4] = {
	    {3, 2, 1, 0}, {1, 2, 3, 0}, {2, 0, 3, 1}, {3, 0, 1, 2}, {0, 3, 2, 1},
	};
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f, g;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
		g = f;
		for (unsigned i = 0; i < 4; i++)
			g.e[i] = f.e[orders[o][i]];
		memset(&l, 0, sizeof(l));
		PARSE_OK(&g, &l);
		assert_default_layout(&l);
	}
}

static void test_parse_extra_entries(void **state)
{
	static const uint8_t junk[40] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f, g;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	/* Entries sevm does not know, one with no data, nearest the footer. */
	g = f;
	fwimg_add(&g, "11111111-2222-3333-4444-555555555555", junk, sizeof(junk));
	fwimg_add(&g, "dc886566-984a-4798-a75e-5585a7bf67cc", NULL, 0); /* OVMF's SNP block */
	PARSE_OK(&g, &l);
	assert_default_layout(&l);

	/* Unknown entries below them all and between them. */
	g = f;
	g.nr = 0;
	fwimg_add(&g, "33333333-2222-3333-4444-555555555555", junk, 1);
	g.e[g.nr++] = f.e[0];
	fwimg_add(&g, "22222222-2222-3333-4444-555555555555", junk, 3);
	g.e[g.nr++] = f.e[1];
	g.e[g.nr++] = f.e[2];
	fwimg_add(&g, "11111111-2222-3333-4444-555555555555", junk, sizeof(junk));
	g.e[g.nr++] = f.e[3];
	PARSE_OK(&g, &l);
	assert_default_layout(&l);
}

static void test_parse_no_footer(void **state)
{
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f;
	char why[128] = "";
	size_t len, footer;
	uint8_t *img;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	f.no_footer = true;
	PARSE_FAIL(&f, "no valid GUIDed table");
	/* The right GUID one byte below its place is no footer either. */
	f.no_footer = false;
	img = build(&f, &len);
	footer = len - FWIMG_FOOTER_FROM_END;
	memmove(img + footer - 1, img + footer, 16);
	img[footer + 15] = 0;
	assert_int_equal(fw_table_parse(img, len, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no valid GUIDed table"));
	free(img);
}

/* An 8-page image, every region in it. */
#define SMALL_SIZE 0x8000u

static void small_params(struct fwimg_params *p)
{
	fwimg_params_default(p);
	p->size = SMALL_SIZE;
	p->image_base = 0xffff8000u;
	p->secret_base = 0xffff8000u;
	p->hashes_base = 0xffff9000u;
	p->vmsa_base = 0xffffa000u;
	p->vmsa_max = 2;
	p->runtime_base = 0xffffc000u;
	p->runtime_size = 0x2000;
	p->ap_reset = 0xfffff000u;
}

static void test_parse_table_length(void **state)
{
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f;
	size_t true_len;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	true_len = fwimg_table_len(&f);
	f.set_table_len = true;
	/* Too small to hold even itself and the footer. */
	f.table_len = 0;
	PARSE_FAIL(&f, "no valid GUIDed table");
	f.table_len = 17;
	PARSE_FAIL(&f, "no valid GUIDed table");
	/* An empty table: structurally fine, but the entries are missing. */
	f.table_len = 18;
	PARSE_FAIL(&f, "no SEV-ES reset block entry");
	/* Cutting into the lowest entry. */
	f.table_len = (uint16_t)(true_len - 1);
	PARSE_FAIL(&f, "no valid GUIDed table");
	f.table_len = (uint16_t)(true_len - 4);
	PARSE_FAIL(&f, "no valid GUIDed table");

	/* Reaching past the start of the image: one small enough that a u16
	 * length can. */
	small_params(&p);
	fwimg_init(&f, &p);
	PARSE_OK(&f, &l);
	f.set_table_len = true;
	f.table_len = (uint16_t)(SMALL_SIZE - FWIMG_FOOTER_FROM_END + 16 + 1);
	PARSE_FAIL(&f, "no valid GUIDed table");
	f.table_len = 0xffff;
	PARSE_FAIL(&f, "no valid GUIDed table");
}

static void test_parse_table_length_too_large(void **state)
{
	struct fwimg_params p;
	struct fwimg f;
	size_t true_len;

	(void)state;
	/* A length that covers more than the entries: the bytes below the
	 * lowest entry are not an entry, so the table is malformed, wherever
	 * the entries sevm needs sit in it. */
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	true_len = fwimg_table_len(&f);
	f.set_table_len = true;
	f.table_len = (uint16_t)(true_len + 1);
	PARSE_FAIL(&f, "no valid GUIDed table");
	f.table_len = (uint16_t)(true_len + 17);
	PARSE_FAIL(&f, "no valid GUIDed table");
	f.table_len = (uint16_t)(true_len + 100);
	PARSE_FAIL(&f, "no valid GUIDed table");
	/* As far as a u16 goes (the image is larger than 64 KiB). */
	f.table_len = 0xffff;
	PARSE_FAIL(&f, "no valid GUIDed table");
}

static void test_parse_bad_entry_length(void **state)
{
	struct fwimg_params p;
	struct fwimg f, g;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	/* The entry next to the footer, met first. */
	for (unsigned bad = 0; bad < 18; bad++) {
		g = f;
		g.e[3].set_len = true;
		g.e[3].len_field = (uint16_t)bad;
		PARSE_FAIL(&g, "no valid GUIDed table");
	}
	/* Running past the start of the table, by one byte or by a lot. */
	g = f;
	g.e[0].set_len = true;
	g.e[0].len_field = (uint16_t)(g.e[0].len + 18 + 1);
	PARSE_FAIL(&g, "no valid GUIDed table");
	g = f;
	g.e[3].set_len = true;
	g.e[3].len_field = 0xffff;
	PARSE_FAIL(&g, "no valid GUIDed table");
	g = f;
	g.e[3].set_len = true;
	g.e[3].len_field = (uint16_t)(fwimg_table_len(&f) - 18 + 1);
	PARSE_FAIL(&g, "no valid GUIDed table");
	/* In the middle, below entries that are fine. */
	g = f;
	g.e[1].set_len = true;
	g.e[1].len_field = 17;
	PARSE_FAIL(&g, "no valid GUIDed table");
}

static void test_parse_malformed_below_needed_entries(void **state)
{
	static const uint8_t junk[8];
	struct fwimg_params p;
	struct fwimg f, g;

	(void)state;
	/* An unknown entry at the bottom of the table with a broken length:
	 * sevm's entries are all found before it, but the table is still
	 * malformed (fw_table.h: -EINVAL if the table itself is malformed). */
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	g = f;
	g.e[4] = (struct fwimg_entry){.len = sizeof(junk), .set_len = true, .len_field = 3};
	guid_parse("11111111-2222-3333-4444-555555555555", g.e[4].guid);
	for (unsigned i = 4; i > 0; i--) {
		struct fwimg_entry tmp = g.e[i];

		g.e[i] = g.e[i - 1];
		g.e[i - 1] = tmp;
	}
	g.nr = 5;
	PARSE_FAIL(&g, "no valid GUIDed table");
}

static void test_parse_missing_entries(void **state)
{
	static const struct {
		const char *guid, *want;
	} entries[] = {
	    {GUID_STR_SEV_ES_RESET, "no SEV-ES reset block entry"},
	    {GUID_STR_SEV_SECRET, "no SEV secret block entry"},
	    {GUID_STR_SEV_HASHES, "no SEV hashes block entry"},
	    {GUID_STR_SEVM_INFO, "no sevm info entry"},
	};
	struct fwimg_params p;
	struct fwimg f;

	(void)state;
	fwimg_params_default(&p);
	for (size_t i = 0; i < 4; i++) {
		fwimg_init(&f, &p);
		fwimg_remove(&f, entries[i].guid);
		PARSE_FAIL(&f, entries[i].want);
	}
	/* No entries at all: the first one looked for is named. */
	fwimg_init(&f, &p);
	f.nr = 0;
	PARSE_FAIL(&f, "no SEV-ES reset block entry");
}

static void test_parse_short_entries(void **state)
{
	static const struct {
		const char *guid, *want;
		size_t len;
	} entries[] = {
	    {GUID_STR_SEV_ES_RESET, "SEV-ES reset block entry has 3 bytes, want 4", 3},
	    {GUID_STR_SEV_ES_RESET, "SEV-ES reset block entry has 0 bytes, want 4", 0},
	    {GUID_STR_SEV_SECRET, "SEV secret block entry has 4 bytes, want 8", 4},
	    {GUID_STR_SEV_SECRET, "SEV secret block entry has 7 bytes, want 8", 7},
	    {GUID_STR_SEV_HASHES, "SEV hashes block entry has 7 bytes, want 8", 7},
	    {GUID_STR_SEVM_INFO, "sevm info entry has 31 bytes, want 32", 31},
	    {GUID_STR_SEVM_INFO, "sevm info entry has 28 bytes, want 32", 28},
	};
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f;

	(void)state;
	fwimg_params_default(&p);
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		fwimg_init(&f, &p);
		fwimg_get(&f, entries[i].guid)->len = entries[i].len;
		PARSE_FAIL(&f, entries[i].want);
	}
	/* Longer entries are fine: their first bytes count. */
	fwimg_init(&f, &p);
	fwimg_get(&f, GUID_STR_SEV_ES_RESET)->len = 8;
	fwimg_get(&f, GUID_STR_SEVM_INFO)->len = 48;
	PARSE_OK(&f, &l);
	assert_default_layout(&l);
}

static void test_parse_info_version_and_base(void **state)
{
	struct fwimg_params p;

	(void)state;
	fwimg_params_default(&p);
	p.version = 2;
	PARSE_FAIL_P(&p, "sevm info version 2, want 1");
	p.version = 0;
	PARSE_FAIL_P(&p, "sevm info version 0, want 1");

	fwimg_params_default(&p);
	p.image_base = FWIMG_DEFAULT_BASE + 0x10000;
	PARSE_FAIL_P(&p, "places the image at 0xfffd0000");
	p.image_base = FWIMG_DEFAULT_BASE - 0x1000;
	PARSE_FAIL_P(&p, "places the image at 0xfffbf000");
	p.image_base = 0;
	PARSE_FAIL_P(&p, "places the image at");
}

static void test_parse_ap_reset(void **state)
{
	struct fwimg_params p;
	struct fwimg f;
	struct fw_layout l;

	(void)state;
	fwimg_params_default(&p);
	p.ap_reset = FWIMG_DEFAULT_BASE - 0x1000; /* 0xfffbf000 */
	PARSE_FAIL_P(&p, "AP reset address 0xfffbf000 is outside the image");
	p.ap_reset = 0xfffbffff;
	PARSE_FAIL_P(&p, "AP reset address 0xfffbffff is outside the image");
	p.ap_reset = 0x0000f000;
	PARSE_FAIL_P(&p, "AP reset address");
	p.ap_reset = 0;
	PARSE_FAIL_P(&p, "AP reset address");

	/* The first byte of the image and the last are inside. */
	p.ap_reset = FWIMG_DEFAULT_BASE;
	fwimg_init(&f, &p);
	PARSE_OK(&f, &l);
	assert_int_equal(l.ap_reset, FWIMG_DEFAULT_BASE);
	p.ap_reset = 0xffffffff;
	fwimg_init(&f, &p);
	PARSE_OK(&f, &l);
	assert_int_equal(l.ap_reset, 0xffffffff);
}

static void test_parse_vmsa_max(void **state)
{
	struct fwimg_params p;
	struct fwimg f;
	struct fw_layout l;

	(void)state;
	fwimg_params_default(&p);
	p.vmsa_max = 0;
	PARSE_FAIL_P(&p, "room for 0 VMSAs");
	p.vmsa_max = 1025;
	PARSE_FAIL_P(&p, "room for 1025 VMSAs");
	p.vmsa_max = 0xffffffff;
	PARSE_FAIL_P(&p, "room for 4294967295 VMSAs");
	/* 1024 is allowed, but the pages must still be in the image. */
	p.vmsa_max = 1024;
	PARSE_FAIL_P(&p, "VMSA pages");
	p.vmsa_max = 1;
	fwimg_init(&f, &p);
	PARSE_OK(&f, &l);
	assert_int_equal(l.info.vmsa_max, 1);
	/* Exactly filling the image up to 4 GiB. */
	p.vmsa_base = 0xffff0000u;
	p.vmsa_max = 16;
	fwimg_init(&f, &p);
	PARSE_OK(&f, &l);
	p.vmsa_max = 17;
	PARSE_FAIL_P(&p, "VMSA pages");
}

/* Which region of fwimg_params a test breaks. */
enum region { R_SECRET, R_HASHES, R_VMSA, R_RUNTIME, R_SHARED };

static void set_region(struct fwimg_params *p, enum region r, uint32_t base, uint32_t size)
{
	switch (r) {
	case R_SECRET:
		p->secret_base = base;
		p->secret_size = size;
		break;
	case R_HASHES:
		p->hashes_base = base;
		p->hashes_size = size;
		break;
	case R_VMSA:
		p->vmsa_base = base;
		p->vmsa_max = size / 4096;
		break;
	case R_RUNTIME:
		p->runtime_base = base;
		p->runtime_size = size;
		break;
	case R_SHARED:
		p->shared_base = base;
		p->shared_size = size;
		break;
	}
}

static void region_bad(enum region r, uint32_t base, uint32_t size, const char *want, int tline)
{
	struct fwimg_params p;

	fwimg_params_default(&p);
	set_region(&p, r, base, size);
	parse_fail_p(&p, want, tline);
}

static void region_ok(enum region r, uint32_t base, uint32_t size, int tline)
{
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f;

	fwimg_params_default(&p);
	set_region(&p, r, base, size);
	fwimg_init(&f, &p);
	parse_ok(&f, &l, tline);
}

#define REGION_BAD(r, base, size, want) region_bad(r, base, size, want, __LINE__)
#define REGION_OK(r, base, size) region_ok(r, base, size, __LINE__)

static void test_parse_image_regions(void **state)
{
	static const struct {
		enum region r;
		const char *name;
	} regions[] = {
	    {R_SECRET, "secret block"},
	    {R_HASHES, "hashes block"},
	    {R_VMSA, "VMSA pages"},
	    {R_RUNTIME, "runtime region"},
	};
	const uint32_t base = FWIMG_DEFAULT_BASE;

	(void)state;
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		enum region r = regions[i].r;
		const char *name = regions[i].name;

		/* Not page aligned. */
		REGION_BAD(r, base + 0x800, 0x1000, name);
		REGION_BAD(r, base + 0x10, 0x1000, name);
		/* Below the image, wholly or in part. */
		REGION_BAD(r, base - 0x1000, 0x1000, name);
		REGION_BAD(r, base - 0x1000, 0x2000, name);
		REGION_BAD(r, 0, 0x1000, name);
		REGION_BAD(r, 0x00800000, 0x1000, name);
		/* Past 4 GiB. */
		REGION_BAD(r, 0xfffff000, 0x2000, name);
		/* The first and last pages of the image are inside. */
		REGION_OK(r, base, 0x1000);
		REGION_OK(r, 0xfffff000, 0x1000);
		REGION_OK(r, base, FWIMG_DEFAULT_SIZE);
		if (r == R_VMSA)
			continue; /* its size is vmsa_max pages */
		REGION_BAD(r, base, 0, name);
		REGION_BAD(r, 0xfffff000, 0xfffff000, name);
		if (r == R_SECRET || r == R_HASHES) {
			/* Like OVMF's 0xc00-byte blocks, these need not be whole pages. */
			REGION_OK(r, base, 0x1800);
			REGION_OK(r, base, 0xc00);
			continue;
		}
		/* Not whole pages. */
		REGION_BAD(r, base, 0x1800, name);
		REGION_BAD(r, base, 0x10, name);
	}
	/* The secret block holds at least a secret table header. */
	REGION_OK(R_SECRET, base, 0x10);
	REGION_BAD(R_SECRET, base, 0xf, "secret block");
	/* Below 176 bytes, the kernel hashes table does not fit. */
	REGION_BAD(R_HASHES, base, 175, "hashes block");
	REGION_BAD(R_HASHES, base, 128, "hashes block");
}

static void test_parse_shared_region(void **state)
{
	(void)state;
	REGION_BAD(R_SHARED, 0x00800800, 0x1000, "shared region [0x800800, +0x1000)");
	REGION_BAD(R_SHARED, 0x00800000, 0x1800, "shared region");
	REGION_BAD(R_SHARED, 0x00800000, 0, "shared region");
	REGION_BAD(R_SHARED, 0, 0, "shared region");
	/* Above 3 GiB, wholly or in part. */
	REGION_BAD(R_SHARED, 0xc0000000, 0x1000, "shared region");
	REGION_BAD(R_SHARED, 0xbffff000, 0x2000, "shared region");
	REGION_BAD(R_SHARED, 0xfffff000, 0x1000, "shared region");
	REGION_BAD(R_SHARED, 0xfffff000, 0xfffff000, "shared region");
	REGION_BAD(R_SHARED, FWIMG_DEFAULT_BASE, 0x1000, "shared region");
	/* Up to 3 GiB is fine, as is low memory. */
	REGION_OK(R_SHARED, 0xbffff000, 0x1000);
	REGION_OK(R_SHARED, 0, 0x1000);
	REGION_OK(R_SHARED, 0x1000, 0xbffff000);
}

static void test_parse_why_truncated(void **state)
{
	struct fwimg_params p;
	struct fw_layout l;
	struct fwimg f;
	size_t len;
	uint8_t *img;
	char *why = malloc(8);

	(void)state;
	assert_non_null(why);
	fwimg_params_default(&p);
	p.version = 7;
	fwimg_init(&f, &p);
	img = build(&f, &len);
	/* A short buffer gets a truncated, terminated reason (ASan checks the bound). */
	assert_int_equal(fw_table_parse(img, len, &l, why, 8), -EINVAL);
	assert_string_equal(why, "sevm in");
	free(img);
	free(why);
}

/* ---- fw_table_find ---- */

static void test_find(void **state)
{
	static const char *const guids[] = {GUID_STR_SEV_ES_RESET, GUID_STR_SEV_SECRET,
					    GUID_STR_SEV_HASHES, GUID_STR_SEVM_INFO};
	struct fwimg_params p;
	struct fwimg f;
	const uint8_t *data;
	uint8_t g[16];
	size_t len, n;
	uint8_t *img;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	img = build(&f, &len);
	for (unsigned i = 0; i < 4; i++) {
		guid_parse(guids[i], g);
		data = NULL;
		n = 0;
		assert_int_equal(fw_table_find(img, len, g, &data, &n), 0);
		assert_ptr_equal(data, img + fwimg_data_offset(&f, i));
		assert_int_equal(n, f.e[i].len);
	}
	guid_parse(GUID_STR_SEV_ES_RESET, g);
	assert_int_equal(fw_table_find(img, len, g, &data, &n), 0);
	assert_int_equal(rd32(data), FWIMG_DEFAULT_AP_RESET);

	/* Absent GUIDs, the footer's own among them. */
	data = NULL;
	guid_parse("11111111-2222-3333-4444-555555555555", g);
	assert_int_equal(fw_table_find(img, len, g, &data, &n), -ENOENT);
	assert_null(data);
	guid_parse(GUID_STR_TABLE_FOOTER, g);
	assert_int_equal(fw_table_find(img, len, g, &data, &n), -ENOENT);
	/* A GUID differing in one bit. */
	guid_parse(GUID_STR_SEVM_INFO, g);
	g[15] ^= 0x80;
	assert_int_equal(fw_table_find(img, len, g, &data, &n), -ENOENT);
	free(img);
}

static void test_find_any_order(void **state)
{
	struct fwimg_params p;
	struct fwimg f, g;
	const uint8_t *data;
	uint8_t guid[16];
	size_t len, n;
	uint8_t *img;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	/* Reversed: the reset block next to the footer, sevm info lowest. */
	g = f;
	for (unsigned i = 0; i < 4; i++)
		g.e[i] = f.e[3 - i];
	img = build(&g, &len);
	guid_parse(GUID_STR_SEVM_INFO, guid);
	assert_int_equal(fw_table_find(img, len, guid, &data, &n), 0);
	assert_ptr_equal(data, img + fwimg_data_offset(&g, 0));
	assert_int_equal(n, FWIMG_INFO_LEN);
	assert_int_equal(rd32(data), 1);
	guid_parse(GUID_STR_SEV_ES_RESET, guid);
	assert_int_equal(fw_table_find(img, len, guid, &data, &n), 0);
	assert_ptr_equal(data, img + fwimg_data_offset(&g, 3));
	assert_int_equal(n, 4);
	free(img);
}

static void test_find_empty_entry(void **state)
{
	struct fwimg_params p;
	struct fwimg f;
	const uint8_t *data = NULL;
	uint8_t g[16];
	size_t len, n = 99;
	uint8_t *img;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	fwimg_add(&f, "dc886566-984a-4798-a75e-5585a7bf67cc", NULL, 0);
	img = build(&f, &len);
	guid_parse("dc886566-984a-4798-a75e-5585a7bf67cc", g);
	assert_int_equal(fw_table_find(img, len, g, &data, &n), 0);
	assert_int_equal(n, 0);
	assert_ptr_equal(data, img + len - FWIMG_FOOTER_FROM_END - 2 - FWIMG_TRAILER);
	free(img);
}

static void test_find_malformed(void **state)
{
	struct fwimg_params p;
	struct fwimg f;
	const uint8_t *data;
	uint8_t g[16];
	size_t len, n;
	uint8_t *img;

	(void)state;
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	guid_parse(GUID_STR_SEV_ES_RESET, g);

	f.no_footer = true;
	img = build(&f, &len);
	assert_int_equal(fw_table_find(img, len, g, &data, &n), -EINVAL);
	free(img);
	f.no_footer = false;

	f.set_table_len = true;
	f.table_len = 17;
	img = build(&f, &len);
	assert_int_equal(fw_table_find(img, len, g, &data, &n), -EINVAL);
	free(img);
	f.set_table_len = false;

	f.e[3].set_len = true;
	f.e[3].len_field = 17;
	img = build(&f, &len);
	assert_int_equal(fw_table_find(img, len, g, &data, &n), -EINVAL);
	free(img);
	f.e[3].set_len = false;

	/* A good table in an image larger than any firmware image. */
	f.size = 16 * MiB + 4096;
	img = build(&f, &len);
	assert_int_equal(fw_table_find(img, len, g, &data, &n), -EINVAL);
	free(img);
}

static void test_find_smallest(void **state)
{
	uint8_t img[0x32], g[16];
	const uint8_t *data;
	uint8_t *small;
	size_t n;

	(void)state;
	/* Just the table length and the footer: an empty table. */
	memset(img, 0, sizeof(img));
	img[0] = 18;
	guid_parse(GUID_STR_TABLE_FOOTER, img + 2);
	guid_parse(GUID_STR_SEV_ES_RESET, g);
	assert_int_equal(fw_table_find(img, sizeof(img), g, &data, &n), -ENOENT);
	/* A length reaching one byte before the image. */
	img[0] = 19;
	assert_int_equal(fw_table_find(img, sizeof(img), g, &data, &n), -EINVAL);
	/* Too short for a footer and a length (exact allocation, for ASan). */
	small = malloc(0x31);
	assert_non_null(small);
	memcpy(small, img + 1, 0x31);
	assert_int_equal(fw_table_find(small, 0x31, g, &data, &n), -EINVAL);
	free(small);
}

static void test_find_reset_block_offset(void **state)
{
	uint8_t g[16], img[0x30 + 2 + 22];
	const uint8_t *data;
	size_t n;

	(void)state;
	/* One entry, the reset block, hand-laid as OVMF does: its data ends
	 * 0x48 bytes before 4 GiB (sev-facts.md: AP reset IP at 0xffffffb8). */
	memset(img, 0, sizeof(img));
	le32(img, 0xfffef000u);
	img[4] = 22; /* entry length */
	guid_parse(GUID_STR_SEV_ES_RESET, img + 6);
	img[22] = 2 + 22 + 16; /* table length */
	guid_parse(GUID_STR_TABLE_FOOTER, img + 24);
	guid_parse(GUID_STR_SEV_ES_RESET, g);
	assert_int_equal(fw_table_find(img, sizeof(img), g, &data, &n), 0);
	assert_ptr_equal(data, img);
	assert_int_equal(n, 4);
	assert_int_equal(sizeof(img) - (size_t)(data - img), 0x48);
}

/* ---- fw_hashes_build ---- */

static void unhex(const char *s, uint8_t *out, size_t n)
{
	assert_int_equal(strlen(s), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* SHA-256 values (FIPS 180-2 appendix B and sha256sum). */
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_NUL "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define SHA_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define MSG_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
/* printf 'console=ttyS0 quiet\0' | sha256sum */
#define SHA_CMDLINE "9c25d49969055bde3d515af0b9f446fd56732dbbd4b6ad42b1dc3f0836d5c625"

/* The whole expected table, laid out from QEMU target/i386/sev.c. */
static void expected_table(uint8_t out[176], const char *h_cmdline, const char *h_initrd,
			   const char *h_kernel)
{
	static const char *const guids[] = {"97d02dd8-bd20-4c94-aa78-e7714d36ab2a",
					    "44baf731-3a2f-4bd7-9af1-41e29169781d",
					    "4de79437-abd2-427f-b835-d5b172d2045b"};
	const char *hashes[] = {h_cmdline, h_initrd, h_kernel};

	memset(out, 0, 176);
	guid_parse("9438d606-4f22-4cc9-b479-a793d411fd21", out);
	out[16] = 168;
	out[17] = 0;
	for (int i = 0; i < 3; i++) {
		uint8_t *e = out + 18 + 50 * i;

		guid_parse(guids[i], e);
		e[16] = 50;
		e[17] = 0;
		unhex(hashes[i], e + 18, 32);
	}
}

static void check_table(const uint8_t *got, const uint8_t *want)
{
	for (size_t i = 0; i < 176; i++)
		if (got[i] != want[i])
			fail_msg("hashes table byte %zu: got %#x, want %#x", i, got[i], want[i]);
}

static void test_hashes_layout(void **state)
{
	/* Room past the table, to catch a write beyond 176 bytes. */
	uint8_t out[176 + 32], want[176];

	(void)state;
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(fw_hashes_build(out, (const uint8_t *)"abc", 3, NULL, 0, ""), 0);
	expected_table(want, SHA_NUL, SHA_EMPTY, SHA_ABC);
	check_table(out, want);
	for (size_t i = 176; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xa5);
	/* Spelled out: header GUID in EFI byte order, length 168, then the
	 * command line entry's GUID, length 50, hash; padding zero. */
	assert_int_equal(out[0], 0x06);
	assert_int_equal(out[3], 0x94);
	assert_int_equal(out[4], 0x22);
	assert_int_equal(out[5], 0x4f);
	assert_int_equal(out[8], 0xb4);
	assert_int_equal(out[15], 0x21);
	assert_int_equal(out[16] | out[17] << 8, 168);
	assert_int_equal(out[18], 0xd8);
	assert_int_equal(out[34] | out[35] << 8, 50);
	assert_int_equal(out[36], 0x6e);
	assert_int_equal(out[18 + 50 + 16], 50);
	assert_int_equal(out[18 + 100 + 16], 50);
	assert_int_equal(out[18 + 100 + 18], 0xba);
	assert_int_equal(out[167], 0xad);
	for (size_t i = 168; i < 176; i++)
		assert_int_equal(out[i], 0);
}

static void test_hashes_vectors(void **state)
{
	uint8_t out[176], want[176];
	uint8_t *million = malloc(1000000);

	(void)state;
	assert_non_null(million);
	memset(million, 'a', 1000000);
	assert_int_equal(fw_hashes_build(out, million, 1000000, (const uint8_t *)MSG_448,
					 strlen(MSG_448), "console=ttyS0 quiet"),
			 0);
	expected_table(want, SHA_CMDLINE, SHA_448, SHA_MILLION_A);
	check_table(out, want);
	free(million);

	/* An empty initrd given as such hashes like a missing one. */
	assert_int_equal(fw_hashes_build(out, (const uint8_t *)"", 0, (const uint8_t *)"x", 0, ""),
			 0);
	expected_table(want, SHA_NUL, SHA_EMPTY, SHA_EMPTY);
	check_table(out, want);
	/* A missing initrd ignores its length. */
	memset(out, 0xff, sizeof(out));
	assert_int_equal(fw_hashes_build(out, (const uint8_t *)"abc", 3, NULL, 12345, ""), 0);
	expected_table(want, SHA_NUL, SHA_EMPTY, SHA_ABC);
	check_table(out, want);
	/* The initrd is "abc" and the kernel empty: entries not swapped. */
	assert_int_equal(
	    fw_hashes_build(out, (const uint8_t *)"", 0, (const uint8_t *)"abc", 3, ""), 0);
	expected_table(want, SHA_NUL, SHA_ABC, SHA_EMPTY);
	check_table(out, want);
}

static void test_hashes_constants(void **state)
{
	(void)state;
	assert_int_equal(FW_HASH_ENTRY_SIZE, 50);
	assert_int_equal(FW_HASHES_TABLE_LEN, 168);
	assert_int_equal(FW_HASHES_TABLE_PADDED, 176);
	check_guid((const uint8_t[])FW_GUID_HASHES_HEADER, "9438d606-4f22-4cc9-b479-a793d411fd21");
	check_guid((const uint8_t[])FW_GUID_HASH_CMDLINE, "97d02dd8-bd20-4c94-aa78-e7714d36ab2a");
	check_guid((const uint8_t[])FW_GUID_HASH_INITRD, "44baf731-3a2f-4bd7-9af1-41e29169781d");
	check_guid((const uint8_t[])FW_GUID_HASH_KERNEL, "4de79437-abd2-427f-b835-d5b172d2045b");
}

/* ---- resetstate ---- */

static void assert_seg(const struct kvm_segment *s, uint16_t sel, uint64_t base, uint8_t type,
		       uint8_t is_code_data)
{
	assert_int_equal(s->selector, sel);
	assert_int_equal(s->base, base);
	assert_int_equal(s->limit, 0xffff);
	assert_int_equal(s->type, type);
	assert_int_equal(s->present, 1);
	assert_int_equal(s->s, is_code_data);
	assert_int_equal(s->dpl, 0);
	assert_int_equal(s->db, 0);
	assert_int_equal(s->l, 0);
	assert_int_equal(s->g, 0);
	assert_int_equal(s->avl, 0);
	assert_int_equal(s->unusable, 0);
}

static void test_reset_bsp(void **state)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	memset(&r, 0xa5, sizeof(r));
	resetstate_sregs(&s, 0xfffffff0u);
	resetstate_regs(&r, 0xfffffff0u, 0x00a00f11u);
	/* CS {0xf000, attr 0x9b: code, execute/read, accessed}, base eip & 0xffff0000. */
	assert_seg(&s.cs, 0xf000, 0xffff0000u, 0xb, 1);
	/* Data segments attr 0x93. */
	assert_seg(&s.ds, 0, 0, 0x3, 1);
	assert_seg(&s.es, 0, 0, 0x3, 1);
	assert_seg(&s.fs, 0, 0, 0x3, 1);
	assert_seg(&s.gs, 0, 0, 0x3, 1);
	assert_seg(&s.ss, 0, 0, 0x3, 1);
	/* LDTR 0x82, TR 0x8b. */
	assert_seg(&s.ldt, 0, 0, 0x2, 0);
	assert_seg(&s.tr, 0, 0, 0xb, 0);
	assert_int_equal(s.gdt.base, 0);
	assert_int_equal(s.gdt.limit, 0xffff);
	assert_int_equal(s.idt.base, 0);
	assert_int_equal(s.idt.limit, 0xffff);
	assert_int_equal(s.cr0, 0x10);
	assert_int_equal(s.cr2, 0);
	assert_int_equal(s.cr3, 0);
	assert_int_equal(s.cr4, 0x40);
	assert_int_equal(s.efer, 0);

	assert_int_equal(r.rip, 0xfff0);
	assert_int_equal(r.rflags, 0x2);
	assert_int_equal(r.rdx, 0x00a00f11u);
	/* Everything else zero. */
	assert_int_equal(r.rax, 0);
	assert_int_equal(r.rbx, 0);
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rsi, 0);
	assert_int_equal(r.rdi, 0);
	assert_int_equal(r.rsp, 0);
	assert_int_equal(r.rbp, 0);
	assert_int_equal(r.r8, 0);
	assert_int_equal(r.r15, 0);
	/* The first instruction is at cs.base + rip: the reset vector. */
	assert_int_equal(s.cs.base + r.rip, 0xfffffff0u);
}

static void test_reset_ap(void **state)
{
	static const struct {
		uint32_t ap_reset, cs_base, ip;
	} cases[] = {
	    {0x1234f000u, 0x12340000u, 0xf000},
	    {FWIMG_DEFAULT_AP_RESET, 0xfffe0000u, 0xf000},
	    {0xffff0000u, 0xffff0000u, 0},
	    {0xffffffb8u, 0xffff0000u, 0xffb8},
	};
	struct kvm_sregs s;
	struct kvm_regs r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t eip = resetstate_ap_eip(cases[i].ap_reset);

		assert_int_equal(eip, cases[i].cs_base + cases[i].ip);
		memset(&s, 0x5a, sizeof(s));
		memset(&r, 0x5a, sizeof(r));
		resetstate_sregs(&s, eip);
		resetstate_regs(&r, eip, 0x800f12u);
		assert_seg(&s.cs, 0xf000, cases[i].cs_base, 0xb, 1);
		assert_int_equal(r.rip, cases[i].ip);
		assert_int_equal(r.rdx, 0x800f12u);
		assert_int_equal(r.rflags, 0x2);
		assert_int_equal(s.cr0, 0x10);
		assert_int_equal(s.cr4, 0x40);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_guids),
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_image_sizes),
	    cmocka_unit_test(test_parse_empty_image),
	    cmocka_unit_test(test_parse_entry_order),
	    cmocka_unit_test(test_parse_extra_entries),
	    cmocka_unit_test(test_parse_no_footer),
	    cmocka_unit_test(test_parse_table_length),
	    cmocka_unit_test(test_parse_table_length_too_large),
	    cmocka_unit_test(test_parse_bad_entry_length),
	    cmocka_unit_test(test_parse_malformed_below_needed_entries),
	    cmocka_unit_test(test_parse_missing_entries),
	    cmocka_unit_test(test_parse_short_entries),
	    cmocka_unit_test(test_parse_info_version_and_base),
	    cmocka_unit_test(test_parse_ap_reset),
	    cmocka_unit_test(test_parse_vmsa_max),
	    cmocka_unit_test(test_parse_image_regions),
	    cmocka_unit_test(test_parse_shared_region),
	    cmocka_unit_test(test_parse_why_truncated),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_find_any_order),
	    cmocka_unit_test(test_find_empty_entry),
	    cmocka_unit_test(test_find_malformed),
	    cmocka_unit_test(test_find_smallest),
	    cmocka_unit_test(test_find_reset_block_offset),
	    cmocka_unit_test(test_hashes_layout),
	    cmocka_unit_test(test_hashes_vectors),
	    cmocka_unit_test(test_hashes_constants),
	    cmocka_unit_test(test_reset_bsp),
	    cmocka_unit_test(test_reset_ap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
