/* SPDX-License-Identifier: MIT */
/*
 * Test guest payload head: every way into the guest.  This is the start of
 * the protected-mode payload that loads at LOAD_ADDR (0x100000):
 *
 *   offset 0x000  32-bit entry (boot.rst "32-bit boot protocol",
 *                 code32_start): ESI = boot_params, paging off
 *   offset 0x008  Multiboot header (Multiboot 0.6.96 3.1, a.out kludge);
 *                 its entry_addr is entry32_mb: EAX = 0x2BADB002,
 *                 EBX = multiboot info, paging off
 *   offset 0x040  kernel_info (boot.rst "The kernel_info", protocol 2.15)
 *   offset 0x200  64-bit entry (boot.rst "64-bit boot protocol"): long
 *                 mode, identity-mapped, RSI = boot_params
 *
 * Both 32-bit paths build a boot identity map of 0..4 GiB with 2 MiB
 * pages (1 GiB pages triple-fault on PVM), enter long mode and call
 * boot_main(kind, info).  The 64-bit path keeps the loader's page tables
 * until boot_main has copied boot_params and the command line out.
 * ap_entry32 is where the AP trampoline (trampoline.S) lands.
 *
 * All of this runs at CPL0 (emulated instruction by instruction on PVM),
 * so it is kept short.  Nothing may depend on the loader's GDT, IDT or
 * stack.
 */
#include "layout.h"

/* Intel SDM Vol. 3A 10.8.5: PAE on, CR3, EFER.LME, then CR0.PG. */
.macro ENTER_LONG pml4:req, target:req
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$\pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_PE), %eax
	mov	%eax, %cr0
	ljmp	$SEL_KCODE, $\target
.endm

	.section .head, "ax"
	.code32
	.globl	head_start
head_start:
	jmp	entry32_linux

	.balign	8
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	mb_header		/* header_addr */
	.long	__image_start		/* load_addr */
	.long	__load_end		/* load_end_addr: end of the file */
	.long	__image_end		/* bss_end_addr: end of init_size */
	.long	entry32_mb		/* entry_addr */

	.org	0x40
kernel_info:
	.ascii	"LToP"
	.long	16			/* size */
	.long	16			/* size_total: no variable data */
	.long	0			/* setup_type_max: no setup_data used */

	.org	0x200
	.code64
	.globl	entry64_linux
entry64_linux:
	cli
	cld
	mov	%rsi, %r12
	/* boot.rst guarantees no stack; clear .bss before taking ours. */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$3, %ecx
	xor	%eax, %eax
	rep stosq
	mov	$boot_stack_top, %rsp
	lgdt	gdt_desc
	push	$SEL_KCODE
	push	$1f
	lretq
1:	mov	$SEL_KDATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$BOOT_LINUX64, %edi
	mov	%r12, %rsi
	call	boot_main
2:	hlt
	jmp	2b

	.text
	.code32
entry32_linux:
	cli
	mov	$BOOT_LINUX32, %ebp
	mov	%esi, %ebx
	jmp	common32

entry32_mb:
	cli
	cmp	$MB_BOOT_EAX, %eax
	jne	halt32
	mov	$BOOT_MULTIBOOT, %ebp
	/* EBX already holds the multiboot info address. */

common32:
	cld
	/* Multiboot 3.2: GDTR may be invalid, so load ours first. */
	lgdt	gdt_desc
	ljmp	$SEL_KCODE32, $1f
1:	mov	$SEL_KDATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs

	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl

	/* PML4[0] -> PDPT; PDPT[0..3] -> four PDs; 2048 x 2 MiB pages. */
	movl	$(boot_pdpt + PTE_P + PTE_W), boot_pml4
	mov	$(boot_pd + PTE_P + PTE_W), %eax
	xor	%ecx, %ecx
2:	mov	%eax, boot_pdpt(, %ecx, 8)
	add	$PAGE_SIZE, %eax
	inc	%ecx
	cmp	$4, %ecx
	jb	2b
	mov	$(PTE_P + PTE_W + PTE_PS), %eax
	xor	%ecx, %ecx
3:	mov	%eax, boot_pd(, %ecx, 8)
	add	$0x200000, %eax
	inc	%ecx
	cmp	$2048, %ecx
	jb	3b

	ENTER_LONG boot_pml4, entry64_boot

halt32:
	hlt
	jmp	halt32

	/* AP path: real-mode trampoline -> here, flat 32-bit, paging off. */
	.globl	ap_entry32
ap_entry32:
	mov	$SEL_KDATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	ENTER_LONG pml4, ap_entry64

	.code64
entry64_boot:
	mov	$SEL_KDATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$boot_stack_top, %rsp
	mov	%ebp, %edi
	mov	%ebx, %esi
	call	boot_main
1:	hlt
	jmp	1b

ap_entry64:
	mov	$SEL_KDATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	ap_boot_stack, %rsp
	mov	ap_boot_index, %edi
	call	ap_main
1:	hlt
	jmp	1b

	.data
	.balign	16
	/*
	 * Flat descriptors (Intel SDM Vol. 3A 3.4.5), accessed bit preset so
	 * the CPU never writes them.  TSS descriptors are filled in by cpu.c.
	 */
	.globl	gdt
gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x08 kernel code, 64-bit */
	.quad	0x00cf93000000ffff	/* 0x10 kernel data */
	.quad	0x00cf9b000000ffff	/* 0x18 kernel code, 32-bit */
	.quad	0x00cffb000000ffff	/* 0x23 user code, 32-bit (unused) */
	.quad	0x00cff3000000ffff	/* 0x2b user data */
	.quad	0x00affb000000ffff	/* 0x33 user code, 64-bit */
	.fill	2 * MAX_CPUS, 8, 0
	.globl	gdt_desc
	.balign	16
gdt_desc:
	.word	GDT_ENTRIES * 8 - 1
	.quad	gdt

	.globl	ap_boot_stack, ap_boot_index
	.balign	8
ap_boot_stack:
	.quad	0
ap_boot_index:
	.long	0

	.bss
	.balign	PAGE_SIZE
boot_pml4:
	.skip	PAGE_SIZE
boot_pdpt:
	.skip	PAGE_SIZE
boot_pd:
	.skip	4 * PAGE_SIZE

	.section .noinit, "aw", @nobits
	.balign	16
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:
