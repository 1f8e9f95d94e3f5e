// SPDX-License-Identifier: MIT
/*
 * Unit tests for what direct boot puts in guest RAM: bzImage parsing and
 * loading (src/vmm/bzimage.c), the e820 map, guest memory, the MP table and
 * the long-mode page tables, GDT and registers. Guest RAM is a real
 * anonymous mapping (mem_create), which needs no KVM.
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

#include "bootparams.h"
#include "bzimage.h"
#include "e820.h"
#include "helpers.h"
#include "layout.h"
#include "longmode.h"
#include "mem.h"
#include "mptable.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define GUEST_RAM (64 * MiB)

/* Little-endian reads, written out here rather than taken from bootparams.h. */
static uint64_t rd(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Guest RAM at gpa, which must exist. */
static const uint8_t *gpa(const struct guest_mem *m, uint64_t addr, uint64_t len)
{
	const uint8_t *p = mem_gpa_to_hva(m, addr, len);

	assert_non_null(p);
	return p;
}

/* ---- bzimage_parse ---- */

struct img {
	uint8_t *data;
	size_t len;
};

static struct img build(const struct bzimage_opts *o)
{
	struct img i;

	i.data = bzimage_build(o, &i.len);
	assert_non_null(i.data);
	return i;
}

static void parse_fails(const struct bzimage_opts *o, const char *want)
{
	struct img i = build(o);
	struct bzimage k;
	char why[160] = "";

	assert_int_equal(bzimage_parse(i.data, i.len, &k, why, sizeof(why)), -EINVAL);
	if (!strstr(why, want))
		fail_msg("reason \"%s\" does not contain \"%s\"", why, want);
	free(i.data);
}

static void test_bzimage_parse_ok(void **state)
{
	struct bzimage_opts o;
	struct bzimage k;
	struct img i;
	char why[160] = "";

	(void)state;
	bzimage_opts_default(&o);
	o.cmdline_size = 0x7ff;
	o.initrd_addr_max = 0x37ffffff;
	i = build(&o);
	assert_int_equal(bzimage_parse(i.data, i.len, &k, why, sizeof(why)), 0);
	assert_ptr_equal(k.image, i.data);
	assert_int_equal(k.image_len, i.len);
	assert_ptr_equal(k.payload, i.data + 5 * 512);
	assert_int_equal(k.payload_len, HELPER_PAYLOAD_LEN);
	assert_int_equal(k.version, 0x020f);
	assert_int_equal(k.load_addr, HELPER_PREF_ADDRESS);
	assert_int_equal(k.init_size, HELPER_INIT_SIZE);
	assert_int_equal(k.cmdline_size, 0x7ff);
	assert_int_equal(k.initrd_addr_max, 0x37ffffff);
	/* Header from 0x1f1 up to 0x202 + the jump's offset byte. */
	assert_int_equal(k.header_len, HELPER_HEADER_END - 0x1f1);
	free(i.data);

	/* setup_sects 0 means 4; a short header; the oldest protocol accepted. */
	bzimage_opts_default(&o);
	o.setup_sects = 0;
	o.header_end_jump = 0x6a; /* ends at 0x26c, after kernel_info_offset */
	o.version = 0x020c;
	i = build(&o);
	assert_int_equal(bzimage_parse(i.data, i.len, &k, why, sizeof(why)), 0);
	assert_ptr_equal(k.payload, i.data + 5 * 512);
	assert_int_equal(k.version, 0x020c);
	assert_int_equal(k.header_len, 0x26c - 0x1f1);
	free(i.data);

	/* More setup sectors move the payload. */
	bzimage_opts_default(&o);
	o.setup_sects = 30;
	i = build(&o);
	assert_int_equal(bzimage_parse(i.data, i.len, &k, why, sizeof(why)), 0);
	assert_ptr_equal(k.payload, i.data + 31 * 512);
	assert_int_equal(k.payload_len, HELPER_PAYLOAD_LEN);
	assert_int_equal(k.payload[0], bzimage_payload_byte(0));
	free(i.data);
}

static void test_bzimage_parse_addresses(void **state)
{
	struct bzimage_opts o;
	struct bzimage k;
	struct img i;
	char why[160];

	(void)state;
	/* A preferred address below 1 MiB is raised to 1 MiB. */
	bzimage_opts_default(&o);
	o.pref_address = 0x10000;
	i = build(&o);
	assert_int_equal(bzimage_parse(i.data, i.len, &k, why, sizeof(why)), 0);
	assert_int_equal(k.load_addr, LAYOUT_HIGH_START);
	free(i.data);

	/* init_size smaller than the payload is raised to the payload. */
	bzimage_opts_default(&o);
	o.init_size = 16;
	i = build(&o);
	assert_int_equal(bzimage_parse(i.data, i.len, &k, why, sizeof(why)), 0);
	assert_int_equal(k.init_size, HELPER_PAYLOAD_LEN);
	free(i.data);

	/* All 64 bits of pref_address are read. */
	bzimage_opts_default(&o);
	o.pref_address = 0x100000000ULL + 0x200000;
	i = build(&o);
	assert_int_equal(bzimage_parse(i.data, i.len, &k, why, sizeof(why)), 0);
	assert_int_equal(k.load_addr, 0x100200000ULL);
	free(i.data);
}

static void test_bzimage_parse_rejects(void **state)
{
	struct bzimage_opts o;

	(void)state;
	bzimage_opts_default(&o);
	o.total_len = 0x263; /* stops one byte short of init_size's end */
	parse_fails(&o, "not a bzImage (only 611 bytes)");
	bzimage_opts_default(&o);
	o.total_len = 1;
	parse_fails(&o, "not a bzImage (only 1 bytes)");

	bzimage_opts_default(&o);
	o.magic = 0x53726447; /* "GdrS" */
	parse_fails(&o, "not a bzImage (no 'HdrS' signature)");
	bzimage_opts_default(&o);
	o.boot_flag = 0x55aa;
	parse_fails(&o, "not a bzImage (boot_flag is not 0xaa55)");
	bzimage_opts_default(&o);
	o.version = 0x020b;
	parse_fails(&o, "boot protocol 2.11 is too old: direct 64-bit boot needs 2.12");
	bzimage_opts_default(&o);
	o.version = 0x0100;
	parse_fails(&o, "boot protocol 1.00 is too old");
	bzimage_opts_default(&o);
	o.xloadflags = 0xfffe;
	parse_fails(&o, "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");
	bzimage_opts_default(&o);
	o.loadflags = 0xfe;
	parse_fails(&o, "kernel does not load at 1 MiB (LOADED_HIGH clear)");
	/* Setup sectors but no payload after them. */
	bzimage_opts_default(&o);
	o.total_len = 5 * 512;
	parse_fails(&o, "truncated bzImage: setup is 2560 bytes, file 2560");
	bzimage_opts_default(&o);
	o.setup_sects = 63;
	o.total_len = 40 * 512;
	parse_fails(&o, "truncated bzImage: setup is 32768 bytes, file 20480");
}

struct blob {
	const char *data;
	size_t len;
};

static void test_initrd_check(void **state)
{
	/* Octal escapes where a hex one would swallow the next character. */
	static const struct blob good[] = {
	    {"070701000000", 12},    {"070702", 6},	      {"\x1f\x8b\x08", 3},
	    {"\3757zXZ\0\0", 7},     {"\x28\xb5\x2f\xfd", 4}, {"BZh91AY", 7},
	    {"\x5d\x00\x00\x80", 4}, {"\x02\x21\x4c\x18", 4}, {"\x89LZO\0", 5},
	};
	static const struct blob bad[] = {
	    {"070707", 6}, /* old portable cpio: Linux refuses it */
	    {"07070", 5},  /* cut short */
	    {"\x1f", 1},   {"\177ELF", 4}, {"hello", 5}, {"\3757zXZ", 5},
	};
	char why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (initrd_check((const uint8_t *)good[i].data, good[i].len, why, sizeof(why)))
			fail_msg("good initrd %zu rejected: %s", i, why);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(why, "");
		if (!initrd_check((const uint8_t *)bad[i].data, bad[i].len, why, sizeof(why)))
			fail_msg("bad initrd %zu accepted", i);
		assert_string_equal(
		    why, "not an initramfs (neither a newc cpio archive nor compressed)");
	}
	assert_int_equal(initrd_check((const uint8_t *)"", 0, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "initrd is empty");
}

/* ---- bzimage_load ---- */

struct load_fx {
	struct guest_mem m;
	struct img img;
	struct bzimage k;
};

static void load_setup(struct load_fx *f, const struct bzimage_opts *o, uint64_t ram)
{
	char why[160];

	assert_int_equal(mem_create(&f->m, ram), 0);
	f->img = build(o);
	assert_int_equal(bzimage_parse(f->img.data, f->img.len, &f->k, why, sizeof(why)), 0);
}

static void load_teardown(struct load_fx *f)
{
	mem_destroy(&f->m);
	free(f->img.data);
}

static uint8_t *make_initrd(size_t len)
{
	uint8_t *d = malloc(len);

	assert_non_null(d);
	memcpy(d, "070701", 6);
	for (size_t i = 6; i < len; i++)
		d[i] = (uint8_t)(i ^ (i >> 9));
	return d;
}

static void check_e820_low(const uint8_t *zp, unsigned want_entries, uint64_t low_end)
{
	static const struct {
		uint64_t addr, size;
		uint32_t type;
	} want[4] = {
	    {0, 0x9fc00, 1},
	    {0x9fc00, 0x400, 2},
	    {0xe0000, 0x20000, 2},
	    {0x100000, 0, 1},
	};

	assert_int_equal(zp[0x1e8], want_entries);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = zp + 0x2d0 + 20 * i;

		assert_int_equal(rd(e, 8), want[i].addr);
		assert_int_equal(rd(e + 8, 8), i == 3 ? low_end - 0x100000 : want[i].size);
		assert_int_equal(rd(e + 16, 4), want[i].type);
	}
}

