// SPDX-License-Identifier: MIT
#include "state.h"
#include "snapshot.h"
#include "vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum part {
	PART_VM = 1u << 0,
	PART_UART = 1u << 1,
	PART_RTC = 1u << 2,
	PART_I8042 = 1u << 3,
	PART_PCI = 1u << 4,
	PARTS_ALL = (1u << 5) - 1,
};

static int nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/* Send m if it was built whole (built), else drop it: out of memory. */
static int send_built(struct xport *x, cbor_item_t *m, bool built, char *err, size_t errlen)
{
	if (!built) {
		if (m)
			cbor_decref(&m);
		return nomem(err, errlen);
	}
	return wire_send(x, m, NULL, 0);
}

/* ---- sending ---- */

static int send_vm(struct xport *x, struct vm *vm, char *err, size_t errlen)
{
	struct vm_snapshot s;
	cbor_item_t *m;
	int ret = vm_snapshot_save(vm->vm_fd, &s, err, errlen);

	if (ret)
		return ret;
	m = wire_new("vm-state", 5);
	bool failed = !m || wire_put_bytes(m, "pic-master", &s.pic_master, sizeof(s.pic_master)) ||
		      wire_put_bytes(m, "pic-slave", &s.pic_slave, sizeof(s.pic_slave)) ||
		      wire_put_bytes(m, "ioapic", &s.ioapic, sizeof(s.ioapic)) ||
		      wire_put_bytes(m, "pit", &s.pit, sizeof(s.pit)) ||
		      wire_put_bytes(m, "clock", &s.clock, sizeof(s.clock));
	return send_built(x, m, !failed, err, errlen);
}

static int send_vcpu(struct xport *x, struct vm *vm, unsigned int i,
		     const struct snapshot_msr_list *list, enum snapshot_scope scope,
		     struct vcpu_snapshot *s, char *err, size_t errlen)
{
	cbor_item_t *m;
	int ret = vcpu_snapshot_save(&vm->vcpus[i], list, scope, s, err, errlen);
	bool all = scope == SNAPSHOT_ALL;

	if (ret)
		return ret;
	m = wire_new("vcpu-state", 11);
	bool failed = !m || wire_put_u(m, "index", i) || wire_put_u(m, "scope", scope) ||
		      (all && (wire_put_bytes(m, "regs", &s->regs, sizeof(s->regs)) ||
			       wire_put_bytes(m, "sregs", &s->sregs, sizeof(s->sregs)) ||
			       wire_put_bytes(m, "xcrs", &s->xcrs, sizeof(s->xcrs)) ||
			       wire_put_bytes(m, "debugregs", &s->dregs, sizeof(s->dregs)) ||
			       wire_put_bytes(m, "xsave", s->xsave, s->xsave_size))) ||
		      wire_put_bytes(m, "lapic", &s->lapic, sizeof(s->lapic)) ||
		      wire_put_bytes(m, "events", &s->events, sizeof(s->events)) ||
		      wire_put_bytes(m, "mp-state", &s->mp, sizeof(s->mp)) ||
		      wire_put_bytes(m, "msrs", s->msrs, sizeof(s->msrs[0]) * s->nr_msrs);
	return send_built(x, m, !failed, err, errlen);
}

static int send_uart(struct xport *x, struct uart *u, char *err, size_t errlen)
{
	uint8_t rx[UART_RX_BUF];
	cbor_item_t *m = wire_new("uart", 12);
	bool failed;

	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->rx_len; i++) /* the backlog, oldest first */
		rx[i] = u->rx[(u->rx_head + i) % UART_RX_BUF];
	failed = !m || wire_put_u(m, "ier", u->r.ier) ||
		 wire_put_u(m, "thri", u->r.iir_thri_pending) || wire_put_u(m, "lcr", u->r.lcr) ||
		 wire_put_u(m, "mcr", u->r.mcr) || wire_put_u(m, "lsr", u->r.lsr) ||
		 wire_put_u(m, "msr", u->r.msr) || wire_put_u(m, "scr", u->r.scr) ||
		 wire_put_u(m, "dll", u->r.dll) || wire_put_u(m, "dlm", u->r.dlm) ||
		 wire_put_u(m, "fcr", u->r.fcr) || wire_put_bytes(m, "rx", rx, u->rx_len);
	pthread_mutex_unlock(&u->lock);
	return send_built(x, m, !failed, err, errlen);
}

