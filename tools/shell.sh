#!/usr/bin/env bash
# Sets up, builds and boots the kernel in QEMU with the shell (docs/console.md) on this terminal.
# `shutdown` ends the run; Ctrl-C ends QEMU. Extra arguments go to the runner (e.g. --kvm).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/setup.sh"
"$root/tools/build.sh"
modules=()
for name in init shell hello child_echo services_demo kv_store kv_client faulty; do
    modules+=(--module "$build/user/$name")
done
exec python3 "$root/tests/qemu/run_qemu.py" --kernel "$build/kernel/kernel.bin" "${modules[@]}" \
    --append "run=shell" --interactive "$@"
