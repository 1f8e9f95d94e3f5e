#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/boot: time from process start to the test guest's first heartbeat,
for sevm and for QEMU (KVM) on the same guest, several runs each in one
invocation. Prints per-run times, medians, a firmware row (sevm booting
through its own measured-boot firmware vs sevm's direct boot), and last the
line `boot ratio sevm/qemu: R` (target R <= 0.5).

QEMU boots testguest.bin (Multiboot, through SeaBIOS); sevm boots
testguest.bzImage directly, and through its firmware when the build has one.
All are built from the same objects.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HEARTBEAT = b"heartbeat 1"


def time_to_heartbeat(cmd, timeout=60):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = start + timeout
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{cmd[0]} ended before its first heartbeat")
            if line.rstrip(b"\r\n").endswith(HEARTBEAT):
                return time.monotonic() - start
        raise RuntimeError(f"{cmd[0]}: no heartbeat within {timeout}s")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="meson build directory")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--vcpus", type=int, default=2)
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    args = ap.parse_args()

    sevm = os.path.join(args.build, "sevm")
    firmware = os.path.abspath(os.path.join(args.build, "firmware/sevm-fw.bin"))
    bz = os.path.abspath(os.path.join(args.build, "tests/guest/testguest.bzImage"))
    mb = os.path.join(args.build, "tests/guest/testguest.bin")
    cmdline = "mem=16M"
    with tempfile.TemporaryDirectory(prefix="sevm-bench-") as tmp:
        def config(name, fw):
            path = os.path.join(tmp, name + ".toml")
            with open(path, "w") as f:
                f.write(f'[vm]\nvcpus = {args.vcpus}\nmemory = "{args.memory}"\n'
                        f'[boot]\nkernel = "{bz}"\ncmdline = "{cmdline}"\n'
                        f'firmware = "{fw}"\n')
            return path
        candidates = {
            "sevm": [sevm, "run", config("direct", "none")],
            "qemu": [args.qemu, "-machine", "q35,accel=kvm", "-cpu", "host",
                     "-m", args.memory.rstrip("B").rstrip("i"), "-smp", str(args.vcpus),
                     "-kernel", mb, "-append", cmdline,
                     "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                     "-serial", "stdio", "-display", "none", "-nodefaults", "-no-reboot"],
        }
        if os.path.exists(firmware):
            candidates["sevm-firmware"] = [sevm, "run", config("firmware", firmware)]
        else:
            print(f"no firmware at {firmware}: firmware row skipped")
        times = {name: [] for name in candidates}
        # Interleave the runs so both see the same machine load.
        for i in range(args.runs):
            for name, cmd in candidates.items():
                t = time_to_heartbeat(cmd)
                times[name].append(t)
                print(f"run {i + 1} {name}: {t * 1000:.0f} ms", flush=True)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    for name, m in med.items():
        print(f"median {name}: {m * 1000:.0f} ms over {args.runs} runs")
    if "sevm-firmware" in med:
        print(f"firmware row: through firmware {med['sevm-firmware'] * 1000:.0f} ms, "
              f"direct {med['sevm'] * 1000:.0f} ms, "
              f"ratio firmware/direct {med['sevm-firmware'] / med['sevm']:.3f}")
    print(f"boot ratio sevm/qemu: {med['sevm'] / med['qemu']:.3f}")


if __name__ == "__main__":
    sys.exit(main())
