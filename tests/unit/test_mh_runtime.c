// SPDX-License-Identifier: MIT
/*
 * The firmware's Migration Handler runtime (firmware/mh/mh.c) built hosted
 * and driven through its mailbox (include/sevm/mh_abi.h) as the VMM will:
 * a source "VM" and a target "VM", each a process whose guest RAM is one
 * mapping (mh_boot.ram_alias, FW_MH_RAM_ALIAS in the firmware), handler
 * vCPUs as threads running mh_main().
 * The source seals pages (GPA 0, zero pages, data pages) into records, the
 * target opens them and must end with the same pages, and every refusal
 * the runtime makes itself is checked: other role, bad op, private GPA,
 * out-of-RAM GPA, tampered record, replay, SEAL before BEGIN; a boot
 * without a key reports FAILED / MH_ERR_NO_KEY.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mh.h"
#include "fw_layout.h"

#define RAM_SIZE (64ull << 20)
#define NR_SEALS 6
#define SLOT_CAP (MH_SLOT_SIZE - MH_SLOT_RECORD_OFFSET)
#define WIRE_MAX (NR_SEALS + 3) /* BEGIN, SEALs, a VMSA record, COMMIT */
#define OS_VCPUS 2
#define VMSA_GPA 0x40000 /* where the test puts the VMSA pages (FW_VMSA_BASE in the guest) */

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);      \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* Between the two processes (MAP_SHARED before fork). */
struct wire {
	volatile uint32_t nonce_ready, records_ready, target_done;
	uint8_t target_nonce[16];
	uint32_t nr;
	uint32_t len[WIRE_MAX];
	uint8_t rec[WIRE_MAX][MH_RECORD_MAX];
};

static volatile uint32_t doorbells[MH_MAX_HANDLERS]; /* rings per handler */
static uint8_t *ram_base;			     /* GPA 0 */

long fw_mh_syscall(long nr, long arg)
{
	if (nr == FW_SYS_MH_DOORBELL) {
		CHECK(arg >= 0 && arg < MH_MAX_HANDLERS);
		__atomic_fetch_add(&doorbells[arg], 1, __ATOMIC_RELEASE);
		return 0;
	}
	CHECK(nr == FW_SYS_MH_PARK);
	pthread_exit(NULL);
}

struct handler_arg {
	uint32_t h;
	struct mh_state *st;
};

static void *handler_thread(void *p)
{
	struct handler_arg *a = p;

	mh_main(a->h, a->st);
}

static const uint8_t KEY[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t LAUNCH_ID[16] = "launch-id-000001";

/* A VM: its RAM, and the CPL0 side's hand-over (firmware/mhboot.c). */
static struct mh_state *vm_create(uint32_t role, uint32_t handlers, bool key)
{
	struct mh_layout l;
	struct mh_state *st;

	ram_base = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ram_base != MAP_FAILED);
	/* Pre-launch garbage everywhere, as the firmware must expect. */
	memset(ram_base, 0xa5, RAM_SIZE);
	mh_layout(RAM_SIZE, handlers, OS_VCPUS, &l);
	CHECK(l.base >= FW_SHARED_BASE + FW_SHARED_SIZE && l.base % MH_PAGE_SIZE == 0);
	CHECK(l.last + l.nr_pfns * 8 <= l.low_end && l.low_end == RAM_SIZE);
	st = (struct mh_state *)(ram_base + l.base);
	memset(st, 0, MH_STATE_SIZE);
	st->boot.role = role;
	st->boot.nr_handlers = handlers;
	st->boot.layout = l;
	st->boot.ram_alias = (uint64_t)(uintptr_t)ram_base;
	st->boot.shared_base = FW_SHARED_BASE;
	st->boot.shared_size = FW_SHARED_SIZE;
	st->boot.vmsa_base = VMSA_GPA;
	if (key) {
		memcpy(st->boot.key, KEY, 32);
		memcpy(st->boot.launch_id, LAUNCH_ID, 16);
		st->boot.have_key = st->boot.have_launch_id = 1;
	}
	for (uint32_t h = 0; h < handlers; h++) {
		/* Static: the threads outlive this call (handlers never return). */
		static struct handler_arg args[MH_MAX_HANDLERS];
		struct handler_arg *a = &args[h];
		pthread_t t;

		*a = (struct handler_arg){h, st};
		CHECK(pthread_create(&t, NULL, handler_thread, a) == 0);
		pthread_detach(t);
	}
	return st;
}

static volatile struct mh_mailbox *mailbox(void)
{
	return (volatile struct mh_mailbox *)(ram_base + FW_SHARED_BASE + MH_MAILBOX_OFFSET);
}

