#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where level 1's CPUs are, asked of QEMU over QMP (tests/linux/run.sh).

    qmp-cpus.py SOCKET

Prints one line per emulated CPU: RIP, CPL, CR3 and whether it halted.
Run twice a moment apart, it tells a level 1 spinning in one place from
one that moves on, or that waits, and from a QEMU that no longer answers
(exit 1 after a 10 s wait, with the reason). Level 1 boots with nokaslr,
so that its kernel's addresses are the same in every run.
"""
import json
import re
import socket
import sys


def ask(sock_path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock_path)
    f = s.makefile("rw")

    def command(cmd, **args):
        f.write(json.dumps({"execute": cmd, "arguments": args} if args else {"execute": cmd}) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "return" in reply or "error" in reply:
                return reply

    json.loads(f.readline())  # the greeting
    command("qmp_capabilities")
    reply = command("human-monitor-command", **{"command-line": "info registers -a"})
    s.close()
    return reply.get("return", str(reply.get("error")))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: qmp-cpus.py SOCKET")
    try:
        text = ask(sys.argv[1])
    except (OSError, ValueError) as e:
        print(f"qmp: QEMU did not answer: {e}")
        sys.exit(1)
    # "info registers -a" prints "CPU#n" and then that CPU's registers.
    for block in re.split(r"(?m)^(?=CPU#)", text):
        cpu = re.match(r"CPU#(\d+)", block)
        rip = re.search(r"RIP=([0-9a-f]+)", block)
        if not cpu or not rip:
            continue
        cpl = re.search(r"CPL=(\d)", block)
        cr3 = re.search(r"CR3=([0-9a-f]+)", block)
        halted = re.search(r"HLT=(\d)", block)
        value = int(rip.group(1), 16)
        print(f"qmp: cpu {cpu.group(1)}: RIP={value:#x} CPL={cpl.group(1) if cpl else '?'} "
              f"CR3={cr3.group(1) if cr3 else '?'} HLT={halted.group(1) if halted else '?'}")


main()
