/* SPDX-License-Identifier: MIT */
/*
 * Where a running sevm serves its control socket when `--control` does not
 * say (docs/control.md): DIR/NAME.sock, NAME the VM's name from its config,
 * DIR $XDG_RUNTIME_DIR/sevm, else /run/sevm for root (where /run exists),
 * else /tmp/sevm-UID.
 * `sevm migrate` and `sevm status` find a VM there by name, or the only
 * one there is.
 */
#ifndef SEVM_SRC_VMM_CONTROL_PATH_H
#define SEVM_SRC_VMM_CONTROL_PATH_H

#include <stddef.h>

/* 0, or -ENAMETOOLONG. */
int control_default_dir(char *buf, size_t len);
int control_default_path(const char *name, char *buf, size_t len);

/*
 * The one control socket in the default directory: 0 with its path, or
 * -ENOENT (none) / -EEXIST (several; names lists them) with err.
 */
int control_find_only(char *path, size_t len, char *err, size_t errlen);

#endif
