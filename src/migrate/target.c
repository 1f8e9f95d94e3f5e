// SPDX-License-Identifier: MIT
/*
 * The target side of a migration (migrate.h, docs/protocol.md).
 * Everything the source sends is checked before it touches the VM: GPAs
 * page-aligned and inside guest memory, counts and lengths as declared,
 * each part of the state once and of the right size; under SEV-ES each
 * record goes to the target's Migration Handler, which refuses what does
 * not authenticate. The migrated vCPUs run only after the acknowledgement:
 * plain, the caller starts them; SEV-ES, they resume from their VMSAs.
 */
#include "mh_link.h"
#include "migrate.h"
#include "pages.h"
#include "sev/platform.h"
#include "state.h"
#include "vm.h"
#include "wire.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STOP_POLL_MS 500

static bool in_guest(const struct guest_mem *m, uint64_t gpa)
{
	for (unsigned int i = 0; i < m->nr_ram; i++)
		if (gpa >= m->ram[i].gpa && gpa - m->ram[i].gpa < m->ram[i].size)
			return true;
	return m->fw.size && gpa >= m->fw.gpa && gpa - m->fw.gpa < m->fw.size;
}

static int refuse(struct xport *x, int ret, const char *why)
{
	cbor_item_t *m = wire_new("error", 1);

	/* Tell the source why, if it still listens; the error is ours anyway. */
	if (m && !wire_put_text(m, "why", why))
		(void)wire_send(x, m, NULL, 0);
	else if (m)
		cbor_decref(&m);
	return ret;
}

static int check_hello(struct vm *vm, const struct wire_msg *m, char *err, size_t errlen)
{
	uint64_t version, ram, fw, vcpus, handlers;
	char mode[16];
	int ret;

	if (strcmp(m->type, "hello")) {
		snprintf(err, errlen, "the stream begins with '%s', not 'hello'", m->type);
		return -EPROTO;
	}
	if ((ret = wire_get_u(m, "version", UINT32_MAX, &version, err, errlen)) ||
	    (ret = wire_get_text(m, "mode", mode, sizeof(mode), err, errlen)) ||
	    (ret = wire_get_u(m, "ram", UINT64_MAX, &ram, err, errlen)) ||
	    (ret = wire_get_u(m, "firmware", UINT64_MAX, &fw, err, errlen)) ||
	    (ret = wire_get_u(m, "vcpus", UINT32_MAX, &vcpus, err, errlen)) ||
	    (ret = wire_get_u(m, "handler-vcpus", UINT32_MAX, &handlers, err, errlen)))
		return ret;
	if (version != WIRE_VERSION)
		snprintf(err, errlen, "protocol version %llu (this sevm speaks %d)",
			 (unsigned long long)version, WIRE_VERSION);
	else if (strcmp(mode, vm->sev ? "sev-es" : "plain"))
		snprintf(err, errlen, "mode '%s' (this target is %s)", mode,
			 vm->sev ? "sev-es" : "plain");
	else if (ram != vm->mem.size)
		snprintf(err, errlen, "the source has %llu bytes of RAM, this target %llu",
			 (unsigned long long)ram, (unsigned long long)vm->mem.size);
	else if (fw != vm->mem.fw.size)
		snprintf(err, errlen, "firmware region of %llu bytes, this target's %llu",
			 (unsigned long long)fw, (unsigned long long)vm->mem.fw.size);
	else if (vcpus != vm->nr_os_vcpus || handlers != vm->nr_vcpus - vm->nr_os_vcpus)
		snprintf(err, errlen, "%llu + %llu vCPUs, this target has %u + %u",
			 (unsigned long long)vcpus, (unsigned long long)handlers, vm->nr_os_vcpus,
			 vm->nr_vcpus - vm->nr_os_vcpus);
	else
		return 0;
	return -EPROTO;
}

/* One "pages" message: check it all, then receive the data in place. */
static int recv_pages(struct xport *x, struct vm *vm, const struct wire_msg *m,
		      struct mem_extent *ext, char *err, size_t errlen)
{
	const uint8_t *gl, *zm;
	size_t glen, zlen;
	struct iovec iov[MIG_BATCH_PAGES];
	uint8_t *dst[MIG_BATCH_PAGES];
	unsigned int n, nv = 0;
	int ret;

	if ((ret = wire_get_bytes(m, "gpas", &gl, &glen, err, errlen)) ||
	    (ret = wire_get_bytes(m, "zero", &zm, &zlen, err, errlen)))
		return ret;
	if (!glen || glen % 8 || glen / 8 > MIG_BATCH_PAGES || zlen != MIG_ZERO_BYTES) {
		snprintf(err, errlen, "'pages': %zu bytes of GPAs, %zu of zero bits", glen, zlen);
		return -EPROTO;
	}
	n = (unsigned int)(glen / 8);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t gpa = get_le64(gl + 8 * i);

