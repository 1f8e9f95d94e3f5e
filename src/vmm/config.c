// SPDX-License-Identifier: MIT
#include "config.h"
#include "mptable.h"
#include "toml.h"
#include "util.h"
#include "kvm.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_MAX_LEN 64
#define TSC_KHZ_MIN 100000u   /* 100 MHz */
#define TSC_KHZ_MAX 10000000u /* 10 GHz */
#define CONFIG_MAX_SIZE (1u << 20)

struct ctx {
	const char *path;
	FILE *err;
	char *dir; /* directory of the config file, for relative paths */
};

__attribute__((format(printf, 3, 4))) static int err_at(struct ctx *c, struct toml_pos pos,
							const char *fmt, ...)
{
	va_list ap;

	fprintf(c->err, "%s:%u:%u: ", c->path, pos.line, pos.col);
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
	return -EINVAL;
}

static const struct toml_pos file_start = {1, 1};

/* Every key of table must be in allowed (NULL-terminated). */
static int check_keys(struct ctx *c, const struct toml_value *table, const char *where,
		      const char *const *allowed)
{
	for (size_t i = 0; i < table->u.table.len; i++) {
		const struct toml_kv *kv = &table->u.table.items[i];
		bool known = false;

		for (const char *const *a = allowed; *a && !known; a++)
			known = !strcmp(*a, kv->key);
		if (!known)
			return err_at(c, kv->key_pos, "unknown key '%s' in %s", kv->key, where);
	}
	return 0;
}

static int get_table(struct ctx *c, const struct toml_value *root, const char *name, bool required,
		     const struct toml_value **out)
{
	const struct toml_value *t = toml_table_get(root, name);

	*out = NULL;
	if (!t)
		return required ? err_at(c, file_start, "missing required table [%s]", name) : 0;
	if (t->type != TOML_TABLE)
		return err_at(c, t->pos, "'%s' must be a table, not %s", name,
			      toml_type_name(t->type));
	*out = t;
	return 0;
}

static int get_typed(struct ctx *c, const struct toml_value *table, const char *tname,
		     const char *key, enum toml_type type, bool required,
		     const struct toml_value **out)
{
	const struct toml_value *v = table ? toml_table_get(table, key) : NULL;

	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		return err_at(c, table ? table->pos : file_start,
			      "missing required key '%s' in [%s]", key, tname);
	}
	if (v->type != type)
		return err_at(c, v->pos, "%s.%s must be %s %s, not %s", tname, key,
			      type == TOML_INTEGER ? "an" : "a", toml_type_name(type),
			      toml_type_name(v->type));
	*out = v;
	return 0;
}

