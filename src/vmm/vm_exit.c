// SPDX-License-Identifier: MIT
/* What a vCPU thread does with each KVM_RUN exit (api.rst, "struct kvm_run"). */
#include "kvm.h"
#include "vm.h"
#include "vcpu_regs.h"
#include "sevm/fw_abi.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A device may have ended the VM (debug-exit, reset): this vCPU stops here. */
static int vm_end_requested(struct vm *vm)
{
	return __atomic_load_n(&vm->end, __ATOMIC_ACQUIRE) != VM_END_NONE;
}

static int crash(struct vm *vm, struct vcpu *v, const char *what)
{
	struct kvm_regs regs;
	char msg[200];

	/* Where the state is still the host's to read, say where it stopped;
	 * a protected vCPU's registers stay secret even in a crash report. */
	if (vcpu_get_regs(v, &regs) == 0)
		snprintf(msg, sizeof(msg), "vCPU %u: %s at rip %#llx", v->id, what,
			 (unsigned long long)regs.rip);
	else
		snprintf(msg, sizeof(msg), "vCPU %u: %s", v->id, what);
	vm_request_end(vm, VM_END_CRASH, 0, msg);
	return 1;
}

/*
 * A Migration Handler vCPU rings the doorbell once, when it is ready
 * (docs/mailbox.md): from then on it only polls its slots, and while no
 * migration runs sevm does not run it at all (design brief §5). An OS vCPU
 * writing the port is ignored: the OS cannot park its own CPUs this way.
 */
static bool mh_doorbell(struct vm *vm, struct vcpu *v, struct kvm_run *run)
{
	if (run->io.port != FW_MH_DOORBELL_PORT || run->io.direction != KVM_EXIT_IO_OUT)
		return false;
	if (v->id < vm->nr_os_vcpus)
		return true;
	/* Under the lock: a vm_mh_run(true) either came first (then the
	 * handler keeps running) or resumes it after this pause. */
	pthread_mutex_lock(&vm->mh_lock);
	if (!vm->mh_run && vcpu_request_pause(v) == 0)
		vm->mh_parked++;
	pthread_mutex_unlock(&vm->mh_lock);
	return true;
}

int vm_mh_run(struct vm *vm, bool run)
{
	int ret = 0;

	pthread_mutex_lock(&vm->mh_lock);
	vm->mh_run = run;
	for (unsigned i = vm->nr_os_vcpus; run && i < vm->nr_vcpus; i++) {
		int r = vcpu_resume(&vm->vcpus[i]);

		/* -EINVAL: not paused (still starting, or running already). */
		if (r && r != -EINVAL && !ret)
			ret = r;
	}
	pthread_mutex_unlock(&vm->mh_lock);
	/* Pausing waits for each vCPU to stop, which a doorbell in flight
	 * needs the lock for: outside it. */
	for (unsigned i = vm->nr_os_vcpus; !run && i < vm->nr_vcpus; i++) {
		int r = vcpu_pause(&vm->vcpus[i]);

		if (r && r != -EINVAL && !ret)
			ret = r;
	}
	return ret;
}

static void pio_exit(struct vm *vm, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	/* String I/O (rep ins/outs) arrives as count consecutive accesses. */
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
		bus_dispatch(&vm->pio, run->io.port, data, run->io.size, is_write);
}

static int on_exit(struct vcpu *v, void *opaque)
{
	struct vm *vm = opaque;
	struct kvm_run *run = v->run;
	char what[120];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (!mh_doorbell(vm, v, run))
			pio_exit(vm, run);
		return vm_end_requested(vm);
	case KVM_EXIT_MMIO:
		bus_dispatch(&vm->mmio, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			     run->mmio.is_write);
		return vm_end_requested(vm);
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; with one KVM waits itself. */
		return 0;
	case KVM_EXIT_SHUTDOWN:
		return crash(vm, v, "triple fault (KVM_EXIT_SHUTDOWN)");
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "KVM internal error, suberror %u%s",
			 run->internal.suberror,
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
			     ? " (instruction emulation failed)"
			     : "");
		return crash(vm, v, what);
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "VM entry failed, reason %#llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return crash(vm, v, what);
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
			vm_request_end(vm, VM_END_RESET, 0, "guest reset");
			return 1;
		}
		vm_request_end(vm, VM_END_POWEROFF, 0, "guest system event");
		return 1;
	default:
		snprintf(what, sizeof(what), "unhandled KVM exit reason %u", run->exit_reason);
		return crash(vm, v, what);
	}
}

static void on_run_error(struct vcpu *v, int err, void *opaque)
{
	char msg[120];

	snprintf(msg, sizeof(msg), "vCPU %u: KVM_RUN: %s", v->id, strerror(-err));
	vm_request_end(opaque, VM_END_ERROR, 0, msg);
}

const struct vcpu_ops vm_vcpu_ops = {
    .on_exit = on_exit,
    .on_run_error = on_run_error,
};
