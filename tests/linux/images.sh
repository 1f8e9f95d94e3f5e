#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the linux tier's images into OUT from Debian packages (fetched by
# fetch-packages.sh into CACHE) and freshly built programs:
#   OUT/vmlinuz      the Debian cloud kernel, for level 1 and level 2
#   OUT/l2.cpio.gz   level-2 initramfs: busybox-static, workload, l2-init.sh
#   OUT/l1.cpio.gz   level-1 initramfs: busybox-static, kvm modules, sevm with
#                    the shared libraries it links, the level-2 kernel,
#                    initramfs and config (l2.toml)
# usage: images.sh CACHE OUT SEVM WORKLOAD [L2_CMDLINE [L2_CPU_MODEL [FIRMWARE [SEV]]]]
# With FIRMWARE, level 2 boots through sevm's firmware; without, directly.
# With SEV=sev as well, level 2 is an attested SEV-ES launch (emu platform)
# whose guest owner is a `sevm owner serve` in level 1 (l1-init.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$1 out=$2 sevm=$3 workload=$4
l2_cmdline=${5:-console=ttyS0}
# "baseline" (no XSAVE): QEMU's emulated SVM does not intercept a nested
# guest's XSETBV, so level 1's KVM never learns level 2's XCR0 and answers
# CPUID 0DH with stale sizes; Linux then warns "XSAVE consistency problem"
# and falls back. Without XSAVE that path is never taken (docs/testing.md).
l2_cpu_model=${6:-baseline}
firmware=${7:-}
sev=${8:-}
l2_firmware=none
if [[ -n "$firmware" ]]; then
	l2_firmware=sevm-fw.bin
fi
mkdir -p "$out"

kver=$("$here/fetch-packages.sh" "$cache")
kdir=$cache/kernel
busybox=$cache/busybox-static/bin/busybox
cp "$kdir/boot/vmlinuz-$kver" "$out/vmlinuz"

python3 "$here/mkcpio.py" "$out/l2.cpio.gz" \
	dir:proc dir:sys dir:dev dir:tmp \
	"file:bin/busybox=$busybox:755" \
	"file:init=$here/l2-init.sh:755" \
	"file:workload=$workload:755"

# The level-2 VM: 2 vCPUs, 512 MiB, the same Debian kernel.
cat >"$out/l2.toml" <<TOML
[vm]
name = "linux-l2"
vcpus = 2
memory = "512M"
console = "stdio"

[cpu]
model = "$l2_cpu_model"

[boot]
kernel = "vmlinuz"
initrd = "l2.cpio.gz"
cmdline = "$l2_cmdline"
firmware = "$l2_firmware"
TOML
if [[ "$sev" == sev ]]; then
	# The owner service in level 1 reads this same file as what it expects.
	cat >>"$out/l2.toml" <<TOML

[sev]
mode = "es"
platform_dir = "/tmp/emu-platform"
owner = "127.0.0.1:7000"
TOML
fi

specs=(dir:proc dir:sys dir:dev dir:tmp
	"file:bin/busybox=$busybox:755"
	"file:init=$here/l1-init.sh:755"
	"file:sevm/sevm=$sevm:755"
	"file:l2/vmlinuz=$out/vmlinuz:644"
	"file:l2/l2.cpio.gz=$out/l2.cpio.gz:644"
	"file:l2/l2.toml=$out/l2.toml:644")
if [[ -n "$firmware" ]]; then
	specs+=("file:l2/sevm-fw.bin=$firmware:644")
fi
for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
	specs+=("file:modules/$(basename $m).ko=$kdir/lib/modules/$kver/kernel/$m.ko:644")
done
# sevm's shared libraries and the dynamic loader, at the paths ldd names.
while read -r lib; do
	specs+=("file:${lib#/}=$(readlink -f "$lib"):755")
done < <(ldd "$sevm" | grep -o '/[^ ]*' | sort -u)
python3 "$here/mkcpio.py" "$out/l1.cpio.gz" "${specs[@]}"
