// SPDX-License-Identifier: MIT
/*
 * The Migration Handler's data path, at CPL3 (design.md §5; mh.h for the
 * private region; include/sevm/mh_abi.h for the mailbox). Every handler
 * vCPU runs mh_main() on its own stack, forever:
 *
 *   handler 0 sets up (clears last[], derives the target's nonce) and fills
 *   the mailbox, magic last; each handler then reports READY, rings the
 *   doorbell once (FW_MH_DOORBELL_PORT: the VMM may stop running it until
 *   a migration starts) and polls its slots (slot s is handler
 *   s % nr_handlers's) with PAUSE: no VM exit in steady state.
 *   Without a transport key (or a launch id) every handler reports FAILED
 *   with MH_ERR_NO_KEY and halts at CPL0; so it does with MH_ERR_SELFTEST
 *   when this build's AES-GCM fails its known-answer test.
 *
 * A request is served from a private copy of its slot header (the host may
 * change the slot at any time): BEGIN, SEAL and COMMIT as source, OPEN as
 * target, through record.h; the other role's ops are MH_ERR_ROLE, malformed
 * headers MH_ERR_REQUEST. Then status, detail, record_len and seq, and
 * state = DONE with release ordering.
 *
 * Concurrency. Source: SEALs run in parallel under a reader lock; BEGIN
 * and COMMIT, which change the epoch, take it as writer. One sequence
 * counter (atomic fetch-add) numbers SEAL and COMMIT records; BEGIN is 0.
 * Each handler counts its own sealed records (mh_seal_pages increments
 * without atomics); last[] is shared. Target: mh_open runs under a mutex,
 * since it checks a page's last[] and writes the page in two steps and
 * two records carrying one page must not interleave.
 *
 * Nonces (16 bytes, never shown the secret that makes them):
 *   HMAC-SHA256(transport key, "sevm-mh-nonce-v1" | who | launch id |
 *               u64 counter)[0..16)
 * who = 'T' with counter 0 for the target's nonce (one per launch), 'S'
 * with the number of BEGINs so far for a source nonce. The launch id is
 * drawn by the guest owner per launch and reaches the guest only through
 * LAUNCH_SECRET, which the platform binds to this launch; so a nonce is
 * unique per launch and BEGIN, and unpredictable to the host. RDRAND is
 * not used: under SEV-ES the host decides what CPUID reports.
 */
#include <stdbool.h>
#include <string.h>

#include <bearssl_hash.h>
#include <bearssl_hmac.h>

#include "fw_layout.h"
#include "mh.h"

#define SLOT_CAP (MH_SLOT_SIZE - MH_SLOT_RECORD_OFFSET)
#define WRITER 0x80000000u
#define NONCE_LABEL "sevm-mh-nonce-v1"

_Static_assert(sizeof(NONCE_LABEL) - 1 == 16, "nonce label is 16 bytes");

struct ctx {
	uint32_t h;
	struct mh_state *st;
	volatile struct mh_mailbox *mb;
	struct mh_handler_page *pg;
	uint8_t *staging;
	struct mh_guest g;
};

struct result {
	uint32_t detail;
	uint32_t record_len;
	uint64_t seq;
};

/* Every GPA the MH touches, through the alias of RAM (fw_layout.h). */
static void *at(const struct mh_state *st, uint64_t gpa)
{
	return (void *)(uintptr_t)(st->boot.ram_alias + gpa);
}

static inline void relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* The stores are kept: p is "used" after them. */
static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- guest memory: RAM below 3 GiB ---- */

static bool within(uint64_t gpa, uint64_t base, uint64_t size)
{
	return gpa >= base && gpa - base < size;
}

static bool gpa_in_ram(void *arg, uint64_t gpa)
{
	const struct mh_state *st = arg;

	return gpa % MH_PAGE_SIZE == 0 && gpa < st->boot.layout.low_end;
}

/* Never migrated: the MH's own region, the shared region, the legacy VGA
 * and option-ROM hole, and everything of the image (VMSA pages, secret,
 * hashes; not RAM anyway). All bounds are page aligned. */
