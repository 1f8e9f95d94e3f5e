/* SPDX-License-Identifier: MIT */
/*
 * The Migration Handler's interface (design brief §5; docs/mailbox.md):
 * the mailbox through which sevm posts work to the MH in the firmware's
 * shared region, and the records the MH makes of guest pages. Included by
 * the firmware (freestanding) and by sevm; everything little-endian, every
 * struct without padding.
 *
 * Trust: the host writes the mailbox and carries the records, and can
 * read both; the MH trusts nothing it reads there (it copies each request
 * header before checking it). Records are AES-256-GCM under a key only
 * guest and owner can derive; the host never interprets them.
 */
#ifndef SEVM_INCLUDE_SEVM_MH_ABI_H
#define SEVM_INCLUDE_SEVM_MH_ABI_H

#include <stdint.h>

#define MH_ABI_VERSION 4 /* 2: the zero map after the page data; 3: VMSA records; 4: the
			   * commit's page digest is a running sum (struct mh_commit) */
#define MH_PAGE_SIZE 4096
#define MH_MAX_HANDLERS 8

/* ---- the mailbox: one page at the start of the shared region + 0x1000 ---- */

#define MH_MAILBOX_OFFSET 0x1000  /* from fw_sevm_info.shared_base */
#define MH_SLOTS_OFFSET 0x10000	  /* first slot, from shared_base */
#define MH_BATCH_PAGES 64	  /* pages per request at most */
#define MH_SLOT_SIZE 0x42000	  /* request header + the largest record, page-rounded */
#define MH_MAX_SLOTS 15		  /* (4 MiB - 64 KiB) / MH_SLOT_SIZE */
#define MH_MAGIC 0x3142484du	  /* "MHB1": the MH has filled in the mailbox */

enum mh_role {
	MH_ROLE_NONE = 0,
	MH_ROLE_SOURCE = 1, /* a booted guest: seals pages into records */
	MH_ROLE_TARGET = 2, /* a guest started to receive: opens records (never boots an OS) */
};

/* Per handler vCPU, written by the MH. */
enum mh_handler_state {
	MH_HANDLER_OFF = 0,
	MH_HANDLER_READY = 1,  /* polling its slots */
	MH_HANDLER_FAILED = 2, /* stopped: see mh_mailbox.error */
};

/*
 * Written by the MH once, before it reports READY; read-only for the host
 * afterwards (the MH never reads it back).
 */
struct mh_mailbox {
	uint32_t magic;	      /* MH_MAGIC */
	uint32_t version;     /* MH_ABI_VERSION */
	uint32_t role;	      /* enum mh_role, fixed at boot by fw_boot_config */
	uint32_t nr_handlers; /* handler vCPUs serving slots */
	uint32_t nr_slots;    /* slots at MH_SLOTS_OFFSET, MH_SLOT_SIZE apart */
	uint32_t batch_pages; /* MH_BATCH_PAGES */
	uint32_t state[MH_MAX_HANDLERS]; /* enum mh_handler_state */
	uint32_t error;	      /* enum mh_error that stopped a handler, else 0 */
	uint32_t reserved;
	/* Target: this launch's fresh nonce, which the source's BEGIN must carry. */
	uint8_t target_nonce[16];
};

/*
 * Slot i is served by handler i % nr_handlers, in order of its slot index
 * among that handler's slots; the host posts to a handler's slots
 * round-robin. A slot moves FREE -> POSTED (host) -> DONE (MH) -> FREE
 * (host); each side writes `state` last, with release ordering, and reads
 * it first, with acquire ordering. Neither side needs a VM exit.
 */
enum mh_slot_state {
	MH_SLOT_FREE = 0,
	MH_SLOT_POSTED = 1,
	MH_SLOT_DONE = 2,
};

enum mh_op {
	/* Source. */
	MH_OP_BEGIN = 1, /* in: target_nonce; out: a BEGIN record opening the epoch */
	MH_OP_SEAL = 2,	 /* in: nr_pages GPAs; out: a PAGES record of them */
	MH_OP_COMMIT = 3, /* out: the COMMIT record closing the epoch */
	MH_OP_SEAL_VMSA = 5, /* in: nr_pages vCPU indexes in gpa[]; out: a VMSA record */
	/* Target. */
	MH_OP_OPEN = 4, /* in: a record of record_len bytes; applied or refused */
};

