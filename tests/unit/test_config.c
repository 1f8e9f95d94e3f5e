// SPDX-License-Identifier: MIT
/* Unit tests for vm.toml validation (src/vmm/config.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "helpers.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* One temp dir per run, holding every kernel and initrd the tests refer to. */
static struct {
	char *dir;
	char *cfg_path; /* dir/vm.toml: config_parse gets the text, not the file */
	char *kernel;	/* dir/bzImage */
	size_t kernel_len;
	char *initrd;	 /* dir/initrd.cpio */
	char *firmware;	 /* dir/fw.bin: a valid synthetic image, 8 VMSA pages */
	char *fw_broken; /* dir/fw-broken.bin: no sevm info entry */
} fx;

static const struct config_limits default_limits = {.max_vcpus = 64, .max_memory = 64 * GiB};

static const char cpio_initrd[] = "070701000000000000000000000000000000000000000000TRAILER!!!";
static const uint8_t gzip_initrd[] = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3};

static char *must(char *p)
{
	if (!p) {
		fprintf(stderr, "test fixture setup failed\n");
		abort();
	}
	return p;
}

static void write_kernel(const char *name, const struct bzimage_opts *o)
{
	free(must(tmp_write_bzimage(fx.dir, name, o)));
}

static void write_firmware_images(void)
{
	struct fwimg_params p;
	struct fwimg f;
	char *path;
	int fd;

	fx.firmware = must(tmp_write_fwimg(fx.dir, "fw.bin", NULL));
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	fwimg_remove(&f, GUID_STR_SEVM_INFO);
	fx.fw_broken = must(tmp_write_fwimg_raw(fx.dir, "fw-broken.bin", &f));
	p.vmsa_max = 4;
	free(must(tmp_write_fwimg(fx.dir, "fw-vmsa4.bin", &p)));
	p.vmsa_max = 1;
	free(must(tmp_write_fwimg(fx.dir, "fw-vmsa1.bin", &p)));
	p.vmsa_max = 16;
	free(must(tmp_write_fwimg(fx.dir, "fw-vmsa16.bin", &p)));
	fwimg_params_default(&p);
	p.shared_base = 0xc0000000u;
	free(must(tmp_write_fwimg(fx.dir, "fw-shared.bin", &p)));
	path = must(path_join(fx.dir, "fwdir"));
	if (mkdir(path, 0755))
		abort();
	free(path);
	/* Sparse: one page over the 16 MiB limit. */
	path = must(path_join(fx.dir, "fw-huge.bin"));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)(16 << 20) + 4096) || close(fd))
		abort();
	free(path);
}

static int group_setup(void **state)
{
	struct bzimage_opts o;
	char *p;
	int fd;

	(void)state;
	fx.dir = must(tmpdir_create());
	fx.cfg_path = must(path_join(fx.dir, "vm.toml"));
	fx.kernel = must(tmp_write_bzimage(fx.dir, "bzImage", NULL));
	bzimage_opts_default(&o);
	fx.kernel_len = (o.setup_sects + 1u) * 512u + o.payload_len;
	fx.initrd =
	    must(tmp_write_file(fx.dir, "initrd.cpio", cpio_initrd, sizeof(cpio_initrd) - 1));
	free(must(tmp_write_file(fx.dir, "initrd.gz", gzip_initrd, sizeof(gzip_initrd))));
	free(must(tmp_write_file(fx.dir, "empty.img", "", 0)));
	free(must(tmp_write_file(fx.dir, "junk.img", "hello, world\n", 13)));
	free(must(tmp_write_file(fx.dir, "tiny.img", "\xeb\x66", 2)));
	write_firmware_images();

	bzimage_opts_default(&o);
	o.cmdline_size = 16;
	write_kernel("short-cmdline.img", &o);
	bzimage_opts_default(&o);
	o.magic = 0x464c457f; /* "\x7fELF": a vmlinux, not a bzImage */
	write_kernel("nohdrs.img", &o);
	bzimage_opts_default(&o);
	o.boot_flag = 0;
	write_kernel("noflag.img", &o);
	bzimage_opts_default(&o);
	o.version = 0x020b;
	write_kernel("old.img", &o);
	bzimage_opts_default(&o);
	o.xloadflags = 0x0002; /* XLF_CAN_BE_LOADED_ABOVE_4G only */
	write_kernel("no64.img", &o);
	bzimage_opts_default(&o);
	o.loadflags = 0;
	write_kernel("nohigh.img", &o);
	bzimage_opts_default(&o);
	o.total_len = (o.setup_sects + 1u) * 512u; /* setup only, no payload */
	write_kernel("truncated.img", &o);

	p = must(path_join(fx.dir, "kdir"));
	if (mkdir(p, 0755))
		abort();
	free(p);
	p = must(path_join(fx.dir, "conf"));
	if (mkdir(p, 0755))
		abort();
	free(p);
	/* Sparse, so it costs nothing: one byte over the kernel size limit. */
	p = must(path_join(fx.dir, "huge.img"));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)BZIMAGE_MAX_SIZE + 1) || close(fd))
		abort();
	free(p);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tmpdir_remove(fx.dir);
	free(fx.cfg_path);
	free(fx.kernel);
	free(fx.initrd);
	free(fx.firmware);
	free(fx.fw_broken);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/* ---- helpers ---- */

struct result {
	int rc;
	char *err; /* everything written to the err stream */
	size_t err_len;
};

static struct result parse_at(const char *path, const char *text, const struct config_limits *lim,
			      struct vm_config *cfg)
{
	struct result r = {0};
	FILE *f = open_memstream(&r.err, &r.err_len);

	assert_non_null(f);
	r.rc = config_parse(path, text, strlen(text), lim, cfg, f);
	assert_int_equal(fclose(f), 0);
	return r;
}

/* Parses text that must be valid; cfg must be freed by the caller. */
static void parse_ok_lim(const char *text, const struct config_limits *lim, struct vm_config *cfg,
			 int tline)
{
	struct result r = parse_at(fx.cfg_path, text, lim, cfg);

	if (r.rc)
		print_message("test line %d: unexpected error %d: %s", tline, r.rc, r.err);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.err_len, 0);
	free(r.err);
}

#define PARSE_OK(text, cfg) parse_ok_lim(text, &default_limits, cfg, __LINE__)
#define PARSE_OK_LIM(text, lim, cfg) parse_ok_lim(text, lim, cfg, __LINE__)

/*
 * text must fail with exactly one line "CFG:LINE:COL: ..." whose message
 * contains want. The config needs no freeing afterwards: it is all zero.
 */