static void test_bzimage_load(void **state)
{
	static const char cmdline[] = "console=ttyS0 root=/dev/vda rw";
	const size_t initrd_len = 3 * 4096 + 123;
	uint8_t *initrd = make_initrd(initrd_len);
	struct boot_entry entry = {0, 0};
	struct bzimage_opts o;
	struct load_fx f;
	const uint8_t *zp, *p;
	uint32_t rd_addr;
	char why[160] = "";

	(void)state;
	bzimage_opts_default(&o);
	load_setup(&f, &o, GUEST_RAM);
	assert_int_equal(
	    bzimage_load(&f.m, &f.k, initrd, initrd_len, cmdline, &entry, why, sizeof(why)), 0);
	assert_int_equal(entry.rip, HELPER_PREF_ADDRESS + 0x200);
	assert_int_equal(entry.zero_page, 0x7000);
	assert_int_equal(LAYOUT_ZERO_PAGE, 0x7000);

	/* The protected-mode kernel at its preferred address. */
	p = gpa(&f.m, HELPER_PREF_ADDRESS, HELPER_PAYLOAD_LEN);
	assert_memory_equal(p, f.k.payload, HELPER_PAYLOAD_LEN);
	assert_int_equal(p[0], bzimage_payload_byte(0));
	assert_int_equal(p[HELPER_PAYLOAD_LEN - 1], bzimage_payload_byte(HELPER_PAYLOAD_LEN - 1));
	assert_int_equal(gpa(&f.m, HELPER_PREF_ADDRESS + HELPER_PAYLOAD_LEN, 1)[0], 0);

	/* The command line, NUL-terminated. */
	p = gpa(&f.m, LAYOUT_CMDLINE, sizeof(cmdline));
	assert_memory_equal(p, cmdline, sizeof(cmdline));

	/* The zero page: the setup header copied, then what the loader sets. */
	zp = gpa(&f.m, 0x7000, 4096);
	for (unsigned i = 0; i < 0x1f1; i++)
		if (zp[i] && i != 0x1e8) /* e820_entries */
			fail_msg("zero page byte %#x before the header is %#x", i, zp[i]);
	assert_int_equal(zp[0x1f1], 4);
	assert_int_equal(rd(zp + 0x1fe, 2), 0xaa55);
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(rd(zp + 0x206, 2), 0x020f);
	assert_int_equal(zp[0x210], 0xff); /* type_of_loader: undefined */
	assert_int_equal(zp[0x211] & 1, 1);
	assert_int_equal(rd(zp + 0x228, 4), LAYOUT_CMDLINE); /* cmd_line_ptr */
	assert_int_equal(rd(zp + 0x0c8, 4), 0);		     /* ext_cmd_line_ptr */
	assert_int_equal(rd(zp + 0x238, 4), 2047);
	assert_int_equal(rd(zp + 0x258, 8), HELPER_PREF_ADDRESS);
	assert_int_equal(rd(zp + 0x260, 4), HELPER_INIT_SIZE);
	/* Nothing past the header the kernel declared. */
	for (unsigned i = HELPER_HEADER_END; i < 0x2d0; i++)
		assert_int_equal(zp[i], 0);

	/* The initrd: page-aligned, above the kernel, below RAM's end and initrd_addr_max. */
	rd_addr = (uint32_t)rd(zp + 0x218, 4);
	assert_int_equal(rd(zp + 0x21c, 4), initrd_len);
	assert_int_equal(rd_addr % 4096, 0);
	assert_true(rd_addr >= HELPER_PREF_ADDRESS + HELPER_INIT_SIZE);
	assert_true(rd_addr + initrd_len <= GUEST_RAM);
	assert_true(rd_addr + initrd_len - 1 <= 0x7fffffff);
	/* As high as it can go. */
	assert_int_equal(rd_addr, (GUEST_RAM - initrd_len) & ~4095ULL);
	assert_memory_equal(gpa(&f.m, rd_addr, initrd_len), initrd, initrd_len);
	assert_int_equal(rd(zp + 0x0c0, 4), 0); /* ext_ramdisk_image */
	assert_int_equal(rd(zp + 0x0c4, 4), 0);

	/* The memory map. */
	check_e820_low(zp, 4, GUEST_RAM);
	assert_int_equal(rd(zp + 0x2d0 + 20 * 4, 8), 0);

	/* Everything the VMM wrote is dirty in its bitmap; nothing else. */
	assert_true(mem_page_is_vmm_dirty(&f.m, HELPER_PREF_ADDRESS));
	assert_true(mem_page_is_vmm_dirty(&f.m, HELPER_PREF_ADDRESS + HELPER_PAYLOAD_LEN - 1));
	assert_false(mem_page_is_vmm_dirty(&f.m, HELPER_PREF_ADDRESS + HELPER_PAYLOAD_LEN));
	assert_true(mem_page_is_vmm_dirty(&f.m, LAYOUT_CMDLINE));
	assert_true(mem_page_is_vmm_dirty(&f.m, 0x7000));
	assert_true(mem_page_is_vmm_dirty(&f.m, 0x7fff));
	assert_false(mem_page_is_vmm_dirty(&f.m, 0x6fff));
	assert_false(mem_page_is_vmm_dirty(&f.m, 0x8000));
	for (uint64_t a = rd_addr; a < rd_addr + initrd_len; a += 4096)
		assert_true(mem_page_is_vmm_dirty(&f.m, a));
	assert_false(mem_page_is_vmm_dirty(&f.m, rd_addr - 1));
	assert_false(mem_page_is_vmm_dirty(&f.m, 0));
	assert_false(mem_page_is_vmm_dirty(&f.m, 32 * MiB));

	load_teardown(&f);
	free(initrd);
}