struct mh_slot {
	uint32_t state;	     /* enum mh_slot_state */
	uint32_t op;	     /* enum mh_op */
	uint32_t nr_pages;   /* MH_OP_SEAL: GPAs in gpa[] */
	uint32_t status;     /* out: enum mh_error */
	uint32_t detail;     /* out: with a refusal, the index of the page at fault */
	uint32_t record_len; /* OPEN in, BEGIN/SEAL/COMMIT out: bytes at record[] */
	uint64_t seq;	     /* out: the record's sequence number */
	uint8_t target_nonce[16]; /* MH_OP_BEGIN in */
	uint64_t reserved[2];
	uint64_t gpa[MH_BATCH_PAGES]; /* MH_OP_SEAL in: page-aligned GPAs */
	/* then, at MH_SLOT_RECORD_OFFSET, the record */
};

#define MH_SLOT_RECORD_OFFSET 0x1000

/* Refusals and failures, reported in mh_slot.status. */
enum mh_error {
	MH_OK = 0,
	MH_ERR_REQUEST = 1,	/* the slot header is malformed (op, counts, alignment) */
	MH_ERR_ROLE = 2,	/* the op does not belong to this MH's role */
	MH_ERR_MALFORMED = 3,	/* record: magic, version, type or lengths wrong */
	MH_ERR_EPOCH = 4,	/* record of another epoch, or pages before BEGIN */
	MH_ERR_AUTH = 5,	/* record: the tag does not verify */
	MH_ERR_GPA_RANGE = 6,	/* a GPA outside guest RAM */
	MH_ERR_GPA_PRIVATE = 7, /* a GPA inside firmware-private memory */
	MH_ERR_REPLAY = 8,	/* a page's sequence number not newer than the one applied */
	MH_ERR_COMMIT = 9,	/* the commit does not match the pages applied */
	MH_ERR_NO_KEY = 10,	/* the secret table held no transport key */
	MH_ERR_STATE = 11,	/* BEGIN twice, COMMIT before BEGIN, anything after COMMIT */
	MH_ERR_SELFTEST = 12,	/* the MH's AES-GCM failed its known-answer test at start */
	MH_ERR_VCPU = 13,	/* a vCPU index this VM has no VMSA for */
};

/* ---- records ----
 *
 *   header (struct mh_record_hdr)      \
 *   nr_pages x u64 GPA                  } additional data (authenticated, clear)
 *   ciphertext of body_len bytes       -- AES-256-GCM under the epoch key
 *   tag[16]
 *
 * Nonce (96 bits): MH_NONCE_SOURCE (u32, little-endian) | seq (u64,
 * little-endian). The epoch key is fresh per migration (below), and seq
 * counts records within the epoch from 0, so no nonce repeats under a key.
 *
 * Epoch key = HMAC-SHA256(transport key, "sevm-mh-epoch-v1" |
 *                         source_nonce[16] | target_nonce[16])
 * The source MH draws source_nonce; the target MH drew target_nonce at its
 * launch; a BEGIN record carries source_nonce in its header and proves,
 * by its tag, that its maker holds the transport key and saw this very
 * target's nonce (a stream recorded for another target never verifies).
 *
 * Bodies:
 *   BEGIN:  empty (body_len 0): the tag alone matters
 *   PAGES:  the data of every page whose zero-map bit is clear, in
 *           GPA-list order, then the zero map (nr_pages bits, LSB first,
 *           in whole u64s). An all-zero page costs its GPA; the host
 *           learns how many of a batch were zero from the length
 *           (docs/mailbox.md). The map comes last so that the MH can
 *           encrypt each page as it reads it, before it knows the map.
 *   VMSA:   the VMSA pages (4 KiB each) of the vCPUs whose indexes the
 *           additional data lists in place of GPAs (u64 each), at
 *           convergence, after the platform saved each paused vCPU into
 *           its VMSA page. The target keeps them in private memory and
 *           writes them into its own vCPUs' VMSA pages only once the
 *           COMMIT verified: a host that drops or replays records cannot
 *           get a migrated vCPU started.
 *   COMMIT: struct mh_commit
 */
