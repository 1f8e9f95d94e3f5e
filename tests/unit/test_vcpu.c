// SPDX-License-Identifier: MIT
/* The vCPU state machine and the threaded pause/resume/stop protocol. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <time.h>

#include "mock_kvm.h"
#include "vcpu.h"
#include "vcpu_regs.h"

static unsigned long exits_seen;
static int end_after; /* on_exit returns non-zero once exits_seen reaches this */
static int run_error_seen;

static int on_exit(struct vcpu *v, void *opaque)
{
	(void)v;
	(void)opaque;
	unsigned long n = __atomic_add_fetch(&exits_seen, 1, __ATOMIC_SEQ_CST);

	return end_after && n >= (unsigned long)end_after;
}

static void on_run_error(struct vcpu *v, int err, void *opaque)
{
	(void)v;
	(void)opaque;
	run_error_seen = err;
}

static const struct vcpu_ops ops = {.on_exit = on_exit, .on_run_error = on_run_error};

/* Waits (yielding, bounded to 10 s) until *counter exceeds base. */
static bool wait_beyond(unsigned long *counter, unsigned long base)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) <= base) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 10)
			return false;
		sched_yield();
	}
	return true;
}

static int setup(void **state)
{
	static struct vcpu v;

	exits_seen = 0;
	end_after = 0;
	run_error_seen = 0;
	mock_kvm_guest_busy = true;
	mock_kvm_fail_with = 0;
	mock_kvm_runs = mock_kvm_immediate_runs = 0;
	assert_int_equal(vcpu_init_signals(), 0);
	assert_int_equal(vcpu_create(&v, -1, -1, 3, &ops, NULL), 0);
	*state = &v;
	return 0;
}

static int teardown(void **state)
{
	struct vcpu *v = *state;
	int fd = v->fd;

	vcpu_destroy(v);
	mock_kvm_release(fd);
	return 0;
}