static int send_rtc(struct xport *x, struct rtc *r, char *err, size_t errlen)
{
	cbor_item_t *m = wire_new("rtc", 3);
	bool failed;

	pthread_mutex_lock(&r->lock);
	/* The offset to the host clock, two's complement: both hosts keep UTC. */
	failed = !m || wire_put_u(m, "index", r->index) ||
		 wire_put_bytes(m, "cmos", r->cmos, RTC_CMOS_SIZE) ||
		 wire_put_u(m, "offset", (uint64_t)r->offset);
	pthread_mutex_unlock(&r->lock);
	return send_built(x, m, !failed, err, errlen);
}

static int send_i8042(struct xport *x, struct i8042 *k, char *err, size_t errlen)
{
	cbor_item_t *m = wire_new("i8042", 5);
	bool failed;

	pthread_mutex_lock(&k->lock);
	failed = !m || wire_put_u(m, "ctr", k->ctr) || wire_put_u(m, "out", k->out) ||
		 wire_put_u(m, "out-full", k->out_full) ||
		 wire_put_u(m, "pending-cmd", k->pending_cmd) ||
		 wire_put_u(m, "last-write-cmd", k->last_write_cmd);
	pthread_mutex_unlock(&k->lock);
	return send_built(x, m, !failed, err, errlen);
}

static int send_pci(struct xport *x, struct pci_host *p, char *err, size_t errlen)
{
	cbor_item_t *m = wire_new("pci-host", 2);
	bool failed;

	pthread_mutex_lock(&p->lock);
	failed = !m || wire_put_u(m, "address", p->address) ||
		 wire_put_bytes(m, "config", p->config, sizeof(p->config));
	pthread_mutex_unlock(&p->lock);
	return send_built(x, m, !failed, err, errlen);
}

int state_send(struct xport *x, struct vm *vm, int scope, unsigned int nr_vcpus, char *err,
	       size_t errlen)
{
	struct snapshot_msr_list list;
	struct vcpu_snapshot s;
	int ret;

	if ((ret = snapshot_msr_list_init(vm->kvm_fd, &list))) {
		snprintf(err, errlen, "KVM_GET_MSR_INDEX_LIST: %s", strerror(-ret));
		return ret;
	}
	if ((ret = vcpu_snapshot_init(&s, snapshot_xsave_size(vm->kvm_fd))))
		return nomem(err, errlen);
	ret = send_vm(x, vm, err, errlen);
	for (unsigned int i = 0; !ret && i < nr_vcpus; i++)
		ret = send_vcpu(x, vm, i, &list, (enum snapshot_scope)scope, &s, err, errlen);
	vcpu_snapshot_free(&s);
	ret = ret ?: send_uart(x, &vm->uart, err, errlen);
	ret = ret ?: send_rtc(x, &vm->rtc, err, errlen);
	ret = ret ?: send_i8042(x, &vm->i8042, err, errlen);
	ret = ret ?: send_pci(x, &vm->pci_host, err, errlen);
	if (ret && !err[0]) {
		char text[120];

		snprintf(err, errlen, "sending the VM state: %s",
			 wire_error_text(ret, "the target", text, sizeof(text)));
	}
	return ret;
}

/* ---- loading ---- */

static int u8_field(const struct wire_msg *m, const char *key, uint8_t *out, char *err,
		    size_t errlen)
{
	uint64_t v;
	int ret = wire_get_u(m, key, UINT8_MAX, &v, err, errlen);

	if (!ret)
		*out = (uint8_t)v;
	return ret;
}

static int load_vm(struct vm *vm, const struct wire_msg *m, char *err, size_t errlen)
{
	struct vm_snapshot s;
	int ret;

	if ((ret = wire_get_exact(m, "pic-master", &s.pic_master, sizeof(s.pic_master), err,
				  errlen)) ||
	    (ret =
		 wire_get_exact(m, "pic-slave", &s.pic_slave, sizeof(s.pic_slave), err, errlen)) ||
	    (ret = wire_get_exact(m, "ioapic", &s.ioapic, sizeof(s.ioapic), err, errlen)) ||
	    (ret = wire_get_exact(m, "pit", &s.pit, sizeof(s.pit), err, errlen)) ||
	    (ret = wire_get_exact(m, "clock", &s.clock, sizeof(s.clock), err, errlen)))
		return ret;
	if (s.pic_master.chip_id != KVM_IRQCHIP_PIC_MASTER ||
	    s.pic_slave.chip_id != KVM_IRQCHIP_PIC_SLAVE ||
	    s.ioapic.chip_id != KVM_IRQCHIP_IOAPIC) {
		snprintf(err, errlen, "'vm-state': irqchip ids out of place");
		return -EPROTO;
	}
	return vm_snapshot_load(vm->vm_fd, &s, err, errlen);
}