static bool gpa_private(void *arg, uint64_t gpa)
{
	const struct mh_state *st = arg;
	const struct mh_layout *l = &st->boot.layout;

	return within(gpa, l->base, l->size) ||
	       within(gpa, st->boot.shared_base, st->boot.shared_size) ||
	       within(gpa, MH_LEGACY_HOLE_START, MH_LEGACY_HOLE_END - MH_LEGACY_HOLE_START) ||
	       gpa >= FW_IMAGE_BASE;
}

static uint8_t *gpa_page_rw(void *arg, uint64_t gpa)
{
	if (!gpa_in_ram(arg, gpa) || gpa_private(arg, gpa))
		return NULL;
	return at(arg, gpa);
}

static const uint8_t *gpa_page(void *arg, uint64_t gpa)
{
	return gpa_page_rw(arg, gpa);
}

/* ---- VMSA pages: an OS vCPU's, and the target's private stash ---- */

static uint8_t *vmsa_page_rw(void *arg, uint32_t vcpu)
{
	const struct mh_state *st = arg;

	if (vcpu >= st->boot.layout.nr_vmsas)
		return NULL;
	return at(st, st->boot.vmsa_base + (uint64_t)vcpu * MH_PAGE_SIZE);
}

static const uint8_t *vmsa_page(void *arg, uint32_t vcpu)
{
	return vmsa_page_rw(arg, vcpu);
}

static uint8_t *vmsa_stash(void *arg, uint32_t vcpu)
{
	const struct mh_state *st = arg;

	if (vcpu >= st->boot.layout.nr_vmsas)
		return NULL;
	return at(st, st->boot.layout.vmsa_stash + (uint64_t)vcpu * MH_PAGE_SIZE);
}

/* ---- locks, in the MH state ---- */

