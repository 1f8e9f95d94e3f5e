#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot the test guest (tests/guest, docs/testguest.md) with sevm on this
host's /dev/kvm and check what it reports: every vCPU up, heartbeats once a
second, its self-check, and how sevm ends."""

import os
import re
import shutil
import signal
import subprocess
import sys

import common
from common import Run, check, write_config

BOOT_RE = re.compile(r"testguest: boot cpus=(\d+) ")
HEARTBEAT_RE = re.compile(r"heartbeat (\d+)$")


def heartbeats(lines):
    return [int(m.group(1)) for m in map(HEARTBEAT_RE.search, lines) if m]


def boot_and_check(sevm, workdir, vcpus):
    def test():
        cfg = write_config(workdir, f"boot{vcpus}", vcpus, "128M",
                           "mem=32M dirty=2000 check=3")
        run = Run(sevm, cfg)
        line = run.read_until(lambda l: BOOT_RE.search(l), 30)
        check(BOOT_RE.search(line).group(1) == str(vcpus),
              f"guest saw {line!r}, want cpus={vcpus}")
        status = run.finish(30)
        beats = heartbeats(run.lines)
        check(beats[:3] == [1, 2, 3], f"heartbeats {beats}, want 1, 2, 3 first;\n"
              + run.transcript())
        check("selfcheck: PASS" in run.lines, "no 'selfcheck: PASS':\n" + run.transcript())
        check(status == 0, f"sevm exited {status}, want 0; stderr: {run.stderr}")
        check("guest powered off" in run.stderr, f"stderr: {run.stderr!r}")
    return test


def test_selfcheck_catches_corruption(sevm, workdir):
    cfg = write_config(workdir, "corrupt", 2, "128M", "mem=16M check=1 corrupt=1")
    run = Run(sevm, cfg)
    status = run.finish(30)
    check(any(l.startswith("selfcheck: FAIL") for l in run.lines),
          "no 'selfcheck: FAIL':\n" + run.transcript())
    check(status == 3, f"sevm exited {status}, want 3 (guest reported failure); "
          f"stderr: {run.stderr}")
    check("status 1" in run.stderr, f"stderr: {run.stderr!r}")


def test_serial_input(sevm, workdir):
    """The console's stdin reaches the guest: 'v' asks for the self-check."""
    cfg = write_config(workdir, "serial", 2, "128M", "mem=16M dirty=100")
    run = Run(sevm, cfg, stdin=subprocess.PIPE)
    run.read_until(lambda l: l == "heartbeat 2", 30)
    run.proc.stdin.write(b"v")
    run.proc.stdin.flush()
    status = run.finish(30)
    check("selfcheck: PASS" in run.lines, "no 'selfcheck: PASS':\n" + run.transcript())
    check(status == 0, f"sevm exited {status}; stderr: {run.stderr}")


def test_sigterm(sevm, workdir):
    cfg = write_config(workdir, "sigterm", 2, "128M", "mem=16M dirty=100")
    run = Run(sevm, cfg)
    run.read_until(lambda l: l == "heartbeat 1", 30)
    run.proc.send_signal(signal.SIGTERM)
    status = run.finish(5)
    check(status == 0, f"sevm exited {status} on SIGTERM, want 0; stderr: {run.stderr}")
    check("stopped on" in run.stderr, f"stderr: {run.stderr!r}")


def test_console_file(sevm, workdir):
    log = os.path.join(workdir, "console.log")
    cfg = write_config(workdir, "filecon", 1, "64M", "mem=8M check=2",
                       console="file:console.log")
    run = Run(sevm, cfg)
    status = run.finish(30)
    check(status == 0, f"sevm exited {status}; stderr: {run.stderr}")
    check(run.lines == [], f"console went to stdout: {run.lines}")
    with open(log) as f:
        text = f.read()
    check("heartbeat 2" in text and "selfcheck: PASS" in text, f"console.log: {text!r}")


def main():
    common.need_kvm()
    sevm, guest = sys.argv[1:3]
    workdir = common.tempdir()
    try:
        common.make_fixtures(workdir, guest)
        common.main([
            ("boot 1 vCPU", boot_and_check(sevm, workdir, 1)),
            ("boot 2 vCPUs", boot_and_check(sevm, workdir, 2)),
            ("self-check catches corruption", lambda: test_selfcheck_catches_corruption(sevm, workdir)),
            ("serial input reaches the guest", lambda: test_serial_input(sevm, workdir)),
            ("SIGTERM stops the VM", lambda: test_sigterm(sevm, workdir)),
            ("console to a file", lambda: test_console_file(sevm, workdir)),
        ])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
