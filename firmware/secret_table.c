// SPDX-License-Identifier: MIT
/*
 * Strict check of the SEV secret table (fw_abi.h; the layout Linux's
 * efi_secret driver reads): header {GUID, u32 total length}, entries
 * {GUID, u32 length (header included), data}, the total rounded up to 16
 * with zeros, since LAUNCH_SECRET moves whole 16-byte blocks (AMD SEV
 * API, LAUNCH_SECRET; sev-facts.md, "LAUNCH_SECRET").
 *
 * The guest owner builds the table and only the platform can write it,
 * but a mistake on the owner's side must stop the boot rather than hand a
 * wrong key to the Migration Handler, so nothing is taken on trust: every
 * length is checked before anything is read through it, and the walk must
 * end exactly where the padding begins.
 */
#include "secret_table.h"

#include "sevm/fw_abi.h"

/* Padding is what rounds the used part up to 16, so it is shorter than 16;
 * an entry needs FW_SECRET_ENTRY_HEADER_SIZE (20) bytes, more than that.
 * So a tail of 16 bytes or more must be an entry, a shorter one padding. */
#define SECRET_ALIGN 16

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int guid_eq(const uint8_t *a, const uint8_t *b)
{
	unsigned diff = 0;

	for (unsigned i = 0; i < FW_GUID_SIZE; i++)
		diff |= (unsigned)(a[i] ^ b[i]);
	return !diff;
}

static int bad(uint32_t *why, enum secret_table_reason reason)
{
	*why = reason;
	return SECRET_TABLE_BAD;
}

static int check_total(uint32_t total, size_t max, uint32_t *why)
{
	if (total < FW_SECRET_HEADER_SIZE)
		return bad(why, SECRET_REASON_TOTAL_SHORT);
	if (total > max || total > FW_SECRET_TABLE_MAX)
		return bad(why, SECRET_REASON_TOTAL_LONG);
	if (total % SECRET_ALIGN)
		return bad(why, SECRET_REASON_TOTAL_ALIGN);
	return SECRET_TABLE_OK;
}

/* One entry at t + off, off < total; sets *len to its length. */
static int check_entry(const uint8_t *t, uint32_t off, uint32_t total,
		       struct secret_table_info *info, uint32_t *len, uint32_t *why)
{
	static const uint8_t key_guid[FW_GUID_SIZE] = FW_GUID_SECRET_TRANSPORT_KEY;
	static const uint8_t id_guid[FW_GUID_SIZE] = FW_GUID_SECRET_LAUNCH_ID;
	uint32_t left = total - off;

	if (left < FW_SECRET_ENTRY_HEADER_SIZE)
		return bad(why, SECRET_REASON_ENTRY_HEADER);
	*len = le32(t + off + FW_GUID_SIZE);
	if (*len < FW_SECRET_ENTRY_HEADER_SIZE)
		return bad(why, SECRET_REASON_ENTRY_SHORT);
	if (*len > left)
		return bad(why, SECRET_REASON_ENTRY_OVERRUN);
	if (guid_eq(t + off, key_guid)) {
		if (info->key_offset)
			return bad(why, SECRET_REASON_KEY_TWICE);
		if (*len - FW_SECRET_ENTRY_HEADER_SIZE != FW_TRANSPORT_KEY_SIZE)
			return bad(why, SECRET_REASON_KEY_SIZE);
		info->key_offset = off + FW_SECRET_ENTRY_HEADER_SIZE;
	}
	if (guid_eq(t + off, id_guid) && !info->launch_id_offset &&
	    *len - FW_SECRET_ENTRY_HEADER_SIZE == FW_SECRET_LAUNCH_ID_SIZE)
		info->launch_id_offset = off + FW_SECRET_ENTRY_HEADER_SIZE;
	info->entries++;
	return SECRET_TABLE_OK;
}

int secret_table_check(const uint8_t *t, size_t max, struct secret_table_info *out,
		       uint32_t *why)
{
	static const uint8_t table_guid[FW_GUID_SIZE] = FW_GUID_SECRET_TABLE;
	struct secret_table_info info = {0};
	uint32_t off = FW_SECRET_HEADER_SIZE;

	if (max < FW_GUID_SIZE || !guid_eq(t, table_guid))
		return SECRET_TABLE_NONE;
	if (max < FW_SECRET_HEADER_SIZE)
		return bad(why, SECRET_REASON_TOTAL_LONG);
	info.total = le32(t + FW_GUID_SIZE);
	if (check_total(info.total, max, why))
		return SECRET_TABLE_BAD;
	while (info.total - off >= SECRET_ALIGN) {
		uint32_t len;

		if (check_entry(t, off, info.total, &info, &len, why))
			return SECRET_TABLE_BAD;
		off += len;
	}
	info.used = off;
	for (; off < info.total; off++)
		if (t[off])
			return bad(why, SECRET_REASON_PADDING);
	*out = info;
	return SECRET_TABLE_OK;
}
