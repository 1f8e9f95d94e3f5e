// SPDX-License-Identifier: MIT
/*
 * Migration Handler records (record.h; include/sevm/mh_abi.h, "records").
 *
 * AES-256-GCM composed here from BearSSL's AES-CTR and GHASH so that the
 * target can authenticate a whole record before it decrypts a byte of it
 * (BearSSL's own br_gcm interleaves the two): for nonce N (96 bits),
 *   H   = AES(K, 0^128)
 *   J0  = N | 0x00000001
 *   C   = AES-CTR(K, N, counter from 2) over the plaintext
 *   S   = GHASH(H, A padded | C padded | u64be(8 |A|) | u64be(8 |C|))
 *   tag = AES(K, J0) ^ S
 * (NIST SP 800-38D, 7.1, for 96-bit IVs.) br_ghash zero-pads each call's
 * data to whole blocks, so A and C are each hashed as their own run of
 * calls, every call but the last a multiple of 16 bytes.
 *
 * No libc beyond mem*: in the firmware <string.h> is firmware/libc's.
 */
#include <string.h>

#include <bearssl_block.h>
#include <bearssl_hash.h>
#include <bearssl_hmac.h>

#include "record.h"

#define HDR_SIZE ((size_t)sizeof(struct mh_record_hdr))
#define COMMIT_SIZE ((size_t)sizeof(struct mh_commit))
/* Encrypt and hash in pieces this big, so each piece is hashed while in L1. */
#define CHUNK 4096u

_Static_assert(sizeof(br_aes_x86ni_ctr_keys) <= sizeof(((struct mh_epoch *)0)->aes),
	       "mh_epoch.aes holds the AES-NI CTR keys");
_Static_assert(sizeof(br_aes_ct64_ctr_keys) <= sizeof(((struct mh_epoch *)0)->aes),
	       "mh_epoch.aes holds the ct64 CTR keys");
_Static_assert(sizeof(MH_EPOCH_LABEL) - 1 == 16, "epoch label is 16 bytes");
_Static_assert(CHUNK % 16 == 0, "chunks are whole blocks");
_Static_assert(_Alignof(struct mh_epoch) >= 16 && offsetof(struct mh_epoch, x86) % 16 == 0,
	       "gcm_x86.c loads the round keys and powers of H with aligned loads");

/* ---- small helpers ---- */

/* memset that the compiler may not drop as a dead store. */
static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Constant-time comparison of two 16-byte tags. */
static bool tag_equal(const uint8_t *a, const uint8_t *b)
{
	unsigned int d = 0;
	for (int i = 0; i < MH_TAG_SIZE; i++)
		d |= (unsigned int)(a[i] ^ b[i]);
	return ((d - 1u) >> 8) & 1u;
}

/* ---- header (mh_abi.h, struct mh_record_hdr, little-endian) ---- */

struct hdr {
	uint32_t magic;
	uint16_t version, type;
	uint64_t seq;
	uint8_t source_nonce[16];
	uint32_t nr_pages, body_len;
};

static void hdr_put(uint8_t *p, uint16_t type, uint64_t seq, const uint8_t source_nonce[16],
		    uint32_t nr_pages, uint32_t body_len)
{
	put_le32(p + 0, MH_RECORD_MAGIC);
	put_le16(p + 4, MH_ABI_VERSION);
	put_le16(p + 6, type);
	put_le64(p + 8, seq);
	memcpy(p + 16, source_nonce, 16);
	put_le32(p + 32, nr_pages);
	put_le32(p + 36, body_len);
}

static void hdr_get(const uint8_t *p, struct hdr *h)
{
	h->magic = get_le32(p + 0);
	h->version = get_le16(p + 4);
	h->type = get_le16(p + 6);
	h->seq = get_le64(p + 8);
	memcpy(h->source_nonce, p + 16, 16);
	h->nr_pages = get_le32(p + 32);
	h->body_len = get_le32(p + 36);
}

/* ---- the epoch: key derivation and GCM ---- */

static const br_block_ctr_class *const *ctr_keys(const struct mh_epoch *e)
{
	return (const br_block_ctr_class *const *)(const void *)e->aes;
}

/* CTR over data in place from counter cc; returns the next counter. */
static uint32_t ctr_run(const struct mh_epoch *e, const uint8_t nonce[MH_NONCE_SIZE], uint32_t cc,
			void *data, size_t len)
{
	const br_block_ctr_class *const *k = ctr_keys(e);
	if (len == 0)
		return cc;
	if (e->wide)
		return mh_gcm_x86_ctr(&e->x86, nonce, cc, data, len);
	return (*k)->run(k, nonce, cc, data, len);
}

/* y = GHASH(y, data zero-padded to whole blocks). */
static void ghash_run(const struct mh_epoch *e, uint8_t y[16], const void *data, size_t len)
{
	if (e->wide)
		mh_gcm_x86_ghash(&e->x86, y, data, len);
	else
		e->ghash(y, e->h, data, len);
}

