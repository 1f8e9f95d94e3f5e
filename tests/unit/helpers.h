/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the unit tests: synthetic bzImage files laid out as in
 * Linux's Documentation/arch/x86/boot.rst, and throw-away temp directories.
 */
#ifndef SEVM_TESTS_UNIT_HELPERS_H
#define SEVM_TESTS_UNIT_HELPERS_H

#include <stdbool.h>
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

/* ---- synthetic firmware images ----
 * The GUIDed table at the end of the image as in QEMU
 * docs/specs/sev-guest-firmware.rst: the image ends at 4 GiB, the footer GUID
 * sits 0x30 bytes before the end with the u16 table length just below it, and
 * the entries ("data, u16 length, GUID") precede that. Offsets and GUIDs are
 * written out here from that document and sev-facts.md, not taken from
 * include/sevm/fw_abi.h, so a wrong value there shows up as a failing test.
 */
#define GUID_STR_TABLE_FOOTER "96b582de-1fb2-45f7-baea-a366c55a082d"
#define GUID_STR_SEV_ES_RESET "00f771de-1a7e-4fcb-890e-68c77e2fb44e"
#define GUID_STR_SEV_SECRET "4c2eb361-7d9b-4cc3-8081-127c90d3d294"
#define GUID_STR_SEV_HASHES "7255371f-3a3b-4b04-927b-1da6efa8d454"
#define GUID_STR_SEVM_INFO "d6398fa9-bc47-433f-ba9e-14b9400f6022" /* sevm's own */

#define FWIMG_END 0x100000000ULL
#define FWIMG_FOOTER_FROM_END 0x30
#define FWIMG_TRAILER 18 /* u16 length + GUID */
#define FWIMG_MAX_ENTRIES 8
#define FWIMG_MAX_DATA 64
#define FWIMG_INFO_LEN 32 /* struct fw_sevm_info: eight u32 */

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" to 16 bytes in EFI order (the
 * first three fields little-endian); aborts on a malformed string. */
void guid_parse(const char *s, uint8_t out[16]);

/* What the table of a generated image says; fwimg_params_default() gives a
 * valid 256 KiB image. */
struct fwimg_params {
	size_t size;	   /* FWIMG_DEFAULT_SIZE */
	uint32_t ap_reset; /* SEV-ES reset block: CS base | IP */
	uint32_t secret_base, secret_size;
	uint32_t hashes_base, hashes_size;
	/* sevm info, in its field order */
	uint32_t version, image_base, vmsa_base, vmsa_max;
	uint32_t shared_base, shared_size, runtime_base, runtime_size;
};

#define FWIMG_DEFAULT_SIZE 0x40000u
#define FWIMG_DEFAULT_BASE 0xfffc0000u
#define FWIMG_DEFAULT_AP_RESET 0xfffef000u
#define FWIMG_DEFAULT_SECRET 0xfffc0000u /* one page each, from the image's start */
#define FWIMG_DEFAULT_HASHES 0xfffc1000u
#define FWIMG_DEFAULT_VMSA 0xfffc2000u
#define FWIMG_DEFAULT_VMSA_MAX 8u
#define FWIMG_DEFAULT_RUNTIME 0xfffca000u
#define FWIMG_DEFAULT_RUNTIME_SIZE 0x6000u
#define FWIMG_DEFAULT_SHARED 0x00800000u /* 8 MiB */
#define FWIMG_DEFAULT_SHARED_SIZE 0x10000u

void fwimg_params_default(struct fwimg_params *p);

struct fwimg_entry {
	uint8_t guid[16];
	uint8_t data[FWIMG_MAX_DATA];
	size_t len;   /* bytes of data */
	bool set_len; /* write len_field instead of the true len + 18 */
	uint16_t len_field;
};

/* An image under construction: entries can be edited, reordered, broken. */
struct fwimg {
	size_t size;
	unsigned nr;
	/* e[0] is lowest in memory, e[nr - 1] right below the table length,
	 * so it is the first one a reader walking backwards meets. */
	struct fwimg_entry e[FWIMG_MAX_ENTRIES];
	bool no_footer;	    /* the footer GUID has one bit flipped */
	bool set_table_len; /* write table_len instead of the true length */
	uint16_t table_len;
};

/* f from p: the SEV-ES reset block, secret, hashes and sevm info entries,
 * in that order in memory. */
void fwimg_init(struct fwimg *f, const struct fwimg_params *p);
/* Appends an entry (nearest the footer); aborts when f is full. */
struct fwimg_entry *fwimg_add(struct fwimg *f, const char *guid, const void *data, size_t len);
/* The entry with this GUID string, or NULL. */
struct fwimg_entry *fwimg_get(struct fwimg *f, const char *guid);
/* Drops the entry with this GUID string; aborts if there is none. */
void fwimg_remove(struct fwimg *f, const char *guid);
/* The true table length: entries, the u16 and the footer GUID. */
size_t fwimg_table_len(const struct fwimg *f);
/* Offset in the image of entry i's data. */
size_t fwimg_data_offset(const struct fwimg *f, unsigned i);
/* A malloc'd image of exactly f->size bytes (NULL if the table does not fit). */
uint8_t *fwimg_build(const struct fwimg *f, size_t *len);
/* Byte i of the image outside the table (what fills the "code"). */
uint8_t fwimg_fill_byte(size_t i);
/* Writes an image built from p (NULL: the defaults) to dir/name. */
char *tmp_write_fwimg(const char *dir, const char *name, const struct fwimg_params *p);
/* Writes the image f to dir/name. */
char *tmp_write_fwimg_raw(const char *dir, const char *name, const struct fwimg *f);

#endif