static void lock_read(uint32_t *l)
{
	for (;;) {
		uint32_t v = __atomic_load_n(l, __ATOMIC_RELAXED);

		if (!(v & WRITER) && __atomic_compare_exchange_n(
					 l, &v, v + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		relax();
	}
}

static void unlock_read(uint32_t *l)
{
	__atomic_fetch_sub(l, 1, __ATOMIC_RELEASE);
}

static void lock_write(uint32_t *l)
{
	for (;;) {
		uint32_t v = __atomic_load_n(l, __ATOMIC_RELAXED);

		if (!(v & WRITER) &&
		    __atomic_compare_exchange_n(l, &v, v | WRITER, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
		relax();
	}
	while (__atomic_load_n(l, __ATOMIC_ACQUIRE) != WRITER)
		relax();
}

static void unlock_write(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* ---- nonces ---- */

static void derive_nonce(const struct mh_state *st, uint8_t who, uint64_t counter, uint8_t out[16])
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t msg[16 + 1 + 16 + 8], d[32];

	memcpy(msg, NONCE_LABEL, 16);
	msg[16] = who;
	memcpy(msg + 17, st->boot.launch_id, 16);
	put_le64(msg + 33, counter);
	br_hmac_key_init(&kc, &br_sha256_vtable, st->boot.key, MH_KEY_SIZE);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, msg, sizeof(msg));
	br_hmac_out(&hc, d);
	memcpy(out, d, 16);
	wipe(&kc, sizeof(kc));
	wipe(&hc, sizeof(hc));
	wipe(d, sizeof(d));
}

/* ---- source ops ---- */

/* The GPAs of a SEAL, from the private copy: the same refusals the target
 * would make, before a sequence number is spent. */
static uint32_t check_seal(const struct mh_state *st, const struct mh_slot *r, uint32_t *detail)
{
	if (r->nr_pages == 0 || r->nr_pages > MH_BATCH_PAGES)
		return MH_ERR_REQUEST;
	for (uint32_t i = 0; i < r->nr_pages; i++) {
		uint64_t gpa = r->gpa[i];

		*detail = i;
		if (gpa % MH_PAGE_SIZE)
			return MH_ERR_REQUEST;
		if (!gpa_in_ram((void *)st, gpa))
			return MH_ERR_GPA_RANGE;
		if (gpa_private((void *)st, gpa))
			return MH_ERR_GPA_PRIVATE;
		for (uint32_t j = 0; j < i; j++)
			if (r->gpa[j] == gpa)
				return MH_ERR_REQUEST;
	}
	*detail = 0;
	return MH_OK;
}

/* A new epoch, also after a failed or committed one (the source stays the
 * VM's owner and may migrate again): fresh source nonce, so a fresh epoch
 * key, and sequence numbers from 1 again. */
static uint32_t op_begin(struct ctx *c, uint8_t *out, struct result *res)
{
	struct mh_state *st = c->st;
	uint8_t sn[16];
	size_t len;

	lock_write(&st->lock);
	if (st->src_state != MH_SRC_IDLE)
		mh_epoch_wipe(&st->epoch);
	st->src_state = MH_SRC_IDLE;
	derive_nonce(st, 'S', ++st->begins, sn);
	mh_epoch_init(&st->epoch, st->boot.key, sn, c->pg->req.target_nonce);
	memset(at(st, st->boot.layout.last), 0, st->boot.layout.nr_pfns * 8);
	memset(st->vmsa_sent, 0, sizeof(st->vmsa_sent));
	for (uint32_t i = 0; i < MH_MAX_HANDLERS; i++) {
		st->h[i].sent.records = st->h[i].sent.pages = 0;
		st->h[i].sent.sum[0] = st->h[i].sent.sum[1] = 0;
	}
	len = mh_seal_begin(&st->epoch, out, SLOT_CAP);
	if (len) {
		__atomic_store_n(&st->seq_next, 1, __ATOMIC_RELAXED);
		st->src_state = MH_SRC_SEALING;
	} else {
		mh_epoch_wipe(&st->epoch);
	}
	unlock_write(&st->lock);
	if (!len)
		return MH_ERR_REQUEST;
	res->seq = 0;
	res->record_len = (uint32_t)len;
	return MH_OK;
}

/* A PAGES record of the slot's GPAs, or with vcpu a VMSA record of those
 * vCPUs, under the reader lock (SEALs run in parallel) with the next
 * sequence number. */
static uint32_t seal_record(struct ctx *c, const uint32_t *vcpu, uint8_t *out, struct result *res)
{
	struct mh_state *st = c->st;
	const struct mh_slot *r = &c->pg->req;
	struct mh_applied *sent = &st->h[c->h].sent;
	uint64_t seq;
	size_t len;

	lock_read(&st->lock);
	if (st->src_state != MH_SRC_SEALING) {
		unlock_read(&st->lock);
		return MH_ERR_STATE;
	}
	seq = __atomic_fetch_add(&st->seq_next, 1, __ATOMIC_RELAXED);
	len = vcpu ? mh_seal_vmsas(&st->epoch, seq, vcpu, r->nr_pages, &c->g, sent, c->staging, out,
				   SLOT_CAP)
		   : mh_seal_pages(&st->epoch, seq, r->gpa, r->nr_pages, &c->g, sent, c->staging,
				   out, SLOT_CAP);
	unlock_read(&st->lock);
	if (!len)
		return MH_ERR_REQUEST;
	res->seq = seq;
	res->record_len = (uint32_t)len;
	return MH_OK;
}

static uint32_t op_seal(struct ctx *c, uint8_t *out, struct result *res)
{
	uint32_t err = check_seal(c->st, &c->pg->req, &res->detail);

	return err ? err : seal_record(c, NULL, out, res);
}

/* At convergence (the OS vCPUs paused, the platform saved them into their
 * VMSA pages): a VMSA record of the vCPUs listed in gpa[]. */
static uint32_t op_seal_vmsa(struct ctx *c, uint8_t *out, struct result *res)
{
	struct mh_state *st = c->st;
	const struct mh_slot *r = &c->pg->req;
	uint32_t vcpu[MH_BATCH_PAGES];

	if (r->nr_pages == 0 || r->nr_pages > MH_BATCH_PAGES)
		return MH_ERR_REQUEST;
	for (uint32_t i = 0; i < r->nr_pages; i++) {
		res->detail = i;
		if (r->gpa[i] >= st->boot.layout.nr_vmsas)
			return MH_ERR_VCPU;
		vcpu[i] = (uint32_t)r->gpa[i];
		for (uint32_t j = 0; j < i; j++)
			if (vcpu[j] == vcpu[i])
				return MH_ERR_REQUEST;
	}
	res->detail = 0;
	return seal_record(c, vcpu, out, res);
}

static uint32_t op_commit(struct ctx *c, uint8_t *out, struct result *res)
{
	struct mh_state *st = c->st;
	struct mh_applied all = {.last = at(st, st->boot.layout.last),
				 .nr_pfns = st->boot.layout.nr_pfns,
				 .vmsa_last = st->vmsa_sent,
				 .nr_vmsas = st->boot.layout.nr_vmsas};
	struct mh_commit cm;
	uint64_t seq = 0;
	size_t len = 0;

	lock_write(&st->lock);
	if (st->src_state == MH_SRC_SEALING) {
		for (uint32_t i = 0; i < st->boot.nr_handlers; i++)
			mh_applied_merge(&all, &st->h[i].sent);
		mh_commit_compute(&all, &cm);
		seq = __atomic_fetch_add(&st->seq_next, 1, __ATOMIC_RELAXED);
		len = mh_seal_commit(&st->epoch, seq, &cm, out, SLOT_CAP);
		if (len) {
			st->src_state = MH_SRC_COMMITTED;
			mh_epoch_wipe(&st->epoch);
		}
		unlock_write(&st->lock);
		if (!len)
			return MH_ERR_REQUEST;
		res->seq = seq;
		res->record_len = (uint32_t)len;
		return MH_OK;
	}
	unlock_write(&st->lock);
	return MH_ERR_STATE;
}

/* ---- target ---- */

static uint32_t op_open(struct ctx *c, const uint8_t *rec, struct result *res)
{
	struct mh_state *st = c->st;
	uint32_t len = c->pg->req.record_len;
	int err;

	res->record_len = len;
	if (len > SLOT_CAP)
		return MH_ERR_REQUEST;
	lock_write(&st->lock);
	err = mh_open(&st->target, rec, len, &c->g, c->staging, &res->detail);
	if (err == MH_OK && st->target.state == MH_OPEN_COMMITTED) {
		/* The guest has arrived and is this VM's now: the next migration
		 * starts here, so this MH becomes a source. */
		__atomic_store_n(&st->role, MH_ROLE_SOURCE, __ATOMIC_RELEASE);
		c->mb->role = MH_ROLE_SOURCE;
	}
	unlock_write(&st->lock);
	return (uint32_t)err;
}

/* ---- slots ---- */

static void serve(struct ctx *c, volatile struct mh_slot *slot)
{
	uint8_t *rec = (uint8_t *)(uintptr_t)slot + MH_SLOT_RECORD_OFFSET;
	struct mh_slot *r = &c->pg->req;
	struct result res = {0, 0, 0};
	bool source = __atomic_load_n(&c->st->role, __ATOMIC_ACQUIRE) == MH_ROLE_SOURCE;
	uint32_t status;

	/* Everything below reads the copy only. */
	memcpy(r, (const void *)(uintptr_t)slot, sizeof(*r));
	switch (r->op) {
	case MH_OP_BEGIN:
		status = source ? op_begin(c, rec, &res) : MH_ERR_ROLE;
		break;
	case MH_OP_SEAL:
		status = source ? op_seal(c, rec, &res) : MH_ERR_ROLE;
		break;
	case MH_OP_COMMIT:
		status = source ? op_commit(c, rec, &res) : MH_ERR_ROLE;
		break;
	case MH_OP_SEAL_VMSA:
		status = source ? op_seal_vmsa(c, rec, &res) : MH_ERR_ROLE;
		break;
	case MH_OP_OPEN:
		status = source ? MH_ERR_ROLE : op_open(c, rec, &res);
		break;
	default:
		status = MH_ERR_REQUEST;
		break;
	}
	slot->status = status;
	slot->detail = res.detail;
	slot->record_len = res.record_len;
	slot->seq = res.seq;
	__atomic_store_n(&slot->state, MH_SLOT_DONE, __ATOMIC_RELEASE);
}

static volatile struct mh_slot *slot_at(const struct mh_state *st, uint32_t s)
{
	return at(st, st->boot.shared_base + MH_SLOTS_OFFSET + (uint64_t)s * MH_SLOT_SIZE);
}

/* ---- start-up ---- */

/* Handler 0, before anyone reports: the MH's state, then the mailbox,
 * magic last (the host reads nothing before it). */
static void init(struct mh_state *st, volatile struct mh_mailbox *mb)
{
	const struct mh_boot *b = &st->boot;
	uint64_t *last = at(st, b->layout.last);
	uint8_t nonce[16] = {0};
	uint32_t err = MH_OK;

	if (!b->have_key || !b->have_launch_id) {
		err = MH_ERR_NO_KEY;
	} else if (!mh_selftest(&st->epoch)) {
		err = MH_ERR_SELFTEST;
	} else {
		memset(last, 0, b->layout.nr_pfns * 8);
		for (uint32_t i = 0; i < MH_MAX_HANDLERS; i++)
			st->h[i].sent = (struct mh_applied){.last = last,
							    .nr_pfns = b->layout.nr_pfns,
							    .vmsa_last = st->vmsa_sent,
							    .nr_vmsas = b->layout.nr_vmsas};
		st->src_state = MH_SRC_IDLE;
		if (b->role == MH_ROLE_TARGET) {
			derive_nonce(st, 'T', 0, nonce);
			st->target.state = MH_OPEN_NEED_BEGIN;
			st->target.impl = MH_IMPL_AUTO;
			memcpy(st->target.transport_key, b->key, MH_KEY_SIZE);
			memcpy(st->target.target_nonce, nonce, 16);
			st->target.applied = (struct mh_applied){.last = last,
								 .nr_pfns = b->layout.nr_pfns,
								 .vmsa_last = st->vmsa_applied,
								 .nr_vmsas = b->layout.nr_vmsas};
		}
	}
	mb->version = MH_ABI_VERSION;
	st->role = b->role;
	mb->role = b->role;
	mb->nr_handlers = b->nr_handlers;
	mb->nr_slots = MH_MAX_SLOTS;
	mb->batch_pages = MH_BATCH_PAGES;
	for (uint32_t i = 0; i < MH_MAX_HANDLERS; i++)
		mb->state[i] = MH_HANDLER_OFF;
	mb->error = err;
	mb->reserved = 0;
	for (uint32_t i = 0; i < 16; i++)
		mb->target_nonce[i] = nonce[i];
	__atomic_store_n(&mb->magic, MH_MAGIC, __ATOMIC_RELEASE);
	st->init_error = err;
	__atomic_store_n(&st->init_done, 1, __ATOMIC_RELEASE);
}

__attribute__((noreturn)) void mh_main(uint32_t h, struct mh_state *st)
{
	volatile struct mh_mailbox *mb = at(st, st->boot.shared_base + MH_MAILBOX_OFFSET);
	uint64_t blk = mh_handler_block(&st->boot.layout, h);
	uint32_t n = st->boot.nr_handlers;
	struct ctx c = {
	    .h = h,
	    .st = st,
	    .mb = mb,
	    .pg = at(st, blk),
	    .staging = at(st, blk + MH_STAGING_OFF),
	    .g = {gpa_page, gpa_page_rw, gpa_in_ram, gpa_private, st, vmsa_page, vmsa_stash,
		  vmsa_page_rw},
	};

	if (h == 0)
		init(st, mb);
	else
		while (!__atomic_load_n(&st->init_done, __ATOMIC_ACQUIRE))
			relax();
	if (st->init_error) {
		__atomic_store_n(&mb->state[h], MH_HANDLER_FAILED, __ATOMIC_RELEASE);
		fw_mh_syscall(FW_SYS_MH_PARK, 0);
		for (;;)
			relax();
	}
	__atomic_store_n(&mb->state[h], MH_HANDLER_READY, __ATOMIC_RELEASE);
	/* The one exit: the VMM may stop running this vCPU here until it
	 * posts work (fw_abi.h, FW_MH_DOORBELL_PORT). */
	fw_mh_syscall(FW_SYS_MH_DOORBELL, h);
	for (;;) {
		for (uint32_t s = h; s < MH_MAX_SLOTS; s += n) {
			volatile struct mh_slot *slot = slot_at(st, s);

			if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) == MH_SLOT_POSTED)
				serve(&c, slot);
		}
		relax();
	}
}
