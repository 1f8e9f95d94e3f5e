// SPDX-License-Identifier: MIT
/*
 * Unit tests for the host-visible VM and vCPU state (src/vmm/snapshot.c),
 * against the real /dev/kvm (skipped, saying why, when it cannot be
 * opened): distinctive state set on a vCPU of one VM, saved, loaded into a
 * vCPU of a second VM and saved again must come back the same; the
 * in-kernel PIC, IOAPIC, PIT and kvmclock likewise; a sealed vCPU gives
 * up only its host-owned part.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/cpuid.h"
#include "vmm/kvm.h"
#include "vmm/msr_index.h"
#include "vmm/snapshot.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_regs.h"

#define TSC_VAL 0x123456789abull
#define LAPIC_TPR 0x80
#define LAPIC_SVR 0xf0
#define LAPIC_LVTT 0x320
#define LAPIC_TMCCT 0x390 /* current count: runs */

struct vmenv {
	int vm;
	struct vcpu v;
};

static int kvm = -1;
static struct kvm_cpuid2 *cpuid;
static struct snapshot_msr_list msr_list;
static size_t xsave_size;

static int group_setup(void **state)
{
	int ret;

	(void)state;
	if ((ret = kvm_open_dev("/dev/kvm", &kvm))) {
		fprintf(stderr, "test_snapshot: cannot open /dev/kvm: %s; skipping\n",
			strerror(-ret));
		kvm = -1;
		return 0;
	}
	if (kvm_get_supported_cpuid(kvm, &cpuid) || snapshot_msr_list_init(kvm, &msr_list))
		return -1;
	xsave_size = snapshot_xsave_size(kvm);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(cpuid);
	if (kvm >= 0)
		close(kvm);
	return 0;
}

static void need_kvm(void)
{
	if (kvm < 0) {
		print_message("skipped: /dev/kvm cannot be opened here\n");
		skip();
	}
}

/* A VM as sevm makes one (irqchip and PIT before the vCPU) with vCPU 0. */
static void vm_new(struct vmenv *e)
{
	memset(e, 0, sizeof(*e));
	assert_int_equal(kvm_create_vm(kvm, 0, &e->vm), 0);
	assert_int_equal(kvm_create_irqchip(e->vm), 0);
	assert_int_equal(kvm_create_pit2(e->vm, 0), 0);
	assert_int_equal(kvm_create_vcpu(e->vm, 0, &e->v.fd), 0);
	assert_int_equal(kvm_set_cpuid2(e->v.fd, cpuid), 0);
}

static void vm_free(struct vmenv *e)
{
	close(e->v.fd);
	close(e->vm);
}

static uint64_t msr_of(const struct vcpu_snapshot *s, uint32_t index, bool *found)
{
	for (unsigned int i = 0; i < s->nr_msrs; i++)
		if (s->msrs[i].index == index) {
			*found = true;
			return s->msrs[i].data;
		}
	*found = false;
	return 0;
}

static uint32_t lapic_reg(const struct kvm_lapic_state *l, unsigned int off)
{
	uint32_t v;

	memcpy(&v, l->regs + off, 4);
	return v;
}

static void set_msr(int fd, uint32_t index, uint64_t val)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = {.hdr.nmsrs = 1, .e = {.index = index, .data = val}};

	assert_int_equal(kvm_set_msrs(fd, &m.hdr), 1);
}

#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_EXTD (1ull << 10)

static uint64_t msr_get(int fd, uint32_t index)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = {.hdr.nmsrs = 1, .e = {.index = index}};

	assert_int_equal(kvm_get_msrs(fd, &m.hdr), 1);
	return m.e.data;
}

