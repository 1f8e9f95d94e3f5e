// SPDX-License-Identifier: MIT
/*
 * A stand-in for src/sev/sev_ioctl.c so the kvm-sev backend runs without
 * /dev/sev or an SEV-capable host. Every KVM_MEMORY_ENCRYPT_OP is recorded
 * (command id, fds, and a copy of the struct its data pointed to); answers
 * follow the kernel's where the backend depends on them:
 *  - LAUNCH_START writes a new handle;
 *  - LAUNCH_MEASURE with len 0 writes the blob size and fails as the
 *    firmware does (-EIO, INVALID_LENGTH); with room it writes the blob;
 *  - GUEST_STATUS writes handle, policy and state.
 * mock_sev_fail() makes the next command with a given id fail instead.
 * The interface is declared in test_sev_kvm.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sev/sev_ioctl.h"
#include "sev/status.h"

#define MOCK_SEV_MAX_CALLS 64
#define MOCK_SEV_DATA_MAX 64

struct mock_sev_call {
	uint32_t id;
	int vm_fd, sev_fd;
	const void *data; /* the pointer as passed */
	size_t size;	  /* bytes copied into copy (0: no data struct) */
	uint8_t copy[MOCK_SEV_DATA_MAX];
};

struct mock_sev_call mock_sev_calls[MOCK_SEV_MAX_CALLS];
unsigned int mock_sev_ncalls;
uint32_t mock_sev_handle = 0x5e5;
uint32_t mock_sev_state = 1; /* LUPDATE */
uint32_t mock_sev_policy;
uint32_t mock_sev_measure_len = 48;
uint8_t mock_sev_measure[48];

static struct {
	uint32_t id;
	int err;
	uint32_t fw;
	bool armed;
} fail;

void mock_sev_reset(void)
{
	memset(mock_sev_calls, 0, sizeof(mock_sev_calls));
	mock_sev_ncalls = 0;
	mock_sev_handle = 0x5e5;
	mock_sev_state = 1;
	mock_sev_policy = 0;
	mock_sev_measure_len = 48;
	for (unsigned int i = 0; i < sizeof(mock_sev_measure); i++)
		mock_sev_measure[i] = (uint8_t)(0xa0 + i);
	memset(&fail, 0, sizeof(fail));
}

/* The next command id fails with -err and firmware status fw (0: none). */
void mock_sev_fail(uint32_t id, int err, uint32_t fw)
{
	fail.id = id;
	fail.err = err;
	fail.fw = fw;
	fail.armed = true;
}

static size_t data_size(uint32_t id)
{
	switch (id) {
	case KVM_SEV_INIT2:
		return sizeof(struct kvm_sev_init);
	case KVM_SEV_LAUNCH_START:
		return sizeof(struct kvm_sev_launch_start);
	case KVM_SEV_LAUNCH_UPDATE_DATA:
		return sizeof(struct kvm_sev_launch_update_data);
	case KVM_SEV_LAUNCH_SECRET:
		return sizeof(struct kvm_sev_launch_secret);
	case KVM_SEV_LAUNCH_MEASURE:
		return sizeof(struct kvm_sev_launch_measure);
	case KVM_SEV_GUEST_STATUS:
		return sizeof(struct kvm_sev_guest_status);
	case KVM_SEV_DBG_DECRYPT:
		return sizeof(struct kvm_sev_dbg);
	default: /* ES_INIT, LAUNCH_UPDATE_VMSA, LAUNCH_FINISH take none */
		return 0;
	}
}

static int answer(uint32_t id, void *data, uint32_t *fw_error)
{
	switch (id) {
	case KVM_SEV_LAUNCH_START: {
		struct kvm_sev_launch_start *s = data;

		s->handle = mock_sev_handle;
		mock_sev_policy = s->policy;
		break;
	}
	case KVM_SEV_LAUNCH_MEASURE: {
		struct kvm_sev_launch_measure *m = data;

		if (m->len < mock_sev_measure_len) {
			m->len = mock_sev_measure_len;
			*fw_error = SEV_STATUS_INVALID_LENGTH;
			return -EIO;
		}
		memcpy((void *)(uintptr_t)m->uaddr, mock_sev_measure, sizeof(mock_sev_measure));
		m->len = mock_sev_measure_len;
		break;
	}
	case KVM_SEV_GUEST_STATUS: {
		struct kvm_sev_guest_status *g = data;

		g->handle = mock_sev_handle;
		g->policy = mock_sev_policy;
		g->state = mock_sev_state;
		break;
	}
	}
	return 0;
}

int sev_ioctl_encrypt_op(int vm_fd, uint32_t id, void *data, int sev_fd, uint32_t *fw_error)
{
	struct mock_sev_call *c = NULL;

	if (mock_sev_ncalls < MOCK_SEV_MAX_CALLS) {
		c = &mock_sev_calls[mock_sev_ncalls++];
		c->id = id;
		c->vm_fd = vm_fd;
		c->sev_fd = sev_fd;
		c->data = data;
		c->size = data ? data_size(id) : 0;
		if (c->size)
			memcpy(c->copy, data, c->size);
	}
	*fw_error = 0;
	if (fail.armed && fail.id == id) {
		fail.armed = false;
		*fw_error = fail.fw;
		return -fail.err;
	}
	return answer(id, data, fw_error);
}

int sev_ioctl_open_sev(const char *path, int *fd)
{
	(void)path;
	*fd = 99;
	return 0;
}
