// SPDX-License-Identifier: MIT
/*
 * The source side of a migration (migrate.h, docs/protocol.md): plain,
 * the host sends pages and vCPU state itself; SEV-ES, the Migration
 * Handler seals them into records the host only carries.
 */
#include "dirty.h"
#include "layout.h"
#include "mh_link.h"
#include "migrate.h"
#include "pages.h"
#include "sev/platform.h"
#include "snapshot.h"
#include "state.h"
#include "throttle.h"
#include "vm.h"
#include "wire.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct src {
	struct vm *vm;
	struct xport x;
	struct dirty_map dirty;
	struct throttle throttle;
	bool precopy;		 /* the guest runs: auto-converge watches it */
	bool round0;		 /* sending every page (send_all) */
	long long check_ms;	 /* auto-converge's last look at the dirty log */
	uint64_t pages_at_check; /* st.pages then */
	struct migrate_stats st;
	const struct migrate_opts *o;
	/* the batch being filled */
	uint64_t gpa[MIG_BATCH_PAGES];
	unsigned int n;
	/* Where guest memory has holes (never-written pages: zeros, not read).
	 * Reset every round: the guest may have written into one since. */
	struct mem_extent ext;
	char *err;
	size_t errlen;
	/* SEV-ES: pages go through the Migration Handler as records. */
	bool sev;
	struct mh_host mh;
	uint8_t target_nonce[16];
	uint8_t *private_map; /* pfns the MH refused as its own: never again */
	struct {
		int slot;
		unsigned int n;
		uint64_t gpa[MIG_BATCH_PAGES];
	} fly[MH_MAX_SLOTS]; /* SEALs in flight, oldest first */
	unsigned int fly_head, fly_n;
};

#define MH_CALL_TIMEOUT_MS 10000

static int sev_post(struct src *s, const uint64_t *gpa, unsigned int n);
static int sev_drain(struct src *s);

static int failed(struct src *s, int ret, const char *what)
{
	char text[120];

	if (!s->err[0])
		snprintf(s->err, s->errlen, "%s: %s", what,
			 wire_error_text(ret, "the target", text, sizeof(text)));
	return ret;
}

static bool sev_skip_pfn(const void *arg, uint64_t pfn);

/*
 * Every THROTTLE_CHECK_MS of pre-copy, within rounds too (the first round
 * of a big guest can last seconds), a look at KVM's dirty log. The pages
 * fetched join the next round; round 0 then leaves them out (add_page).
 * Auto-converge (throttle.h): when the guest newly dirtied at least half
 * as many pages as were sent meanwhile, the rounds would shrink too
 * slowly or not at all: take more of its CPU time.
 */
static int look_at_dirty_log(struct src *s)
{
	long long now = monotonic_ms();
	uint64_t added, sent;
	int ret;

	if (!s->precopy || now - s->check_ms < THROTTLE_CHECK_MS)
		return 0;
	/* Under SEV-ES the MH itself writes its slots and private memory
	 * with every record: that is not the guest dirtying. */
	if ((ret = dirty_log_fetch(&s->vm->mem, s->vm->vm_fd, &s->dirty, &added,
				   s->sev ? sev_skip_pfn : NULL, s)))
		return failed(s, ret, "KVM_GET_DIRTY_LOG");
	sent = s->st.pages - s->pages_at_check;
	s->check_ms = now;
	s->pages_at_check = s->st.pages;
	if (!s->o->auto_converge)
		return 0;
	/* Nothing sent (a stalled link or target): no measure of the guest,
	 * which a failing migration must not leave throttled meanwhile. */
	if (!sent || added * 2 < sent || s->st.throttle_pct >= THROTTLE_MAX_PCT)
		return 0;
	/* At least the next step; more if the guest would still dirty over
	 * half of what is sent at the rate just seen: running r = 1 - pct
	 * of the time, it dirties r * added, so r <= sent / (2 * added),
	 * and THROTTLE_MARGIN_PCT on top, since the rates move. */
	unsigned int need =
	    (unsigned int)(100 - 50 * sent / added) + THROTTLE_MARGIN_PCT; /* added >= sent / 2 */
	s->st.throttle_pct =
	    s->st.throttle_pct ? s->st.throttle_pct + THROTTLE_STEP_PCT : THROTTLE_INITIAL_PCT;
	if (need > s->st.throttle_pct)
		s->st.throttle_pct = need;
	if (s->st.throttle_pct > THROTTLE_MAX_PCT)
		s->st.throttle_pct = THROTTLE_MAX_PCT;
	ret = throttle_set(&s->throttle, s->st.throttle_pct);
	return ret ? failed(s, ret, "throttling the vCPUs") : 0;
}

