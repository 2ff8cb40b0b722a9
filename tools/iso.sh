#!/usr/bin/env bash
# Builds a bootable ISO: GRUB loads the kernel by Multiboot with its boot modules, as QEMU's -kernel
# does. GRUB for BIOS (i386-pc) is always on it, GRUB for UEFI (x86_64-efi) when installed
# (grub-efi-amd64-bin; grub-mkrescue takes every platform it finds). QEMU boots it with -cdrom;
# written to a USB stick, so does a PC (README.md, "Booting on a real machine").
#
#   ./tools/iso.sh [--append CMDLINE] [--module NAME]... [--output FILE] [--timeout SECONDS] [--no-build]
#
#   --append    the default entry's kernel command line (default: the demo's, tools/demo_config.sh)
#   --module    one more boot module from $BUILD_DIR/user (init and what run= and init= name are
#               always there; the demo's helpers are added when --append is not given)
#   --output    where to write the ISO (default: $BUILD_DIR/poplar.iso)
#   --timeout   seconds GRUB's menu waits before booting the default entry (default 1; 0 boots at once)
#   --no-build  take the build as it is (for the tests and the CMake target `iso`)
#
# GRUB talks on the serial port (COM1, 115200 8N1) and the screen alike. A second entry starts
# the shell (run=shell) when the build has it. Every entry loads every module on the ISO.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
source "$root/tools/demo_config.sh"

command_line=""
command_line_given=false
modules=(init)
output=""
timeout=1
build_first=true
while [ $# -gt 0 ]; do
    case $1 in
        --append) command_line=$2; command_line_given=true; shift 2 ;;
        --module) modules+=("$2"); shift 2 ;;
        --output) output=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --no-build) build_first=false; shift ;;
        -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "iso.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
if ! $command_line_given; then
    command_line=$demo_command_line
    modules+=("${demo_modules[@]}")
fi
output=${output:-$build/poplar.iso}
case $timeout in '' | *[!0-9]*) echo "iso.sh: --timeout wants whole seconds, not '$timeout'" >&2; exit 2 ;; esac
# GRUB's script language would read $, ;, { and quotes itself: the command line goes in single
# quotes, which it then cannot hold.
case $command_line in *"'"*)
    echo "iso.sh: the command line may not hold a single quote" >&2
    exit 2
    ;;
esac

if $build_first; then
    "$root/tools/setup.sh"
    "$root/tools/build.sh"
fi
if ! command -v grub-mkrescue >/dev/null || ! command -v xorriso >/dev/null; then
    echo "iso.sh: grub-mkrescue and xorriso are missing: tools/setup.sh installs them" \
        "(grub-pc-bin grub-common xorriso mtools)" >&2
    exit 1
fi
if [ ! -d /usr/lib/grub/i386-pc ]; then
    echo "iso.sh: GRUB for BIOS is missing (/usr/lib/grub/i386-pc): tools/setup.sh installs grub-pc-bin" >&2
    exit 1
fi

# The programs the command line starts: run=a,b!restart,c:text names a, b and c; init=NAME names NAME.
for word in $command_line; do
    case $word in
        run=*)
            IFS=, read -ra programs <<<"${word#run=}"
            for program in "${programs[@]}"; do
                program=${program%%!*}
                program=${program%%:*}
                [ -n "$program" ] && modules+=("$program")
            done
            ;;
        init=*) modules+=("${word#init=}") ;;
    esac
done
# The shell gets an entry of its own once the build has it.
shell_entry=false
if [ -f "$build/user/shell" ]; then
    shell_entry=true
    modules+=(shell)
fi

# Each module once, in the order first named; the kernel takes up to 32 (boot::BootInfo::max_modules).
declare -A seen=()
unique=()
for name in "${modules[@]}"; do
    [ -n "${seen[$name]:-}" ] && continue
    seen[$name]=1
    if [ ! -f "$build/user/$name" ]; then
        echo "iso.sh: no boot module '$name' in $build/user (build first, or check the name)" >&2
        exit 1
    fi
    unique+=("$name")
done
if [ ${#unique[@]} -gt 32 ]; then
    echo "iso.sh: ${#unique[@]} modules, but the kernel takes at most 32" >&2
    exit 1
fi

staging=$(mktemp -d "${TMPDIR:-/tmp}/poplar-iso.XXXXXX")
trap 'rm -rf "$staging"' EXIT
tree=$staging/tree
mkdir -p "$tree/boot/grub" "$tree/boot/modules"
cp "$build/kernel/kernel.bin" "$tree/boot/kernel.bin"
for name in "${unique[@]}"; do cp "$build/user/$name" "$tree/boot/modules/$name"; done

# GRUB's `module FILE NAME` hands the kernel NAME as the module's string (QEMU's -initrd hands it
# the path); either way the kernel names the module by the last path component of that string's
# first word (boot/module_name.h), so the name after the path is the one run= and task_spawn use.
entry() {
    local title=$1 line=$2
    echo "menuentry '$title' {"
    echo "    multiboot /boot/kernel.bin '$line'"
    for name in "${unique[@]}"; do echo "    module /boot/modules/$name $name"; done
    echo "}"
}
{
    echo "# Written by tools/iso.sh."
    echo "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1"
    echo "terminal_input serial console"
    echo "terminal_output serial console"
    echo "set timeout=$timeout"
    echo "set default=0"
    entry "poplar: $command_line" "$command_line"
    if $shell_entry; then entry "poplar: shell" "run=shell"; fi
} >"$tree/boot/grub/grub.cfg"

mkdir -p "$(dirname "$output")"
if ! grub-mkrescue --output="$output" --locales= --fonts= --themes= "$tree" >"$staging/grub-mkrescue.log" 2>&1; then
    cat "$staging/grub-mkrescue.log" >&2
    echo "iso.sh: grub-mkrescue failed" >&2
    exit 1
fi
firmware=BIOS
[ -d /usr/lib/grub/x86_64-efi ] && firmware="BIOS and UEFI"
echo "iso.sh: wrote $output ($(du -k "$output" | cut -f1) KiB, $firmware): '$command_line', modules ${unique[*]}"
