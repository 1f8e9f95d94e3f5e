#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs, from Debian's apt, what building and testing sevm needs.
# Idempotent: it only calls apt-get when a package is missing.
set -euo pipefail

packages=(
	gcc            # the VMM and the freestanding guest code
	meson ninja-build pkg-config
	python3        # build helpers and integration tests
	libcmocka-dev  # unit tests
	libssl-dev     # OpenSSL: host-side hashing and SEV crypto
	libcbor-dev    # CBOR: the guest owner protocol and the migration wire
	liburing-dev   # io_uring: the migration stream
	libbearssl-dev # SHA-256, HMAC, the AES key schedule and portable AES-GCM inside the freestanding firmware
	libc6-dev      # static libc for the linux tier's workload
	qemu-system-x86 # the linux tier's nested host; benchmark baselines
	acpica-tools   # iasl checks sevm's ACPI tables
	iproute2       # ip netns: the migration test between two namespaces
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
