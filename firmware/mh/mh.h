/* SPDX-License-Identifier: MIT */
/*
 * The Migration Handler's runtime (design.md §5; docs/firmware.md,
 * "Migration Handler"): its private region in low RAM and the state in it,
 * shared by the CPL0 side (mhboot.c: layout, hand-over, entry) and the
 * CPL3 side (mh.c: mailbox, slots, records through record.h).
 *
 * The private region sits at the top of RAM below 3 GiB and depends only
 * on ram_size and handler_vcpus, so source and target of one configuration
 * place it identically. From its base:
 *
 *   MH_STATE_SIZE         struct mh_state: the hand-over from CPL0, locks,
 *                         the sequence counter, epoch and target state
 *   per handler h         MH_HANDLER_SIZE:
 *     + 0                 struct mh_handler_page: TLS block (FS base, the
 *                         stack protector's canary at 0x28), the private
 *                         copy of the slot header being served
 *     + MH_PAGE_SIZE      CPL3 stack, MH_STACK_SIZE (top 16-byte aligned)
 *     + MH_STAGING_OFF    staging buffer, MH_STAGING_SIZE >= MH_RECORD_MAX
 *   last[]                u64 per page of RAM below 3 GiB (struct
 *                         mh_applied), page-rounded
 *
 * The firmware reserves it in the OS's e820 map, loads nothing into it,
 * and the MH refuses records that target it (mh_gpa_private()).
 */
#ifndef SEVM_FIRMWARE_MH_MH_H
#define SEVM_FIRMWARE_MH_MH_H

#include <stdint.h>

#include "record.h"
#include "sevm/mh_abi.h"

#define MH_STATE_SIZE 0x10000
#define MH_STACK_SIZE 0x10000
#define MH_STAGING_SIZE ((MH_RECORD_MAX + MH_PAGE_SIZE - 1) & ~(uint64_t)(MH_PAGE_SIZE - 1))
#define MH_STAGING_OFF (MH_PAGE_SIZE + MH_STACK_SIZE)
#define MH_HANDLER_SIZE (MH_STAGING_OFF + MH_STAGING_SIZE)
#define MH_LOW_LIMIT 0xc0000000ull /* RAM below the 3 GiB hole (docs/boot.md) */
/* VGA and option-ROM hole: not in the e820 map, never the OS's. */
#define MH_LEGACY_HOLE_START 0xa0000ull
#define MH_LEGACY_HOLE_END 0xe0000ull

struct mh_layout {
	uint64_t low_end; /* end of RAM below 3 GiB */
	uint64_t base;	  /* the private region, page aligned; size 0: none */
	uint64_t size;
	uint64_t last;	  /* last[] */
	uint64_t nr_pfns; /* pages below low_end, entries of last[] */
	uint64_t vmsa_stash; /* target: a page per OS vCPU for its migrated VMSA */
	uint32_t nr_vmsas;   /* OS vCPUs: those whose VMSAs migrate */
	uint32_t reserved;
};

/* A pure function of the configuration (no handlers: no region):
 * state, the handlers' blocks, the VMSA stash, last[]. */
static inline void mh_layout(uint64_t ram_size, uint32_t handlers, uint32_t os_vcpus,
			     struct mh_layout *l)
{
	uint64_t last_size, stash_size;

	l->low_end = ram_size < MH_LOW_LIMIT ? ram_size : MH_LOW_LIMIT;
	l->nr_pfns = l->low_end / MH_PAGE_SIZE;
	l->nr_vmsas = os_vcpus < MH_MAX_VMSAS ? os_vcpus : MH_MAX_VMSAS;
	l->reserved = 0;
	last_size = (l->nr_pfns * 8 + MH_PAGE_SIZE - 1) & ~(uint64_t)(MH_PAGE_SIZE - 1);
	stash_size = (uint64_t)l->nr_vmsas * MH_PAGE_SIZE;
	l->size = handlers ? MH_STATE_SIZE + handlers * (uint64_t)MH_HANDLER_SIZE + stash_size +
				 last_size
			   : 0;
	l->base = l->low_end - l->size;
	l->last = l->base + l->size - last_size;
	l->vmsa_stash = l->last - stash_size;
}

