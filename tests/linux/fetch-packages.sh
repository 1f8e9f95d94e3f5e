#!/bin/bash
# SPDX-License-Identifier: MIT
# Fetches, with `apt-get download` from Debian's archive, the packages the
# linux tier builds its images from, and unpacks them into CACHE (default
# tests/linux/.cache). Nothing is installed on the system and nothing is
# committed. Idempotent: a package already unpacked is not fetched again.
#
#   linux-image-cloud-amd64   the Debian cloud kernel (level 1 and level 2)
#                             and its kvm.ko, kvm-amd.ko, irqbypass.ko
#   busybox-static            the userland of both levels
#
# Prints the unpacked kernel's version on stdout.
set -euo pipefail
cache=${1:-$(dirname "$0")/.cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# The metapackage names the current versioned kernel package.
if ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
	echo "fetch-packages: apt has no linux-image-cloud-amd64; running apt-get update" >&2
	apt-get update -qq >&2
fi
kpkg=$(apt-cache depends linux-image-cloud-amd64 |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[[ -n "$kpkg" ]] || { echo "fetch-packages: cannot resolve linux-image-cloud-amd64" >&2; exit 1; }

unpack() { # PACKAGE -> $cache/PACKAGE/
	local pkg=$1 dir=$cache/$1
	[[ -f "$dir/.done" ]] && return 0
	rm -rf "$dir" "$cache/dl"
	mkdir -p "$dir" "$cache/dl"
	(cd "$cache/dl" && apt-get download -q "$pkg" >&2)
	dpkg-deb -x "$cache"/dl/*.deb "$dir"
	rm -rf "$cache/dl"
	touch "$dir/.done"
}

unpack "$kpkg"
unpack busybox-static
ln -sfn "$kpkg" "$cache/kernel"
ls "$cache/kernel/lib/modules"
