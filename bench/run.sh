#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs one benchmark after installing and building what it needs:
#   bench/run.sh boot [ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench/run.sh NAME [ARGS], NAME one of: boot}
shift
scripts/install-deps.sh
scripts/build.sh build
exec python3 "bench/$name/$name.py" "$@"
