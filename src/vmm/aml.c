// SPDX-License-Identifier: MIT
#include "aml.h"
#include "bootparams.h"

#include <errno.h>
#include <string.h>

/* Opcodes (§20.2). */
#define OP_ZERO 0x00
#define OP_ONE 0x01
#define OP_NAME 0x08
#define OP_BYTE 0x0a
#define OP_WORD 0x0b
#define OP_DWORD 0x0c
#define OP_STRING 0x0d
#define OP_QWORD 0x0e
#define OP_SCOPE 0x10
#define OP_BUFFER 0x11
#define OP_PACKAGE 0x12
#define OP_EXT 0x5b
#define OP_EXT_DEVICE 0x82
#define ROOT_CHAR '\\'

/* Resource descriptors (§6.4.2): small items, tag byte = type << 3 | length. */
#define RES_IRQ_NO_FLAGS 0x22
#define RES_IO 0x47
#define RES_IO_DECODE16 0x01
#define RES_END 0x79

/* PkgLength is written in its longest form (4 bytes) when a scope opens and
 * compacted on close, so the body never moves while it is written. */
#define PKGLEN_MAX 4

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
}

int aml_finish(struct aml *a)
{
	return a->overflow || a->depth ? -ENOSPC : (int)a->len;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->overflow || n > a->cap - a->len) {
		a->overflow = 1;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

void aml_name(struct aml *a, const char *name)
{
	char seg[4];
	size_t n;

	if (*name == ROOT_CHAR) {
		byte(a, ROOT_CHAR);
		name++;
	}
	/* A NameSeg is four characters, padded with '_' (§20.2.2). */
	n = strlen(name);
	memset(seg, '_', sizeof(seg));
	memcpy(seg, name, n < 4 ? n : 4);
	aml_bytes(a, seg, sizeof(seg));
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t le[8];

	put_le64(le, v);
	if (v <= 1) {
		byte(a, v ? OP_ONE : OP_ZERO);
	} else if (v <= 0xff) {
		byte(a, OP_BYTE);
		aml_bytes(a, le, 1);
	} else if (v <= 0xffff) {
		byte(a, OP_WORD);
		aml_bytes(a, le, 2);
	} else if (v <= 0xffffffff) {
		byte(a, OP_DWORD);
		aml_bytes(a, le, 4);
	} else {
		byte(a, OP_QWORD);
		aml_bytes(a, le, 8);
	}
}

void aml_string(struct aml *a, const char *s)
{
	byte(a, OP_STRING);
	aml_bytes(a, s, strlen(s) + 1);
}

void aml_eisaid(struct aml *a, const char *id)
{
	/* Three letters of 5 bits each, then four hex digits, big-endian. */
	unsigned v = (unsigned)(id[0] - 0x40) << 26 | (unsigned)(id[1] - 0x40) << 21 |
		     (unsigned)(id[2] - 0x40) << 16;

	for (int i = 3; i < 7; i++) {
		char c = id[i];

		v |= (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10) << (4 * (6 - i));
	}
	byte(a, OP_DWORD);
	byte(a, (uint8_t)(v >> 24));
	byte(a, (uint8_t)(v >> 16));
	byte(a, (uint8_t)(v >> 8));
	byte(a, (uint8_t)v);
}

void aml_name_decl(struct aml *a, const char *name)
{
	byte(a, OP_NAME);
	aml_name(a, name);
}

static void open_scope(struct aml *a)
{
	static const uint8_t reserve[PKGLEN_MAX];

	if (a->depth == sizeof(a->open) / sizeof(a->open[0])) {
		a->overflow = 1;
		return;
	}
	a->open[a->depth++] = a->len;
	aml_bytes(a, reserve, sizeof(reserve));
}

void aml_close(struct aml *a)
{
	size_t start, body, total;
	unsigned nbytes;

	if (!a->depth) {
		a->overflow = 1;
		return;
	}
	start = a->open[--a->depth];
	if (a->overflow)
		return;
	body = a->len - start - PKGLEN_MAX;
	/* PkgLength counts its own bytes (§20.2.4): 1 byte below 64, else 2-4. */
	nbytes = body + 1 < 0x40 ? 1 : body + 2 < 0x1000 ? 2 : body + 3 < 0x100000 ? 3 : 4;
	total = body + nbytes;
	memmove(a->buf + start + nbytes, a->buf + start + PKGLEN_MAX, body);
	a->len = start + nbytes + body;
	if (nbytes == 1) {
		a->buf[start] = (uint8_t)total;
	} else {
		a->buf[start] = (uint8_t)((nbytes - 1) << 6 | (total & 0xf));
		for (unsigned i = 1; i < nbytes; i++)
			a->buf[start + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
}

void aml_scope(struct aml *a, const char *name)
{
	byte(a, OP_SCOPE);
	open_scope(a);
	aml_name(a, name);
}

void aml_device(struct aml *a, const char *name)
{
	byte(a, OP_EXT);
	byte(a, OP_EXT_DEVICE);
	open_scope(a);
	aml_name(a, name);
}

void aml_package(struct aml *a, uint8_t nr_elements)
{
	byte(a, OP_PACKAGE);
	open_scope(a);
	byte(a, nr_elements);
}

void aml_resource_template(struct aml *a)
{
	byte(a, OP_BUFFER);
	open_scope(a);
	/* BufferSize, a WordConst that aml_resource_end() fills in. */
	byte(a, OP_WORD);
	byte(a, 0);
	byte(a, 0);
}

void aml_resource_end(struct aml *a)
{
	const uint8_t end[2] = {RES_END, 0}; /* checksum 0: "treat as valid" */
	size_t size_at;

	if (!a->depth)
		a->overflow = 1;
	aml_bytes(a, end, sizeof(end));
	if (a->overflow)
		return;
	size_at = a->open[a->depth - 1] + PKGLEN_MAX + 1;
	put_le16(a->buf + size_at, (uint16_t)(a->len - size_at - 2));
	aml_close(a);
}

void aml_io(struct aml *a, uint16_t base, uint8_t len)
{
	const uint8_t d[8] = {RES_IO,
			      RES_IO_DECODE16,
			      (uint8_t)base,
			      (uint8_t)(base >> 8),
			      (uint8_t)base,
			      (uint8_t)(base >> 8),
			      1,
			      len};

	aml_bytes(a, d, sizeof(d));
}

void aml_irq(struct aml *a, uint8_t irq)
{
	/* The IRQ descriptor's mask has 16 bits: ISA IRQs only. */
	if (irq > 15) {
		a->overflow = 1;
		return;
	}
	const uint8_t d[3] = {RES_IRQ_NO_FLAGS, (uint8_t)(1u << irq), (uint8_t)((1u << irq) >> 8)};

	aml_bytes(a, d, sizeof(d));
}
