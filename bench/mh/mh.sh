#!/bin/bash
# SPDX-License-Identifier: MIT
# The Migration Handler benchmark (bench/README.md, "mh"), in one
# invocation:
#   1. build/tests/unit/bench_mh (bench/mh/bench_mh.c): firmware/mh/record.c
#      built for the host, and OpenSSL AES-256-GCM, each on one core;
#   2. bench/mh/guest.py: the MH itself in an attested test guest, sealing
#      guest memory through the mailbox.
# Last line: `mh ratio mh/openssl: R`, the MH in the guest (GiB/s of guest
# memory per handler vCPU) over OpenSSL on one host core.
# usage: bench/mh/mh.sh [MIB]   (guest memory to seal, default 512)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SEVM_BUILD:-build}
mib=${1:-512}
ninja -C "$build" tests/unit/bench_mh >/dev/null
host=$("$build/tests/unit/bench_mh")
# The host-side ratio is printed under another name: the last line is the guest's.
sed 's/^mh ratio mh\/openssl:/mh host-side ratio mh\/openssl:/' <<<"$host"
openssl=$(sed -n 's/^openssl aes-256-gcm: \([0-9.]*\) GiB\/s.*/\1/p' <<<"$host")
guest=$(python3 bench/mh/guest.py "$build/sevm" "$build/firmware/sevm-fw.bin" \
	"$build/tests/guest/testguest.bzImage" "$mib")
echo "$guest"
rate=$(sed -n 's/^mh in the guest: \([0-9.]*\) GiB\/s per handler vCPU$/\1/p' <<<"$guest")
python3 -c "print(f'mh ratio mh/openssl: {$rate / $openssl:.3f}')"