static volatile struct mh_slot *slot(uint32_t s)
{
	return (volatile struct mh_slot *)(ram_base + FW_SHARED_BASE + MH_SLOTS_OFFSET +
					   (uint64_t)s * MH_SLOT_SIZE);
}

static void wait_ready(uint32_t handlers, uint32_t want)
{
	volatile struct mh_mailbox *mb = mailbox();

	while (__atomic_load_n(&mb->magic, __ATOMIC_ACQUIRE) != MH_MAGIC)
		usleep(100);
	for (uint32_t h = 0; h < handlers; h++)
		while (__atomic_load_n(&mb->state[h], __ATOMIC_ACQUIRE) != want)
			usleep(100);
}

/* Post a request to slot s and wait for it; returns the status. */
static uint32_t post(uint32_t s, uint32_t op, const uint64_t *gpa, uint32_t n,
		     const uint8_t *nonce, const uint8_t *rec, uint32_t len, struct mh_slot *out)
{
	volatile struct mh_slot *sl = slot(s);
	uint8_t *r = (uint8_t *)(uintptr_t)sl + MH_SLOT_RECORD_OFFSET;

	sl->op = op;
	sl->nr_pages = n;
	for (uint32_t i = 0; i < n; i++)
		sl->gpa[i] = gpa[i];
	if (nonce)
		memcpy((void *)sl->target_nonce, nonce, 16);
	if (rec)
		memcpy(r, rec, len);
	sl->record_len = len;
	sl->status = 0xdead;
	__atomic_store_n(&sl->state, MH_SLOT_POSTED, __ATOMIC_RELEASE);
	while (__atomic_load_n(&sl->state, __ATOMIC_ACQUIRE) != MH_SLOT_DONE)
		sched_yield();
	memcpy(out, (const void *)sl, sizeof(*out));
	__atomic_store_n(&sl->state, MH_SLOT_FREE, __ATOMIC_RELEASE);
	return out->status;
}

static uint8_t *ram(uint64_t gpa)
{
	return ram_base + gpa;
}

/* The source's page contents: every third page zero, the rest a pattern. */
static void fill_page(uint8_t *p, uint64_t gpa)
{
	for (unsigned i = 0; i < MH_PAGE_SIZE; i++)
		p[i] = (gpa / MH_PAGE_SIZE) % 3 == 1 ? 0 : (uint8_t)(gpa / MH_PAGE_SIZE * 7 + i);
}

static void batch(uint32_t k, uint64_t *gpa, uint32_t *n)
{
	*n = MH_BATCH_PAGES;
	for (uint32_t i = 0; i < *n; i++)
		gpa[i] = ((uint64_t)k * MH_BATCH_PAGES + i) * MH_PAGE_SIZE + 0x100000;
	if (k == 0)
		gpa[0] = 0; /* guest page 0: the alias makes it a non-NULL pointer */
}

