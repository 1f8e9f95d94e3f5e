// SPDX-License-Identifier: MIT
/*
 * Measured direct boot: the kernel, initrd and command line come from the
 * untrusted host through fw_cfg DMA into the shared bounce buffer, chunk by
 * chunk. For each chunk CPL3 copies the bytes to their final place in
 * private RAM and hashes them there, so what is hashed is exactly what the
 * OS will run, whatever the host does to the bounce buffer meanwhile. The
 * digests must equal the measured hashes table (hashes.c) before anything
 * else of the data is trusted.
 *
 * The kernel's placement depends on its setup header, which is peeked at
 * from the first chunk; once hashed, the header is parsed again from the
 * hashed copy and must give the same result.
 */
#include "bootparams.h"
#include "fw.h"
#include "fw_job.h"

#define HDR_PEEK 4096 /* covers the setup header (ends by 0x301) */

/* Stream bytes [start, end) go to dst + (offset - start). */
struct region {
	uint64_t start, end, dst;
};

static void job_reset(uint32_t op, uint32_t flags)
{
	fw_job.op = op;
	fw_job.flags = flags;
	fw_job.nr_segs = 0;
}

static void job_add(uint64_t src, uint64_t dst, uint64_t len, uint64_t pos)
{
	if (fw_job.nr_segs == FW_JOB_SEGS)
		fw_refuse(FW_EXIT_INTERNAL, "job has too many segments");
	fw_job.seg[fw_job.nr_segs++] = (struct fw_seg){src, dst, len, pos};
}

/* Fetches item [0, size) and has CPL3 copy and hash it into the regions,
 * which cover [0, size). The first chunk may already be in the bounce
 * buffer. An empty item still yields a digest (of nothing). */
static void stream(uint16_t item, uint64_t size, const struct region *r, unsigned nr,
		   bool have_first, uint32_t flags, uint8_t digest[FW_HASH_SIZE])
{
	uint64_t off = 0;

	fw_job.nul_pos = UINT64_MAX;
	do {
		uint64_t n = size - off < FW_BOUNCE_SIZE ? size - off : FW_BOUNCE_SIZE;

		if (n && !(off == 0 && have_first))
			fwcfg_dma(item, off, (uint32_t)n);
		job_reset(FW_JOB_COPY, flags | FW_JOB_HASH | (off == 0 ? FW_JOB_HASH_START : 0) |
					   (off + n == size ? FW_JOB_HASH_FINISH : 0));
		for (unsigned i = 0; i < nr; i++) {
			uint64_t lo = off > r[i].start ? off : r[i].start;
			uint64_t hi = off + n < r[i].end ? off + n : r[i].end;

			if (lo < hi)
				job_add(FW_BOUNCE + (lo - off), r[i].dst + (lo - r[i].start),
					hi - lo, lo);
		}
		fw_user_call(&fw_job);
		off += n;
	} while (off < size);
	__builtin_memcpy(digest, fw_job.digest, FW_HASH_SIZE);
}

static void load_kernel(const struct fw_boot_config *cfg, const uint8_t *want, uint64_t low_end,
			struct kernel_info *k)
{
	uint64_t size = cfg->kernel_size;
	uint64_t first = size < FW_BOUNCE_SIZE ? size : FW_BOUNCE_SIZE;
	struct kernel_info again;
	struct region r[2];
	uint8_t got[FW_HASH_SIZE];

	fwcfg_dma(FW_CFG_KERNEL, 0, (uint32_t)first);
	job_reset(FW_JOB_COPY, 0);
	job_add(FW_BOUNCE, FW_SETUP, first < HDR_PEEK ? first : HDR_PEEK, 0);
	fw_user_call(&fw_job);
	kernel_parse((const uint8_t *)FW_SETUP, size, low_end, k);

	r[0] = (struct region){0, k->setup_len, FW_SETUP};
	r[1] = (struct region){k->setup_len, size, k->load};
	stream(FW_CFG_KERNEL, size, r, 2, true, 0, got);
	if (!eq_qwords(got, want, FW_HASH_SIZE / 8))
		fw_refuse(FW_EXIT_KERNEL_HASH, NULL);
	kernel_parse((const uint8_t *)FW_SETUP, size, low_end, &again);
	if (!eq_qwords(&again, k, sizeof(again) / 8))
		fw_refuse(FW_EXIT_FW_CFG, "kernel header changed while loading");
}

void load_all(const struct fw_boot_config *cfg, const struct fw_hashes *want, struct loaded *l)
{
	uint64_t low_end = mh_load_end(); /* below the MH's private region */
	struct region r;
	uint8_t got[FW_HASH_SIZE];

	l->initrd_addr = 0;
	l->initrd_size = cfg->initrd_size;
	l->cmdline_size = cfg->cmdline_size;
	load_kernel(cfg, want->kernel, low_end, &l->k);

	if (l->initrd_size)
		l->initrd_addr = kernel_place_initrd(&l->k, l->initrd_size, low_end);
	r = (struct region){0, l->initrd_size, l->initrd_addr};
	stream(FW_CFG_INITRD, l->initrd_size, &r, l->initrd_size ? 1 : 0, false, 0, got);
	if (!eq_qwords(got, want->initrd, FW_HASH_SIZE / 8))
		fw_refuse(FW_EXIT_INITRD_HASH, NULL);

	r = (struct region){0, l->cmdline_size, FW_CMDLINE};
	stream(FW_CFG_CMDLINE, l->cmdline_size, &r, 1, false, FW_JOB_FIND_NUL, got);
	if (!eq_qwords(got, want->cmdline, FW_HASH_SIZE / 8))
		fw_refuse(FW_EXIT_CMDLINE_HASH, NULL);
	if (fw_job.nul_pos != l->cmdline_size - 1)
		fw_refuse(FW_EXIT_FW_CFG, "command line is not one NUL-terminated string");
	if (l->cmdline_size - 1 > l->k.cmdline_max)
		fw_refuse(FW_EXIT_FW_CFG, "command line longer than the kernel accepts");
}
