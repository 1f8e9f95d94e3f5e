/* SPDX-License-Identifier: MIT */
/*
 * The interface between sevm (host) and sevm's guest firmware (firmware/),
 * included by both sides: the GUIDed table at the end of the firmware image
 * through which the host learns the firmware's addresses, the kernel hashes
 * table, the fw_cfg-style configuration interface, the boot configuration
 * record, and the statuses with which the firmware refuses to boot.
 * docs/firmware.md describes it in prose. Everything is little-endian.
 *
 * Freestanding: only fixed-width integer types, no libc.
 */
#ifndef SEVM_INCLUDE_SEVM_FW_ABI_H
#define SEVM_INCLUDE_SEVM_FW_ABI_H

#include <stdint.h>

/* ---- GUIDs: 16 bytes in EFI order (first three fields little-endian) ---- */

#define FW_GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                          \
	{ (uint8_t)(a), (uint8_t)((a) >> 8), (uint8_t)((a) >> 16), (uint8_t)((a) >> 24),           \
	  (uint8_t)(b), (uint8_t)((b) >> 8), (uint8_t)(c), (uint8_t)((c) >> 8),                    \
	  d0, d1, d2, d3, d4, d5, d6, d7 }

/* QEMU docs/specs/sev-guest-firmware.rst and OVMF's reset vector. */
#define FW_GUID_TABLE_FOOTER                                                                        \
	FW_GUID(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d)
#define FW_GUID_SEV_ES_RESET_BLOCK                                                                  \
	FW_GUID(0x00f771de, 0x1a7e, 0x4fcb, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e)
#define FW_GUID_SEV_SECRET_BLOCK                                                                    \
	FW_GUID(0x4c2eb361, 0x7d9b, 0x4cc3, 0x80, 0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94)
#define FW_GUID_SEV_HASHES_BLOCK                                                                    \
	FW_GUID(0x7255371f, 0x3a3b, 0x4b04, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54)
/* sevm's own entry: struct fw_sevm_info. */
#define FW_GUID_SEVM_INFO                                                                           \
	FW_GUID(0xd6398fa9, 0xbc47, 0x433f, 0xba, 0x9e, 0x14, 0xb9, 0x40, 0x0f, 0x60, 0x22)

/* ---- the GUIDed table (QEMU sev-guest-firmware.rst, "Table memory layout") ----
 *
 * The image ends at 4 GiB. At FW_TABLE_FOOTER_GPA sits the footer GUID; the
 * u16 just below it is the length of the whole table, footer included. The
 * entries precede it, each ending in "u16 length (of the entry, GUID and
 * length included), GUID"; they are walked backwards from the footer.
 */
#define FW_IMAGE_END 0x100000000ULL
#define FW_TABLE_FOOTER_GPA 0xffffffd0u
#define FW_RESET_VECTOR_GPA 0xfffffff0u
#define FW_GUID_SIZE 16
#define FW_ENTRY_TRAILER (2 + FW_GUID_SIZE) /* u16 length + GUID */

/* SEV-ES reset block data: u32, IP in bits 15:0, CS base >> 16 in bits 31:16. */
struct fw_sev_es_reset {
	uint32_t ap_reset;
};

/* SEV secret block and hashes block data. */
struct fw_region {
	uint32_t base;
	uint32_t size;
};

/* sevm's entry: where the firmware keeps what the host must know. */
#define FW_SEVM_INFO_VERSION 1
struct fw_sevm_info {
	uint32_t version;
	uint32_t image_base; /* the image occupies [image_base, 4 GiB) */
	uint32_t vmsa_base; /* one 4 KiB VMSA page per vCPU, vCPU i at base + i * 4096 */
	uint32_t vmsa_max; /* vCPUs (OS and handler) the firmware has pages for */
	uint32_t shared_base; /* host-visible region: fw_cfg DMA, later the mailbox */
	uint32_t shared_size;
	uint32_t runtime_base; /* firmware runtime memory the OS must leave alone */
	uint32_t runtime_size;
};

/* ---- kernel hashes table (QEMU target/i386/sev.c; sev-facts.md) ----
 * Written by the host into the hashes block before launch, so it is part of
 * the launch measurement; the firmware checks what it loads against it. */
#define FW_GUID_HASHES_HEADER                                                                       \
	FW_GUID(0x9438d606, 0x4f22, 0x4cc9, 0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21)
