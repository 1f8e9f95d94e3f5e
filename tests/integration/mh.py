#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Migration Handler without networking (docs/mailbox.md): an attested
SEV-ES test guest runs its dirtying workload while its MH seals all of RAM;
the records go to a second sevm started as a migration target, whose MH
authenticates and applies them and verifies the commit. A test-only
comparison through the platform's DBG_DECRYPT (the guests' policy allows
debugging) shows every page the workload did not redirty arrived intact.
Tampered, replayed, reordered, out-of-range and private records are refused
with their reasons, and a refused record changes nothing."""

import os
import shutil
import subprocess
import sys
import threading

import common
from common import check

PAGE = 4096
MEMORY_MIB = 64
PAGES = MEMORY_MIB * 1024 * 1024 // PAGE
POLICY = 0x4  # ES without NODBG: DBG_DECRYPT allowed, for the comparison

# mh_abi.h, enum mh_error
OK, ROLE, MALFORMED, EPOCH, AUTH, GPA_RANGE, GPA_PRIVATE, REPLAY, COMMIT = 0, 2, 3, 4, 5, 6, 7, 8, 9
HDR = 40  # struct mh_record_hdr
VCPU = 13  # MH_ERR_VCPU
VMSA_PFN = 0xfff00000 // PAGE  # FW_VMSA_BASE: vCPU i's VMSA page follows


class Control:
    """A client of sevm's control socket (docs/control.md)."""

    def __init__(self, path):
        import socket
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(60)
        self.sock.connect(path)
        self.rd = self.sock.makefile("rb")

    def cmd(self, line, payload=b""):
        """Returns (ok, fields, data); fields has code/detail for refusals."""
        self.sock.sendall(line.encode() + b"\n" + payload)
        answer = self.rd.readline().decode().strip()
        check(answer, f"no answer to {line.split()[0]!r}")
        words = answer.split()
        fields = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        data = b""
        if words[0] == "ok" and "len" in fields:
            data = self.rd.read(int(fields["len"]))
            check(len(data) == int(fields["len"]), "short payload")
        fields["text"] = answer
        return words[0] == "ok", fields, data

    def ok(self, line, payload=b""):
        good, f, data = self.cmd(line, payload)
        check(good, f"{line.split()[0]}: {f['text']}")
        return f, data

    def close(self):
        self.rd.close()
        self.sock.close()


