/* SPDX-License-Identifier: MIT */
/*
 * The SEV secret table (include/sevm/fw_abi.h, "the secret table"): a pure
 * check over a byte buffer, built into the firmware's CPL3 code
 * (user/user.c, FW_JOB_SECRET) and into a hosted unit test
 * (tests/unit/test_secret_table.c). No libc, no allocation: it compiles
 * freestanding and hosted alike.
 */
#ifndef SEVM_FIRMWARE_SECRET_TABLE_H
#define SEVM_FIRMWARE_SECRET_TABLE_H

#include <stddef.h>
#include <stdint.h>

enum secret_table_status {
	SECRET_TABLE_BAD = -1, /* malformed: *why says how */
	SECRET_TABLE_OK = 0,
	SECRET_TABLE_NONE = 1, /* no header GUID: nothing was injected */
};

struct secret_table_info {
	uint32_t total;	     /* the header's length: what is hashed */
	uint32_t used;	     /* header and entries; the rest is padding */
	uint32_t entries;    /* every entry, the transport key's included */
	uint32_t key_offset; /* of the transport key's data in the table; 0: none */
};

/* Checks the table at t, of which max bytes are readable. Returns a
 * secret_table_status; on SECRET_TABLE_OK fills *out, on SECRET_TABLE_BAD
 * sets *why to a static string naming the first violation. */
int secret_table_check(const uint8_t *t, size_t max, struct secret_table_info *out,
		       const char **why);

#endif
