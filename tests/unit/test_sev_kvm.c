// SPDX-License-Identifier: MIT
/*
 * Unit tests for the kvm-sev backend (src/sev/kvm_sev.c) against a mocked
 * KVM_MEMORY_ENCRYPT_OP (mock_sev_ioctl.c): the command ids and their order
 * in a full launch, the structs and field values handed to KVM, the
 * two-step LAUNCH_MEASURE, the INIT2 / ES_INIT choice, and how firmware
 * statuses and plain errnos come back.
 *
 * Reference for ids and layouts: Linux
 * Documentation/virt/kvm/x86/amd-memory-encryption.rst and
 * include/uapi/linux/kvm.h; kvm_sev_init and KVM_SEV_INIT2 from v6.10's
 * arch/x86/include/uapi/asm/kvm.h.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sev/kvm_sev.h"
#include "sev/platform.h"
#include "sev/sev_ioctl.h"
#include "sev/status.h"

/* mock_sev_ioctl.c */
struct mock_sev_call {
	uint32_t id;
	int vm_fd, sev_fd;
	const void *data;
	size_t size;
	uint8_t copy[64];
};
extern struct mock_sev_call mock_sev_calls[];
extern unsigned int mock_sev_ncalls;
extern uint32_t mock_sev_handle, mock_sev_state, mock_sev_policy, mock_sev_measure_len;
extern uint8_t mock_sev_measure[48];
void mock_sev_reset(void);
void mock_sev_fail(uint32_t id, int err, uint32_t fw);

#define T_VM_FD 7
#define T_SEV_FD 9
#define T_POLICY (SEV_POLICY_NODBG | SEV_POLICY_ES)

struct fx {
	struct kvm_sev *k;
	struct sev_platform *p;
	struct sev_session_blob blob;
	struct sev_launch_start ls;
	uint8_t cert[2084];
	_Alignas(16) uint8_t data[2][4096];
	uint8_t vmsa[2][4096];
	struct sev_secret_header hdr;
	_Alignas(16) uint8_t packet[64];
	_Alignas(16) uint8_t target[64];
};

static struct fx *fx_new(bool have_init2)
{
	static struct fx f;
	unsigned int fw = 0xdead;

	memset(&f, 0, sizeof(f));
	mock_sev_reset();
	assert_int_equal(kvm_sev_new(T_VM_FD, T_SEV_FD, have_init2, &f.k), 0);
	f.p = kvm_sev_platform(f.k);
	assert_string_equal(f.p->ops->name, "kvm-sev");
	assert_int_equal(kvm_sev_init(f.k, &fw), 0);
	assert_int_equal(fw, 0);
	memset(f.cert, 0xce, sizeof(f.cert));
	assert_int_equal(kvm_sev_set_owner_cert(f.k, f.cert, sizeof(f.cert)), 0);
	memset(&f.blob, 0x5b, sizeof(f.blob));
	f.ls.policy = T_POLICY;
	f.ls.session = &f.blob;
	return &f;
}

static const void *call_data(unsigned int i, uint32_t id, size_t size)
{
	assert_true(i < mock_sev_ncalls);
	assert_int_equal(mock_sev_calls[i].id, id);
	assert_int_equal(mock_sev_calls[i].vm_fd, T_VM_FD);
	assert_int_equal(mock_sev_calls[i].sev_fd, T_SEV_FD);
	assert_int_equal(mock_sev_calls[i].size, size);
	return mock_sev_calls[i].copy;
}

static void test_command_ids(void **state)
{
	(void)state;
	assert_int_equal(KVM_SEV_INIT, 0);
	assert_int_equal(KVM_SEV_ES_INIT, 1);
	assert_int_equal(KVM_SEV_LAUNCH_START, 2);
	assert_int_equal(KVM_SEV_LAUNCH_UPDATE_DATA, 3);
	assert_int_equal(KVM_SEV_LAUNCH_UPDATE_VMSA, 4);
	assert_int_equal(KVM_SEV_LAUNCH_SECRET, 5);
	assert_int_equal(KVM_SEV_LAUNCH_MEASURE, 6);
	assert_int_equal(KVM_SEV_LAUNCH_FINISH, 7);
	assert_int_equal(KVM_SEV_GUEST_STATUS, 16);
	assert_int_equal(KVM_SEV_SEND_CANCEL, 21);
	assert_int_equal(KVM_SEV_INIT2, 22);
	assert_int_equal(KVM_X86_SEV_VM, 2);
	assert_int_equal(KVM_X86_SEV_ES_VM, 3);
}