static void run_source(struct wire *w)
{
	const uint32_t handlers = 2;
	struct mh_state *st = vm_create(MH_ROLE_SOURCE, handlers, true);
	struct mh_slot o;
	uint64_t gpa[MH_BATCH_PAGES];
	uint32_t n;

	wait_ready(handlers, MH_HANDLER_READY);
	CHECK(mailbox()->role == MH_ROLE_SOURCE && mailbox()->nr_handlers == handlers);
	CHECK(mailbox()->nr_slots == MH_MAX_SLOTS && mailbox()->error == 0);
	/* Each handler rings once it is ready, and only once. */
	for (uint32_t h = 0; h < handlers; h++)
		while (!__atomic_load_n(&doorbells[h], __ATOMIC_ACQUIRE))
			usleep(100);
	for (uint32_t h = 0; h < handlers; h++)
		CHECK(__atomic_load_n(&doorbells[h], __ATOMIC_ACQUIRE) == 1);
	for (uint32_t k = 0; k < NR_SEALS; k++) {
		batch(k, gpa, &n);
		for (uint32_t i = 0; i < n; i++)
			fill_page(ram(gpa[i]), gpa[i]);
	}
	/* Refusals before BEGIN, and of the other role. */
	batch(0, gpa, &n);
	CHECK(post(0, MH_OP_SEAL, gpa, n, NULL, NULL, 0, &o) == MH_ERR_STATE);
	CHECK(post(1, MH_OP_OPEN, NULL, 0, NULL, NULL, 64, &o) == MH_ERR_ROLE);
	CHECK(post(2, 99, NULL, 0, NULL, NULL, 0, &o) == MH_ERR_REQUEST);

	while (!__atomic_load_n(&w->nonce_ready, __ATOMIC_ACQUIRE))
		usleep(100);
	CHECK(post(3, MH_OP_BEGIN, NULL, 0, w->target_nonce, NULL, 0, &o) == MH_OK);
	CHECK(o.seq == 0 && o.record_len > 0);
	memcpy(w->rec[0], (uint8_t *)(uintptr_t)slot(3) + MH_SLOT_RECORD_OFFSET, o.record_len);
	w->len[0] = o.record_len;

	/* GPAs the source refuses to seal, with the index at fault. */
	uint64_t bad[3] = {0x200000, st->boot.layout.base + MH_PAGE_SIZE, 0x300000};
	CHECK(post(4, MH_OP_SEAL, bad, 3, NULL, NULL, 0, &o) == MH_ERR_GPA_PRIVATE && o.detail == 1);
	bad[1] = FW_SHARED_BASE + MH_MAILBOX_OFFSET;
	CHECK(post(5, MH_OP_SEAL, bad, 3, NULL, NULL, 0, &o) == MH_ERR_GPA_PRIVATE && o.detail == 1);
	bad[1] = 0xa0000;
	CHECK(post(4, MH_OP_SEAL, bad, 3, NULL, NULL, 0, &o) == MH_ERR_GPA_PRIVATE && o.detail == 1);
	bad[2] = RAM_SIZE;
	bad[1] = 0x201000;
	CHECK(post(5, MH_OP_SEAL, bad, 3, NULL, NULL, 0, &o) == MH_ERR_GPA_RANGE && o.detail == 2);
	bad[2] = 0x201800;
	CHECK(post(4, MH_OP_SEAL, bad, 3, NULL, NULL, 0, &o) == MH_ERR_REQUEST && o.detail == 2);
	CHECK(post(5, MH_OP_SEAL, bad, 0, NULL, NULL, 0, &o) == MH_ERR_REQUEST);

	/* Batches over all slots (both handlers), each seq once. */
	uint64_t seen = 0;
	for (uint32_t k = 0; k < NR_SEALS; k++) {
		batch(k, gpa, &n);
		CHECK(post(k % MH_MAX_SLOTS, MH_OP_SEAL, gpa, n, NULL, NULL, 0, &o) == MH_OK);
		CHECK(o.seq >= 1 && o.seq <= NR_SEALS && !(seen & (1ull << o.seq)));
		seen |= 1ull << o.seq;
		memcpy(w->rec[1 + k], (uint8_t *)(uintptr_t)slot(k % MH_MAX_SLOTS) +
					  MH_SLOT_RECORD_OFFSET, o.record_len);
		w->len[1 + k] = o.record_len;
	}
	/* Convergence: the vCPUs' VMSA pages (the platform saved them). */
	for (uint32_t v = 0; v < OS_VCPUS; v++)
		memset(ram(VMSA_GPA + v * MH_PAGE_SIZE), 0x60 + (int)v, MH_PAGE_SIZE);
	uint64_t vcpus[2] = {0, OS_VCPUS};
	CHECK(post(6, MH_OP_SEAL_VMSA, vcpus, 2, NULL, NULL, 0, &o) == MH_ERR_VCPU && o.detail == 1);
	vcpus[1] = 1;
	CHECK(post(6, MH_OP_SEAL_VMSA, vcpus, 2, NULL, NULL, 0, &o) == MH_OK);
	CHECK(o.seq == NR_SEALS + 1);
	memcpy(w->rec[1 + NR_SEALS], (uint8_t *)(uintptr_t)slot(6) + MH_SLOT_RECORD_OFFSET,
	       o.record_len);
	w->len[1 + NR_SEALS] = o.record_len;
	CHECK(post(7, MH_OP_COMMIT, NULL, 0, NULL, NULL, 0, &o) == MH_OK);
	CHECK(o.seq == NR_SEALS + 2);
	memcpy(w->rec[2 + NR_SEALS], (uint8_t *)(uintptr_t)slot(7) + MH_SLOT_RECORD_OFFSET,
	       o.record_len);
	w->len[2 + NR_SEALS] = o.record_len;
	w->nr = NR_SEALS + 3;
	CHECK(post(8, MH_OP_SEAL, gpa, n, NULL, NULL, 0, &o) == MH_ERR_STATE);
	__atomic_store_n(&w->records_ready, 1, __ATOMIC_RELEASE);
	exit(0);
}

