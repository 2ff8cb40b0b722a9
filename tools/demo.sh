#!/usr/bin/env bash
# Sets up, builds and boots the kernel in QEMU, showing its log on this terminal.
# Extra arguments go to the runner (tools/../tests/qemu/run_qemu.py), e.g. --kvm or --icount.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/setup.sh"
"$root/tools/build.sh"
source "$root/tools/demo_config.sh"
modules=()
for name in "${demo_modules[@]}"; do modules+=(--module "$build/user/$name"); done
exec python3 "$root/tests/qemu/run_qemu.py" --kernel "$build/kernel/kernel.bin" "${modules[@]}" \
    --append "$demo_command_line" --timeout 120 \
    --expect "hello: the echo came back" --expect "kernel -> user: supervisor: task faulty faulted" "$@"