/* Offsets of the kernel doc's / uapi header's definitions (natural alignment). */
static void test_struct_layouts(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct kvm_sev_cmd, id), 0);
	assert_int_equal(offsetof(struct kvm_sev_cmd, data), 8);
	assert_int_equal(offsetof(struct kvm_sev_cmd, error), 16);
	assert_int_equal(offsetof(struct kvm_sev_cmd, sev_fd), 20);
	assert_int_equal(sizeof(struct kvm_sev_cmd), 24);

	assert_int_equal(offsetof(struct kvm_sev_init, vmsa_features), 0);
	assert_int_equal(offsetof(struct kvm_sev_init, flags), 8);
	assert_int_equal(offsetof(struct kvm_sev_init, ghcb_version), 12);
	assert_int_equal(offsetof(struct kvm_sev_init, pad1), 14);
	assert_int_equal(offsetof(struct kvm_sev_init, pad2), 16);
	assert_int_equal(sizeof(struct kvm_sev_init), 48);

	assert_int_equal(offsetof(struct kvm_sev_launch_start, handle), 0);
	assert_int_equal(offsetof(struct kvm_sev_launch_start, policy), 4);
	assert_int_equal(offsetof(struct kvm_sev_launch_start, dh_uaddr), 8);
	assert_int_equal(offsetof(struct kvm_sev_launch_start, dh_len), 16);
	assert_int_equal(offsetof(struct kvm_sev_launch_start, session_uaddr), 24);
	assert_int_equal(offsetof(struct kvm_sev_launch_start, session_len), 32);
	assert_int_equal(sizeof(struct kvm_sev_launch_start), 40);

	assert_int_equal(offsetof(struct kvm_sev_launch_update_data, uaddr), 0);
	assert_int_equal(offsetof(struct kvm_sev_launch_update_data, len), 8);
	assert_int_equal(sizeof(struct kvm_sev_launch_update_data), 16);

	assert_int_equal(offsetof(struct kvm_sev_launch_measure, uaddr), 0);
	assert_int_equal(offsetof(struct kvm_sev_launch_measure, len), 8);
	assert_int_equal(sizeof(struct kvm_sev_launch_measure), 16);

	assert_int_equal(offsetof(struct kvm_sev_launch_secret, hdr_uaddr), 0);
	assert_int_equal(offsetof(struct kvm_sev_launch_secret, hdr_len), 8);
	assert_int_equal(offsetof(struct kvm_sev_launch_secret, guest_uaddr), 16);
	assert_int_equal(offsetof(struct kvm_sev_launch_secret, guest_len), 24);
	assert_int_equal(offsetof(struct kvm_sev_launch_secret, trans_uaddr), 32);
	assert_int_equal(offsetof(struct kvm_sev_launch_secret, trans_len), 40);
	assert_int_equal(sizeof(struct kvm_sev_launch_secret), 48);

	assert_int_equal(offsetof(struct kvm_sev_guest_status, handle), 0);
	assert_int_equal(offsetof(struct kvm_sev_guest_status, policy), 4);
	assert_int_equal(offsetof(struct kvm_sev_guest_status, state), 8);
	assert_int_equal(sizeof(struct kvm_sev_guest_status), 12);
}

