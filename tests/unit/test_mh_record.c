// SPDX-License-Identifier: MIT
/*
 * Migration Handler records (firmware/mh/record.c, built hosted here and
 * included whole so that the GCM composition itself can be run on a
 * published vector): round trips, cross-checks against OpenSSL in both
 * directions, and every refusal, each of which must leave the target's
 * memory, last[] and state as they were.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../../firmware/mh/record.c"

#define NR_PFNS 128u
#define SRC_PFNS (2 * NR_PFNS) /* the source may name GPAs the target lacks */
#define HOLE_LO 100u	       /* target: pfns 100..103 are not RAM */
#define HOLE_HI 104u
#define PRIV_LO 120u /* target: pfns 120..127 are firmware-private */
#define PAGE MH_PAGE_SIZE
#define GPA(pfn) ((uint64_t)(pfn) * PAGE)

/* ---- fake guests ---- */

#define NR_VMSAS 4

struct guest {
	uint8_t *mem;
	uint64_t nr_pfns;
	bool target;
	uint64_t rw_null_gpa; /* page_rw returns NULL for this one */
	uint8_t vmsa[NR_VMSAS][4096], stash[NR_VMSAS][4096];
	uint32_t nr_vmsas;
};

static const uint8_t *g_vmsa(void *arg, uint32_t v)
{
	struct guest *g = arg;
	return v < g->nr_vmsas ? g->vmsa[v] : NULL;
}

static uint8_t *g_vmsa_rw(void *arg, uint32_t v)
{
	struct guest *g = arg;
	return v < g->nr_vmsas ? g->vmsa[v] : NULL;
}

static uint8_t *g_vmsa_stash(void *arg, uint32_t v)
{
	struct guest *g = arg;
	return v < g->nr_vmsas ? g->stash[v] : NULL;
}

static const uint8_t *g_page(void *arg, uint64_t gpa)
{
	struct guest *g = arg;
	return gpa / PAGE < g->nr_pfns ? g->mem + gpa : NULL;
}

static uint8_t *g_page_rw(void *arg, uint64_t gpa)
{
	struct guest *g = arg;
	if (gpa == g->rw_null_gpa || gpa / PAGE >= g->nr_pfns)
		return NULL;
	return g->mem + gpa;
}

static bool g_in_ram(void *arg, uint64_t gpa)
{
	struct guest *g = arg;
	uint64_t pfn = gpa / PAGE;
	return pfn < g->nr_pfns && !(g->target && pfn >= HOLE_LO && pfn < HOLE_HI);
}

static bool g_is_private(void *arg, uint64_t gpa)
{
	struct guest *g = arg;
	return g->target && gpa / PAGE >= PRIV_LO && gpa / PAGE < NR_PFNS;
}

/* ---- one migration: source and target ---- */

static const uint8_t transport_key[32] = {
	0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba,
	0xcb, 0xdc, 0xed, 0xfe, 0x0f, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56,
	0x67, 0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0,
};
static const uint8_t source_nonce[16] = "source-nonce-01";
static const uint8_t source_nonce2[16] = "source-nonce-02";
static const uint8_t target_nonce[16] = "target-nonce-AA";
static const uint8_t other_target_nonce[16] = "target-nonce-BB";

struct mig {
	struct guest src, dst;
	struct mh_guest sg, tg;
	uint64_t sent_last[SRC_PFNS], dst_last[NR_PFNS];
	uint64_t sent_vmsa_last[NR_VMSAS], dst_vmsa_last[NR_VMSAS];
	struct mh_applied sent;
	struct mh_epoch se;
	struct mh_target t;
	uint8_t *s_staging, *t_staging;
	uint64_t seq; /* the source's next */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng();
		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	assert_non_null(p);
	return p;
}

static struct mig *mig_new(enum mh_impl s_impl, enum mh_impl t_impl)
{
	struct mig *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->src = (struct guest){.mem = xmalloc(SRC_PFNS * PAGE), .nr_pfns = SRC_PFNS,
				.rw_null_gpa = UINT64_MAX, .nr_vmsas = NR_VMSAS};
	m->dst = (struct guest){.mem = xmalloc(NR_PFNS * PAGE), .nr_pfns = NR_PFNS, .target = true,
				.rw_null_gpa = UINT64_MAX, .nr_vmsas = NR_VMSAS};
	fill_random(&m->src.vmsa[0][0], sizeof(m->src.vmsa));
	memset(m->dst.vmsa, 0xee, sizeof(m->dst.vmsa));
	fill_random(m->src.mem, SRC_PFNS * PAGE);
	for (unsigned int pfn = 0; pfn < SRC_PFNS; pfn += 5)
		memset(m->src.mem + GPA(pfn), 0, PAGE); /* every fifth page zero */
	memset(m->dst.mem, 0xee, NR_PFNS * PAGE);
	m->sg = (struct mh_guest){g_page, NULL, g_in_ram, g_is_private, &m->src, g_vmsa, NULL, NULL};
	m->tg = (struct mh_guest){g_page,  g_page_rw,	 g_in_ram,  g_is_private,
				  &m->dst, NULL, g_vmsa_stash, g_vmsa_rw};
	m->sent = (struct mh_applied){.last = m->sent_last,
				      .nr_pfns = SRC_PFNS,
				      .vmsa_last = m->sent_vmsa_last,
				      .nr_vmsas = NR_VMSAS};
	mh_epoch_init_impl(&m->se, transport_key, source_nonce, target_nonce, s_impl);
	memcpy(m->t.transport_key, transport_key, 32);
	memcpy(m->t.target_nonce, target_nonce, 16);
	m->t.applied = (struct mh_applied){.last = m->dst_last,
					   .nr_pfns = NR_PFNS,
					   .vmsa_last = m->dst_vmsa_last,
					   .nr_vmsas = NR_VMSAS};
	m->t.impl = t_impl;
	m->s_staging = xmalloc(MH_RECORD_MAX);
	m->t_staging = xmalloc(MH_RECORD_MAX);
	m->seq = 1;
	return m;
}

static void mig_free(struct mig *m)
{
	free(m->src.mem);
	free(m->dst.mem);
	free(m->s_staging);
	free(m->t_staging);
	free(m);
}

struct rec {
	uint8_t *b;
	size_t len;
};

static struct rec seal_begin(struct mig *m)
{
	struct rec r = {xmalloc(MH_RECORD_MAX), 0};
	r.len = mh_seal_begin(&m->se, r.b, MH_RECORD_MAX);
	assert_int_equal(r.len, sizeof(struct mh_record_hdr) + MH_TAG_SIZE);
	return r;
}

static struct rec seal_pfns(struct mig *m, const unsigned int *pfn, unsigned int n)
{
	uint64_t gpa[MH_BATCH_PAGES];
	struct rec r = {xmalloc(MH_RECORD_MAX), 0};
	for (unsigned int i = 0; i < n; i++)
		gpa[i] = GPA(pfn[i]);
	r.len = mh_seal_pages(&m->se, m->seq++, gpa, n, &m->sg, &m->sent, m->s_staging, r.b,
			      MH_RECORD_MAX);
	assert_true(r.len > 0);
	return r;
}