#define FW_GUID_HASH_CMDLINE                                                                        \
	FW_GUID(0x97d02dd8, 0xbd20, 0x4c94, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a)
#define FW_GUID_HASH_INITRD                                                                         \
	FW_GUID(0x44baf731, 0x3a2f, 0x4bd7, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d)
#define FW_GUID_HASH_KERNEL                                                                         \
	FW_GUID(0x4de79437, 0xabd2, 0x427f, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b)
#define FW_HASH_SIZE 32 /* SHA-256 */
#define FW_HASH_ENTRY_SIZE (FW_GUID_SIZE + 2 + FW_HASH_SIZE) /* 50 */
#define FW_HASHES_TABLE_LEN (FW_GUID_SIZE + 2 + 3 * FW_HASH_ENTRY_SIZE) /* 168 */
#define FW_HASHES_TABLE_PADDED 176 /* rounded up to 16 */

/* ---- the secret table (LAUNCH_SECRET's payload, in the secret block) ----
 * The layout Linux's efi_secret driver reads (drivers/virt/coco/efi_secret;
 * sev-facts.md): a header {GUID, u32 total length}, then entries
 * {GUID, u32 length (GUID and length included), data}, the total rounded
 * up to 16 bytes with zeros (LAUNCH_SECRET moves whole 16-byte blocks).
 * The guest owner builds it; the platform decrypts it into the secret
 * block; the firmware reads it and never shows it to the host. */
#define FW_GUID_SECRET_TABLE                                                                        \
	FW_GUID(0x1e74f542, 0x71dd, 0x4d66, 0x96, 0x3e, 0xef, 0x42, 0x87, 0xff, 0x17, 0x3b)
/* sevm's entry: the 32-byte migration transport key (design brief §4). */
#define FW_GUID_SECRET_TRANSPORT_KEY                                                                \
	FW_GUID(0xbfeaa839, 0x91e5, 0x4dcc, 0x9b, 0x08, 0x38, 0x8c, 0x00, 0x81, 0xba, 0xa7)
/* sevm's entry: 16 random bytes unique to the launch, so that tables (and
 * the hashes the firmware prints) differ between launches with one key. */
#define FW_GUID_SECRET_LAUNCH_ID                                                                    \
	FW_GUID(0x5d0c3c8e, 0x2f4b, 0x4a6e, 0x8c, 0x1d, 0x9b, 0x7e, 0x52, 0x30, 0xa4, 0x61)
#define FW_SECRET_LAUNCH_ID_SIZE 16
#define FW_SECRET_HEADER_SIZE (FW_GUID_SIZE + 4)
#define FW_SECRET_ENTRY_HEADER_SIZE (FW_GUID_SIZE + 4)
#define FW_TRANSPORT_KEY_SIZE 32
#define FW_SECRET_TABLE_MAX 4096 /* the secret block is one page */

/* ---- fw_cfg-style configuration interface (docs/firmware.md) ----
 * Select an item with a 16-bit write to the selector port; read it byte by
 * byte from the data port, or, for bulk data, write the 32-bit GPA of a
 * struct fw_cfg_dma to the DMA port: the host copies the requested bytes
 * to the given address before the write completes and stores the result
 * in `control`. */
#define FW_CFG_PORT_SELECTOR 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA 0x514

enum fw_cfg_item {
	FW_CFG_SIGNATURE = 0x0000, /* "SEVM" */
	FW_CFG_INTERFACE = 0x0001, /* u32 interface version, FW_CFG_VERSION */
	FW_CFG_BOOT_CONFIG = 0x0010, /* struct fw_boot_config */
	FW_CFG_KERNEL = 0x0011, /* the kernel file, as hashed */
	FW_CFG_INITRD = 0x0012, /* the initrd file, as hashed (may be empty) */
	FW_CFG_CMDLINE = 0x0013, /* the command line and its NUL, as hashed */
};

#define FW_CFG_SIGNATURE_VALUE "SEVM"
#define FW_CFG_VERSION 1

struct fw_cfg_dma {
	uint32_t control; /* in: FW_CFG_DMA_READ; out: 0 or FW_CFG_DMA_ERROR */
	uint32_t length; /* bytes to copy */
	uint64_t address; /* guest physical destination */
	uint64_t offset; /* from the start of the item */
	uint16_t item; /* enum fw_cfg_item */
	uint16_t reserved[3];
};

#define FW_CFG_DMA_READ 0x2u
#define FW_CFG_DMA_ERROR 0x1u

