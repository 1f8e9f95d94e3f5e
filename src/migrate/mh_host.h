/* SPDX-License-Identifier: MIT */
/*
 * The host's side of the Migration Handler mailbox (include/sevm/mh_abi.h,
 * docs/mailbox.md): post requests into the firmware's shared region, wait
 * for their completions with a deadline, hand records through unread.
 *
 * Everything in the shared region is written by the guest too, so every
 * field read here is checked before use and only ever copied, never
 * interpreted beyond the mailbox's own fields: a record is bytes with a
 * length. Nothing here touches guest-private memory (design brief §1).
 */
#ifndef SEVM_SRC_MIGRATE_MH_HOST_H
#define SEVM_SRC_MIGRATE_MH_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sevm/mh_abi.h"

struct mh_host {
	uint8_t *shared; /* host address of the firmware's shared region */
	size_t shared_size;
	volatile struct mh_mailbox *mb;
	unsigned int nr_slots, nr_handlers;
	enum mh_role role;
	unsigned int next_slot; /* round-robin over free slots */
};

/*
 * Attach to the mailbox in shared (shared_size bytes). Returns 0, -EAGAIN
 * while the MH has not filled it in yet, or -EPROTO when what it holds is
 * not a mailbox this sevm understands (reason in err).
 */
int mh_host_attach(struct mh_host *h, void *shared, size_t shared_size, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Handlers READY, and the first error a failed handler reported (0: none). */
unsigned int mh_host_ready(const struct mh_host *h, uint32_t *error);

/* A request: what mh_slot's inputs hold. */
struct mh_request {
	enum mh_op op;
	unsigned int nr_pages;
	const uint64_t *gpa;   /* SEAL: GPAs; SEAL_VMSA: vCPU indexes */
	const uint8_t *record; /* OPEN */
	size_t record_len;
	uint8_t target_nonce[16]; /* BEGIN */
};

/* A completion. The record (BEGIN, SEAL, COMMIT) stays in the slot until
 * mh_host_release(); record points there. */
struct mh_result {
	uint32_t status; /* enum mh_error */
	uint32_t detail;
	uint64_t seq;
	const uint8_t *record;
	size_t record_len;
};

/*
 * Post req into a free slot; returns the slot's index, or -EBUSY when every
 * slot is in flight, -EINVAL for a request that cannot be posted.
 */
int mh_host_post(struct mh_host *h, const struct mh_request *req)
    __attribute__((warn_unused_result));

/*
 * A free slot's record area, to receive an OPEN's record into straight
 * from the network (*slot its index), or NULL when every slot is in
 * flight. The slot stays free (the MH ignores it) until mh_host_post_in()
 * posts it; an OPEN whose record is already there is not copied.
 */
uint8_t *mh_host_reserve(struct mh_host *h, int *slot) __attribute__((warn_unused_result));
/* Post req into that slot, which must be free: its index, or -EBUSY/-EINVAL. */
int mh_host_post_in(struct mh_host *h, int slot, const struct mh_request *req)
    __attribute__((warn_unused_result));

/*
 * Wait until slot is DONE, at most timeout_ms. Returns 0 with *res filled
 * (a refusal is status != MH_OK, not an error here), -ETIMEDOUT, or -EPROTO
 * when the MH reported a record that cannot fit its slot.
 */
int mh_host_wait(struct mh_host *h, int slot, int timeout_ms, struct mh_result *res)
    __attribute__((warn_unused_result));

/* Give a DONE slot back (its record is no longer needed). */
void mh_host_release(struct mh_host *h, int slot);

/* The text of an enum mh_error ("record tag does not verify", ...). */
const char *mh_error_text(uint32_t err);

#endif
