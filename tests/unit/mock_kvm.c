// SPDX-License-Identifier: MIT
#include "mock_kvm.h"
#include "kvm.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

bool mock_kvm_guest_busy = true;
int mock_kvm_fail_with;
unsigned long mock_kvm_runs, mock_kvm_immediate_runs;

int kvm_vcpu_mmap_size(int kvm_fd)
{
	(void)kvm_fd;
	return (int)sysconf(_SC_PAGESIZE);
}

#define MAX_FDS 1024
static struct kvm_run *run_areas[MAX_FDS];

/* A memfd stands in for the vCPU fd: the code under test mmaps it like the
 * real one, and the mock maps it too to see immediate_exit. */
int kvm_create_vcpu(int vm_fd, unsigned long id, int *vcpu_fd)
{
	size_t size = (size_t)sysconf(_SC_PAGESIZE);
	int fd = memfd_create("mock-vcpu", MFD_CLOEXEC);
	void *p;

	(void)vm_fd;
	(void)id;
	if (fd < 0 || fd >= MAX_FDS || ftruncate(fd, (off_t)size) < 0)
		return -EMFILE;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	run_areas[fd] = p;
	*vcpu_fd = fd;
	return 0;
}

void mock_kvm_release(int vcpu_fd)
{
	munmap(run_areas[vcpu_fd], (size_t)sysconf(_SC_PAGESIZE));
	run_areas[vcpu_fd] = NULL;
}

int kvm_run(int vcpu_fd)
{
	struct kvm_run *run = run_areas[vcpu_fd];
	sigset_t block, old;
	int ret;

	/* Block the kick, then check and wait atomically (ppoll swaps the mask),
	 * as the kernel checks for pending signals on entry to KVM_RUN. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	__atomic_add_fetch(&mock_kvm_runs, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST)) {
		__atomic_add_fetch(&mock_kvm_immediate_runs, 1, __ATOMIC_SEQ_CST);
		ret = -EINTR;
	} else if (__atomic_load_n(&mock_kvm_fail_with, __ATOMIC_SEQ_CST)) {
		ret = mock_kvm_fail_with;
	} else if (__atomic_load_n(&mock_kvm_guest_busy, __ATOMIC_SEQ_CST)) {
		run->exit_reason = KVM_EXIT_IO;
		ret = 0;
	} else {
		ret = ppoll(NULL, 0, NULL, &old) < 0 ? -errno : 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

unsigned long mock_kvm_reg_calls;

/* Register ioctls: they only count, so a test can see whether sevm's vCPU
 * layer let a call through to "KVM" at all. */
int kvm_get_regs(int vcpu_fd, struct kvm_regs *regs)
{
	(void)vcpu_fd;
	memset(regs, 0, sizeof(*regs));
	mock_kvm_reg_calls++;
	return 0;
}

int kvm_set_regs(int vcpu_fd, const struct kvm_regs *regs)
{
	(void)vcpu_fd;
	(void)regs;
	mock_kvm_reg_calls++;
	return 0;
}

int kvm_get_sregs(int vcpu_fd, struct kvm_sregs *sregs)
{
	(void)vcpu_fd;
	memset(sregs, 0, sizeof(*sregs));
	mock_kvm_reg_calls++;
	return 0;
}

int kvm_set_sregs(int vcpu_fd, const struct kvm_sregs *sregs)
{
	(void)vcpu_fd;
	(void)sregs;
	mock_kvm_reg_calls++;
	return 0;
}
