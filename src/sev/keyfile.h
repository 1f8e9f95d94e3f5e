/* SPDX-License-Identifier: MIT */
/*
 * Private key files, shared by the emu platform's identity and the guest
 * owner's keys: made on first use, reused afterwards, never readable by
 * group or others.
 *
 * A file that exists but is not what it should be (not a regular file, not
 * PEM holding an EC P-384 private key, the wrong length) is an error, never
 * silently replaced; so is a file whose mode allows group or other access.
 * New files appear whole (temporary file, fsync, link) with mode 0600;
 * of two processes creating the same file at once, both end up with the
 * one that was linked first.
 */
#ifndef SEVM_SEV_KEYFILE_H
#define SEVM_SEV_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/*
 * dir/name as a PKCS#8 PEM EC P-384 private key, generated when absent.
 * Returns 0; -EBADMSG (not such a key); -EACCES (mode allows group or
 * other access); -ENAMETOOLONG; -ENOMEM; or -errno from the file system.
 */
int sev_keyfile_p384(const char *dir, const char *name, EVP_PKEY **out)
    __attribute__((warn_unused_result));

/*
 * dir/name as exactly len raw secret bytes, drawn from the CSPRNG when
 * absent. Errors as sev_keyfile_p384 (-EBADMSG: another length).
 */
int sev_keyfile_bytes(const char *dir, const char *name, uint8_t *out, size_t len)
    __attribute__((warn_unused_result));

/*
 * Make sure dir is a directory, creating it and its parents (mode 0700)
 * where missing. Returns 0, -ENOTDIR, -EINVAL or -errno.
 */
int sev_keydir(const char *dir) __attribute__((warn_unused_result));

#endif
