// SPDX-License-Identifier: MIT
/*
 * Host-side microbenchmark of the Migration Handler's record code
 * (firmware/mh/record.c, built hosted): mh_seal_pages over 1 GiB of random
 * guest pages in MH_BATCH_PAGES batches on one core, against OpenSSL's EVP
 * AES-256-GCM over the same bytes in 256 KiB chunks on the same core, in
 * the same invocation. Also the all-zero-page rate. The in-guest benchmark
 * (the MH at CPL3 in the firmware) comes later.
 *
 *   bench_mh [--portable] [--mib N] [--reps N]
 *
 * Prints GiB/s (2^30 bytes of guest pages per second, best of --reps) and
 * ends with `mh ratio mh/openssl: R` (R > 1: the MH is faster).
 */
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../../firmware/mh/record.h"

#define PAGE MH_PAGE_SIZE
#define OSSL_CHUNK (256u * 1024)

struct guest {
	uint8_t *mem;
	uint64_t nr_pfns;
};

static const uint8_t *g_page(void *arg, uint64_t gpa)
{
	struct guest *g = arg;
	return gpa / PAGE < g->nr_pfns ? g->mem + gpa : NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_mh: %s\n", what);
	exit(1);
}

/* xorshift64: random, and never an all-zero 8-byte word. */
static void fill_random(uint8_t *p, size_t n)
{
	uint64_t s = 0x243f6a8885a308d3ull;
	for (size_t i = 0; i + 8 <= n; i += 8) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		memcpy(p + i, &s, 8);
	}
}

/* Seconds for one pass of mh_seal_pages over every page of g. */
static double run_mh(const struct mh_epoch *e, struct guest *g, struct mh_applied *sent,
		     uint8_t *staging, uint8_t *out, uint64_t *seq, size_t *out_bytes)
{
	const struct mh_guest mg = {g_page, NULL, NULL, NULL, g, NULL, NULL, NULL};
	uint64_t gpa[MH_BATCH_PAGES];
	size_t total = 0;
	double t0 = now();
	for (uint64_t pfn = 0; pfn < g->nr_pfns; pfn += MH_BATCH_PAGES) {
		for (unsigned int i = 0; i < MH_BATCH_PAGES; i++)
			gpa[i] = (pfn + i) * PAGE;
		size_t len = mh_seal_pages(e, (*seq)++, gpa, MH_BATCH_PAGES, &mg, sent, staging, out,
					   MH_RECORD_MAX);
		if (len == 0)
			die("mh_seal_pages failed");
		total += len;
	}
	double t = now() - t0;
	*out_bytes = total;
	return t;
}

/* Seconds for OpenSSL AES-256-GCM over the same bytes, 256 KiB per message. */
static double run_openssl(const uint8_t key[32], const uint8_t *mem, size_t bytes, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[12] = {0x53}, tag[16], aad[40 + 8 * MH_BATCH_PAGES] = {0};
	int n;
	if (c == NULL || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL) != 1)
		die("EVP init");
	double t0 = now();
	for (size_t off = 0; off < bytes; off += OSSL_CHUNK) {
		uint64_t seq = off / OSSL_CHUNK + 1;
		memcpy(iv + 4, &seq, 8);
		/* The same AAD an MH record of 64 pages carries. */
		if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
		    EVP_EncryptUpdate(c, NULL, &n, aad, sizeof(aad)) != 1 ||
		    EVP_EncryptUpdate(c, out, &n, mem + off, OSSL_CHUNK) != 1 ||
		    EVP_EncryptFinal_ex(c, out + n, &n) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
			die("EVP encrypt");
	}
	double t = now() - t0;
	EVP_CIPHER_CTX_free(c);
	return t;
}