static struct rec seal_vmsas(struct mig *m, const uint32_t *vcpu, unsigned int n)
{
	struct rec r = {xmalloc(MH_RECORD_MAX), 0};
	r.len = mh_seal_vmsas(&m->se, m->seq++, vcpu, n, &m->sg, &m->sent, m->s_staging, r.b,
			      MH_RECORD_MAX);
	assert_int_equal(r.len, 40 + 8 * n + 4096 * n + 16);
	return r;
}

static struct rec seal_commit(struct mig *m)
{
	struct mh_commit c;
	struct rec r = {xmalloc(MH_RECORD_MAX), 0};
	mh_commit_compute(&m->sent, &c);
	r.len = mh_seal_commit(&m->se, m->seq++, &c, r.b, MH_RECORD_MAX);
	assert_int_equal(r.len, sizeof(struct mh_record_hdr) + sizeof(struct mh_commit) + 16);
	return r;
}

static int open_rec(struct mig *m, struct rec r, uint32_t *detail)
{
	uint32_t d = 0xdeadbeef;
	int err = mh_open(&m->t, r.b, r.len, &m->tg, m->t_staging, &d);
	if (detail != NULL)
		*detail = d;
	return err;
}

static void open_ok(struct mig *m, struct rec r)
{
	uint32_t d;
	assert_int_equal(open_rec(m, r, &d), MH_OK);
	assert_int_equal(d, 0);
}

/* The target's whole state, to show a refusal changed nothing. */
struct snap {
	uint8_t *mem;
	uint64_t last[NR_PFNS], vmsa_last[NR_VMSAS];
	uint8_t vmsa[NR_VMSAS][4096], stash[NR_VMSAS][4096];
	struct mh_target t;
};

static struct snap *snap_take(const struct mig *m)
{
	struct snap *s = xmalloc(sizeof(*s));
	s->mem = xmalloc(NR_PFNS * PAGE);
	memcpy(s->mem, m->dst.mem, NR_PFNS * PAGE);
	memcpy(s->last, m->dst_last, sizeof(s->last));
	memcpy(s->vmsa_last, m->dst_vmsa_last, sizeof(s->vmsa_last));
	memcpy(s->vmsa, m->dst.vmsa, sizeof(s->vmsa));
	memcpy(s->stash, m->dst.stash, sizeof(s->stash));
	s->t = m->t;
	return s;
}

static void snap_check_free(const struct mig *m, struct snap *s)
{
	assert_memory_equal(s->mem, m->dst.mem, NR_PFNS * PAGE);
	assert_memory_equal(s->last, m->dst_last, sizeof(s->last));
	assert_memory_equal(s->vmsa_last, m->dst_vmsa_last, sizeof(s->vmsa_last));
	assert_memory_equal(s->vmsa, m->dst.vmsa, sizeof(s->vmsa));
	assert_memory_equal(s->stash, m->dst.stash, sizeof(s->stash));
	assert_memory_equal(&s->t, &m->t, sizeof(s->t));
	free(s->mem);
	free(s);
}

/* Open r, expect refusal err (detail too unless want_detail is -1), nothing changed. */
static void refused(struct mig *m, struct rec r, int err, long want_detail)
{
	struct snap *s = snap_take(m);
	uint32_t d;
	assert_int_equal(open_rec(m, r, &d), err);
	if (want_detail >= 0)
		assert_int_equal(d, (uint32_t)want_detail);
	snap_check_free(m, s);
}

static void dst_matches_src(const struct mig *m, unsigned int pfn)
{
	assert_memory_equal(m->dst.mem + GPA(pfn), m->src.mem + GPA(pfn), PAGE);
}

/* ---- OpenSSL side ---- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void ossl_epoch_key(const uint8_t sn[16], const uint8_t tn[16], uint8_t key[32])
{
	uint8_t msg[48];
	unsigned int len = 32;
	memcpy(msg, "sevm-mh-epoch-v1", 16);
	memcpy(msg + 16, sn, 16);
	memcpy(msg + 32, tn, 16);
	assert_non_null(HMAC(EVP_sha256(), transport_key, 32, msg, sizeof(msg), key, &len));
	assert_int_equal(len, 32);
}

static void ossl_nonce(uint8_t n[12], uint64_t seq)
{
	put32(n, 0x53);
	put64(n + 4, seq);
}

static void ossl_gcm_seal(const uint8_t key[32], const uint8_t *iv, size_t iv_len,
			  const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t len,
			  uint8_t *ct, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n;
	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL), 1);
	assert_int_equal(EVP_EncryptInit_ex(c, NULL, NULL, key, iv), 1);
	if (aad_len)
		assert_int_equal(EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len), 1);
	if (len)
		assert_int_equal(EVP_EncryptUpdate(c, ct, &n, pt, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, ct + len, &n), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag), 1);
	EVP_CIPHER_CTX_free(c);
}

static bool ossl_gcm_open(const uint8_t key[32], const uint8_t iv[12], const uint8_t *aad,
			  size_t aad_len, const uint8_t *ct, size_t len, const uint8_t tag[16],
			  uint8_t *pt)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t t[16];
	int n, ok;
	assert_non_null(c);
	memcpy(t, tag, 16);
	assert_int_equal(EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv), 1);
	if (aad_len)
		assert_int_equal(EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len), 1);
	if (len)
		assert_int_equal(EVP_DecryptUpdate(c, pt, &n, ct, (int)len), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, t), 1);
	ok = EVP_DecryptFinal_ex(c, pt + len, &n);
	EVP_CIPHER_CTX_free(c);
	return ok == 1;
}

/* A record built by OpenSSL alone, fields as given (valid or not). */
static struct rec ossl_record(const uint8_t sn[16], const uint8_t tn[16], uint16_t type,
			      uint64_t seq, const uint64_t *gpa, uint32_t n, const uint8_t *body,
			      uint32_t body_len)
{
	uint8_t key[32], nonce[12];
	struct rec r = {xmalloc(MH_RECORD_MAX + 64), 0};
	size_t aad_len = 40 + 8 * (size_t)n;
	put32(r.b, 0x31524d53u);
	r.b[4] = 4, r.b[5] = 0; /* version 4 */
	r.b[6] = (uint8_t)type, r.b[7] = 0;
	put64(r.b + 8, seq);
	memcpy(r.b + 16, sn, 16);
	put32(r.b + 32, n);
	put32(r.b + 36, body_len);
	for (uint32_t i = 0; i < n; i++)
		put64(r.b + 40 + 8 * i, gpa[i]);
	ossl_epoch_key(sn, tn, key);
	ossl_nonce(nonce, seq);
	ossl_gcm_seal(key, nonce, 12, r.b, aad_len, body, body_len, r.b + aad_len,
		      r.b + aad_len + body_len);
	r.len = aad_len + body_len + 16;
	return r;
}

