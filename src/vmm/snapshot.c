// SPDX-License-Identifier: MIT
#include "snapshot.h"
#include "kvm.h"
#include "msr_index.h"
#include "util.h"
#include "vcpu.h"
#include "vcpu_regs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_LIST_MAX 4096

/*
 * What sevm carries, and whether the host owns it under SEV-ES (the
 * hypervisor intercepts it there; the rest lives in the VMSA, AMD APM
 * vol. 2 Table B-4). TSC_DEADLINE comes last: it is loaded after the LAPIC.
 * APICBASE comes first, and always (KVM does not list it: its VMMs set it
 * through KVM_SET_SREGS): the LAPIC's mode (xAPIC or x2APIC) must be the
 * guest's before KVM_SET_LAPIC, whose register image means one or the
 * other. Under SEV-ES, sregs are the VMSA's, but the APIC is the host's;
 * without it a Linux guest that had turned on x2APIC resumed with an
 * xAPIC, took #GP on its x2APIC MSRs and never saw a timer again.
 */
static const struct {
	uint32_t index;
	bool host_owned;
} carried[] = {
    {MSR_IA32_APICBASE, true},
    {MSR_IA32_TSC, true},
    {MSR_IA32_TSC_ADJUST, true},
    {MSR_IA32_MISC_ENABLE, true},
    {MSR_MTRR_DEF_TYPE, true},
    {MSR_MTRR_FIX64K, true},
    {MSR_MTRR_FIX16K_80000, true},
    {MSR_MTRR_FIX16K_A0000, true},
    {MSR_MTRR_FIX4K_C0000 + 0, true},
    {MSR_MTRR_FIX4K_C0000 + 1, true},
    {MSR_MTRR_FIX4K_C0000 + 2, true},
    {MSR_MTRR_FIX4K_C0000 + 3, true},
    {MSR_MTRR_FIX4K_C0000 + 4, true},
    {MSR_MTRR_FIX4K_C0000 + 5, true},
    {MSR_MTRR_FIX4K_C0000 + 6, true},
    {MSR_MTRR_FIX4K_C0000 + 7, true},
    {MSR_MTRR_PHYS_BASE0 + 0, true},
    {MSR_MTRR_PHYS_BASE0 + 1, true},
    {MSR_MTRR_PHYS_BASE0 + 2, true},
    {MSR_MTRR_PHYS_BASE0 + 3, true},
    {MSR_MTRR_PHYS_BASE0 + 4, true},
    {MSR_MTRR_PHYS_BASE0 + 5, true},
    {MSR_MTRR_PHYS_BASE0 + 6, true},
    {MSR_MTRR_PHYS_BASE0 + 7, true},
    {MSR_MTRR_PHYS_BASE0 + 8, true},
    {MSR_MTRR_PHYS_BASE0 + 9, true},
    {MSR_MTRR_PHYS_BASE0 + 10, true},
    {MSR_MTRR_PHYS_BASE0 + 11, true},
    {MSR_MTRR_PHYS_BASE0 + 12, true},
    {MSR_MTRR_PHYS_BASE0 + 13, true},
    {MSR_MTRR_PHYS_BASE0 + 14, true},
    {MSR_MTRR_PHYS_BASE0 + 15, true},
    {MSR_KVM_WALL_CLOCK_NEW, true},
    {MSR_KVM_SYSTEM_TIME_NEW, true},
    {MSR_KVM_ASYNC_PF_EN, true},
    {MSR_KVM_STEAL_TIME, true},
    {MSR_KVM_PV_EOI_EN, true},
    {MSR_KVM_POLL_CONTROL, true},
    {MSR_KVM_ASYNC_PF_INT, true},
    {MSR_IA32_SYSENTER_CS, false},
    {MSR_IA32_SYSENTER_ESP, false},
    {MSR_IA32_SYSENTER_EIP, false},
    {MSR_IA32_CR_PAT, false},
    {MSR_IA32_XSS, false},
    {MSR_STAR, false},
    {MSR_LSTAR, false},
    {MSR_CSTAR, false},
    {MSR_SFMASK, false},
    {MSR_KERNEL_GS_BASE, false},
    {MSR_TSC_AUX, false},
    {MSR_IA32_TSC_DEADLINE, true},
};

_Static_assert(sizeof(carried) / sizeof(carried[0]) <= SNAPSHOT_MAX_MSRS,
	       "every carried MSR fits a snapshot");

static int fail(char *err, size_t errlen, int ret, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(-ret));
	return ret;
}

static bool listed(const struct kvm_msr_list *kl, uint32_t index)
{
	for (uint32_t j = 0; j < kl->nmsrs; j++)
		if (kl->indices[j] == index)
			return true;
	return false;
}