static void test_bzimage_load_no_initrd(void **state)
{
	struct boot_entry entry;
	struct bzimage_opts o;
	struct load_fx f;
	const uint8_t *zp;
	char why[160];

	(void)state;
	bzimage_opts_default(&o);
	o.pref_address = 0; /* loads at 1 MiB */
	load_setup(&f, &o, 32 * MiB);
	assert_int_equal(bzimage_load(&f.m, &f.k, NULL, 0, "", &entry, why, sizeof(why)), 0);
	assert_int_equal(entry.rip, 0x100000 + 0x200);
	assert_memory_equal(gpa(&f.m, 0x100000, HELPER_PAYLOAD_LEN), f.k.payload,
			    HELPER_PAYLOAD_LEN);
	assert_int_equal(gpa(&f.m, LAYOUT_CMDLINE, 1)[0], '\0');
	zp = gpa(&f.m, 0x7000, 4096);
	assert_int_equal(rd(zp + 0x218, 4), 0);
	assert_int_equal(rd(zp + 0x21c, 4), 0);
	assert_int_equal(rd(zp + 0x228, 4), LAYOUT_CMDLINE);
	check_e820_low(zp, 4, 32 * MiB);
	load_teardown(&f);
}

static void test_bzimage_load_initrd_addr_max(void **state)
{
	const size_t initrd_len = 2 * MiB + 1;
	uint8_t *initrd = make_initrd(initrd_len);
	struct boot_entry entry;
	struct bzimage_opts o;
	struct load_fx f;
	uint32_t addr;
	char why[160];

	(void)state;
	/* initrd_addr_max below the end of RAM wins: the initrd's last byte is at most it. */
	bzimage_opts_default(&o);
	o.initrd_addr_max = 0x2ffffff; /* 48 MiB - 1 */
	load_setup(&f, &o, GUEST_RAM);
	assert_int_equal(
	    bzimage_load(&f.m, &f.k, initrd, initrd_len, "x", &entry, why, sizeof(why)), 0);
	addr = (uint32_t)rd(gpa(&f.m, 0x7000 + 0x218, 4), 4);
	assert_int_equal(addr % 4096, 0);
	assert_true(addr + initrd_len - 1 <= 0x2ffffff);
	assert_int_equal(addr, (48 * MiB - initrd_len) & ~4095ULL);
	assert_memory_equal(gpa(&f.m, addr, initrd_len), initrd, initrd_len);
	load_teardown(&f);
	free(initrd);
}

