#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs one benchmark after installing and building what it needs:
#   bench/run.sh boot [ARGS]
#   bench/run.sh mh [ARGS]
#   bench/run.sh migrate [ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench/run.sh NAME [ARGS], NAME one of: boot mh migrate}
shift
scripts/install-deps.sh
scripts/build.sh build
if [[ -x "bench/$name/$name.sh" ]]; then
	exec "bench/$name/$name.sh" "$@"
fi
exec python3 "bench/$name/$name.py" "$@"