static int load_vcpu(struct vm *vm, const struct wire_msg *m, struct state_seen *seen, char *err,
		     size_t errlen)
{
	struct vcpu_snapshot s;
	const uint8_t *p;
	size_t n;
	uint64_t i, scope;
	int ret;

	/* Under SEV-ES only the OS vCPUs migrate: a handler vCPU is the
	 * target's own, and running. */
	if (!seen->nr_migrating || seen->nr_migrating > vm->nr_vcpus) {
		snprintf(err, errlen, "'vcpu-state' while no vCPU migrates");
		return -EPROTO;
	}
	if ((ret = wire_get_u(m, "index", seen->nr_migrating - 1, &i, err, errlen)) ||
	    (ret = wire_get_u(m, "scope", SNAPSHOT_HOST_OWNED, &scope, err, errlen)))
		return ret;
	/* SEV-ES: the registers are sealed; only the host's part may come. */
	if ((vm->sev != NULL) != (scope == SNAPSHOT_HOST_OWNED)) {
		snprintf(err, errlen, "'vcpu-state' of scope %llu for a%s VM",
			 (unsigned long long)scope, vm->sev ? "n SEV-ES" : " plain");
		return -EPROTO;
	}
	if (i >= sizeof(seen->vcpu) || seen->vcpu[i]) {
		snprintf(err, errlen, "'vcpu-state' for vCPU %llu twice", (unsigned long long)i);
		return -EPROTO;
	}
	if (vcpu_snapshot_init(&s, snapshot_xsave_size(vm->kvm_fd)))
		return nomem(err, errlen);
	s.scope = (int)scope;
	if (scope == SNAPSHOT_ALL &&
	    ((ret = wire_get_exact(m, "regs", &s.regs, sizeof(s.regs), err, errlen)) ||
	     (ret = wire_get_exact(m, "sregs", &s.sregs, sizeof(s.sregs), err, errlen)) ||
	     (ret = wire_get_exact(m, "xcrs", &s.xcrs, sizeof(s.xcrs), err, errlen)) ||
	     (ret = wire_get_exact(m, "debugregs", &s.dregs, sizeof(s.dregs), err, errlen)) ||
	     (ret = wire_get_exact(m, "xsave", s.xsave, s.xsave_size, err, errlen))))
		goto out;
	if ((ret = wire_get_exact(m, "lapic", &s.lapic, sizeof(s.lapic), err, errlen)) ||
	    (ret = wire_get_exact(m, "events", &s.events, sizeof(s.events), err, errlen)) ||
	    (ret = wire_get_exact(m, "mp-state", &s.mp, sizeof(s.mp), err, errlen)) ||
	    (ret = wire_get_bytes(m, "msrs", &p, &n, err, errlen)))
		goto out;
	if (n % sizeof(s.msrs[0]) || n / sizeof(s.msrs[0]) > SNAPSHOT_MAX_MSRS) {
		snprintf(err, errlen, "'vcpu-state': msrs of %zu bytes", n);
		ret = -EPROTO;
		goto out;
	}
	s.nr_msrs = (unsigned int)(n / sizeof(s.msrs[0]));
	if (n)
		memcpy(s.msrs, p, n);
	for (unsigned int k = 0; k < s.nr_msrs; k++)
		if (!snapshot_msr_carried(s.msrs[k].index, (enum snapshot_scope)scope)) {
			snprintf(err, errlen, "'vcpu-state': MSR %#x is not one sevm carries%s",
				 s.msrs[k].index,
				 scope == SNAPSHOT_HOST_OWNED ? " for SEV-ES" : "");
			ret = -EPROTO;
			goto out;
		}
	if (!(ret = vcpu_snapshot_load(&vm->vcpus[i], &s, err, errlen))) {
		seen->vcpu[i] = 1;
		seen->vcpus++;
	}
out:
	vcpu_snapshot_free(&s);
	return ret;
}

static int load_uart(struct uart *u, const struct wire_msg *m, char *err, size_t errlen)
{
	struct uart_regs r;
	const uint8_t *rx;
	size_t n;
	int ret;

	if ((ret = u8_field(m, "ier", &r.ier, err, errlen)) ||
	    (ret = u8_field(m, "thri", &r.iir_thri_pending, err, errlen)) ||
	    (ret = u8_field(m, "lcr", &r.lcr, err, errlen)) ||
	    (ret = u8_field(m, "mcr", &r.mcr, err, errlen)) ||
	    (ret = u8_field(m, "lsr", &r.lsr, err, errlen)) ||
	    (ret = u8_field(m, "msr", &r.msr, err, errlen)) ||
	    (ret = u8_field(m, "scr", &r.scr, err, errlen)) ||
	    (ret = u8_field(m, "dll", &r.dll, err, errlen)) ||
	    (ret = u8_field(m, "dlm", &r.dlm, err, errlen)) ||
	    (ret = u8_field(m, "fcr", &r.fcr, err, errlen)) ||
	    (ret = wire_get_bytes(m, "rx", &rx, &n, err, errlen)))
		return ret;
	if (n > UART_RX_BUF) {
		snprintf(err, errlen, "'uart': %zu bytes of input backlog (at most %d)", n,
			 UART_RX_BUF);
		return -EPROTO;
	}
	pthread_mutex_lock(&u->lock);
	u->r = r;
	if (n)
		memcpy(u->rx, rx, n);
	u->rx_head = 0;
	u->rx_len = n;
	pthread_mutex_unlock(&u->lock);
	return 0;
}

