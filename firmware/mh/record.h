/* SPDX-License-Identifier: MIT */
/*
 * Migration Handler records (include/sevm/mh_abi.h, "records"): making
 * them on the source and checking and applying them on the target. Pure
 * code over buffers and callbacks, no libc beyond mem*, no allocation: it
 * builds freestanding into the firmware's CPL3 Migration Handler and
 * hosted into unit tests and benchmarks (cross-checked against OpenSSL).
 *
 * Crypto: AES-256-GCM with the eight-lane AES-NI and PCLMULQDQ passes of
 * gcm_x86.c where the CPU has them, BearSSL's constant-time portable CTR
 * and GHASH otherwise; BearSSL's key schedule, and its HMAC-SHA256 for the
 * epoch key.
 *
 * Plaintext never touches memory the host can read: the caller passes a
 * private staging buffer (MH_RECORD_MAX bytes) in which records are built
 * and checked; only finished ciphertext is copied out, and a record to open
 * is copied in and authenticated in full before a byte of it is applied.
 */
#ifndef SEVM_FIRMWARE_MH_RECORD_H
#define SEVM_FIRMWARE_MH_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sevm/mh_abi.h"
#include "gcm_x86.h"

/* One epoch (one migration) on one side; opaque beyond the key schedule. */
struct mh_epoch {
	uint8_t source_nonce[16];
	uint8_t target_nonce[16];
	/* BearSSL state, sized for the largest implementation (record.c checks). */
	uint64_t aes[36]; /* br_aes_x86ni_ctr_keys or br_aes_ct64_ctr_keys */
	uint8_t h[16];	  /* GHASH key: AES(key, 0^128) */
	/* br_ghash (same type, spelled out so that no cast is needed) */
	void (*ghash)(void *y, const void *h, const void *data, size_t len);
	const void *ctr; /* const br_block_ctr_class * */
	/* The eight-lane passes (gcm_x86.h), when wide is set. */
	struct mh_gcm_x86 x86;
	bool wide;
};

/* Which AES-CTR and GHASH code an epoch uses. */
enum mh_impl {
	MH_IMPL_AUTO = 0,	/* gcm_x86.c when the CPU has AES-NI and PCLMULQDQ, else portable */
	MH_IMPL_PORTABLE = 1,	/* BearSSL's constant-time ct64 + ctmul64 (tests force it) */
	MH_IMPL_BEARSSL_NI = 2, /* BearSSL's AES-NI CTR and PCLMULQDQ GHASH (tests, bench) */
};

/* Derive the epoch key (mh_abi.h) and set up AES and GHASH. Returns 0. */
int mh_epoch_init(struct mh_epoch *e, const uint8_t transport_key[MH_KEY_SIZE],
		  const uint8_t source_nonce[16], const uint8_t target_nonce[16]);
/* The same with the implementation chosen by the caller. */
int mh_epoch_init_impl(struct mh_epoch *e, const uint8_t transport_key[MH_KEY_SIZE],
		       const uint8_t source_nonce[16], const uint8_t target_nonce[16],
		       enum mh_impl impl);
/* Wipe every key and subkey. */
void mh_epoch_wipe(struct mh_epoch *e);
/* Known-answer test of the AES-256-GCM this build uses (MH_IMPL_AUTO),
 * in scratch (wiped after). True when it passes. */
bool mh_selftest(struct mh_epoch *scratch);
/* Which AES and GHASH the epoch uses: "aesni+pclmul x8" (gcm_x86.c),
 * "x86ni+pclmul" (BearSSL's) or "ct64+ctmul64". */
const char *mh_epoch_impl(const struct mh_epoch *e);

/* ---- source ---- */

/*
 * Per guest page, the sequence number of the newest PAGES record that
 * carried it: sealed (source, `sent`) or applied (target). last[pfn], 0 for
 * never, for nr_pfns pages (pfn = gpa / 4096). Both sides compute the
 * commit digest from theirs.
 */
struct mh_applied {
	uint64_t *last;
	uint64_t nr_pfns;
	uint64_t records; /* PAGES and VMSA records applied */
	/* The same for VMSAs: vmsa_last[i], vCPU i < nr_vmsas (0: none). */
	uint64_t *vmsa_last;
	uint32_t nr_vmsas;
	/* Kept by mh_applied_set as last[] changes: how many pages have a
	 * number, and the commit's running sum over them (mh_abi.h, struct
	 * mh_commit; little-endian halves). Zero for an empty last[]. */
	uint64_t pages;
	uint64_t sum[2];
};

/* last[pfn] = seq (not 0), with pages and sum kept (F under e's key). */
void mh_applied_set(const struct mh_epoch *e, struct mh_applied *a, uint64_t pfn, uint64_t seq);
/* Add from's records, pages and sum into into (the source's handlers each
 * keep their own over one shared last[]). */
void mh_applied_merge(struct mh_applied *into, const struct mh_applied *from);

/*
 * Guest memory as the caller sees it: page(gpa) returns a readable pointer
 * to the 4 KiB page at gpa (already validated by the caller), or NULL.
 */
struct mh_guest {
	const uint8_t *(*page)(void *arg, uint64_t gpa);
	uint8_t *(*page_rw)(void *arg, uint64_t gpa); /* target: where to write */
	/* Target checks, before anything is authenticated or written. */
	bool (*in_ram)(void *arg, uint64_t gpa);
	bool (*is_private)(void *arg, uint64_t gpa);
	void *arg;
	/* VMSA records. Source: vCPU i's VMSA page to read. Target: private
	 * room for vCPU i's VMSA until the commit (vmsa_stash), and its own
	 * VMSA page, written only after a verified commit (vmsa_rw). */
	const uint8_t *(*vmsa)(void *arg, uint32_t vcpu);
	uint8_t *(*vmsa_stash)(void *arg, uint32_t vcpu);
	uint8_t *(*vmsa_rw)(void *arg, uint32_t vcpu);
};

