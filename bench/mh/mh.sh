#!/bin/bash
# SPDX-License-Identifier: MIT
# The MH's host-side microbenchmark (bench/README.md): bench/mh/mh.sh [ARGS]
# runs build/tests/unit/bench_mh (bench/mh/bench_mh.c, built by meson from
# tests/unit/meson.build); ARGS go to it (--portable, --mib N, --reps N).
# The in-guest benchmark of the MH comes later.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SEVM_BUILD:-build}
ninja -C "$build" tests/unit/bench_mh >/dev/null
exec "$build/tests/unit/bench_mh" "$@"