static int dup_str(const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* Paths in the config are relative to the config file's directory. */
static int resolve_path(struct ctx *c, const char *p, char **out)
{
	size_t n;

	if (p[0] == '/' || !c->dir[0])
		return dup_str(p, out);
	n = strlen(c->dir) + strlen(p) + 2;
	*out = malloc(n);
	if (!*out)
		return -ENOMEM;
	snprintf(*out, n, "%s/%s", c->dir, p);
	return 0;
}

int config_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	switch (toupper((unsigned char)*p)) {
	case 'K':
		mult = 1ULL << 10;
		break;
	case 'M':
		mult = 1ULL << 20;
		break;
	case 'G':
		mult = 1ULL << 30;
		break;
	case 'T':
		mult = 1ULL << 40;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (*p) {
		p++;
		if (!strcmp(p, "iB"))
			p += 2;
		else if (*p == 'B')
			p++;
	}
	if (*p || (v && mult > UINT64_MAX / v))
		return -EINVAL;
	*out = v * mult;
	return 0;
}

bool config_name_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

static int parse_vm(struct ctx *c, const struct toml_value *t, const struct config_limits *lim,
		    struct vm_config *cfg)
{
	static const char *const keys[] = {"name", "vcpus", "memory", "console", NULL};
	unsigned max_vcpus = lim->max_vcpus < MPTABLE_MAX_CPUS ? lim->max_vcpus : MPTABLE_MAX_CPUS;
	const struct toml_value *v = NULL;
	int ret = check_keys(c, t, "[vm]", keys);

	ret = ret ?: get_typed(c, t, "vm", "name", TOML_STRING, false, &v);
	if (!ret && v && !config_name_is_valid(v->u.str))
		return err_at(c, v->pos,
			      "vm.name must be 1-%d characters of letters, digits, '.', '_' or '-'",
			      NAME_MAX_LEN);
	ret = ret ?: dup_str(v ? v->u.str : "sevm", &cfg->name);

	ret = ret ?: get_typed(c, t, "vm", "vcpus", TOML_INTEGER, false, &v);
	if (!ret && v && (v->u.integer < 1 || v->u.integer > max_vcpus))
		return err_at(c, v->pos,
			      "vm.vcpus is %lld; it must be between 1 and %u (KVM allows %u, "
			      "xAPIC IDs fit in 8 bits)",
			      (long long)v->u.integer, max_vcpus, lim->max_vcpus);
	if (!ret)
		cfg->vcpus = v ? (unsigned)v->u.integer : 1;

	ret = ret ?: get_typed(c, t, "vm", "memory", TOML_STRING, true, &v);
	if (ret)
		return ret;
	if (config_parse_size(v->u.str, &cfg->memory))
		return err_at(c, v->pos,
			      "vm.memory '%s' is not a size: use a number with K, M, G or T, "
			      "e.g. \"512M\"",
			      v->u.str);
	if (cfg->memory % (1ULL << 20))
		return err_at(c, v->pos, "vm.memory must be a whole number of MiB");
	if (cfg->memory < CONFIG_MIN_MEMORY)
		return err_at(c, v->pos, "vm.memory %s is below the minimum of %lluM", v->u.str,
			      CONFIG_MIN_MEMORY >> 20);
	if (cfg->memory > lim->max_memory)
		return err_at(c, v->pos, "vm.memory %s is more than this host can give (%lluM)",
			      v->u.str, (unsigned long long)(lim->max_memory >> 20));

	ret = get_typed(c, t, "vm", "console", TOML_STRING, false, &v);
	if (ret || !v)
		return ret;
	if (!strcmp(v->u.str, "stdio"))
		cfg->console = CONSOLE_STDIO;
	else if (!strcmp(v->u.str, "none"))
		cfg->console = CONSOLE_NONE;
	else if (!strncmp(v->u.str, "file:", 5) && v->u.str[5]) {
		cfg->console = CONSOLE_FILE;
		return resolve_path(c, v->u.str + 5, &cfg->console_path);
	} else
		return err_at(c, v->pos,
			      "vm.console '%s' is not one of \"stdio\", \"none\", \"file:PATH\"",
			      v->u.str);
	return 0;
}

static int parse_cpu(struct ctx *c, const struct toml_value *t, struct vm_config *cfg)
{
	static const char *const keys[] = {"model", "tsc_khz", NULL};
	const struct toml_value *v = NULL;
	int ret;

	cfg->cpu_model = CPU_MODEL_HOST;
	if (!t)
		return 0;
	ret = check_keys(c, t, "[cpu]", keys);
	ret = ret ?: get_typed(c, t, "cpu", "model", TOML_STRING, false, &v);
	if (!ret && v && cpu_model_parse(v->u.str, &cfg->cpu_model))
		return err_at(c, v->pos, "cpu.model '%s' is unknown: use %s", v->u.str,
			      CPU_MODEL_NAMES);
	ret = ret ?: get_typed(c, t, "cpu", "tsc_khz", TOML_INTEGER, false, &v);
	if (!ret && v && (v->u.integer < TSC_KHZ_MIN || v->u.integer > TSC_KHZ_MAX))
		return err_at(c, v->pos, "cpu.tsc_khz is %lld; it must be between %u and %u",
			      (long long)v->u.integer, TSC_KHZ_MIN, TSC_KHZ_MAX);
	if (!ret && v)
		cfg->tsc_khz = (uint32_t)v->u.integer;
	return ret;
}

static int load_file(struct ctx *c, const struct toml_value *v, const char *what, size_t max,
		     char **path, uint8_t **data, size_t *len)
{
	int ret = resolve_path(c, v->u.str, path);

	if (ret)
		return ret;
	ret = file_read_all(*path, max, data, len);
	if (ret == -EFBIG)
		return err_at(c, v->pos, "%s '%s' is larger than %zu MiB", what, *path, max >> 20);
	if (ret == -EINVAL)
		return err_at(c, v->pos, "%s '%s' is not a regular file", what, *path);
	if (ret)
		return err_at(c, v->pos, "%s '%s': %s", what, *path, strerror(-ret));
	return 0;
}

/* The firmware image at path (already resolved), its GUIDed table checked. */
static int load_firmware(struct ctx *c, struct toml_pos pos, const char *path,
			 struct vm_config *cfg)
{
	char why[200];
	int ret;

	ret = dup_str(path, &cfg->firmware_path);
	if (ret)
		return ret;
	ret = file_read_all(path, FW_IMAGE_MAX, &cfg->firmware_data, &cfg->firmware_len);
	if (ret == -EFBIG)
		return err_at(c, pos, "firmware '%s' is larger than %u MiB", path,
			      FW_IMAGE_MAX >> 20);
	if (ret)
		return err_at(c, pos, "firmware '%s': %s", path,
			      ret == -EINVAL ? "not a regular file" : strerror(-ret));
	if (fw_table_parse(cfg->firmware_data, cfg->firmware_len, &cfg->firmware, why, sizeof(why)))
		return err_at(c, pos, "firmware '%s': %s", path, why);
	return 0;
}

static int parse_firmware(struct ctx *c, const struct toml_value *t,
			  const struct config_limits *lim, struct vm_config *cfg)
{
	const struct toml_value *v = NULL;
	char *path;
	int ret = get_typed(c, t, "boot", "firmware", TOML_STRING, false, &v);

	if (ret)
		return ret;
	if (!v)
		return lim->default_firmware ? load_firmware(c, t->pos, lim->default_firmware, cfg)
					     : 0;
	if (!strcmp(v->u.str, "none"))
		return 0;
	ret = resolve_path(c, v->u.str, &path);
	if (ret)
		return ret;
	ret = load_firmware(c, v->pos, path, cfg);
	free(path);
	return ret;
}

static int parse_migration(struct ctx *c, const struct toml_value *t, struct vm_config *cfg)
{
	static const char *const keys[] = {"handler_vcpus", "downtime_ms", "max_rounds",
					   "auto_converge", NULL};
	const struct toml_value *v = NULL, *d = NULL, *r = NULL, *a = NULL;
	int ret = t ? check_keys(c, t, "[migration]", keys) : 0;

	ret = ret ?: get_typed(c, t, "migration", "downtime_ms", TOML_INTEGER, false, &d);
	ret = ret ?: get_typed(c, t, "migration", "max_rounds", TOML_INTEGER, false, &r);
	ret = ret ?: get_typed(c, t, "migration", "auto_converge", TOML_BOOLEAN, false, &a);
	ret = ret ?: get_typed(c, t, "migration", "handler_vcpus", TOML_INTEGER, false, &v);
	if (ret)
		return ret;
	cfg->downtime_ms = CONFIG_DEFAULT_DOWNTIME_MS;
	cfg->max_rounds = CONFIG_DEFAULT_MAX_ROUNDS;
	cfg->auto_converge = a ? a->u.boolean : true;
	if (d && (d->u.integer < 1 || d->u.integer > 60000))
		return err_at(c, d->pos,
			      "migration.downtime_ms is %lld; it must be between 1 and 60000",
			      (long long)d->u.integer);
	if (r && (r->u.integer < 1 || r->u.integer > 1000))
		return err_at(c, r->pos,
			      "migration.max_rounds is %lld; it must be between 1 and 1000",
			      (long long)r->u.integer);
	if (d)
		cfg->downtime_ms = (unsigned)d->u.integer;
	if (r)
		cfg->max_rounds = (unsigned)r->u.integer;
	cfg->handler_vcpus = cfg->firmware_data ? 1 : 0;
	if (!v)
		return 0;
	if (v->u.integer < 0 || v->u.integer > CONFIG_MAX_HANDLER_VCPUS)
		return err_at(c, v->pos,
			      "migration.handler_vcpus is %lld; it must be between 0 and %d",
			      (long long)v->u.integer, CONFIG_MAX_HANDLER_VCPUS);
	if (v->u.integer && !cfg->firmware_data)
		return err_at(c, v->pos,
			      "migration.handler_vcpus needs the firmware, and this "
			      "VM boots without one");
	cfg->handler_vcpus = (unsigned)v->u.integer;
	return 0;
}

/* The emu platform's identity lives in the user's state directory by default. */
static int default_platform_dir(struct ctx *c, struct toml_pos pos, char **out)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char buf[4096];

	if (xdg && xdg[0] == '/')
		snprintf(buf, sizeof(buf), "%s/sevm/emu-platform", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, sizeof(buf), "%s/.local/state/sevm/emu-platform", home);
	else
		return err_at(c, pos, "sev.platform_dir is not set, and neither is HOME");
	return dup_str(buf, out);
}