/* Values nobody would have by accident, in every part a snapshot holds. */
static void set_distinctive(int fd)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_debugregs d;
	struct kvm_lapic_state l;
	struct kvm_xsave *xs = calloc(1, xsave_size);
	uint32_t v;

	assert_non_null(xs);
	assert_int_equal(kvm_get_regs(fd, &r), 0);
	r.rax = 0x1111111111111111ull, r.rbx = 0x2222, r.rcx = 0x3333, r.r15 = 0xf0f0f0f0f0f0ull;
	r.rip = 0xfff0, r.rflags = 0x2 | 0x1 | 0x80; /* fixed bit, CF, SF */
	assert_int_equal(kvm_set_regs(fd, &r), 0);
	assert_int_equal(kvm_get_sregs(fd, &s), 0);
	s.cr2 = 0xdead0000beefull, s.fs.base = 0x12345000, s.gs.base = 0x6789a000;
	assert_int_equal(kvm_set_sregs(fd, &s), 0);
	assert_int_equal(kvm_get_debugregs(fd, &d), 0);
	d.db[0] = 0x1000, d.db[1] = 0x2000, d.db[2] = 0x3000, d.db[3] = 0x4000;
	d.dr7 = 0x400 | 0x55;
	assert_int_equal(kvm_set_debugregs(fd, &d), 0);
	assert_int_equal(kvm_get_xsave(fd, xs), 0);
	for (unsigned int i = 0; i < 16 * 16; i++) /* XMM0-15 at 160 (SDM vol. 1 §10.5.1) */
		((uint8_t *)xs->region)[160 + i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(kvm_set_xsave(fd, xs), 0);
	free(xs);
	set_msr(fd, MSR_LSTAR, 0xffffffff81a00000ull);
	set_msr(fd, MSR_KERNEL_GS_BASE, 0xffff888000001000ull);
	set_msr(fd, MSR_IA32_CR_PAT, 0x0007040600070406ull);
	set_msr(fd, MSR_MTRR_DEF_TYPE, 0xc06);
	set_msr(fd, MSR_IA32_TSC, TSC_VAL);
	assert_int_equal(kvm_get_lapic(fd, &l), 0);
	v = 0x20;
	memcpy(l.regs + LAPIC_TPR, &v, 4);
	v = 0x1ff;
	memcpy(l.regs + LAPIC_SVR, &v, 4);
	v = 0x10000 | 0xec; /* masked, vector 0xec */
	memcpy(l.regs + LAPIC_LVTT, &v, 4);
	assert_int_equal(kvm_set_lapic(fd, &l), 0);
}

static void assert_same_vcpu(const struct vcpu_snapshot *a, const struct vcpu_snapshot *b)
{
	assert_memory_equal(&a->regs, &b->regs, sizeof(a->regs));
	assert_memory_equal(&a->sregs, &b->sregs, sizeof(a->sregs));
	assert_memory_equal(&a->xcrs, &b->xcrs, sizeof(a->xcrs));
	assert_memory_equal(&a->dregs, &b->dregs, sizeof(a->dregs));
	/* The legacy region and the XSAVE header: what this VM's XCR0 uses. */
	assert_memory_equal(a->xsave, b->xsave, 576);
	assert_memory_equal(&a->events, &b->events, sizeof(a->events));
	assert_memory_equal(&a->mp, &b->mp, sizeof(a->mp));
	assert_int_equal(a->nr_msrs, b->nr_msrs);
	for (unsigned int i = 0; i < a->nr_msrs; i++) {
		assert_int_equal(a->msrs[i].index, b->msrs[i].index);
		if (a->msrs[i].index == MSR_IA32_TSC) /* runs on: later, not earlier */
			assert_true(b->msrs[i].data >= a->msrs[i].data);
		else
			assert_int_equal(a->msrs[i].data, b->msrs[i].data);
	}
	for (unsigned int off = 0; off < KVM_APIC_REG_SIZE; off += 16)
		if (off != LAPIC_TMCCT)
			assert_int_equal(lapic_reg(&a->lapic, off), lapic_reg(&b->lapic, off));
}

