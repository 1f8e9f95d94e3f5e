// SPDX-License-Identifier: MIT
/*
 * CPL3 side of the firmware: runs the jobs CPL0 hands out (fw_job.h).
 * Code here runs natively on PVM, where CPL0 is emulated, so all copying,
 * SHA-256 (BearSSL's br_sha256, plain C) and table building happens here. It sees
 * only user pages: low RAM and the firmware's user region, never the VMSA
 * pages, page tables or CPL0 data (sys.S, FW_PT), nor the secret but
 * during FW_JOB_SECRET (secret.c).
 */
#include "fw_job.h"
#include "fw_layout.h"
#include "sevm/fw_abi.h"

#include <bearssl_hash.h>
#include <string.h>

/* Copy and hash in pieces small enough to stay in cache between the two. */
#define BLOCK 0x10000
/* More than BearSSL's SHA-256 uses below its caller (a 256-byte message
 * schedule, a context copy, a few frames). */
#define STACK_WIPE 2048

struct fw_job fw_job;
uint64_t fw_user_tls[8] __attribute__((aligned(64)));
static br_sha256_context sha;

static void do_seg(const struct fw_job *j, const struct fw_seg *s, uint64_t *nul_pos)
{
	for (uint64_t off = 0; off < s->len; off += BLOCK) {
		uint64_t n = s->len - off < BLOCK ? s->len - off : BLOCK;
		uint8_t *d = (uint8_t *)(uintptr_t)(s->dst + off);

		if (j->op == FW_JOB_ZERO)
			memset(d, 0, n);
		else
			memcpy(d, (const void *)(uintptr_t)(s->src + off), n);
		/* From the private copy: what is hashed is what stays. */
		if (j->flags & FW_JOB_HASH)
			br_sha256_update(&sha, d, n);
		if ((j->flags & FW_JOB_FIND_NUL) && *nul_pos == UINT64_MAX) {
			const uint8_t *z = memchr(d, 0, n);

			if (z)
				*nul_pos = s->pos + off + (uint64_t)(z - d);
		}
	}
}

/* Clears the stack below the caller's frame, where a finished callee
 * left its locals. The asm keeps the stores: buf is dead after them. */
static __attribute__((noinline)) void wipe_stack(void)
{
	uint8_t buf[STACK_WIPE];

	memset(buf, 0, sizeof(buf));
	__asm__ volatile("" : : "r"(buf) : "memory");
}

/* Checks the secret table and hashes it where it lies: the secret is never
 * copied. Hashing leaves secret bytes behind, though: the context buffers
 * the last partial block, and the message schedule (whose first words are
 * the input) stays on the stack. Both are wiped before CPL0 runs again. */
static void job_secret(struct fw_job *j)
{
	const uint8_t *t = (const uint8_t *)(uintptr_t)FW_SECRET_BASE;
	struct fw_secret *s = &j->secret;

	s->reason = SECRET_REASON_NONE;
	s->status = secret_table_check(t, FW_SECRET_TABLE_MAX, &s->info, &s->reason);
	if (s->status != SECRET_TABLE_OK)
		return;
	br_sha256_init(&sha);
	br_sha256_update(&sha, t, s->info.total);
	br_sha256_out(&sha, j->digest);
	memset(&sha, 0, sizeof(sha));
	wipe_stack();
}

long fw_user_main(struct fw_job *j)
{
	if (j->op == FW_JOB_TABLES) {
		fw_user_tables(&j->tables);
		return 0;
	}
	if (j->op == FW_JOB_SECRET) {
		job_secret(j);
		return 0;
	}
	if (j->flags & FW_JOB_HASH_START)
		br_sha256_init(&sha);
	for (uint32_t i = 0; i < j->nr_segs && i < FW_JOB_SEGS; i++)
		do_seg(j, &j->seg[i], &j->nul_pos);
	if (j->flags & FW_JOB_HASH_FINISH)
		br_sha256_out(&sha, j->digest);
	return 0;
}
