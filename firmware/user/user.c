// SPDX-License-Identifier: MIT
/*
 * CPL3 side of the firmware: runs the jobs CPL0 hands out (fw_job.h).
 * Code here runs natively on PVM, where CPL0 is emulated, so all copying,
 * SHA-256 (BearSSL's br_sha256, plain C) and table building happens here. It sees
 * only user pages: low RAM and the firmware's user region, never the VMSA
 * pages, secret, page tables or CPL0 data (sys.S, FW_PT).
 */
#include "fw_job.h"

#include <bearssl_hash.h>
#include <string.h>

/* Copy and hash in pieces small enough to stay in cache between the two. */
#define BLOCK 0x10000

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

long fw_user_main(struct fw_job *j)
{
	if (j->op == FW_JOB_TABLES) {
		fw_user_tables(&j->tables);
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
