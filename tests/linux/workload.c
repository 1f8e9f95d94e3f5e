// SPDX-License-Identifier: MIT
/*
 * The linux tier's guest workload, a static program in the level-2 guest's
 * initramfs (docs/testing.md):
 *
 *   workload run [--mem MIB] [--dirty PAGES_PER_S] [--check SECONDS]
 *       fills MIB of memory with a pattern that is a function of each page's
 *       address and generation, rewrites PAGES_PER_S pages a second (bumping
 *       their generation), prints "workload: heartbeat N" every second, and
 *       after SECONDS (0: never) — or when a 'v' arrives on stdin, or on
 *       SIGUSR1 — verifies every page and prints "workload: verify PASS" or
 *       "workload: verify FAIL ...". Exit status 0 on PASS, 1 on FAIL.
 *   workload poweroff STATUS
 *       ends the VM through sevm's debug-exit port (0xf4) with STATUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS (PAGE / 8)
#define DEBUG_EXIT_PORT 0xf4

static volatile sig_atomic_t verify_requested;

static uint64_t mix(uint64_t x)
{
	/* splitmix64 finaliser: every input bit affects every output bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t word(uint64_t page, unsigned i, uint32_t gen)
{
	return mix(page * WORDS + i + ((uint64_t)gen << 44));
}

static void fill(uint64_t *p, uint64_t page, uint32_t gen)
{
	for (unsigned i = 0; i < WORDS; i++)
		p[i] = word(page, i, gen);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int verify(uint64_t *mem, const uint32_t *gen, size_t pages)
{
	size_t bad = 0;

	for (size_t pg = 0; pg < pages; pg++) {
		uint64_t *p = mem + pg * WORDS;

		for (unsigned i = 0; i < WORDS; i++) {
			if (p[i] == word(pg, i, gen[pg]))
				continue;
			if (bad++ < 5)
				printf("workload: verify FAIL page %zu word %u: %016llx, want %016llx\n", pg,
				       i, (unsigned long long)p[i],
				       (unsigned long long)word(pg, i, gen[pg]));
			break;
		}
	}
	if (bad)
		printf("workload: verify FAIL %zu of %zu pages wrong\n", bad, pages);
	else
		printf("workload: verify PASS pages=%zu\n", pages);
	fflush(stdout);
	return bad ? 1 : 0;
}

static void on_usr1(int sig)
{
	(void)sig;
	verify_requested = 1;
}

static void stdin_poll(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	while (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) && read(STDIN_FILENO, &c, 1) == 1)
		if (c == 'v')
			verify_requested = 1;
}

static int run(int argc, char **argv)
{
	unsigned long mib = 64, dirty = 1000, check = 0;
	double start, next_beat, next_dirty;
	unsigned long beat = 0, cursor = 0;
	uint64_t *mem;
	uint32_t *gen;
	size_t pages;

	for (int i = 0; i + 1 < argc; i += 2) {
		unsigned long v = strtoul(argv[i + 1], NULL, 0);

		if (!strcmp(argv[i], "--mem"))
			mib = v;
		else if (!strcmp(argv[i], "--dirty"))
			dirty = v;
		else if (!strcmp(argv[i], "--check"))
			check = v;
		else {
			fprintf(stderr, "workload: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	pages = mib * (1024 * 1024 / PAGE);
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gen = calloc(pages, sizeof(*gen));
	if (mem == MAP_FAILED || !gen) {
		fprintf(stderr, "workload: cannot allocate %lu MiB: %s\n", mib, strerror(errno));
		return 2;
	}
	signal(SIGUSR1, on_usr1);
	for (size_t pg = 0; pg < pages; pg++)
		fill(mem + pg * WORDS, pg, 0);
	printf("workload: start mem=%luM dirty=%lu check=%lu\n", mib, dirty, check);
	fflush(stdout);
	start = now();
	next_beat = start + 1;
	next_dirty = start;
	for (;;) {
		double t = now();

		/* Dirty in 10 ms slices to keep the rate smooth. */
		if (dirty && t >= next_dirty) {
			for (unsigned long n = dirty / 100 ? dirty / 100 : 1; n; n--) {
				size_t pg = cursor++ % pages;

				fill(mem + pg * WORDS, pg, ++gen[pg]);
			}
			next_dirty += 0.01;
		}
		if (t >= next_beat) {
			printf("workload: heartbeat %lu\n", ++beat);
			fflush(stdout);
			next_beat += 1;
			stdin_poll();
		}
		if (verify_requested || (check && t - start >= (double)check))
			return verify(mem, gen, pages);
		usleep(1000);
	}
}

static int poweroff(const char *status)
{
	unsigned long v = strtoul(status, NULL, 0);

	if (ioperm(DEBUG_EXIT_PORT, 4, 1) < 0) {
		perror("workload: ioperm");
		return 1;
	}
	outl((unsigned)v, DEBUG_EXIT_PORT);
	return 1; /* only reached where nothing listens on the port */
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "poweroff"))
		return poweroff(argv[2]);
	fprintf(stderr, "usage: workload run [--mem MIB] [--dirty N] [--check S]\n"
			"       workload poweroff STATUS\n");
	return 2;
}
