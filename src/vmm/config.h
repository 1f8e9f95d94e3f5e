/* SPDX-License-Identifier: MIT */
/*
 * The VM description read from vm.toml (docs/config.md lists every key).
 * Loading validates everything up front, kernel and initrd included, and
 * reports the first problem as one line `PATH:LINE:COL: message`.
 */
#ifndef SEVM_SRC_VMM_CONFIG_H
#define SEVM_SRC_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bzimage.h"
#include "cpuid.h"
#include "fw_table.h"

#define CONFIG_MIN_MEMORY (16ULL << 20)
#define CONFIG_MAX_MEMORY (1ULL << 40) /* the address space sevm lays out */

enum console_kind { CONSOLE_STDIO, CONSOLE_FILE, CONSOLE_NONE };

/* What the host allows; passed in so validation is testable without KVM. */
struct config_limits {
	unsigned max_vcpus;
	uint64_t max_memory;
	const char *default_firmware; /* used when boot.firmware is absent; NULL: direct boot */
};

#define CONFIG_MAX_HANDLER_VCPUS 8
#define CONFIG_DEFAULT_DOWNTIME_MS 50
#define CONFIG_DEFAULT_MAX_ROUNDS 30

/* [sev]: launch as an SEV-ES guest (docs/config.md, docs/attestation.md). */
struct sev_config {
	bool enabled;
	uint32_t policy;	/* guest policy for LAUNCH_START */
	bool cpu_signature_set; /* RDX at reset pinned in the config */
	uint32_t cpu_signature;
	char *platform_dir; /* the emu platform's identity */
	char *owner_addr;   /* guest owner service HOST:PORT, or NULL */
	char *owner_dir;    /* local development owner, or NULL */
};

/* ES | NODBG: an SEV-ES guest the host cannot debug; migration allowed. */
#define CONFIG_SEV_DEFAULT_POLICY 0x5u

struct vm_config {
	char *path; /* the config file */
	char *name;
	unsigned vcpus;
	uint64_t memory;
	enum console_kind console;
	char *console_path; /* CONSOLE_FILE */
	enum cpu_model cpu_model;
	uint32_t tsc_khz; /* 0: the host's */
	char *kernel_path;
	uint8_t *kernel_data;
	size_t kernel_len;
	struct bzimage kernel; /* points into kernel_data */
	char *initrd_path;     /* NULL: none */
	uint8_t *initrd_data;
	size_t initrd_len;
	char *cmdline;
	char *firmware_path; /* NULL: direct boot, no firmware */
	uint8_t *firmware_data;
	size_t firmware_len;
	struct fw_layout firmware; /* from the image's GUIDed table */
	unsigned handler_vcpus;	   /* Migration Handler vCPUs, after the OS vCPUs */
	unsigned downtime_ms;	   /* [migration]: the pause a migration may cost the guest */
	unsigned max_rounds;	   /* [migration]: pre-copy rounds before converging anyway */
	bool auto_converge;	   /* [migration]: throttle a guest that dirties too fast */
	struct sev_config sev;
};

/* Loads and validates path. On error prints one line to err and returns
 * -EINVAL (or -ENOMEM); *cfg then needs no freeing. */
int config_load(const char *path, const struct config_limits *lim, struct vm_config *cfg, FILE *err)
    __attribute__((warn_unused_result));
/* Same, from text already in memory (path is used for messages and relative paths). */
int config_parse(const char *path, const char *text, size_t len, const struct config_limits *lim,
		 struct vm_config *cfg, FILE *err) __attribute__((warn_unused_result));
void config_free(struct vm_config *cfg);
/* A VM name vm.name accepts: 1-64 letters, digits, '.', '_', '-' (never a
 * path; it names the control socket, docs/config.md). */
bool config_name_is_valid(const char *name);
/* "512M" / "1G" / "4096K" / "1073741824" -> bytes; -EINVAL if malformed or overflowing. */
int config_parse_size(const char *s, uint64_t *out) __attribute__((warn_unused_result));
/* The host's limits: physical RAM and KVM's vCPU limit (0 if /dev/kvm is absent). */
void config_host_limits(struct config_limits *lim);
/* sevm's firmware image: firmware/ next to the sevm binary (a build tree),
 * else SEVM_DATADIR; NULL if neither exists. */
const char *config_default_firmware(void);

#define CONFIG_FIRMWARE_NAME "sevm-fw.bin"

#endif
