#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every config in tests/data/bad/ must make `sevm run` fail before booting
with exactly one line `PATH:LINE:COL: message` on stderr and exit status 2.
Each file's first line says what: `# expect: LINE:COL: message part`."""

import glob
import os
import shutil
import subprocess
import sys

import common
from common import check


def make_test(sevm, workdir, src):
    def test():
        with open(src) as f:
            text = f.read()
        first = text.splitlines()[0]
        check(first.startswith("# expect: "), f"{src}: first line must be '# expect: ...'")
        loc, _, want = first[len("# expect: "):].partition(": ")
        text = text.replace("@LONG@", "x" * 3000)
        path = os.path.join(workdir, os.path.basename(src))
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([sevm, "run", path], capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        lines = r.stderr.splitlines()
        check(r.returncode == 2, f"exit status {r.returncode}, want 2; stderr: {r.stderr!r}")
        check(len(lines) == 1, f"want one line on stderr, got {r.stderr!r}")
        check(lines[0].startswith(f"{path}:{loc}: "),
              f"want '{path}:{loc}: ...', got {lines[0]!r}")
        check(want in lines[0], f"want {want!r} in {lines[0]!r}")
        check(r.stdout == "", f"nothing may reach the console, got {r.stdout!r}")
    return test


def main():
    sevm, guest, datadir = sys.argv[1:4]
    workdir = common.tempdir()
    try:
        common.make_fixtures(workdir, guest)
        tests = [(os.path.basename(p), make_test(sevm, workdir, p))
                 for p in sorted(glob.glob(os.path.join(datadir, "*.toml")))]
        if not tests:
            print(f"no configs found in {datadir}")
            sys.exit(1)
        common.main(tests)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
