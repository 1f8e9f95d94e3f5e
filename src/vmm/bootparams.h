/* SPDX-License-Identifier: MIT */
/*
 * Offsets in the Linux x86 boot protocol's setup header and "zero page"
 * (struct boot_params), from Documentation/arch/x86/boot.rst (sections
 * "The real-mode kernel header" and "Details of header fields") and
 * Documentation/arch/x86/zero-page.rst. Accessed by byte offset so the layout
 * is explicit and independent of compiler packing.
 */
#ifndef SEVM_SRC_VMM_BOOTPARAMS_H
#define SEVM_SRC_VMM_BOOTPARAMS_H

#include <stdint.h>
#include <string.h>

#define BP_SIZE 4096u

/* zero-page.rst */
#define BP_ACPI_RSDP_ADDR 0x070	   /* u64, protocol 2.14+ */
#define BP_EXT_RAMDISK_IMAGE 0x0c0 /* u32 */
#define BP_EXT_RAMDISK_SIZE 0x0c4  /* u32 */
#define BP_EXT_CMD_LINE_PTR 0x0c8  /* u32 */
#define BP_E820_ENTRIES 0x1e8	   /* u8 */
#define BP_E820_TABLE 0x2d0	   /* 128 x struct boot_e820_entry */
#define BP_E820_MAX 128u

/* boot.rst setup header, at the same offsets in the image and the zero page. */
#define HDR_START 0x1f1
#define HDR_SETUP_SECTS 0x1f1	   /* u8, 0 means 4 */
#define HDR_BOOT_FLAG 0x1fe	   /* u16, 0xaa55 */
#define HDR_JUMP 0x200		   /* 2-byte jump; byte 0x201 gives the header's end */
#define HDR_HEADER 0x202	   /* u32 "HdrS" */
#define HDR_VERSION 0x206	   /* u16 */
#define HDR_TYPE_OF_LOADER 0x210   /* u8 */
#define HDR_LOADFLAGS 0x211	   /* u8 */
#define HDR_CODE32_START 0x214	   /* u32 */
#define HDR_RAMDISK_IMAGE 0x218	   /* u32 */
#define HDR_RAMDISK_SIZE 0x21c	   /* u32 */
#define HDR_CMD_LINE_PTR 0x228	   /* u32 */
#define HDR_INITRD_ADDR_MAX 0x22c  /* u32 */
#define HDR_KERNEL_ALIGNMENT 0x230 /* u32 */
#define HDR_RELOCATABLE 0x234	   /* u8 */
#define HDR_XLOADFLAGS 0x236	   /* u16 */
#define HDR_CMDLINE_SIZE 0x238	   /* u32 */
#define HDR_PREF_ADDRESS 0x258	   /* u64 */
#define HDR_INIT_SIZE 0x260	   /* u32 */
#define HDR_MIN_SIZE 0x264	   /* file must reach past init_size */

#define HDR_MAGIC 0x53726448u /* "HdrS" */
#define BOOT_FLAG_MAGIC 0xaa55u
#define LOADFLAG_LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x0001
#define TYPE_OF_LOADER_UNDEFINED 0xff
#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED 2

/* Offset of the 64-bit entry from the protected-mode load address (boot.rst). */
#define BOOT_ENTRY64_OFFSET 0x200

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