static void make_nonce(uint8_t nonce[MH_NONCE_SIZE], uint64_t seq)
{
	put_le32(nonce, MH_NONCE_SOURCE);
	put_le64(nonce + 4, seq);
}

/* AES and GHASH under a raw 256-bit key (the epoch's, or a test vector's). */
static void epoch_setup(struct mh_epoch *e, const uint8_t key[32], enum mh_impl impl)
{
	const br_block_ctr_class *ctr = NULL;
	br_ghash gh = NULL;

	e->wide = false;

	if (impl != MH_IMPL_PORTABLE) {
		ctr = br_aes_x86ni_ctr_get_vtable();
		gh = br_ghash_pclmul_get();
	}
	if (ctr == NULL || gh == NULL) {
		ctr = &br_aes_ct64_ctr_vtable;
		gh = br_ghash_ctmul64;
	}
	ctr->init((const br_block_ctr_class **)(void *)e->aes, key, 32);
	e->ctr = ctr;
	e->ghash = gh;

	/* H = AES(K, 0^128): CTR with an all-zero IV and counter 0 over zeros. */
	static const uint8_t zero_iv[MH_NONCE_SIZE];
	memset(e->h, 0, sizeof(e->h));
	ctr_run(e, zero_iv, 0, e->h, sizeof(e->h));

	/* BearSSL's probes test AES-NI and SSE4.1 (x86ni) and PCLMULQDQ
	 * (pclmul); SSSE3, which gcm_x86.c needs as well, is implied, since
	 * BearSSL's PCLMULQDQ GHASH uses PSHUFB too. gcm_x86.c takes BearSSL's
	 * round keys as they are. */
	if (impl == MH_IMPL_AUTO && ctr != &br_aes_ct64_ctr_vtable) {
		const br_aes_x86ni_ctr_keys *ni =
		    (const br_aes_x86ni_ctr_keys *)(const void *)e->aes;

		mh_gcm_x86_init(&e->x86, ni->skey.skni, e->h);
		e->wide = true;
	}
}

int mh_epoch_init_impl(struct mh_epoch *e, const uint8_t transport_key[MH_KEY_SIZE],
		       const uint8_t source_nonce[16], const uint8_t target_nonce[16],
		       enum mh_impl impl)
{
	uint8_t key[32];
	br_hmac_key_context kc;
	br_hmac_context hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, transport_key, MH_KEY_SIZE);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, MH_EPOCH_LABEL, 16);
	br_hmac_update(&hc, source_nonce, 16);
	br_hmac_update(&hc, target_nonce, 16);
	br_hmac_out(&hc, key);
	wipe(&kc, sizeof(kc));
	wipe(&hc, sizeof(hc));

	memset(e, 0, sizeof(*e));
	memcpy(e->source_nonce, source_nonce, 16);
	memcpy(e->target_nonce, target_nonce, 16);
	epoch_setup(e, key, impl);
	wipe(key, sizeof(key));
	return 0;
}

int mh_epoch_init(struct mh_epoch *e, const uint8_t transport_key[MH_KEY_SIZE],
		  const uint8_t source_nonce[16], const uint8_t target_nonce[16])
{
	return mh_epoch_init_impl(e, transport_key, source_nonce, target_nonce, MH_IMPL_AUTO);
}

void mh_epoch_wipe(struct mh_epoch *e)
{
	wipe(e, sizeof(*e));
}

const char *mh_epoch_impl(const struct mh_epoch *e)
{
	if (e->wide)
		return "aesni+pclmul x8";
	return e->ctr == &br_aes_ct64_ctr_vtable ? "ct64+ctmul64" : "x86ni+pclmul";
}

/* The tag from the GHASH state y over A and C (lengths in bytes). */
static void gcm_finish(const struct mh_epoch *e, const uint8_t nonce[MH_NONCE_SIZE], uint8_t y[16],
		       size_t aad_len, size_t body_len, uint8_t tag[MH_TAG_SIZE])
{
	uint8_t lens[16];
	put_be64(lens, (uint64_t)aad_len * 8);
	put_be64(lens + 8, (uint64_t)body_len * 8);
	ghash_run(e, y, lens, sizeof(lens));
	memset(tag, 0, MH_TAG_SIZE);
	ctr_run(e, nonce, 1, tag, MH_TAG_SIZE); /* AES(K, J0) */
	for (int i = 0; i < MH_TAG_SIZE; i++)
		tag[i] ^= y[i];
}

/*
 * Seal in place: body (plaintext) becomes ciphertext; the tag covers aad
 * and the ciphertext. Each CHUNK is hashed right after it is encrypted.
 */
