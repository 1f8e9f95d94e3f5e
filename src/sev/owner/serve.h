/* SPDX-License-Identifier: MIT */
/*
 * The guest owner service (`sevm owner serve`): listens on TCP and runs
 * the owner's two launch steps for each connection in turn (proto.h). A
 * malformed or out-of-order request gets an "error" reply and the
 * connection is closed; the service itself carries on.
 */
#ifndef SEVM_SEV_OWNER_SERVE_H
#define SEVM_SEV_OWNER_SERVE_H

#include <stdio.h>

#include "sev/owner/owner.h"

#define OWNER_SERVE_TIMEOUT_MS 10000 /* per message from a connected client */

/*
 * Serve on listen_addr ("HOST:PORT"; port 0 picks a free one) until a
 * signal ends the process. Logs one line per event on log, the first
 * being "owner: listening on HOST:PORT". Returns only on a setup failure:
 * -errno with a message in err.
 */
int owner_serve(const struct owner *o, const char *listen_addr, FILE *log, char *err,
		size_t errlen) __attribute__((warn_unused_result));

#endif
