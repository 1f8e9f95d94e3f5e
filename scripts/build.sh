#!/bin/bash
# SPDX-License-Identifier: MIT
# Configures (once) and builds one build directory: scripts/build.sh DIR [MESON OPTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
shift
if [[ ! -f "$dir/build.ninja" ]]; then
	meson setup "$dir" "$@" >/dev/null
fi
meson compile -C "$dir" >/dev/null