static void gcm_seal(const struct mh_epoch *e, const uint8_t nonce[MH_NONCE_SIZE],
		     const uint8_t *aad, size_t aad_len, uint8_t *body, size_t body_len,
		     uint8_t tag[MH_TAG_SIZE])
{
	uint8_t y[16] = {0};
	uint32_t cc = 2;

	ghash_run(e, y, aad, aad_len);
	if (e->wide) {
		mh_gcm_x86_seal(&e->x86, nonce, cc, body, body_len, y);
		gcm_finish(e, nonce, y, aad_len, body_len, tag);
		return;
	}
	for (size_t off = 0; off < body_len; off += CHUNK) {
		size_t n = body_len - off < CHUNK ? body_len - off : CHUNK;
		cc = ctr_run(e, nonce, cc, body + off, n);
		e->ghash(y, e->h, body + off, n);
	}
	gcm_finish(e, nonce, y, aad_len, body_len, tag);
}

/* Authenticate (only): is tag right for aad and the ciphertext body? */
static bool gcm_verify(const struct mh_epoch *e, const uint8_t nonce[MH_NONCE_SIZE],
		       const uint8_t *aad, size_t aad_len, const uint8_t *body, size_t body_len,
		       const uint8_t tag[MH_TAG_SIZE])
{
	uint8_t y[16] = {0};
	uint8_t want[MH_TAG_SIZE];

	ghash_run(e, y, aad, aad_len);
	ghash_run(e, y, body, body_len);
	gcm_finish(e, nonce, y, aad_len, body_len, want);
	bool ok = tag_equal(want, tag);
	wipe(want, sizeof(want));
	return ok;
}

/*
 * Known answer, NIST GCM test case 16 (McGrew and Viega, "The Galois/Counter
 * Mode of Operation", 2005, appendix B): AES-256, 96-bit IV, 60 bytes of
 * plaintext (not a whole number of blocks), 20 bytes of AAD. The build that
 * runs in the guest is not the one the unit tests run: this checks it.
 */
static const uint8_t kat_key[32] = {
    0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
    0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08};
static const uint8_t kat_iv[12] = {0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce,
				   0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88};
static const uint8_t kat_aad[20] = {0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed,
				    0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2};
static const uint8_t kat_plain[60] = {
    0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5, 0xaf, 0xf5, 0x26,
    0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda, 0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31,
    0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49,
    0xa6, 0xb5, 0x25, 0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39};
static const uint8_t kat_cipher[60] = {
    0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07, 0xf4, 0x7f, 0x37, 0xa3, 0x2a, 0x84, 0x42,
    0x7d, 0x64, 0x3a, 0x8c, 0xdc, 0xbf, 0xe5, 0xc0, 0xc9, 0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55,
    0xd1, 0xaa, 0x8c, 0xb0, 0x8e, 0x48, 0x59, 0x0d, 0xbb, 0x3d, 0xa7, 0xb0, 0x8b, 0x10, 0x56,
    0x82, 0x88, 0x38, 0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a, 0xbc, 0xc9, 0xf6, 0x62};
static const uint8_t kat_tag[16] = {0x76, 0xfc, 0x6e, 0xce, 0x0f, 0x4e, 0x17, 0x68,
				    0xcd, 0xdf, 0x88, 0x53, 0xbb, 0x2d, 0x55, 0x1b};

bool mh_selftest(struct mh_epoch *scratch)
{
	uint8_t buf[sizeof(kat_plain)], tag[MH_TAG_SIZE];
	bool ok;

	epoch_setup(scratch, kat_key, MH_IMPL_AUTO);
	memcpy(buf, kat_plain, sizeof(buf));
	gcm_seal(scratch, kat_iv, kat_aad, sizeof(kat_aad), buf, sizeof(buf), tag);
	ok = memcmp(buf, kat_cipher, sizeof(buf)) == 0 && tag_equal(tag, kat_tag) &&
	     gcm_verify(scratch, kat_iv, kat_aad, sizeof(kat_aad), kat_cipher, sizeof(kat_cipher),
			kat_tag);
	ctr_run(scratch, kat_iv, 2, buf, sizeof(buf));
	ok = ok && memcmp(buf, kat_plain, sizeof(buf)) == 0;
	mh_epoch_wipe(scratch);
	wipe(buf, sizeof(buf));
	return ok;
}

/* ---- source ---- */

size_t mh_seal_begin(const struct mh_epoch *e, uint8_t *out, size_t cap)
{
	uint8_t rec[HDR_SIZE + MH_TAG_SIZE];
	uint8_t nonce[MH_NONCE_SIZE];

	if (cap < sizeof(rec))
		return 0;
	hdr_put(rec, MH_REC_BEGIN, 0, e->source_nonce, 0, 0);
	make_nonce(nonce, 0);
	gcm_seal(e, nonce, rec, HDR_SIZE, rec + HDR_SIZE, 0, rec + HDR_SIZE);
	memcpy(out, rec, sizeof(rec));
	return sizeof(rec);
}