		if (gpa % MEM_PAGE_SIZE || !in_guest(&vm->mem, gpa)) {
			snprintf(err, errlen, "'pages': GPA 0x%llx is not a page of guest memory",
				 (unsigned long long)gpa);
			return -EPROTO;
		}
		dst[i] = mem_gpa_to_hva(&vm->mem, gpa, MEM_PAGE_SIZE);
		if (!(zm[i / 8] >> (i % 8) & 1))
			iov[nv++] = (struct iovec){dst[i], MEM_PAGE_SIZE};
	}
	for (unsigned int i = n; i < MIG_BATCH_PAGES; i++)
		if (zm[i / 8] >> (i % 8) & 1) {
			snprintf(err, errlen, "'pages': a zero bit for page %u of %u", i, n);
			return -EPROTO;
		}
	if (m->payload != (uint64_t)nv * MEM_PAGE_SIZE) {
		snprintf(err, errlen, "'pages': %llu bytes of data for %u pages",
			 (unsigned long long)m->payload, nv);
		return -EPROTO;
	}
	/* A zero page where nothing was ever written is zero already: leave
	 * it a hole (no memory, no time), as most of an idle guest is. */
	for (unsigned int i = 0; i < n; i++)
		if (zm[i / 8] >> (i % 8) & 1 &&
		    !mem_page_is_hole(&vm->mem, get_le64(gl + 8 * i), ext))
			memset(dst[i], 0, MEM_PAGE_SIZE);
	if (nv)
		*ext = (struct mem_extent){0}; /* data fills holes: forget them */
	return xport_recvv(x, iov, (int)nv);   /* in place: straight into guest memory */
}

static const char *net_error(int ret)
{
	static _Thread_local char text[120];

	return wire_error_text(ret, "the source", text, sizeof(text));
}

/* ---- SEV-ES: records through the Migration Handler ---- */

#define MH_CALL_TIMEOUT_MS 10000

struct sev_target {
	struct mh_host mh;
	bool committed; /* the MH verified the COMMIT */
	bool paused;	/* the OS vCPUs, parked in the firmware, are stopped */
	/* OPENs in flight, oldest first (slot, record type). Records of one
	 * round name each page once, so their order does not matter; the
	 * source marks each round's end ("round"), and the target drains
	 * there, and before a VMSA or COMMIT record, so that a page's older
	 * record is never opened after its newer one. */
	struct {
		int slot;
		unsigned int type;
	} fly[MH_MAX_SLOTS];
	unsigned int fly_head, fly_n;
};

/* The oldest OPEN in flight: its verdict. */
static int open_complete(struct sev_target *t, char *err, size_t errlen)
{
	unsigned int k = t->fly_head;
	struct mh_result r;
	int ret = mh_host_wait(&t->mh, t->fly[k].slot, MH_CALL_TIMEOUT_MS, &r);

	t->fly_head = (t->fly_head + 1) % MH_MAX_SLOTS;
	t->fly_n--;
	if (ret) {
		snprintf(err, errlen, "the target's Migration Handler %s",
			 ret == -ETIMEDOUT ? "did not answer" : "answered malformed");
		return ret;
	}
	mh_host_release(&t->mh, t->fly[k].slot);
	if (r.status != MH_OK) {
		snprintf(err, errlen,
			 "the target's Migration Handler refused a record: %s (page %u)",
			 mh_error_text(r.status), r.detail);
		return -EPROTO;
	}
	if (t->fly[k].type == MH_REC_COMMIT)
		t->committed = true;
	return 0;
}

static int open_drain(struct sev_target *t, char *err, size_t errlen)
{
	int ret = 0;

	while (!ret && t->fly_n)
		ret = open_complete(t, err, errlen);
	return ret;
}

static int pause_os_vcpus(struct vm *vm, struct sev_target *t, char *err, size_t errlen);

/* A record from the stream into the target's MH (in flight; see above),
 * received straight into a free slot: no copy on the host. */