class Sevm:
    """sevm run with a control socket; console to a file, stderr read by a thread."""

    def __init__(self, sevm, workdir, name, target=False):
        self.sock = os.path.join(workdir, name + ".sock")
        cfg = os.path.join(workdir, name + ".toml")
        with open(cfg, "w") as f:
            f.write(f'[vm]\nname = "{name}"\nvcpus = 2\nmemory = "{MEMORY_MIB}M"\n'
                    f'console = "stdio"\n\n[cpu]\nmodel = "baseline"\n\n'
                    f'[boot]\nkernel = "guest.bzImage"\ncmdline = "mem=16M dirty=2000"\n'
                    f'firmware = "{workdir}/fw.bin"\n\n[sev]\nmode = "es"\n'
                    f'policy = {POLICY}\nplatform_dir = "{workdir}/platform"\n'
                    f'owner_dir = "{workdir}/owner"\n')
        args = [sevm, "run", "--control", self.sock] + (["--migration-target"] if target else [])
        self.proc = subprocess.Popen(args + [cfg], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err, self.lines = [], []
        self.cond = threading.Condition()
        ready = threading.Event()

        def console():
            for raw in self.proc.stdout:
                with self.cond:
                    self.lines.append(raw.decode(errors="replace").rstrip("\r\n"))
                    self.cond.notify_all()
        self.console_reader = threading.Thread(target=console, daemon=True)
        self.console_reader.start()

        def read():
            for raw in self.proc.stderr:
                line = raw.decode(errors="replace").rstrip("\n")
                self.err.append(line)
                if line.startswith("sevm: control socket"):
                    ready.set()
            ready.set()
        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        ready.wait(60)
        check(self.proc.poll() is None and any("control socket" in l for l in self.err),
              f"{name} did not come up: " + "\n".join(self.err))
        self.ctl = Control(self.sock)

    def stop(self):
        try:
            self.ctl.close()
        except Exception:
            pass
        common.stop_process(self.proc)
        self.reader.join(10)

    def wait_console(self, text, timeout):
        """True once a console line equals text (within timeout seconds)."""
        with self.cond:
            return self.cond.wait_for(lambda: text in self.lines, timeout)


def seal_all(src, tgt):
    """Seal every page of RAM in batches of 64 and open each record on the
    target. Pages the source MH refuses as firmware-private are skipped;
    returns (records, private pages, wire bytes)."""
    private, records, wire = set(), [], 0
    for first in range(0, PAGES, 64):
        batch = list(range(first, first + 64))
        while batch:
            good, f, rec = src.ctl.cmd("mh-seal " + " ".join(hex(p * PAGE) for p in batch))
            if good:
                break
            check(int(f.get("code", -1)) == GPA_PRIVATE,
                  f"source refused a RAM page: {f['text']}")
            d = int(f["detail"])
            private.add(batch[d])
            batch = batch[:d] + batch[d + 1:]
        if not batch:
            continue
        records.append((batch, rec))
        wire += len(rec)
        tgt.ctl.ok("mh-open %d" % len(rec), rec)
    return records, private, wire


def hashes(vm, first, count):
    _, data = vm.ctl.ok(f"page-hashes {first * PAGE:#x} {count}")
    return [data[32 * i:32 * i + 32] for i in range(count)]


def all_hashes(vm):
    out = []
    for first in range(0, PAGES, 4096):
        out += hashes(vm, first, min(4096, PAGES - first))
    return out


def refused(vm, rec, code, what):
    good, f, _ = vm.ctl.cmd("mh-open %d" % len(rec), rec)
    check(not good and int(f.get("code", -1)) == code,
          f"{what}: want refusal {code}, got {f['text']}")
    return f


def run(sevm, workdir):
    src = Sevm(sevm, workdir, "source")
    tgt = None
    try:
        tgt = Sevm(sevm, workdir, "target", target=True)
        f, _ = tgt.ctl.ok("mh-attach")
        check(f.get("role") == "target" and len(f.get("nonce", "")) == 32,
              f"target mailbox: {f['text']}")
        nonce = f["nonce"]
        tgt.ctl.ok("mh-resume")
        f, _ = src.ctl.ok("mh-attach")
        check(f.get("role") == "source", f"source mailbox: {f['text']}")
        src.ctl.ok("mh-resume")
        check(tgt.wait_console("firmware: migration target: waiting for records", 30),
              "the target's firmware did not enter migration-target mode")

        # Before anything arrives the two differ: the comparison can fail.
        before = hashes(tgt, 0x100, 64)  # the kernel at 1 MiB: loaded on the source only
        check(before != hashes(src, 0x100, 64), "source and target alike before migrating")

        # Roles are fixed: a target does not seal, a source does not open.
        good, f, _ = tgt.ctl.cmd("mh-seal 0x100000")
        check(not good and int(f.get("code", -1)) == ROLE, f"target sealed: {f['text']}")

        src.ctl.ok("dirty-start")
        _, begin = src.ctl.ok("mh-begin " + nonce)
        # A BEGIN for another target does not verify here.
        _, other = src.ctl.ok("mh-begin " + "00" * 16)
        refused(tgt, other, AUTH, "BEGIN made for another target")
        # (The source's epoch now belongs to `other`: begin again for ours.)
        _, begin = src.ctl.ok("mh-begin " + nonce)
        tgt.ctl.ok("mh-open %d" % len(begin), begin)

        records, private, wire = seal_all(src, tgt)
        # Convergence's VMSAs: saved by the platform, sealed, kept private
        # by the target until the commit verifies, then written.
        src.ctl.ok("vmsa-save")
        before = hashes(tgt, VMSA_PFN, 2)
        check(hashes(src, VMSA_PFN, 2) != before, "the saved VMSAs equal the target's own")
        good, f, _ = src.ctl.cmd("mh-seal-vmsa 0 2")
        check(not good and int(f.get("code", -1)) == VCPU, f"vCPU 2 sealed: {f['text']}")
        _, vmsas = src.ctl.ok("mh-seal-vmsa 0 1")
        tgt.ctl.ok("mh-open %d" % len(vmsas), vmsas)
        check(hashes(tgt, VMSA_PFN, 2) == before, "VMSAs written before the commit")
        _, commit = src.ctl.ok("mh-commit")
        tgt.ctl.ok("mh-open %d" % len(commit), commit)
        check(hashes(tgt, VMSA_PFN, 2) == hashes(src, VMSA_PFN, 2),
              "the target's VMSA pages are not the source's after the commit")
        _, bitmap = src.ctl.ok("dirty-fetch")
        dirty = {p for p in range(PAGES) if bitmap[p // 8] >> (p % 8) & 1}
        check(dirty, "the workload dirtied nothing while RAM was sealed")

        s, t = all_hashes(src), all_hashes(tgt)
        clean = [p for p in range(PAGES) if p not in dirty and p not in private]
        bad = [p for p in clean if s[p] != t[p]]
        check(not bad, f"{len(bad)} pages not redirtied differ, e.g. {bad[:8]}")
        check(len(clean) > PAGES // 2, f"only {len(clean)} of {PAGES} pages compared")
        print(f"  {len(records)} records, {wire} bytes, {len(private)} private pages skipped, "
              f"{len(dirty)} redirtied, {len(clean)} compared: all intact", flush=True)
        return src, tgt, nonce, records
    except BaseException:
        src.stop()
        if tgt:
            tgt.stop()
        raise


def test_refusals(sevm, workdir):
    """A fresh target; one good migration epoch, then records a malicious
    host could offer. None of them changes a byte."""
    src = Sevm(sevm, workdir, "source2")
    tgt = Sevm(sevm, workdir, "target2", target=True)
    try:
        f, _ = tgt.ctl.ok("mh-attach")
        nonce = f["nonce"]
        tgt.ctl.ok("mh-resume")
        src.ctl.ok("mh-attach")
        src.ctl.ok("mh-resume")
        _, begin = src.ctl.ok("mh-begin " + nonce)

        # Pages before BEGIN: refused.
        _, early = src.ctl.ok("mh-seal 0x200000")
        refused(tgt, early, EPOCH, "pages before BEGIN")
        tgt.ctl.ok("mh-open %d" % len(begin), begin)

        gpa = 0x200000
        p = gpa // PAGE
        _, r1 = src.ctl.ok(f"mh-seal {gpa:#x} {gpa + PAGE:#x}")
        _, r2 = src.ctl.ok(f"mh-seal {gpa:#x}")
        snapshot = hashes(tgt, p, 2)

        # Tampered ciphertext and tag.
        t = bytearray(r2)
        t[-20] ^= 1
        refused(tgt, bytes(t), AUTH, "flipped ciphertext bit")
        t = bytearray(r2)
        t[-1] ^= 1
        refused(tgt, bytes(t), AUTH, "flipped tag bit")
        # A GPA in the clear header moved out of RAM, or into private memory.
        t = bytearray(r2)
        t[HDR:HDR + 8] = (MEMORY_MIB << 20).to_bytes(8, "little")
        refused(tgt, bytes(t), GPA_RANGE, "GPA beyond RAM")
        t[HDR:HDR + 8] = (0xa0000).to_bytes(8, "little")
        refused(tgt, bytes(t), GPA_PRIVATE, "GPA in the VGA hole")
        t = bytearray(r2)
        t[0] ^= 0xff
        refused(tgt, bytes(t), MALFORMED, "bad magic")
        check(hashes(tgt, p, 2) == snapshot, "a refused record changed the target")

        # The newer record, then the older one for the same page: reorder.
        tgt.ctl.ok("mh-open %d" % len(r2), r2)
        f = refused(tgt, r1, REPLAY, "older record after a newer one")
        check(int(f["detail"]) == 0, f"reorder blamed page {f['detail']}, want 0")
        # The same record twice: replay.
        refused(tgt, r2, REPLAY, "replayed record")
        # A commit that misses the dropped record r1's second page.
        _, commit = src.ctl.ok("mh-commit")
        refused(tgt, commit, COMMIT, "commit after a dropped record")
    finally:
        src.stop()
        tgt.stop()


def main():
    common.need_kvm()
    sevm, guest, fw = sys.argv[1:4]
    workdir = common.tempdir()
    try:
        shutil.copy(guest, os.path.join(workdir, "guest.bzImage"))
        shutil.copy(fw, os.path.join(workdir, "fw.bin"))
        state = {}

        def migrate():
            state["vms"] = run(sevm, workdir)

        def cleanup():
            for vm in state.get("vms", ())[:2]:
                vm.stop()
        try:
            common.main([
                ("source MH seals all RAM under load; target applies it; clean pages intact",
                 migrate),
                ("tampered, replayed, reordered, out-of-range and private records refused",
                 lambda: test_refusals(sevm, workdir)),
            ])
        finally:
            cleanup()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