size_t mh_seal_commit(const struct mh_epoch *e, uint64_t seq, const struct mh_commit *c,
		      uint8_t *out, size_t cap)
{
	uint8_t rec[HDR_SIZE + COMMIT_SIZE + MH_TAG_SIZE];
	uint8_t nonce[MH_NONCE_SIZE];
	uint8_t *body = rec + HDR_SIZE;

	if (seq == 0 || cap < sizeof(rec))
		return 0;
	hdr_put(rec, MH_REC_COMMIT, seq, e->source_nonce, 0, COMMIT_SIZE);
	put_le64(body, c->pages);
	put_le64(body + 8, c->records);
	put_le64(body + 16, c->vmsas);
	memcpy(body + 24, c->digest, sizeof(c->digest));
	make_nonce(nonce, seq);
	gcm_seal(e, nonce, rec, HDR_SIZE, body, COMMIT_SIZE, body + COMMIT_SIZE);
	memcpy(out, rec, sizeof(rec));
	wipe(rec, sizeof(rec));
	return sizeof(rec);
}

/*
 * Copy a guest page into staging and OR all its words together: one read
 * of each guest word (the guest may be changing the page under us: the
 * zero test and the data then agree), in the same time for any content.
 */
static uint64_t copy_page_or(uint8_t *restrict dst, const uint8_t *restrict src)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < MH_PAGE_SIZE; i += 8) {
		uint64_t w;
		memcpy(&w, src + i, 8);
		memcpy(dst + i, &w, 8);
		acc |= w;
	}
	return acc;
}

/*
 * The pages into staging at p, ciphertext already (gcm_x86.c, one read of
 * each guest page overlapping the AES work); yp = GHASH from zero over the
 * data pages' ciphertext, zero pages set in zmap. Returns the data bytes,
 * or SIZE_MAX when a page() is NULL.
 */
static size_t seal_pages_wide(const struct mh_epoch *e, const uint8_t nonce[MH_NONCE_SIZE],
			      const uint64_t *gpa, unsigned int nr_pages, const struct mh_guest *g,
			      uint8_t *p, uint8_t *zmap, uint8_t yp[16])
{
	const uint8_t *prev = NULL; /* the last data page, still to be hashed */
	uint8_t *q = p;
	uint32_t cc = 2;

	for (unsigned int i = 0; i < nr_pages; i++) {
		const uint8_t *src = g->page(g->arg, gpa[i]);
		if (src == NULL)
			return SIZE_MAX;
		if (mh_gcm_x86_seal_page(&e->x86, nonce, cc, src, q, prev, yp) == 0) {
			zmap[i / 8] |= (uint8_t)(1u << (i % 8)); /* LSB first in LE u64s */
			prev = NULL; /* hashed; q (the keystream of zeros) is overwritten */
		} else {
			prev = q;
			q += MH_PAGE_SIZE;
			cc += MH_PAGE_SIZE / 16;
		}
	}
	if (prev)
		mh_gcm_x86_ghash(&e->x86, yp, prev, MH_PAGE_SIZE);
	return (size_t)(q - p);
}

/* The pages into staging at p, plaintext (BearSSL's passes seal later). */
static size_t copy_pages(const uint64_t *gpa, unsigned int nr_pages, const struct mh_guest *g,
			 uint8_t *p, uint8_t *zmap)
{
	uint8_t *q = p;

	for (unsigned int i = 0; i < nr_pages; i++) {
		const uint8_t *src = g->page(g->arg, gpa[i]);
		if (src == NULL)
			return SIZE_MAX;
		if (copy_page_or(q, src) == 0)
			zmap[i / 8] |= (uint8_t)(1u << (i % 8));
		else
			q += MH_PAGE_SIZE;
	}
	return (size_t)(q - p);
}