static void test_bzimage_load_errors(void **state)
{
	uint8_t *initrd = make_initrd(45 * MiB);
	char longcmd[2049];
	struct boot_entry entry;
	struct bzimage_opts o;
	struct load_fx f;
	char why[160];

	(void)state;
	/* The kernel's init_size runs past the end of RAM. */
	bzimage_opts_default(&o);
	o.init_size = 60 * MiB;
	load_setup(&f, &o, GUEST_RAM);
	assert_int_equal(bzimage_load(&f.m, &f.k, NULL, 0, "", &entry, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "kernel needs RAM up to 0x4c00000 but low RAM ends at 0x4000000");
	load_teardown(&f);

	/* A command line longer than the kernel takes. */
	bzimage_opts_default(&o);
	load_setup(&f, &o, GUEST_RAM);
	memset(longcmd, 'a', 2048);
	longcmd[2048] = '\0';
	assert_int_equal(bzimage_load(&f.m, &f.k, NULL, 0, longcmd, &entry, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "command line is 2048 bytes; the kernel takes at most 2047");
	longcmd[2047] = '\0';
	assert_int_equal(bzimage_load(&f.m, &f.k, NULL, 0, longcmd, &entry, why, sizeof(why)), 0);
	assert_int_equal(gpa(&f.m, LAYOUT_CMDLINE + 2046, 2)[1], '\0');

	/* An initrd too big for the room between the kernel and the end of RAM. */
	assert_int_equal(
	    bzimage_load(&f.m, &f.k, initrd, 44 * MiB + 4096, "", &entry, why, sizeof(why)),
	    -EINVAL);
	assert_non_null(strstr(why, "does not fit between the kernel and 0x4000000"));
	/* One bigger than the whole of RAM (rejected before anything is read). */
	assert_int_equal(bzimage_load(&f.m, &f.k, initrd, 65 * MiB, "", &entry, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "initrd of 68157440 bytes does not fit below 0x4000000");
	/* Just fitting: it ends at RAM's end and starts right at the kernel's end. */
	assert_int_equal(bzimage_load(&f.m, &f.k, initrd, 44 * MiB, "", &entry, why, sizeof(why)),
			 0);
	assert_int_equal(rd(gpa(&f.m, 0x7218, 4), 4), 20 * MiB);
	load_teardown(&f);

	/* RAM ending below 1 MiB has no room for a memory map (or a kernel). */
	bzimage_opts_default(&o);
	o.pref_address = 0;
	o.init_size = 0;
	load_setup(&f, &o, 1 * MiB);
	assert_int_equal(bzimage_load(&f.m, &f.k, NULL, 0, "", &entry, why, sizeof(why)), -EINVAL);
	load_teardown(&f);
	free(initrd);
}

/* ---- e820 and the memory layout ---- */

static void test_bzimage_load_cmdline_area(void **state)
{
	const size_t n = LAYOUT_CMDLINE_MAX; /* one byte too many with its NUL */
	static char cmd[LAYOUT_CMDLINE_MAX + 1];
	unsigned long long got_len = 0, got_max = 0;
	struct boot_entry entry;
	struct bzimage_opts o;
	struct load_fx f;
	char why[160] = "";
	int rc_fit, rc_long, nul;

	(void)state;
	bzimage_opts_default(&o);
	o.cmdline_size = 1u << 20; /* the kernel would take more than sevm has room for */
	load_setup(&f, &o, GUEST_RAM);
	memset(cmd, 'c', n);
	cmd[n - 1] = '\0';
	rc_fit = bzimage_load(&f.m, &f.k, NULL, 0, cmd, &entry, why, sizeof(why));
	nul = gpa(&f.m, LAYOUT_CMDLINE + n - 1, 1)[0];
	cmd[n - 1] = 'c';
	cmd[n] = '\0';
	rc_long = bzimage_load(&f.m, &f.k, NULL, 0, cmd, &entry, why, sizeof(why));
	load_teardown(&f);

	assert_int_equal(rc_fit, 0);
	assert_int_equal(nul, '\0');
	assert_int_equal(rc_long, -EINVAL);
	/* The reason must not contradict itself: the limit it names is the one that failed. */
	assert_int_equal(sscanf(why, "command line is %llu bytes; the kernel takes at most %llu",
				&got_len, &got_max),
			 2);
	assert_int_equal(got_len, n);
	if (got_max >= got_len)
		fail_msg("reason \"%s\" names a limit the command line is within", why);
}

static void test_mem_layout(void **state)
{
	struct mem_range r[2];
	unsigned n;

	(void)state;
	mem_layout(64 * MiB, r, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].gpa, 0);
	assert_int_equal(r[0].size, 64 * MiB);
	mem_layout(3 * GiB, r, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].size, 3 * GiB);
	mem_layout(3 * GiB + 2 * MiB, r, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].gpa, 0);
	assert_int_equal(r[0].size, 3 * GiB);
	assert_int_equal(r[1].gpa, 4 * GiB);
	assert_int_equal(r[1].size, 2 * MiB);
	mem_layout(16 * GiB, r, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].gpa, 4 * GiB);
	assert_int_equal(r[1].size, 13 * GiB);
}

static void test_e820_high_ram(void **state)
{
	struct e820_entry map[BP_E820_MAX];
	uint8_t zp[4096];
	struct mem_range r[2];
	unsigned n;
	int got;

	(void)state;
	/* 8 GiB: 3 GiB low, 5 GiB from 4 GiB. */
	mem_layout(8 * GiB, r, &n);
	got = e820_build(r, n, map, BP_E820_MAX);
	assert_int_equal(got, 5);
	memset(zp, 0, sizeof(zp));
	e820_store(zp, map, (unsigned)got);
	check_e820_low(zp, 5, 3 * GiB);
	assert_int_equal(rd(zp + 0x2d0 + 80, 8), 4 * GiB);
	assert_int_equal(rd(zp + 0x2d0 + 88, 8), 5 * GiB);
	assert_int_equal(rd(zp + 0x2d0 + 96, 4), 1);
	assert_int_equal(rd(zp + 0x2d0 + 100, 8), 0); /* nothing after the last entry */

	/* Exactly 3 GiB: no high RAM. */
	mem_layout(3 * GiB, r, &n);
	assert_int_equal(e820_build(r, n, map, BP_E820_MAX), 4);
	assert_int_equal(map[3].addr, 1 * MiB);
	assert_int_equal(map[3].size, 3 * GiB - 1 * MiB);
	/* Entries come in address order and never overlap. */
	mem_layout(3 * GiB + 1 * MiB, r, &n);
	got = e820_build(r, n, map, BP_E820_MAX);
	assert_int_equal(got, 5);
	for (int i = 1; i < got; i++)
		assert_true(map[i - 1].addr + map[i - 1].size <= map[i].addr);
	assert_int_equal(map[4].size, 1 * MiB);
}

