// SPDX-License-Identifier: MIT
/*
 * sevm's command line: `sevm [--help|--version] COMMAND [ARGS]`.
 * Only main() decides the exit status (conventions.md §3); docs/cli.md lists them.
 */
#include "config.h"
#include "migrate_cli.h"
#include "run.h"
#include "sev/owner/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_main[] =
    "Usage: sevm [--help] [--version] COMMAND [ARGS]\n"
    "\n"
    "A lean VMM for AMD SEV-ES confidential VMs on KVM.\n"
    "\n"
    "Commands:\n"
    "  run CONFIG    boot the VM described by CONFIG (a vm.toml) and serve it\n"
    "  migrate ...   migrate a running VM to another sevm (--to HOST:PORT)\n"
    "  status ...    show a running VM and its migration\n"
    "  owner ...     the guest owner's tooling and attestation service\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "'sevm COMMAND --help' describes a command. Documentation: docs/ in the source tree.\n";

static const char usage_run[] =
    "Usage: sevm run [--help] [--control PATH | --no-control]\n"
    "                [--migration-target | --incoming HOST:PORT]\n"
    "                CONFIG\n"
    "\n"
    "Boot the VM that CONFIG (a vm.toml, see docs/config.md) describes and serve\n"
    "it until it ends. With console = \"stdio\" the guest's serial port is this\n"
    "terminal. Ctrl-C, SIGINT or SIGTERM stop the VM.\n"
    "\n"
    "Exit status:\n"
    "  0  the guest powered off with status 0 or reset, or a signal stopped the VM\n"
    "  1  sevm failed (KVM, resources)\n"
    "  2  bad command line or config\n"
    "  3  the guest powered off with a non-zero status\n"
    "  4  the guest crashed (triple fault, emulation failure)\n"
    "  5  sevm's firmware refused to boot the kernel (e.g. a hash mismatch)\n"
    "  6  SEV launch refused: the guest owner (e.g. measurement mismatch) or the\n"
    "     SEV platform (its status named) refused; the guest never ran\n"
    "  7  --incoming: no complete migration arrived (refused, cut off, stalled);\n"
    "     the guest never ran here\n"
    "\n"
    "Options:\n"
    "  -h, --help            show this help and exit\n"
    "  --control PATH        serve the control socket at PATH (docs/control.md);\n"
    "                        by default $XDG_RUNTIME_DIR/sevm/NAME.sock (else\n"
    "                        /run/sevm or /tmp/sevm-UID), NAME the VM's name\n"
    "  --no-control          serve no control socket\n"
    "  --migration-target    start the VM to receive a migration: its firmware\n"
    "                        waits for Migration Handler records, no OS boots\n"
    "  --incoming HOST:PORT  receive a running VM from `sevm migrate` on another\n"
    "                        host, then run it (plain mode; docs/migration.md)\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "sevm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'sevm --help' for more information.\n");
	return RUN_USAGE;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"control", required_argument, NULL, 'c'},
	    {"migration-target", no_argument, NULL, 't'},
	    {"incoming", required_argument, NULL, 'i'},
	    {"no-control", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	struct run_opts ro = {0};
	struct config_limits lim;
	struct vm_config cfg;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_run, stdout);
			return RUN_OK;
		}
		if (c == 'c') {
			ro.control_path = optarg;
			continue;
		}
		if (c == 't') {
			ro.migration_target = true;
			continue;
		}
		if (c == 'i') {
			ro.incoming = optarg;
			continue;
		}
		if (c == 'n') {
			ro.no_control = true;
			continue;
		}
		return usage_error("run: unknown option or missing value '%s'", argv[optind - 1]);
	}
	if (optind == argc)
		return usage_error("run: missing CONFIG%s", "");
	if (argc - optind > 1)
		return usage_error("run: unexpected argument '%s'", argv[optind + 1]);
	config_host_limits(&lim);
	if (config_load(argv[optind], &lim, &cfg, stderr))
		return RUN_USAGE;
	if (ro.migration_target && !cfg.firmware_data) {
		config_free(&cfg);
		return usage_error("run: --migration-target needs the firmware%s", "");
	}
	if (ro.incoming && ro.migration_target) {
		config_free(&cfg);
		return usage_error("run: --incoming and --migration-target exclude each other%s", "");
	}
	status = run_vm(&cfg, &ro);
	config_free(&cfg);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	/* '+': stop at the command so its own options are left to it. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_main, stdout);
			return RUN_OK;
		case 'V':
			printf("sevm %s\n", SEVM_VERSION);
			return RUN_OK;
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("missing COMMAND%s", "");
	if (!strcmp(argv[optind], "run"))
		return cmd_run(argc - optind, argv + optind);
	if (!strcmp(argv[optind], "migrate"))
		return migrate_cli(argc - optind, argv + optind);
	if (!strcmp(argv[optind], "status"))
		return status_cli(argc - optind, argv + optind);
	if (!strcmp(argv[optind], "owner"))
		return owner_cli(argc - optind, argv + optind);
	if (!strcmp(argv[optind], "help")) {
		fputs(usage_main, stdout);
		return RUN_OK;
	}
	return usage_error("unknown command '%s'", argv[optind]);
}
