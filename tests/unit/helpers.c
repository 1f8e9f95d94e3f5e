// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the unit tests. The setup header offsets are written out
 * here from boot.rst on purpose, rather than taken from src/vmm/bootparams.h,
 * so a wrong offset there shows up as a failing test.
 */
#include "helpers.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Documentation/arch/x86/boot.rst, "The real-mode kernel header". */
#define OFF_SETUP_SECTS 0x1f1
#define OFF_BOOT_FLAG 0x1fe
#define OFF_JUMP 0x200
#define OFF_HEADER 0x202
#define OFF_VERSION 0x206
#define OFF_LOADFLAGS 0x211
#define OFF_CODE32_START 0x214
#define OFF_INITRD_ADDR_MAX 0x22c
#define OFF_KERNEL_ALIGNMENT 0x230
#define OFF_RELOCATABLE 0x234
#define OFF_XLOADFLAGS 0x236
#define OFF_CMDLINE_SIZE 0x238
#define OFF_PREF_ADDRESS 0x258
#define OFF_INIT_SIZE 0x260

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

void bzimage_opts_default(struct bzimage_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->setup_sects = 4;
	o->boot_flag = 0xaa55;
	o->header_end_jump = HELPER_HEADER_END - 0x202;
	o->magic = 0x53726448; /* "HdrS" */
	o->version = 0x020f;
	o->loadflags = 0x01; /* LOADED_HIGH */
	o->code32_start = 0x100000;
	o->initrd_addr_max = 0x7fffffff;
	o->xloadflags = 0x0003; /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	o->cmdline_size = 2047;
	o->pref_address = HELPER_PREF_ADDRESS;
	o->init_size = HELPER_INIT_SIZE;
	o->payload_len = HELPER_PAYLOAD_LEN;
}

uint8_t bzimage_payload_byte(size_t i)
{
	return (uint8_t)(i * 131 + (i >> 8) + 7);
}

uint8_t *bzimage_build(const struct bzimage_opts *o, size_t *len)
{
	size_t setup_len = ((size_t)(o->setup_sects ? o->setup_sects : 4) + 1) * 512;
	size_t full = setup_len + o->payload_len;
	size_t n = o->total_len ? o->total_len : full;
	size_t alloc = n > full ? n : full;
	uint8_t *img, *cut;

	if (alloc < setup_len)
		alloc = setup_len;
	img = calloc(1, alloc);
	if (!img)
		return NULL;
	/* A real-mode stub's worth of recognisable junk before the header. */
	memset(img, 0xcc, OFF_SETUP_SECTS);
	img[OFF_SETUP_SECTS] = o->setup_sects;
	le16(img + OFF_BOOT_FLAG, o->boot_flag);
	img[OFF_JUMP] = 0xeb; /* jmp short */
	img[OFF_JUMP + 1] = o->header_end_jump;
	le32(img + OFF_HEADER, o->magic);
	le16(img + OFF_VERSION, o->version);
	img[OFF_LOADFLAGS] = o->loadflags;
	le32(img + OFF_CODE32_START, o->code32_start);
	le32(img + OFF_INITRD_ADDR_MAX, o->initrd_addr_max);
	le32(img + OFF_KERNEL_ALIGNMENT, 0x200000);
	img[OFF_RELOCATABLE] = 1;
	le16(img + OFF_XLOADFLAGS, o->xloadflags);
	le32(img + OFF_CMDLINE_SIZE, o->cmdline_size);
	le64(img + OFF_PREF_ADDRESS, o->pref_address);
	le32(img + OFF_INIT_SIZE, o->init_size);
	for (size_t i = 0; i < o->payload_len; i++)
		img[setup_len + i] = bzimage_payload_byte(i);
	/* Cut to exactly n bytes so ASan catches any read past the end. */
	if (n < alloc) {
		cut = malloc(n ? n : 1);
		if (cut)
			memcpy(cut, img, n);
		free(img);
		img = cut;
	}
	*len = n;
	return img;
}