static void test_vcpu_round_trip(void **state)
{
	struct vmenv a, b;
	struct vcpu_snapshot sa, sb;
	char err[160];
	bool found;

	(void)state;
	need_kvm();
	vm_new(&a), vm_new(&b);
	assert_int_equal(vcpu_snapshot_init(&sa, xsave_size), 0);
	assert_int_equal(vcpu_snapshot_init(&sb, xsave_size), 0);
	set_distinctive(a.v.fd);

	assert_int_equal(vcpu_snapshot_save(&a.v, &msr_list, SNAPSHOT_ALL, &sa, err, sizeof(err)),
			 0);
	assert_int_equal(sa.regs.rax, 0x1111111111111111ull);
	assert_int_equal(msr_of(&sa, MSR_LSTAR, &found), 0xffffffff81a00000ull);
	assert_true(found);
	assert_true(msr_of(&sa, MSR_IA32_TSC, &found) >= TSC_VAL);
	assert_true(found);
	assert_int_equal(lapic_reg(&sa.lapic, LAPIC_SVR), 0x1ff);

	assert_int_equal(vcpu_snapshot_load(&b.v, &sa, err, sizeof(err)), 0);
	assert_int_equal(vcpu_snapshot_save(&b.v, &msr_list, SNAPSHOT_ALL, &sb, err, sizeof(err)),
			 0);
	/* The TSC only goes forward. (PVM ignores a host's TSC write: its
	 * guests see the host's TSC, so on one machine it carries over by
	 * itself; measured: KVM_SET_MSRS takes the value and changes nothing.) */
	assert_same_vcpu(&sa, &sb);

	/* The comparison can fail: a fresh vCPU differs. */
	struct vmenv c;
	struct vcpu_snapshot sc;
	vm_new(&c);
	assert_int_equal(vcpu_snapshot_init(&sc, xsave_size), 0);
	assert_int_equal(vcpu_snapshot_save(&c.v, &msr_list, SNAPSHOT_ALL, &sc, err, sizeof(err)),
			 0);
	assert_memory_not_equal(&sa.regs, &sc.regs, sizeof(sa.regs));
	vcpu_snapshot_free(&sc);
	vm_free(&c);

	vcpu_snapshot_free(&sa), vcpu_snapshot_free(&sb);
	vm_free(&a), vm_free(&b);
}

static void test_sealed_vcpu(void **state)
{
	struct vmenv a, b;
	struct vcpu_snapshot s;
	char err[160];
	bool found;

	(void)state;
	need_kvm();
	vm_new(&a), vm_new(&b);
	assert_int_equal(vcpu_snapshot_init(&s, xsave_size), 0);
	set_distinctive(a.v.fd);
	/* The guest turned x2APIC on (SDM vol. 3 §11.12.1: EN and EXTD). */
	uint64_t apic_base = msr_get(a.v.fd, MSR_IA32_APICBASE);
	set_msr(a.v.fd, MSR_IA32_APICBASE, apic_base | APIC_BASE_EN | APIC_BASE_EXTD);
	vcpu_protect_state(&a.v);
	assert_int_equal(vcpu_snapshot_save(&a.v, &msr_list, SNAPSHOT_ALL, &s, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "sealed"));

	assert_int_equal(
	    vcpu_snapshot_save(&a.v, &msr_list, SNAPSHOT_HOST_OWNED, &s, err, sizeof(err)), 0);
	(void)msr_of(&s, MSR_LSTAR, &found); /* in the VMSA: not the host's */
	assert_false(found);
	(void)msr_of(&s, MSR_IA32_TSC, &found);
	assert_true(found);
	assert_int_equal(lapic_reg(&s.lapic, LAPIC_SVR), 0x1ff);
	/* Loading the host-owned part into a sealed vCPU is allowed... */
	vcpu_protect_state(&b.v);
	assert_int_equal(vcpu_snapshot_load(&b.v, &s, err, sizeof(err)), 0);
	/* ...and leaves its registers alone. */
	struct kvm_regs r;
	assert_int_equal(kvm_get_regs(b.v.fd, &r), 0);
	assert_int_not_equal(r.rax, 0x1111111111111111ull);
	/* But its APIC is in the guest's mode, as its LAPIC image says. */
	assert_int_equal(msr_get(b.v.fd, MSR_IA32_APICBASE),
			 apic_base | APIC_BASE_EN | APIC_BASE_EXTD);
	assert_int_equal(lapic_reg(&s.lapic, LAPIC_SVR), 0x1ff);
	vcpu_snapshot_free(&s);
	vm_free(&a), vm_free(&b);
}

