// SPDX-License-Identifier: MIT
#include "fw_table.h"
#include "bootparams.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FOOTER_FROM_END (FW_IMAGE_END - FW_TABLE_FOOTER_GPA) /* 0x30 */
#define PAGE 4096u

static const uint8_t footer_guid[] = FW_GUID_TABLE_FOOTER;

int fw_table_find(const uint8_t *img, size_t img_len, const uint8_t guid[FW_GUID_SIZE],
		  const uint8_t **data, size_t *len)
{
	size_t footer, start, end, table_len, found_len = 0;
	const uint8_t *found;

	if (img_len < FOOTER_FROM_END + 2 || img_len > FW_IMAGE_MAX)
		return -EINVAL;
	footer = img_len - FOOTER_FROM_END;
	if (memcmp(img + footer, footer_guid, FW_GUID_SIZE))
		return -EINVAL;
	table_len = get_le16(img + footer - 2);
	/* The length covers the entries, itself and the footer GUID. */
	if (table_len < FW_ENTRY_TRAILER || table_len > footer + FW_GUID_SIZE)
		return -EINVAL;
	start = footer + FW_GUID_SIZE - table_len;
	end = footer - 2;
	found = NULL;
	/* Walk the whole table even after a match: a malformed table is refused
	 * whichever entry is asked for. */
	while (end > start) {
		size_t entry_len;

		if (end - start < FW_ENTRY_TRAILER)
			return -EINVAL;
		entry_len = get_le16(img + end - FW_ENTRY_TRAILER);
		if (entry_len < FW_ENTRY_TRAILER || entry_len > end - start)
			return -EINVAL;
		if (!found && !memcmp(img + end - FW_GUID_SIZE, guid, FW_GUID_SIZE)) {
			found = img + end - entry_len;
			found_len = entry_len - FW_ENTRY_TRAILER;
		}
		end -= entry_len;
	}
	if (!found)
		return -ENOENT;
	*data = found;
	*len = found_len;
	return 0;
}

static int entry(const uint8_t *img, size_t img_len, const uint8_t guid[FW_GUID_SIZE],
		 const char *name, size_t want, const uint8_t **data, char *why, size_t whylen)
{
	size_t len;
	int ret = fw_table_find(img, img_len, guid, data, &len);

	if (ret == -ENOENT)
		return why_invalid(why, whylen, "the GUIDed table has no %s entry", name);
	if (ret)
		return why_invalid(why, whylen, "no valid GUIDed table at the end of the image");
	if (len < want)
		return why_invalid(why, whylen, "the %s entry has %zu bytes, want %zu", name, len,
				   want);
	return 0;
}

/* The secret and hashes blocks: page-aligned, inside the image, at least
 * min_size bytes; like OVMF's they need not be whole pages (its are 0xc00). */
static int check_block(const struct fw_layout *l, struct fw_region r, const char *name,
		       uint32_t min_size, char *why, size_t whylen)
{
	if (r.base % PAGE || r.base < l->image_base || r.size > FW_IMAGE_END - r.base)
		return why_invalid(why, whylen,
				   "%s [%#x, +%#x) is not page-aligned inside the image", name,
				   r.base, r.size);
	if (r.size < min_size)
		return why_invalid(why, whylen, "%s holds %u bytes, need %u", name, r.size,
				   min_size);
	return 0;
}

/* A region of whole pages inside the image. */
static int check_in_image(const struct fw_layout *l, uint64_t base, uint64_t size, const char *name,
			  char *why, size_t whylen)
{
	if (size == 0 || base % PAGE || size % PAGE || base < l->image_base ||
	    size > FW_IMAGE_END - base)
		return why_invalid(why, whylen,
				   "%s [%#llx, +%#llx) is not whole pages inside the image", name,
				   (unsigned long long)base, (unsigned long long)size);
	return 0;
}