#define MH_RECORD_MAGIC 0x31524d53u /* "SMR1" */
#define MH_NONCE_SOURCE 0x53u	    /* 'S' */
#define MH_NONCE_COMMIT 0x43u	    /* 'C': the commit's PRF (struct mh_commit) */
#define MH_TAG_SIZE 16
#define MH_NONCE_SIZE 12
#define MH_KEY_SIZE 32
#define MH_EPOCH_LABEL "sevm-mh-epoch-v1"

enum mh_record_type {
	MH_REC_BEGIN = 1,
	MH_REC_PAGES = 2,
	MH_REC_COMMIT = 3,
	MH_REC_VMSA = 4,
};

struct mh_record_hdr {
	uint32_t magic;		  /* MH_RECORD_MAGIC */
	uint16_t version;	  /* MH_ABI_VERSION */
	uint16_t type;		  /* enum mh_record_type */
	uint64_t seq;		  /* 0 for BEGIN, then 1, 2, ... */
	uint8_t source_nonce[16]; /* names the epoch */
	uint32_t nr_pages;	  /* PAGES: GPAs after the header; else 0 */
	uint32_t body_len;	  /* ciphertext bytes */
}; /* 40 bytes */

/*
 * COMMIT: what the target must have applied.
 *
 *   sum    = the sum mod 2^128, over every guest page whose last sequence
 *            number s is not 0, of F(pfn, s) read as a little-endian u128,
 *            where F(pfn, s) = AES-256(epoch key, nonce | BE32(pfn mod 2^32))
 *            with the 12-byte nonce u32 (MH_NONCE_COMMIT | (pfn >> 32) << 8)
 *            | u64 s, both little-endian: one AES block with the epoch's
 *            key on an input no record's counter block can equal (their
 *            first byte is MH_NONCE_SOURCE), so F is a PRF only the two
 *            MHs can compute;
 *   digest = SHA-256 over sum (16 bytes, little-endian), then for every
 *            vCPU i whose VMSA's last sequence number s is not 0, in
 *            ascending order, (u64 MH_VMSA_KEY(i), u64 s), little-endian;
 *
 * pages and vmsas the counts of them; records the PAGES and VMSA records
 * sealed in the epoch. Both sides keep the sum as they seal or apply a page
 * (adding F of its new number, subtracting F of its old one), so the
 * commit costs nothing per page at convergence. A host that dropped,
 * replayed or reordered records leaves the target with another set of
 * (pfn, s), whose sum differs but with probability about 2^-128: the host
 * sees no F value, neither in the clear nor as a known plaintext.
 */
struct mh_commit {
	uint64_t pages;
	uint64_t records;
	uint64_t vmsas;
	uint8_t digest[32];
};

#define MH_VMSA_KEY(i) ((1ull << 63) | (uint64_t)(i)) /* no GPA is that high */
#define MH_MAX_VMSAS 64				      /* vCPUs with a VMSA page */

#define MH_ZERO_MAP_BYTES(n) ((((n) + 63) / 64) * 8)
#define MH_RECORD_MAX                                                                              \
	(sizeof(struct mh_record_hdr) + 8 * MH_BATCH_PAGES + MH_ZERO_MAP_BYTES(MH_BATCH_PAGES) +   \
	 MH_BATCH_PAGES * MH_PAGE_SIZE + MH_TAG_SIZE)

_Static_assert(sizeof(struct mh_record_hdr) == 40, "record header layout");
_Static_assert(sizeof(struct mh_commit) == 56, "commit layout");
_Static_assert(sizeof(struct mh_slot) <= MH_SLOT_RECORD_OFFSET, "slot header fits its page");
_Static_assert(MH_SLOT_RECORD_OFFSET + MH_RECORD_MAX <= MH_SLOT_SIZE, "a record fits a slot");
_Static_assert(MH_SLOTS_OFFSET + MH_MAX_SLOTS * MH_SLOT_SIZE <= 0x400000, "slots fit 4 MiB");

#endif
