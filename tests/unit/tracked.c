// SPDX-License-Identifier: MIT
/* The allocation tracking of tracked.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tracked.h"

static void *tracked[MAX_TRACKED];

void *track(void *p)
{
	assert_non_null(p);
	for (size_t i = 0; i < MAX_TRACKED; i++)
		if (!tracked[i])
			return tracked[i] = p;
	free(p);
	fail_msg("more than %d live allocations in one test", MAX_TRACKED);
	return NULL;
}

void release(void *p)
{
	for (size_t i = 0; i < MAX_TRACKED; i++)
		if (tracked[i] && tracked[i] == p) {
			tracked[i] = NULL;
			free(p);
			return;
		}
	fail_msg("releasing an untracked pointer");
}

int release_all(void **state)
{
	(void)state;
	for (size_t i = 0; i < MAX_TRACKED; i++) {
		free(tracked[i]);
		tracked[i] = NULL;
	}
	return 0;
}