static void check_err(const char *text, const struct config_limits *lim, unsigned line,
		      unsigned col, const char *want, int tline)
{
	static const struct vm_config zero;
	struct vm_config cfg;
	struct result r;
	char prefix[PATH_MAX + 32];
	size_t plen;
	bool prefix_ok, msg_ok, one_line, zeroed;

	memset(&cfg, 0x5a, sizeof(cfg));
	r = parse_at(fx.cfg_path, text, lim, &cfg);
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%s:%u:%u: ", fx.cfg_path, line, col);
	prefix_ok = r.err_len > plen && !strncmp(r.err, prefix, plen);
	msg_ok = prefix_ok && strstr(r.err + plen, want);
	/* One line, newline-terminated. */
	one_line = r.err_len && strchr(r.err, '\n') == r.err + r.err_len - 1;
	zeroed = !memcmp(&cfg, &zero, sizeof(cfg));
	if (r.rc != -EINVAL || !msg_ok || !one_line)
		print_message(
		    "test line %d: got rc %d, output \"%s\"; want -EINVAL, \"%s...%s...\\n\"\n",
		    tline, r.rc, r.err ? r.err : "", prefix, want);
	/* Free before asserting, so a failure leaks nothing. */
	free(r.err);
	if (r.rc == 0)
		config_free(&cfg);
	assert_int_equal(r.rc, -EINVAL);
	assert_true(prefix_ok);
	assert_true(msg_ok);
	assert_true(one_line);
	assert_true(zeroed);
}

#define EXPECT_ERR(text, line, col, want)                                                          \
	check_err(text, &default_limits, line, col, want, __LINE__)
#define EXPECT_ERR_LIM(text, lim, line, col, want) check_err(text, lim, line, col, want, __LINE__)

/* "dir/name", in a static buffer: for messages that quote a resolved path. */
static const char *in_dir(const char *fmt, const char *name)
{
	static char buf[PATH_MAX + 256];
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fx.dir, name);
	snprintf(buf, sizeof(buf), fmt, path);
	return buf;
}

#define VM_OK "[vm]\nmemory = \"512M\"\n"
#define BOOT_OK "[boot]\nkernel = \"bzImage\"\n"

/* ---- success ---- */

static void test_minimal_defaults(void **state)
{
	struct vm_config cfg;

	(void)state;
	PARSE_OK(VM_OK BOOT_OK, &cfg);
	assert_string_equal(cfg.path, fx.cfg_path);
	assert_string_equal(cfg.name, "sevm");
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.memory, 512 * MiB);
	assert_int_equal(cfg.console, CONSOLE_STDIO);
	assert_null(cfg.console_path);
	assert_int_equal(cfg.cpu_model, CPU_MODEL_HOST);
	assert_int_equal(cfg.tsc_khz, 0);
	/* Relative to the config file's directory, not to the cwd. */
	assert_string_equal(cfg.kernel_path, fx.kernel);
	assert_int_equal(cfg.kernel_len, fx.kernel_len);
	assert_non_null(cfg.kernel_data);
	assert_ptr_equal(cfg.kernel.image, cfg.kernel_data);
	assert_ptr_equal(cfg.kernel.payload, cfg.kernel_data + 5 * 512);
	assert_int_equal(cfg.kernel.payload_len, HELPER_PAYLOAD_LEN);
	assert_int_equal(cfg.kernel.version, 0x020f);
	assert_int_equal(cfg.kernel.cmdline_size, 2047);
	for (size_t i = 0; i < HELPER_PAYLOAD_LEN; i++)
		if (cfg.kernel.payload[i] != bzimage_payload_byte(i))
			fail_msg("payload byte %zu differs", i);
	assert_null(cfg.initrd_path);
	assert_null(cfg.initrd_data);
	assert_int_equal(cfg.initrd_len, 0);
	assert_string_equal(cfg.cmdline, "");
	/* No default firmware in these limits: direct boot. */
	assert_null(cfg.firmware_path);
	assert_null(cfg.firmware_data);
	assert_int_equal(cfg.handler_vcpus, 0);
	config_free(&cfg);
	assert_null(cfg.path);
	assert_null(cfg.kernel_data);
}

static void test_full_config(void **state)
{
	char text[PATH_MAX + 512];
	struct vm_config cfg;

	(void)state;
	snprintf(text, sizeof(text),
		 "# a complete vm.toml\n"
		 "[vm]\n"
		 "name = \"web-1.test_vm\"\n"
		 "vcpus = 4\n"
		 "memory = \"2G\"\n"
		 "console = \"file:serial.log\"\n"
		 "\n"
		 "[cpu]\n"
		 "model = \"baseline\"\n"
		 "tsc_khz = 2500000\n"
		 "\n"
		 "[boot]\n"
		 "kernel = \"%s\"\n"
		 "initrd = \"initrd.cpio\"\n"
		 "cmdline = \"console=ttyS0 quiet\"\n",
		 fx.kernel);
	PARSE_OK(text, &cfg);
	assert_string_equal(cfg.name, "web-1.test_vm");
	assert_int_equal(cfg.vcpus, 4);
	assert_int_equal(cfg.memory, 2 * GiB);
	assert_int_equal(cfg.console, CONSOLE_FILE);
	assert_string_equal(cfg.console_path, in_dir("%s", "serial.log"));
	assert_int_equal(cfg.cpu_model, CPU_MODEL_BASELINE);
	assert_int_equal(cfg.tsc_khz, 2500000);
	assert_string_equal(cfg.kernel_path, fx.kernel); /* absolute: kept as is */
	assert_string_equal(cfg.initrd_path, fx.initrd);
	assert_int_equal(cfg.initrd_len, sizeof(cpio_initrd) - 1);
	assert_memory_equal(cfg.initrd_data, cpio_initrd, cfg.initrd_len);
	assert_string_equal(cfg.cmdline, "console=ttyS0 quiet");
	config_free(&cfg);
}