/* PAGES body from the source's memory: the non-zero pages, then the zero map. */
static uint8_t *ossl_pages_body(const struct mig *m, const uint64_t *gpa, uint32_t n,
				uint32_t *body_len)
{
	size_t zm = MH_ZERO_MAP_BYTES(n);
	uint8_t *b = calloc(1, zm + (size_t)n * PAGE), map[MH_ZERO_MAP_BYTES(MH_BATCH_PAGES)] = {0};
	uint8_t *p = b;
	static const uint8_t zero[PAGE];
	assert_non_null(b);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *src = m->src.mem + gpa[i];
		if (memcmp(src, zero, PAGE) == 0) {
			map[i / 8] |= (uint8_t)(1u << (i % 8));
		} else {
			memcpy(p, src, PAGE);
			p += PAGE;
		}
	}
	memcpy(p, map, zm);
	*body_len = (uint32_t)(p + zm - b);
	return b;
}

/* F(pfn, seq) of the commit (mh_abi.h, struct mh_commit) with OpenSSL:
 * one AES-256-ECB block under the epoch key, spelled out from the spec. */
static void ossl_commit_prf(const uint8_t key[32], uint64_t pfn, uint64_t seq, uint64_t v[2])
{
	uint8_t in[16], out[32];
	int n = 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	assert_non_null(c);
	put32(in, 0x43u | (uint32_t)(pfn >> 32) << 8);
	put64(in + 4, seq);
	in[12] = (uint8_t)(pfn >> 24), in[13] = (uint8_t)(pfn >> 16); /* big-endian counter */
	in[14] = (uint8_t)(pfn >> 8), in[15] = (uint8_t)pfn;
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_ecb(), NULL, key, NULL), 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_int_equal(EVP_EncryptUpdate(c, out, &n, in, 16), 1);
	assert_int_equal(n, 16);
	EVP_CIPHER_CTX_free(c);
	v[0] = get64(out), v[1] = get64(out + 8);
}

/* struct mh_commit as OpenSSL computes it from final last[] arrays, under
 * the epoch of the global source and target nonces: pages, records,
 * vmsas, digest. */
static void ossl_commit_v(const uint64_t *last, uint64_t nr_pfns, uint64_t records,
			  const uint64_t *vmsa_last, uint32_t nr_vmsas, uint8_t out[56])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint64_t pages = 0, vmsas = 0;
	unsigned __int128 sum = 0;
	uint8_t key[32], e[16];
	ossl_epoch_key(source_nonce, target_nonce, key);
	for (uint64_t pfn = 0; pfn < nr_pfns; pfn++) {
		uint64_t v[2];
		if (last[pfn] == 0)
			continue;
		ossl_commit_prf(key, pfn, last[pfn], v);
		sum += (unsigned __int128)v[1] << 64 | v[0];
		pages++;
	}
	assert_non_null(c);
	assert_int_equal(EVP_DigestInit_ex(c, EVP_sha256(), NULL), 1);
	put64(e, (uint64_t)sum);
	put64(e + 8, (uint64_t)(sum >> 64));
	assert_int_equal(EVP_DigestUpdate(c, e, 16), 1);
	for (uint32_t i = 0; i < nr_vmsas; i++) {
		if (vmsa_last[i] == 0)
			continue;
		put64(e, (1ull << 63) | i); /* MH_VMSA_KEY(i), spelled out */
		put64(e + 8, vmsa_last[i]);
		assert_int_equal(EVP_DigestUpdate(c, e, 16), 1);
		vmsas++;
	}
	put64(out, pages);
	put64(out + 8, records);
	put64(out + 16, vmsas);
	assert_int_equal(EVP_DigestFinal_ex(c, out + 24, NULL), 1);
	EVP_MD_CTX_free(c);
}

static void ossl_commit(const uint64_t *last, uint64_t nr_pfns, uint64_t records, uint8_t out[56])
{
	ossl_commit_v(last, nr_pfns, records, NULL, 0, out);
}

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* ---- the GCM composition on published vectors ---- */

/*
 * McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)" (the
 * submission to NIST, revised 2005), Appendix B, Test Case 16: AES-256, a
 * 96-bit IV, 20 bytes of AAD and a 60-byte plaintext (both ends partial
 * blocks); and Test Cases 13 and 14 (empty, and one zero block, under the
 * zero key). The same vectors as NIST's GCM validation material.
 */
