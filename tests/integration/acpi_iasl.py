#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sevm's ACPI tables as a real ACPI implementation reads them: acpi_dump
(tests/tools) writes the tables acpi_build() makes for 1, 2 and 64 CPUs,
ACPICA's disassembler (`iasl -d`) must decode each without a warning or
error, and the decoded text must say what sevm means: a hardware-reduced
FADT with the sleep and reset registers sevm emulates, one local APIC per
CPU and one I/O APIC in the MADT, and the ISA devices in the DSDT.

iasl 20200925 (Debian bookworm) cannot load a bare RSDP, so the RSDP is
checked here byte by byte; an iasl that can decode it must do so cleanly.

Usage: acpi_iasl.py ACPI_DUMP"""

import os
import re
import shutil
import subprocess
import sys

import common
from common import check

CPU_COUNTS = (1, 2, 64)
TABLES = ("XSDT", "FACP", "APIC", "DSDT")  # everything but the RSDP
IOAPIC_ADDR = 0xFEC00000
LAPIC_ADDR = 0xFEE00000

# What iasl says when something is off: "Firmware Warning (ACPI): Incorrect
# checksum ...", "ACPI Warning: Invalid character(s) in name ...", "ACPI
# Error: ...", and in a .dsl "**** Incorrect checksum" or "/* Invalid ... */".
PROBLEM = re.compile(r"warning|error|invalid|incorrect|unknown|\*\*\*\*", re.I)
# One field of a disassembled data table: "[06Ch 0108   1]   RTC Century Index : 32"
FIELD = re.compile(r"^\[[0-9A-F]+h [0-9]+ +[0-9]+\] +(.*?) : (.*)$")


def iasl(args, cwd):
    r = subprocess.run(["iasl"] + args, cwd=cwd, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def problems(text):
    return [l.strip() for l in text.splitlines() if PROBLEM.search(l)]


def fields(dsl):
    """(name, value) of every field of a disassembled data table, in order."""
    out = []
    for line in dsl.splitlines():
        m = FIELD.match(line)
        if m:
            out.append((m.group(1).strip(), m.group(2).strip()))
    return out


def field(fs, name):
    values = [v for n, v in fs if n == name]
    check(len(values) == 1, f"want one field {name!r}, found {len(values)}")
    return values[0]


def gas(fs, name):
    """The Generic Address Structure fields following field `name`."""
    for i, (n, v) in enumerate(fs):
        if n == name:
            check(v.startswith("[Generic Address Structure]"), f"{name} is {v!r}")
            return dict(fs[i + 1:i + 6])
    raise common.Fail(f"no {name} in the disassembly")


def subtables(fs):
    """MADT entries: lists of fields, each starting at a Subtable Type."""
    subs = []
    for n, v in fs:
        if n == "Subtable Type":
            subs.append([])
        if subs:
            subs[-1].append((n, v))
    return subs


def hexval(s):
    return int(s.split()[0], 16)


class Tables:
    """acpi_dump's output for one CPU count, disassembled."""

    def __init__(self, acpi_dump, workdir, nr_cpus):
        self.nr = nr_cpus
        self.dir = os.path.join(workdir, f"cpus{nr_cpus}")
        self.acpi_dump = acpi_dump
        self.raw = {}
        self.dsl = {}
        self.iasl_out = {}
        self.error = "not built yet"

    def build(self):
        os.makedirs(self.dir)
        r = subprocess.run([self.acpi_dump, str(self.nr), self.dir], capture_output=True,
                           text=True, timeout=30)
        check(r.returncode == 0, f"acpi_dump exited {r.returncode}: {r.stderr.strip()}")
        for sig in ("RSDP",) + TABLES:
            path = os.path.join(self.dir, sig + ".dat")
            check(os.path.exists(path), f"acpi_dump wrote no {sig}.dat")
            with open(path, "rb") as f:
                self.raw[sig] = f.read()
        extra = sorted(set(os.listdir(self.dir)) - {s + ".dat" for s in ("RSDP",) + TABLES})
        check(not extra, f"unexpected files {extra}")
        self.error = None

    def need(self, sig):
        check(self.error is None, f"no tables: {self.error}")
        if sig not in self.dsl:
            raise common.Fail(f"{sig} was not disassembled")
        return self.dsl[sig]

    def disassemble(self, sig):
        check(self.error is None, f"no tables: {self.error}")
        rc, out = iasl(["-d", sig + ".dat"], self.dir)
        self.iasl_out[sig] = out
        path = os.path.join(self.dir, sig + ".dsl")
        check(rc == 0, f"iasl -d {sig}.dat exited {rc}:\n{out}")
        check(os.path.exists(path), f"iasl wrote no {sig}.dsl:\n{out}")
        with open(path) as f:
            dsl = f.read()
        bad = problems(out) + problems(dsl)
        check(not bad, "iasl reports: " + "; ".join(bad))
        self.dsl[sig] = dsl