static int parse_sev_owner(struct ctx *c, const struct toml_value *t, struct vm_config *cfg)
{
	const struct toml_value *addr = NULL, *dir = NULL;
	int ret = get_typed(c, t, "sev", "owner", TOML_STRING, false, &addr);

	ret = ret ?: get_typed(c, t, "sev", "owner_dir", TOML_STRING, false, &dir);
	if (ret)
		return ret;
	if (addr && dir)
		return err_at(c, dir->pos,
			      "sev.owner and sev.owner_dir exclude each other: "
			      "the owner is a service or a local directory");
	if (!addr && !dir)
		return err_at(c, t->pos,
			      "[sev] needs the guest owner: sev.owner = \"HOST:PORT\" "
			      "or sev.owner_dir = \"PATH\"");
	if (addr && (!strchr(addr->u.str, ':') || !addr->u.str[0]))
		return err_at(c, addr->pos, "sev.owner '%s' is not HOST:PORT", addr->u.str);
	if (addr)
		return dup_str(addr->u.str, &cfg->sev.owner_addr);
	return resolve_path(c, dir->u.str, &cfg->sev.owner_dir);
}

static int parse_sev(struct ctx *c, const struct toml_value *t, struct vm_config *cfg)
{
	static const char *const keys[] = {"mode",	   "policy", "cpu_signature", "platform",
					   "platform_dir", "owner",  "owner_dir",     NULL};
	const struct toml_value *v = NULL;
	int ret;

	if (!t)
		return 0;
	ret = check_keys(c, t, "[sev]", keys);
	ret = ret ?: get_typed(c, t, "sev", "mode", TOML_STRING, true, &v);
	if (ret)
		return ret;
	if (strcmp(v->u.str, "es"))
		return err_at(c, v->pos,
			      "sev.mode '%s' is unknown: sevm runs \"es\" (SEV-ES) guests",
			      v->u.str);
	if (!cfg->firmware_data)
		return err_at(c, t->pos, "[sev] needs the firmware, and this VM boots without one");
	cfg->sev.enabled = true;
	cfg->sev.policy = CONFIG_SEV_DEFAULT_POLICY;

	ret = get_typed(c, t, "sev", "platform", TOML_STRING, false, &v);
	if (!ret && v && strcmp(v->u.str, "emu"))
		return err_at(c, v->pos,
			      "sev.platform '%s' is not available: sevm run launches on \"emu\" "
			      "(the kvm-sev backend is built and unit-tested, but no host here has "
			      "SEV hardware to run it on)",
			      v->u.str);
	ret = ret ?: get_typed(c, t, "sev", "policy", TOML_INTEGER, false, &v);
	if (!ret && v && (v->u.integer < 0 || v->u.integer > UINT32_MAX))
		return err_at(c, v->pos, "sev.policy %lld is not a 32-bit value",
			      (long long)v->u.integer);
	if (!ret && v)
		cfg->sev.policy = (uint32_t)v->u.integer;
	ret = ret ?: get_typed(c, t, "sev", "cpu_signature", TOML_INTEGER, false, &v);
	if (!ret && v && (v->u.integer < 0 || v->u.integer > UINT32_MAX))
		return err_at(c, v->pos, "sev.cpu_signature %lld is not a 32-bit value",
			      (long long)v->u.integer);
	if (!ret && v) {
		cfg->sev.cpu_signature_set = true;
		cfg->sev.cpu_signature = (uint32_t)v->u.integer;
	}
	ret = ret ?: get_typed(c, t, "sev", "platform_dir", TOML_STRING, false, &v);
	if (ret)
		return ret;
	ret = v ? resolve_path(c, v->u.str, &cfg->sev.platform_dir)
		: default_platform_dir(c, t->pos, &cfg->sev.platform_dir);
	return ret ?: parse_sev_owner(c, t, cfg);
}

