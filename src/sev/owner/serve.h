/* SPDX-License-Identifier: MIT */
/*
 * The guest owner service (`sevm owner serve`): listens on TCP and runs
 * the owner's two launch steps for each connection (proto.h), each on its
 * own thread (at most OWNER_SERVE_MAX_CONNS at once), so a client that
 * stalls delays only itself. A malformed or out-of-order request gets an
 * "error" reply and the connection is closed; the service carries on.
 */
#ifndef SEVM_SEV_OWNER_SERVE_H
#define SEVM_SEV_OWNER_SERVE_H

#include <stdio.h>

#include "sev/owner/owner.h"

#define OWNER_SERVE_TIMEOUT_MS 10000 /* per message from a connected client */
#define OWNER_SERVE_MAX_CONNS 16u

/*
 * Serve on listen_addr ("HOST:PORT"; port 0 picks a free one) until SIGINT
 * or SIGTERM (then returns 0, logging "owner: stopped"). Logs one line per
 * event on log, the first being "owner: listening on HOST:PORT". On a
 * setup failure returns -errno with a message in err.
 */
int owner_serve(const struct owner *o, const char *listen_addr, FILE *log, char *err,
		size_t errlen) __attribute__((warn_unused_result));

#endif
