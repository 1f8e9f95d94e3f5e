// SPDX-License-Identifier: MIT
/*
 * `sevm owner init|measure|serve` (docs/attestation.md, docs/cli.md).
 */
#include "sev/owner/cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sev/launch_inputs.h"
#include "sev/owner/owner.h"
#include "sev/owner/serve.h"
#include "vmm/config.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage[] =
    "Usage: sevm owner init DIR\n"
    "       sevm owner measure VM.TOML\n"
    "       sevm owner serve --listen HOST:PORT --dir DIR\n"
    "                        (--trust-oca FILE | --trust-any-platform)\n"
    "                        [--min-firmware MAJOR.MINOR.BUILD] VM.TOML\n"
    "\n"
    "The guest owner: holds the owner key and the migration transport key, and\n"
    "releases the secret only to a launch whose measurement it recomputed.\n"
    "\n"
    "  init     make the owner keys in DIR (owner.pem, transport.key; kept if present)\n"
    "  measure  print the launch digest, policy, vCPUs and CPU signature VM.TOML expects\n"
    "  serve    answer sevm launches of VM.TOML (the owner's own copy of the VM's\n"
    "           files) on HOST:PORT (port 0: any free one), with the keys made by\n"
    "           init. --trust-oca: only the platform whose OCA certificate is FILE\n"
    "           (emu: PLATFORM_DIR/oca.cert); --trust-any-platform: any platform\n"
    "           with a consistent chain (testing only: its owner could take the\n"
    "           secret); --min-firmware: refuse platforms reporting older firmware\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 bad command line or config.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "sevm: owner: %s%s\nTry 'sevm owner --help' for more information.\n", msg,
		arg);
	return EXIT_USAGE;
}

static int load_expect(const char *path, struct vm_config *cfg)
{
	struct config_limits lim;

	config_host_limits(&lim);
	if (config_load(path, &lim, cfg, stderr))
		return EXIT_USAGE;
	if (!cfg->sev.enabled) {
		config_free(cfg);
		fprintf(stderr, "sevm: owner: %s has no [sev] table: it describes no SEV-ES launch\n",
			path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int cmd_init(int argc, char **argv)
{
	int ret;

	if (argc != 2)
		return usage_error("init takes one DIR", "");
	ret = owner_init_dir(argv[1]);
	if (ret) {
		fprintf(stderr, "sevm: owner: %s: %s\n", argv[1], strerror(-ret));
		return EXIT_FAIL;
	}
	printf("owner: keys in %s (%s, %s)\n", argv[1], OWNER_KEY_FILE, OWNER_TRANSPORT_KEY_FILE);
	return EXIT_OK;
}

static int cmd_measure(int argc, char **argv)
{
	struct vm_config cfg;
	uint8_t ld[SEV_DIGEST_SIZE];
	uint32_t sig;
	int ret;

	if (argc != 2)
		return usage_error("measure takes one VM.TOML", "");
	ret = load_expect(argv[1], &cfg);
	if (ret)
		return ret;
	sig = sev_launch_cpu_signature(&cfg, sev_host_cpu_signature());
	ret = sev_launch_expected_digest(&cfg, sig, ld);
	if (ret) {
		fprintf(stderr, "sevm: owner: launch digest: %s\n", strerror(-ret));
		config_free(&cfg);
		return EXIT_FAIL;
	}
	printf("launch digest: ");
	for (size_t i = 0; i < sizeof(ld); i++)
		printf("%02x", ld[i]);
	printf("\npolicy: %#x\nvcpus: %u\ncpu signature: %#x\n", cfg.sev.policy,
	       sev_launch_vcpus(&cfg), sig);
	config_free(&cfg);
	return EXIT_OK;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"dir", required_argument, NULL, 'd'},
	    {"trust-oca", required_argument, NULL, 't'},
	    {"trust-any-platform", no_argument, NULL, 'a'},
	    {"min-firmware", required_argument, NULL, 'm'},
	    {NULL, 0, NULL, 0},
	};
	const char *listen = NULL, *dir = NULL, *oca = NULL, *min = NULL;
	bool any = false;
	unsigned int v[3];
	struct vm_config cfg;
	struct owner o;
	char err[320], end;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'l')
			listen = optarg;
		else if (c == 'd')
			dir = optarg;
		else if (c == 't')
			oca = optarg;
		else if (c == 'a')
			any = true;
		else if (c == 'm')
			min = optarg;
		else
			return usage_error("serve: unknown option or missing value: ",
					   argv[optind - 1]);
	}
	if (!listen || !dir)
		return usage_error("serve needs --listen HOST:PORT and --dir DIR", "");
	if (!oca == !any)
		return usage_error("serve needs exactly one of --trust-oca FILE and "
				   "--trust-any-platform",
				   "");
	if (min && (sscanf(min, "%u.%u.%u%c", &v[0], &v[1], &v[2], &end) != 3 || v[0] > 255 ||
		    v[1] > 255 || v[2] > 255))
		return usage_error("--min-firmware is not MAJOR.MINOR.BUILD: ", min);
	if (argc - optind != 1)
		return usage_error("serve takes one VM.TOML", "");
	ret = load_expect(argv[optind], &cfg);
	if (ret)
		return ret;
	ret = owner_open(&o, dir, &cfg, false, err, sizeof(err));
	config_free(&cfg);
	if (!ret && oca)
		ret = owner_pin_oca(&o, oca, err, sizeof(err));
	o.trust_any = any;
	if (min) {
		o.min_fw_set = true;
		o.min_fw = (struct sev_build){(uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2]};
	}
	if (!ret && any)
		fprintf(stderr, "sevm: owner: warning: --trust-any-platform: whoever runs the "
				"platform could take the secret\n");
	if (!ret)
		ret = owner_serve(&o, listen, stdout, err, sizeof(err));
	owner_close(&o);
	if (!ret)
		return EXIT_OK;
	fprintf(stderr, "sevm: owner: %s\n", err);
	return EXIT_FAIL;
}

int owner_cli(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("missing subcommand", "");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "init"))
		return cmd_init(argc - 1, argv + 1);
	if (!strcmp(argv[1], "measure"))
		return cmd_measure(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	return usage_error("unknown subcommand ", argv[1]);
}