char *tmpdir_create(void)
{
	char *dir = strdup("/tmp/sevm-unit-XXXXXX");

	if (dir && !mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tmpdir_remove(char *dir)
{
	if (!dir)
		return;
	/* Children first (FTW_DEPTH); never follow symlinks out of the dir. */
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *tmp_write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = path_join(dir, name);
	const uint8_t *d = data;
	int fd;

	if (!path)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	while (len) {
		ssize_t n = write(fd, d, len);

		if (n <= 0) {
			close(fd);
			goto fail;
		}
		d += n;
		len -= (size_t)n;
	}
	if (close(fd) == 0)
		return path;
fail:
	free(path);
	return NULL;
}

char *tmp_write_bzimage(const char *dir, const char *name, const struct bzimage_opts *o)
{
	struct bzimage_opts def;
	uint8_t *img;
	size_t len;
	char *path;

	if (!o) {
		bzimage_opts_default(&def);
		o = &def;
	}
	img = bzimage_build(o, &len);
	if (!img)
		return NULL;
	path = tmp_write_file(dir, name, img, len);
	free(img);
	return path;
}

/* ---- synthetic firmware images ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void guid_parse(const char *s, uint8_t out[16])
{
	/* Text byte order -> EFI order: the first three fields are little-endian. */
	static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	uint8_t text[16];
	size_t n = 0;

	for (const char *p = s; *p; p++) {
		int hi, lo;

		if (*p == '-' && (p - s == 8 || p - s == 13 || p - s == 18 || p - s == 23))
			continue;
		hi = hexval(p[0]);
		lo = hi < 0 ? -1 : hexval(p[1]);
		if (lo < 0 || n == 16)
			abort();
		text[n++] = (uint8_t)(hi << 4 | lo);
		p++;
	}
	if (n != 16 || strlen(s) != 36)
		abort();
	for (size_t i = 0; i < 16; i++)
		out[i] = text[order[i]];
}

void fwimg_params_default(struct fwimg_params *p)
{
	memset(p, 0, sizeof(*p));
	p->size = FWIMG_DEFAULT_SIZE;
	p->ap_reset = FWIMG_DEFAULT_AP_RESET;
	p->secret_base = FWIMG_DEFAULT_SECRET;
	p->secret_size = 0x1000;
	p->hashes_base = FWIMG_DEFAULT_HASHES;
	p->hashes_size = 0x1000;
	p->version = 1;
	p->image_base = FWIMG_DEFAULT_BASE;
	p->vmsa_base = FWIMG_DEFAULT_VMSA;
	p->vmsa_max = FWIMG_DEFAULT_VMSA_MAX;
	p->shared_base = FWIMG_DEFAULT_SHARED;
	p->shared_size = FWIMG_DEFAULT_SHARED_SIZE;
	p->runtime_base = FWIMG_DEFAULT_RUNTIME;
	p->runtime_size = FWIMG_DEFAULT_RUNTIME_SIZE;
}

struct fwimg_entry *fwimg_add(struct fwimg *f, const char *guid, const void *data, size_t len)
{
	struct fwimg_entry *e;

	if (f->nr == FWIMG_MAX_ENTRIES || len > FWIMG_MAX_DATA)
		abort();
	e = &f->e[f->nr++];
	memset(e, 0, sizeof(*e));
	guid_parse(guid, e->guid);
	if (len)
		memcpy(e->data, data, len);
	e->len = len;
	return e;
}

void fwimg_init(struct fwimg *f, const struct fwimg_params *p)
{
	uint8_t b[FWIMG_INFO_LEN];
	const uint32_t info[8] = {p->version,	  p->image_base,  p->vmsa_base,	   p->vmsa_max,
				  p->shared_base, p->shared_size, p->runtime_base, p->runtime_size};

	memset(f, 0, sizeof(*f));
	f->size = p->size;
	le32(b, p->ap_reset);
	fwimg_add(f, GUID_STR_SEV_ES_RESET, b, 4);
	le32(b, p->secret_base);
	le32(b + 4, p->secret_size);
	fwimg_add(f, GUID_STR_SEV_SECRET, b, 8);
	le32(b, p->hashes_base);
	le32(b + 4, p->hashes_size);
	fwimg_add(f, GUID_STR_SEV_HASHES, b, 8);
	for (size_t i = 0; i < 8; i++)
		le32(b + 4 * i, info[i]);
	fwimg_add(f, GUID_STR_SEVM_INFO, b, sizeof(b));
}

struct fwimg_entry *fwimg_get(struct fwimg *f, const char *guid)
{
	uint8_t g[16];

	guid_parse(guid, g);
	for (unsigned i = 0; i < f->nr; i++)
		if (!memcmp(f->e[i].guid, g, 16))
			return &f->e[i];
	return NULL;
}

void fwimg_remove(struct fwimg *f, const char *guid)
{
	struct fwimg_entry *e = fwimg_get(f, guid);
	size_t i;

	if (!e)
		abort();
	i = (size_t)(e - f->e);
	memmove(e, e + 1, (f->nr - i - 1) * sizeof(*e));
	f->nr--;
}

size_t fwimg_table_len(const struct fwimg *f)
{
	size_t n = FWIMG_TRAILER;

	for (unsigned i = 0; i < f->nr; i++)
		n += f->e[i].len + FWIMG_TRAILER;
	return n;
}

size_t fwimg_data_offset(const struct fwimg *f, unsigned i)
{
	size_t off = f->size - FWIMG_FOOTER_FROM_END + 16 - fwimg_table_len(f);

	for (unsigned j = 0; j < i; j++)
		off += f->e[j].len + FWIMG_TRAILER;
	return off;
}

uint8_t fwimg_fill_byte(size_t i)
{
	return (uint8_t)(i * 37 + (i >> 9) + 0x5b);
}

uint8_t *fwimg_build(const struct fwimg *f, size_t *len)
{
	size_t footer, off;
	uint8_t *img;

	if (f->size < FWIMG_FOOTER_FROM_END ||
	    fwimg_table_len(f) > f->size - FWIMG_FOOTER_FROM_END + 16)
		return NULL;
	img = malloc(f->size ? f->size : 1);
	if (!img)
		return NULL;
	for (size_t i = 0; i < f->size; i++)
		img[i] = fwimg_fill_byte(i);
	footer = f->size - FWIMG_FOOTER_FROM_END;
	guid_parse(GUID_STR_TABLE_FOOTER, img + footer);
	if (f->no_footer)
		img[footer + 7] ^= 0x10;
	le16(img + footer - 2, f->set_table_len ? f->table_len : (uint16_t)fwimg_table_len(f));
	off = fwimg_data_offset(f, 0);
	for (unsigned i = 0; i < f->nr; i++) {
		const struct fwimg_entry *e = &f->e[i];

		memcpy(img + off, e->data, e->len);
		off += e->len;
		le16(img + off, e->set_len ? e->len_field : (uint16_t)(e->len + FWIMG_TRAILER));
		memcpy(img + off + 2, e->guid, 16);
		off += FWIMG_TRAILER;
	}
	*len = f->size;
	return img;
}

char *tmp_write_fwimg_raw(const char *dir, const char *name, const struct fwimg *f)
{
	size_t len;
	uint8_t *img = fwimg_build(f, &len);
	char *path;

	if (!img)
		return NULL;
	path = tmp_write_file(dir, name, img, len);
	free(img);
	return path;
}

char *tmp_write_fwimg(const char *dir, const char *name, const struct fwimg_params *p)
{
	struct fwimg_params def;
	struct fwimg f;

	if (!p) {
		fwimg_params_default(&def);
		p = &def;
	}
	fwimg_init(&f, p);
	return tmp_write_fwimg_raw(dir, name, &f);
}