/* The whole launch: ids in order and every field handed to KVM. */
static void test_full_launch(void **state)
{
	struct fx *f = fx_new(true);
	struct sev_launch_measure meas;
	struct sev_launch_secret sec;
	struct sev_guest_status st;
	unsigned int fw = 0xdead;
	const struct kvm_sev_init *init;
	const struct kvm_sev_launch_start *start;
	const struct kvm_sev_launch_update_data *upd;
	const struct kvm_sev_launch_measure *m;
	const struct kvm_sev_launch_secret *s;
	const struct kvm_sev_guest_status *gs;
	static const uint32_t order[] = {
	    KVM_SEV_INIT2,
	    KVM_SEV_LAUNCH_START,
	    KVM_SEV_LAUNCH_UPDATE_DATA,
	    KVM_SEV_LAUNCH_UPDATE_DATA,
	    KVM_SEV_LAUNCH_UPDATE_VMSA,
	    KVM_SEV_LAUNCH_MEASURE,
	    KVM_SEV_LAUNCH_MEASURE,
	    KVM_SEV_LAUNCH_SECRET,
	    KVM_SEV_LAUNCH_FINISH,
	    KVM_SEV_GUEST_STATUS,
	};

	(void)state;
	assert_int_equal(f->p->ops->launch_start(f->p, &f->ls, &fw), 0);
	assert_int_equal(fw, 0);
	assert_int_equal(kvm_sev_handle(f->k), mock_sev_handle);
	for (int i = 0; i < 2; i++) {
		fw = 0xdead;
		assert_int_equal(
		    f->p->ops->launch_update_data(f->p, f->data[i], 4096 - 16 * i, &fw), 0);
		assert_int_equal(fw, 0);
	}
	for (unsigned int i = 0; i < 2; i++) {
		fw = 0xdead;
		assert_int_equal(f->p->ops->launch_update_vmsa(f->p, i, f->vmsa[i], &fw), 0);
		assert_int_equal(fw, 0);
	}
	/* Recorded, not yet issued: only INIT2, START and two UPDATE_DATA so far. */
	assert_int_equal(mock_sev_ncalls, 4);

	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_measure(f->p, &meas, &fw), 0);
	assert_int_equal(fw, 0);
	assert_memory_equal(&meas, mock_sev_measure, sizeof(meas));

	sec = (struct sev_launch_secret){
	    .hdr = &f->hdr, .packet = f->packet, .packet_len = 48, .target = f->target};
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_secret(f->p, &sec, &fw), 0);
	assert_int_equal(fw, 0);
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_finish(f->p, &fw), 0);
	assert_int_equal(fw, 0);
	mock_sev_state = SEV_GUEST_STATE_RUNNING;
	fw = 0xdead;
	assert_int_equal(f->p->ops->guest_status(f->p, &st, &fw), 0);
	assert_int_equal(fw, 0);
	assert_int_equal(st.state, SEV_GUEST_STATE_RUNNING);
	assert_int_equal(st.policy, T_POLICY);

	assert_int_equal(mock_sev_ncalls, sizeof(order) / sizeof(order[0]));
	for (unsigned int i = 0; i < mock_sev_ncalls; i++)
		assert_int_equal(mock_sev_calls[i].id, order[i]);

	init = call_data(0, KVM_SEV_INIT2, sizeof(*init));
	assert_int_equal(init->vmsa_features, 0);
	assert_int_equal(init->flags, 0);
	assert_int_equal(init->ghcb_version, 0);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(init->pad2[i], 0);

	start = call_data(1, KVM_SEV_LAUNCH_START, sizeof(*start));
	assert_int_equal(start->handle, 0);
	assert_int_equal(start->policy, T_POLICY);
	assert_int_not_equal(start->dh_uaddr, (uintptr_t)f->cert); /* the backend's copy */
	assert_int_equal(start->dh_len, sizeof(f->cert));
	assert_memory_equal((const void *)(uintptr_t)start->dh_uaddr, f->cert, sizeof(f->cert));
	assert_int_equal(start->session_uaddr, (uintptr_t)&f->blob);
	assert_int_equal(start->session_len, 128);

	for (unsigned int i = 0; i < 2; i++) {
		upd = call_data(2 + i, KVM_SEV_LAUNCH_UPDATE_DATA, sizeof(*upd));
		assert_int_equal(upd->uaddr, (uintptr_t)f->data[i]);
		assert_int_equal(upd->len, 4096 - 16 * i);
	}

	call_data(4, KVM_SEV_LAUNCH_UPDATE_VMSA, 0);
	assert_null(mock_sev_calls[4].data);

	m = call_data(5, KVM_SEV_LAUNCH_MEASURE, sizeof(*m));
	assert_int_equal(m->len, 0); /* the size query */
	m = call_data(6, KVM_SEV_LAUNCH_MEASURE, sizeof(*m));
	assert_int_equal(m->len, 48);
	assert_int_equal(m->uaddr, (uintptr_t)&meas);

	s = call_data(7, KVM_SEV_LAUNCH_SECRET, sizeof(*s));
	assert_int_equal(s->hdr_uaddr, (uintptr_t)&f->hdr);
	assert_int_equal(s->hdr_len, 52);
	assert_int_equal(s->guest_uaddr, (uintptr_t)f->target);
	assert_int_equal(s->guest_len, 48);
	assert_int_equal(s->trans_uaddr, (uintptr_t)f->packet);
	assert_int_equal(s->trans_len, 48);

	call_data(8, KVM_SEV_LAUNCH_FINISH, 0);
	assert_null(mock_sev_calls[8].data);
	gs = call_data(9, KVM_SEV_GUEST_STATUS, sizeof(*gs));
	assert_int_equal(gs->handle, 0);
	kvm_sev_free(f->k);
}

static void test_es_init_fallback(void **state)
{
	struct fx *f = fx_new(false);

	(void)state;
	assert_int_equal(mock_sev_ncalls, 1);
	call_data(0, KVM_SEV_ES_INIT, 0);
	assert_null(mock_sev_calls[0].data);
	kvm_sev_free(f->k);
}

