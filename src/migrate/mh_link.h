/* SPDX-License-Identifier: MIT */
/*
 * The Migration Handler as the migration engine and the control socket
 * use it: attach to a running VM's mailbox (waiting, bounded, for the
 * handlers to come up), and one request at a time, with a deadline.
 */
#ifndef SEVM_SRC_MIGRATE_MH_LINK_H
#define SEVM_SRC_MIGRATE_MH_LINK_H

#include <stddef.h>

#include "mh_host.h"

struct vm;

/* 0 once every handler is READY; -errno with err (no firmware, not
 * started in time, a handler failed: its error named). */
int mh_link_attach(struct mh_host *h, struct vm *vm, int timeout_ms, char *err, size_t errlen);

/*
 * Post req, wait for its answer. 0 with *r (and *slot, which the caller
 * releases with mh_host_release once done with r->record), or -errno with
 * err; a refusal is not an error here: r->status says it.
 */
int mh_link_call(struct mh_host *h, const struct mh_request *req, int timeout_ms,
		 struct mh_result *r, int *slot, char *err, size_t errlen);

#endif