static void test_console_kinds(void **state)
{
	struct vm_config cfg;

	(void)state;
	PARSE_OK("[vm]\nmemory = \"64M\"\nconsole = \"none\"\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.console, CONSOLE_NONE);
	assert_null(cfg.console_path);
	config_free(&cfg);

	PARSE_OK("[vm]\nmemory = \"64M\"\nconsole = \"stdio\"\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.console, CONSOLE_STDIO);
	config_free(&cfg);

	PARSE_OK("[vm]\nmemory = \"64M\"\nconsole = \"file:/var/log/vm.log\"\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.console, CONSOLE_FILE);
	assert_string_equal(cfg.console_path, "/var/log/vm.log");
	config_free(&cfg);

	PARSE_OK("[vm]\nmemory = \"64M\"\nconsole = \"file:logs/ttyS0\"\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.console, CONSOLE_FILE);
	assert_string_equal(cfg.console_path, in_dir("%s", "logs/ttyS0"));
	config_free(&cfg);
}

static void test_relative_paths(void **state)
{
	char cfg_path[PATH_MAX], want[PATH_MAX], cwd[PATH_MAX];
	struct vm_config cfg;
	struct result r;

	(void)state;
	/* A config in a subdirectory reaches the kernel through "..". */
	snprintf(cfg_path, sizeof(cfg_path), "%s/conf/vm.toml", fx.dir);
	r = parse_at(cfg_path,
		     "[vm]\nmemory = \"64M\"\n[boot]\nkernel = \"../bzImage\"\n"
		     "initrd = \"../initrd.gz\"\n",
		     &default_limits, &cfg);
	assert_int_equal(r.rc, 0);
	free(r.err);
	snprintf(want, sizeof(want), "%s/conf/../bzImage", fx.dir);
	assert_string_equal(cfg.kernel_path, want);
	snprintf(want, sizeof(want), "%s/conf/../initrd.gz", fx.dir);
	assert_string_equal(cfg.initrd_path, want);
	assert_int_equal(cfg.initrd_len, sizeof(gzip_initrd));
	config_free(&cfg);

	/* The same kernel name relative to the wrong directory is missing. */
	r = parse_at(cfg_path, "[vm]\nmemory = \"64M\"\n[boot]\nkernel = \"bzImage\"\n",
		     &default_limits, &cfg);
	assert_int_equal(r.rc, -EINVAL);
	assert_non_null(strstr(r.err, "conf/bzImage': No such file or directory"));
	free(r.err);

	/* A bare file name: paths stay relative to the cwd, where the config is. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(fx.dir), 0);
	r = parse_at("vm.toml", VM_OK BOOT_OK, &default_limits, &cfg);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r.rc, 0);
	free(r.err);
	assert_string_equal(cfg.kernel_path, "bzImage");
	assert_string_equal(cfg.path, "vm.toml");
	config_free(&cfg);
}

static void test_config_load(void **state)
{
	static const char text[] = VM_OK "[boot]\nkernel = \"bzImage\"\ncmdline = \"ro\"\n";
	char *path = must(tmp_write_file(fx.dir, "load.toml", text, sizeof(text) - 1));
	char *out = NULL, *missing = must(path_join(fx.dir, "absent.toml"));
	size_t out_len = 0;
	struct vm_config cfg;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &out_len);
	assert_non_null(f);
	assert_int_equal(config_load(path, &default_limits, &cfg, f), 0);
	assert_string_equal(cfg.path, path);
	assert_string_equal(cfg.cmdline, "ro");
	assert_string_equal(cfg.kernel_path, fx.kernel);
	config_free(&cfg);

	assert_int_equal(config_load(missing, &default_limits, &cfg, f), -EINVAL);
	assert_int_equal(config_load(fx.dir, &default_limits, &cfg, f), -EINVAL);
	assert_int_equal(fclose(f), 0);
	assert_non_null(
	    strstr(out, "absent.toml: cannot read config: No such file or directory\n"));
	assert_non_null(strstr(out, ": cannot read config: Is a directory\n"));
	free(out);
	free(missing);
	free(path);
}

/* ---- TOML and structure ---- */

static void test_toml_syntax_errors(void **state)
{
	(void)state;
	/* Messages pass through from toml.c at the position it reports. */
	EXPECT_ERR("[vm]\nmemory = 512M\n" BOOT_OK, 2, 13, "invalid character 'M' in integer");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nconsole = stdio\n" BOOT_OK, 3, 11,
		   "invalid value (strings must be quoted)");
	EXPECT_ERR("[vm]\nmemory \"512M\"\n" BOOT_OK, 2, 8, "expected '=' after key");
	EXPECT_ERR(VM_OK BOOT_OK "kernel = \"bzImage\"\n", 5, 1, "duplicate key 'boot.kernel'");
	EXPECT_ERR(VM_OK BOOT_OK "[vm]\n", 5, 2, "table 'vm' defined twice");
	EXPECT_ERR("[vm\nmemory = \"512M\"\n", 1, 1, "unterminated table header");
	EXPECT_ERR("[vm]\nmemory = \"512M\n" BOOT_OK, 2, 15, "newline in single-line string");
	EXPECT_ERR("[vm]\nvcpus = 1.5\n", 2, 9, "floating-point values are not supported");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	EXPECT_ERR(VM_OK BOOT_OK "[disk]\npath = \"x\"\n", 5, 2,
		   "unknown key 'disk' in the top level");
	EXPECT_ERR("verbose = true\n" VM_OK BOOT_OK, 1, 1,
		   "unknown key 'verbose' in the top level");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\ncpus = 2\n" BOOT_OK, 3, 1,
		   "unknown key 'cpus' in [vm]");
	EXPECT_ERR(VM_OK "[cpu]\nmodel = \"host\"\n  flags = 1\n" BOOT_OK, 5, 3,
		   "unknown key 'flags' in [cpu]");
	EXPECT_ERR(VM_OK BOOT_OK "append = \"quiet\"\n", 5, 1, "unknown key 'append' in [boot]");
	/* The top level is checked before anything else. */
	EXPECT_ERR("[extra]\n", 1, 2, "unknown key 'extra' in the top level");
}

static void test_wrong_types(void **state)
{
	(void)state;
	EXPECT_ERR("vm = 1\n" BOOT_OK, 1, 6, "'vm' must be a table, not integer");
	EXPECT_ERR("cpu = \"host\"\n" VM_OK BOOT_OK, 1, 7, "'cpu' must be a table, not string");
	EXPECT_ERR("boot = [\"bzImage\"]\n" VM_OK, 1, 8, "'boot' must be a table, not array");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nname = 5\n" BOOT_OK, 3, 8,
		   "vm.name must be a string, not integer");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nvcpus = \"2\"\n" BOOT_OK, 3, 9,
		   "vm.vcpus must be an integer, not string");
	EXPECT_ERR("[vm]\nmemory = 536870912\n" BOOT_OK, 2, 10,
		   "vm.memory must be a string, not integer");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nconsole = true\n" BOOT_OK, 3, 11,
		   "vm.console must be a string, not boolean");
	EXPECT_ERR(VM_OK "[cpu]\nmodel = 1\n" BOOT_OK, 4, 9,
		   "cpu.model must be a string, not integer");
	EXPECT_ERR(VM_OK "[cpu]\ntsc_khz = \"2GHz\"\n" BOOT_OK, 4, 11,
		   "cpu.tsc_khz must be an integer, not string");
	EXPECT_ERR(VM_OK "[cpu]\ntsc_khz = { khz = 1 }\n" BOOT_OK, 4, 11,
		   "cpu.tsc_khz must be an integer, not table");
	EXPECT_ERR(VM_OK "[boot]\nkernel = 1\n", 4, 10,
		   "boot.kernel must be a string, not integer");
	EXPECT_ERR(VM_OK BOOT_OK "initrd = [\"a\", \"b\"]\n", 5, 10,
		   "boot.initrd must be a string, not array");
	EXPECT_ERR(VM_OK BOOT_OK "cmdline = false\n", 5, 11,
		   "boot.cmdline must be a string, not boolean");
}

static void test_missing_required(void **state)
{
	(void)state;
	/* Missing tables are reported at the start of the file. */
	EXPECT_ERR("", 1, 1, "missing required table [vm]");
	EXPECT_ERR("# nothing\n\n" BOOT_OK, 1, 1, "missing required table [vm]");
	EXPECT_ERR("\n" VM_OK, 1, 1, "missing required table [boot]");
	EXPECT_ERR(VM_OK "[cpu]\n", 1, 1, "missing required table [boot]");
	/* Missing keys at their table's header. */
	EXPECT_ERR("\n\n[vm]\nvcpus = 2\n" BOOT_OK, 3, 1, "missing required key 'memory' in [vm]");
	EXPECT_ERR(VM_OK "\n[boot]\ncmdline = \"quiet\"\n", 4, 1,
		   "missing required key 'kernel' in [boot]");
}

