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
# LeakSanitizer's stop-the-world at exit is suspected in rare hangs of
# an ASan-built sevm (or owner) inside this emulated level 1 (twice in about 40 runs,
# each time with the process never finishing); leaks are checked by the
# native tier's ASan runs instead. Other builds ignore ASAN_OPTIONS.
export ASAN_OPTIONS=detect_leaks=0
if grep -q '^\[sev\]' l2.toml; then
	# The guest owner: a service on loopback expecting l2.toml. Its first
	# line says it listens; reading it through a FIFO is the wait.
	ip link set lo up
	mkfifo /tmp/owner.out
	/sevm/sevm owner init /tmp/owner >/dev/null
	# --trust-any-platform: the emu platform is only made by the launch
	# itself; pinning is tested in the native tier (attestation.py).
	/sevm/sevm owner serve --listen 127.0.0.1:7000 --dir /tmp/owner --trust-any-platform \
		l2.toml >/tmp/owner.out 2>/tmp/owner.err &
	owner=$!
	exec 3</tmp/owner.out
	read -r line <&3
	echo "l1: $line"
	# The rest goes to a file, printed once sevm is done, so that it does
	# not interleave with the guest's console.
	cat <&3 >/tmp/owner.log &
	logger=$!
fi
/sevm/sevm run l2.toml </dev/null 2>/tmp/sevm.err &
spid=$!
# Should sevm still run after 150 s (it takes under 60), say where it
# waits, so that a hang leaves evidence on the console.
(
	sleep 150
	[ -d "/proc/$spid" ] || exit 0
	echo "l1: watchdog: sevm still there after 150 s: $(grep State "/proc/$spid/status")"
	while read -r line; do echo "l1: watchdog: stderr: $line"; done </tmp/sevm.err
	for t in /proc/$spid/task/*; do
		echo "l1: watchdog: thread ${t##*/} $(cut -d' ' -f3 "$t/stat") wchan=$(cat "$t/wchan")"
		sed 's/^/l1: watchdog:   /' "$t/stack" 2>/dev/null
	done
) &
wait "$spid"
status=$?
if [ -n "${owner:-}" ]; then
	kill "$owner"
	wait "$logger"
	while read -r line; do echo "l1: $line"; done </tmp/owner.log
	while read -r line; do echo "l1: owner stderr: $line"; done </tmp/owner.err
fi
while read -r line; do echo "l1: sevm stderr: $line"; done </tmp/sevm.err
echo "l1: sevm exit $status"
poweroff -f
