/* SPDX-License-Identifier: MIT */
/*
 * A unit of work that CPL0 firmware code hands to CPL3 (user/user.c): copy
 * or zero up to FW_JOB_SEGS ranges, optionally hashing what was copied, or
 * build the OS's tables. CPL0 code is emulated on PVM (about a microsecond
 * per instruction that touches memory), CPL3 runs natively, so every loop
 * of any length is a job (docs/firmware.md, "CPL0 and CPL3").
 *
 * The job lives in user memory (fw_job, user.c); CPL0 fills it, calls
 * fw_user_call(&fw_job) and reads the results when it returns.
 */
#ifndef SEVM_FIRMWARE_FW_JOB_H
#define SEVM_FIRMWARE_FW_JOB_H

#include <stdint.h>

#include "secret_table.h"

#define FW_JOB_SEGS 4

enum fw_job_op {
	FW_JOB_COPY = 1,   /* dst <- src */
	FW_JOB_ZERO = 2,   /* dst <- 0 */
	FW_JOB_TABLES = 3, /* e820, MP table, ACPI and zero page (user/tables.c) */
	FW_JOB_SECRET = 4, /* check and hash the secret table in place (secret.c) */
};

/* Flags. The SHA-256 state lives in user memory between jobs, so one hash
 * can cover a stream delivered in many chunks. */
#define FW_JOB_HASH_START 0x1  /* reset the hash before the segments */
#define FW_JOB_HASH 0x2	       /* hash every byte after it was copied, at dst */
#define FW_JOB_HASH_FINISH 0x4 /* store the digest after the segments */
#define FW_JOB_FIND_NUL 0x8    /* record the stream position of the first NUL copied */

struct fw_seg {
	uint64_t src;
	uint64_t dst;
	uint64_t len;
	uint64_t pos; /* stream offset of the segment's first byte (FW_JOB_FIND_NUL) */
};

/* FW_JOB_TABLES: what the OS is told, from validated values only. */
struct fw_tables {
	uint64_t ram_size;
	uint64_t header_len; /* setup header bytes at FW_SETUP + 0x1f1, checked */
	uint64_t initrd_addr;
	uint64_t initrd_size;
	uint64_t mh_base; /* the Migration Handler's private region; size 0: none */
	uint64_t mh_size;
	uint32_t os_vcpus;
	uint32_t cpuid_signature; /* CPUID.1:EAX and EDX, for the MP table */
	uint32_t cpuid_features;
	uint16_t version; /* boot protocol */
	uint16_t error;	  /* out: 0 or FW_TABLES_ERR_* */
};

enum fw_tables_error {
	FW_TABLES_ERR_E820 = 1,
	FW_TABLES_ERR_MPTABLE,
	FW_TABLES_ERR_ACPI,
};

/* FW_JOB_SECRET: the table at FW_SECRET_BASE, which CPL0 maps for CPL3 for
 * this job only. The digest goes to fw_job.digest. */
struct fw_secret {
	struct secret_table_info info; /* out, with SECRET_TABLE_OK */
	uint32_t reason;	       /* out, with SECRET_TABLE_BAD: enum secret_table_reason */
	int32_t status;		       /* out: enum secret_table_status */
};

struct fw_job {
	uint32_t op;
	uint32_t flags;
	uint32_t nr_segs;
	uint32_t reserved;
	struct fw_seg seg[FW_JOB_SEGS];
	uint64_t nul_pos;   /* in/out: first NUL position, UINT64_MAX if none yet */
	uint8_t digest[32]; /* out, with FW_JOB_HASH_FINISH */
	struct fw_tables tables;
	struct fw_secret secret;
};

extern struct fw_job fw_job;
/* FS base of CPL3 code: the stack protector's canary is at offset 0x28. */
extern uint64_t fw_user_tls[8];

/* CPL3 (user.c, tables.c). */
long fw_user_main(struct fw_job *job);
void fw_user_tables(struct fw_tables *t);

#endif
