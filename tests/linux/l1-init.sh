#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the level-1 host: a Debian kernel under QEMU's emulator with AMD
# SVM. Loads KVM, runs sevm on the level-2 config, reports sevm's exit
# status and its stderr, then powers level 1 off. With l1.mode=migrate on
# its command line it runs a source and a target sevm instead and migrates
# the guest between them (below).
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# A line on the second serial port every 5 s: run.sh's sign that level 1
# runs on, while its console may be quiet for long. With the bytes the
# console has sent, which tell a stuck console from a quiet one.
(
	exec 2>/dev/null
	while :; do
		echo "l1 up $(cut -d' ' -f1 /proc/uptime) s, console tx $(sed -n 's/^0:.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial)" >/dev/ttyS1
		sleep 5
	done
) &
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
# The level-1 mode from its kernel command line: run (one sevm) or migrate;
# l1.trace=1 (LINUX_TIER_TRACE=1 for run.sh) records level 1's KVM events.
mode=run
trace=0
pin=1
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	l1.mode=*) mode=${arg#*=} ;;
	l1.trace=*) trace=${arg#*=} ;;
	l1.pin=*) pin=${arg#*=} ;;
	esac
done
# Level 2's vCPUs all on level 1's CPU 0, sevm's other threads on CPU 1
# (l1.pin=0 turns it off): QEMU's emulated SVM (Debian 12's QEMU 7.2,
# multi-threaded TCG) now and then runs a level-2 vCPU on what it saved of
# level 1's registers (report_shutdowns); this made it rarer, from about
# one run in two to one in six (docs/testing.md). sevm starts on CPU 0,
# so that its vCPU threads do; pin_threads then moves the rest, and what
# they start, to CPU 1.
run_sevm=/sevm/sevm
[ "$pin" = 1 ] && run_sevm="taskset -c 0 /sevm/sevm"
# sevm's vCPU threads: the OS's, and one handler vCPU with the firmware.
vcpus=$(sed -n 's/^vcpus = //p' l2.toml)
grep -q '^firmware = "sevm-fw.bin"' l2.toml && vcpus=$((vcpus + 1))
# pin_threads PID VCPUS: once sevm PID has its VCPUS vCPU threads (120 s
# at most: an incoming sevm makes them after its attested launch), every
# other thread of it to CPU 1.
pin_threads() {
	[ "$pin" = 1 ] || return 0
	n=0
	while [ "$(cat /proc/"$1"/task/*/comm 2>/dev/null | grep -c '^vcpu')" -lt "$2" ]; do
		[ -d /proc/"$1" ] && [ "$n" -lt 1200 ] || {
			echo "sevm $1 has no $2 vCPU threads: its threads stay on CPU 0" >>/tmp/pin.log
			return 0
		}
		sleep 0.1
		n=$((n + 1))
	done
	for t in /proc/"$1"/task/*; do
		case "$(cat "$t/comm" 2>/dev/null)" in
		vcpu*) ;;
		*) taskset -p -c 1 "${t##*/}" >/dev/null ;;
		esac
	done
	# (shown at the end: now it could cut a line of the guest's console)
	echo "sevm $1's threads: $(for t in /proc/"$1"/task/*; do
		printf '%s@%s ' "$(cat "$t/comm")" "$(taskset -p "${t##*/}" | sed 's/.*: //')"
	done)" >>/tmp/pin.log
}
# Level 1's KVM records every shutdown (triple fault) of a level-2 vCPU:
# its kvm_exit tracepoint, filtered to SVM exit code 0x7f (AMD APM vol. 2,
# appendix C), into the trace ring buffer; report_shutdowns says where
# each vCPU was. With l1.trace=1 it records all of KVM's events instead,
# the buffer stopping at the first shutdown, so that what led to it stays.
tracing=/sys/kernel/tracing
mount -t tracefs tracefs $tracing
if [ "$trace" = 1 ]; then
	echo 8192 >$tracing/buffer_size_kb
	for e in kvm_exit kvm_entry kvm_inj_exception kvm_inj_virq kvm_page_fault \
		kvm_userspace_exit kvm_fpu kvm_pio kvm_msr kvm_cr; do
		echo 1 >$tracing/events/kvm/$e/enable
	done
	echo 'traceoff if exit_reason == 127' >$tracing/events/kvm/kvm_exit/trigger
	echo "l1: tracing KVM events"