bool snapshot_msr_carried(uint32_t index, enum snapshot_scope scope)
{
	for (size_t i = 0; i < ARRAY_SIZE(carried); i++)
		if (carried[i].index == index)
			return scope == SNAPSHOT_ALL || carried[i].host_owned;
	return false;
}

int snapshot_msr_list_init(int kvm_fd, struct snapshot_msr_list *list)
{
	struct kvm_msr_list *kl = malloc(sizeof(*kl) + INDEX_LIST_MAX * sizeof(uint32_t));
	int ret;

	if (!kl)
		return -ENOMEM;
	kl->nmsrs = INDEX_LIST_MAX;
	ret = kvm_get_msr_index_list(kvm_fd, kl);
	list->n = 0;
	for (size_t i = 0; !ret && i < ARRAY_SIZE(carried); i++)
		if (carried[i].index == MSR_IA32_APICBASE || listed(kl, carried[i].index))
			list->index[list->n++] = carried[i].index;
	free(kl);
	return ret < 0 ? ret : 0;
}

size_t snapshot_xsave_size(int kvm_fd)
{
	int n = kvm_check_extension(kvm_fd, KVM_CAP_XSAVE2);

	return n > (int)sizeof(struct kvm_xsave) ? (size_t)n : sizeof(struct kvm_xsave);
}

int vcpu_snapshot_init(struct vcpu_snapshot *s, size_t xsave_size)
{
	memset(s, 0, sizeof(*s));
	s->xsave = calloc(1, xsave_size);
	if (!s->xsave)
		return -ENOMEM;
	s->xsave_size = xsave_size;
	return 0;
}

void vcpu_snapshot_free(struct vcpu_snapshot *s)
{
	free(s->xsave);
	s->xsave = NULL;
	s->xsave_size = 0;
}

/* The MSRs of the scope, from first to last (TSC_DEADLINE, if listed, is
 * always last: it is set apart, after the LAPIC). */
static int save_msrs(int fd, const struct snapshot_msr_list *list, enum snapshot_scope scope,
		     struct vcpu_snapshot *s)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[SNAPSHOT_MAX_MSRS];
	} m = {0};
	int ret;

	for (unsigned int i = 0; i < list->n; i++)
		if (snapshot_msr_carried(list->index[i], scope))
			m.e[m.hdr.nmsrs++].index = list->index[i];
	ret = kvm_get_msrs(fd, &m.hdr);
	if (ret < 0)
		return ret;
	if ((uint32_t)ret != m.hdr.nmsrs)
		return -EIO; /* KVM listed it, yet cannot read it */
	s->nr_msrs = m.hdr.nmsrs;
	memcpy(s->msrs, m.e, sizeof(m.e[0]) * m.hdr.nmsrs);
	return 0;
}

static int load_msrs(int fd, const struct vcpu_snapshot *s, bool deadline)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[SNAPSHOT_MAX_MSRS];
	} m = {0};
	int ret;

	for (unsigned int i = 0; i < s->nr_msrs && i < SNAPSHOT_MAX_MSRS; i++)
		if ((s->msrs[i].index == MSR_IA32_TSC_DEADLINE) == deadline)
			m.e[m.hdr.nmsrs++] = s->msrs[i];
	if (!m.hdr.nmsrs)
		return 0;
	ret = kvm_set_msrs(fd, &m.hdr);
	if (ret < 0)
		return ret;
	return (uint32_t)ret == m.hdr.nmsrs ? 0 : -EINVAL;
}

int vcpu_snapshot_save(struct vcpu *v, const struct snapshot_msr_list *msrs,
		       enum snapshot_scope scope, struct vcpu_snapshot *s, char *err, size_t errlen)
{
	int fd = v->fd, ret;

	s->scope = scope;
	if (scope == SNAPSHOT_ALL) {
		if (vcpu_state_is_protected(v))
			return fail(err, errlen, -EPERM, "vCPU state (sealed: SEV-ES)");
		if ((ret = kvm_get_regs(fd, &s->regs)))
			return fail(err, errlen, ret, "KVM_GET_REGS");
		if ((ret = kvm_get_sregs(fd, &s->sregs)))
			return fail(err, errlen, ret, "KVM_GET_SREGS");
		ret = s->xsave_size > sizeof(struct kvm_xsave)
			  ? kvm_get_xsave2(fd, (struct kvm_xsave *)s->xsave)
			  : kvm_get_xsave(fd, (struct kvm_xsave *)s->xsave);
		if (ret)
			return fail(err, errlen, ret, "KVM_GET_XSAVE");
		if ((ret = kvm_get_xcrs(fd, &s->xcrs)))
			return fail(err, errlen, ret, "KVM_GET_XCRS");
		if ((ret = kvm_get_debugregs(fd, &s->dregs)))
			return fail(err, errlen, ret, "KVM_GET_DEBUGREGS");
	}
	if ((ret = save_msrs(fd, msrs, scope, s)))
		return fail(err, errlen, ret, "KVM_GET_MSRS");
	if ((ret = kvm_get_lapic(fd, &s->lapic)))
		return fail(err, errlen, ret, "KVM_GET_LAPIC");
	if ((ret = kvm_get_vcpu_events(fd, &s->events)))
		return fail(err, errlen, ret, "KVM_GET_VCPU_EVENTS");
	if ((ret = kvm_get_mp_state(fd, &s->mp)))
		return fail(err, errlen, ret, "KVM_GET_MP_STATE");
	return 0;
}

