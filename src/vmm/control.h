/* SPDX-License-Identifier: MIT */
/*
 * A running VM's local control socket (`sevm run --control PATH`;
 * docs/control.md): a Unix stream socket on which a client sends one-line
 * commands and reads one-line answers, each possibly followed by a binary
 * payload of announced length. Served on the main thread between the VM's
 * other events; one client at a time.
 */
#ifndef SEVM_SRC_VMM_CONTROL_H
#define SEVM_SRC_VMM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "dirty.h"
#include "mh_host.h"
#include "migration_job.h"

struct vm;

#define CONTROL_LINE_MAX 4096
#define CONTROL_TIMEOUT_MS 5000 /* to finish sending a request once begun */
#define CONTROL_MH_TIMEOUT_MS 10000

struct control {
	int listen_fd, client_fd;
	char path[108];
	struct vm *vm;
	struct mh_host mh;
	bool mh_attached;
	struct dirty_map dirty;
	bool dirty_on;
	struct migration_job job;
};

/* Listen on path (which must not exist). Returns 0 or -errno, message in err. */
int control_open(struct control *c, struct vm *vm, const char *path, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* The fd to poll for input: the client's if connected, else the listener's. */
int control_poll_fd(const struct control *c);
/* It was readable: accept, or serve one request (or notice the client left). */
void control_serve(struct control *c);
void control_close(struct control *c);

#endif
