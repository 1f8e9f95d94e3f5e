/* SPDX-License-Identifier: MIT */
/*
 * Loading a kernel in the Linux x86 boot protocol (boot.rst) for direct
 * boot through its 64-bit entry: kernel at its preferred address, command
 * line and initrd in low RAM, and a zero page describing them.
 */
#ifndef SEVM_SRC_VMM_BZIMAGE_H
#define SEVM_SRC_VMM_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define BZIMAGE_MAX_SIZE (256u << 20)
#define INITRD_MAX_SIZE (1u << 30)

struct bzimage {
	const uint8_t *image; /* the whole file, setup header included */
	size_t image_len;
	const uint8_t *payload; /* protected-mode kernel */
	size_t payload_len;
	uint16_t version;
	uint64_t load_addr;
	uint32_t init_size;    /* bytes the kernel needs from load_addr */
	uint32_t cmdline_size; /* longest command line, NUL excluded (kernel's and sevm's limit) */
	uint32_t initrd_addr_max;
	size_t header_len; /* setup header bytes copied into the zero page */
};

struct boot_entry {
	uint64_t rip; /* 64-bit entry */
	uint64_t zero_page;
};

/* Checks the setup header of img; on failure returns -EINVAL with a reason
 * such as "not a bzImage (no 'HdrS' signature)" in why. */
int bzimage_parse(const uint8_t *img, size_t len, struct bzimage *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));
/* Checks that data looks like an initramfs: a newc cpio archive or one of the
 * compressed forms Linux unpacks. */
int initrd_check(const uint8_t *data, size_t len, char *why, size_t whylen)
    __attribute__((warn_unused_result));
/* Places kernel, initrd (may be NULL) and command line in guest RAM and
 * writes the zero page with the given e820 map. */
int bzimage_load(struct guest_mem *m, const struct bzimage *k, const uint8_t *initrd,
		 size_t initrd_len, const char *cmdline, struct boot_entry *out, char *why,
		 size_t whylen) __attribute__((warn_unused_result));

#endif
