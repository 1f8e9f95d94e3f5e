/* SPDX-License-Identifier: MIT */
/*
 * Link layout of sevm-fw (preprocessed by cpp with fw_layout.h). Every
 * output section sits at a fixed address from fw_layout.h; the flat image
 * (objcopy -O binary) runs from FW_IMAGE_BASE to 4 GiB, gaps zero-filled.
 * fw_user.o (CPL3 code, libc, BearSSL) goes to the only user pages.
 * Any input section not named here is an error (--orphan-handling=error).
 */
#include "fw_layout.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(fw_reset_vector)

SECTIONS
{
	/* VMSA pages, secret page, hashes page: zeros in the image. */
	.fw.head FW_IMAGE_BASE : {
		BYTE(0)
		. = FW_PML4 - FW_IMAGE_BASE;
	}
	.fw.pt FW_PML4 : { KEEP(*(.fw.pt)) }
	.fw.sys FW_SYS : { KEEP(*(.fw.sys)) }
	.fw.idt FW_IDT : { KEEP(*(.fw.idt)) }
	.fw.isr FW_ISR : { KEEP(*(.fw.isr)) }
	.fw.kernel FW_TEXT : {
		*(EXCLUDE_FILE(*fw_user.o) .text EXCLUDE_FILE(*fw_user.o) .text.*)
		*(.iplt)
		*(EXCLUDE_FILE(*fw_user.o) .rodata EXCLUDE_FILE(*fw_user.o) .rodata.*)
		*(EXCLUDE_FILE(*fw_user.o) .data EXCLUDE_FILE(*fw_user.o) .data.*)
		*(EXCLUDE_FILE(*fw_user.o) .bss EXCLUDE_FILE(*fw_user.o) .bss.*)
		*(EXCLUDE_FILE(*fw_user.o) COMMON)
		fw_kernel_end = .;
	}
	.fw.user FW_USER : {
		*fw_user.o(.text .text.*)
		*fw_user.o(.rodata .rodata.*)
		*(.got) *(.got.plt) *(.igot .igot.plt)
		*fw_user.o(.data .data.*)
		*fw_user.o(.bss .bss.* COMMON)
		fw_user_end = .;
	}
	.fw.reset FW_RESET_PAGE : { KEEP(*(.fw.reset)) fw_reset_end = .; }
	.fw.table FW_TABLE : { KEEP(*(.fw.table)) }
	.fw.resetvec FW_RESET_VECTOR : { KEEP(*(.fw.resetvec)) . = 16; }

	/* DWARF, for gdb and addr2line on sevm-fw.elf; not loaded. */
	.debug_info 0 : { *(.debug_info) }
	.debug_abbrev 0 : { *(.debug_abbrev) }
	.debug_aranges 0 : { *(.debug_aranges) }
	.debug_line 0 : { *(.debug_line) }
	.debug_line_str 0 : { *(.debug_line_str) }
	.debug_str 0 : { *(.debug_str) }
	.debug_frame 0 : { *(.debug_frame) }
	.debug_loclists 0 : { *(.debug_loclists) }
	.debug_rnglists 0 : { *(.debug_rnglists) }
	.debug_loc 0 : { *(.debug_loc) }
	.debug_ranges 0 : { *(.debug_ranges) }
	.symtab 0 : { *(.symtab) }
	.strtab 0 : { *(.strtab) }
	.shstrtab 0 : { *(.shstrtab) }

	/DISCARD/ : {
		*(.comment) *(.note .note.*) *(.rela.iplt) *(.eh_frame .eh_frame_hdr) *(.rela.*) *(.interp)
		*(.dynamic) *(.dynsym) *(.dynstr) *(.hash) *(.gnu.hash) *(.gnu.version*)
	}
}

ASSERT(SIZEOF(.fw.pt) == 13 * FW_PAGE, "page tables: 13 pages")
ASSERT(fw_kernel_end <= FW_TEXT_END, "CPL0 code and data overflow into the BSP stack")
ASSERT(fw_user_end <= FW_USER_STACK, "CPL3 code and data overflow into the CPL3 stack")
ASSERT(fw_reset_end <= FW_TABLE, "reset code overlaps the GUIDed table")
ASSERT(SIZEOF(.fw.table) == FW_TABLE_SIZE, "GUIDed table size")
ASSERT(fw_isr_common - FW_ISR == 33 * FW_ISR_STUB, "ISR stubs")
ASSERT(fw_ap16 == FW_AP_RESET, "AP reset entry")