/* OS and handler vCPUs together must fit KVM and the firmware's VMSA pages. */
static int check_vcpu_total(struct ctx *c, const struct toml_value *vm,
			    const struct config_limits *lim, const struct vm_config *cfg)
{
	const struct toml_value *v = toml_table_get(vm, "vcpus");
	struct toml_pos pos = v ? v->pos : vm->pos;
	unsigned total = cfg->vcpus + cfg->handler_vcpus;

	if (total > lim->max_vcpus)
		return err_at(c, pos,
			      "%u OS vCPUs and %u handler vCPUs are more than KVM allows (%u)",
			      cfg->vcpus, cfg->handler_vcpus, lim->max_vcpus);
	if (cfg->firmware_data && total > cfg->firmware.info.vmsa_max)
		return err_at(c, pos,
			      "%u OS vCPUs and %u handler vCPUs are more than the firmware's %u "
			      "VMSA pages",
			      cfg->vcpus, cfg->handler_vcpus, cfg->firmware.info.vmsa_max);
	return 0;
}

static int parse_boot(struct ctx *c, const struct toml_value *t, const struct config_limits *lim,
		      struct vm_config *cfg)
{
	static const char *const keys[] = {"kernel", "initrd", "cmdline", "firmware", NULL};
	const struct toml_value *v = NULL;
	char why[160];
	int ret = check_keys(c, t, "[boot]", keys);