size_t mh_seal_pages(const struct mh_epoch *e, uint64_t seq, const uint64_t *gpa,
		     unsigned int nr_pages, const struct mh_guest *g, struct mh_applied *sent,
		     uint8_t *staging, uint8_t *out, size_t cap)
{
	if (nr_pages == 0 || nr_pages > MH_BATCH_PAGES || seq == 0 || gpa == NULL || g == NULL ||
	    g->page == NULL || sent == NULL || staging == NULL || out == NULL)
		return 0;
	for (unsigned int i = 0; i < nr_pages; i++) {
		if ((gpa[i] & (MH_PAGE_SIZE - 1)) != 0 || gpa[i] / MH_PAGE_SIZE >= sent->nr_pfns)
			return 0;
		for (unsigned int j = 0; j < i; j++)
			if (gpa[j] == gpa[i])
				return 0; /* the target would refuse it */
	}

	size_t aad_len = HDR_SIZE + 8 * (size_t)nr_pages;
	size_t zm_len = MH_ZERO_MAP_BYTES(nr_pages);
	uint8_t *body = staging + aad_len;
	uint8_t zmap[MH_ZERO_MAP_BYTES(MH_BATCH_PAGES)] = {0};
	uint8_t nonce[MH_NONCE_SIZE], yp[16] = {0};
	size_t data_len;

	make_nonce(nonce, seq);
	for (unsigned int i = 0; i < nr_pages; i++)
		put_le64(staging + HDR_SIZE + 8 * i, gpa[i]);
	if (e->wide)
		data_len = seal_pages_wide(e, nonce, gpa, nr_pages, g, body, zmap, yp);
	else
		data_len = copy_pages(gpa, nr_pages, g, body, zmap);
	if (data_len == SIZE_MAX || aad_len + data_len + zm_len + MH_TAG_SIZE > cap) {
		wipe(body, (size_t)nr_pages * MH_PAGE_SIZE);
		return 0;
	}
	size_t body_len = data_len + zm_len;
	size_t len = aad_len + body_len + MH_TAG_SIZE;
	uint8_t *zm = body + data_len, *tag = body + body_len;

	hdr_put(staging, MH_REC_PAGES, seq, e->source_nonce, nr_pages, (uint32_t)body_len);
	memcpy(zm, zmap, zm_len);
	if (e->wide) {
		/*
		 * GHASH(A | C) = GHASH(A) * H^blocks(pages) + GHASH(pages), the
		 * pages hashed from zero above while the header (body_len) was
		 * not yet known; then the zero map and the lengths.
		 */
		uint8_t y[16] = {0};

		ghash_run(e, y, staging, aad_len);
		mh_gcm_x86_mul_hpow(&e->x86, y, data_len / 16);
		for (int i = 0; i < 16; i++)
			y[i] ^= yp[i];
		ctr_run(e, nonce, (uint32_t)(2 + data_len / 16), zm, zm_len);
		ghash_run(e, y, zm, zm_len);
		gcm_finish(e, nonce, y, aad_len, body_len, tag);
	} else {
		gcm_seal(e, nonce, staging, aad_len, body, body_len, tag);
	}
	/*
	 * Staging now holds the record, all ciphertext; past its end at most
	 * a zero page's copy or keystream. Only now does anything reach out.
	 */
	memcpy(out, staging, len);

	for (unsigned int i = 0; i < nr_pages; i++)
		mh_applied_set(e, sent, gpa[i] / MH_PAGE_SIZE, seq);
	sent->records++;
	wipe(zmap, sizeof(zmap));
	return len;
}

size_t mh_seal_vmsas(const struct mh_epoch *e, uint64_t seq, const uint32_t *vcpu, unsigned int n,
		     const struct mh_guest *g, struct mh_applied *sent, uint8_t *staging,
		     uint8_t *out, size_t cap)
{
	size_t aad_len = HDR_SIZE + 8 * (size_t)n, body_len = (size_t)n * MH_PAGE_SIZE;
	size_t len = aad_len + body_len + MH_TAG_SIZE;
	uint8_t nonce[MH_NONCE_SIZE];

	if (n == 0 || n > MH_BATCH_PAGES || seq == 0 || vcpu == NULL || g == NULL ||
	    g->vmsa == NULL || sent == NULL || sent->vmsa_last == NULL || staging == NULL ||
	    out == NULL || len > cap)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		if (vcpu[i] >= sent->nr_vmsas || g->vmsa(g->arg, vcpu[i]) == NULL)
			return 0;
		for (unsigned int j = 0; j < i; j++)
			if (vcpu[j] == vcpu[i])
				return 0;
	}
	hdr_put(staging, MH_REC_VMSA, seq, e->source_nonce, n, (uint32_t)body_len);
	for (unsigned int i = 0; i < n; i++) {
		put_le64(staging + HDR_SIZE + 8 * i, vcpu[i]);
		memcpy(staging + aad_len + (size_t)i * MH_PAGE_SIZE, g->vmsa(g->arg, vcpu[i]),
		       MH_PAGE_SIZE);
	}
	make_nonce(nonce, seq);
	gcm_seal(e, nonce, staging, aad_len, staging + aad_len, body_len,
		 staging + aad_len + body_len);
	memcpy(out, staging, len);
	for (unsigned int i = 0; i < n; i++)
		sent->vmsa_last[vcpu[i]] = seq;
	sent->records++;
	return len;
}

/* ---- target ---- */

/* F(pfn, seq) of struct mh_commit, as two little-endian halves. */
static void commit_prf(const struct mh_epoch *e, uint64_t pfn, uint64_t seq, uint64_t v[2])
{
	uint8_t nonce[MH_NONCE_SIZE], block[16] = {0};

	put_le32(nonce, MH_NONCE_COMMIT | (uint32_t)(pfn >> 32) << 8);
	put_le64(nonce + 4, seq);
	ctr_run(e, nonce, (uint32_t)pfn, block, sizeof(block));
	v[0] = get_le64(block);
	v[1] = get_le64(block + 8);
	wipe(block, sizeof(block));
}

