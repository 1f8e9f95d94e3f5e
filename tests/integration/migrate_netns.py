#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live migration between two network namespaces joined by a veth pair,
as between two hosts: the test guest under load goes from namespace A to
B and back to A, its heartbeats continuing and its self-check passing
after each hop (docs/migration.md); plain, and with the firmware also as
an SEV-ES guest (emu) through the Migration Handlers. Needs root for `ip
netns`; skips, saying so, without it."""

import os
import shutil
import subprocess
import sys

import common
import migrate
from common import check


def ip(*args):
    r = subprocess.run(["ip", *args], capture_output=True, text=True)
    check(r.returncode == 0, f"ip {' '.join(args)}: {r.stderr.strip()}")


def main():
    common.need_kvm()
    if os.geteuid() != 0 or not shutil.which("ip"):
        print("SKIP: network namespaces need root and iproute2's ip")
        sys.exit(common.SKIP)
    sevm, guest = sys.argv[1:3]
    firmware = sys.argv[3] if len(sys.argv) > 3 else None
    tag = str(os.getpid() % 100000)
    ns_a, ns_b = f"sevm-a-{tag}", f"sevm-b-{tag}"
    addr_a, addr_b = "10.231.7.1", "10.231.7.2"
    workdir = common.tempdir()
    made = []
    try:
        shutil.copy(guest, os.path.join(workdir, "guest.bzImage"))
        if firmware:
            shutil.copy(firmware, os.path.join(workdir, "fw.bin"))

        def setup():
            for ns in (ns_a, ns_b):
                ip("netns", "add", ns)
                made.append(ns)
            ip("link", "add", f"sva{tag}", "type", "veth", "peer", "name", f"svb{tag}")
            ip("link", "set", f"sva{tag}", "netns", ns_a)
            ip("link", "set", f"svb{tag}", "netns", ns_b)
            for ns, dev, addr in ((ns_a, f"sva{tag}", addr_a), (ns_b, f"svb{tag}", addr_b)):
                ip("-n", ns, "addr", "add", addr + "/24", "dev", dev)
                ip("-n", ns, "link", "set", dev, "up")
                ip("-n", ns, "link", "set", "lo", "up")

        def hops(sev=False):
            in_a, in_b = ["ip", "netns", "exec", ns_a], ["ip", "netns", "exec", ns_b]
            tag = "s" if sev else ""
            src = migrate.Vm(sevm, workdir, tag + "na", prefix=in_a, sev=sev)
            vms = [src]
            try:
                src.wait_heartbeat_after(1)
                vm = migrate.hop(sevm, workdir, src, tag + "nb", host=addr_b, prefix=in_b)
                vms.append(vm)
                vm = migrate.hop(sevm, workdir, vm, tag + "na2", host=addr_a, prefix=in_a)
                vms.append(vm)
            finally:
                for v in vms:
                    v.stop()

        sev = [("SEV-ES (emu): A -> B -> A across the veth pair, checked after each hop",
                lambda: hops(sev=True))] if firmware else []
        common.main([
            ("two namespaces joined by a veth pair", setup),
            ("A -> B -> A across the veth pair, checked after each hop", hops),
            *sev,
        ])
    finally:
        for ns in made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