static void test_e820_errors(void **state)
{
	struct e820_entry map[8];
	struct mem_range r[2];
	unsigned n;

	(void)state;
	mem_layout(1 * MiB, r, &n);
	assert_int_equal(e820_build(r, n, map, 8), -EINVAL);
	mem_layout(64 * MiB, r, &n);
	assert_int_equal(e820_build(r, 0, map, 8), -EINVAL);
	assert_int_equal(e820_build(r, n, map, 3), -EINVAL);
	assert_int_equal(e820_build(r, n, map, 4), 4);
	mem_layout(4 * GiB, r, &n);
	assert_int_equal(e820_build(r, n, map, 4), -EINVAL);
}

/* ---- guest memory ---- */

static void test_mem_write_dirty(void **state)
{
	static const uint8_t data[8] = "sevm!!!";
	struct guest_mem m;

	(void)state;
	assert_int_equal(mem_create(&m, 16 * MiB), 0);
	assert_int_equal((uintptr_t)m.base % MEM_HUGE_SIZE, 0); /* huge pages can back it */
	assert_int_equal(m.size, 16 * MiB);
	assert_int_equal(m.nr_ram, 1);
	for (uint64_t a = 0; a < 16 * MiB; a += 4096)
		if (mem_page_is_vmm_dirty(&m, a))
			fail_msg("page %#llx dirty in fresh memory", (unsigned long long)a);

	/* A write across a page boundary marks both pages and only those. */
	assert_int_equal(mem_write(&m, 0x5000 - 3, data, sizeof(data)), 0);
	assert_memory_equal(gpa(&m, 0x5000 - 3, 8), data, 8);
	assert_false(mem_page_is_vmm_dirty(&m, 0x3fff));
	assert_true(mem_page_is_vmm_dirty(&m, 0x4000));
	assert_true(mem_page_is_vmm_dirty(&m, 0x5fff));
	assert_false(mem_page_is_vmm_dirty(&m, 0x6000));
	/* Page 64 lives in the bitmap's second word. */
	assert_int_equal(mem_write(&m, 64 * 4096, data, 1), 0);
	assert_true(mem_page_is_vmm_dirty(&m, 64 * 4096 + 4095));
	assert_false(mem_page_is_vmm_dirty(&m, 63 * 4096));
	assert_false(mem_page_is_vmm_dirty(&m, 65 * 4096));
	/* The last byte of RAM. */
	assert_int_equal(mem_write(&m, 16 * MiB - 1, data, 1), 0);
	assert_true(mem_page_is_vmm_dirty(&m, 16 * MiB - 4096));
	/* A zero-length write changes nothing. */
	assert_int_equal(mem_write(&m, 0x8000, data, 0), 0);
	assert_false(mem_page_is_vmm_dirty(&m, 0x8000));

	/* Out of range: past the end, straddling it, far away. */
	assert_int_equal(mem_write(&m, 16 * MiB, data, 1), -EFAULT);
	assert_int_equal(mem_write(&m, 16 * MiB - 4, data, 8), -EFAULT);
	assert_int_equal(mem_write(&m, UINT64_MAX - 3, data, 8), -EFAULT);
	assert_int_equal(mem_write(&m, 0, data, UINT64_MAX), -EFAULT);
	assert_false(mem_page_is_vmm_dirty(&m, 16 * MiB - 8192));
	assert_false(mem_page_is_vmm_dirty(&m, 16 * MiB));
	assert_null(mem_gpa_to_hva(&m, 16 * MiB - 4, 8));
	assert_ptr_equal(mem_gpa_to_hva(&m, 0x1234, 16), m.base + 0x1234);
	mem_destroy(&m);
	assert_int_equal(m.pagemap, -1);
	assert_null(m.base);
	assert_null(m.vmm_dirty);
}

/* Pages in [from, to) never written, walking with one cursor as migration does. */
static uint64_t holes_in(const struct guest_mem *m, uint64_t from, uint64_t to)
{
	struct mem_extent c = {0};
	uint64_t n = 0;

	for (uint64_t a = from; a < to; a += 4096)
		n += mem_page_is_hole(m, a, &c);
	return n;
}

static void test_mem_never_written(void **state)
{
	static const uint8_t data[4] = "data";
	struct guest_mem m;
	struct mem_extent c = {0};

	(void)state;
	assert_int_equal(mem_create_with_firmware(&m, 64 * MiB, 1 * MiB), 0);
	assert_true(m.pagemap >= 0); /* /proc is there */
	assert_int_equal(holes_in(&m, 0, 64 * MiB), 64 * MiB / 4096);
	assert_int_equal(holes_in(&m, m.fw.gpa, 4 * GiB), MiB / 4096);

	/* A write makes its page data; with a huge page behind it, its whole
	 * 2 MiB: no more, and the rest stays holes. */
	assert_int_equal(mem_write(&m, 5 * MiB + 4096 + 7, data, 4), 0);
	assert_false(mem_page_is_hole(&m, 5 * MiB + 4096, &c));
	uint64_t left = holes_in(&m, 0, 64 * MiB);
	assert_true(left >= 64 * MiB / 4096 - 512 && left < 64 * MiB / 4096);
	assert_int_equal(holes_in(&m, 0, 4 * MiB), 4 * MiB / 4096);
	assert_int_equal(holes_in(&m, 6 * MiB, 64 * MiB), 58 * MiB / 4096);
	/* The last page of RAM and the firmware region, each its own. */
	assert_int_equal(mem_write(&m, 64 * MiB - 1, data, 1), 0);
	assert_int_equal(mem_write(&m, m.fw.gpa, data, 4), 0);
	c = (struct mem_extent){0};
	assert_false(mem_page_is_hole(&m, 64 * MiB - 4096, &c));
	assert_false(mem_page_is_hole(&m, m.fw.gpa, &c));
	assert_int_equal(holes_in(&m, 6 * MiB, 62 * MiB), 56 * MiB / 4096);
	/* Outside guest memory nothing is a hole (callers never ask). */
	assert_false(mem_page_is_hole(&m, 64 * MiB, &c));
	mem_destroy(&m);
}

