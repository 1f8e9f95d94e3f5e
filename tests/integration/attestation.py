#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The attested SEV-ES launch on the emu platform (/dev/kvm): a launch the
guest owner's recomputed measurement matches gets the secret table (the
firmware reports its hash, the owner logs the same one) and boots; a changed
firmware, kernel, initrd, command line, vCPU count or policy, a tampered
session, measurement or secret packet, a policy without ES and an untrusted
platform all stop the launch (sevm exits 6) before the guest runs; the owner
service survives malformed requests, each answered "bad-request"."""

import os
import queue
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading

import common
from common import Run, check, recv_exact

CMDLINE = "mem=16M check=1"
ATTESTED = "sevm: SEV-ES launch attested (platform emu, policy 0x5)"
SECRET_RE = re.compile(r"^firmware: secret table sha256=([0-9a-f]{64}) entries=2 "
                       r"transport-key=yes$")
LISTEN_RE = re.compile(r"^owner: listening on 127\.0\.0\.1:(\d+)$")
RELEASED_RE = re.compile(r"measurement verified \(platform pinned\); "
                         r"released secret table sha256=([0-9a-f]{64})$")
LOCAL_WARNING = ("sevm: warning: the guest owner runs inside sevm (sev.owner_dir): "
                 "for development only, the host holds the transport key")
MISMATCH = "sevm: attestation failed: measurement mismatch"
CERT_LEN = 2084  # an SEV certificate (oca, pek, pdh in the start message)
FRAME_MAX = 16384


class Env:
    """The shared fixtures: one work dir, one platform, one owner."""

    def __init__(self, sevm, fw):
        self.sevm, self.fw = sevm, fw
        self.dir = common.tempdir()
        self.platform = os.path.join(self.dir, "platform")
        self.owner = os.path.join(self.dir, "owner")

    def setup(self, guest):
        common.make_fixtures(self.dir, guest)
        r = subprocess.run([self.sevm, "owner", "init", self.owner], capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            print(f"sevm owner init exited {r.returncode}: {r.stderr}")
            sys.exit(1)
        with open(os.path.join(self.owner, "transport.key"), "rb") as f:
            self.transport_key = f.read()
        # What the owner expects: the VM as configured by default.
        self.expect = self.config("expect")

    def config(self, name, vcpus=2, handlers=1, cmdline=CMDLINE, kernel="guest.bzImage",
               firmware=None, initrd=None, policy=None, owner=None, platform=None):
        """A vm.toml; owner is "HOST:PORT" for the service, else the local owner dir."""
        path = os.path.join(self.dir, name + ".toml")
        with open(path, "w") as f:
            f.write(f'[vm]\nname = "{name}"\nvcpus = {vcpus}\nmemory = "256M"\n'
                    f'console = "stdio"\n\n[boot]\nkernel = "{kernel}"\n'
                    f'cmdline = "{cmdline}"\nfirmware = "{firmware or self.fw}"\n')
            if initrd:
                f.write(f'initrd = "{initrd}"\n')
            f.write(f'\n[migration]\nhandler_vcpus = {handlers}\n\n[sev]\nmode = "es"\n'
                    f'platform_dir = "{platform or self.platform}"\n')
            f.write(f'owner = "{owner}"\n' if owner else f'owner_dir = "{self.owner}"\n')
            if policy is not None:
                f.write(f"policy = {policy:#x}\n")
        return path

    def path(self, name):
        return os.path.join(self.dir, name)


class Owner:
    """sevm owner serve on a free port; its log (stdout) read by a thread."""

    def __init__(self, env, expect, trust_oca=None):
        """Pinned to trust_oca, by default the shared platform's OCA."""
        args = [env.sevm, "owner", "serve", "--listen", "127.0.0.1:0", "--dir", env.owner,
                "--trust-oca", trust_oca or os.path.join(env.platform, "oca.cert")]
        self.proc = subprocess.Popen(args + [expect], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines, self.err = [], []
        self.alive = None  # whether it ran until stop()
        self.queue = queue.Queue()
        self.threads = [threading.Thread(target=self._read, args=(self.proc.stdout, True)),
                        threading.Thread(target=self._read, args=(self.proc.stderr, False))]
        for t in self.threads:
            t.start()
        try:
            line = self.wait_line(lambda l: True, 30)
            m = LISTEN_RE.match(line)
            check(m, f"the owner's first line is {line!r}, want 'owner: listening on ...'")
            self.port = int(m.group(1))
            self.addr = f"127.0.0.1:{self.port}"
        except BaseException:
            self.stop()
            raise

    def _read(self, pipe, log):
        for raw in pipe:
            line = raw.decode(errors="replace").rstrip("\n")
            if log:
                self.lines.append(line)
                self.queue.put(line)
            else:
                self.err.append(line)
        if log:
            self.queue.put(None)

    def wait_line(self, pred, timeout):
        """The next log line for which pred holds (lines before it are skipped)."""
        while True:
            try:
                line = self.queue.get(timeout=timeout)
            except queue.Empty:
                raise common.Fail(f"no expected owner log line within {timeout}s; log:\n"
                                  + self.transcript())
            if line is None:
                raise common.Fail(f"the owner service ended (status {self.proc.poll()}) "
                                  "before the expected line; log:\n" + self.transcript())
            if pred(line):
                return line

    def transcript(self):
        return "\n".join("  | " + l for l in self.lines[-40:] + self.err[-20:])

    def stop(self):
        """Ends the service; True if it was still running until then."""
        if self.alive is not None:
            return self.alive
        alive = self.alive = self.proc.poll() is None
        if alive:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for t in self.threads:
            t.join(timeout=10)
        return alive

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        alive = self.stop()
        if exc_type is None:
            check(alive, f"the owner service ended early (status {self.proc.returncode}):\n"
                  + self.transcript())
            check(self.proc.returncode == 0 and "owner: stopped" in self.lines,
                  f"SIGTERM did not stop the owner service cleanly (status "
                  f"{self.proc.returncode}):\n" + self.transcript())
            check(not any("Sanitizer" in l or "runtime error" in l for l in self.err),
                  "the owner service reported a sanitizer error:\n" + self.transcript())


def launch(env, cfg, fault=None):
    """sevm run on cfg to its end; stdout and stderr kept as bytes."""
    environ = dict(os.environ)
    environ.pop("SEVM_TEST_FAULT", None)
    if fault:
        environ["SEVM_TEST_FAULT"] = fault
    try:
        return subprocess.run([env.sevm, "run", cfg], capture_output=True, timeout=60,
                              env=environ, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise common.Fail(f"sevm run {cfg} still running after 60s; stdout "
                          f"{(e.stdout or b'')[-2000:]!r}; stderr {(e.stderr or b'')!r}")


def text(b):
    return b.decode(errors="replace")


def check_booted(status, lines, stderr):
    """An attested boot that ran the guest; returns the firmware's secret hash."""
    transcript = "\n".join("  | " + l for l in lines[-40:])
    check(status == 0, f"sevm exited {status}, want 0; stderr: {stderr!r}\n" + transcript)
    check(ATTESTED in stderr.splitlines(), f"no '{ATTESTED}' on stderr: {stderr!r}")
    secret = [m for m in map(SECRET_RE.match, lines) if m]
    check(len(secret) == 1, "want one 'firmware: secret table ... entries=2 "
          "transport-key=yes' line:\n" + transcript)
    check("testguest: boot cpus=2 mem=16M" in " ".join(lines),
          "the guest did not boot with 2 CPUs:\n" + transcript)
    check("firmware: 1 handler vCPU(s) parked" in lines, "no parked-handler line:\n" + transcript)
    check("selfcheck: PASS" in lines, "no selfcheck PASS:\n" + transcript)
    return secret[0].group(1)


def check_refused(r, status, want):
    """sevm stopped the launch with `want` on stderr, before the guest ran."""
    out, err = text(r.stdout), text(r.stderr)
    check(r.returncode == status, f"sevm exited {r.returncode}, want {status}; stderr "
          f"{err!r}; console {out[-2000:]!r}")
    check(want in err.splitlines(), f"stderr lacks the line {want!r}: {err!r}")
    ran = [l for l in out.splitlines() if l.startswith(("firmware:", "testguest:"))]
    check(not ran, f"the guest ran although the launch failed: {ran}")
    check("attested" not in err, f"sevm claims an attested launch: {err!r}")


# --- tests -------------------------------------------------------------------

def test_local_owner(env):
    run = Run(env.sevm, env.expect)
    status = run.finish(60)
    check_booted(status, run.lines, run.stderr)
    check(LOCAL_WARNING in run.stderr.splitlines(),
          f"no development warning for a local owner: {run.stderr!r}")


def serve_once(env, *args):
    """`sevm owner serve` that must fail before it listens."""
    return subprocess.run([env.sevm, "owner", "serve", *args], capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)


def test_serve_needs_trust(env):
    """An owner that trusts no platform in particular must say so explicitly,
    and one whose keys are missing refuses rather than making new ones."""
    r = serve_once(env, "--listen", "127.0.0.1:0", "--dir", env.owner, env.expect)
    check(r.returncode == 2 and "--trust-oca" in r.stderr,
          f"serve without a trust choice exited {r.returncode}: {r.stderr!r}")
    missing = env.path("no-such-owner")
    r = serve_once(env, "--listen", "127.0.0.1:0", "--dir", missing, "--trust-any-platform",
                   env.expect)
    check(r.returncode == 1 and "sevm owner init" in r.stderr,
          f"serve with missing keys exited {r.returncode}: {r.stderr!r}")
    check(not os.path.exists(missing), "serve made an owner directory it was not given")


def test_service(env):
    with Owner(env, env.expect) as owner:
        r = launch(env, env.config("service", owner=owner.addr))
        fw_sha = check_booted(r.returncode, text(r.stdout).splitlines(), text(r.stderr))
        line = owner.wait_line(lambda l: "measurement verified" in l or "refused" in l, 30)
        m = RELEASED_RE.search(line)
        check(m, f"the owner did not release the secret: {line!r}")
        check(m.group(1) == fw_sha, f"the owner released {m.group(1)}, the firmware "
              f"received {fw_sha}")
        check(owner.stop(), "the owner service ended early:\n" + owner.transcript())
        log = "\n".join(owner.lines + owner.err).encode()
        key = env.transport_key
        check(len(key) == 32, f"transport.key holds {len(key)} bytes, want 32")
        for name, blob in (("sevm's stdout", r.stdout), ("sevm's stderr", r.stderr),
                           ("the owner's log", log)):
            for form in (key, key.hex().encode(), key.hex().upper().encode()):
                check(form not in blob, f"the transport key appears in {name}")


def mismatch_test(env, name, detail="launch digest differs", **changes):
    """The owner expects the default VM; the host launches it changed."""
    def test():
        with Owner(env, env.expect) as owner:
            r = launch(env, env.config("mismatch-" + name, owner=owner.addr, **changes))
            check_refused(r, 6, MISMATCH)
            line = owner.wait_line(lambda l: "refused" in l or "verified" in l, 30)
            check(line.endswith(f": refused: measurement mismatch ({detail})"),
                  f"owner log {line!r}, want its 'refused: measurement mismatch ({detail})'")
    return test


def fault_test(env, fault, want):
    def test():
        with Owner(env, env.expect) as owner:
            check_refused(launch(env, env.config("fault", owner=owner.addr), fault), 6, want)
    return test


def test_policy_without_es(env):
    expect = env.config("noes-expect", policy=0x1)
    with Owner(env, expect) as owner:
        r = launch(env, env.config("noes", owner=owner.addr, policy=0x1))
        check_refused(r, 6, "sevm: LAUNCH_START refused by the SEV platform: "
                      "POLICY_FAILURE (status 0x7)")


def other_platform(env):
    """A second emu platform, its identity made by one local-owner launch."""
    other = env.path("platform2")
    if not os.path.exists(os.path.join(other, "oca.cert")):
        run = Run(env.sevm, env.config("platform2", platform=other))
        check_booted(run.finish(60), run.lines, run.stderr)
    oca = os.path.join(other, "oca.cert")
    check(os.path.exists(oca), f"{oca} is missing after a launch on that platform")
    return oca


def test_untrusted_platform(env):
    oca = other_platform(env)
    with open(oca, "rb") as a, open(os.path.join(env.platform, "oca.cert"), "rb") as b:
        check(a.read() != b.read(), "the two emu platforms have the same OCA certificate")
    with Owner(env, env.expect, trust_oca=oca) as owner:
        r = launch(env, env.config("untrusted", owner=owner.addr))
        check_refused(r, 6, "sevm: attestation failed: untrusted platform certificate chain")


def test_trusted_platform(env):
    with Owner(env, env.expect, trust_oca=os.path.join(env.platform, "oca.cert")) as owner:
        r = launch(env, env.config("trusted", owner=owner.addr))
        check_booted(r.returncode, text(r.stdout).splitlines(), text(r.stderr))
        line = owner.wait_line(lambda l: "measurement verified" in l or "refused" in l, 30)
        check(RELEASED_RE.search(line), f"owner log: {line!r}")


# --- the owner's wire protocol (CBOR, RFC 8949) ---------------------------------

class Pairs(list):
    """A CBOR map given as (key, value) pairs, so a key can repeat."""


def cbor(v):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | info]) + struct.pack(fmt, n)
        raise ValueError(n)
    if isinstance(v, bool) or v is None:
        raise TypeError(v)
    if isinstance(v, int):
        return head(0, v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        return head(3, len(v.encode())) + v.encode()
    pairs = v if isinstance(v, Pairs) else list(v.items())
    return head(5, len(pairs)) + b"".join(cbor(k) + cbor(x) for k, x in pairs)


def cbor_decode(b):
    """One item of major type 0, 2, 3 or 5 and the bytes after it."""
    check(b, "empty CBOR item")
    major, info = b[0] >> 5, b[0] & 31
    if info < 24:
        n, b = info, b[1:]
    elif info <= 27:
        size = 1 << (info - 24)
        check(len(b) > size, "truncated CBOR head")
        n, b = int.from_bytes(b[1:1 + size], "big"), b[1 + size:]
    else:
        raise common.Fail(f"unexpected CBOR head {b[0]:#x}")
    if major == 0:
        return n, b
    if major in (2, 3):
        check(len(b) >= n, "truncated CBOR string")
        return (b[:n] if major == 2 else b[:n].decode()), b[n:]
    if major == 5:
        m = {}
        for _ in range(n):
            k, b = cbor_decode(b)
            m[k], b = cbor_decode(b)
        return m, b
    raise common.Fail(f"unexpected CBOR major type {major}")


def frame(body):
    return struct.pack(">I", len(body)) + body


def closed(sock):
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def start_msg(cert, **changes):
    m = {"type": "start", "version": 1, "policy": 5, "api_major": 0, "api_minor": 24,
         "build": 0, "oca": cert, "pek": cert, "pdh": cert}
    m.update(changes)
    return m


def malformed_cases(oca):
    start = start_msg(oca)
    dup = Pairs(list(start.items()) + [("policy", 5)])
    measure = {"type": "measure", "version": 1, "measure": bytes(32), "mnonce": bytes(16)}
    return [  # name, bytes sent, a word of the owner's reason (None: no answer)
        ("garbage bytes", b"hello owner, this is not a frame\r\n", "frame of"),
        ("garbage in a frame", frame(b"\xff\x1c\xfe\x00garbage"), "not a flat CBOR map"),
        ("a head claiming 2^60 pairs", frame(b"\xbb\x10" + bytes(7)), "not a flat CBOR map"),
        ("length 0", frame(b""), "frame of 0 bytes"),
        ("length 1,000,000", struct.pack(">I", 1000000), "frame of 1000000 bytes"),
        ("CBOR that is not a map", frame(cbor("start")), "map"),
        ("map without type", frame(cbor({k: v for k, v in start.items() if k != "type"})),
         "type"),
        ("unknown type", frame(cbor(start_msg(oca, type="hello"))), "type"),
        ("2083-byte oca", frame(cbor(start_msg(oca, oca=oca[:CERT_LEN - 1]))), "2083"),
        ("extra field", frame(cbor(start_msg(oca, extra=1))), "field"),
        ("duplicate field", frame(cbor(dup)), "twice"),
        ("version 2", frame(cbor(start_msg(oca, version=2))), "version"),
        ("measure first", frame(cbor(measure)), "measure"),
        ("trailing bytes", frame(cbor(start) + b"\x00"), "trailing"),
        ("connect and close", b"", None),
        ("half a frame", frame(cbor(start))[:len(cbor(start)) // 2], None),
    ]


def exchange(owner, name, data, reason):
    """Sends data on a new connection; with a reason, the owner must answer
    bad-request (the reason in its message) and close. Either way the owner
    must log this connection's end."""
    with socket.create_connection(("127.0.0.1", owner.port), timeout=30) as s:
        peer = "owner: 127.0.0.1:%d: " % s.getsockname()[1]
        if data:
            s.sendall(data)
        if reason:
            n = struct.unpack(">I", recv_exact(s, 4))[0]
            check(0 < n <= FRAME_MAX - 4, f"{name}: a reply frame of {n} bytes")
            reply, rest = cbor_decode(recv_exact(s, n))
            check(not rest, f"{name}: {len(rest)} bytes after the reply's CBOR item")
            check(isinstance(reply, dict) and set(reply) == {"type", "version", "code", "message"}
                  and reply["type"] == "error" and reply["version"] == 1
                  and reply["code"] == "bad-request" and isinstance(reply["message"], str)
                  and reason in reply["message"],
                  f"{name}: reply {reply!r}, want an error with code 'bad-request' "
                  f"and {reason!r} in its message")
            check(closed(s), f"{name}: the owner kept the connection open after the error")
    line = owner.wait_line(lambda l: l.startswith(peer), 30)
    if reason:
        check(line == peer + "refused: " + reply["message"]
              and "refused: malformed request: " in line,
              f"{name}: owner log {line!r}, want its 'refused: {reply['message']}'")
    else:
        check("refused" not in line and "verified" not in line, f"{name}: owner log {line!r}")


def test_malformed(env):
    with open(os.path.join(env.platform, "oca.cert"), "rb") as f:
        oca = f.read()
    check(len(oca) == CERT_LEN, f"oca.cert is {len(oca)} bytes, want {CERT_LEN}")
    with Owner(env, env.expect) as owner:
        for name, data, reason in malformed_cases(oca):
            exchange(owner, name, data, reason)
            check(owner.proc.poll() is None, f"the owner service exited "
                  f"({owner.proc.returncode}) after '{name}':\n" + owner.transcript())
        r = launch(env, env.config("after-malformed", owner=owner.addr))
        check_booted(r.returncode, text(r.stdout).splitlines(), text(r.stderr))
        line = owner.wait_line(lambda l: "verified" in l or "refused" in l, 30)
        check(RELEASED_RE.search(line), f"owner log: {line!r}")
        check(owner.proc.poll() is None, "the owner service exited after the launch")


def test_stalled_client(env):
    """A client that sends half a frame and goes quiet delays only itself:
    a launch through the same service completes while that connection is
    still open (the service would otherwise wait out its 10 s timeout first)."""
    with Owner(env, env.expect) as owner:
        with socket.create_connection(("127.0.0.1", owner.port), timeout=30) as stalled:
            stalled.sendall(b"\x00\x00\x00\x10\xa1")
            r = launch(env, env.config("beside-stalled", owner=owner.addr))
            check_booted(r.returncode, text(r.stdout).splitlines(), text(r.stderr))
            line = owner.wait_line(lambda l: "verified" in l or "refused" in l, 30)
            check(RELEASED_RE.search(line), f"owner log: {line!r}")
            stalled.setblocking(False)
            try:
                data = stalled.recv(1)
                check(False, f"the stalled connection was answered or closed ({data!r}) "
                      "before the launch beside it finished")
            except BlockingIOError:
                pass


def test_unreachable(env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    addr = f"127.0.0.1:{port}"
    r = launch(env, env.config("unreachable", owner=addr))
    check(r.returncode == 1, f"sevm exited {r.returncode}, want 1; stderr {text(r.stderr)!r}")
    check(addr in text(r.stderr), f"stderr does not name {addr}: {text(r.stderr)!r}")
    check("testguest:" not in text(r.stdout) and "firmware:" not in text(r.stdout),
          "the guest ran without an owner")


def main():
    common.need_kvm()
    sevm, guest, fw = sys.argv[1:4]
    env = Env(sevm, os.path.abspath(fw))
    try:
        env.setup(guest)
        with open(fw, "rb") as f:
            img = bytearray(f.read())
        off = 0x3f000  # in the last VMSA page (docs/firmware.md): zeros in the image
        check(img[off] == 0, f"firmware byte {off:#x} is {img[off]:#x}, want 0")
        img[off] ^= 0x40
        with open(env.path("fw-flipped.bin"), "wb") as f:
            f.write(img)
        with open(env.path("guest.bzImage"), "rb") as f:
            kernel = bytearray(f.read())
        kernel[-64] ^= 0x01
        with open(env.path("kernel-flipped.bzImage"), "wb") as f:
            f.write(kernel)
        # A small valid initramfs (newc cpio trailer only): the test guest ignores it.
        with open(env.path("initrd.cpio"), "wb") as f:
            name = b"TRAILER!!!\0"
            hdr = b"070701" + b"".join(b"%08X" % v for v in
                                        (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, len(name), 0))
            f.write(hdr + name + b"\0" * ((4 - (110 + len(name)) % 4) % 4))
        common.main([
            ("local owner boot", lambda: test_local_owner(env)),
            ("owner service needs a trust choice and existing keys",
             lambda: test_serve_needs_trust(env)),
            ("owner service boot, secret hash matches, key never shown",
             lambda: test_service(env)),
            ("mismatch: firmware", mismatch_test(env, "firmware",
                                                 firmware=env.path("fw-flipped.bin"))),
            ("mismatch: kernel", mismatch_test(env, "kernel", kernel="kernel-flipped.bzImage")),
            ("mismatch: initrd", mismatch_test(env, "initrd", initrd="initrd.cpio")),
            ("mismatch: cmdline", mismatch_test(env, "cmdline", cmdline=CMDLINE + " x=1")),
            ("mismatch: vcpus", mismatch_test(env, "vcpus", vcpus=3)),
            ("mismatch: handler vcpus", mismatch_test(env, "handlers", handlers=2)),
            ("mismatch: policy", mismatch_test(env, "policy", "policy 0x4, expected 0x5",
                                               policy=0x4)),
            ("fault sev:session", fault_test(
                env, "sev:session",
                "sevm: LAUNCH_START refused by the SEV platform: BAD_MEASUREMENT (status 0xb)")),
            ("fault sev:measure", fault_test(env, "sev:measure", MISMATCH)),
            ("fault sev:secret", fault_test(
                env, "sev:secret",
                "sevm: LAUNCH_SECRET refused by the SEV platform: BAD_MEASUREMENT (status 0xb)")),
            ("policy without ES", lambda: test_policy_without_es(env)),
            ("untrusted platform", lambda: test_untrusted_platform(env)),
            ("trusted platform", lambda: test_trusted_platform(env)),
            ("malformed requests", lambda: test_malformed(env)),
            ("a stalled client delays no one else", lambda: test_stalled_client(env)),
            ("owner unreachable", lambda: test_unreachable(env)),
        ])
    finally:
        shutil.rmtree(env.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
