// SPDX-License-Identifier: MIT
#include "mh_link.h"
#include "vm.h"
#include "util.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

int mh_link_attach(struct mh_host *h, struct vm *vm, int timeout_ms, char *err, size_t errlen)
{
	const struct fw_sevm_info *info = &vm->cfg->firmware.info;
	long long deadline = monotonic_ms() + timeout_ms;
	uint32_t error = 0;
	int ret;

	if (!vm->cfg->firmware_data) {
		snprintf(err, errlen, "this VM has no firmware, so no Migration Handler");
		return -ENODEV;
	}
	/* The handlers may still be starting: wait for the mailbox, bounded. */
	do
		ret = mh_host_attach(h, mem_gpa_to_hva(&vm->mem, info->shared_base, info->shared_size),
				     info->shared_size, err, errlen);
	while (ret == -EAGAIN && monotonic_ms() < deadline && !sched_yield());
	if (ret == -EAGAIN)
		snprintf(err, errlen, "the Migration Handler did not start");
	if (ret)
		return ret;
	while (mh_host_ready(h, &error) < h->nr_handlers && !error && monotonic_ms() < deadline)
		sched_yield();
	if (error) {
		snprintf(err, errlen, "the Migration Handler failed: %s", mh_error_text(error));
		return -EIO;
	}
	if (mh_host_ready(h, &error) < h->nr_handlers) {
		snprintf(err, errlen, "the Migration Handler's vCPUs did not all report ready");
		return -ETIMEDOUT;
	}
	return 0;
}

int mh_link_call(struct mh_host *h, const struct mh_request *req, int timeout_ms,
		 struct mh_result *r, int *slot, char *err, size_t errlen)
{
	int ret;

	*slot = mh_host_post(h, req);
	if (*slot < 0) {
		snprintf(err, errlen, "posting to the Migration Handler: %s", strerror(-*slot));
		return *slot;
	}
	ret = mh_host_wait(h, *slot, timeout_ms, r);
	if (ret == -ETIMEDOUT)
		/* The slot stays POSTED: the MH may still finish it; it is not reused. */
		snprintf(err, errlen, "the Migration Handler did not answer within %d ms",
			 timeout_ms);
	else if (ret)
		snprintf(err, errlen, "the Migration Handler's answer is malformed");
	return ret;
}
