/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the unit tests: synthetic bzImage files laid out as in
 * Linux's Documentation/arch/x86/boot.rst, and throw-away temp directories.
 */
#ifndef SEVM_TESTS_UNIT_HELPERS_H
#define SEVM_TESTS_UNIT_HELPERS_H

#include <stddef.h>
#include <stdint.h>

/* What a generated bzImage looks like; bzimage_opts_default() gives a valid one. */
struct bzimage_opts {
	uint8_t setup_sects;	  /* 0 means 4, as in the boot protocol */
	uint16_t boot_flag;	  /* 0xaa55 */
	uint8_t header_end_jump;  /* byte 0x201: header ends at 0x202 + this */
	uint32_t magic;		  /* "HdrS" */
	uint16_t version;	  /* 0x020f */
	uint8_t loadflags;	  /* LOADED_HIGH */
	uint32_t code32_start;	  /* 0x100000 */
	uint32_t initrd_addr_max; /* 0x7fffffff */
	uint16_t xloadflags;	  /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	uint32_t cmdline_size;	  /* 2047 */
	uint64_t pref_address;	  /* 16 MiB */
	uint32_t init_size;	  /* 4 MiB */
	size_t payload_len;	  /* 8 KiB of protected-mode "code" */
	size_t total_len;	  /* 0: setup + payload; else the file is cut (or padded) to this */
};

#define HELPER_HEADER_END 0x268 /* end of the 2.15 setup header */
#define HELPER_PAYLOAD_LEN 8192u
#define HELPER_PREF_ADDRESS 0x1000000ULL
#define HELPER_INIT_SIZE 0x400000u

void bzimage_opts_default(struct bzimage_opts *o);
/* A malloc'd image built from o; *len is its size. */
uint8_t *bzimage_build(const struct bzimage_opts *o, size_t *len);
/* Byte i of the generated protected-mode payload. */
uint8_t bzimage_payload_byte(size_t i);

/* A fresh directory under /tmp (mkdtemp); free it with tmpdir_remove(). */
char *tmpdir_create(void);
/* Deletes dir and everything in it, then frees the string. */
void tmpdir_remove(char *dir);
/* malloc'd "dir/name". */
char *path_join(const char *dir, const char *name);
/* Writes data to dir/name and returns the malloc'd path (NULL on failure). */
char *tmp_write_file(const char *dir, const char *name, const void *data, size_t len);
/* Writes a bzImage built from o (NULL: the defaults) to dir/name. */
char *tmp_write_bzimage(const char *dir, const char *name, const struct bzimage_opts *o);

#endif