static void test_mem_hole(void **state)
{
	static const uint8_t data[8] = "hole";
	struct guest_mem m;

	(void)state;
	/* 3 GiB + 8 MiB, sparse: only the pages written get memory. */
	assert_int_equal(mem_create(&m, 3 * GiB + 8 * MiB), 0);
	assert_int_equal(m.nr_ram, 2);
	assert_int_equal(m.ram[1].gpa, 4 * GiB);
	assert_int_equal(m.ram[1].size, 8 * MiB);

	assert_int_equal(mem_write(&m, 3 * GiB - 8, data, 8), 0);
	assert_int_equal(mem_write(&m, 3 * GiB - 4, data, 8), -EFAULT); /* into the hole */
	assert_int_equal(mem_write(&m, 3 * GiB, data, 1), -EFAULT);
	assert_int_equal(mem_write(&m, 0xfec00000, data, 4), -EFAULT); /* the IOAPIC */
	assert_int_equal(mem_write(&m, 4 * GiB - 1, data, 1), -EFAULT);
	assert_int_equal(mem_write(&m, 4 * GiB - 4, data, 8), -EFAULT);	      /* out of the hole */
	assert_int_equal(mem_write(&m, 3 * GiB - 4, data, GiB + 8), -EFAULT); /* across */
	assert_false(mem_page_is_vmm_dirty(&m, 3 * GiB));
	assert_false(mem_page_is_vmm_dirty(&m, 4 * GiB - 4096));
	assert_null(mem_gpa_to_hva(&m, 3 * GiB + 4096, 1));

	/* RAM above 4 GiB follows low RAM in the mapping and in the bitmap. */
	assert_int_equal(mem_write(&m, 4 * GiB + 4096, data, 8), 0);
	assert_ptr_equal(mem_gpa_to_hva(&m, 4 * GiB + 4096, 8), m.base + 3 * GiB + 4096);
	assert_memory_equal(m.base + 3 * GiB + 4096, data, 8);
	assert_true(mem_page_is_vmm_dirty(&m, 4 * GiB + 4096));
	assert_false(mem_page_is_vmm_dirty(&m, 4 * GiB));
	assert_true(mem_page_is_vmm_dirty(&m, 3 * GiB - 4096));
	assert_int_equal(mem_write(&m, 4 * GiB + 8 * MiB - 8, data, 8), 0);
	assert_int_equal(mem_write(&m, 4 * GiB + 8 * MiB - 4, data, 8), -EFAULT);
	mem_destroy(&m);

	assert_int_equal(mem_create(&m, 0), -EINVAL);
	assert_int_equal(mem_create(&m, 4096 + 1), -EINVAL);
	mem_destroy(&m);
}

/* ---- MP table ---- */

#define MPF_SIZE 16
#define MPC_HDR 44

struct mp_counts {
	unsigned cpu, bus, ioapic, io_int, local_int;
};

static void check_mptable(unsigned nr_cpus)
{
	const struct mptable_cpu_info info = {
	    .nr_cpus = nr_cpus, .signature = 0x000806f8, .features = 0x178bfbff};
	const uint64_t base = LAYOUT_MPTABLE;
	size_t size = mptable_size(nr_cpus), cap = size + 64;
	uint8_t *buf = malloc(cap), *mpc, *p, *end;
	struct mp_counts c = {0};
	unsigned entries;
	uint16_t len;

	assert_non_null(buf);
	memset(buf, 0xee, cap);
	assert_int_equal(mptable_build(buf, cap, base, &info), (int)size);
	assert_int_equal(buf[size], 0xee); /* nothing written past the tables */

	/* Floating pointer: "_MP_", physical pointer to the table, 16 bytes, sums to 0. */
	assert_memory_equal(buf, "_MP_", 4);
	assert_int_equal(rd(buf + 4, 4), base + MPF_SIZE);
	assert_int_equal(buf[8], 1);
	assert_int_equal(buf[9], 4);
	assert_int_equal(mptable_sum(buf, MPF_SIZE), 0);
	assert_int_equal(buf[11], 0); /* feature byte 1: the table is present */

	mpc = buf + MPF_SIZE;
	len = (uint16_t)rd(mpc + 4, 2);
	assert_memory_equal(mpc, "PCMP", 4);
	assert_int_equal(len, size - MPF_SIZE);
	assert_int_equal(mpc[6], 4);
	assert_int_equal(mptable_sum(mpc, len), 0);
	assert_int_equal(rd(mpc + 36, 4), 0xfee00000);
	assert_int_equal(rd(mpc + 40, 2), 0); /* no extended table */
	entries = (unsigned)rd(mpc + 34, 2);
	assert_int_equal(entries, nr_cpus + 1 + 1 + 16 + 2);

	p = mpc + MPC_HDR;
	end = mpc + len;
	for (unsigned i = 0; i < entries; i++) {
		assert_true(p < end);
		switch (p[0]) {
		case 0:				       /* processor */
			assert_int_equal(p[1], c.cpu); /* APIC IDs in order from 0 */
			assert_int_equal(p[3], c.cpu == 0 ? 0x03 : 0x01); /* enabled, BSP */
			assert_int_equal(rd(p + 4, 4), 0x000806f8);
			assert_int_equal(rd(p + 8, 4), 0x178bfbff);
			assert_int_equal(c.bus + c.ioapic + c.io_int + c.local_int, 0);
			c.cpu++;
			p += 20;
			break;
		case 1: /* bus */
			assert_int_equal(p[1], 0);
			assert_memory_equal(p + 2, "ISA   ", 6);
			c.bus++;
			p += 8;
			break;
		case 2:					 /* IOAPIC */
			assert_int_equal(p[1], nr_cpus); /* the ID after the last CPU's */
			assert_int_equal(p[3] & 1, 1);
			assert_int_equal(rd(p + 4, 4), 0xfec00000);
			c.ioapic++;
			p += 8;
			break;
		case 3:				   /* I/O interrupt: ISA IRQ n to IOAPIC pin n */
			assert_int_equal(p[1], 0); /* INT */
			assert_int_equal(p[4], 0); /* ISA bus */
			assert_int_equal(p[5], c.io_int);
			assert_int_equal(p[6], nr_cpus);
			assert_int_equal(p[7], c.io_int);
			c.io_int++;
			p += 8;
			break;
		case 4: /* local interrupt: LINT0 ExtINT, LINT1 NMI, every CPU */
			assert_int_equal(p[1], c.local_int == 0 ? 3 : 1);
			assert_int_equal(p[6], 0xff);
			assert_int_equal(p[7], c.local_int);
			c.local_int++;
			p += 8;
			break;
		default:
			fail_msg("entry %u has type %u", i, p[0]);
		}
	}
	assert_ptr_equal(p, end);
	assert_int_equal(c.cpu, nr_cpus);
	assert_int_equal(c.bus, 1);
	assert_int_equal(c.ioapic, 1);
	assert_int_equal(c.io_int, 16);
	assert_int_equal(c.local_int, 2);
	free(buf);
}

