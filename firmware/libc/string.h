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

/*
 * -ffreestanding implies -fno-builtin, which turns every fixed-size memcpy
 * (the portable unaligned load) into a call: in the Migration Handler's
 * page copy that was two calls per 8-byte word and cost 10x its
 * throughput. These let GCC inline what it can and call the functions
 * above for the rest. string.c, which defines them, opts out.
 */
#ifndef SEVM_FIRMWARE_LIBC_IMPL
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memset(d, c, n) __builtin_memset(d, c, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
#endif

#endif