def make_tests(t):
    n = t.nr
    tag = f"{n} cpu{'s' if n > 1 else ''}"
    tests = [(f"{tag}: acpi_dump writes RSDP, XSDT, FACP, APIC, DSDT", t.build)]

    def rsdp():
        check(t.error is None, f"no tables: {t.error}")
        b = t.raw["RSDP"]
        check(len(b) == 36, f"RSDP is {len(b)} bytes, want 36")
        check(b[0:8] == b"RSD PTR ", f"signature {b[0:8]!r}")
        check(sum(b[0:20]) % 256 == 0, "checksum over the first 20 bytes is not zero")
        check(sum(b) % 256 == 0, "extended checksum over 36 bytes is not zero")
        check(b[15] == 2, f"revision {b[15]}, want 2 (XSDT)")
        check(int.from_bytes(b[20:24], "little") == 36, "length field is not 36")
        check(int.from_bytes(b[24:32], "little") != 0, "no XSDT address")
        # Newer iasl versions decode a bare RSDP; then they must do so cleanly.
        rc, out = iasl(["-d", "RSDP.dat"], t.dir)
        path = os.path.join(t.dir, "RSDP.dsl")
        if rc == 0 and os.path.exists(path):
            with open(path) as f:
                dsl = f.read()
            bad = problems(out) + problems(dsl)
            check(not bad, "iasl reports: " + "; ".join(bad))
            check('"RSD PTR "' in dsl, "iasl's RSDP has no signature")
        else:
            check("does not contain a valid ACPI table" in out,
                  f"iasl -d RSDP.dat failed unexpectedly ({rc}):\n{out}")

    tests.append((f"{tag}: RSDP signature, checksums, revision 2, XSDT address", rsdp))
    for sig in TABLES:
        tests.append((f"{tag}: iasl -d {sig} without errors or warnings",
                      lambda sig=sig: t.disassemble(sig)))

    def xsdt():
        fs = fields(t.need("XSDT"))
        addrs = [v for name, v in fs if name.startswith("ACPI Table Address")]
        check(len(addrs) == 2, f"XSDT lists {len(addrs)} tables, want 2 (FADT, MADT)")

    def fadt_hw_reduced():
        dsl = t.need("FACP")
        check(re.search(r"^\s*Hardware Reduced \(V5\) : 1\s*$", dsl, re.M),
              "FADT flags do not say Hardware Reduced (V5) : 1")
        check(hexval(field(fields(dsl), "Revision")) == 6, "FADT revision is not 6")
        check(hexval(field(fields(dsl), "FADT Minor Revision")) == 4, "FADT minor is not 4")

    def fadt_sleep():
        fs = fields(t.need("FACP"))
        for name, port in (("Sleep Control Register", 0x600), ("Sleep Status Register", 0x601)):
            g = gas(fs, name)
            check(g.get("Space ID", "").startswith("01 [SystemIO]"),
                  f"{name} space {g.get('Space ID')!r}, want SystemIO")
            check(hexval(g.get("Address", "0")) == port,
                  f"{name} address {g.get('Address')!r}, want {port:#x}")
            check(hexval(g.get("Bit Width", "0")) == 8, f"{name} is not 8 bits wide")

    def fadt_reset():
        dsl = t.need("FACP")
        fs = fields(dsl)
        g = gas(fs, "Reset Register")
        check(g.get("Space ID", "").startswith("01 [SystemIO]"),
              f"reset register space {g.get('Space ID')!r}, want SystemIO")
        check(hexval(g.get("Address", "0")) == 0x64,
              f"reset register address {g.get('Address')!r}, want 0x64")
        check(field(fs, "Value to cause reset") == "FE",
              f"reset value {field(fs, 'Value to cause reset')!r}, want FE")
        check(re.search(r"^\s*Reset Register Supported \(V2\) : 1\s*$", dsl, re.M),
              "FADT flags do not say Reset Register Supported")

    def madt_lapics():
        fs = fields(t.need("APIC"))
        check(hexval(field(fs, "Local Apic Address")) == LAPIC_ADDR, "local APIC address")
        subs = [dict(s) for s in subtables(fs)]
        lapics = [s for s in subs if s["Subtable Type"] == "00 [Processor Local APIC]"]
        check(len(lapics) == n, f"{len(lapics)} Processor Local APIC entries, want {n}")
        ids = [hexval(s["Local Apic ID"]) for s in lapics]
        check(ids == list(range(n)), f"local APIC IDs {ids}, want 0..{n - 1}")
        check(all(s["Flags (decoded below)"] == "00000001" for s in lapics),
              "a local APIC is not enabled")

    def madt_ioapic():
        subs = [dict(s) for s in subtables(fields(t.need("APIC")))]
        io = [s for s in subs if s["Subtable Type"] == "01 [I/O APIC]"]
        check(len(io) == 1, f"{len(io)} I/O APIC entries, want 1")
        check(hexval(io[0]["I/O Apic ID"]) == n, f"I/O APIC ID {io[0]['I/O Apic ID']}, want {n}")
        check(hexval(io[0]["Address"]) == IOAPIC_ADDR, f"I/O APIC at {io[0]['Address']}")
        check(hexval(io[0]["Interrupt"]) == 0, "I/O APIC GSI base is not 0")
        isos = sorted(hexval(s["Source"]) for s in subs
                      if s["Subtable Type"] == "02 [Interrupt Source Override]")
        check(isos == [1, 4, 8], f"interrupt source overrides for IRQs {isos}, want 1, 4, 8")

    def dsdt_s5():
        dsl = t.need("DSDT")
        check(re.search(r'DefinitionBlock \("", "DSDT", 2,', dsl), "no DSDT DefinitionBlock")
        check(re.search(r"Name \(_S5, Package \(0x02\)\s*//[^\n]*\n\s*\{\s*0x05,\s*Zero\s*\}\)",
                        dsl), "no Name (_S5, Package (0x02) { 0x05, Zero })")

    def device(name, hid, ios, irq):
        def test():
            dsl = t.need("DSDT")
            m = re.search(r"Scope \(\\_SB\)", dsl)
            check(m, "no Scope (\\_SB)")
            parts = re.split(r"\n\s*Device \(", dsl[m.end():])
            body = [p for p in parts[1:] if p.startswith(name + ")")]
            check(len(body) == 1, f"want one Device ({name}) in \\_SB, found {len(body)}")
            body = body[0]
            check(f'EisaId ("{hid}")' in body, f"{name} has no EisaId (\"{hid}\")")
            for port, length in ios:
                check(re.search(r"IO \(Decode16,\s*0x%04X,\s*// Range Minimum\s*0x%04X,"
                                r"\s*// Range Maximum\s*0x01,\s*// Alignment\s*0x%02X,"
                                % (port, port, length), body),
                      f"{name} has no IO (Decode16, 0x{port:04X}, ..., length {length})")
            got = re.findall(r"IRQNoFlags \(\)\s*\{([0-9,]*)\}", body)
            check(got == [str(irq)], f"{name} IRQNoFlags {got}, want {{{irq}}}")
        return test

    def dsdt_recompiles():
        t.need("DSDT")
        rc, out = iasl(["-p", "recompiled", "DSDT.dsl"], t.dir)
        check(rc == 0, f"iasl exited {rc} compiling the disassembly:\n{out}")
        check(re.search(r"\b0 Errors, 0 Warnings\b", out), f"iasl compile output:\n{out}")

    tests += [
        (f"{tag}: XSDT lists FADT and MADT", xsdt),
        (f"{tag}: FADT Hardware Reduced (V5) : 1", fadt_hw_reduced),
        (f"{tag}: FADT sleep control/status registers at I/O 0x600/0x601", fadt_sleep),
        (f"{tag}: FADT reset register I/O 0x64, value FE", fadt_reset),
        (f"{tag}: MADT has {n} Processor Local APIC entries", madt_lapics),
        (f"{tag}: MADT has one I/O APIC and ISA overrides", madt_ioapic),
        (f"{tag}: DSDT Name (_S5, Package (0x02)", dsdt_s5),
        (f"{tag}: DSDT COM1 PNP0501 IO 0x03F8 IRQ 4", device("COM1", "PNP0501", [(0x3F8, 8)], 4)),
        (f"{tag}: DSDT RTC PNP0B00 IO 0x0070 IRQ 8", device("RTC", "PNP0B00", [(0x70, 2)], 8)),
        (f"{tag}: DSDT KBD PNP0303 IO 0x0060, 0x0064 IRQ 1",
         device("KBD", "PNP0303", [(0x60, 1), (0x64, 1)], 1)),
        (f"{tag}: DSDT disassembly recompiles with iasl", dsdt_recompiles),
    ]
    return tests


def main():
    if len(sys.argv) != 2:
        print("usage: acpi_iasl.py ACPI_DUMP")
        sys.exit(2)
    acpi_dump = os.path.abspath(sys.argv[1])
    if not shutil.which("iasl"):
        print("SKIP: iasl (acpica-tools) is not installed")
        sys.exit(common.SKIP)
    workdir = common.tempdir()
    try:
        tests = []
        for n in CPU_COUNTS:
            tests += make_tests(Tables(acpi_dump, workdir, n))
        common.main(tests)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
