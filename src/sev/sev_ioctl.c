// SPDX-License-Identifier: MIT
/* Raw SEV ioctls, one wrapper each (see sev_ioctl.h). */
#include "sev/sev_ioctl.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int sev_ioctl_encrypt_op(int vm_fd, uint32_t id, void *data, int sev_fd, uint32_t *fw_error)
{
	struct kvm_sev_cmd cmd;
	int ret;

	do {
		/* Fresh each try: the kernel may have written error. */
		cmd = (struct kvm_sev_cmd){
		    .id = id,
		    .data = (__u64)(uintptr_t)data,
		    .sev_fd = (__u32)sev_fd,
		};
		ret = ioctl(vm_fd, KVM_MEMORY_ENCRYPT_OP, &cmd);
	} while (ret < 0 && errno == EINTR);
	*fw_error = ret < 0 ? cmd.error : 0;
	return ret < 0 ? -errno : 0;
}

int sev_ioctl_open_sev(const char *path, int *fd)
{
	int f = open(path, O_RDWR | O_CLOEXEC);

	if (f < 0)
		return -errno;
	*fd = f;
	return 0;
}