static void sum_add(uint64_t sum[2], const uint64_t v[2])
{
	uint64_t lo = sum[0] + v[0];

	sum[1] += v[1] + (lo < sum[0]);
	sum[0] = lo;
}

static void sum_sub(uint64_t sum[2], const uint64_t v[2])
{
	uint64_t lo = sum[0] - v[0];

	sum[1] -= v[1] + (sum[0] < v[0]);
	sum[0] = lo;
}

void mh_applied_set(const struct mh_epoch *e, struct mh_applied *a, uint64_t pfn, uint64_t seq)
{
	/* One exchange: should a host post one page to two source handlers
	 * at once, each still subtracts exactly the number it replaced, and
	 * the handlers' sums together match last[] (the commit then names
	 * both records, which no target can have applied). */
	uint64_t old = __atomic_exchange_n(&a->last[pfn], seq, __ATOMIC_RELAXED), v[2];

	commit_prf(e, pfn, seq, v);
	sum_add(a->sum, v);
	if (old) {
		commit_prf(e, pfn, old, v);
		sum_sub(a->sum, v);
	} else {
		a->pages++;
	}
}

void mh_applied_merge(struct mh_applied *into, const struct mh_applied *from)
{
	into->records += from->records;
	into->pages += from->pages;
	sum_add(into->sum, from->sum);
}

void mh_commit_compute(const struct mh_applied *a, struct mh_commit *out)
{
	br_sha256_context c;
	uint8_t e[16];

	br_sha256_init(&c);
	put_le64(e, a->sum[0]);
	put_le64(e + 8, a->sum[1]);
	br_sha256_update(&c, e, sizeof(e));
	out->vmsas = 0;
	for (uint32_t i = 0; a->vmsa_last != NULL && i < a->nr_vmsas; i++) {
		uint64_t s = a->vmsa_last[i];
		if (s == 0)
			continue;
		put_le64(e, MH_VMSA_KEY(i));
		put_le64(e + 8, s);
		br_sha256_update(&c, e, sizeof(e));
		out->vmsas++;
	}
	out->pages = a->pages;
	out->records = a->records;
	br_sha256_out(&c, out->digest);
}

/* Header, type and lengths (MH_ERR_MALFORMED), before anything else. */
static bool hdr_valid(const struct hdr *h, size_t len)
{
	if (h->magic != MH_RECORD_MAGIC || h->version != MH_ABI_VERSION)
		return false;
	switch (h->type) {
	case MH_REC_BEGIN:
		if (h->nr_pages != 0 || h->body_len != 0 || h->seq != 0)
			return false;
		break;
	case MH_REC_PAGES: {
		if (h->nr_pages == 0 || h->nr_pages > MH_BATCH_PAGES || h->seq == 0)
			return false;
		size_t zm = MH_ZERO_MAP_BYTES(h->nr_pages);
		if (h->body_len < zm || (h->body_len - zm) % MH_PAGE_SIZE != 0 ||
		    (h->body_len - zm) / MH_PAGE_SIZE > h->nr_pages)
			return false;
		break;
	}
	case MH_REC_COMMIT:
		if (h->nr_pages != 0 || h->body_len != COMMIT_SIZE || h->seq == 0)
			return false;
		break;
	case MH_REC_VMSA:
		if (h->nr_pages == 0 || h->nr_pages > MH_BATCH_PAGES || h->seq == 0 ||
		    h->body_len != h->nr_pages * MH_PAGE_SIZE)
			return false;
		break;
	default:
		return false;
	}
	return len == HDR_SIZE + 8 * (size_t)h->nr_pages + h->body_len + MH_TAG_SIZE;
}

/* Every GPA of a PAGES record in staging, in order; *detail the index at fault. */
static int check_gpas(const struct mh_target *t, const struct hdr *h, const uint8_t *gl,
		      const struct mh_guest *g, uint32_t *detail)
{
	const struct mh_applied *a = &t->applied;
	for (uint32_t i = 0; i < h->nr_pages; i++) {
		uint64_t gpa = get_le64(gl + 8 * i);
		*detail = i;
		if ((gpa & (MH_PAGE_SIZE - 1)) != 0 || gpa / MH_PAGE_SIZE >= a->nr_pfns ||
		    !g->in_ram(g->arg, gpa))
			return MH_ERR_GPA_RANGE;
		if (g->is_private(g->arg, gpa))
			return MH_ERR_GPA_PRIVATE;
		for (uint32_t j = 0; j < i; j++)
			if (get_le64(gl + 8 * j) == gpa)
				return MH_ERR_MALFORMED;
		if (h->seq <= a->last[gpa / MH_PAGE_SIZE])
			return MH_ERR_REPLAY;
	}
	*detail = 0;
	return MH_OK;
}