static void test_transitions(void **state)
{
	static const struct {
		enum vcpu_state from;
		enum vcpu_event ev;
		int ok;
		enum vcpu_state to;
	} cases[] = {
	    {VCPU_CREATED, VCPU_EV_START, 1, VCPU_RUNNING},
	    {VCPU_CREATED, VCPU_EV_PAUSE, 0, 0},
	    {VCPU_CREATED, VCPU_EV_RESUME, 0, 0},
	    {VCPU_CREATED, VCPU_EV_STOP, 1, VCPU_STOPPED},
	    {VCPU_CREATED, VCPU_EV_EXITED, 0, 0},
	    {VCPU_RUNNING, VCPU_EV_START, 0, 0},
	    {VCPU_RUNNING, VCPU_EV_PAUSE, 1, VCPU_PAUSING},
	    {VCPU_RUNNING, VCPU_EV_PAUSED, 0, 0},
	    {VCPU_RUNNING, VCPU_EV_STOP, 1, VCPU_STOPPING},
	    {VCPU_RUNNING, VCPU_EV_EXITED, 1, VCPU_STOPPED},
	    {VCPU_PAUSING, VCPU_EV_PAUSE, 1, VCPU_PAUSING},
	    {VCPU_PAUSING, VCPU_EV_PAUSED, 1, VCPU_PAUSED},
	    {VCPU_PAUSING, VCPU_EV_RESUME, 1, VCPU_RUNNING},
	    {VCPU_PAUSING, VCPU_EV_STOP, 1, VCPU_STOPPING},
	    {VCPU_PAUSING, VCPU_EV_EXITED, 1, VCPU_STOPPED},
	    {VCPU_PAUSED, VCPU_EV_PAUSE, 1, VCPU_PAUSED},
	    {VCPU_PAUSED, VCPU_EV_PAUSED, 0, 0},
	    {VCPU_PAUSED, VCPU_EV_RESUME, 1, VCPU_RUNNING},
	    {VCPU_PAUSED, VCPU_EV_STOP, 1, VCPU_STOPPING},
	    {VCPU_STOPPING, VCPU_EV_PAUSE, 0, 0},
	    {VCPU_STOPPING, VCPU_EV_RESUME, 0, 0},
	    {VCPU_STOPPING, VCPU_EV_STOP, 1, VCPU_STOPPING},
	    {VCPU_STOPPING, VCPU_EV_EXITED, 1, VCPU_STOPPED},
	    {VCPU_STOPPED, VCPU_EV_START, 0, 0},
	    {VCPU_STOPPED, VCPU_EV_PAUSE, 0, 0},
	    {VCPU_STOPPED, VCPU_EV_STOP, 1, VCPU_STOPPED},
	    {VCPU_STOPPED, VCPU_EV_EXITED, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum vcpu_state next = VCPU_CREATED;
		int ret = vcpu_state_next(cases[i].from, cases[i].ev, &next);

		if (cases[i].ok) {
			assert_int_equal(ret, 0);
			assert_int_equal(next, cases[i].to);
		} else {
			assert_int_equal(ret, -EINVAL);
		}
	}
	assert_string_equal(vcpu_state_name(VCPU_PAUSING), "pausing");
	assert_string_equal(vcpu_state_name((enum vcpu_state)99), "invalid");
}

static void test_requests_before_start(void **state)
{
	struct vcpu *v = *state;

	assert_int_equal(vcpu_pause(v), -EINVAL);
	assert_int_equal(vcpu_resume(v), -EINVAL);
	assert_int_equal(vcpu_start(v), 0);
	assert_int_equal(vcpu_start(v), -EINVAL);
}

/* A guest doing I/O: the pause lands only after an immediate-exit KVM_RUN
 * completed the I/O exit it had begun. */
static void test_pause_busy_guest(void **state)
{
	struct vcpu *v = *state;
	unsigned long runs;

	assert_int_equal(vcpu_start(v), 0);
	assert_true(wait_beyond(&exits_seen, 100));
	assert_int_equal(vcpu_pause(v), 0);
	assert_int_equal(vcpu_get_state(v), VCPU_PAUSED);
	assert_false(v->io_pending);
	assert_true(mock_kvm_immediate_runs >= 1);
	runs = mock_kvm_runs;
	/* Pausing a paused vCPU returns at once and runs nothing. */
	assert_int_equal(vcpu_pause(v), 0);
	assert_int_equal(mock_kvm_runs, runs);
	assert_int_equal(vcpu_resume(v), 0);
	assert_true(wait_beyond(&exits_seen, exits_seen + 100));
	assert_int_equal(vcpu_get_state(v), VCPU_RUNNING);
	/* Pause and resume many times: no request is ever lost. */
	for (int i = 0; i < 200; i++) {
		assert_int_equal(vcpu_pause(v), 0);
		assert_int_equal(vcpu_resume(v), 0);
	}
	vcpu_stop(v);
	assert_int_equal(vcpu_get_state(v), VCPU_STOPPED);
}

/* A halted guest sits inside KVM_RUN: only the signal gets it out. */
static void test_pause_halted_guest(void **state)
{
	struct vcpu *v = *state;

	mock_kvm_guest_busy = false;
	assert_int_equal(vcpu_start(v), 0);
	assert_true(wait_beyond(&mock_kvm_runs, 0));
	for (int i = 0; i < 200; i++) {
		assert_int_equal(vcpu_pause(v), 0);
		assert_int_equal(vcpu_get_state(v), VCPU_PAUSED);
		assert_int_equal(vcpu_resume(v), 0);
	}
	vcpu_stop(v);
	assert_int_equal(vcpu_get_state(v), VCPU_STOPPED);
	assert_int_equal(exits_seen, 0);
}

static void test_stop_while_paused(void **state)
{
	struct vcpu *v = *state;

	assert_int_equal(vcpu_start(v), 0);
	assert_int_equal(vcpu_pause(v), 0);
	vcpu_stop(v);
	assert_int_equal(vcpu_get_state(v), VCPU_STOPPED);
	/* Stopping twice is harmless; pausing a stopped vCPU says it is gone. */
	vcpu_stop(v);
	assert_int_equal(vcpu_pause(v), -ESRCH);
}

static void test_handler_ends_thread(void **state)
{
	struct vcpu *v = *state;

	end_after = 5;
	assert_int_equal(vcpu_start(v), 0);
	vcpu_stop(v); /* joins; the thread may have ended on its own first */
	assert_int_equal(vcpu_get_state(v), VCPU_STOPPED);
	assert_true(exits_seen <= 5);
}

static void test_handler_ends_thread_alone(void **state)
{
	struct vcpu *v = *state;
	enum vcpu_state s;

	end_after = 3;
	assert_int_equal(vcpu_start(v), 0);
	/* The thread leaves by itself after three exits. */
	assert_true(wait_beyond(&exits_seen, 2));
	do
		s = vcpu_get_state(v);
	while (s != VCPU_STOPPED && (sched_yield(), 1));
	assert_int_equal(exits_seen, 3);
	assert_int_equal(vcpu_pause(v), -ESRCH);
}

static void test_run_error(void **state)
{
	struct vcpu *v = *state;
	enum vcpu_state s;

	mock_kvm_fail_with = -EFAULT;
	assert_int_equal(vcpu_start(v), 0);
	do
		s = vcpu_get_state(v);
	while (s != VCPU_STOPPED && (sched_yield(), 1));
	assert_int_equal(run_error_seen, -EFAULT);
	assert_int_equal(v->run_error, -EFAULT);
}

/* After the platform seals a vCPU's state (LAUNCH_UPDATE_VMSA), the VMM
 * can neither read nor set its registers, and nothing reaches KVM. */
static void test_protected_state_refused(void **state)
{
	struct vcpu *v = *state;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	unsigned long calls;

	mock_kvm_reg_calls = 0;
	assert_false(vcpu_state_is_protected(v));
	assert_int_equal(vcpu_get_regs(v, &regs), 0);
	assert_int_equal(vcpu_set_regs(v, &regs), 0);
	assert_int_equal(vcpu_get_sregs(v, &sregs), 0);
	assert_int_equal(vcpu_set_sregs(v, &sregs), 0);
	assert_int_equal(mock_kvm_reg_calls, 4);

	vcpu_protect_state(v);
	calls = mock_kvm_reg_calls;
	assert_true(vcpu_state_is_protected(v));
	assert_int_equal(vcpu_get_regs(v, &regs), -EPERM);
	assert_int_equal(vcpu_set_regs(v, &regs), -EPERM);
	assert_int_equal(vcpu_get_sregs(v, &sregs), -EPERM);
	assert_int_equal(vcpu_set_sregs(v, &sregs), -EPERM);
	assert_int_equal(mock_kvm_reg_calls, calls);
	/* It stays protected: there is no way back. */
	vcpu_protect_state(v);
	assert_int_equal(vcpu_get_regs(v, &regs), -EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transitions),
	    cmocka_unit_test_setup_teardown(test_requests_before_start, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pause_busy_guest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pause_halted_guest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_while_paused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler_ends_thread, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler_ends_thread_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protected_state_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
