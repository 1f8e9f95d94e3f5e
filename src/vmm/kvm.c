// SPDX-License-Identifier: MIT
/* Raw KVM ioctls, one wrapper each (see kvm.h). */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int xioctl(int fd, unsigned long req, const void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR && req != KVM_RUN);
	return ret < 0 ? -errno : ret;
}

int kvm_open_dev(const char *path, int *fd)
{
	int f = open(path, O_RDWR | O_CLOEXEC);

	if (f < 0)
		return -errno;
	*fd = f;
	return 0;
}

int kvm_api_version(int kvm_fd)
{
	return xioctl(kvm_fd, KVM_GET_API_VERSION, NULL);
}

int kvm_check_extension(int fd, long cap)
{
	return xioctl(fd, KVM_CHECK_EXTENSION, (void *)cap);
}

int kvm_create_vm(int kvm_fd, unsigned long type, int *vm_fd)
{
	int ret = xioctl(kvm_fd, KVM_CREATE_VM, (void *)type);

	if (ret < 0)
		return ret;
	*vm_fd = ret;
	return 0;
}

int kvm_vcpu_mmap_size(int kvm_fd)
{
	return xioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
}

int kvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out)
{
	/* The kernel answers E2BIG until the buffer is big enough (api.rst 4.46). */
	for (unsigned nent = 64; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		int ret;

		if (!c)
			return -ENOMEM;
		c->nent = nent;
		ret = xioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c);
		if (ret == 0) {
			*out = c;
			return 0;
		}
		free(c);
		if (ret != -E2BIG)
			return ret;
	}
	return -E2BIG;
}

int kvm_set_user_memory_region(int vm_fd, const struct kvm_userspace_memory_region *r)
{
	return xioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, r);
}

int kvm_get_dirty_log(int vm_fd, uint32_t slot, void *bitmap)
{
	struct kvm_dirty_log log = {.slot = slot, .dirty_bitmap = bitmap};

	return xioctl(vm_fd, KVM_GET_DIRTY_LOG, &log);
}

int kvm_set_tss_addr(int vm_fd, uint64_t gpa)
{
	return xioctl(vm_fd, KVM_SET_TSS_ADDR, (void *)(unsigned long)gpa);
}

int kvm_set_identity_map_addr(int vm_fd, uint64_t gpa)
{
	return xioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &gpa);
}

int kvm_create_irqchip(int vm_fd)
{
	return xioctl(vm_fd, KVM_CREATE_IRQCHIP, NULL);
}

int kvm_create_pit2(int vm_fd, uint32_t flags)
{
	struct kvm_pit_config cfg = {.flags = flags};

	return xioctl(vm_fd, KVM_CREATE_PIT2, &cfg);
}

int kvm_irq_line(int vm_fd, uint32_t irq, int level)
{
	struct kvm_irq_level l = {.irq = irq, .level = (uint32_t)level};

	return xioctl(vm_fd, KVM_IRQ_LINE, &l);
}

int kvm_create_vcpu(int vm_fd, unsigned long id, int *vcpu_fd)
{
	int ret = xioctl(vm_fd, KVM_CREATE_VCPU, (void *)id);

	if (ret < 0)
		return ret;
	*vcpu_fd = ret;
	return 0;
}

int kvm_run(int vcpu_fd)
{
	/* Not retried on EINTR: that is how a kick reaches the run loop. */
	return xioctl(vcpu_fd, KVM_RUN, NULL);
}

int kvm_set_cpuid2(int vcpu_fd, const struct kvm_cpuid2 *cpuid)
{
	return xioctl(vcpu_fd, KVM_SET_CPUID2, cpuid);
}

int kvm_get_regs(int vcpu_fd, struct kvm_regs *regs)
{
	return xioctl(vcpu_fd, KVM_GET_REGS, regs);
}

int kvm_set_regs(int vcpu_fd, const struct kvm_regs *regs)
{
	return xioctl(vcpu_fd, KVM_SET_REGS, regs);
}

int kvm_get_sregs(int vcpu_fd, struct kvm_sregs *sregs)
{
	return xioctl(vcpu_fd, KVM_GET_SREGS, sregs);
}

int kvm_set_sregs(int vcpu_fd, const struct kvm_sregs *sregs)
{
	return xioctl(vcpu_fd, KVM_SET_SREGS, sregs);
}

int kvm_set_fpu(int vcpu_fd, const struct kvm_fpu *fpu)
{
	return xioctl(vcpu_fd, KVM_SET_FPU, fpu);
}

