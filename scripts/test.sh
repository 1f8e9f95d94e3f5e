#!/bin/bash
# SPDX-License-Identifier: MIT
# From a fresh Debian 12 machine: install what is needed, build sevm twice
# (plain, and with AddressSanitizer + UndefinedBehaviorSanitizer) and run the
# whole test suite in both. Extra arguments go to `meson test` (e.g. --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
scripts/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false

status=0
for dir in build build-asan; do
	echo "== meson test in $dir"
	meson test -C "$dir" --print-errorlogs "$@" || status=1
done
python3 scripts/test-summary.py build build-asan || status=1
exit $status
