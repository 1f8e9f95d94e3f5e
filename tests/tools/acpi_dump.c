// SPDX-License-Identifier: MIT
/*
 * acpi_dump NR_CPUS OUTDIR: builds sevm's ACPI tables (acpi_build()) for
 * NR_CPUS CPUs as the guest would see them at 0xe0000 and writes each one
 * to OUTDIR/<signature>.dat (RSDP.dat, XSDT.dat, FACP.dat, APIC.dat,
 * DSDT.dat), found by following the pointers from the RSDP as a guest
 * does, for tools such as `iasl -d` to check. Exit status 1 on any
 * inconsistency (a pointer or length outside the built area), 2 on bad
 * arguments.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define TABLES_GPA 0xe0000u
#define IOAPIC_ADDR 0xfec00000u
#define LAPIC_ADDR 0xfee00000u

/* ACPI 6.4 §5.2.5.3 (RSDP), §5.2.6 (header), §5.2.9 (FADT). */
#define RSDP_LEN 36
#define RSDP_XSDT 24
#define HDR_LEN 36
#define HDR_LENGTH 4
#define FADT_DSDT 40
#define FADT_X_DSDT 140

struct image {
	const uint8_t *buf;
	size_t len;
	uint64_t gpa;
	const char *outdir;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* The bytes at guest address pa, len of them, or NULL outside the image. */
static const uint8_t *at(const struct image *im, uint64_t pa, size_t len)
{
	if (pa < im->gpa || pa - im->gpa > im->len || len > im->len - (pa - im->gpa))
		return NULL;
	return im->buf + (pa - im->gpa);
}

static int write_file(const struct image *im, const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;
	int n = snprintf(path, sizeof(path), "%s/%s.dat", im->outdir, name);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "acpi_dump: output path too long\n");
		return -1;
	}
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "acpi_dump: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(p, 1, len, f) != len) {
		fprintf(stderr, "acpi_dump: %s: write failed\n", path);
		fclose(f);
		return -1;
	}
	if (fclose(f)) {
		fprintf(stderr, "acpi_dump: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The table at pa, checked to lie inside the image; NULL otherwise. */
static const uint8_t *table(const struct image *im, uint64_t pa, const char *what, uint32_t *len)
{
	const uint8_t *t = at(im, pa, HDR_LEN);

	if (!t) {
		fprintf(stderr, "acpi_dump: %s at 0x%llx is outside the tables\n", what,
			(unsigned long long)pa);
		return NULL;
	}
	*len = rd32(t + HDR_LENGTH);
	if (*len < HDR_LEN || !at(im, pa, *len)) {
		fprintf(stderr, "acpi_dump: %s at 0x%llx: length %u does not fit\n", what,
			(unsigned long long)pa, *len);
		return NULL;
	}
	return t;
}

/* Writes the table at pa under its own signature. */
static const uint8_t *dump_table(const struct image *im, uint64_t pa, const char *what,
				 uint32_t *len)
{
	const uint8_t *t = table(im, pa, what, len);
	char sig[5];

	if (!t)
		return NULL;
	memcpy(sig, t, 4);
	sig[4] = '\0';
	for (int i = 0; i < 4; i++)
		if (!((sig[i] >= 'A' && sig[i] <= 'Z') || (sig[i] >= '0' && sig[i] <= '9') ||
		      sig[i] == '_')) {
			fprintf(stderr, "acpi_dump: %s at 0x%llx has a bad signature\n", what,
				(unsigned long long)pa);
			return NULL;
		}
	return write_file(im, sig, t, *len) ? NULL : t;
}

static int dump(const struct image *im)
{
	const uint8_t *rsdp = at(im, im->gpa, RSDP_LEN), *xsdt, *t;
	uint32_t xsdt_len, len;
	uint64_t dsdt = 0;

	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8)) {
		fprintf(stderr, "acpi_dump: no RSDP at 0x%llx\n", (unsigned long long)im->gpa);
		return -1;
	}
	if (write_file(im, "RSDP", rsdp, RSDP_LEN))
		return -1;
	xsdt = dump_table(im, rd64(rsdp + RSDP_XSDT), "XSDT", &xsdt_len);
	if (!xsdt)
		return -1;
	for (uint32_t off = HDR_LEN; off + 8 <= xsdt_len; off += 8) {
		t = dump_table(im, rd64(xsdt + off), "XSDT entry", &len);
		if (!t)
			return -1;
		if (!memcmp(t, "FACP", 4))
			dsdt = len >= FADT_X_DSDT + 8 && rd64(t + FADT_X_DSDT)
				   ? rd64(t + FADT_X_DSDT)
				   : rd32(t + FADT_DSDT);
	}
	if (!dsdt) {
		fprintf(stderr, "acpi_dump: no FADT with a DSDT\n");
		return -1;
	}
	return dump_table(im, dsdt, "DSDT", &len) ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct acpi_info info = {0};
	struct image im = {0};
	uint8_t *buf;
	char *end;
	unsigned long n;
	size_t cap;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: acpi_dump NR_CPUS OUTDIR\n");
		return 2;
	}
	errno = 0;
	n = strtoul(argv[1], &end, 10);
	if (errno || end == argv[1] || *end || n < 1 || n > 255) {
		fprintf(stderr, "acpi_dump: bad CPU count '%s'\n", argv[1]);
		return 2;
	}
	info.nr_cpus = (unsigned)n;
	info.ioapic_id = (uint8_t)n;
	info.ioapic_addr = IOAPIC_ADDR;
	info.lapic_addr = LAPIC_ADDR;
	cap = acpi_size(info.nr_cpus);
	buf = calloc(1, cap);
	if (!buf) {
		fprintf(stderr, "acpi_dump: out of memory\n");
		return 1;
	}
	ret = acpi_build(buf, cap, TABLES_GPA, &info);
	if (ret < 0) {
		fprintf(stderr, "acpi_dump: acpi_build: %s\n", strerror(-ret));
		free(buf);
		return 1;
	}
	im.buf = buf;
	im.len = (size_t)ret;
	im.gpa = TABLES_GPA;
	im.outdir = argv[2];
	ret = dump(&im);
	free(buf);
	return ret ? 1 : 0;
}