int kvm_get_msrs(int vcpu_fd, struct kvm_msrs *msrs)
{
	return xioctl(vcpu_fd, KVM_GET_MSRS, msrs);
}

int kvm_set_msrs(int vcpu_fd, const struct kvm_msrs *msrs)
{
	return xioctl(vcpu_fd, KVM_SET_MSRS, msrs);
}

int kvm_get_lapic(int vcpu_fd, struct kvm_lapic_state *lapic)
{
	return xioctl(vcpu_fd, KVM_GET_LAPIC, lapic);
}

int kvm_set_lapic(int vcpu_fd, const struct kvm_lapic_state *lapic)
{
	return xioctl(vcpu_fd, KVM_SET_LAPIC, lapic);
}

int kvm_set_tsc_khz(int vcpu_fd, uint32_t khz)
{
	return xioctl(vcpu_fd, KVM_SET_TSC_KHZ, (void *)(unsigned long)khz);
}

int kvm_set_mp_state(int vcpu_fd, uint32_t state)
{
	struct kvm_mp_state mp = {.mp_state = state};

	return xioctl(vcpu_fd, KVM_SET_MP_STATE, &mp);
}

int kvm_get_tsc_khz(int vcpu_fd)
{
	return xioctl(vcpu_fd, KVM_GET_TSC_KHZ, NULL);
}

int kvm_get_debugregs(int vcpu_fd, struct kvm_debugregs *dregs)
{
	return xioctl(vcpu_fd, KVM_GET_DEBUGREGS, dregs);
}

int kvm_set_debugregs(int vcpu_fd, const struct kvm_debugregs *dregs)
{
	return xioctl(vcpu_fd, KVM_SET_DEBUGREGS, dregs);
}

int kvm_get_xcrs(int vcpu_fd, struct kvm_xcrs *xcrs)
{
	return xioctl(vcpu_fd, KVM_GET_XCRS, xcrs);
}

int kvm_set_xcrs(int vcpu_fd, const struct kvm_xcrs *xcrs)
{
	return xioctl(vcpu_fd, KVM_SET_XCRS, xcrs);
}

int kvm_get_xsave(int vcpu_fd, struct kvm_xsave *xs)
{
	return xioctl(vcpu_fd, KVM_GET_XSAVE, xs);
}

int kvm_set_xsave(int vcpu_fd, const struct kvm_xsave *xs)
{
	return xioctl(vcpu_fd, KVM_SET_XSAVE, xs);
}

int kvm_get_xsave2(int vcpu_fd, struct kvm_xsave *xs)
{
	return xioctl(vcpu_fd, KVM_GET_XSAVE2, xs);
}

int kvm_get_msr_index_list(int kvm_fd, struct kvm_msr_list *list)
{
	return xioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, list);
}

int kvm_get_mp_state(int vcpu_fd, struct kvm_mp_state *mp)
{
	return xioctl(vcpu_fd, KVM_GET_MP_STATE, mp);
}

int kvm_get_vcpu_events(int vcpu_fd, struct kvm_vcpu_events *ev)
{
	return xioctl(vcpu_fd, KVM_GET_VCPU_EVENTS, ev);
}

int kvm_set_vcpu_events(int vcpu_fd, const struct kvm_vcpu_events *ev)
{
	return xioctl(vcpu_fd, KVM_SET_VCPU_EVENTS, ev);
}

int kvm_get_irqchip(int vm_fd, struct kvm_irqchip *chip)
{
	return xioctl(vm_fd, KVM_GET_IRQCHIP, chip);
}

int kvm_set_irqchip(int vm_fd, const struct kvm_irqchip *chip)
{
	return xioctl(vm_fd, KVM_SET_IRQCHIP, chip);
}

int kvm_get_pit2(int vm_fd, struct kvm_pit_state2 *pit)
{
	return xioctl(vm_fd, KVM_GET_PIT2, pit);
}

int kvm_set_pit2(int vm_fd, const struct kvm_pit_state2 *pit)
{
	return xioctl(vm_fd, KVM_SET_PIT2, pit);
}

int kvm_get_clock(int vm_fd, struct kvm_clock_data *clock)
{
	return xioctl(vm_fd, KVM_GET_CLOCK, clock);
}

int kvm_set_clock(int vm_fd, const struct kvm_clock_data *clock)
{
	return xioctl(vm_fd, KVM_SET_CLOCK, clock);
}
