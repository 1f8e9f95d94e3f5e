/* SPDX-License-Identifier: MIT */
/*
 * The kernel hashes table (QEMU target/i386/sev.c's layout, sev-facts.md):
 * SHA-256 of the kernel, the initrd and the command line with its NUL,
 * which the host writes into the firmware's hashes block before launch so
 * that it is measured, and which the firmware checks what it loads against.
 */
#ifndef SEVM_SRC_VMM_FW_HASHES_H
#define SEVM_SRC_VMM_FW_HASHES_H

#include <stddef.h>
#include <stdint.h>

#include "sevm/fw_abi.h"

/* Fills out[FW_HASHES_TABLE_PADDED]; initrd may be NULL (hashed as empty). */
int fw_hashes_build(uint8_t out[FW_HASHES_TABLE_PADDED], const uint8_t *kernel, size_t kernel_len,
		    const uint8_t *initrd, size_t initrd_len, const char *cmdline)
    __attribute__((warn_unused_result));

#endif
