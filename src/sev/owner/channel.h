/* SPDX-License-Identifier: MIT */
/*
 * sevm's side of the guest owner conversation during a launch: the owner
 * service over TCP (sev.owner = "HOST:PORT"), or, for development, an
 * owner run inside sevm from a local owner directory (sev.owner_dir),
 * which expects exactly the launch the config describes.
 */
#ifndef SEVM_SEV_OWNER_CHANNEL_H
#define SEVM_SEV_OWNER_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "sev/owner/owner.h"

#define OWNER_CHANNEL_TIMEOUT_MS 30000

struct owner_channel {
	int fd; /* the service; -1 for a local owner */
	bool local;
	struct owner owner; /* local */
	struct owner_launch launch;
	char name[160]; /* for messages */
};

/* Error returns below: -EACCES when the owner refused (err: its reason,
 * e.g. "measurement mismatch"), other -errno for transport failures. */

int owner_channel_open(struct owner_channel *ch, const struct vm_config *cfg, char *err,
		       size_t errlen) __attribute__((warn_unused_result));
int owner_channel_start(struct owner_channel *ch, const struct owner_start_req *req,
			struct owner_session *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
int owner_channel_verify(struct owner_channel *ch, const struct sev_launch_measure *m,
			 struct owner_secret *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void owner_channel_close(struct owner_channel *ch);

/*
 * Split "HOST:PORT" ("[v6addr]:PORT" for IPv6) into host and port.
 * Returns 0 or -EINVAL.
 */
int owner_split_addr(const char *addr, char *host, size_t hostlen, char *port, size_t portlen)
    __attribute__((warn_unused_result));

#endif
