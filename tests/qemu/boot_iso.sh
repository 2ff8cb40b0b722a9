#!/usr/bin/env bash
# Builds a bootable ISO with tools/iso.sh from a finished build and boots it in QEMU from a CD
# (-cdrom, GRUB), until a line appears; extra arguments go to run_qemu.py.
#
#   boot_iso.sh BUILD_DIR ISO COMMAND_LINE UNTIL MODULES [run_qemu.py arguments...]
#
# MODULES is a comma-separated list of boot modules beside those COMMAND_LINE names. Skipped
# (status 77) only when grub-mkrescue is missing, or for a UEFI boot (--uefi) GRUB for EFI or the
# firmware: tools/setup.sh installs them (grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
# ovmf), and CI runs setup first.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 iso=$2 command_line=$3 until=$4 module_list=$5
shift 5
if ! command -v grub-mkrescue >/dev/null; then
    echo "SKIPPED: grub-mkrescue is missing; tools/setup.sh installs it (grub-pc-bin grub-common xorriso mtools)"
    exit 77
fi
for argument in "$@"; do
    if [ "$argument" = --uefi ] && { [ ! -d /usr/lib/grub/x86_64-efi ] || [ ! -f /usr/share/ovmf/OVMF.fd ]; }; then
        echo "SKIPPED: a UEFI boot needs grub-efi-amd64-bin and ovmf; tools/setup.sh installs them"
        exit 77
    fi
done
modules=()
IFS=, read -ra names <<<"$module_list"
for name in "${names[@]}"; do modules+=(--module "$name"); done
BUILD_DIR=$build "$root/tools/iso.sh" --no-build --timeout 0 --output "$iso" --append "$command_line" "${modules[@]}"
exec python3 "$root/tests/qemu/run_qemu.py" --cdrom "$iso" --until "$until" "$@"
