#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the flat firmware image and write it out as sevm-fw.bin.

The checks are those a host makes before it trusts the image's layout
(QEMU docs/specs/sev-guest-firmware.rst; include/sevm/fw_abi.h): the size,
the footer GUID at 0xffffffd0 and the table length below it, every entry
of the GUIDed table walked backwards, the reset vector, and sevm's own
entry. A broken link layout fails the build here instead of at boot.

usage: mkimage.py IN.raw OUT.bin
"""
import struct
import sys
import uuid

FOOTER = uuid.UUID("96b582de-1fb2-45f7-baea-a366c55a082d")
ENTRIES = {
    uuid.UUID("00f771de-1a7e-4fcb-890e-68c77e2fb44e"): ("reset", "<I"),
    uuid.UUID("4c2eb361-7d9b-4cc3-8081-127c90d3d294"): ("secret", "<II"),
    uuid.UUID("7255371f-3a3b-4b04-927b-1da6efa8d454"): ("hashes", "<II"),
    uuid.UUID("d6398fa9-bc47-433f-ba9e-14b9400f6022"): ("sevm", "<8I"),
}
MAX_SIZE = 2 << 20
TOP = 1 << 32


def die(msg):
    sys.exit(f"mkimage: {msg}")


def table(img):
    """{name: values} from the GUIDed table, walked from the footer."""
    end = len(img) - 0x30  # the footer GUID sits at 0xffffffd0
    if uuid.UUID(bytes_le=img[end:end + 16]) != FOOTER:
        die("no footer GUID at 0xffffffd0")
    (total,) = struct.unpack_from("<H", img, end - 2)
    start = end + 16 - total
    if total < 18 or start < 0:
        die(f"table length {total} out of range")
    found, p = {}, end - 2
    while p > start:
        guid = uuid.UUID(bytes_le=img[p - 16:p])
        (length,) = struct.unpack_from("<H", img, p - 18)
        if length < 18 or p - length < start:
            die(f"entry {guid} has bad length {length}")
        if guid in ENTRIES:
            name, fmt = ENTRIES[guid]
            if length - 18 != struct.calcsize(fmt):
                die(f"{name} entry is {length - 18} bytes, want {struct.calcsize(fmt)}")
            found[name] = struct.unpack_from(fmt, img, p - length)
        p -= length
    if p != start:
        die("entries do not add up to the table length")
    missing = {n for n, _ in ENTRIES.values()} - found.keys()
    if missing:
        die(f"missing entries: {sorted(missing)}")
    return found


def main():
    if len(sys.argv) != 3:
        die("usage: mkimage.py IN.raw OUT.bin")
    with open(sys.argv[1], "rb") as f:
        img = f.read()
    size = len(img)
    if size % 4096 or not 0 < size <= MAX_SIZE:
        die(f"image is {size} bytes: want a multiple of 4 KiB, at most 2 MiB")
    base = TOP - size
    t = table(img)
    (ap,) = t["reset"]
    if ap >> 16 != 0xFFFF or not base <= ap < TOP - 16:
        die(f"AP reset address {ap:#x} not in the image's top 64 KiB")
    if img[size - 16] not in (0xE9, 0xEB):
        die("the reset vector at 0xfffffff0 is not a jump")
    ver, ibase, vmsa, vmax, sbase, ssize, rbase, rsize = t["sevm"]
    if ver != 1 or ibase != base or rbase != base or rsize != size:
        die(f"sevm entry does not describe this image: {t['sevm']}")
    if not (base <= vmsa and vmsa + vmax * 4096 <= TOP):
        die("VMSA pages outside the image")
    for name in ("secret", "hashes"):
        b, s = t[name]
        if not base <= b < b + s <= TOP:
            die(f"{name} block [{b:#x}, +{s:#x}) outside the image")
    if sbase + ssize > 0xC0000000 or sbase < 0x100000:
        die("shared region outside low RAM")
    with open(sys.argv[2], "wb") as f:
        f.write(img)


if __name__ == "__main__":
    main()