static int recv_record(struct xport *x, struct vm *vm, struct sev_target *t,
		       const struct wire_msg *m, char *err, size_t errlen)
{
	struct mh_request req = {.op = MH_OP_OPEN, .record_len = m->payload};
	unsigned int type;
	uint8_t *rec;
	int slot, ret;

	if (!m->payload || m->payload > MH_SLOT_SIZE - MH_SLOT_RECORD_OFFSET) {
		snprintf(err, errlen, "'record' of %llu bytes", (unsigned long long)m->payload);
		return -EPROTO;
	}
	while (!(rec = mh_host_reserve(&t->mh, &slot))) {
		if (!t->fly_n) {
			snprintf(err, errlen, "no free Migration Handler slot");
			return -EBUSY;
		}
		if ((ret = open_complete(t, err, errlen)))
			return ret;
	}
	if ((ret = xport_recv(x, rec, m->payload)))
		return ret;
	req.record = rec;
	/* The header is in the clear (additional data): the record's type. */
	type = req.record_len >= 8 ? (unsigned int)(rec[6] | rec[7] << 8) : 0;
	if (type != MH_REC_PAGES && (ret = open_drain(t, err, errlen)))
		return ret;
	/* VMSAs are written (after the commit) only into stopped vCPUs. */
	if ((type == MH_REC_VMSA || type == MH_REC_COMMIT) &&
	    (ret = pause_os_vcpus(vm, t, err, errlen)))
		return ret;
	/* Draining freed other slots only: this one is still free. */
	if ((slot = mh_host_post_in(&t->mh, slot, &req)) < 0) {
		snprintf(err, errlen, "posting to the Migration Handler: %s", strerror(-slot));
		return slot;
	}
	unsigned int k = (t->fly_head + t->fly_n) % MH_MAX_SLOTS;
	t->fly[k].slot = slot;
	t->fly[k].type = type;
	t->fly_n++;
	/* BEGIN, VMSA and COMMIT are answered before anything else goes on. */
	return type != MH_REC_PAGES ? open_drain(t, err, errlen) : 0;
}

/* The OS vCPUs, parked in the firmware, stop before any state lands. */
static int pause_os_vcpus(struct vm *vm, struct sev_target *t, char *err, size_t errlen)
{
	for (unsigned int i = 0; !t->paused && i < vm->nr_os_vcpus; i++) {
		int ret = vcpu_pause(&vm->vcpus[i]);

		if (ret) {
			snprintf(err, errlen, "pausing vCPU %u: %s", i, strerror(-ret));
			return ret;
		}
	}
	t->paused = true;
	return 0;
}

/* After the verified commit: each vCPU from the VMSA the MH wrote. */
static int release_vcpus(struct vm *vm, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < vm->nr_os_vcpus; i++) {
		unsigned int fw_error = 0;
		int ret = vm->sev->ops->resume_vcpu_from_vmsa(vm->sev, i, &fw_error);

		if (ret) {
			snprintf(err, errlen, "resuming vCPU %u from its VMSA: %s (status %#x)", i,
				 strerror(-ret), fw_error);
			return ret;
		}
	}
	return 0;
}

/* Accept the source, checking stop_fd twice a second. */
static int wait_source(struct xport *x, int lfd, int stop_fd, char *err, size_t errlen)
{
	for (;;) {
		struct pollfd p = {.fd = stop_fd, .events = POLLIN};
		int ret = xport_accept(x, lfd, STOP_POLL_MS, err, errlen);

		if (ret != -ETIMEDOUT)
			return ret;
		if (stop_fd >= 0 && poll(&p, 1, 0) > 0) {
			snprintf(err, errlen, "stopped while waiting for the source");
			return -EINTR;
		}
	}
}