/* What a target accepts in a stream's vCPU state: sevm's MSRs only, and
 * under SEV-ES only those the host owns (no KVM needed). */
static void test_msrs_carried(void **state)
{
	(void)state;
	assert_true(snapshot_msr_carried(MSR_LSTAR, SNAPSHOT_ALL));
	assert_false(snapshot_msr_carried(MSR_LSTAR, SNAPSHOT_HOST_OWNED)); /* the VMSA's */
	assert_true(snapshot_msr_carried(MSR_IA32_APICBASE, SNAPSHOT_HOST_OWNED));
	assert_true(snapshot_msr_carried(MSR_IA32_TSC_DEADLINE, SNAPSHOT_HOST_OWNED));
	assert_false(snapshot_msr_carried(0xc0000080, SNAPSHOT_ALL)); /* EFER: sregs carry it */
	assert_false(snapshot_msr_carried(0, SNAPSHOT_ALL));
}

static void test_vm_round_trip(void **state)
{
	struct vmenv a, b;
	struct vm_snapshot sa, sb;
	char err[160];

	(void)state;
	need_kvm();
	vm_new(&a), vm_new(&b);
	/* Distinctive: an IOAPIC redirection entry and the PIT's channel 0. */
	sa.ioapic.chip_id = KVM_IRQCHIP_IOAPIC;
	assert_int_equal(kvm_get_irqchip(a.vm, &sa.ioapic), 0);
	sa.ioapic.chip.ioapic.redirtbl[4].bits = 0x1000000000000034ull; /* dest 0x10, vector 0x34 */
	assert_int_equal(kvm_set_irqchip(a.vm, &sa.ioapic), 0);
	struct kvm_clock_data clock = {.clock = 5ull * 1000 * 1000 * 1000}; /* 5 s */
	assert_int_equal(kvm_set_clock(a.vm, &clock), 0);

	assert_int_equal(vm_snapshot_save(a.vm, &sa, err, sizeof(err)), 0);
	assert_int_equal(sa.ioapic.chip.ioapic.redirtbl[4].bits, 0x1000000000000034ull);
	assert_int_equal(vm_snapshot_load(b.vm, &sa, err, sizeof(err)), 0);
	assert_int_equal(vm_snapshot_save(b.vm, &sb, err, sizeof(err)), 0);
	assert_memory_equal(&sa.pic_master, &sb.pic_master, sizeof(sa.pic_master));
	assert_memory_equal(&sa.pic_slave, &sb.pic_slave, sizeof(sa.pic_slave));
	assert_memory_equal(&sa.ioapic, &sb.ioapic, sizeof(sa.ioapic));
	assert_int_equal(sa.pit.flags, sb.pit.flags);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sa.pit.channels[i].count, sb.pit.channels[i].count);
		assert_int_equal(sa.pit.channels[i].mode, sb.pit.channels[i].mode);
	}
	/* kvmclock goes on from 5 s: not back, and not from the host's uptime. */
	assert_true(sb.clock.clock >= sa.clock.clock);
	assert_true(sb.clock.clock - sa.clock.clock < 60ull * 1000 * 1000 * 1000);
	vm_free(&a), vm_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vcpu_round_trip),
	    cmocka_unit_test(test_sealed_vcpu),
	    cmocka_unit_test(test_vm_round_trip),
	    cmocka_unit_test(test_msrs_carried),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
