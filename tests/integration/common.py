# SPDX-License-Identifier: MIT
"""Shared pieces of sevm's integration tests: locating the binaries, making
fixture files, running sevm with a deadline and reading its console."""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77  # meson's exit code for a skipped test


def need_kvm():
    """Skip (exit 77) with a reason when this host cannot run VMs."""
    if not os.path.exists("/dev/kvm"):
        print("SKIP: /dev/kvm is absent: this host cannot run KVM guests")
        sys.exit(SKIP)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is not readable and writable by this user")
        sys.exit(SKIP)


class Fail(Exception):
    pass


class Closed(Fail):
    """The peer closed a connection in the middle of a read."""


def recv_exact(sock, n):
    """Exactly n bytes from sock; Closed if the peer closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise Closed(f"the peer closed the connection after {len(data)} of {n} bytes")
        data += chunk
    return data


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def main(tests):
    """Runs each (name, fn) and reports like other runners: one line per test,
    then 'N passed, N failed'."""
    passed = failed = 0
    for name, fn in tests:
        start = time.monotonic()
        try:
            fn()
        except Fail as e:
            failed += 1
            print(f"FAIL {name}: {e}", flush=True)
            continue
        passed += 1
        print(f"ok   {name} ({time.monotonic() - start:.2f}s)", flush=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def make_fixtures(dirname, guest_bzimage):
    """Files the configs in tests/data/bad/ and the boot tests refer to."""
    shutil.copy(guest_bzimage, os.path.join(dirname, "guest.bzImage"))
    with open(guest_bzimage, "rb") as f:
        img = bytearray(f.read())
    old = bytearray(img)
    struct.pack_into("<H", old, 0x206, 0x0201)
    with open(os.path.join(dirname, "old.bzImage"), "wb") as f:
        f.write(old)
    no64 = bytearray(img)
    struct.pack_into("<H", no64, 0x236, 0)
    with open(os.path.join(dirname, "no64.bzImage"), "wb") as f:
        f.write(no64)
    with open(os.path.join(dirname, "text.txt"), "w") as f:
        f.write("hello, this is not a kernel\n")
    open(os.path.join(dirname, "empty.img"), "wb").close()
    os.makedirs(os.path.join(dirname, "adir"), exist_ok=True)


class Run:
    """sevm run on a config, its console on a pipe."""

    def __init__(self, sevm, config, stdin=subprocess.DEVNULL):
        self.start = time.monotonic()
        self.proc = subprocess.Popen(
            [sevm, "run", config], stdin=stdin, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.lines = []

    def read_until(self, pred, timeout):
        """Reads console lines until pred(line) holds; returns that line."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise Fail("console closed before the expected line; got:\n"
                           + self.transcript())
            line = line.decode(errors="replace").rstrip("\r\n")
            self.lines.append(line)
            if pred(line):
                return line
        raise Fail(f"no expected line within {timeout}s; got:\n" + self.transcript())

    def finish(self, timeout):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            self.lines += out.decode(errors="replace").splitlines()
            raise Fail(f"sevm still running after {timeout}s; console:\n"
                       + self.transcript() + "\nstderr:\n" + err.decode(errors="replace"))
        self.lines += out.decode(errors="replace").splitlines()
        self.stderr = err.decode(errors="replace")
        return self.proc.returncode

    def transcript(self):
        return "\n".join("  | " + l for l in self.lines[-40:])


def write_config(dirname, name, vcpus, memory, cmdline, kernel="guest.bzImage",
                 console="stdio", extra=""):
    path = os.path.join(dirname, name + ".toml")
    with open(path, "w") as f:
        f.write(f'[vm]\nname = "{name}"\nvcpus = {vcpus}\nmemory = "{memory}"\n'
                f'console = "{console}"\n\n[boot]\nkernel = "{kernel}"\n'
                f'cmdline = "{cmdline}"\n{extra}')
    return path


def stop_process(proc, timeout=30):
    """SIGTERM, then SIGKILL after timeout seconds; returns the exit status."""
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def tempdir():
    return tempfile.mkdtemp(prefix="sevm-test-")
