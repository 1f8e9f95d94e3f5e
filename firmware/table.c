// SPDX-License-Identifier: MIT
/*
 * The GUIDed table at the end of the image, through which the host learns
 * the firmware's addresses before launch (QEMU docs/specs/
 * sev-guest-firmware.rst, "Table memory layout"; fw_abi.h). Entries are
 * read backwards from the footer GUID at 0xffffffd0 and the u16 table
 * length below it: each entry is its data, then a u16 length (data, length
 * and GUID), then its GUID. The linker puts this object so that it ends at
 * FW_TABLE_END = 0xffffffe0 (link.ld.S).
 */
#include "fw.h"

#define ENTRY(type)                                                                                \
	struct __attribute__((packed)) {                                                           \
		type data;                                                                         \
		uint16_t len;                                                                      \
		uint8_t guid[FW_GUID_SIZE];                                                        \
	}
#define ENTRY_LEN(type) (sizeof(type) + FW_ENTRY_TRAILER)

struct __attribute__((packed)) fw_table {
	ENTRY(struct fw_sevm_info) sevm;
	ENTRY(struct fw_region) hashes;
	ENTRY(struct fw_region) secret;
	ENTRY(struct fw_sev_es_reset) reset; /* nearest the footer, as in OVMF */
	uint16_t len;			     /* the whole table, footer included */
	uint8_t footer[FW_GUID_SIZE];
};

_Static_assert(sizeof(struct fw_table) == FW_TABLE_SIZE, "FW_TABLE_SIZE");
_Static_assert(FW_TABLE + FW_TABLE_SIZE == FW_TABLE_FOOTER_GPA + FW_GUID_SIZE, "footer GPA");
_Static_assert(FW_AP_RESET >= 0xffff0000 && FW_AP_RESET <= 0xfffffff0,
	       "AP reset in the top 64 KiB");

/* aligned(2): an explicit alignment stops gcc from aligning the object to
 * 32 bytes, which would move it off its fixed address. */
__attribute__((section(".fw.table"), used, aligned(2))) const struct fw_table fw_table = {
    .sevm = {.data = {.version = FW_SEVM_INFO_VERSION,
		      .image_base = FW_IMAGE_BASE,
		      .vmsa_base = FW_VMSA_BASE,
		      .vmsa_max = FW_VMSA_MAX,
		      .shared_base = FW_SHARED_BASE,
		      .shared_size = FW_SHARED_SIZE,
		      .runtime_base = FW_IMAGE_BASE,
		      .runtime_size = FW_IMAGE_SIZE},
	     .len = ENTRY_LEN(struct fw_sevm_info),
	     .guid = FW_GUID_SEVM_INFO},
    .hashes = {.data = {FW_HASHES_BASE, FW_PAGE},
	       .len = ENTRY_LEN(struct fw_region),
	       .guid = FW_GUID_SEV_HASHES_BLOCK},
    .secret = {.data = {FW_SECRET_BASE, FW_PAGE},
	       .len = ENTRY_LEN(struct fw_region),
	       .guid = FW_GUID_SEV_SECRET_BLOCK},
    /* IP in bits 15:0, CS base >> 16 in bits 31:16: the address itself. */
    .reset = {.data = {FW_AP_RESET},
	      .len = ENTRY_LEN(struct fw_sev_es_reset),
	      .guid = FW_GUID_SEV_ES_RESET_BLOCK},
    .len = FW_TABLE_SIZE,
    .footer = FW_GUID_TABLE_FOOTER,
};