else
	echo 'exit_reason == 127' >$tracing/events/kvm/kvm_exit/filter
	echo 1 >$tracing/events/kvm/kvm_exit/enable
fi
echo 1 >$tracing/tracing_on

# One line per level-2 vCPU shutdown: its RIP and level 1's symbol nearest
# below it (kernel and modules; 16-digit hex compares as text). A RIP
# inside level 1's KVM, "level 1's code", is the emulator's fault above
# (the instruction after VMRUN in __svm_vcpu_run); run.sh reruns twice on
# that, once on "level 2's code" (not attributed).
# With l1.trace=1, after a shutdown, the last 4000 events too.
report_shutdowns() {
	echo 0 >$tracing/tracing_on
	grep -o 'vcpu [0-9]* reason shutdown rip 0x[0-9a-f]*' $tracing/trace |
		while read -r _ vcpu _ _ _ rip; do
			rip=$(printf '%016x' "$rip")
			# shellcheck disable=SC2046 # its words: address, name, [module]
			set -- $(awk -v r="$rip" '$1 <= r && $1 > a { a = $1; s = $3 " " $4 } END { print a, s }' \
				/proc/kallsyms)
			where="level 2's code"
			case "$3" in
			'[kvm_amd]' | '[kvm]')
				[ $((0x$rip - 0x$1)) -lt 65536 ] && where="level 1's code: $2+$((0x$rip - 0x$1)) $3"
				;;
			esac
			echo "l1: shutdown: level-2 vCPU $vcpu at rip $rip, $where"
		done
	[ "$trace" = 1 ] && grep -q 'reason shutdown' $tracing/trace || return 0
	echo "l1: trace: the last KVM events"
	grep -v '^#' $tracing/trace | tail -n 4000 | sed 's/^/l1: trace: /'
}

# After sevm: the owner's log, which waits until then so that it does not
# interleave with the guest's console.
stop_owner() {
	[ -n "${owner:-}" ] || return 0
	kill "$owner"
	wait "$logger"
	show "l1: " /tmp/owner.log
	show "l1: owner stderr: " /tmp/owner.err
}

