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
