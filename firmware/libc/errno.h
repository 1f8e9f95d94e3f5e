/* SPDX-License-Identifier: MIT */
/* The firmware's freestanding <errno.h>: only the codes sevm's shared
 * builders return (Linux's values, asm-generic/errno-base.h). No errno. */
#ifndef SEVM_FIRMWARE_LIBC_ERRNO_H
#define SEVM_FIRMWARE_LIBC_ERRNO_H

#define EIO 5
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define EFBIG 27
#define ENOSPC 28

#endif
