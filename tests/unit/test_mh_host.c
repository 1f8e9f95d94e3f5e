// SPDX-License-Identifier: MIT
/*
 * The host's mailbox driver (src/migrate/mh_host.c) against a stand-in
 * Migration Handler: a thread that serves slots as the firmware would, so
 * posting, completion, round-robin, timeouts and a guest that writes
 * nonsense into the mailbox are all exercised without a VM.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mh_host.h"

#define SHARED_SIZE 0x400000

struct fake_mh {
	uint8_t *shared;
	unsigned int nr_slots;
	volatile bool stop;
	bool answer; /* serve slots, or leave them POSTED (a stalled MH) */
};

static struct mh_slot *slot(uint8_t *shared, unsigned int i)
{
	return (struct mh_slot *)(shared + MH_SLOTS_OFFSET + (size_t)i * MH_SLOT_SIZE);
}

/* Serves every POSTED slot: SEAL answers with a "record" of 8 bytes per GPA. */
static void *fake_main(void *arg)
{
	struct fake_mh *f = arg;
	uint64_t seq = 1;

	while (!f->stop) {
		for (unsigned int i = 0; i < f->nr_slots; i++) {
			struct mh_slot *s = slot(f->shared, i);
			uint8_t *rec = (uint8_t *)s + MH_SLOT_RECORD_OFFSET;

			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != MH_SLOT_POSTED)
				continue;
			/* After the POSTED load: a test that stalls the MH before it
			 * posts is seen stalled here (release/acquire on state). */
			if (!__atomic_load_n(&f->answer, __ATOMIC_RELAXED))
				continue;
			if (s->op == MH_OP_SEAL) {
				memcpy(rec, s->gpa, 8 * s->nr_pages);
				s->record_len = 8 * s->nr_pages;
				s->seq = seq++;
				s->status = MH_OK;
			} else if (s->op == MH_OP_OPEN) {
				s->status = rec[0] == 0xee ? MH_ERR_AUTH : MH_OK;
				s->detail = 3;
			} else {
				s->status = MH_ERR_ROLE;
			}
			__atomic_store_n(&s->state, MH_SLOT_DONE, __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

struct fx {
	uint8_t *shared;
	struct fake_mh mh;
	pthread_t t;
	struct mh_host h;
};

static void fill_mailbox(uint8_t *shared, uint32_t nr_slots)
{
	struct mh_mailbox *mb = (struct mh_mailbox *)(shared + MH_MAILBOX_OFFSET);

	mb->version = MH_ABI_VERSION;
	mb->role = MH_ROLE_SOURCE;
	mb->nr_handlers = 2;
	mb->nr_slots = nr_slots;
	mb->batch_pages = MH_BATCH_PAGES;
	mb->state[0] = mb->state[1] = MH_HANDLER_READY;
	__atomic_store_n(&mb->magic, MH_MAGIC, __ATOMIC_RELEASE);
}

static int setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	f->shared = test_calloc(1, SHARED_SIZE);
	fill_mailbox(f->shared, 4);
	f->mh = (struct fake_mh){.shared = f->shared, .nr_slots = 4, .answer = true};
	assert_int_equal(pthread_create(&f->t, NULL, fake_main, &f->mh), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	f->mh.stop = true;
	pthread_join(f->t, NULL);
	test_free(f->shared);
	test_free(f);
	return 0;
}

static void test_attach(void **state)
{
	struct fx *f = *state;
	uint8_t *blank = test_calloc(1, SHARED_SIZE);
	struct mh_mailbox *mb = (struct mh_mailbox *)(blank + MH_MAILBOX_OFFSET);
	struct mh_host h;
	uint32_t error;
	char err[200];

	/* Not filled in yet: try again later. */
	assert_int_equal(mh_host_attach(&h, blank, SHARED_SIZE, err, sizeof(err)), -EAGAIN);
	/* Nonsense from the guest is refused with a reason, never trusted. */
	fill_mailbox(blank, MH_MAX_SLOTS + 1);
	assert_int_equal(mh_host_attach(&h, blank, SHARED_SIZE, err, sizeof(err)), -EPROTO);
	fill_mailbox(blank, 4);
	mb->role = 7;
	assert_int_equal(mh_host_attach(&h, blank, SHARED_SIZE, err, sizeof(err)), -EPROTO);
	fill_mailbox(blank, 4);
	mb->version = 9;
	assert_int_equal(mh_host_attach(&h, blank, SHARED_SIZE, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "version 9"));
	/* Slots that would not fit the region. */
	fill_mailbox(blank, 4);
	assert_int_equal(
	    mh_host_attach(&h, blank, MH_SLOTS_OFFSET + 3 * MH_SLOT_SIZE, err, sizeof(err)),
	    -EPROTO);
	test_free(blank);

	assert_int_equal(mh_host_attach(&f->h, f->shared, SHARED_SIZE, err, sizeof(err)), 0);
	assert_int_equal(f->h.nr_slots, 4);
	assert_int_equal(mh_host_ready(&f->h, &error), 2);
	assert_int_equal(error, 0);
	mb = (struct mh_mailbox *)(f->shared + MH_MAILBOX_OFFSET);
	mb->state[1] = MH_HANDLER_FAILED;
	mb->error = MH_ERR_NO_KEY;
	assert_int_equal(mh_host_ready(&f->h, &error), 1);
	assert_int_equal(error, MH_ERR_NO_KEY);
}

static void test_post_and_wait(void **state)
{
	struct fx *f = *state;
	uint64_t gpa[3] = {0x1000, 0x2000, 0x5000};
	struct mh_request seal = {.op = MH_OP_SEAL, .nr_pages = 3, .gpa = gpa};
	struct mh_result r;
	char err[200];
	int slots[4];

	assert_int_equal(mh_host_attach(&f->h, f->shared, SHARED_SIZE, err, sizeof(err)), 0);
	/* Several in flight at once, each in its own slot. */
	for (int i = 0; i < 4; i++) {
		slots[i] = mh_host_post(&f->h, &seal);
		assert_true(slots[i] >= 0);
	}
	assert_int_equal(mh_host_post(&f->h, &seal), -EBUSY);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(mh_host_wait(&f->h, slots[i], 5000, &r), 0);
		assert_int_equal(r.status, MH_OK);
		assert_int_equal(r.record_len, sizeof(gpa));
		assert_memory_equal(r.record, gpa, sizeof(gpa));
		mh_host_release(&f->h, slots[i]);
	}
	/* The slots are free again. */
	assert_true(mh_host_post(&f->h, &seal) >= 0);
}

static void test_refusal_and_bad_requests(void **state)
{
	struct fx *f = *state;
	uint8_t bad_record[32] = {0xee};
	struct mh_request open = {.op = MH_OP_OPEN, .record = bad_record, .record_len = 32};
	struct mh_request none = {.op = MH_OP_SEAL, .nr_pages = 0};
	struct mh_request huge = {
	    .op = MH_OP_SEAL, .nr_pages = MH_BATCH_PAGES + 1, .gpa = (uint64_t[1]){0}};
	struct mh_result r;
	char err[200];
	int s;

	assert_int_equal(mh_host_attach(&f->h, f->shared, SHARED_SIZE, err, sizeof(err)), 0);
	s = mh_host_post(&f->h, &open);
	assert_true(s >= 0);
	assert_int_equal(mh_host_wait(&f->h, s, 5000, &r), 0);
	assert_int_equal(r.status, MH_ERR_AUTH);
	assert_int_equal(r.detail, 3);
	assert_string_equal(mh_error_text(r.status), "record does not authenticate");
	mh_host_release(&f->h, s);
	assert_int_equal(mh_host_post(&f->h, &none), -EINVAL);
	assert_int_equal(mh_host_post(&f->h, &huge), -EINVAL);
	open.record_len = MH_SLOT_SIZE;
	assert_int_equal(mh_host_post(&f->h, &open), -EINVAL);
	assert_int_equal(mh_host_wait(&f->h, 99, 10, &r), -EINVAL);
}

static void test_timeout_and_lying_mh(void **state)
{
	struct fx *f = *state;
	uint64_t gpa = 0x3000;
	struct mh_request seal = {.op = MH_OP_SEAL, .nr_pages = 1, .gpa = &gpa};
	struct mh_result r;
	char err[200];
	int s;

	assert_int_equal(mh_host_attach(&f->h, f->shared, SHARED_SIZE, err, sizeof(err)), 0);
	__atomic_store_n(&f->mh.answer, false, __ATOMIC_RELAXED); /* a stalled handler */
	s = mh_host_post(&f->h, &seal);
	assert_true(s >= 0);
	assert_int_equal(mh_host_wait(&f->h, s, 50, &r), -ETIMEDOUT);
	/* A guest claiming a record longer than its slot. */
	slot(f->shared, (unsigned)s)->record_len = MH_SLOT_SIZE;
	__atomic_store_n(&slot(f->shared, (unsigned)s)->state, MH_SLOT_DONE, __ATOMIC_RELEASE);
	assert_int_equal(mh_host_wait(&f->h, s, 50, &r), -EPROTO);
}

/* A record received straight into a free slot, then posted there. */
static void test_reserve_in_place(void **state)
{
	struct fx *f = *state;
	uint64_t gpa = 0x3000;
	struct mh_request seal = {.op = MH_OP_SEAL, .nr_pages = 1, .gpa = &gpa};
	struct mh_result r;
	char err[200];
	int s, busy[4];
	uint8_t *rec;

	assert_int_equal(mh_host_attach(&f->h, f->shared, SHARED_SIZE, err, sizeof(err)), 0);
	rec = mh_host_reserve(&f->h, &s);
	assert_non_null(rec);
	assert_ptr_equal(rec, (uint8_t *)slot(f->shared, (unsigned)s) + MH_SLOT_RECORD_OFFSET);
	/* Reserved is still free: the MH leaves it alone. */
	assert_int_equal(slot(f->shared, (unsigned)s)->state, MH_SLOT_FREE);
	memset(rec, 0xee, 40); /* the fake MH refuses a record starting 0xee */
	struct mh_request open = {.op = MH_OP_OPEN, .record = rec, .record_len = 40};
	assert_int_equal(mh_host_post_in(&f->h, s, &open), s);
	assert_int_equal(slot(f->shared, (unsigned)s)->record_len, 40);
	assert_int_equal(mh_host_wait(&f->h, s, 5000, &r), 0);
	assert_int_equal(r.status, MH_ERR_AUTH); /* it saw the bytes received in place */
	/* A slot in flight cannot be posted into; none free, none reserved. */
	assert_int_equal(mh_host_post_in(&f->h, s, &open), -EBUSY);
	mh_host_release(&f->h, s);
	__atomic_store_n(&f->mh.answer, false, __ATOMIC_RELAXED);
	for (int i = 0; i < 4; i++)
		assert_true((busy[i] = mh_host_post(&f->h, &seal)) >= 0);
	assert_null(mh_host_reserve(&f->h, &s));
	assert_int_equal(s, -EBUSY);
	assert_int_equal(mh_host_post_in(&f->h, 7, &open), -EINVAL);
	(void)busy;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_attach),
	    T(test_post_and_wait),
	    T(test_refusal_and_bad_requests),
	    T(test_timeout_and_lying_mh),
	    T(test_reserve_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
