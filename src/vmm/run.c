// SPDX-License-Identifier: MIT
#include "run.h"
#include "console.h"
#include "control.h"
#include "control_path.h"
#include "migrate.h"
#include "vm.h"
#include "vm_sev.h"
#include "sevm/fw_abi.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { POLL_END, POLL_SIGNAL, POLL_STDIN, POLL_CONTROL, NR_POLL };

/* Whether a server answers at the Unix socket path. */
static bool control_path_live(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return true; /* cannot tell: leave it alone */
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != ECONNREFUSED;
	close(fd);
	return live;
}

static int make_signalfd(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	/* Blocked before any thread starts, so every thread inherits the mask
	 * and the signals only ever arrive through the signalfd. */
	if (pthread_sigmask(SIG_BLOCK, set, NULL))
		return -1;
	return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void forward_stdin(struct vm *vm, struct pollfd *pfd)
{
	uint8_t buf[256];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n > 0)
		uart_receive(&vm->uart, buf, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		pfd->fd = -1; /* EOF or a dead terminal: the guest gets no more input */
}

static void serve(struct vm *vm, int sig_fd, struct control *ctl)
{
	struct pollfd pfd[NR_POLL] = {
	    [POLL_END] = {.fd = vm->end_fd, .events = POLLIN},
	    [POLL_SIGNAL] = {.fd = sig_fd, .events = POLLIN},
	    [POLL_STDIN] = {.fd = vm->cfg->console == CONSOLE_STDIO ? STDIN_FILENO : -1,
			    .events = POLLIN},
	    [POLL_CONTROL] = {.fd = -1, .events = POLLIN},
	};

	for (;;) {
		pfd[POLL_CONTROL].fd = ctl ? control_poll_fd(ctl) : -1;
		if (poll(pfd, NR_POLL, -1) < 0) {
			if (errno == EINTR)
				continue;
			vm_request_end(vm, VM_END_ERROR, 0, "poll failed");
			return;
		}
		if (pfd[POLL_SIGNAL].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				char msg[64];

				snprintf(msg, sizeof(msg), "stopped on %s",
					 strsignal((int)si.ssi_signo));
				vm_request_end(vm, VM_END_SIGNAL, si.ssi_signo, msg);
			}
		}
		if (pfd[POLL_END].revents & POLLIN)
			return;
		if (pfd[POLL_STDIN].revents & (POLLIN | POLLHUP | POLLERR))
			forward_stdin(vm, &pfd[POLL_STDIN]);
		if (pfd[POLL_CONTROL].revents & (POLLIN | POLLHUP | POLLERR))
			control_serve(ctl);
	}
}

static const char *firmware_reason(uint32_t reason)
{
	const char *text = fw_exit_reason_text(reason);

	return text ? text : "unknown reason";
}

static int report(const struct vm *vm)
{
	switch (vm->end) {
	case VM_END_POWEROFF:
		if (vm->cfg->firmware_data && (vm->end_status & FW_EXIT_MASK) == FW_EXIT_BASE) {
			fprintf(stderr, "sevm: firmware refused to boot: %s\n",
				firmware_reason(vm->end_status & ~FW_EXIT_MASK));
			return RUN_FIRMWARE_REFUSED;
		}
		if (vm->end_status == 0) {
			fprintf(stderr, "sevm: guest powered off\n");
			return RUN_OK;
		}
		fprintf(stderr, "sevm: guest powered off with status %u\n", vm->end_status);
		return RUN_GUEST_FAILED;
	case VM_END_RESET:
		fprintf(stderr, "sevm: %s: VM stopped (sevm does not reboot guests)\n",
			vm->end_msg);
		return RUN_OK;
	case VM_END_SIGNAL:
		fprintf(stderr, "sevm: VM %s\n", vm->end_msg);
		return RUN_OK;
	case VM_END_CRASH:
		fprintf(stderr, "sevm: guest crashed: %s\n", vm->end_msg);
		return RUN_GUEST_CRASHED;
	case VM_END_MIGRATED:
		fprintf(stderr, "sevm: VM %s\n", vm->end_msg);
		return RUN_OK;
	default:
		fprintf(stderr, "sevm: %s\n", vm->end_msg[0] ? vm->end_msg : "VM failed");
		return RUN_ERROR;
	}
}

/*
 * The default control socket (control_path.h). Not having one is no
 * reason to stop the VM: a name another running VM uses, say, only costs
 * this one its socket, which sevm says.
 */