/* ---- [vm] ---- */

static void test_vcpus(void **state)
{
	const struct config_limits lim8 = {.max_vcpus = 8, .max_memory = 64 * GiB};
	const struct config_limits lim1024 = {.max_vcpus = 1024, .max_memory = 64 * GiB};
	struct vm_config cfg;

	(void)state;
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nvcpus = 0\n" BOOT_OK, 3, 9,
		   "vm.vcpus is 0; it must be between 1 and 64");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nvcpus = -1\n" BOOT_OK, 3, 9,
		   "vm.vcpus is -1; it must be between 1 and 64");
	EXPECT_ERR_LIM("[vm]\nvcpus = 9\nmemory = \"512M\"\n" BOOT_OK, &lim8, 2, 9,
		       "vm.vcpus is 9; it must be between 1 and 8 (KVM allows 8");
	EXPECT_ERR_LIM("[vm]\nvcpus = 255\nmemory = \"512M\"\n" BOOT_OK, &lim1024, 2, 9,
		       "vm.vcpus is 255; it must be between 1 and 254 (KVM allows 1024");
	EXPECT_ERR_LIM("[vm]\nvcpus = 4294967297\nmemory = \"512M\"\n" BOOT_OK, &lim1024, 2, 9,
		       "vm.vcpus is 4294967297;");

	PARSE_OK_LIM("[vm]\nvcpus = 8\nmemory = \"512M\"\n" BOOT_OK, &lim8, &cfg);
	assert_int_equal(cfg.vcpus, 8);
	config_free(&cfg);
	PARSE_OK_LIM("[vm]\nvcpus = 254\nmemory = \"512M\"\n" BOOT_OK, &lim1024, &cfg);
	assert_int_equal(cfg.vcpus, 254);
	config_free(&cfg);
}

static void test_memory(void **state)
{
	const struct config_limits lim1g = {.max_vcpus = 64, .max_memory = 1 * GiB};
	struct vm_config cfg;

	(void)state;
	EXPECT_ERR("[vm]\nmemory = \"8M\"\n" BOOT_OK, 2, 10,
		   "vm.memory 8M is below the minimum of 16M");
	EXPECT_ERR("[vm]\nmemory = \"0\"\n" BOOT_OK, 2, 10, "below the minimum of 16M");
	EXPECT_ERR_LIM("[vm]\nmemory = \"1025M\"\n" BOOT_OK, &lim1g, 2, 10,
		       "vm.memory 1025M is more than this host can give (1024M)");
	EXPECT_ERR("[vm]\nmemory = \"16392K\"\n" BOOT_OK, 2, 10,
		   "vm.memory must be a whole number of MiB");
	EXPECT_ERR("[vm]\nmemory = \"536870913\"\n" BOOT_OK, 2, 10,
		   "vm.memory must be a whole number of MiB");
	EXPECT_ERR("[vm]\n  memory = \"lots\"\n" BOOT_OK, 2, 12,
		   "vm.memory 'lots' is not a size: use a number with K, M, G or T");
	EXPECT_ERR("[vm]\nmemory = \"1.5G\"\n" BOOT_OK, 2, 10, "vm.memory '1.5G' is not a size");
	EXPECT_ERR("[vm]\nmemory = \"512X\"\n" BOOT_OK, 2, 10, "vm.memory '512X' is not a size");
	EXPECT_ERR("[vm]\nmemory = \"\"\n" BOOT_OK, 2, 10, "vm.memory '' is not a size");
	EXPECT_ERR("[vm]\nmemory = \"-1G\"\n" BOOT_OK, 2, 10, "vm.memory '-1G' is not a size");
	EXPECT_ERR("[vm]\nmemory = \"16777216T\"\n" BOOT_OK, 2, 10,
		   "vm.memory '16777216T' is not a size");
	EXPECT_ERR("[vm]\nmemory = \"99999999999999999999M\"\n" BOOT_OK, 2, 10, "is not a size");

	PARSE_OK("[vm]\nmemory = \"16M\"\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.memory, 16 * MiB);
	config_free(&cfg);
	PARSE_OK_LIM("[vm]\nmemory = \"1GiB\"\n" BOOT_OK, &lim1g, &cfg);
	assert_int_equal(cfg.memory, 1 * GiB);
	config_free(&cfg);
	PARSE_OK("[vm]\nmemory = \"3072m\"\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.memory, 3 * GiB);
	config_free(&cfg);
}

static void test_name(void **state)
{
	char text[256];
	struct vm_config cfg;

	(void)state;
	EXPECT_ERR("[vm]\nname = \"\"\nmemory = \"512M\"\n" BOOT_OK, 2, 8,
		   "vm.name must be 1-64 characters of letters, digits, '.', '_' or '-'");
	EXPECT_ERR("[vm]\nname = \"my vm\"\nmemory = \"512M\"\n" BOOT_OK, 2, 8,
		   "vm.name must be 1-64 characters");
	EXPECT_ERR("[vm]\nname = \"a/b\"\nmemory = \"512M\"\n" BOOT_OK, 2, 8,
		   "vm.name must be 1-64 characters");
	EXPECT_ERR("[vm]\nname = \"caf\xc3\xa9\"\nmemory = \"512M\"\n" BOOT_OK, 2, 8,
		   "vm.name must be 1-64 characters");
	snprintf(text, sizeof(text), "[vm]\nname = \"%065d\"\nmemory = \"512M\"\n" BOOT_OK, 7);
	EXPECT_ERR(text, 2, 8, "vm.name must be 1-64 characters");

	snprintf(text, sizeof(text), "[vm]\nname = \"%064d\"\nmemory = \"512M\"\n" BOOT_OK, 7);
	PARSE_OK(text, &cfg);
	assert_int_equal(strlen(cfg.name), 64);
	assert_int_equal(cfg.name[63], '7');
	config_free(&cfg);
	PARSE_OK("[vm]\nname = \"A.b_c-9\"\nmemory = \"512M\"\n" BOOT_OK, &cfg);
	assert_string_equal(cfg.name, "A.b_c-9");
	config_free(&cfg);
}

static void test_console_errors(void **state)
{
	(void)state;
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nconsole = \"tty\"\n" BOOT_OK, 3, 11,
		   "vm.console 'tty' is not one of \"stdio\", \"none\", \"file:PATH\"");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nconsole = \"file:\"\n" BOOT_OK, 3, 11,
		   "vm.console 'file:' is not one of");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nconsole = \"\"\n" BOOT_OK, 3, 11,
		   "vm.console '' is not one of");
	EXPECT_ERR("[vm]\nmemory = \"512M\"\nconsole = \"STDIO\"\n" BOOT_OK, 3, 11,
		   "vm.console 'STDIO' is not one of");
}

/* ---- [cpu] ---- */

