/* SPDX-License-Identifier: MIT */
/*
 * A small ACPI Machine Language encoder (ACPI 6.4 chapter 20) for the few
 * constructs sevm's DSDT needs: named objects, devices and scopes, integers,
 * strings, packages, EISA IDs and resource templates (chapter 6.4). Writes
 * append to a fixed buffer; an overflow is remembered and reported once by
 * aml_finish(), so builders need no error checks per call.
 */
#ifndef SEVM_SRC_VMM_AML_H
#define SEVM_SRC_VMM_AML_H

#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int overflow;
	/* Open package-length scopes (Device, Scope, Package, Buffer): where
	 * each one's body starts, so aml_close() can size it. */
	size_t open[8];
	unsigned depth;
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
/* Bytes written, or -ENOSPC after an overflow or with scopes still open. */
int aml_finish(struct aml *a) __attribute__((warn_unused_result));

void aml_bytes(struct aml *a, const void *p, size_t n);
/* NameString of one segment ("COM1") or a root path ("\\_SB_"). */
void aml_name(struct aml *a, const char *name);
void aml_integer(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);
/* "PNP0501" as the compressed 32-bit EISA ID (§19.6.35). */
void aml_eisaid(struct aml *a, const char *id);
/* Name (name, ...): the value follows as the next item. */
void aml_name_decl(struct aml *a, const char *name);

/* Opening a scope writes its opcode and reserves its PkgLength. */
void aml_scope(struct aml *a, const char *name);
void aml_device(struct aml *a, const char *name);
void aml_package(struct aml *a, uint8_t nr_elements);
/* ResourceTemplate (): a Buffer holding resource descriptors, closed by
 * aml_resource_end() (end tag, buffer size), not aml_close(). */
void aml_resource_template(struct aml *a);
void aml_resource_end(struct aml *a);
void aml_close(struct aml *a);

/* Resource descriptors (§6.4.2), inside aml_resource_template(). */
void aml_io(struct aml *a, uint16_t base, uint8_t len);
void aml_irq(struct aml *a, uint8_t irq); /* 0-15; larger fails aml_finish() */

#endif
