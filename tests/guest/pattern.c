// SPDX-License-Identifier: MIT
/*
 * The CPU's memory slice (CPL3): every 4 KiB page holds 512 words that are
 * a function of (page address, word index, generation) (expect.h), and
 * the slice's generation table records each page's current generation.
 * Dirtying bumps a page's generation, then rewrites the whole page, then
 * counts it; the self-check only runs between two dirtyings, so wherever
 * a migration pauses the CPU, the page is complete again before it is
 * verified.  c->dirtied is also the sum of all generations, which catches
 * a generation table that went back in time together with its pages.
 */
#include "expect.h"
#include "user.h"

static void write_page(u64 page, u32 gen)
{
	u64 base = pattern_base(page, gen);
	u64 *w = (u64 *)page;

	for (u32 i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = pattern_word(base, i);
}

void pattern_fill(struct cpu *c)
{
	for (u64 p = 0; p < c->npages; p++) {
		c->gen[p] = 0;
		write_page(c->pages + p * PAGE_SIZE, 0);
	}
}

void pattern_dirty_one(struct cpu *c)
{
	u64 p = c->dirty_pos;
	u32 gen = c->gen[p] + 1;

	c->gen[p] = gen;
	write_page(c->pages + p * PAGE_SIZE, gen);
	c->dirty_pos = p + 1 == c->npages ? 0 : p + 1;
	c->dirtied++;
}

/* corrupt=1: flip one bit of one word, as a lost or stale page would. */
void pattern_corrupt(struct cpu *c)
{
	u64 *w = (u64 *)(c->pages + (c->npages / 2) * PAGE_SIZE);

	w[7] ^= 1;
}

void pattern_verify(struct cpu *c)
{
	u64 gen_sum = 0;

	for (u64 p = 0; p < c->npages; p++) {
		u64 page = c->pages + p * PAGE_SIZE;
		const u64 *w = (const u64 *)page;
		u32 gen = c->gen[p];
		u64 base = pattern_base(page, gen);

		gen_sum += gen;
		for (u32 i = 0; i < PAGE_SIZE / 8; i++) {
			u64 want = pattern_word(base, i);

			if (w[i] != want) {
				u64 e[2] = {want, gen}, f[2] = {w[i], gen};

				fail_record(c, FAIL_MEM, 0, i, page, e, f);
				break; /* one line per bad page is enough */
			}
		}
	}
	if (gen_sum != c->dirtied) {
		u64 e[2] = {c->dirtied, 0}, f[2] = {gen_sum, 0};

		fail_record(c, FAIL_GEN, 0, 0, (u64)c->gen, e, f);
	}
}