# The owner service and a migration's stream go over loopback.
ip link set lo up
if grep -q '^\[sev\]' l2.toml; then
	# The guest owner: a service on loopback expecting l2.toml. Its first
	# line says it listens; reading it through a FIFO is the wait.
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
# wait_for FILE PATTERN SECONDS: whether a line of FILE matches in time.
wait_for() {
	n=0
	while [ "$n" -lt "$3" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 1
		n=$((n + 1))
	done
	return 1
}

# Should sevm (any of them) still run after WATCHDOG_S, say where it waits,
# so that a hang leaves evidence on the console.
watchdog() {
	sleep "$WATCHDOG_S"
	alive=
	for pid in "$@"; do
		[ -d "/proc/$pid" ] || continue
		alive=1
		echo "l1: watchdog: sevm $pid still there after $WATCHDOG_S s: $(grep State "/proc/$pid/status")"
		for t in /proc/$pid/task/*; do
			echo "l1: watchdog: thread ${t##*/} $(cut -d' ' -f3 "$t/stat") wchan=$(cat "$t/wchan")"
			sed 's/^/l1: watchdog:   /' "$t/stack" 2>/dev/null
		done
	done
	[ -n "$alive" ] || return 0
	for f in /tmp/*.err; do
		while read -r line; do echo "l1: watchdog: $f: $line"; done <"$f"
	done
	for f in /tmp/*.out; do
		[ -f "$f" ] || continue # owner.out is a FIFO
		tail -n 15 "$f" | while read -r line; do echo "l1: watchdog: $f: $line"; done
	done
}

# Each of sevm's outputs, once it is done, with a prefix saying whose
# ("src: "); an unfinished last line (a console cut mid-line by the
# migration) as "src+ " and its text.
show() {
	[ -f "$2" ] || return 0
	line=
	while IFS= read -r line; do echo "$1$line"; line=; done <"$2"
	[ -z "$line" ] || echo "${1%: }+ $line"
}

if [ "$mode" = migrate ]; then
	# Live migration inside level 1 (tests/linux/run.sh migrate): the
	# source runs the guest with its console in a file; once the workload
	# beats, a target launches (attested, through the same owner) and
	# waits; `sevm migrate` moves the guest; the target's console input is
	# a FIFO, through which the workload is asked to verify ('v') once it
	# beats there too. Its exit after that check ends the test.
	WATCHDOG_S=400
	$run_sevm run --control /tmp/src.sock l2.toml </dev/null >/tmp/src.out 2>/tmp/src.err &
	src=$!
	pin_threads "$src" "$vcpus"
	watchdog "$src" &
	# (the console's lines end in CR LF)
	if wait_for /tmp/src.out '^workload: heartbeat [3-9]' 300; then
		echo "l1: the source's workload beats; starting the target"
		mkfifo /tmp/dst.in
		$run_sevm run --no-control --incoming 127.0.0.1:7100 l2.toml \
			</tmp/dst.in >/tmp/dst.out 2>/tmp/dst.err &
		dst=$!
		watchdog "$dst" &
		exec 4>/tmp/dst.in # the target's console input, held open
		# (its shell opens the FIFO first). A plain target makes its
		# vCPU threads only once the guest has arrived: all on CPU 0.
		grep -q '^\[sev\]' l2.toml && pin_threads "$dst" "$vcpus"
		if wait_for /tmp/dst.err 'waiting for a migration' 120; then
			echo "l1: the target listens; migrating"
			timeout 300 /sevm/sevm migrate --control /tmp/src.sock --to 127.0.0.1:7100 \
				>/tmp/migrate.out 2>&1
			st=$?
			echo "l1: migrate exit $st"
			show "l1: migrate: " /tmp/migrate.out
			[ "$st" = 0 ] || kill "$src" # it would run on: the test has failed
			wait "$src"
			echo "l1: source exit $?"
			if [ "$st" = 0 ] && wait_for /tmp/dst.err 'migration received' 30 &&
				wait_for /tmp/dst.out '^workload: heartbeat' 60; then
				echo "l1: the target's workload beats"
				# Two more beats at the target, then the check.
				beats=$(grep -c '^workload: heartbeat' /tmp/dst.out)
				n=0
				while [ "$(grep -c '^workload: heartbeat' /tmp/dst.out)" -lt $((beats + 2)) ] &&
					[ "$n" -lt 60 ]; do
					sleep 1
					n=$((n + 1))
				done
				printf 'v\n' >&4 # a canonical tty: the line is read at its end
			else
				echo "l1: no heartbeat at the target"
				kill "$dst"
			fi
		else
			echo "l1: the target did not listen"
			kill "$src" "$dst"
			wait "$src"
		fi
		wait "$dst"
		echo "l1: target exit $?"
		exec 4>&-
	else
		echo "l1: the source's workload did not beat"
		kill "$src"
		wait "$src"
		echo "l1: source exit $?"
	fi
	stop_owner
	show "src: " /tmp/src.out
	show "dst: " /tmp/dst.out
	show "l1: src stderr: " /tmp/src.err
	show "l1: dst stderr: " /tmp/dst.err
else
	WATCHDOG_S=150 # sevm takes under 60 s
	$run_sevm run l2.toml </dev/null 2>/tmp/sevm.err &
	spid=$!
	pin_threads "$spid" "$vcpus"
	watchdog "$spid" &
	wait "$spid"
	status=$?
	stop_owner
	show "l1: sevm stderr: " /tmp/sevm.err
	echo "l1: sevm exit $status"
fi
show "l1: " /tmp/pin.log
report_shutdowns
# run.sh waits for this line: level 2's kernel prints "reboot: Power down"
# too, into the same console, and long before level 1 is done.
echo "l1: powering off"
poweroff -f
