/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the VMM's modules. */
#ifndef SEVM_SRC_VMM_UTIL_H
#define SEVM_SRC_VMM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))

/* Formats a reason into buf and returns -EINVAL: the one-liner every
 * checker uses to explain a refusal. */
int why_invalid(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* CLOCK_MONOTONIC in milliseconds: for deadlines and durations. */
long long monotonic_ms(void);

/* Reads a whole regular file into a malloc'd buffer (NUL-terminated for
 * convenience, the NUL not counted). At most max_len bytes: -EFBIG beyond. */
int file_read_all(const char *path, size_t max_len, uint8_t **data, size_t *len)
    __attribute__((warn_unused_result));

#endif