/* The firmware refuses a secret: -EIO, the status, and its name. */
static void test_secret_bad_measurement(void **state)
{
	struct fx *f = fx_new(true);
	struct sev_launch_secret sec = {
	    .hdr = &f->hdr, .packet = f->packet, .packet_len = 16, .target = f->target};
	unsigned int fw = 0;

	(void)state;
	mock_sev_fail(KVM_SEV_LAUNCH_SECRET, EIO, SEV_STATUS_BAD_MEASUREMENT);
	assert_int_equal(f->p->ops->launch_secret(f->p, &sec, &fw), -EIO);
	assert_int_equal(fw, SEV_STATUS_BAD_MEASUREMENT);
	assert_string_equal(sev_status_name(fw), "BAD_MEASUREMENT");
	kvm_sev_free(f->k);
}

/* An errno that never reached the firmware passes through, fw_error 0. */
static void test_errno_passthrough(void **state)
{
	struct fx *f = fx_new(true);
	unsigned int fw = 0xdead;

	(void)state;
	mock_sev_fail(KVM_SEV_LAUNCH_START, EBADF, 0);
	assert_int_equal(f->p->ops->launch_start(f->p, &f->ls, &fw), -EBADF);
	assert_int_equal(fw, 0);
	assert_int_equal(kvm_sev_handle(f->k), 0);
	fw = 0xdead;
	mock_sev_fail(KVM_SEV_LAUNCH_FINISH, EFAULT, 0);
	assert_int_equal(f->p->ops->launch_finish(f->p, &fw), -EFAULT);
	assert_int_equal(fw, 0);
	kvm_sev_free(f->k);
}

static void test_init_failure(void **state)
{
	struct kvm_sev *k;
	unsigned int fw = 0;

	(void)state;
	mock_sev_reset();
	assert_int_equal(kvm_sev_new(T_VM_FD, T_SEV_FD, true, &k), 0);
	mock_sev_fail(KVM_SEV_INIT2, EIO, SEV_STATUS_INVALID_PLATFORM_STATE);
	assert_int_equal(kvm_sev_init(k, &fw), -EIO);
	assert_int_equal(fw, SEV_STATUS_INVALID_PLATFORM_STATE);
	kvm_sev_free(k);
	assert_int_equal(kvm_sev_new(-1, T_SEV_FD, true, &k), -EINVAL);
}

/* The measure size query failing outright (len left 0) is reported as is. */
static void test_measure_query_fails(void **state)
{
	struct fx *f = fx_new(true);
	struct sev_launch_measure meas;
	unsigned int fw = 0;

	(void)state;
	mock_sev_fail(KVM_SEV_LAUNCH_MEASURE, EIO, SEV_STATUS_INVALID_GUEST_STATE);
	assert_int_equal(f->p->ops->launch_measure(f->p, &meas, &fw), -EIO);
	assert_int_equal(fw, SEV_STATUS_INVALID_GUEST_STATE);
	assert_int_equal(mock_sev_ncalls, 2); /* INIT2, the one query */

	mock_sev_measure_len = 64; /* not measure[32] | mnonce[16] */
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_measure(f->p, &meas, &fw), -EPROTO);
	assert_int_equal(fw, 0);
	assert_int_equal(mock_sev_ncalls, 3); /* never asked to write 64 bytes */
	kvm_sev_free(f->k);
}

/* The deferred LAUNCH_UPDATE_VMSA's refusal comes back from launch_measure. */
static void test_vmsa_failure_reported_by_measure(void **state)
{
	struct fx *f = fx_new(true);
	struct sev_launch_measure meas;
	unsigned int fw = 0;

	(void)state;
	assert_int_equal(f->p->ops->launch_update_vmsa(f->p, 0, f->vmsa[0], &fw), 0);
	mock_sev_fail(KVM_SEV_LAUNCH_UPDATE_VMSA, EIO, SEV_STATUS_INVALID_GUEST_STATE);
	assert_int_equal(f->p->ops->launch_measure(f->p, &meas, &fw), -EIO);
	assert_int_equal(fw, SEV_STATUS_INVALID_GUEST_STATE);
	assert_int_equal(mock_sev_ncalls, 2);
	assert_int_equal(mock_sev_calls[1].id, KVM_SEV_LAUNCH_UPDATE_VMSA);
	/* Not issued, so it is retried with the next measure. */
	assert_int_equal(f->p->ops->launch_measure(f->p, &meas, &fw), 0);
	assert_int_equal(mock_sev_calls[2].id, KVM_SEV_LAUNCH_UPDATE_VMSA);
	assert_int_equal(mock_sev_calls[3].id, KVM_SEV_LAUNCH_MEASURE);
	kvm_sev_free(f->k);
}