int vcpu_snapshot_load(struct vcpu *v, const struct vcpu_snapshot *s, char *err, size_t errlen)
{
	int fd = v->fd, ret;

	if (s->scope == SNAPSHOT_ALL) {
		if (vcpu_state_is_protected(v))
			return fail(err, errlen, -EPERM, "vCPU state (sealed: SEV-ES)");
		if ((ret = kvm_set_sregs(fd, &s->sregs)))
			return fail(err, errlen, ret, "KVM_SET_SREGS");
		if ((ret = kvm_set_regs(fd, &s->regs)))
			return fail(err, errlen, ret, "KVM_SET_REGS");
		if ((ret = kvm_set_xcrs(fd, &s->xcrs)))
			return fail(err, errlen, ret, "KVM_SET_XCRS");
		if ((ret = kvm_set_xsave(fd, (const struct kvm_xsave *)s->xsave)))
			return fail(err, errlen, ret, "KVM_SET_XSAVE");
		if ((ret = kvm_set_debugregs(fd, &s->dregs)))
			return fail(err, errlen, ret, "KVM_SET_DEBUGREGS");
	}
	if ((ret = load_msrs(fd, s, false)))
		return fail(err, errlen, ret, "KVM_SET_MSRS");
	if ((ret = kvm_set_mp_state(fd, s->mp.mp_state)))
		return fail(err, errlen, ret, "KVM_SET_MP_STATE");
	if ((ret = kvm_set_lapic(fd, &s->lapic)))
		return fail(err, errlen, ret, "KVM_SET_LAPIC");
	if ((ret = load_msrs(fd, s, true)))
		return fail(err, errlen, ret, "KVM_SET_MSRS (TSC deadline)");
	if ((ret = kvm_set_vcpu_events(fd, &s->events)))
		return fail(err, errlen, ret, "KVM_SET_VCPU_EVENTS");
	return 0;
}

int vm_snapshot_save(int vm_fd, struct vm_snapshot *s, char *err, size_t errlen)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->pic_master.chip_id = KVM_IRQCHIP_PIC_MASTER;
	s->pic_slave.chip_id = KVM_IRQCHIP_PIC_SLAVE;
	s->ioapic.chip_id = KVM_IRQCHIP_IOAPIC;
	if ((ret = kvm_get_irqchip(vm_fd, &s->pic_master)) ||
	    (ret = kvm_get_irqchip(vm_fd, &s->pic_slave)) ||
	    (ret = kvm_get_irqchip(vm_fd, &s->ioapic)))
		return fail(err, errlen, ret, "KVM_GET_IRQCHIP");
	if ((ret = kvm_get_pit2(vm_fd, &s->pit)))
		return fail(err, errlen, ret, "KVM_GET_PIT2");
	if ((ret = kvm_get_clock(vm_fd, &s->clock)))
		return fail(err, errlen, ret, "KVM_GET_CLOCK");
	return 0;
}

int vm_snapshot_load(int vm_fd, const struct vm_snapshot *s, char *err, size_t errlen)
{
	struct kvm_clock_data clock = {.clock = s->clock.clock};
	int ret;

	if ((ret = kvm_set_irqchip(vm_fd, &s->pic_master)) ||
	    (ret = kvm_set_irqchip(vm_fd, &s->pic_slave)) ||
	    (ret = kvm_set_irqchip(vm_fd, &s->ioapic)))
		return fail(err, errlen, ret, "KVM_SET_IRQCHIP");
	if ((ret = kvm_set_pit2(vm_fd, &s->pit)))
		return fail(err, errlen, ret, "KVM_SET_PIT2");
	/* The guest's clock goes on from where it stopped: the time the VM
	 * spent in transit is not the guest's (flags 0: no realtime pairing). */
	if ((ret = kvm_set_clock(vm_fd, &clock)))
		return fail(err, errlen, ret, "KVM_SET_CLOCK");
	return 0;
}
