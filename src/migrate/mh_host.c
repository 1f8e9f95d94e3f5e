// SPDX-License-Identifier: MIT
/*
 * The host's side of the Migration Handler mailbox (see mh_host.h).
 */
#include "mh_host.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Waiting for the MH (mh_host_wait): it cannot wake the host without a VM
 * exit, so the host polls the slot. A short spin catches a quick answer;
 * then sleeps of 50 us between looks (a 64-page record is about 0.1 ms of
 * the MH's work) leave the core to the handler vCPUs, which on a host with
 * few cores share it with this thread. Measured on two cores, SEV-ES, 256
 * MiB dirtied: 4096 spins then sched_yield() about 1.0-1.1 s, this about
 * 0.8-0.95 s (bench/README.md). */
#define SPINS_BEFORE_SLEEP 64
#define POLL_SLEEP_NS 50000L

static struct mh_slot *slot_at(const struct mh_host *h, unsigned int i)
{
	return (struct mh_slot *)(h->shared + MH_SLOTS_OFFSET + (size_t)i * MH_SLOT_SIZE);
}

static uint8_t *record_at(const struct mh_host *h, unsigned int i)
{
	return (uint8_t *)slot_at(h, i) + MH_SLOT_RECORD_OFFSET;
}

static uint32_t load_acquire(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int mh_host_attach(struct mh_host *h, void *shared, size_t shared_size, char *err, size_t errlen)
{
	volatile struct mh_mailbox *mb;
	uint32_t nr_slots, nr_handlers, role;

	memset(h, 0, sizeof(*h));
	if (shared_size < MH_MAILBOX_OFFSET + sizeof(struct mh_mailbox)) {
		snprintf(err, errlen, "the shared region (%zu bytes) has no room for the mailbox",
			 shared_size);
		return -EPROTO;
	}
	mb = (volatile struct mh_mailbox *)((uint8_t *)shared + MH_MAILBOX_OFFSET);
	if (load_acquire(&mb->magic) != MH_MAGIC)
		return -EAGAIN;
	/* Read each field once: the guest could change them under us. */
	nr_slots = mb->nr_slots;
	nr_handlers = mb->nr_handlers;
	role = mb->role;
	if (mb->version != MH_ABI_VERSION) {
		snprintf(err, errlen, "the Migration Handler speaks mailbox version %u, not %u",
			 mb->version, MH_ABI_VERSION);
		return -EPROTO;
	}
	if (!nr_handlers || nr_handlers > MH_MAX_HANDLERS || nr_slots < nr_handlers ||
	    nr_slots > MH_MAX_SLOTS ||
	    MH_SLOTS_OFFSET + (size_t)nr_slots * MH_SLOT_SIZE > shared_size ||
	    mb->batch_pages != MH_BATCH_PAGES ||
	    (role != MH_ROLE_SOURCE && role != MH_ROLE_TARGET)) {
		snprintf(err, errlen,
			 "the Migration Handler's mailbox is malformed (%u handlers, %u slots, "
			 "role %u)",
			 nr_handlers, nr_slots, role);
		return -EPROTO;
	}
	*h = (struct mh_host){
	    .shared = shared,
	    .shared_size = shared_size,
	    .mb = mb,
	    .nr_slots = nr_slots,
	    .nr_handlers = nr_handlers,
	    .role = (enum mh_role)role,
	};
	return 0;
}

unsigned int mh_host_ready(const struct mh_host *h, uint32_t *error)
{
	unsigned int n = 0;

	*error = 0;
	for (unsigned int i = 0; i < h->nr_handlers; i++) {
		uint32_t s = load_acquire(&h->mb->state[i]);

		if (s == MH_HANDLER_READY)
			n++;
		else if (s == MH_HANDLER_FAILED && !*error)
			*error = h->mb->error ? h->mb->error : MH_ERR_STATE;
	}
	return n;
}

static int fill(struct mh_host *h, unsigned int i, const struct mh_request *req)
{
	struct mh_slot *s = slot_at(h, i);

	switch (req->op) {
	case MH_OP_BEGIN:
		memcpy(s->target_nonce, req->target_nonce, sizeof(s->target_nonce));
		break;
	case MH_OP_SEAL:
	case MH_OP_SEAL_VMSA: /* gpa[] holds vCPU indexes */
		if (!req->nr_pages || req->nr_pages > MH_BATCH_PAGES || !req->gpa)
			return -EINVAL;
		memcpy(s->gpa, req->gpa, req->nr_pages * sizeof(uint64_t));
		break;
	case MH_OP_COMMIT:
		break;
	case MH_OP_OPEN:
		if (!req->record || !req->record_len ||
		    req->record_len > MH_SLOT_SIZE - MH_SLOT_RECORD_OFFSET)
			return -EINVAL;
		if (req->record != record_at(h, i)) /* else received in place */
			memcpy(record_at(h, i), req->record, req->record_len);
		break;
	default:
		return -EINVAL;
	}
	s->op = req->op;
	s->nr_pages = req->op == MH_OP_SEAL || req->op == MH_OP_SEAL_VMSA ? req->nr_pages : 0;
	s->record_len = req->op == MH_OP_OPEN ? (uint32_t)req->record_len : 0;
	s->status = s->detail = 0;
	s->seq = 0;
	return 0;
}

/* The next free slot in turn, or -EBUSY. */
static int free_slot(const struct mh_host *h)
{
	for (unsigned int k = 0; k < h->nr_slots; k++) {
		unsigned int i = (h->next_slot + k) % h->nr_slots;

		if (load_acquire(&slot_at(h, i)->state) == MH_SLOT_FREE)
			return (int)i;
	}
	return -EBUSY;
}

int mh_host_post_in(struct mh_host *h, int slot, const struct mh_request *req)
{
	struct mh_slot *s;
	int ret;

	if (slot < 0 || (unsigned int)slot >= h->nr_slots)
		return -EINVAL;
	s = slot_at(h, (unsigned int)slot);
	if (load_acquire(&s->state) != MH_SLOT_FREE)
		return -EBUSY;
	if ((ret = fill(h, (unsigned int)slot, req)))
		return ret;
	store_release(&s->state, MH_SLOT_POSTED);
	h->next_slot = ((unsigned int)slot + 1) % h->nr_slots;
	return slot;
}

int mh_host_post(struct mh_host *h, const struct mh_request *req)
{
	int slot = free_slot(h);

	return slot < 0 ? slot : mh_host_post_in(h, slot, req);
}

uint8_t *mh_host_reserve(struct mh_host *h, int *slot)
{
	*slot = free_slot(h);
	return *slot < 0 ? NULL : record_at(h, (unsigned int)*slot);
}

int mh_host_wait(struct mh_host *h, int slot, int timeout_ms, struct mh_result *res)
{
	struct mh_slot *s;
	long long deadline = monotonic_ms() + timeout_ms;
	unsigned int spins = 0;
	uint32_t len;

	if (slot < 0 || (unsigned int)slot >= h->nr_slots)
		return -EINVAL;
	s = slot_at(h, (unsigned int)slot);
	/* Polling is the protocol (no VM exits): spin, then sleep between looks. */
	while (load_acquire(&s->state) != MH_SLOT_DONE) {
		if (++spins < SPINS_BEFORE_SLEEP) {
			__builtin_ia32_pause();
			continue;
		}
		spins = 0;
		if (monotonic_ms() > deadline)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){.tv_nsec = POLL_SLEEP_NS}, NULL);
	}
	len = s->record_len;
	if (len > MH_SLOT_SIZE - MH_SLOT_RECORD_OFFSET)
		return -EPROTO;
	*res = (struct mh_result){
	    .status = s->status,
	    .detail = s->detail,
	    .seq = s->seq,
	    .record = record_at(h, (unsigned int)slot),
	    .record_len = len,
	};
	return 0;
}