/* Send the batch: GPAs, a zero bit per page, then the other pages' data
 * straight from guest memory. */
static int flush(struct src *s)
{
	uint8_t gl[8 * MIG_BATCH_PAGES], zm[MIG_ZERO_BYTES] = {0};
	struct iovec iov[MIG_BATCH_PAGES];
	int nv = 0;
	cbor_item_t *m;

	if (!s->n)
		return 0;
	if (s->sev) {
		int ret = sev_post(s, s->gpa, s->n);

		s->n = 0;
		return ret ?: look_at_dirty_log(s);
	}
	for (unsigned int i = 0; i < s->n; i++) {
		uint8_t *p = mem_gpa_to_hva(&s->vm->mem, s->gpa[i], MEM_PAGE_SIZE);

		put_le64(gl + 8 * i, s->gpa[i]);
		if (mem_page_is_hole(&s->vm->mem, s->gpa[i], &s->ext) || mig_page_is_zero(p)) {
			zm[i / 8] |= (uint8_t)(1u << (i % 8));
			s->st.zero_pages++;
		} else {
			iov[nv++] = (struct iovec){p, MEM_PAGE_SIZE};
		}
	}
	m = wire_new("pages", 3);
	if (!m || wire_put_bytes(m, "gpas", gl, 8 * (size_t)s->n) ||
	    wire_put_bytes(m, "zero", zm, MIG_ZERO_BYTES)) {
		if (m)
			cbor_decref(&m);
		return failed(s, -ENOMEM, "sending pages");
	}
	int ret = wire_send(&s->x, m, iov, nv);
	if (ret)
		return failed(s, ret, "sending pages");
	s->st.pages += s->n;
	s->n = 0;
	return look_at_dirty_log(s);
}

/* ---- SEV-ES: the Migration Handler seals, the stream carries records ---- */

static int send_record(struct src *s, const void *rec, uint32_t len)
{
	cbor_item_t *m = wire_new("record", 1);
	struct iovec iov = {(void *)rec, len}; /* straight from the shared slot */
	int ret = m ? wire_send(&s->x, m, &iov, 1) : -ENOMEM;

	return ret ? failed(s, ret, "sending a record") : 0;
}

/* One request to the MH and its record onto the stream. */
static int mh_record(struct src *s, const struct mh_request *req, const char *what)
{
	struct mh_result r;
	int slot, ret = mh_link_call(&s->mh, req, MH_CALL_TIMEOUT_MS, &r, &slot, s->err, s->errlen);

	if (ret)
		return ret;
	if (r.status != MH_OK) {
		snprintf(s->err, s->errlen, "the source's Migration Handler refused %s: %s", what,
			 mh_error_text(r.status));
		ret = -EPROTO;
	} else {
		ret = send_record(s, r.record, r.record_len);
	}
	mh_host_release(&s->mh, slot);
	return ret;
}

/* The oldest SEAL in flight: its record onto the stream; a page the MH
 * calls its own is noted and the rest of the batch sealed again. */