static bool open_default_control(struct control *ctl, struct vm *vm)
{
	char path[256], dir[200], err[320];
	int ret;

	if (control_default_dir(dir, sizeof(dir)) ||
	    control_default_path(vm->cfg->name, path, sizeof(path)))
		return false;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "sevm: no control socket: %s: %s (give --control PATH)\n", dir,
			strerror(errno));
		return false;
	}
	ret = control_open(ctl, vm, path, err, sizeof(err));
	if (ret == -EADDRINUSE && !control_path_live(path)) {
		unlink(path); /* a stale socket: its sevm is gone */
		ret = control_open(ctl, vm, path, err, sizeof(err));
	}
	if (ret == -EADDRINUSE) {
		fprintf(stderr, "sevm: no control socket: another VM named '%s' serves %s "
				"(give --control PATH)\n", vm->cfg->name, path);
		return false;
	}
	if (ret) {
		fprintf(stderr, "sevm: no control socket: %s\n", err);
		return false;
	}
	fprintf(stderr, "sevm: control socket %s\n", path);
	return true;
}

int run_vm(const struct vm_config *cfg, const struct run_opts *opts)
{
	struct control ctl;
	struct vm vm;
	char err[320];
	sigset_t set;
	int sig_fd, status, ret;
	bool have_ctl = false, incoming_failed = false;

	sig_fd = make_signalfd(&set);
	if (sig_fd < 0) {
		fprintf(stderr, "sevm: signalfd: %s\n", strerror(errno));
		return RUN_ERROR;
	}
	if (vm_create(&vm, cfg, err, sizeof(err))) {
		fprintf(stderr, "sevm: %s\n", err);
		close(sig_fd);
		return RUN_ERROR;
	}
	/* An SEV-ES target boots its firmware as a migration target: the
	 * guest arrives through its Migration Handler. */
	vm.migration_target = opts->migration_target || (opts->incoming && cfg->sev.enabled);
	ret = vm_boot(&vm, err, sizeof(err));
	if (!ret && cfg->sev.enabled)
		ret = vm_sev_launch(&vm, err, sizeof(err));
	if (!ret && opts->incoming) {
		/* Plain: the vCPUs have not run; they start from what arrives.
		 * SEV-ES: the firmware runs (its MH receives), and the migrated
		 * vCPUs start from their VMSAs once the commit verified. */
		if (cfg->sev.enabled)
			ret = vm_start(&vm, err, sizeof(err));
		ret = ret ?: migrate_target(&vm, opts->incoming, MIGRATION_TARGET_TIMEOUT_MS, sig_fd,
					    err, sizeof(err));
		incoming_failed = ret != 0;
		/* A vCPU that crashed while the guest arrived (a handler vCPU
		 * of an SEV-ES target) is the cause; say so, as serve() would. */
		char why[sizeof(vm.end_msg)];
		if (incoming_failed && vm_end_reason(&vm, why, sizeof(why)) == VM_END_CRASH)
			fprintf(stderr, "sevm: guest crashed: %s\n", why);
		if (!ret)
			fprintf(stderr, "sevm: migration received; the VM runs here now\n");
	}
	if (!ret && opts->control_path) {
		have_ctl = !(ret = control_open(&ctl, &vm, opts->control_path, err, sizeof(err)));
		if (have_ctl)
			fprintf(stderr, "sevm: control socket %s\n", opts->control_path);
	} else if (!ret && !opts->no_control) {
		have_ctl = open_default_control(&ctl, &vm);
	}
	if (!(opts->incoming && cfg->sev.enabled))
		ret = ret ?: vm_start(&vm, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sevm: %s\n", err);
		if (have_ctl)
			control_close(&ctl);
		vm_destroy(&vm);
		close(sig_fd);
		if (incoming_failed)
			return RUN_MIGRATION_FAILED;
		return ret == -EACCES && cfg->sev.enabled ? RUN_LAUNCH_REFUSED : RUN_ERROR;
	}
	if (cfg->console == CONSOLE_STDIO)
		console_raw_begin();
	serve(&vm, sig_fd, have_ctl ? &ctl : NULL);
	vm_stop(&vm);
	console_raw_end();
	status = report(&vm);
	if (have_ctl)
		control_close(&ctl);
	vm_destroy(&vm);
	close(sig_fd);
	return status;
}
