#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the level-2 guest: the Debian kernel booted by sevm. Reports the
# CPUs it sees, runs the workload, and powers the VM off with its result.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "l2: online cpus $(nproc)"
echo "l2: kernel $(uname -r)"
# The ranges the platform reserved, as the kernel took them from e820.
grep -i reserved /proc/iomem | sed 's/^/l2: iomem /' 
# Parameters come from the kernel command line: workload.mem= etc.
mem=64 dirty=2000 check=5
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	workload.mem=*) mem=${arg#*=} ;;
	workload.dirty=*) dirty=${arg#*=} ;;
	workload.check=*) check=${arg#*=} ;;
	esac
done
/workload run --mem "$mem" --dirty "$dirty" --check "$check"
status=$?
echo "l2: workload exit $status"
if [ "$status" = 0 ]; then
	poweroff -f # ACPI S5: sevm exits 0
else
	/workload poweroff "$status" # debug-exit port: sevm exits 3
fi
echo "l2: poweroff failed"
exec sh
