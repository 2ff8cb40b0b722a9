#!/usr/bin/env bash
# Sets up, builds and boots the kernel in QEMU with the shell (docs/console.md) on this terminal,
# and the demo's programs as boot modules for it to run. `shutdown` ends the run; Ctrl-C ends
# QEMU. Extra arguments go to the runner (e.g. --kvm).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/setup.sh"
"$root/tools/build.sh"
source "$root/tools/demo_config.sh"
modules=()
for name in "${demo_modules[@]}" shell; do modules+=(--module "$build/user/$name"); done
exec python3 "$root/tests/qemu/run_qemu.py" --kernel "$build/kernel/kernel.bin" "${modules[@]}" \
    --append "run=shell" --interactive "$@"
