/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the KVM ioctl layer (src/vmm/kvm.c) so the vCPU thread's
 * pause/resume/stop protocol runs without /dev/kvm. Its KVM_RUN behaves
 * like the kernel's in the ways the protocol depends on: it returns -EINTR
 * at once when immediate_exit is set, and a guest that is "halted" blocks
 * until a signal arrives, with no window in which a kick can be lost.
 */
#ifndef SEVM_TESTS_UNIT_MOCK_KVM_H
#define SEVM_TESTS_UNIT_MOCK_KVM_H

#include <stdbool.h>

/* true: each KVM_RUN returns an I/O exit; false: it blocks as a halted guest. */
extern bool mock_kvm_guest_busy;
/* Non-zero: KVM_RUN fails with this -errno (unless immediate_exit is set). */
extern int mock_kvm_fail_with;
/* Number of KVM_RUN calls, and how many of them had immediate_exit set. */
extern unsigned long mock_kvm_runs, mock_kvm_immediate_runs;
/* Register get/set ioctls that reached the mock. */
extern unsigned long mock_kvm_reg_calls;
/* Drops the mock's own mapping of a vCPU fd's run area (after vcpu_destroy). */
void mock_kvm_release(int vcpu_fd);

#endif
