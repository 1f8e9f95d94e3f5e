/* SPDX-License-Identifier: MIT */
/*
 * sevm firmware, CPL0 side: interfaces between its modules and the few
 * privileged instructions it uses. All of them are ones PVM's emulator
 * handles (test-environment.md); never add xsave, xgetbv, rdtscp, popcnt,
 * int3 or SSE here. CPL0 C code is built with -mgeneral-regs-only.
 */
#ifndef SEVM_FIRMWARE_FW_H
#define SEVM_FIRMWARE_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw_layout.h"
#include "sevm/fw_abi.h"

#define NORETURN __attribute__((noreturn))
#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define FW_ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define FW_ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))
#define RAM_HOLE_START 0xc0000000ull /* docs/boot.md: RAM below 3 GiB, the rest at 4 GiB */

/*
 * CPL0 code avoids byte loops, libc calls included: on PVM every
 * instruction here is emulated. These compare and copy a few qwords
 * inline (gcc expands __builtin_memcpy of a constant size into moves).
 */
static inline uint64_t ld64(const void *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline bool eq_qwords(const void *a, const void *b, size_t qwords)
{
	uint64_t diff = 0;

	for (size_t i = 0; i < qwords; i++)
		diff |= ld64((const uint8_t *)a + 8 * i) ^ ld64((const uint8_t *)b + 8 * i);
	return !diff;
}

static inline uint64_t ram_low_end(uint64_t ram_size)
{
	return ram_size < RAM_HOLE_START ? ram_size : RAM_HOLE_START;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* console.c: COM1, polled; refusals end the VM through port 0xf4. A line
 * is started with LINE(name): only len is set, since zeroing the buffer
 * would be an emulated REP STOS. */
struct line {
	char buf[160];
	unsigned len;
};
#define LINE(name)                                                                                 \
	struct line name;                                                                          \
	name.len = 0
void line_str(struct line *l, const char *s);
void line_dec(struct line *l, uint64_t v);
void line_hex(struct line *l, uint64_t v);
void line_print(struct line *l); /* adds the newline */
void con_puts(const char *s);
/* Prints "firmware: <reason>[: <detail>]" and writes FW_EXIT_BASE | why to 0xf4. */
NORETURN void fw_refuse(enum fw_exit_reason why, const char *detail);
NORETURN void fw_refuse_line(enum fw_exit_reason why, struct line *detail);

/* fwcfg.c: the fw_cfg interface of fw_abi.h. */
void fwcfg_read_config(struct fw_boot_config *cfg);
/* DMA of [off, off + len) of item into the bounce buffer (len <= FW_BOUNCE_SIZE). */
void fwcfg_dma(uint16_t item, uint64_t off, uint32_t len);

/* hashes.c */
struct fw_hashes {
	uint8_t kernel[FW_HASH_SIZE];
	uint8_t initrd[FW_HASH_SIZE];
	uint8_t cmdline[FW_HASH_SIZE];
};
void hashes_read(struct fw_hashes *h);

/* secret.c: the SEV secret table, if the launch injected one. Refuses a
 * malformed one (FW_EXIT_SECRET_TABLE) and prints its SHA-256. */
void secret_read(void);
/* The transport key's FW_TRANSPORT_KEY_SIZE bytes in the secret block, or
 * NULL: for the Migration Handler, never copied. */
extern const uint8_t *fw_transport_key;
/* The launch id entry's FW_SECRET_LAUNCH_ID_SIZE bytes, or NULL. */
extern const uint8_t *fw_launch_id;

/* kernel.c: the bzImage setup header (boot.rst) and where things go. */
struct kernel_info {
	uint64_t size;	     /* the file */
	uint64_t setup_len;  /* real-mode part, (setup_sects + 1) * 512 */
	uint64_t load;	     /* protected-mode kernel */
	uint64_t init_size;  /* bytes the kernel needs from load */
	uint64_t header_len; /* setup header bytes copied into the zero page */
	uint64_t cmdline_max;
	uint64_t initrd_max; /* highest address the initrd may end at */
	uint64_t version;    /* boot protocol; all u64, so eq_qwords() compares */
};
/* Parses hdr (the first min(size, 4 KiB) bytes of the file) and places the
 * kernel in low RAM; refuses (FW_EXIT_KERNEL_IMAGE, FW_EXIT_NO_MEMORY). */
void kernel_parse(const uint8_t *hdr, uint64_t size, uint64_t low_end, struct kernel_info *k);
/* Highest page-aligned place for the initrd; refuses when there is none. */
uint64_t kernel_place_initrd(const struct kernel_info *k, uint64_t size, uint64_t low_end);

/* load.c: kernel, initrd and command line into RAM, hashed at CPL3. */
struct loaded {
	struct kernel_info k;
	uint64_t initrd_addr;
	uint64_t initrd_size;
	uint64_t cmdline_size; /* with the NUL */
};
void load_all(const struct fw_boot_config *cfg, const struct fw_hashes *want, struct loaded *out);

/* park.c: parked vCPUs. */
extern volatile uint8_t fw_parked[FW_VMSA_MAX];
NORETURN void fw_ap_main(uint32_t apic_id);
void park_wait_handlers(const struct fw_boot_config *cfg);
NORETURN void park_self(uint32_t apic_id); /* mark parked, halt for good */

/* mhboot.c: the Migration Handler's CPL0 side (mh/mh.h). Every AP waits
 * in fw_ap_main() until the BSP has called mh_configure() (config known:
 * OS APs halt) and, handler vCPUs, mh_start() (they enter the MH). */
void mh_configure(const struct fw_boot_config *cfg);
void mh_start(const struct fw_boot_config *cfg);
/* End of the low RAM the OS may be loaded into: the MH region's base. */
uint64_t mh_load_end(void);
uint64_t mh_region_base(void);
uint64_t mh_region_size(void);
/* From fw_ap_main(): waits for the BSP, then enters the MH or returns. */
void mh_ap_wait(uint32_t apic_id);
/* A refusal: APs still waiting in mh_ap_wait() return and halt. */
void mh_stop(void);

/* trap.c, sys.S, user.S */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
void fw_trap(struct trapframe *f);
long fw_user_call(void *job);
NORETURN void fw_user_resume(long result);
NORETURN void fw_boot_kernel(uint64_t entry, uint64_t zero_page);
NORETURN void fw_mh_enter(uint64_t handler, uint64_t state, uint64_t rsp);
extern char fw_user_entry[];

/* main.c */
NORETURN void fw_main(void);
void fw_user_init(void);

#endif