static int load_rtc(struct rtc *r, const struct wire_msg *m, char *err, size_t errlen)
{
	uint8_t cmos[RTC_CMOS_SIZE], index;
	uint64_t off;
	int ret;

	if ((ret = u8_field(m, "index", &index, err, errlen)) ||
	    (ret = wire_get_exact(m, "cmos", cmos, sizeof(cmos), err, errlen)) ||
	    (ret = wire_get_u(m, "offset", UINT64_MAX, &off, err, errlen)))
		return ret;
	pthread_mutex_lock(&r->lock);
	r->index = index;
	memcpy(r->cmos, cmos, sizeof(cmos));
	r->offset = (int64_t)off;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static int load_i8042(struct i8042 *k, const struct wire_msg *m, char *err, size_t errlen)
{
	uint8_t ctr, out, full, cmd, last;
	int ret;

	if ((ret = u8_field(m, "ctr", &ctr, err, errlen)) ||
	    (ret = u8_field(m, "out", &out, err, errlen)) ||
	    (ret = u8_field(m, "out-full", &full, err, errlen)) ||
	    (ret = u8_field(m, "pending-cmd", &cmd, err, errlen)) ||
	    (ret = u8_field(m, "last-write-cmd", &last, err, errlen)))
		return ret;
	pthread_mutex_lock(&k->lock);
	k->ctr = ctr, k->out = out, k->out_full = full != 0, k->pending_cmd = cmd;
	k->last_write_cmd = last != 0;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

static int load_pci(struct pci_host *p, const struct wire_msg *m, char *err, size_t errlen)
{
	uint8_t config[sizeof(p->config)];
	uint64_t address;
	int ret;

	if ((ret = wire_get_u(m, "address", UINT32_MAX, &address, err, errlen)) ||
	    (ret = wire_get_exact(m, "config", config, sizeof(config), err, errlen)))
		return ret;
	pthread_mutex_lock(&p->lock);
	p->address = (uint32_t)address;
	memcpy(p->config, config, sizeof(config));
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int state_load(struct vm *vm, const struct wire_msg *m, struct state_seen *seen, char *err,
	       size_t errlen)
{
	static const struct {
		const char *type;
		unsigned int part;
	} kinds[] = {{"vm-state", PART_VM},
		     {"uart", PART_UART},
		     {"rtc", PART_RTC},
		     {"i8042", PART_I8042},
		     {"pci-host", PART_PCI}};
	unsigned int part = 0;
	int ret;

	if (!strcmp(m->type, "vcpu-state")) {
		ret = load_vcpu(vm, m, seen, err, errlen);
		return ret ? ret : 1;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(m->type, kinds[i].type))
			part = kinds[i].part;
	if (!part)
		return 0;
	if (seen->parts & part) {
		snprintf(err, errlen, "'%s' twice", m->type);
		return -EPROTO;
	}
	switch (part) {
	case PART_VM:
		ret = load_vm(vm, m, err, errlen);
		break;
	case PART_UART:
		ret = load_uart(&vm->uart, m, err, errlen);
		break;
	case PART_RTC:
		ret = load_rtc(&vm->rtc, m, err, errlen);
		break;
	case PART_I8042:
		ret = load_i8042(&vm->i8042, m, err, errlen);
		break;
	default:
		ret = load_pci(&vm->pci_host, m, err, errlen);
		break;
	}
	if (ret)
		return ret;
	seen->parts |= part;
	return 1;
}

bool state_complete(const struct state_seen *seen, unsigned int nr_vcpus, char *err, size_t errlen)
{
	if (seen->parts != PARTS_ALL) {
		snprintf(err, errlen, "the VM state is incomplete (parts 0x%x of 0x%x)",
			 seen->parts, PARTS_ALL);
		return false;
	}
	if (seen->vcpus != nr_vcpus) {
		snprintf(err, errlen, "state for %u of %u vCPUs", seen->vcpus, nr_vcpus);
		return false;
	}
	return true;
}