static void test_mptable(void **state)
{
	(void)state;
	assert_int_equal(mptable_size(1), 16 + 44 + 20 + 20 * 8);
	check_mptable(1);
	check_mptable(2);
	check_mptable(7);
	check_mptable(MPTABLE_MAX_CPUS);
}

static void test_mptable_rejects(void **state)
{
	struct mptable_cpu_info info = {.nr_cpus = 0};
	static uint8_t buf[8192];

	(void)state;
	assert_int_equal(mptable_build(buf, sizeof(buf), LAYOUT_MPTABLE, &info), -EINVAL);
	info.nr_cpus = 255;
	assert_int_equal(mptable_build(buf, sizeof(buf), LAYOUT_MPTABLE, &info), -EINVAL);
	info.nr_cpus = 4;
	assert_int_equal(mptable_build(buf, mptable_size(4) - 1, LAYOUT_MPTABLE, &info), -EINVAL);
	assert_int_equal(mptable_build(buf, sizeof(buf), 4 * GiB - mptable_size(4) + 1, &info),
			 -EINVAL);
	assert_int_equal(mptable_build(buf, mptable_size(4), LAYOUT_MPTABLE, &info),
			 (int)mptable_size(4));
	/* The whole table fits below 1 MiB at its layout address even with all CPUs. */
	assert_true(LAYOUT_MPTABLE + mptable_size(MPTABLE_MAX_CPUS) <= LAYOUT_HIGH_START);
	assert_int_equal(mptable_sum((const uint8_t *)"\x01\xff\x10", 3), 0x10);
}

/* ---- long mode ---- */

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL
#define PTE_ADDR 0x000ffffffffff000ULL

/* Translates va through the tables in guest RAM; false when not mapped. */
static bool walk(const struct guest_mem *m, uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t e = rd(gpa(m, (cr3 & PTE_ADDR) + ((va >> 39) & 511) * 8, 8), 8);

	if (!(e & PTE_P))
		return false;
	e = rd(gpa(m, (e & PTE_ADDR) + ((va >> 30) & 511) * 8, 8), 8);
	if (!(e & PTE_P))
		return false;
	assert_false(e & PTE_PS); /* no 1 GiB pages */
	e = rd(gpa(m, (e & PTE_ADDR) + ((va >> 21) & 511) * 8, 8), 8);
	if (!(e & PTE_P))
		return false;
	assert_true(e & PTE_PS); /* 2 MiB pages */
	assert_true(e & PTE_RW);
	*pa = (e & 0x000fffffffe00000ULL) + (va & 0x1fffff);
	return true;
}

