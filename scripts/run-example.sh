#!/bin/bash
# SPDX-License-Identifier: MIT
# From a fresh Debian 12 machine: install what is needed, build sevm and the
# test guest, and boot examples/smoke.toml (or the config given).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
exec build/sevm run "${1:-examples/smoke.toml}"