static void run_target(struct wire *w)
{
	struct mh_state *st = vm_create(MH_ROLE_TARGET, 1, true);
	struct mh_slot o;
	uint8_t tampered[MH_RECORD_MAX];

	(void)st;
	wait_ready(1, MH_HANDLER_READY);
	CHECK(mailbox()->role == MH_ROLE_TARGET && mailbox()->error == 0);
	memcpy(w->target_nonce, (const void *)mailbox()->target_nonce, 16);
	CHECK(memcmp(w->target_nonce, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) != 0);
	__atomic_store_n(&w->nonce_ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&w->records_ready, __ATOMIC_ACQUIRE))
		usleep(100);
	CHECK(post(0, MH_OP_SEAL, NULL, 0, NULL, NULL, 0, &o) == MH_ERR_ROLE);
	CHECK(post(1, MH_OP_OPEN, NULL, 0, NULL, w->rec[0], w->len[0], &o) == MH_OK);
	/* A flipped ciphertext byte: refused, nothing applied. */
	memcpy(tampered, w->rec[1], w->len[1]);
	tampered[w->len[1] - 100] ^= 1;
	CHECK(post(2, MH_OP_OPEN, NULL, 0, NULL, tampered, w->len[1], &o) == MH_ERR_AUTH);
	for (uint32_t k = 1; k < w->nr - 1; k++)
		CHECK(post(k % MH_MAX_SLOTS, MH_OP_OPEN, NULL, 0, NULL, w->rec[k], w->len[k], &o) ==
		      MH_OK);
	CHECK(post(3, MH_OP_OPEN, NULL, 0, NULL, w->rec[1], w->len[1], &o) == MH_ERR_REPLAY);
	CHECK(post(4, MH_OP_OPEN, NULL, 0, NULL, w->rec[1], SLOT_CAP + 1, &o) == MH_ERR_REQUEST);
	/* The VMSAs are kept until the commit: the VMSA pages are untouched. */
	for (uint32_t v = 0; v < OS_VCPUS; v++)
		CHECK(ram(VMSA_GPA + v * MH_PAGE_SIZE)[100] == 0xa5);
	CHECK(post(5, MH_OP_OPEN, NULL, 0, NULL, w->rec[w->nr - 1], w->len[w->nr - 1], &o) ==
	      MH_OK);
	for (uint32_t v = 0; v < OS_VCPUS; v++)
		for (uint32_t i = 0; i < MH_PAGE_SIZE; i++)
			CHECK(ram(VMSA_GPA + v * MH_PAGE_SIZE)[i] == 0x60 + v);
	/* The guest is this VM's now: its next migration starts here. */
	CHECK(mailbox()->role == MH_ROLE_SOURCE);
	CHECK(post(6, MH_OP_OPEN, NULL, 0, NULL, w->rec[0], w->len[0], &o) == MH_ERR_ROLE);
	CHECK(post(7, MH_OP_BEGIN, NULL, 0, w->target_nonce, NULL, 0, &o) == MH_OK);
	/* The target's RAM now holds the source's pages. */
	for (uint32_t k = 0; k < NR_SEALS; k++) {
		uint64_t gpa[MH_BATCH_PAGES];
		uint8_t want[MH_PAGE_SIZE];
		uint32_t n;

		batch(k, gpa, &n);
		for (uint32_t i = 0; i < n; i++) {
			fill_page(want, gpa[i]);
			CHECK(memcmp(ram(gpa[i]), want, MH_PAGE_SIZE) == 0);
		}
	}
	CHECK(ram(0x100000 + NR_SEALS * MH_BATCH_PAGES * MH_PAGE_SIZE)[0] == 0xa5);
	exit(0);
}

static void run_no_key(void)
{
	vm_create(MH_ROLE_SOURCE, 2, false);
	wait_ready(2, MH_HANDLER_FAILED);
	CHECK(mailbox()->error == MH_ERR_NO_KEY);
	for (uint32_t h = 0; h < 2; h++)
		CHECK(__atomic_load_n(&doorbells[h], __ATOMIC_ACQUIRE) == 0);
	exit(0);
}

static int child(void (*fn)(struct wire *), struct wire *w)
{
	pid_t p;

	fflush(stdout);
	p = fork();

	CHECK(p >= 0);
	if (p == 0) {
		alarm(60);
		fn(w);
	}
	return p;
}

static void no_key(struct wire *w)
{
	(void)w;
	run_no_key();
}

int main(void)
{
	struct wire *w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status;
	pid_t t, s, k;

	CHECK(w != MAP_FAILED);
	k = child(no_key, w);
	CHECK(waitpid(k, &status, 0) == k && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("ok: no key: FAILED / MH_ERR_NO_KEY, no doorbell\n");
	t = child(run_target, w);
	s = child(run_source, w);
	CHECK(waitpid(s, &status, 0) == s && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("ok: source: BEGIN, %d SEALs, a VMSA record, COMMIT and their refusals\n", NR_SEALS);
	CHECK(waitpid(t, &status, 0) == t && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("ok: target: every record opened, pages and VMSAs (after the commit) equal, refusals\n");
	return 0;
}