static void test_longmode_tables(void **state)
{
	struct kvm_sregs s;
	struct guest_mem m;
	const uint8_t *gdt, *tss;
	uint64_t pa, d;

	(void)state;
	assert_int_equal(mem_create(&m, 16 * MiB), 0);
	assert_int_equal(longmode_write_tables(&m), 0);
	memset(&s, 0, sizeof(s));
	longmode_sregs(&s);
	assert_int_equal(s.cr3, LAYOUT_PML4);

	/* Every 2 MiB page of 0..4 GiB maps to itself; 4 GiB and up is unmapped. */
	for (uint64_t va = 0; va < 4 * GiB; va += 2 * MiB) {
		uint64_t off = (va >> 21) * 4097 % (2 * MiB);

		if (!walk(&m, s.cr3, va + off, &pa) || pa != va + off)
			fail_msg("va %#llx not identity-mapped", (unsigned long long)(va + off));
	}
	assert_true(walk(&m, s.cr3, 4 * GiB - 1, &pa));
	assert_int_equal(pa, 4 * GiB - 1);
	assert_false(walk(&m, s.cr3, 4 * GiB, &pa));
	assert_false(walk(&m, s.cr3, 512 * GiB, &pa));
	assert_false(walk(&m, s.cr3, 0xffffffff80000000ULL, &pa));
	/* The tables are in RAM the VMM marked dirty. */
	assert_true(mem_page_is_vmm_dirty(&m, LAYOUT_PML4));
	assert_true(mem_page_is_vmm_dirty(&m, LAYOUT_PDPT));
	for (unsigned i = 0; i < 4; i++)
		assert_true(mem_page_is_vmm_dirty(&m, LAYOUT_PD + i * 4096));

	/* GDT: null, null, 64-bit code at 0x10, data at 0x18, busy TSS at 0x20. */
	gdt = gpa(&m, LAYOUT_GDT, 48);
	assert_int_equal(rd(gdt, 8), 0);
	assert_int_equal(rd(gdt + 8, 8), 0);
	d = rd(gdt + 0x10, 8);
	assert_int_equal((d >> 40) & 0xf, 0xb); /* execute/read, accessed */
	assert_int_equal((d >> 44) & 1, 1);	/* S: code/data */
	assert_int_equal((d >> 45) & 3, 0);	/* DPL 0 */
	assert_int_equal((d >> 47) & 1, 1);	/* P */
	assert_int_equal((d >> 53) & 1, 1);	/* L */
	assert_int_equal((d >> 54) & 1, 0);	/* D must be 0 with L */
	d = rd(gdt + 0x18, 8);
	assert_int_equal((d >> 40) & 0xf, 0x3); /* read/write, accessed */
	assert_int_equal((d >> 44) & 1, 1);
	assert_int_equal((d >> 47) & 1, 1);
	assert_int_equal((d >> 54) & 1, 1); /* D/B */
	assert_int_equal((d >> 55) & 1, 1); /* G */
	assert_int_equal((d & 0xffff) | ((d >> 32) & 0xf0000), 0xfffff);
	d = rd(gdt + 0x20, 8);
	assert_int_equal(d & 0xffff, 0x67);
	assert_int_equal(((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000), LAYOUT_TSS);
	assert_int_equal((d >> 40) & 0xf, 0xb); /* busy 64-bit TSS */
	assert_int_equal((d >> 44) & 1, 0);	/* system descriptor */
	assert_int_equal((d >> 47) & 1, 1);
	assert_int_equal(rd(gdt + 0x28, 8), LAYOUT_TSS >> 32);
	tss = gpa(&m, LAYOUT_TSS, 0x68);
	assert_int_equal(rd(tss + 0x66, 2), 0x68); /* no I/O bitmap */

	/* The descriptor caches agree with the GDT. */
	assert_int_equal(s.gdt.base, LAYOUT_GDT);
	assert_int_equal(s.gdt.limit, 47);
	assert_true(s.tr.selector + 15 <= s.gdt.limit);
	assert_int_equal(s.cs.selector, 0x10);
	d = rd(gdt + s.cs.selector, 8);
	assert_int_equal(s.cs.type, (d >> 40) & 0xf);
	assert_int_equal(s.cs.l, (d >> 53) & 1);
	assert_int_equal(s.cs.db, (d >> 54) & 1);
	d = rd(gdt + s.ds.selector, 8);
	assert_int_equal(s.ds.type, (d >> 40) & 0xf);
	assert_int_equal(s.ds.db, (d >> 54) & 1);
	mem_destroy(&m);

	/* Too little RAM for the page directories fails cleanly. */
	assert_int_equal(mem_create(&m, 0xb000 + 2 * 4096), 0);
	assert_int_equal(longmode_write_tables(&m), -EFAULT);
	mem_destroy(&m);
}

static void test_longmode_sregs(void **state)
{
	struct kvm_sregs s;
	const struct kvm_segment *data[] = {&s.ds, &s.es, &s.fs, &s.gs, &s.ss};

	(void)state;
	memset(&s, 0, sizeof(s));
	s.apic_base = 0xfee00900;
	s.interrupt_bitmap[1] = 0x42;
	s.cr8 = 0;
	longmode_sregs(&s);
	assert_int_equal(s.apic_base, 0xfee00900); /* KVM's fields kept */
	assert_int_equal(s.interrupt_bitmap[1], 0x42);

	assert_int_equal(s.cr0 & 0x80000001ULL, 0x80000001ULL); /* PG | PE */
	assert_int_equal(s.cr4 & 0x20, 0x20);			/* PAE */
	assert_int_equal(s.efer & 0x500, 0x500);		/* LME | LMA */
	assert_int_equal(s.cr3, LAYOUT_PML4);

	assert_int_equal(s.cs.selector, BOOT_CS);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0);
	assert_int_equal(s.cs.present, 1);
	assert_int_equal(s.cs.s, 1);
	assert_int_equal(s.cs.dpl, 0);
	assert_int_equal(s.cs.type & 0x8, 0x8); /* code */
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(data[i]->selector, BOOT_DS);
		assert_int_equal(data[i]->type, 0x3);
		assert_int_equal(data[i]->present, 1);
		assert_int_equal(data[i]->s, 1);
		assert_int_equal(data[i]->base, 0);
		assert_int_equal(data[i]->unusable, 0);
	}
	assert_int_equal(s.tr.selector, BOOT_TSS);
	assert_int_equal(s.tr.type, 11); /* busy 64-bit TSS */
	assert_int_equal(s.tr.present, 1);
	assert_int_equal(s.tr.s, 0);
	assert_int_equal(s.tr.base, LAYOUT_TSS);
	assert_int_equal(s.tr.limit, 0x67);
	assert_int_equal(s.tr.unusable, 0);
	assert_int_equal(s.ldt.unusable, 1);
	assert_int_equal(s.idt.limit, 0);
}

static void test_longmode_regs(void **state)
{
	struct kvm_regs r;

	(void)state;
	memset(&r, 0xa5, sizeof(r));
	longmode_regs(&r, 0x1000200, LAYOUT_ZERO_PAGE);
	assert_int_equal(r.rip, 0x1000200);
	assert_int_equal(r.rsi, LAYOUT_ZERO_PAGE);
	assert_int_equal(r.rflags, 0x2); /* IF clear */
	assert_int_equal(r.rax, 0);
	assert_int_equal(r.rsp, 0);
	assert_int_equal(r.rdi, 0);
	assert_int_equal(r.r15, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bzimage_parse_ok),
	    cmocka_unit_test(test_bzimage_parse_addresses),
	    cmocka_unit_test(test_bzimage_parse_rejects),
	    cmocka_unit_test(test_initrd_check),
	    cmocka_unit_test(test_bzimage_load),
	    cmocka_unit_test(test_bzimage_load_no_initrd),
	    cmocka_unit_test(test_bzimage_load_initrd_addr_max),
	    cmocka_unit_test(test_bzimage_load_errors),
	    cmocka_unit_test(test_bzimage_load_cmdline_area),
	    cmocka_unit_test(test_mem_layout),
	    cmocka_unit_test(test_e820_high_ram),
	    cmocka_unit_test(test_e820_errors),
	    cmocka_unit_test(test_mem_write_dirty),
	    cmocka_unit_test(test_mem_hole),
	    cmocka_unit_test(test_mem_never_written),
	    cmocka_unit_test(test_mptable),
	    cmocka_unit_test(test_mptable_rejects),
	    cmocka_unit_test(test_longmode_tables),
	    cmocka_unit_test(test_longmode_sregs),
	    cmocka_unit_test(test_longmode_regs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