/* Refusals that never reach KVM: -EINVAL, fw_error 0, no ioctl. */
static void test_refusals(void **state)
{
	struct fx *f = fx_new(true);
	struct kvm_sev *bare;
	struct sev_launch_start no_session = {.policy = T_POLICY};
	unsigned int fw = 0xdead;

	(void)state;
	assert_int_equal(f->p->ops->launch_start(f->p, &no_session, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_update_data(f->p, f->data[0], 0, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_update_vmsa(f->p, 1, f->vmsa[1], &fw), -EINVAL);
	assert_int_equal(fw, 0);
	assert_int_equal(f->p->ops->launch_update_vmsa(f->p, 0, f->vmsa[0], &fw), 0);
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_update_data(f->p, f->data[0], 4096, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	assert_int_equal(mock_sev_ncalls, 1); /* INIT2 only */
	kvm_sev_free(f->k);

	mock_sev_reset();
	assert_int_equal(kvm_sev_new(T_VM_FD, T_SEV_FD, true, &bare), 0);
	assert_int_equal(
	    kvm_sev_platform(bare)->ops->launch_start(kvm_sev_platform(bare), &f->ls, &fw),
	    -EINVAL); /* no owner certificate */
	assert_int_equal(fw, 0);
	assert_int_equal(mock_sev_ncalls, 0);
	kvm_sev_free(bare);
}

/* init through the ops table: INIT2, only for the backend's own VM. */
static void test_init_op(void **state)
{
	struct sev_vm_binding b = {.vm_fd = T_VM_FD};
	struct kvm_sev *k;
	struct sev_platform *p;
	unsigned int fw = 0xdead;

	(void)state;
	mock_sev_reset();
	assert_int_equal(kvm_sev_new(T_VM_FD, T_SEV_FD, true, &k), 0);
	p = kvm_sev_platform(k);
	b.vm_fd = T_VM_FD + 1;
	assert_int_equal(p->ops->init(p, &b, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	assert_int_equal(mock_sev_ncalls, 0);
	b.vm_fd = T_VM_FD;
	assert_int_equal(p->ops->init(p, &b, &fw), 0);
	call_data(0, KVM_SEV_INIT2, sizeof(struct kvm_sev_init));
	kvm_sev_free(k);
}

/* DBG_DECRYPT (id 17): addresses and length as given; NODBG comes back named. */
static void test_debug_decrypt(void **state)
{
	struct fx *f = fx_new(true);
	uint8_t src[64], dst[64];
	const struct kvm_sev_dbg *d;
	unsigned int fw = 0xdead;

	(void)state;
	assert_int_equal(KVM_SEV_DBG_DECRYPT, 17);
	assert_int_equal(f->p->ops->debug_decrypt(f->p, src, dst, sizeof(src), &fw), 0);
	d = call_data(1, KVM_SEV_DBG_DECRYPT, sizeof(*d));
	assert_int_equal(d->src_uaddr, (uint64_t)(uintptr_t)src);
	assert_int_equal(d->dst_uaddr, (uint64_t)(uintptr_t)dst);
	assert_int_equal(d->len, sizeof(src));
	mock_sev_fail(KVM_SEV_DBG_DECRYPT, EIO, SEV_STATUS_POLICY_FAILURE);
	assert_int_equal(f->p->ops->debug_decrypt(f->p, src, dst, sizeof(src), &fw), -EIO);
	assert_int_equal(fw, SEV_STATUS_POLICY_FAILURE);
	/* Nothing to copy never reaches KVM. */
	assert_int_equal(f->p->ops->debug_decrypt(f->p, src, dst, 0, &fw), -EINVAL);
	assert_int_equal(mock_sev_ncalls, 3);
	/* No mainline interface for the migration operations. */
	assert_null(f->p->ops->save_vcpu_vmsa);
	assert_null(f->p->ops->resume_vcpu_from_vmsa);
	kvm_sev_free(f->k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_command_ids),
	    cmocka_unit_test(test_struct_layouts),
	    cmocka_unit_test(test_full_launch),
	    cmocka_unit_test(test_es_init_fallback),
	    cmocka_unit_test(test_secret_bad_measurement),
	    cmocka_unit_test(test_errno_passthrough),
	    cmocka_unit_test(test_init_failure),
	    cmocka_unit_test(test_measure_query_fails),
	    cmocka_unit_test(test_vmsa_failure_reported_by_measure),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_init_op),
	    cmocka_unit_test(test_debug_decrypt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