static const char tc16_k[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
static const char tc16_iv[] = "cafebabefacedbaddecaf888";
static const char tc16_p[] = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
			     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const char tc16_a[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
static const char tc16_c[] = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
			     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
static const char tc16_t[] = "76fc6ece0f4e1768cddf8853bb2d551b";

/* The implementation an epoch set up with impl uses on this CPU. */
static const char *impl_name(enum mh_impl impl)
{
	bool hw = br_aes_x86ni_ctr_get_vtable() != NULL && br_ghash_pclmul_get() != NULL;
	if (!hw || impl == MH_IMPL_PORTABLE)
		return "ct64+ctmul64";
	return impl == MH_IMPL_AUTO ? "aesni+pclmul x8" : "x86ni+pclmul";
}

static const enum mh_impl all_impls[] = {MH_IMPL_AUTO, MH_IMPL_PORTABLE, MH_IMPL_BEARSSL_NI};

static void kat_one(enum mh_impl impl)
{
	struct mh_epoch e;
	uint8_t k[32], iv[12], p[60], a[20], c[60], t[16], buf[60], tag[16], oc[60], ot[16];

	hex(tc16_k, k, 32), hex(tc16_iv, iv, 12), hex(tc16_p, p, 60), hex(tc16_a, a, 20);
	hex(tc16_c, c, 60), hex(tc16_t, t, 16);
	memset(&e, 0, sizeof(e));
	epoch_setup(&e, k, impl);
	assert_string_equal(mh_epoch_impl(&e), impl_name(impl));

	memcpy(buf, p, 60);
	gcm_seal(&e, iv, a, 20, buf, 60, tag);
	assert_memory_equal(buf, c, 60);
	assert_memory_equal(tag, t, 16);
	assert_true(gcm_verify(&e, iv, a, 20, c, 60, t));
	ctr_run(&e, iv, 2, buf, 60);
	assert_memory_equal(buf, p, 60);
	for (int i = 0; i < 16; i++) {
		tag[i] ^= 0x80;
		assert_false(gcm_verify(&e, iv, a, 20, c, 60, tag));
		tag[i] ^= 0x80;
	}
	a[19] ^= 1;
	assert_false(gcm_verify(&e, iv, a, 20, c, 60, t));
	a[19] ^= 1;

	/* The test's OpenSSL helper agrees with the vector too. */
	ossl_gcm_seal(k, iv, 12, a, 20, p, 60, oc, ot);
	assert_memory_equal(oc, c, 60);
	assert_memory_equal(ot, t, 16);

	/* Test Cases 13 and 14: K = 0^256, IV = 0^96. */
	uint8_t z[16] = {0}, want[16];
	memset(k, 0, 32), memset(iv, 0, 12);
	epoch_setup(&e, k, impl);
	gcm_seal(&e, iv, NULL, 0, z, 0, tag);
	hex("530f8afbc74536b9a963b4f1c4cb738b", want, 16);
	assert_memory_equal(tag, want, 16);
	gcm_seal(&e, iv, NULL, 0, z, 16, tag);
	hex("cea7403d4d606b6e074ec5d3baf39d18", want, 16);
	assert_memory_equal(z, want, 16);
	hex("d0d1c8a799996bf0265b98b5d48ab919", want, 16);
	assert_memory_equal(tag, want, 16);
	mh_epoch_wipe(&e);
}

static void test_gcm_kat(void **state)
{
	(void)state;
	struct mh_epoch scratch;
	static const struct mh_epoch zero_epoch;

	assert_true(mh_selftest(&scratch));
	assert_memory_equal(&scratch, &zero_epoch, sizeof(scratch)); /* wiped */
	for (size_t i = 0; i < sizeof(all_impls) / sizeof(all_impls[0]); i++)
		kat_one(all_impls[i]);
}

/*
 * gcm_x86.c's three passes against BearSSL's AES-NI CTR and PCLMULQDQ
 * GHASH, which the KATs pin: every length around the eight-block step and
 * the last partial block, unaligned buffers, a GHASH state carried in, and
 * a counter that wraps.
 */
static void test_gcm_x86_vs_bearssl(void **state)
{
	(void)state;
	const br_block_ctr_class *ctr = br_aes_x86ni_ctr_get_vtable();
	br_ghash gh = br_ghash_pclmul_get();
	static uint8_t data[3 * 4096 + 64], a[sizeof(data)], b[sizeof(data)];
	br_aes_x86ni_ctr_keys ks;
	struct mh_gcm_x86 x;
	uint8_t key[32], nonce[12], h[16] = {0}, y0[16], ya[16], yb[16];
	static const uint8_t zero_nonce[12];
	static const uint32_t ccs[] = {0, 2, 0xfffffffbu};
	size_t lens[300];
	unsigned int nl = 0;

	if (ctr == NULL || gh == NULL) {
		print_message("skipped: this CPU lacks AES-NI or PCLMULQDQ, so gcm_x86.c is never used\n");
		skip();
	}
	for (size_t l = 0; l <= 260; l++)
		lens[nl++] = l;
	static const size_t big[] = {4096, 4096 + 1, 4096 + 15, 4096 + 16, 4096 + 127, 4096 + 129,
				     3 * 4096 + 40};
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		lens[nl++] = big[i];
	for (unsigned int li = 0; li < nl; li++) {
		size_t len = lens[li], off = li % 4; /* 0..3 bytes off alignment */
		uint32_t cc = ccs[li % 3];

		if (li % 16 == 0) { /* a fresh key, so a fresh H, now and then */
			fill_random(key, 32);
			ctr->init(&ks.vtable, key, 32);
			memset(h, 0, sizeof(h));
			ctr->run(&ks.vtable, zero_nonce, 0, h, 16);
			mh_gcm_x86_init(&x, ks.skey.skni, h);
		}

		fill_random(data, len + off), fill_random(nonce, 12), fill_random(y0, 16);
		memcpy(a, data, len + off), memcpy(b, data, len + off);
		assert_int_equal(mh_gcm_x86_ctr(&x, nonce, cc, a + off, len),
				 len ? ctr->run(&ks.vtable, nonce, cc, b + off, len) : cc);
		assert_memory_equal(a, b, len + off);

		memcpy(ya, y0, 16), memcpy(yb, y0, 16);
		mh_gcm_x86_ghash(&x, ya, data + off, len);
		gh(yb, h, data + off, len);
		assert_memory_equal(ya, yb, 16);

		memcpy(a, data, len + off), memcpy(b, data, len + off);
		memcpy(ya, y0, 16), memcpy(yb, y0, 16);
		uint32_t next = mh_gcm_x86_seal(&x, nonce, cc, a + off, len, ya);
		assert_int_equal(next, len ? ctr->run(&ks.vtable, nonce, cc, b + off, len) : cc);
		gh(yb, h, b + off, len);
		assert_memory_equal(a, b, len + off);
		assert_memory_equal(ya, yb, 16);

		/* y * H^m is GHASH over m zero blocks. */
		static const uint8_t zeros[16 * 300];
		size_t mblocks = li % 300;
		memcpy(ya, y0, 16), memcpy(yb, y0, 16);
		mh_gcm_x86_mul_hpow(&x, ya, mblocks);
		gh(yb, h, zeros, 16 * mblocks);
		assert_memory_equal(ya, yb, 16);
	}

	/* One page: CTR from the guest page into another buffer, the page
	 * before hashed meanwhile; the zero test, for zeros and for one bit. */
	static uint8_t src[4096], dst[4096], want[4096], prev[4096];
	for (int round = 0; round < 4; round++) {
		uint32_t cc = ccs[round % 3];
		bool zero = round == 2, with_prev = round != 1;

		fill_random(src, sizeof(src)), fill_random(prev, sizeof(prev));
		fill_random(nonce, 12), fill_random(y0, 16);
		if (zero)
			memset(src, 0, sizeof(src));
		if (round == 3) { /* a single set bit, in the last word */
			memset(src, 0, sizeof(src));
			src[4095] = 0x80;
		}
		memcpy(want, src, sizeof(src));
		ctr->run(&ks.vtable, nonce, cc, want, sizeof(want));
		memcpy(ya, y0, 16), memcpy(yb, y0, 16);
		uint64_t any = mh_gcm_x86_seal_page(&x, nonce, cc, src, dst, with_prev ? prev : NULL, ya);
		assert_int_equal(any == 0, zero);
		assert_memory_equal(dst, want, sizeof(dst));
		if (with_prev)
			gh(yb, h, prev, sizeof(prev));
		assert_memory_equal(ya, yb, 16);
	}
}

/* Chunking: bodies that span several CHUNKs agree with OpenSSL, every impl. */
static void test_gcm_long_vs_openssl(void **state)
{
	(void)state;
	static uint8_t p[3 * CHUNK + 40], buf[sizeof(p)], oc[sizeof(p)];
	uint8_t k[32], iv[12], a[77], tag[16], ot[16];
	fill_random(p, sizeof(p)), fill_random(k, 32), fill_random(iv, 12), fill_random(a, 77);
	for (size_t i = 0; i < sizeof(all_impls) / sizeof(all_impls[0]); i++) {
		struct mh_epoch e;
		memset(&e, 0, sizeof(e));
		epoch_setup(&e, k, all_impls[i]);
		memcpy(buf, p, sizeof(p));
		gcm_seal(&e, iv, a, sizeof(a), buf, sizeof(p), tag);
		ossl_gcm_seal(k, iv, 12, a, sizeof(a), p, sizeof(p), oc, ot);
		assert_memory_equal(buf, oc, sizeof(p));
		assert_memory_equal(tag, ot, 16);
	}
}

/* ---- round trips ---- */

static void roundtrip(enum mh_impl s_impl, enum mh_impl t_impl)
{
	struct mig *m = mig_new(s_impl, t_impl);
	unsigned int all[64], mixed[10], zeros[4] = {0, 5, 10, 95}, one[1] = {7};
	struct rec r[8];
	int nr = 0;

	assert_string_equal(mh_epoch_impl(&m->se), impl_name(s_impl));
	for (unsigned int i = 0; i < 64; i++)
		all[i] = i; /* includes zero pages (every fifth) */
	for (unsigned int i = 0; i < 10; i++)
		mixed[i] = 64 + 3 * i; /* 64..91, some zero */

	r[nr++] = seal_begin(m);
	r[nr++] = seal_pfns(m, all, 64);
	r[nr++] = seal_pfns(m, mixed, 10);
	r[nr++] = seal_pfns(m, zeros, 4);
	assert_int_equal(r[nr - 1].len, 40 + 32 + 8 + 16); /* all zero: GPAs and the map only */
	r[nr++] = seal_pfns(m, one, 1);
	for (int i = 0; i < nr; i++)
		open_ok(m, r[i]);
	assert_int_equal(m->t.state, MH_OPEN_PAGES);
	assert_string_equal(mh_epoch_impl(&m->t.epoch), impl_name(t_impl));
	for (unsigned int i = 0; i < 64; i++)
		dst_matches_src(m, i);
	for (unsigned int i = 0; i < 10; i++)
		dst_matches_src(m, mixed[i]);
	assert_int_equal(m->dst_last[7], 4);
	assert_int_equal(m->dst_last[1], 1);
	assert_int_equal(m->t.applied.records, 4);

	/* A second round: a zero page gets data, a data page becomes zero. */
	fill_random(m->src.mem + GPA(5), PAGE);
	memset(m->src.mem + GPA(6), 0, PAGE);
	unsigned int again[2] = {5, 6};
	r[nr++] = seal_pfns(m, again, 2);
	open_ok(m, r[nr - 1]);
	dst_matches_src(m, 5), dst_matches_src(m, 6);
	assert_int_equal(m->dst_last[6], 5);

	r[nr++] = seal_commit(m);
	open_ok(m, r[nr - 1]);
	assert_int_equal(m->t.state, MH_OPEN_COMMITTED);
	static const struct mh_epoch zero_epoch;
	assert_memory_equal(&m->t.epoch, &zero_epoch, sizeof(zero_epoch)); /* keys wiped */
	/* Never-sent pages are untouched. */
	for (unsigned int i = 92; i < NR_PFNS; i++)
		if (m->dst_last[i] == 0)
			for (unsigned int b = 0; b < PAGE; b++)
				assert_int_equal(m->dst.mem[GPA(i) + b], 0xee);
	/* Anything after the commit. */
	for (int i = 0; i < nr; i++)
		refused(m, r[i], MH_ERR_STATE, 0);
	for (int i = 0; i < nr; i++)
		free(r[i].b);
	mh_epoch_wipe(&m->se);
	assert_memory_equal(&m->se, &zero_epoch, sizeof(zero_epoch));
	mig_free(m);
}

static void test_roundtrip(void **state)
{
	(void)state;
	roundtrip(MH_IMPL_AUTO, MH_IMPL_AUTO);
}

static void test_roundtrip_portable(void **state)
{
	(void)state;
	roundtrip(MH_IMPL_PORTABLE, MH_IMPL_PORTABLE);
}

static void test_roundtrip_cross_impl(void **state)
{
	(void)state;
	roundtrip(MH_IMPL_AUTO, MH_IMPL_PORTABLE);
	roundtrip(MH_IMPL_PORTABLE, MH_IMPL_AUTO);
	roundtrip(MH_IMPL_AUTO, MH_IMPL_BEARSSL_NI);
	roundtrip(MH_IMPL_BEARSSL_NI, MH_IMPL_AUTO);
}

/* Out never holds plaintext; the target's staging holds none afterwards. */
static void test_no_plaintext_leaks(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int pfns[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct rec b = seal_begin(m);
	uint64_t gpa[8];
	uint8_t *out = xmalloc(MH_RECORD_MAX);
	for (int i = 0; i < 8; i++)
		gpa[i] = GPA(pfns[i]);
	memset(out, 0xa5, MH_RECORD_MAX);
	size_t len = mh_seal_pages(&m->se, m->seq++, gpa, 8, &m->sg, &m->sent, m->s_staging, out,
				   MH_RECORD_MAX);
	assert_int_equal(len, 40 + 64 + 8 + 7 * PAGE + 16);
	for (size_t i = len; i < MH_RECORD_MAX; i++)
		assert_int_equal(out[i], 0xa5);
	for (int i = 0; i < 8; i++) {
		if (pfns[i] == 5)
			continue;
		const uint8_t *pg = m->src.mem + gpa[i];
		for (size_t off = 0; off + 16 <= PAGE; off += 512) {
			assert_null(memmem(out, len, pg + off, 16));
			assert_null(memmem(m->s_staging, MH_RECORD_MAX, pg + off, 16));
		}
	}
	open_ok(m, b);
	open_ok(m, (struct rec){out, len});
	for (int i = 0; i < 8; i++) {
		dst_matches_src(m, pfns[i]);
		if (pfns[i] != 5)
			assert_null(memmem(m->t_staging, MH_RECORD_MAX, m->src.mem + gpa[i], 16));
	}
	free(out), free(b.b);
	mig_free(m);
}

/* ---- cross-checks with OpenSSL ---- */

static void test_openssl_opens_mh_records(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int pfns[12] = {0, 1, 2, 3, 4, 5, 10, 11, 12, 40, 41, 45};
	uint8_t key[32], nonce[12], *pt = xmalloc(MH_RECORD_MAX);

	ossl_epoch_key(source_nonce, target_nonce, key);
	struct rec b = seal_begin(m);
	ossl_nonce(nonce, 0);
	assert_true(ossl_gcm_open(key, nonce, b.b, 40, NULL, 0, b.b + 40, pt));

	struct rec r = seal_pfns(m, pfns, 12);
	assert_int_equal(get64(r.b + 8), 1);
	size_t aad = 40 + 8 * 12, body = r.len - aad - 16;
	ossl_nonce(nonce, 1);
	assert_true(ossl_gcm_open(key, nonce, r.b, aad, r.b + aad, body, r.b + aad + body, pt));
	/* zero map, last: pfns 0, 5, 10, 40, 45 are zero -> bits 0, 5, 6, 9, 11 */
	assert_int_equal(get64(pt + body - 8),
			 (1u << 0) | (1u << 5) | (1u << 6) | (1u << 9) | (1u << 11));
	const uint8_t *p = pt;
	for (int i = 0; i < 12; i++) {
		assert_int_equal(get64(r.b + 40 + 8 * i), GPA(pfns[i]));
		if (pfns[i] % 5 == 0)
			continue;
		assert_memory_equal(p, m->src.mem + GPA(pfns[i]), PAGE);
		p += PAGE;
	}
	assert_int_equal((size_t)(p - pt) + 8, body);
	/* A flipped byte fails OpenSSL's check too. */
	r.b[50] ^= 1;
	assert_false(ossl_gcm_open(key, nonce, r.b, aad, r.b + aad, body, r.b + aad + body, pt));
	r.b[50] ^= 1;

	struct rec c = seal_commit(m);
	uint8_t want[56];
	ossl_commit(m->sent_last, SRC_PFNS, 1, want);
	ossl_nonce(nonce, 2);
	assert_true(ossl_gcm_open(key, nonce, c.b, 40, c.b + 40, 56, c.b + 96, pt));
	assert_memory_equal(pt, want, 56);

	free(b.b), free(r.b), free(c.b), free(pt);
	mig_free(m);
}

static void test_mh_opens_openssl_records(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	uint64_t gpa[64];
	uint32_t body_len;

	struct rec b = ossl_record(source_nonce, target_nonce, MH_REC_BEGIN, 0, NULL, 0, NULL, 0);
	open_ok(m, b);
	for (int i = 0; i < 64; i++)
		gpa[i] = GPA(90 - i); /* descending, zero pages among them */
	uint8_t *body = ossl_pages_body(m, gpa, 64, &body_len);
	struct rec r = ossl_record(source_nonce, target_nonce, MH_REC_PAGES, 1, gpa, 64, body,
				   body_len);
	open_ok(m, r);
	for (int i = 0; i < 64; i++) {
		dst_matches_src(m, 90 - i);
		assert_int_equal(m->dst_last[90 - i], 1);
	}
	free(body);
	gpa[0] = GPA(3);
	body = ossl_pages_body(m, gpa, 1, &body_len);
	struct rec r2 = ossl_record(source_nonce, target_nonce, MH_REC_PAGES, 7, gpa, 1, body,
				    body_len);
	open_ok(m, r2);
	free(body);

	uint8_t cb[56];
	uint64_t last[NR_PFNS] = {0};
	for (int i = 0; i < 64; i++)
		last[90 - i] = 1;
	last[3] = 7;
	ossl_commit(last, NR_PFNS, 2, cb);
	struct rec c = ossl_record(source_nonce, target_nonce, MH_REC_COMMIT, 8, NULL, 0, cb, 56);
	open_ok(m, c);
	assert_int_equal(m->t.state, MH_OPEN_COMMITTED);
	free(b.b), free(r.b), free(r2.b), free(c.b);
	mig_free(m);
}

static void test_commit_digest_vs_openssl(void **state)
{
	(void)state;
	static uint64_t last[5000], want_last[5000];
	uint8_t want[56];
	struct mh_commit c;
	struct mh_epoch e;
	uint64_t vl[NR_VMSAS] = {5, 0, 77, 1};
	struct mh_applied a = {.last = last, .nr_pfns = 5000, .records = 1234};
	/* Pages set, then set again (the running sum drops their old
	 * numbers), some never: only the final numbers count. */
	mh_epoch_init(&e, transport_key, source_nonce, target_nonce);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 5000; i++)
			if (rng() % 3 != 0)
				mh_applied_set(&e, &a, (uint64_t)i, want_last[i] = rng() >> 20 | 1);
	mh_commit_compute(&a, &c);
	ossl_commit(want_last, 5000, 1234, want);
	assert_memory_equal(last, want_last, sizeof(last));
	assert_int_equal(c.pages, get64(want));
	assert_int_equal(c.records, 1234);
	assert_int_equal(c.vmsas, 0);
	assert_memory_equal(c.digest, want + 24, 32);
	/* With VMSAs: three of four migrated. */
	a.vmsa_last = vl, a.nr_vmsas = NR_VMSAS;
	mh_commit_compute(&a, &c);
	ossl_commit_v(want_last, 5000, 1234, vl, NR_VMSAS, want);
	assert_int_equal(c.vmsas, 3);
	assert_int_equal(get64(want + 16), 3);
	assert_memory_equal(c.digest, want + 24, 32);
	/* The sum is order-free but not blind: one page one number older
	 * changes the digest. */
	uint64_t old = want_last[7];
	mh_applied_set(&e, &a, 7, old + 1);
	mh_commit_compute(&a, &c);
	assert_memory_not_equal(c.digest, want + 24, 32);
	mh_applied_set(&e, &a, 7, old);
	mh_commit_compute(&a, &c);
	assert_memory_equal(c.digest, want + 24, 32);
	mh_epoch_wipe(&e);
}

/*
 * VMSA records (convergence): kept private until the commit verifies, then
 * written into the target's VMSA pages; a commit that misses one, a
 * replayed or tampered one, a vCPU the target lacks: refused, and no VMSA
 * page of the target changes.
 */
static void test_vmsa_records(void **state)
{
	(void)state;
	static const uint8_t untouched[4096] = {[0 ... 4095] = 0xee};
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int pfns[2] = {1, 2};
	uint32_t all[3] = {0, 1, 2}, three[1] = {3}, twice[2] = {1, 1};

	struct rec b = seal_begin(m), p = seal_pfns(m, pfns, 2);
	open_ok(m, b);
	open_ok(m, p);
	free(b.b), free(p.b);
	/* The source refuses what the target would. */
	struct rec bad = {xmalloc(MH_RECORD_MAX), 0};
	assert_int_equal(mh_seal_vmsas(&m->se, 99, twice, 2, &m->sg, &m->sent, m->s_staging, bad.b,
				       MH_RECORD_MAX), 0);
	uint32_t beyond = NR_VMSAS;
	assert_int_equal(mh_seal_vmsas(&m->se, 99, &beyond, 1, &m->sg, &m->sent, m->s_staging,
				       bad.b, MH_RECORD_MAX), 0);
	free(bad.b);

	struct rec v = seal_vmsas(m, all, 3);
	struct rec t = {xmalloc(v.len), v.len};
	memcpy(t.b, v.b, v.len);
	t.b[40 + 24 + 100] ^= 1; /* a VMSA byte */
	refused(m, t, MH_ERR_AUTH, -1);
	open_ok(m, v);
	for (int i = 0; i < 3; i++) /* kept, not yet written */
		assert_memory_equal(m->dst.vmsa[i], untouched, 4096);
	refused(m, v, MH_ERR_REPLAY, 0);

	/* A target with fewer vCPUs: the fourth is refused. */
	m->t.applied.nr_vmsas = 3;
	struct rec v3 = seal_vmsas(m, three, 1);
	refused(m, v3, MH_ERR_VCPU, 0);
	m->t.applied.nr_vmsas = NR_VMSAS;

	/* The source counted v3 as sent: a commit now misses it. */
	struct rec c = seal_commit(m);
	refused(m, c, MH_ERR_COMMIT, -1);
	for (int i = 0; i < NR_VMSAS; i++)
		assert_memory_equal(m->dst.vmsa[i], untouched, 4096);
	/* Deliver it, and a fresh commit releases all four. */
	open_ok(m, v3);
	struct rec c2 = seal_commit(m);
	open_ok(m, c2);
	assert_int_equal(m->t.state, MH_OPEN_COMMITTED);
	for (int i = 0; i < NR_VMSAS; i++) {
		assert_memory_equal(m->dst.vmsa[i], m->src.vmsa[i], 4096);
		for (int b = 0; b < 4096; b++)
			assert_int_equal(m->dst.stash[i][b], 0); /* wiped */
	}
	free(v.b), free(t.b), free(v3.b), free(c.b), free(c2.b);
	mig_free(m);
}

/* ---- refusals ---- */

/* Every byte of a record's header, GPAs, zero map and tag, and a sample of its data. */
static void test_refuse_tampered(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int pfns[3] = {1, 5, 2}; /* 5 is zero */
	struct rec b = seal_begin(m), r = seal_pfns(m, pfns, 3);
	open_ok(m, b);
	size_t aad = 40 + 24, body_end = r.len - 16;
	for (size_t i = 0; i < r.len; i++) {
		if (i >= aad + 8 && i < body_end && (i % 61) != 0)
			continue;
		for (int bit = 0; bit < 8; bit += 7) {
			r.b[i] ^= (uint8_t)(1u << bit);
			struct snap *s = snap_take(m);
			int err = open_rec(m, r, NULL);
			assert_int_not_equal(err, MH_OK);
			if (i >= aad)
				assert_int_equal(err, MH_ERR_AUTH); /* ciphertext or tag */
			snap_check_free(m, s);
			r.b[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* Specific header and GPA edits that keep the record well-formed: AUTH. */
	r.b[8] ^= 0x10; /* seq 1 -> 17 */
	refused(m, r, MH_ERR_AUTH, 0);
	r.b[8] ^= 0x10;
	put64(r.b + 40 + 8, GPA(6)); /* another RAM page */
	refused(m, r, MH_ERR_AUTH, 0);
	put64(r.b + 40 + 8, GPA(5));
	r.b[0] ^= 1; /* magic */
	refused(m, r, MH_ERR_MALFORMED, 0);
	r.b[0] ^= 1;
	/* Untouched, it still opens. */
	open_ok(m, r);
	dst_matches_src(m, 1), dst_matches_src(m, 2), dst_matches_src(m, 5);
	free(b.b), free(r.b);
	mig_free(m);
}

static void test_refuse_replay_and_reorder(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int p1[2] = {20, 21}, p2[2] = {22, 21};
	struct rec b = seal_begin(m);
	struct rec r1 = seal_pfns(m, p1, 2); /* seq 1 */
	memset(m->src.mem + GPA(21), 0x33, PAGE);
	struct rec r2 = seal_pfns(m, p2, 2); /* seq 2, newer data for 21 */
	open_ok(m, b);
	open_ok(m, r2);
	refused(m, r2, MH_ERR_REPLAY, 0); /* replay of an applied record */
	refused(m, r1, MH_ERR_REPLAY, 1); /* older record after a newer one: 21 */
	for (unsigned int i = 0; i < PAGE; i++)
		assert_int_equal(m->dst.mem[GPA(21) + i], 0x33);
	assert_int_equal(m->dst.mem[GPA(20)], 0xee); /* r1 applied nothing */
	free(b.b), free(r1.b), free(r2.b);
	mig_free(m);
}

static void test_refuse_gpas(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	struct rec b = seal_begin(m);
	open_ok(m, b);
	unsigned int beyond[3] = {1, 2, NR_PFNS + 2};
	unsigned int hole[2] = {3, HOLE_LO + 1};
	unsigned int priv[4] = {4, 6, 7, PRIV_LO + 1};
	struct rec r;
	r = seal_pfns(m, beyond, 3);
	refused(m, r, MH_ERR_GPA_RANGE, 2);
	free(r.b);
	r = seal_pfns(m, hole, 2);
	refused(m, r, MH_ERR_GPA_RANGE, 1);
	free(r.b);
	r = seal_pfns(m, priv, 4);
	refused(m, r, MH_ERR_GPA_PRIVATE, 3);
	free(r.b);

	/* Unaligned and duplicate GPAs, in records that carry a good tag. */
	uint64_t gpa[3] = {GPA(8), GPA(9) + 8, GPA(10)};
	uint32_t body_len;
	uint8_t *body = ossl_pages_body(m, (uint64_t[3]){GPA(8), GPA(9), GPA(10)}, 3, &body_len);
	r = ossl_record(source_nonce, target_nonce, MH_REC_PAGES, 50, gpa, 3, body, body_len);
	refused(m, r, MH_ERR_GPA_RANGE, 1);
	free(r.b);
	gpa[1] = GPA(8);
	r = ossl_record(source_nonce, target_nonce, MH_REC_PAGES, 50, gpa, 3, body, body_len);
	refused(m, r, MH_ERR_MALFORMED, 1);
	free(r.b);
	gpa[1] = GPA(9), gpa[2] = GPA(8);
	r = ossl_record(source_nonce, target_nonce, MH_REC_PAGES, 50, gpa, 3, body, body_len);
	refused(m, r, MH_ERR_MALFORMED, 2);
	free(r.b);
	free(body);

	/* page_rw refusing a page (after authentication) still changes nothing. */
	unsigned int ok[3] = {11, 12, 13};
	r = seal_pfns(m, ok, 3);
	m->dst.rw_null_gpa = GPA(13);
	refused(m, r, MH_ERR_GPA_RANGE, 2);
	m->dst.rw_null_gpa = UINT64_MAX;
	open_ok(m, r);
	free(r.b), free(b.b);
	mig_free(m);
}

static void test_refuse_epoch_and_state(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int pfns[2] = {30, 31};
	struct rec b = seal_begin(m), r = seal_pfns(m, pfns, 2), c = seal_commit(m);

	/* Before BEGIN: pages refuse as EPOCH, a commit as STATE. */
	refused(m, r, MH_ERR_EPOCH, 0);
	refused(m, c, MH_ERR_STATE, 0);

	/* A BEGIN made for another target (same key, same source nonce). */
	struct mh_epoch other;
	mh_epoch_init(&other, transport_key, source_nonce, other_target_nonce);
	struct rec ob = {xmalloc(MH_RECORD_MAX), 0};
	ob.len = mh_seal_begin(&other, ob.b, MH_RECORD_MAX);
	refused(m, ob, MH_ERR_AUTH, 0);
	assert_int_equal(m->t.state, MH_OPEN_NEED_BEGIN);
	/* The same, built by OpenSSL. */
	struct rec ob2 =
		ossl_record(source_nonce, other_target_nonce, MH_REC_BEGIN, 0, NULL, 0, NULL, 0);
	refused(m, ob2, MH_ERR_AUTH, 0);

	open_ok(m, b);
	refused(m, b, MH_ERR_STATE, 0); /* BEGIN twice */

	/* Another epoch's records (another source nonce, this target). */
	struct mig *m2 = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	mh_epoch_init(&m2->se, transport_key, source_nonce2, target_nonce);
	struct rec b2 = seal_begin(m2), r2 = seal_pfns(m2, pfns, 2), c2 = seal_commit(m2);
	refused(m, b2, MH_ERR_STATE, 0);
	refused(m, r2, MH_ERR_EPOCH, 0);
	refused(m, c2, MH_ERR_EPOCH, 0);
	/* A record of this epoch re-labelled with the other source nonce. */
	memcpy(r.b + 16, source_nonce2, 16);
	refused(m, r, MH_ERR_EPOCH, 0);
	memcpy(r.b + 16, source_nonce, 16);

	open_ok(m, r);
	open_ok(m, c);
	free(b.b), free(r.b), free(c.b), free(ob.b), free(ob2.b);
	free(b2.b), free(r2.b), free(c2.b);
	mig_free(m2);
	mig_free(m);
}

static void test_refuse_commit_mismatch(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int a[2] = {40, 41}, bb[1] = {42}, cc[2] = {41, 43};
	struct rec b = seal_begin(m), r1 = seal_pfns(m, a, 2), r2 = seal_pfns(m, bb, 1),
		   r3 = seal_pfns(m, cc, 2), c = seal_commit(m);
	open_ok(m, b);
	open_ok(m, r1);
	open_ok(m, r3);
	refused(m, c, MH_ERR_COMMIT, 0); /* r2 dropped */
	assert_int_equal(m->t.state, MH_OPEN_PAGES);
	open_ok(m, r2); /* delivered late: still newer for its page */
	open_ok(m, c);
	free(b.b), free(r1.b), free(r2.b), free(r3.b), free(c.b);
	mig_free(m);

	/* A dropped record whose every page a later one superseded: the count catches it. */
	m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int x[1] = {50};
	b = seal_begin(m), r1 = seal_pfns(m, x, 1), r2 = seal_pfns(m, x, 1), c = seal_commit(m);
	open_ok(m, b);
	open_ok(m, r2);
	struct mh_commit mine;
	mh_commit_compute(&m->t.applied, &mine);
	assert_int_equal(mine.pages, 1);
	refused(m, c, MH_ERR_COMMIT, 0);
	refused(m, r1, MH_ERR_REPLAY, 0);
	free(b.b), free(r1.b), free(r2.b), free(c.b);
	mig_free(m);
}

static void test_refuse_malformed(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	unsigned int pfns[2] = {60, 61};
	struct rec b = seal_begin(m), r = seal_pfns(m, pfns, 2);
	open_ok(m, b);

	struct rec t = r;
	for (size_t len = 0; len < 60; len++) {
		t.len = len;
		refused(m, t, MH_ERR_MALFORMED, 0);
	}
	t.len = r.len - 1;
	refused(m, t, MH_ERR_MALFORMED, 0);
	t.len = r.len + 1;
	refused(m, t, MH_ERR_MALFORMED, 0);
	t.len = MH_RECORD_MAX + 1;
	refused(m, t, MH_ERR_MALFORMED, 0);

	struct { size_t off; uint8_t val; } edits[] = {
		{4, 3},		/* version 3: the commit's digest over every page */
		{4, 5},		/* version 5 */
		{6, 0},		/* type 0 */
		{6, 4},		/* type 4 */
		{32, 3},	/* nr_pages: lengths no longer add up */
		{32, 65},	/* nr_pages above the batch */
		{36, 9},	/* body_len low byte */
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		uint8_t old = r.b[edits[i].off];
		r.b[edits[i].off] = edits[i].val;
		refused(m, r, MH_ERR_MALFORMED, 0);
		r.b[edits[i].off] = old;
	}
	/* seq 0 for PAGES; seq 1 for BEGIN. */
	put64(r.b + 8, 0);
	refused(m, r, MH_ERR_MALFORMED, 0);
	put64(r.b + 8, 1);
	put64(b.b + 8, 1);
	refused(m, b, MH_ERR_MALFORMED, 0);

	/* Authentic, but the zero map disagrees with the length: refused after the tag. */
	uint64_t gpa[2] = {GPA(62), GPA(63)};
	uint8_t body[PAGE + 8] = {0};
	body[PAGE] = 3; /* both zero, yet one page of data comes first */
	struct rec z = ossl_record(source_nonce, target_nonce, MH_REC_PAGES, 90, gpa, 2, body,
				   sizeof(body));
	refused(m, z, MH_ERR_MALFORMED, 0);
	free(z.b);
	body[PAGE] = 1 | 0x80; /* a bit beyond nr_pages */
	z = ossl_record(source_nonce, target_nonce, MH_REC_PAGES, 90, gpa, 2, body, sizeof(body));
	refused(m, z, MH_ERR_MALFORMED, 0);
	free(z.b);
	body[PAGE] = 1; /* right: it opens */
	z = ossl_record(source_nonce, target_nonce, MH_REC_PAGES, 90, gpa, 2, body, sizeof(body));
	open_ok(m, z);
	free(z.b);

	open_ok(m, r);
	free(b.b), free(r.b);
	mig_free(m);
}

/* The source refuses bad input and then changes nothing, out included. */
static void test_seal_invalid(void **state)
{
	(void)state;
	struct mig *m = mig_new(MH_IMPL_AUTO, MH_IMPL_AUTO);
	uint64_t gpa[65];
	uint8_t *out = xmalloc(MH_RECORD_MAX);
	uint64_t last_before[SRC_PFNS];
	for (int i = 0; i < 65; i++)
		gpa[i] = GPA(i + 1);
	memcpy(last_before, m->sent_last, sizeof(last_before));
	memset(out, 0x5a, MH_RECORD_MAX);
#define SEAL(seq, n, cap) \
	mh_seal_pages(&m->se, seq, gpa, n, &m->sg, &m->sent, m->s_staging, out, cap)
	assert_int_equal(SEAL(1, 0, MH_RECORD_MAX), 0);
	assert_int_equal(SEAL(1, 65, MH_RECORD_MAX), 0);
	assert_int_equal(SEAL(0, 1, MH_RECORD_MAX), 0);
	assert_int_equal(SEAL(1, 2, 40 + 16 + 8 + 2 * PAGE + 15), 0); /* cap one short */
	gpa[1] = GPA(2) + 1;
	assert_int_equal(SEAL(1, 2, MH_RECORD_MAX), 0);
	gpa[1] = GPA(SRC_PFNS);
	assert_int_equal(SEAL(1, 2, MH_RECORD_MAX), 0);
	gpa[1] = GPA(1);
	assert_int_equal(SEAL(1, 2, MH_RECORD_MAX), 0); /* duplicate */
	gpa[1] = GPA(2);
	m->src.nr_pfns = 2; /* page() NULL for pfn 2 */
	assert_int_equal(SEAL(1, 2, MH_RECORD_MAX), 0);
	m->src.nr_pfns = SRC_PFNS;
	for (size_t i = 0; i < MH_RECORD_MAX; i++)
		assert_int_equal(out[i], 0x5a);
	assert_memory_equal(last_before, m->sent_last, sizeof(last_before));
	assert_int_equal(m->sent.records, 0);
	/* Exactly enough room works. */
	assert_int_equal(SEAL(1, 2, 40 + 16 + 8 + 2 * PAGE + 16), 40 + 16 + 8 + 2 * PAGE + 16);
#undef SEAL
	assert_int_equal(mh_seal_begin(&m->se, out, 55), 0);
	struct mh_commit c = {0};
	assert_int_equal(mh_seal_commit(&m->se, 0, &c, out, MH_RECORD_MAX), 0);
	assert_int_equal(mh_seal_commit(&m->se, 2, &c, out, 103), 0);
	free(out);
	mig_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcm_kat),
		cmocka_unit_test(test_gcm_x86_vs_bearssl),
		cmocka_unit_test(test_gcm_long_vs_openssl),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_roundtrip_portable),
		cmocka_unit_test(test_roundtrip_cross_impl),
		cmocka_unit_test(test_no_plaintext_leaks),
		cmocka_unit_test(test_openssl_opens_mh_records),
		cmocka_unit_test(test_mh_opens_openssl_records),
		cmocka_unit_test(test_commit_digest_vs_openssl),
		cmocka_unit_test(test_vmsa_records),
		cmocka_unit_test(test_refuse_tampered),
		cmocka_unit_test(test_refuse_replay_and_reorder),
		cmocka_unit_test(test_refuse_gpas),
		cmocka_unit_test(test_refuse_epoch_and_state),
		cmocka_unit_test(test_refuse_commit_mismatch),
		cmocka_unit_test(test_refuse_malformed),
		cmocka_unit_test(test_seal_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
