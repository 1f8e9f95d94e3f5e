// SPDX-License-Identifier: MIT
/*
 * The SEV secret table (fw_abi.h, "the secret table"; docs/firmware.md,
 * "Secret table"). In an SEV launch the platform decrypts the guest
 * owner's LAUNCH_SECRET payload into the secret block; otherwise the block
 * keeps the image's zeros and there is nothing to do.
 *
 * The check and SHA-256 run at CPL3 like every loop (fw_job.h), but on the
 * table where it lies: for that one job the secret page's PTE gets the
 * user bit, and loses it before anything else runs. The table is never
 * copied; only where the transport key and the launch id lie is kept, and
 * mhboot.c copies those two entries, and nothing else of the table, into
 * the Migration Handler's private memory.
 */
#include "fw.h"
#include "fw_job.h"

/* FW_PT maps the last 2 MiB below 4 GiB page by page (sys.S). */
#define PT_BASE (FW_IMAGE_BASE & ~0x1fffffull)
#define SECRET_PTE                                                                                 \
	((volatile uint64_t *)(uintptr_t)(FW_PT + 8 * ((FW_SECRET_BASE - PT_BASE) >> 12)))

const uint8_t *fw_transport_key;
const uint8_t *fw_launch_id;

/* Intel SDM Vol. 3A §4.10.4.1: after changing a PTE, INVLPG drops the
 * stale translation of that page. */
static void secret_set_user(bool user)
{
	uint64_t pte = *SECRET_PTE;

	*SECRET_PTE = user ? pte | PTE_U : pte & ~(uint64_t)PTE_U;
	__asm__ volatile("invlpg (%0)" : : "r"((uintptr_t)FW_SECRET_BASE) : "memory");
}

static void line_digest(struct line *l, const uint8_t *d)
{
	for (unsigned i = 0; i < FW_HASH_SIZE && l->len + 2 < sizeof(l->buf); i++) {
		l->buf[l->len++] = "0123456789abcdef"[d[i] >> 4];
		l->buf[l->len++] = "0123456789abcdef"[d[i] & 0xf];
	}
}

static void print_table(const struct fw_secret *s)
{
	LINE(line);

	line_str(&line, "firmware: secret table sha256=");
	line_digest(&line, fw_job.digest);
	line_str(&line, " entries=");
	line_dec(&line, s->info.entries);
	line_str(&line, " transport-key=");
	line_str(&line, s->info.key_offset ? "yes" : "no");
	line_print(&line);
}

void secret_read(void)
{
	static const uint8_t guid[FW_GUID_SIZE] = FW_GUID_SECRET_TABLE;
	const struct fw_secret *s = &fw_job.secret;

	fw_transport_key = NULL;
	fw_launch_id = NULL;
	/* No header GUID: nothing was injected (not an SEV launch). */
	if (!eq_qwords((const void *)(uintptr_t)FW_SECRET_BASE, guid, FW_GUID_SIZE / 8))
		return;
	fw_job.op = FW_JOB_SECRET;
	fw_job.flags = 0;
	fw_job.nr_segs = 0;
	secret_set_user(true);
	fw_user_call(&fw_job);
	secret_set_user(false);
	if (s->status == SECRET_TABLE_BAD)
		fw_refuse(FW_EXIT_SECRET_TABLE, secret_table_reason_text(s->reason));
	/* The same code found the GUID just now; anything else is a bug, and
	 * the key must lie inside the block whatever CPL3 said. */
	if (s->status != SECRET_TABLE_OK ||
	    s->info.key_offset > FW_SECRET_TABLE_MAX - FW_TRANSPORT_KEY_SIZE ||
	    s->info.launch_id_offset > FW_SECRET_TABLE_MAX - FW_SECRET_LAUNCH_ID_SIZE)
		fw_refuse(FW_EXIT_INTERNAL, "secret table job");
	if (s->info.key_offset)
		fw_transport_key = (const uint8_t *)(uintptr_t)FW_SECRET_BASE + s->info.key_offset;
	if (s->info.launch_id_offset)
		fw_launch_id = (const uint8_t *)(uintptr_t)FW_SECRET_BASE + s->info.launch_id_offset;
	print_table(s);
}
