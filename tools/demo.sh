#!/usr/bin/env bash
# Sets up, builds and boots the kernel in QEMU, showing its log on this terminal.
# Extra arguments go to the runner (tools/../tests/qemu/run_qemu.py), e.g. --kvm or --icount.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/setup.sh"
"$root/tools/build.sh"
source "$root/tools/demo_config.sh"
# In a terminal, the shell follows the demo (docs/console.md): `shutdown` ends the run.
modules=()
for name in "${demo_modules[@]}" shell; do modules+=(--module "$build/user/$name"); done
command_line=$demo_command_line
interactive=()
if [ -t 0 ] && [ -t 1 ]; then
    command_line="$command_line,shell"
    interactive=(--interactive)
fi
exec python3 "$root/tests/qemu/run_qemu.py" --kernel "$build/kernel/kernel.bin" "${modules[@]}" \
    --append "$command_line" --timeout 120 "${interactive[@]}" \
    --expect "hello: the echo came back" --expect "kernel -> user: supervisor: task faulty faulted" "$@"