#define FW_BOOT_CONFIG_MAGIC 0x47464357u /* "WCFG" */
#define FW_BOOT_CONFIG_VERSION 1

struct fw_boot_config {
	uint32_t magic;
	uint32_t version;
	uint32_t os_vcpus; /* vCPUs 0..os_vcpus-1 run the OS; APIC ID = vCPU index */
	uint32_t handler_vcpus; /* vCPUs os_vcpus.. run only firmware code */
	uint64_t ram_size; /* RAM laid out as in docs/boot.md: below 3 GiB, rest above 4 GiB */
	uint64_t kernel_size;
	uint64_t initrd_size;
	uint32_t cmdline_size; /* including the NUL */
	uint32_t flags; /* FW_BOOT_*; any other bit is refused */
};

/* fw_boot_config.flags. MIGRATION_TARGET: the VM is started to receive a
 * migration (design.md §5, "Target startup"): the firmware loads and boots
 * no OS (kernel, initrd and cmdline items are neither read nor checked),
 * starts the Migration Handler as target (handler_vcpus must be >= 1) and
 * parks the OS vCPUs. Without it the MH is the source and the OS boots. */
#define FW_BOOT_MIGRATION_TARGET 0x1u
#define FW_BOOT_FLAGS_KNOWN FW_BOOT_MIGRATION_TARGET

/* Migration Handler doorbell: each handler vCPU writes its handler index
 * (u32, 32-bit OUT) here exactly once, right after it reported
 * MH_HANDLER_READY in the mailbox (include/sevm/mh_abi.h), so the VMM can
 * stop running that vCPU until a migration starts. It is the only VM exit
 * a READY handler makes: afterwards it polls its slots. A handler that
 * failed (MH_HANDLER_FAILED) halts instead and never rings. */
#define FW_MH_DOORBELL_PORT 0x51c /* past fw_cfg's DMA register (QEMU: 8 bytes at 0x514) */

/* ---- how the firmware ends the VM when it refuses to boot ----
 * It prints one line "firmware: <reason>" on COM1 and writes
 * FW_EXIT_BASE | reason to the debug-exit port (0xf4). */
#define FW_EXIT_BASE 0x46570000u /* "FW" */
#define FW_EXIT_MASK 0xffff0000u

enum fw_exit_reason {
	FW_EXIT_KERNEL_HASH = 1, /* "kernel hash mismatch" */
	FW_EXIT_INITRD_HASH = 2, /* "initrd hash mismatch" */
	FW_EXIT_CMDLINE_HASH = 3, /* "cmdline hash mismatch" */
	FW_EXIT_HASHES_TABLE = 4, /* "hashes table malformed" */
	FW_EXIT_FW_CFG = 5, /* "malformed fw_cfg input" (signature, sizes, DMA errors) */
	FW_EXIT_BOOT_CONFIG = 6, /* "malformed boot configuration" */
	FW_EXIT_KERNEL_IMAGE = 7, /* "kernel is not a 64-bit bzImage" */
	FW_EXIT_NO_MEMORY = 8, /* "not enough memory to load the kernel" */
	FW_EXIT_INTERNAL = 9, /* "internal error" (an unexpected exception) */
	FW_EXIT_SECRET_TABLE = 10, /* "secret table malformed" */
};

/* The text the firmware prints after "firmware: " and sevm reports; NULL for
 * an unknown reason. */
static inline const char *fw_exit_reason_text(uint32_t reason)
{
	switch (reason) {
	case FW_EXIT_KERNEL_HASH:
		return "kernel hash mismatch";
	case FW_EXIT_INITRD_HASH:
		return "initrd hash mismatch";
	case FW_EXIT_CMDLINE_HASH:
		return "cmdline hash mismatch";
	case FW_EXIT_HASHES_TABLE:
		return "hashes table malformed";
	case FW_EXIT_FW_CFG:
		return "malformed fw_cfg input";
	case FW_EXIT_BOOT_CONFIG:
		return "malformed boot configuration";
	case FW_EXIT_KERNEL_IMAGE:
		return "kernel is not a 64-bit bzImage";
	case FW_EXIT_NO_MEMORY:
		return "not enough memory to load the kernel";
	case FW_EXIT_INTERNAL:
		return "internal error";
	case FW_EXIT_SECRET_TABLE:
		return "secret table malformed";
	default:
		return 0;
	}
}

#endif