	ret = ret ?: get_typed(c, t, "boot", "kernel", TOML_STRING, true, &v);
	ret = ret
		  ?: load_file(c, v, "kernel", BZIMAGE_MAX_SIZE, &cfg->kernel_path,
			       &cfg->kernel_data, &cfg->kernel_len);
	if (ret)
		return ret;
	if (bzimage_parse(cfg->kernel_data, cfg->kernel_len, &cfg->kernel, why, sizeof(why)))
		return err_at(c, v->pos, "kernel '%s': %s", cfg->kernel_path, why);

	ret = get_typed(c, t, "boot", "initrd", TOML_STRING, false, &v);
	if (!ret && v) {
		ret = load_file(c, v, "initrd", INITRD_MAX_SIZE, &cfg->initrd_path,
				&cfg->initrd_data, &cfg->initrd_len);
		if (!ret && initrd_check(cfg->initrd_data, cfg->initrd_len, why, sizeof(why)))
			return err_at(c, v->pos, "initrd '%s': %s", cfg->initrd_path, why);
	}

	ret = ret ?: get_typed(c, t, "boot", "cmdline", TOML_STRING, false, &v);
	if (ret)
		return ret;
	if (v && strlen(v->u.str) > cfg->kernel.cmdline_size)
		return err_at(c, v->pos, "boot.cmdline is %zu bytes; this kernel takes at most %u",
			      strlen(v->u.str), cfg->kernel.cmdline_size);
	ret = dup_str(v ? v->u.str : "", &cfg->cmdline);
	return ret ?: parse_firmware(c, t, lim, cfg);
}

