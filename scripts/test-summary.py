#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints one closing line over the meson test logs of the given build
directories: `tests: N passed, N failed, N skipped`."""

import json
import os
import sys

counts = {"passed": 0, "failed": 0, "skipped": 0}
for d in sys.argv[1:]:
    path = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(path):
        print(f"test-summary: {path} is missing", file=sys.stderr)
        counts["failed"] += 1
        continue
    with open(path) as f:
        for line in f:
            r = json.loads(line)["result"]
            key = {"OK": "passed", "SKIP": "skipped", "EXPECTEDFAIL": "passed"}.get(r, "failed")
            if key == "failed":
                print(f"test-summary: {d}: {json.loads(line)['name']}: {r}", file=sys.stderr)
            counts[key] += 1
print(f"tests: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
# CI machines have /dev/kvm, QEMU and iasl (scripts/install-deps.sh): a skip
# there means a test silently stopped testing, so it fails the run.
if os.environ.get("CI") and counts["skipped"]:
    print("test-summary: tests were skipped under CI, where every test must run",
          file=sys.stderr)
    sys.exit(1)
sys.exit(1 if counts["failed"] or not counts["passed"] else 0)
