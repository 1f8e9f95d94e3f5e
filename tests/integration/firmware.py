#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Booting through sevm's firmware (docs/firmware.md) on /dev/kvm: the test
guest starts on the OS vCPUs while handler vCPUs stay parked and hidden,
its e820 shows the firmware's reserved ranges, and a kernel, initrd or
command line other than the hashed one — or malformed fw_cfg input — makes
the firmware refuse to boot with a distinct status (sevm exits 5)."""

import os
import re
import shutil
import subprocess
import sys

import common
from common import Run, check

BOOT_RE = re.compile(r"testguest: boot cpus=(\d+) ")
E820_RE = re.compile(r"testguest: e820 ([0-9a-fx]+) ([0-9a-fx]+) (\d+)")
SHARED = (0x800000, 0xC00000)  # the firmware's shared region (docs/firmware.md)


def write_config(workdir, name, firmware, vcpus=2, handlers=1, cmdline="mem=16M check=2 e820",
                 initrd=None):
    path = os.path.join(workdir, name + ".toml")
    with open(path, "w") as f:
        f.write(f'[vm]\nvcpus = {vcpus}\nmemory = "256M"\n\n[boot]\n'
                f'kernel = "guest.bzImage"\ncmdline = "{cmdline}"\nfirmware = "{firmware}"\n')
        if initrd:
            f.write(f'initrd = "{initrd}"\n')
        f.write(f'\n[migration]\nhandler_vcpus = {handlers}\n')
    return path


def e820(lines):
    return [(int(a, 16), int(b, 16), int(t)) for a, b, t in
            (m.groups() for m in map(E820_RE.search, lines) if m)]


def boot_test(sevm, workdir, fw, vcpus, handlers):
    def test():
        run = Run(sevm, write_config(workdir, f"fw{vcpus}{handlers}", fw, vcpus, handlers))
        status = run.finish(60)
        check(status == 0, f"sevm exited {status}; stderr: {run.stderr}\n" + run.transcript())
        boot = next((BOOT_RE.search(l) for l in run.lines if BOOT_RE.search(l)), None)
        check(boot and boot.group(1) == str(vcpus),
              f"guest saw {boot and boot.group(1)} CPUs, want {vcpus}:\n" + run.transcript())
        check(any(f"firmware: {handlers} handler vCPU" in l for l in run.lines),
              "no parked-handler line:\n" + run.transcript())
        check(any("verified" in l and l.startswith("firmware:") for l in run.lines),
              "firmware did not report verified hashes:\n" + run.transcript())
        check("selfcheck: PASS" in run.lines, "no selfcheck PASS:\n" + run.transcript())
        m = e820(run.lines)
        check(m, "the guest printed no e820 map:\n" + run.transcript())
        ram = [(a, b) for a, b, t in m if t == 1]
        for lo, hi in (SHARED, (0x9FC00, 0xA0000), (0xE0000, 0x100000)):
            check(not any(a < hi and lo < b for a, b in ram),
                  f"[{lo:#x}, {hi:#x}) overlaps RAM in {m}")
        check(any(t == 2 and a <= SHARED[0] and b >= SHARED[1] for a, b, t in m),
              f"the shared region is not reserved in {m}")
        check(any(t == 2 and b == 0x100000000 for a, b, t in m),
              f"the firmware image below 4 GiB is not reserved in {m}")
    return test


def refusal_test(sevm, workdir, fw, fault, want, initrd=None):
    def test():
        env = dict(os.environ, SEVM_TEST_FAULT=fault)
        cfg = write_config(workdir, "refuse-" + fault.replace(":", "-"), fw, initrd=initrd)
        r = subprocess.run([sevm, "run", cfg], capture_output=True, text=True, timeout=60,
                           env=env, stdin=subprocess.DEVNULL)
        check(r.returncode == 5, f"exit {r.returncode}, want 5; stderr {r.stderr!r}; "
              f"console {r.stdout[-2000:]!r}")
        check(f"firmware: {want}" in r.stdout, f"console lacks 'firmware: {want}': {r.stdout!r}")
        check(f"sevm: firmware refused to boot: {want}" in r.stderr, f"stderr: {r.stderr!r}")
        check("testguest:" not in r.stdout, "the guest ran although the firmware refused")
    return test


def main():
    common.need_kvm()
    sevm, guest, fw = sys.argv[1:4]
    fw = os.path.abspath(fw)
    workdir = common.tempdir()
    try:
        common.make_fixtures(workdir, guest)
        # A small valid initramfs (newc cpio trailer only): the test guest ignores it.
        with open(os.path.join(workdir, "initrd.cpio"), "wb") as f:
            name = b"TRAILER!!!\0"
            hdr = b"070701" + b"".join(b"%08X" % v for v in
                                        (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, len(name), 0))
            f.write(hdr + name + b"\0" * ((4 - (110 + len(name)) % 4) % 4))
        common.main([
            ("firmware boot, 1 OS vCPU + 1 handler", boot_test(sevm, workdir, fw, 1, 1)),
            ("firmware boot, 2 OS vCPUs + 1 handler", boot_test(sevm, workdir, fw, 2, 1)),
            ("firmware boot, 2 OS vCPUs + 2 handlers", boot_test(sevm, workdir, fw, 2, 2)),
            ("tampered kernel refused", refusal_test(sevm, workdir, fw, "fw_cfg:kernel",
                                                     "kernel hash mismatch")),
            ("tampered initrd refused", refusal_test(sevm, workdir, fw, "fw_cfg:initrd",
                                                     "initrd hash mismatch", "initrd.cpio")),
            ("tampered cmdline refused", refusal_test(sevm, workdir, fw, "fw_cfg:cmdline",
                                                      "cmdline hash mismatch")),
            ("bad fw_cfg signature refused", refusal_test(sevm, workdir, fw, "fw_cfg:signature",
                                                          "malformed fw_cfg input")),
            ("bad boot configuration refused", refusal_test(
                sevm, workdir, fw, "fw_cfg:boot_config", "malformed boot configuration")),
            ("failing DMA refused", refusal_test(sevm, workdir, fw, "fw_cfg:dma",
                                                 "malformed fw_cfg input")),
        ])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
