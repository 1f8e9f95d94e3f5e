/* SPDX-License-Identifier: MIT */
/*
 * The firmware's freestanding <string.h>: what sevm's shared builders
 * (src/vmm/acpi.c, aml.c, mptable.c, e820.c), BearSSL and the firmware
 * call. Implemented in string.c, which lives in the user pages so that
 * both CPL0 and CPL3 code can call it.
 */
#ifndef SEVM_FIRMWARE_LIBC_STRING_H
#define SEVM_FIRMWARE_LIBC_STRING_H

#include <stddef.h>

void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);

#endif
