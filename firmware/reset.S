/* SPDX-License-Identifier: MIT */
/*
 * From the reset state to 64-bit mode, for every vCPU.
 *
 * Entry state (sev-facts.md "Initial SEV-ES VMSA", docs/firmware.md): real
 * mode, CS selector 0xf000 with base 0xffff0000, EDX = CPUID signature.
 * The BSP starts at the reset vector 0xfffffff0, every other vCPU at the
 * SEV-ES AP reset IP, fw_ap16 = 0xfffff000 (CS base 0xffff0000, IP 0xf000),
 * all at once. Real and protected mode are emulated on PVM and slow, so
 * this is straight-line code: about 25 instructions to long mode, using
 * the static GDT and page tables of sys.S (Intel SDM Vol. 3A §10.8.5:
 * CR4.PAE, CR3, EFER.LME, then CR0.PG). Only CS-relative near accesses
 * are made in real mode, since the CS base is above 1 MiB.
 *
 * Then the BSP runs fw_main() on its stack; any other vCPU takes the stack
 * of its APIC ID and parks in fw_ap_main() (park.c).
 */
#include "fw_layout.h"

	.section .fw.reset, "ax", @progbits
	.code16
	.globl	fw_ap16
fw_ap16:
	mov	$1, %esi
	jmp	1f
	.globl	fw_bsp16
fw_bsp16:
	xor	%esi, %esi
1:	cld
	lgdtl	%cs:(gdt_desc16 - fw_ap16 + (FW_RESET_PAGE & 0xffff))
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$SEL_CODE32, $start32

	.code32
start32:
	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	/* OSFXSR/OSXMMEXCPT: SSE for BearSSL at CPL3 (Intel SDM Vol. 3A §13.1.3). */
	mov	$(CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4
	mov	$FW_PML4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	/* MP|NE, EM and TS clear: x87/SSE usable; CD/NW clear: caches on. */
	mov	$(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE), %eax
	mov	%eax, %cr0
	ljmp	$SEL_CODE64, $start64

	.code64
start64:
	mov	$FW_IDT_DESC, %eax
	lidt	(%rax)
	test	%esi, %esi
	jnz	ap64
	mov	$FW_BSP_STACK_TOP, %esp
	mov	$SEL_TSS, %eax
	ltr	%ax
	call	fw_main
	jmp	halt

ap64:
	/* CPUID.1:EBX[31:24] is the initial APIC ID, = vCPU index (fw_abi.h). */
	mov	$1, %eax
	cpuid
	shr	$24, %ebx
	cmp	$FW_VMSA_MAX, %ebx
	jae	halt
	.if	FW_STACK_SIZE != 0x1000
	.error	"the shift below assumes 4 KiB stacks"
	.endif
	lea	1(%rbx), %eax
	shl	$12, %eax
	add	$FW_STACKS, %eax
	mov	%rax, %rsp
	mov	%ebx, %edi
	call	fw_ap_main
halt:
	cli
	hlt
	jmp	halt

	.balign	8
gdt_desc16:
	.word	FW_GDT_ENTRIES * 8 - 1
	.long	FW_GDT

/* 0xfffffff0: the BSP's first instruction. */
	.section .fw.resetvec, "ax", @progbits
	.code16
	.globl	fw_reset_vector
fw_reset_vector:
	jmp	fw_bsp16
	hlt

	.section .note.GNU-stack, "", @progbits