static int sev_complete(struct src *s)
{
	unsigned int k = s->fly_head;
	struct mh_result r;
	int ret = mh_host_wait(&s->mh, s->fly[k].slot, MH_CALL_TIMEOUT_MS, &r);

	s->fly_head = (s->fly_head + 1) % MH_MAX_SLOTS;
	s->fly_n--;
	if (ret) {
		snprintf(s->err, s->errlen, "the source's Migration Handler %s",
			 ret == -ETIMEDOUT ? "did not answer" : "answered malformed");
		return ret;
	}
	if (r.status == MH_ERR_GPA_PRIVATE && r.detail < s->fly[k].n) {
		uint64_t rest[MIG_BATCH_PAGES], pfn = s->fly[k].gpa[r.detail] / MEM_PAGE_SIZE;
		unsigned int m = 0;

		s->private_map[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
		for (unsigned int i = 0; i < s->fly[k].n; i++)
			if (i != r.detail)
				rest[m++] = s->fly[k].gpa[i];
		mh_host_release(&s->mh, s->fly[k].slot);
		return m ? sev_post(s, rest, m) : 0;
	}
	if (r.status != MH_OK) {
		snprintf(s->err, s->errlen, "the source's Migration Handler refused a page: %s",
			 mh_error_text(r.status));
		mh_host_release(&s->mh, s->fly[k].slot);
		return -EPROTO;
	}
	ret = send_record(s, r.record, r.record_len);
	mh_host_release(&s->mh, s->fly[k].slot);
	s->st.pages += s->fly[k].n;
	return ret;
}

/* SEAL n GPAs, with every slot kept busy: wait for the oldest when full. */
static int sev_post(struct src *s, const uint64_t *gpa, unsigned int n)
{
	struct mh_request req = {.op = MH_OP_SEAL, .nr_pages = n, .gpa = gpa};
	int ret = 0, slot;

	while (!ret && (s->fly_n == s->mh.nr_slots || (slot = mh_host_post(&s->mh, &req)) < 0)) {
		if (!s->fly_n) {
			snprintf(s->err, s->errlen, "no free Migration Handler slot");
			return -EBUSY;
		}
		ret = sev_complete(s);
	}
	if (ret)
		return ret;
	unsigned int k = (s->fly_head + s->fly_n) % MH_MAX_SLOTS;
	s->fly[k].slot = slot;
	s->fly[k].n = n;
	memcpy(s->fly[k].gpa, gpa, n * sizeof(uint64_t));
	s->fly_n++;
	return 0;
}

/* After a failure: every SEAL in flight answered (or given up on) and its
 * slot freed, its record dropped, so that a next attempt has every slot. */
static void sev_abandon(struct src *s)
{
	for (; s->fly_n; s->fly_n--, s->fly_head = (s->fly_head + 1) % MH_MAX_SLOTS) {
		struct mh_result r;

		if (!mh_host_wait(&s->mh, s->fly[s->fly_head].slot, MH_CALL_TIMEOUT_MS, &r))
			mh_host_release(&s->mh, s->fly[s->fly_head].slot);
	}
}

/* Every SEAL in flight answered and sent. */
static int sev_drain(struct src *s)
{
	int ret = 0;

	while (!ret && s->fly_n)
		ret = sev_complete(s);
	return ret;
}

/* "round": the end of a round's pages (the target drains its MH there). */
static int round_end(struct src *s)
{
	cbor_item_t *m = wire_new("round", 1);
	int ret =
	    m && !wire_put_u(m, "round", s->st.round) ? wire_send(&s->x, m, NULL, 0) : -ENOMEM;

	return ret ? failed(s, ret, "sending a round's end") : 0;
}

static bool sev_skip(const struct src *s, uint64_t gpa)
{
	const struct fw_sevm_info *info = &s->vm->cfg->firmware.info;
	uint64_t pfn = gpa / MEM_PAGE_SIZE;

	return (gpa >= info->shared_base && gpa - info->shared_base < info->shared_size) ||
	       (gpa >= LAYOUT_VGA_START && gpa < LAYOUT_BIOS_START) ||
	       s->private_map[pfn / 8] >> (pfn % 8) & 1;
}

static bool sev_skip_pfn(const void *arg, uint64_t pfn)
{
	return sev_skip(arg, pfn * MEM_PAGE_SIZE);
}

static int add_page(struct src *s, uint64_t gpa)
{
	/* A page never written since launch is a hole on the target too (a
	 * fresh VM), so it need not go through the MH at all: reading it
	 * there would only allocate it. The host sees which pages the guest
	 * ever touched anyway (it backs them); docs/protocol.md, "Holes". */
	if (s->sev && (sev_skip(s, gpa) || mem_page_is_hole(&s->vm->mem, gpa, &s->ext)))
		return 0;
	/* Round 0: a page the dirty log already holds goes in round 1 all
	 * the same, which sends every page in it: now it would go twice. */
	if (s->round0 && dirty_map_test(&s->dirty, gpa / MEM_PAGE_SIZE)) {
		s->st.deferred_pages++;
		return 0;
	}
	s->gpa[s->n++] = gpa;
	return s->n == MIG_BATCH_PAGES ? flush(s) : 0;
}

static int send_range(struct src *s, uint64_t gpa, uint64_t size)
{
	int ret = 0;

	for (uint64_t a = gpa; !ret && a < gpa + size; a += MEM_PAGE_SIZE)
		ret = add_page(s, a);
	return ret;
}

/* Every page of RAM and of the firmware's region. */
static int send_all(struct src *s)
{
	const struct guest_mem *m = &s->vm->mem;
	int ret = 0;

	s->round0 = true;
	for (unsigned int i = 0; !ret && i < m->nr_ram; i++)
		ret = send_range(s, m->ram[i].gpa, m->ram[i].size);
	s->round0 = false;
	/* The firmware's image is the target's own under SEV-ES (measured at
	 * its launch); its runtime data that migrates is in the VMSAs. */
	if (!ret && m->fw.size && !s->sev)
		ret = send_range(s, m->fw.gpa, m->fw.size);
	ret = ret ?: flush(s);
	ret = ret ?: (s->sev ? sev_drain(s) : 0);
	return ret ?: round_end(s);
}

/* The pages KVM logged since the last fetch; *count of them. With final,
 * also the firmware region and what sevm itself wrote, which KVM's log
 * does not see (the vCPUs are paused then). */
static int send_dirty(struct src *s, bool final, uint64_t *count)
{
	const struct guest_mem *m = &s->vm->mem;
	int ret = dirty_log_fetch(m, s->vm->vm_fd, &s->dirty, NULL, NULL, NULL);

	*count = 0;
	s->ext = (struct mem_extent){0};
	if (ret)
		return failed(s, ret, "KVM_GET_DIRTY_LOG");
	for (uint64_t w = 0; !ret && w < (s->dirty.nr_pfns + 63) / 64; w++) {
		uint64_t bits = s->dirty.bits[w];

		s->dirty.bits[w] = 0;
		while (bits && !ret) {
			uint64_t pfn = w * 64 + (uint64_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			(*count)++;
			ret = add_page(s, pfn * MEM_PAGE_SIZE);
		}
	}
	if (final && !s->sev) {
		for (unsigned int i = 0; !ret && i < m->nr_ram; i++)
			for (uint64_t a = m->ram[i].gpa; !ret && a < m->ram[i].gpa + m->ram[i].size;
			     a += MEM_PAGE_SIZE)
				if (mem_page_is_vmm_dirty(m, a))
					ret = add_page(s, a);
		if (!ret && m->fw.size)
			ret = send_range(s, m->fw.gpa, m->fw.size);
	}
	ret = ret ?: flush(s);
	ret = ret ?: (s->sev ? sev_drain(s) : 0);
	return ret ?: round_end(s);
}

static int handshake(struct src *s)
{
	const struct vm *vm = s->vm;
	cbor_item_t *m = wire_new("hello", 6);
	struct wire_msg r;
	char why[200];
	int ret;

	if (!m || wire_put_u(m, "version", WIRE_VERSION) ||
	    wire_put_text(m, "mode", s->sev ? "sev-es" : "plain") ||
	    wire_put_u(m, "ram", vm->mem.size) || wire_put_u(m, "firmware", vm->mem.fw.size) ||
	    wire_put_u(m, "vcpus", vm->nr_os_vcpus) ||
	    wire_put_u(m, "handler-vcpus", vm->nr_vcpus - vm->nr_os_vcpus)) {
		if (m)
			cbor_decref(&m);
		return failed(s, -ENOMEM, "hello");
	}
	if ((ret = wire_send(&s->x, m, NULL, 0)))
		return failed(s, ret, "hello");
	if ((ret = wire_recv(&s->x, &r, why, sizeof(why))))
		return ret == -EPROTO
			   ? (snprintf(s->err, s->errlen, "the target's answer: %s", why), ret)
			   : failed(s, ret, "waiting for the target's welcome");
	if (!strcmp(r.type, "error")) {
		char reason[160] = "no reason given";

		(void)wire_get_text(&r, "why", reason, sizeof(reason), why, sizeof(why));
		snprintf(s->err, s->errlen, "the target refused: %s", reason);
		wire_msg_free(&r);
		return -ECONNREFUSED;
	}
	ret = strcmp(r.type, "welcome") ? -EPROTO : 0;
	if (ret)
		snprintf(s->err, s->errlen, "the target answered '%s', not 'welcome'", r.type);
	else if (s->sev &&
		 (ret = wire_get_exact(&r, "nonce", s->target_nonce, 16, why, sizeof(why))))
		snprintf(s->err, s->errlen, "the target's welcome: %s", why);
	wire_msg_free(&r);
	return ret;
}

/* The target's last word: "ack", or an "error" with why. */
static int await_ack(struct src *s)
{
	struct wire_msg r;
	char why[200], reason[160] = "no reason given";
	int ret = wire_recv(&s->x, &r, why, sizeof(why));

	if (ret)
		return ret == -EPROTO
			   ? (snprintf(s->err, s->errlen, "the target's answer: %s", why), ret)
			   : failed(s, ret, "waiting for the target's acknowledgement");
	if (!strcmp(r.type, "ack")) {
		wire_msg_free(&r);
		return 0;
	}
	if (!strcmp(r.type, "error"))
		(void)wire_get_text(&r, "why", reason, sizeof(reason), why, sizeof(why));
	else
		snprintf(reason, sizeof(reason), "answered '%s', not 'ack'", r.type);
	snprintf(s->err, s->errlen, "the target refused the migration: %s", reason);
	wire_msg_free(&r);
	return -ECONNREFUSED;
}

/* Pause every running vCPU, all kicked at once, noting which (a paused
 * handler stays as it was). */
static int pause_all(struct vm *vm, unsigned int nr, bool *paused)
{
	int ret = 0;

	for (unsigned int i = 0; i < nr; i++)
		paused[i] = vcpu_request_pause(&vm->vcpus[i]) == 0;
	for (unsigned int i = 0; i < nr; i++) {
		int r = paused[i] ? vcpu_wait_paused(&vm->vcpus[i]) : 0;

		if (r && !ret)
			ret = r;
	}
	return ret;
}

static void resume(struct vm *vm, unsigned int nr, const bool *paused)
{
	for (unsigned int i = 0; paused && i < nr; i++) {
		int ret = paused[i] ? vcpu_resume(&vm->vcpus[i]) : 0;

		/* -EINVAL: the VM ended meanwhile and stopped it; nothing to resume. */
		if (ret && ret != -EINVAL)
			fprintf(stderr, "sevm: resuming vCPU %u after the failed migration: %s\n",
				i, strerror(-ret));
	}
}

static void note_round(struct src *s, long long t0, unsigned long long bytes0, uint64_t pages)
{
	long long ms = monotonic_ms() - t0;
	double sec = ms > 0 ? ms / 1000.0 : 0.001;

	s->st.bytes = s->x.sent;
	s->st.gib_s = (double)(s->x.sent - bytes0) / sec / (1u << 30);
	s->st.dirty_pages_s = (double)pages / sec;
}

int migrate_source(struct vm *vm, const struct migrate_opts *o, migrate_progress_fn progress,
		   void *arg, struct migrate_stats *stats, char *err, size_t errlen)
{
	struct src s = {.vm = vm, .o = o, .err = err, .errlen = errlen, .sev = vm->sev != NULL};
	long long t_start = monotonic_ms(), t0, t_pause;
	bool *paused = calloc(vm->nr_vcpus, sizeof(bool)), mh_running = false, logging = false;
	unsigned int nr_migrating = s.sev ? vm->nr_os_vcpus : vm->nr_vcpus;
	uint64_t count = 0;
	int ret;

	err[0] = 0;
	s.x.fd = -1;
	throttle_init(&s.throttle, vm, vm->nr_os_vcpus);
	s.st.total_pages = vm->mem.size / MEM_PAGE_SIZE;
	if (s.sev) {
		const char *why = NULL;

		if (!vm->sev->ops->save_vcpu_vmsa || !vm->sev->ops->resume_vcpu_from_vmsa)
			why = "the SEV platform cannot save vCPUs into their VMSAs";
		else if (vm->mem.nr_ram > 1)
			why = "the Migration Handler reaches RAM below 3 GiB only";
		else if (vm->nr_os_vcpus > MH_BATCH_PAGES)
			why = "more vCPUs than one VMSA record holds";
		if (why) {
			snprintf(err, errlen, "cannot migrate this SEV-ES VM: %s", why);
			ret = -ENOTSUP;
			goto out;
		}
		s.private_map = calloc(vm->mem.size / MEM_PAGE_SIZE / 8 + 1, 1);
	}
	if (!paused || (s.sev && !s.private_map)) {
		ret = failed(&s, -ENOMEM, "migration");
		goto out;
	}
	if ((ret = xport_connect(&s.x, o->to, o->timeout_ms, err, errlen)))
		goto out;
	if ((ret = dirty_map_init(&s.dirty, &vm->mem))) {
		failed(&s, ret, "dirty map");
		goto out;
	}
	ret = handshake(&s);
	if (!ret && s.sev) {
		/* The source's MH opens the epoch for this very target. */
		struct mh_request begin = {.op = MH_OP_BEGIN};

		memcpy(begin.target_nonce, s.target_nonce, 16);
		ret = mh_link_attach(&s.mh, vm, MH_CALL_TIMEOUT_MS, err, errlen);
		if (!ret && !(ret = vm_mh_run(vm, true)))
			mh_running = true;
		else if (!err[0])
			failed(&s, ret, "running the Migration Handler");
		ret = ret ?: mh_record(&s, &begin, "to begin");
	}
	if (!ret && (ret = dirty_log_start(&vm->mem, vm->vm_fd)))
		failed(&s, ret, "starting KVM's dirty log");
	if (ret)
		goto out;
	logging = true;

	/* Round 0: everything; then what the guest dirtied meanwhile, until
	 * that fits the downtime budget at the last round's rate. */
	t0 = s.check_ms = monotonic_ms();
	s.precopy = true;
	unsigned long long b0 = s.x.sent;
	ret = send_all(&s);
	note_round(&s, t0, b0, s.st.pages);
	while (!ret) {
		if (progress)
			progress(arg, &s.st, 0);
		s.st.round++;
		t0 = monotonic_ms(), b0 = s.x.sent;
		ret = send_dirty(&s, false, &count);
		if (ret)
			break;
		note_round(&s, t0, b0, count);
		s.st.remaining = count;
		double budget_pages =
		    s.st.gib_s * (1u << 30) / MEM_PAGE_SIZE * o->downtime_ms / 1000.0;
		if ((double)count <= budget_pages || s.st.round >= o->max_rounds)
			break;
	}
	/* The vCPUs run again before they are paused for good (or resumed). */
	s.precopy = false;
	throttle_stop(&s.throttle);
	if (ret)
		goto out;

	/* Convergence: the guest stops here. */
	if (vm_ending(vm)) {
		ret = -ECANCELED;
		snprintf(err, errlen, "the VM is ending");
		goto out;
	}
	t_pause = monotonic_ms();
	if ((ret = pause_all(vm, nr_migrating, paused))) {
		failed(&s, ret, "pausing the vCPUs");
		goto out;
	}
	s.st.round++;
	ret = send_dirty(&s, true, &count);
	if (!ret && s.sev) {
		/* The platform saves each paused vCPU into its VMSA page; the MH
		 * seals the pages (design brief §5, convergence). */
		struct mh_request req = {.op = MH_OP_SEAL_VMSA, .nr_pages = nr_migrating};
		uint64_t idx[MH_BATCH_PAGES];
		unsigned int fw_error = 0;

		for (unsigned int i = 0; !ret && i < nr_migrating; i++) {
			idx[i] = i;
			ret = vm->sev->ops->save_vcpu_vmsa(vm->sev, i, &fw_error);
			if (ret)
				snprintf(err, errlen,
					 "saving vCPU %u into its VMSA: %s (status %#x)", i,
					 strerror(-ret), fw_error);
		}
		req.gpa = idx;
		ret = ret ?: mh_record(&s, &req, "the VMSAs");
	}
	ret = ret
		  ?: state_send(&s.x, vm, s.sev ? SNAPSHOT_HOST_OWNED : SNAPSHOT_ALL, nr_migrating,
				err, errlen);
	if (!ret && s.sev) {
		struct mh_request commit = {.op = MH_OP_COMMIT};

		ret = mh_record(&s, &commit, "to commit");
		/* Sealed: the handlers' cores are the target's now (a failure
		 * after this needs a fresh BEGIN anyway). */
		if (!ret && !vm_mh_run(vm, false))
			mh_running = false;
	}
	if (!ret && vm_ending(vm)) { /* it stopped meanwhile: it must not go on there */
		ret = -ECANCELED;
		snprintf(err, errlen, "the VM ended during the migration");
	}
	if (!ret) {
		cbor_item_t *m = wire_new("done", 0);

		ret = m ? wire_send(&s.x, m, NULL, 0) : -ENOMEM;
		if (ret)
			failed(&s, ret, "sending the end of the stream");
	}
	ret = ret ?: await_ack(&s);
	s.st.downtime_ms = monotonic_ms() - t_pause;
out:
	throttle_stop(&s.throttle);
	if (ret) {
		if (s.sev)
			sev_abandon(&s);
		resume(vm, nr_migrating, paused); /* the guest goes on, as if nothing happened */
		if (mh_running && vm_mh_run(vm, false) && !vm_ending(vm))
			fprintf(stderr, "sevm: could not stop the Migration Handler's vCPUs\n");
		int r = logging ? dirty_log_stop(&vm->mem, vm->vm_fd) : 0;
		if (r)
			fprintf(stderr, "sevm: stopping KVM's dirty log: %s\n", strerror(-r));
	}
	s.st.bytes = s.x.sent;
	s.st.total_ms = monotonic_ms() - t_start;
	xport_close(&s.x);
	dirty_map_free(&s.dirty);
	free(paused);
	free(s.private_map);
	if (stats)
		*stats = s.st;
	if (progress)
		progress(arg, &s.st, ret ? -1 : 1);
	return ret;
}