static inline uint64_t mh_handler_block(const struct mh_layout *l, uint32_t h)
{
	return l->base + MH_STATE_SIZE + h * (uint64_t)MH_HANDLER_SIZE;
}

/* Written by CPL0 (mhboot.c) before it lets the handlers in; read-only for
 * the MH. The key and launch id are the only secrets the MH ever sees:
 * copies of two entries of the secret table, which stays supervisor-only. */
struct mh_boot {
	uint32_t role;	      /* enum mh_role */
	uint32_t nr_handlers; /* handler vCPUs, >= 1 */
	uint32_t have_key;    /* the secret table held a transport key */
	uint32_t have_launch_id;
	struct mh_layout layout;
	/* Where CPL3 finds GPA 0: FW_MH_RAM_ALIAS (never NULL, so guest page 0
	 * is a valid pointer); the MH reaches every GPA, its own state
	 * included, as ram_alias + GPA. */
	uint64_t ram_alias;
	uint64_t shared_base;
	uint64_t shared_size;
	/* GPA of vCPU 0's VMSA page (FW_VMSA_BASE), the others following;
	 * the source reads and the target writes them through ram_alias. */
	uint64_t vmsa_base;
	uint8_t key[MH_KEY_SIZE];
	uint8_t launch_id[16];
};

enum mh_source_state {
	MH_SRC_IDLE = 0,   /* no epoch */
	MH_SRC_SEALING = 1, /* BEGIN made: SEAL and COMMIT allowed */
	MH_SRC_COMMITTED = 2,
};

#define MH_CACHELINE 64

/* At the base of the private region; zeroed (at CPL3) before mh_boot. */
struct mh_state {
	struct mh_boot boot;
	uint32_t init_done; /* handler 0 filled the mailbox: the others may report */
	uint32_t init_error; /* enum mh_error: every handler fails with it */
	/* enum mh_role: boot.role, until a target's commit verifies: then the
	 * guest is this VM's, and its next migration starts here (source). */
	uint32_t role;
	/* Source: readers (SEAL) and a writer (BEGIN, COMMIT); target: a mutex
	 * around mh_open (record.c applies pages without per-page ordering). */
	uint32_t lock __attribute__((aligned(MH_CACHELINE)));
	uint64_t seq_next __attribute__((aligned(MH_CACHELINE))); /* SEAL/COMMIT seq */
	uint64_t begins __attribute__((aligned(MH_CACHELINE)));	/* source nonces drawn */
	uint32_t src_state;					/* enum mh_source_state */
	struct mh_epoch epoch;					/* source */
	struct mh_target target;				/* target */
	/* Source: per handler, so mh_seal_pages' record count needs no atomics;
	 * all share last[]. */
	struct {
		struct mh_applied sent;
	} __attribute__((aligned(MH_CACHELINE))) h[MH_MAX_HANDLERS];
	/* VMSAs' last sequence numbers: sent (source, shared by the
	 * handlers like last[]) and applied (target). */
	uint64_t vmsa_sent[MH_MAX_VMSAS];
	uint64_t vmsa_applied[MH_MAX_VMSAS];
};

_Static_assert(sizeof(struct mh_state) <= MH_STATE_SIZE, "MH state fits its pages");

/* First page of a handler's block. */
struct mh_handler_page {
	uint64_t tls[8]; /* FS base: [5] is the canary (x86-64 TLS layout) */
	struct mh_slot req; /* private copy of the slot header being served */
};

_Static_assert(sizeof(struct mh_handler_page) <= MH_PAGE_SIZE, "handler page");

/* CPL3 (mh.c), entered from user.S's fw_mh_entry with st = ram_alias +
 * the region's base; never returns. */
__attribute__((noreturn)) void mh_main(uint32_t h, struct mh_state *st);
/* user.S: int 0x80 from a handler vCPU (FW_SYS_MH_DOORBELL, FW_SYS_MH_PARK). */
long fw_mh_syscall(long nr, long arg);
_Static_assert(MH_STAGING_SIZE >= MH_RECORD_MAX, "staging holds a record");

#endif