void mh_host_release(struct mh_host *h, int slot)
{
	if (slot >= 0 && (unsigned int)slot < h->nr_slots)
		store_release(&slot_at(h, (unsigned int)slot)->state, MH_SLOT_FREE);
}

const char *mh_error_text(uint32_t err)
{
	switch (err) {
	case MH_OK:
		return "ok";
	case MH_ERR_REQUEST:
		return "malformed request";
	case MH_ERR_ROLE:
		return "operation not allowed in this role";
	case MH_ERR_MALFORMED:
		return "malformed record";
	case MH_ERR_EPOCH:
		return "record of another migration";
	case MH_ERR_AUTH:
		return "record does not authenticate";
	case MH_ERR_GPA_RANGE:
		return "page outside guest RAM";
	case MH_ERR_GPA_PRIVATE:
		return "page in firmware-private memory";
	case MH_ERR_REPLAY:
		return "page older than the one applied (replay or reorder)";
	case MH_ERR_COMMIT:
		return "commit does not match the pages applied";
	case MH_ERR_NO_KEY:
		return "no transport key in the guest";
	case MH_ERR_STATE:
		return "record out of order for the migration's state";
	case MH_ERR_SELFTEST:
		return "the Migration Handler's AES-GCM failed its self-test";
	case MH_ERR_VCPU:
		return "a vCPU this VM has no VMSA for";
	default:
		return "unknown error";
	}
}
