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
	SECRET_TABLE_BAD = -1, /* malformed: *reason says how */
	SECRET_TABLE_OK = 0,
	SECRET_TABLE_NONE = 1, /* no header GUID: nothing was injected */
};

/* Why a table is malformed: a code, so that CPL0 never follows a pointer
 * CPL3 handed back (it prints its own copy of the text). */
enum secret_table_reason {
	SECRET_REASON_NONE = 0,
	SECRET_REASON_TOTAL_SHORT,
	SECRET_REASON_TOTAL_LONG,
	SECRET_REASON_TOTAL_ALIGN,
	SECRET_REASON_ENTRY_HEADER,
	SECRET_REASON_ENTRY_SHORT,
	SECRET_REASON_ENTRY_OVERRUN,
	SECRET_REASON_KEY_TWICE,
	SECRET_REASON_KEY_SIZE,
	SECRET_REASON_PADDING,
};

static inline const char *secret_table_reason_text(uint32_t r)
{
	switch (r) {
	case SECRET_REASON_TOTAL_SHORT:
		return "total length below the header";
	case SECRET_REASON_TOTAL_LONG:
		return "total length exceeds the secret block";
	case SECRET_REASON_TOTAL_ALIGN:
		return "total length not a multiple of 16";
	case SECRET_REASON_ENTRY_HEADER:
		return "entry header overruns the table";
	case SECRET_REASON_ENTRY_SHORT:
		return "entry length below its header";
	case SECRET_REASON_ENTRY_OVERRUN:
		return "entry overruns the table";
	case SECRET_REASON_KEY_TWICE:
		return "duplicate transport key";
	case SECRET_REASON_KEY_SIZE:
		return "transport key size";
	case SECRET_REASON_PADDING:
		return "nonzero padding";
	default:
		return "unknown reason";
	}
}

struct secret_table_info {
	uint32_t total;	     /* the header's length: what is hashed */
	uint32_t used;	     /* header and entries; the rest is padding */
	uint32_t entries;    /* every entry, the transport key's included */
	uint32_t key_offset; /* of the transport key's data in the table; 0: none */
	/* of the first FW_GUID_SECRET_LAUNCH_ID entry with 16 bytes of data; 0:
	 * none (another size is counted and left alone, not refused) */
	uint32_t launch_id_offset;
};

/* Checks the table at t, of which max bytes are readable. Returns a
 * secret_table_status; on SECRET_TABLE_OK fills *out, on SECRET_TABLE_BAD
 * sets *reason to the enum secret_table_reason of the first violation. */
int secret_table_check(const uint8_t *t, size_t max, struct secret_table_info *out,
		       uint32_t *reason);

#endif
