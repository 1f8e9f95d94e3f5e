#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a gzip-compressed initramfs: a "newc" cpio archive (the format
Linux's init/initramfs.c unpacks; Linux Documentation/driver-api/
early-userspace/buffer-format.rst) from a list of entries, all owned by root,
with fixed timestamps so the same inputs give the same bytes.

Usage: mkcpio.py OUT.cpio.gz SPEC...
SPEC is one of
  dir:PATH                 a directory
  file:PATH=SOURCE[:MODE]  a regular file copied from SOURCE (mode octal, default
                           that of SOURCE)
  link:PATH=TARGET         a symbolic link
  node:PATH=c:MAJOR:MINOR  a character device node
Parent directories are created as needed.
"""

import gzip
import os
import stat
import sys

MAGIC = b"070701"


def header(ino, mode, size, name, rdev=(0, 0), nlink=1):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    return MAGIC + b"".join(b"%08X" % f for f in fields)


def pad4(n):
    return (4 - n % 4) % 4


class Archive:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1
        self.dirs = set()

    def add(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode()
        self.out += header(self.ino, mode, len(data), name_b, rdev)
        self.out += name_b + b"\0"
        self.out += b"\0" * pad4(110 + len(name_b) + 1)
        self.out += data + b"\0" * pad4(len(data))
        self.ino += 1

    def mkdir(self, path):
        path = path.strip("/")
        if not path or path in self.dirs:
            return
        self.mkdir(os.path.dirname(path))
        self.dirs.add(path)
        self.add(path, stat.S_IFDIR | 0o755)

    def file(self, path, source, mode=None):
        path = path.strip("/")
        self.mkdir(os.path.dirname(path))
        with open(source, "rb") as f:
            data = f.read()
        if mode is None:
            mode = stat.S_IMODE(os.stat(source).st_mode)
        self.add(path, stat.S_IFREG | mode, data)

    def link(self, path, target):
        path = path.strip("/")
        self.mkdir(os.path.dirname(path))
        self.add(path, stat.S_IFLNK | 0o777, target.encode())

    def node(self, path, major, minor):
        path = path.strip("/")
        self.mkdir(os.path.dirname(path))
        self.add(path, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self):
        self.add("TRAILER!!!", 0)
        self.out += b"\0" * pad4(len(self.out))
        return bytes(self.out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    a = Archive()
    for spec in sys.argv[2:]:
        kind, _, rest = spec.partition(":")
        if kind == "dir":
            a.mkdir(rest)
        elif kind == "file":
            path, _, src = rest.partition("=")
            src, _, mode = src.partition(":")
            a.file(path, src, int(mode, 8) if mode else None)
        elif kind == "link":
            path, _, target = rest.partition("=")
            a.link(path, target)
        elif kind == "node":
            path, _, dev = rest.partition("=")
            _, major, minor = dev.split(":")
            a.node(path, int(major), int(minor))
        else:
            sys.exit(f"mkcpio: unknown spec {spec!r}")
    with open(sys.argv[1], "wb") as f:
        f.write(gzip.compress(a.finish(), compresslevel=6, mtime=0))


if __name__ == "__main__":
    main()
