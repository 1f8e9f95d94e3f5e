#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the level-1 host: a Debian kernel under QEMU's emulator with AMD
# SVM. Loads KVM, runs sevm on the level-2 config, reports sevm's exit
# status and its stderr, then powers level 1 off.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in irqbypass kvm kvm-amd; do
	insmod /modules/$m.ko || echo "l1: insmod $m failed"
done
if [ -c /dev/kvm ]; then
	echo "l1: /dev/kvm ready"
else
	echo "l1: no /dev/kvm: $(dmesg | grep -i -E 'kvm|svm' | tail -3)"
fi
cd /l2
/sevm/sevm run l2.toml 2>/tmp/sevm.err
status=$?
while read -r line; do echo "l1: sevm stderr: $line"; done </tmp/sevm.err
echo "l1: sevm exit $status"
poweroff -f
