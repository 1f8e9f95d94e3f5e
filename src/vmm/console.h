/* SPDX-License-Identifier: MIT */
/*
 * The host terminal behind the guest's serial console: stdin in raw mode
 * (no echo, no line editing, but Ctrl-C still signals sevm so it stops the
 * VM), restored on every way out.
 */
#ifndef SEVM_SRC_VMM_CONSOLE_H
#define SEVM_SRC_VMM_CONSOLE_H

#include <stdbool.h>

/* Puts stdin in raw mode if it is a terminal; harmless otherwise. */
void console_raw_begin(void);
void console_raw_end(void);

#endif
