#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Migration Handler in the guest (bench/README.md, "mh"): an attested
SEV-ES test guest on the emu platform fills its memory with a pattern and
goes idle; its MH then seals MIB MiB of it with every mailbox slot in
flight (control socket `mh-seal-bench`: records made and discarded, no
network). Prints GiB/s of guest memory per handler vCPU.

usage: guest.py SEVM FIRMWARE GUEST_BZIMAGE MIB"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading


def main():
    sevm, fw, guest = (os.path.abspath(a) for a in sys.argv[1:4])
    mib = int(sys.argv[4])
    work = tempfile.mkdtemp(prefix="sevm-bench-mh-")
    memory = mib + 256  # room below the sealed range and for the MH's own region
    try:
        shutil.copy(guest, os.path.join(work, "guest.bzImage"))
        cfg = os.path.join(work, "vm.toml")
        with open(cfg, "w") as f:
            f.write(f'[vm]\nvcpus = 2\nmemory = "{memory}M"\nconsole = "stdio"\n\n'
                    f'[cpu]\nmodel = "baseline"\n\n[boot]\nkernel = "guest.bzImage"\n'
                    f'cmdline = "mem={mib + 64}M idle"\nfirmware = "{fw}"\n\n'
                    f'[sev]\nmode = "es"\nplatform_dir = "{work}/platform"\n'
                    f'owner_dir = "{work}/owner"\n')
        sock = os.path.join(work, "ctl.sock")
        proc = subprocess.Popen([sevm, "run", "--control", sock, cfg], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            # The pattern is in memory, and every OS vCPU halted, once the
            # guest says it is idle: the handler then has a core to itself.
            for raw in proc.stdout:
                if raw.startswith(b"testguest: idle"):
                    break
            else:
                sys.exit("bench mh: the guest did not start")
            threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            rd = s.makefile("rb")

            def cmd(line):
                s.sendall(line.encode() + b"\n")
                answer = rd.readline().decode().strip()
                if not answer.startswith("ok"):
                    sys.exit(f"bench mh: {line.split()[0]}: {answer}")
                fields = dict(w.split("=", 1) for w in answer.split()[1:] if "=" in w)
                if "len" in fields:
                    rd.read(int(fields["len"]))
                return fields

            handlers = int(cmd("mh-attach")["handlers"])
            cmd("mh-resume")
            cmd("mh-begin " + os.urandom(16).hex())
            best = None
            for _ in range(3):
                r = cmd(f"mh-seal-bench {16 << 20:#x} {mib * 256}")
                ms = int(r["ms"])
                best = ms if best is None or ms < best else best
            rate = mib / 1024 / (best / 1000) / handlers
            print(f"mh in the guest: {mib} MiB sealed in {best} ms (best of 3), "
                  f"{handlers} handler vCPU(s), records {int(r['bytes'])} bytes")
            print(f"mh in the guest: {rate:.3f} GiB/s per handler vCPU")
        finally:
            proc.terminate()
            proc.wait(30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