int main(int argc, char **argv)
{
	bool portable = false;
	unsigned long mib = 1024, reps = 3;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--portable") == 0)
			portable = true;
		else if (strcmp(argv[i], "--mib") == 0 && i + 1 < argc)
			mib = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = strtoul(argv[++i], NULL, 0);
		else
			die("usage: bench_mh [--portable] [--mib N] [--reps N]");
	}
	if (mib == 0 || reps == 0)
		die("--mib and --reps must be positive");

	/* One core: stay on the one we started on. */
	cpu_set_t set;
	int cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu >= 0 ? cpu : 0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		perror("bench_mh: sched_setaffinity (continuing unpinned)");

	size_t bytes = (size_t)mib << 20;
	struct guest g = {aligned_alloc(PAGE, bytes), bytes / PAGE};
	uint64_t *last = calloc(g.nr_pfns, sizeof(*last));
	uint8_t *staging = aligned_alloc(PAGE, (MH_RECORD_MAX + PAGE - 1) / PAGE * PAGE);
	uint8_t *out = aligned_alloc(PAGE, (MH_RECORD_MAX + PAGE - 1) / PAGE * PAGE);
	if (g.mem == NULL || last == NULL || staging == NULL || out == NULL)
		die("out of memory");
	if (g.nr_pfns % MH_BATCH_PAGES != 0)
		die("--mib must be a multiple of 1/4 MiB");
	fill_random(g.mem, bytes);
	memset(staging, 0, MH_RECORD_MAX);
	memset(out, 0, MH_RECORD_MAX);

	static const uint8_t tk[32] = "bench-transport-key-0123456789a";
	static const uint8_t sn[16] = "bench-source-01", tn[16] = "bench-target-01";
	struct mh_epoch e;
	mh_epoch_init_impl(&e, tk, sn, tn, portable ? MH_IMPL_PORTABLE : MH_IMPL_AUTO);
	/* OpenSSL gets the same epoch key. */
	uint8_t key[32], msg[48];
	unsigned int klen = 32;
	memcpy(msg, MH_EPOCH_LABEL, 16), memcpy(msg + 16, sn, 16), memcpy(msg + 32, tn, 16);
	if (HMAC(EVP_sha256(), tk, 32, msg, 48, key, &klen) == NULL)
		die("HMAC");

	struct mh_applied sent = {.last = last, .nr_pfns = g.nr_pfns};
	uint64_t seq = 1;
	double best_mh = 1e9, best_ossl = 1e9, best_zero = 1e9;
	size_t rec_bytes = 0, zero_bytes = 0;

	printf("mh: host-side microbenchmark of firmware/mh/record.c (hosted build, one core);\n"
	       "mh: the in-guest benchmark of the MH comes later\n");
	printf("mh: %lu MiB of guest pages, %u-page records, %s; openssl %s, %u KiB messages; "
	       "best of %lu\n",
	       mib, MH_BATCH_PAGES, mh_epoch_impl(&e), OpenSSL_version(OPENSSL_VERSION),
	       OSSL_CHUNK / 1024, reps);
	fflush(stdout);
	for (unsigned long r = 0; r < reps; r++) {
		double t = run_mh(&e, &g, &sent, staging, out, &seq, &rec_bytes);
		if (t < best_mh)
			best_mh = t;
		t = run_openssl(key, g.mem, bytes, out);
		if (t < best_ossl)
			best_ossl = t;
	}
	if (rec_bytes < bytes)
		die("random pages came out smaller than their data (zero pages?)");
	memset(g.mem, 0, bytes);
	for (unsigned long r = 0; r < reps; r++) {
		double t = run_mh(&e, &g, &sent, staging, out, &seq, &zero_bytes);
		if (t < best_zero)
			best_zero = t;
	}
	mh_epoch_wipe(&e);

	double gib = (double)bytes / (double)(1u << 30);
	double mh_rate = gib / best_mh, ossl_rate = gib / best_ossl;
	printf("mh seal, random pages: %.3f GiB/s (%.3f s per pass, %.2f%% record overhead)\n",
	       mh_rate, best_mh, 100.0 * ((double)rec_bytes - (double)bytes) / (double)bytes);
	printf("openssl aes-256-gcm: %.3f GiB/s (%.3f s per pass)\n", ossl_rate, best_ossl);
	printf("mh seal, zero pages: %.3f GiB/s (%.3f s per pass, records %zu bytes in all)\n",
	       gib / best_zero, best_zero, zero_bytes);
	printf("mh ratio mh/openssl: %.3f\n", mh_rate / ossl_rate);
	free(g.mem), free(last), free(staging), free(out);
	return 0;
}
