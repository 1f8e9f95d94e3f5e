#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Wrap the flat test-guest payload into a Linux x86 bzImage.

Layout (Linux Documentation/arch/x86/boot.rst): the real-mode part is the
boot sector plus setup_sects = 1 setup sector (1024 bytes); it only carries
the setup header (0x1f1..0x26f), sevm never runs real-mode code.  The
protected-mode payload follows at file offset 1024 and loads at
code32_start = pref_address = 0x100000; its 64-bit entry is at payload
offset 0x200 (XLF_KERNEL_64).

Everything the header needs is read back from the payload itself: the
Multiboot header (Multiboot 0.6.96, 3.1.3 address fields) gives the load
address, the end of the file (load_end_addr) and of the memory the image
needs (bss_end_addr = init_size); "LToP" marks kernel_info (protocol 2.15).

usage: mkbzimage.py PAYLOAD.bin OUT.bzImage
"""
import struct
import sys

LOAD_ADDR = 0x100000
SETUP_SECTS = 1
SETUP_SIZE = (SETUP_SECTS + 1) * 512
MB_MAGIC = 0x1BADB002
MB_AOUT_KLUDGE = 1 << 16
CMDLINE_SIZE = 1023  # the guest copies up to 1023 characters


def die(msg):
    sys.exit(f"mkbzimage: {msg}")


def find_multiboot(payload):
    """Multiboot 3.1.1: 32-bit aligned, within the first 8192 bytes."""
    for off in range(0, min(len(payload), 8192) - 32 + 1, 4):
        magic, flags, csum = struct.unpack_from("<III", payload, off)
        if magic == MB_MAGIC and (magic + flags + csum) & 0xFFFFFFFF == 0:
            if not flags & MB_AOUT_KLUDGE:
                die("multiboot header lacks the address fields (flag 16)")
            return off, struct.unpack_from("<IIIII", payload, off + 12)
    die("no multiboot header in the first 8 KiB of the payload")


def main():
    if len(sys.argv) != 3:
        die("usage: mkbzimage.py PAYLOAD.bin OUT.bzImage")
    with open(sys.argv[1], "rb") as f:
        payload = f.read()

    off, (header_addr, load_addr, load_end, bss_end, _entry) = find_multiboot(payload)
    if load_addr != LOAD_ADDR or header_addr - load_addr != off:
        die(f"payload not linked at {LOAD_ADDR:#x}")
    if len(payload) != load_end - load_addr:
        die(f"payload is {len(payload)} bytes, multiboot says {load_end - load_addr}")
    if payload[0x202:0x206] == b"HdrS":
        die("payload must not look like a bzImage itself (QEMU checks 0x202)")
    kinfo = payload.find(b"LToP", 0, 0x200)
    if kinfo < 0:
        die("no kernel_info in the payload head")
    init_size = (bss_end - load_addr + 0xFFF) & ~0xFFF

    setup = bytearray(SETUP_SIZE)

    def put(fmt, offset, value):
        struct.pack_into("<" + fmt, setup, offset, value)

    put("B", 0x1F1, SETUP_SECTS)  # setup_sects
    put("I", 0x1F4, (len(payload) + 15) // 16)  # syssize, 16-byte units
    put("H", 0x1FA, 0xFFFF)  # vid_mode: normal
    put("H", 0x1FE, 0xAA55)  # boot_flag
    # jump: short jmp over the header to a cli/hlt loop; its offset byte
    # also tells loaders where the header ends (0x202 + byte at 0x201).
    setup[0x200:0x202] = bytes([0xEB, 0x6E])
    setup[0x270:0x274] = bytes([0xFA, 0xF4, 0xEB, 0xFD])
    setup[0x202:0x206] = b"HdrS"
    put("H", 0x206, 0x020F)  # version 2.15
    put("H", 0x20C, 0x1000)  # start_sys_seg (obsolete)
    put("B", 0x211, 0x01)  # loadflags: LOADED_HIGH
    put("I", 0x214, LOAD_ADDR)  # code32_start
    put("I", 0x22C, 0x7FFFFFFF)  # initrd_addr_max (no initrd used)
    put("I", 0x230, 0x100000)  # kernel_alignment
    put("B", 0x234, 0)  # relocatable_kernel: no
    put("B", 0x235, 20)  # min_alignment: log2(kernel_alignment)
    put("H", 0x236, 0x0001)  # xloadflags: XLF_KERNEL_64
    put("I", 0x238, CMDLINE_SIZE)  # cmdline_size
    put("Q", 0x258, LOAD_ADDR)  # pref_address
    put("I", 0x260, init_size)  # init_size
    put("I", 0x268, kinfo)  # kernel_info_offset

    with open(sys.argv[2], "wb") as f:
        f.write(setup)
        f.write(payload)
        f.write(bytes(-len(payload) % 16))


if __name__ == "__main__":
    main()