static void test_cpu(void **state)
{
	struct vm_config cfg;

	(void)state;
	EXPECT_ERR(VM_OK "[cpu]\nmodel = \"pentium\"\n" BOOT_OK, 4, 9,
		   "cpu.model 'pentium' is unknown: use \"host\" or \"baseline\"");
	EXPECT_ERR(VM_OK "[cpu]\ntsc_khz = 99999\n" BOOT_OK, 4, 11,
		   "cpu.tsc_khz is 99999; it must be between 100000 and 10000000");
	EXPECT_ERR(VM_OK "[cpu]\ntsc_khz = 10000001\n" BOOT_OK, 4, 11,
		   "cpu.tsc_khz is 10000001; it must be between 100000 and 10000000");
	EXPECT_ERR(VM_OK "[cpu]\ntsc_khz = -2500000\n" BOOT_OK, 4, 11, "cpu.tsc_khz is -2500000;");

	PARSE_OK(VM_OK "[cpu]\ntsc_khz = 100000\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.tsc_khz, 100000);
	assert_int_equal(cfg.cpu_model, CPU_MODEL_HOST);
	config_free(&cfg);
	PARSE_OK(VM_OK "[cpu]\nmodel = \"host\"\ntsc_khz = 10000000\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.tsc_khz, 10000000);
	assert_int_equal(cfg.cpu_model, CPU_MODEL_HOST);
	config_free(&cfg);
	/* An empty [cpu] is the same as none. */
	PARSE_OK(VM_OK "[cpu]\n" BOOT_OK, &cfg);
	assert_int_equal(cfg.tsc_khz, 0);
	assert_int_equal(cfg.cpu_model, CPU_MODEL_HOST);
	config_free(&cfg);
}

/* ---- [boot] ---- */

#define KERNEL(name) VM_OK "[boot]\nkernel = \"" name "\"\n"

static void test_kernel_file_errors(void **state)
{
	(void)state;
	EXPECT_ERR(KERNEL("vmlinuz-missing"), 4, 10,
		   in_dir("kernel '%s': No such file or directory", "vmlinuz-missing"));
	EXPECT_ERR(KERNEL("kdir"), 4, 10, in_dir("kernel '%s': Is a directory", "kdir"));
	EXPECT_ERR(KERNEL("/dev/null"), 4, 10, "kernel '/dev/null' is not a regular file");
	EXPECT_ERR(KERNEL("huge.img"), 4, 10,
		   in_dir("kernel '%s' is larger than 256 MiB", "huge.img"));
}

static void test_kernel_not_bzimage(void **state)
{
	(void)state;
	EXPECT_ERR(KERNEL("nohdrs.img"), 4, 10,
		   in_dir("kernel '%s': not a bzImage (no 'HdrS' signature)", "nohdrs.img"));
	EXPECT_ERR(KERNEL("junk.img"), 4, 10,
		   in_dir("kernel '%s': not a bzImage (only 13 bytes)", "junk.img"));
	EXPECT_ERR(KERNEL("empty.img"), 4, 10,
		   in_dir("kernel '%s': not a bzImage (only 0 bytes)", "empty.img"));
	EXPECT_ERR(KERNEL("tiny.img"), 4, 10, "not a bzImage (only 2 bytes)");
	EXPECT_ERR(KERNEL("initrd.cpio"), 4, 10, "not a bzImage");
	EXPECT_ERR(KERNEL("noflag.img"), 4, 10, "not a bzImage (boot_flag is not 0xaa55)");
	EXPECT_ERR(KERNEL("old.img"), 4, 10,
		   in_dir("kernel '%s': boot protocol 2.11 is too old: direct 64-bit boot needs "
			  "2.12",
			  "old.img"));
	EXPECT_ERR(KERNEL("no64.img"), 4, 10,
		   "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");
	EXPECT_ERR(KERNEL("nohigh.img"), 4, 10, "LOADED_HIGH clear");
	EXPECT_ERR(KERNEL("truncated.img"), 4, 10,
		   "truncated bzImage: setup is 2560 bytes, file 2560");
}

#define INITRD(name) VM_OK BOOT_OK "initrd = \"" name "\"\n"

static void test_initrd_errors(void **state)
{
	struct vm_config cfg;

	(void)state;
	EXPECT_ERR(INITRD("initrd-missing.img"), 5, 10,
		   in_dir("initrd '%s': No such file or directory", "initrd-missing.img"));
	EXPECT_ERR(INITRD("kdir"), 5, 10, in_dir("initrd '%s': Is a directory", "kdir"));
	EXPECT_ERR(INITRD("empty.img"), 5, 10, in_dir("initrd '%s': initrd is empty", "empty.img"));
	EXPECT_ERR(INITRD("junk.img"), 5, 10,
		   in_dir("initrd '%s': not an initramfs (neither a newc cpio archive nor "
			  "compressed)",
			  "junk.img"));
	/* A bzImage is not an initramfs either. */
	EXPECT_ERR(INITRD("bzImage"), 5, 10, "not an initramfs");

	PARSE_OK(INITRD("initrd.gz"), &cfg);
	assert_string_equal(cfg.initrd_path, in_dir("%s", "initrd.gz"));
	assert_int_equal(cfg.initrd_len, sizeof(gzip_initrd));
	assert_memory_equal(cfg.initrd_data, gzip_initrd, sizeof(gzip_initrd));
	config_free(&cfg);
}

static void test_cmdline_length(void **state)
{
	struct vm_config cfg;

	(void)state;
	/* short-cmdline.img takes 16 bytes. */
	EXPECT_ERR(KERNEL("short-cmdline.img") "cmdline = \"console=ttyS0 rw0\"\n", 5, 11,
		   "boot.cmdline is 17 bytes; this kernel takes at most 16");
	PARSE_OK(KERNEL("short-cmdline.img") "cmdline = \"console=ttyS0 r\"\n", &cfg);
	assert_string_equal(cfg.cmdline, "console=ttyS0 r");
	assert_int_equal(cfg.kernel.cmdline_size, 16);
	config_free(&cfg);
	PARSE_OK(KERNEL("short-cmdline.img") "cmdline = \"0123456789abcdef\"\n", &cfg);
	assert_int_equal(strlen(cfg.cmdline), 16);
	config_free(&cfg);
}

static void test_cmdline_beyond_layout(void **state)
{
	const size_t n = 0x10000; /* LAYOUT_CMDLINE_MAX: bzimage_load never takes this */
	static char text[0x10000 + 128];
	struct bzimage_opts o;
	char *p;

	(void)state;
	bzimage_opts_default(&o);
	o.cmdline_size = 1u << 20;
	write_kernel("big-cmdline.img", &o);
	p = text + sprintf(text, KERNEL("big-cmdline.img") "cmdline = \"");
	memset(p, 'c', n);
	strcpy(p + n, "\"\n");
	/* Validation is up front: a command line the loader must refuse is an error here. */
	EXPECT_ERR(text, 5, 11, "boot.cmdline is 65536 bytes");
}

static void test_first_error_wins(void **state)
{
	(void)state;
	/* Several problems: the first in checking order is the one reported. */
	EXPECT_ERR("[vm]\nvcpus = 0\nmemory = \"1K\"\n[boot]\nkernel = \"nope\"\n", 2, 9,
		   "vm.vcpus is 0");
	EXPECT_ERR("[vm]\nmemory = \"1K\"\n[cpu]\nmodel = \"x\"\n[boot]\nkernel = \"nope\"\n", 2,
		   10, "vm.memory must be a whole number of MiB");
	EXPECT_ERR(VM_OK "[cpu]\nmodel = \"x\"\n[boot]\nkernel = \"nope\"\n", 4, 9,
		   "cpu.model 'x' is unknown");
	EXPECT_ERR(VM_OK "[boot]\nkernel = \"nope\"\ninitrd = \"nope\"\n", 4, 10,
		   in_dir("kernel '%s'", "nope"));
}

/* ---- boot.firmware ---- */

#define FW(name) VM_OK BOOT_OK "firmware = \"" name "\"\n"
#define FW_LINE 5
#define FW_COL 12

static void assert_default_firmware(const struct vm_config *cfg, const char *path)
{
	struct fwimg_params p;
	struct fwimg f;
	size_t len;
	uint8_t *img;

	assert_string_equal(cfg->firmware_path, path);
	fwimg_params_default(&p);
	fwimg_init(&f, &p);
	img = fwimg_build(&f, &len);
	assert_non_null(img);
	assert_int_equal(cfg->firmware_len, len);
	assert_non_null(cfg->firmware_data);
	assert_memory_equal(cfg->firmware_data, img, len);
	free(img);
	assert_int_equal(cfg->firmware.image_base, FWIMG_DEFAULT_BASE);
	assert_int_equal(cfg->firmware.ap_reset, FWIMG_DEFAULT_AP_RESET);
	assert_int_equal(cfg->firmware.secret.base, FWIMG_DEFAULT_SECRET);
	assert_int_equal(cfg->firmware.hashes.base, FWIMG_DEFAULT_HASHES);
	assert_int_equal(cfg->firmware.info.vmsa_max, FWIMG_DEFAULT_VMSA_MAX);
	assert_int_equal(cfg->firmware.info.shared_base, FWIMG_DEFAULT_SHARED);
	assert_int_equal(cfg->firmware.info.shared_size, FWIMG_DEFAULT_SHARED_SIZE);
}

static void test_firmware_none(void **state)
{
	const struct config_limits lim = {
	    .max_vcpus = 64, .max_memory = 64 * GiB, .default_firmware = fx.firmware};
	struct vm_config cfg;

	(void)state;
	PARSE_OK(FW("none"), &cfg);
	assert_null(cfg.firmware_path);
	assert_null(cfg.firmware_data);
	assert_int_equal(cfg.firmware_len, 0);
	assert_int_equal(cfg.firmware.image_base, 0);
	assert_int_equal(cfg.handler_vcpus, 0);
	config_free(&cfg);
	/* "none" wins over a default firmware. */
	PARSE_OK_LIM(FW("none"), &lim, &cfg);
	assert_null(cfg.firmware_path);
	assert_null(cfg.firmware_data);
	assert_int_equal(cfg.handler_vcpus, 0);
	config_free(&cfg);
	/* Every vCPU KVM allows is the OS's without a handler. */
	PARSE_OK("[vm]\nmemory = \"512M\"\nvcpus = 64\n" BOOT_OK "firmware = \"none\"\n", &cfg);
	assert_int_equal(cfg.vcpus, 64);
	config_free(&cfg);
}

static void test_firmware_image(void **state)
{
	char cfg_path[PATH_MAX], want[PATH_MAX], text[PATH_MAX + 128];
	struct vm_config cfg;
	struct result r;

	(void)state;
	/* Relative to the config file's directory. */
	PARSE_OK(FW("fw.bin"), &cfg);
	assert_default_firmware(&cfg, fx.firmware);
	assert_int_equal(cfg.handler_vcpus, 1);
	config_free(&cfg);
	assert_null(cfg.firmware_data);

	snprintf(cfg_path, sizeof(cfg_path), "%s/conf/vm.toml", fx.dir);
	r = parse_at(cfg_path,
		     "[vm]\nmemory = \"64M\"\n[boot]\nkernel = \"../bzImage\"\n"
		     "firmware = \"../fw.bin\"\n",
		     &default_limits, &cfg);
	assert_int_equal(r.rc, 0);
	free(r.err);
	snprintf(want, sizeof(want), "%s/conf/../fw.bin", fx.dir);
	assert_default_firmware(&cfg, want);
	config_free(&cfg);

	/* An absolute path is kept as is. */
	snprintf(text, sizeof(text), VM_OK BOOT_OK "firmware = \"%s\"\n", fx.firmware);
	PARSE_OK(text, &cfg);
	assert_default_firmware(&cfg, fx.firmware);
	config_free(&cfg);
}

static void test_firmware_errors(void **state)
{
	char text[PATH_MAX + 128], want[PATH_MAX + 128];

	(void)state;
	EXPECT_ERR(FW("nofw.bin"), FW_LINE, FW_COL,
		   in_dir("firmware '%s': No such file or directory", "nofw.bin"));
	EXPECT_ERR(FW("fwdir"), FW_LINE, FW_COL, in_dir("firmware '%s': Is a directory", "fwdir"));
	EXPECT_ERR(
	    FW("fw-broken.bin"), FW_LINE, FW_COL,
	    in_dir("firmware '%s': the GUIDed table has no sevm info entry", "fw-broken.bin"));
	EXPECT_ERR(FW("fw-shared.bin"), FW_LINE, FW_COL,
		   in_dir("firmware '%s': the shared region [0xc0000000, +0x10000) is not whole "
			  "pages below 3 GiB",
			  "fw-shared.bin"));
	EXPECT_ERR(FW("junk.img"), FW_LINE, FW_COL,
		   in_dir("firmware '%s': the image is 13 bytes", "junk.img"));
	EXPECT_ERR(FW("empty.img"), FW_LINE, FW_COL,
		   in_dir("firmware '%s': the image is 0 bytes", "empty.img"));
	/* A bzImage is no firmware image. */
	EXPECT_ERR(FW("bzImage"), FW_LINE, FW_COL, in_dir("firmware '%s': ", "bzImage"));
	EXPECT_ERR(FW("/dev/null"), FW_LINE, FW_COL, "firmware '/dev/null': not a regular file");
	EXPECT_ERR(FW("fw-huge.bin"), FW_LINE, FW_COL,
		   in_dir("firmware '%s' is larger than 16 MiB", "fw-huge.bin"));
	EXPECT_ERR(VM_OK BOOT_OK "firmware = 1\n", FW_LINE, FW_COL,
		   "boot.firmware must be a string, not integer");
	EXPECT_ERR(VM_OK BOOT_OK "firmware = [\"none\"]\n", FW_LINE, FW_COL,
		   "boot.firmware must be a string, not array");
	/* The key may sit anywhere in [boot]; the error is at its value. */
	snprintf(want, sizeof(want), "firmware '%s': the GUIDed table has no sevm info entry",
		 fx.fw_broken);
	snprintf(text, sizeof(text), VM_OK "[boot]\n  firmware =   \"%s\"\nkernel = \"bzImage\"\n",
		 fx.fw_broken);
	EXPECT_ERR(text, 4, 16, want);
}

static void test_default_firmware(void **state)
{
	struct config_limits lim = {.max_vcpus = 64, .max_memory = 64 * GiB};
	char missing[PATH_MAX], want[PATH_MAX + 128];
	struct vm_config cfg;

	(void)state;
	lim.default_firmware = fx.firmware;
	PARSE_OK_LIM(VM_OK BOOT_OK, &lim, &cfg);
	assert_default_firmware(&cfg, fx.firmware);
	assert_int_equal(cfg.handler_vcpus, 1);
	config_free(&cfg);

	/* A broken default is reported at the [boot] header. */
	lim.default_firmware = fx.fw_broken;
	snprintf(want, sizeof(want), "firmware '%s': the GUIDed table has no sevm info entry",
		 fx.fw_broken);
	EXPECT_ERR_LIM(VM_OK BOOT_OK, &lim, 3, 1, want);
	EXPECT_ERR_LIM(VM_OK "\n\n[boot]\ncmdline = \"quiet\"\nkernel = \"bzImage\"\n", &lim, 5, 1,
		       want);
	snprintf(missing, sizeof(missing), "%s/no-such-fw.bin", fx.dir);
	lim.default_firmware = missing;
	snprintf(want, sizeof(want), "firmware '%s': No such file or directory", missing);
	EXPECT_ERR_LIM(VM_OK BOOT_OK, &lim, 3, 1, want);

	/* An explicit image wins over the default, and "none" too. */
	lim.default_firmware = fx.fw_broken;
	PARSE_OK_LIM(FW("fw.bin"), &lim, &cfg);
	assert_default_firmware(&cfg, fx.firmware);
	config_free(&cfg);
	PARSE_OK_LIM(FW("none"), &lim, &cfg);
	assert_null(cfg.firmware_data);
	config_free(&cfg);
}

/* ---- [migration] ---- */

#define MIGRATION_LINE 7
#define HANDLER_COL 17

static void test_handler_vcpus(void **state)
{
	char text[256];
	struct vm_config cfg;

	(void)state;
	/* One handler vCPU with the firmware, none without. */
	PARSE_OK(FW("fw.bin"), &cfg);
	assert_int_equal(cfg.handler_vcpus, 1);
	config_free(&cfg);
	PARSE_OK(FW("fw.bin") "[migration]\n", &cfg);
	assert_int_equal(cfg.handler_vcpus, 1);
	config_free(&cfg);
	PARSE_OK(FW("none") "[migration]\n", &cfg);
	assert_int_equal(cfg.handler_vcpus, 0);
	config_free(&cfg);
	PARSE_OK(VM_OK BOOT_OK "[migration]\nhandler_vcpus = 0\n", &cfg);
	assert_int_equal(cfg.handler_vcpus, 0);
	config_free(&cfg);

	for (int n = 0; n <= 8; n++) {
		snprintf(text, sizeof(text),
			 FW("fw-vmsa16.bin") "[migration]\nhandler_vcpus = %d\n", n);
		PARSE_OK(text, &cfg);
		assert_int_equal(cfg.handler_vcpus, n);
		assert_int_equal(cfg.vcpus, 1);
		config_free(&cfg);
	}
	/* The table may come before [boot]. */
	PARSE_OK(VM_OK "[migration]\nhandler_vcpus = 2\n[boot]\nkernel = \"bzImage\"\n"
		       "firmware = \"fw.bin\"\n",
		 &cfg);
	assert_int_equal(cfg.handler_vcpus, 2);
	config_free(&cfg);

	EXPECT_ERR(FW("fw-vmsa16.bin") "[migration]\nhandler_vcpus = 9\n", MIGRATION_LINE,
		   HANDLER_COL, "migration.handler_vcpus is 9; it must be between 0 and 8");
	EXPECT_ERR(FW("fw-vmsa16.bin") "[migration]\nhandler_vcpus = -1\n", MIGRATION_LINE,
		   HANDLER_COL, "migration.handler_vcpus is -1; it must be between 0 and 8");
	EXPECT_ERR(FW("fw.bin") "[migration]\nhandler_vcpus = 4294967297\n", MIGRATION_LINE,
		   HANDLER_COL, "migration.handler_vcpus is 4294967297;");
	EXPECT_ERR(FW("fw.bin") "[migration]\nhandler_vcpus = \"1\"\n", MIGRATION_LINE, HANDLER_COL,
		   "migration.handler_vcpus must be an integer, not string");
	/* Handler vCPUs run the firmware's code: none without it. */
	EXPECT_ERR(FW("none") "[migration]\nhandler_vcpus = 1\n", MIGRATION_LINE, HANDLER_COL,
		   "migration.handler_vcpus needs the firmware");
	EXPECT_ERR(VM_OK BOOT_OK "[migration]\nhandler_vcpus = 8\n", 6, HANDLER_COL,
		   "migration.handler_vcpus needs the firmware");
}

static void test_auto_converge(void **state)
{
	struct vm_config cfg;

	(void)state;
	PARSE_OK(FW("fw.bin"), &cfg); /* on unless turned off */
	assert_true(cfg.auto_converge);
	config_free(&cfg);
	PARSE_OK(FW("fw.bin") "[migration]\nauto_converge = false\n", &cfg);
	assert_false(cfg.auto_converge);
	config_free(&cfg);
	PARSE_OK(FW("fw.bin") "[migration]\nauto_converge = true\n", &cfg);
	assert_true(cfg.auto_converge);
	config_free(&cfg);
	EXPECT_ERR(FW("fw.bin") "[migration]\nauto_converge = 1\n", MIGRATION_LINE, 17,
		   "migration.auto_converge must be a boolean, not integer");
}

static void test_migration_table(void **state)
{
	(void)state;
	EXPECT_ERR(FW("fw.bin") "[migration]\nhandler_vcpus = 1\n  handlers = 1\n", 8, 3,
		   "unknown key 'handlers' in [migration]");
	EXPECT_ERR(FW("fw.bin") "[migration]\nmode = \"mh\"\n", MIGRATION_LINE, 1,
		   "unknown key 'mode' in [migration]");
	EXPECT_ERR("migration = 1\n" FW("fw.bin"), 1, 13,
		   "'migration' must be a table, not integer");
	/* Unknown top-level tables are still refused. */
	EXPECT_ERR(FW("fw.bin") "[migrate]\n", 6, 2, "unknown key 'migrate' in the top level");
}

static void test_vcpu_total(void **state)
{
	const struct config_limits lim8 = {.max_vcpus = 8, .max_memory = 64 * GiB};
	const struct config_limits lim1 = {.max_vcpus = 1, .max_memory = 64 * GiB};
	struct vm_config cfg;

	(void)state;
#define VCPUS(n) "[vm]\nvcpus = " n "\nmemory = \"512M\"\n" BOOT_OK
	/* The firmware has VMSA pages for 4 vCPUs, OS and handler together. */
	PARSE_OK(VCPUS("3") "firmware = \"fw-vmsa4.bin\"\n", &cfg);
	assert_int_equal(cfg.vcpus, 3);
	assert_int_equal(cfg.handler_vcpus, 1);
	config_free(&cfg);
	PARSE_OK(VCPUS("4") "firmware = \"fw-vmsa4.bin\"\n[migration]\nhandler_vcpus = 0\n", &cfg);
	assert_int_equal(cfg.vcpus, 4);
	assert_int_equal(cfg.handler_vcpus, 0);
	config_free(&cfg);
	EXPECT_ERR(VCPUS("4") "firmware = \"fw-vmsa4.bin\"\n", 2, 9,
		   "4 OS vCPUs and 1 handler vCPUs are more than the firmware's 4 VMSA pages");
	EXPECT_ERR(VCPUS("2") "firmware = \"fw-vmsa4.bin\"\n[migration]\nhandler_vcpus = 3\n", 2, 9,
		   "2 OS vCPUs and 3 handler vCPUs are more than the firmware's 4 VMSA pages");
	/* Without vm.vcpus: at the [vm] header. */
	EXPECT_ERR(VM_OK BOOT_OK "firmware = \"fw-vmsa1.bin\"\n", 1, 1,
		   "1 OS vCPUs and 1 handler vCPUs are more than the firmware's 1 VMSA pages");

	/* KVM's limit counts the handler vCPUs too. */
	PARSE_OK_LIM(VCPUS("7") "firmware = \"fw-vmsa16.bin\"\n", &lim8, &cfg);
	assert_int_equal(cfg.vcpus + cfg.handler_vcpus, 8);
	config_free(&cfg);
	EXPECT_ERR_LIM(VCPUS("8") "firmware = \"fw-vmsa16.bin\"\n", &lim8, 2, 9,
		       "8 OS vCPUs and 1 handler vCPUs are more than KVM allows (8)");
	EXPECT_ERR_LIM(VCPUS("1") "firmware = \"fw-vmsa16.bin\"\n[migration]\nhandler_vcpus = 8\n",
		       &lim8, 2, 9, "1 OS vCPUs and 8 handler vCPUs are more than KVM allows (8)");
	EXPECT_ERR_LIM(VM_OK BOOT_OK "firmware = \"fw.bin\"\n", &lim1, 1, 1,
		       "1 OS vCPUs and 1 handler vCPUs are more than KVM allows (1)");
	/* Without the firmware, all of KVM's vCPUs are the OS's. */
	PARSE_OK_LIM(VCPUS("8") "firmware = \"none\"\n", &lim8, &cfg);
	assert_int_equal(cfg.vcpus, 8);
	assert_int_equal(cfg.handler_vcpus, 0);
	config_free(&cfg);
#undef VCPUS
}

static void test_firmware_error_order(void **state)
{
	(void)state;
	/* The image is checked before [migration], [migration] before the total. */
	EXPECT_ERR("[vm]\nvcpus = 8\nmemory = \"512M\"\n" BOOT_OK
		   "firmware = \"fw-broken.bin\"\n[migration]\nhandler_vcpus = 9\n",
		   6, 12, "the GUIDed table has no sevm info entry");
	EXPECT_ERR("[vm]\nvcpus = 8\nmemory = \"512M\"\n" BOOT_OK
		   "firmware = \"fw-vmsa4.bin\"\n[migration]\nhandler_vcpus = 9\n",
		   8, 17, "migration.handler_vcpus is 9");
	/* And the kernel before the firmware. */
	EXPECT_ERR(VM_OK "[boot]\nkernel = \"nope\"\nfirmware = \"fw-broken.bin\"\n", 4, 10,
		   in_dir("kernel '%s'", "nope"));
}

/* ---- config_parse_size ---- */

static void size_ok(const char *s, uint64_t want)
{
	uint64_t got = 0x5a5a;

	if (config_parse_size(s, &got) != 0 || got != want)
		fail_msg("config_parse_size(\"%s\"): got %llu, want %llu", s,
			 (unsigned long long)got, (unsigned long long)want);
}

static void size_bad(const char *s)
{
	uint64_t got = 0x5a5a;

	if (config_parse_size(s, &got) != -EINVAL)
		fail_msg("config_parse_size(\"%s\") should fail", s);
	assert_int_equal(got, 0x5a5a); /* untouched on failure */
}

static void test_parse_size(void **state)
{
	(void)state;
	size_ok("512M", 512 * MiB);
	size_ok("1G", GiB);
	size_ok("4096K", 4 * MiB);
	size_ok("2GiB", 2 * GiB);
	size_ok("2GB", 2 * GiB);
	size_ok("64MiB", 64 * MiB);
	size_ok("1T", 1ULL << 40);
	size_ok("512m", 512 * MiB);
	size_ok("1048576", MiB);
	size_ok("0", 0);
	size_ok("007M", 7 * MiB);
	/* The largest representable values. */
	size_ok("16777215T", 16777215ULL << 40);
	size_ok("17179869183G", 17179869183ULL << 30);
	size_ok("18446744073709551609", UINT64_MAX - 6);

	size_bad("");
	size_bad("M");
	size_bad("G1");
	size_bad("12X");
	size_bad("1.5G");
	size_bad(" 1G");
	size_bad("1G ");
	size_bad("1 G");
	size_bad("-1");
	size_bad("+1G");
	size_bad("0x100M");
	size_bad("1Gi");
	size_bad("1GiBx");
	size_bad("1GBB");
	size_bad("1KM");
	size_bad("1B");
	/* Overflow, in the digits and in the multiplication. */
	size_bad("18446744073709551616");
	size_bad("99999999999999999999");
	size_bad("184467440737095516150");
	size_bad("16777216T");
	size_bad("17179869184G");
	size_bad("18014398509481984K");
}

static void test_parse_size_largest(void **state)
{
	(void)state;
	/* Plain byte counts up to UINT64_MAX fit; only 2^64 and up overflow. */
	size_ok("18446744073709551610", UINT64_MAX - 5);
	size_ok("18446744073709551615", UINT64_MAX);
	size_bad("18446744073709551616");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minimal_defaults),
	    cmocka_unit_test(test_full_config),
	    cmocka_unit_test(test_console_kinds),
	    cmocka_unit_test(test_relative_paths),
	    cmocka_unit_test(test_config_load),
	    cmocka_unit_test(test_toml_syntax_errors),
	    cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_missing_required),
	    cmocka_unit_test(test_vcpus),
	    cmocka_unit_test(test_memory),
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_console_errors),
	    cmocka_unit_test(test_cpu),
	    cmocka_unit_test(test_kernel_file_errors),
	    cmocka_unit_test(test_kernel_not_bzimage),
	    cmocka_unit_test(test_initrd_errors),
	    cmocka_unit_test(test_cmdline_length),
	    cmocka_unit_test(test_cmdline_beyond_layout),
	    cmocka_unit_test(test_first_error_wins),
	    cmocka_unit_test(test_firmware_none),
	    cmocka_unit_test(test_firmware_image),
	    cmocka_unit_test(test_firmware_errors),
	    cmocka_unit_test(test_default_firmware),
	    cmocka_unit_test(test_handler_vcpus),
	    cmocka_unit_test(test_auto_converge),
	    cmocka_unit_test(test_migration_table),
	    cmocka_unit_test(test_vcpu_total),
	    cmocka_unit_test(test_firmware_error_order),
	    cmocka_unit_test(test_parse_size),
	    cmocka_unit_test(test_parse_size_largest),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