int config_parse(const char *path, const char *text, size_t len, const struct config_limits *lim,
		 struct vm_config *cfg, FILE *err)
{
	static const char *const tables[] = {"vm", "cpu", "boot", "migration", "sev", NULL};
	struct ctx c = {.path = path, .err = err};
	const struct toml_value *vm, *cpu, *boot, *migration, *sev;
	struct toml_value *root = NULL;
	struct toml_error terr;
	char *slash;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = toml_parse(text, len, &root, &terr);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return err_at(&c, terr.pos, "%s", terr.msg);
	c.dir = strdup(path);
	if (!c.dir) {
		toml_free(root);
		return -ENOMEM;
	}
	slash = strrchr(c.dir, '/');
	if (slash)
		slash[slash == c.dir ? 1 : 0] = '\0';
	else
		c.dir[0] = '\0';

	ret = dup_str(path, &cfg->path);
	ret = ret ?: check_keys(&c, root, "the top level", tables);
	ret = ret ?: get_table(&c, root, "vm", true, &vm);
	ret = ret ?: get_table(&c, root, "cpu", false, &cpu);
	ret = ret ?: get_table(&c, root, "boot", true, &boot);
	ret = ret ?: parse_vm(&c, vm, lim, cfg);
	ret = ret ?: parse_cpu(&c, cpu, cfg);
	ret = ret ?: get_table(&c, root, "migration", false, &migration);
	ret = ret ?: parse_boot(&c, boot, lim, cfg);
	ret = ret ?: parse_migration(&c, migration, cfg);
	ret = ret ?: check_vcpu_total(&c, vm, lim, cfg);
	ret = ret ?: get_table(&c, root, "sev", false, &sev);
	ret = ret ?: parse_sev(&c, sev, cfg);
	toml_free(root);
	free(c.dir);
	if (ret)
		config_free(cfg);
	return ret;
}

int config_load(const char *path, const struct config_limits *lim, struct vm_config *cfg, FILE *err)
{
	uint8_t *text;
	size_t len;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = file_read_all(path, CONFIG_MAX_SIZE, &text, &len);
	if (ret) {
		fprintf(err, "%s: cannot read config: %s\n", path,
			ret == -EINVAL ? "not a regular file" : strerror(-ret));
		return -EINVAL;
	}
	ret = config_parse(path, (const char *)text, len, lim, cfg, err);
	free(text);
	return ret;
}

void config_free(struct vm_config *cfg)
{
	free(cfg->path);
	free(cfg->name);
	free(cfg->console_path);
	free(cfg->kernel_path);
	free(cfg->kernel_data);
	free(cfg->initrd_path);
	free(cfg->initrd_data);
	free(cfg->cmdline);
	free(cfg->firmware_path);
	free(cfg->firmware_data);
	free(cfg->sev.platform_dir);
	free(cfg->sev.owner_addr);
	free(cfg->sev.owner_dir);
	memset(cfg, 0, sizeof(*cfg));
}

const char *config_default_firmware(void)
{
	static char path[4096 + 64];
	char exe[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	/* In a build tree the firmware sits next to the binary; installed, in datadir. */
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/firmware/%s", exe, CONFIG_FIRMWARE_NAME);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", SEVM_DATADIR, CONFIG_FIRMWARE_NAME);
	return access(path, R_OK) == 0 ? path : NULL;
}

void config_host_limits(struct config_limits *lim)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	int kvm_fd, n;

	lim->max_memory = CONFIG_MAX_MEMORY;
	lim->default_firmware = config_default_firmware();
	if (pages > 0 && psize > 0 && (uint64_t)pages * (uint64_t)psize < lim->max_memory)
		lim->max_memory = (uint64_t)pages * (uint64_t)psize;
	lim->max_vcpus = 0;
	if (kvm_open_dev("/dev/kvm", &kvm_fd) == 0) {
		n = kvm_check_extension(kvm_fd, KVM_CAP_MAX_VCPUS);
		if (n <= 0)
			n = kvm_check_extension(kvm_fd, KVM_CAP_NR_VCPUS);
		lim->max_vcpus = n > 0 ? (unsigned)n : 1;
		close(kvm_fd);
	} else {
		/* No KVM to ask: validate against the MP table's limit; running fails later. */
		lim->max_vcpus = MPTABLE_MAX_CPUS;
	}
}