/*
 * Make a record into out (at most cap bytes; MH_RECORD_MAX always
 * suffices), using staging (private, MH_RECORD_MAX bytes) for plaintext.
 * Return the record's length, or 0 when the input is invalid (count above
 * MH_BATCH_PAGES, unaligned GPA, page() NULL, cap too small). mh_seal_pages
 * sets sent->last[pfn] = seq for each page (GPAs beyond nr_pfns, the same
 * GPA twice, seq 0: invalid) and counts the record in sent->records; on
 * failure it changes neither sent nor out. It reads each guest page once,
 * encrypting it into staging (copying it, on BearSSL's passes) while
 * testing it for zero, in the same time for any content; what a zero page
 * left in staging is then overwritten by the next page.
 * seq must never repeat within an epoch (it is the GCM nonce): the caller
 * owns the counter (BEGIN is 0, then 1, 2, ... for PAGES and COMMIT).
 */
size_t mh_seal_begin(const struct mh_epoch *e, uint8_t *out, size_t cap);
size_t mh_seal_pages(const struct mh_epoch *e, uint64_t seq, const uint64_t *gpa,
		     unsigned int nr_pages, const struct mh_guest *g, struct mh_applied *sent,
		     uint8_t *staging, uint8_t *out, size_t cap);
size_t mh_seal_commit(const struct mh_epoch *e, uint64_t seq, const struct mh_commit *c,
		      uint8_t *out, size_t cap);
/* A VMSA record of the n (1 .. MH_BATCH_PAGES) vCPUs listed, each below
 * sent->nr_vmsas and listed once; sets sent->vmsa_last[vcpu] = seq and
 * counts the record. 0 on invalid input (nothing changed). */
size_t mh_seal_vmsas(const struct mh_epoch *e, uint64_t seq, const uint32_t *vcpu, unsigned int n,
		     const struct mh_guest *g, struct mh_applied *sent, uint8_t *staging,
		     uint8_t *out, size_t cap);

/* ---- target ---- */

/*
 * Open a record of len bytes at rec (host memory: copied into staging
 * first, then only staging is read). In order: header and lengths, epoch
 * and type/state (BEGIN first; target_nonce must be this target's),
 * every GPA (in RAM, not private, not repeated within the record, sequence
 * newer than last[]), then the tag; only then are pages written (and
 * last[] and records updated). A COMMIT is checked against applied.
 * Returns MH_OK or the enum mh_error refusing it, with *detail the index
 * of the page at fault where one is (else 0). A refused record changes
 * nothing (t, guest memory, last[]).
 *
 *   MH_ERR_MALFORMED    len, magic, version, type, nr_pages/body_len/seq
 *                       for the type (BEGIN seq 0, others >= 1), a GPA twice
 *                       in one record, or (authenticated but inconsistent)
 *                       a zero map that does not account for body_len
 *   MH_ERR_STATE        anything after an accepted COMMIT, a second BEGIN,
 *                       a COMMIT before BEGIN
 *   MH_ERR_EPOCH        PAGES before BEGIN; PAGES/COMMIT whose source_nonce
 *                       is not the accepted BEGIN's
 *   MH_ERR_AUTH         the tag (a BEGIN's with the key derived from its
 *                       source_nonce and t->target_nonce)
 *   MH_ERR_GPA_RANGE    unaligned, >= nr_pfns pages, !in_ram, page_rw NULL
 *   MH_ERR_GPA_PRIVATE  is_private
 *   MH_ERR_REPLAY       seq <= last[pfn] for one of its pages (or a VMSA's)
 *   MH_ERR_VCPU         a VMSA record names a vCPU >= applied.nr_vmsas
 *   MH_ERR_COMMIT       COMMIT body differs from mh_commit_compute(applied)
 *   MH_ERR_REQUEST      g lacks in_ram/is_private/page_rw (or, for VMSA
 *                       records and a COMMIT after them, vmsa_stash/vmsa_rw)
 *
 * A VMSA record's VMSAs go into vmsa_stash; an accepted COMMIT copies each
 * into vmsa_rw and wipes the stash.
 *
 * Not thread-safe: one caller at a time per target.
 */
enum mh_open_state {
	MH_OPEN_NEED_BEGIN = 0,
	MH_OPEN_PAGES = 1,
	MH_OPEN_COMMITTED = 2,
};

struct mh_target {
	struct mh_epoch epoch; /* valid once a BEGIN was accepted, wiped at COMMIT */
	enum mh_open_state state;
	uint8_t transport_key[MH_KEY_SIZE];
	uint8_t target_nonce[16];
	struct mh_applied applied;
	enum mh_impl impl; /* for the epoch a BEGIN sets up; 0 (AUTO) normally */
};

int mh_open(struct mh_target *t, const uint8_t *rec, size_t len, const struct mh_guest *g,
	    uint8_t *staging, uint32_t *detail);

/* The commit over applied (mh_abi.h, struct mh_commit): its counts, sum
 * and VMSA numbers; nothing per page. */
void mh_commit_compute(const struct mh_applied *a, struct mh_commit *out);

#endif