int fw_table_parse(const uint8_t *img, size_t img_len, struct fw_layout *l, char *why,
		   size_t whylen)
{
	static const uint8_t reset_guid[] = FW_GUID_SEV_ES_RESET_BLOCK;
	static const uint8_t secret_guid[] = FW_GUID_SEV_SECRET_BLOCK;
	static const uint8_t hashes_guid[] = FW_GUID_SEV_HASHES_BLOCK;
	static const uint8_t info_guid[] = FW_GUID_SEVM_INFO;
	const uint8_t *d;
	int ret;

	memset(l, 0, sizeof(*l));
	if (img_len % PAGE || img_len == 0 || img_len > FW_IMAGE_MAX)
		return why_invalid(why, whylen,
				   "the image is %zu bytes: want whole 4 KiB pages, at most %u MiB",
				   img_len, FW_IMAGE_MAX >> 20);
	l->image_base = FW_IMAGE_END - img_len;
	ret = entry(img, img_len, reset_guid, "SEV-ES reset block", 4, &d, why, whylen);
	if (ret)
		return ret;
	l->ap_reset = get_le32(d);
	ret = entry(img, img_len, secret_guid, "SEV secret block", 8, &d, why, whylen);
	if (ret)
		return ret;
	l->secret = (struct fw_region){get_le32(d), get_le32(d + 4)};
	ret = entry(img, img_len, hashes_guid, "SEV hashes block", 8, &d, why, whylen);
	if (ret)
		return ret;
	l->hashes = (struct fw_region){get_le32(d), get_le32(d + 4)};
	ret = entry(img, img_len, info_guid, "sevm info", sizeof(struct fw_sevm_info), &d, why,
		    whylen);
	if (ret)
		return ret;
	l->info = (struct fw_sevm_info){
	    .version = get_le32(d),
	    .image_base = get_le32(d + 4),
	    .vmsa_base = get_le32(d + 8),
	    .vmsa_max = get_le32(d + 12),
	    .shared_base = get_le32(d + 16),
	    .shared_size = get_le32(d + 20),
	    .runtime_base = get_le32(d + 24),
	    .runtime_size = get_le32(d + 28),
	};
	if (l->info.version != FW_SEVM_INFO_VERSION)
		return why_invalid(why, whylen, "sevm info version %u, want %u", l->info.version,
				   FW_SEVM_INFO_VERSION);
	if (l->info.image_base != l->image_base)
		return why_invalid(
		    why, whylen,
		    "the table places the image at %#x, but it ends at 4 GiB from %#llx",
		    l->info.image_base, (unsigned long long)l->image_base);
	/* The AP reset address must be inside the image, where the APs start. */
	if ((uint64_t)(l->ap_reset & 0xffff0000u) + (l->ap_reset & 0xffffu) < l->image_base)
		return why_invalid(why, whylen, "the AP reset address %#x is outside the image",
				   l->ap_reset);
	if (l->info.vmsa_max == 0 || l->info.vmsa_max > 1024)
		return why_invalid(why, whylen, "the image has room for %u VMSAs",
				   l->info.vmsa_max);
	ret = check_block(l, l->secret, "the secret block", 16, why, whylen);
	ret = ret
		  ?: check_block(l, l->hashes, "the hashes block", FW_HASHES_TABLE_PADDED, why,
				 whylen);
	ret = ret
		  ?: check_in_image(l, l->info.vmsa_base, (uint64_t)l->info.vmsa_max * PAGE,
				    "the VMSA pages", why, whylen);
	ret = ret
		  ?: check_in_image(l, l->info.runtime_base, l->info.runtime_size,
				    "the runtime region", why, whylen);
	if (ret)
		return ret;
	/* The shared region is ordinary low RAM: checked against RAM at VM creation. */
	if (l->info.shared_size == 0 || l->info.shared_base % PAGE || l->info.shared_size % PAGE ||
	    (uint64_t)l->info.shared_base + l->info.shared_size > 0xc0000000ULL)
		return why_invalid(why, whylen,
				   "the shared region [%#x, +%#x) is not whole pages below 3 GiB",
				   l->info.shared_base, l->info.shared_size);
	return 0;
}
