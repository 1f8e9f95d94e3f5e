// SPDX-License-Identifier: MIT
#include "vcpu_state.h"

#include <errno.h>

int vcpu_state_next(enum vcpu_state cur, enum vcpu_event ev, enum vcpu_state *next)
{
	enum vcpu_state n = cur;

	switch (ev) {
	case VCPU_EV_START:
		if (cur != VCPU_CREATED)
			return -EINVAL;
		n = VCPU_RUNNING;
		break;
	case VCPU_EV_PAUSE:
		if (cur == VCPU_RUNNING)
			n = VCPU_PAUSING;
		else if (cur != VCPU_PAUSING && cur != VCPU_PAUSED)
			return -EINVAL;
		break;
	case VCPU_EV_PAUSED:
		if (cur != VCPU_PAUSING)
			return -EINVAL;
		n = VCPU_PAUSED;
		break;
	case VCPU_EV_RESUME:
		if (cur != VCPU_PAUSING && cur != VCPU_PAUSED && cur != VCPU_RUNNING)
			return -EINVAL;
		n = VCPU_RUNNING;
		break;
	case VCPU_EV_STOP:
		if (cur == VCPU_CREATED || cur == VCPU_STOPPED)
			n = VCPU_STOPPED;
		else
			n = VCPU_STOPPING;
		break;
	case VCPU_EV_EXITED:
		if (cur == VCPU_CREATED || cur == VCPU_STOPPED)
			return -EINVAL;
		n = VCPU_STOPPED;
		break;
	default:
		return -EINVAL;
	}
	*next = n;
	return 0;
}

const char *vcpu_state_name(enum vcpu_state s)
{
	static const char *const names[] = {
	    [VCPU_CREATED] = "created", [VCPU_RUNNING] = "running",   [VCPU_PAUSING] = "pausing",
	    [VCPU_PAUSED] = "paused",	[VCPU_STOPPING] = "stopping", [VCPU_STOPPED] = "stopped",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "invalid";
}