/* Every vCPU index of a VMSA record in staging; *detail the index at fault. */
static int check_vcpus(const struct mh_target *t, const struct hdr *h, const uint8_t *il,
		       uint32_t *detail)
{
	const struct mh_applied *a = &t->applied;
	for (uint32_t i = 0; i < h->nr_pages; i++) {
		uint64_t v = get_le64(il + 8 * i);
		*detail = i;
		if (a->vmsa_last == NULL || v >= a->nr_vmsas)
			return MH_ERR_VCPU;
		for (uint32_t j = 0; j < i; j++)
			if (get_le64(il + 8 * j) == v)
				return MH_ERR_MALFORMED;
		if (h->seq <= a->vmsa_last[v])
			return MH_ERR_REPLAY;
	}
	*detail = 0;
	return MH_OK;
}

/* An authenticated VMSA record: decrypt, keep each VMSA until the commit. */
static int apply_vmsas(struct mh_target *t, const struct hdr *h, const uint8_t nonce[12],
		       const struct mh_guest *g, uint8_t *staging)
{
	size_t aad_len = HDR_SIZE + 8 * (size_t)h->nr_pages;
	uint8_t *body = staging + aad_len;
	int err = MH_OK;

	for (uint32_t i = 0; i < h->nr_pages; i++)
		if (g->vmsa_stash(g->arg, (uint32_t)get_le64(staging + HDR_SIZE + 8 * i)) == NULL)
			err = MH_ERR_VCPU;
	if (err == MH_OK) {
		ctr_run(&t->epoch, nonce, 2, body, h->body_len);
		for (uint32_t i = 0; i < h->nr_pages; i++) {
			uint32_t v = (uint32_t)get_le64(staging + HDR_SIZE + 8 * i);
			memcpy(g->vmsa_stash(g->arg, v), body + (size_t)i * MH_PAGE_SIZE,
			       MH_PAGE_SIZE);
			t->applied.vmsa_last[v] = h->seq;
		}
		t->applied.records++;
	}
	wipe(body, h->body_len);
	return err;
}

/* After a verified commit: the kept VMSAs into the vCPUs' own VMSA pages. */
static void release_vmsas(struct mh_target *t, const struct mh_guest *g)
{
	for (uint32_t v = 0; t->applied.vmsa_last != NULL && v < t->applied.nr_vmsas; v++) {
		uint8_t *stash;
		if (t->applied.vmsa_last[v] == 0 || (stash = g->vmsa_stash(g->arg, v)) == NULL)
			continue;
		memcpy(g->vmsa_rw(g->arg, v), stash, MH_PAGE_SIZE);
		wipe(stash, MH_PAGE_SIZE);
	}
}

static int open_begin(struct mh_target *t, const struct hdr *h, const uint8_t *staging)
{
	struct mh_epoch cand;
	uint8_t nonce[MH_NONCE_SIZE];

	mh_epoch_init_impl(&cand, t->transport_key, h->source_nonce, t->target_nonce, t->impl);
	make_nonce(nonce, 0);
	if (!gcm_verify(&cand, nonce, staging, HDR_SIZE, NULL, 0, staging + HDR_SIZE)) {
		mh_epoch_wipe(&cand);
		return MH_ERR_AUTH;
	}
	t->epoch = cand;
	mh_epoch_wipe(&cand);
	t->state = MH_OPEN_PAGES;
	return MH_OK;
}

/* Apply an authenticated PAGES record: decrypt in staging, check, write. */
static int apply_pages(struct mh_target *t, const struct hdr *h, const uint8_t nonce[12],
		       const struct mh_guest *g, uint8_t *staging, uint32_t *detail)
{
	size_t aad_len = HDR_SIZE + 8 * (size_t)h->nr_pages;
	size_t zm_len = MH_ZERO_MAP_BYTES(h->nr_pages);
	uint8_t *body = staging + aad_len;
	uint8_t *zmap = body + h->body_len - zm_len; /* after the data */
	uint8_t *dst[MH_BATCH_PAGES];
	int err = MH_OK;

	ctr_run(&t->epoch, nonce, 2, body, h->body_len);

	/* The zero map must account for body_len exactly, with no stray bits. */
	uint32_t data_pages = 0;
	for (uint32_t i = 0; i < zm_len * 8; i++) {
		bool zero = (zmap[i / 8] >> (i % 8)) & 1;
		if (i >= h->nr_pages && zero) {
			err = MH_ERR_MALFORMED;
			goto out;
		}
		if (i < h->nr_pages && !zero)
			data_pages++;
	}
	if ((size_t)data_pages * MH_PAGE_SIZE != h->body_len - zm_len) {
		err = MH_ERR_MALFORMED;
		goto out;
	}
	/* Every destination before the first write. */
	for (uint32_t i = 0; i < h->nr_pages; i++) {
		dst[i] = g->page_rw(g->arg, get_le64(staging + HDR_SIZE + 8 * i));
		if (dst[i] == NULL) {
			*detail = i;
			err = MH_ERR_GPA_RANGE;
			goto out;
		}
	}
	const uint8_t *src = body;
	for (uint32_t i = 0; i < h->nr_pages; i++) {
		uint64_t gpa = get_le64(staging + HDR_SIZE + 8 * i);
		if ((zmap[i / 8] >> (i % 8)) & 1) {
			memset(dst[i], 0, MH_PAGE_SIZE);
		} else {
			memcpy(dst[i], src, MH_PAGE_SIZE);
			src += MH_PAGE_SIZE;
		}
		mh_applied_set(&t->epoch, &t->applied, gpa / MH_PAGE_SIZE, h->seq);
	}
	t->applied.records++;
out:
	wipe(body, h->body_len);
	return err;
}

