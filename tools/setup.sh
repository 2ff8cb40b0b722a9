#!/usr/bin/env bash
# Installs what the project needs from Debian's packages, if anything is missing.
# As root it installs; otherwise it prints the apt command to run and fails.
set -euo pipefail

packages=(
    cmake ninja-build python3
    clang lld llvm libclang-rt-14-dev  # compiler, linker, llvm-nm/objcopy, sanitizer and fuzzer runtimes
    libgtest-dev libbenchmark-dev      # host tests and benchmarks
    qemu-system-x86                    # the target machine
    gdb                                # debugging (tools/debug.sh)
    grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools  # the bootable ISO (tools/iso.sh), BIOS and UEFI
    ovmf                               # UEFI firmware for QEMU (the ISO's UEFI boot test)
    gnuplot-nox                        # the fairness chart (tools/fairness_chart.sh)
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