int migrate_target(struct vm *vm, const char *listen_at, int timeout_ms, int stop_fd, char *err,
		   size_t errlen)
{
	struct xport x = {.fd = -1, .timeout_ms = timeout_ms};
	struct state_seen *seen = calloc(1, sizeof(*seen));
	struct sev_target t = {0};
	struct wire_msg m = {0};
	struct mem_extent ext = {0};
	unsigned int nr_migrating = vm->sev ? vm->nr_os_vcpus : vm->nr_vcpus;
	uint8_t nonce[16] = {0};
	bool mh_running = false;
	char why[240];
	int lfd, ret;

	err[0] = 0;
	if (!seen) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	seen->nr_migrating = nr_migrating;
	if (vm->sev) {
		/* The firmware runs in target mode: its MH must be up first. */
		if (!vm->sev->ops->resume_vcpu_from_vmsa) {
			snprintf(err, errlen, "the SEV platform cannot resume vCPUs from VMSAs");
			ret = -ENOTSUP;
			goto out;
		}
		ret = mh_link_attach(&t.mh, vm, MH_CALL_TIMEOUT_MS, err, errlen);
		if (!ret && t.mh.role != MH_ROLE_TARGET) {
			snprintf(err, errlen, "the Migration Handler is not a target's");
			ret = -EPROTO;
		}
		if (ret)
			goto out;
		memcpy(nonce, (const void *)t.mh.mb->target_nonce, sizeof(nonce));
	}
	if ((ret = xport_listen(listen_at, &lfd, err, errlen)))
		goto out;
	fprintf(stderr, "sevm: waiting for a migration on %s\n", listen_at);
	ret = wait_source(&x, lfd, stop_fd, err, errlen);
	close(lfd);
	if (ret)
		goto out;
	/* The handlers poll their slots, a core each: only while a source
	 * streams (the firmware set them up and they stopped at its doorbell). */
	if (vm->sev && (ret = vm_mh_run(vm, true))) {
		snprintf(err, errlen, "running the Migration Handler: %s", strerror(-ret));
		goto out;
	}
	mh_running = vm->sev != NULL;
	why[0] = 0;
	if ((ret = wire_recv(&x, &m, why, sizeof(why))) ||
	    (ret = check_hello(vm, &m, why, sizeof(why)))) {
		if (!why[0])
			snprintf(why, sizeof(why), "%s", net_error(ret));
		snprintf(err, errlen, "migration refused: %s", why);
		refuse(&x, ret, why);
		goto out;
	}
	wire_msg_free(&m);
	cbor_item_t *w = wire_new("welcome", 2);
	ret = w && !wire_put_u(w, "version", WIRE_VERSION) &&
		      (!vm->sev || !wire_put_bytes(w, "nonce", nonce, sizeof(nonce)))
		  ? wire_send(&x, w, NULL, 0)
		  : -ENOMEM;
	if (ret) {
		snprintf(err, errlen, "migration failed: %s", net_error(ret));
		goto out;
	}
	for (;;) {
		why[0] = 0;
		if ((ret = wire_recv(&x, &m, why, sizeof(why))))
			break;
		if (!strcmp(m.type, "pages") && !vm->sev) {
			ret = recv_pages(&x, vm, &m, &ext, why, sizeof(why));
		} else if (!strcmp(m.type, "record") && vm->sev) {
			ret = t.committed ? -EPROTO : recv_record(&x, vm, &t, &m, why, sizeof(why));
			if (ret == -EPROTO && !why[0])
				snprintf(why, sizeof(why), "a record after the commit");
		} else if (!strcmp(m.type, "round")) {
			ret = vm->sev ? open_drain(&t, why, sizeof(why)) : 0;
		} else if (!strcmp(m.type, "done")) {
			ret = vm->sev ? open_drain(&t, why, sizeof(why)) : 0;
			if (ret)
				break;
			ret = state_complete(seen, nr_migrating, why, sizeof(why)) ? 0 : -EPROTO;
			if (!ret && vm->sev && !t.committed) {
				snprintf(why, sizeof(why),
					 "the stream ended without a verified commit");
				ret = -EPROTO;
			}
			ret = ret ?: (vm->sev ? release_vcpus(vm, why, sizeof(why)) : 0);
			if (!ret) {
				cbor_item_t *a = wire_new("ack", 0);

				ret = a ? wire_send(&x, a, NULL, 0) : -ENOMEM;
				if (ret)
					snprintf(why, sizeof(why), "acknowledging: %s",
						 net_error(ret));
			}
			/* Only now, acknowledged, may the guest run here. */
			for (unsigned int i = 0; !ret && vm->sev && i < vm->nr_os_vcpus; i++)
				ret = vcpu_resume(&vm->vcpus[i]);
			wire_msg_free(&m);
			break;
		} else if (!strcmp(m.type, "error")) {
			char reason[160] = "no reason given";

			(void)wire_get_text(&m, "why", reason, sizeof(reason), why, sizeof(why));
			snprintf(why, sizeof(why), "the source gave up: %s", reason);
			ret = -ECANCELED;
		} else if (vm->sev && !t.paused &&
			   (ret = pause_os_vcpus(vm, &t, why, sizeof(why)))) {
			/* (the state below lands in stopped vCPUs) */
		} else if ((ret = state_load(vm, &m, seen, why, sizeof(why))) == 0) {
			snprintf(why, sizeof(why), "unexpected message '%s'", m.type);
			ret = -EPROTO;
		} else if (ret > 0) {
			ret = 0;
		}
		if (!ret && m.payload && strcmp(m.type, "pages") && strcmp(m.type, "record")) {
			snprintf(why, sizeof(why), "'%s' with a payload", m.type);
			ret = -EPROTO;
		}
		wire_msg_free(&m);
		if (ret)
			break;
	}
	if (ret) {
		if (!why[0])
			snprintf(why, sizeof(why), "%s", net_error(ret));
		snprintf(err, errlen, "migration failed: %s", why);
		refuse(&x, ret, why);
	}
out:
	/* Done either way: the handlers stop until a migration from here
	 * (migrate_source) runs them again. */
	if (mh_running && vm_mh_run(vm, false) && !vm_ending(vm))
		fprintf(stderr, "sevm: could not stop the Migration Handler's vCPUs\n");
	wire_msg_free(&m);
	xport_close(&x);
	free(seen);
	return ret;
}