static int apply_commit(struct mh_target *t, const uint8_t nonce[12], const struct mh_guest *g,
			uint8_t *staging)
{
	uint8_t *body = staging + HDR_SIZE;
	struct mh_commit mine;
	int err = MH_OK;

	ctr_run(&t->epoch, nonce, 2, body, COMMIT_SIZE);
	mh_commit_compute(&t->applied, &mine);
	if (get_le64(body) != mine.pages || get_le64(body + 8) != mine.records ||
	    get_le64(body + 16) != mine.vmsas ||
	    memcmp(body + 24, mine.digest, sizeof(mine.digest)) != 0)
		err = MH_ERR_COMMIT;
	wipe(body, COMMIT_SIZE);
	if (err == MH_OK) {
		release_vmsas(t, g);
		t->state = MH_OPEN_COMMITTED;
		mh_epoch_wipe(&t->epoch); /* no record is opened after the commit */
	}
	return err;
}

int mh_open(struct mh_target *t, const uint8_t *rec, size_t len, const struct mh_guest *g,
	    uint8_t *staging, uint32_t *detail)
{
	uint32_t det_local;
	struct hdr h;
	uint8_t nonce[MH_NONCE_SIZE];

	if (detail == NULL)
		detail = &det_local;
	*detail = 0;
	if (len < HDR_SIZE + MH_TAG_SIZE || len > MH_RECORD_MAX)
		return MH_ERR_MALFORMED;
	/* From here on only the private copy is read: the host may change rec. */
	memcpy(staging, rec, len);
	hdr_get(staging, &h);
	if (!hdr_valid(&h, len))
		return MH_ERR_MALFORMED;

	if (t->state == MH_OPEN_COMMITTED)
		return MH_ERR_STATE;
	if (h.type == MH_REC_BEGIN)
		return t->state == MH_OPEN_NEED_BEGIN ? open_begin(t, &h, staging) : MH_ERR_STATE;
	if (t->state == MH_OPEN_NEED_BEGIN)
		return h.type == MH_REC_COMMIT ? MH_ERR_STATE : MH_ERR_EPOCH;
	if (memcmp(h.source_nonce, t->epoch.source_nonce, 16) != 0)
		return MH_ERR_EPOCH;

	size_t aad_len = HDR_SIZE + 8 * (size_t)h.nr_pages;
	if (h.type == MH_REC_PAGES) {
		if (g == NULL || g->in_ram == NULL || g->is_private == NULL || g->page_rw == NULL)
			return MH_ERR_REQUEST;
		int err = check_gpas(t, &h, staging + HDR_SIZE, g, detail);
		if (err != MH_OK)
			return err;
	}
	bool vmsas = t->applied.vmsa_last != NULL && t->applied.nr_vmsas != 0;
	if ((h.type == MH_REC_VMSA || (h.type == MH_REC_COMMIT && vmsas)) &&
	    (g == NULL || g->vmsa_stash == NULL || g->vmsa_rw == NULL))
		return MH_ERR_REQUEST;
	if (h.type == MH_REC_VMSA) {
		int err = check_vcpus(t, &h, staging + HDR_SIZE, detail);
		if (err != MH_OK)
			return err;
	}
	make_nonce(nonce, h.seq);
	if (!gcm_verify(&t->epoch, nonce, staging, aad_len, staging + aad_len, h.body_len,
			staging + aad_len + h.body_len))
		return MH_ERR_AUTH;
	if (h.type == MH_REC_PAGES)
		return apply_pages(t, &h, nonce, g, staging, detail);
	if (h.type == MH_REC_VMSA)
		return apply_vmsas(t, &h, nonce, g, staging);
	return apply_commit(t, nonce, g, staging);
}
